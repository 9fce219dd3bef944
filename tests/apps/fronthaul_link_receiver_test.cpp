// The fronthaul link between the test MAC's O-RU end (FronthaulSampleFeeder on a
// FronthaulFrameLink) and a stand-alone L1's DU end (FronthaulLinkReceiver), joined here in one
// process: the slots must come out as the in-process fronthaul delivers them, with their SFN
// past the frameId wrap, and lost or malformed frames must not stall or crash the receiver.
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/fronthaul_sample_feeder.h"
#include "airan/phy/numerology.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <thread>
#include <vector>

namespace airan::l1 {
namespace {

constexpr unsigned rx = 2;
constexpr auto push_timeout = std::chrono::milliseconds(100);

phy::CellConfig link_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  return cell;
}

io::IqCompression bfp(std::uint8_t width) {
  return {io::CompressionMethod::block_floating_point, width};
}

io::FronthaulConfig link_config(io::FronthaulIngestMode mode, io::IqCompression compression) {
  io::FronthaulConfig config;
  config.mode = mode;
  config.compression = compression;
  return config;
}

InMemoryIqSourceConfig source_config(bool time_domain) {
  const phy::CellConfig cell = link_cell();
  const auto numerology = phy::carrier_numerology(cell);
  InMemoryIqSourceConfig config;
  config.num_rx_antennas = rx;
  config.num_subcarriers = 12 * cell.num_prbs;
  config.max_iq_samples = time_domain ? rx * std::size_t{numerology.slot_length(0)} : 0;
  return config;
}

phy::ResourceGrid random_grid(std::uint32_t seed) {
  phy::ResourceGrid grid(rx, 14, 12 * link_cell().num_prbs);
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0F, 0.1F);
  for (auto& value : grid.elements()) {
    value = {normal(generator), normal(generator)};
  }
  return grid;
}

/// A link that hands each frame to a function (and may drop chosen ones).
class FunctionLink final : public FronthaulFrameLink {
public:
  explicit FunctionLink(std::function<bool(std::span<const std::uint8_t>)> on_frame)
      : on_frame_(std::move(on_frame)) {}
  bool send(std::span<const std::uint8_t> frame) override { return on_frame_(frame); }
  std::uint64_t end_of_slot() override { return 0; }

private:
  std::function<bool(std::span<const std::uint8_t>)> on_frame_;
};

/// The samples a source holds for (sfn, slot), released; empty when it holds none.
struct Taken {
  bool present = false;
  bool has_grid = false;
  std::vector<phy::cf32> values; ///< The grid's elements or the IQ.
};

Taken take(InMemoryIqSource& source, std::uint16_t sfn, std::uint16_t slot) {
  Taken taken;
  ReceivedSlot received;
  if (!source.try_acquire(sfn, slot, received)) {
    return taken;
  }
  taken.present = true;
  taken.has_grid = received.grid != nullptr;
  if (received.grid != nullptr) {
    taken.values.assign(received.grid->elements().begin(), received.grid->elements().end());
  } else {
    taken.values.assign(received.iq.begin(), received.iq.end());
  }
  source.release(sfn, slot);
  return taken;
}

/// The O-RU end, the link and the DU end, beside an in-process feeder as the reference.
struct LinkPair {
  explicit LinkPair(const io::FronthaulConfig& config, bool time_domain = false)
      : far(source_config(time_domain)), near(source_config(time_domain)),
        receiver(link_cell(), rx, config, far, push_timeout, std::chrono::milliseconds(50)),
        link([this](std::span<const std::uint8_t> frame) {
          ++frames;
          if (frames == drop_frame) {
            return drop_reported;
          }
          receiver.on_frame(frame);
          return true;
        }),
        ru(link_cell(), rx, config, link), reference(link_cell(), rx, config, false, near) {}

  InMemoryIqSource far;  ///< The stand-alone L1's source.
  InMemoryIqSource near; ///< The in-process fronthaul's.
  FronthaulLinkReceiver receiver;
  std::uint64_t frames = 0;
  std::uint64_t drop_frame = 0; ///< 1-based frame the link loses (0: none).
  bool drop_reported = true;    ///< Whether the link says so (send() returns false).
  FunctionLink link;
  FronthaulSampleFeeder ru;
  FronthaulSampleFeeder reference;
};

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

/// The frames of one slot as the O-RU end sends them.
std::vector<std::vector<std::uint8_t>> slot_frames(
    std::uint16_t sfn, std::uint16_t slot,
    const io::FronthaulConfig& config = link_config(io::FronthaulIngestMode::frequency_domain,
                                                    bfp(9))) {
  std::vector<std::vector<std::uint8_t>> frames;
  FunctionLink capture([&](std::span<const std::uint8_t> frame) {
    frames.emplace_back(frame.begin(), frame.end());
    return true;
  });
  FronthaulSampleFeeder ru(link_cell(), rx, config, capture);
  EXPECT_TRUE(ru.push_grid(sfn, slot, random_grid(slot), push_timeout));
  return frames;
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

} // namespace
} // namespace airan::l1
