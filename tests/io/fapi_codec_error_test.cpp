// Malformed FAPI input: truncated, oversized, wrong-length, out-of-range and unknown-type
// messages must fail with the right status and spec error code, never crash or read out of
// bounds (the suite also runs under ASan in scripts/test).
#include "airan/io/fapi_pusch_conversion.h"

#include "fapi_conversion_test_helpers.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace airan::io;
using namespace airan::io::test;

/// Offset in an encoded one-PDU UL_TTI.request of byte \p pdu_offset of the PUSCH PDU
/// (PHY API header 2 + message header 6 + UL_TTI header 9).
constexpr std::size_t pdu_at(std::size_t pdu_offset) {
  return 8 + 9 + pdu_offset;
}

FapiUlTtiRequest one_pdu_request() {
  FapiUlTtiRequest request;
  request.sfn = 5;
  request.slot = 6;
  request.pusch[0] = sample_pusch_pdu();
  request.num_pusch = 1;
  return request;
}

void expect_error(const Bytes& bytes, FapiStatus status, FapiErrorCode code) {
  const FapiError error = decode(bytes);
  EXPECT_EQ(error.status, status) << describe(error);
  EXPECT_EQ(error.code, code) << describe(error);
  EXPECT_FALSE(error.reason().empty());
}

std::vector<Bytes> valid_buffers() {
  FapiCrcIndication crc;
  crc.crcs[0].num_cb = 3;
  crc.num_crcs = 1;
  static const Bytes tb = {1, 2, 3};
  FapiRxDataIndication rx;
  rx.pdus[0].payload = tb;
  rx.num_pdus = 1;
  FapiConfigRequest config;
  config.phy_cell_id = 1;
  config.num_rx_ant = 2;
  FapiErrorIndication error_indication;
  FapiUlTtiRequest prach = one_pdu_request();
  prach.prach[0].num_prach_ocas = 1;
  prach.prach[0].beamforming.num_prgs = 1;
  prach.prach[0].beamforming.dig_bf_interfaces = 1;
  prach.prach[0].maintenance_v3.emplace();
  prach.num_prach = 1;
  FapiRachIndication rach;
  rach.pdus[0].preambles[0] = FapiRachPreamble{3, 12, 100000};
  rach.pdus[0].num_preambles = 1;
  rach.num_pdus = 1;
  FapiConfigRequest prach_config = config;
  prach_config.prach.num_prach_fd_occasions = 1;
  prach_config.prach.fd_occasions[0].prach_root_sequence_index = 5;
  prach_config.prach.fd_occasions[0].num_unused_root_sequences = 1;
  prach_config.prach.num_fd_occasions = 1;
  return {encode(one_pdu_request()),
          encode(crc),
          encode(rx),
          encode(config),
          encode(FapiSlotIndication{1, 1}),
          encode(error_indication),
          encode(prach),
          encode(rach),
          encode(prach_config)};
}

TEST(FapiDecodeErrors, EveryTruncationOfAValidBufferFails) {
  for (const Bytes& valid : valid_buffers()) {
    ASSERT_TRUE(decode(valid).ok());
    for (std::size_t size = 0; size < valid.size(); ++size) {
      const Bytes cut(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(size));
      const FapiError error = decode(cut);
      EXPECT_EQ(error.status, FapiStatus::truncated) << size << ": " << describe(error);
      const bool has_type = size >= fapi_phy_header_size + 2;
      if (has_type && size > 8) {
        const auto type = static_cast<FapiMessageType>(valid[2] | (valid[3] << 8));
        EXPECT_EQ(error.code, fapi_is_slot_message(type) ? FapiErrorCode::msg_slot_err
                                                         : FapiErrorCode::msg_invalid_config);
      }
    }
  }
}

TEST(FapiDecodeErrors, TruncatedBodiesWithConsistentMessageLengthFail) {
  for (const Bytes& valid : valid_buffers()) {
    const auto type = static_cast<FapiMessageType>(valid[2] | (valid[3] << 8));
    const Bytes body(valid.begin() + 8, valid.end());
    // A TLV message may end without the last TLV's padding (accepted): stop before it.
    const std::size_t last =
        type == FapiMessageType::config_request ? body.size() - 3 : body.size();
    for (std::size_t size = 0; size < last; ++size) {
      const Bytes cut(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(size));
      const FapiError error = decode(with_headers(type, cut));
      EXPECT_FALSE(error.ok()) << fapi_message_type_name(type) << " body of " << size;
      EXPECT_EQ(error.message_type, type);
      EXPECT_NE(error.code, FapiErrorCode::msg_ok);
    }
  }
}

