#include "airan/phy/ldpc_decoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

/// The documented rule: round(value * scale) with ties to even, clamped to +-127; NaN to 0 (an
/// erasure).
std::int8_t reference(float value, float scale) {
  const float scaled = value * scale;
  if (std::isnan(scaled)) {
    return 0;
  }
  const float clamped = std::fmax(-127.0F, std::fmin(127.0F, scaled));
  return static_cast<std::int8_t>(std::nearbyint(clamped));
}

TEST(LdpcLlrQuantization, MatchesTheRoundingRuleOnEveryLengthAndSpecialValue) {
  std::mt19937 rng(4);
  std::normal_distribution<float> gauss(0.0F, 20.0F);
  std::vector<float> values;
  values.reserve(1024); // the 997 random values and the special ones below
  for (int i = 0; i < 997; ++i) {
    values.push_back(gauss(rng));
  }
  // Ties, extremes, signed zero, infinities and NaN.
  for (float v : {0.5F,
                  1.5F,
                  2.5F,
                  -0.5F,
                  -1.5F,
                  -2.5F,
                  31.625F,
                  -31.875F,
                  0.0F,
                  -0.0F,
                  1e30F,
                  -1e30F,
                  std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity(),
                  std::numeric_limits<float>::quiet_NaN(),
                  126.9F,
                  127.4F,
                  127.6F,
                  -127.6F,
                  -128.0F}) {
    values.push_back(v / 4.0F);
  }
  for (std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16},
                             std::size_t{17}, values.size()}) {
    const std::span<const float> in(values.data() + values.size() - length, length);
    std::vector<std::int8_t> out(length);
    airan::phy::quantize_ldpc_llrs(in, 4.0F, out);
    for (std::size_t i = 0; i < length; ++i) {
      ASSERT_EQ(out[i], reference(in[i], 4.0F)) << "value " << in[i] << " length " << length;
      // The one-value form (what the CUDA UL-SCH decoder's kernel runs) agrees.
      ASSERT_EQ(airan::phy::quantize_ldpc_llr(in[i] * 4.0F), out[i]) << "value " << in[i];
    }
  }
}

} // namespace
