// The HARQ buffer rule for PUSCH PDUs that are not decoded (PuschReceiver and gpu::GpuCellGroup
// both apply it), on a real HarqBufferPool: a refused PDU with new data frees its process's
// buffer, a refused retransmission keeps it, and so do a duplicate PDU and a buffer that another
// slot in flight is decoding; then the sequence of the review: TB 1 fails, the new data of TB 2 is
// refused, and TB 2's retransmission starts from an empty buffer instead of TB 1's soft values.
#include "airan/phy/pusch_harq_process.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace airan::phy;

/// A UL-SCH PDU of \p rnti and HARQ process \p process.
PuschConfig harq_rule_pdu(std::uint16_t rnti, unsigned process, bool new_data) {
  PuschConfig pdu;
  pdu.rnti = rnti;
  pdu.harq_process_id = process;
  pdu.new_data_indicator = new_data;
  return pdu;
}

/// Acquires \p key's buffer in \p pool as a transmission that was combined and failed its CRC.
void hold_failed_transmission(HarqBufferPool& pool, const HarqProcessKey& key) {
  HarqSoftBuffer& buffer = pool.acquire(key, true);
  buffer.state().num_transmissions = 1;
  buffer.state().tbs = 1000;
}

TEST(PuschHarqProcess, KeyOfAPdu) {
  const auto key = pusch_harq_process(harq_rule_pdu(0x4601, 5, true));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, (HarqProcessKey{0x4601, 5}));
  PuschConfig uci_only = harq_rule_pdu(0x4601, 5, true);
  uci_only.ulsch = false;
  EXPECT_FALSE(pusch_harq_process(uci_only).has_value()) << "no UL-SCH: no HARQ process";
  EXPECT_FALSE(pusch_harq_process(harq_rule_pdu(0x4601, 256 + 5, true)).has_value())
      << "beyond 8 bits it would alias process 5";
}

TEST(PuschHarqProcess, RefusedNewDataFreesTheBuffer) {
  HarqBufferPool pool(4, 64);
  hold_failed_transmission(pool, {7, 2});
  hold_failed_transmission(pool, {7, 3});
  EXPECT_TRUE(end_previous_transport_block(pool, harq_rule_pdu(7, 2, true)));
  EXPECT_EQ(pool.find({7, 2}), nullptr);
  ASSERT_NE(pool.find({7, 3}), nullptr) << "another process keeps its buffer";
  EXPECT_EQ(pool.find({7, 3})->state().num_transmissions, 1U);
  EXPECT_EQ(pool.num_in_use(), 1U);
  EXPECT_FALSE(end_previous_transport_block(pool, harq_rule_pdu(7, 2, true)))
      << "nothing left to free";
  EXPECT_FALSE(end_previous_transport_block(pool, harq_rule_pdu(9, 0, true))) << "never held";
}

TEST(PuschHarqProcess, RefusedRetransmissionKeepsTheBuffer) {
  HarqBufferPool pool(2, 64);
  hold_failed_transmission(pool, {7, 2});
  EXPECT_FALSE(end_previous_transport_block(pool, harq_rule_pdu(7, 2, false)));
  ASSERT_NE(pool.find({7, 2}), nullptr);
  EXPECT_EQ(pool.find({7, 2})->state().num_transmissions, 1U);
}

TEST(PuschHarqProcess, BufferInFlightIsKept) {
  HarqBufferPool pool(2, 64);
  hold_failed_transmission(pool, {7, 2});
  EXPECT_FALSE(end_previous_transport_block(pool, harq_rule_pdu(7, 2, true),
                                            /*buffer_in_flight=*/true));
  ASSERT_NE(pool.find({7, 2}), nullptr) << "another slot in flight is decoding into it";
  EXPECT_EQ(pool.find({7, 2})->state().num_transmissions, 1U);
}

TEST(PuschHarqProcess, PdusWithoutAProcessFreeNothing) {
  HarqBufferPool pool(2, 64);
  hold_failed_transmission(pool, {7, 5});
  PuschConfig uci_only = harq_rule_pdu(7, 5, true);
  uci_only.ulsch = false;
  EXPECT_FALSE(end_previous_transport_block(pool, uci_only));
  EXPECT_FALSE(end_previous_transport_block(pool, harq_rule_pdu(7, 256 + 5, true)));
  EXPECT_NE(pool.find({7, 5}), nullptr);
}

TEST(PuschHarqProcess, DuplicatesAreLaterUlschPdusOfTheSameProcess) {
  PuschConfig uci_only = harq_rule_pdu(1, 0, true);
  uci_only.ulsch = false;
  const std::vector<PuschConfig> pdus = {
      uci_only,                   // no process: makes no later PDU a duplicate
      harq_rule_pdu(1, 0, true),  // the first of (1, 0)
      harq_rule_pdu(1, 1, true),  // another process
      harq_rule_pdu(2, 0, true),  // another UE
      harq_rule_pdu(1, 0, false), // (1, 0) again, whatever its NDI
      uci_only,                   // no process: never a duplicate
  };
  const bool expected[] = {false, false, false, false, true, false};
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    EXPECT_EQ(duplicate_harq_process(pdus, i), expected[i]) << "PDU " << i;
  }
}

// Slot n: new data TB 1 fails its CRC (its buffer kept). Slot n + k: new data TB 2 of the same
// process is refused (e.g. an unsupported PDU). Slot n + 2k: TB 2's retransmission must start
// from an empty buffer (one transmission, as the CPU receiver decodes it), not from TB 1's.
TEST(PuschHarqProcess, RetransmissionAfterRefusedNewDataStartsEmpty) {
  HarqBufferPool pool(2, 64);
  const HarqProcessKey key{0x4321, 4};
  hold_failed_transmission(pool, key);
  EXPECT_TRUE(end_previous_transport_block(pool, harq_rule_pdu(key.rnti, 4, true)));
  const HarqSoftBuffer& retransmission = pool.acquire(key, /*new_data=*/false);
  EXPECT_EQ(retransmission.state().num_transmissions, 0U) << "TB 1's soft values are gone";
}

} // namespace
