// Pieces of the FAPI L1: slot addressing, the slot clock, the in-memory IQ source, the C-plane
// sender and the per-port-count slot processor. Launch pattern parsing:
// l1_components_launch_pattern_test.cpp.
#include "airan/io/ecpri.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/oran_cplane.h"
#include "airan/l1/iq_source.h"
#include "airan/l1/slot_clock.h"
#include "airan/l1/ul_slot_processor.h"
#include "airan/l1/uplink_cplane_sender.h"
#include "airan/l1/uplink_signal.h"

#include "../support/iq_detector.h"
#include "../support/two_ue_slot.h"

#include <gtest/gtest.h>

#include <cmath>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <utility>
#include <vector>

namespace airan::l1 {
namespace {

TEST(SlotAddress, WrapsAtSfn1024AndFindsTheNearestSlot) {
  EXPECT_EQ(to_slot_address(0, 20), (FapiSlotAddress{0, 0}));
  EXPECT_EQ(to_slot_address(21, 20), (FapiSlotAddress{1, 1}));
  EXPECT_EQ(to_slot_address(1024 * 20 + 3, 20), (FapiSlotAddress{0, 3}));
  EXPECT_EQ(nearest_absolute_slot(100, {5, 0}, 20), 100U);
  EXPECT_EQ(nearest_absolute_slot(100, {4, 19}, 20), 99U); // just before
  EXPECT_EQ(nearest_absolute_slot(100, {5, 8}, 20), 108U); // just after
  // Around the SFN wrap: (1023, 19) is the slot before (0, 0) of the next period.
  const std::uint64_t wrap = std::uint64_t{1024} * 20;
  EXPECT_EQ(nearest_absolute_slot(wrap + 1, {1023, 19}, 20), wrap - 1);
  EXPECT_EQ(nearest_absolute_slot(wrap - 1, {0, 2}, 20), wrap + 2);
  // Never before slot 0.
  EXPECT_EQ(nearest_absolute_slot(0, {1023, 19}, 20), wrap - 1);
  // On a live link: nearest the slot on air (mu 1: 0.5 ms slots from the epoch), slot 0 before
  // the epoch.
  const io::FronthaulSlotClock air(1, phy::CyclicPrefix::normal);
  const std::int64_t epoch = 1'000'000'000;
  const auto at_slot = [&](std::uint64_t slot) {
    return air.slot_start_ns(epoch, static_cast<std::int64_t>(slot)) + 100'000;
  };
  EXPECT_EQ(absolute_slot_near_air(air, epoch, at_slot(wrap + 1), {1023, 19}),
            static_cast<std::int64_t>(wrap - 1));
  EXPECT_EQ(absolute_slot_near_air(air, epoch, at_slot(wrap - 1), {0, 2}),
            static_cast<std::int64_t>(wrap + 2));
  EXPECT_EQ(absolute_slot_near_air(air, epoch, epoch - 5'000'000, {0, 3}), 3);
}

TEST(SlotClock, RealTimeTicksEverySlotPeriod) {
  SlotClock clock(1, SlotClockMode::real_time, 10.0); // 5 ms per slot
  EXPECT_EQ(clock.period(), std::chrono::microseconds(5000));
  InMemoryIqSource source({});
  const auto start = SteadyClock::now();
  clock.start(start);
  EXPECT_FALSE(clock.current_slot_ended(start + std::chrono::microseconds(4900), source));
  EXPECT_TRUE(clock.current_slot_ended(start + std::chrono::microseconds(5000), source));
  clock.advance();
  EXPECT_EQ(clock.current_slot_end(), start + std::chrono::microseconds(10000));
  EXPECT_THROW(SlotClock(5, SlotClockMode::stepped), std::invalid_argument);
  // The period scale within (0, 1000], as the live timeline's: 1e300 overflowed the period's
  // int64 nanoseconds, and NaN passed a "> 0" check written the other way round.
  EXPECT_NO_THROW(SlotClock(1, SlotClockMode::real_time, 1000.0));
  for (const double scale : {0.0, -1.0, 1000.5, 1e300, std::nan("")}) {
    EXPECT_THROW(SlotClock(1, SlotClockMode::real_time, scale), std::invalid_argument) << scale;
  }
  EXPECT_THROW((void)parse_slot_clock_mode("fast"), std::invalid_argument);
}

TEST(SlotClock, SteppedEndsWhenTheSamplesAreIn) {
  SlotClock clock(0, SlotClockMode::stepped);
  InMemoryIqSource source({2, 1, 14, 12, 0});
  clock.start(SteadyClock::now());
  EXPECT_FALSE(clock.current_slot_ended(SteadyClock::now(), source));
  ASSERT_TRUE(source.push_empty(0, 0, std::chrono::milliseconds(1)));
  EXPECT_TRUE(clock.current_slot_ended(SteadyClock::now(), source));
}

TEST(InMemoryIqSource, HoldsReleasesAndBlocksWhenFull) {
  InMemoryIqSource source({2, 1, 2, 12, 64});
  phy::ResourceGrid grid(1, 2, 12);
  grid.elements()[5] = {1.0F, 2.0F};
  ASSERT_TRUE(source.push_grid(0, 1, grid, std::chrono::milliseconds(1)));
  const std::vector<phy::cf32> iq(10, phy::cf32(3.0F, 0.0F));
  ASSERT_TRUE(source.push_iq(0, 2, iq, std::chrono::milliseconds(1)));
  // Both entries used: a third push times out.
  EXPECT_FALSE(source.push_empty(0, 3, std::chrono::milliseconds(5)));
  ReceivedSlot slot;
  EXPECT_FALSE(source.try_acquire(0, 3, slot));
  ASSERT_TRUE(source.try_acquire(0, 1, slot));
  ASSERT_NE(slot.grid, nullptr);
  EXPECT_EQ(slot.grid->elements()[5], phy::cf32(1.0F, 2.0F));
  ASSERT_TRUE(source.try_acquire(0, 2, slot));
  EXPECT_EQ(slot.grid, nullptr);
  EXPECT_EQ(slot.iq.size(), 10U);
  // A producer waiting for room gets it when the consumer releases.
  std::thread producer([&] { EXPECT_TRUE(source.push_empty(0, 3, std::chrono::seconds(2))); });
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  source.release(0, 1);
  producer.join();
  ASSERT_TRUE(source.try_acquire(0, 3, slot));
  EXPECT_FALSE(slot.has_samples());
  EXPECT_THROW(source.push_grid(0, 4, phy::ResourceGrid(2, 2, 12), std::chrono::seconds(0)),
               std::invalid_argument);
}

// The L1 closes slots (close_before()); samples that come for a closed slot afterwards must not
// stay in the source: left there, four of them filled it and every later push timed out.
TEST(InMemoryIqSource, RefusesAndDropsSamplesOfClosedSlots) {
  InMemoryIqSource source({4, 1, 2, 12, 0});
  ReceivedSlot slot;
  const auto elapsed_since = [](SteadyClock::time_point start) {
    return SteadyClock::now() - start;
  };
  // Slots 0 .. 9 are closed; six late pushes are refused at once (not after their timeout).
  source.close_before(10, 20);
  auto start = SteadyClock::now();
  for (std::uint16_t late = 0; late < 6; ++late) {
    EXPECT_FALSE(source.push_empty(0, late, std::chrono::seconds(1))) << late;
  }
  EXPECT_LT(elapsed_since(start), std::chrono::milliseconds(500));
  EXPECT_EQ(source.num_late_samples(), 6U);
  // The source is not clogged: the next slots go in promptly.
  start = SteadyClock::now();
  for (std::uint16_t next = 10; next < 14; ++next) {
    EXPECT_TRUE(source.push_empty(0, next, std::chrono::milliseconds(100))) << next;
  }
  EXPECT_LT(elapsed_since(start), std::chrono::milliseconds(100));
  ASSERT_TRUE(source.try_acquire(0, 10, slot));
  // Closing 10 .. 12: the held entry stays until released, the ready ones behind the mark go.
  source.close_before(13, 20);
  EXPECT_EQ(source.num_late_samples(), 8U); // slots 11 and 12
  EXPECT_FALSE(source.try_acquire(0, 11, slot));
  EXPECT_TRUE(source.wait_for(0, 10, std::chrono::microseconds(0)));
  source.release(0, 10);
  EXPECT_TRUE(source.push_empty(0, 14, std::chrono::microseconds(0)));
  EXPECT_TRUE(source.push_empty(0, 15, std::chrono::microseconds(0)));
  EXPECT_TRUE(source.push_empty(0, 16, std::chrono::microseconds(0))); // 13 .. 16: full
  EXPECT_FALSE(source.push_empty(0, 17, std::chrono::microseconds(0)));
  EXPECT_EQ(source.num_late_samples(), 8U); // a full source is not lateness
  // A producer waiting for room gives up as soon as its slot closes.
  std::atomic<bool> pushed{true};
  start = SteadyClock::now();
  std::thread producer([&] { pushed = source.push_empty(0, 17, std::chrono::seconds(5)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  source.close_before(18, 20);
  producer.join();
  EXPECT_FALSE(pushed.load());
  EXPECT_LT(elapsed_since(start), std::chrono::seconds(2));
  EXPECT_EQ(source.num_late_samples(), 8U + 5U); // 13 .. 16 dropped, 17 refused
  // Not a slot of the numerology (20 slots per frame): nothing would ever take it.
  EXPECT_FALSE(source.push_empty(0, 25, std::chrono::seconds(1)));
  EXPECT_EQ(source.num_late_samples(), 14U);
  // clear() (START / STOP) forgets the mark.
  source.clear();
  EXPECT_TRUE(source.push_empty(0, 0, std::chrono::microseconds(0)));
}

TEST(InMemoryIqSource, ClosedSlotsAcrossTheSfnWrap) {
  InMemoryIqSource source({4, 1, 2, 12, 0});
  const std::uint64_t wrap = std::uint64_t{1024} * 20;
  source.close_before(wrap - 2, 20); // closed up to (1023, 17)
  EXPECT_FALSE(source.push_empty(1023, 17, std::chrono::microseconds(0)));
  EXPECT_TRUE(source.push_empty(1023, 18, std::chrono::microseconds(0)));
  EXPECT_TRUE(source.push_empty(0, 0, std::chrono::microseconds(0))); // wrap: after the mark
  EXPECT_TRUE(source.push_empty(0, 1, std::chrono::microseconds(0)));
  source.close_before(wrap + 1, 20);        // closes (1023, 18), (1023, 19) and (0, 0)
  EXPECT_EQ(source.num_late_samples(), 3U); // (1023, 17) refused, (1023, 18), (0, 0) dropped
  ReceivedSlot slot;
  EXPECT_FALSE(source.try_acquire(0, 0, slot));
  EXPECT_TRUE(source.try_acquire(0, 1, slot));
  EXPECT_FALSE(source.push_empty(1023, 19, std::chrono::microseconds(0)));
  EXPECT_FALSE(source.push_empty(1000, 0, std::chrono::microseconds(0)));
  EXPECT_TRUE(source.push_empty(0, 2, std::chrono::microseconds(0)));
  EXPECT_TRUE(source.push_empty(511, 0, std::chrono::microseconds(0))); // half a period ahead
  EXPECT_EQ(source.num_late_samples(), 5U);
}

// An eAxC layout whose RU port field cannot number the antennas is refused when the sender is
// built (it threw from every slot, each counted as an internal error of the L1).
TEST(FronthaulCplaneSender, RefusesAnRuPortFieldTooNarrowForTheAntennas) {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  io::FronthaulConfig config;
  config.eaxc_layout = {4, 4, 7, 1}; // one RU port bit: antennas 0 and 1
  const auto discard = [](std::span<const std::uint8_t>) {};
  EXPECT_NO_THROW(FronthaulCplaneSender(cell, 2, config, discard));
  EXPECT_THROW(FronthaulCplaneSender(cell, 4, config, discard), std::invalid_argument);
}

TEST(FronthaulCplaneSender, RequestsEachHopOfAHoppingPdu) {
  // Intra-slot hopping: symbols 0..6 on PRBs 2..9, symbols 7..13 on PRBs 14..21.
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  phy::PuschConfig pusch;
  pusch.bwp_size = 24;
  pusch.prb_start = 2;
  pusch.prb_size = 8;
  pusch.intra_slot_hopping = true;
  pusch.second_hop_prb_start = 14;
  ASSERT_EQ(pusch.validate(cell), "");
  std::vector<std::pair<unsigned, io::CplaneSection>> sections; // start symbol, section
  FronthaulCplaneSender sender(
      cell, 1, io::FronthaulConfig{}, [&](std::span<const std::uint8_t> frame) {
        const auto ecpri = io::parse_ecpri_frame(frame);
        ASSERT_TRUE(ecpri.ok());
        const auto cplane = io::parse_cplane_message(ecpri.frame.message.application_payload);
        ASSERT_TRUE(cplane.ok());
        for (const auto& view : cplane.message.sections) {
          sections.emplace_back(cplane.message.header.timing.symbol_id, view.section);
        }
      });
  sender.send_slot(0, 1, std::span(&pusch, 1), {});
  EXPECT_EQ(sender.slots_failed(), 0U);
  ASSERT_EQ(sections.size(), 2U);
  EXPECT_EQ(sections[0].first, 0U);
  EXPECT_EQ(sections[0].second.start_prb, 2);
  EXPECT_EQ(sections[0].second.num_prbs, 8);
  EXPECT_EQ(sections[0].second.num_symbols, 7);
  EXPECT_EQ(sections[1].first, 7U);
  EXPECT_EQ(sections[1].second.start_prb, 14);
  EXPECT_EQ(sections[1].second.num_prbs, 8);
  EXPECT_EQ(sections[1].second.num_symbols, 7);
}

TEST(UlSlotProcessor, DecodesEachPortCountOnItsOwnReceiver) {
  // One 1-layer and one 2-layer UE in the same slot, on a cell whose num_antenna_ports is 1.
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  const unsigned layers[] = {1, 2};
  UplinkSignalGenerator signal(cell, 2, apps::ChannelSpec{}, layers, 30.0, 3);
  UlSlotProcessorConfig config;
  config.max_layers = 2;
  UlSlotProcessor processor(cell, 2, config);
  EXPECT_TRUE(processor.supports_layers(1));
  EXPECT_TRUE(processor.supports_layers(2));
  EXPECT_FALSE(processor.supports_layers(4)); // only 2 receive antennas

  const io::FapiSlotRequest request = airan::test::two_ue_slot(signal, 4, 40, 100, 10);
  ReceivedSlot samples;
  samples.grid = &signal.grid();
  auto crc = std::make_unique<io::FapiCrcIndication>();
  auto rx_data = std::make_unique<io::FapiRxDataIndication>();
  const auto outcome = processor.process(request, samples, *crc, *rx_data);
  EXPECT_EQ(outcome.num_decoded, 2U);
  EXPECT_EQ(outcome.num_crc_ok, 2U);
  ASSERT_EQ(crc->num_crcs, 2U);
  for (unsigned u = 0; u < 2; ++u) {
    EXPECT_EQ(crc->crcs[u].tb_crc_status, 0);
    std::vector<std::uint8_t> bytes;
    phy::pack_bits_msb_first(signal.tb_bits(u), bytes);
    EXPECT_TRUE(std::ranges::equal(rx_data->pdus[u].payload, bytes));
  }
  // Without samples every PDU fails.
  const auto missing = processor.process(request, ReceivedSlot{}, *crc, *rx_data);
  EXPECT_TRUE(missing.samples_missing);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 1);
  EXPECT_EQ(crc->crcs[1].tb_crc_status, 1);
}

// Time-domain IQ: receivers whose detectors demodulate IQ themselves (the CUDA detectors, on the
// device) get the IQ (process_slot_iq), the others one grid the L1 demodulated on the CPU.
TEST(UlSlotProcessor, HandsTimeDomainIqToDetectorsThatDemodulate) {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  const unsigned layers[] = {1, 2};
  apps::ChannelSpec channel;
  channel.domain = apps::ChannelDomain::time;
  UplinkSignalGenerator signal(cell, 2, channel, layers, 30.0, 3);
  ASSERT_TRUE(signal.time_domain());
  const io::FapiSlotRequest request = airan::test::two_ue_slot(signal, 6, 50, 200, 12);
  ReceivedSlot samples;
  samples.iq = signal.iq();

  std::atomic<unsigned> loads{0};
  std::atomic<unsigned> grid_calls{0};
  std::atomic<unsigned> loaded_calls{0};
  for (const bool demodulating_detector : {false, true}) {
    UlSlotProcessorConfig config;
    config.max_layers = 2;
    if (demodulating_detector) {
      config.detector = [&](const phy::PuschFrontEndLimits& limits, unsigned) {
        return std::unique_ptr<phy::PuschDetector>(std::make_unique<airan::test::IqDetector>(
            cell, 2, limits, loads, grid_calls, loaded_calls));
      };
    }
    UlSlotProcessor processor(cell, 2, config);
    auto crc = std::make_unique<io::FapiCrcIndication>();
    auto rx_data = std::make_unique<io::FapiRxDataIndication>();
    const auto outcome = processor.process(request, samples, *crc, *rx_data);
    EXPECT_EQ(outcome.num_crc_ok, 2U) << demodulating_detector;
    for (unsigned u = 0; u < 2; ++u) {
      std::vector<std::uint8_t> bytes;
      phy::pack_bits_msb_first(signal.tb_bits(u), bytes);
      EXPECT_TRUE(std::ranges::equal(rx_data->pdus[u].payload, bytes)) << u;
    }
  }
  // The 1- and 2-layer receivers' detectors each loaded the slot once and detected from it.
  EXPECT_EQ(loads.load(), 2U);
  EXPECT_EQ(loaded_calls.load(), 2U);
  EXPECT_EQ(grid_calls.load(), 0U);
}

} // namespace
} // namespace airan::l1