TEST(FapiDecodeErrors, OversizedMessagesAndBuffers) {
  const Bytes valid = encode(FapiSlotIndication{1, 2});
  // Body one byte longer than SLOT.indication's, message length saying so.
  Bytes body(valid.begin() + 8, valid.end());
  body.push_back(0);
  expect_error(with_headers(FapiMessageType::slot_indication, body), FapiStatus::length_mismatch,
               FapiErrorCode::msg_slot_err);
  // A byte after the only announced message.
  Bytes trailing = valid;
  trailing.push_back(0);
  expect_error(trailing, FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config);
  // Bytes after a header announcing no message.
  expect_error(Bytes{0, 0, 1}, FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config);
}

TEST(FapiDecodeErrors, WrongMessageLengthAndMessageCount) {
  Bytes longer = encode(one_pdu_request());
  longer[4] += 1; // message length one past the buffer
  expect_error(longer, FapiStatus::truncated, FapiErrorCode::msg_slot_err);
  Bytes shorter = encode(one_pdu_request());
  shorter[4] -= 1; // last byte of the body outside the message
  EXPECT_FALSE(decode(shorter).ok());
  Bytes two_announced = encode(FapiSlotIndication{1, 2});
  two_announced[0] = 2; // but only one message follows
  FapiMessageReader walk(two_announced);
  FapiMessageView view;
  EXPECT_TRUE(walk.next(view));
  EXPECT_FALSE(walk.next(view));
  EXPECT_EQ(walk.error().status, FapiStatus::truncated) << walk.error().reason();
  // decode_single_message wants exactly one message.
  Bytes buffer(256);
  FapiMessageWriter writer(buffer);
  ASSERT_TRUE(writer.add(FapiSlotIndication{1, 2}).ok());
  ASSERT_TRUE(writer.add(FapiSlotIndication{1, 3}).ok());
  const Bytes two(writer.bytes().begin(), writer.bytes().end());
  expect_error(two, FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config);
}

TEST(FapiDecodeErrors, UnknownAndUnhandledMessageTypes) {
  expect_error(with_headers(FapiMessageType::ul_dci_request, {0, 0, 0, 0, 0}),
               FapiStatus::unknown_message_type, FapiErrorCode::msg_invalid_state);
  expect_error(with_headers(static_cast<FapiMessageType>(0x55), {}),
               FapiStatus::unknown_message_type, FapiErrorCode::msg_invalid_state);
  expect_error(with_headers(static_cast<FapiMessageType>(0x1234), {1}),
               FapiStatus::unknown_message_type, FapiErrorCode::msg_invalid_state);
}

TEST(FapiDecodeErrors, SfnAndSlotOutOfRange) {
  expect_error(with_headers(FapiMessageType::slot_indication, {0x00, 0x04, 0x00, 0x00}),
               FapiStatus::out_of_range, FapiErrorCode::msg_invalid_sfn); // SFN 1024
  expect_error(with_headers(FapiMessageType::slot_indication, {0x00, 0x00, 0xA0, 0x00}),
               FapiStatus::out_of_range, FapiErrorCode::msg_invalid_sfn); // slot 160
  Bytes request = encode(one_pdu_request());
  request[8] = 0xFF;
  request[9] = 0xFF; // SFN 65535
  expect_error(request, FapiStatus::out_of_range, FapiErrorCode::msg_invalid_sfn);
}

/// One PUSCH PDU byte patched: its offset in the PDU, its value and the field it holds.
struct PatchedPduByte {
  std::size_t pdu_offset;
  std::uint8_t value;
  const char* field;
};

