// FAPI <-> PHY conversions: PUSCH PDU <-> PuschConfig, CONFIG.request <-> CellConfig, and one slot
// end to end: UL_TTI.request bytes -> receiver -> CRC.indication / RX_DATA.indication bytes. The
// receiver's results -> CRC / RX_DATA entries and their fixed-point units:
// fapi_indication_conversion_test.cpp.
#include "../support/allocation_counter.h"
#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tbs_calculator.h"
#include "fapi_conversion_test_helpers.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

/// Variants: type A/B, DMRS type 2, double-symbol DMRS, 256-QAM, explicit TBS, 2 and 4 layers.
std::vector<phy::PuschConfig> pusch_variants() {
  std::vector<phy::PuschConfig> variants;
  variants.push_back(make_pusch());
  phy::PuschConfig b = make_pusch();
  b.mapping_type = phy::PuschMappingType::type_b;
  b.start_symbol = 4;
  b.num_symbols = 7;
  variants.push_back(b);
  phy::PuschConfig type2 = make_pusch(2);
  type2.dmrs_config_type = phy::DmrsConfigType::type2;
  type2.num_dmrs_cdm_groups_no_data = 3;
  type2.dmrs_additional_position = 2;
  variants.push_back(type2);
  phy::PuschConfig dbl = make_pusch(4);
  dbl.dmrs_length = 2;
  dbl.dmrs_ports = 0x33; // ports 0, 1, 4, 5: two CDM groups, both OCC symbols
  dbl.dmrs_additional_position = 1;
  variants.push_back(dbl);
  phy::PuschConfig qam256 = make_pusch(2);
  qam256.mcs_table = phy::McsTable::qam256;
  qam256.mcs_index = 27;
  qam256.tb_size_bits = 79976; // a TBS of TS 38.214 (C = 10 code blocks of 8024 bits)
  qam256.rv = 2;
  qam256.new_data_indicator = false;
  variants.push_back(qam256);
  return variants;
}

phy::CellConfig cell_for(const phy::PuschConfig& pusch) {
  phy::CellConfig cell = make_cell();
  cell.num_antenna_ports = pusch.num_layers;
  return cell;
}

TEST(FapiPuschConversion, PuschConfigToFapiAndBack) {
  for (const phy::PuschConfig& pusch : pusch_variants()) {
    const phy::CellConfig cell = cell_for(pusch);
    ASSERT_EQ(pusch.validate(cell), "");
    FapiPuschPdu pdu;
    FapiError error = to_fapi_pusch_pdu(pusch, cell, pdu);
    ASSERT_TRUE(error.ok()) << describe(error);
    EXPECT_EQ(pdu.ul_dmrs_symb_pos, phy::pusch_dmrs_symbols(cell, pusch).mask);
    EXPECT_EQ(pdu.transform_precoding, 1);
    EXPECT_EQ(pdu.subcarrier_spacing, 1);
    EXPECT_EQ(pdu.target_code_rate, pusch.code_rate_x10240());
    EXPECT_EQ(pdu.qam_mod_order, pusch.modulation_order());
    ASSERT_TRUE(pdu.data.has_value());
    const std::uint32_t tbs =
        pusch.tb_size_bits != 0 ? pusch.tb_size_bits : phy::compute_pusch_tbs(cell, pusch);
    EXPECT_EQ(pdu.data->tb_size * 8, tbs);

    phy::PuschConfig back;
    error = to_pusch_config(pdu, cell, back);
    ASSERT_TRUE(error.ok()) << describe(error);
    EXPECT_EQ(back.mapping_type, pusch.mapping_type);
    EXPECT_EQ(back.dmrs_length, pusch.dmrs_length);
    EXPECT_EQ(back.dmrs_config_type, pusch.dmrs_config_type);
    EXPECT_EQ(back.dmrs_ports, pusch.dmrs_ports);
    EXPECT_EQ(back.mcs_table, pusch.mcs_table);
    EXPECT_EQ(back.rv, pusch.rv);
    EXPECT_EQ(back.new_data_indicator, pusch.new_data_indicator);
    EXPECT_EQ(back.harq_process_id, pusch.harq_process_id);
    EXPECT_EQ(back.tb_size_bits, tbs);
    EXPECT_EQ(phy::pusch_dmrs_symbols(cell, back).mask, phy::pusch_dmrs_symbols(cell, pusch).mask);
    EXPECT_EQ(phy::pusch_dmrs_symbols(cell, back).second_symbol,
              phy::pusch_dmrs_symbols(cell, pusch).second_symbol);
    FapiPuschPdu again;
    ASSERT_TRUE(to_fapi_pusch_pdu(back, cell, again).ok());
    EXPECT_EQ(again, pdu);
  }
}

