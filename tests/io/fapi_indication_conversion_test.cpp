// FAPI indications from the receiver's results: CRC and RX_DATA entries of decoded, failed and
// rejected PDUs (none for a rejected PDU without a transport block, no UL_CQI for an allocation
// without signal), and the fixed-point units of SNR, timing advance and RSSI.
#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "fapi_conversion_test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <span>
#include <vector>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

// A rejected PDU with a transport block gets a failed CRC (the MAC retransmits); a UCI-only PDU
// has no transport block, so neither CRC nor RX_DATA has an entry for it (it was a failed CRC on
// HARQ process 0, a NACK the MAC could count against a TB that was never sent).
TEST(FapiIndicationConversion, RejectedPdusWithoutATransportBlockGetNoCrc) {
  const phy::CellConfig cell = make_cell();
  auto request = std::make_unique<FapiUlTtiRequest>();
  for (unsigned i = 0; i < 2; ++i) {
    phy::PuschConfig pusch = make_pusch();
    pusch.handle = 100 + i;
    pusch.prb_start = 30 * i;
    pusch.prb_size = 30;
    ASSERT_TRUE(to_fapi_pusch_pdu(pusch, cell, request->pusch[i]).ok());
  }
  request->pusch[0].frequency_hopping = 1; // unsupported, with a TB
  request->pusch[1].data.reset();          // UCI only, and no UCI: refused
  // A UCI-only PDU with puschUci that is refused (interleaved VRBs): no CRC either.
  phy::PuschConfig uci_only = make_pusch();
  uci_only.handle = 102;
  uci_only.prb_start = 60;
  uci_only.prb_size = 30;
  uci_only.ulsch = false;
  uci_only.uci.csi_part1_bits = 6;
  ASSERT_TRUE(to_fapi_pusch_pdu(uci_only, cell, request->pusch[2]).ok());
  request->pusch[2].vrb_to_prb_mapping = 1;
  request->num_pusch = 3;
  auto slot = std::make_unique<FapiSlotRequest>();
  to_slot_request(*request, cell, *slot);
  ASSERT_EQ(slot->rejected_pdus().size(), 3U);
  EXPECT_FALSE(slot->rejected[1].carries_tb);
  EXPECT_FALSE(slot->rejected[2].carries_tb);
  EXPECT_TRUE(slot->rejected[2].uci.has_value());
  auto crc = std::make_unique<FapiCrcIndication>();
  auto rx_data = std::make_unique<FapiRxDataIndication>();
  to_slot_indications(*slot, {}, cell, *crc, *rx_data);
  ASSERT_EQ(crc->num_crcs, 1U);
  EXPECT_EQ(crc->crcs[0].handle, 100U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 1);
  EXPECT_EQ(rx_data->num_pdus, 1U);
}

// An allocation without any signal (a section the RU never sent): the equalizer resolves no RE,
// so there is no SINR to report: UL_CQI is invalid (255), not 63 dB (254) beside a failed CRC.
TEST(FapiIndicationConversion, AnEmptyAllocationReportsNoUlCqi) {
  const phy::CellConfig cell = make_cell(24);
  phy::PuschReceiverConfig receiver_config;
  receiver_config.max_layers = 1;
  phy::PuschReceiver receiver(cell, receiver_config);
  phy::PuschConfig pusch = make_pusch();
  pusch.bwp_size = 24;
  pusch.prb_start = 0;
  pusch.prb_size = 24;
  phy::PuschTransmitter transmitter(cell);
  const auto grid = transmitter.make_grid(); // zeros
  std::vector<phy::PuschPduResult> results;
  receiver.process_slot(grid, 3, std::span(&pusch, 1), results);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_FALSE(results[0].tb_crc_ok);
  EXPECT_TRUE(std::isnan(results[0].measurements.post_eq_sinr_db));
  EXPECT_EQ(to_fapi_crc(results[0], pusch, cell).measurement.ul_cqi,
            FapiUlMeasurement::invalid_ul_cqi);
}

