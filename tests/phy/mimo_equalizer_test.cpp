// MIMO equalizer: exact ZF on noiseless invertible channels (1-4 layers, 1-16 antennas), MMSE
// and MMSE-IRC tending to ZF as the noise vanishes, post-equalization noise variance against
// the empirical error variance, and MMSE-IRC against MMSE with a strong coloured interferer.
#include "airan/phy/mimo_equalizer.h"
#include "airan/phy/modulation_mapper.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <stdexcept>
#include <vector>

namespace airan::phy {
namespace {

using airan::test::complex_normal;

// rows x cols matrix (row-major) with orthonormal columns, by Gram-Schmidt on Gaussian columns.
std::vector<cf32> orthonormal_columns(unsigned rows, unsigned cols, std::mt19937& rng) {
  std::vector<cf32> m(std::size_t{rows} * cols);
  for (auto& v : m) {
    v = complex_normal(rng, 1.0F);
  }
  for (unsigned c = 0; c < cols; ++c) {
    for (unsigned p = 0; p < c; ++p) {
      cf32 dot(0.0F, 0.0F);
      for (unsigned r = 0; r < rows; ++r) {
        dot += std::conj(m[r * cols + p]) * m[r * cols + c];
      }
      for (unsigned r = 0; r < rows; ++r) {
        m[r * cols + c] -= dot * m[r * cols + p];
      }
    }
    float norm = 0.0F;
    for (unsigned r = 0; r < rows; ++r) {
      norm += std::norm(m[r * cols + c]);
    }
    for (unsigned r = 0; r < rows; ++r) {
      m[r * cols + c] /= std::sqrt(norm);
    }
  }
  return m;
}

// REs of one test: rows [rx][RE], channel rows [rx * layers + layer][RE], transmitted symbols
// [RE][layer] (unit-power QPSK).
struct Scenario {
  unsigned num_rx = 0;
  unsigned num_layers = 0;
  std::size_t num_res = 0;
  std::vector<std::vector<cf32>> received;
  std::vector<std::vector<cf32>> channel;
  std::vector<cf32> symbols;
  std::vector<const cf32*> received_rows;
  std::vector<const cf32*> channel_rows;

