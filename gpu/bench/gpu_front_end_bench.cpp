// GPU front-end benchmark: per-stage device times (CUDA events) of GpuPuschFrontEnd on a
// 273-PRB, 4-Rx, 2-layer, 256-QAM slot (TDL-A30 through the time domain, peak_slot.h), and the
// cuFFT-only time of the same batched FFTs as a ceiling, with a descrambling pass after the
// demapper (the baseline) and with descrambling in the demapper (GpuPuschFrontEnd::process() with
// descrambling, as the receivers run it). Prints a table; without a device it says so and exits 0.
// Accepts (and ignores) Google Benchmark flags such as --benchmark_min_time=0.2.
#include "bench_main.h"
#include "peak_slot.h"

#include "airan/apps/link_simulation.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/cufft_plan.h"
#include "airan/gpu/device_buffer.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_scrambler.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <span>
#include <vector>

namespace {

using airan::phy::cf32;

float median(std::vector<float> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0.0F : values[values.size() / 2];
}

int run() {
  const auto devices = airan::gpu::query_devices();
  if (devices.devices.empty()) {
    std::printf("bench_gpu_front_end: no CUDA device (%s); nothing measured\n",
                devices.status.c_str());
    return 0;
  }
  constexpr int iterations = 200;
  const airan::bench::PeakSlot peak;
  const airan::apps::LinkScenario& scenario = peak.scenario;
  const airan::phy::PuschConfig& pusch = peak.pusch;
  const airan::apps::SlotSimulator& simulator = *peak.simulator;
  constexpr unsigned prbs = airan::bench::peak_prbs;
  constexpr unsigned rx = airan::bench::peak_rx;
  constexpr unsigned layers = airan::bench::peak_layers;
  const unsigned slot = simulator.slot_number();

  airan::gpu::GpuPuschFrontEnd front_end(scenario.cell, {rx, layers, prbs},
                                         devices.devices.front().index);
  const auto iq = simulator.received_iq();
  airan::gpu::DeviceBuffer<float2> device_iq(iq.size());
  airan::gpu::CudaStream copy_stream;
  device_iq.copy_from_host(std::span(reinterpret_cast<const float2*>(iq.data()), iq.size()),
                           copy_stream.get());
  copy_stream.synchronize();
  const airan::phy::PuschFrontEndOptions options; // mmse-lmmse
  std::vector<float> ofdm, estimate, equalize, descramble, slot_us, fused_equalize, fused_slot_us;
  for (int i = 0; i < iterations + 10; ++i) {
    // Descrambling in the demapper, the Gold words on a branch beside the estimation.
    const auto start = std::chrono::steady_clock::now();
    front_end.demodulate(reinterpret_cast<const cf32*>(device_iq.data()), rx, slot);
    front_end.process(pusch, slot, options, /*descramble=*/true);
    front_end.synchronize();
    const auto end = std::chrono::steady_clock::now();
    if (i >= 10) {
      fused_equalize.push_back(1e3F * front_end.stage_times().equalize_demap_ms);
      fused_slot_us.push_back(std::chrono::duration<float, std::micro>(end - start).count());
    }
  }
  for (int i = 0; i < iterations + 10; ++i) { // the baseline: a descrambling pass after demapping
    const auto start = std::chrono::steady_clock::now();
    front_end.demodulate(reinterpret_cast<const cf32*>(device_iq.data()), rx, slot);
    front_end.process(pusch, slot, options);
    front_end.descramble(airan::phy::pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id));
    front_end.synchronize();
    const auto end = std::chrono::steady_clock::now();
    const airan::gpu::GpuStageTimes times = front_end.stage_times();
    if (i >= 10) { // warm-up: plans, filter banks
      ofdm.push_back(1e3F * times.ofdm_ms);
      estimate.push_back(1e3F * times.estimate_ms);
      equalize.push_back(1e3F * times.equalize_demap_ms);
      descramble.push_back(1e3F * times.descramble_ms);
      slot_us.push_back(std::chrono::duration<float, std::micro>(end - start).count());
    }
  }

  // cuFFT alone: the same rx x 14 transforms of the carrier's FFT size.
  const auto numerology = airan::phy::Numerology::for_carrier(scenario.cell.numerology,
                                                              scenario.cell.cyclic_prefix, prbs);
  const int n = static_cast<int>(numerology.fft_size());
  const int batch = static_cast<int>(rx * numerology.symbols_per_slot());
  airan::gpu::DeviceBuffer<cufftComplex> buffer(std::size_t(n) * batch);
  buffer.fill_zero(copy_stream.get());
  airan::gpu::CufftPlan plan(n, batch);
  airan::gpu::CudaEvent before;
  airan::gpu::CudaEvent after;
  std::vector<float> fft_us;
  for (int i = 0; i < iterations + 10; ++i) {
    before.record(copy_stream.get());
    plan.forward(buffer.data(), buffer.data(), copy_stream.get());
    after.record(copy_stream.get());
    after.synchronize();
    if (i >= 10) {
      fft_us.push_back(1e3F * after.elapsed_ms_since(before));
    }
  }

  const auto& device = devices.devices.front();
  std::printf("GPU front end, %s: %u PRB, %u Rx, %u layers, 256-QAM, FFT %d x %d, median of "
              "%d slots\n",
              device.name.c_str(), prbs, rx, layers, n, batch, iterations);
  std::printf("%-40s %10s\n", "stage", "us");
  std::printf("%-40s %10.1f\n", "cuFFT only (ceiling of OFDM)", median(fft_us));
  std::printf("%-40s %10.1f\n", "OFDM (CP removal, FFT, extraction)", median(ofdm));
  std::printf("%-40s %10.1f\n", "DMRS generation + channel estimation", median(estimate));
  std::printf("%-40s %10.1f\n", "equalization + demapping (fused)", median(equalize));
  std::printf("%-40s %10.1f\n", "descrambling", median(descramble));
  std::printf("%-40s %10.1f\n", "slot, host wall clock incl. launches", median(slot_us));
  std::printf("%-40s %10.1f\n", "equalization + demapping + descrambling", median(fused_equalize));
  std::printf("%-40s %10.1f  (x%.2f the slot with a descrambling pass)\n",
              "slot, descrambling in the demapper", median(fused_slot_us),
              median(slot_us) / median(fused_slot_us));
  std::printf("gpu front end slot: %.1f us\n", median(fused_slot_us));
  return 0;
}

} // namespace

int main() {
  return airan::bench::run_reporting_errors("bench_gpu_front_end", run);
}
