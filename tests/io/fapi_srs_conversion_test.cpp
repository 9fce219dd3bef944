// The SRS conversions: UL_TTI.request SRS PDU -> phy::SrsConfig (every enumeration, the cell's
// numerology and cyclic prefix, each field out of range refused alone with its name, comb 8
// unsupported, what SrsConfig::validate() refuses) and back for the test MAC; and
// phy::SrsEstimatorResult -> SRS.indication PDU (TimingAdvance, SNR rounding and clamping, a NaN
// PRB SNR as 0xFF, the invalid PDU of a result with an error or of a refused PDU).
#include "fapi_srs_fixtures.h"

#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_srs_conversion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

namespace {

using namespace airan::io;
using namespace airan::io::test;
using namespace airan::io::srs_fixtures;
namespace phy = airan::phy;

/// to_srs_config() of \p pdu on srs_test_cell(); fails the test on an error.
phy::SrsConfig srs_config_of(const FapiSrsPdu& pdu) {
  phy::SrsConfig config;
  const FapiError error = to_srs_config(pdu, srs_test_cell(), config);
  EXPECT_TRUE(error.ok()) << describe(error);
  return config;
}

TEST(FapiSrsConversion, MapsEveryFieldAndComesBack) {
  FapiSrsPdu pdu = valid_srs_pdu();
  pdu.bwp_start = 10;
  pdu.bwp_size = 200;
  pdu.config_index = 9; // 32, 16, 8, 4 PRBs for B_SRS 0 .. 3
  pdu.bandwidth_index = 1;
  pdu.frequency_hopping = 0; // b_hop 0 < B_SRS 1: hopping over the 32 PRBs
  pdu.frequency_position = 3;
  pdu.frequency_shift = 20;
  pdu.sequence_id = 1023;
  const phy::SrsConfig config = srs_config_of(pdu);
  EXPECT_EQ(config.rnti, 0x4601);
  EXPECT_EQ(config.handle, 77U);
  EXPECT_EQ(config.bwp_start, 10U);
  EXPECT_EQ(config.bwp_size, 200U);
  EXPECT_EQ(config.start_symbol, 13U);
  EXPECT_EQ(config.c_srs, 9U);
  EXPECT_EQ(config.b_srs, 1U);
  EXPECT_EQ(config.hopping_bandwidth, 0U);
  EXPECT_TRUE(config.frequency_hopping());
  EXPECT_EQ(config.num_prbs(), 16U);
  EXPECT_EQ(config.frequency_position, 3U);
  EXPECT_EQ(config.frequency_shift, 20U);
  EXPECT_EQ(config.sequence_id, 1023);
  EXPECT_EQ(to_fapi_srs_pdu(config, srs_test_cell()), pdu);
}

TEST(FapiSrsConversion, EveryEnumeration) {
  for (std::uint8_t code = 0; code <= 2; ++code) {
    const unsigned count = 1U << code;
    FapiSrsPdu pdu = valid_srs_pdu();
    pdu.num_ant_ports = code;
    EXPECT_EQ(srs_config_of(pdu).num_ports, count);
    EXPECT_EQ(to_fapi_srs_pdu(srs_config_of(pdu), srs_test_cell()), pdu);
    pdu = valid_srs_pdu();
    pdu.num_symbols = code;
    pdu.time_start_position = static_cast<std::uint8_t>(14 - count);
    EXPECT_EQ(srs_config_of(pdu).num_symbols, count);
    EXPECT_EQ(srs_config_of(pdu).start_symbol, 14 - count);
    EXPECT_EQ(to_fapi_srs_pdu(srs_config_of(pdu), srs_test_cell()), pdu);
    pdu.num_symbols = 2; // 4 symbols from symbol 10
    pdu.time_start_position = 10;
    pdu.num_repetitions = code;
    EXPECT_EQ(srs_config_of(pdu).repetition, count);
    EXPECT_EQ(to_fapi_srs_pdu(srs_config_of(pdu), srs_test_cell()), pdu);
    pdu = valid_srs_pdu();
    pdu.group_or_sequence_hopping = code;
    EXPECT_EQ(srs_config_of(pdu).group_or_sequence_hopping, static_cast<phy::SrsHopping>(code));
    EXPECT_EQ(to_fapi_srs_pdu(srs_config_of(pdu), srs_test_cell()), pdu);
  }
  // combSize 0 / 1: comb 2 / 4, with their largest offset and cyclic shift.
  FapiSrsPdu pdu = valid_srs_pdu();
  pdu.comb_offset = 1;
  pdu.cyclic_shift = 7;
  phy::SrsConfig config = srs_config_of(pdu);
  EXPECT_EQ(config.comb_size, 2U);
  EXPECT_EQ(config.comb_offset, 1U);
  EXPECT_EQ(config.cyclic_shift, 7U);
  EXPECT_EQ(to_fapi_srs_pdu(config, srs_test_cell()), pdu);
  pdu.comb_size = 1;
  pdu.comb_offset = 3;
  pdu.cyclic_shift = 11;
  config = srs_config_of(pdu);
  EXPECT_EQ(config.comb_size, 4U);
  EXPECT_EQ(config.max_cyclic_shifts(), 12U);
  EXPECT_EQ(to_fapi_srs_pdu(config, srs_test_cell()), pdu);
  // resourceType: Tsrs and Toffset read for semi-persistent and periodic SRS only.
  pdu = valid_srs_pdu();
  pdu.t_srs = 3; // not a periodicity, and not read
  pdu.t_offset = 9;
  config = srs_config_of(pdu);
  EXPECT_EQ(config.resource_type, phy::SrsResourceType::aperiodic);
  EXPECT_EQ(config.periodicity, phy::SrsConfig{}.periodicity);
  EXPECT_EQ(config.slot_offset, 0U);
  for (std::uint8_t type = 1; type <= 2; ++type) {
    pdu.resource_type = type;
    pdu.t_srs = 2560;
    pdu.t_offset = 2559;
    config = srs_config_of(pdu);
    EXPECT_EQ(config.resource_type, static_cast<phy::SrsResourceType>(type));
    EXPECT_EQ(config.periodicity, 2560U);
    EXPECT_EQ(config.slot_offset, 2559U);
    EXPECT_EQ(to_fapi_srs_pdu(config, srs_test_cell()), pdu);
  }
  for (unsigned t_srs :
       {1U, 2U, 4U, 5U, 8U, 10U, 16U, 20U, 32U, 40U, 64U, 80U, 160U, 320U, 640U, 1280U}) {
    pdu.t_srs = static_cast<std::uint16_t>(t_srs);
    pdu.t_offset = static_cast<std::uint16_t>(t_srs - 1);
    EXPECT_EQ(srs_config_of(pdu).periodicity, t_srs);
  }
}

TEST(FapiSrsConversion, NumerologyAndCyclicPrefixMustBeTheCells) {
  phy::SrsConfig config;
  config.handle = 12345; // untouched by a refusal
  FapiSrsPdu pdu = valid_srs_pdu();
  pdu.subcarrier_spacing = 0;
  FapiError error = to_srs_config(pdu, srs_test_cell(), config);
  EXPECT_EQ(error.status, FapiStatus::out_of_range) << describe(error);
  EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err);
  EXPECT_EQ(error.message_type, FapiMessageType::ul_tti_request);
  EXPECT_NE(error.reason().find("SubcarrierSpacing 0"), std::string_view::npos) << error.reason();
  pdu = valid_srs_pdu();
  pdu.cyclic_prefix = 1;
  error = to_srs_config(pdu, srs_test_cell(), config);
  EXPECT_EQ(error.status, FapiStatus::out_of_range) << describe(error);
  EXPECT_NE(error.reason().find("CyclicPrefix 1"), std::string_view::npos) << error.reason();
  EXPECT_EQ(config.handle, 12345U);
  // A cell with the extended cyclic prefix (60 kHz) takes CyclicPrefix 1 and refuses 0.
  phy::CellConfig extended = srs_test_cell();
  extended.numerology = 2;
  extended.cyclic_prefix = phy::CyclicPrefix::extended;
  pdu.subcarrier_spacing = 2;
  pdu.time_start_position = 11;
  EXPECT_TRUE(to_srs_config(pdu, extended, config).ok());
  EXPECT_EQ(to_fapi_srs_pdu(config, extended), pdu);
  pdu.cyclic_prefix = 0;
  EXPECT_EQ(to_srs_config(pdu, extended, config).status, FapiStatus::out_of_range);
}

