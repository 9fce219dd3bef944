// SLOT.indication (SCF 222.10.02 Table 3-34) and UL_TTI.request (Table 3-44): SFN, slot,
// nPDUs, RachPresent, nULSCH, nULCCH, nGroup, the PDUs (pduType uint16, pduSize uint16 counting
// those 4 bytes, body), then the UE groups (nUe, PduIdx[nUe]). PUSCH, PUCCH, PRACH and SRS PDUs
// are decoded (fapi_pusch_pdu_codec.cpp, fapi_pucch_pdu_codec.cpp, fapi_prach_pdu_codec.cpp,
// fapi_srs_pdu_codec.cpp).
#include "airan/io/fapi_codec.h"
#include "fapi_codec_common.h"
#include "fapi_prach_pdu_codec.h"
#include "fapi_pucch_pdu_codec.h"
#include "fapi_pusch_pdu_codec.h"
#include "fapi_srs_pdu_codec.h"

#include <array>

namespace airan::io {

using namespace fapi_detail;

namespace {

constexpr FapiMessageType ul_tti = FapiMessageType::ul_tti_request;
constexpr std::size_t pdu_header_size = 4; // pduType + pduSize

FapiError ul_tti_error(FapiStatus status, std::size_t offset, const char* format, unsigned a,
                       unsigned b) {
  return make_fapi_error(status, FapiErrorCode::msg_slot_err, ul_tti, offset, format, a, b);
}

/// Reads the PDUs into \p out, each type into its array.
FapiError decode_pdus(ByteReader& reader, unsigned num_pdus, FapiUlTtiRequest& out) {
  for (unsigned index = 0; index < num_pdus; ++index) {
    const std::size_t pdu_offset = reader.offset();
    const std::uint16_t pdu_type = reader.u16();
    const std::uint16_t pdu_size = reader.u16();
    if (reader.failed()) {
      return truncated_error(ul_tti, reader, "PDU header");
    }
    if (pdu_size < pdu_header_size) {
      return ul_tti_error(FapiStatus::length_mismatch, pdu_offset + 2,
                          "UL_TTI.request: pduSize %u of PDU %u is below 4", pdu_size, index);
    }
    const std::span<const std::uint8_t> body = reader.view(pdu_size - pdu_header_size);
    if (reader.failed()) {
      return truncated_error(ul_tti, reader, "PDU");
    }
    switch (static_cast<FapiUlPduType>(pdu_type)) {
    case FapiUlPduType::pusch: {
      if (out.num_pusch == fapi_max_pusch_pdus) {
        return ul_tti_error(FapiStatus::capacity_exceeded, pdu_offset,
                            "UL_TTI.request: PUSCH PDU %u beyond the %u supported", index,
                            static_cast<unsigned>(fapi_max_pusch_pdus));
      }
      if (FapiError error =
              decode_pusch_pdu(body, pdu_offset + pdu_header_size, out.pusch[out.num_pusch]);
          !error.ok()) {
        return error;
      }
      out.pusch_pdu_index[out.num_pusch++] = static_cast<std::uint8_t>(index);
      break;
    }
    case FapiUlPduType::prach: {
      if (out.num_prach == fapi_max_prach_pdus) {
        return ul_tti_error(FapiStatus::capacity_exceeded, pdu_offset,
                            "UL_TTI.request: PRACH PDU %u beyond the %u supported", index,
                            static_cast<unsigned>(fapi_max_prach_pdus));
      }
      if (FapiError error =
              decode_prach_pdu(body, pdu_offset + pdu_header_size, out.prach[out.num_prach]);
          !error.ok()) {
        return error;
      }
      out.prach_pdu_index[out.num_prach++] = static_cast<std::uint8_t>(index);
      break;
    }
    case FapiUlPduType::pucch: {
      if (out.num_pucch == fapi_max_pucch_pdus) {
        return ul_tti_error(FapiStatus::capacity_exceeded, pdu_offset,
                            "UL_TTI.request: PUCCH PDU %u beyond the %u supported", index,
                            static_cast<unsigned>(fapi_max_pucch_pdus));
      }
      if (FapiError error =
              decode_pucch_pdu(body, pdu_offset + pdu_header_size, out.pucch[out.num_pucch]);
          !error.ok()) {
        return error;
      }
      out.pucch_pdu_index[out.num_pucch++] = static_cast<std::uint8_t>(index);
      break;
    }
    case FapiUlPduType::srs: {
      if (out.num_srs == fapi_max_srs_pdus) {
        return ul_tti_error(FapiStatus::capacity_exceeded, pdu_offset,
                            "UL_TTI.request: SRS PDU %u beyond the %u supported", index,
                            static_cast<unsigned>(fapi_max_srs_pdus));
      }
      if (FapiError error =
              decode_srs_pdu(body, pdu_offset + pdu_header_size, out.srs[out.num_srs]);
          !error.ok()) {
        return error;
      }
      out.srs_pdu_index[out.num_srs++] = static_cast<std::uint8_t>(index);
      break;
    }
    default:
      return ul_tti_error(FapiStatus::out_of_range, pdu_offset,
                          "UL_TTI.request: pduType %u of PDU %u is not 0..3", pdu_type, index);
    }
  }
  return {};
}

FapiError decode_groups(ByteReader& reader, unsigned num_groups, unsigned num_pdus,
                        FapiUlTtiRequest& out) {
  if (num_groups > fapi_max_ue_groups) {
    return ul_tti_error(FapiStatus::capacity_exceeded, 8,
                        "UL_TTI.request: nGroup %u exceeds the %u supported", num_groups,
                        static_cast<unsigned>(fapi_max_ue_groups));
  }
  for (unsigned g = 0; g < num_groups; ++g) {
    FapiUeGroup& group = out.groups[g];
    group = {};
    const std::size_t group_offset = reader.offset();
    group.num_ues = reader.u8();
    if (!reader.failed() && (group.num_ues < 1 || group.num_ues > fapi_max_ues_per_group)) {
      return out_of_range_error(ul_tti, group_offset, "nUe", group.num_ues, 1,
                                fapi_max_ues_per_group);
    }
    for (unsigned u = 0; u < group.num_ues; ++u) {
      group.pdu_index[u] = reader.u8();
      if (!reader.failed() && group.pdu_index[u] >= num_pdus) {
        return ul_tti_error(FapiStatus::out_of_range, reader.offset() - 1,
                            "UL_TTI.request: PduIdx %u refers past the %u PDUs", group.pdu_index[u],
                            num_pdus);
      }
    }
    if (reader.failed()) {
      return truncated_error(ul_tti, reader, "UE group");
    }
  }
  out.num_groups = num_groups;
  return {};
}

constexpr std::size_t max_ul_tti_pdus =
    fapi_max_pusch_pdus + fapi_max_pucch_pdus + fapi_max_prach_pdus + fapi_max_srs_pdus;
static_assert(max_ul_tti_pdus <= 255, "nPDUs and PduIdx are 8 bits");

/// One PDU to write: its type and index in FapiUlTtiRequest::pusch, ::pucch, ::prach or ::srs.
struct UlTtiPduRef {
  FapiUlPduType type = FapiUlPduType::pusch;
  std::size_t index = 0;
};

/// The PDUs of one type in a FapiUlTtiRequest: how many, and their positions in the message.
struct UlTtiPduKind {
  FapiUlPduType type = FapiUlPduType::pusch;
  std::size_t count = 0;
  const std::uint8_t* positions = nullptr;
};

/// The PDU kinds in the order the encoder writes them when the positions do not apply.
std::array<UlTtiPduKind, 4> ul_tti_pdu_kinds(const FapiUlTtiRequest& message) {
  return {{{FapiUlPduType::pusch, message.num_pusch, message.pusch_pdu_index.data()},
           {FapiUlPduType::pucch, message.num_pucch, message.pucch_pdu_index.data()},
           {FapiUlPduType::prach, message.num_prach, message.prach_pdu_index.data()},
           {FapiUlPduType::srs, message.num_srs, message.srs_pdu_index.data()}}};
}

/// nPDUs of \p message.
std::size_t ul_tti_num_pdus(const FapiUlTtiRequest& message) {
  return message.num_pusch + message.num_pucch + message.num_prach + message.num_srs;
}

/// The PDUs in the order they are written: at the positions pusch_pdu_index / pucch_pdu_index /
/// prach_pdu_index / srs_pdu_index give when these name every position once, otherwise the PUSCH
/// PDUs, then the PUCCH PDUs, then the PRACH PDUs, then the SRS PDUs.
void ul_tti_pdu_order(const FapiUlTtiRequest& message,
                      std::array<UlTtiPduRef, max_ul_tti_pdus>& order) {
  const std::array<UlTtiPduKind, 4> kinds = ul_tti_pdu_kinds(message);
  const std::size_t num_pdus = ul_tti_num_pdus(message);
  std::array<bool, max_ul_tti_pdus> taken{};
  bool explicit_order = true;
  for (const UlTtiPduKind& kind : kinds) {
    for (std::size_t i = 0; i < kind.count && explicit_order; ++i) {
      const std::uint8_t position = kind.positions[i];
      if (position >= num_pdus || taken[position]) {
        explicit_order = false;
        break;
      }
      taken[position] = true;
      order[position] = {kind.type, i};
    }
  }
  if (explicit_order) {
    return;
  }
  std::size_t next = 0;
  for (const UlTtiPduKind& kind : kinds) {
    for (std::size_t i = 0; i < kind.count; ++i) {
      order[next++] = {kind.type, i};
    }
  }
}

/// What the encoder checks before writing: SFN / slot, capacities, every PDU and group.
FapiError check_ul_tti_for_encoding(const FapiUlTtiRequest& message) {
  if (FapiError error = check_sfn_slot(ul_tti, message.sfn, message.slot, 0); !error.ok()) {
    return error;
  }
  if (message.num_pusch > fapi_max_pusch_pdus || message.num_pucch > fapi_max_pucch_pdus ||
      message.num_prach > fapi_max_prach_pdus || message.num_srs > fapi_max_srs_pdus ||
      message.num_groups > fapi_max_ue_groups) {
    return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, ul_tti, 0,
                           "UL_TTI.request: %zu PUSCH / %zu PUCCH / %zu PRACH / %zu SRS PDUs / %zu "
                           "groups exceed the capacity",
                           message.num_pusch, message.num_pucch, message.num_prach, message.num_srs,
                           message.num_groups);
  }
  for (const FapiPuschPdu& pdu : message.pusch_pdus()) {
    // What the decoder checks, so that every decoded message encodes again.
    if (FapiError error = check_pusch_pdu_reportable(pdu, 0); !error.ok()) {
      return error;
    }
  }
  for (const FapiPucchPdu& pdu : message.pucch_pdus()) {
    // What the decoder checks, so that every decoded message encodes again.
    if (FapiError error = check_pucch_pdu_reportable(pdu, 0); !error.ok()) {
      return error;
    }
  }
  for (const FapiPrachPdu& pdu : message.prach_pdus()) {
    // What the decoder checks, so that every decoded message encodes again.
    if (FapiError error = check_rx_beamforming(pdu.beamforming, 0); !error.ok()) {
      return error;
    }
  }
  for (const FapiSrsPdu& pdu : message.srs_pdus()) {
    // What the decoder checks, so that every decoded message encodes again.
    if (FapiError error = check_srs_pdu_reportable(pdu, 0); !error.ok()) {
      return error;
    }
  }
  const std::size_t num_pdus = ul_tti_num_pdus(message);
  for (std::size_t g = 0; g < message.num_groups; ++g) {
    const FapiUeGroup& group = message.groups[g];
    if (group.num_ues < 1 || group.num_ues > fapi_max_ues_per_group) {
      return out_of_range_error(ul_tti, 0, "nUe", group.num_ues, 1, fapi_max_ues_per_group);
    }
    for (unsigned u = 0; u < group.num_ues; ++u) {
      if (group.pdu_index[u] >= num_pdus) {
        return ul_tti_error(FapiStatus::out_of_range, 0,
                            "UL_TTI.request: PduIdx %u refers past the %u PDUs", group.pdu_index[u],
                            static_cast<unsigned>(num_pdus));
      }
    }
  }
  return {};
}

} // namespace

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiSlotIndication& out) {
  constexpr FapiMessageType type = FapiSlotIndication::message_type;
  out = {};
  ByteReader reader(body);
  out.sfn = reader.u16();
  out.slot = reader.u16();
  if (reader.failed()) {
    return truncated_error(type, reader, "body");
  }
  if (FapiError error = check_sfn_slot(type, out.sfn, out.slot, 0); !error.ok()) {
    return error;
  }
  return reader.remaining() == 0 ? FapiError{} : trailing_bytes_error(type, reader);
}

