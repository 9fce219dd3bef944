// The live link (`airan l1 --clock real-time`): FronthaulLinkReceiver on an air timeline takes an
// O-RU's frames at their arrival times, numbers slots from GPS time (the SFN the L1's clock
// counts) and dispatches a slot that lost frames at its deadline, not when the link goes quiet.
// The frames are a real O-RU's (io::RuEmulator), sent at their nominal times or later.
#include "airan/io/fronthaul_timing.h"
#include "airan/io/ru_emulator.h"
#include "airan/io/test_vector_file.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/slot_clock.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace airan::l1 {
namespace {

constexpr unsigned live_rx = 2;
/// 2027-01-15T08:00:00 UTC: GPS frame 148403521800 (SFN 264, frameId 8).
constexpr std::int64_t live_utc_ns = 1'800'000'000LL * 1'000'000'000;

phy::CellConfig live_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  return cell;
}

io::FronthaulConfig live_config() {
  io::FronthaulConfig config;
  config.compression = {io::CompressionMethod::block_floating_point, 9};
  return config; // Ta4 0 .. 400 us, deadline 500 us after the slot's end
}

InMemoryIqSourceConfig live_source_config() {
  InMemoryIqSourceConfig config;
  config.num_rx_antennas = live_rx;
  config.num_subcarriers = 12 * live_cell().num_prbs;
  return config;
}

/// One slot's U-plane frames and their nominal transmit times (air ns on the GPS epoch).
struct LiveFrames {
  std::vector<std::vector<std::uint8_t>> frames;
  std::vector<std::int64_t> tx_ns;
};

LiveFrames live_slot_frames(std::int64_t absolute_slot, std::uint32_t seed) {
  io::TestVectorSlot slot;
  slot.absolute_slot = static_cast<std::uint64_t>(absolute_slot);
  slot.slot = static_cast<unsigned>(absolute_slot % 20);
  slot.grid = phy::ResourceGrid(live_rx, 14, 12 * live_cell().num_prbs);
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0F, 0.1F);
  for (auto& value : slot.grid.elements()) {
    value = {normal(generator), normal(generator)};
  }
  io::RuEmulator ru(live_cell(), live_rx, live_config());
  LiveFrames out;
  ru.packetize_slot(slot, absolute_slot, io::gps_frame_epoch_ns,
                    [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
                      out.frames.emplace_back(frame.begin(), frame.end());
                      out.tx_ns.push_back(tx_ns);
                    });
  return out;
}

std::vector<phy::cf32> take_live_grid(InMemoryIqSource& source, FapiSlotAddress address) {
  ReceivedSlot received;
  if (!source.try_acquire(address.sfn, address.slot, received) || received.grid == nullptr) {
    return {};
  }
  std::vector<phy::cf32> values(received.grid->elements().begin(), received.grid->elements().end());
  source.release(address.sfn, address.slot);
  return values;
}

TEST(FronthaulLinkLive, SlotsCarryTheSfnOfGpsTimeAndTheStepsLinksSamples) {
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const std::int64_t slot = clock.absolute_slot_at(io::gps_frame_epoch_ns, live_utc_ns + 3'000'000);
  const LiveFrames sent = live_slot_frames(slot, 11);
  ASSERT_EQ(sent.frames.size(), 28U); // 2 antennas x 14 symbols, 24 PRBs a frame
  InMemoryIqSource live_source(live_source_config());
  InMemoryIqSource stepped_source(live_source_config());
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 1.0};
  FronthaulLinkReceiver live(live_cell(), live_rx, live_config(), live_source,
                             std::chrono::milliseconds(10), std::chrono::milliseconds(200),
                             timeline);
  FronthaulLinkReceiver stepped(live_cell(), live_rx, live_config(), stepped_source,
                                std::chrono::milliseconds(10));
  EXPECT_TRUE(live.live());
  EXPECT_FALSE(stepped.live());
  for (std::size_t i = 0; i < sent.frames.size(); ++i) {
    live.on_frame(sent.frames[i], sent.tx_ns[i] + 5'000); // 5 us on the wire
    stepped.on_frame(sent.frames[i]);
  }
  // SFN 264 slot 6 (3 ms into GPS frame 148403521800): the L1's clock says the same.
  SlotClock l1_clock(1, SlotClockMode::real_time);
  l1_clock.start_on(timeline, SteadyClock::now(), live_utc_ns + 3'100'000);
  EXPECT_EQ(l1_clock.current_address(), (FapiSlotAddress{264, 6}));
  const std::vector<phy::cf32> live_grid = take_live_grid(live_source, {264, 6});
  ASSERT_FALSE(live_grid.empty());
  // The stepped link numbers frames from the first one's frameId (8): SFN 8.
  EXPECT_EQ(live_grid, take_live_grid(stepped_source, {8, 6}));
  EXPECT_EQ(live.counters().slots_delivered, 1U);
  EXPECT_EQ(live.counters().slots_partial, 0U);
  const io::FronthaulCounters& c = live.fronthaul_counters();
  EXPECT_EQ(c.on_time, sent.frames.size());
  EXPECT_EQ(c.early + c.late + c.too_late, 0U);
}