TEST(FapiSrsConversion, EachFieldOutOfRangeRefusesThePduAlone) {
  struct Case {
    const char* field; ///< What the reason names.
    std::size_t offset;
    unsigned width;
    unsigned value;
    FapiStatus status = FapiStatus::out_of_range;
  };
  const Case cases[] = {
      {"BWPSize", 6, 2, 0},
      {"BWPSize", 6, 2, 276},
      {"BWPStart", 8, 2, 275},
      {"SubcarrierSpacing", 10, 1, 5},
      {"CyclicPrefix", 11, 1, 2},
      {"numAntPorts", 12, 1, 3},
      {"numRepetitions", 14, 1, 3},
      {"numRepetitions", 14, 1, 1}, // R 2 on a 1-symbol SRS
      {"timeStartPosition", 15, 1, 14},
      {"configIndex", 16, 1, 64},
      {"sequenceId", 17, 2, 1024},
      {"bandwidthIndex", 19, 1, 4},
      {"combSize", 20, 1, 2, FapiStatus::unsupported}, // comb 8 (222.10.04)
      {"combSize", 20, 1, 3},
      {"combOffset", 21, 1, 2},  // comb 2
      {"cyclicShift", 22, 1, 8}, // comb 2
      {"frequencyPosition", 23, 1, 68},
      {"frequencyShift", 24, 2, 269},
      {"frequencyHopping", 26, 1, 4},
      {"groupOrSequenceHopping", 27, 1, 3},
      {"resourceType", 28, 1, 3},
  };
  FapiUlTtiRequest request;
  request.srs[0] = valid_srs_pdu();
  request.num_srs = 1;
  const Bytes valid = encode(request);
  phy::CellConfig cell = srs_test_cell();
  cell.num_prbs = 275;
  for (const Case& c : cases) {
    Bytes bytes = valid;
    srs_put(bytes, srs_field_at(c.offset), c.value, c.width);
    ASSERT_TRUE(decode(bytes).ok()) << c.field << ": " << describe(decode(bytes));
    const FapiSrsPdu& pdu = scratch_message().ul_tti_request.srs[0];
    phy::SrsConfig config;
    const FapiError error = to_srs_config(pdu, cell, config);
    EXPECT_EQ(error.status, c.status) << c.field << " " << c.value << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.field;
    EXPECT_NE(error.reason().find(std::string(c.field) + " "), std::string_view::npos)
        << c.field << ": " << error.reason();
    // The PDU can still be answered.
    const FapiSrsIndicationPdu answer = invalid_fapi_srs_indication_pdu(pdu);
    EXPECT_EQ(answer.handle, 77U);
    EXPECT_EQ(answer.timing_advance, FapiSrsIndicationPdu::invalid_timing_advance);
  }
  // Fields whose range depends on others.
  FapiSrsPdu pdu = valid_srs_pdu();
  pdu.comb_size = 1;
  phy::SrsConfig config;
  for (const auto& [offset, cyclic_shift] : {std::pair{4, 11}, std::pair{3, 12}}) {
    pdu.comb_offset = static_cast<std::uint8_t>(offset);
    pdu.cyclic_shift = static_cast<std::uint8_t>(cyclic_shift);
    EXPECT_EQ(to_srs_config(pdu, cell, config).status, FapiStatus::out_of_range);
  }
  pdu = valid_srs_pdu();
  pdu.num_symbols = 2;
  pdu.time_start_position = 11; // 4 symbols from 11
  FapiError error = to_srs_config(pdu, cell, config);
  EXPECT_NE(error.reason().find("timeStartPosition 11"), std::string_view::npos) << error.reason();
  pdu = valid_srs_pdu();
  pdu.resource_type = 2;
  pdu.t_srs = 3;
  error = to_srs_config(pdu, cell, config);
  EXPECT_NE(error.reason().find("Tsrs 3"), std::string_view::npos) << error.reason();
  pdu.resource_type = 1;
  pdu.t_srs = 40;
  pdu.t_offset = 40;
  error = to_srs_config(pdu, cell, config);
  EXPECT_NE(error.reason().find("Toffset 40"), std::string_view::npos) << error.reason();
  // What SrsConfig::validate() refuses: 272 PRBs from n_shift 268 pass the BWP; a BWP past the
  // carrier.
  pdu = valid_srs_pdu();
  pdu.config_index = 63;
  pdu.frequency_shift = 268;
  error = to_srs_config(pdu, srs_test_cell(), config);
  EXPECT_EQ(error.status, FapiStatus::out_of_range) << describe(error);
  EXPECT_EQ(error.reason().substr(0, 9), "SRS PDU: ") << error.reason();
  pdu = valid_srs_pdu();
  pdu.bwp_start = 100;
  EXPECT_EQ(to_srs_config(pdu, srs_test_cell(), config).status, FapiStatus::out_of_range);
}

