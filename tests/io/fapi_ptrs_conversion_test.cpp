// FAPI <-> PHY conversion of the puschPtrs part (SCF 222.10.02 Table 3-49): PTRSReOffset as
// k_ref^RE <-> resourceElementOffset through TS 38.211 Table 6.4.1.2.2.1-1, the densities and
// power, both directions, through the UL_TTI.request codec too, and what is refused (two PT-RS
// ports, reserved powers, PT-RS with transform precoding, offsets outside the DMRS port's row).
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

// TS 38.211 Table 6.4.1.2.2.1-1, written out again here: k_ref^RE per DMRS port (rows) and
// resourceElementOffset '00', '01', '10', '11' (columns).
constexpr unsigned table_type1[4][4] = {{0, 2, 6, 8}, {2, 4, 8, 10}, {1, 3, 7, 9}, {3, 5, 9, 11}};
constexpr unsigned table_type2[6][4] = {{0, 1, 6, 7}, {1, 6, 7, 0},   {2, 3, 8, 9},
                                        {3, 8, 9, 2}, {4, 5, 10, 11}, {5, 10, 11, 4}};

phy::CellConfig ptrs_cell(unsigned antenna_ports = 1) {
  phy::CellConfig cell;
  cell.num_prbs = 106;
  cell.numerology = 1;
  cell.n_cell_id = 500;
  cell.num_antenna_ports = antenna_ports;
  return cell;
}

/// One layer on DMRS port \p port of \p type, every CDM group without data, PT-RS enabled.
phy::PuschConfig make_ptrs_pusch(phy::DmrsConfigType type = phy::DmrsConfigType::type1,
                                 unsigned port = 0) {
  phy::PuschConfig pusch;
  pusch.rnti = 0x4601;
  pusch.handle = 79;
  pusch.bwp_size = 106;
  pusch.prb_start = 10;
  pusch.prb_size = 51;
  pusch.dmrs_config_type = type;
  pusch.dmrs_ports = static_cast<std::uint16_t>(1U << port);
  pusch.num_dmrs_cdm_groups_no_data = type == phy::DmrsConfigType::type1 ? 2 : 3;
  pusch.mcs_index = 16;
  pusch.data_scrambling_id = 500;
  pusch.dmrs_scrambling_id = 500;
  pusch.ptrs.enabled = true;
  pusch.ptrs.dmrs_port = port;
  return pusch;
}

/// Variants off every default: 2 layers with PT-RS on the second port, L 4, K 4, power '01';
/// DMRS type 2 on ports 4 and 5 with L 2.
std::vector<phy::PuschConfig> ptrs_variants() {
  std::vector<phy::PuschConfig> variants;
  variants.push_back(make_ptrs_pusch());
  phy::PuschConfig two = make_ptrs_pusch();
  two.num_layers = 2;
  two.dmrs_ports = 0x3;
  two.ptrs = {true, 4, 4, 2, 1, 1};
  variants.push_back(two);
  phy::PuschConfig type2 = make_ptrs_pusch(phy::DmrsConfigType::type2);
  type2.num_layers = 2;
  type2.dmrs_ports = 0x30;
  type2.ptrs = {true, 2, 2, 3, 5, 0};
  variants.push_back(type2);
  return variants;
}

