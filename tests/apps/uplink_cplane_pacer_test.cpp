// A live L1's C-plane frames, paced one by one: each leaves when the transmit window of its first
// symbol opens, held until then, in the order offered among those due (a due frame ahead of a
// held one of its eAxC); each message's ecpriSeqid is written as it leaves, counting up by one per
// eAxC on the wire; the sink is flushed after send_due() sent something; each frame is counted on
// time or late when sent.
#include "../support/allocation_counter.h"
#include "airan/io/ecpri.h"
#include "airan/io/fronthaul_frame.h"
#include "airan/l1/uplink_cplane_pacer.h"
#include "airan/l1/uplink_cplane_transmit_window.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace airan::l1 {
namespace {

/// Where the ecpriSeqid of a frame's first message is, if it parses.
std::optional<std::size_t> pacer_sequence_offset(std::span<const std::uint8_t> frame) {
  const io::EcpriFrameParseResult parsed = io::parse_ecpri_frame(frame);
  if (!parsed.ok()) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(parsed.frame.message.application_payload.data() - frame.data()) -
         2;
}

/// Records what the pacer sends (the index of the frame in `known`, which matches but for the
/// ecpriSeqid) and each flush (-1), and the ecpriSeqids sent by eAxC.
struct PacerRecordingSink final : CplaneFrameSink {
  std::vector<std::vector<std::uint8_t>> known; ///< The frames a test offers.
  std::vector<int> events;
  std::vector<std::vector<int>> sequences = std::vector<std::vector<int>>(4); ///< By eAxC 0..3.
  bool refuse = false;
  PacerRecordingSink() {
    events.reserve(64);
    for (auto& by_eaxc : sequences) {
      by_eaxc.reserve(64);
    }
  }
  bool transmit(std::span<const std::uint8_t> frame) override {
    if (refuse) {
      return false;
    }
    const std::optional<std::size_t> at = pacer_sequence_offset(frame);
    int index = -2; // a frame the test did not offer, or one whose bytes were damaged
    for (std::size_t i = 0; i < known.size(); ++i) {
      bool same = known[i].size() == frame.size();
      for (std::size_t b = 0; same && b < frame.size(); ++b) {
        same = (at && b == *at) || known[i][b] == frame[b];
      }
      if (same) {
        index = static_cast<int>(i);
      }
    }
    events.push_back(index);
    if (at) {
      const auto parsed = io::parse_ecpri_frame(frame);
      sequences.at(parsed.frame.message.header.eaxc_id).push_back(frame[*at]);
    }
    return true;
  }
  void flush() override { events.push_back(-1); }
};

/// A one-section C-plane frame (mu 1) for \p symbol of absolute slot 65 (SFN 3, slot 5), its
/// section id \p section_id (frames for one symbol, apart), on eAxC \p eaxc_id.
std::vector<std::uint8_t> pacer_test_frame(unsigned symbol, std::uint16_t section_id = 1,
                                           std::uint16_t eaxc_id = 0) {
  io::CplaneMessageHeader header;
  header.timing = io::FronthaulSlotClock(1, phy::CyclicPrefix::normal).timing_header(65, symbol);
  io::CplaneSection section;
  section.section_id = section_id;
  section.num_prbs = 10;
  std::vector<std::uint8_t> bytes(512);
  io::FronthaulFrameHeader frame_header;
  frame_header.eaxc_id = eaxc_id;
  bytes.resize(io::write_cplane_frame(bytes, frame_header, header, {&section, 1}));
  EXPECT_FALSE(bytes.empty());
  return bytes;
}

/// A window (500 us .. 285 us, mu 1, epoch 1 s, scale 1) on a clock the test sets, a recording
/// sink, and a pacer with a small hold buffer (holding must grow it).
struct PacerClockFixture {
  io::AirTimeline timeline{.epoch_ns = 1'000'000'000, .scale = 1.0}; // before the window
  std::int64_t now = 0;
  UplinkCplaneTransmitWindow window{1, phy::CyclicPrefix::normal, timeline, io::FronthaulConfig{},
                                    [this] { return now; }};
  PacerRecordingSink sink;
  UplinkCplanePacer pacer{window, sink, 8, 1};
  io::FronthaulSlotClock clock{1, phy::CyclicPrefix::normal};

  /// Adds \p frame to what the sink knows; returns its index.
  int know(const std::vector<std::uint8_t>& frame) {
    sink.known.push_back(frame);
    return static_cast<int>(sink.known.size()) - 1;
  }
  /// When the window of \p symbol of slot 65 opens and closes (air time = wall time here).
  std::int64_t opens(unsigned symbol) const {
    return clock.symbol_start_ns(timeline.epoch_ns, 65, symbol) - 500'000;
  }
  std::int64_t closes(unsigned symbol) const {
    return clock.symbol_start_ns(timeline.epoch_ns, 65, symbol) - 285'000;
  }
};

TEST(UplinkCplanePacer, SendsEachFrameWhenItsFirstSymbolsWindowOpens) {
  PacerClockFixture f;
  const int s0 = f.know(pacer_test_frame(0));
  const int s7 = f.know(pacer_test_frame(7));
  const int s12 = f.know(pacer_test_frame(12));
  f.now = f.opens(0) - 1'000'000; // two slots ahead, as a MAC schedules
  for (int i : {s0, s7, s12}) {
    f.pacer.offer(f.sink.known[static_cast<std::size_t>(i)]);
  }
  EXPECT_TRUE(f.sink.events.empty());
  EXPECT_EQ(f.pacer.held(), 3U);
  EXPECT_EQ(f.pacer.send_due(), 0U);
  f.now = f.opens(0) - 1;
  EXPECT_EQ(f.pacer.send_due(), 0U);
  EXPECT_TRUE(f.sink.events.empty()); // no flush without a send
  f.now = f.opens(0);
  EXPECT_EQ(f.pacer.send_due(), 1U);
  EXPECT_EQ(f.sink.events, (std::vector<int>{s0, -1}));
  EXPECT_EQ(f.pacer.send_due(), 0U); // nothing twice
  f.now = f.opens(7) - 1;
  EXPECT_EQ(f.pacer.send_due(), 0U);
  f.now = f.opens(7);
  EXPECT_EQ(f.pacer.send_due(), 1U);
  EXPECT_EQ(f.sink.events, (std::vector<int>{s0, -1, s7, -1}));
  // A frame whose window has opened goes at once from offer(), without a flush (the slot's end
  // flushes the port).
  const int s3 = f.know(pacer_test_frame(3, 1, 1));
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s3)]);
  EXPECT_EQ(f.sink.events, (std::vector<int>{s0, -1, s7, -1, s3}));
  EXPECT_EQ(f.pacer.held(), 1U);
  f.now = f.closes(12); // its window's last instant
  EXPECT_EQ(f.pacer.send_due(), 1U);
  EXPECT_EQ(f.sink.events, (std::vector<int>{s0, -1, s7, -1, s3, s12, -1}));
  EXPECT_EQ(f.pacer.held(), 0U);
  EXPECT_EQ(f.window.messages_on_time(), 4U);
  EXPECT_EQ(f.window.messages_late(), 0U);
  // Symbol 1's window closed before symbol 12's closes: sent at once, counted late.
  const int s1 = f.know(pacer_test_frame(1));
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s1)]);
  EXPECT_EQ(f.sink.events.back(), s1);
  EXPECT_EQ(f.window.messages_late(), 1U);
  EXPECT_EQ(f.window.messages_on_time(), 4U);
  EXPECT_EQ(f.window.messages_early() + f.window.messages_unclassified(), 0U);
  EXPECT_EQ(f.pacer.refused() + f.pacer.dropped_held(), 0U);
}

