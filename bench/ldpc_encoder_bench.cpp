// LDPC encoder and UL-SCH encoder throughput, with memcpy of the same number of bytes as a
// baseline in the same binary so that figures can be quoted as ratios.
//
// Bits are one per byte, so bytes_per_second of the encoder benchmarks is the rate of
// information bits (K' per code block, TBS per transport block); the "info_bits" counter gives
// the same rate as bits per second (Google Benchmark prints bytes_per_second in units of 2^30
// bytes/s and counters in units of 10^9: 4.18G/s and 4.49G for the same rate).
#include "airan/phy/ldpc_base_graph.h"
#include "airan/phy/ldpc_encoder.h"
#include "airan/phy/ulsch_encoder.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <random>

using namespace airan::phy;

namespace {

BitVector random_bits(std::size_t size) {
  std::mt19937 rng(42);
  BitVector bits(size);
  for (auto& bit : bits) {
    bit = static_cast<bit_t>(rng() & 1u);
  }
  return bits;
}

void set_info_rate(benchmark::State& state, std::size_t info_bits) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * info_bits));
  state.counters["info_bits"] = benchmark::Counter(static_cast<double>(info_bits),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

/// Baseline: memcpy of range(0) bytes (the number of information bits of the encoder case).
void BM_MemcpyBaseline(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const BitVector source = random_bits(size);
  BitVector destination(size);
  for (auto _ : state) {
    std::memcpy(destination.data(), source.data(), size);
    benchmark::DoNotOptimize(destination.data());
    benchmark::ClobberMemory();
  }
  set_info_rate(state, size);
}
BENCHMARK(BM_MemcpyBaseline)->Arg(8448)->Arg(3840);

/// Whole encoder output (N bits) of one code block with K' = K.
void BM_LdpcEncode(benchmark::State& state) {
  const auto graph = state.range(0) == 1 ? LdpcBaseGraph::bg1 : LdpcBaseGraph::bg2;
  const auto z = static_cast<unsigned>(state.range(1));
  const unsigned k = ldpc_systematic_length(graph, z);
  const LdpcEncoderConfig config{graph, z, k};
  const BitVector message = random_bits(k);
  BitVector codeword(ldpc_codeword_length(graph, z));
  auto encoder = create_ldpc_encoder();
  for (auto _ : state) {
    encoder->encode(message, config, codeword);
    benchmark::DoNotOptimize(codeword.data());
    benchmark::ClobberMemory();
  }
  set_info_rate(state, k);
}
BENCHMARK(BM_LdpcEncode)
    ->ArgNames({"bg", "z"})
    ->Args({1, 384})
    ->Args({2, 384})
    ->Args({1, 104})
    ->Args({2, 52});

/// Whole UL-SCH chain for a big transport block (TBS 1213032, 256QAM, 4 layers, R = 0.895:
/// 144 code blocks of BG1, Z = 384), and a mid-size one (TBS 94248, 16QAM, 1 layer).
void BM_UlschEncode(benchmark::State& state) {
  UlschCodingConfig cfg;
  if (state.range(0) == 0) {
    cfg = {1213032, 0.895, 8, 4, 0, 1362816, 0};
  } else {
    cfg = {94248, 0.754, 4, 1, 0, 124800, 0};
  }
  const BitVector tb = random_bits(cfg.tbs);
  BitVector codeword(cfg.g);
  auto encoder = create_ulsch_encoder();
  for (auto _ : state) {
    encoder->encode(tb, cfg, codeword);
    benchmark::DoNotOptimize(codeword.data());
    benchmark::ClobberMemory();
  }
  set_info_rate(state, cfg.tbs);
}
BENCHMARK(BM_UlschEncode)->ArgName("big")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

} // namespace