TEST(FapiSrsConversion, IndicationPduFromAMeasurement) {
  const phy::CellConfig cell = srs_test_cell();
  FapiSrsPdu fapi = valid_srs_pdu();
  fapi.bwp_start = 10;
  fapi.bwp_size = 50;
  fapi.num_symbols = 1; // 2 symbols from 12
  fapi.time_start_position = 12;
  const phy::SrsConfig srs = srs_config_of(fapi);
  auto result = std::make_unique<phy::SrsEstimatorResult>();
  result->wideband_snr_db = 10.26F; // (74.26 x 2 = 148.52)
  result->delay_s = static_cast<float>(fapi_delay_from_timing_advance(40, cell.numerology));
  result->num_symbols = 2;
  result->bwp_size = 50;
  result->prb_snr_db.fill(phy::SrsEstimatorResult::no_snr);
  for (unsigned prb = 0; prb < 50; ++prb) {
    result->prb_snr_db[prb] = -70.0F + 3.0F * static_cast<float>(prb); // -70 .. 77 dB
  }
  for (unsigned prb = 4; prb < 8; ++prb) { // symbol 1: four PRBs measured
    result->prb_snr_db[275 + prb] = 20.0F;
  }
  auto indication = std::make_unique<FapiSrsIndication>();
  FapiSrsIndicationPdu& pdu = indication->pdus[0];
  to_fapi_srs_indication_pdu(*result, srs, cell, pdu);
  EXPECT_EQ(pdu.handle, 77U);
  EXPECT_EQ(pdu.rnti, 0x4601);
  EXPECT_EQ(pdu.timing_advance, 40);
  EXPECT_EQ(pdu.num_symbols, 2);
  EXPECT_EQ(pdu.wide_band_snr, 149);
  ASSERT_EQ(pdu.num_reported_symbols, 2);
  for (const FapiSrsReportedSymbol& symbol : pdu.reported()) {
    EXPECT_EQ(symbol.num_rbs, 50); // the BWP's PRBs, PRB 0 its first
  }
  for (unsigned prb = 0; prb < 50; ++prb) {
    EXPECT_EQ(pdu.reported_symbols[0].rb_snr[prb],
              fapi_ul_cqi_from_snr_db(-70.0F + 3.0F * static_cast<float>(prb)))
        << prb;
    const bool measured = prb >= 4 && prb < 8;
    EXPECT_EQ(pdu.reported_symbols[1].rb_snr[prb], measured ? 168 : 0xFF) << prb;
  }
  EXPECT_EQ(pdu.reported_symbols[0].rb_snr[0], 0);    // -70 dB: clamped to -64 dB
  EXPECT_EQ(pdu.reported_symbols[0].rb_snr[2], 0);    // -64 dB
  EXPECT_EQ(pdu.reported_symbols[0].rb_snr[3], 6);    // -61 dB
  EXPECT_EQ(pdu.reported_symbols[0].rb_snr[45], 254); // 65 dB: clamped to 63 dB
  // It travels in an SRS.indication.
  indication->num_pdus = 1;
  ASSERT_TRUE(decode(encode(*indication)).ok());
  EXPECT_EQ(scratch_message().srs_indication, *indication);

  // SNR rounding and clamping, T_A clamping and its numerology.
  const auto wideband = [&](float snr_db) {
    result->wideband_snr_db = snr_db;
    to_fapi_srs_indication_pdu(*result, srs, cell, pdu);
    return pdu.wide_band_snr;
  };
  EXPECT_EQ(wideband(10.24F), 148);
  EXPECT_EQ(wideband(10.25F), 149);
  EXPECT_EQ(wideband(-64.0F), 0);
  EXPECT_EQ(wideband(-100.0F), 0);
  EXPECT_EQ(wideband(63.0F), 254);
  EXPECT_EQ(wideband(100.0F), 254);
  EXPECT_EQ(wideband(std::numeric_limits<float>::quiet_NaN()), 0xFF);
  const auto timing_advance = [&](double delay_s, unsigned mu) {
    phy::CellConfig c = cell;
    c.numerology = mu;
    result->delay_s = static_cast<float>(delay_s);
    to_fapi_srs_indication_pdu(*result, srs, c, pdu);
    return pdu.timing_advance;
  };
  const double step_mu0 = 16.0 * 64.0 / (480e3 * 4096.0); // 16 x 64 T_c
  EXPECT_EQ(timing_advance(0.0, 1), 31);
  EXPECT_EQ(timing_advance(2 * step_mu0, 0), 33);
  EXPECT_EQ(timing_advance(2 * step_mu0, 1), 35);
  EXPECT_EQ(timing_advance(-step_mu0, 1), 29);
  EXPECT_EQ(timing_advance(1e-3, 1), 63);
  EXPECT_EQ(timing_advance(-1e-3, 1), 0);

  // Four symbols on a BWP of 275 PRBs: every row with 222.10.02's largest NumRBs, 272.
  phy::CellConfig wide = cell;
  wide.num_prbs = 275;
  fapi = valid_srs_pdu();
  fapi.bwp_size = 275;
  fapi.num_symbols = 2;
  fapi.time_start_position = 10;
  phy::SrsConfig srs4;
  ASSERT_TRUE(to_srs_config(fapi, wide, srs4).ok());
  result->num_symbols = 4;
  result->bwp_size = 275;
  result->prb_snr_db.fill(0.0F);
  to_fapi_srs_indication_pdu(*result, srs4, wide, pdu);
  EXPECT_EQ(pdu.num_symbols, 4);
  ASSERT_EQ(pdu.num_reported_symbols, 4);
  EXPECT_EQ(pdu.reported_symbols[3].num_rbs, 272);
  EXPECT_EQ(pdu.reported_symbols[3].rb_snr[271], 128); // 0 dB
}

