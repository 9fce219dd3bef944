// The stand-alone L1's slot count on a fronthaul link (FronthaulLinkReceiver): frameIds that
// resolve far from it (corrupted, or a real jump), streams of partial slots, and sessions: after
// a STOP the next session counts from its own first frame, past every slot of the last one, and
// frames between sessions are not any session's.
#include "fronthaul_link_pair.h"

#include <gtest/gtest.h>

namespace airan::l1 {
namespace {

using namespace link_test;

TEST(FronthaulLink, AWildFrameIdDoesNotMoveTheSlotCountButARealJumpDoes) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  ASSERT_TRUE(pair.ru.push_grid(0, 0, random_grid(1), push_timeout));
  ASSERT_TRUE(take(pair.far, 0, 0).present);
  // Frames of SFN 120 and 240 in the stream (corrupted frameIds): dropped, and the count stays
  // (had it followed them, the next slots would resolve a frameId cycle on, SFN 256).
  pair.receiver.on_frame(slot_frames(120, 1).front());
  pair.receiver.on_frame(slot_frames(240, 1).front());
  pair.receiver.on_frame(slot_frames(120, 1).front());
  EXPECT_EQ(pair.receiver.counters().frames_out_of_window, 3U);
  for (std::uint16_t slot = 1; slot < 4; ++slot) {
    ASSERT_TRUE(pair.ru.push_grid(0, slot, random_grid(slot), push_timeout));
    EXPECT_TRUE(take(pair.far, 0, slot).present) << "slot " << slot;
  }
  EXPECT_EQ(pair.receiver.counters().count_resyncs, 0U);
  // The stream itself jumps 100 frames on: after resync_after frames in a row the count
  // follows, and SFN 100's slots come out as such.
  const auto jumped = slot_frames(100, 1);
  ASSERT_GT(jumped.size(), FronthaulLinkReceiver::resync_after);
  for (const auto& frame : jumped) {
    pair.receiver.on_frame(frame);
  }
  EXPECT_EQ(pair.receiver.counters().count_resyncs, 1U);
  for (const auto& frame : slot_frames(100, 2)) {
    pair.receiver.on_frame(frame);
  }
  EXPECT_TRUE(take(pair.far, 100, 2).present);
}

// A stream whose every slot lacks a frame (an O-RU sending less than the carrier file says):
// its partial slots move the count too, so six frames' slots stay inside the window. The count
// followed complete slots only: after 4 frames every frame fell outside it, 7 good frames of a
// slot were dropped and a resync followed, every 4 frames.
TEST(FronthaulLink, AStreamOfPartialSlotsKeepsItsCount) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  const auto slots_per_frame = static_cast<std::uint16_t>(phy::slots_per_frame(1));
  unsigned delivered = 0;
  for (std::uint16_t sfn = 0; sfn < 6; ++sfn) {
    for (std::uint16_t slot = 0; slot < slots_per_frame; ++slot) {
      const auto frames = slot_frames(sfn, slot);
      for (std::size_t f = 1; f < frames.size(); ++f) { // the first frame of every slot lost
        pair.receiver.on_frame(frames[f]);
      }
      (void)pair.receiver.flush_if_quiet(SteadyClock::now() + std::chrono::seconds(1));
      delivered += take(pair.far, sfn, slot).present ? 1U : 0U;
    }
  }
  EXPECT_EQ(delivered, 6U * slots_per_frame);
  EXPECT_EQ(pair.receiver.counters().frames_out_of_window, 0U);
  EXPECT_EQ(pair.receiver.counters().count_resyncs, 0U);
  EXPECT_EQ(pair.receiver.counters().slots_partial, 6U * slots_per_frame);
}

TEST(FronthaulLink, CorruptedFrameIdsInsideTheWindowDoNotMoveTheCountEither) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  ASSERT_TRUE(pair.ru.push_grid(0, 0, random_grid(1), push_timeout));
  ASSERT_TRUE(take(pair.far, 0, 0).present);
  // A frame 3 frames ahead (inside the window: placed), then one 3.5 frames past that: had the
  // first moved the count, the second would be in and the real slots out of the window.
  pair.receiver.on_frame(slot_frames(3, 1).front());
  pair.receiver.on_frame(slot_frames(6, 11).front());
  EXPECT_EQ(pair.receiver.counters().frames_out_of_window, 1U);
  for (std::uint16_t slot = 1; slot < 4; ++slot) {
    ASSERT_TRUE(pair.ru.push_grid(0, slot, random_grid(slot), push_timeout));
    EXPECT_TRUE(take(pair.far, 0, slot).present) << "slot " << slot;
  }
  EXPECT_EQ(pair.receiver.counters().frames_out_of_window, 1U);
}

