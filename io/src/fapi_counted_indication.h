/// \file
/// \brief Private to the codec: the body shared by RACH.indication and SRS.indication (SCF
/// 222.10.02 sections 3.4.11 and 3.4.10): SFN (u16), slot (u16), a u8 count, then that many PDUs.
#pragma once

#include "fapi_codec_common.h"

#include <cstddef>
#include <span>

namespace airan::io::fapi_detail {

/// The message's name and count field in error texts, its type, its PDU capacity and the fewest
/// bytes one of its PDUs takes.
struct CountedIndicationShape {
  FapiMessageType type;
  const char* name;       ///< "SRS.indication".
  const char* count_name; ///< "NumPDUs".
  std::size_t capacity;
  std::size_t min_pdu_size;
};

/// Decodes the body into out.sfn, out.slot, out.pdus[0 .. count) and out.num_pdus with
/// \p read_pdu(reader, pdu) -> FapiError: SFN/slot checked, a count above the capacity
/// capacity_exceeded, one the body cannot hold TRUNCATED before any PDU is read, bytes after
/// the last PDU length_mismatch.
template <typename Message, typename ReadPdu>
FapiError decode_counted_indication(std::span<const std::uint8_t> body, Message& out,
                                    const CountedIndicationShape& shape, ReadPdu read_pdu) {
  ByteReader reader(body);
  out.num_pdus = 0;
  out.sfn = reader.u16();
  out.slot = reader.u16();
  const unsigned count = reader.u8();
  if (reader.failed()) {
    return truncated_error(shape.type, reader, "header");
  }
  if (FapiError error = check_sfn_slot(shape.type, out.sfn, out.slot, 0); !error.ok()) {
    return error;
  }
  if (count > shape.capacity) {
    return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, shape.type,
                           4, "%s: %u PDUs exceed the %zu supported", shape.name, count,
                           shape.capacity);
  }
  // A count the body cannot hold is refused before reading.
  if (std::size_t{count} * shape.min_pdu_size > reader.remaining()) {
    return make_fapi_error(FapiStatus::truncated, FapiErrorCode::msg_slot_err, shape.type, 4,
                           "%s: %s %u needs at least %zu bytes, %zu left", shape.name,
                           shape.count_name, count, count * shape.min_pdu_size, reader.remaining());
  }
  for (unsigned i = 0; i < count; ++i) {
    if (FapiError error = read_pdu(reader, out.pdus[i]); !error.ok()) {
      return error;
    }
    out.num_pdus = i + 1;
  }
  return reader.remaining() == 0 ? FapiError{} : trailing_bytes_error(shape.type, reader);
}

/// Encodes \p message (its entries() checked with \p check_pdu(pdu) -> FapiError first, then
/// written with \p write_pdu(writer, pdu)); \p written is set on success.
template <typename Message, typename CheckPdu, typename WritePdu>
FapiError encode_counted_indication(const Message& message, std::span<std::uint8_t> out,
                                    std::size_t& written, const CountedIndicationShape& shape,
                                    CheckPdu check_pdu, WritePdu write_pdu) {
  if (FapiError error = check_sfn_slot(shape.type, message.sfn, message.slot, 0); !error.ok()) {
    return error;
  }
  if (message.num_pdus > shape.capacity) {
    return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, shape.type,
                           4, "%s: %zu PDUs exceed the %zu supported", shape.name, message.num_pdus,
                           shape.capacity);
  }
  for (const auto& pdu : message.entries()) {
    if (FapiError error = check_pdu(pdu); !error.ok()) {
      return error;
    }
  }
  ByteWriter writer(out);
  writer.u16(message.sfn);
  writer.u16(message.slot);
  writer.u8(static_cast<std::uint8_t>(message.num_pdus));
  for (const auto& pdu : message.entries()) {
    write_pdu(writer, pdu);
  }
  if (writer.failed()) {
    return buffer_too_small_error(shape.type, writer.position() + 1);
  }
  written = writer.position();
  return {};
}

} // namespace airan::io::fapi_detail
