// The SIMD paths of LDPC rate recovery (AVX2, AVX-512) leave the soft buffer bit for bit as the
// scalar path does, for every Q_m, both base graphs, many lifting sizes, every rv, E below, at and
// above the period (repetition: a position sums several values in increasing k), filler bits,
// full and limited circular buffers, a non-zero starting buffer (HARQ accumulation) and the
// cleared variant that the UL-SCH decoder uses (fill + recovery in one pass), with signed zeros,
// denormals, infinities and NaNs among the LLRs. The SIMD quantisers give quantize_ldpc_llr()
// value by value for edge values and random ones, every length from 0 to 100 and long ones, at
// unaligned offsets. Paths this CPU cannot run are skipped.
#include "../../phy/src/ldpc_rate_recovery_simd.h"
#include "../support/sanitizer_sweeps.h"

#include "airan/phy/ldpc_decoder.h"
#include "airan/phy/ldpc_encoder.h"
#include "airan/phy/ldpc_llr_quantization.h"
#include "airan/phy/ldpc_rate_recovery.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using detail::LlrSimd;

/// The SIMD levels this CPU runs.
std::vector<LlrSimd> simd_levels() {
  std::vector<LlrSimd> levels;
  for (const LlrSimd level : {LlrSimd::avx2, LlrSimd::avx512}) {
    if (detail::llr_simd_supported(level)) {
      levels.push_back(level);
    }
  }
  return levels;
}

const char* name(LlrSimd level) {
  return level == LlrSimd::avx512 ? "avx512" : level == LlrSimd::avx2 ? "avx2" : "scalar";
}

/// memcmp equality of two float vectors (no memcmp on the data() of empty vectors).
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

/// First index where the bits of \p a and \p b differ, for the failure message.
std::size_t first_difference(const std::vector<float>& a, const std::vector<float>& b) {
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i])) {
      return i;
    }
  }
  return std::min(a.size(), b.size());
}

/// Random LLRs with signed zeros and denormals; with \p non_finite also infinities, NaN and huge
/// values. (Sums of +inf and -inf, or of NaNs with different payloads, may keep either NaN
/// depending on the operand order the compiler picks, so the repeating cases stay finite.)
std::vector<float> random_llrs(std::mt19937& rng, std::size_t count, bool non_finite) {
  std::normal_distribution<float> normal(0.0F, 8.0F);
  std::uniform_int_distribution<int> kind(0, 39);
  std::vector<float> llrs(count);
  for (auto& llr : llrs) {
    switch (kind(rng)) {
    case 0:
      llr = -0.0F;
      break;
    case 1:
      llr = std::numeric_limits<float>::denorm_min() * static_cast<float>(rng() % 1000);
      break;
    case 2:
      llr = non_finite ? std::numeric_limits<float>::infinity() : 0.0F;
      break;
    case 3:
      llr = non_finite ? -std::numeric_limits<float>::infinity() : 1e-30F;
      break;
    case 4:
      llr = non_finite ? std::numeric_limits<float>::quiet_NaN() : -1e-30F;
      break;
    default:
      llr = normal(rng);
    }
  }
  return llrs;
}

struct CodeCase {
  LdpcBaseGraph graph;
  unsigned z;
  unsigned k_prime; ///< 0: K (no filler)
};

/// Codes of both base graphs, small to the largest lifting sizes, with and without filler bits,
/// the filler at position 0 (K' <= 2Z) among them.
const CodeCase code_cases[] = {
    {LdpcBaseGraph::bg1, 2, 0},      {LdpcBaseGraph::bg1, 5, 60},
    {LdpcBaseGraph::bg1, 15, 300},   {LdpcBaseGraph::bg1, 36, 0},
    {LdpcBaseGraph::bg1, 64, 1300},  {LdpcBaseGraph::bg1, 104, 2200},
    {LdpcBaseGraph::bg1, 208, 0},    {LdpcBaseGraph::bg1, 384, 8336},
    {LdpcBaseGraph::bg1, 30, 40},    {LdpcBaseGraph::bg2, 3, 20},
    {LdpcBaseGraph::bg2, 9, 0},      {LdpcBaseGraph::bg2, 52, 500},
    {LdpcBaseGraph::bg2, 120, 1000}, {LdpcBaseGraph::bg2, 384, 3840},
    {LdpcBaseGraph::bg2, 208, 1900}, {LdpcBaseGraph::bg2, 44, 60},
};