TEST(FapiPuschConversion, RejectsWhatTheReceiverDoesNotDo) {
  const phy::CellConfig cell = make_cell();
  FapiPuschPdu valid;
  ASSERT_TRUE(to_fapi_pusch_pdu(make_pusch(), cell, valid).ok());
  phy::PuschConfig out;
  ASSERT_TRUE(to_pusch_config(valid, cell, out).ok());
  struct Case {
    const char* what;
    void (*change)(FapiPuschPdu&);
    FapiStatus status;
  };
  const Case cases[] = {
      {"neither data nor UCI", [](FapiPuschPdu& p) { p.data.reset(); }, FapiStatus::out_of_range},
      {"UCI over 1706 bits",
       [](FapiPuschPdu& p) {
         p.uci = FapiPuschUci{1707, 0, 0, 3};
       },
       FapiStatus::out_of_range},
      // Sized from part 1 is converted (fapi_csi_part2_conversion_test.cpp), but not without the
      // maintenance part and the part 1 to part 2 correspondence after it.
      {"CSI part 2 sized from part 1 without its correspondence",
       [](FapiPuschPdu& p) {
         p.uci = FapiPuschUci{2, 4, 0xFFFF, 3};
       },
       FapiStatus::length_mismatch},
      // One PT-RS port is converted (fapi_ptrs_conversion_test.cpp), two are refused.
      {"2 PT-RS ports", [](FapiPuschPdu& p) { p.ptrs.emplace().num_ports = 2; },
       FapiStatus::unsupported},
      // DFT-s-OFDM: fapi_transform_precoding_test.cpp.
      {"mcs table 3 without TP", [](FapiPuschPdu& p) { p.mcs_table = 3; },
       FapiStatus::out_of_range},
      {"mcs table 4 without TP", [](FapiPuschPdu& p) { p.mcs_table = 4; },
       FapiStatus::out_of_range},
      {"dftsOfdm without TP", [](FapiPuschPdu& p) { p.dfts_ofdm.emplace(); },
       FapiStatus::out_of_range},
      {"RA type 0", [](FapiPuschPdu& p) { p.resource_alloc = 0; }, FapiStatus::unsupported},
      {"interleaved", [](FapiPuschPdu& p) { p.vrb_to_prb_mapping = 1; }, FapiStatus::unsupported},
      {"hopping", [](FapiPuschPdu& p) { p.frequency_hopping = 1; }, FapiStatus::unsupported},
      {"7.5 kHz", [](FapiPuschPdu& p) { p.uplink_frequency_shift_7p5khz = 1; },
       FapiStatus::unsupported},
      {"CBG", [](FapiPuschPdu& p) { p.data->num_cb = 4; }, FapiStatus::unsupported},
      {"SCS", [](FapiPuschPdu& p) { p.subcarrier_spacing = 0; }, FapiStatus::out_of_range},
      {"CP", [](FapiPuschPdu& p) { p.cyclic_prefix = 1; }, FapiStatus::out_of_range},
      {"no DMRS", [](FapiPuschPdu& p) { p.ul_dmrs_symb_pos = 0; }, FapiStatus::out_of_range},
      {"first DMRS", [](FapiPuschPdu& p) { p.ul_dmrs_symb_pos = 0x0010; },
       FapiStatus::out_of_range},
      {"PRBs past BWP", [](FapiPuschPdu& p) { p.rb_start = 250; }, FapiStatus::out_of_range},
      {"2 ports 1 layer", [](FapiPuschPdu& p) { p.dmrs_ports = 3; }, FapiStatus::out_of_range},
      {"RNTI 0", [](FapiPuschPdu& p) { p.rnti = 0; }, FapiStatus::out_of_range},
  };
  for (const Case& c : cases) {
    FapiPuschPdu pdu = valid;
    c.change(pdu);
    const FapiError error = to_pusch_config(pdu, cell, out);
    EXPECT_EQ(error.status, c.status) << c.what << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.what;
    EXPECT_FALSE(error.reason().empty());
  }
  phy::PuschConfig codebook = make_pusch(2);
  codebook.precoding = phy::PuschPrecoding::codebook;
  phy::CellConfig four_ports = make_cell();
  four_ports.num_antenna_ports = 4;
  EXPECT_EQ(to_fapi_pusch_pdu(codebook, four_ports, valid).status, FapiStatus::unsupported);
}

