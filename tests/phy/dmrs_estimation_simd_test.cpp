// The AVX2 kernels of the DMRS channel estimator (phy/src/dmrs_estimation_simd.h) give bit for
// bit the outputs of the portable code: MMSE frequency interpolation (comb spacing 4 and 6, every
// pilot offset the DMRS types produce, comb sizes from 2 to a full carrier, windows 2 to 16,
// with and without the fused delay-ramp restoration, which also equals interpolating and then
// multiply_by_conjugate()), linear interpolation, the ramp restoration and the time
// interpolation rows, linear and Wiener. On a CPU without AVX2 they are skipped.
#include "../../phy/src/dmrs_estimation_simd.h"
#include "../../phy/src/dmrs_estimation_steps.h"
#include "../../phy/src/frequency_interpolator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;
using detail::DmrsSimd;

/// Equal bytes (memcmp of empty vectors is not called: their data() may be null).
template <typename T> bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

/// Random values: mostly Gaussian, some signed zeros, tiny and huge ones.
std::vector<cf32> random_special_values(std::mt19937& rng, std::size_t n) {
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::uniform_int_distribution<int> kind(0, 19);
  std::vector<cf32> v(n);
  for (cf32& x : v) {
    const int k = kind(rng);
    if (k == 0) {
      x = {-0.0F, 0.0F};
    } else if (k == 1) {
      x = {1e-38F * normal(rng), 3e37F * normal(rng)};
    } else {
      x = {normal(rng), normal(rng)};
    }
  }
  return v;
}

/// A unit-magnitude ramp exp(j omega k).
std::vector<cf32> phase_ramp(std::size_t n, float omega) {
  std::vector<cf32> r(n);
  for (std::size_t k = 0; k < n; ++k) {
    r[k] = std::polar(1.0F, omega * static_cast<float>(k));
  }
  return r;
}

class DmrsEstimationSimd : public ::testing::Test {
protected:
  void SetUp() override {
    if (!detail::dmrs_simd_supported(DmrsSimd::avx2)) {
      GTEST_SKIP() << "the CPU has no AVX2";
    }
  }
};

