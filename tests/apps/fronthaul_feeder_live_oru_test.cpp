// The O-RU end of a fronthaul link with C-plane on an air timeline: a live O-RU on a thread of
// its own (FronthaulSampleFeeder, apps/l1/fronthaul_sample_feeder_live.cpp) that reads the DU's
// C-plane as it comes and sends each symbol with the C-plane that came in that symbol's window;
// the MAC's push only hands the slot over. Its own program, run serially
// (AIRAN_TESTS_IN_REAL_TIME).
#include "../support/sanitizer_sweeps.h"
#include "airan/io/cplane_timing_window.h"
#include "airan/io/oran_cplane_generator.h"
#include "fronthaul_feeder_paced_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

namespace airan::l1 {
namespace {

using namespace paced_test;

/// The DU's C-plane of absolute slot \p absolute for each antenna: PRBs 0-5 over the whole slot
/// (a message for symbol 0) and PRB 20 on symbols 12-13 (a message for symbol 12).
std::pair<std::vector<std::vector<std::uint8_t>>, std::vector<std::vector<std::uint8_t>>>
live_oru_cplane(std::int64_t absolute) {
  const io::FronthaulConfig config = paced_config();
  io::UplinkCplaneConfig link;
  link.ethernet = {config.ru_mac, config.du_mac, config.vlan}; // the DU to the O-RU
  link.compression = config.compression;
  link.carrier_prbs = static_cast<std::uint16_t>(paced_cell().num_prbs);
  io::UplinkCplaneGenerator generator(link, 16);
  std::vector<io::UplinkAllocation> allocations;
  for (std::uint16_t rx = 0; rx < paced_rx; ++rx) {
    const auto eaxc = io::pack_eaxc_id({0, 0, 0, rx}, config.eaxc_layout);
    allocations.push_back({eaxc, 0, 6, 0, 14, 0});
    allocations.push_back({eaxc, 20, 1, 12, 2, 0});
  }
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const io::OranTimingHeader timing = clock.timing_header(static_cast<std::uint64_t>(absolute), 0);
  std::vector<std::uint8_t> buffer(16384);
  std::vector<std::span<const std::uint8_t>> frames(16);
  const auto result = generator.generate({timing.frame_id, timing.subframe_id, timing.slot_id},
                                         allocations, buffer, frames);
  EXPECT_TRUE(result.ok());
  std::pair<std::vector<std::vector<std::uint8_t>>, std::vector<std::vector<std::uint8_t>>> out;
  for (std::size_t f = 0; f < result.num_frames; ++f) {
    const auto start = io::first_cplane_message_start(frames[f], clock);
    EXPECT_TRUE(start.has_value());
    (start && start->symbol == 12 ? out.second : out.first)
        .emplace_back(frames[f].begin(), frames[f].end());
  }
  return out;
}

/// Sleeps until wall-clock time \p wall_ns.
void sleep_until_wall(std::int64_t wall_ns) {
  const std::int64_t left = wall_ns - io::realtime_ns();
  if (left > 0) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(left));
  }
}

