// The fronthaul link between the test MAC's O-RU end (FronthaulSampleFeeder on a
// FronthaulFrameLink) and a stand-alone L1's DU end (FronthaulLinkReceiver), joined here in one
// process: the slots must come out as the in-process fronthaul delivers them, with their SFN
// past the frameId wrap, and lost or malformed frames must not stall or crash the receiver.
#include "fronthaul_link_pair.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace airan::l1 {
namespace {

using namespace link_test;

TEST(FronthaulLink, GridsArriveAsTheInProcessFronthaulDeliversThem) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  for (std::uint16_t slot = 0; slot < 6; ++slot) {
    if (slot == 3) { // a slot without samples goes out as zeros
      ASSERT_TRUE(pair.ru.push_empty(0, slot, push_timeout));
      const Taken zeros = take(pair.far, 0, slot);
      ASSERT_TRUE(zeros.present && zeros.has_grid);
      EXPECT_TRUE(std::ranges::all_of(zeros.values, [](phy::cf32 v) { return v == phy::cf32{}; }));
      continue;
    }
    const phy::ResourceGrid grid = random_grid(slot);
    ASSERT_TRUE(pair.ru.push_grid(0, slot, grid, push_timeout));
    ASSERT_TRUE(pair.reference.push_grid(0, slot, grid, push_timeout));
    const Taken far = take(pair.far, 0, slot);
    const Taken near = take(pair.near, 0, slot);
    ASSERT_TRUE(far.present && near.present) << "slot " << slot;
    EXPECT_EQ(far.values, near.values) << "slot " << slot; // the same bits, BFP9 included
  }
  EXPECT_EQ(pair.receiver.counters().slots_delivered, 6U);
  EXPECT_EQ(pair.receiver.counters().slots_partial, 0U);
  EXPECT_EQ(pair.receiver.fronthaul_counters().malformed(), 0U);
  EXPECT_EQ(pair.ru.counters().uplane_frames, pair.frames);
}

TEST(FronthaulLink, TimeDomainIqArrivesAsTheInProcessFronthaulDeliversIt) {
  LinkPair pair(link_config(io::FronthaulIngestMode::time_domain, bfp(14)), true);
  for (std::uint16_t slot = 0; slot < 3; ++slot) {
    const phy::ResourceGrid grid = random_grid(100 + slot);
    ASSERT_TRUE(pair.ru.push_grid(0, slot, grid, push_timeout));
    ASSERT_TRUE(pair.reference.push_grid(0, slot, grid, push_timeout));
    const Taken far = take(pair.far, 0, slot);
    const Taken near = take(pair.near, 0, slot);
    ASSERT_TRUE(far.present && near.present && !far.has_grid) << "slot " << slot;
    EXPECT_EQ(far.values, near.values) << "slot " << slot;
  }
}

TEST(FronthaulLink, SfnGoesOnPastTheFrameIdWrap) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  // frameId is 8 bits: SFN 255 -> 256 -> 257 come as frameId 255 -> 0 -> 1.
  const std::pair<std::uint16_t, std::uint16_t> slots[] = {{255, 19}, {256, 0}, {257, 5}};
  for (const auto& [sfn, slot] : slots) {
    ASSERT_TRUE(pair.ru.push_grid(sfn, slot, random_grid(sfn), push_timeout));
    EXPECT_TRUE(take(pair.far, sfn, slot).present) << "SFN " << sfn << " slot " << slot;
  }
  EXPECT_EQ(pair.receiver.counters().slots_delivered, 3U);
  EXPECT_EQ(pair.receiver.counters().slots_refused, 0U);
}

TEST(FronthaulLink, ASlotThatLostAFrameLeavesPartialOnceTheLinkIsQuiet) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  ASSERT_TRUE(pair.ru.push_grid(0, 0, random_grid(1), push_timeout));
  ASSERT_TRUE(take(pair.far, 0, 0).present);
  pair.drop_frame = pair.frames + 5; // lost on the wire, unseen by the sender
  ASSERT_TRUE(pair.ru.push_grid(0, 1, random_grid(2), push_timeout));
  EXPECT_FALSE(take(pair.far, 0, 1).present); // incomplete: held
  EXPECT_FALSE(pair.receiver.flush_if_quiet(SteadyClock::now()));
  EXPECT_TRUE(pair.receiver.flush_if_quiet(SteadyClock::now() + std::chrono::seconds(1)));
  EXPECT_TRUE(take(pair.far, 0, 1).present);
  EXPECT_EQ(pair.receiver.counters().slots_partial, 1U);
  EXPECT_EQ(pair.receiver.counters().quiet_flushes, 1U);
  EXPECT_GT(pair.receiver.fronthaul_counters().missing_units, 0U);
  EXPECT_FALSE(pair.receiver.flush_if_quiet(SteadyClock::now() + std::chrono::seconds(2)));
  ASSERT_TRUE(pair.ru.push_grid(0, 2, random_grid(3), push_timeout));
  EXPECT_TRUE(take(pair.far, 0, 2).present); // and the next slot is whole again
  EXPECT_EQ(pair.receiver.counters().slots_partial, 1U);
}

