// A PUSCH without UL-SCH over FAPI: a PDU with puschUci and no puschData (pduBitmap bit 0 clear)
// becomes a PuschConfig with ulsch false and back; one slot end to end (UL_TTI.request bytes ->
// receiver -> indications) gives the UCI-only PDU a UCI.indication PUSCH PDU with the UE's bits
// and no CRC or RX_DATA entry, while a data PDU beside it keeps both; a PDU with neither part is
// refused. (UCI-only PDUs were refused as unsupported.)
#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "fapi_conversion_test_helpers.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

phy::PuschConfig uci_only_fapi_pusch(unsigned prb_start, std::uint16_t rnti, bool ulsch) {
  phy::PuschConfig pusch;
  pusch.rnti = rnti;
  pusch.handle = 300U + rnti;
  pusch.bwp_size = 52;
  pusch.prb_start = prb_start;
  pusch.prb_size = 16;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 9;
  pusch.harq_process_id = 4;
  pusch.data_scrambling_id = 500;
  pusch.dmrs_scrambling_id = 500;
  pusch.ulsch = ulsch;
  return pusch;
}

TEST(FapiUciOnlyPusch, APduWithoutPuschDataIsAPuschWithoutUlschAndBack) {
  const phy::CellConfig cell = make_52_prb_cell();
  phy::PuschConfig pusch = uci_only_fapi_pusch(0, 0x4601, false);
  pusch.uci = {1, 20, 0, 3, 6, 8, 0};
  FapiPuschPdu pdu;
  ASSERT_TRUE(to_fapi_pusch_pdu(pusch, cell, pdu).ok());
  EXPECT_FALSE(pdu.data.has_value());
  ASSERT_TRUE(pdu.uci.has_value());
  EXPECT_EQ(pdu.pdu_bitmap() & 0x3U, 0x2U); // puschUci only
  EXPECT_EQ(pdu.target_code_rate, pusch.code_rate_x10240());
  EXPECT_EQ(pdu.qam_mod_order, 2);

  // Over the wire and back.
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->pusch[0] = pdu;
  request->num_pusch = 1;
  ASSERT_TRUE(decode(encode(*request)).ok());
  const FapiPuschPdu& decoded = scratch_message().ul_tti_request.pusch[0];
  EXPECT_EQ(decoded, pdu);
  phy::PuschConfig back;
  const FapiError error = to_pusch_config(decoded, cell, back);
  ASSERT_TRUE(error.ok()) << describe(error);
  EXPECT_FALSE(back.ulsch);
  EXPECT_EQ(back.tb_size_bits, 0U);
  EXPECT_EQ(back.uci, pusch.uci);
  EXPECT_FALSE(back.new_data_indicator);

  // Without UCI there is nothing to send; without CSI part 1 a PUSCH without UL-SCH is refused.
  FapiPuschPdu neither = pdu;
  neither.uci.reset();
  FapiError refused = to_pusch_config(neither, cell, back);
  EXPECT_EQ(refused.status, FapiStatus::out_of_range);
  EXPECT_NE(refused.reason().find("neither puschData nor puschUci"), std::string::npos)
      << describe(refused);
  FapiPuschPdu ack_only = pdu;
  ack_only.uci->csi_part1_bit_length = 0;
  refused = to_pusch_config(ack_only, cell, back);
  EXPECT_EQ(refused.status, FapiStatus::out_of_range);
  EXPECT_NE(refused.reason().find("CSI part 1"), std::string::npos) << describe(refused);
}

