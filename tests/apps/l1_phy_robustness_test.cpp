// The FAPI L1 keeps serving through faults around the MAC's requests: TBs whose RX_DATA.indication
// cannot be sent are reported failed in CRC.indication, samples that come for closed slots are
// refused at once (the slot pipeline never stalls), and garbage and fuzzed buffers are answered
// with ERROR.indications while the next slot still decodes exactly.
#include "l1_phy_test_harness.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <thread>
#include <vector>

namespace airan::l1 {
namespace {

using io::FapiMessageType;
using test::expect_slot_decodes;
using test::PhyHarness;

// When RX_DATA.indication cannot be sent, the CRC.indication of its TBs reports them failed, so
// that the MAC retransmits (it reported them passed: the MAC took as delivered TBs it never got).
TEST(FapiPhy, TbsWhoseRxDataCannotBeSentAreReportedFailed) {
  PhyHarness h;
  h.configure_and_start();
  h.refuse_sends_of(FapiMessageType::rx_data_indication);
  const phy::PuschConfig pusch = test::harness_pusch(7, 2);
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  (void)h.push_signal(0, 0, pusch, 7);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].handle, 7U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 1);
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.crc_ok, 1U); // decoded, but not delivered
  EXPECT_EQ(c.tbs_undelivered, 1U);
  EXPECT_EQ(c.send_failures, 1U);
  for (const auto& message : h.log()) {
    EXPECT_NE(message.type, FapiMessageType::rx_data_indication);
  }
}

// Real-time clock: slots without work close as they end. Samples that come for them afterwards
// are refused at once and counted; they used to stay in the IqSource for good, and once four had
// filled it every later push waited out its timeout, failing the PDUs of every later slot.
TEST(FapiPhy, LateSamplesNeverStallTheSlotPipeline) {
  FapiPhyConfig config = test::harness_phy_config();
  config.clock_mode = SlotClockMode::real_time;
  config.period_scale = 10.0; // 5 ms slots (mu = 1)
  PhyHarness h(config);
  h.configure_and_start();
  // SLOT.indication (0, 10) leaves after slots 0 .. 8 were closed.
  std::optional<test::Received> slot;
  do {
    slot = h.wait_for(FapiMessageType::slot_indication);
    ASSERT_TRUE(slot);
  } while (slot->slot.sfn == 0 && slot->slot.slot < 10);
  const auto start = SteadyClock::now();
  for (std::uint16_t late = 0; late < 6; ++late) {
    EXPECT_FALSE(h.samples().push_empty(0, late, std::chrono::milliseconds(200))) << late;
  }
  EXPECT_LT(SteadyClock::now() - start, std::chrono::milliseconds(200));
  // A slot a little ahead of the clock still decodes.
  slot = h.wait_for(FapiMessageType::slot_indication);
  ASSERT_TRUE(slot);
  const FapiSlotAddress target =
      to_slot_address(std::uint64_t{slot->slot.sfn} * 20 + slot->slot.slot + 3, 20);
  expect_slot_decodes(h, target.sfn, target.slot, 40);

  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.late_samples, 6U);
  EXPECT_EQ(c.slots_without_samples, 0U);
  EXPECT_EQ(c.crc_ok, 1U);
  EXPECT_EQ(c.error_indications_sent, 0U);
}

// Stepped clock: a slot whose samples never come (every frame of it lost, its C-plane never sent
// for a refused request, a stream that jumped) while a later slot's have: once they have waited
// FapiPhyConfig::stepped_gap_timeout, the slot ends without samples (its TB reported failed) and
// the later slot decodes. The stepped clock waited for the missing samples for ever: no
// SLOT.indication, no CRC.indication, nothing to tell the MAC.
TEST(FapiPhy, SteppedClockGoesPastASlotWhoseSamplesNeverComeOnceLaterOnesHave) {
  FapiPhyConfig config = test::harness_phy_config();
  config.stepped_gap_timeout = std::chrono::milliseconds(100);
  PhyHarness h(config);
  h.configure_and_start();
  const phy::PuschConfig lost = test::harness_pusch(8, 3);
  const phy::PuschConfig later = test::harness_pusch(9, 4);
  h.send_received(h.ul_tti(0, 1, std::span(&lost, 1)));
  h.send_received(h.ul_tti(0, 2, std::span(&later, 1)));
  EXPECT_TRUE(h.samples().push_empty(0, 0, std::chrono::seconds(5)));
  const auto pushed = SteadyClock::now();
  (void)h.push_signal(0, 2, later, 9); // slot 1's never come
  const auto failed = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(failed) << "the L1 waited for slot 1's samples";
  EXPECT_GE(SteadyClock::now() - pushed, std::chrono::milliseconds(100));
  EXPECT_EQ(failed->slot_number, 1);
  ASSERT_EQ(failed->crcs.size(), 1U);
  EXPECT_EQ(failed->crcs[0].handle, 8U);
  EXPECT_EQ(failed->crcs[0].tb_crc_status, 1);
  const auto decoded = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->slot_number, 2);
  ASSERT_EQ(decoded->crcs.size(), 1U);
  EXPECT_EQ(decoded->crcs[0].handle, 9U);
  EXPECT_EQ(decoded->crcs[0].tb_crc_status, 0);
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.slots_passed_without_samples, 1U);
  EXPECT_EQ(c.slots_without_samples, 1U);
  EXPECT_EQ(c.crc_ok, 1U);
}

TEST(FapiPhy, SurvivesGarbageAndFuzzedMessages) {
  PhyHarness h;
  h.configure_and_start();
  std::mt19937 random(5);
  const phy::PuschConfig pusch = test::harness_pusch(3, 1);
  const auto valid = h.encode(h.ul_tti(0, 5, std::span(&pusch, 1)));
  unsigned sent = 0;
  for (int i = 0; i < 400; ++i) {
    std::vector<std::uint8_t> unit;
    if (i % 4 == 0) {
      unit.resize(random() % 200); // garbage
      for (auto& b : unit) {
        b = static_cast<std::uint8_t>(random());
      }
    } else if (i % 4 == 1) {
      unit.assign(valid.begin(), valid.begin() + static_cast<long>(random() % valid.size()));
    } else {
      unit = valid; // a valid UL_TTI.request with a few bytes flipped
      for (int flips = 1 + static_cast<int>(random() % 4); flips > 0; --flips) {
        unit[random() % unit.size()] ^= static_cast<std::uint8_t>(1U << (random() % 8));
      }
    }
    h.send_raw(unit);
    ++sent;
    if (i % 50 == 49) {
      // Let the PHY keep up (UDP drops what overflows its socket buffer).
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // Whatever the fuzzing queued for slot (0, 0) is answered once its samples are in; then the
  // PHY must decode the next slot exactly.
  ASSERT_TRUE(h.samples().push_empty(0, 0, std::chrono::seconds(1)));
  ASSERT_TRUE(h.wait_for(FapiMessageType::slot_indication));
  const L1Counters c = h.phy().counters();
  EXPECT_GT(c.undecodable_messages, 100U);
  EXPECT_GE(c.error_indications_sent, c.undecodable_messages);
  EXPECT_EQ(c.internal_errors, 0U);
  EXPECT_LE(c.messages_received + c.undecodable_messages, sent + 2 + 400);
  EXPECT_EQ(h.phy().state(), PhyState::running);
  // The fuzzer may have queued work for the slots after 1 too; decode slot 1 exactly.
  expect_slot_decodes(h, 0, 1, 500);
}

} // namespace
} // namespace airan::l1
