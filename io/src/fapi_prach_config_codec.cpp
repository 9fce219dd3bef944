// The PRACH configuration TLVs of CONFIG.request (SCF 222.10.02 Table 3-24): prachSequenceLength
// 0x1011, prachSubCSpacing 0x1012, restrictedSetConfig 0x1013, numPrachFdOccasions 0x1014,
// prachConfigIndex 0x1029 (u8 each); per FD occasion prachRootSequenceIndex 0x1015 (u16),
// numRootSequences 0x1016 (u8), k1 0x1017 (u16), prachZeroCorrConf 0x1018 (u8),
// numUnusedRootSequences 0x1019 (u16) and one unusedRootSequences 0x101A (u16) per unused root;
// then SsbPerRach 0x101B and prachMultipleCarriersInABand 0x101C (u8). Implementations disagree on
// the width of 0x1019 and 0x101A (OAI, Aerial and FlexRAN use 16 bits, the O-RAN SC O-DU 8): a
// 1-byte value is accepted, 2 bytes are written.
#include "fapi_prach_config_codec.h"

#include "fapi_p5_tlv_tables.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace airan::io::fapi_detail {
namespace {

constexpr FapiMessageType prach_config_message = FapiMessageType::config_request;
namespace pct = fapi_prach_config_tag;
using Prach = FapiPrachConfig;
using Occasion = FapiPrachFdOccasionConfig;

constexpr unsigned prach_max_root_sequence_index = 837;

/// The TLVs before the occasions, in the order they are written.
constexpr std::array<ScalarTlvField<Prach>, 5> prach_head_tlv_fields = {{
    field8<Prach>(pct::prach_sequence_length, &Prach::prach_sequence_length, 0, 1),
    field8<Prach>(pct::prach_sub_c_spacing, &Prach::prach_sub_c_spacing, 0, 5),
    field8<Prach>(pct::restricted_set_config, &Prach::restricted_set_config, 0, 2),
    field8<Prach>(pct::num_prach_fd_occasions, &Prach::num_prach_fd_occasions, 1, 8),
    field8<Prach>(pct::prach_config_index, &Prach::prach_config_index, 0, 255),
}};

/// The TLVs after the occasions.
constexpr std::array<ScalarTlvField<Prach>, 2> prach_tail_tlv_fields = {{
    field8<Prach>(pct::ssb_per_rach, &Prach::ssb_per_rach, 0, 7),
    field8<Prach>(pct::prach_multiple_carriers_in_a_band, &Prach::prach_multiple_carriers_in_a_band,
                  0, 1),
}};

/// The scalar TLVs of one FD occasion (numUnusedRootSequences and unusedRootSequences apart).
constexpr std::array<ScalarTlvField<Occasion>, 4> prach_occasion_tlv_fields = {{
    field16<Occasion>(pct::prach_root_sequence_index, &Occasion::prach_root_sequence_index, 0,
                      prach_max_root_sequence_index),
    field8<Occasion>(pct::num_root_sequences, &Occasion::num_root_sequences, 1, 64),
    field16<Occasion>(pct::k1, &Occasion::k1, 0, 272),
    field8<Occasion>(pct::prach_zero_corr_conf, &Occasion::prach_zero_corr_conf, 0, 15),
}};

/// The value of a TLV sent as u16 or u8 (0x1019, 0x101A); false with error on another length.
bool prach_narrow_tlv_value(const RawTlv& tlv, std::uint32_t& value, FapiError& error) {
  return tlv_scalar(tlv, tlv.length == 1 ? 1 : 2, prach_config_message, value, error);
}

/// A MSG_INVALID_CONFIG error of CONFIG.request with a printf-formatted reason.
[[gnu::format(printf, 3, 4)]] FapiError prach_config_error(FapiStatus status, std::size_t offset,
                                                           const char* format, ...);

FapiError prach_config_error(FapiStatus status, std::size_t offset, const char* format, ...) {
  FapiError error;
  error.status = status;
  error.code = FapiErrorCode::msg_invalid_config;
  error.message_type = prach_config_message;
  error.offset = static_cast<std::uint32_t>(offset);
  std::va_list args;
  va_start(args, format);
  std::vsnprintf(error.reason_text.data(), error.reason_text.size(), format, args);
  va_end(args);
  return error;
}

/// numPrachFdOccasions against the occasions sent; \p offset is reported.
FapiError check_prach_occasion_count(const FapiPrachConfig& config, std::size_t offset) {
  const auto sent = static_cast<unsigned>(config.num_fd_occasions);
  if (!config.num_prach_fd_occasions) {
    return sent == 0 ? FapiError{}
                     : prach_config_error(FapiStatus::length_mismatch, offset,
                                          "CONFIG.request: %u PRACH FD occasion(s) without "
                                          "numPrachFdOccasions (0x1014)",
                                          sent);
  }
  const unsigned count = *config.num_prach_fd_occasions;
  if (count != 1 && count != 2 && count != 4 && count != 8) {
    return prach_config_error(FapiStatus::out_of_range, offset,
                              "CONFIG.request: numPrachFdOccasions %u is not 1, 2, 4 or 8", count);
  }
  if (count != sent) {
    return prach_config_error(FapiStatus::length_mismatch, offset,
                              "CONFIG.request: numPrachFdOccasions %u, but %u FD occasion(s) "
                              "sent (prachRootSequenceIndex 0x1015 starts each)",
                              count, sent);
  }
  return {};
}

} // namespace

