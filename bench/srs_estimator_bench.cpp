// SrsEstimator (TS 38.211 6.4.1.4) on a 273-PRB carrier at 30 kHz: the SRS on 272 PRBs (C_SRS
// 63), 4 receive antennas, 1, 2 or 4 ports on comb 2 or 4 (4 ports with n_SRS^cs in the upper
// half: two combs), 1 or 4 symbols, through a flat channel per antenna and port at 20 dB; and
// write_srs(). Baseline in the same process: a memcpy of the received SRS REs the estimator reads
// (antennas x symbols x comb REs of cf32). `vs_memcpy` is the median time of one call over the
// median time of that memcpy, both measured here (51 calls each, after a warm-up call).
#include "airan/phy/awgn.h"
#include "airan/phy/srs_estimator.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

constexpr unsigned bench_num_rx = 4;
constexpr unsigned bench_slot = 7;
constexpr float bench_noise_variance = 0.01F; // 20 dB

CellConfig bench_cell() {
  CellConfig cell;
  cell.num_prbs = 273;
  cell.numerology = 1;
  return cell;
}

/// range(0) ports, range(1) comb, range(2) symbols, range(3) 1: n_SRS^cs in the upper half.
SrsConfig bench_srs(const benchmark::State& state) {
  SrsConfig srs;
  srs.bwp_size = 273;
  srs.num_ports = static_cast<unsigned>(state.range(0));
  srs.comb_size = static_cast<unsigned>(state.range(1));
  srs.num_symbols = static_cast<unsigned>(state.range(2));
  srs.start_symbol = 14 - srs.num_symbols;
  srs.c_srs = 63;
  srs.sequence_id = 77;
  srs.cyclic_shift = state.range(3) != 0 ? srs.max_cyclic_shifts() / 2 : 0;
  return srs;
}

/// The SRS through a random flat gain per antenna and port, plus AWGN.
ResourceGrid bench_received(const CellConfig& cell, const SrsConfig& srs) {
  ResourceGrid tx(srs.num_ports, 14, 12 * cell.num_prbs);
  write_srs(cell, 0, bench_slot, srs, tx);
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0F, 0.70710678F);
  ResourceGrid rx(bench_num_rx, 14, 12 * cell.num_prbs);
  rx.fill_zero();
  for (unsigned r = 0; r < bench_num_rx; ++r) {
    for (unsigned p = 0; p < srs.num_ports; ++p) {
      const cf32 gain(normal(rng), normal(rng));
      for (unsigned i = 0; i < tx.port(p).size(); ++i) {
        rx.port(r)[i] += gain * tx.port(p)[i];
      }
    }
  }
  AwgnGenerator(5).add(rx, bench_noise_variance);
  return rx;
}

/// Median seconds of \p run over 51 calls after a warm-up call.
template <typename Run> double median_seconds(Run&& run) {
  run();
  std::vector<double> times;
  for (int i = 0; i < 51; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + 25, times.end());
  return times[25];
}

/// Median seconds of a memcpy of \p count cf32.
double memcpy_seconds(std::size_t count) {
  std::vector<cf32> in(count, cf32(1.0F, 0.5F));
  std::vector<cf32> out(count);
  return median_seconds([&] {
    std::memcpy(out.data(), in.data(), count * sizeof(cf32));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  });
}

/// The received SRS REs: antennas x symbols x (comb REs on every comb the ports use).
std::size_t srs_res(const SrsConfig& srs) {
  const unsigned combs = srs.port_comb(srs.num_ports - 1) == srs.comb_offset ? 1U : 2U;
  return std::size_t{bench_num_rx} * srs.num_symbols * combs * srs.sequence_length();
}

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_SrsEstimator(benchmark::State& state) {
  const CellConfig cell = bench_cell();
  const SrsConfig srs = bench_srs(state);
  const ResourceGrid grid = bench_received(cell, srs);
  SrsEstimator estimator(cell, bench_num_rx);
  SrsEstimatorResult result;
  const auto run = [&] {
    estimator.process(grid, 0, bench_slot, srs, result);
    benchmark::DoNotOptimize(result.channel.data());
    benchmark::ClobberMemory();
  };
  for (auto _ : state) {
    run();
  }
  state.counters["snr_db"] = result.wideband_snr_db;
  state.counters["vs_memcpy"] = median_seconds(run) / memcpy_seconds(srs_res(srs));
  state.counters["PDUs"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SrsEstimator)
    ->ArgNames({"ports", "comb", "symbols", "split"})
    ->Args({1, 2, 1, 0})
    ->Args({2, 2, 1, 0})
    ->Args({4, 2, 1, 0})
    ->Args({4, 2, 1, 1})
    ->Args({4, 4, 1, 0})
    ->Args({1, 4, 4, 0})
    ->Args({4, 2, 4, 0})
    ->Unit(benchmark::kMicrosecond);

/// Baseline: a memcpy of the received SRS REs of the PDU of the same arguments.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_SrsMemcpyBaseline(benchmark::State& state) {
  const std::size_t count = srs_res(bench_srs(state));
  std::vector<cf32> in(count, cf32(1.0F, 0.5F));
  std::vector<cf32> out(count);
  for (auto _ : state) {
    std::memcpy(out.data(), in.data(), count * sizeof(cf32));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * count * sizeof(cf32)));
}
BENCHMARK(BM_SrsMemcpyBaseline)
    ->ArgNames({"ports", "comb", "symbols", "split"})
    ->Args({1, 2, 1, 0})
    ->Args({4, 2, 1, 1})
    ->Args({4, 2, 4, 0})
    ->Unit(benchmark::kMicrosecond);

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_WriteSrs(benchmark::State& state) {
  const CellConfig cell = bench_cell();
  const SrsConfig srs = bench_srs(state);
  ResourceGrid grid(srs.num_ports, 14, 12 * cell.num_prbs);
  for (auto _ : state) {
    write_srs(cell, 0, bench_slot, srs, grid);
    benchmark::DoNotOptimize(grid.elements().data());
  }
}
BENCHMARK(BM_WriteSrs)
    ->ArgNames({"ports", "comb", "symbols", "split"})
    ->Args({1, 2, 1, 0})
    ->Args({4, 2, 1, 0})
    ->Unit(benchmark::kMicrosecond);

} // namespace
