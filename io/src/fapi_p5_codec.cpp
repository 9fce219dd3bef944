// SCF 222.10.02 configuration (P5) messages: PARAM, CONFIG, START, STOP, STOP.indication,
// ERROR.indication. TLVs: tag uint16, length uint16, value padded to a multiple of 4 bytes.
#include "airan/io/fapi_codec.h"
#include "fapi_codec_common.h"
#include "fapi_p5_tlv_tables.h"
#include "fapi_prach_config_codec.h"
#include "fapi_uci_config_codec.h"

#include <algorithm>

namespace airan::io {

using namespace fapi_detail;

namespace {

constexpr std::uint8_t max_error_code = static_cast<std::uint8_t>(FapiErrorCode::msg_tx_err);
// CONFIG.request's TLV count is 8 bits: the scalar TLVs, ulk0 and ulGridSize, the UCI
// configuration, the PRACH TLVs (7, and per occasion 5 + its unused root sequences) and the
// unrecognised ones must fit.
static_assert(config_tlv_fields.size() + 2 + 1 + 7 +
                      fapi_max_prach_fd_occasions * (5 + fapi_max_unused_root_sequences) +
                      FapiTlvList::capacity <=
                  255,
              "CONFIG.request TLVs beyond an 8-bit count");

/// Per-numerology uint16[5] TLV (ulk0, ulGridSize).
bool read_numerology_array(const RawTlv& tlv, FapiMessageType type, std::uint16_t max,
                           std::optional<std::array<std::uint16_t, fapi_num_numerologies>>& out,
                           FapiError& error) {
  if (out.has_value()) {
    error = duplicate_tlv_error(type, tlv.tag, tlv.offset);
    return false;
  }
  if (tlv.length != 2 * fapi_num_numerologies) {
    error =
        make_fapi_error(FapiStatus::length_mismatch, malformed_code(type), type, tlv.offset,
                        "%s: TLV 0x%04X has length %u, expected %zu", fapi_message_type_name(type),
                        tlv.tag, tlv.length, 2 * fapi_num_numerologies);
    return false;
  }
  std::array<std::uint16_t, fapi_num_numerologies> values{};
  for (std::size_t mu = 0; mu < fapi_num_numerologies; ++mu) {
    values[mu] = static_cast<std::uint16_t>(tlv.value[2 * mu] | (tlv.value[2 * mu + 1] << 8));
    if (values[mu] > max) {
      error = out_of_range_error(type, tlv.offset + 4 + 2 * mu, "per-numerology value", values[mu],
                                 0, max);
      return false;
    }
  }
  out = values;
  return true;
}

void write_numerology_array(ByteWriter& writer, std::uint16_t tag,
                            const std::array<std::uint16_t, fapi_num_numerologies>& values) {
  writer.u16(tag);
  writer.u16(2 * fapi_num_numerologies);
  for (std::uint16_t value : values) {
    writer.u16(value);
  }
  writer.zeros(padded_tlv_value_size(2 * fapi_num_numerologies) - 2 * fapi_num_numerologies);
}

constexpr std::uint16_t max_k0 = 23699;
constexpr std::uint16_t max_grid_size = 275;

FapiError check_empty(std::span<const std::uint8_t> body, FapiMessageType type) {
  ByteReader reader(body);
  return reader.remaining() == 0 ? FapiError{} : trailing_bytes_error(type, reader);
}

FapiError finish_encode(const ByteWriter& writer, FapiMessageType type, std::size_t& written) {
  if (writer.failed()) {
    return buffer_too_small_error(type, writer.position() + 1);
  }
  written = writer.position();
  return {};
}

/// \p error, naming the TLV \p tag it lies in (what CONFIG.response lists as invalid).
FapiError in_tlv(FapiError error, std::uint16_t tag) {
  if (error.tlv_tag == 0) {
    error.tlv_tag = tag;
  }
  return error;
}

FapiError check_error_code(FapiMessageType type, std::uint8_t code, std::size_t offset) {
  if (code > max_error_code) {
    return out_of_range_error(type, offset, "error code", code, 0, max_error_code);
  }
  return {};
}

} // namespace

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiParamRequest& out) {
  out = {};
  return check_empty(body, FapiParamRequest::message_type);
}
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiStartRequest& out) {
  out = {};
  return check_empty(body, FapiStartRequest::message_type);
}
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiStopRequest& out) {
  out = {};
  return check_empty(body, FapiStopRequest::message_type);
}
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiStopIndication& out) {
  out = {};
  return check_empty(body, FapiStopIndication::message_type);
}

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiParamResponse& out) {
  constexpr FapiMessageType type = FapiParamResponse::message_type;
  out = {};
  ByteReader reader(body);
  const std::uint8_t code = reader.u8();
  const unsigned num_tlvs = reader.u8();
  if (reader.failed()) {
    return truncated_error(type, reader, "header");
  }
  if (FapiError error = check_error_code(type, code, 0); !error.ok()) {
    return error;
  }
  out.error_code = static_cast<FapiErrorCode>(code);
  for (unsigned i = 0; i < num_tlvs; ++i) {
    RawTlv tlv;
    FapiError error;
    bool matched = false;
    if (!read_tlv(reader, type, tlv, error) ||
        !apply_scalar_tlv(param_tlv_fields, tlv, type, out.capabilities, matched, error)) {
      return error;
    }
    if (!matched) {
      out.unrecognised.push(to_fapi_tlv(tlv));
    }
  }
  return reader.remaining() == 0 ? FapiError{} : trailing_bytes_error(type, reader);
}

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiConfigRequest& out) {
  constexpr FapiMessageType type = FapiConfigRequest::message_type;
  out = {};
  ByteReader reader(body);
  const unsigned num_tlvs = reader.u8();
  if (reader.failed()) {
    return truncated_error(type, reader, "header");
  }
  PrachConfigTlvReader prach(out.prach);
  bool uci_configuration_seen = false;
  for (unsigned i = 0; i < num_tlvs; ++i) {
    RawTlv tlv;
    FapiError error;
    if (!read_tlv(reader, type, tlv, error)) {
      return error; // no whole TLV: none to name
    }
    if (tlv.tag == fapi_config_tag::uci_configuration) {
      if (uci_configuration_seen) {
        return in_tlv(duplicate_tlv_error(type, tlv.tag, tlv.offset), tlv.tag);
      }
      uci_configuration_seen = true;
      if (!read_uci_configuration(tlv, out.uci_part2_maps, error)) {
        return in_tlv(error, tlv.tag);
      }
      out.uci_configuration_without_maps = out.uci_part2_maps.empty();
      continue;
    }
    bool matched = false;
    if (!prach.apply(tlv, matched, error)) {
      return in_tlv(error, tlv.tag);
    }
    if (matched) {
      continue;
    }
    if (tlv.tag == fapi_config_tag::ul_k0 || tlv.tag == fapi_config_tag::ul_grid_size) {
      const bool k0 = tlv.tag == fapi_config_tag::ul_k0;
      if (!read_numerology_array(tlv, type, k0 ? max_k0 : max_grid_size,
                                 k0 ? out.ul_k0 : out.ul_grid_size, error)) {
        return in_tlv(error, tlv.tag);
      }
      continue;
    }
    if (!apply_scalar_tlv(config_tlv_fields, tlv, type, out, matched, error)) {
      return in_tlv(error, tlv.tag);
    }
    if (!matched) {
      out.unrecognised.push(to_fapi_tlv(tlv));
    }
  }
  if (reader.remaining() != 0) {
    return trailing_bytes_error(type, reader);
  }
  return prach.finish();
}

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiConfigResponse& out) {
  constexpr FapiMessageType type = FapiConfigResponse::message_type;
  out = {};
  ByteReader reader(body);
  const std::uint8_t code = reader.u8();
  std::array<unsigned, 4> counts{};
  for (unsigned& count : counts) {
    count = reader.u8();
  }
  if (reader.failed()) {
    return truncated_error(type, reader, "header");
  }
  if (FapiError error = check_error_code(type, code, 0); !error.ok()) {
    return error;
  }
  out.error_code = static_cast<FapiErrorCode>(code);
  const std::array<FapiTlvList*, 4> lists = {&out.invalid_or_unsupported, &out.idle_only,
                                             &out.running_only, &out.missing};
  for (std::size_t list = 0; list < lists.size(); ++list) {
    for (unsigned i = 0; i < counts[list]; ++i) {
      RawTlv tlv;
      FapiError error;
      if (!read_tlv(reader, type, tlv, error)) {
        return error;
      }
      lists[list]->push(to_fapi_tlv(tlv));
    }
  }
  return reader.remaining() == 0 ? FapiError{} : trailing_bytes_error(type, reader);
}

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiErrorIndication& out) {
  constexpr FapiMessageType type = FapiErrorIndication::message_type;
  out = {};
  ByteReader reader(body);
  out.sfn = reader.u16();
  out.slot = reader.u16();
  out.message_id = reader.u8();
  const std::uint8_t code = reader.u8();
  if (reader.failed()) {
    return truncated_error(type, reader, "body");
  }
  if (FapiError error = check_sfn_slot(type, out.sfn, out.slot, 0); !error.ok()) {
    return error;
  }
  if (FapiError error = check_error_code(type, code, 5); !error.ok()) {
    return error;
  }
  out.error_code = static_cast<FapiErrorCode>(code);
  return reader.remaining() == 0 ? FapiError{} : trailing_bytes_error(type, reader);
}