PrachConfigTlvReader::PrachConfigTlvReader(FapiPrachConfig& out) : out_(out) {
  out_ = {};
}

bool PrachConfigTlvReader::apply(const RawTlv& tlv, bool& matched, FapiError& error) {
  if (!apply_scalar_tlv(prach_head_tlv_fields, tlv, prach_config_message, out_, matched, error)) {
    return false;
  }
  if (matched) {
    if (tlv.tag == pct::num_prach_fd_occasions) {
      count_offset_ = tlv.offset;
    }
    return true;
  }
  if (!apply_scalar_tlv(prach_tail_tlv_fields, tlv, prach_config_message, out_, matched, error) ||
      matched) {
    return error.ok();
  }
  matched = tlv.tag >= pct::prach_root_sequence_index && tlv.tag <= pct::unused_root_sequences;
  if (!matched) {
    return true;
  }
  if (tlv.tag == pct::prach_root_sequence_index) {
    if (out_.num_fd_occasions == fapi_max_prach_fd_occasions) {
      error = prach_config_error(FapiStatus::capacity_exceeded, tlv.offset,
                                 "CONFIG.request: PRACH FD occasion %u beyond the %u supported",
                                 static_cast<unsigned>(out_.num_fd_occasions + 1),
                                 static_cast<unsigned>(fapi_max_prach_fd_occasions));
      return false;
    }
    occasion_offset_[out_.num_fd_occasions] = tlv.offset;
    unused_listed_[out_.num_fd_occasions] = 0;
    out_.fd_occasions[out_.num_fd_occasions++] = {};
  } else if (out_.num_fd_occasions == 0) {
    error = prach_config_error(FapiStatus::length_mismatch, tlv.offset,
                               "CONFIG.request: TLV 0x%04X before the first "
                               "prachRootSequenceIndex (0x%04X) that starts an FD occasion",
                               tlv.tag, pct::prach_root_sequence_index);
    return false;
  }
  const std::size_t index = out_.num_fd_occasions - 1;
  Occasion& occasion = out_.fd_occasions[index];
  if (tlv.tag <= pct::prach_zero_corr_conf) {
    return apply_scalar_tlv(prach_occasion_tlv_fields, tlv, prach_config_message, occasion, matched,
                            error);
  }
  std::uint32_t value = 0;
  if (!prach_narrow_tlv_value(tlv, value, error)) {
    return false;
  }
  if (tlv.tag == pct::num_unused_root_sequences) {
    if (occasion.num_unused_root_sequences) {
      error = duplicate_tlv_error(prach_config_message, tlv.tag, tlv.offset);
      return false;
    }
    if (value > fapi_max_unused_root_sequences) {
      error = prach_config_error(FapiStatus::capacity_exceeded, tlv.offset + 4,
                                 "CONFIG.request: numUnusedRootSequences %u exceeds the %u "
                                 "supported",
                                 value, static_cast<unsigned>(fapi_max_unused_root_sequences));
      return false;
    }
    occasion.num_unused_root_sequences = static_cast<std::uint16_t>(value);
    return true;
  }
  // unusedRootSequences: one TLV per root, after numUnusedRootSequences.
  const unsigned announced = occasion.num_unused_root_sequences.value_or(0);
  if (unused_listed_[index] == announced) {
    error = prach_config_error(FapiStatus::length_mismatch, tlv.offset,
                               "CONFIG.request: unusedRootSequences beyond the %u "
                               "numUnusedRootSequences announced for FD occasion %u",
                               announced, static_cast<unsigned>(index));
    return false;
  }
  if (value > prach_max_root_sequence_index) {
    error = tlv_out_of_range_error(prach_config_message, tlv.tag, tlv.offset + 4, value, 0,
                                   prach_max_root_sequence_index);
    return false;
  }
  occasion.unused_root_sequences[unused_listed_[index]++] = static_cast<std::uint16_t>(value);
  return true;
}

