// CSI part 2 sized from CSI part 1 through FAPI end to end: CONFIG.request's UCI configuration
// (through the codec) becomes the receiver's size maps, UL_TTI.request PUSCH PDUs with
// csiPart2BitLength 0xFFFF (through the codec) the receiver's PDUs, and UCI.indication reports
// each PDU's CSI part 2 with the size its decoded part 1 gave (none when that is 0).
#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "fapi_conversion_test_helpers.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

/// Map 0 by a 2-bit field, map 1 by two 1-bit fields.
std::vector<FapiUciPart2Map> csi2_e2e_maps() {
  return {FapiUciPart2Map{{2}, {0, 8, 15, 30}}, FapiUciPart2Map{{1, 1}, {0, 6, 7, 9}}};
}

/// Report 0: part 1 bits 3..4 by map 0; report 1: bits 0 and 10 by map 1.
phy::CsiPart2Sizing csi2_e2e_sizing() {
  phy::CsiPart2Sizing sizing;
  sizing.reports[0].fields[0] = {3, 2};
  sizing.reports[0].num_fields = 1;
  sizing.reports[0].map_index = 0;
  sizing.reports[1].fields[0] = {0, 1};
  sizing.reports[1].fields[1] = {10, 1};
  sizing.reports[1].num_fields = 2;
  sizing.reports[1].map_index = 1;
  sizing.num_reports = 2;
  return sizing;
}

/// A 16-PRB PUSCH from PRB \p prb with a 2-bit HARQ-ACK, a 20-bit CSI part 1 and csi2_e2e_sizing().
phy::PuschConfig csi2_e2e_pusch(unsigned prb, std::uint16_t rnti) {
  phy::PuschConfig pusch;
  pusch.rnti = rnti;
  pusch.handle = 200U + rnti;
  pusch.bwp_size = 52;
  pusch.prb_start = prb;
  pusch.prb_size = 16;
  pusch.mcs_index = 9;
  pusch.data_scrambling_id = 500;
  pusch.dmrs_scrambling_id = 500;
  pusch.uci.harq_ack_bits = 2;
  pusch.uci.csi_part1_bits = 20;
  pusch.uci.beta_offset_csi1 = 9;
  pusch.uci.beta_offset_csi2 = 9;
  pusch.uci.csi_part2_sizing = csi2_e2e_sizing();
  return pusch;
}

TEST(FapiCsiPart2EndToEnd, UciIndicationCarriesThePart2SizeOfEachPart1) {
  const phy::CellConfig cell = make_52_prb_cell();
  // CONFIG.request -> the receiver's maps.
  FapiConfigRequest config = to_fapi_config_request(cell, 1);
  config.uci_part2_maps = csi2_e2e_maps();
  ASSERT_TRUE(decode(encode(config)).ok());
  phy::PuschReceiverConfig receiver_config;
  receiver_config.max_layers = 1;
  ASSERT_TRUE(
      to_csi_part2_size_maps(scratch_message().config_request, receiver_config.csi_part2_size_maps)
          .ok());
  phy::PuschReceiver receiver(cell, receiver_config);
  phy::PuschTransmitter transmitter(cell);
  auto grid = transmitter.make_grid();
  std::mt19937_64 rng(5);

  // Part 1 values: field 0 = 3 (30 bits) and fields 1 = 1, 0 (7 bits); then all zero (none).
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 3;
  request->slot = 6;
  const unsigned expected_part2[] = {37, 0};
  std::vector<phy::BitVector> part2s;
  for (unsigned i = 0; i < 2; ++i) {
    phy::PuschConfig pusch = csi2_e2e_pusch(20 * i, static_cast<std::uint16_t>(1 + i));
    ASSERT_TRUE(to_fapi_pusch_pdu(pusch, cell, request->pusch[i]).ok());
    phy::BitVector tb(transmitter.transport_block_size(pusch));
    phy::BitVector ack(2, 1);
    phy::BitVector part1(20, 0);
    if (i == 0) {
      part1[3] = part1[4] = 1;
      part1[0] = 1;
      part1[2] = part1[11] = 1; // outside the fields
    }
    ASSERT_EQ(phy::csi_part2_bits_from_part1(part1, pusch.uci.csi_part2_sizing,
                                             receiver_config.csi_part2_size_maps),
              expected_part2[i]);
    pusch.uci.csi_part2_bits = expected_part2[i]; // what the UE sends
    phy::BitVector& part2 = part2s.emplace_back(expected_part2[i]);
    for (auto* bits : {&tb, &part2}) {
      for (auto& bit : *bits) {
        bit = static_cast<phy::bit_t>(rng() & 1U);
      }
    }
    transmitter.transmit(tb, phy::PuschUciPayload{ack, part1, part2}, pusch, request->slot, grid);
  }
  request->num_pusch = 2;
  ASSERT_TRUE(decode(encode(*request)).ok());
  auto slot = std::make_unique<FapiSlotRequest>();
  to_slot_request(scratch_message().ul_tti_request, cell, *slot);
  ASSERT_EQ(slot->num_pusch, 2U);
  std::vector<phy::PuschPduResult> results;
  receiver.process_slot(grid, slot->slot, slot->pdus(), results);
  ASSERT_EQ(results.size(), 2U);
  auto uci = std::make_unique<FapiUciIndication>();
  to_uci_indication(slot->sfn, slot->slot, results, slot->pdus(), cell, *uci);

  ASSERT_TRUE(decode(encode(*uci)).ok());
  const FapiUciIndication& got = scratch_message().uci_indication;
  ASSERT_EQ(got.num_pdus, 2U);
  for (unsigned i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(results[i].tb_crc_ok) << results[i].error;
    ASSERT_TRUE(got.pdus[i].csi_part1.has_value());
    EXPECT_EQ(got.pdus[i].csi_part1->crc, FapiUciPart::crc_pass);
  }
  ASSERT_TRUE(got.pdus[0].csi_part2.has_value());
  EXPECT_EQ(got.pdus[0].csi_part2->bit_length, 37);
  EXPECT_EQ(got.pdus[0].csi_part2->crc, FapiUciPart::crc_pass);
  for (std::size_t b = 0; b < part2s[0].size(); ++b) {
    EXPECT_EQ(got.pdus[0].csi_part2->bit(b), part2s[0][b]) << b;
  }
  EXPECT_FALSE(got.pdus[1].csi_part2.has_value()); // part 1 asked for no part 2
}

} // namespace
