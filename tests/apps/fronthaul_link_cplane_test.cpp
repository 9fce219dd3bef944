// C-plane over the fronthaul link between a stand-alone L1 and an O-RU, joined here in one
// process without DPDK: the L1's FronthaulCplaneSender, its frames queued (CplaneFrameQueue) to
// the port's thread, which gives them to the O-RU (FronthaulSampleFeeder on a link, C-plane on)
// and to the L1's FronthaulLinkReceiver. The O-RU sends only the requested PRBs and symbols; the
// receiver must deliver each requested slot whole as soon as they are in, a slot asked nothing
// of at once and empty, and keep its slot count across long runs of such slots.
#include "fronthaul_link_cplane_ends.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <thread>
#include <vector>

namespace airan::l1 {
namespace {

using namespace cplane_link_test;

/// Another DU's C-plane for slot (0, 0), a PUSCH on PRBs 10 .. 13, to its own O-RU (its MAC
/// address's last byte 0x07), with the same eAxC ids.
std::vector<std::vector<std::uint8_t>> other_dus_cplane() {
  io::FronthaulConfig other_link = cplane_link_config();
  other_link.ru_mac[5] = 0x07;
  std::vector<std::vector<std::uint8_t>> frames;
  FronthaulCplaneSender other_du(cplane_link_cell(), cplane_link_rx, other_link,
                                 [&](std::span<const std::uint8_t> frame) {
                                   frames.emplace_back(frame.begin(), frame.end());
                                 });
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(10, 4)};
  other_du.send_slot(0, 0, pdus, {});
  return frames;
}

TEST(FronthaulLinkCplane, TheOruSendsWhatWasAskedAndTheSlotIsWholeWithoutAFlush) {
  CplaneLinkEnds ends;
  const phy::ResourceGrid grid = cplane_link_grid(3);
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(2, 5), cplane_link_pusch(15, 6)};
  ends.run_slot(0, 0, pdus, &grid);
  // Only requested rows travelled: 2 PDUs x 14 symbols x 2 antennas, one frame each.
  EXPECT_EQ(ends.uplane_frames, 2U * 14 * cplane_link_rx);
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 1U); // complete: no flush needed
  EXPECT_EQ(ends.receiver.counters().slots_partial, 0U);
  EXPECT_EQ(ends.receiver.fronthaul_counters().missing_units, 0U);
  EXPECT_EQ(ends.receiver.fronthaul_counters().requested_slots, 1U);
  EXPECT_EQ(ends.receiver.counters().cplane_sections, 2U * cplane_link_rx);
  EXPECT_EQ(ends.ru.counters().cplane_missing, 0U);
  ReceivedSlot received;
  ASSERT_TRUE(ends.source.try_acquire(0, 0, received));
  ASSERT_NE(received.grid, nullptr);
  // Uncompressed 16-bit IQ: half a step of full scale / 2^15 from rounding.
  const float step = cplane_link_config().full_scale / 32768.0F;
  for (unsigned a = 0; a < cplane_link_rx; ++a) {
    for (unsigned l = 0; l < 14; ++l) {
      const auto got = received.grid->symbol(a, l);
      const auto sent = grid.symbol(a, l);
      for (unsigned k = 0; k < got.size(); ++k) {
        const unsigned prb = k / 12;
        const bool asked = (prb >= 2 && prb < 7) || (prb >= 15 && prb < 21);
        if (asked) {
          EXPECT_NEAR(got[k].real(), sent[k].real(), step / 2) << a << ' ' << l << ' ' << k;
          EXPECT_NEAR(got[k].imag(), sent[k].imag(), step / 2) << a << ' ' << l << ' ' << k;
        } else {
          EXPECT_EQ(got[k], phy::cf32{}) << a << ' ' << l << ' ' << k;
        }
      }
    }
  }
  ends.source.release(0, 0);
}