TEST(FronthaulLinkLive, ScaledTimelineWindowsInAirTime) {
  // 40 times slower: 10 ms of wall time after a symbol is 250 us on air (in the 400 us Ta4
  // window), 20 ms is 500 us (late, still used: the slot is pending).
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 40.0};
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const std::int64_t slot =
      clock.absolute_slot_at(io::gps_frame_epoch_ns, timeline.air_ns(live_utc_ns));
  const LiveFrames sent = live_slot_frames(slot, 12);
  InMemoryIqSource source(live_source_config());
  FronthaulLinkReceiver live(live_cell(), live_rx, live_config(), source,
                             std::chrono::milliseconds(10), std::chrono::milliseconds(200),
                             timeline);
  const std::size_t half = sent.frames.size() / 2;
  for (std::size_t i = 0; i < sent.frames.size(); ++i) {
    // tx_ns is symbol end + 10 us: the delays below are from the symbol's start + its length.
    const std::int64_t delay = i < half ? 10'000'000 : 20'000'000;
    live.on_frame(sent.frames[i], timeline.wall_ns(sent.tx_ns[i]) + delay);
  }
  const io::FronthaulCounters& c = live.fronthaul_counters();
  EXPECT_EQ(c.on_time, half);
  EXPECT_EQ(c.late, sent.frames.size() - half);
  EXPECT_EQ(live.counters().slots_delivered, 1U);
  const FapiSlotAddress address = to_slot_address(static_cast<std::uint64_t>(slot), 20);
  EXPECT_FALSE(take_live_grid(source, address).empty());
}