FapiError encode_message_body(const FapiSlotIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  constexpr FapiMessageType type = FapiSlotIndication::message_type;
  if (FapiError error = check_sfn_slot(type, message.sfn, message.slot, 0); !error.ok()) {
    return error;
  }
  ByteWriter writer(out);
  writer.u16(message.sfn);
  writer.u16(message.slot);
  if (writer.failed()) {
    return buffer_too_small_error(type, 4);
  }
  written = writer.position();
  return {};
}

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiUlTtiRequest& out) {
  out.sfn = 0;
  out.slot = 0;
  out.num_pusch = 0;
  out.num_pucch = 0;
  out.num_prach = 0;
  out.num_srs = 0;
  out.num_groups = 0;
  out.num_prach_skipped = out.num_pucch_skipped = out.num_srs_skipped = 0;
  ByteReader reader(body);
  out.sfn = reader.u16();
  out.slot = reader.u16();
  const unsigned num_pdus = reader.u8();
  const unsigned rach_present = reader.u8();
  const unsigned num_ulsch = reader.u8();
  const unsigned num_ulcch = reader.u8();
  const unsigned num_groups = reader.u8();
  if (reader.failed()) {
    return truncated_error(ul_tti, reader, "header");
  }
  if (FapiError error = check_sfn_slot(ul_tti, out.sfn, out.slot, 0); !error.ok()) {
    return error;
  }
  if (rach_present > 1) {
    return out_of_range_error(ul_tti, 5, "RachPresent", rach_present, 0, 1);
  }
  if (FapiError error = decode_pdus(reader, num_pdus, out); !error.ok()) {
    return error;
  }
  if (num_ulsch != out.num_pusch || num_ulcch != out.num_pucch) {
    return make_fapi_error(FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err, ul_tti, 6,
                           "UL_TTI.request: nULSCH %u / nULCCH %u disagree with the %zu PUSCH / "
                           "%zu PUCCH PDUs",
                           num_ulsch, num_ulcch, out.num_pusch, out.num_pucch);
  }
  if ((rach_present != 0) != (out.num_prach != 0)) {
    return ul_tti_error(FapiStatus::length_mismatch, 5,
                        "UL_TTI.request: RachPresent %u disagrees with %u PRACH PDU(s)",
                        rach_present, static_cast<unsigned>(out.num_prach));
  }
  if (FapiError error = decode_groups(reader, num_groups, num_pdus, out); !error.ok()) {
    return error;
  }
  return reader.remaining() == 0 ? FapiError{} : trailing_bytes_error(ul_tti, reader);
}

