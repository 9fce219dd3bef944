// TransformPrecoder: the DFT of TS 38.211 6.3.1.4 against a direct evaluation, its inverse, the
// allowed sizes, and the receiver's MMSE deprecoding with its post-IDFT noise variance.
#include "airan/phy/transform_precoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

std::vector<cf32> random_values(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0F, 0.7071F);
  std::vector<cf32> values(n);
  for (cf32& v : values) {
    v = cf32(normal(rng), normal(rng));
  }
  return values;
}

TEST(TransformPrecoder, AllowedSizesAre2a3b5cPrbs) {
  unsigned count = 0;
  for (unsigned n = 1; n <= 275; ++n) {
    count += transform_precoding_prbs_allowed(n) ? 1 : 0;
  }
  EXPECT_EQ(count, 53U); // 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, ..., 256, 270
  EXPECT_FALSE(transform_precoding_prbs_allowed(0));
  EXPECT_FALSE(transform_precoding_prbs_allowed(7));
  EXPECT_FALSE(transform_precoding_prbs_allowed(273));
  EXPECT_TRUE(transform_precoding_prbs_allowed(270));
  EXPECT_TRUE(transform_precoding_prbs_allowed(243));
}

// y(l M + k) = 1/sqrt(M) sum_i x(l M + i) e^{-j 2 pi i k / M}, evaluated directly in double.
TEST(TransformPrecoder, PrecodesAsTheDirectDftOfEachSymbol) {
  for (const unsigned prbs : {1U, 3U, 5U, 9U, 25U}) {
    const std::size_t m = std::size_t{12} * prbs;
    const std::vector<cf32> x = random_values(3 * m, prbs);
    std::vector<cf32> y = x;
    TransformPrecoder precoder(25, TransformPrecodingDirection::precode);
    precoder.transform(y, prbs);
    double worst = 0.0;
    for (std::size_t l = 0; l < 3; ++l) {
      for (std::size_t k = 0; k < m; ++k) {
        std::complex<double> sum = 0.0;
        for (std::size_t i = 0; i < m; ++i) {
          const double angle = -2.0 * std::numbers::pi * double(i * k % m) / double(m);
          sum += std::complex<double>(x[l * m + i]) * std::polar(1.0, angle);
        }
        sum /= std::sqrt(double(m));
        worst = std::max(worst, std::abs(sum - std::complex<double>(y[l * m + k])));
      }
    }
    EXPECT_LT(worst, 1e-5) << prbs << " PRBs";
  }
}

TEST(TransformPrecoder, DeprecodingWithoutNoiseInvertsThePrecoding) {
  TransformPrecoder precoder(275, TransformPrecodingDirection::precode);
  TransformPrecoder deprecoder(275, TransformPrecodingDirection::deprecode);
  for (const unsigned prbs : {1U, 2U, 270U}) {
    const std::size_t m = std::size_t{12} * prbs;
    const std::vector<cf32> x = random_values(2 * m, 7);
    std::vector<cf32> y = x;
    precoder.transform(y, prbs);
    std::vector<cf32> z = y;
    deprecoder.transform(z, prbs);
    std::vector<cf32> w = y;
    std::vector<float> variances(w.size(), 0.0F);
    deprecoder.deprecode_equalized(w, variances, prbs);
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_LT(std::abs(z[i] - x[i]), 1e-5F) << i;
      ASSERT_LT(std::abs(w[i] - x[i]), 1e-5F) << i;
      ASSERT_EQ(variances[i], 0.0F);
    }
  }
}