TEST(FapiPtrsConversion, PuschConfigToFapiAndBack) {
  // {port index, DMRS port, k_ref^RE, time density, frequency density, power} per variant.
  const FapiPtrsPort ports[] = {{0x1, 0, 0}, {0x2, 1, 8}, {0x2, 5, 4}};
  const std::uint8_t densities[][3] = {{0, 0, 0}, {2, 1, 1}, {1, 0, 0}};
  const auto variants = ptrs_variants();
  for (std::size_t i = 0; i < variants.size(); ++i) {
    SCOPED_TRACE("variant " + std::to_string(i));
    const phy::PuschConfig& pusch = variants[i];
    const phy::CellConfig cell = ptrs_cell(pusch.num_layers);
    ASSERT_EQ(pusch.validate(cell), "");
    FapiPuschPdu pdu;
    FapiError error = to_fapi_pusch_pdu(pusch, cell, pdu);
    ASSERT_TRUE(error.ok()) << describe(error);
    ASSERT_TRUE(pdu.ptrs.has_value());
    EXPECT_NE(pdu.pdu_bitmap() & fapi_pusch_bitmap::ptrs, 0);
    EXPECT_EQ(pdu.ptrs->num_ports, 1);
    EXPECT_EQ(pdu.ptrs->ports[0], ports[i]);
    EXPECT_EQ(pdu.ptrs->time_density, densities[i][0]);
    EXPECT_EQ(pdu.ptrs->freq_density, densities[i][1]);
    EXPECT_EQ(pdu.ptrs->ul_ptrs_power, densities[i][2]);

    phy::PuschConfig back;
    error = to_pusch_config(pdu, cell, back);
    ASSERT_TRUE(error.ok()) << describe(error);
    EXPECT_EQ(back.ptrs, pusch.ptrs);
    FapiPuschPdu again;
    ASSERT_TRUE(to_fapi_pusch_pdu(back, cell, again).ok());
    EXPECT_EQ(again, pdu);
  }
  // Without PT-RS: no puschPtrs part, and none comes back.
  phy::PuschConfig off = make_ptrs_pusch();
  off.ptrs.enabled = false;
  FapiPuschPdu pdu;
  ASSERT_TRUE(to_fapi_pusch_pdu(off, ptrs_cell(), pdu).ok());
  EXPECT_FALSE(pdu.ptrs.has_value());
  EXPECT_EQ(pdu.pdu_bitmap() & fapi_pusch_bitmap::ptrs, 0);
  phy::PuschConfig back;
  ASSERT_TRUE(to_pusch_config(pdu, ptrs_cell(), back).ok());
  EXPECT_FALSE(back.ptrs.enabled);
}

// Every entry of the table: resourceElementOffset c of DMRS port p goes out as PTRSReOffset =
// k_ref^RE and comes back as c.
TEST(FapiPtrsConversion, EveryTableEntryMapsBothWays) {
  const phy::CellConfig cell = ptrs_cell();
  int entries = 0;
  for (const auto type : {phy::DmrsConfigType::type1, phy::DmrsConfigType::type2}) {
    const unsigned ports = type == phy::DmrsConfigType::type1 ? 4 : 6;
    for (unsigned port = 0; port < ports; ++port) {
      for (unsigned column = 0; column < 4; ++column) {
        SCOPED_TRACE("type " + std::to_string(static_cast<int>(type)) + " port " +
                     std::to_string(port) + " column " + std::to_string(column));
        phy::PuschConfig pusch = make_ptrs_pusch(type, port);
        pusch.ptrs.re_offset = column;
        FapiPuschPdu pdu;
        FapiError error = to_fapi_pusch_pdu(pusch, cell, pdu);
        ASSERT_TRUE(error.ok()) << describe(error);
        const unsigned k = type == phy::DmrsConfigType::type1 ? table_type1[port][column]
                                                              : table_type2[port][column];
        EXPECT_EQ(pdu.ptrs->ports[0].re_offset, k);
        EXPECT_EQ(pdu.ptrs->ports[0].dmrs_port, port);
        phy::PuschConfig back;
        error = to_pusch_config(pdu, cell, back);
        ASSERT_TRUE(error.ok()) << describe(error);
        EXPECT_EQ(back.ptrs.re_offset, column);
        EXPECT_EQ(back.ptrs.dmrs_port, port);
        ++entries;
      }
    }
  }
  EXPECT_EQ(entries, 40);
}

void expect_ptrs_refused(const FapiPuschPdu& pdu, FapiStatus status, const std::string& text) {
  phy::PuschConfig out;
  out.handle = 12345;
  const FapiError error = to_pusch_config(pdu, ptrs_cell(2), out);
  EXPECT_EQ(error.status, status) << describe(error);
  EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err);
  EXPECT_EQ(error.message_type, FapiMessageType::ul_tti_request);
  EXPECT_NE(std::string(error.reason()).find(text), std::string::npos) << describe(error);
  EXPECT_EQ(out.handle, 12345U) << "written although refused";
}

