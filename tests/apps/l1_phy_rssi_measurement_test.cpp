// CONFIG.request's RSSIMeasurement TLV (0x1028) end to end through the FAPI L1: dBFS (asked for,
// or absent) puts a valid RSSI in CRC.indication and RX_DATA.indication; 0 turns it off (0xFFFF)
// while the other measurements stay, until a CONFIG without the TLV; dBm is refused with
// MSG_INVALID_CONFIG (keeping the PHY as it was) unless the L1 knows the RU's calibration, and
// then reads dBFS plus the calibration.
#include "l1_phy_test_harness.h"

namespace airan::l1 {
namespace {

using io::FapiMessageType;
using test::PhyHarness;

/// What the MAC hears about one decodable PDU.
struct Reported {
  io::FapiCrc crc;
  std::uint16_t rx_data_rssi = 0;
};

/// Sends one decodable PDU in slot (0, \p slot) and returns its CRC and RX_DATA measurements.
Reported decode_one(PhyHarness& h, std::uint16_t slot = 0) {
  const phy::PuschConfig pusch = test::harness_pusch(1, 2);
  h.send(h.ul_tti(0, slot, std::span(&pusch, 1)));
  h.push_signal(0, slot, pusch, 1);
  const auto rx_data = h.wait_for(FapiMessageType::rx_data_indication);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  if (!rx_data || !crc || crc->crcs.size() != 1 || rx_data->rx_data_rssi.size() != 1) {
    ADD_FAILURE() << "no CRC.indication and RX_DATA.indication with one entry each";
    return {};
  }
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 0);
  return {crc->crcs[0], rx_data->rx_data_rssi[0]};
}

/// STOP, then CONFIG (RSSIMeasurement \p rssi, or none) and START.
void reconfigure(PhyHarness& h, std::optional<std::uint8_t> rssi) {
  h.send(io::FapiStopRequest{});
  ASSERT_TRUE(h.wait_for(FapiMessageType::stop_indication));
  io::FapiConfigRequest config = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
  config.rssi_measurement = rssi;
  h.configure_and_start(config);
}

/// Sends a CONFIG.request for the harness cell asking for RSSI in dBm; returns the response code.
io::FapiErrorCode config_asking_for_dbm(PhyHarness& h) {
  io::FapiConfigRequest dbm = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
  dbm.rssi_measurement = io::fapi_rssi_in_dbm;
  h.send(dbm);
  const auto response = h.wait_for(FapiMessageType::config_response);
  EXPECT_TRUE(response);
  return response ? response->response_code : io::FapiErrorCode::msg_ok;
}

TEST(FapiPhyRssiMeasurement, DbfsByDefaultAndWhenAskedFor) {
  for (const std::optional<std::uint8_t> asked :
       {std::optional<std::uint8_t>{}, std::optional<std::uint8_t>{io::fapi_rssi_in_dbfs}}) {
    PhyHarness h;
    io::FapiConfigRequest config = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
    config.rssi_measurement = asked;
    h.configure_and_start(config);
    const Reported reported = decode_one(h);
    EXPECT_NE(reported.crc.measurement.rssi, io::FapiUlMeasurement::invalid_u16);
    EXPECT_LE(reported.crc.measurement.rssi, io::FapiUlMeasurement::max_rssi);
    EXPECT_EQ(reported.rx_data_rssi, reported.crc.measurement.rssi);
    EXPECT_NE(reported.crc.measurement.ul_cqi, io::FapiUlMeasurement::invalid_ul_cqi);
  }
}

TEST(FapiPhyRssiMeasurement, ZeroTurnsRssiOffUntilAConfigAsksForItAgain) {
  PhyHarness h;
  h.configure_and_start(io::fapi_rssi_not_reported);
  Reported reported = decode_one(h);
  EXPECT_EQ(reported.crc.measurement.rssi, io::FapiUlMeasurement::invalid_u16);
  EXPECT_EQ(reported.rx_data_rssi, io::FapiUlMeasurement::invalid_u16);
  EXPECT_NE(reported.crc.measurement.ul_cqi, io::FapiUlMeasurement::invalid_ul_cqi);
  EXPECT_NE(reported.crc.measurement.timing_advance, io::FapiUlMeasurement::invalid_u16);
  // A refused CONFIG (dBm, no calibration) leaves the configuration as it was: still off.
  h.send(io::FapiStopRequest{});
  ASSERT_TRUE(h.wait_for(FapiMessageType::stop_indication));
  EXPECT_EQ(config_asking_for_dbm(h), io::FapiErrorCode::msg_invalid_config);
  h.send(io::FapiStartRequest{});
  ASSERT_TRUE(h.wait_for(FapiMessageType::slot_indication));
  reported = decode_one(h);
  EXPECT_EQ(reported.crc.measurement.rssi, io::FapiUlMeasurement::invalid_u16);
  // In CONFIGURED a CONFIG.request carries the TLVs that change (SCF 222.10 section 2.2): one
  // without the TLV leaves RSSI off, one with dBFS turns it on again.
  reconfigure(h, std::nullopt);
  reported = decode_one(h);
  EXPECT_EQ(reported.crc.measurement.rssi, io::FapiUlMeasurement::invalid_u16);
  reconfigure(h, io::fapi_rssi_in_dbfs);
  reported = decode_one(h);
  EXPECT_NE(reported.crc.measurement.rssi, io::FapiUlMeasurement::invalid_u16);
}

TEST(FapiPhyRssiMeasurement, DbmWithoutCalibrationIsRefusedAndThePhyStaysIdle) {
  PhyHarness h;
  EXPECT_EQ(config_asking_for_dbm(h), io::FapiErrorCode::msg_invalid_config);
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->phy_state, 0); // IDLE: the refused CONFIG configured nothing
  EXPECT_EQ(h.phy().counters().config_rejected, 1U);
  // The same cell in dBFS is then accepted.
  h.configure_and_start(io::fapi_rssi_in_dbfs);
}