// Monte Carlo against the transform itself: unit-power QPSK symbols, DFT-precoded, plus noise of
// a different variance v_k on each subcarrier (what an unbiased per-RE equalizer leaves), then
// deprecoded. The output must be unbiased (E[x conj(s)] = 1) with the error variance it reports
// (within 3%, over 4000 symbols of 48 values), and equal variances must come back unchanged.
TEST(TransformPrecoder, DeprecodingIsUnbiasedWithTheVarianceItReports) {
  constexpr unsigned prbs = 4;
  constexpr std::size_t m = std::size_t{12} * prbs;
  constexpr std::size_t blocks = 4000;
  const auto variance_of = [](std::size_t k) { // a deep fade on subcarrier 7
    return k == 7 ? 4.0F : 0.02F + 0.03F * static_cast<float>(k % 11);
  };
  std::mt19937_64 rng(21);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::vector<cf32> sent(m * blocks);
  for (cf32& s : sent) {
    s = cf32((rng() & 1) != 0 ? 0.70710678F : -0.70710678F,
             (rng() & 2) != 0 ? 0.70710678F : -0.70710678F);
  }
  std::vector<cf32> values = sent;
  TransformPrecoder precoder(prbs, TransformPrecodingDirection::precode);
  precoder.transform(values, prbs);
  std::vector<float> variances(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const float v = variance_of(i % m);
    values[i] += std::sqrt(v / 2.0F) * cf32(normal(rng), normal(rng));
    variances[i] = v;
  }
  TransformPrecoder deprecoder(prbs, TransformPrecodingDirection::deprecode);
  deprecoder.deprecode_equalized(values, variances, prbs);
  std::complex<double> gain = 0.0;
  double error = 0.0;
  double reported = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    gain += std::complex<double>(values[i]) * std::conj(std::complex<double>(sent[i]));
    error += std::norm(std::complex<double>(values[i]) - std::complex<double>(sent[i]));
    reported += variances[i];
  }
  const auto n = static_cast<double>(values.size());
  EXPECT_NEAR(gain.real() / n, 1.0, 0.01);
  EXPECT_NEAR(gain.imag() / n, 0.0, 0.01);
  EXPECT_NEAR(reported / error, 1.0, 0.03)
      << "reported " << reported / n << ", measured " << error / n;
  // The per-subcarrier MMSE weights beat the plain inverse DFT, which would leave mean(v_k).
  double mean_v = 0.0;
  for (std::size_t k = 0; k < m; ++k) {
    mean_v += variance_of(k) / static_cast<double>(m);
  }
  EXPECT_LT(error / n, 0.8 * mean_v);

  std::vector<cf32> more = random_values(48, 3);
  std::vector<float> equal(48, 0.25F);
  deprecoder.deprecode_equalized(more, equal, 4);
  for (float v : equal) {
    EXPECT_FLOAT_EQ(v, 0.25F);
  }
}

// An unresolved subcarrier (infinite variance) is left out of the block instead of poisoning it;
// a block without any resolved subcarrier becomes zeros of infinite variance.
TEST(TransformPrecoder, UnresolvedSubcarriersAreLeftOut) {
  TransformPrecoder deprecoder(4, TransformPrecodingDirection::deprecode);
  std::vector<float> mixed(48, 0.1F);
  mixed[5] = INFINITY;
  std::vector<cf32> more = random_values(48, 4);
  deprecoder.deprecode_equalized(more, mixed, 4);
  // mean(v/(1+v)) / mean(1/(1+v)) with 47 subcarriers at 0.1 and one with b = 0.
  const double expected = (47.0 * 0.1 / 1.1 + 1.0) / (47.0 / 1.1);
  for (std::size_t i = 0; i < 48; ++i) {
    EXPECT_NEAR(mixed[i], expected, 1e-6);
    EXPECT_TRUE(std::isfinite(more[i].real()) && std::isfinite(more[i].imag()));
  }
  std::vector<float> none(48, INFINITY);
  deprecoder.deprecode_equalized(more, none, 4);
  EXPECT_EQ(more[0], cf32(0.0F, 0.0F));
  EXPECT_TRUE(std::isinf(none[0]));
}

TEST(TransformPrecoder, RefusesSizesItCannotTransform) {
  TransformPrecoder precoder(10, TransformPrecodingDirection::precode);
  std::vector<cf32> values(std::size_t{12} * 7);
  EXPECT_THROW(precoder.transform(values, 7), std::invalid_argument);  // 7 PRBs
  EXPECT_THROW(precoder.transform(values, 12), std::invalid_argument); // above the maximum
  std::vector<cf32> partial(12 * 5 + 1);
  EXPECT_THROW(precoder.transform(partial, 5), std::invalid_argument); // not whole symbols
  TransformPrecoder deprecoder(10, TransformPrecodingDirection::deprecode);
  std::vector<float> variances(partial.size());
  EXPECT_THROW(deprecoder.deprecode_equalized(partial, variances, 5), std::invalid_argument);
  std::vector<cf32> whole(std::size_t{12} * 5);
  std::vector<float> too_few(whole.size() - 1);
  EXPECT_THROW(deprecoder.deprecode_equalized(whole, too_few, 5), std::invalid_argument);
  std::vector<float> enough(whole.size());
  EXPECT_NO_THROW(deprecoder.deprecode_equalized(whole, enough, 5));
  // Built to precode: it does not deprecode.
  EXPECT_THROW(precoder.deprecode_equalized(whole, enough, 5), std::invalid_argument);
  EXPECT_THROW(TransformPrecoder(276, TransformPrecodingDirection::precode), std::invalid_argument);
}

} // namespace
