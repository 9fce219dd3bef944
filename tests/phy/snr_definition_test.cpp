// SNR and Eb/N0 conventions: the formulas, Sionna's ebnodb2no with pilots and cyclic prefix,
// and that a time-domain noise variance per sample is the same variance per RE after the OFDM
// demodulator.
#include "airan/phy/awgn.h"
#include "airan/phy/numerology.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/snr_definition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

using namespace airan::phy;

TEST(SnrDefinition, PerReSnrIsTheInverseNoiseVariance) {
  EXPECT_FLOAT_EQ(noise_variance_from_snr_db(0.0), 1.0F);
  EXPECT_FLOAT_EQ(noise_variance_from_snr_db(10.0), 0.1F);
  EXPECT_FLOAT_EQ(noise_variance_from_snr_db(-3.0), static_cast<float>(std::pow(10.0, 0.3)));
  EXPECT_THROW(noise_variance_from_snr_db(NAN), std::invalid_argument);
}

TEST(SnrDefinition, EbNoCountsBitsCodeRateAndPilotOverhead) {
  // Uncoded QPSK without pilots: Es/N0 = 2 Eb/N0.
  EXPECT_FLOAT_EQ(noise_variance_from_ebno_db(0.0, 2, 1.0, 1.0), 0.5F);
  EXPECT_FLOAT_EQ(noise_variance_from_ebno_db(10.0, 2, 1.0, 1.0), 0.05F);
  // 16-QAM, rate 1/2: 2 information bits per symbol.
  EXPECT_FLOAT_EQ(noise_variance_from_ebno_db(0.0, 4, 0.5, 1.0), 0.5F);
  // Sionna's ebnodb2no: E_s = (num_ofdm_symbols (1 + cp / N) num_subcarriers) / num_data
  // symbols; N0 = E_s / (Eb/N0 r M). One DMRS symbol of 14: 13 / 14 of the REs carry data.
  const double ebno_db = 3.0;
  const double ebno = std::pow(10.0, ebno_db / 10.0);
  const double num_symbols = 14.0;
  const double num_subcarriers = 624.0;
  const double num_data = 13.0 * num_subcarriers;
  const double cp = 144.0;
  const double n_fft = 2048.0;
  const double sionna_no_cp = (num_symbols * num_subcarriers / num_data) / (ebno * 0.6 * 6.0);
  const double sionna =
      (num_symbols * (1.0 + cp / n_fft) * num_subcarriers / num_data) / (ebno * 0.6 * 6.0);
  EXPECT_NEAR(noise_variance_from_ebno_db(ebno_db, 6, 0.6, num_data / (num_symbols * 624.0)),
              sionna_no_cp, 1e-6 * sionna_no_cp);
  EXPECT_NEAR(
      noise_variance_from_ebno_db(ebno_db, 6, 0.6, num_data / (num_symbols * 624.0), cp / n_fft),
      sionna, 1e-6 * sionna);

  EXPECT_THROW(noise_variance_from_ebno_db(0.0, 0, 1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(noise_variance_from_ebno_db(0.0, 2, 0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(noise_variance_from_ebno_db(0.0, 2, 1.5, 1.0), std::invalid_argument);
  EXPECT_THROW(noise_variance_from_ebno_db(0.0, 2, 1.0, 0.0), std::invalid_argument);
  EXPECT_THROW(noise_variance_from_ebno_db(0.0, 2, 1.0, 1.1), std::invalid_argument);
  EXPECT_THROW(noise_variance_from_ebno_db(0.0, 2, 1.0, 1.0, -0.1), std::invalid_argument);
}

TEST(SnrDefinition, CyclicPrefixOverheadFollowsTheNumerology) {
  // mu = 2: slot 1 of a half subframe has 144-sample CPs only; slot 0 starts the half subframe
  // and its first CP is 16 kappa T_c = 64 samples longer.
  const Numerology mu2(2, CyclicPrefix::normal, 2048);
  EXPECT_DOUBLE_EQ(cyclic_prefix_overhead(mu2, 1), 144.0 / 2048.0);
  EXPECT_DOUBLE_EQ(cyclic_prefix_overhead(mu2, 0), (14.0 * 144.0 + 64.0) / (14.0 * 2048.0));
  // mu = 1: every slot starts a half subframe; 15 symbols' worth of samples in 14 symbols.
  const Numerology mu1(1, CyclicPrefix::normal, 2048);
  EXPECT_DOUBLE_EQ(cyclic_prefix_overhead(mu1, 1), 1.0 / 14.0);
  const Numerology extended(2, CyclicPrefix::extended, 1024);
  EXPECT_DOUBLE_EQ(cyclic_prefix_overhead(extended, 0), 0.25);
}

// The documented time-domain convention: noise of variance v per sample is noise of variance v
// per RE after OfdmDemodulator (FFT scaled by 1/sqrt(N)).
TEST(SnrDefinition, TimeDomainVariancePerSampleIsTheVariancePerRe) {
  const unsigned num_prbs = 51;
  const Numerology numerology = Numerology::for_carrier(1, CyclicPrefix::normal, num_prbs);
  const unsigned slot = 0;
  const float n0 = noise_variance_from_snr_db(7.0);
  std::vector<cf32> samples(numerology.slot_length(slot), cf32(0.0F, 0.0F));
  AwgnGenerator awgn(5);
  OfdmDemodulator demodulator(numerology, num_prbs);
  ResourceGrid grid(1, numerology.symbols_per_slot(), 12 * num_prbs);
  double power = 0.0;
  std::size_t count = 0;
  for (int repeat = 0; repeat < 20; ++repeat) {
    std::fill(samples.begin(), samples.end(), cf32(0.0F, 0.0F));
    awgn.add(samples, n0);
    demodulator.demodulate_slot(samples, slot, grid, 0);
    for (const cf32& v : grid.elements()) {
      power += std::norm(v);
    }
    count += grid.size();
  }
  const double measured = power / static_cast<double>(count);
  EXPECT_NEAR(measured / n0, 1.0, 5.0 / std::sqrt(static_cast<double>(count)));
}

} // namespace