TEST(FapiSrsConversion, InvalidIndicationPdus) {
  const phy::CellConfig cell = srs_test_cell();
  FapiSrsPdu fapi = valid_srs_pdu();
  fapi.num_symbols = 2;
  fapi.time_start_position = 8;
  const phy::SrsConfig srs = srs_config_of(fapi);
  phy::SrsEstimatorResult refused;
  refused.error = "not processed";
  refused.num_symbols = 4; // set or not, nothing is reported
  refused.wideband_snr_db = 20.0F;
  FapiSrsIndicationPdu pdu;
  pdu.num_reported_symbols = 3; // overwritten
  to_fapi_srs_indication_pdu(refused, srs, cell, pdu);
  EXPECT_EQ(pdu.handle, 77U);
  EXPECT_EQ(pdu.rnti, 0x4601);
  EXPECT_EQ(pdu.timing_advance, 0xFFFF);
  EXPECT_EQ(pdu.wide_band_snr, 0xFF);
  EXPECT_EQ(pdu.num_symbols, 4);
  ASSERT_EQ(pdu.num_reported_symbols, 4); // each symbol, without RBs (NumReportedSymbols 1 .. 4)
  for (const FapiSrsReportedSymbol& symbol : pdu.reported()) {
    EXPECT_EQ(symbol.num_rbs, 0);
  }
  EXPECT_EQ(pdu, invalid_fapi_srs_indication_pdu(srs));
  // From the PDU itself (one the conversion refused).
  EXPECT_EQ(invalid_fapi_srs_indication_pdu(fapi), pdu);
  fapi.num_symbols = 1;
  EXPECT_EQ(invalid_fapi_srs_indication_pdu(fapi).num_symbols, 2);
  fapi.num_symbols = 9; // (the decoder lets no such PDU through)
  EXPECT_EQ(invalid_fapi_srs_indication_pdu(fapi).num_symbols, 1);
}

} // namespace