// Another DU's C-plane on the same segment (to its own O-RU's MAC address, the same eAxC ids and
// slot): the O-RU counts and drops it, and sends only what its own DU asked for. It served both
// before, twice the frames, the other DU's PRBs included.
TEST(FronthaulLinkCplane, TheOruServesOnlyItsOwnDusCplane) {
  CplaneLinkEnds ends;
  const std::vector<std::vector<std::uint8_t>> other_frames = other_dus_cplane();
  ASSERT_FALSE(other_frames.empty());
  ends.to_ru.insert(ends.to_ru.end(), other_frames.begin(), other_frames.end());
  const phy::ResourceGrid grid = cplane_link_grid(4);
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(2, 5)};
  ends.run_slot(0, 0, pdus, &grid);
  EXPECT_EQ(ends.uplane_frames, 14U * cplane_link_rx);
  EXPECT_EQ(ends.ru.counters().cplane_other_links, other_frames.size());
  EXPECT_EQ(ends.ru.counters().cplane_ignored, 0U);
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 1U);
  EXPECT_EQ(ends.receiver.counters().slots_partial, 0U);
}

// A slot's C-plane is complete once this link's C-plane falls quiet: another link's C-plane on
// the segment at every poll does not hold the O-RU for the 2 s wait (it counted the slot's
// C-plane as missing and the run failed).
TEST(FronthaulLinkCplane, OtherLinksTrafficDoesNotHoldTheSlot) {
  CplaneLinkEnds ends;
  const std::vector<std::vector<std::uint8_t>> other_frames = other_dus_cplane();
  ASSERT_FALSE(other_frames.empty());
  ends.chatter = other_frames.front();
  const phy::ResourceGrid grid = cplane_link_grid(5);
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(2, 5)};
  const auto start = std::chrono::steady_clock::now();
  ends.run_slot(0, 0, pdus, &grid);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
  EXPECT_EQ(ends.ru.counters().cplane_missing, 0U);
  EXPECT_GT(ends.ru.counters().cplane_other_links, 0U);
  EXPECT_EQ(ends.uplane_frames, 14U * cplane_link_rx);
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 1U);
  EXPECT_EQ(ends.receiver.counters().slots_partial, 0U);
}

TEST(FronthaulLinkCplane, ASlotAskedNothingOfIsEmptyAtOnceAndTheCountSurvivesLongRuns) {
  CplaneLinkEnds ends;
  const phy::ResourceGrid grid = cplane_link_grid(5);
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(0, 24)};
  ReceivedSlot received;
  // 300 slots (15 frames, beyond the receiver's window of 4) with work in slots 0 and 299 only.
  for (unsigned n = 0; n < 300; ++n) {
    const auto sfn = static_cast<std::uint16_t>(n / 20);
    const auto slot = static_cast<std::uint16_t>(n % 20);
    const bool work = n == 0 || n == 299;
    ends.run_slot(sfn, slot,
                  work ? std::span<const phy::PuschConfig>(pdus)
                       : std::span<const phy::PuschConfig>(),
                  work ? &grid : nullptr);
    ASSERT_TRUE(ends.source.try_acquire(sfn, slot, received)) << n;
    EXPECT_EQ(received.has_samples(), work) << n;
    ends.source.release(sfn, slot);
    ends.source.close_before(n + 1, 20);
  }
  EXPECT_EQ(ends.receiver.counters().slots_empty, 298U);
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 2U);
  EXPECT_EQ(ends.receiver.counters().frames_out_of_window, 0U);
  EXPECT_EQ(ends.receiver.counters().slots_refused, 0U);
  EXPECT_EQ(ends.receiver.fronthaul_counters().requested_slots, 2U);
  EXPECT_EQ(ends.uplane_frames, 2U * 14 * cplane_link_rx);
}

TEST(FronthaulLinkCplane, ALostRequestedRowLeavesTheSlotPartialAtTheQuietFlush) {
  CplaneLinkEnds ends;
  const phy::ResourceGrid grid = cplane_link_grid(7);
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(4, 8)};
  ends.sender.send_slot(0, 3, pdus, {});
  ends.queue.take_all(ends);
  // The O-RU's frames, all but one, straight into the receiver.
  CplaneLinkCapture collect;
  collect.in = &ends.to_ru;
  FronthaulSampleFeeder ru(cplane_link_cell(), cplane_link_rx, cplane_link_config(), collect, true);
  ASSERT_TRUE(ru.push_grid(0, 3, grid, std::chrono::milliseconds(100)));
  const auto& frames = collect.frames;
  ASSERT_EQ(frames.size(), 14U * cplane_link_rx);
  for (std::size_t f = 0; f + 1 < frames.size(); ++f) {
    ends.receiver.on_frame(frames[f]);
  }
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 0U); // one requested row still out
  EXPECT_TRUE(ends.receiver.flush_if_quiet(SteadyClock::now() + std::chrono::seconds(1)));
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 1U);
  EXPECT_EQ(ends.receiver.counters().slots_partial, 1U);
  EXPECT_EQ(ends.receiver.fronthaul_counters().missing_units, 8U); // that row's PRBs only
  EXPECT_EQ(ends.receiver.fronthaul_counters().incomplete_symbols, 1U);
}