TEST(UplinkCplanePacer, SendsTheDueFramesInTheOrderOffered) {
  PacerClockFixture f;
  // Two eAxCs' worth: symbols 12 and 7 on eAxC 0, 0 and 0 again (another section) on eAxC 1,
  // offered as 12, 0, 7, 0.
  const int s12 = f.know(pacer_test_frame(12));
  const int s0 = f.know(pacer_test_frame(0, 1, 1));
  const int s7 = f.know(pacer_test_frame(7));
  const int s0b = f.know(pacer_test_frame(0, 2, 1));
  f.now = f.opens(0) - 1'000'000;
  for (int i : {s12, s0, s7, s0b}) {
    f.pacer.offer(f.sink.known[static_cast<std::size_t>(i)]);
  }
  f.now = f.opens(0); // the two for symbol 0 overtake symbol 12's, in their order
  EXPECT_EQ(f.pacer.send_due(), 2U);
  EXPECT_EQ(f.sink.events, (std::vector<int>{s0, s0b, -1}));
  // A frame due at an offer goes after the held ones that became due before it.
  const int s5 = f.know(pacer_test_frame(5, 1, 2));
  f.now = f.opens(12);
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s5)]);
  EXPECT_EQ(f.sink.events, (std::vector<int>{s0, s0b, -1, s12, s7, s5}));
  EXPECT_EQ(f.pacer.held(), 0U);
  EXPECT_EQ(f.pacer.send_due(), 0U);
  EXPECT_EQ(f.window.messages_on_time(), 4U);
  EXPECT_EQ(f.window.messages_late(), 1U); // symbol 5's window closed before symbol 12's opened
}

