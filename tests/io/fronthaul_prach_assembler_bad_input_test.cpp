// FronthaulPrachAssembler and bad input: U-plane of no expectation, outside its section or of
// another eAxC, PUSCH frames (not counted), refused or conflicting C-plane requests, frames cut
// at every length and corrupted: counted, never a crash.
#include "fronthaul_prach_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace {

using namespace airan::test::prach;

TEST(FronthaulPrachAssembler, UnexpectedOutsideAndForeignMessagesAreCounted) {
  const PrachCarrier s = b4(2, none);
  const Occasion occasion(s, 100, 7);
  const Occasion other_slot(s, 101, 7);
  const Occasion other_id(s, 100, 8);
  auto assembler = make(s);
  EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(0)), 1U); // antenna 0 only
  EXPECT_FALSE(assembler.push(other_slot.uplane({{0, 0, 0, 12}}), 0));
  EXPECT_FALSE(assembler.push(other_id.uplane({{0, 0, 0, 12}}), 0));
  Bytes filter2 = occasion.uplane({{0, 0, 0, 12}});
  filter2[14 + 8] = static_cast<std::uint8_t>((filter2[14 + 8] & 0xF0) | 2);
  EXPECT_FALSE(assembler.push(filter2, 0));
  EXPECT_EQ(assembler.counters().unexpected, 3U);
  // Antenna 1 was not asked; period 12 of 12; symbol 1 before startSymbolId 2; PRBs past 12.
  EXPECT_FALSE(assembler.push(occasion.uplane({{1, 0, 0, 12}}), 0));
  EXPECT_FALSE(assembler.push(occasion.uplane({{0, 12, 0, 12}}), 0));
  Bytes early = occasion.uplane({{0, 0, 0, 12}});
  early[14 + 11] = static_cast<std::uint8_t>((early[14 + 11] & 0xC0) | 1);
  EXPECT_FALSE(assembler.push(early, 0));
  EXPECT_FALSE(assembler.push(occasion.uplane({{0, 0, 6, 12}}), 0));
  EXPECT_EQ(assembler.counters().outside_section, 4U);
  // Another CC, a PUSCH RU port: unknown eAxC.
  const std::vector<Occasion::Piece> row{{0, 0, 0, 12}};
  EXPECT_FALSE(assembler.push(occasion.uplane(row, s.eaxc(8, 3), occasion.timing), 0));
  EXPECT_FALSE(assembler.push(occasion.uplane(row, s.eaxc(0, s.config.cc), occasion.timing), 0));
  EXPECT_EQ(assembler.counters().unknown_eaxc, 2U);
  // PUSCH (filterIndex 0) on any port: not counted at all.
  const auto before = assembler.counters();
  for (const unsigned port : {0U, 8U}) {
    Bytes pusch = occasion.uplane(row, s.eaxc(port, s.config.cc), occasion.timing);
    pusch[14 + 8] &= 0xF0;
    EXPECT_FALSE(assembler.push(pusch, 0));
  }
  EXPECT_EQ(assembler.counters().messages, before.messages);
  EXPECT_EQ(assembler.counters().malformed, 0U);
  EXPECT_EQ(assembler.counters().prbs, 0U);
  EXPECT_EQ(assembler.pending(), 1U);
}