/// Circular buffer lengths for \p code: N, a limited one (LBRM) and one that ends inside the
/// filler (when there is room before it).
std::vector<unsigned> circular_buffer_lengths(const LdpcEncoderConfig& code) {
  const unsigned n = ldpc_codeword_length(code.base_graph, code.lifting_size);
  std::vector<unsigned> lengths = {n, (2 * n) / 3 + 1};
  const unsigned filler_begin = ldpc_filler_begin(code);
  const unsigned filler_end = ldpc_filler_end(code);
  if (filler_begin > 0 && filler_end > filler_begin + 1) {
    lengths.push_back(filler_begin + (filler_end - filler_begin) / 2);
  }
  return lengths;
}

/// E values for \p period and \p q_m: tiny, below, at and just above the period, and several
/// periods (repetition), each a multiple of Q_m, the column count E / Q_m rarely a multiple of 8.
std::vector<unsigned> e_values(unsigned period, unsigned q_m) {
  std::vector<unsigned> values;
  for (const double fraction : {0.0, 0.31, 0.77, 1.0, 1.02, 2.4, 3.7}) {
    auto e = static_cast<unsigned>(fraction * period) / q_m * q_m + q_m;
    values.push_back(e);
  }
  values.push_back(q_m * 13);
  return values;
}

