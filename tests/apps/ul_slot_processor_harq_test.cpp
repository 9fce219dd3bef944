// The L1 slot processor's HARQ bookkeeping across its per-layer-count receivers, which share one
// pool: new data ends the process's previous TB even when the PDU is not decoded (no samples,
// unsupported layer count, refused by the FAPI conversion); a second PDU of a process in a slot
// is refused; buffers of processes that stop transmitting expire on the owner's slot clock.
#include "airan/l1/ul_slot_processor.h"

#include "../support/two_ue_slot.h"
#include "airan/phy/pusch_receiver_sizing.h"
#include "airan/phy/tbs_calculator.h"

#include <gtest/gtest.h>

#include <memory>

namespace airan::l1 {
namespace {

constexpr std::uint16_t first_rnti = 100; // UE 0 (1 layer); UE 1 (2 layers) is first_rnti + 1
const phy::HarqProcessKey ue0_key{first_rnti, 0};
const phy::HarqProcessKey ue1_key{first_rnti + 1, 0};

phy::CellConfig test_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1; // 20 slots per frame
  return cell;
}

class UlSlotProcessorHarq : public ::testing::Test {
protected:
  explicit UlSlotProcessorHarq(unsigned expiry_ms = 100)
      : processor_(test_cell(), 2, config_with_expiry(expiry_ms)),
        weak_(test_cell(), 2, apps::ChannelSpec{}, ue_layers, -15.0, 11),
        strong_(test_cell(), 2, apps::ChannelSpec{}, ue_layers, 30.0, 12) {}

  static UlSlotProcessorConfig config_with_expiry(unsigned expiry_ms) {
    UlSlotProcessorConfig config;
    config.max_layers = 2;
    config.harq_expiry_ms = expiry_ms;
    return config;
  }

  /// Both UEs' new TBs in absolute slot \p absolute (20 slots per frame), received far below
  /// sensitivity: both CRCs fail and both processes keep their buffers for a retransmission.
  void fail_both_at(std::uint64_t absolute) {
    processor_.advance_harq_clock(absolute);
    io::FapiSlotRequest request =
        airan::test::two_ue_slot(weak_, static_cast<unsigned>(absolute % 20), 7, first_rnti, 20);
    request.sfn = static_cast<std::uint16_t>(absolute / 20 % 1024);
    ReceivedSlot samples;
    samples.grid = &weak_.grid();
    const auto outcome = processor_.process(request, samples, *crc_, *rx_data_);
    ASSERT_EQ(outcome.num_decoded, 2U);
    ASSERT_EQ(outcome.num_crc_ok, 0U);
    ASSERT_NE(processor_.harq_pool(1)->find(ue0_key), nullptr);
    ASSERT_NE(processor_.harq_pool(2)->find(ue1_key), nullptr);
  }

  /// Both UEs fail in absolute slot 4; the clock moves to slot 154 (sfn 7, slot 14), and the
  /// request for the retransmission of both TBs there (no new data) from \p signal is returned.
  io::FapiSlotRequest retransmission_150_slots_later(UplinkSignalGenerator& signal) {
    fail_both_at(4);
    processor_.advance_harq_clock(154);
    io::FapiSlotRequest request = airan::test::two_ue_slot(signal, 14, 7, first_rnti, 20);
    request.sfn = 7;
    request.pusch[0].new_data_indicator = false;
    request.pusch[1].new_data_indicator = false;
    return request;
  }

  bool held(unsigned layers, const phy::HarqProcessKey& key) {
    return processor_.harq_pool(layers)->find(key) != nullptr;
  }