TEST(FapiPuschConversion, SlotRequestKeepsGoodPdusAndListsRejectedOnes) {
  const phy::CellConfig cell = make_cell();
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 12;
  request->slot = 3;
  for (unsigned i = 0; i < 3; ++i) {
    phy::PuschConfig pusch = make_pusch();
    pusch.handle = 100 + i;
    pusch.prb_start = 30 * i;
    pusch.prb_size = 30;
    ASSERT_TRUE(to_fapi_pusch_pdu(pusch, cell, request->pusch[i]).ok());
  }
  request->pusch[1].frequency_hopping = 1;
  request->num_pusch = 3;
  auto slot = std::make_unique<FapiSlotRequest>();
  const long before = airan::test::allocation_count();
  to_slot_request(*request, cell, *slot);
  EXPECT_EQ(airan::test::allocation_count(), before);
  EXPECT_EQ(slot->sfn, 12);
  ASSERT_EQ(slot->pdus().size(), 2U);
  EXPECT_EQ(slot->pdus()[0].handle, 100U);
  EXPECT_EQ(slot->pdus()[1].handle, 102U);
  EXPECT_EQ(slot->source_index[1], 2U);
  ASSERT_EQ(slot->rejected_pdus().size(), 1U);
  EXPECT_EQ(slot->rejected[0].pusch_index, 1U);
  EXPECT_EQ(slot->rejected[0].handle, 101U);
  EXPECT_EQ(slot->rejected[0].error.status, FapiStatus::unsupported);
  EXPECT_TRUE(slot->rejected[0].carries_tb);
}

TEST(FapiCellConversion, ConfigRequestRoundTripAndErrors) {
  phy::CellConfig cell = make_cell(106);
  cell.dmrs_type_a_position = 3;
  cell.grid_start_crb = 12;
  const FapiConfigRequest request = to_fapi_config_request(cell, 4);
  ASSERT_TRUE(decode(encode(request)).ok());
  phy::CellConfig back;
  unsigned rx = 0;
  FapiConfigResponse response;
  FapiError error = to_cell_config(scratch_message().config_request, back, rx, &response);
  ASSERT_TRUE(error.ok()) << describe(error);
  EXPECT_EQ(response.error_code, FapiErrorCode::msg_ok);
  EXPECT_EQ(rx, 4U);
  EXPECT_EQ(back.num_prbs, 106U);
  EXPECT_EQ(back.numerology, 1U);
  EXPECT_EQ(back.n_cell_id, 500);
  EXPECT_EQ(back.dmrs_type_a_position, 3U);
  EXPECT_EQ(back.grid_start_crb, 12U);

  FapiConfigRequest missing;
  missing.num_rx_ant = 2;
  error = to_cell_config(missing, back, rx, &response);
  EXPECT_EQ(error.code, FapiErrorCode::msg_invalid_config);
  EXPECT_EQ(response.error_code, FapiErrorCode::msg_invalid_config);
  ASSERT_EQ(response.missing.count, 2U);
  EXPECT_EQ(response.missing.entries[0].tag, fapi_config_tag::ul_grid_size);
  EXPECT_EQ(response.missing.entries[1].tag, fapi_config_tag::phy_cell_id);

  FapiConfigRequest shifted = request;
  shifted.frequency_shift_7p5khz = 1;
  EXPECT_EQ(to_cell_config(shifted, back, rx, &response).status, FapiStatus::unsupported);
  ASSERT_EQ(response.invalid_or_unsupported.count, 1U);
  EXPECT_EQ(response.invalid_or_unsupported.entries[0].tag,
            fapi_config_tag::frequency_shift_7p5khz);

  FapiConfigRequest two = request;
  two.ul_grid_size = std::array<std::uint16_t, 5>{52, 106, 0, 0, 0};
  two.scs_common.reset();
  EXPECT_FALSE(to_cell_config(two, back, rx).ok());
  two.scs_common = 0;
  ASSERT_TRUE(to_cell_config(two, back, rx).ok());
  EXPECT_EQ(back.numerology, 0U);
  EXPECT_EQ(back.num_prbs, 52U);

  FapiConfigRequest extended = request; // extended CP exists only for mu = 2
  extended.cyclic_prefix = 1;
  EXPECT_EQ(to_cell_config(extended, back, rx).code, FapiErrorCode::msg_invalid_config);

  // RSSIMeasurement: dBFS (what to_fapi_config_request asks for, and the default) or none;
  // dBm needs a calibrated RU and is refused, listed as unsupported.
  EXPECT_EQ(request.rssi_measurement, fapi_rssi_in_dbfs);
  FapiConfigRequest rssi = request;
  rssi.rssi_measurement = fapi_rssi_not_reported;
  EXPECT_TRUE(to_cell_config(rssi, back, rx).ok());
  rssi.rssi_measurement = fapi_rssi_in_dbm; // accepted when the L1 knows the RU's calibration
  EXPECT_TRUE(to_cell_config(rssi, back, rx, &response, true).ok());
  error = to_cell_config(rssi, back, rx, &response);
  EXPECT_EQ(error.status, FapiStatus::unsupported);
  EXPECT_NE(describe(error).find("RSSIMeasurement = 1 (dBm) is not supported"), std::string::npos)
      << describe(error);
  EXPECT_EQ(response.error_code, FapiErrorCode::msg_invalid_config);
  ASSERT_EQ(response.invalid_or_unsupported.count, 1U);
  EXPECT_EQ(response.invalid_or_unsupported.entries[0].tag, fapi_config_tag::rssi_measurement);
}

