#include "fapi_codec_common.h"

#include <algorithm>
#include <cstring>

namespace airan::io::fapi_detail {

FapiError truncated_error(FapiMessageType type, const ByteReader& reader, const char* what) {
  return make_fapi_error(FapiStatus::truncated, malformed_code(type), type, reader.failure_offset(),
                         "%s: %s truncated at byte %zu", fapi_message_type_name(type), what,
                         reader.failure_offset());
}

FapiError trailing_bytes_error(FapiMessageType type, const ByteReader& reader) {
  return make_fapi_error(FapiStatus::length_mismatch, malformed_code(type), type, reader.offset(),
                         "%s: %zu byte(s) after the last field (message length too large)",
                         fapi_message_type_name(type), reader.remaining());
}

FapiError out_of_range_error(FapiMessageType type, std::size_t offset, const char* field,
                             unsigned value, unsigned low, unsigned high) {
  return make_fapi_error(FapiStatus::out_of_range, malformed_code(type), type, offset,
                         "%s: %s = %u is not in %u..%u", fapi_message_type_name(type), field, value,
                         low, high);
}

FapiError tlv_out_of_range_error(FapiMessageType type, std::uint16_t tag, std::size_t offset,
                                 unsigned value, unsigned low, unsigned high) {
  FapiError error = make_fapi_error(FapiStatus::out_of_range, malformed_code(type), type, offset,
                                    "%s: TLV 0x%04X = %u is not in %u..%u",
                                    fapi_message_type_name(type), tag, value, low, high);
  error.tlv_tag = tag;
  return error;
}

FapiError duplicate_tlv_error(FapiMessageType type, std::uint16_t tag, std::size_t offset) {
  FapiError error =
      make_fapi_error(FapiStatus::length_mismatch, malformed_code(type), type, offset,
                      "%s: TLV 0x%04X appears twice", fapi_message_type_name(type), tag);
  error.tlv_tag = tag;
  return error;
}

FapiError check_sfn_slot(FapiMessageType type, std::uint16_t sfn, std::uint16_t slot,
                         std::size_t offset) {
  if (sfn > max_sfn || slot > max_slot) {
    return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_invalid_sfn, type, offset,
                           "%s: SFN %u / slot %u outside 0..1023 / 0..159",
                           fapi_message_type_name(type), sfn, slot);
  }
  return {};
}

FapiError buffer_too_small_error(FapiMessageType type, std::size_t needed_at_least) {
  return make_fapi_error(FapiStatus::buffer_too_small, malformed_code(type), type, 0,
                         "%s: output buffer too small (needs at least %zu bytes)",
                         fapi_message_type_name(type), needed_at_least);
}

bool read_tlv(ByteReader& reader, FapiMessageType type, RawTlv& tlv, FapiError& error) {
  tlv.offset = reader.offset();
  tlv.tag = reader.u16();
  tlv.length = reader.u16();
  tlv.value = reader.view(tlv.length);
  if (reader.failed()) {
    error = truncated_error(type, reader, "TLV");
    return false;
  }
  // Padding to a multiple of 4 bytes; a sender that leaves out the last TLV's padding is
  // accepted (the body length bounds the read either way).
  const std::size_t padding = padded_tlv_value_size(tlv.length) - tlv.length;
  reader.skip(std::min(padding, reader.remaining()));
  return true;
}

bool tlv_scalar(const RawTlv& tlv, std::size_t size, FapiMessageType type, std::uint32_t& value,
                FapiError& error) {
  if (tlv.length != size) {
    error = make_fapi_error(FapiStatus::length_mismatch, malformed_code(type), type, tlv.offset,
                            "%s: TLV 0x%04X has length %u, expected %zu",
                            fapi_message_type_name(type), tlv.tag, tlv.length, size);
    return false;
  }
  value = 0;
  for (std::size_t i = 0; i < size; ++i) {
    value |= static_cast<std::uint32_t>(tlv.value[i]) << (8 * i);
  }
  return true;
}

FapiTlv to_fapi_tlv(const RawTlv& tlv) {
  FapiTlv out;
  out.tag = tlv.tag;
  out.length = tlv.length;
  const std::size_t held = std::min<std::size_t>(tlv.length, FapiTlv::max_value_size);
  if (held != 0) {
    std::memcpy(out.value.data(), tlv.value.data(), held);
  }
  return out;
}

void write_scalar_tlv(ByteWriter& writer, std::uint16_t tag, std::uint32_t value,
                      std::size_t size) {
  writer.u16(tag);
  writer.u16(static_cast<std::uint16_t>(size));
  for (std::size_t i = 0; i < size; ++i) {
    writer.u8(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  writer.zeros(padded_tlv_value_size(size) - size);
}

void write_tlv(ByteWriter& writer, std::uint16_t tag, std::span<const std::uint8_t> value) {
  writer.u16(tag);
  writer.u16(static_cast<std::uint16_t>(value.size()));
  writer.bytes(value);
  writer.zeros(padded_tlv_value_size(value.size()) - value.size());
}

FapiError write_fapi_tlv(ByteWriter& writer, const FapiTlv& tlv, FapiMessageType type) {
  if (!tlv.complete()) {
    return make_fapi_error(FapiStatus::capacity_exceeded, malformed_code(type), type, 0,
                           "%s: TLV 0x%04X of %u bytes was not held whole; cannot re-encode it",
                           fapi_message_type_name(type), tlv.tag, tlv.length);
  }
  write_tlv(writer, tlv.tag, std::span(tlv.value.data(), tlv.length));
  return {};
}

} // namespace airan::io::fapi_detail
