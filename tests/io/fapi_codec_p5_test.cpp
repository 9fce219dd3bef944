// Byte layouts of the SCF 222.10.02 configuration (P5) messages, written out by hand from the
// spec tables: PHY API header (2), generic message header (6), body. Every TLV is tag (2),
// length (2), value padded with zeros to a multiple of 4 bytes. Offsets are within the body.
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

namespace {

using namespace airan::io;
using namespace airan::io::test;

// --- Bodyless messages --------------------------------------------------------------------------

TEST(FapiP5Layout, EmptyBodiedMessagesAreEightBytes) {
  const Bytes param_request = {
      0x01,                  // number of messages
      0x07,                  // opaque handle
      0x00, 0x00,            // message type id 0x0000 PARAM.request
      0x00, 0x00, 0x00, 0x00 // message length 0
  };
  EXPECT_EQ(encode(FapiParamRequest{}, 7), param_request);
  ASSERT_TRUE(decode(param_request).ok());
  EXPECT_EQ(scratch_message().type, FapiMessageType::param_request);

  EXPECT_EQ(encode(FapiStartRequest{}), (Bytes{0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_EQ(encode(FapiStopRequest{}), (Bytes{0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_EQ(encode(FapiStopIndication{}), (Bytes{0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00}));
  for (FapiMessageType type : {FapiMessageType::start_request, FapiMessageType::stop_request,
                               FapiMessageType::stop_indication}) {
    ASSERT_TRUE(decode(with_headers(type, {})).ok());
    EXPECT_EQ(scratch_message().type, type);
  }
}

// --- PARAM.response -----------------------------------------------------------------------------

FapiParamResponse sample_param_response() {
  FapiParamResponse response;
  response.capabilities.release_capability = 1;
  response.capabilities.phy_state = 0;
  response.capabilities.cyclic_prefix = 1;
  response.capabilities.supported_subcarrier_spacings_ul = 0x03;
  response.capabilities.pusch_dmrs_config_types = 1;
  response.capabilities.max_number_mimo_layers_non_cb_pusch = 4;
  response.capabilities.prach_long_formats = 0x0F;
  response.capabilities.prach_short_formats = 0x01FF;
  response.capabilities.prach_restricted_sets = 0;
  response.capabilities.max_prach_fd_occasions_in_a_slot = 3;
  response.capabilities.rssi_measurement_support = 2;
  FapiTlv unknown;
  unknown.tag = 0x0040;
  unknown.length = 3;
  unknown.value[0] = 1;
  unknown.value[1] = 2;
  unknown.value[2] = 3;
  response.unrecognised.push(unknown);
  return response;
}

const Bytes param_response_body = {
    0x00,                                           // 0: error code MSG_OK
    0x0C,                                           // 1: number of TLVs
    0x01, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, // 2: releaseCapability u16 = 1, pad 2
    0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, // 10: phyState u16 = 0 (IDLE), pad 2
    0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, // 18: cyclicPrefix u8 = 1, pad 3
    0x09, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, // 26: supportedSubcarrierSpacingsUl 0x03
    0x24, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, // 34: puschDmrsConfigTypes u8 = 1
    0x2D, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, // 42: maxNumberMimoLayersNonCbPusch 4
    0x32, 0x00, 0x01, 0x00, 0x0F, 0x00, 0x00, 0x00, // 50: prachLongFormats 0x0F (0 - 3)
    0x33, 0x00, 0x02, 0x00, 0xFF, 0x01, 0x00, 0x00, // 58: prachShortFormats u16 0x01FF
    0x34, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // 66: prachRestrictedSets 0
    0x35, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, // 74: maxPrachFdOccasionsInASlot 3 (8)
    0x36, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, // 82: rssiMeasurementSupport 2 (dBFS)
    0x40, 0x00, 0x03, 0x00, 0x01, 0x02, 0x03, 0x00, // 90: unknown tag 0x0040, 3 bytes, pad 1
};

TEST(FapiP5Layout, ParamResponse) {
  const Bytes expected = with_headers(FapiMessageType::param_response, param_response_body);
  EXPECT_EQ(encode(sample_param_response()), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  EXPECT_EQ(scratch_message().param_response, sample_param_response());
}

// --- CONFIG.request -----------------------------------------------------------------------------

FapiConfigRequest sample_config_request() {
  FapiConfigRequest request;
  request.ul_bandwidth_mhz = 100;
  request.ul_frequency_khz = 3500000;
  request.ul_k0 = std::array<std::uint16_t, 5>{0, 0, 0, 0, 0};
  request.ul_grid_size = std::array<std::uint16_t, 5>{0, 273, 0, 0, 0};
  request.num_rx_ant = 4;
  request.frequency_shift_7p5khz = 0;
  request.phy_cell_id = 500;
  request.frame_duplex_type = 1;
  request.scs_common = 1;
  request.rssi_measurement = 2;
  request.cyclic_prefix = 0;
  request.dmrs_type_a_position = 2;
  request.grid_start_crb = 0;
  return request;
}

const Bytes config_request_body = {
    0x0D,                                           // 0: number of TLVs (13)
    0x06, 0x10, 0x02, 0x00, 0x64, 0x00, 0x00, 0x00, // 1: ulBandwidth 0x1006 u16 = 100 MHz
    0x07, 0x10, 0x04, 0x00, 0xE0, 0x67, 0x35, 0x00, // 9: ulFrequency 0x1007 u32 = 3500000 kHz
    0x0A, 0x10, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, // 17: numRxAnt 0x100A u16 = 4
    0x0B, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // 25: FrequencyShift7p5KHz 0x100B u8 = 0
    0x0C, 0x10, 0x02, 0x00, 0xF4, 0x01, 0x00, 0x00, // 33: phyCellId 0x100C u16 = 500
    0x0D, 0x10, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, // 41: FrameDuplexType 0x100D u8 = 1 (TDD)
    0x10, 0x10, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, // 49: scsCommon 0x1010 u8 = 1
    0x28, 0x10, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, // 57: RSSIMeasurement 0x1028 u8 = 2 (dBFS)
    0x01, 0xA0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // 65: airan cyclic prefix 0xA001 = 0
    0x02, 0xA0, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, // 73: airan dmrs-TypeA-Position 0xA002 = 2
    0x03, 0xA0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, // 81: airan grid start CRB 0xA003 = 0
    0x08, 0x10, 0x0A, 0x00,                         // 89: ulk0 0x1008, 10 bytes
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //     k0 for mu 0..3 = 0
    0x00, 0x00, 0x00, 0x00,                         //     mu 4 = 0, pad 2
    0x09, 0x10, 0x0A, 0x00,                         // 105: ulGridSize 0x1009, 10 bytes
    0x00, 0x00, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, //     mu 0: 0, mu 1: 273, mu 2, 3: 0
    0x00, 0x00, 0x00, 0x00,                         //     mu 4: 0, pad 2
};

TEST(FapiP5Layout, ConfigRequest) {
  const Bytes expected = with_headers(FapiMessageType::config_request, config_request_body);
  EXPECT_EQ(encode(sample_config_request()), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  EXPECT_EQ(scratch_message().config_request, sample_config_request());
}

TEST(FapiP5Layout, ConfigRequestTlvOrderDoesNotMatterAndUnknownTlvsAreKept) {
  const Bytes body = {
      0x04,                                           // 4 TLVs
      0x09, 0x10, 0x0A, 0x00,                         // ulGridSize first
      0x00, 0x00, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, //
      0x00, 0x00, 0x00, 0x00,                         //
      0x22, 0x10, 0x04, 0x00, 0x01, 0x00, 0x00, 0x80, // SSB mask 0x1022 (not known): kept
      0x0C, 0x10, 0x02, 0x00, 0xF4, 0x01, 0x00, 0x00, // phyCellId 500
      0x0A, 0x10, 0x02, 0x00, 0x02, 0x00,             // numRxAnt 2, last TLV without padding
  };
  ASSERT_TRUE(decode(with_headers(FapiMessageType::config_request, body)).ok());
  const FapiConfigRequest& request = scratch_message().config_request;
  EXPECT_EQ(request.ul_grid_size, (std::array<std::uint16_t, 5>{0, 273, 0, 0, 0}));
  EXPECT_EQ(request.phy_cell_id, 500);
  EXPECT_EQ(request.num_rx_ant, 2);
  EXPECT_FALSE(request.ul_bandwidth_mhz.has_value());
  ASSERT_EQ(request.unrecognised.count, 1U);
  EXPECT_EQ(request.unrecognised.entries[0].tag, 0x1022);
  EXPECT_EQ(request.unrecognised.entries[0].length, 4);
  EXPECT_EQ(request.unrecognised.entries[0].value[3], 0x80);
}

// --- CONFIG.response ----------------------------------------------------------------------------

TEST(FapiP5Layout, ConfigResponse) {
  FapiConfigResponse response;
  response.error_code = FapiErrorCode::msg_invalid_config;
  response.invalid_or_unsupported.push_scalar(fapi_config_tag::frequency_shift_7p5khz, 1, 1);
  FapiTlv missing;
  missing.tag = fapi_config_tag::phy_cell_id;
  response.missing.push(missing);
  const Bytes body = {
      0x02,                                           // 0: error code MSG_INVALID_CONFIG
      0x01,                                           // 1: invalid or unsupported TLVs
      0x00,                                           // 2: TLVs settable only in IDLE
      0x00,                                           // 3: TLVs settable only in RUNNING
      0x01,                                           // 4: missing TLVs
      0x0B, 0x10, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, // 5: FrequencyShift7p5KHz = 1, pad 3
      0x0C, 0x10, 0x00, 0x00,                         // 13: phyCellId missing (length 0)
  };
  const Bytes expected = with_headers(FapiMessageType::config_response, body);
  EXPECT_EQ(encode(response), expected);
  ASSERT_TRUE(decode(expected).ok());
  EXPECT_EQ(scratch_message().config_response, response);
}

// --- ERROR.indication ---------------------------------------------------------------------------

TEST(FapiP5Layout, ErrorIndication) {
  FapiErrorIndication indication;
  indication.sfn = 1023;
  indication.slot = 19;
  indication.message_id = static_cast<std::uint8_t>(FapiMessageType::ul_tti_request);
  indication.error_code = FapiErrorCode::msg_slot_err;
  const Bytes expected = {
      0x01, 0x00,             // PHY API header: 1 message, handle 0
      0x07, 0x00,             // ERROR.indication
      0x06, 0x00, 0x00, 0x00, // length 6
      0xFF, 0x03,             // 0: SFN 1023
      0x13, 0x00,             // 2: slot 19
      0x81,                   // 4: message id UL_TTI.request
      0x04,                   // 5: error code MSG_SLOT_ERR
  };
  EXPECT_EQ(encode(indication), expected);
  ASSERT_TRUE(decode(expected).ok());
  EXPECT_EQ(scratch_message().error_indication, indication);
}

} // namespace
