// FAPI <-> PHY conversion of DFT-s-OFDM (transform precoding) PUSCH PDUs: TransformPrecoding,
// puschIdentity, the MCS tables with transform precoding (TS 38.214 6.1.4.1), pi/2-BPSK and the
// dftsOfdm part, both directions, through the UL_TTI.request codec too.
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

phy::CellConfig precoding_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 106;
  cell.numerology = 1;
  cell.n_cell_id = 500;
  return cell;
}

/// One layer, DMRS type 1 with 2 CDM groups without data, 48 = 2^4 * 3 PRBs, Table 6.1.4.1-1.
phy::PuschConfig make_tp_pusch() {
  phy::PuschConfig pusch;
  pusch.rnti = 0x4601;
  pusch.handle = 78;
  pusch.bwp_size = 106;
  pusch.prb_start = 30;
  pusch.prb_size = 48;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 12;
  pusch.mcs_table = phy::McsTable::transform_precoding_qam64;
  pusch.transform_precoding = true;
  pusch.pusch_identity = 937; // u = 7
  pusch.harq_process_id = 4;
  pusch.data_scrambling_id = 500;
  pusch.dmrs_scrambling_id = 500;
  return pusch;
}

/// Variants: Table 6.1.4.1-1 with QPSK to 64-QAM, pi/2-BPSK (MCS 0, 1), 256-QAM, type B.
std::vector<phy::PuschConfig> tp_variants() {
  std::vector<phy::PuschConfig> variants;
  variants.push_back(make_tp_pusch());
  for (const unsigned mcs : {0U, 1U}) {
    phy::PuschConfig bpsk = make_tp_pusch();
    bpsk.mcs_index = mcs;
    bpsk.tp_pi2bpsk = true;
    bpsk.pusch_identity = 0;
    variants.push_back(bpsk);
  }
  phy::PuschConfig qpsk0 = make_tp_pusch();
  qpsk0.mcs_index = 0; // QPSK without tp-pi2BPSK
  variants.push_back(qpsk0);
  phy::PuschConfig qam256 = make_tp_pusch();
  qam256.mcs_table = phy::McsTable::qam256;
  qam256.mcs_index = 25;
  qam256.prb_size = 75; // 3 * 5^2
  variants.push_back(qam256);
  phy::PuschConfig b = make_tp_pusch();
  b.mapping_type = phy::PuschMappingType::type_b;
  b.start_symbol = 3;
  b.num_symbols = 9;
  b.mcs_index = 22;
  variants.push_back(b);
  return variants;
}

TEST(FapiTransformPrecoding, PuschConfigToFapiAndBack) {
  const phy::CellConfig cell = precoding_cell();
  for (const phy::PuschConfig& pusch : tp_variants()) {
    SCOPED_TRACE("MCS " + std::to_string(pusch.mcs_index) + " of " +
                 phy::mcs_table_name(pusch.mcs_table));
    ASSERT_EQ(pusch.validate(cell), "");
    FapiPuschPdu pdu;
    FapiError error = to_fapi_pusch_pdu(pusch, cell, pdu);
    ASSERT_TRUE(error.ok()) << describe(error);
    EXPECT_EQ(pdu.transform_precoding, 0); // enabled
    EXPECT_EQ(pdu.pusch_identity, pusch.pusch_identity);
    EXPECT_EQ(pdu.mcs_table, pusch.mcs_table == phy::McsTable::qam256 ? 1 : 3);
    EXPECT_EQ(pdu.qam_mod_order, pusch.modulation_order());
    EXPECT_EQ(pdu.qam_mod_order == 1, pusch.tp_pi2bpsk && pusch.mcs_index <= 1);
    ASSERT_TRUE(pdu.dfts_ofdm.has_value());
    EXPECT_EQ(pdu.dfts_ofdm->low_papr_group_number, pusch.pusch_identity % 30);
    EXPECT_EQ(pdu.dfts_ofdm->low_papr_sequence_number, 0);
    EXPECT_FALSE(pdu.ptrs.has_value());

    phy::PuschConfig back;
    error = to_pusch_config(pdu, cell, back);
    ASSERT_TRUE(error.ok()) << describe(error);
    EXPECT_TRUE(back.transform_precoding);
    EXPECT_EQ(back.mcs_table, pusch.mcs_table);
    EXPECT_EQ(back.mcs_index, pusch.mcs_index);
    EXPECT_EQ(back.pusch_identity, pusch.pusch_identity);
    EXPECT_EQ(back.dmrs_hopping, phy::LowPaprHopping::none);
    EXPECT_EQ(back.modulation_order(), pusch.modulation_order());
    EXPECT_EQ(back.code_rate_x10240(), pusch.code_rate_x10240());
    // tp-pi2BPSK matters only where Table 6.1.4.1-1 has Q_m = q; qamModOrder tells it there.
    EXPECT_EQ(back.tp_pi2bpsk, pusch.tp_pi2bpsk && pusch.mcs_index <= 1);
    EXPECT_EQ(back.mapping_type, pusch.mapping_type);
    EXPECT_EQ(back.num_dmrs_cdm_groups_no_data, 2U);
    FapiPuschPdu again;
    ASSERT_TRUE(to_fapi_pusch_pdu(back, cell, again).ok());
    EXPECT_EQ(again, pdu);
  }
}