TEST(LdpcRateRecoverySimd, EqualsTheScalarPathBitForBit) {
  const std::vector<LlrSimd> levels = simd_levels();
  if (levels.empty()) {
    GTEST_SKIP() << "no SIMD rate recovery on this CPU";
  }
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0F, 20.0F);
  unsigned runs = 0;
  unsigned repeating = 0;
  unsigned sweep = 0; // (code, N_cb, Q_m) combinations; under the sanitizers each runs one rv
  for (const CodeCase& code_case : code_cases) {
    const unsigned k = ldpc_systematic_length(code_case.graph, code_case.z);
    const LdpcEncoderConfig code{code_case.graph, code_case.z,
                                 code_case.k_prime == 0 ? k : code_case.k_prime};
    const unsigned n = ldpc_codeword_length(code.base_graph, code.lifting_size);
    for (const unsigned n_cb : circular_buffer_lengths(code)) {
      for (const unsigned q_m : {1U, 2U, 3U, 4U, 6U, 8U, 10U}) {
        ++sweep;
        for (unsigned rv = 0; rv < 4; ++rv) {
          if (!airan::test::runs_in_this_tree(sweep + rv, 4)) {
            continue;
          }
          const LdpcRateMatchConfig config{code, n_cb, rv, q_m};
          const LdpcSelectionMap map = ldpc_selection_map(config);
          for (const unsigned e : e_values(map.period, q_m)) {
            const bool repeats = e > map.period;
            repeating += repeats ? 1 : 0;
            const std::vector<float> llrs = random_llrs(rng, e, !repeats);
            // A HARQ buffer's content (one position past N_cb checks that nothing else is
            // written), and garbage for the cleared variant.
            std::vector<float> harq(n + 1);
            for (auto& value : harq) {
              value = normal(rng);
            }
            std::vector<float> expected = harq;
            const unsigned received =
                detail::ldpc_rate_recover(llrs, config, expected, LlrSimd::scalar);
            std::vector<float> expected_cleared = harq;
            std::fill_n(expected_cleared.begin(), received, 0.0F);
            detail::ldpc_rate_recover(llrs, config, expected_cleared, LlrSimd::scalar);
            std::vector<float> scalar_cleared = harq;
            ASSERT_EQ(
                detail::ldpc_rate_recover_cleared(llrs, config, scalar_cleared, LlrSimd::scalar),
                received);
            ASSERT_TRUE(same_bits(scalar_cleared, expected_cleared));
            for (const LlrSimd level : levels) {
              const std::string where = std::string(name(level)) + " BG" +
                                        (code.base_graph == LdpcBaseGraph::bg1 ? "1" : "2") +
                                        " Z " + std::to_string(code.lifting_size) + " K' " +
                                        std::to_string(code.num_info_bits) + " N_cb " +
                                        std::to_string(n_cb) + " Q_m " + std::to_string(q_m) +
                                        " rv " + std::to_string(rv) + " E " + std::to_string(e);
              std::vector<float> soft = harq;
              ASSERT_EQ(detail::ldpc_rate_recover(llrs, config, soft, level), received) << where;
              ASSERT_TRUE(same_bits(soft, expected))
                  << where << ": accumulated, first difference at "
                  << first_difference(soft, expected);
              std::vector<float> cleared = harq;
              ASSERT_EQ(detail::ldpc_rate_recover_cleared(llrs, config, cleared, level), received)
                  << where;
              ASSERT_TRUE(same_bits(cleared, expected_cleared))
                  << where << ": cleared, first difference at "
                  << first_difference(cleared, expected_cleared);
              ++runs;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(repeating, 1000U / airan::test::sweep_stride(4));
  EXPECT_GT(runs, 5000U / airan::test::sweep_stride(4));
}

// The sums equal the gather formulation (the CUDA decoder's), position by position, for the
// default path: the repeated bits are added in increasing k.
TEST(LdpcRateRecoverySimd, DefaultPathEqualsTheGatherFormulation) {
  std::mt19937 rng(9);
  std::normal_distribution<float> normal(0.0F, 4.0F);
  for (const CodeCase& code_case : {code_cases[4], code_cases[7], code_cases[11], code_cases[9]}) {
    const unsigned k = ldpc_systematic_length(code_case.graph, code_case.z);
    const LdpcEncoderConfig code{code_case.graph, code_case.z,
                                 code_case.k_prime == 0 ? k : code_case.k_prime};
    const unsigned n = ldpc_codeword_length(code.base_graph, code.lifting_size);
    for (const unsigned q_m : {2U, 6U, 8U}) {
      for (unsigned rv = 0; rv < 4; ++rv) {
        const LdpcRateMatchConfig config{code, n, rv, q_m};
        const LdpcSelectionMap map = ldpc_selection_map(config);
        for (const unsigned e : e_values(map.period, q_m)) {
          const std::vector<float> llrs = random_llrs(rng, e, false);
          std::vector<float> harq(n);
          for (auto& value : harq) {
            value = normal(rng);
          }
          std::vector<float> soft = harq;
          ldpc_rate_recover(llrs, config, soft);
          for (unsigned p = 0; p < n; ++p) {
            const float gathered = ldpc_rate_recovery_gather(map, llrs.data(), e, q_m, p, harq[p]);
            ASSERT_EQ(std::bit_cast<std::uint32_t>(gathered), std::bit_cast<std::uint32_t>(soft[p]))
                << "Z " << code.lifting_size << " Q_m " << q_m << " rv " << rv << " E " << e
                << " position " << p;
          }
        }
      }
    }
  }
}

/// Edge values of a real LLR times \p scale: around the clamp, ties, signed zeros, denormals,
/// huge and non-finite values.
std::vector<float> edge_llrs(float scale) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> scaled = {
      0.0F,          -0.0F,         0.5F,        -0.5F,        1.5F,          -1.5F,
      2.5F,          -2.5F,         126.5F,      -126.5F,      127.5F,        -127.5F,
      127.49F,       -127.49F,      126.51F,     -127.6F,      128.0F,        -128.0F,
      128.5F,        -128.5F,       1e9F,        -1e9F,        3e38F,         -3e38F,
      inf,           -inf,          nan,         -nan,         1e-45F,        -1e-45F,
      1e-40F,        -1e-40F,       0.49999997F, -0.49999997F, 2147483648.0F, -2147483648.0F,
      4294967296.0F, -4294967296.0F};
  std::vector<float> llrs;
  for (const float value : scaled) {
    llrs.push_back(value / scale);
    llrs.push_back(value); // also unscaled: other clamp and rounding cases for scale != 1
  }
  return llrs;
}

TEST(LdpcLlrQuantizerSimd, EqualsTheScalarQuantizerValueByValue) {
  std::vector<LlrSimd> levels = simd_levels();
  levels.insert(levels.begin(), LlrSimd::scalar);
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0F, 40.0F);
  for (const float scale : {4.0F, 1.0F, 0.37F, 1e-3F, 1e30F}) {
    const std::vector<float> edges = edge_llrs(scale);
    std::uniform_int_distribution<std::size_t> pick(0, edges.size() - 1);
    std::vector<std::size_t> lengths;
    for (std::size_t length = 0; length <= 100; ++length) {
      lengths.push_back(length);
    }
    for (const std::size_t length : {127U, 128U, 1000U, 4099U, 25347U}) {
      lengths.push_back(length);
    }
    for (const std::size_t length : lengths) {
      for (const std::size_t offset : {0U, 1U, 3U}) {
        // Edge values, random values and values next to the clamp and rounding thresholds.
        std::vector<float> llrs(offset + length);
        for (auto& llr : llrs) {
          const unsigned kind = rng() % 3;
          llr = kind == 0 ? edges[pick(rng)]
                : kind == 1
                    ? normal(rng)
                    : std::nextafter((static_cast<float>(rng() % 256) - 128.0F + 0.5F) / scale,
                                     (rng() & 1U) != 0 ? 1e38F : -1e38F);
        }
        const std::span<const float> input = std::span<const float>(llrs).subspan(offset);
        std::vector<std::int8_t> expected(length);
        for (std::size_t i = 0; i < length; ++i) {
          expected[i] = quantize_ldpc_llr(input[i] * scale);
          ASSERT_NE(expected[i], -128);
        }
        for (const LlrSimd level : levels) {
          // Guard bytes around the output check that nothing else is written.
          std::vector<std::int8_t> out(length + 2 * offset + 2, 99);
          const std::span<std::int8_t> output =
              std::span<std::int8_t>(out).subspan(offset + 1, length);
          detail::quantize_ldpc_llrs(input, scale, output, level);
          for (std::size_t i = 0; i < length; ++i) {
            ASSERT_EQ(output[i], expected[i]) << name(level) << " scale " << scale << " length "
                                              << length << " index " << i << " LLR " << input[i];
          }
          for (std::size_t i = 0; i <= offset; ++i) {
            ASSERT_EQ(out[i], 99) << name(level) << ": wrote before the output";
            ASSERT_EQ(out[out.size() - 1 - i], 99) << name(level) << ": wrote after the output";
          }
        }
        if (length > 0) {
          std::vector<std::int8_t> out(length);
          quantize_ldpc_llrs(input, scale, out); // the public entry point: the best level
          ASSERT_EQ(std::memcmp(out.data(), expected.data(), length), 0) << "length " << length;
        }
      }
    }
  }
}

TEST(LdpcLlrQuantizerSimd, RejectsBadArguments) {
  std::vector<float> llrs(8);
  std::vector<std::int8_t> out(7);
  for (const LlrSimd level : {LlrSimd::scalar, detail::llr_simd_best()}) {
    EXPECT_THROW(detail::quantize_ldpc_llrs(llrs, 4.0F, out, level), std::invalid_argument);
    out.resize(8);
    EXPECT_THROW(detail::quantize_ldpc_llrs(llrs, 0.0F, out, level), std::invalid_argument);
    out.resize(7);
  }
}

} // namespace