FapiError encode_message_body(const FapiParamRequest&, std::span<std::uint8_t>,
                              std::size_t& written) {
  written = 0;
  return {};
}
FapiError encode_message_body(const FapiStartRequest&, std::span<std::uint8_t>,
                              std::size_t& written) {
  written = 0;
  return {};
}
FapiError encode_message_body(const FapiStopRequest&, std::span<std::uint8_t>,
                              std::size_t& written) {
  written = 0;
  return {};
}
FapiError encode_message_body(const FapiStopIndication&, std::span<std::uint8_t>,
                              std::size_t& written) {
  written = 0;
  return {};
}

FapiError encode_message_body(const FapiParamResponse& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  constexpr FapiMessageType type = FapiParamResponse::message_type;
  if (FapiError error = check_error_code(type, static_cast<std::uint8_t>(message.error_code), 0);
      !error.ok()) {
    return error;
  }
  if (FapiError error = check_scalar_fields(param_tlv_fields, message.capabilities, type);
      !error.ok()) {
    return error;
  }
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(message.error_code));
  writer.u8(0); // number of TLVs, patched below
  std::size_t count = 0;
  write_scalar_fields(writer, param_tlv_fields, message.capabilities, count);
  for (std::size_t i = 0; i < message.unrecognised.count; ++i) {
    if (FapiError error = write_fapi_tlv(writer, message.unrecognised.entries[i], type);
        !error.ok()) {
      return error;
    }
    ++count;
  }
  if (!writer.failed() && out.size() >= 2) {
    out[1] = static_cast<std::uint8_t>(count); // at most 24 + 16 TLVs
  }
  return finish_encode(writer, type, written);
}