TEST(FapiUciOnlyPusch, ASlotReportsTheUciOfAPduWithoutUlschAndNoCrcForIt) {
  const phy::CellConfig cell = make_52_prb_cell();
  phy::PuschTransmitter transmitter(cell);
  phy::PuschReceiverConfig receiver_config;
  receiver_config.max_layers = 1;
  phy::PuschReceiver receiver(cell, receiver_config);
  std::mt19937_64 rng(31);
  const auto random = [&](std::size_t n) {
    phy::BitVector bits(n);
    for (auto& bit : bits) {
      bit = static_cast<phy::bit_t>(rng() & 1U);
    }
    return bits;
  };

  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 9;
  request->slot = 2;
  auto grid = transmitter.make_grid();
  // PDU 0: data, RNTI 1, HARQ process 4. PDU 1: UCI only, RNTI 1, HARQ process 4 too (it has
  // none). PDU 2: UCI only with every part.
  phy::PuschConfig data = uci_only_fapi_pusch(0, 1, true);
  phy::PuschConfig csi = uci_only_fapi_pusch(16, 1, false);
  csi.uci = {0, 11, 0, 3, 0, 4, 0};
  phy::PuschConfig all = uci_only_fapi_pusch(32, 2, false);
  all.uci = {3, 14, 40, 3, 5, 5, 5};
  const phy::BitVector tb = random(transmitter.transport_block_size(data));
  transmitter.transmit(tb, data, request->slot, grid);
  const phy::BitVector csi_bits = random(csi.uci.csi_part1_bits);
  transmitter.transmit({}, phy::PuschUciPayload{{}, csi_bits, {}}, csi, request->slot, grid);
  const phy::BitVector all_ack = random(3);
  const phy::BitVector all_csi1 = random(14);
  const phy::BitVector all_csi2 = random(40);
  transmitter.transmit({}, phy::PuschUciPayload{all_ack, all_csi1, all_csi2}, all, request->slot,
                       grid);
  for (const auto& [i, pusch] : {std::pair{0U, &data}, std::pair{1U, &csi}, std::pair{2U, &all}}) {
    ASSERT_TRUE(to_fapi_pusch_pdu(*pusch, cell, request->pusch[i]).ok());
  }
  request->num_pusch = 3;
  ASSERT_TRUE(decode(encode(*request)).ok());
  auto slot = std::make_unique<FapiSlotRequest>();
  to_slot_request(scratch_message().ul_tti_request, cell, *slot);
  ASSERT_EQ(slot->num_pusch, 3U);
  ASSERT_EQ(slot->num_rejected, 0U);
  std::vector<phy::PuschPduResult> results;
  receiver.process_slot(grid, slot->slot, slot->pdus(), results);
  for (const auto& result : results) {
    EXPECT_EQ(result.error, "");
  }
  auto crc = std::make_unique<FapiCrcIndication>();
  auto rx_data = std::make_unique<FapiRxDataIndication>();
  to_slot_indications(*slot, results, cell, *crc, *rx_data);
  ASSERT_EQ(crc->num_crcs, 1U); // the data PDU only
  EXPECT_EQ(crc->crcs[0].handle, data.handle);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 0);
  ASSERT_EQ(rx_data->num_pdus, 1U);
  EXPECT_EQ(rx_data->pdus[0].handle, data.handle);
  auto uci = std::make_unique<FapiUciIndication>();
  to_uci_indication(*slot, results, cell, *uci);
  ASSERT_TRUE(decode(encode(*uci)).ok());
  const FapiUciIndication& got = scratch_message().uci_indication;
  ASSERT_EQ(got.num_pdus, 2U);
  const FapiUciPusch& first = got.pdus[0];
  EXPECT_EQ(first.handle, csi.handle);
  EXPECT_FALSE(first.harq.has_value()); // no HARQ-ACK asked for (the padding is not reported)
  ASSERT_TRUE(first.csi_part1.has_value());
  EXPECT_EQ(first.csi_part1->crc, FapiUciPart::crc_not_present);
  for (std::size_t b = 0; b < csi_bits.size(); ++b) {
    EXPECT_EQ(first.csi_part1->bit(b), csi_bits[b]) << b;
  }
  const FapiUciPusch& second = got.pdus[1];
  EXPECT_EQ(second.handle, all.handle);
  ASSERT_TRUE(second.harq && second.csi_part1 && second.csi_part2);
  EXPECT_EQ(second.csi_part1->crc, FapiUciPart::crc_pass);
  EXPECT_EQ(second.csi_part2->crc, FapiUciPart::crc_pass);
  for (const auto& [part, bits] :
       {std::pair{&*second.harq, &all_ack}, std::pair{&*second.csi_part1, &all_csi1},
        std::pair{&*second.csi_part2, &all_csi2}}) {
    ASSERT_EQ(part->bit_length, bits->size());
    for (std::size_t b = 0; b < bits->size(); ++b) {
      EXPECT_EQ(part->bit(b), (*bits)[b]) << b;
    }
  }
}

} // namespace