TEST(FronthaulLinkCplane, AResetDropsTheRequestsOfSlotsTheSessionDidNotReach) {
  CplaneLinkEnds ends;
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(0, 6)};
  ends.sender.send_slot(0, 4, pdus, {});
  ends.queue.take_all(ends);
  ends.receiver.reset();
  EXPECT_EQ(ends.receiver.fronthaul_counters().requested_slots_unserved, 1U);
  // The next session asks nothing of the same slot: empty, at once.
  ends.sender.send_slot(0, 4, {}, {});
  ends.queue.take_all(ends);
  EXPECT_EQ(ends.receiver.counters().slots_empty, 1U);
}

// A MAC running ahead: the C-plane of slot 0 (a PUSCH) and of six empty slots after it is done
// before slot 0's U-plane comes. The empty slots wait for it in the receiver, not in the
// source, whose four entries would otherwise fill with later slots and refuse slot 0.
TEST(FronthaulLinkCplane, EmptySlotsAfterARequestedOneWaitForItsTurn) {
  CplaneLinkEnds ends;
  const phy::ResourceGrid grid = cplane_link_grid(11);
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(3, 9)};
  ends.sender.send_slot(0, 0, pdus, {});
  for (std::uint16_t slot = 1; slot <= 6; ++slot) {
    ends.sender.send_slot(0, slot, {}, {});
  }
  ends.queue.take_all(ends);
  EXPECT_EQ(ends.receiver.counters().slots_empty, 0U); // all behind slot 0
  std::vector<bool> had_samples;
  std::thread l1 = ends.consume_slots(0, 6, had_samples);
  ASSERT_TRUE(ends.ru.push_grid(0, 0, grid, std::chrono::milliseconds(100)));
  l1.join();
  ASSERT_EQ(had_samples.size(), 7U);
  EXPECT_TRUE(had_samples[0]);
  for (std::size_t k = 1; k < had_samples.size(); ++k) {
    EXPECT_FALSE(had_samples[k]) << k;
  }
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 1U);
  EXPECT_EQ(ends.receiver.counters().slots_empty, 6U);
  EXPECT_EQ(ends.receiver.counters().slots_refused + ends.receiver.counters().empty_slots_refused,
            0U);
}

// The MAC's UL_TTI.requests out of slot order (2 before 1, both asked for): the slots still go
// over in slot order, each delivered once, and a slot asked nothing of after them goes empty at
// once, not held behind a stale entry until the quiet flush counts it lost.
TEST(FronthaulLinkCplane, CplaneOutOfSlotOrderStillHandsOverInOrder) {
  CplaneLinkEnds ends;
  const phy::ResourceGrid grid = cplane_link_grid(17);
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(4, 8)};
  ends.sender.send_slot(0, 0, pdus, {});
  ends.sender.send_slot(0, 2, pdus, {});
  ends.sender.send_slot(0, 1, pdus, {});
  ends.queue.take_all(ends);
  std::vector<bool> had_samples;
  std::thread l1 = ends.consume_slots(0, 3, had_samples);
  for (std::uint16_t slot = 0; slot <= 2; ++slot) {
    ASSERT_TRUE(ends.ru.push_grid(0, slot, grid, std::chrono::milliseconds(100)));
  }
  ends.sender.send_slot(0, 3, {}, {});
  ends.queue.take_all(ends);
  l1.join();
  EXPECT_EQ(had_samples, (std::vector<bool>{true, true, true, false}));
  const FronthaulLinkCounters c = ends.receiver.counters();
  EXPECT_EQ(c.slots_delivered, 3U);
  EXPECT_EQ(c.slots_empty, 1U);
  EXPECT_EQ(c.slots_lost, 0U);
  EXPECT_EQ(c.slots_refused + c.empty_slots_refused, 0U);
}

