// The FAPI L1 on a live clock (FapiPhyConfig::slot_timeline, `airan l1 --clock real-time`): the
// first SLOT.indication carries the SFN and slot of GPS time at START, a START before the
// timeline's epoch is refused with SFN_OUT_OF_SYNC, and a slot without work takes samples that
// come after its end for workless_sample_wait_slots (a live O-RU's last frames), not after. Its
// own program, run serially (AIRAN_TESTS_IN_REAL_TIME): 20 ms slots.
#include "airan/io/fronthaul_timing.h"
#include "l1_phy_test_harness.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

namespace airan::l1 {
namespace {

constexpr double live_clock_scale = 40.0; // 20 ms slots at mu = 1

FapiPhyConfig live_clock_config(std::int64_t epoch_ns, unsigned workless_wait) {
  FapiPhyConfig config = test::harness_phy_config();
  config.clock_mode = SlotClockMode::real_time;
  config.period_scale = live_clock_scale;
  config.slot_timeline = io::AirTimeline{epoch_ns, live_clock_scale};
  config.workless_sample_wait_slots = workless_wait;
  return config;
}

/// The absolute slot (mu = 1) on air now on the GPS timeline at live_clock_scale.
std::int64_t gps_slot_now() {
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, live_clock_scale};
  return io::FronthaulSlotClock(1, phy::CyclicPrefix::normal)
      .absolute_slot_at(timeline.epoch_ns, timeline.air_ns(io::realtime_ns()));
}

/// CONFIG and START; the first SLOT.indication (nullopt when none came within \p timeout).
std::optional<test::Received>
live_start(test::PhyHarness& h, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  h.send(io::to_fapi_config_request(h.cell(), test::PhyHarness::rx));
  const auto response = h.wait_for(io::FapiMessageType::config_response);
  EXPECT_TRUE(response);
  h.send(io::FapiStartRequest{});
  return h.wait_for(io::FapiMessageType::slot_indication, timeout);
}

TEST(FapiPhyLiveClock, FirstSlotIndicationCarriesTheSfnOfGpsTime) {
  test::PhyHarness h(live_clock_config(io::gps_frame_epoch_ns, 0));
  const std::int64_t before = gps_slot_now();
  const auto first = live_start(h);
  const std::int64_t after = gps_slot_now();
  ASSERT_TRUE(first);
  const std::int64_t got = nearest_absolute_slot(static_cast<std::uint64_t>(before),
                                                 {first->slot.sfn, first->slot.slot}, 20);
  EXPECT_GE(got, before);
  EXPECT_LE(got, after);
  EXPECT_EQ(h.phy().counters().start_refused_unsynchronised, 0U);
}

TEST(FapiPhyLiveClock, StartBeforeTheEpochIsRefusedAndThePhyStaysConfigured) {
  // An epoch an hour ahead: CLOCK_REALTIME is "before" it, as an unsynchronised clock near 1970
  // is before GPS time.
  test::PhyHarness h(live_clock_config(io::realtime_ns() + 3'600'000'000'000LL, 0));
  EXPECT_FALSE(live_start(h, std::chrono::milliseconds(300)));
  bool refused = false;
  for (const auto& message : h.log()) {
    if (message.type == io::FapiMessageType::error_indication) {
      EXPECT_EQ(message.error.error_code, io::FapiErrorCode::sfn_out_of_sync);
      EXPECT_EQ(message.error.message_id,
                static_cast<std::uint8_t>(io::FapiMessageType::start_request));
      refused = true;
    }
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(h.phy().counters().start_refused_unsynchronised, 1U);
  EXPECT_EQ(h.phy().state(), PhyState::configured);
}

/// Pushes empty samples for the slot \p slots_back before the one the next SLOT.indication
/// names (a slot without work that is over); whether the source took them.
bool push_after_its_end(test::PhyHarness& h, unsigned slots_back) {
  const auto next = h.wait_for(io::FapiMessageType::slot_indication);
  EXPECT_TRUE(next);
  if (!next) {
    return false;
  }
  const std::uint64_t now_slot = std::uint64_t{next->slot.sfn} * 20 + next->slot.slot;
  const FapiSlotAddress over = to_slot_address(now_slot + 20 * 1024 - slots_back, 20);
  return h.samples().push_empty(over.sfn, over.slot, std::chrono::milliseconds(5));
}

TEST(FapiPhyLiveClock, AWorklessSlotTakesSamplesAfterItsEndWhileItWaits) {
  test::PhyHarness waiting(live_clock_config(io::gps_frame_epoch_ns, 3));
  ASSERT_TRUE(live_start(waiting));
  EXPECT_TRUE(push_after_its_end(waiting, 1)); // a slot over for a few ms of its 3-slot wait
  EXPECT_EQ(waiting.phy().counters().late_samples, 0U);
  // Without the wait the slot is closed when it is over: samples of a slot over since the
  // SLOT.indication before (closed when that was sent) are late.
  test::PhyHarness closing(live_clock_config(io::gps_frame_epoch_ns, 0));
  ASSERT_TRUE(live_start(closing));
  ASSERT_TRUE(closing.wait_for(io::FapiMessageType::slot_indication));
  EXPECT_FALSE(push_after_its_end(closing, 2));
  EXPECT_EQ(closing.phy().counters().late_samples, 1U);
}

TEST(FapiPhyLiveClock, TheWorklessWaitCoversTheLatestFrames) {
  io::FronthaulConfig config; // Ta4 up to 400 us, deadline 500 us after the slot
  EXPECT_EQ(live_workless_wait_slots(config, 1), 2U); // 500 us = 1 slot of 500 us, + 1
  EXPECT_EQ(live_workless_wait_slots(config, 2), 3U); // 2 slots of 250 us, + 1
  config.slot_deadline_ns = 0;
  EXPECT_EQ(live_workless_wait_slots(config, 3), 5U); // 400 us = 3.2 slots of 125 us, + 1
}

} // namespace
} // namespace airan::l1