TEST(FronthaulPrachAssembler, BadOrConflictingRequestsAreRefused) {
  const PrachCarrier s = format0(3, none);
  const Occasion occasion(s, 20, 3);
  auto assembler = make(s);
  using Edit = void (*)(CplaneMessageHeader&, CplaneSection&, std::uint16_t&);
  const std::vector<Edit> refused = {
      [](auto&, auto& section, auto&) { section.num_prbs = 0; },
      [](auto&, auto& section, auto&) { section.num_symbols = 0; },
      [](auto&, auto& section, auto&) { section.num_symbols = 13; },
      [](auto&, auto& section, auto&) { section.frequency_offset += 1; },
      [](auto&, auto& section, auto&) { section.start_prb = 1; },
      [](auto&, auto& section, auto&) { section.symbol_increment = true; },
      [](auto&, auto& section, auto&) { section.re_mask = 0xFF0; },
      [](auto&, auto& section, auto&) { section.num_prbs = 97; },
      [](auto& header, auto&, auto&) { header.subcarrier_spacing = 7; },
      [](auto& header, auto&, auto&) { header.timing.slot_id = 1; }, // mu 0: one slot
      [](auto& header, auto&, auto&) { header.time_offset = 1; },
  };
  for (std::size_t i = 0; i < refused.size(); ++i) {
    EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(0, refused[i])), 0U) << i;
  }
  EXPECT_EQ(assembler.counters().expect_refused, refused.size());
  // Not this assembler's at all: neither taken nor refused.
  const std::vector<Edit> ignored = {
      [](auto& header, auto&, auto&) { header.timing.filter_index = 0; },
      [](auto& header, auto&, auto&) { header.timing.direction = DataDirection::downlink; },
      [](auto& header, auto&, auto&) { header.section_type = CplaneSectionType::normal; },
      [](auto&, auto&, auto& eaxc) { eaxc ^= 0x0010; }, // another CC
      [](auto&, auto&, auto& eaxc) { eaxc = static_cast<std::uint16_t>((eaxc & 0xFFF0) | 2); },
  };
  for (std::size_t i = 0; i < ignored.size(); ++i) {
    EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(0, ignored[i])), 0U) << i;
  }
  EXPECT_EQ(assembler.counters().expect_refused, refused.size());
  EXPECT_EQ(assembler.pending(), 0U);
  // Format 3 (5 kHz): 72 PRBs x 4 periods fit an entry, 6 periods (a valid window, 432 PRBs
  // over the periods, more than the 384 of format 2 on 60 kHz) do not.
  PrachCarrier f3 = s;
  f3.prach.format = airan::phy::PrachFormat::f3;
  const Occasion format3(f3, 21, 3);
  auto other = make(f3);
  EXPECT_EQ(other.expect_cplane_frame(
                format3.cplane(0, [](auto&, auto& section, auto&) { section.num_symbols = 6; })),
            0U);
  EXPECT_EQ(other.expect_cplane_frame(format3.cplane(0)), 1U);
  EXPECT_EQ(other.counters().expect_refused, 1U);
  // Antenna 1 disagrees with antenna 0: refused, the occasion keeps antennas 0 and 2.
  EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(0)), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(0)), 1U); // the same again: no change
  EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(
                1, [](auto&, auto& section, auto&) { section.frequency_offset += 2; })),
            0U);
  EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(2)), 1U);
  EXPECT_EQ(assembler.counters().expect_refused, refused.size() + 1);
  EXPECT_EQ(assembler.counters().expected, 1U);
  EXPECT_TRUE(assembler.push(occasion.uplane({{0, 0, 0, 72}}), 0));
  EXPECT_TRUE(assembler.push(occasion.uplane({{2, 0, 0, 72}}), 0));
  // Antenna 1 is delivered zero: its PRBs are missing, the occasion not complete.
  EXPECT_EQ(assembler.next_occasion(), nullptr);
  assembler.flush();
  const auto taken = drain(assembler);
  ASSERT_EQ(taken.size(), 1U);
  EXPECT_FALSE(taken[0].occasion.complete());
  EXPECT_EQ(taken[0].occasion.missing_prbs, 72U);
  EXPECT_TRUE(std::all_of(taken[0].occasion.at(1, 0).begin(), taken[0].occasion.at(1, 0).end(),
                          [](cf32 x) { return x == cf32{}; }));
}

// Frames cut at every length, corrupted bytes, fragments: never a crash, counted when the
// timing header shows a PRACH message.
TEST(FronthaulPrachAssembler, MalformedAndTruncatedFramesAreCounted) {
  const PrachCarrier s = format0(2, bfp9);
  const Occasion occasion(s, 30, 1);
  auto assembler = make(s);
  const Bytes cplane = occasion.cplane(0);
  const Bytes uplane = occasion.uplane({{0, 0, 0, 72}});
  constexpr std::size_t timing_end = 14 + 8 + 4;
  for (std::size_t n = 0; n < cplane.size(); ++n) {
    EXPECT_EQ(assembler.expect_cplane_frame(std::span(cplane).first(n)), 0U);
  }
  EXPECT_EQ(assembler.pending(), 0U);
  EXPECT_EQ(assembler.expect_cplane_frame(cplane), 1U);
  for (std::size_t n = 0; n < uplane.size(); ++n) {
    EXPECT_FALSE(assembler.push(std::span(uplane).first(n), 0));
  }
  EXPECT_EQ(assembler.counters().malformed, uplane.size() - timing_end);
  EXPECT_EQ(assembler.counters().messages, uplane.size() - timing_end);
  Bytes fragment = uplane;
  fragment[14 + 7] = 0x00; // E bit 0
  EXPECT_FALSE(assembler.push(fragment, 0));
  EXPECT_EQ(assembler.counters().malformed, uplane.size() - timing_end + 1);
  std::mt19937 rng(5);
  for (int i = 0; i < 3000; ++i) {
    Bytes bad = i % 2 == 0 ? uplane : cplane;
    for (int k = 0; k < 1 + i % 4; ++k) {
      bad[rng() % bad.size()] = static_cast<std::uint8_t>(rng());
    }
    assembler.expect_cplane_frame(bad);
    assembler.push(bad, 0);
    assembler.advance(epoch + i * 100'000LL, epoch);
    drain(assembler);
  }
  assembler.flush();
  drain(assembler);
  EXPECT_EQ(assembler.pending(), 0U);
}

} // namespace