TEST(FapiTransformPrecoding, ThroughTheUlTtiRequestCodec) {
  const phy::CellConfig cell = precoding_cell();
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 3;
  request->slot = 7;
  const auto variants = tp_variants();
  for (const phy::PuschConfig& pusch : variants) {
    ASSERT_TRUE(to_fapi_pusch_pdu(pusch, cell, request->pusch[request->num_pusch]).ok());
    request->pusch_pdu_index[request->num_pusch] = static_cast<std::uint8_t>(request->num_pusch);
    ++request->num_pusch;
  }
  std::vector<std::uint8_t> body(std::size_t{64} * 1024);
  std::size_t written = 0;
  FapiError error = encode_message_body(*request, body, written);
  ASSERT_TRUE(error.ok()) << describe(error);
  auto decoded = std::make_unique<FapiUlTtiRequest>();
  error = decode_message_body(std::span<const std::uint8_t>(body.data(), written), *decoded);
  ASSERT_TRUE(error.ok()) << describe(error);
  ASSERT_EQ(decoded->num_pusch, variants.size());
  auto slot = std::make_unique<FapiSlotRequest>();
  to_slot_request(*decoded, cell, *slot);
  ASSERT_EQ(slot->num_rejected, 0U) << describe(slot->rejected[0].error);
  for (std::size_t i = 0; i < variants.size(); ++i) {
    EXPECT_EQ(decoded->pusch[i], request->pusch[i]) << i;
    EXPECT_TRUE(slot->pusch[i].transform_precoding) << i;
    EXPECT_EQ(slot->pusch[i].pusch_identity, variants[i].pusch_identity) << i;
  }
}

/// A DFT-s-OFDM PDU as a MAC fills it: mcsTable 3 and the unhopped dftsOfdm part.
FapiPuschPdu tp_pdu() {
  FapiPuschPdu pdu;
  EXPECT_TRUE(to_fapi_pusch_pdu(make_tp_pusch(), precoding_cell(), pdu).ok());
  return pdu;
}

TEST(FapiTransformPrecoding, AcceptsWhatTs38214Allows) {
  const phy::CellConfig cell = precoding_cell();
  phy::PuschConfig out;
  // mcsTable 0 (notqam256) with transform precoding: Table 6.1.4.1-1 (TS 38.214 6.1.4.1).
  FapiPuschPdu pdu = tp_pdu();
  pdu.mcs_table = 0;
  FapiError error = to_pusch_config(pdu, cell, out);
  ASSERT_TRUE(error.ok()) << describe(error);
  EXPECT_EQ(out.mcs_table, phy::McsTable::transform_precoding_qam64);
  // No dftsOfdm part: the group comes from puschIdentity alone.
  pdu = tp_pdu();
  pdu.dfts_ofdm.reset();
  error = to_pusch_config(pdu, cell, out);
  ASSERT_TRUE(error.ok()) << describe(error);
  EXPECT_EQ(out.pusch_identity, 937U);
  // pi/2-BPSK: qamModOrder 1 on MCS 0, 1 and the reserved 28 (Q_m = q) sets tp-pi2BPSK.
  for (const unsigned mcs : {0U, 1U, 28U}) {
    pdu = tp_pdu();
    pdu.mcs_index = static_cast<std::uint8_t>(mcs);
    pdu.qam_mod_order = 1;
    pdu.target_code_rate = mcs == 1 ? 3140 : 2400;
    error = to_pusch_config(pdu, cell, out);
    ASSERT_TRUE(error.ok()) << mcs << ": " << describe(error);
    EXPECT_TRUE(out.tp_pi2bpsk) << mcs;
    EXPECT_EQ(out.modulation_order(), 1U) << mcs;
  }
}

