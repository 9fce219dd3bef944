// GPU front-end benchmark: per-stage device times (CUDA events) of GpuPuschFrontEnd on a
// 273-PRB, 4-Rx, 2-layer, 256-QAM slot (TDL-A30 through the time domain, peak_slot.h), and the
// cuFFT-only time of the same batched FFTs as a ceiling, with a descrambling pass after the
// demapper (the baseline) and with descrambling in the demapper (GpuPuschFrontEnd::process() with
// descrambling, as the receivers run it), with PT-RS and a DFT-s-OFDM PDU of one layer on 270
// PRBs (the largest transform-precoding PRB count, 2^a 3^b 5^c, in the 273) beside that row;
// then the PDUs of 24 such cells, a process() per front end (each a graph on its own stream)
// against one launch set for all of them (GpuPuschFrontEnd::prepare() + enqueue_prepared());
// and their OFDM demodulation, a demodulate() each, one launch set with a cuFFT each, one
// launch set with one cuFFT over all (a GpuOfdmWorkspace) and one launch set of the fused OFDM
// kernel (set_fused_ofdm(); also timed for one front end beside its cuFFT path). Prints a table;
// without a device it says so and exits 0. Accepts (and ignores) Google Benchmark flags such as
// --benchmark_min_time=0.2.
#include "bench_main.h"
#include "peak_slot.h"

#include "airan/apps/link_simulation.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/cufft_plan.h"
#include "airan/gpu/device_buffer.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_ofdm_workspace.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_scrambler.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <span>
#include <vector>

namespace {

using airan::phy::cf32;

float median(std::vector<float> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0.0F : values[values.size() / 2];
}

/// \p cells front ends of the peak slot's cell on \p device, and pointers to them (a batch).
struct PeakFrontEnds {
  std::vector<std::unique_ptr<airan::gpu::GpuPuschFrontEnd>> front_ends;
  std::vector<airan::gpu::GpuPuschFrontEnd*> batch;