FapiError encode_message_body(const FapiUlTtiRequest& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  if (FapiError error = check_ul_tti_for_encoding(message); !error.ok()) {
    return error;
  }
  const std::size_t num_pdus = ul_tti_num_pdus(message);
  std::array<UlTtiPduRef, max_ul_tti_pdus> order{};
  ul_tti_pdu_order(message, order);
  ByteWriter writer(out);
  writer.u16(message.sfn);
  writer.u16(message.slot);
  writer.u8(static_cast<std::uint8_t>(num_pdus));
  writer.u8(message.num_prach != 0 ? 1 : 0);               // RachPresent
  writer.u8(static_cast<std::uint8_t>(message.num_pusch)); // nULSCH
  writer.u8(static_cast<std::uint8_t>(message.num_pucch)); // nULCCH
  writer.u8(static_cast<std::uint8_t>(message.num_groups));
  for (std::size_t p = 0; p < num_pdus; ++p) {
    const std::size_t start = writer.position();
    writer.u16(static_cast<std::uint16_t>(order[p].type));
    writer.u16(0); // pduSize, patched below
    switch (order[p].type) {
    case FapiUlPduType::pusch:
      write_pusch_pdu(writer, message.pusch[order[p].index]);
      break;
    case FapiUlPduType::pucch:
      write_pucch_pdu(writer, message.pucch[order[p].index]);
      break;
    case FapiUlPduType::srs:
      write_srs_pdu(writer, message.srs[order[p].index]);
      break;
    default:
      write_prach_pdu(writer, message.prach[order[p].index]);
      break;
    }
    writer.patch_u16(start + 2, static_cast<std::uint16_t>(writer.position() - start));
  }
  for (std::size_t g = 0; g < message.num_groups; ++g) {
    const FapiUeGroup& group = message.groups[g];
    writer.u8(group.num_ues);
    writer.bytes(std::span(group.pdu_index).first(group.num_ues));
  }
  if (writer.failed()) {
    return buffer_too_small_error(ul_tti, writer.position() + 1);
  }
  written = writer.position();
  return {};
}

} // namespace airan::io