FapiError encode_message_body(const FapiConfigRequest& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  constexpr FapiMessageType type = FapiConfigRequest::message_type;
  if (FapiError error = check_scalar_fields(config_tlv_fields, message, type); !error.ok()) {
    return error;
  }
  if (FapiError error = check_prach_config(message.prach); !error.ok()) {
    return error;
  }
  if (FapiError error = check_uci_configuration(message.uci_part2_maps); !error.ok()) {
    return error;
  }
  for (const auto* array : {&message.ul_k0, &message.ul_grid_size}) {
    const std::uint16_t max = array == &message.ul_k0 ? max_k0 : max_grid_size;
    if (array->has_value() && std::ranges::any_of(**array, [&](auto v) { return v > max; })) {
      return out_of_range_error(type, 0, "per-numerology value", std::ranges::max(**array), 0, max);
    }
  }
  ByteWriter writer(out);
  writer.u8(0); // number of TLVs, patched below
  std::size_t count = 0;
  write_scalar_fields(writer, config_tlv_fields, message, count);
  if (message.ul_k0) {
    write_numerology_array(writer, fapi_config_tag::ul_k0, *message.ul_k0);
    ++count;
  }
  if (message.ul_grid_size) {
    write_numerology_array(writer, fapi_config_tag::ul_grid_size, *message.ul_grid_size);
    ++count;
  }
  write_prach_config(writer, message.prach, count);
  if (message.uci_configuration_present()) {
    write_uci_configuration(writer, message.uci_part2_maps, count);
  }
  for (std::size_t i = 0; i < message.unrecognised.count; ++i) {
    if (FapiError error = write_fapi_tlv(writer, message.unrecognised.entries[i], type);
        !error.ok()) {
      return error;
    }
    ++count;
  }
  if (!writer.failed() && !out.empty()) {
    // At most 13 + 175 PRACH (7, and 8 occasions of 4 + 1 + 16) + 1 UCI configuration + 16 TLVs.
    out[0] = static_cast<std::uint8_t>(count);
  }
  return finish_encode(writer, type, written);
}

FapiError encode_message_body(const FapiConfigResponse& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  constexpr FapiMessageType type = FapiConfigResponse::message_type;
  if (FapiError error = check_error_code(type, static_cast<std::uint8_t>(message.error_code), 0);
      !error.ok()) {
    return error;
  }
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(message.error_code));
  const std::array<const FapiTlvList*, 4> lists = {
      &message.invalid_or_unsupported, &message.idle_only, &message.running_only, &message.missing};
  for (const FapiTlvList* list : lists) {
    writer.u8(static_cast<std::uint8_t>(list->count));
  }
  for (const FapiTlvList* list : lists) {
    for (std::size_t i = 0; i < list->count; ++i) {
      if (FapiError error = write_fapi_tlv(writer, list->entries[i], type); !error.ok()) {
        return error;
      }
    }
  }
  return finish_encode(writer, type, written);
}

FapiError encode_message_body(const FapiErrorIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  constexpr FapiMessageType type = FapiErrorIndication::message_type;
  if (FapiError error = check_sfn_slot(type, message.sfn, message.slot, 0); !error.ok()) {
    return error;
  }
  if (FapiError error = check_error_code(type, static_cast<std::uint8_t>(message.error_code), 5);
      !error.ok()) {
    return error;
  }
  ByteWriter writer(out);
  writer.u16(message.sfn);
  writer.u16(message.slot);
  writer.u8(message.message_id);
  writer.u8(static_cast<std::uint8_t>(message.error_code));
  return finish_encode(writer, type, written);
}

} // namespace airan::io
