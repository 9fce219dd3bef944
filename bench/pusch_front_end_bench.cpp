// PUSCH receiver front end, stage by stage, for a full 273-PRB slot at 30 kHz: 4 receive
// antennas, 2 layers, 256-QAM (MCS 27 of Table 5.1.3.1-2), DMRS type 1 on symbols 2 and 11 with
// 2 CDM groups without data (12 data symbols x 3276 subcarriers = 39312 data REs per layer).
// The received grid is the transmitted one through a 3-tap channel per antenna and port plus
// AWGN at 30 dB.
//
// Stages: channel estimation (MMSE or linear interpolation), equalization (ZF, MMSE, MMSE-IRC),
// soft demapping, and the whole front end. Each stage has a same-process baseline: a memcpy of
// the bytes the stage reads (DMRS symbols of the grid; data REs plus their channel estimates;
// equalized symbols plus noise variances), so figures can be quoted as ratios.
//
// Counters: "slots" = slots per second (real time at 30 kHz is 2000 slots/s), "REs" = data REs
// (per layer) per second.
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_transmitter.h"

#include "memcpy_baseline.h"
#include "multipath_grid.h"

#include <benchmark/benchmark.h>

#include <complex>
#include <cstring>
#include <numbers>
#include <random>
#include <utility>
#include <vector>

using namespace airan::phy;

