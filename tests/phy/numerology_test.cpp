// Numerology: FFT size choice and CP lengths in samples against TS 38.211 5.3.1.
#include "airan/phy/numerology.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace airan::phy {
namespace {

TEST(Numerology, BasicQuantities) {
  EXPECT_EQ(subcarrier_spacing_hz(0), 15000u);
  EXPECT_EQ(subcarrier_spacing_hz(1), 30000u);
  EXPECT_EQ(subcarrier_spacing_hz(6), 960000u);
  EXPECT_EQ(slots_per_subframe(3), 8u);
  EXPECT_EQ(slots_per_frame(1), 20u);
  EXPECT_EQ(symbols_per_slot(CyclicPrefix::normal), 14u);
  EXPECT_EQ(symbols_per_slot(CyclicPrefix::extended), 12u);
}

TEST(Numerology, FftSizeIsSmallestPowerOfTwoAtMost85PercentFull) {
  EXPECT_EQ(choose_fft_size(273), 4096u); // 3276 / 0.85 = 3854
  EXPECT_EQ(choose_fft_size(106), 2048u); // 1272 / 0.85 = 1496
  EXPECT_EQ(choose_fft_size(51), 1024u);  // 612 / 0.85 = 720
  EXPECT_EQ(choose_fft_size(25), 512u);   // 300 / 0.85 = 353
  EXPECT_EQ(choose_fft_size(1), 128u);    // never below 128
  EXPECT_EQ(choose_fft_size(273, 1.0), 4096u);
  EXPECT_EQ(choose_fft_size(170, 1.0), 2048u); // 2040 <= 2048
  EXPECT_THROW(choose_fft_size(0), std::invalid_argument);
  EXPECT_THROW(choose_fft_size(10, 0.0), std::invalid_argument);
  // The largest FFT, and carriers beyond it (the doubling once wrapped to 0 and never ended).
  EXPECT_EQ(choose_fft_size(5461, 1.0), max_fft_size);
  EXPECT_THROW(choose_fft_size(5462, 1.0), std::invalid_argument);
  EXPECT_THROW(choose_fft_size(200'000'000), std::invalid_argument);
  EXPECT_THROW(choose_fft_size(400'000'000), std::invalid_argument);
}

// 30.72 MHz: mu = 0 uses a 2048-point FFT, mu = 1 a 1024-point FFT.
TEST(Numerology, CpLengthsAt30p72MHz) {
  const Numerology mu0(0, CyclicPrefix::normal, 2048);
  EXPECT_DOUBLE_EQ(mu0.sample_rate_hz(), 30.72e6);
  EXPECT_EQ(mu0.cp_length(0, 0), 160u);
  EXPECT_EQ(mu0.cp_length(0, 1), 144u);
  EXPECT_EQ(mu0.cp_length(0, 7), 160u); // first symbol of the second half subframe
  EXPECT_EQ(mu0.cp_length(0, 13), 144u);
  EXPECT_EQ(mu0.cp_length(5, 0), 160u); // every subframe (mu = 0: every slot)

  const Numerology mu1(1, CyclicPrefix::normal, 1024);
  EXPECT_DOUBLE_EQ(mu1.sample_rate_hz(), 30.72e6);
  EXPECT_EQ(mu1.cp_length(0, 0), 88u);
  EXPECT_EQ(mu1.cp_length(0, 7), 72u); // mu = 1: long only on symbol 0 of each slot
  EXPECT_EQ(mu1.cp_length(1, 0), 88u);
  EXPECT_EQ(mu1.cp_length(1, 5), 72u);
  EXPECT_EQ(mu1.cp_length(3, 0), 88u);
  EXPECT_EQ(mu1.symbol_length(0, 0), 1112u);
  EXPECT_EQ(mu1.slot_length(0), 88u + 13 * 72u + 14 * 1024u);
}

// 122.88 MHz at mu = 1 (4096 points): T_s = 16 T_c, N_CP = 144 kappa 2^-1 T_c = 4608 T_c = 288
// samples, plus 16 kappa T_c = 1024 T_c = 64 samples on the long symbols.
TEST(Numerology, CpLengthsFromTcUnits) {
  const Numerology n(1, CyclicPrefix::normal, 4096);
  EXPECT_EQ(n.cp_length(0, 0), 352u);
  EXPECT_EQ(n.cp_length(0, 1), 288u);
  // mu = 2: long symbols at l = 0 and 28 of the subframe, i.e. slot 0 and slot 2, symbol 0.
  const Numerology mu2(2, CyclicPrefix::normal, 4096);
  EXPECT_GT(mu2.cp_length(0, 0), mu2.cp_length(1, 0));
  EXPECT_EQ(mu2.cp_length(2, 0), mu2.cp_length(0, 0));
  EXPECT_EQ(mu2.cp_length(3, 0), mu2.cp_length(1, 0));
  EXPECT_EQ(mu2.cp_length(0, 0) - mu2.cp_length(0, 1), 4096u * 4 / 128);
}

TEST(Numerology, SubframeIsOneMillisecondForEveryMu) {
  for (unsigned mu = 0; mu <= max_numerology; ++mu) {
    for (unsigned fft : {512u, 1024u, 4096u, max_fft_size}) {
      const Numerology n(mu, CyclicPrefix::normal, fft);
      EXPECT_EQ(static_cast<double>(n.subframe_length()), n.sample_rate_hz() / 1000.0)
          << "mu " << mu << " fft " << fft;
    }
  }
  const Numerology extended(2, CyclicPrefix::extended, 1024);
  EXPECT_EQ(extended.symbols_per_slot(), 12u);
  EXPECT_EQ(extended.cp_length(0, 0), 256u);
  EXPECT_EQ(extended.cp_length(1, 6), 256u);
  EXPECT_EQ(static_cast<double>(extended.subframe_length()), extended.sample_rate_hz() / 1000.0);
}

TEST(Numerology, RejectsInvalidCombinations) {
  EXPECT_THROW(Numerology(7, CyclicPrefix::normal, 1024), std::invalid_argument);
  EXPECT_THROW(Numerology(1, CyclicPrefix::extended, 1024), std::invalid_argument);
  EXPECT_THROW(Numerology(1, CyclicPrefix::normal, 1000), std::invalid_argument);
  EXPECT_THROW(Numerology(1, CyclicPrefix::normal, 64), std::invalid_argument);
  EXPECT_THROW(Numerology(6, CyclicPrefix::normal, 2 * max_fft_size), std::invalid_argument);
  EXPECT_EQ(Numerology::for_carrier(1, CyclicPrefix::normal, 273).fft_size(), 4096u);
}

} // namespace
} // namespace airan::phy