TEST(UplinkCplanePacer, ADueFrameGoesAheadOfAHeldOneOfItsEaxcWithTheSeqidsInWireOrder) {
  // Frames built out of symbol order on one eAxC (a MAC's UL_TTI.requests out of slot order, a
  // PRACH occasion after later type 1 sections), every ecpriSeqid 0 as built: the pacer sends
  // each when due and numbers each eAxC's messages 0, 1, 2, ... in the order they leave.
  PacerClockFixture f;
  const int s6 = f.know(pacer_test_frame(6));
  const int s0 = f.know(pacer_test_frame(0, 2));
  const int other = f.know(pacer_test_frame(0, 3, 1));
  f.now = f.opens(0) - 1'000'000;
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s6)]);
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s0)]);
  f.now = f.opens(0);
  EXPECT_EQ(f.pacer.send_due(), 1U); // symbol 0's, ahead of symbol 6's held before it
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(other)]); // another eAxC: at once
  EXPECT_EQ(f.sink.events, (std::vector<int>{s0, -1, other}));
  EXPECT_EQ(f.pacer.held(), 1U);
  f.now = f.opens(6) - 1;
  EXPECT_EQ(f.pacer.send_due(), 0U);
  f.now = f.opens(6);
  EXPECT_EQ(f.pacer.send_due(), 1U);
  EXPECT_EQ(f.sink.events, (std::vector<int>{s0, -1, other, s6, -1}));
  EXPECT_EQ(f.window.messages_on_time(), 3U);
  // A due frame offered while one of its eAxC is held goes at once; both count on.
  const int s9 = f.know(pacer_test_frame(9, 4));
  const int s1 = f.know(pacer_test_frame(1, 5));
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s9)]);
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s1)]);
  EXPECT_EQ(f.pacer.held(), 1U);
  f.now = f.opens(9);
  EXPECT_EQ(f.pacer.send_due(), 1U);
  EXPECT_EQ(f.sink.events, (std::vector<int>{s0, -1, other, s6, -1, s1, s9, -1}));
  EXPECT_EQ(f.sink.sequences[0], (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(f.sink.sequences[1], (std::vector<int>{0}));
  // The count wraps at 256 like any ecpriSeqid, per eAxC.
  for (int i = 0; i < 300; ++i) {
    f.pacer.offer(f.sink.known[static_cast<std::size_t>(other)]);
  }
  ASSERT_EQ(f.sink.sequences[1].size(), 301U);
  EXPECT_EQ(f.sink.sequences[1][255], 255);
  EXPECT_EQ(f.sink.sequences[1][256], 0);
  EXPECT_EQ(f.sink.sequences[1][300], 44);
  EXPECT_EQ(f.sink.sequences[0].size(), 4U);
}

TEST(UplinkCplanePacer, CountsRefusedFramesAndDropsWhatItHoldsAtClear) {
  PacerClockFixture f;
  const int s0 = f.know(pacer_test_frame(0));
  const int s7 = f.know(pacer_test_frame(7));
  const int s12 = f.know(pacer_test_frame(12));
  f.now = f.opens(0);
  f.sink.refuse = true;
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s0)]); // due: refused, not counted sent
  EXPECT_EQ(f.pacer.refused(), 1U);
  EXPECT_EQ(f.window.messages_on_time() + f.window.messages_late(), 0U);
  f.sink.refuse = false;
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s7)]);
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s12)]);
  EXPECT_EQ(f.pacer.held(), 2U);
  f.pacer.clear();
  EXPECT_EQ(f.pacer.held(), 0U);
  EXPECT_EQ(f.pacer.dropped_held(), 2U);
  f.now = f.closes(12);
  EXPECT_EQ(f.pacer.send_due(), 0U);
  EXPECT_TRUE(f.sink.events.empty());
  // The buffer is reused after clear().
  f.now = f.opens(0) - 1'000'000;
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s12)]);
  f.now = f.opens(12);
  EXPECT_EQ(f.pacer.send_due(), 1U);
  EXPECT_EQ(f.sink.events, (std::vector<int>{s12, -1}));
  EXPECT_EQ(f.window.messages_on_time(), 1U);
}