TEST(FronthaulLinkLive, ASlotThatLostAFrameLeavesPartialAtItsDeadline) {
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 1.0};
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const std::int64_t slot = clock.absolute_slot_at(io::gps_frame_epoch_ns, live_utc_ns + 7'600'000);
  const LiveFrames sent = live_slot_frames(slot, 13);
  InMemoryIqSource source(live_source_config());
  FronthaulLinkReceiver live(live_cell(), live_rx, live_config(), source,
                             std::chrono::milliseconds(10), std::chrono::milliseconds(200),
                             timeline);
  for (std::size_t i = 0; i + 1 < sent.frames.size(); ++i) { // the last frame is lost
    live.on_frame(sent.frames[i], sent.tx_ns[i]);
  }
  const std::int64_t deadline =
      clock.slot_start_ns(io::gps_frame_epoch_ns, slot + 1) + live_config().slot_deadline_ns;
  EXPECT_FALSE(live.poll(deadline - 1'000)); // still waiting for it
  EXPECT_EQ(live.counters().slots_delivered, 0U);
  EXPECT_TRUE(live.poll(deadline + 1'000));
  EXPECT_EQ(live.counters().slots_delivered, 1U);
  EXPECT_EQ(live.counters().slots_partial, 1U);
  EXPECT_EQ(live.fronthaul_counters().slots_deadline, 1U);
  EXPECT_GT(live.fronthaul_counters().missing_units, 0U);
  const FapiSlotAddress address = to_slot_address(static_cast<std::uint64_t>(slot), 20);
  EXPECT_FALSE(take_live_grid(source, address).empty());
  // The lost frame coming now is too late: dropped and counted, nothing reopened.
  live.on_frame(sent.frames.back(), deadline + 2'000);
  EXPECT_EQ(live.fronthaul_counters().too_late, 1U);
  EXPECT_FALSE(live.poll(deadline + 10'000'000));
  EXPECT_EQ(live.counters().slots_delivered, 1U);
}

TEST(FronthaulLinkLive, AResetKeepsTheGpsNumbering) {
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 1.0};
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  InMemoryIqSource source(live_source_config());
  FronthaulLinkReceiver live(live_cell(), live_rx, live_config(), source,
                             std::chrono::milliseconds(10), std::chrono::milliseconds(200),
                             timeline);
  for (const std::int64_t offset : {1'000'000LL, 4'000'000'000LL}) { // a session, then another
    const std::int64_t slot = clock.absolute_slot_at(io::gps_frame_epoch_ns, live_utc_ns + offset);
    const LiveFrames sent = live_slot_frames(slot, 14);
    for (std::size_t i = 0; i < sent.frames.size(); ++i) {
      live.on_frame(sent.frames[i], sent.tx_ns[i]);
    }
    const FapiSlotAddress address = to_slot_address(static_cast<std::uint64_t>(slot), 20);
    EXPECT_FALSE(take_live_grid(source, address).empty()) << address.sfn << ' ' << address.slot;
    live.reset();
  }
  EXPECT_EQ(live.counters().slots_delivered, 2U);
  EXPECT_EQ(live.counters().slots_before_start, 0U);
}

TEST(FronthaulLinkLive, StartOnFollowsTheScaledTimeline) {
  // 40 times slower: the slot on air is the one the scaled time since the epoch falls in, and
  // its end is 40 times its remaining air time away on the wall clock.
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 40.0};
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const std::int64_t air = timeline.air_ns(live_utc_ns);
  const std::int64_t slot = clock.absolute_slot_at(io::gps_frame_epoch_ns, air);
  SlotClock l1_clock(1, SlotClockMode::real_time, 40.0);
  const auto now = SteadyClock::now();
  l1_clock.start_on(timeline, now, live_utc_ns);
  EXPECT_EQ(l1_clock.current(), static_cast<std::uint64_t>(slot));
  EXPECT_EQ(l1_clock.current_address(), to_slot_address(static_cast<std::uint64_t>(slot), 20));
  const auto left =
      std::chrono::duration_cast<std::chrono::nanoseconds>(l1_clock.current_slot_end() - now);
  const std::int64_t air_left = clock.slot_start_ns(io::gps_frame_epoch_ns, slot + 1) - air;
  ASSERT_GT(air_left, 0);
  EXPECT_NEAR(static_cast<double>(left.count()), static_cast<double>(air_left) * 40.0, 80.0);
  l1_clock.advance();
  EXPECT_EQ(l1_clock.current(), static_cast<std::uint64_t>(slot + 1));
  EXPECT_EQ(l1_clock.current_slot_end() - now, left + std::chrono::milliseconds(20));
  // Before the epoch there is no slot to start on.
  EXPECT_THROW(l1_clock.start_on(timeline, now, io::gps_frame_epoch_ns - 1'000'000),
               std::invalid_argument);
}

TEST(FronthaulLinkLive, ASlotPeriodOfNoWholeNsDoesNotDrift) {
  // 1 ms / 16 x 1.00001 = 62500.625 ns a slot: every end from the timeline, 100000 slots on.
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 1.00001};
  SlotClock l1_clock(4, SlotClockMode::real_time, 1.00001);
  const auto now = SteadyClock::now();
  l1_clock.start_on(timeline, now, live_utc_ns);
  const std::uint64_t first = l1_clock.current();
  for (int i = 0; i < 100'000; ++i) {
    l1_clock.advance();
  }
  const std::int64_t end_wall =
      timeline.wall_ns(timeline.epoch_ns + static_cast<std::int64_t>(first + 100'001) * 62'500);
  EXPECT_EQ(l1_clock.current_slot_end() - now, std::chrono::nanoseconds(end_wall - live_utc_ns));
}

} // namespace
} // namespace airan::l1