namespace {

constexpr unsigned num_prbs = 273;
constexpr unsigned num_layers = 2;
constexpr unsigned num_rx = 4;
constexpr unsigned slot_number = 3;
constexpr std::size_t data_res_per_layer = std::size_t{12} * 12 * num_prbs;

struct Scenario {
  CellConfig cell;
  PuschConfig pusch;
  ResourceGrid grid;
  std::size_t g = 0;
};

const Scenario& scenario() {
  static const Scenario s = [] {
    Scenario r;
    airan::bench::MultipathSlot slot =
        airan::bench::multipath_slot(num_prbs, num_layers, num_rx, slot_number);
    r.cell = slot.cell;
    r.pusch = slot.pusch;
    r.grid = std::move(slot.grid);
    r.g = pusch_coded_bits(r.cell, r.pusch);
    return r;
  }();
  return s;
}

void set_rates(benchmark::State& state) {
  state.counters["slots"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["REs"] = benchmark::Counter(static_cast<double>(data_res_per_layer),
                                             benchmark::Counter::kIsIterationInvariantRate);
}

void memcpy_baseline(benchmark::State& state, std::size_t bytes) {
  airan::bench::time_memcpy(state, bytes);
  set_rates(state);
}

PuschFrontEndOptions options_for(EqualizerAlgorithm algorithm, FrequencyInterpolation frequency) {
  PuschFrontEndOptions options;
  options.equalizer = algorithm;
  options.estimator.frequency_interpolation = frequency;
  options.estimator.covariance_group_prbs = 4;
  return options;
}

/// Baseline of channel estimation: the DMRS symbols of every receive antenna.
void BM_MemcpyChannelEstimationInput(benchmark::State& state) {
  memcpy_baseline(state, std::size_t{num_rx} * 2 * 12 * num_prbs * sizeof(cf32));
}
BENCHMARK(BM_MemcpyChannelEstimationInput);

/// Channel estimation; range(0): 0 linear, 1 MMSE frequency interpolation.
void BM_ChannelEstimation(benchmark::State& state) {
  const Scenario& s = scenario();
  PuschFrontEnd front_end({num_rx, num_layers, num_prbs});
  const auto options =
      options_for(EqualizerAlgorithm::mmse, state.range(0) == 0 ? FrequencyInterpolation::linear
                                                                : FrequencyInterpolation::mmse);
  for (auto _ : state) {
    front_end.estimate_channel(s.grid, s.cell, s.pusch, slot_number, options);
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_ChannelEstimation)->ArgName("mmse")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

/// Channel estimation (MMSE) of a 136-PRB PDU with DMRS on symbols 2, 6, 7 and 11; range(0): 0
/// one allocation (4 occasions), 1 intra-slot hopping from PRB 0 to PRB 137 (two estimates of 2
/// occasions each on their own PRBs, merged): the cost of estimating per hop.
void BM_ChannelEstimationHopping(benchmark::State& state) {
  const Scenario& s = scenario();
  PuschConfig pusch = s.pusch;
  pusch.prb_size = 136;
  pusch.dmrs_symbol_mask = (1U << 2) | (1U << 6) | (1U << 7) | (1U << 11);
  pusch.intra_slot_hopping = state.range(0) == 1;
  pusch.second_hop_prb_start = pusch.intra_slot_hopping ? 137 : 0;
  PuschFrontEnd front_end({num_rx, num_layers, num_prbs});
  const auto options = options_for(EqualizerAlgorithm::mmse, FrequencyInterpolation::mmse);
  for (auto _ : state) {
    front_end.estimate_channel(s.grid, s.cell, pusch, slot_number, options);
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_ChannelEstimationHopping)
    ->ArgName("hopping")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond);

/// Baseline of equalization: data REs of every antenna plus their rx x layer channel estimates.
void BM_MemcpyEqualizationInput(benchmark::State& state) {
  memcpy_baseline(state, data_res_per_layer * num_rx * (1 + num_layers) * sizeof(cf32));
}
BENCHMARK(BM_MemcpyEqualizationInput);

/// Equalization of every data RE; range(0): 0 ZF, 1 MMSE, 2 MMSE-IRC (4-PRB covariance groups).
void BM_Equalization(benchmark::State& state) {
  const Scenario& s = scenario();
  PuschFrontEnd front_end({num_rx, num_layers, num_prbs});
  const auto options =
      options_for(static_cast<EqualizerAlgorithm>(state.range(0)), FrequencyInterpolation::mmse);
  front_end.estimate_channel(s.grid, s.cell, s.pusch, slot_number, options);
  for (auto _ : state) {
    front_end.equalize(s.grid, s.cell, s.pusch, options);
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_Equalization)
    ->ArgName("algorithm")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMicrosecond);

/// Baseline of soft demapping: equalized symbols and their noise variances.
void BM_MemcpySoftDemappingInput(benchmark::State& state) {
  memcpy_baseline(state, data_res_per_layer * num_layers * (sizeof(cf32) + sizeof(float)));
}
BENCHMARK(BM_MemcpySoftDemappingInput);

/// Soft demapping of every equalized symbol (256-QAM, 8 LLRs each).
void BM_SoftDemapping(benchmark::State& state) {
  const Scenario& s = scenario();
  PuschFrontEnd front_end({num_rx, num_layers, num_prbs});
  const auto options = options_for(EqualizerAlgorithm::mmse, FrequencyInterpolation::mmse);
  front_end.estimate_channel(s.grid, s.cell, s.pusch, slot_number, options);
  front_end.equalize(s.grid, s.cell, s.pusch, options);
  std::vector<float> llrs(s.g);
  for (auto _ : state) {
    front_end.demap(s.pusch, llrs);
    benchmark::DoNotOptimize(llrs.data());
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_SoftDemapping)->Unit(benchmark::kMicrosecond);

/// Whole front end (MMSE estimation); range(0): equalizer as in BM_Equalization.
void BM_FrontEnd(benchmark::State& state) {
  const Scenario& s = scenario();
  PuschFrontEnd front_end({num_rx, num_layers, num_prbs});
  const auto options =
      options_for(static_cast<EqualizerAlgorithm>(state.range(0)), FrequencyInterpolation::mmse);
  std::vector<float> llrs(s.g);
  for (auto _ : state) {
    front_end.process(s.grid, s.cell, s.pusch, slot_number, options, llrs);
    benchmark::DoNotOptimize(llrs.data());
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_FrontEnd)->ArgName("algorithm")->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

} // namespace
