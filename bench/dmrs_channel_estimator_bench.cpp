// The CPU DMRS channel estimator alone on a full 273-PRB slot at 30 kHz: 4 receive antennas,
// 2 layers (ports 0 and 1, DMRS type 1 on symbols 2 and 11, 2 CDM groups without data), the
// transmitted grid through a 3-tap channel per antenna and port plus AWGN at 30 dB. Baseline in
// the same process: a memcpy of the received grid (the figure `airan bench pusch` divides the
// channel estimation stage by).
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/pusch_transmitter.h"

#include "memcpy_baseline.h"
#include "multipath_grid.h"

#include <benchmark/benchmark.h>

#include <complex>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

constexpr unsigned num_prbs = 273;
constexpr unsigned num_layers = 2;
constexpr unsigned num_rx = 4;
constexpr unsigned slot_number = 3;

const airan::bench::MultipathSlot& scenario() {
  static const airan::bench::MultipathSlot s =
      airan::bench::multipath_slot(num_prbs, num_layers, num_rx, slot_number);
  return s;
}

void set_rates(benchmark::State& state) {
  state.counters["slots"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}

/// Baseline: a memcpy of the received grid (num_rx x 14 symbols x 3276 subcarriers).
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_MemcpyGrid(benchmark::State& state) {
  airan::bench::time_memcpy(state, scenario().grid.size() * sizeof(cf32));
  set_rates(state);
}
BENCHMARK(BM_MemcpyGrid)->Unit(benchmark::kMicrosecond);

/// range(0): 0 linear, 1 MMSE frequency interpolation; range(1): 1 also the interference
/// covariance (MMSE-IRC, 4-PRB groups); range(2): 1 Wiener time interpolation (mmse2d-lmmse)
/// instead of linear.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_DmrsChannelEstimator(benchmark::State& state) {
  const airan::bench::MultipathSlot& s = scenario();
  const DmrsChannelEstimatorLimits limits{num_rx, num_layers, num_prbs};
  auto estimator = create_dmrs_channel_estimator(limits);
  ChannelEstimate estimate = make_channel_estimate(limits);
  DmrsChannelEstimatorOptions options;
  options.frequency_interpolation =
      state.range(0) == 0 ? FrequencyInterpolation::linear : FrequencyInterpolation::mmse;
  options.estimate_covariance = state.range(1) != 0;
  options.covariance_group_prbs = 4;
  if (state.range(2) != 0) {
    options.time_interpolation = TimeInterpolation::wiener;
  }
  for (auto _ : state) {
    estimator->estimate(estimate, s.grid, s.cell, s.pusch, slot_number, options);
    benchmark::DoNotOptimize(estimate.measurements.noise_variance);
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_DmrsChannelEstimator)
    ->ArgNames({"mmse", "covariance", "wiener_time"})
    ->Args({1, 0, 0})
    ->Args({0, 0, 0})
    ->Args({1, 1, 0})
    ->Args({1, 0, 1})
    ->Unit(benchmark::kMicrosecond);

} // namespace
