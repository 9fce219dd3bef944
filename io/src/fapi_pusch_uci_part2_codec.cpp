#include "fapi_pusch_uci_part2_codec.h"

#include "fapi_codec_common.h"
#include "fapi_pusch_pdu_codec.h"

namespace airan::io::fapi_detail {
namespace {

constexpr FapiMessageType part2_message = FapiMessageType::ul_tti_request;
constexpr const char* part2_info_name = "PUSCH part 1 to part 2 correspondence";

FapiError part2s_capacity_error(unsigned num_part2s, std::size_t offset) {
  return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, part2_message,
                         offset, "UL_TTI.request: numPart2s %u exceeds the %zu supported",
                         num_part2s, FapiUciPart2Info::max_part2s);
}

/// numPart2s: 0 is out of range, beyond max_part2s the capacity is exceeded.
bool check_part2_count(unsigned num_part2s, std::size_t offset, FapiError& error) {
  if (num_part2s > FapiUciPart2Info::max_part2s) {
    error = part2s_capacity_error(num_part2s, offset);
    return false;
  }
  return ul_tti_in_range("numPart2s", num_part2s, 1, FapiUciPart2Info::max_part2s, offset, error);
}

bool check_part2_num_params(unsigned num_params, std::size_t offset, FapiError& error) {
  return ul_tti_in_range("numPart1Params", num_params, 1, FapiUciPart2::max_part1_params, offset,
                         error);
}

bool check_part2_scope(unsigned scope, std::size_t offset, FapiError& error) {
  return ul_tti_in_range("part2SizeMapScope", scope, 0, 1, offset, error);
}

} // namespace

bool csi_part2_from_part1(const FapiPuschPdu& pdu) {
  return pdu.uci && pdu.uci->csi_part2_bit_length == fapi_csi_part2_from_part1;
}

bool check_uci_part2_info(const FapiPuschPdu& pdu, std::size_t offset, FapiError& error) {
  if (!pdu.uci) {
    return true;
  }
  const FapiUciPart2Info& info = pdu.uci->part2_info;
  if (!csi_part2_from_part1(pdu)) {
    return ul_tti_in_range("numPart2s (csiPart2BitLength is not 0xFFFF)", info.num_part2s, 0, 0,
                           offset, error);
  }
  if (!pdu.maintenance_v3) {
    error = make_fapi_error(FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err, part2_message,
                            offset,
                            "UL_TTI.request: csiPart2BitLength 0xFFFF needs the PUSCH maintenance "
                            "FAPIv3 part before the part 1 to part 2 correspondence");
    return false;
  }
  if (!check_part2_count(info.num_part2s, offset, error)) {
    return false;
  }
  for (const FapiUciPart2& part : info.entries()) {
    if (!check_part2_num_params(part.num_part1_params, offset, error) ||
        !check_part2_scope(part.part2_size_map_scope, offset, error)) {
      return false;
    }
  }
  return true;
}

FapiError read_uci_part2_info(ByteReader& r, FapiUciPart2Info& info) {
  info = {};
  FapiError error;
  const std::size_t count_offset = r.offset();
  const unsigned num_part2s = r.u16();
  if (r.failed()) {
    return truncated_error(part2_message, r, part2_info_name);
  }
  if (!check_part2_count(num_part2s, count_offset, error)) {
    return error;
  }
  info.num_part2s = static_cast<std::uint16_t>(num_part2s);
  for (unsigned p = 0; p < num_part2s; ++p) {
    FapiUciPart2& part = info.part2s[p];
    part.priority = r.u16();
    const std::size_t params_offset = r.offset();
    part.num_part1_params = r.u8();
    if (r.failed()) {
      return truncated_error(part2_message, r, part2_info_name);
    }
    if (!check_part2_num_params(part.num_part1_params, params_offset, error)) {
      return error;
    }
    for (unsigned i = 0; i < part.num_part1_params; ++i) {
      part.param_offsets[i] = r.u16();
    }
    for (unsigned i = 0; i < part.num_part1_params; ++i) {
      part.param_sizes[i] = r.u8();
    }
    part.part2_size_map_index = r.u16();
    const std::size_t scope_offset = r.offset();
    part.part2_size_map_scope = r.u8();
    if (r.failed()) {
      return truncated_error(part2_message, r, part2_info_name);
    }
    if (!check_part2_scope(part.part2_size_map_scope, scope_offset, error)) {
      return error;
    }
  }
  return {};
}

void write_uci_part2_info(ByteWriter& w, const FapiUciPart2Info& info) {
  w.u16(info.num_part2s);
  for (const FapiUciPart2& part : info.entries()) {
    w.u16(part.priority);
    w.u8(part.num_part1_params);
    for (unsigned i = 0; i < part.num_part1_params && i < FapiUciPart2::max_part1_params; ++i) {
      w.u16(part.param_offsets[i]);
    }
    for (unsigned i = 0; i < part.num_part1_params && i < FapiUciPart2::max_part1_params; ++i) {
      w.u8(part.param_sizes[i]);
    }
    w.u16(part.part2_size_map_index);
    w.u8(part.part2_size_map_scope);
  }
}

} // namespace airan::io::fapi_detail
