// The PRACH keys of a launch pattern: the cell's `prach:` block and a PRACH UE's `prach:` map,
// what they parse to (defaults, derived spans and delays) and every error, each naming the key.
#include "airan/l1/launch_pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace airan::l1 {
namespace {

/// A pattern on a 24-PRB 30 kHz carrier through TDL-C300 in the time domain, with \p prach as
/// its `prach:` block (none when empty) and \p ues as its UE list.
std::string prach_pattern(const std::string& prach, const std::string& ues,
                          const std::string& channel = "{model: TDL-C300, domain: time}") {
  std::string text = "cell: {num_prbs: 24, numerology: 1, n_cell_id: 4}\n"
                     "num_rx_antennas: 2\n"
                     "channel: " +
                     channel + "\n";
  if (!prach.empty()) {
    text += "prach: " + prach + "\n";
  }
  return text + "ues:\n" + ues;
}

const std::string format0 = "{format: 0, zero_correlation_zone: 1, prb_start: 0, period_slots: 4}";
const std::string pusch_ue = "  - {rnti: 1, pusch: {prb_start: 4, prb_size: 20}}\n";

/// Parsing \p text fails with a message that contains \p expected.
void expect_refused(const std::string& text, const std::string& expected) {
  try {
    (void)parse_launch_pattern(text, "p.yaml");
    ADD_FAILURE() << "accepted; expected: " << expected << "\n" << text;
  } catch (const PatternError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
        << e.what() << "\nexpected: " << expected;
  }
}

TEST(LaunchPatternPrach, ParsesTheKeysAndDerivesTheSpans) {
  const LaunchPattern pattern = parse_launch_pattern(
      prach_pattern("{format: A1, subcarrier_spacing_khz: 30, root_sequence_index: 5, n_cs: 23, "
                    "prb_start: 12, start_symbol: 2, occasions_per_slot: 3, period_slots: 2, "
                    "offset_slots: 1}",
                    "  - {rnti: 1, pusch: {prb_start: 0, prb_size: 12}}\n"
                    "  - {rnti: 2, period_slots: 2, offset_slots: 1, prach: {}}\n"
                    "  - {rnti: 3, period_slots: 4, offset_slots: 3, prach: {preamble: 63, "
                    "delay_us: 1.5, occasion: random, power_db: -6.5}}\n"),
      "p.yaml");
  ASSERT_TRUE(pattern.prach);
  const PatternPrach& prach = *pattern.prach;
  EXPECT_EQ(prach.config.format, phy::PrachFormat::a1);
  EXPECT_EQ(prach.config.short_format_numerology, 1U);
  EXPECT_EQ(prach.config.root_sequence_index, 5U);
  EXPECT_EQ(prach.config.cyclic_shift_length, 23U);
  EXPECT_EQ(prach.config.first_prb, 12U);
  EXPECT_EQ(prach.occasions_per_slot, 3U);
  EXPECT_EQ(prach.occasion(0).start_symbol, 2U);
  EXPECT_EQ(prach.occasion(2).start_symbol, 6U); // N_dur^RA 2
  EXPECT_TRUE(prach.prach_slot(5));
  EXPECT_FALSE(prach.prach_slot(4));
  EXPECT_EQ(prach.span_slots, 1U);
  EXPECT_NEAR(prach.channel_spread_s, 8.6523 * 300e-9, 1e-9);
  EXPECT_NEAR(prach.max_delay_s, 21.0 / (139 * 30e3) - prach.channel_spread_s, 1e-9);
  ASSERT_TRUE(pattern.ues[1].prach);
  const PatternPrachUe& defaults = *pattern.ues[1].prach;
  EXPECT_FALSE(defaults.preamble); // random
  EXPECT_EQ(defaults.delay_s, 0.0);
  EXPECT_EQ(defaults.occasion, 0U);
  EXPECT_EQ(defaults.power_db, 0.0);
  const PatternPrachUe& given = *pattern.ues[2].prach;
  EXPECT_EQ(given.preamble, 63U);
  EXPECT_DOUBLE_EQ(*given.delay_s, 1.5e-6);
  EXPECT_FALSE(given.occasion);
  EXPECT_EQ(given.power_db, -6.5);
  EXPECT_NEAR(prach_timing_advance_unit_s(1), 0.2604e-6, 1e-10);
}

TEST(LaunchPatternPrach, LongFormatSpansTwoSlots) {
  const LaunchPattern pattern = parse_launch_pattern(
      prach_pattern("{format: 0, zero_correlation_zone: 1, prb_start: 21, period_slots: 2}",
                    "  - {rnti: 1, pusch: {prb_start: 0, prb_size: 20}}\n"
                    "  - {rnti: 2, period_slots: 2, prach: {delay_us: random}}\n",
                    "{model: awgn, domain: time}"),
      "p.yaml");
  EXPECT_EQ(pattern.prach->span_slots, 2U);
  EXPECT_EQ(pattern.prach->channel_spread_s, 0.0);
  EXPECT_NEAR(pattern.prach->max_delay_s, 11.0 / (839 * 1250.0), 1e-12);
  EXPECT_FALSE(pattern.ues[1].prach->delay_s);
}

TEST(LaunchPatternPrach, BadPrachBlocksNameTheKey) {
  const auto refused = [](const std::string& prach, const std::string& expected) {
    expect_refused(prach_pattern(prach, pusch_ue), expected);
  };
  refused("{formt: 0}", "p.yaml: prach: unknown key 'formt'");
  refused("{zero_correlation_zone: 1}", "prach.format: missing");
  refused("{format: A4, n_cs: 13}", "prach.format: 'A4' is not a PRACH format");
  refused("{format: 0, subcarrier_spacing_khz: 30, n_cs: 13}",
          "prach.subcarrier_spacing_khz: format 0 has its own spacing (1250 Hz)");
  refused("{format: B4, subcarrier_spacing_khz: 45, n_cs: 23}",
          "prach.subcarrier_spacing_khz: 45 is not 15, 30, 60 or 120");
  refused("{format: 0, root_sequence_index: 838, n_cs: 13}",
          "prach.root_sequence_index: 838 is outside 0 .. 837");
  refused("{format: A1, root_sequence_index: 138, n_cs: 23}",
          "prach.root_sequence_index: 138 is outside 0 .. 137");
  refused("{format: 0, n_cs: 13, zero_correlation_zone: 1}",
          "prach: give zero_correlation_zone or n_cs, not both");
  refused("{format: 0}", "prach: missing zero_correlation_zone (0 .. 15) or n_cs");
  refused("{format: 0, zero_correlation_zone: 16}",
          "prach.zero_correlation_zone: 16 is outside 0 .. 15");
  refused("{format: 0, n_cs: 14, period_slots: 2}",
          "prach: N_CS 14 is not in the unrestricted N_CS table of a 1250 Hz PRACH");
  refused("{format: 0, n_cs: 13, prb_start: 22, period_slots: 2}",
          "prach: PRACH occasion PRBs 22 .. 24 exceed the carrier's 24 PRBs");
  refused("{format: 0, n_cs: 13, occasions_per_slot: 2}",
          "prach.occasions_per_slot: 2 is outside 1 .. 1");
  refused("{format: A1, n_cs: 23, start_symbol: 2, occasions_per_slot: 7}",
          "prach.occasions_per_slot: 7 occasions of 2 symbols from symbol 2 do not fit the slot");
  // FAPI's prachFormat has B2 and B3 only as the last occasion of A2/B2 and A3/B3 slots.
  refused("{format: B2, n_cs: 23, occasions_per_slot: 2}",
          "prach: FAPI's prachFormat has format B2 only as the last occasion of a slot whose "
          "others are A2: occasions_per_slot must be 1");
  refused("{format: 0, n_cs: 13, period_slots: 4, offset_slots: 4}",
          "prach.offset_slots: 4 is outside 0 .. 3");
  refused("{format: 0, n_cs: 13, period_slots: 1}",
          "prach.period_slots: 1 is shorter than the 2 slots a format 0 occasion reaches");
  refused("{format: A1, n_cs: 4}",
          "prach: N_CS 4 gives a cyclic-shift window of 0.959 us, too short for two lags of "
          "margin and the channel's last path at 2.6 us");
  expect_refused("cell: {num_prbs: 24, numerology: 4}\nchannel: {model: awgn, domain: time}\n"
                 "prach: {format: A1, n_cs: 23}\nues:\n" +
                     pusch_ue,
                 "prach.subcarrier_spacing_khz: missing: the carrier's 240 kHz is no "
                 "short-format PRACH spacing");
  expect_refused(prach_pattern(format0, pusch_ue, "{model: TDL-C300, domain: frequency}"),
                 "p.yaml: prach: needs channel.domain: time");
  expect_refused(prach_pattern("{format: 0, n_cs: 13, period_slots: 2}",
                               "  - {rnti: 2, period_slots: 2, prach: {}}\n",
                               "{model: CDL-C, delay_spread_ns: 100, domain: time, "
                               "ue_polarization: cross}"),
                 "p.yaml: prach: the channel cannot carry a preamble");
}

TEST(LaunchPatternPrach, BadPrachUesNameTheKey) {
  const auto refused = [](const std::string& ues, const std::string& expected) {
    expect_refused(prach_pattern(format0, pusch_ue + ues), expected);
  };
  expect_refused(prach_pattern("", pusch_ue + "  - {rnti: 2, prach: {preamble: 3}}\n"),
                 "ues[1].prach: a PRACH UE needs the pattern's prach block");
  refused("  - {rnti: 2, period_slots: 4, prach: {}, pusch: {prb_size: 4}}\n",
          "ues[1]: a PRACH UE has no pusch, pucch or srs");
  refused("  - {rnti: 2, period_slots: 4, prach: {delay: 1}}\n",
          "ues[1].prach: unknown key 'delay'");
  refused("  - {rnti: 2, period_slots: 4, prach: {preamble: 64}}\n",
          "ues[1].prach.preamble: 64 is outside 0 .. 63");
  refused("  - {rnti: 2, period_slots: 4, prach: {preamble: any}}\n",
          "ues[1].prach.preamble: 'any' is not a non-negative integer");
  refused("  - {rnti: 2, period_slots: 4, prach: {delay_us: -1}}\n",
          "ues[1].prach.delay_us: -1 is outside 0 .. 10000 (or random)");
  refused("  - {rnti: 2, period_slots: 4, prach: {delay_us: 9}}\n",
          "ues[1].prach.delay_us: 9 us is beyond the 7.89 us a preamble may be delayed");
  refused("  - {rnti: 2, period_slots: 4, prach: {occasion: 1}}\n",
          "ues[1].prach.occasion: 1 is outside 0 .. 0");
  refused("  - {rnti: 2, period_slots: 4, prach: {power_db: 70}}\n",
          "ues[1].prach.power_db: 70 is outside -60 .. 60");
  refused("  - {rnti: 2, period_slots: 2, prach: {}}\n",
          "ues[1]: period_slots 2 / offset_slots 0 pick slots without a PRACH occasion "
          "(prach: period_slots 4, offset_slots 0)");
  refused("  - {rnti: 2, period_slots: 8, offset_slots: 5, prach: {}}\n",
          "ues[1]: period_slots 8 / offset_slots 5 pick slots without a PRACH occasion");
  refused("  - {rnti: 2, period_slots: 4, prach: {preamble: 9}}\n"
          "  - {rnti: 3, period_slots: 8, offset_slots: 4, prach: {preamble: 9}}\n",
          "ues[2].prach.preamble: 9 is also ues[1]'s, in an occasion both can send in");
  std::string many;
  for (int u = 0; u < 65; ++u) {
    many += "  - {rnti: " + std::to_string(100 + u) + ", period_slots: 4, prach: {}}\n";
  }
  refused(many, "p.yaml: ues: 65 PRACH UEs: an occasion has 64 preambles to give them");
}

TEST(LaunchPatternPrach, PuschAndPucchStayOffThePrachPrbs) {
  const auto text = [](const std::string& ue) {
    return prach_pattern(format0, "  - " + ue + "\n");
  };
  expect_refused(text("{rnti: 1, pusch: {prb_start: 2, prb_size: 10}}"),
                 "ues[0].pusch: PRBs 2 .. 11 overlap the PRACH occasion's PRBs 0 .. 2 in slots "
                 "it covers");
  expect_refused(text("{rnti: 1, pucch: {format: 1, prb_start: 23, intra_slot_hopping: true, "
                      "second_hop_prb: 1, num_symbols: 14, harq_bits: 1}}"),
                 "ues[0].pucch: PRBs 1 .. 1 overlap the PRACH occasion's PRBs 0 .. 2");
  // Slots 0 and 1 of every 4 are the PRACH's (format 0 spans two): a UE in slots 2 and 3 only
  // may use its PRBs.
  const LaunchPattern pattern = parse_launch_pattern(
      prach_pattern(format0,
                    "  - {rnti: 1, period_slots: 4, offset_slots: 2, pusch: {prb_size: 24}}\n"
                    "  - {rnti: 2, period_slots: 4, offset_slots: 3, pusch: {prb_size: 24}}\n"),
      "p.yaml");
  EXPECT_EQ(pattern.ues.size(), 2U);
  expect_refused(
      prach_pattern(format0,
                    "  - {rnti: 1, period_slots: 4, offset_slots: 1, pusch: {prb_size: 24}}\n"),
      "ues[0].pusch: PRBs 0 .. 23 overlap the PRACH occasion's PRBs 0 .. 2");
}

} // namespace
} // namespace airan::l1