FapiError PrachConfigTlvReader::finish() const {
  if (FapiError error = check_prach_occasion_count(out_, count_offset_); !error.ok()) {
    return error;
  }
  for (std::size_t i = 0; i < out_.num_fd_occasions; ++i) {
    const unsigned announced = out_.fd_occasions[i].num_unused_root_sequences.value_or(0);
    if (unused_listed_[i] != announced) {
      return prach_config_error(FapiStatus::length_mismatch, occasion_offset_[i],
                                "CONFIG.request: numUnusedRootSequences %u, but %u "
                                "unusedRootSequences listed",
                                announced, static_cast<unsigned>(unused_listed_[i]));
    }
  }
  return {};
}

FapiError check_prach_config(const FapiPrachConfig& config) {
  if (FapiError error = check_scalar_fields(prach_head_tlv_fields, config, prach_config_message);
      !error.ok()) {
    return error;
  }
  if (FapiError error = check_scalar_fields(prach_tail_tlv_fields, config, prach_config_message);
      !error.ok()) {
    return error;
  }
  if (config.num_fd_occasions > fapi_max_prach_fd_occasions) {
    return prach_config_error(FapiStatus::capacity_exceeded, 0,
                              "CONFIG.request: %u PRACH FD occasions exceed the %u supported",
                              static_cast<unsigned>(config.num_fd_occasions),
                              static_cast<unsigned>(fapi_max_prach_fd_occasions));
  }
  for (std::size_t i = 0; i < config.num_fd_occasions; ++i) {
    const Occasion& occasion = config.fd_occasions[i];
    if (!occasion.prach_root_sequence_index) {
      return prach_config_error(FapiStatus::length_mismatch, 0,
                                "CONFIG.request: PRACH FD occasion %u has no "
                                "prachRootSequenceIndex (0x%04X), which starts it",
                                static_cast<unsigned>(i), pct::prach_root_sequence_index);
    }
    if (FapiError error =
            check_scalar_fields(prach_occasion_tlv_fields, occasion, prach_config_message);
        !error.ok()) {
      return error;
    }
    const unsigned unused = occasion.num_unused_root_sequences.value_or(0);
    if (unused > fapi_max_unused_root_sequences) {
      return prach_config_error(FapiStatus::capacity_exceeded, 0,
                                "CONFIG.request: numUnusedRootSequences %u exceeds the %u "
                                "supported",
                                unused, static_cast<unsigned>(fapi_max_unused_root_sequences));
    }
    for (const std::uint16_t root : occasion.unused()) {
      if (root > prach_max_root_sequence_index) {
        return tlv_out_of_range_error(prach_config_message, pct::unused_root_sequences, 0, root, 0,
                                      prach_max_root_sequence_index);
      }
    }
  }
  return check_prach_occasion_count(config, 0);
}

void write_prach_config(ByteWriter& writer, const FapiPrachConfig& config, std::size_t& count) {
  write_scalar_fields(writer, prach_head_tlv_fields, config, count);
  for (const Occasion& occasion : config.occasions()) {
    write_scalar_fields(writer, prach_occasion_tlv_fields, occasion, count);
    if (occasion.num_unused_root_sequences) {
      write_scalar_tlv(writer, pct::num_unused_root_sequences, *occasion.num_unused_root_sequences,
                       2);
      ++count;
    }
    for (const std::uint16_t root : occasion.unused()) {
      write_scalar_tlv(writer, pct::unused_root_sequences, root, 2);
      ++count;
    }
  }
  write_scalar_fields(writer, prach_tail_tlv_fields, config, count);
}

} // namespace airan::io::fapi_detail