TEST(FapiMeasurementUnits, SnrTimingAdvanceAndRssi) {
  EXPECT_EQ(fapi_ul_cqi_from_snr_db(-64.0F), 0);
  EXPECT_EQ(fapi_ul_cqi_from_snr_db(-100.0F), 0);
  EXPECT_EQ(fapi_ul_cqi_from_snr_db(0.0F), 128);
  EXPECT_EQ(fapi_ul_cqi_from_snr_db(11.0F), 150);
  EXPECT_EQ(fapi_ul_cqi_from_snr_db(63.0F), 254);
  EXPECT_EQ(fapi_ul_cqi_from_snr_db(100.0F), 254);
  EXPECT_EQ(fapi_ul_cqi_from_snr_db(NAN), 255);
  EXPECT_FLOAT_EQ(fapi_snr_db_from_ul_cqi(150), 11.0F);
  EXPECT_TRUE(std::isnan(fapi_snr_db_from_ul_cqi(255)));

  // One T_A step at mu = 1 is 16 * 64 T_c / 2 = 260.4 ns.
  const double step = 16.0 * 64.0 / (480e3 * 4096.0) / 2.0;
  EXPECT_EQ(fapi_timing_advance_from_delay(0.0, 1), 31);
  EXPECT_EQ(fapi_timing_advance_from_delay(step, 1), 32);
  EXPECT_EQ(fapi_timing_advance_from_delay(-3 * step, 1), 28);
  EXPECT_EQ(fapi_timing_advance_from_delay(2 * step, 0), 32); // twice the step at mu = 0
  EXPECT_EQ(fapi_timing_advance_from_delay(1e-3, 1), 63);
  EXPECT_EQ(fapi_timing_advance_from_delay(-1e-3, 1), 0);
  EXPECT_NEAR(fapi_delay_from_timing_advance(35, 1), 4 * step, 1e-15);

  EXPECT_EQ(fapi_rssi_from_db(-128.0F), 0);
  EXPECT_EQ(fapi_rssi_from_db(-40.0F), 880);
  EXPECT_EQ(fapi_rssi_from_db(0.0F), 1280);
  EXPECT_EQ(fapi_rssi_from_db(20.0F), 1280);
  EXPECT_FLOAT_EQ(fapi_db_from_rssi(880), -40.0F);
}

TEST(FapiIndicationConversion, CrcAndRxDataFromAResult) {
  const phy::CellConfig cell = make_cell();
  const phy::PuschConfig pusch = make_pusch(2);
  phy::PuschPduResult result;
  result.handle = 42;
  result.rnti = 0x4601;
  result.harq_process_id = 9;
  result.tb_crc_ok = false;
  result.decoding.num_code_blocks = 10;
  for (unsigned c = 0; c < 10; ++c) {
    result.decoding.code_block_crc_ok[c] = c != 2 && c != 9;
  }
  result.measurements.post_eq_sinr_db = 11.0F;
  result.measurements.delay_s = 0.0F;
  // RSRP of a DMRS RE: 0.004 per layer times beta^2 = 2 (two CDM groups without data); the
  // data REs get 2 x 0.004 + 0.002 = 0.01 = -20 dB. (The boost was counted: -17.4 dB, 1106.)
  result.measurements.rsrp = 0.008F;
  result.measurements.noise_variance = 0.002F;
  FapiCrc crc = to_fapi_crc(result, pusch, cell);
  EXPECT_EQ(crc.handle, 42U);
  EXPECT_EQ(crc.harq_id, 9);
  EXPECT_EQ(crc.tb_crc_status, 1);
  EXPECT_EQ(crc.num_cb, 10);
  EXPECT_EQ(crc.cb_crc_status[0], 0x04);
  EXPECT_EQ(crc.cb_crc_status[1], 0x02);
  EXPECT_EQ(crc.measurement, (FapiUlMeasurement{150, 31, 1080}));
  EXPECT_TRUE(to_fapi_rx_data(result, pusch, cell).payload.empty());
  // Through a fronthaul whose int16 full scale is grid amplitude 16, the same power is
  // -20 - 20 log10(16) = -44.1 dBFS (it read -20 dBFS, 24 dB too high; unit-power REs clamped at
  // 0 dBFS). UL_CQI and T_A do not depend on the scale.
  EXPECT_EQ(to_fapi_crc(result, pusch, cell, 16.0F).measurement, (FapiUlMeasurement{150, 31, 839}));
  EXPECT_EQ(to_fapi_rx_data(result, pusch, cell, 16.0F).measurement.rssi, 839);

  result.tb_crc_ok = true;
  result.decoding.code_block_crc_ok.set();
  result.tb_bytes = {1, 2, 3};
  crc = to_fapi_crc(result, pusch, cell);
  EXPECT_EQ(crc.tb_crc_status, 0);
  EXPECT_EQ(crc.cb_crc_status[0] | crc.cb_crc_status[1], 0);
  const FapiRxData rx = to_fapi_rx_data(result, pusch, cell);
  EXPECT_EQ(rx.payload.data(), result.tb_bytes.data());
  EXPECT_EQ(rx.payload.size(), 3U);

  result.error = "HARQ buffers exhausted";
  crc = to_fapi_crc(result, pusch, cell);
  EXPECT_EQ(crc.num_cb, 0);
  EXPECT_EQ(crc.measurement, FapiUlMeasurement{});
}

} // namespace