// The samples change hands by swapping buffers (InMemoryIqSource::exchange_grid): after a few
// slots the assembler fills buffers that held an earlier slot; what a lost frame carried must
// read zero, not that slot's samples.
TEST(FronthaulLink, UnitsOfALostFrameReadZeroInARecycledBuffer) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  for (std::uint16_t slot = 0; slot < 6; ++slot) {
    ASSERT_TRUE(pair.ru.push_grid(0, slot, random_grid(slot), push_timeout));
    ASSERT_TRUE(take(pair.far, 0, slot).present);
  }
  pair.drop_frame = pair.frames + 3;
  const phy::ResourceGrid grid = random_grid(6);
  ASSERT_TRUE(pair.ru.push_grid(0, 6, grid, push_timeout));
  ASSERT_TRUE(pair.reference.push_grid(0, 6, grid, push_timeout));
  EXPECT_TRUE(pair.receiver.flush_if_quiet(SteadyClock::now() + std::chrono::seconds(1)));
  const Taken far = take(pair.far, 0, 6);
  const Taken near = take(pair.near, 0, 6);
  ASSERT_TRUE(far.present && near.present);
  ASSERT_EQ(far.values.size(), near.values.size());
  std::size_t zeroed = 0;
  for (std::size_t i = 0; i < far.values.size(); ++i) {
    if (far.values[i] != near.values[i]) {
      EXPECT_EQ(far.values[i], phy::cf32{}) << "element " << i;
      ++zeroed;
    }
  }
  EXPECT_GT(zeroed, 0U);
  EXPECT_EQ(pair.receiver.counters().slots_partial, 1U);
}

TEST(FronthaulLink, AFrameTheLinkDropsIsReportedByThePush) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  pair.drop_frame = 3;
  pair.drop_reported = false;
  EXPECT_FALSE(pair.ru.push_grid(0, 0, random_grid(1), push_timeout));
  EXPECT_EQ(pair.ru.counters().link_dropped, 1U);
  EXPECT_TRUE(pair.ru.push_grid(0, 1, random_grid(2), push_timeout));
  EXPECT_EQ(pair.ru.counters().link_dropped, 1U);
}

TEST(FronthaulLink, MalformedFramesAreCountedAndTheSlotsGoOn) {
  LinkPair pair(link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)));
  std::vector<std::uint8_t> captured;
  FunctionLink capture([&](std::span<const std::uint8_t> frame) {
    if (captured.empty()) {
      captured.assign(frame.begin(), frame.end());
    }
    return true;
  });
  FronthaulSampleFeeder ru(link_cell(), rx,
                           link_config(io::FronthaulIngestMode::frequency_domain, bfp(9)), capture);
  ASSERT_TRUE(ru.push_grid(0, 7, random_grid(7), push_timeout));
  ASSERT_FALSE(captured.empty());
  std::mt19937 generator(5);
  for (int i = 0; i < 200; ++i) {
    std::vector<std::uint8_t> bad = captured;
    if (i % 2 == 0) {
      bad.resize(generator() % bad.size()); // truncated
    } else {
      // Past the timing header (the next test corrupts that): sections, PRBs, compression.
      constexpr std::size_t after_timing = 30;
      for (int flip = 0; flip < 4; ++flip) {
        bad[after_timing + generator() % (bad.size() - after_timing)] ^=
            static_cast<std::uint8_t>(1U << (generator() % 8));
      }
    }
    pair.receiver.on_frame(bad);
  }
  pair.receiver.flush();
  while (take(pair.far, 0, 7).present) {
  }
  EXPECT_GT(pair.receiver.fronthaul_counters().malformed(), 0U);
  for (std::uint16_t slot = 8; slot < 10; ++slot) {
    ASSERT_TRUE(pair.ru.push_grid(0, slot, random_grid(slot), push_timeout));
    EXPECT_TRUE(take(pair.far, 0, slot).present) << "slot " << slot;
  }
}