  PeakFrontEnds(const airan::bench::PeakSlot& peak, unsigned cells, int device) {
    for (unsigned c = 0; c < cells; ++c) {
      front_ends.push_back(std::make_unique<airan::gpu::GpuPuschFrontEnd>(
          peak.scenario.cell,
          airan::gpu::GpuPuschFrontEndLimits{airan::bench::peak_rx, airan::bench::peak_layers,
                                             airan::bench::peak_prbs},
          device));
      batch.push_back(front_ends.back().get());
    }
  }
  void synchronize_all() const {
    for (const auto& front_end : front_ends) {
      front_end->synchronize();
    }
  }
};

/// Wall-clock medians (us) of the PDUs of \p cells cells, each its own front end on the slot
/// \p device_iq demodulated once: a process() each, then one launch set.
struct CellsFigures {
  float own = 0.0F;
  float batched = 0.0F;
  float batched_estimate = 0.0F; ///< The batch's estimation (events on the first front end).
  float batched_equalize = 0.0F;
};

CellsFigures measure_cells(const airan::bench::PeakSlot& peak, const float2* device_iq,
                           unsigned cells, int device, int iterations) {
  const unsigned slot = peak.simulator->slot_number();
  const PeakFrontEnds set(peak, cells, device);
  const auto& front_ends = set.front_ends;
  const auto& batch = set.batch;
  for (const auto& front_end : front_ends) {
    front_end->demodulate(reinterpret_cast<const cf32*>(device_iq), airan::bench::peak_rx, slot);
  }
  const airan::phy::PuschFrontEndOptions options;
  const auto synchronize_all = [&] { set.synchronize_all(); };
  synchronize_all();
  CellsFigures figures;
  std::vector<float> own, batched, estimate, equalize;
  for (int i = 0; i < iterations + 10; ++i) {
    const auto start = std::chrono::steady_clock::now();
    for (const auto& front_end : front_ends) {
      front_end->process(peak.pusch, slot, options, /*descramble=*/true);
    }
    synchronize_all();
    const auto middle = std::chrono::steady_clock::now();
    for (const auto& front_end : front_ends) {
      (void)front_end->prepare(peak.pusch, slot, options, /*descramble=*/true);
    }
    airan::gpu::GpuPuschFrontEnd::enqueue_prepared(batch, nullptr);
    synchronize_all();
    const auto end = std::chrono::steady_clock::now();
    if (i >= 10) {
      own.push_back(std::chrono::duration<float, std::micro>(middle - start).count());
      batched.push_back(std::chrono::duration<float, std::micro>(end - middle).count());
      const airan::gpu::GpuStageTimes times = front_ends.front()->stage_times();
      estimate.push_back(1e3F * times.estimate_ms);
      equalize.push_back(1e3F * times.equalize_demap_ms);
    }
  }
  figures.own = median(own);
  figures.batched = median(batched);
  figures.batched_estimate = median(estimate);
  figures.batched_equalize = median(equalize);
  return figures;
}

/// Medians (us) of \p cells front ends' OFDM demodulation of the slot \p device_iq: host wall
/// clock, and the launch set's device time (the first front end's OFDM events).
struct CellsOfdmFigures {
  float own_wall = 0.0F;  ///< A demodulate() each (each front end's stream).
  float each_wall = 0.0F; ///< One launch set, a cuFFT per front end.
  float each_device = 0.0F;
  float joint_wall = 0.0F; ///< One launch set, one cuFFT (GpuOfdmWorkspace).
  float joint_device = 0.0F;
  float fused_wall = 0.0F; ///< One launch set of the fused kernel (set_fused_ofdm()).
  float fused_device = 0.0F;
};

CellsOfdmFigures measure_cells_ofdm(const airan::bench::PeakSlot& peak, const float2* device_iq,
                                    unsigned cells, int device, int iterations) {
  constexpr unsigned prbs = airan::bench::peak_prbs;
  constexpr unsigned rx = airan::bench::peak_rx;
  const unsigned slot = peak.simulator->slot_number();
  const auto* iq = reinterpret_cast<const cf32*>(device_iq);
  const PeakFrontEnds set(peak, cells, device);
  const auto& front_ends = set.front_ends;
  const auto& batch = set.batch;
  const auto numerology = airan::phy::Numerology::for_carrier(
      peak.scenario.cell.numerology, peak.scenario.cell.cyclic_prefix, prbs);
  const std::size_t windows = std::size_t{cells} * rx * numerology.symbols_per_slot();
  airan::gpu::GpuOfdmWorkspace workspace(numerology.fft_size(), windows, device);
  (void)workspace.prepare(windows);
  const auto synchronize_all = [&] { set.synchronize_all(); };
  const auto launch_set = [&](airan::gpu::GpuOfdmWorkspace* shared) {
    for (const auto& front_end : front_ends) {
      front_end->prepare_demodulation(iq, rx, slot);
    }
    airan::gpu::GpuPuschFrontEnd::enqueue_prepared_demodulation(batch, nullptr, shared);
    synchronize_all();
  };
  const auto fused_set = [&](bool fused) {
    for (const auto& front_end : front_ends) {
      front_end->set_fused_ofdm(fused);
    }
  };
  std::vector<float> own, each, each_device, joint, joint_device, fused, fused_device;
  const auto us_since = [](std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<float, std::micro>(std::chrono::steady_clock::now() - start)
        .count();
  };
  for (int i = 0; i < iterations + 10; ++i) {
    auto start = std::chrono::steady_clock::now();
    for (const auto& front_end : front_ends) {
      front_end->demodulate(iq, rx, slot);
    }
    synchronize_all();
    const float own_us = us_since(start);
    start = std::chrono::steady_clock::now();
    launch_set(nullptr);
    const float each_us = us_since(start);
    const float each_device_us = 1e3F * front_ends.front()->stage_times().ofdm_ms;
    start = std::chrono::steady_clock::now();
    launch_set(&workspace);
    const float joint_us = us_since(start);
    const float joint_device_us = 1e3F * front_ends.front()->stage_times().ofdm_ms;
    fused_set(true);
    start = std::chrono::steady_clock::now();
    launch_set(nullptr);
    const float fused_us = us_since(start);
    fused_set(false);
    if (i >= 10) {
      own.push_back(own_us);
      each.push_back(each_us);
      each_device.push_back(each_device_us);
      joint.push_back(joint_us);
      joint_device.push_back(joint_device_us);
      fused.push_back(fused_us);
      fused_device.push_back(1e3F * front_ends.front()->stage_times().ofdm_ms);
    }
  }
  return {median(own),          median(each),  median(each_device), median(joint),
          median(joint_device), median(fused), median(fused_device)};
}

int run() {
  const auto chosen = airan::bench::bench_device("bench_gpu_front_end");
  if (!chosen) {
    return 0;
  }
  const airan::gpu::DeviceInfo& device = *chosen;
  constexpr int iterations = 200;
  const airan::bench::PeakSlot peak;
  const airan::apps::LinkScenario& scenario = peak.scenario;
  const airan::phy::PuschConfig& pusch = peak.pusch;
  const airan::apps::SlotSimulator& simulator = *peak.simulator;
  constexpr unsigned prbs = airan::bench::peak_prbs;
  constexpr unsigned rx = airan::bench::peak_rx;
  constexpr unsigned layers = airan::bench::peak_layers;
  const unsigned slot = simulator.slot_number();

  airan::gpu::GpuPuschFrontEnd front_end(scenario.cell, {rx, layers, prbs}, device.index);
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

  // Wiener time interpolation (mmse2d-lmmse): the CFO kernel and the weights on the chain
  // before the interpolation; the estimation stage against the row above (same slot, same
  // process).
  std::vector<float> wiener_estimate;
  airan::phy::PuschFrontEndOptions wiener_options = options;
  wiener_options.estimator.time_interpolation = airan::phy::TimeInterpolation::wiener;
  for (int i = 0; i < iterations + 10; ++i) {
    front_end.process(pusch, slot, wiener_options, /*descramble=*/true);
    front_end.synchronize();
    if (i >= 10) {
      wiener_estimate.push_back(1e3F * front_end.stage_times().estimate_ms);
    }
  }

  // PT-RS phase tracking (L_PT-RS 1, K_PT-RS 2 on the first layer's port): the CFO kernel on
  // the chain, the occasions aligned in the interpolation, ptrs_phase_kernel before the
  // equalizer. Timing only: the simulated slot carries no PT-RS.
  std::vector<float> ptrs_estimate;
  std::vector<float> ptrs_equalize;
  airan::phy::PuschConfig ptrs_pusch = pusch;
  ptrs_pusch.ptrs.enabled = true;
  for (int i = 0; i < iterations + 10; ++i) {
    front_end.process(ptrs_pusch, slot, options, /*descramble=*/true);
    front_end.synchronize();
    if (i >= 10) {
      ptrs_estimate.push_back(1e3F * front_end.stage_times().estimate_ms);
      ptrs_equalize.push_back(1e3F * front_end.stage_times().equalize_demap_ms);
    }
  }

  // DFT-s-OFDM: a transform-precoded PDU of one layer (codebook TPMI 0 of the two ports, the
  // low-PAPR DMRS) on 270 PRBs: the equalizer without demapping, then the weighting kernel, the
  // inverse cuFFT of 3240 points per data symbol and the scaling and demapping kernel, against
  // the row of equalization + demapping + descrambling (2 layers, 273 PRBs) and, like for like,
  // the same PDU without transform precoding (CP-OFDM, 1 layer, 270 PRBs): their difference is
  // the deprecoding's cost. Timing only: the simulated slot carries the CP-OFDM PDU.
  constexpr unsigned dfts_prbs = 270;
  std::vector<float> dfts_equalize;
  std::vector<float> one_layer_equalize;
  airan::phy::PuschConfig dfts_pusch = pusch;
  dfts_pusch.prb_size = dfts_prbs;
  dfts_pusch.num_layers = 1;
  dfts_pusch.dmrs_ports = 0x1;
  dfts_pusch.precoding = airan::phy::PuschPrecoding::codebook;
  dfts_pusch.tpmi = 0;
  dfts_pusch.transform_precoding = true; // 256-QAM MCS 27 of Table 5.1.3.1-2, as the slot's
  for (int i = 0; i < iterations + 10; ++i) {
    front_end.process(dfts_pusch, slot, options, /*descramble=*/true);
    front_end.synchronize();
    if (i >= 10) { // warm-up: the inverse-DFT plan
      dfts_equalize.push_back(1e3F * front_end.stage_times().equalize_demap_ms);
    }
  }
  airan::phy::PuschConfig one_layer_pusch = dfts_pusch;
  one_layer_pusch.transform_precoding = false;
  for (int i = 0; i < iterations + 10; ++i) {
    front_end.process(one_layer_pusch, slot, options, /*descramble=*/true);
    front_end.synchronize();
    if (i >= 10) {
      one_layer_equalize.push_back(1e3F * front_end.stage_times().equalize_demap_ms);
    }
  }

  // The fused OFDM kernel (CP removal, FFT and extraction in one) on the same slot.
  std::vector<float> fused_ofdm;
  front_end.set_fused_ofdm(true);
  for (int i = 0; i < iterations + 10; ++i) {
    front_end.demodulate(reinterpret_cast<const cf32*>(device_iq.data()), rx, slot);
    front_end.synchronize();
    if (i >= 10) {
      fused_ofdm.push_back(1e3F * front_end.stage_times().ofdm_ms);
    }
  }
  front_end.set_fused_ofdm(false);

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

  std::printf("GPU front end, %s: %u PRB, %u Rx, %u layers, 256-QAM, FFT %d x %d, median of "
              "%d slots\n",
              device.name.c_str(), prbs, rx, layers, n, batch, iterations);
  std::printf("%-40s %10s\n", "stage", "us");
  std::printf("%-40s %10.1f\n", "cuFFT only (ceiling of OFDM)", median(fft_us));
  std::printf("%-40s %10.1f\n", "OFDM (CP removal, FFT, extraction)", median(ofdm));
  std::printf("%-40s %10.1f\n", "DMRS generation + channel estimation", median(estimate));
  std::printf("%-40s %10.1f\n", "the same, Wiener time (mmse2d-lmmse)", median(wiener_estimate));
  std::printf("%-40s %10.1f\n", "the same, PT-RS tracked (L 1, K 2)", median(ptrs_estimate));
  std::printf("%-40s %10.1f\n", "equalization + demapping (fused)", median(equalize));
  std::printf("%-40s %10.1f\n", "descrambling", median(descramble));
  std::printf("%-40s %10.1f\n", "slot, host wall clock incl. launches", median(slot_us));
  std::printf("%-40s %10.1f\n", "equalization + demapping + descrambling", median(fused_equalize));
  std::printf("%-40s %10.1f\n", "the same, PT-RS rotations", median(ptrs_equalize));
  std::printf("%-40s %10.1f\n", "the same, DFT-s-OFDM (270 PRB, 1 layer)", median(dfts_equalize));
  std::printf("%-40s %10.1f\n", "the same, CP-OFDM (270 PRB, 1 layer)", median(one_layer_equalize));
  std::printf("%-40s %10.1f  (x%.2f the slot with a descrambling pass)\n",
              "slot, descrambling in the demapper", median(fused_slot_us),
              median(slot_us) / median(fused_slot_us));
  std::printf("%-40s %10.1f  (x%.2f the OFDM (CP removal, FFT, extraction) row)\n",
              "OFDM, fused kernel", median(fused_ofdm),
              median(ofdm) / std::max(median(fused_ofdm), 1e-3F));
  constexpr unsigned cells = 24;
  const CellsFigures many = measure_cells(peak, device_iq.data(), cells, device.index, 50);
  std::printf("%u cells' PDUs (the same slot each), host wall clock, median of 50:\n", cells);
  std::printf("%-40s %10.1f\n", "a process() per front end", many.own);
  std::printf("%-40s %10.1f  (x%.2f)\n", "one launch set (enqueue_prepared)", many.batched,
              many.own / many.batched);
  std::printf("%-40s %10.1f\n", "  of which estimation (CUDA events)", many.batched_estimate);
  std::printf("%-40s %10.1f\n", "  of which equalization + demapping", many.batched_equalize);
  const CellsOfdmFigures ofdm_cells =
      measure_cells_ofdm(peak, device_iq.data(), cells, device.index, 50);
  std::printf("%u cells' OFDM (the same slot each), median of 50: host wall clock, device\n",
              cells);
  std::printf("%-40s %10.1f\n", "OFDM, a demodulate() each", ofdm_cells.own_wall);
  std::printf("%-40s %10.1f %10.1f\n", "OFDM, one launch set, a cuFFT each", ofdm_cells.each_wall,
              ofdm_cells.each_device);
  std::printf("%-40s %10.1f %10.1f  (device x%.2f)\n", "OFDM, one launch set, one cuFFT",
              ofdm_cells.joint_wall, ofdm_cells.joint_device,
              ofdm_cells.each_device / std::max(ofdm_cells.joint_device, 1e-3F));
  std::printf("%-40s %10.1f %10.1f  (device x%.2f)\n", "OFDM, one launch set, fused kernel",
              ofdm_cells.fused_wall, ofdm_cells.fused_device,
              ofdm_cells.joint_device / std::max(ofdm_cells.fused_device, 1e-3F));
  std::printf("gpu front end slot: %.1f us\n", median(fused_slot_us));
  return 0;
}

} // namespace

int main() {
  return airan::bench::run_reporting_errors("bench_gpu_front_end", run);
}