// A slot asked for of which nothing comes must not stall the L1: it goes over empty (lost) when
// a later slot is delivered, or when the link has been quiet for lost_after since its C-plane
// (not after the shorter quiet time that flushes partial slots: the MAC may be slow).
TEST(FronthaulLinkCplane, ARequestedSlotOfWhichNothingCameGoesOverAsLost) {
  CplaneLinkEnds ends;
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(0, 4)};
  ends.sender.send_slot(0, 0, pdus, {});
  ends.sender.send_slot(0, 1, {}, {});
  ends.queue.take_all(ends);
  ends.to_ru.clear(); // the O-RU never hears of slot 0
  ReceivedSlot received;
  EXPECT_FALSE(ends.source.try_acquire(0, 0, received));
  EXPECT_FALSE(ends.receiver.flush_if_quiet(SteadyClock::now())); // not quiet long enough
  EXPECT_FALSE(ends.receiver.flush_if_quiet(SteadyClock::now() + std::chrono::seconds(1)));
  const auto later =
      SteadyClock::now() + FronthaulLinkReceiver::lost_after + std::chrono::seconds(1);
  EXPECT_TRUE(ends.receiver.flush_if_quiet(later));
  EXPECT_FALSE(ends.receiver.flush_if_quiet(later));
  for (std::uint16_t slot = 0; slot <= 1; ++slot) {
    ASSERT_TRUE(ends.source.try_acquire(0, slot, received)) << slot;
    EXPECT_FALSE(received.has_samples());
    ends.source.release(0, slot);
  }
  EXPECT_EQ(ends.receiver.counters().slots_lost, 1U);
  EXPECT_EQ(ends.receiver.counters().slots_empty, 1U);
  // Its requests wait no more (they would match the same slot of a later cycle).
  EXPECT_EQ(ends.receiver.fronthaul_counters().requested_slots_unserved, 1U);
  // Slot 2 asked for and lost, slot 3 asked for and delivered: slot 2 goes over first.
  const phy::ResourceGrid grid = cplane_link_grid(13);
  ends.sender.send_slot(0, 2, pdus, {});
  ends.queue.take_all(ends);
  ends.to_ru.clear();
  ends.run_slot(0, 3, pdus, &grid);
  EXPECT_TRUE(ends.source.try_acquire(0, 2, received));
  EXPECT_FALSE(received.has_samples());
  EXPECT_TRUE(ends.source.try_acquire(0, 3, received));
  EXPECT_TRUE(received.has_samples());
  EXPECT_EQ(ends.receiver.counters().slots_lost, 2U);
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 1U);
  EXPECT_EQ(ends.receiver.fronthaul_counters().requested_slots_unserved, 2U);
  // Slot 2's U-plane after all: given up, it counts as too late and opens no slot.
  struct Late final : FronthaulFrameLink {
    FronthaulLinkReceiver* receiver = nullptr;
    bool send(std::span<const std::uint8_t> frame) override {
      receiver->on_frame(frame);
      return true;
    }
    std::uint64_t end_of_slot() override { return 0; }
  } late;
  late.receiver = &ends.receiver;
  FronthaulSampleFeeder whole(cplane_link_cell(), cplane_link_rx, cplane_link_config(), late);
  ASSERT_TRUE(whole.push_grid(0, 2, grid, std::chrono::milliseconds(10)));
  EXPECT_EQ(ends.receiver.fronthaul_counters().too_late, 14U * cplane_link_rx);
  EXPECT_FALSE(ends.receiver.flush_if_quiet(SteadyClock::now() + std::chrono::hours(1)));
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 1U);
}

// A requested slot that lost a frame, then the next requested slot whole: the first goes to the
// source partial (what did come), before the second, not empty as lost.
TEST(FronthaulLinkCplane, APartialSlotGoesOverPartialBeforeALaterWholeOne) {
  CplaneLinkEnds ends;
  const phy::ResourceGrid grid = cplane_link_grid(19);
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(5, 10)};
  ends.sender.send_slot(0, 0, pdus, {});
  ends.sender.send_slot(0, 1, pdus, {});
  ends.queue.take_all(ends);
  CplaneLinkCapture ru_out;
  ru_out.in = &ends.to_ru;
  FronthaulSampleFeeder ru(cplane_link_cell(), cplane_link_rx, cplane_link_config(), ru_out, true);
  ASSERT_TRUE(ru.push_grid(0, 0, grid, std::chrono::milliseconds(100)));
  ASSERT_TRUE(ru.push_grid(0, 1, grid, std::chrono::milliseconds(100)));
  ASSERT_EQ(ru_out.frames.size(), 2U * 14 * cplane_link_rx);
  for (std::size_t f = 1; f < ru_out.frames.size(); ++f) { // slot 0's first frame is lost
    ends.receiver.on_frame(ru_out.frames[f]);
  }
  ReceivedSlot received;
  ASSERT_TRUE(ends.source.try_acquire(0, 0, received));
  EXPECT_TRUE(received.has_samples());
  ends.source.release(0, 0);
  ASSERT_TRUE(ends.source.try_acquire(0, 1, received));
  EXPECT_TRUE(received.has_samples());
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 2U);
  EXPECT_EQ(ends.receiver.counters().slots_partial, 1U);
  EXPECT_EQ(ends.receiver.counters().slots_lost, 0U);
  EXPECT_EQ(ends.receiver.fronthaul_counters().missing_units, 10U); // one row of slot 0
}

