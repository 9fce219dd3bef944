/// \file
/// \brief Helpers shared by the FAPI message codecs: the error code a malformed message of each
/// kind gets, error constructors, SFN/slot checks and TLV reading/writing (tag uint16, length
/// uint16, value padded with zeros to a multiple of 4 bytes).
#pragma once

#include "airan/io/fapi_types.h"
#include "fapi_byte_io.h"

#include <cstddef>
#include <cstdint>

namespace airan::io::fapi_detail {

/// Largest SFN and slot number (mu = 4: 160 slots per frame).
inline constexpr std::uint16_t max_sfn = 1023;
inline constexpr std::uint16_t max_slot = 159;

/// The error code for a malformed message of \p type: MSG_SLOT_ERR for slot (P7) messages,
/// MSG_INVALID_CONFIG for configuration (P5) ones.
inline FapiErrorCode malformed_code(FapiMessageType type) {
  return fapi_is_slot_message(type) ? FapiErrorCode::msg_slot_err
                                    : FapiErrorCode::msg_invalid_config;
}

/// "truncated" error at the reader's failure point.
FapiError truncated_error(FapiMessageType type, const ByteReader& reader, const char* what);

/// Error when \p reader has bytes left after the last field of a body.
FapiError trailing_bytes_error(FapiMessageType type, const ByteReader& reader);

/// Error for a field outside its range (MSG_SLOT_ERR / MSG_INVALID_CONFIG by message kind).
FapiError out_of_range_error(FapiMessageType type, std::size_t offset, const char* field,
                             unsigned value, unsigned low, unsigned high);

/// Error for a TLV whose value is outside its range ("TLV 0x1016 = 0 is not in 1..64"); \p offset
/// is the value's.
FapiError tlv_out_of_range_error(FapiMessageType type, std::uint16_t tag, std::size_t offset,
                                 unsigned value, unsigned low, unsigned high);

/// Error for a TLV that appears twice where it may appear once (length_mismatch).
FapiError duplicate_tlv_error(FapiMessageType type, std::uint16_t tag, std::size_t offset);

/// Checks SFN 0..1023 and slot 0..159 (MSG_INVALID_SFN otherwise).
FapiError check_sfn_slot(FapiMessageType type, std::uint16_t sfn, std::uint16_t slot,
                         std::size_t offset);

/// Encoder error for an output span that is too short.
FapiError buffer_too_small_error(FapiMessageType type, std::size_t needed_at_least);

/// Value bytes of a TLV with \p length value bytes, padding included.
constexpr std::size_t padded_tlv_value_size(std::size_t length) {
  return (length + 3) / 4 * 4;
}

/// One TLV read from a body: its tag, value length and (unpadded) value bytes.
struct RawTlv {
  std::uint16_t tag = 0;
  std::uint16_t length = 0;
  std::span<const std::uint8_t> value;
  std::size_t offset = 0; ///< Absolute offset of the tag.
};

/// Reads one TLV and its padding. False (with \p error set) when the bytes end inside it.
bool read_tlv(ByteReader& reader, FapiMessageType type, RawTlv& tlv, FapiError& error);

/// Reads the value of \p tlv as a little-endian unsigned integer of \p size bytes (1, 2, 4).
/// False (with \p error set, length_mismatch) when the TLV length is not \p size.
bool tlv_scalar(const RawTlv& tlv, std::size_t size, FapiMessageType type, std::uint32_t& value,
                FapiError& error);

/// Copies \p tlv into a FapiTlv (value truncated to its capacity).
FapiTlv to_fapi_tlv(const RawTlv& tlv);

/// Writes a TLV whose value is the \p size low bytes of \p value (padded to 4 bytes).
void write_scalar_tlv(ByteWriter& writer, std::uint16_t tag, std::uint32_t value, std::size_t size);

/// Writes a TLV with \p value as value (padded to 4 bytes).
void write_tlv(ByteWriter& writer, std::uint16_t tag, std::span<const std::uint8_t> value);

/// Writes \p tlv as held; an error when its value is not complete().
FapiError write_fapi_tlv(ByteWriter& writer, const FapiTlv& tlv, FapiMessageType type);

} // namespace airan::io::fapi_detail
