// The O-RU end of a fronthaul link on an air timeline (FronthaulSampleFeeder with an
// io::AirTimeline, FronthaulPacedSender): a slot's frames leave at their nominal transmit times,
// converted to wall-clock time, in time order, the same frames an RuEmulator builds; frames of a
// slot already past go at once and are counted late.
#include "fronthaul_feeder_paced_support.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace airan::l1 {
namespace {

using namespace paced_test;

TEST(FronthaulFeederPaced, FramesLeaveAtTheirTimesInOrder) {
  // 20 times slower than the air: a 0.5 ms slot takes 10 ms of wall time.
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 20.0};
  PacedRecordingLink link;
  FronthaulSampleFeeder feeder(paced_cell(), paced_rx, paced_config(), link, false, 0, timeline);
  // A slot 100 ms of wall time ahead of the one on air (room to build its frames).
  const auto [target, address] = paced_slot_ahead(timeline, 10);
  const phy::ResourceGrid grid = paced_grid(7);
  ASSERT_TRUE(feeder.push_grid(address.sfn, address.slot, grid, std::chrono::milliseconds(100)));
  const std::int64_t pushed_ns = io::realtime_ns();
  feeder.finish();
  const std::vector<PacedRecord> sent = link.records();
  const std::vector<PacedExpected> expected = paced_reference(grid, target, timeline.epoch_ns);
  ASSERT_GT(expected.size(), 14U);
  ASSERT_EQ(sent.size(), expected.size());
  const FronthaulFeederCounters counters = feeder.counters();
  EXPECT_EQ(counters.uplane_frames, expected.size());
  EXPECT_EQ(counters.uplane_sent_late, 0U);
  EXPECT_EQ(counters.link_dropped, 0U);
  // The link flushed the frames as they went (a batching link sends each run of them), the
  // last ones included.
  EXPECT_GE(link.flushes(), 2U);
  EXPECT_EQ(link.sent_at_last_flush(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    // The same frames (the slot's frameId, subframe and slot: the absolute slot on the epoch).
    EXPECT_EQ(sent[i].bytes, expected[i].bytes) << "frame " << i;
    const std::int64_t due = timeline.wall_ns(expected[i].tx_ns);
    EXPECT_GT(due, pushed_ns) << "frame " << i; // queued before its time
    EXPECT_GE(sent[i].sent_ns, due) << "frame " << i << " left early";
    EXPECT_LE(sent[i].sent_ns, due + paced_bound_ns) << "frame " << i;
    if (i > 0) {
      EXPECT_GE(sent[i].sent_ns, sent[i - 1].sent_ns) << "frame " << i;
      EXPECT_GE(expected[i].tx_ns, expected[i - 1].tx_ns) << "frame " << i;
    }
  }
  // The symbols' frames spread over the slot: the last leaves about 13 symbols after the first.
  EXPECT_GT(sent.back().sent_ns - sent.front().sent_ns,
            timeline.wall_ns(expected.back().tx_ns) - timeline.wall_ns(expected.front().tx_ns) -
                paced_bound_ns / 10);
}

TEST(FronthaulFeederPaced, FramesOfASlotAlreadyPastGoAtOnceCountedLate) {
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 20.0};
  PacedRecordingLink link;
  FronthaulSampleFeeder feeder(paced_cell(), paced_rx, paced_config(), link, false, 0, timeline);
  const auto [target, address] = paced_slot_ahead(timeline, -3);
  const std::int64_t start_ns = io::realtime_ns();
  ASSERT_TRUE(feeder.push_empty(address.sfn, address.slot, std::chrono::milliseconds(100)));
  feeder.finish();
  const std::vector<PacedRecord> sent = link.records();
  const std::vector<PacedExpected> expected = paced_reference(
      phy::ResourceGrid(paced_rx, 14, 12 * paced_cell().num_prbs), target, timeline.epoch_ns);
  ASSERT_EQ(sent.size(), expected.size());
  const FronthaulFeederCounters counters = feeder.counters();
  EXPECT_EQ(counters.uplane_frames, expected.size());
  EXPECT_EQ(counters.uplane_sent_late, expected.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].bytes, expected[i].bytes) << "frame " << i; // resolved to the past slot
    EXPECT_LE(sent[i].sent_ns, start_ns + paced_bound_ns) << "frame " << i; // not held back
  }
}

TEST(FronthaulFeederPaced, SenderOrdersFramesByTimeAndCountsDrops) {
  PacedRecordingLink link;
  FronthaulPacedSender sender(link, 64, 4);
  const std::int64_t now = io::realtime_ns();
  const std::vector<std::uint8_t> b(10, 0xB);
  const std::vector<std::uint8_t> a(20, 0xA);
  const std::vector<std::uint8_t> c(30, 0xC);
  // Hundreds of ms apart: the queuing thread may be held back that long on a loaded machine.
  sender.queue(b, now + 400'000'000);
  sender.queue(a, now + 200'000'000); // queued later, due earlier: leaves first
  sender.queue(c, now + 400'000'000); // the same time as b: after it
  sender.queue(b, now - 1);           // already due: at once, late
  sender.queue(a, now + 600'000'000); // a fifth frame, in the buffer the late one freed
  sender.finish();
  const std::vector<PacedRecord> sent = link.records();
  ASSERT_EQ(sent.size(), 5U);
  EXPECT_EQ(sent[0].bytes, b);
  EXPECT_EQ(sent[1].bytes, a);
  EXPECT_EQ(sent[2].bytes, b);
  EXPECT_EQ(sent[3].bytes, c);
  EXPECT_EQ(sent[4].bytes, a);
  EXPECT_GE(sent[1].sent_ns, now + 200'000'000);
  EXPECT_GE(sent[3].sent_ns, now + 400'000'000);
  EXPECT_GE(sent[4].sent_ns, now + 600'000'000);
  EXPECT_EQ(sender.frames_queued(), 5U);
  EXPECT_EQ(sender.frames_late(), 1U);
  EXPECT_EQ(sender.frames_dropped(), 0U);
  EXPECT_LE(sender.peak_queued(), 4U);
  link.refuse();
  sender.queue(c, now);
  sender.finish();
  EXPECT_EQ(sender.frames_dropped(), 1U);
  EXPECT_THROW(sender.queue(std::vector<std::uint8_t>(65, 0), now), std::length_error);
}

TEST(FronthaulFeederPaced, DiscardDropsWhatIsQueuedAndFreesItsBuffers) {
  PacedRecordingLink link;
  FronthaulPacedSender sender(link, 64, 3);
  const std::int64_t later = io::realtime_ns() + 3'600'000'000'000LL; // an hour ahead
  const std::vector<std::uint8_t> frame(16, 0x5);
  for (int i = 0; i < 3; ++i) {
    sender.queue(frame, later); // the queue full
  }
  EXPECT_EQ(sender.discard(), 3U);
  sender.finish(); // nothing left to wait for
  EXPECT_TRUE(link.records().empty());
  // Every buffer free again: three more queue without waiting, and go at once.
  for (int i = 0; i < 3; ++i) {
    sender.queue(frame, io::realtime_ns() - 1);
  }
  sender.finish();
  EXPECT_EQ(link.records().size(), 3U);
  EXPECT_EQ(sender.frames_late(), 3U);
  EXPECT_EQ(sender.discard(), 0U);
}

} // namespace
} // namespace airan::l1