TEST(FronthaulLink, AfterResetANewSessionCountsFromItsOwnFirstFrame) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  // A first session that ran past half a frameId cycle (SFN 200 at mu 1: slot 4000).
  for (const auto& frame : slot_frames(200, 0)) {
    pair.receiver.on_frame(frame);
  }
  ASSERT_TRUE(take(pair.far, 200, 0).present);
  const auto open = slot_frames(200, 1);
  for (std::size_t f = 0; f < open.size() / 2; ++f) {
    pair.receiver.on_frame(open[f]);
  }
  pair.receiver.reset(); // STOP; the next MAC starts at SFN 0
  EXPECT_EQ(pair.receiver.counters().slots_dropped_at_reset, 1U);
  EXPECT_FALSE(take(pair.far, 200, 1).present);
  for (std::uint16_t slot = 0; slot < 3; ++slot) {
    for (const auto& frame : slot_frames(0, slot)) {
      pair.receiver.on_frame(frame);
    }
    EXPECT_TRUE(take(pair.far, 0, slot).present) << "slot " << slot;
  }
  EXPECT_EQ(pair.receiver.counters().slots_partial, 0U);
  EXPECT_EQ(pair.receiver.counters().slots_delivered, 4U);
  EXPECT_EQ(pair.receiver.fronthaul_counters().malformed(), 0U);
}

// A STOP just before a frameId cycle ends, with frames of the next cycle's first slot already
// in (a MAC that ran a whole number of cycles and schedules ahead): that slot resolves past the
// count and is flushed at the reset. The next session counted from the next whole cycle after
// the count, so its SFN 0 slot 0 was that flushed slot on the assembler's time line, and the
// assembler, which dispatches no slot twice, dropped all of its frames as too late.
TEST(FronthaulLink, ANewSessionsFirstSlotIsNotASlotFlushedAtTheReset) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  const auto last_frame = static_cast<std::uint16_t>(255);
  for (const std::uint16_t slot : {18, 19}) { // the cycle's last two slots (mu 1)
    for (const auto& frame : slot_frames(last_frame, slot)) {
      pair.receiver.on_frame(frame);
    }
    ASSERT_TRUE(take(pair.far, last_frame, slot).present) << "slot " << slot;
  }
  const auto next_cycle = slot_frames(256, 0); // frameId 0 again
  for (std::size_t f = 0; f < next_cycle.size() / 2; ++f) {
    pair.receiver.on_frame(next_cycle[f]);
  }
  pair.receiver.reset(); // STOP; the next MAC starts at SFN 0
  EXPECT_EQ(pair.receiver.counters().slots_dropped_at_reset, 1U);
  for (std::uint16_t slot = 0; slot < 3; ++slot) {
    for (const auto& frame : slot_frames(0, slot)) {
      pair.receiver.on_frame(frame);
    }
    EXPECT_TRUE(take(pair.far, 0, slot).present) << "slot " << slot;
  }
  EXPECT_EQ(pair.receiver.fronthaul_counters().too_late, 0U);
  EXPECT_EQ(pair.receiver.counters().slots_delivered, 5U);
  EXPECT_EQ(pair.receiver.counters().slots_partial, 0U);
}

// A frame of the stopped session (SFN 200: a paced O-RU still sending, a late packet) comes
// between STOP and the next START, and the link is quiet long enough for a flush. Gated, it is
// counted and dropped, and the next session's slots come out from SFN 0. Without the gate it
// fixed the count's origin at SFN 200 and went to the source as that slot (a stepped clock
// passes every slot before it), and the next session's frames fell outside the window.
TEST(FronthaulLink, AStaleFrameBetweenSessionsDoesNotSetTheNextSessionsCount) {
  for (const bool gated : {true, false}) {
    SCOPED_TRACE(gated ? "gated" : "without a gate");
    LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
    bool in_session = true;
    if (gated) {
      pair.receiver.set_session_gate([&in_session] { return in_session; });
    }
    for (const auto& frame : slot_frames(200, 0)) {
      pair.receiver.on_frame(frame);
    }
    ASSERT_TRUE(take(pair.far, 200, 0).present);
    in_session = false; // STOP
    pair.receiver.reset();
    pair.receiver.on_frame(slot_frames(200, 1).front());
    (void)pair.receiver.flush_if_quiet(SteadyClock::now() + std::chrono::seconds(1));
    in_session = true; // START: the next MAC's O-RU from SFN 0
    unsigned delivered = 0;
    for (std::uint16_t slot = 0; slot < 3; ++slot) {
      for (const auto& frame : slot_frames(0, slot)) {
        pair.receiver.on_frame(frame);
      }
      delivered += take(pair.far, 0, slot).present ? 1U : 0U;
    }
    const FronthaulLinkCounters& link = pair.receiver.counters();
    const bool stale_slot_delivered = take(pair.far, 200, 1).present;
    if (gated) {
      EXPECT_EQ(delivered, 3U);
      EXPECT_FALSE(stale_slot_delivered);
      EXPECT_EQ(link.frames_outside_session, 1U);
      EXPECT_EQ(link.frames_out_of_window, 0U);
      EXPECT_EQ(link.slots_delivered, 4U);
      EXPECT_EQ(link.slots_partial, 0U);
    } else { // the failure the gate prevents
      EXPECT_TRUE(stale_slot_delivered);
      EXPECT_GT(link.frames_out_of_window, 0U);
      EXPECT_EQ(link.frames_outside_session, 0U);
    }
  }
}

} // namespace
} // namespace airan::l1