FapiPuschPdu ptrs_pdu() {
  FapiPuschPdu pdu;
  EXPECT_TRUE(to_fapi_pusch_pdu(make_ptrs_pusch(), ptrs_cell(), pdu).ok());
  return pdu;
}

TEST(FapiPtrsConversion, RefusesWhatTheReceiverDoesNotDo) {
  FapiPuschPdu pdu = ptrs_pdu();
  pdu.ptrs->num_ports = 2;
  pdu.ptrs->ports[1] = pdu.ptrs->ports[0];
  expect_ptrs_refused(pdu, FapiStatus::unsupported,
                      "numPtrsPorts 2: only one PT-RS port is supported");
  for (const std::uint8_t power : {std::uint8_t{2}, std::uint8_t{3}}) {
    pdu = ptrs_pdu();
    pdu.ptrs->ul_ptrs_power = power;
    expect_ptrs_refused(pdu, FapiStatus::out_of_range,
                        "ulPTRSPower " + std::to_string(power) + " is reserved");
  }
  // Densities outside the FAPI codes are refused by the PDU checks before the conversion
  // shifts by them.
  for (const auto& [time, frequency] :
       {std::pair<std::uint8_t, std::uint8_t>{3, 0}, {255, 0}, {0, 2}, {0, 255}}) {
    pdu = ptrs_pdu();
    pdu.ptrs->time_density = time;
    pdu.ptrs->freq_density = frequency;
    expect_ptrs_refused(pdu, FapiStatus::out_of_range,
                        time > 2
                            ? "PTRSTimeDensity = " + std::to_string(time) + " is not in 0..2"
                            : "PTRSFreqDensity = " + std::to_string(frequency) + " is not in 0..1");
  }
  // PTRSDmrsPort must be one of the PDU's DMRS ports.
  pdu = ptrs_pdu();
  pdu.ptrs->ports[0].dmrs_port = 1;
  expect_ptrs_refused(pdu, FapiStatus::out_of_range, "PTRSDmrsPort 1 is not in dmrsPorts 0x001");
  // PTRSReOffset is k_ref^RE: 1 is not in port 0's row of DMRS type 1 (0, 2, 6, 8).
  pdu = ptrs_pdu();
  pdu.ptrs->ports[0].re_offset = 1;
  expect_ptrs_refused(pdu, FapiStatus::out_of_range,
                      "PTRSReOffset 1 is not a k_ref^RE of DMRS port 0, type 1");
  // ... but it is in port 2's (1, 3, 7, 9): the column is 0.
  pdu.dmrs_ports = 0x4;
  phy::PuschConfig out;
  FapiError error = to_pusch_config(pdu, ptrs_cell(), out);
  EXPECT_EQ(error.status, FapiStatus::out_of_range) << describe(error); // still PTRSDmrsPort 0
  pdu.ptrs->ports[0].dmrs_port = 2;
  error = to_pusch_config(pdu, ptrs_cell(), out);
  ASSERT_TRUE(error.ok()) << describe(error);
  EXPECT_EQ(out.ptrs.re_offset, 0U);
  EXPECT_EQ(out.ptrs.dmrs_port, 2U);
  // DMRS type 1 port 4 (double-symbol) has no row; type 2's 11 is in port 4's row, not port 0's.
  pdu = ptrs_pdu();
  pdu.dmrs_ports = 0x11;
  pdu.num_layers = 2;
  pdu.ptrs->ports[0].dmrs_port = 4;
  expect_ptrs_refused(pdu, FapiStatus::out_of_range,
                      "PTRSDmrsPort 4 of DMRS type 1 has no row in TS 38.211 Table 6.4.1.2.2.1-1");
  pdu = ptrs_pdu();
  pdu.dmrs_config_type = 1;
  pdu.num_dmrs_cdm_grps_no_data = 3;
  pdu.ptrs->ports[0].re_offset = 11;
  expect_ptrs_refused(pdu, FapiStatus::out_of_range,
                      "PTRSReOffset 11 is not a k_ref^RE of DMRS port 0, type 2");
}