TEST(FronthaulFeederLiveOru, EachSymbolIsSentWithTheCplaneThatCameInItsWindow) {
  // A live O-RU 40 times slower than the air, 80 in the sanitizer tree (each window 15 or 30 ms
  // of wall time wide: room for a loaded machine). The DU's C-plane for symbol 12 comes in
  // symbol 12's window, after the slot's first symbols were final: the O-RU has sent those
  // already and still serves the later request, as an O-RU with per-symbol windows does.
  const io::AirTimeline timeline{io::gps_frame_epoch_ns,
                                 airan::test::built_with_sanitizers ? 80.0 : 40.0};
  PacedRecordingLink link;
  FronthaulSampleFeeder feeder(paced_cell(), paced_rx, paced_config(), link, true, 0, timeline);
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const auto ahead = paced_slot_ahead(timeline, 10);
  const std::int64_t target = ahead.first; // a name the lambdas below can capture
  const FapiSlotAddress address = ahead.second;
  const phy::ResourceGrid grid = paced_grid(11);
  const std::int64_t before_push = io::realtime_ns();
  feeder.ul_tti_sent(address.sfn, address.slot, 2);
  ASSERT_TRUE(feeder.push_grid(address.sfn, address.slot, grid, std::chrono::milliseconds(100)));
  // The MAC's push hands the slot over: it does not wait for the C-plane (10 slots ahead).
  EXPECT_LT(io::realtime_ns() - before_push, 100'000'000);
  const auto [first, last] = live_oru_cplane(target);
  ASSERT_EQ(first.size(), paced_rx);
  ASSERT_EQ(last.size(), paced_rx);
  const io::FronthaulConfig config = paced_config();
  // 50 us of air into each window.
  const auto in_window = [&](unsigned symbol) {
    return timeline.wall_ns(clock.symbol_start_ns(timeline.epoch_ns, target, symbol) -
                            config.t2a_max_cp_ul_ns + 50'000);
  };
  sleep_until_wall(in_window(0));
  link.deliver(first);
  sleep_until_wall(in_window(12));
  // By now the slot's first symbols' windows have closed (symbol 0's 125 us before the slot,
  // symbol 12's opens 72 us before it).
  ASSERT_GT(timeline.air_ns(io::realtime_ns()),
            clock.symbol_start_ns(timeline.epoch_ns, target, 0) - config.t2a_min_cp_ul_ns);
  link.deliver(last);
  feeder.finish();
  // What an O-RU that had every request before the slot would send.
  io::RuEmulator reference(paced_cell(), paced_rx, stepped_link_config(config));
  io::RuRequestsBySlot requests(4, 8);
  for (const auto* frames : {&first, &last}) {
    for (const auto& frame : *frames) {
      io::take_cplane_frame(frame, reference.link_config(), reference.cplane_scope(), clock,
                            requests);
    }
  }
  const auto key = static_cast<unsigned>(target % clock.slots_per_cycle());
  const auto found = requests.find(key);
  const std::vector<io::RuSectionRequest> asked(found.begin(), found.end());
  ASSERT_EQ(asked.size(), 2U * paced_rx);
  const std::vector<PacedExpected> expected =
      paced_reference(grid, target, timeline.epoch_ns, asked);
  const std::vector<PacedRecord> sent = link.records();
  ASSERT_EQ(sent.size(), expected.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].bytes, expected[i].bytes) << "frame " << i;
  }
  const FronthaulFeederCounters counters = feeder.counters();
  EXPECT_EQ(counters.slots, 1U);
  EXPECT_EQ(counters.cplane_frames, 2U * paced_rx);
  EXPECT_EQ(counters.cplane_on_time, 2U * paced_rx); // each message against its own symbol
  EXPECT_EQ(counters.cplane_early + counters.cplane_late + counters.cplane_missing, 0U);
  EXPECT_EQ(counters.uplane_sent_late, 0U);
}

TEST(FronthaulFeederLiveOru, NoCplaneSendsNothingAndAStopDropsTheSlotsAhead) {
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 20.0};
  PacedRecordingLink link;
  FronthaulSampleFeeder feeder(paced_cell(), paced_rx, paced_config(), link, true, 0, timeline);
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const std::int64_t on_air =
      clock.absolute_slot_at(timeline.epoch_ns, timeline.air_ns(io::realtime_ns()));
  const auto push = [&](std::int64_t absolute, unsigned num_pdus) {
    const FapiSlotAddress address =
        to_slot_address(static_cast<std::uint64_t>(absolute), clock.slots_per_frame());
    feeder.ul_tti_sent(address.sfn, address.slot, num_pdus);
    return feeder.push_grid(address.sfn, address.slot, paced_grid(3),
                            std::chrono::milliseconds(100));
  };
  // Two slots just past: one had PDUs and no C-plane came (missing), one asked for nothing.
  ASSERT_TRUE(push(on_air - 2, 1));
  ASSERT_TRUE(push(on_air - 1, 0));
  feeder.finish();
  FronthaulFeederCounters counters = feeder.counters();
  EXPECT_EQ(counters.slots, 2U);
  EXPECT_EQ(counters.cplane_missing, 1U);
  EXPECT_TRUE(link.records().empty());
  // Slots a second ahead wait in the O-RU's ring; a STOP drops them.
  ASSERT_TRUE(push(on_air + 100, 1));
  ASSERT_TRUE(push(on_air + 101, 1));
  feeder.session_stopped();
  feeder.finish(); // nothing left to wait for
  counters = feeder.counters();
  EXPECT_EQ(counters.slots_discarded_at_stop, 2U);
  EXPECT_EQ(counters.slots, 2U);
  // The ring is bounded: a full one refuses a push after its timeout.
  for (std::size_t i = 0; i < FronthaulSampleFeeder::live_slot_capacity; ++i) {
    ASSERT_TRUE(push(on_air + 200 + static_cast<std::int64_t>(i), 1));
  }
  EXPECT_FALSE(push(on_air + 300, 1));
  EXPECT_EQ(feeder.counters().slots_refused, 1U);
}

} // namespace
} // namespace airan::l1
