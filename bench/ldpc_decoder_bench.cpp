// LDPC decoder throughput per implementation (scalar, AVX2, AVX-512 where the CPU has them) on
// BG1 Z=384 K'=8448 code blocks: rate ~0.9 (E = 9386 received bits, 5 of the 46 base-graph rows
// processed) and rate 1/3 (the whole codeword, all 46 rows), 6 iterations without early
// termination. "info_bits/s" counts the K' information bits of each decoded block. A memcpy of
// the received LLR bytes of one block runs in the same binary as a baseline.
#include "airan/phy/ldpc_decoder.h"
#include "airan/phy/ldpc_encoder.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

using namespace airan::phy;

namespace {

constexpr unsigned lifting_size = 384;
constexpr unsigned num_info_bits = 8448;
constexpr unsigned high_rate_length = 9386; // K' / E ~ 0.9
constexpr unsigned low_rate_length = 3 * num_info_bits;

/// Noisy LLRs (QPSK in AWGN at \p snr_db, quantised with scale 4) of a random code block, the
/// first \p received_length positions of d received and the rest 0.
std::vector<std::int8_t> received_llrs(unsigned received_length, double snr_db) {
  std::mt19937 rng(7);
  BitVector message(num_info_bits);
  for (auto& bit : message) {
    bit = static_cast<bit_t>(rng() & 1u);
  }
  BitVector d(ldpc_codeword_length(LdpcBaseGraph::bg1, lifting_size));
  create_ldpc_encoder()->encode(message, {LdpcBaseGraph::bg1, lifting_size, num_info_bits}, d);
  const double n0 = std::pow(10.0, -snr_db / 10.0);
  std::normal_distribution<float> noise(0.0f, static_cast<float>(std::sqrt(n0 / 2)));
  std::vector<float> llrs(d.size(), 0.0f);
  for (unsigned j = 0; j < received_length; ++j) {
    const float y = (d[j] != 0 ? -1.0f : 1.0f) / std::sqrt(2.0f) + noise(rng);
    llrs[j] = static_cast<float>(2.0 * std::sqrt(2.0) * y / n0);
  }
  std::vector<std::int8_t> quantized(d.size());
  quantize_ldpc_llrs(llrs, 4.0f, quantized);
  return quantized;
}

void BM_LdpcDecode(benchmark::State& state, LdpcDecoderImpl impl, unsigned received_length,
                   double snr_db) {
  const std::vector<std::int8_t> llrs = received_llrs(received_length, snr_db);
  auto decoder = create_ldpc_decoder(impl);
  LdpcDecoderConfig config{LdpcBaseGraph::bg1, lifting_size, num_info_bits, 6};
  config.early_termination = LdpcEarlyTermination::none;
  BitVector message(num_info_bits);
  bool parity_ok = false;
  for (auto _ : state) {
    parity_ok = decoder->decode(llrs, config, message).parity_ok;
    benchmark::DoNotOptimize(message.data());
  }
  if (!parity_ok) {
    state.SkipWithError("the benchmark block did not decode");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * num_info_bits);
  state.counters["info_bits/s"] =
      benchmark::Counter(num_info_bits, benchmark::Counter::kIsIterationInvariantRate);
}

/// Baseline: a memcpy of one block's received LLR bytes (state.range(0): each case's own length;
/// the whole 25,344-byte codeword for both until 2026-12-07).
void BM_MemcpyLlrs(benchmark::State& state) {
  const std::vector<std::int8_t> source(static_cast<std::size_t>(state.range(0)), 1);
  std::vector<std::int8_t> destination(source.size());
  for (auto _ : state) {
    std::memcpy(destination.data(), source.data(), source.size());
    benchmark::DoNotOptimize(destination.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * source.size()));
}
BENCHMARK(BM_MemcpyLlrs)->Arg(high_rate_length)->Arg(low_rate_length);

/// Registers the cases of every implementation this CPU runs.
const bool registered = [] {
  for (const LdpcDecoderImpl impl : ldpc_decoder_supported_impls()) {
    const std::string name(to_string(impl));
    benchmark::RegisterBenchmark(("BM_LdpcDecode/bg1_z384_r0.9_6it/" + name).c_str(), BM_LdpcDecode,
                                 impl, high_rate_length, 7.0);
    benchmark::RegisterBenchmark(("BM_LdpcDecode/bg1_z384_r1/3_6it/" + name).c_str(), BM_LdpcDecode,
                                 impl, low_rate_length, 0.0);
  }
  return true;
}();

} // namespace