  static constexpr unsigned ue_layers[] = {1, 2};
  UlSlotProcessor processor_;
  UplinkSignalGenerator weak_;
  UplinkSignalGenerator strong_;
  std::unique_ptr<io::FapiCrcIndication> crc_ = std::make_unique<io::FapiCrcIndication>();
  std::unique_ptr<io::FapiRxDataIndication> rx_data_ = std::make_unique<io::FapiRxDataIndication>();
};

TEST_F(UlSlotProcessorHarq, NewDataWithoutSamplesEndsThePreviousTb) {
  fail_both_at(4);
  // Retransmissions in a slot whose samples never came: the buffers stay for the next one.
  io::FapiSlotRequest request = airan::test::two_ue_slot(strong_, 5, 8, first_rnti, 20);
  request.pusch[0].new_data_indicator = false;
  request.pusch[1].new_data_indicator = false;
  processor_.process(request, ReceivedSlot{}, *crc_, *rx_data_);
  EXPECT_TRUE(held(1, ue0_key));
  EXPECT_TRUE(held(2, ue1_key));
  // New TBs in such a slot: the old TBs are over, and their soft values must not meet the new
  // TBs' retransmissions.
  request.pusch[0].new_data_indicator = true;
  request.pusch[1].new_data_indicator = true;
  const auto outcome = processor_.process(request, ReceivedSlot{}, *crc_, *rx_data_);
  EXPECT_TRUE(outcome.samples_missing);
  EXPECT_FALSE(held(1, ue0_key));
  EXPECT_FALSE(held(2, ue1_key));
}

TEST_F(UlSlotProcessorHarq, NewDataEndsThePreviousTbWhateverItsLayerCount) {
  fail_both_at(4);
  const std::uint32_t old_tbs = processor_.harq_pool(1)->find(ue0_key)->state().tbs;
  // UE 0's new TB with 2 layers (decoded on the 2-layer receiver; the UE sent one, so its CRC
  // fails) and UE 1's with 4 layers (no receiver: 2 antennas): neither old TB's soft values
  // survive. UE 0's buffer now holds its new TB alone (twice the TBS).
  io::FapiSlotRequest request = airan::test::two_ue_slot(strong_, 5, 8, first_rnti, 20);
  request.pusch[0].num_layers = 2;
  request.pusch[0].dmrs_ports = 0b11;
  request.pusch[1].num_layers = 4;
  ReceivedSlot samples;
  samples.grid = &strong_.grid();
  const auto outcome = processor_.process(request, samples, *crc_, *rx_data_);
  EXPECT_EQ(outcome.num_unsupported, 1U);
  ASSERT_TRUE(held(2, ue0_key));
  const phy::HarqSoftBuffer::State& state = processor_.harq_pool(2)->find(ue0_key)->state();
  EXPECT_EQ(state.num_transmissions, 1U);
  EXPECT_NE(state.tbs, old_tbs);
  EXPECT_FALSE(held(2, ue1_key));
  EXPECT_EQ(processor_.harq_tally().in_use, 1U);
}

// The receivers of every layer count share one pool: a TB's buffer is found whatever layer count
// its retransmission has, and counted once.
TEST_F(UlSlotProcessorHarq, EveryLayerCountSharesOnePool) {
  EXPECT_EQ(processor_.harq_pool(1), processor_.harq_pool(2));
  EXPECT_EQ(processor_.harq_pool(4), nullptr); // 2 antennas: no 4-layer receiver
  fail_both_at(4);
  EXPECT_TRUE(held(2, ue0_key));
  EXPECT_TRUE(held(1, ue1_key));
  EXPECT_EQ(processor_.harq_tally().in_use, 2U);
}

TEST_F(UlSlotProcessorHarq, RefusedNewDataEndsThePreviousTb) {
  fail_both_at(4);
  io::FapiSlotRequest request;
  request.slot = 5;
  request.num_rejected = 2;
  request.rejected[0] = {0, 0, ue0_key.rnti, 0, true, /*new_data=*/true, {}, {}};
  request.rejected[1] = {1, 1, ue1_key.rnti, 0, true, /*new_data=*/false, {}, {}};
  processor_.process(request, ReceivedSlot{}, *crc_, *rx_data_);
  EXPECT_FALSE(held(1, ue0_key));
  EXPECT_TRUE(held(2, ue1_key)); // a refused retransmission: the buffer waits for the next one
}

TEST_F(UlSlotProcessorHarq, ASecondPduOfAProcessInTheSlotIsRefused) {
  // Both PDUs claim UE 0's process, one on each receiver: only the first is decoded.
  io::FapiSlotRequest request = airan::test::two_ue_slot(strong_, 6, 9, first_rnti, 10);
  request.pusch[1].rnti = first_rnti;
  ReceivedSlot samples;
  samples.grid = &strong_.grid();
  const auto outcome = processor_.process(request, samples, *crc_, *rx_data_);
  EXPECT_EQ(outcome.num_decoded, 1U);
  ASSERT_EQ(crc_->num_crcs, 2U);
  EXPECT_EQ(crc_->crcs[0].tb_crc_status, 0);
  EXPECT_EQ(crc_->crcs[1].tb_crc_status, 1);
  EXPECT_EQ(processor_.harq_tally().in_use, 0U);
}

// A TB the size only two layers carry, sent on one (a rank-reduced retransmission's TB): the
// 1-layer receiver takes it (decodes it, here without success, and keeps its buffer) rather than
// refusing a TBS above its own layer count's largest (a review found that).
TEST_F(UlSlotProcessorHarq, EveryReceiverTakesTheLargestLayerCountsTbs) {
  phy::PuschConfig pdu;
  pdu.rnti = first_rnti;
  pdu.bwp_size = 24;
  pdu.prb_size = 24;
  pdu.mcs_table = phy::McsTable::qam256;
  pdu.mcs_index = 27;
  pdu.num_layers = 2;
  pdu.dmrs_ports = 0b11;
  phy::CellConfig two_ports = test_cell();
  two_ports.num_antenna_ports = 2;
  const std::uint32_t tbs = phy::compute_pusch_tbs(two_ports, pdu);
  ASSERT_GT(tbs, phy::pusch_largest_tbs(24, 1));
  pdu.num_layers = 1;
  pdu.dmrs_ports = 0b1;
  pdu.tb_size_bits = tbs;
  io::FapiSlotRequest request;
  request.slot = 3;
  request.pusch[0] = pdu;
  request.num_pusch = 1;
  ReceivedSlot samples;
  samples.grid = &weak_.grid();
  const auto outcome = processor_.process(request, samples, *crc_, *rx_data_);
  EXPECT_EQ(outcome.num_decoded, 1U);
  EXPECT_TRUE(held(1, {first_rnti, 0})) << "refused before decoding";
}

class UlSlotProcessorHarqExpiry : public UlSlotProcessorHarq {
protected:
  UlSlotProcessorHarqExpiry() : UlSlotProcessorHarq(10) {} // 10 ms: 20 slots at 30 kHz
};

TEST_F(UlSlotProcessorHarqExpiry, BuffersOfQuietProcessesExpire) {
  fail_both_at(20404);
  processor_.advance_harq_clock(20424); // 20 slots later: kept
  EXPECT_EQ(processor_.harq_tally().in_use, 2U);
  processor_.advance_harq_clock(20425); // 21 slots: expired
  EXPECT_EQ(processor_.harq_tally().in_use, 0U);
  EXPECT_EQ(processor_.harq_tally().expired, 2U);
  EXPECT_EQ(processor_.harq_tally().exhausted, 0U);
  // A restart (the owner's slot count begins again at 0) frees every buffer and rewinds the
  // clocks, which would otherwise ignore the new, smaller slot numbers.
  fail_both_at(20500);
  processor_.reset_harq();
  EXPECT_EQ(processor_.harq_tally().in_use, 0U);
  fail_both_at(3);
  processor_.advance_harq_clock(24);
  EXPECT_EQ(processor_.harq_tally().in_use, 0U);
  EXPECT_EQ(processor_.harq_tally().expired, 4U);
}

TEST_F(UlSlotProcessorHarq, ARetransmissionWithoutSamplesKeepsTheBufferAliveToo) {
  const io::FapiSlotRequest request = retransmission_150_slots_later(strong_);
  processor_.process(request, ReceivedSlot{}, *crc_, *rx_data_); // the samples never came
  processor_.advance_harq_clock(294); // 290 slots after the first transmission, 140 after this
  EXPECT_TRUE(held(1, ue0_key));
  EXPECT_TRUE(held(2, ue1_key));
}

TEST_F(UlSlotProcessorHarq, ARetransmissionKeepsTheBufferAlive) {
  // 100 ms = 200 slots. A retransmission 150 slots after the first transmission renews the
  // buffer's age: 140 slots after that it is still held, 206 slots after it is not.
  const io::FapiSlotRequest request = retransmission_150_slots_later(weak_);
  ReceivedSlot samples;
  samples.grid = &weak_.grid();
  processor_.process(request, samples, *crc_, *rx_data_);
  processor_.advance_harq_clock(294); // 140 slots after the retransmission, 290 after the first
  EXPECT_TRUE(held(1, ue0_key));
  EXPECT_TRUE(held(2, ue1_key));
  processor_.advance_harq_clock(360); // 206 slots after
  EXPECT_FALSE(held(1, ue0_key));
  EXPECT_EQ(processor_.harq_tally().expired, 2U);
}

} // namespace
} // namespace airan::l1
