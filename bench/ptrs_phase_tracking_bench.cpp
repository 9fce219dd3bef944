// PT-RS phase tracking in the PUSCH front end, 273 PRBs at 30 kHz, 4 receive antennas, 2 layers,
// 256-QAM (the slot of pusch_front_end_bench), PT-RS on every data symbol and every other PRB
// (L_PT-RS 1, K_PT-RS 2: 137 PT-RS REs on each of 12 symbols).
//
// Baselines in the same process: the same slot without PT-RS through the same stages (so the
// ratio is what tracking costs: the phase estimate, the occasion alignment and the gathered,
// rotated data REs), and a memcpy of what the phase estimate reads (the PT-RS REs of every
// antenna and their channel estimates).
#include "airan/phy/ptrs_phase_tracking.h"
#include "airan/phy/ptrs_pusch.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_transmitter.h"

#include "memcpy_baseline.h"
#include "multipath_grid.h"

#include <benchmark/benchmark.h>

#include <array>
#include <vector>

using namespace airan::phy;

namespace {

constexpr unsigned num_prbs = 273;
constexpr unsigned num_layers = 2;
constexpr unsigned num_rx = 4;
constexpr unsigned slot_number = 3;

const airan::bench::MultipathSlot& slot(bool ptrs) {
  static const airan::bench::MultipathSlot without =
      airan::bench::multipath_slot(num_prbs, num_layers, num_rx, slot_number, false);
  static const airan::bench::MultipathSlot with =
      airan::bench::multipath_slot(num_prbs, num_layers, num_rx, slot_number, true);
  return ptrs ? with : without;
}

void set_rates(benchmark::State& state) {
  state.counters["slots"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}

/// The whole front end (estimation, equalization, demapping); range(0): 1 with PT-RS.
void BM_FrontEnd(benchmark::State& state) {
  const auto& s = slot(state.range(0) != 0);
  PuschFrontEnd front_end({num_rx, num_layers, num_prbs});
  std::vector<float> llrs(pusch_coded_bits(s.cell, s.pusch));
  const PuschFrontEndOptions options;
  for (auto _ : state) {
    front_end.process(s.grid, s.cell, s.pusch, slot_number, options, llrs);
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_FrontEnd)->ArgName("ptrs")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

/// Channel estimation, with the PT-RS phases and the occasion alignment; range(0): 1 PT-RS.
void BM_ChannelEstimation(benchmark::State& state) {
  const auto& s = slot(state.range(0) != 0);
  PuschFrontEnd front_end({num_rx, num_layers, num_prbs});
  const PuschFrontEndOptions options;
  for (auto _ : state) {
    front_end.estimate_channel(s.grid, s.cell, s.pusch, slot_number, options);
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_ChannelEstimation)->ArgName("ptrs")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

/// Equalization; range(0): 1 PT-RS (every symbol gathered and rotated).
void BM_Equalization(benchmark::State& state) {
  const auto& s = slot(state.range(0) != 0);
  PuschFrontEnd front_end({num_rx, num_layers, num_prbs});
  const PuschFrontEndOptions options;
  front_end.estimate_channel(s.grid, s.cell, s.pusch, slot_number, options);
  for (auto _ : state) {
    front_end.equalize(s.grid, s.cell, s.pusch, options);
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_Equalization)->ArgName("ptrs")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

/// The phase estimate alone (estimate_ptrs_phases()).
void BM_PtrsPhaseEstimation(benchmark::State& state) {
  const auto& s = slot(true);
  PuschFrontEnd front_end({num_rx, num_layers, num_prbs});
  front_end.estimate_channel(s.grid, s.cell, s.pusch, slot_number, PuschFrontEndOptions{});
  const PuschReMapping mapping = make_pusch_re_mapping(s.cell, s.pusch);
  std::vector<cf32> values(ptrs_count(mapping.ptrs, mapping.num_subcarriers()));
  generate_pusch_ptrs(make_pusch_dmrs_params(s.cell, s.pusch, slot_number), s.pusch, mapping.ptrs,
                      values);
  std::array<float, 14> phases{};
  for (auto _ : state) {
    estimate_ptrs_phases(s.grid, front_end.channel_estimate(), mapping, values, phases);
    benchmark::DoNotOptimize(phases.data());
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_PtrsPhaseEstimation)->Unit(benchmark::kMicrosecond);

/// Baseline of the phase estimate: the PT-RS REs of every antenna and their channel estimates.
void BM_MemcpyPtrsInput(benchmark::State& state) {
  airan::bench::time_memcpy(state, std::size_t{12} * 137 * num_rx * 2 * sizeof(cf32));
  set_rates(state);
}
BENCHMARK(BM_MemcpyPtrsInput);

} // namespace
