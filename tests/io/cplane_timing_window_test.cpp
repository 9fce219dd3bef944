// The O-RAN uplink C-plane windows (T1a_cp_ul at the DU, T2a_cp_ul at the O-RU) before the air
// time of a message's first symbol, and an O-RU's count of the messages that came on time, early
// or late.
#include "airan/io/cplane_timing_window.h"
#include "airan/io/fronthaul_frame.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace airan::io;

/// A one-section uplink C-plane message for (frame 4, subframe 2, slot 1) at \p symbol; with
/// \p concatenate a second message (symbol 7 of the same slot) follows in the frame; on eAxC
/// \p eaxc_id.
std::vector<std::uint8_t> window_test_frame(unsigned symbol, bool concatenate = false,
                                            std::uint16_t eaxc_id = 0) {
  CplaneMessageHeader header;
  // Absolute slot 85 at mu 1: frame 4, subframe 2, slot 1.
  header.timing = FronthaulSlotClock(1, airan::phy::CyclicPrefix::normal).timing_header(85, symbol);
  CplaneSection section;
  section.num_prbs = 10;
  std::vector<std::uint8_t> bytes(512);
  FronthaulFrameHeader frame_header;
  frame_header.eaxc_id = eaxc_id;
  bytes.resize(write_cplane_frame(bytes, frame_header, header, {&section, 1}));
  EXPECT_FALSE(bytes.empty());
  if (concatenate) {
    // A second eCPRI message after the first (4-byte aligned), the C bit set on the first.
    std::vector<std::uint8_t> second(512);
    header.timing.symbol_id = 7;
    second.resize(write_cplane_frame(second, FronthaulFrameHeader{}, header, {&section, 1}));
    const std::size_t ethernet = 14;
    // Common header (4 bytes) + ecpriPayload bytes; the frame may carry padding after it.
    const auto message_size = [&](const std::vector<std::uint8_t>& f) {
      return 4U + ((std::size_t{f[ethernet + 2]} << 8) | f[ethernet + 3]);
    };
    const std::size_t second_size = message_size(second);
    bytes.resize(ethernet + ((message_size(bytes) + 3) / 4) * 4, 0);
    bytes[ethernet] |= 0x01; // C bit of the first message's common header
    bytes.insert(bytes.end(), second.begin() + ethernet,
                 second.begin() + static_cast<std::ptrdiff_t>(ethernet + second_size));
  }
  return bytes;
}

TEST(CplaneWindow, ClassifiesBothEndsOnTime) {
  const CplaneWindow window{500'000, 285'000};
  const std::int64_t start = 10'000'000;
  EXPECT_EQ(window.opens(start), 9'500'000);
  EXPECT_EQ(window.closes(start), 9'715'000);
  EXPECT_EQ(window.classify(9'499'999, start), CplaneTiming::early);
  EXPECT_EQ(window.classify(9'500'000, start), CplaneTiming::on_time);
  EXPECT_EQ(window.classify(9'715'000, start), CplaneTiming::on_time);
  EXPECT_EQ(window.classify(9'715'001, start), CplaneTiming::late);
  EXPECT_EQ(window.classify(start + 1, start), CplaneTiming::late);
}

/// An O-RU's slot clock (mu 1) from epoch 1 s and its T2a window (500 .. 125 us).
struct ArrivalClock {
  FronthaulSlotClock clock{1, airan::phy::CyclicPrefix::normal};
  std::int64_t epoch = 1'000'000'000;
  CplaneWindow window{500'000, 125'000};
  /// The tally of \p frame arriving at \p arrival.
  [[nodiscard]] CplaneArrivalTally tally(const std::vector<std::uint8_t>& frame,
                                         std::int64_t arrival) const {
    return tally_cplane_arrival(frame, clock, epoch, arrival, window);
  }
};