// What answering the PDU needs is checked by the codec: a bad one refuses the message.
TEST(FapiDecodeErrors, PuschPduFieldsTheReportNeeds) {
  const PatchedPduByte cases[] = {
      {4, 0x10, "pduBitmap bit 4"},
      {6, 0x00, "RNTI 0 (low byte; high byte cleared below)"},
      {87, 16, "harqProcessID 16"}, // CRC.indication's HarqID is 0 .. 15
  };
  for (const PatchedPduByte& c : cases) {
    Bytes bytes = encode(one_pdu_request());
    bytes[pdu_at(c.pdu_offset)] = c.value;
    if (c.pdu_offset == 6) {
      bytes[pdu_at(7)] = 0x00;
    }
    const FapiError error = decode(bytes);
    EXPECT_EQ(error.status, FapiStatus::out_of_range) << c.field << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.field;
  }
}

// Every other field out of range is decoded, and refused by to_pusch_config() for that PDU alone
// (to_slot_request() then reports it failed and runs the rest of the request), with the field
// named.
TEST(FapiDecodeErrors, PuschPduFieldsOutOfRangeAreRefusedByTheConversion) {
  const PatchedPduByte cases[] = {
      {16, 5, "SubcarrierSpacing"},
      {20, 3, "qamModOrder"},
      {21, 32, "mcsIndex"},
      {26, 5, "nrOfLayers"},
      {28, 0x40, "ulDmrsSymbPos"},
      {29, 2, "dmrsConfigType"},
      {35, 0, "numDmrsCdmGrpsNoData"},
      {38, 2, "resourceAlloc"},
      {85, 15, "NrOfSymbols"},
      {86, 4, "rvIndex"},
      {88, 2, "newDataIndicator"},
  };
  const airan::phy::CellConfig cell = make_cell();
  FapiUlTtiRequest request = one_pdu_request();
  ASSERT_TRUE(to_fapi_pusch_pdu(make_pusch(), cell, request.pusch[0]).ok());
  request.pusch[1] = request.pusch[0];
  request.pusch[1].handle = 77;
  request.pusch[1].data->harq_process_id = 5;
  request.pusch_pdu_index[1] = 1;
  request.num_pusch = 2;
  const Bytes valid = encode(request);
  for (const PatchedPduByte& c : cases) {
    Bytes bytes = valid;
    bytes[pdu_at(c.pdu_offset)] = c.value;
    ASSERT_TRUE(decode(bytes).ok()) << c.field << ": " << describe(decode(bytes));
    FapiSlotRequest slot;
    to_slot_request(scratch_message().ul_tti_request, cell, slot);
    ASSERT_EQ(slot.num_rejected, 1U) << c.field;
    const FapiError& error = slot.rejected[0].error;
    EXPECT_EQ(error.status, FapiStatus::out_of_range) << c.field << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.field;
    EXPECT_NE(error.reason().find(c.field), std::string::npos) << describe(error);
    EXPECT_EQ(slot.rejected[0].handle, request.pusch[0].handle) << c.field;
    // The other PDU runs.
    ASSERT_EQ(slot.num_pusch, 1U) << c.field;
    EXPECT_EQ(slot.pusch[0].handle, 77U) << c.field;
    EXPECT_EQ(slot.source_index[0], 1U) << c.field;
  }
}

TEST(FapiDecodeErrors, PduSizeAndPduTypeErrors) {
  Bytes small = encode(one_pdu_request());
  small[pdu_at(2)] = 3; // pduSize below the 4 header bytes
  expect_error(small, FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err);

  Bytes short_pdu = encode(one_pdu_request());
  short_pdu[pdu_at(2)] -= 2; // the PDU ends before its beam index
  EXPECT_EQ(decode(short_pdu).status, FapiStatus::truncated) << describe(decode(short_pdu));

  // pduSize two bytes larger, two bytes inserted: the PUSCH PDU does not fill its size.
  Bytes long_pdu = encode(one_pdu_request());
  long_pdu[pdu_at(2)] += 2;
  long_pdu.insert(long_pdu.end(), {0, 0});
  long_pdu[4] += 2;
  expect_error(long_pdu, FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err);

  Bytes unknown_type = encode(one_pdu_request());
  unknown_type[pdu_at(0)] = 7;
  expect_error(unknown_type, FapiStatus::out_of_range, FapiErrorCode::msg_slot_err);

  Bytes counts = encode(one_pdu_request());
  counts[8 + 6] = 2; // nULSCH 2 for one PUSCH PDU
  expect_error(counts, FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err);

  Bytes rach = encode(one_pdu_request());
  rach[8 + 5] = 1; // RachPresent without a PRACH PDU
  expect_error(rach, FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err);

  Bytes group = encode(one_pdu_request());
  group[8 + 8] = 1;                  // nGroup 1
  group.insert(group.end(), {1, 1}); // nUe 1, PduIdx 1: no such PDU
  group[4] += 2;
  expect_error(group, FapiStatus::out_of_range, FapiErrorCode::msg_slot_err);
}

