// PRACH tables, occasion layout, preamble mapping and the time-domain modulator/demodulator
// pair (TS 38.211 5.3.2, 6.3.3).
#include "airan/phy/prach_config.h"
#include "airan/phy/prach_format.h"
#include "airan/phy/prach_modulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace airan::phy {
namespace {

TEST(PrachTables, LongRootTableIsAPermutationOfPairs) {
  std::vector<unsigned> roots;
  for (unsigned i = 0; i < 838; ++i) {
    roots.push_back(prach_root_sequence_number(839, i));
  }
  // Consecutive logical indices are the pair (u, 839 - u); every root 1 .. 838 appears once.
  for (unsigned i = 0; i < 838; i += 2) {
    EXPECT_EQ(roots[i] + roots[i + 1], 839U) << i;
  }
  std::sort(roots.begin(), roots.end());
  for (unsigned i = 0; i < 838; ++i) {
    ASSERT_EQ(roots[i], i + 1);
  }
  // Anchors of Table 6.3.3.1-3, and the wrap-around of 6.3.3.1.
  EXPECT_EQ(prach_root_sequence_number(839, 0), 129U);
  EXPECT_EQ(prach_root_sequence_number(839, 22), 1U);
  EXPECT_EQ(prach_root_sequence_number(839, 837), 610U);
  EXPECT_EQ(prach_root_sequence_number(839, 838), 129U);
}

TEST(PrachTables, ShortRootTable) {
  EXPECT_EQ(prach_root_sequence_number(139, 0), 1U);
  EXPECT_EQ(prach_root_sequence_number(139, 1), 138U);
  EXPECT_EQ(prach_root_sequence_number(139, 2), 2U);
  EXPECT_EQ(prach_root_sequence_number(139, 137), 70U);
  EXPECT_EQ(prach_root_sequence_number(139, 138), 1U);
  EXPECT_THROW((void)prach_root_sequence_number(571, 0), std::invalid_argument);
}

TEST(PrachTables, CyclicShiftLengths) {
  EXPECT_EQ(prach_cyclic_shift_length(1250, 0), 0U);
  EXPECT_EQ(prach_cyclic_shift_length(1250, 1), 13U);
  EXPECT_EQ(prach_cyclic_shift_length(1250, 15), 419U);
  EXPECT_EQ(prach_cyclic_shift_length(5000, 2), 26U);
  EXPECT_EQ(prach_cyclic_shift_length(30000, 15), 69U);
  EXPECT_EQ(prach_cyclic_shift_length(15000, 7), 13U);
  EXPECT_THROW((void)prach_cyclic_shift_length(1250, 16), std::invalid_argument);
  EXPECT_THROW((void)prach_cyclic_shift_length(7500, 1), std::invalid_argument);
}

TEST(PrachTables, FormatsAndFrequencyMapping) {
  EXPECT_EQ(prach_format_info(PrachFormat::f1).cyclic_prefix_duration, 21024U);
  EXPECT_EQ(prach_format_info(PrachFormat::b4).repetitions, 12U);
  EXPECT_EQ(prach_format_name(PrachFormat::c2), "C2");
  EXPECT_EQ(prach_format_from_name("b4"), PrachFormat::b4);
  EXPECT_FALSE(prach_format_from_name("D1").has_value());
  const auto long30 = prach_frequency_mapping(839, 1250, 30000);
  ASSERT_TRUE(long30.has_value());
  EXPECT_EQ(long30->num_prbs, 3U);
  EXPECT_EQ(long30->k_bar, 1U);
  EXPECT_EQ(prach_frequency_mapping(839, 1250, 60000)->k_bar, 133U);
  EXPECT_EQ(prach_frequency_mapping(139, 30000, 15000)->num_prbs, 24U);
  EXPECT_FALSE(prach_frequency_mapping(839, 1250, 120000).has_value());
  EXPECT_FALSE(prach_frequency_mapping(139, 120000, 30000).has_value());
}

TEST(PrachPreambles, CyclicShiftsThenRoots) {
  PrachConfig config;
  config.root_sequence_index = 22;
  config.cyclic_shift_length = 13; // 839 / 13 = 64 preambles on one root.
  const auto test_preamble = prach_preamble_sequence(config, 32);
  EXPECT_EQ(test_preamble.root, 1U);
  EXPECT_EQ(test_preamble.cyclic_shift, 416U);
  config.cyclic_shift_length = 15; // 55 per root: preamble 55 starts the second root.
  EXPECT_EQ(prach_preamble_sequence(config, 54).cyclic_shift, 54U * 15);
  const auto second = prach_preamble_sequence(config, 55);
  EXPECT_EQ(second.root_ordinal, 1U);
  EXPECT_EQ(second.root, 838U);
  EXPECT_EQ(second.cyclic_shift, 0U);
  config.cyclic_shift_length = 0; // One preamble per root.
  EXPECT_EQ(prach_preamble_sequence(config, 63).root_ordinal, 63U);
  EXPECT_THROW((void)prach_preamble_sequence(config, 64), std::invalid_argument);
}

TEST(PrachPreambles, RootSpectrumIsTheDftOfTheZadoffChuSequence) {
  for (const unsigned length : {139U, 839U}) {
    const unsigned root = length == 139 ? 5U : 129U;
    std::vector<cf32> spectrum(length);
    prach_root_spectrum(length, root, spectrum);
    for (unsigned k = 0; k < length; k += 7) {
      EXPECT_NEAR(std::abs(spectrum[k]), 1.0F, 1e-4F);
    }
    // Inverse DFT gives x_u(n) = exp(-j pi u n (n + 1) / L).
    for (unsigned n = 0; n < length; n += 13) {
      std::complex<double> sum = 0;
      for (unsigned k = 0; k < length; ++k) {
        const double angle =
            2 * std::numbers::pi * double((std::uint64_t{n} * k) % length) / length;
        sum += std::complex<double>(spectrum[k]) * std::polar(1.0, angle);
      }
      sum /= std::sqrt(double(length));
      const double phase =
          double((std::uint64_t{root} * n * (n + 1)) % (2 * std::uint64_t{length}));
      const auto expected = std::polar(1.0, -std::numbers::pi * phase / length);
      EXPECT_NEAR(std::abs(sum - expected), 0.0, 1e-4) << length << " n " << n;
    }
  }
}

TEST(PrachLayout, LongFormatOnA30KhzCarrier) {
  PrachConfig config; // Format 0, 1.25 kHz.
  config.first_prb = 10;
  const auto numerology = Numerology::for_carrier(1, CyclicPrefix::normal, 106); // 2048 FFT
  const auto layout = prach_occasion_layout(config, numerology, 106, 0);
  EXPECT_EQ(layout.sequence_length, 839U);
  EXPECT_EQ(layout.period_length, 49152U); // 61.44 MHz / 1.25 kHz
  EXPECT_EQ(layout.cyclic_prefix, 6336U);  // 3168 kappa T_c
  EXPECT_EQ(layout.start, 0U);
  // k_1 = 12 * 10 - 6 * 106 = -516 subcarriers of 30 kHz = -12384 of 1.25 kHz; k-bar = 1.
  EXPECT_EQ(layout.first_bin, -12383);
  EXPECT_EQ(layout.preambles_per_root, 64U);
  EXPECT_EQ(layout.num_roots, 1U);
}

TEST(PrachLayout, ShortFormatsTakeTheHalfSubframeCp) {
  PrachConfig config;
  config.format = PrachFormat::a1;
  config.short_format_numerology = 1;
  config.cyclic_shift_length = 0;
  const auto numerology = Numerology::for_carrier(1, CyclicPrefix::normal, 106);
  // A1 from symbol 0 of slot 0 fills symbols 0 and 1 exactly (its CP takes the 16 kappa).
  const auto first = prach_occasion_layout(config, numerology, 106, 0);
  EXPECT_EQ(first.cyclic_prefix, 288U + 32U);
  EXPECT_EQ(first.length(), numerology.symbol_length(0, 0) + numerology.symbol_length(0, 1));
  // From symbol 2: no boundary, and it starts where symbol 2 does.
  config.start_symbol = 2;
  const auto later = prach_occasion_layout(config, numerology, 106, 0);
  EXPECT_EQ(later.cyclic_prefix, 288U);
  EXPECT_EQ(later.start, numerology.symbol_length(0, 0) + numerology.symbol_length(0, 1));
  // Slot 1 of the subframe begins the second half-subframe: symbol 0 has the boundary again.
  config.start_symbol = 0;
  EXPECT_EQ(prach_occasion_layout(config, numerology, 106, 1).cyclic_prefix, 320U);
  // Long formats never add it.
  config.format = PrachFormat::f0;
  config.cyclic_shift_length = 13;
  EXPECT_EQ(prach_occasion_layout(config, numerology, 106, 1).cyclic_prefix, 6336U);
}

TEST(PrachLayout, InvalidConfigurationsSayWhy) {
  const auto numerology = Numerology::for_carrier(1, CyclicPrefix::normal, 106);
  PrachConfig config;
  EXPECT_EQ(validate_prach_config(config, numerology, 106), "");
  config.cyclic_shift_length = 14;
  EXPECT_NE(validate_prach_config(config, numerology, 106).find("N_CS 14"), std::string::npos);
  config.cyclic_shift_length = 13;
  config.root_sequence_index = 838;
  EXPECT_NE(validate_prach_config(config, numerology, 106).find("RootSequenceIndex"),
            std::string::npos);
  config.root_sequence_index = 0;
  config.first_prb = 104; // 3 PRBs from 104 overrun 106.
  EXPECT_NE(validate_prach_config(config, numerology, 106).find("exceed"), std::string::npos);
  config.first_prb = 103; // the last that fits
  EXPECT_EQ(validate_prach_config(config, numerology, 106), "");
  config.first_prb = 4294967294U; // + 3 PRBs wrapped to 1 and passed
  EXPECT_NE(validate_prach_config(config, numerology, 106).find("4294967294 .. 4294967296"),
            std::string::npos)
      << validate_prach_config(config, numerology, 106);
  config.first_prb = 0;
  config.start_symbol = 14;
  EXPECT_NE(validate_prach_config(config, numerology, 106).find("start symbol"), std::string::npos);
  config.start_symbol = 0;
  const auto wide = Numerology::for_carrier(3, CyclicPrefix::normal, 66); // 120 kHz
  EXPECT_NE(validate_prach_config(config, wide, 66).find("6.3.3.2-1"), std::string::npos);
  config.format = PrachFormat::a2;
  config.short_format_numerology = 0; // 15 kHz on the 30 kHz carrier: in Table 6.3.3.2-1, but
  // its occasions would not be whole carrier symbols
  EXPECT_NE(validate_prach_config(config, numerology, 106).find("takes the carrier's"),
            std::string::npos);
  config.short_format_numerology = 4;
  EXPECT_NE(validate_prach_config(config, numerology, 106).find("numerology 4"), std::string::npos);
  config.short_format_numerology = 1;
  // A 15 kHz carrier of 128 samples cannot hold a 139-subcarrier period of 15 kHz (128 samples).
  config.short_format_numerology = 0;
  const auto small = Numerology(0, CyclicPrefix::normal, 128);
  EXPECT_NE(validate_prach_config(config, small, 12).find("whole samples"), std::string::npos);
  EXPECT_THROW((void)prach_occasion_layout(config, small, 12, 0), std::invalid_argument);
}

TEST(PrachModulation, DemodulatorRecoversThePreambleSubcarriers) {
  for (const auto format : {PrachFormat::f0, PrachFormat::f3, PrachFormat::b4, PrachFormat::c0}) {
    PrachConfig config;
    config.format = format;
    config.short_format_numerology = 1;
    config.cyclic_shift_length = prach_is_long_format(format) ? 26 : 23;
    config.root_sequence_index = 7;
    config.first_prb = 40;
    const auto numerology = Numerology::for_carrier(1, CyclicPrefix::normal, 106);
    PrachModulator modulator(config, numerology, 106);
    PrachDemodulator demodulator(config, numerology, 106);
    const auto layout = modulator.layout(0);
    std::vector<cf32> samples(layout.length());
    const unsigned preamble = 37;
    modulator.modulate(0, preamble, 0.5F, samples);
    // Mean power over the periods: L subcarriers of 0.25 through an IFFT scaled 1/sqrt(N).
    double power = 0;
    for (std::size_t n = layout.cyclic_prefix; n < samples.size(); ++n) {
      power += std::norm(samples[n]);
    }
    const double expected_power = 0.25 * layout.sequence_length / layout.period_length;
    EXPECT_NEAR(power / (samples.size() - layout.cyclic_prefix), expected_power,
                1e-3 * expected_power);
    // The CP repeats the period's end.
    for (unsigned n = 0; n < layout.cyclic_prefix; n += 17) {
      const unsigned source =
          (layout.period_length - layout.cyclic_prefix % layout.period_length + n) %
          layout.period_length;
      ASSERT_NEAR(std::abs(samples[n] - samples[layout.cyclic_prefix + source]), 0.0F, 1e-5F);
    }
    PrachBuffer buffer(1, layout.repetitions, layout.sequence_length);
    demodulator.demodulate(0, samples, 0, buffer);
    const auto sequence = prach_preamble_sequence(config, preamble);
    std::vector<cf32> spectrum(layout.sequence_length);
    prach_root_spectrum(layout.sequence_length, sequence.root, spectrum);
    for (unsigned r = 0; r < layout.repetitions; ++r) {
      for (unsigned k = 0; k < layout.sequence_length; ++k) {
        const double angle =
            2 * std::numbers::pi *
            double((std::uint64_t{sequence.cyclic_shift} * k) % layout.sequence_length) /
            layout.sequence_length;
        const cf32 expected = 0.5F * spectrum[k] * cf32(std::polar(1.0, angle));
        ASSERT_NEAR(std::abs(buffer.at(0, r)[k] - expected), 0.0F, 2e-4F)
            << prach_format_name(format) << " period " << r << " k " << k;
      }
    }
  }
}

TEST(PrachModulation, RejectsWrongSizes) {
  PrachConfig config;
  const auto numerology = Numerology::for_carrier(0, CyclicPrefix::normal, 25);
  PrachModulator modulator(config, numerology, 25);
  PrachDemodulator demodulator(config, numerology, 25);
  std::vector<cf32> samples(modulator.layout(0).length() - 1);
  EXPECT_THROW(modulator.modulate(0, 0, 1.0F, samples), std::invalid_argument);
  samples.resize(samples.size() + 1);
  EXPECT_THROW(modulator.modulate(0, 64, 1.0F, samples), std::invalid_argument);
  PrachBuffer wrong(1, 2, 839);
  EXPECT_THROW(demodulator.demodulate(0, samples, 0, wrong), std::invalid_argument);
  PrachBuffer buffer(1, 1, 839);
  EXPECT_THROW(demodulator.demodulate(0, samples, 1, buffer), std::invalid_argument);
}

} // namespace
} // namespace airan::phy