TEST(UplinkCplanePacer, SendsAFrameWithoutAWindowAtOnceUnclassified) {
  PacerClockFixture f;
  const int s7 = f.know(pacer_test_frame(7));
  const int runt = f.know(std::vector<std::uint8_t>(10, 0));
  f.now = f.opens(0) - 1'000'000;
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(s7)]);
  f.pacer.offer(f.sink.known[static_cast<std::size_t>(runt)]);
  EXPECT_EQ(f.sink.events, (std::vector<int>{runt}));
  EXPECT_EQ(f.window.messages_unclassified(), 1U);
  EXPECT_EQ(f.window.messages_on_time() + f.window.messages_late(), 0U);
  EXPECT_EQ(f.pacer.held(), 1U);
}

TEST(UplinkCplanePacer, HoldsAndSendsWithoutAllocatingOnceWarm) {
  PacerClockFixture f;
  std::vector<std::vector<std::uint8_t>> frames;
  std::uint16_t eaxc = 0;
  for (unsigned symbol : {12U, 0U, 7U, 3U}) { // each on an eAxC of its own
    frames.push_back(pacer_test_frame(symbol, 1, eaxc++));
    f.know(frames.back());
  }
  long before = 0;
  for (int round = 0; round < 3; ++round) {
    if (round == 1) { // the hold buffer has grown to what a slot holds
      before = airan::test::allocation_count();
    }
    f.now = f.opens(0) - 1'000'000;
    for (const auto& frame : frames) {
      f.pacer.offer(frame);
    }
    for (unsigned symbol : {0U, 3U, 7U, 12U}) { // held frames leave from the middle too
      f.now = f.opens(symbol);
      f.pacer.send_due();
    }
    f.sink.events.clear(); // keeps its capacity, as the sequences' do
    for (auto& by_eaxc : f.sink.sequences) {
      by_eaxc.clear();
    }
  }
  EXPECT_EQ(airan::test::allocation_count() - before, 0);
  EXPECT_EQ(f.window.messages_on_time(), 12U);
  EXPECT_EQ(f.pacer.held(), 0U);
}

} // namespace
} // namespace airan::l1