TEST(FapiDecodeErrors, CapacityExceeded) {
  Bytes buffer(1 << 16);
  FapiUlTtiRequest request = one_pdu_request();
  for (std::size_t i = 0; i < fapi_max_pusch_pdus; ++i) {
    request.pusch[i] = sample_pusch_pdu();
  }
  request.num_pusch = fapi_max_pusch_pdus;
  Bytes full = encode(request);
  ASSERT_TRUE(decode(full).ok());
  // Append a 65th copy of the PDU and bump nPDUs / nULSCH.
  const Bytes one = encode(one_pdu_request());
  const Bytes pdu(one.begin() + pdu_at(0), one.end());
  full.insert(full.end(), pdu.begin(), pdu.end());
  full[8 + 4] = full[8 + 6] = static_cast<std::uint8_t>(fapi_max_pusch_pdus + 1);
  const std::uint32_t length = static_cast<std::uint32_t>(full.size() - 8);
  for (int i = 0; i < 4; ++i) {
    full[4 + i] = static_cast<std::uint8_t>(length >> (8 * i));
  }
  expect_error(full, FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err);

  Bytes beams = encode(one_pdu_request());
  beams[pdu_at(95)] = 65; // 65 PRGs x 1 beam
  expect_error(beams, FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err);

  expect_error(with_headers(FapiMessageType::crc_indication,
                            {0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0x2C, 0x01}),
               FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err); // NumCb 300
}

TEST(FapiDecodeErrors, IndicationFieldErrors) {
  // CRC: TbCrcStatus 2.
  expect_error(
      with_headers(FapiMessageType::crc_indication,
                   {0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 2, 0, 0, 255, 255, 255, 255, 255}),
      FapiStatus::out_of_range, FapiErrorCode::msg_slot_err);
  // CRC: TimingAdvance 64.
  expect_error(with_headers(FapiMessageType::crc_indication,
                            {0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 255, 64, 0, 255, 255}),
               FapiStatus::out_of_range, FapiErrorCode::msg_slot_err);
  // RX_DATA: PDU_Length beyond the message.
  expect_error(with_headers(FapiMessageType::rx_data_indication,
                            {0, 0, 0, 0, 1,   0,   1,   0,   0,   0, 1, 0, 0,
                             9, 0, 0, 0, 255, 255, 255, 255, 255, 1, 2, 3}),
               FapiStatus::truncated, FapiErrorCode::msg_slot_err);
  // ERROR.indication: error code 9 is not in the 222.10.02 table.
  expect_error(with_headers(FapiMessageType::error_indication, {0, 0, 0, 0, 0x81, 9}),
               FapiStatus::out_of_range, FapiErrorCode::msg_invalid_config);
}

