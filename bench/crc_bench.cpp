// CrcCalculator::compute over unpacked bits (one byte per bit): a code block's CRC24B (8448
// bits, as the UL-SCH decoder checks after each LDPC iteration) and a peak TB's CRC24A (590,152
// bits), the slicing-table code against carry-less multiplication (where the CPU has PCLMULQDQ
// and AVX2) in one process, with a memcpy of the same bytes as the baseline.
#include "airan/phy/crc_calculator.h"

#include "memcpy_baseline.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

/// Bits of an LDPC base graph 1 code block with its CRC24B.
constexpr std::int64_t code_block_bits = 8448;
/// Bits of the peak TB of bench_ulsch_decoder (590,128) with its CRC24A.
constexpr std::int64_t transport_block_bits = 590152;

/// Random bits (bytes 0/1) of \p count.
std::vector<bit_t> random_bits(std::size_t count) {
  std::mt19937 rng(7);
  std::vector<bit_t> bits(count);
  for (auto& bit : bits) {
    bit = static_cast<bit_t>(rng() & 1u);
  }
  return bits;
}

/// range(0): the number of bits; range(1): 0 table, 1 carry-less multiplication.
void time_crc(benchmark::State& state, CrcPolynomial polynomial) {
  const auto implementation =
      state.range(1) != 0 ? CrcImplementation::clmul : CrcImplementation::table;
  if (!CrcCalculator::implementation_available(implementation)) {
    state.SkipWithError("this CPU or build cannot run the implementation");
    return;
  }
  const CrcCalculator crc(polynomial);
  const auto bits = random_bits(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(crc.compute(bits, implementation));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_Crc24bCodeBlock(benchmark::State& state) {
  time_crc(state, CrcPolynomial::crc24b);
}
BENCHMARK(BM_Crc24bCodeBlock)
    ->ArgNames({"bits", "clmul"})
    ->ArgsProduct({{code_block_bits}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_Crc24aTransportBlock(benchmark::State& state) {
  time_crc(state, CrcPolynomial::crc24a);
}
BENCHMARK(BM_Crc24aTransportBlock)
    ->ArgNames({"bits", "clmul"})
    ->ArgsProduct({{transport_block_bits}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

/// Baseline: a memcpy of the same bytes (one per bit).
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_MemcpyCrcInput(benchmark::State& state) {
  airan::bench::time_memcpy(state, static_cast<std::size_t>(state.range(0)));
}
BENCHMARK(BM_MemcpyCrcInput)
    ->ArgNames({"bytes"})
    ->Arg(code_block_bits)
    ->Arg(transport_block_bits)
    ->Unit(benchmark::kMicrosecond);

} // namespace
