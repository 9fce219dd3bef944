// CRC.indication (SCF 222.10.02 Table 3-62) and RX_DATA.indication (Table 3-61, with the
// 32-bit PDU_Length of 222.10.03: a 16-bit length cannot carry TBs above 65535 bytes).
#include "airan/io/fapi_codec.h"
#include "fapi_codec_common.h"

namespace airan::io {

using namespace fapi_detail;

namespace {

FapiError check_entry(FapiMessageType type, std::uint16_t rnti, std::uint8_t harq_id,
                      const FapiUlMeasurement& m, std::size_t offset) {
  if (rnti < 1) {
    return out_of_range_error(type, offset, "RNTI", rnti, 1, 65535);
  }
  if (harq_id > 15) {
    return out_of_range_error(type, offset, "HarqID", harq_id, 0, 15);
  }
  if (m.timing_advance > FapiUlMeasurement::max_timing_advance &&
      m.timing_advance != FapiUlMeasurement::invalid_u16) {
    return out_of_range_error(type, offset, "TimingAdvance (0xFFFF: invalid)", m.timing_advance, 0,
                              FapiUlMeasurement::max_timing_advance);
  }
  if (m.rssi > FapiUlMeasurement::max_rssi && m.rssi != FapiUlMeasurement::invalid_u16) {
    return out_of_range_error(type, offset, "RSSI (0xFFFF: invalid)", m.rssi, 0,
                              FapiUlMeasurement::max_rssi);
  }
  return {};
}

FapiError check_crc(const FapiCrc& crc, std::size_t offset) {
  constexpr FapiMessageType type = FapiMessageType::crc_indication;
  if (crc.tb_crc_status > 1) {
    return out_of_range_error(type, offset, "TbCrcStatus", crc.tb_crc_status, 0, 1);
  }
  if (crc.num_cb > fapi_max_code_blocks) {
    return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, type, offset,
                           "CRC.indication: NumCb %u exceeds the %zu supported", crc.num_cb,
                           fapi_max_code_blocks);
  }
  return check_entry(type, crc.rnti, crc.harq_id, crc.measurement, offset);
}

void read_measurement(ByteReader& reader, FapiUlMeasurement& m) {
  m.ul_cqi = reader.u8();
  m.timing_advance = reader.u16();
  m.rssi = reader.u16();
}

void write_measurement(ByteWriter& writer, const FapiUlMeasurement& m) {
  writer.u8(m.ul_cqi);
  writer.u16(m.timing_advance);
  writer.u16(m.rssi);
}

FapiError count_error(FapiMessageType type, unsigned count) {
  return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, type, 4,
                         "%s: %u entries exceed the %zu supported", fapi_message_type_name(type),
                         count, fapi_max_pusch_pdus);
}

FapiError finish(const ByteWriter& writer, FapiMessageType type, std::size_t& written) {
  if (writer.failed()) {
    return buffer_too_small_error(type, writer.position() + 1);
  }
  written = writer.position();
  return {};
}

/// Reads and checks SFN, slot and the entry count that start CRC and RX_DATA indications.
FapiError read_indication_header(ByteReader& reader, FapiMessageType type, std::uint16_t& sfn,
                                 std::uint16_t& slot, unsigned& count) {
  sfn = reader.u16();
  slot = reader.u16();
  count = reader.u16();
  if (reader.failed()) {
    return truncated_error(type, reader, "header");
  }
  if (FapiError error = check_sfn_slot(type, sfn, slot, 0); !error.ok()) {
    return error;
  }
  return count > fapi_max_pusch_pdus ? count_error(type, count) : FapiError{};
}

