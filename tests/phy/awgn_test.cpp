// AwgnGenerator: moments of the noise (variance, I/Q balance and independence, Gaussian kurtosis,
// whiteness), determinism, and uncoded QPSK bit error rates against 0.5 erfc(sqrt(Eb/N0)).
#include "airan/phy/awgn.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/snr_definition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

namespace {

using namespace airan::phy;

TEST(AwgnGenerator, HasTheRequestedVarianceWithIndependentGaussianComponents) {
  constexpr std::size_t count = 1 << 21;
  constexpr float variance = 0.5F;
  std::vector<cf32> samples(count, cf32(0.0F, 0.0F));
  AwgnGenerator awgn(12345);
  awgn.add(samples, variance);

  double sum_i = 0.0, sum_q = 0.0, sum_ii = 0.0, sum_qq = 0.0, sum_iq = 0.0;
  double sum_i4 = 0.0, sum_lag = 0.0;
  for (std::size_t n = 0; n < count; ++n) {
    const double i = samples[n].real();
    const double q = samples[n].imag();
    sum_i += i;
    sum_q += q;
    sum_ii += i * i;
    sum_qq += q * q;
    sum_iq += i * q;
    sum_i4 += i * i * i * i;
    if (n > 0) {
      sum_lag += (std::conj(samples[n]) * samples[n - 1]).real();
    }
  }
  const double n = count;
  const double component = variance / 2.0; // per real component
  // Standard errors: mean sqrt(c / n), variance c sqrt(2 / n); bounds at about 5 sigma.
  EXPECT_NEAR(sum_i / n, 0.0, 5.0 * std::sqrt(component / n));
  EXPECT_NEAR(sum_q / n, 0.0, 5.0 * std::sqrt(component / n));
  EXPECT_NEAR(sum_ii / n, component, 5.0 * component * std::sqrt(2.0 / n));
  EXPECT_NEAR(sum_qq / n, component, 5.0 * component * std::sqrt(2.0 / n));
  EXPECT_NEAR((sum_ii + sum_qq) / n, variance, 5.0 * variance / std::sqrt(n));
  // I/Q independence and whiteness: normalised correlations ~ N(0, 1/n).
  EXPECT_NEAR(sum_iq / n / component, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(sum_lag / n / variance, 0.0, 5.0 / std::sqrt(n));
  // Gaussian kurtosis E[x^4] / E[x^2]^2 = 3 (standard error sqrt(96 / n)).
  const double kurtosis = (sum_i4 / n) / ((sum_ii / n) * (sum_ii / n));
  EXPECT_NEAR(kurtosis, 3.0, 5.0 * std::sqrt(96.0 / n));
}

TEST(AwgnGenerator, IsDeterministicPerSeed) {
  std::vector<cf32> a(1000, cf32(1.0F, -1.0F));
  std::vector<cf32> b = a;
  std::vector<cf32> c = a;
  AwgnGenerator first(7);
  AwgnGenerator second(7);
  AwgnGenerator other(8);
  first.add(a, 0.1F);
  second.add(b, 0.1F);
  other.add(c, 0.1F);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);

  // reseed restarts the sequence; a zero variance neither changes samples nor the state.
  std::vector<cf32> d(1000, cf32(1.0F, -1.0F));
  first.reseed(7);
  const std::vector<cf32> untouched = d;
  first.add(d, 0.0F);
  EXPECT_EQ(d, untouched);
  first.add(d, 0.1F);
  EXPECT_EQ(d, a);
}

TEST(AwgnGenerator, CoversEveryElementOfAGridAndRejectsBadVariances) {
  ResourceGrid grid(2, 14, 48);
  grid.fill_zero();
  AwgnGenerator awgn(3);
  awgn.add(grid, 1.0F);
  for (const cf32& v : grid.elements()) {
    EXPECT_NE(v, cf32(0.0F, 0.0F));
  }
  std::vector<cf32> samples(4);
  EXPECT_THROW(awgn.add(samples, -1.0F), std::invalid_argument);
  EXPECT_THROW(awgn.add(samples, std::nanf("")), std::invalid_argument);
  EXPECT_THROW(awgn.add(grid, INFINITY), std::invalid_argument);
}

/// Eb/N0 (linear) for which 0.5 erfc(sqrt(Eb/N0)) equals \p ber (bisection in dB).
double ebno_db_for_qpsk_ber(double ber) {
  double low = -20.0;
  double high = 20.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = (low + high) / 2.0;
    const double theory = 0.5 * std::erfc(std::sqrt(std::pow(10.0, mid / 10.0)));
    (theory > ber ? low : high) = mid;
  }
  return (low + high) / 2.0;
}

// Uncoded QPSK over AWGN: the Eb/N0 implied by the measured BER must be within 0.1 dB of the
// configured one. At least 4000 bit errors and 2^21 bits per point keep the estimate's standard
// deviation below 0.02 dB (relative BER error 1/sqrt(errors) over the BER curve's slope).
TEST(AwgnGenerator, UncodedQpskBitErrorRateMatchesTheoryWithinATenthOfADecibel) {
  constexpr std::size_t chunk_symbols = 1 << 16;
  constexpr std::size_t min_errors = 4000;
  constexpr std::size_t min_bits = std::size_t{1} << 21;
  std::vector<bit_t> bits(2 * chunk_symbols);
  std::vector<cf32> symbols(chunk_symbols);
  AwgnGenerator bit_source(2024); // its uniforms give the bits
  AwgnGenerator awgn(99);
  for (const double ebno_db : {0.0, 2.0, 4.0, 6.0, 8.0}) {
    const float n0 = noise_variance_from_ebno_db(ebno_db, 2, 1.0, 1.0);
    std::size_t errors = 0;
    std::size_t total = 0;
    while (errors < min_errors || total < min_bits) {
      for (bit_t& b : bits) {
        b = bit_source.next_uniform() < 0.5 ? 0 : 1;
      }
      modulate(bits, Modulation::qpsk, symbols);
      awgn.add(symbols, n0);
      for (std::size_t s = 0; s < chunk_symbols; ++s) {
        errors += (symbols[s].real() < 0.0F ? 1U : 0U) != bits[2 * s];
        errors += (symbols[s].imag() < 0.0F ? 1U : 0U) != bits[2 * s + 1];
      }
      total += bits.size();
    }
    const double ber = static_cast<double>(errors) / static_cast<double>(total);
    const double implied_db = ebno_db_for_qpsk_ber(ber);
    std::printf("QPSK Eb/N0 %.1f dB: BER %.4e (theory %.4e) over %zu bits, implied %.3f dB "
                "(offset %+.3f dB)\n",
                ebno_db, ber, 0.5 * std::erfc(std::sqrt(std::pow(10.0, ebno_db / 10.0))), total,
                implied_db, implied_db - ebno_db);
    EXPECT_NEAR(implied_db, ebno_db, 0.1) << "BER " << ber;
  }
}

} // namespace
