// The MIMO equalizer kernel alone on the data REs of a 273-PRB slot (4 Rx, 1-4 layers, ZF, MMSE
// and MMSE-IRC): the scalar per-RE kernel against the AVX2 path (eight REs per step, bit-exact
// with it), in one process, with a memcpy of the kernel's input as the baseline.
#include "airan/phy/mimo_equalizer.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <span>
#include <vector>

namespace {

using namespace airan::phy;

constexpr unsigned num_rx = 4;
constexpr std::size_t num_res =
    std::size_t{273} * 12 * 12; // data REs of a 273-PRB slot with 2 DMRS symbols

struct Rows {
  std::vector<std::vector<cf32>> received;
  std::vector<std::vector<cf32>> channel;
  std::vector<const cf32*> received_rows;
  std::vector<const cf32*> channel_rows;
};

const Rows& rows(unsigned layers) {
  static std::vector<Rows> made(max_equalizer_layers + 1);
  Rows& r = made[layers];
  if (r.received.empty()) {
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0F, 1.0F);
    r.received.assign(num_rx, std::vector<cf32>(num_res));
    r.channel.assign(std::size_t{num_rx} * layers, std::vector<cf32>(num_res));
    for (auto* group : {&r.received, &r.channel}) {
      for (auto& row : *group) {
        for (auto& value : row) {
          value = {normal(rng), normal(rng)};
        }
      }
    }
    for (const auto& row : r.received) {
      r.received_rows.push_back(row.data());
    }
    for (const auto& row : r.channel) {
      r.channel_rows.push_back(row.data());
    }
  }
  return r;
}

/// range(0): layers; range(1): 0 ZF, 1 MMSE; range(2): 0 scalar, 1 AVX2 where available.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_EqualizerKernel(benchmark::State& state) {
  const auto layers = static_cast<unsigned>(state.range(0));
  const auto algorithm = state.range(1) == 0 ? EqualizerAlgorithm::zf : EqualizerAlgorithm::mmse;
  const Rows& r = rows(layers);
  const EqualizerInput input{num_rx, layers, num_res, r.received_rows, r.channel_rows};
  auto equalizer = create_mimo_equalizer(algorithm, state.range(2) != 0);
  std::vector<cf32> symbols(num_res * layers);
  std::vector<float> noise(num_res * layers);
  for (auto _ : state) {
    equalizer->equalize(input, {0.05F, {}}, symbols, noise);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * num_res));
}
BENCHMARK(BM_EqualizerKernel)
    ->ArgNames({"layers", "mmse", "simd"})
    ->ArgsProduct({{1, 2, 3, 4}, {0, 1}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

/// MMSE-IRC with one covariance per call of 4 PRBs (the front end's covariance groups), whitening
/// every RE. range(0): layers; range(1): 0 scalar, 1 AVX2 where available.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_EqualizerKernelIrc(benchmark::State& state) {
  const auto layers = static_cast<unsigned>(state.range(0));
  const Rows& r = rows(layers);
  constexpr std::size_t group_res = std::size_t{4} * 12;
  // R = 0.05 I plus a correlated interferer (Hermitian positive definite).
  std::vector<cf32> covariance(std::size_t{num_rx} * num_rx);
  for (unsigned a = 0; a < num_rx; ++a) {
    for (unsigned b = 0; b < num_rx; ++b) {
      const cf32 ga{0.3F * static_cast<float>(a + 1), 0.1F * static_cast<float>(a)};
      const cf32 gb{0.3F * static_cast<float>(b + 1), 0.1F * static_cast<float>(b)};
      covariance[std::size_t{a} * num_rx + b] = ga * std::conj(gb) + (a == b ? 0.05F : 0.0F);
    }
  }
  auto equalizer = create_mimo_equalizer(EqualizerAlgorithm::mmse_irc, state.range(1) != 0);
  std::vector<cf32> symbols(num_res * layers);
  std::vector<float> noise(num_res * layers);
  std::vector<const cf32*> received(num_rx);
  std::vector<const cf32*> channel(std::size_t{num_rx} * layers);
  for (auto _ : state) {
    for (std::size_t first = 0; first < num_res; first += group_res) {
      for (unsigned a = 0; a < num_rx; ++a) {
        received[a] = r.received_rows[a] + first;
        for (unsigned l = 0; l < layers; ++l) {
          channel[a * layers + l] = r.channel_rows[a * layers + l] + first;
        }
      }
      const EqualizerInput input{num_rx, layers, group_res, received, channel};
      const std::size_t offset = first * layers;
      equalizer->equalize(input, {0.0F, covariance},
                          std::span<cf32>(symbols.data() + offset, group_res * layers),
                          std::span<float>(noise.data() + offset, group_res * layers));
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * num_res));
}
BENCHMARK(BM_EqualizerKernelIrc)
    ->ArgNames({"layers", "simd"})
    ->ArgsProduct({{1, 2, 4}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

/// Baseline: a memcpy of the kernel's input, the received rows and the channel rows of `layers`
/// layers (1, 2, 4: each layer count's rows against its own copy; the 1-layer rows were set
/// against the 2-layer copy until 2026-12-07).
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_MemcpyEqualizerInput(benchmark::State& state) {
  const auto layers = static_cast<std::size_t>(state.range(0));
  const std::size_t bytes = num_res * num_rx * (1 + layers) * sizeof(cf32);
  std::vector<char> source(bytes, 1);
  std::vector<char> target(bytes);
  for (auto _ : state) {
    std::memcpy(target.data(), source.data(), bytes);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MemcpyEqualizerInput)
    ->ArgName("layers")
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->Unit(benchmark::kMicrosecond);

} // namespace