/// Checks the header fields of an indication to encode, then writes them.
FapiError write_indication_header(ByteWriter& writer, FapiMessageType type, std::uint16_t sfn,
                                  std::uint16_t slot, std::size_t count) {
  if (FapiError error = check_sfn_slot(type, sfn, slot, 0); !error.ok()) {
    return error;
  }
  if (count > fapi_max_pusch_pdus) {
    return count_error(type, static_cast<unsigned>(count));
  }
  writer.u16(sfn);
  writer.u16(slot);
  writer.u16(static_cast<std::uint16_t>(count));
  return {};
}

} // namespace

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiCrcIndication& out) {
  constexpr FapiMessageType type = FapiCrcIndication::message_type;
  ByteReader reader(body);
  out.num_crcs = 0;
  unsigned count = 0;
  if (FapiError error = read_indication_header(reader, type, out.sfn, out.slot, count);
      !error.ok()) {
    return error;
  }
  for (unsigned i = 0; i < count; ++i) {
    FapiCrc& crc = out.crcs[i];
    crc = {};
    const std::size_t offset = reader.offset();
    crc.handle = reader.u32();
    crc.rnti = reader.u16();
    crc.harq_id = reader.u8();
    crc.tb_crc_status = reader.u8();
    crc.num_cb = reader.u16();
    if (!reader.failed() && crc.num_cb > fapi_max_code_blocks) {
      return check_crc(crc, offset);
    }
    reader.copy(std::span(crc.cb_crc_status).first((crc.num_cb + 7U) / 8));
    read_measurement(reader, crc.measurement);
    if (reader.failed()) {
      return truncated_error(type, reader, "CRC entry");
    }
    if (FapiError error = check_crc(crc, offset); !error.ok()) {
      return error;
    }
    out.num_crcs = i + 1;
  }
  return reader.remaining() == 0 ? FapiError{} : trailing_bytes_error(type, reader);
}

FapiError encode_message_body(const FapiCrcIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  constexpr FapiMessageType type = FapiCrcIndication::message_type;
  ByteWriter writer(out);
  if (FapiError error =
          write_indication_header(writer, type, message.sfn, message.slot, message.num_crcs);
      !error.ok()) {
    return error;
  }
  for (const FapiCrc& crc : message.entries()) {
    if (FapiError error = check_crc(crc, 0); !error.ok()) {
      return error;
    }
  }
  for (const FapiCrc& crc : message.entries()) {
    writer.u32(crc.handle);
    writer.u16(crc.rnti);
    writer.u8(crc.harq_id);
    writer.u8(crc.tb_crc_status);
    writer.u16(crc.num_cb);
    writer.bytes(std::span(crc.cb_crc_status).first((crc.num_cb + 7U) / 8));
    write_measurement(writer, crc.measurement);
  }
  return finish(writer, type, written);
}

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiRxDataIndication& out) {
  constexpr FapiMessageType type = FapiRxDataIndication::message_type;
  ByteReader reader(body);
  out.num_pdus = 0;
  unsigned count = 0;
  if (FapiError error = read_indication_header(reader, type, out.sfn, out.slot, count);
      !error.ok()) {
    return error;
  }
  for (unsigned i = 0; i < count; ++i) {
    FapiRxData& pdu = out.pdus[i];
    pdu = {};
    const std::size_t offset = reader.offset();
    pdu.handle = reader.u32();
    pdu.rnti = reader.u16();
    pdu.harq_id = reader.u8();
    const std::uint32_t length = reader.u32();
    read_measurement(reader, pdu.measurement);
    if (reader.failed()) {
      return truncated_error(type, reader, "PDU header");
    }
    if (length > reader.remaining()) {
      return make_fapi_error(FapiStatus::truncated, FapiErrorCode::msg_slot_err, type, offset + 7,
                             "RX_DATA.indication: PDU_Length %u exceeds the %zu "
                             "byte(s) left in the message",
                             length, reader.remaining());
    }
    pdu.payload = reader.view(length);
    if (FapiError error = check_entry(type, pdu.rnti, pdu.harq_id, pdu.measurement, offset);
        !error.ok()) {
      return error;
    }
    out.num_pdus = i + 1;
  }
  return reader.remaining() == 0 ? FapiError{} : trailing_bytes_error(type, reader);
}

FapiError encode_message_body(const FapiRxDataIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  constexpr FapiMessageType type = FapiRxDataIndication::message_type;
  ByteWriter writer(out);
  if (FapiError error =
          write_indication_header(writer, type, message.sfn, message.slot, message.num_pdus);
      !error.ok()) {
    return error;
  }
  for (const FapiRxData& pdu : message.entries()) {
    if (FapiError error = check_entry(type, pdu.rnti, pdu.harq_id, pdu.measurement, 0);
        !error.ok()) {
      return error;
    }
  }
  for (const FapiRxData& pdu : message.entries()) {
    writer.u32(pdu.handle);
    writer.u16(pdu.rnti);
    writer.u8(pdu.harq_id);
    writer.u32(static_cast<std::uint32_t>(pdu.payload.size()));
    write_measurement(writer, pdu.measurement);
    writer.bytes(pdu.payload);
  }
  return finish(writer, type, written);
}

} // namespace airan::io