TEST(FapiPtrsConversion, RefusesPtrsWithTransformPrecoding) {
  phy::PuschConfig tp;
  tp.rnti = 0x4601;
  tp.bwp_size = 106;
  tp.prb_size = 48;
  tp.num_dmrs_cdm_groups_no_data = 2;
  tp.mcs_index = 12;
  tp.mcs_table = phy::McsTable::transform_precoding_qam64;
  tp.transform_precoding = true;
  tp.pusch_identity = 937;
  FapiPuschPdu pdu;
  ASSERT_TRUE(to_fapi_pusch_pdu(tp, ptrs_cell(), pdu).ok());
  phy::PuschConfig out;
  ASSERT_TRUE(to_pusch_config(pdu, ptrs_cell(), out).ok());
  pdu.ptrs = ptrs_pdu().ptrs; // otherwise valid
  expect_ptrs_refused(pdu, FapiStatus::unsupported,
                      "PT-RS with transform precoding (TS 38.211 6.4.1.2.2.2) is not supported");
  pdu.dfts_ofdm.reset(); // TransformPrecoding 0 says it, with or without a dftsOfdm part
  expect_ptrs_refused(pdu, FapiStatus::unsupported, "PT-RS with transform precoding");
  // The other way, PuschConfig::validate() refuses it before any PDU is written.
  tp.ptrs.enabled = true;
  FapiPuschPdu untouched;
  EXPECT_EQ(to_fapi_pusch_pdu(tp, ptrs_cell(), untouched).status, FapiStatus::out_of_range);
  EXPECT_FALSE(untouched.ptrs.has_value());
}

TEST(FapiPtrsConversion, ThroughTheUlTtiRequestCodec) {
  const phy::CellConfig cell = ptrs_cell(); // to_pusch_config() takes the UE's ports = layers
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 9;
  request->slot = 2;
  const auto variants = ptrs_variants();
  for (std::size_t i = 0; i < 2; ++i) { // two PRB ranges side by side
    phy::PuschConfig pusch = variants[i];
    pusch.prb_start = 51 * static_cast<unsigned>(i);
    pusch.handle = 200 + static_cast<std::uint32_t>(i);
    const FapiError error =
        to_fapi_pusch_pdu(pusch, ptrs_cell(pusch.num_layers), request->pusch[i]);
    ASSERT_TRUE(error.ok()) << describe(error);
  }
  request->pusch[2] = request->pusch[0]; // with a second PT-RS port: refused
  request->pusch[2].handle = 202;
  request->pusch[2].ptrs->num_ports = 2;
  request->pusch[2].ptrs->ports[1] = {0x2, 0, 2};
  request->num_pusch = 3;
  for (std::uint8_t i = 0; i < 3; ++i) {
    request->pusch_pdu_index[i] = i;
  }
  std::vector<std::uint8_t> body(std::size_t{64} * 1024);
  std::size_t written = 0;
  FapiError error = encode_message_body(*request, body, written);
  ASSERT_TRUE(error.ok()) << describe(error);
  auto decoded = std::make_unique<FapiUlTtiRequest>();
  error = decode_message_body(std::span<const std::uint8_t>(body.data(), written), *decoded);
  ASSERT_TRUE(error.ok()) << describe(error);
  ASSERT_EQ(decoded->num_pusch, 3U);
  auto slot = std::make_unique<FapiSlotRequest>();
  to_slot_request(*decoded, cell, *slot);
  ASSERT_EQ(slot->num_pusch, 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(decoded->pusch[i], request->pusch[i]) << i;
    EXPECT_EQ(slot->pusch[i].ptrs, variants[i].ptrs) << i;
  }
  ASSERT_EQ(slot->num_rejected, 1U);
  EXPECT_EQ(slot->rejected[0].handle, 202U);
  EXPECT_EQ(slot->rejected[0].error.status, FapiStatus::unsupported);
}

} // namespace
