// The neural receiver's whole detection on the device (GpuNeuralPuschDetector: DMRS estimation and
// the model's inputs built on the device, the model, the LLRs gathered and descrambled there) for
// a 273-PRB, 4-Rx, 1-layer 16-QAM PDU whose slot was OFDM-demodulated on the device, against the
// same model on the same GPU behind the host's inputs and LLR gathering (NeuralPuschDetector with
// the CUDA inference engine: features on the CPU, tensors copied each way) as the baseline.
// Host wall time per PDU, median of 30 after warm-up; the device path ends when its LLRs and
// measurements are complete on the device (deferred_measurements()), the baseline when its LLRs
// are in host memory. Without a device it says so and exits 0. Accepts (and ignores) Google
// Benchmark flags such as --benchmark_min_time=0.2.
#include "airan/apps/link_simulation.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_neural_pusch_detector.h"
#include "airan/gpu/gpu_onnx_executor.h"
#include "airan/phy/nn/neural_pusch_detector.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/snr_definition.h"
#include "bench_main.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;

double median_us(const std::function<void()>& run, int warm_up, int runs) {
  std::vector<double> times;
  for (int i = 0; i < warm_up + runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const auto end = std::chrono::steady_clock::now();
    if (i >= warm_up) {
      times.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int run() {
  const auto chosen = airan::bench::bench_device("bench_gpu_neural_detector");
  if (!chosen) {
    return 0;
  }
  const int device = chosen->index;
  constexpr unsigned prbs = 273;
  constexpr unsigned rx = 4;
  airan::apps::LinkScenario scenario;
  scenario.cell.num_prbs = prbs;
  scenario.cell.numerology = 1;
  scenario.num_rx_antennas = rx;
  scenario.channel.model = "TDL-B100";
  scenario.channel.max_doppler_hz = 400.0;
  scenario.channel.domain = airan::apps::ChannelDomain::time;
  PuschConfig pusch;
  pusch.bwp_size = prbs;
  pusch.prb_size = prbs;
  pusch.dmrs_additional_position = 1;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_table = McsTable::qam64;
  pusch.mcs_index = 14;
  airan::apps::SlotSimulator simulator(scenario);
  simulator.simulate(std::span(&pusch, 1), 0, 1, 2, noise_variance_from_snr_db(8.0));
  const unsigned slot = simulator.slot_number();
  const CellConfig& cell = scenario.cell;
  std::vector<float> llrs(pusch_coded_bits(cell, pusch));

  const auto model = nn::load_neural_receiver_model(std::filesystem::path(AIRAN_MODELS_DIR) /
                                                    "neural_receiver.onnx");
  const PuschFrontEndLimits limits{rx, 1, prbs};
  std::printf("neural detection, 273 PRB x 14 symbols, 4 Rx, 1 layer, 16-QAM, %s\n",
              chosen->name.c_str());
  std::printf("%-56s %10s\n", "path", "us / PDU");
  double device_fp32 = 0.0;
  for (const auto math : {airan::gpu::GpuOnnxMath::fp32, airan::gpu::GpuOnnxMath::tf32}) {
    const auto detector = airan::gpu::make_gpu_neural_detector_factory(
        cell, model, {.device = device, .math = math})(limits, 1);
    detector->keep_llrs_on_device(device);
    detector->load_slot_iq(simulator.received_iq(), rx, slot);
    const double us = median_us(
        [&] {
          detector->detect_loaded(cell, pusch, slot, llrs);
          (void)detector->deferred_measurements(); // waits for the device
        },
        5, 30);
    if (math == airan::gpu::GpuOnnxMath::fp32) {
      device_fp32 = us;
    }
    std::printf("%-56s %10.1f\n",
                (std::string("on the device, grid in device memory, ") + to_string(math)).c_str(),
                us);
  }
  const auto engine = airan::gpu::make_gpu_inference_engine_factory(device);
  nn::NeuralPuschDetector host_inputs(model, limits, 1, engine);
  const ResourceGrid& grid = simulator.received_grid();
  const double baseline =
      median_us([&] { host_inputs.detect(grid, cell, pusch, slot, llrs); }, 3, 30);
  std::printf("%-56s %10.1f\n", "host inputs and gathering, model on the device, fp32", baseline);
  std::printf("gpu neural detection 273 PRB: %.1f us on the device (fp32), %.1f us with host "
              "inputs (%.1fx)\n",
              device_fp32, baseline, baseline / device_fp32);
  return 0;
}

} // namespace

int main() {
  return airan::bench::run_reporting_errors("bench_gpu_neural_detector", run);
}