TEST(FapiDecodeErrors, ConfigTlvErrors) {
  // phyCellId with a 1-byte value.
  expect_error(with_headers(FapiMessageType::config_request, {1, 0x0C, 0x10, 1, 0, 5, 0, 0, 0}),
               FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config);
  // phyCellId 1008.
  expect_error(
      with_headers(FapiMessageType::config_request, {1, 0x0C, 0x10, 2, 0, 0xF0, 0x03, 0, 0}),
      FapiStatus::out_of_range, FapiErrorCode::msg_invalid_config);
  // phyCellId twice.
  expect_error(with_headers(FapiMessageType::config_request,
                            {2, 0x0C, 0x10, 2, 0, 1, 0, 0, 0, 0x0C, 0x10, 2, 0, 2, 0, 0, 0}),
               FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config);
  // ulGridSize 276 PRBs for mu 0.
  expect_error(with_headers(FapiMessageType::config_request,
                            {1, 0x09, 0x10, 10, 0, 0x14, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
               FapiStatus::out_of_range, FapiErrorCode::msg_invalid_config);
  // A TLV whose length runs past the body.
  expect_error(with_headers(FapiMessageType::config_request, {1, 0x22, 0x10, 8, 0, 1, 2}),
               FapiStatus::truncated, FapiErrorCode::msg_invalid_config);
  // Unknown TLVs beyond the list's capacity are skipped and counted.
  Bytes many = {static_cast<std::uint8_t>(FapiTlvList::capacity + 2)};
  for (std::size_t i = 0; i < FapiTlvList::capacity + 2; ++i) {
    many.insert(many.end(), {0x00, 0x90, 0x01, 0x00, static_cast<std::uint8_t>(i), 0, 0, 0});
  }
  ASSERT_TRUE(decode(with_headers(FapiMessageType::config_request, many)).ok());
  EXPECT_EQ(scratch_message().config_request.unrecognised.count, FapiTlvList::capacity);
  EXPECT_EQ(scratch_message().config_request.unrecognised.num_dropped, 2U);
}

// The TLV at fault is named (FapiError::tlv_tag), for CONFIG.response's invalid list; a fault
// outside any whole TLV names none.
TEST(FapiDecodeErrors, ConfigTlvErrorsNameTheTlv) {
  const auto tag_of = [](const Bytes& body) {
    const FapiError error = decode(with_headers(FapiMessageType::config_request, body));
    EXPECT_FALSE(error.ok());
    return error.tlv_tag;
  };
  EXPECT_EQ(tag_of({1, 0x0C, 0x10, 2, 0, 0xD0, 0x07, 0, 0}), 0x100C); // phyCellId 2000
  EXPECT_EQ(tag_of({1, 0x0C, 0x10, 1, 0, 5, 0, 0, 0}), 0x100C);       // wrong length
  EXPECT_EQ(tag_of({2, 0x0C, 0x10, 2, 0, 1, 0, 0, 0, 0x0C, 0x10, 2, 0, 2, 0, 0, 0}), 0x100C);
  EXPECT_EQ(tag_of({1, 0x09, 0x10, 10, 0, 0x14, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 0x1009);
  EXPECT_EQ(tag_of({1, 0x22, 0x10, 8, 0, 1, 2}), 0); // truncated: no whole TLV
}

TEST(FapiEncodeErrors, SmallBuffersAndInvalidContent) {
  std::vector<std::uint8_t> buffer(20);
  std::size_t size = 99;
  FapiError error = encode_single_message(one_pdu_request(), buffer, size);
  EXPECT_EQ(error.status, FapiStatus::buffer_too_small) << describe(error);
  EXPECT_EQ(size, 0U);
  for (std::size_t n = 0; n < 8; ++n) {
    std::vector<std::uint8_t> tiny(n);
    EXPECT_EQ(encode_single_message(FapiStartRequest{}, tiny, size).status,
              FapiStatus::buffer_too_small);
  }
  FapiUlTtiRequest invalid = one_pdu_request();
  invalid.pusch[0].rnti = 0;
  std::vector<std::uint8_t> big(4096);
  error = encode_single_message(invalid, big, size);
  EXPECT_EQ(error.status, FapiStatus::out_of_range) << describe(error);
  EXPECT_EQ(encode_single_message(FapiSlotIndication{1024, 0}, big, size).code,
            FapiErrorCode::msg_invalid_sfn);
  FapiConfigRequest config;
  config.phy_cell_id = 2000;
  EXPECT_EQ(encode_single_message(config, big, size).status, FapiStatus::out_of_range);
  // A failed add leaves what the writer already holds intact.
  FapiMessageWriter writer{std::span(big).first(40)};
  ASSERT_TRUE(writer.add(FapiSlotIndication{1, 1}).ok());
  const std::size_t before = writer.size();
  EXPECT_FALSE(writer.add(one_pdu_request()).ok());
  EXPECT_EQ(writer.size(), before);
  EXPECT_EQ(writer.num_messages(), 1U);
  EXPECT_TRUE(decode(Bytes(writer.bytes().begin(), writer.bytes().end())).ok());
}

} // namespace
