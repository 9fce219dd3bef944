/// \file
/// \brief SCF 5G FAPI (222.10.02) basics shared by every message: message type ids, the
/// error-code table, and FapiError, the result of every decode, encode and conversion.
///
/// Layouts and their sources are listed in docs/FAPI.md. Nothing here allocates: FapiError keeps
/// its reason in a fixed character array.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace airan::io {

/// PHY API message type ids (SCF 222.10.02 section 3.2, message types table).
enum class FapiMessageType : std::uint16_t {
  param_request = 0x00,
  param_response = 0x01,
  config_request = 0x02,
  config_response = 0x03,
  start_request = 0x04,
  stop_request = 0x05,
  stop_indication = 0x06,
  error_indication = 0x07,
  dl_tti_request = 0x80,
  ul_tti_request = 0x81,
  slot_indication = 0x82,
  ul_dci_request = 0x83,
  tx_data_request = 0x84,
  rx_data_indication = 0x85,
  crc_indication = 0x86,
  uci_indication = 0x87,
  srs_indication = 0x88,
  rach_indication = 0x89,
};

/// Name of \p type as the spec writes it ("UL_TTI.request"), or "unknown".
const char* fapi_message_type_name(FapiMessageType type);

/// True for the slot (P7) messages, ids 0x80 .. 0xFF; false for the configuration (P5) ones.
constexpr bool fapi_is_slot_message(FapiMessageType type) {
  return static_cast<std::uint16_t>(type) >= 0x80 && static_cast<std::uint16_t>(type) <= 0xFF;
}

/// Error codes of SCF 222.10.02 (the table ERROR.indication and the responses draw from).
enum class FapiErrorCode : std::uint8_t {
  msg_ok = 0x0,             ///< Message was accepted.
  msg_invalid_state = 0x1,  ///< Message not valid in the PHY's current state (or not handled).
  msg_invalid_config = 0x2, ///< Configuration message with missing, invalid or unsupported TLVs.
  sfn_out_of_sync = 0x3,    ///< Slot message for an SFN/slot the PHY does not expect.
  msg_slot_err = 0x4,       ///< Slot (P7) message with an error.
  msg_bch_missing = 0x5,    ///< BCH PDU expected but missing (downlink; never raised here).
  msg_invalid_sfn = 0x6,    ///< SFN or slot outside its range.
  msg_ul_dci_err = 0x7,     ///< UL_DCI.request error (never raised here).
  msg_tx_err = 0x8,         ///< TX_Data.request error (never raised here).
};

/// Name of \p code as the spec writes it ("MSG_INVALID_CONFIG"), or "unknown".
const char* fapi_error_code_name(FapiErrorCode code);

/// What went wrong, for programs and tests; FapiError::code is what to tell the peer.
enum class FapiStatus : std::uint8_t {
  ok,
  truncated,            ///< The bytes end inside a header, a field or a declared length.
  length_mismatch,      ///< A declared length (message, PDU, TLV) disagrees with the content.
  out_of_range,         ///< A field value outside the range the spec allows.
  unknown_message_type, ///< A message type id this codec does not decode.
  unsupported,          ///< Allowed by the spec but not by this implementation.
  capacity_exceeded,    ///< More entries than the preallocated structure holds.
  buffer_too_small,     ///< Encoding: the output span is too short.
};

/// Name of \p status ("length_mismatch").
const char* fapi_status_name(FapiStatus status);

/// Result of a FAPI decode, encode or conversion: ok(), or the problem with the spec's error
/// code for it, the message concerned, the byte offset and a reason text. Trivially copyable.
struct FapiError {
  FapiStatus status = FapiStatus::ok;
  FapiErrorCode code = FapiErrorCode::msg_ok;
  FapiMessageType message_type = FapiMessageType::param_request; ///< Meaningful when !ok().
  std::uint32_t offset = 0; ///< Byte offset in the decoded buffer (or message body) of the fault.
  std::array<char, 120> reason_text{}; ///< NUL-terminated.
  /// The tag of the TLV the fault lies in (a CONFIG.request TLV that is duplicated, of the wrong
  /// length or out of range: what CONFIG.response lists as invalid); 0 when none is named.
  std::uint16_t tlv_tag = 0;

  [[nodiscard]] bool ok() const { return status == FapiStatus::ok; }
  /// The reason text ("" when ok()).
  [[nodiscard]] std::string_view reason() const { return reason_text.data(); }
};

/// A FapiError with a printf-formatted reason (truncated to fit; never allocates).
[[gnu::format(printf, 5, 6)]] FapiError make_fapi_error(FapiStatus status, FapiErrorCode code,
                                                        FapiMessageType message_type,
                                                        std::size_t offset, const char* format,
                                                        ...);

/// Generic TLV as the spec lays it out: tag, length of the value in bytes, value. Holds up to
/// max_value_size value bytes; a longer value is reported with its tag and length only.
struct FapiTlv {
  static constexpr std::size_t max_value_size = 24;
  std::uint16_t tag = 0;
  std::uint16_t length = 0; ///< Value length on the wire, without padding.
  std::array<std::uint8_t, max_value_size> value{};

  /// True when the whole value is held (length <= max_value_size).
  [[nodiscard]] bool complete() const { return length <= max_value_size; }
  friend bool operator==(const FapiTlv&, const FapiTlv&) = default;
};

/// A bounded list of TLVs (unrecognised TLVs of a message, or a CONFIG.response list).
struct FapiTlvList {
  static constexpr std::size_t capacity = 16;
  std::array<FapiTlv, capacity> entries{};
  std::size_t count = 0;
  /// TLVs that did not fit in entries (still skipped correctly; only counted).
  std::size_t num_dropped = 0;

  /// Appends \p tlv; counts it in num_dropped when full.
  void push(const FapiTlv& tlv);
  /// Appends a TLV whose value is the \p size low bytes of \p value, little-endian.
  void push_scalar(std::uint16_t tag, std::uint32_t value, std::uint16_t size);
  friend bool operator==(const FapiTlvList&, const FapiTlvList&) = default;
};

} // namespace airan::io
