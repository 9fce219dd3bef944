/// \file
/// \brief Helpers shared by the FAPI codec tests: encode a message alone into a vector, decode a
/// vector that holds one message (or expect its decode error), and a FapiMessage allocated once
/// per test program.
#pragma once

#include "airan/io/fapi_codec.h"

#include "../support/fapi_units.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace airan::io::test {

using Bytes = std::vector<std::uint8_t>;

/// \p message alone (PHY API header + generic header + body); fails the test on an error.
template <typename Message> Bytes encode(const Message& message, std::uint8_t handle = 0) {
  Bytes buffer(1 << 20);
  std::size_t size = 0;
  const FapiError error = encode_single_message(message, buffer, size, handle);
  EXPECT_TRUE(error.ok()) << error.reason();
  buffer.resize(size);
  return buffer;
}

/// A FapiMessage on the heap (it is large), reused by decode().
inline FapiMessage& scratch_message() {
  static const auto message = std::make_unique<FapiMessage>();
  return *message;
}

/// Decodes a one-message buffer into scratch_message(); the error of the decode.
inline FapiError decode(const Bytes& bytes) {
  return decode_single_message(bytes, scratch_message());
}

/// The PHY API header and generic message header for a body of \p body_size bytes.
inline Bytes headers(FapiMessageType type, std::uint32_t body_size, std::uint8_t handle = 0) {
  return airan::test::fapi_headers(static_cast<std::uint16_t>(type), body_size, handle);
}

/// headers() followed by \p body.
inline Bytes with_headers(FapiMessageType type, const Bytes& body, std::uint8_t handle = 0) {
  return airan::test::fapi_unit(type, body, handle);
}

/// A PUSCH PDU with puschData and one beam: 273-PRB BWP at 30 kHz, 50 PRBs, 16-QAM.
inline FapiPuschPdu sample_pusch_pdu() {
  FapiPuschPdu pdu;
  pdu.rnti = 0x4601;
  pdu.handle = 0x12345678;
  pdu.bwp_size = 273;
  pdu.bwp_start = 0;
  pdu.subcarrier_spacing = 1;
  pdu.cyclic_prefix = 0;
  pdu.target_code_rate = 6580;
  pdu.qam_mod_order = 4;
  pdu.mcs_index = 16;
  pdu.mcs_table = 0;
  pdu.transform_precoding = 1;
  pdu.data_scrambling_id = 500;
  pdu.num_layers = 1;
  pdu.ul_dmrs_symb_pos = 0x0804;
  pdu.dmrs_config_type = 0;
  pdu.ul_dmrs_scrambling_id = 500;
  pdu.pusch_identity = 500;
  pdu.scid = 0;
  pdu.num_dmrs_cdm_grps_no_data = 2;
  pdu.dmrs_ports = 0x0001;
  pdu.resource_alloc = 1;
  pdu.rb_start = 10;
  pdu.rb_size = 50;
  pdu.start_symbol_index = 0;
  pdu.num_symbols = 14;
  FapiPuschData& data = pdu.data.emplace();
  data.rv_index = 0;
  data.harq_process_id = 3;
  data.new_data_indicator = 1;
  data.tb_size = 4096;
  data.num_cb = 0;
  pdu.beamforming.num_prgs = 1;
  pdu.beamforming.prg_size = 273;
  pdu.beamforming.dig_bf_interfaces = 1;
  pdu.beamforming.beam_index[0] = 7;
  return pdu;
}

/// "status/code: reason" for failure messages.
inline std::string describe(const FapiError& error) {
  return std::string(fapi_status_name(error.status)) + "/" + fapi_error_code_name(error.code) +
         ": " + std::string(error.reason());
}

/// Decodes \p bytes and expects the error \p status / \p code with a reason; \p what names the
/// case in failure messages.
inline void expect_decode_error(const Bytes& bytes, FapiStatus status, FapiErrorCode code,
                                const std::string& what) {
  const FapiError error = decode(bytes);
  EXPECT_EQ(error.status, status) << what << ": " << describe(error);
  EXPECT_EQ(error.code, code) << what << ": " << describe(error);
  EXPECT_FALSE(error.reason().empty()) << what;
}

} // namespace airan::io::test
