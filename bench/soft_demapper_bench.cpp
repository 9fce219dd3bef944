// The soft demapper alone on one slot's symbols (78,624, as the PUSCH front end demaps a
// 273-PRB, 2-layer slot; 314,496, four slots' worth, until 2026-12-07): the scalar code against the
// AVX2 path (eight symbols per step, bit-exact with it) for QPSK to 1024-QAM, in one process, with
// a memcpy of the demapper's input as the baseline.
#include "airan/phy/soft_demapper.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

/// Symbols per slot: those of the CPU PUSCH front end's soft-demapping stage for a 273-PRB,
/// 2-layer, 256-QAM slot (3,276 subcarriers x 12 data symbols x 2 layers; G = 628,992 bits).
constexpr std::size_t slot_symbols = 78624;

/// Noisy equalized symbols of \p modulation and their noise variances (one slot).
struct Input {
  std::vector<cf32> symbols;
  std::vector<float> variances;
};

const Input& input(unsigned qm) {
  static std::vector<Input> made(11);
  Input& in = made[qm];
  if (in.symbols.empty()) {
    std::mt19937 rng(qm);
    const int levels = 1 << (qm / 2);
    const float scale = qam_scale(qm);
    std::uniform_int_distribution<int> level(0, levels - 1);
    std::normal_distribution<float> noise(0.0F, 0.1F * scale);
    std::uniform_real_distribution<float> variance(0.005F, 0.05F);
    in.symbols.resize(slot_symbols);
    in.variances.resize(slot_symbols);
    for (std::size_t i = 0; i < slot_symbols; ++i) {
      const float re = scale * static_cast<float>(2 * level(rng) - levels + 1) + noise(rng);
      const float im = scale * static_cast<float>(2 * level(rng) - levels + 1) + noise(rng);
      in.symbols[i] = {re, im};
      in.variances[i] = variance(rng);
    }
  }
  return in;
}

/// range(0): Q_m; range(1): 0 scalar, 1 AVX2 where available.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_SoftDemapper(benchmark::State& state) {
  const auto qm = static_cast<unsigned>(state.range(0));
  const Input& in = input(qm);
  auto demapper = create_soft_demapper(state.range(1) != 0);
  std::vector<float> llrs(slot_symbols * qm);
  for (auto _ : state) {
    demapper->demodulate(in.symbols, in.variances, modulation_from_order(qm), llrs);
    benchmark::DoNotOptimize(llrs.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * slot_symbols));
}
BENCHMARK(BM_SoftDemapper)
    ->ArgNames({"qm", "simd"})
    ->ArgsProduct({{2, 4, 6, 8, 10}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

/// Baseline: a memcpy of the demapper's input (symbols and noise variances of one slot).
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_MemcpyDemapperInput(benchmark::State& state) {
  const std::size_t bytes = slot_symbols * (sizeof(cf32) + sizeof(float));
  std::vector<char> source(bytes, 1);
  std::vector<char> target(bytes);
  for (auto _ : state) {
    std::memcpy(target.data(), source.data(), bytes);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_MemcpyDemapperInput)->Unit(benchmark::kMicrosecond);

} // namespace