// An O-RU that sends a whole slot before the L1's C-plane of it is done (its own clock): the slot
// is delivered once, never replaced by an empty one when its C-plane then finishes.
TEST(FronthaulLinkCplane, ASlotDeliveredBeforeItsCplaneWasDoneIsNotPushedAgain) {
  CplaneLinkEnds ends;
  const phy::ResourceGrid grid = cplane_link_grid(17);
  ends.sender.send_slot(0, 0, {}, {}); // C-plane is on
  ends.queue.take_all(ends);
  struct Capture final : FronthaulFrameLink {
    std::vector<std::vector<std::uint8_t>> frames;
    bool send(std::span<const std::uint8_t> frame) override {
      frames.emplace_back(frame.begin(), frame.end());
      return true;
    }
    std::uint64_t end_of_slot() override { return 0; }
  } whole;
  FronthaulSampleFeeder ru(cplane_link_cell(), cplane_link_rx, cplane_link_config(), whole);
  ASSERT_TRUE(ru.push_grid(0, 1, grid, std::chrono::milliseconds(10)));
  for (const auto& frame : whole.frames) {
    ends.receiver.on_frame(frame);
  }
  EXPECT_EQ(ends.receiver.counters().slots_delivered, 1U); // the whole carrier came
  const std::vector<phy::PuschConfig> pdus = {cplane_link_pusch(0, 4)};
  ends.sender.send_slot(0, 1, pdus, {});
  ends.sender.send_slot(0, 2, {}, {});
  ends.queue.take_all(ends);
  ReceivedSlot received;
  ASSERT_TRUE(ends.source.try_acquire(0, 1, received));
  EXPECT_TRUE(received.has_samples());
  ASSERT_TRUE(ends.source.try_acquire(0, 2, received)); // not stuck behind slot 1
  EXPECT_FALSE(received.has_samples());
  EXPECT_EQ(ends.receiver.counters().slots_lost, 0U);
}

TEST(CplaneFrameQueue, HandsOverFramesAndSlotEndsInOrderAcrossThreads) {
  CplaneFrameQueue queue(16, 2); // small: it must grow
  struct Record final : CplaneQueueVisitor {
    std::vector<int> events; ///< Frame: its first byte; slot end: -(slot + 1).
    void on_frame(std::span<const std::uint8_t> frame) override { events.push_back(frame[0]); }
    void on_slot_done(std::uint16_t /*sfn*/, std::uint16_t slot) override {
      events.push_back(-(slot + 1));
    }
  } record;
  std::thread producer([&] {
    for (std::uint16_t slot = 0; slot < 200; ++slot) {
      const std::vector<std::uint8_t> frame(40 + slot, static_cast<std::uint8_t>(slot % 100));
      queue.add_frame(frame);
      queue.add_frame(frame);
      queue.add_slot_done(0, slot);
    }
  });
  while (record.events.size() < 600) {
    queue.take_all(record);
  }
  producer.join();
  ASSERT_EQ(record.events.size(), 600U);
  for (std::size_t slot = 0; slot < 200; ++slot) {
    const int id = static_cast<int>(slot);
    EXPECT_EQ(record.events[3 * slot], id % 100);
    EXPECT_EQ(record.events[3 * slot + 1], id % 100);
    EXPECT_EQ(record.events[3 * slot + 2], -(id + 1));
  }
  queue.add_frame(std::vector<std::uint8_t>(8, 1));
  queue.clear();
  EXPECT_EQ(queue.take_all(record), 0U);
}

} // namespace
} // namespace airan::l1