void expect_precoding_refused(const FapiPuschPdu& pdu, FapiStatus status, const std::string& text,
                              const char* what) {
  phy::PuschConfig out;
  const FapiError error = to_pusch_config(pdu, precoding_cell(), out);
  EXPECT_EQ(error.status, status) << what << ": " << describe(error);
  EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << what;
  EXPECT_NE(std::string(error.reason()).find(text), std::string::npos)
      << what << ": " << describe(error);
}

TEST(FapiTransformPrecoding, ReadsTable6141Dash2) {
  const phy::CellConfig cell = precoding_cell();
  phy::PuschConfig out;
  FapiPuschPdu pdu;
  FapiError error;
  // mcsTable 4, and 2 (qam64LowSE) with transform precoding: Table 6.1.4.1-2, whose MCS 0 to 5
  // are q (pi/2-BPSK with qamModOrder 1 at R 60/1024 .. 198/1024, else QPSK at half that).
  for (const std::uint8_t table : {2, 4}) {
    pdu = tp_pdu();
    pdu.mcs_table = table;
    pdu.mcs_index = 20;
    pdu.qam_mod_order = 4;
    pdu.target_code_rate = 6160;
    error = to_pusch_config(pdu, cell, out);
    ASSERT_TRUE(error.ok()) << int{table} << ": " << describe(error);
    EXPECT_EQ(out.mcs_table, phy::McsTable::transform_precoding_qam64_low_se);
    EXPECT_EQ(out.mcs().code_rate_x10240, 6160U);
    pdu.mcs_index = 3;
    pdu.qam_mod_order = 1;
    pdu.target_code_rate = 1280;
    error = to_pusch_config(pdu, cell, out);
    ASSERT_TRUE(error.ok()) << int{table} << ": " << describe(error);
    EXPECT_TRUE(out.tp_pi2bpsk);
    EXPECT_EQ(out.modulation_order(), 1U);
    pdu.qam_mod_order = 2;
    pdu.target_code_rate = 640;
    error = to_pusch_config(pdu, cell, out);
    ASSERT_TRUE(error.ok()) << int{table} << ": " << describe(error);
    EXPECT_FALSE(out.tp_pi2bpsk);
    EXPECT_EQ(out.mcs().code_rate_x10240, 640U);
    // Back to FAPI as mcsTable 4.
    FapiPuschPdu back;
    ASSERT_TRUE(to_fapi_pusch_pdu(out, cell, back).ok());
    EXPECT_EQ(back.mcs_table, 4);
    EXPECT_EQ(back.qam_mod_order, 2);
  }
}

