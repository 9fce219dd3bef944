// The AVX2 equalizer path (1 and 2 layers, ZF and MMSE, eight REs per step) gives bit for bit the
// scalar kernel's symbols and noise variances, for every antenna count, with a tail of REs that
// is not a multiple of eight, and on REs whose channel is zero, collinear or tiny (ZF's
// unresolvable REs: zero symbol, infinite noise). On a CPU without AVX2 both paths are scalar.
#include "airan/phy/mimo_equalizer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

/// The bit patterns of \p values (so that NaN and signed zeros compare exactly).
template <class T> std::vector<std::uint32_t> bits_of(const std::vector<T>& values) {
  std::vector<std::uint32_t> bits(values.size() * sizeof(T) / sizeof(std::uint32_t));
  std::memcpy(bits.data(), values.data(), bits.size() * sizeof(std::uint32_t));
  return bits;
}

TEST(MimoEqualizerSimd, EqualsTheScalarKernelBitForBit) {
  std::mt19937 rng(17);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  constexpr std::size_t num_res = 203; // 25 steps of eight and a tail of three
  unsigned cases = 0;
  for (const auto algorithm : {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse}) {
    for (const unsigned layers : {1U, 2U}) {
      for (const unsigned num_rx : {1U, 2U, 3U, 4U, 8U, 16U}) {
        if (algorithm == EqualizerAlgorithm::zf && num_rx < layers) {
          continue;
        }
        std::vector<std::vector<cf32>> received(num_rx, std::vector<cf32>(num_res));
        std::vector<std::vector<cf32>> channel(std::size_t{num_rx} * layers,
                                               std::vector<cf32>(num_res));
        for (std::size_t i = 0; i < num_res; ++i) {
          for (unsigned r = 0; r < num_rx; ++r) {
            received[r][i] = {normal(rng), normal(rng)};
            for (unsigned l = 0; l < layers; ++l) {
              cf32 h{normal(rng), normal(rng)};
              if (i % 17 == 5) {
                h = {0.0F, 0.0F}; // no channel at all
              } else if (i % 23 == 7 && l == 1) {
                h = channel[std::size_t{r} * layers][i] * 2.0F; // collinear columns
              } else if (i % 29 == 11) {
                h *= 1e-20F; // tiny
              }
              channel[std::size_t{r} * layers + l][i] = h;
            }
          }
        }
        std::vector<const cf32*> rx_rows;
        std::vector<const cf32*> h_rows;
        rx_rows.reserve(received.size());
        h_rows.reserve(channel.size());
        for (const auto& row : received) {
          rx_rows.push_back(row.data());
        }
        for (const auto& row : channel) {
          h_rows.push_back(row.data());
        }
        const EqualizerInput input{num_rx, layers, num_res, rx_rows, h_rows};
        const EqualizerNoise noise{0.05F, {}};
        std::vector<cf32> simd_symbols(num_res * layers);
        std::vector<float> simd_noise(num_res * layers);
        std::vector<cf32> scalar_symbols(num_res * layers);
        std::vector<float> scalar_noise(num_res * layers);
        create_mimo_equalizer(algorithm, true)->equalize(input, noise, simd_symbols, simd_noise);
        create_mimo_equalizer(algorithm, false)
            ->equalize(input, noise, scalar_symbols, scalar_noise);
        EXPECT_EQ(bits_of(simd_symbols), bits_of(scalar_symbols))
            << layers << " layers, " << num_rx << " Rx";
        EXPECT_EQ(bits_of(simd_noise), bits_of(scalar_noise))
            << layers << " layers, " << num_rx << " Rx";
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 23U);
}

} // namespace
