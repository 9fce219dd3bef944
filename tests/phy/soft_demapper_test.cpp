// Soft demapper: LLR signs on noise-free symbols, exact max-log values against a brute-force
// search over the modulation mapper's constellation, QPSK BER against theory, size checks.
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/soft_demapper.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

namespace airan::phy {
namespace {

constexpr Modulation all_modulations[] = {Modulation::pi2_bpsk, Modulation::qpsk,
                                          Modulation::qam16,    Modulation::qam64,
                                          Modulation::qam256,   Modulation::qam1024};

BitVector random_bits(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  BitVector bits(n);
  for (auto& b : bits) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  return bits;
}

// Every constellation point of \p modulation for symbol position \p index (which matters for
// pi/2-BPSK only), with its bits, built with the modulation mapper itself.
struct Constellation {
  std::vector<cf32> points;
  std::vector<BitVector> bits;
};

Constellation constellation(Modulation modulation, std::size_t index) {
  const unsigned qm = bits_per_symbol(modulation);
  Constellation c;
  for (unsigned value = 0; value < (1U << qm); ++value) {
    BitVector bits(qm);
    for (unsigned j = 0; j < qm; ++j) {
      bits[j] = static_cast<bit_t>((value >> j) & 1U);
    }
    cf32 point;
    if (modulation == Modulation::pi2_bpsk) {
      float re = 0.0F;
      float im = 0.0F;
      pi2_bpsk_symbol(bits[0], index, re, im);
      point = cf32(re, im);
    } else {
      modulate(bits, modulation, std::span<cf32>(&point, 1));
    }
    c.points.push_back(point);
    c.bits.push_back(bits);
  }
  return c;
}

// Brute-force max-log LLR of bit j: (min over b=1 - min over b=0) of |y - s|^2, / sigma^2.
double brute_force_llr(const Constellation& c, cf32 y, unsigned j, double noise) {
  double best[2] = {std::numeric_limits<double>::max(), std::numeric_limits<double>::max()};
  for (std::size_t i = 0; i < c.points.size(); ++i) {
    const double dr = static_cast<double>(y.real()) - c.points[i].real();
    const double di = static_cast<double>(y.imag()) - c.points[i].imag();
    best[c.bits[i][j]] = std::min(best[c.bits[i][j]], dr * dr + di * di);
  }
  return (best[1] - best[0]) / noise;
}

TEST(SoftDemapper, NoiseFreeSignsAreTheTransmittedBits) {
  for (Modulation modulation : all_modulations) {
    const unsigned qm = bits_per_symbol(modulation);
    const std::size_t num_symbols = 4096;
    const BitVector bits = random_bits(num_symbols * qm, 7 + qm);
    std::vector<cf32> symbols(num_symbols);
    modulate(bits, modulation, symbols);
    for (float noise : {0.0F, 1e-3F, 0.5F}) {
      const std::vector<float> noise_variances(num_symbols, noise);
      std::vector<float> llrs(bits.size());
      demodulate_soft(symbols, noise_variances, modulation, llrs);
      std::size_t errors = 0;
      for (std::size_t i = 0; i < bits.size(); ++i) {
        ASSERT_TRUE(std::isfinite(llrs[i])) << "Q_m " << qm << " bit " << i;
        errors += (llrs[i] > 0.0F ? 0U : 1U) != bits[i] ? 1U : 0U;
        errors += llrs[i] == 0.0F ? 1U : 0U;
      }
      EXPECT_EQ(errors, 0U) << "Q_m " << qm << ", noise variance " << noise;
    }
  }
}

// Points around the constellation (noisy, and far outside it) against the brute force, to 1e-4
// relative (with a floor of 1e-4 / sigma^2 for LLRs near zero).
TEST(SoftDemapper, MaxLogEqualsBruteForceMinimum) {
  std::mt19937 rng(11);
  for (Modulation modulation : all_modulations) {
    const unsigned qm = bits_per_symbol(modulation);
    const std::size_t num_symbols = 3000;
    const BitVector bits = random_bits(num_symbols * qm, 100 + qm);
    std::vector<cf32> symbols(num_symbols);
    modulate(bits, modulation, symbols);
    std::vector<float> noise_variances(num_symbols);
    std::uniform_real_distribution<float> log_noise(-4.0F, 0.5F);
    for (std::size_t i = 0; i < num_symbols; ++i) {
      noise_variances[i] = std::pow(10.0F, log_noise(rng));
      std::normal_distribution<float> noise(0.0F, std::sqrt(noise_variances[i] / 2.0F));
      const float spread = i % 10 == 0 ? 3.0F : 1.0F; // some far outside the constellation
      symbols[i] += cf32(spread * noise(rng), spread * noise(rng));
    }
    std::vector<float> llrs(num_symbols * qm);
    demodulate_soft(symbols, noise_variances, modulation, llrs);
    // The search-based per-symbol function (the table-free AIRAN_HOST_DEVICE kernel) too.
    std::vector<float> searched(num_symbols * qm);
    for (std::size_t i = 0; i < num_symbols; ++i) {
      if (modulation == Modulation::pi2_bpsk) {
        searched[i] =
            pi2_bpsk_symbol_llr(symbols[i].real(), symbols[i].imag(), noise_variances[i], i);
      } else {
        qam_symbol_llrs(symbols[i].real(), symbols[i].imag(), noise_variances[i], qm,
                        &searched[i * qm]);
      }
    }
    const Constellation fixed = constellation(modulation, 0);
    for (std::size_t i = 0; i < num_symbols; ++i) {
      const Constellation& c =
          modulation == Modulation::pi2_bpsk ? constellation(modulation, i) : fixed;
      for (unsigned j = 0; j < qm; ++j) {
        const double reference = brute_force_llr(c, symbols[i], j, noise_variances[i]);
        const double tolerance = 1e-4 * std::max(std::abs(reference), 1.0 / noise_variances[i]);
        ASSERT_NEAR(llrs[i * qm + j], reference, tolerance)
            << "Q_m " << qm << " symbol " << i << " bit " << j;
        ASSERT_NEAR(searched[i * qm + j], reference, tolerance)
            << "search form, Q_m " << qm << " symbol " << i << " bit " << j;
      }
    }
  }
}

// The exact (log-MAP) demapper against a brute-force sum over the whole 2-D constellation of
// the modulation mapper (independently of the per-axis split the demapper uses), in double;
// and it differs from max-log where the second-nearest points matter (low SNR) while agreeing
// with it at high SNR.
TEST(SoftDemapper, ExactEqualsBruteForceLogSumExp) {
  std::mt19937 rng(23);
  const auto demapper = create_exact_soft_demapper();
  for (Modulation modulation :
       {Modulation::qpsk, Modulation::qam16, Modulation::qam64, Modulation::qam256}) {
    const unsigned qm = bits_per_symbol(modulation);
    const std::size_t num_symbols = 400;
    const BitVector bits = random_bits(num_symbols * qm, 300 + qm);
    std::vector<cf32> symbols(num_symbols);
    modulate(bits, modulation, symbols);
    std::vector<float> noise_variances(num_symbols);
    std::uniform_real_distribution<float> log_noise(-3.0F, 0.5F);
    for (std::size_t i = 0; i < num_symbols; ++i) {
      noise_variances[i] = std::pow(10.0F, log_noise(rng));
      std::normal_distribution<float> noise(0.0F, std::sqrt(noise_variances[i] / 2.0F));
      symbols[i] += cf32(noise(rng), noise(rng));
    }
    std::vector<float> exact(num_symbols * qm);
    demapper->demodulate(symbols, noise_variances, modulation, exact);
    std::vector<float> max_log(num_symbols * qm);
    demodulate_soft(symbols, noise_variances, modulation, max_log);
    const Constellation c = constellation(modulation, 0);
    double largest_low_snr_gap = 0.0;
    for (std::size_t i = 0; i < num_symbols; ++i) {
      for (unsigned j = 0; j < qm; ++j) {
        // ln sum exp(m_k) per bit value, each sum scaled by its largest term.
        std::vector<double> metrics(c.points.size());
        double best[2] = {-INFINITY, -INFINITY};
        for (std::size_t k = 0; k < c.points.size(); ++k) {
          metrics[k] =
              -std::norm(std::complex<double>(symbols[i]) - std::complex<double>(c.points[k])) /
              noise_variances[i];
          best[c.bits[k][j]] = std::max(best[c.bits[k][j]], metrics[k]);
        }
        double sum[2] = {0.0, 0.0};
        for (std::size_t k = 0; k < c.points.size(); ++k) {
          sum[c.bits[k][j]] += std::exp(metrics[k] - best[c.bits[k][j]]);
        }
        const double reference = (best[0] + std::log(sum[0])) - (best[1] + std::log(sum[1]));
        ASSERT_NEAR(exact[i * qm + j], reference, 1e-4 * std::max(std::abs(reference), 1.0))
            << "Q_m " << qm << " symbol " << i << " bit " << j;
        if (noise_variances[i] > 0.5F) {
          largest_low_snr_gap = std::max(largest_low_snr_gap,
                                         std::abs(double{max_log[i * qm + j]} - exact[i * qm + j]));
        }
        if (noise_variances[i] < 2e-3F && qm <= 4) {
          EXPECT_NEAR(max_log[i * qm + j], exact[i * qm + j],
                      1e-3 * std::abs(exact[i * qm + j]) + 1e-2)
              << "high SNR, Q_m " << qm;
        }
      }
    }
    if (qm > 2) { // QPSK's per-axis max-log is exact
      EXPECT_GT(largest_low_snr_gap, 0.05) << "Q_m " << qm;
    }
  }
}

TEST(SoftDemapper, InterfaceMatchesFreeFunctionAndScalesWithNoise) {
  auto demapper = create_soft_demapper();
  const BitVector bits = random_bits(std::size_t{64} * 8, 5);
  std::vector<cf32> symbols(64);
  modulate(bits, Modulation::qam256, symbols);
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0F, 0.05F);
  for (auto& s : symbols) {
    s += cf32(noise(rng), noise(rng));
  }
  std::vector<float> unit(bits.size());
  std::vector<float> doubled(bits.size());
  demapper->demodulate(symbols, std::vector<float>(64, 0.01F), Modulation::qam256, unit);
  demodulate_soft(symbols, std::vector<float>(64, 0.02F), Modulation::qam256, doubled);
  for (std::size_t i = 0; i < bits.size(); ++i) {
    EXPECT_NEAR(doubled[i], 0.5F * unit[i], 1e-4F * std::abs(unit[i]) + 1e-6F);
  }
}

double q_function(double x) {
  return 0.5 * std::erfc(x / std::sqrt(2.0));
}

// Uncoded QPSK over AWGN: hard decisions of the LLRs against Q(sqrt(2 Eb/N0)) = Q(sqrt(Es/N0)),
// Es = 1 (unit-power symbols, complex noise variance N0), within 10%.
TEST(SoftDemapper, QpskBitErrorRateMatchesTheory) {
  const std::size_t num_symbols = 1000000;
  const BitVector bits = random_bits(2 * num_symbols, 21);
  std::vector<cf32> symbols(num_symbols);
  modulate(bits, Modulation::qpsk, symbols);
  std::mt19937 rng(22);
  for (double eb_n0_db : {0.0, 3.0, 6.0}) {
    const double es_n0 = 2.0 * std::pow(10.0, eb_n0_db / 10.0);
    const auto n0 = static_cast<float>(1.0 / es_n0);
    std::normal_distribution<float> noise(0.0F, std::sqrt(n0 / 2.0F));
    std::vector<cf32> received(symbols);
    for (auto& s : received) {
      s += cf32(noise(rng), noise(rng));
    }
    std::vector<float> llrs(bits.size());
    demodulate_soft(received, std::vector<float>(num_symbols, n0), Modulation::qpsk, llrs);
    std::size_t errors = 0;
    for (std::size_t i = 0; i < bits.size(); ++i) {
      errors += (llrs[i] < 0.0F ? 1U : 0U) != bits[i] ? 1U : 0U;
    }
    const double ber = static_cast<double>(errors) / static_cast<double>(bits.size());
    const double theory = q_function(std::sqrt(es_n0));
    EXPECT_NEAR(ber, theory, 0.1 * theory) << "Eb/N0 " << eb_n0_db << " dB";
  }
}

// Samples so large that the interval index would overflow an int (and infinities) still get
// the outermost interval on their own side: every LLR has the sign of the outermost level's.
TEST(SoftDemapper, HugeSamplesUseTheOutermostInterval) {
  for (Modulation modulation : all_modulations) {
    if (modulation == Modulation::pi2_bpsk) {
      continue;
    }
    const unsigned qm = bits_per_symbol(modulation);
    const float outer = qam_scale(qm) * static_cast<float>((1 << (qm / 2)) - 1);
    for (const float sign : {1.0F, -1.0F}) {
      const std::vector<cf32> reference = {cf32(sign * outer, sign * outer)};
      const std::vector<float> variance = {0.1F};
      std::vector<float> expected(qm);
      demodulate_soft(reference, variance, modulation, expected);
      for (const float magnitude : {1e10F, 1e30F, std::numeric_limits<float>::infinity()}) {
        const std::vector<cf32> huge = {cf32(sign * magnitude, sign * magnitude)};
        std::vector<float> llrs(qm);
        demodulate_soft(huge, variance, modulation, llrs);
        for (unsigned j = 0; j < qm; ++j) {
          EXPECT_EQ(std::signbit(llrs[j]), std::signbit(expected[j]))
              << "Q_m " << qm << ", sample " << sign * magnitude << ", bit " << j;
        }
      }
    }
  }
}

/// qam_symbol_llrs_fixed<Qm> through a runtime Q_m.
void fixed_llrs(unsigned qm, const PamLlrTable& table, float re, float im, float noise,
                float* llrs) {
  switch (qm) {
  case 2:
    return qam_symbol_llrs_fixed<2>(table, re, im, noise, llrs);
  case 4:
    return qam_symbol_llrs_fixed<4>(table, re, im, noise, llrs);
  case 6:
    return qam_symbol_llrs_fixed<6>(table, re, im, noise, llrs);
  case 8:
    return qam_symbol_llrs_fixed<8>(table, re, im, noise, llrs);
  default:
    return qam_symbol_llrs_fixed<10>(table, re, im, noise, llrs);
  }
}

// The compile-time form of the table demapper (the CUDA equalizer's, which keeps the LLRs in
// registers) gives the runtime form's values bit for bit: inside, between and far outside the
// points, at infinities and NaN, at tiny and huge noise variances.
TEST(SoftDemapper, FixedBitsPerAxisEqualsTheTableFormBitForBit) {
  std::mt19937 rng(31);
  std::uniform_real_distribution<float> sample(-2.0F, 2.0F);
  std::uniform_real_distribution<float> log_noise(-9.0F, 3.0F);
  const float specials[] = {0.0F,
                            -0.0F,
                            1e30F,
                            -1e30F,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN()};
  for (const unsigned qm : {2U, 4U, 6U, 8U, 10U}) {
    const PamLlrTable table = make_pam_llr_table(qm / 2, qam_scale(qm));
    for (unsigned i = 0; i < 20000; ++i) {
      float re = sample(rng);
      float im = sample(rng);
      if (i < 49) {
        re = specials[i % 7];
        im = specials[i / 7];
      }
      const float noise = std::pow(10.0F, log_noise(rng));
      float runtime[10];
      float fixed[10];
      qam_symbol_llrs(table, re, im, noise, runtime);
      fixed_llrs(qm, table, re, im, noise, fixed);
      for (unsigned j = 0; j < qm; ++j) {
        // Bit patterns: NaN equals NaN, and 0 and -0 differ.
        std::uint32_t a = 0;
        std::uint32_t b = 0;
        std::memcpy(&a, &runtime[j], sizeof a);
        std::memcpy(&b, &fixed[j], sizeof b);
        ASSERT_EQ(a, b) << "Q_m " << qm << ", (" << re << ", " << im << "), bit " << j;
      }
    }
  }
}

// A NaN noise variance says nothing of the noise: every demapper gives LLRs 0 (erasures), where
// the floor made them the most confident there are; an infinite one gives 0 as well, and a zero
// one the floor's large finite LLRs.
TEST(SoftDemapper, UnknownNoiseGivesErasures) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<cf32> symbols(11, cf32(0.7F, -0.3F)); // 8 in an AVX2 step, 3 after it
  for (const Modulation modulation :
       {Modulation::pi2_bpsk, Modulation::qpsk, Modulation::qam16, Modulation::qam256}) {
    const unsigned qm = bits_per_symbol(modulation);
    std::vector<float> llrs(symbols.size() * qm);
    for (const auto& demapper :
         {create_soft_demapper(false), create_soft_demapper(true), create_exact_soft_demapper()}) {
      for (const float noise : {nan, -nan, inf}) {
        std::fill(llrs.begin(), llrs.end(), 1.0F);
        demapper->demodulate(symbols, std::vector<float>(symbols.size(), noise), modulation, llrs);
        for (const float llr : llrs) {
          ASSERT_EQ(llr, 0.0F) << "Q_m " << qm << ", noise " << noise;
        }
      }
      demapper->demodulate(symbols, std::vector<float>(symbols.size(), 0.0F), modulation, llrs);
      EXPECT_TRUE(std::all_of(llrs.begin(), llrs.end(),
                              [](float llr) { return std::isfinite(llr) && std::abs(llr) > 1e6F; }))
          << "Q_m " << qm;
    }
  }
}

TEST(SoftDemapper, RejectsMismatchedSizes) {
  std::vector<cf32> symbols(10);
  std::vector<float> noise(10, 1.0F);
  std::vector<float> llrs(40);
  EXPECT_NO_THROW(demodulate_soft(symbols, noise, Modulation::qam16, llrs));
  EXPECT_THROW(demodulate_soft(symbols, noise, Modulation::qam64, llrs), std::invalid_argument);
  EXPECT_THROW(demodulate_soft(symbols, std::vector<float>(9, 1.0F), Modulation::qam16, llrs),
               std::invalid_argument);
}

} // namespace
} // namespace airan::phy