// With the RU's calibration (0 dBFS = -30 dBm here) dBm is accepted and reads 30 dB below the
// dBFS figure of the same signal (the harness's signal is the same in every harness).
TEST(FapiPhyRssiMeasurement, DbmIsDbfsPlusTheCalibration) {
  PhyHarness dbfs;
  dbfs.configure_and_start(io::fapi_rssi_in_dbfs);
  const std::uint16_t reference = decode_one(dbfs).crc.measurement.rssi;
  ASSERT_NE(reference, io::FapiUlMeasurement::invalid_u16);
  ASSERT_GE(reference, 300); // above -98 dBFS, so that 30 dB less stays in the field's range

  FapiPhyConfig calibrated = test::harness_phy_config();
  calibrated.rssi_dbm_at_full_scale = -30.0F;
  PhyHarness dbm(calibrated);
  dbm.configure_and_start(io::fapi_rssi_in_dbm);
  const Reported reported = decode_one(dbm);
  EXPECT_NEAR(reported.crc.measurement.rssi, reference - 300, 1); // 0.1 dB steps
  EXPECT_EQ(reported.rx_data_rssi, reported.crc.measurement.rssi);
  // The calibration applies to dBm only: the same PHY asked for dBFS reads the reference.
  reconfigure(dbm, io::fapi_rssi_in_dbfs);
  EXPECT_EQ(decode_one(dbm).crc.measurement.rssi, reference);
}

TEST(FapiPhyRssiMeasurement, ACalibrationOutOfRangeIsRefusedAtConstruction) {
  for (const float bad : {std::nanf(""), 1e6F, -250.0F}) {
    FapiPhyConfig config = test::harness_phy_config();
    config.rssi_dbm_at_full_scale = bad;
    EXPECT_THROW(PhyHarness{config}, std::invalid_argument) << bad;
  }
}

} // namespace
} // namespace airan::l1