// MAC side: PuschConfigs -> UL_TTI.request bytes. PHY side: decode, to_slot_request, receive,
// to_slot_indications, encode. MAC side again: decode and find each TB.
TEST(FapiEndToEnd, UlTtiRequestToCrcAndRxDataIndications) {
  const phy::CellConfig cell = make_cell(52);
  phy::PuschTransmitter transmitter(cell);
  phy::PuschReceiverConfig receiver_config;
  receiver_config.max_layers = 1;
  phy::PuschReceiver receiver(cell, receiver_config);
  std::mt19937_64 rng(5);

  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 200;
  request->slot = 7;
  std::vector<phy::PuschConfig> sent;
  auto grid = transmitter.make_grid();
  std::vector<std::vector<std::uint8_t>> tb_bytes;
  for (unsigned i = 0; i < 3; ++i) {
    phy::PuschConfig pusch = make_pusch();
    pusch.bwp_size = 52;
    pusch.prb_start = 16 * i;
    pusch.prb_size = 16;
    pusch.mcs_index = 4 + 8 * i;
    pusch.rnti = static_cast<std::uint16_t>(100 + i);
    pusch.handle = 1000 + i;
    ASSERT_TRUE(to_fapi_pusch_pdu(pusch, cell, request->pusch[i]).ok());
    phy::BitVector tb(transmitter.transport_block_size(pusch));
    for (auto& bit : tb) {
      bit = static_cast<phy::bit_t>(rng() & 1U);
    }
    transmitter.transmit(tb, pusch, request->slot, grid);
    phy::pack_bits_msb_first(tb, tb_bytes.emplace_back());
    sent.push_back(pusch);
  }
  request->num_pusch = 3;
  const Bytes ul_tti = encode(*request);

  // PHY.
  ASSERT_TRUE(decode(ul_tti).ok());
  auto slot = std::make_unique<FapiSlotRequest>();
  to_slot_request(scratch_message().ul_tti_request, cell, *slot);
  ASSERT_EQ(slot->num_pusch, 3U);
  std::vector<phy::PuschPduResult> results;
  receiver.process_slot(grid, slot->slot, slot->pdus(), results);
  auto crc = std::make_unique<FapiCrcIndication>();
  auto rx_data = std::make_unique<FapiRxDataIndication>();
  to_slot_indications(*slot, results, cell, *crc, *rx_data);
  Bytes indications(1 << 16);
  FapiMessageWriter writer(indications);
  ASSERT_TRUE(writer.add(*crc).ok());
  ASSERT_TRUE(writer.add(*rx_data).ok());
  indications.resize(writer.size());

  // MAC.
  FapiMessageReader reader(indications);
  FapiMessageView view;
  auto message = std::make_unique<FapiMessage>();
  ASSERT_TRUE(reader.next(view));
  ASSERT_TRUE(decode_message(view, *message).ok());
  ASSERT_EQ(message->type, FapiMessageType::crc_indication);
  ASSERT_EQ(message->crc_indication.num_crcs, 3U);
  for (const FapiCrc& c : message->crc_indication.entries()) {
    EXPECT_EQ(c.tb_crc_status, 0) << c.handle;
    EXPECT_EQ(c.measurement.timing_advance, 31);
    EXPECT_GT(c.measurement.ul_cqi, fapi_ul_cqi_from_snr_db(30.0F));
  }
  ASSERT_TRUE(reader.next(view));
  ASSERT_TRUE(decode_message(view, *message).ok());
  ASSERT_EQ(message->rx_data_indication.sfn, 200);
  for (std::size_t i = 0; i < 3; ++i) {
    const FapiRxData& pdu = message->rx_data_indication.pdus[i];
    EXPECT_EQ(pdu.handle, 1000 + i);
    EXPECT_EQ(pdu.rnti, 100 + i);
    EXPECT_TRUE(std::ranges::equal(pdu.payload, tb_bytes[i])) << i;
  }
}

} // namespace
