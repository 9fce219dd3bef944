// The AVX2 equalizer path (1-4 layers, ZF, MMSE and MMSE-IRC, eight REs per step) gives bit for
// bit the scalar kernel's symbols and noise variances, for every antenna count, with tails of REs
// that are not a multiple of eight, and on REs whose channel is zero, collinear, ill-conditioned,
// tiny, huge or not finite (ZF's unresolvable REs: zero symbol, infinite noise), with zero and
// huge noise and ill-conditioned interference covariances. On a CPU without AVX2 both paths are
// scalar.
#include "airan/phy/mimo_equalizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;

/// The bit patterns of \p values (so that signed zeros and infinities compare exactly), every
/// NaN as 0x7fc00000: the sign of a NaN that a non-finite input leaves depends on which operand
/// of a commutative add or multiply the compiler puts first (x86 returns the first NaN operand),
/// which the scalar kernel's source does not fix, so only where the NaNs are is compared.
template <class T> std::vector<std::uint32_t> bit_patterns(const std::vector<T>& values) {
  std::vector<std::uint32_t> bits(values.size() * sizeof(T) / sizeof(std::uint32_t));
  if (!bits.empty()) { // memcpy of an empty vector's null data() is undefined
    std::memcpy(bits.data(), values.data(), bits.size() * sizeof(std::uint32_t));
  }
  for (auto& b : bits) {
    b = (b & 0x7fffffffU) > 0x7f800000U ? 0x7fc00000U : b;
  }
  return bits;
}

/// Channel and received rows of one test call.
struct EqualizerSlot {
  std::vector<std::vector<cf32>> received;
  std::vector<std::vector<cf32>> channel;
  std::vector<const cf32*> received_rows;
  std::vector<const cf32*> channel_rows;
};

/// Kinds of REs the channel generator mixes in.
enum class Special : std::uint8_t { none, awkward };

/// Random rows; with Special::awkward, some REs have a zero, collinear, nearly collinear, tiny,
/// huge, non-finite or exactly orthogonal channel, or a zero or non-finite received value.
EqualizerSlot make_equalizer_slot(std::mt19937& rng, unsigned num_rx, unsigned layers,
                                  std::size_t num_res, Special special) {
  std::normal_distribution<float> normal(0.0F, 1.0F);
  EqualizerSlot s;
  s.received.assign(num_rx, std::vector<cf32>(num_res));
  s.channel.assign(std::size_t{num_rx} * layers, std::vector<cf32>(num_res));
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (std::size_t i = 0; i < num_res; ++i) {
    for (unsigned r = 0; r < num_rx; ++r) {
      s.received[r][i] = {normal(rng), normal(rng)};
      for (unsigned l = 0; l < layers; ++l) {
        cf32 h{normal(rng), normal(rng)};
        const cf32 first = s.channel[std::size_t{r} * layers][i];
        if (special == Special::awkward) {
          if (i % 17 == 5) {
            h = {0.0F, 0.0F}; // no channel at all
          } else if (i % 23 == 7 && l == layers - 1 && l > 0) {
            h = first * 2.0F; // collinear columns
          } else if (i % 13 == 3 && l == layers - 1 && l > 0) {
            h = first + 1e-4F * h; // nearly collinear (ill-conditioned)
          } else if (i % 29 == 11) {
            h *= 1e-20F; // tiny
          } else if (i % 31 == 2) {
            h *= 1e20F; // huge (the Gram matrix overflows)
          } else if (i % 37 == 9 && r == 0 && l == 0) {
            h = {inf, 0.0F};
          } else if (i % 41 == 10 && r == num_rx - 1) {
            h = {nan, 1.0F};
          } else if (i % 19 == 4 && l == 0) {
            h = {-0.0F, 0.0F}; // a zero column with signed zeros
          } else if (i % 11 == 6 && r % layers != l) {
            // Orthogonal columns: exact (signed) zeros throughout the inverse.
            h = {(r + l) % 2 == 0 ? -0.0F : 0.0F, (r + l) % 3 == 0 ? -0.0F : 0.0F};
          }
          if (i % 43 == 12 && l == 0) {
            s.received[r][i] = {nan, -inf};
          } else if (i % 7 == 1 && l == 0) {
            s.received[r][i] = {r % 2 == 0 ? -0.0F : 0.0F, -0.0F}; // nothing received
          } else if (i % 47 == 20 && l == 0) {
            s.received[r][i] = {inf, 1.0F};
          }
        }
        s.channel[std::size_t{r} * layers + l][i] = h;
      }
    }
  }
  for (const auto& row : s.received) {
    s.received_rows.push_back(row.data());
  }
  for (const auto& row : s.channel) {
    s.channel_rows.push_back(row.data());
  }
  return s;
}

/// A random Hermitian positive definite covariance R = A A^H + floor I (row-major, num_rx^2),
/// ill-conditioned for a small \p floor with a rank-one A.
std::vector<cf32> make_covariance(std::mt19937& rng, unsigned num_rx, bool rank_one, float floor) {
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::vector<cf32> a(std::size_t{num_rx} * num_rx);
  for (auto& v : a) {
    v = {normal(rng), normal(rng)};
  }
  std::vector<cf32> r(a.size());
  const unsigned rank = rank_one ? 1 : num_rx;
  for (unsigned i = 0; i < num_rx; ++i) {
    for (unsigned j = 0; j < num_rx; ++j) {
      cf32 sum{0.0F, 0.0F};
      for (unsigned k = 0; k < rank; ++k) {
        sum += a[std::size_t{i} * num_rx + k] * std::conj(a[std::size_t{j} * num_rx + k]);
      }
      r[std::size_t{i} * num_rx + j] = i == j ? cf32{sum.real() + floor, 0.0F} : sum;
    }
  }
  return r;
}