TEST(CplaneArrival, EachMessageAgainstItsSlotsWindow) {
  const ArrivalClock oru;
  const FronthaulSlotClock& clock = oru.clock;
  // (frame 4, subframe 2, slot 1) of the cycle, mu 1: absolute slot 4 * 20 + 2 * 2 + 1 = 85.
  const std::int64_t start = clock.slot_start_ns(oru.epoch, 85);
  const auto frame = window_test_frame(0);
  const auto at = [&](std::int64_t arrival) { return oru.tally(frame, arrival); };
  EXPECT_EQ(at(start - 300'000).on_time, 1U);
  EXPECT_EQ(at(start - 600'000).early, 1U);
  EXPECT_EQ(at(start - 100'000).late, 1U);
  EXPECT_EQ(at(start + 50'000).late, 1U);
  // The same cycle slot a cycle (2.56 s) later: the one nearest the arrival.
  const std::int64_t next_cycle = clock.slot_start_ns(oru.epoch, 85 + clock.slots_per_cycle());
  EXPECT_EQ(at(next_cycle - 300'000).on_time, 1U);
  EXPECT_EQ(at(next_cycle - 900'000).early, 1U);
  // Every message of a concatenation chain.
  const auto both = oru.tally(window_test_frame(0, true), start - 600'000);
  EXPECT_EQ(both.early, 2U);
  EXPECT_EQ(both.total(), 2U);
}

TEST(CplaneArrival, TheWindowIsTakenBeforeTheMessagesFirstSymbol) {
  const ArrivalClock oru;
  // Symbol 10 of absolute slot 85 starts 10 symbols (about 357 us at mu 1) after the slot.
  const std::int64_t symbol_10 = oru.clock.symbol_start_ns(oru.epoch, 85, 10);
  const std::int64_t start = oru.clock.slot_start_ns(oru.epoch, 85);
  ASSERT_GT(symbol_10 - start, 350'000);
  const auto frame = window_test_frame(10);
  const auto at = [&](std::int64_t arrival) { return oru.tally(frame, arrival); };
  EXPECT_EQ(at(symbol_10 - 500'001).early, 1U);
  EXPECT_EQ(at(symbol_10 - 500'000).on_time, 1U);
  EXPECT_EQ(at(symbol_10 - 125'000).on_time, 1U);
  EXPECT_EQ(at(symbol_10 - 124'999).late, 1U);
  // On time for the slot's start would be early for symbol 10 ...
  EXPECT_EQ(at(start - 300'000).early, 1U);
  // ... and a concatenation chain's messages each have their own window: 100 us before the
  // slot, symbol 0's has closed and symbol 7's (about 250 us later) is open.
  const auto chain = oru.tally(window_test_frame(0, true), start - 100'000);
  EXPECT_EQ(chain.late, 1U);
  EXPECT_EQ(chain.on_time, 1U);
}

TEST(CplaneMessageStartOfFrame, TheFirstCplaneMessagesSlotAndSymbol) {
  const FronthaulSlotClock clock(1, airan::phy::CyclicPrefix::normal);
  // Absolute slot 85 is cycle slot 85; a chain's first message decides.
  EXPECT_EQ(first_cplane_message_start(window_test_frame(10), clock),
            (CplaneMessageStart{85, 10, 0}));
  EXPECT_EQ(first_cplane_message_start(window_test_frame(10, false, 0x1234), clock),
            (CplaneMessageStart{85, 10, 0x1234}));
  EXPECT_EQ(first_cplane_message_start(window_test_frame(3, true), clock),
            (CplaneMessageStart{85, 3, 0}));
  const std::vector<std::uint8_t> runt(10, 0);
  EXPECT_FALSE(first_cplane_message_start(runt, clock).has_value());
  auto cut = window_test_frame(0);
  cut.resize(cut.size() - 3);
  EXPECT_FALSE(first_cplane_message_start(cut, clock).has_value());
  // Symbol 14 is past a 14-symbol slot: no start.
  EXPECT_FALSE(first_cplane_message_start(window_test_frame(14), clock).has_value());
}

TEST(CplaneArrival, WhatDoesNotParseIsCountedUnclassified) {
  const FronthaulSlotClock clock(1, airan::phy::CyclicPrefix::normal);
  const CplaneWindow window{500'000, 125'000};
  const std::vector<std::uint8_t> runt(10, 0);
  EXPECT_EQ(tally_cplane_arrival(runt, clock, 0, 0, window).unclassified, 1U);
  auto frame = window_test_frame(0);
  frame.resize(frame.size() - 3); // the section cut short: the message does not parse
  const auto tally = tally_cplane_arrival(frame, clock, 0, 0, window);
  EXPECT_EQ(tally.total(), 1U);
  EXPECT_EQ(tally.on_time + tally.early + tally.late, 0U);
}

} // namespace