TEST_F(DmrsEstimationSimd, MmseInterpolationMatchesPortableCode) {
  std::mt19937 rng(7);
  detail::MmseFrequencyInterpolator portable;
  detail::MmseFrequencyInterpolator simd;
  portable.set_simd(DmrsSimd::baseline);
  simd.set_simd(DmrsSimd::avx2);
  struct Comb {
    unsigned spacing;
    float first;
  };
  const Comb combs[] = {{4, 1.0F}, {4, 2.0F}, {6, 0.5F}, {6, 2.5F}, {6, 4.5F}};
  const unsigned counts[] = {2, 3, 4, 5, 6, 7, 12, 13, 17, 18, 33, 50, 546, 819};
  const unsigned windows[] = {2, 3, 5, 8, 11, 12, 13, 16};
  int compared = 0;
  for (const Comb& c : combs) {
    for (unsigned count : counts) {
      for (unsigned window : windows) {
        detail::PilotComb comb;
        comb.spacing = c.spacing;
        comb.first = c.first;
        comb.count = count;
        detail::MmsePrior prior;
        prior.profile = window % 2 == 0 ? DelayProfile::uniform : DelayProfile::exponential;
        prior.delay_spread_s = 1e-7F * static_cast<float>(window);
        prior.window = window;
        portable.prepare(comb, prior, 300.0F);
        simd.prepare(comb, prior, 300.0F);
        // Outputs: the whole allocation (12 subcarriers per 12 / spacing pilots) or a few more.
        const unsigned width = count * c.spacing + (count % 3);
        const std::vector<cf32> pilots = random_special_values(rng, count);
        const std::vector<cf32> r =
            phase_ramp(width, 0.01F * static_cast<float>(count % 7) - 0.03F);
        std::vector<float> scratch(detail::mmse_scratch_floats(count));
        for (int with_ramp = 0; with_ramp < 2; ++with_ramp) {
          const cf32* conj_ramp = with_ramp != 0 ? r.data() : nullptr;
          std::vector<cf32> expected(width);
          std::vector<cf32> actual(width);
          portable.interpolate(pilots.data(), comb, expected.data(), width, conj_ramp);
          simd.interpolate(pilots.data(), comb, actual.data(), width, conj_ramp, scratch.data());
          ASSERT_TRUE(same_bytes(expected, actual))
              << "spacing " << c.spacing << " first " << c.first << " count " << count << " window "
              << window << " ramp " << with_ramp;
          if (with_ramp != 0) { // fused restoration = interpolation, then the ramp
            std::vector<cf32> separate(width);
            portable.interpolate(pilots.data(), comb, separate.data(), width);
            detail::multiply_by_conjugate(separate.data(), r.data(), width, DmrsSimd::baseline);
            ASSERT_TRUE(same_bytes(separate, actual)) << "count " << count << " window " << window;
          }
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 5 * 14 * 8 * 2);
}

TEST_F(DmrsEstimationSimd, LinearInterpolationMatchesPortableCode) {
  std::mt19937 rng(11);
  const float firsts[] = {1.0F, 2.0F, 0.5F, 2.5F, 4.5F};
  for (unsigned spacing : {4U, 6U}) {
    for (float first : firsts) {
      for (unsigned count : {2U, 3U, 5U, 13U, 819U}) {
        for (unsigned extra : {0U, 1U, 5U}) {
          detail::PilotComb comb;
          comb.spacing = spacing;
          comb.first = first;
          comb.count = count;
          const unsigned width = count * spacing + extra - (extra == 5 ? 2 * spacing : 0);
          const std::vector<cf32> pilots = random_special_values(rng, count);
          const std::vector<cf32> r = phase_ramp(width, 0.02F);
          for (const cf32* conj_ramp : {static_cast<const cf32*>(nullptr), r.data()}) {
            std::vector<cf32> expected(width);
            std::vector<cf32> actual(width);
            detail::interpolate_linear(pilots.data(), comb, expected.data(), width, conj_ramp,
                                       DmrsSimd::baseline);
            detail::interpolate_linear(pilots.data(), comb, actual.data(), width, conj_ramp,
                                       DmrsSimd::avx2);
            ASSERT_TRUE(same_bytes(expected, actual))
                << "spacing " << spacing << " first " << first << " count " << count << " width "
                << width << " ramp " << (conj_ramp != nullptr);
          }
        }
      }
    }
  }
}

TEST_F(DmrsEstimationSimd, RampRestorationMatchesPortableCode) {
  std::mt19937 rng(5);
  for (unsigned n = 0; n < 40; ++n) {
    const std::vector<cf32> h = random_special_values(rng, n);
    const std::vector<cf32> r = random_special_values(rng, n);
    std::vector<cf32> expected = h;
    std::vector<cf32> actual = h;
    detail::multiply_by_conjugate(expected.data(), r.data(), n, DmrsSimd::baseline);
    detail::multiply_by_conjugate(actual.data(), r.data(), n, DmrsSimd::avx2);
    ASSERT_TRUE(same_bytes(expected, actual)) << n << " values";
  }
}

TEST_F(DmrsEstimationSimd, TimeInterpolationRowsMatchScalarFormula) {
  std::mt19937 rng(3);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{8},
                        std::size_t{23}, std::size_t{6552}}) {
    const std::vector<cf32> a = random_special_values(rng, (n + 1) / 2);
    const std::vector<cf32> b = random_special_values(rng, (n + 1) / 2);
    for (float weight : {0.0F, 1.0F / 9.0F, 0.5F, 8.0F / 9.0F, 1.0F}) {
      const auto* fa = reinterpret_cast<const float*>(a.data());
      const auto* fb = reinterpret_cast<const float*>(b.data());
      std::vector<float> expected(n);
      std::vector<float> actual(n);
      for (std::size_t k = 0; k < n; ++k) {
        expected[k] = fa[k] + weight * (fb[k] - fa[k]);
      }
      std::size_t k = detail::lerp_rows_simd(DmrsSimd::avx2, fa, fb, weight, actual.data(), n);
      EXPECT_EQ(k, n / 8 * 8);
      for (; k < n; ++k) {
        actual[k] = fa[k] + weight * (fb[k] - fa[k]);
      }
      ASSERT_TRUE(same_bytes(expected, actual)) << n << " floats, weight " << weight;
      EXPECT_EQ(detail::lerp_rows_simd(DmrsSimd::baseline, fa, fb, weight, actual.data(), n), 0U);
    }
  }
}

// The Wiener rows: each output the scalar loop's sum, first occasion's product then each later
// one's added, with weights of every sign and 1 to 4 occasions.
TEST_F(DmrsEstimationSimd, WienerRowsMatchScalarFormula) {
  std::mt19937 rng(9);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  for (std::size_t n :
       {std::size_t{0}, std::size_t{3}, std::size_t{4}, std::size_t{13}, std::size_t{3276}}) {
    for (unsigned occasions = 1; occasions <= 4; ++occasions) {
      std::vector<std::vector<cf32>> rows;
      const float* row_data[4] = {};
      float weights[8] = {};
      for (std::size_t o = 0; o < occasions; ++o) {
        rows.push_back(random_special_values(rng, n));
        row_data[o] = reinterpret_cast<const float*>(rows.back().data());
        weights[2 * o] = normal(rng);
        weights[2 * o + 1] = normal(rng);
      }
      std::vector<float> expected(2 * n);
      for (std::size_t k = 0; k < n; ++k) {
        const auto product = [&](std::size_t o, int part) {
          const float x = row_data[o][2 * k];
          const float y = row_data[o][2 * k + 1];
          return part == 0 ? weights[2 * o] * x - weights[2 * o + 1] * y
                           : weights[2 * o] * y + weights[2 * o + 1] * x;
        };
        for (int part = 0; part < 2; ++part) {
          float sum = product(0, part);
          for (std::size_t o = 1; o < occasions; ++o) {
            sum += product(o, part);
          }
          expected[2 * k + part] = sum;
        }
      }
      std::vector<float> actual(expected);
      const std::size_t done =
          detail::wiener_row_simd(DmrsSimd::avx2, row_data, weights, occasions, actual.data(), n);
      EXPECT_EQ(done, n / 4 * 4);
      std::fill_n(actual.begin(), 2 * done, std::numeric_limits<float>::quiet_NaN());
      ASSERT_EQ(
          detail::wiener_row_simd(DmrsSimd::avx2, row_data, weights, occasions, actual.data(), n),
          done);
      ASSERT_TRUE(same_bytes(expected, actual)) << n << " values, " << occasions << " occasions";
      EXPECT_EQ(detail::wiener_row_simd(DmrsSimd::baseline, row_data, weights, occasions,
                                        actual.data(), n),
                0U);
    }
  }
}

} // namespace