TEST(FapiTransformPrecoding, RefusesWhatTheReceiverDoesNotDo) {
  FapiPuschPdu pdu = tp_pdu();
  pdu.dfts_ofdm->low_papr_group_number = 8; // puschIdentity 937: u = 7
  expect_precoding_refused(pdu, FapiStatus::unsupported,
                           "lowPaprGroupNumber 8, lowPaprSequenceNumber 0 are not 7, 0: MAC-chosen "
                           "group/sequence hopping is not supported",
                           "group");
  pdu = tp_pdu();
  pdu.dfts_ofdm->low_papr_group_number = 29;
  pdu.dfts_ofdm->low_papr_sequence_number = 1;
  expect_precoding_refused(
      pdu, FapiStatus::unsupported,
      "lowPaprGroupNumber 29, lowPaprSequenceNumber 1 are not 7, 0: MAC-chosen "
      "group/sequence hopping is not supported",
      "sequence");
  pdu = tp_pdu();
  pdu.ptrs.emplace(); // one port: accepted with CP-OFDM, not with transform precoding
  expect_precoding_refused(
      pdu, FapiStatus::unsupported,
      "PT-RS with transform precoding (TS 38.211 6.4.1.2.2.2) is not supported", "PT-RS");
  // PuschConfig::validate()'s transform precoding rules.
  pdu = tp_pdu();
  pdu.num_dmrs_cdm_grps_no_data = 1;
  expect_precoding_refused(pdu, FapiStatus::out_of_range, "2 DMRS CDM groups without data",
                           "CDM groups");
  pdu = tp_pdu();
  pdu.rb_size = 49;
  expect_precoding_refused(pdu, FapiStatus::out_of_range, "2^a 3^b 5^c", "49 PRBs");
  // Table 6.1.4.1-2 has no 64-QAM above R 772/1024 and 16-QAM from MCS 16 on.
  pdu = tp_pdu();
  pdu.mcs_table = 4;
  pdu.mcs_index = 15;
  pdu.qam_mod_order = 4;
  expect_precoding_refused(pdu, FapiStatus::out_of_range, "qam_order 4 differs from Q_m 2",
                           "4: MCS 15");
  pdu = tp_pdu();
  pdu.num_layers = 2;
  pdu.dmrs_ports = 0x3;
  expect_precoding_refused(pdu, FapiStatus::out_of_range, "one layer", "2 layers");
  pdu = tp_pdu();
  pdu.dmrs_config_type = 1;
  expect_precoding_refused(pdu, FapiStatus::out_of_range, "DMRS configuration type 1",
                           "DMRS type 2");
  // pi/2-BPSK where Table 6.1.4.1-1 has Q_m = 2, and without transform precoding.
  pdu = tp_pdu();
  pdu.qam_mod_order = 1;
  expect_precoding_refused(pdu, FapiStatus::out_of_range, "qam_order 1 differs from Q_m 4",
                           "BPSK MCS 12");
  FapiPuschPdu cp;
  ASSERT_TRUE(to_fapi_pusch_pdu(make_tp_pusch(), precoding_cell(), cp).ok());
  cp.transform_precoding = 1;
  cp.dfts_ofdm.reset();
  cp.mcs_table = 0;
  cp.mcs_index = 0;
  cp.qam_mod_order = 1;
  cp.target_code_rate = 2400;
  expect_precoding_refused(cp, FapiStatus::out_of_range, "needs transform precoding",
                           "CP-OFDM BPSK");
  // Transform precoding off: mcsTable 3 and a dftsOfdm part have no meaning.
  cp = tp_pdu();
  cp.transform_precoding = 1;
  cp.dfts_ofdm.reset();
  expect_precoding_refused(cp, FapiStatus::out_of_range,
                           "mcsTable 3 (TS 38.214 Table 6.1.4.1-1) needs transform precoding",
                           "table 3");
  cp.mcs_table = 4;
  expect_precoding_refused(cp, FapiStatus::out_of_range,
                           "mcsTable 4 (TS 38.214 Table 6.1.4.1-2) needs transform precoding",
                           "table 4");
  cp = tp_pdu();
  cp.transform_precoding = 1;
  cp.mcs_table = 0;
  expect_precoding_refused(cp, FapiStatus::out_of_range,
                           "dftsOfdm part without transform precoding", "dftsOfdm");
}

TEST(FapiTransformPrecoding, ToFapiRefusesWhatFapiCannotCarry) {
  const phy::CellConfig cell = precoding_cell();
  FapiPuschPdu pdu;
  // DMRS group and sequence hopping go in the FAPIv3 maintenance part's groupOrSequenceHopping.
  for (const auto hopping : {phy::LowPaprHopping::group, phy::LowPaprHopping::sequence}) {
    phy::PuschConfig pusch = make_tp_pusch();
    pusch.dmrs_hopping = hopping;
    ASSERT_EQ(pusch.validate(cell), "");
    const FapiError error = to_fapi_pusch_pdu(pusch, cell, pdu);
    ASSERT_TRUE(error.ok()) << describe(error);
    ASSERT_TRUE(pdu.maintenance_v3.has_value());
    EXPECT_EQ(pdu.maintenance_v3->group_or_sequence_hopping, static_cast<unsigned>(hopping));
    phy::PuschConfig back;
    ASSERT_TRUE(to_pusch_config(pdu, cell, back).ok());
    EXPECT_EQ(back.dmrs_hopping, hopping);
  }
  // A transform-precoded PUSCH never takes Table 5.1.3.1-1 (TS 38.214 6.1.4.1): refused.
  phy::PuschConfig qam64 = make_tp_pusch();
  qam64.mcs_table = phy::McsTable::qam64;
  EXPECT_NE(qam64.validate(cell).find("Table 6.1.4.1-1"), std::string::npos);
  EXPECT_FALSE(to_fapi_pusch_pdu(qam64, cell, pdu).ok());

  // CP-OFDM: puschIdentity stays the cell's, no dftsOfdm part.
  phy::PuschConfig cp = make_tp_pusch();
  cp.transform_precoding = false;
  cp.mcs_table = phy::McsTable::qam64;
  ASSERT_TRUE(to_fapi_pusch_pdu(cp, cell, pdu).ok());
  EXPECT_EQ(pdu.transform_precoding, 1);
  EXPECT_EQ(pdu.pusch_identity, cell.n_cell_id);
  EXPECT_EQ(pdu.mcs_table, 0);
  EXPECT_FALSE(pdu.dfts_ofdm.has_value());
}

} // namespace
