// CONFIG.request's RSSIMeasurement TLV (0x1028) end to end through the FAPI L1: dBFS (asked for,
// or absent) puts a valid RSSI in CRC.indication; 0 turns it off (0xFFFF) while the other
// measurements stay; dBm, which needs a calibrated RU, is refused with MSG_INVALID_CONFIG and
// leaves the PHY unconfigured.
#include "l1_phy_test_harness.h"

namespace airan::l1 {
namespace {

using io::FapiMessageType;
using test::PhyHarness;

/// Sends one decodable PDU in slot (0, 0) and returns its CRC.indication entry.
io::FapiCrc decoded_crc(PhyHarness& h) {
  const phy::PuschConfig pusch = test::harness_pusch(1, 2);
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  h.push_signal(0, 0, pusch, 1);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  EXPECT_TRUE(crc);
  if (!crc || crc->crcs.size() != 1) {
    ADD_FAILURE() << "no CRC.indication with one entry";
    return {};
  }
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 0);
  return crc->crcs[0];
}

TEST(FapiPhyRssiMeasurement, DbfsByDefaultAndWhenAskedFor) {
  for (const std::optional<std::uint8_t> asked :
       {std::optional<std::uint8_t>{}, std::optional<std::uint8_t>{io::fapi_rssi_in_dbfs}}) {
    PhyHarness h;
    io::FapiConfigRequest config = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
    config.rssi_measurement = asked;
    h.configure_and_start(config);
    const io::FapiCrc crc = decoded_crc(h);
    EXPECT_NE(crc.measurement.rssi, io::FapiUlMeasurement::invalid_u16);
    EXPECT_LE(crc.measurement.rssi, io::FapiUlMeasurement::max_rssi);
    EXPECT_NE(crc.measurement.ul_cqi, io::FapiUlMeasurement::invalid_ul_cqi);
  }
}

TEST(FapiPhyRssiMeasurement, ZeroTurnsRssiOffAndKeepsTheOtherMeasurements) {
  PhyHarness h;
  h.configure_and_start(io::fapi_rssi_not_reported);
  const io::FapiCrc crc = decoded_crc(h);
  EXPECT_EQ(crc.measurement.rssi, io::FapiUlMeasurement::invalid_u16);
  EXPECT_NE(crc.measurement.ul_cqi, io::FapiUlMeasurement::invalid_ul_cqi);
  EXPECT_NE(crc.measurement.timing_advance, io::FapiUlMeasurement::invalid_u16);
}

TEST(FapiPhyRssiMeasurement, DbmIsRefusedAndThePhyStaysIdle) {
  PhyHarness h;
  io::FapiConfigRequest config = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
  config.rssi_measurement = io::fapi_rssi_in_dbm;
  h.send(config);
  const auto response = h.wait_for(FapiMessageType::config_response);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->response_code, io::FapiErrorCode::msg_invalid_config);
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->phy_state, 0); // IDLE: the refused CONFIG configured nothing
  EXPECT_EQ(h.phy().counters().config_rejected, 1U);
  // The same cell in dBFS is then accepted.
  h.configure_and_start(io::fapi_rssi_in_dbfs);
}

} // namespace
} // namespace airan::l1