/// Runs the AVX2 and the scalar equalizer on \p slot and compares their outputs bit for bit.
void expect_simd_equals_scalar(EqualizerAlgorithm algorithm, unsigned num_rx, unsigned layers,
                               std::size_t num_res, const EqualizerSlot& slot,
                               const EqualizerNoise& noise, const std::string& what) {
  const EqualizerInput input{num_rx, layers, num_res, slot.received_rows, slot.channel_rows};
  std::vector<cf32> simd_symbols(num_res * layers);
  std::vector<float> simd_noise(num_res * layers);
  std::vector<cf32> scalar_symbols(num_res * layers);
  std::vector<float> scalar_noise(num_res * layers);
  create_mimo_equalizer(algorithm, true)->equalize(input, noise, simd_symbols, simd_noise);
  create_mimo_equalizer(algorithm, false)->equalize(input, noise, scalar_symbols, scalar_noise);
  const std::string where = what + ": algorithm " + std::to_string(static_cast<int>(algorithm)) +
                            ", " + std::to_string(layers) + " layers, " + std::to_string(num_rx) +
                            " Rx, " + std::to_string(num_res) + " REs";
  EXPECT_EQ(bit_patterns(simd_symbols), bit_patterns(scalar_symbols)) << where;
  EXPECT_EQ(bit_patterns(simd_noise), bit_patterns(scalar_noise)) << where;
}

TEST(MimoEqualizerSimd, EqualsTheScalarKernelBitForBit) {
  std::mt19937 rng(17);
  constexpr std::size_t num_res = 203; // 25 steps of eight and a tail of three
  unsigned cases = 0;
  for (const auto algorithm : {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse}) {
    for (const unsigned layers : {1U, 2U, 3U, 4U}) {
      for (const unsigned num_rx : {1U, 2U, 3U, 4U, 5U, 8U, 16U}) {
        if (algorithm == EqualizerAlgorithm::zf && num_rx < layers) {
          continue;
        }
        const EqualizerSlot slot =
            make_equalizer_slot(rng, num_rx, layers, num_res, Special::awkward);
        expect_simd_equals_scalar(algorithm, num_rx, layers, num_res, slot, {0.05F, {}},
                                  "awkward REs");
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 50U);
}

TEST(MimoEqualizerSimd, EqualsTheScalarKernelWithZeroAndHugeNoise) {
  std::mt19937 rng(23);
  for (const auto algorithm : {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse}) {
    for (const unsigned layers : {1U, 2U, 3U, 4U}) {
      for (const float variance : {0.0F, 1e-30F, 1e6F, 1e30F, std::numeric_limits<float>::max()}) {
        const EqualizerSlot slot = make_equalizer_slot(rng, 4, layers, 77, Special::awkward);
        expect_simd_equals_scalar(algorithm, 4, layers, 77, slot, {variance, {}},
                                  "noise " + std::to_string(variance));
      }
    }
  }
}

TEST(MimoEqualizerSimd, EqualsTheScalarKernelOnShortRowsAndTails) {
  std::mt19937 rng(29);
  for (const auto algorithm : {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse}) {
    for (const unsigned layers : {1U, 2U, 3U, 4U}) {
      for (std::size_t num_res = 1; num_res <= 17; ++num_res) {
        const EqualizerSlot slot = make_equalizer_slot(rng, 4, layers, num_res, Special::none);
        expect_simd_equals_scalar(algorithm, 4, layers, num_res, slot, {0.1F, {}}, "short row");
      }
    }
  }
}

TEST(MimoEqualizerSimd, MmseIrcEqualsTheScalarKernelBitForBit) {
  std::mt19937 rng(31);
  unsigned cases = 0;
  for (const unsigned layers : {1U, 2U, 3U, 4U}) {
    for (const unsigned num_rx : {1U, 2U, 3U, 4U, 8U, 16U}) {
      for (const bool ill_conditioned : {false, true}) {
        for (const std::size_t num_res : {std::size_t{5}, std::size_t{99}}) {
          const EqualizerSlot slot = make_equalizer_slot(
              rng, num_rx, layers, num_res, num_res > 8 ? Special::awkward : Special::none);
          const std::vector<cf32> covariance =
              make_covariance(rng, num_rx, ill_conditioned, ill_conditioned ? 1e-5F : 0.05F);
          expect_simd_equals_scalar(EqualizerAlgorithm::mmse_irc, num_rx, layers, num_res, slot,
                                    {0.0F, covariance},
                                    ill_conditioned ? "ill-conditioned R" : "random R");
          ++cases;
        }
      }
    }
  }
  EXPECT_EQ(cases, 96U);
}

TEST(MimoEqualizerSimd, EmptyCallsWriteNothing) {
  for (const auto algorithm :
       {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse, EqualizerAlgorithm::mmse_irc}) {
    std::mt19937 rng(3);
    const EqualizerSlot slot = make_equalizer_slot(rng, 4, 4, 0, Special::none);
    const std::vector<cf32> covariance = make_covariance(rng, 4, false, 1.0F);
    expect_simd_equals_scalar(algorithm, 4, 4, 0, slot, {0.1F, covariance}, "no REs");
  }
}

} // namespace