  [[nodiscard]] EqualizerInput input() {
    received_rows.clear();
    channel_rows.clear();
    for (auto& row : received) {
      received_rows.push_back(row.data());
    }
    for (auto& row : channel) {
      channel_rows.push_back(row.data());
    }
    return {num_rx, num_layers, num_res, received_rows, channel_rows};
  }
};

// y = H x (+ noise of variance \p noise) (+ an interferer g s of power \p interference per RE,
// g fixed across REs). \p fixed_channel: one random channel for every RE, else one per RE.
Scenario make_equalizer_scenario(unsigned num_rx, unsigned num_layers, std::size_t num_res,
                                 float noise, unsigned seed, bool fixed_channel = false,
                                 const std::vector<cf32>& interferer = {},
                                 float interference = 0.0F) {
  std::mt19937 rng(seed);
  Scenario s;
  s.num_rx = num_rx;
  s.num_layers = num_layers;
  s.num_res = num_res;
  s.received.assign(num_rx, std::vector<cf32>(num_res));
  s.channel.assign(std::size_t{num_rx} * num_layers, std::vector<cf32>(num_res));
  s.symbols.resize(num_res * num_layers);
  std::uniform_int_distribution<int> bit(0, 1);
  std::vector<cf32> h(std::size_t{num_rx} * num_layers);
  for (auto& v : h) {
    v = complex_normal(rng, 1.0F);
  }
  for (std::size_t i = 0; i < num_res; ++i) {
    if (!fixed_channel) {
      for (auto& v : h) {
        v = complex_normal(rng, 1.0F);
      }
    }
    for (unsigned l = 0; l < num_layers; ++l) {
      const float a = 0.70710678F;
      s.symbols[i * num_layers + l] = cf32(bit(rng) != 0 ? a : -a, bit(rng) != 0 ? a : -a);
    }
    const cf32 interfering_symbol = complex_normal(rng, interference);
    for (unsigned r = 0; r < num_rx; ++r) {
      cf32 y = noise > 0.0F ? complex_normal(rng, noise) : cf32(0.0F, 0.0F);
      for (unsigned l = 0; l < num_layers; ++l) {
        s.channel[r * num_layers + l][i] = h[r * num_layers + l];
        y += h[r * num_layers + l] * s.symbols[i * num_layers + l];
      }
      if (!interferer.empty()) {
        y += interferer[r] * interfering_symbol;
      }
      s.received[r][i] = y;
    }
  }
  return s;
}

struct Output {
  std::vector<cf32> symbols;
  std::vector<float> noise;
};

Output run_equalizer(EqualizerAlgorithm algorithm, Scenario& s, EqualizerNoise noise) {
  auto equalizer = create_mimo_equalizer(algorithm);
  Output out{std::vector<cf32>(s.num_res * s.num_layers),
             std::vector<float>(s.num_res * s.num_layers)};
  equalizer->equalize(s.input(), noise, out.symbols, out.noise);
  return out;
}

std::vector<cf32> scaled_identity(unsigned n, float value) {
  std::vector<cf32> r(std::size_t{n} * n, cf32(0.0F, 0.0F));
  for (unsigned i = 0; i < n; ++i) {
    r[i * n + i] = cf32(value, 0.0F);
  }
  return r;
}

TEST(MimoEqualizer, ZeroForcingRecoversSymbolsOnNoiselessChannels) {
  for (unsigned layers = 1; layers <= 4; ++layers) {
    for (unsigned rx : {1U, 2U, 3U, 4U, 8U, 16U}) {
      if (rx < layers) {
        continue;
      }
      Scenario s = make_equalizer_scenario(rx, layers, 500, 0.0F, 10 * rx + layers);
      // Random invertible channels with a bounded condition number (<= 4): H = Q D V^H with
      // random orthonormal Q (rx x layers), V (layers x layers) and D in [0.5, 2]. (The Gram
      // solution squares the condition number, which single precision has to carry.)
      std::mt19937 rng(rx * 7 + layers);
      std::uniform_real_distribution<float> gain(0.5F, 2.0F);
      for (std::size_t i = 0; i < s.num_res; ++i) {
        const auto q = orthonormal_columns(rx, layers, rng);
        const auto v = orthonormal_columns(layers, layers, rng);
        std::vector<float> d(layers);
        for (auto& g : d) {
          g = gain(rng);
        }
        for (unsigned r = 0; r < rx; ++r) {
          cf32 y(0.0F, 0.0F);
          for (unsigned l = 0; l < layers; ++l) {
            cf32 h(0.0F, 0.0F);
            for (unsigned k = 0; k < layers; ++k) {
              h += q[r * layers + k] * d[k] * std::conj(v[l * layers + k]);
            }
            s.channel[r * layers + l][i] = h;
            y += h * s.symbols[i * layers + l];
          }
          s.received[r][i] = y;
        }
      }
      const Output out = run_equalizer(EqualizerAlgorithm::zf, s, {0.01F, {}});
      float worst = 0.0F;
      for (std::size_t i = 0; i < out.symbols.size(); ++i) {
        worst = std::max(worst, std::abs(out.symbols[i] - s.symbols[i]));
        ASSERT_TRUE(std::isfinite(out.noise[i]));
      }
      EXPECT_LT(worst, 1e-4F) << rx << " rx, " << layers << " layers";
    }
  }
}

TEST(MimoEqualizer, MmseAndIrcTendToZeroForcingAsNoiseVanishes) {
  for (unsigned layers = 1; layers <= 4; ++layers) {
    const unsigned rx = 4;
    Scenario s = make_equalizer_scenario(rx, layers, 300, 0.0F, 40 + layers);
    const float tiny = 1e-7F;
    const Output zf = run_equalizer(EqualizerAlgorithm::zf, s, {tiny, {}});
    const Output mmse = run_equalizer(EqualizerAlgorithm::mmse, s, {tiny, {}});
    const std::vector<cf32> covariance = scaled_identity(rx, tiny);
    const Output irc = run_equalizer(EqualizerAlgorithm::mmse_irc, s, {0.0F, covariance});
    for (std::size_t i = 0; i < zf.symbols.size(); ++i) {
      EXPECT_LT(std::abs(mmse.symbols[i] - zf.symbols[i]), 1e-3F) << layers << " layers";
      EXPECT_LT(std::abs(irc.symbols[i] - zf.symbols[i]), 1e-3F) << layers << " layers";
      EXPECT_NEAR(mmse.noise[i], zf.noise[i], 1e-2F * zf.noise[i]);
      EXPECT_NEAR(irc.noise[i], zf.noise[i], 1e-2F * zf.noise[i]);
    }
  }
}

// 2 layers, 4 antennas, AWGN at 10 dB: for each of several fixed channels, the mean squared error
// of every layer's equalized symbols against the reported noise variance, within 10%.
TEST(MimoEqualizer, PostEqualizationNoiseMatchesEmpiricalErrorVariance) {
  const float noise = 0.1F;
  for (EqualizerAlgorithm algorithm :
       {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse, EqualizerAlgorithm::mmse_irc}) {
    for (unsigned channel = 0; channel < 10; ++channel) {
      Scenario s = make_equalizer_scenario(4, 2, 4000, noise, 200 + channel, true);
      const std::vector<cf32> covariance = scaled_identity(4, noise);
      const Output out = run_equalizer(algorithm, s, {noise, covariance});
      for (unsigned l = 0; l < 2; ++l) {
        double error = 0.0;
        double predicted = 0.0;
        for (std::size_t i = 0; i < s.num_res; ++i) {
          error += std::norm(out.symbols[i * 2 + l] - s.symbols[i * 2 + l]);
          predicted += out.noise[i * 2 + l];
        }
        EXPECT_NEAR(error / predicted, 1.0, 0.1) << "algorithm " << static_cast<int>(algorithm)
                                                 << ", channel " << channel << ", layer " << l;
      }
    }
  }
}

// One interfering stream 20 dB above the noise with a fixed spatial signature: MMSE-IRC, given
// the interference-plus-noise covariance, nulls it; MMSE, given the same average power as white
// noise, cannot. IRC must have fewer QPSK symbol errors and a higher mean post-equalization SINR.
TEST(MimoEqualizer, IrcBeatsMmseWithColouredInterference) {
  const unsigned rx = 4;
  const float noise = 0.01F;
  const float interference = 1.0F;
  std::mt19937 rng(77);
  std::vector<cf32> signature(rx);
  for (auto& g : signature) {
    g = complex_normal(rng, 1.0F);
  }
  Scenario s = make_equalizer_scenario(rx, 2, 20000, noise, 78, false, signature, interference);
  std::vector<cf32> covariance = scaled_identity(rx, noise);
  float mean_power = 0.0F;
  for (unsigned a = 0; a < rx; ++a) {
    for (unsigned b = 0; b < rx; ++b) {
      covariance[a * rx + b] += interference * signature[a] * std::conj(signature[b]);
    }
    mean_power += covariance[a * rx + a].real() / rx;
  }
  const Output mmse = run_equalizer(EqualizerAlgorithm::mmse, s, {mean_power, {}});
  const Output irc = run_equalizer(EqualizerAlgorithm::mmse_irc, s, {mean_power, covariance});
  auto symbol_errors = [&](const Output& out) {
    std::size_t errors = 0;
    for (std::size_t i = 0; i < out.symbols.size(); ++i) {
      const bool wrong = (out.symbols[i].real() > 0) != (s.symbols[i].real() > 0) ||
                         (out.symbols[i].imag() > 0) != (s.symbols[i].imag() > 0);
      errors += wrong ? 1U : 0U;
    }
    return errors;
  };
  auto mean_sinr = [](const Output& out) {
    double sum = 0.0;
    for (float v : out.noise) {
      sum += 1.0 / v;
    }
    return sum / static_cast<double>(out.noise.size());
  };
  const std::size_t mmse_errors = symbol_errors(mmse);
  const std::size_t irc_errors = symbol_errors(irc);
  EXPECT_LT(irc_errors * 2, mmse_errors) << "IRC " << irc_errors << ", MMSE " << mmse_errors;
  EXPECT_GT(mean_sinr(irc), 2.0 * mean_sinr(mmse));
}

TEST(MimoEqualizer, RejectsInvalidInput) {
  Scenario s = make_equalizer_scenario(2, 3, 4, 0.0F, 1);
  auto zf = create_mimo_equalizer(EqualizerAlgorithm::zf);
  std::vector<cf32> symbols(12);
  std::vector<float> noise(12);
  EXPECT_THROW(zf->equalize(s.input(), {0.1F, {}}, symbols, noise), std::invalid_argument);
  auto mmse = create_mimo_equalizer(EqualizerAlgorithm::mmse);
  EXPECT_NO_THROW(mmse->equalize(s.input(), {0.1F, {}}, symbols, noise));
  EXPECT_THROW(mmse->equalize(s.input(), {0.1F, {}}, std::span<cf32>(symbols).first(11), noise),
               std::invalid_argument);
  auto irc = create_mimo_equalizer(EqualizerAlgorithm::mmse_irc);
  EXPECT_THROW(irc->equalize(s.input(), {0.1F, {}}, symbols, noise), std::invalid_argument);
  const std::vector<cf32> not_positive(4, cf32(0.0F, 0.0F));
  EXPECT_THROW(irc->equalize(s.input(), {0.1F, not_positive}, symbols, noise),
               std::invalid_argument);
}

TEST(MimoEqualizer, RankDeficientZeroForcingGivesZeroConfidence) {
  Scenario s = make_equalizer_scenario(2, 2, 1, 0.0F, 5);
  s.channel[2][0] = s.channel[0][0]; // both antennas see the same pair of layer gains
  s.channel[3][0] = s.channel[1][0];
  auto zf = create_mimo_equalizer(EqualizerAlgorithm::zf);
  std::vector<cf32> symbols(2);
  std::vector<float> noise(2);
  zf->equalize(s.input(), {0.1F, {}}, symbols, noise);
  EXPECT_TRUE(std::isinf(noise[0]));
  EXPECT_TRUE(std::isinf(noise[1]));
  EXPECT_EQ(symbols[0], cf32(0.0F, 0.0F));
}

} // namespace
} // namespace airan::phy
