// UL-SCH decoder throughput on a peak-rate TB: 273 PRB, 2 layers, 256-QAM, MCS 27 of MCS table 2
// (R = 948/1024): TBS 590128, G 628992, 71 code blocks of BG1 with Z = 384. The LLRs are those
// of the codeword over BPSK AWGN at 10 dB (LLR = 2y/sigma^2, |LLR| ~ 20), so every block decodes
// in one or two iterations; the fixed-six-iteration case shows the worst case per TB.
//
// Baseline in the same binary: memcpy of the G float LLRs (2.5 MB). Rate recovery and
// descrambling alone are measured on the same TB, rate recovery also with the scalar paths (the
// portable code, a baseline for the SIMD ones). "info_bits" counters are TBS bits per second;
// bytes_per_second is LLR bytes in.
#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/ldpc_decoder.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/ldpc_rate_recovery.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"

#include "../phy/src/ldpc_rate_recovery_simd.h" // the scalar paths, the decoder's fused pass

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <vector>

using namespace airan::phy;

namespace {

constexpr UlschCodingConfig peak_tb{590128, 948.0 / 1024.0, 8, 2, 0, 628992, 0};

/// Codeword LLRs of a random TB (and the TB itself), built once.
struct PeakTbLlrs {
  BitVector tb;
  std::vector<float> llrs;
};

const PeakTbLlrs& peak_tb_llrs() {
  static const PeakTbLlrs data = [] {
    PeakTbLlrs result;
    std::mt19937 rng(42);
    result.tb.resize(peak_tb.tbs);
    for (auto& bit : result.tb) {
      bit = static_cast<bit_t>(rng() & 1U);
    }
    BitVector codeword(peak_tb.g);
    create_ulsch_encoder()->encode(result.tb, peak_tb, codeword);
    const double sigma2 = std::pow(10.0, -10.0 / 10.0);
    std::normal_distribution<double> noise(0.0, std::sqrt(sigma2));
    result.llrs.resize(peak_tb.g);
    for (std::size_t i = 0; i < codeword.size(); ++i) {
      const double y = (codeword[i] == 0 ? 1.0 : -1.0) + noise(rng);
      result.llrs[i] = static_cast<float>(2.0 * y / sigma2);
    }
    return result;
  }();
  return data;
}

void set_rates(benchmark::State& state) {
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * peak_tb.g * sizeof(float)));
  state.counters["info_bits"] = benchmark::Counter(static_cast<double>(peak_tb.tbs),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

/// Baseline: copying the G LLRs once.
void BM_LlrMemcpyBaseline(benchmark::State& state) {
  const auto& source = peak_tb_llrs().llrs;
  std::vector<float> destination(source.size());
  for (auto _ : state) {
    std::memcpy(destination.data(), source.data(), source.size() * sizeof(float));
    benchmark::DoNotOptimize(destination.data());
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_LlrMemcpyBaseline)->Unit(benchmark::kMicrosecond);

/// Whole TB decoding; range(0) = 1: early termination (CRC24B), 0: always 6 iterations.
void BM_UlschDecodePeakTb(benchmark::State& state) {
  const auto& data = peak_tb_llrs();
  auto decoder = create_ulsch_decoder(peak_tb.tbs);
  UlschDecoderConfig cfg;
  cfg.coding = peak_tb;
  cfg.max_iterations = 6;
  cfg.early_termination = state.range(0) == 1;
  BitVector decoded(peak_tb.tbs);
  UlschDecoderResult result;
  for (auto _ : state) {
    result = decoder->decode(data.llrs, cfg, decoded);
    benchmark::DoNotOptimize(decoded.data());
  }
  if (!result.tb_crc_ok || decoded != data.tb) {
    state.SkipWithError("the TB did not decode");
  }
  state.SetLabel(std::string("LDPC ") + std::string(to_string(create_ldpc_decoder()->impl())));
  state.counters["mean_iterations"] = result.mean_ldpc_iterations;
  state.counters["code_blocks"] = result.num_code_blocks;
  set_rates(state);
}
BENCHMARK(BM_UlschDecodePeakTb)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

/// Rate recovery of every code block of the peak TB into a cleared circular buffer by
/// \p recover(llrs, config, buffer) (which clears and recovers), with the int8 quantisation the
/// decoder applies next by \p quantize(soft, out) when range(0) = 1.
template <typename Recover, typename Quantize>
void rate_recovery_peak_tb(benchmark::State& state, Recover&& recover, Quantize&& quantize) {
  const auto& llrs = peak_tb_llrs().llrs;
  const bool quantize_too = state.range(0) == 1;
  const auto graph = select_ldpc_base_graph(peak_tb.tbs, peak_tb.target_code_rate);
  const auto seg = segment_code_blocks(peak_tb.tbs + 24, graph);
  const unsigned c = seg.num_code_blocks;
  const unsigned n = ldpc_codeword_length(graph, seg.lifting_size);
  const LdpcRateMatchConfig config{
      {graph, seg.lifting_size, seg.num_info_bits}, n, 0, peak_tb.modulation_order};
  std::vector<float> circular_buffer(n);
  std::vector<std::int8_t> quantized(n);
  for (auto _ : state) {
    std::uint32_t offset = 0;
    for (unsigned r = 0; r < c; ++r) {
      const unsigned e =
          ldpc_rate_matched_length(r, c, peak_tb.g, peak_tb.num_layers, peak_tb.modulation_order);
      const unsigned received =
          recover(std::span<const float>(llrs).subspan(offset, e), config, circular_buffer);
      if (quantize_too) {
        quantize(std::span<const float>(circular_buffer).first(received),
                 std::span<std::int8_t>(quantized).first(received));
      }
      offset += e;
    }
    benchmark::DoNotOptimize(circular_buffer.data());
    benchmark::DoNotOptimize(quantized.data());
  }
  set_rates(state);
}

/// Clears the part of \p soft that \p llrs reach, then recovers them into it at \p level.
unsigned clear_and_recover(std::span<const float> llrs, const LdpcRateMatchConfig& config,
                           std::vector<float>& soft, detail::LlrSimd level) {
  const unsigned received =
      ldpc_rate_match_input_length(config, static_cast<unsigned>(llrs.size()));
  std::fill_n(soft.begin(), received, 0.0f);
  detail::ldpc_rate_recover(llrs, config, soft, level);
  return received;
}

/// Rate recovery as ldpc_rate_recover() runs it (clearing first; SIMD where the CPU has it);
/// range(0) = 1 adds quantize_ldpc_llrs().
void BM_RateRecoveryPeakTb(benchmark::State& state) {
  rate_recovery_peak_tb(
      state,
      [](std::span<const float> llrs, const LdpcRateMatchConfig& config, std::vector<float>& soft) {
        return clear_and_recover(llrs, config, soft, detail::llr_simd_best());
      },
      [](std::span<const float> soft, std::span<std::int8_t> out) {
        quantize_ldpc_llrs(soft, 4.0f, out);
      });
}
BENCHMARK(BM_RateRecoveryPeakTb)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

/// Baseline: the same with the scalar paths (the portable code: tiles transposed on the stack,
/// SSE2 quantisation).
void BM_RateRecoveryScalarPeakTb(benchmark::State& state) {
  rate_recovery_peak_tb(
      state,
      [](std::span<const float> llrs, const LdpcRateMatchConfig& config, std::vector<float>& soft) {
        return clear_and_recover(llrs, config, soft, detail::LlrSimd::scalar);
      },
      [](std::span<const float> soft, std::span<std::int8_t> out) {
        detail::quantize_ldpc_llrs(soft, 4.0f, out, detail::LlrSimd::scalar);
      });
}
BENCHMARK(BM_RateRecoveryScalarPeakTb)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

/// The UL-SCH decoder's flow: clearing and rate recovery in one pass
/// (detail::ldpc_rate_recover_cleared()), then quantize_ldpc_llrs() when range(0) = 1.
void BM_RateRecoveryClearedPeakTb(benchmark::State& state) {
  rate_recovery_peak_tb(
      state,
      [](std::span<const float> llrs, const LdpcRateMatchConfig& config, std::vector<float>& soft) {
        return detail::ldpc_rate_recover_cleared(llrs, config, soft, detail::llr_simd_best());
      },
      [](std::span<const float> soft, std::span<std::int8_t> out) {
        quantize_ldpc_llrs(soft, 4.0f, out);
      });
  state.SetLabel(detail::llr_simd_best() == detail::LlrSimd::avx512 ? "avx512"
                 : detail::llr_simd_best() == detail::LlrSimd::avx2 ? "avx2"
                                                                    : "scalar");
}
BENCHMARK(BM_RateRecoveryClearedPeakTb)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

/// Descrambling the G LLRs in place.
void BM_DescramblePeakTb(benchmark::State& state) {
  std::vector<float> llrs = peak_tb_llrs().llrs;
  for (auto _ : state) {
    descramble_llrs(llrs, pusch_scrambling_init(0x4601, 500));
    benchmark::DoNotOptimize(llrs.data());
  }
  set_rates(state);
}
BENCHMARK(BM_DescramblePeakTb)->Unit(benchmark::kMicrosecond);

} // namespace