// Another link's frames on the same wire (another DU's MAC address, another VLAN id; the same
// eAxC ids, another SFN): the first frames of all neither fix the count's origin nor, later,
// move it by a resync; the assembler counts and drops them, and this link's slots come out.
TEST(FronthaulLink, AnotherLinksFramesNeitherSetNorMoveTheCount) {
  io::FronthaulConfig ours = link_config(io::FronthaulIngestMode::frequency_domain, bfp(9));
  ours.vlan = io::VlanTag{7, false, 100};
  io::FronthaulConfig other_du = ours;
  other_du.du_mac[5] = 0x09;
  io::FronthaulConfig other_vlan = ours;
  other_vlan.vlan->vlan_id = 200;
  LinkPair pair(ours);
  const auto du_frames = slot_frames(100, 1, other_du);
  const auto vlan_frames = slot_frames(100, 2, other_vlan);
  ASSERT_GT(vlan_frames.size(), FronthaulLinkReceiver::resync_after);
  for (const auto& frame : du_frames) {
    pair.receiver.on_frame(frame);
  }
  for (std::uint16_t slot = 0; slot < 4; ++slot) {
    ASSERT_TRUE(pair.ru.push_grid(3, slot, random_grid(slot), push_timeout));
    const Taken taken = take(pair.far, 3, slot);
    ASSERT_TRUE(taken.present) << "slot " << slot;
    ASSERT_TRUE(pair.reference.push_grid(3, slot, random_grid(slot), push_timeout));
    EXPECT_EQ(taken.values, take(pair.near, 3, slot).values) << "slot " << slot;
    if (slot == 1) {
      for (const auto& frame : vlan_frames) {
        pair.receiver.on_frame(frame);
      }
    }
  }
  const FronthaulLinkCounters& link = pair.receiver.counters();
  EXPECT_EQ(link.frames_out_of_window + link.count_resyncs, 0U);
  const io::FronthaulCounters& c = pair.receiver.fronthaul_counters();
  EXPECT_EQ(c.other_destination, du_frames.size());
  EXPECT_EQ(c.other_vlan, vlan_frames.size());
  EXPECT_EQ(c.slots_complete, 4U);
}

// Another link's frames keep coming while this link's slot waits for a lost frame: they are no
// sign of this link's O-RU, so the link is still quiet and the slot leaves partial (and the L1's
// MAC timeout, which counts this link's frames, is not held off either).
TEST(FronthaulLink, AnotherLinksFramesDoNotKeepTheLinkFromBeingQuiet) {
  io::FronthaulConfig ours = link_config(io::FronthaulIngestMode::frequency_domain, bfp(9));
  io::FronthaulConfig other_du = ours;
  other_du.du_mac[5] = 0x09;
  LinkPair pair(ours);
  ASSERT_TRUE(pair.ru.push_grid(0, 0, random_grid(1), push_timeout));
  ASSERT_TRUE(take(pair.far, 0, 0).present);
  pair.drop_frame = pair.frames + 5;
  ASSERT_TRUE(pair.ru.push_grid(0, 1, random_grid(2), push_timeout));
  EXPECT_FALSE(take(pair.far, 0, 1).present);                 // incomplete: held
  std::this_thread::sleep_for(std::chrono::milliseconds(60)); // past the 50 ms quiet time
  const auto others = slot_frames(0, 1, other_du);
  for (const auto& frame : others) {
    pair.receiver.on_frame(frame);
  }
  EXPECT_TRUE(pair.receiver.flush_if_quiet(SteadyClock::now()));
  EXPECT_TRUE(take(pair.far, 0, 1).present);
  const FronthaulLinkCounters& link = pair.receiver.counters();
  EXPECT_EQ(link.slots_partial, 1U);
  EXPECT_EQ(link.frames_for_other_links, others.size());
  EXPECT_EQ(pair.receiver.fronthaul_counters().other_destination, others.size());
}

// A stepped link stamps each frame at its symbol's start: on time, whatever Ta4 window the
// carrier file gives the live O-RU (its minimum counted every frame early).
TEST(FronthaulLink, SteppedFramesAreOnTimeWhateverTheTa4Window) {
  io::FronthaulConfig config = link_config(io::FronthaulIngestMode::frequency_domain, bfp(9));
  config.ta4_min_ns = 20'000;
  LinkPair pair(config);
  ASSERT_TRUE(pair.ru.push_grid(0, 0, random_grid(1), push_timeout));
  ASSERT_TRUE(take(pair.far, 0, 0).present);
  const io::FronthaulCounters& c = pair.receiver.fronthaul_counters();
  EXPECT_GT(c.on_time, 0U);
  EXPECT_EQ(c.early + c.late, 0U);
}

} // namespace
} // namespace airan::l1
