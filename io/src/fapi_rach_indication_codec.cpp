// RACH.indication (SCF 222.10.02 Table 3-74), little-endian: SFN (u16), slot (u16), numPdus
// (u8), then per PDU physCellID (u16), SymbolIndex, SlotIndex, FreqIndex, avgRssi, avgSnr,
// numPreambles (u8 each), and per preamble preambleIndex (u8), TimingAdvance (u16) and
// PreamblePwr (u32).
#include "airan/io/fapi_codec.h"
#include "fapi_codec_common.h"
#include "fapi_counted_indication.h"

#include <algorithm>

namespace airan::io {

using namespace fapi_detail;

namespace {

constexpr FapiMessageType rach_type = FapiRachIndication::message_type;
constexpr std::size_t rach_pdu_fixed_size = 8; // physCellID .. numPreambles
constexpr unsigned rach_max_phys_cell_id = 1007;
constexpr unsigned rach_max_symbol_index = 13;
constexpr unsigned rach_max_slot_index = 79;
constexpr unsigned rach_max_freq_index = 7;
constexpr unsigned rach_max_preamble_index = 63;

/// Range check of one RACH.indication field (out_of_range, MSG_SLOT_ERR).
bool rach_in_range(const char* field, unsigned value, unsigned high, std::size_t offset,
                   FapiError& error) {
  if (value > high) {
    error = out_of_range_error(rach_type, offset, field, value, 0, high);
    return false;
  }
  return true;
}

/// Checks one preamble; \p offset is its preambleIndex's.
FapiError check_rach_preamble(const FapiRachPreamble& p, std::size_t offset) {
  FapiError error;
  if (!rach_in_range("preambleIndex", p.preamble_index, rach_max_preamble_index, offset, error)) {
    return error;
  }
  if (p.timing_advance > FapiRachPreamble::max_timing_advance &&
      p.timing_advance != FapiRachPreamble::invalid_timing_advance) {
    return out_of_range_error(rach_type, offset + 1, "TimingAdvance (0xFFFF: invalid)",
                              p.timing_advance, 0, FapiRachPreamble::max_timing_advance);
  }
  if (p.preamble_power > FapiRachPreamble::max_preamble_power &&
      p.preamble_power != FapiRachPreamble::invalid_preamble_power) {
    return out_of_range_error(rach_type, offset + 3, "PreamblePwr (0xFFFFFFFF: invalid)",
                              p.preamble_power, 0, FapiRachPreamble::max_preamble_power);
  }
  return {};
}

/// Checks the fields of one PDU before its preambles; \p offset is its physCellID's.
FapiError check_rach_pdu_header(const FapiRachPdu& pdu, std::size_t offset) {
  FapiError error;
  const bool ok =
      rach_in_range("physCellID", pdu.phys_cell_id, rach_max_phys_cell_id, offset, error) &&
      rach_in_range("SymbolIndex", pdu.symbol_index, rach_max_symbol_index, offset + 2, error) &&
      rach_in_range("SlotIndex", pdu.slot_index, rach_max_slot_index, offset + 3, error) &&
      rach_in_range("FreqIndex", pdu.freq_index, rach_max_freq_index, offset + 4, error) &&
      rach_in_range("numPreambles", pdu.num_preambles, fapi_max_rach_preambles, offset + 7, error);
  return ok ? FapiError{} : error;
}

/// Checks a whole PDU (for the encoder; offsets within the PDU).
FapiError check_rach_pdu(const FapiRachPdu& pdu) {
  if (FapiError error = check_rach_pdu_header(pdu, 0); !error.ok()) {
    return error;
  }
  for (const FapiRachPreamble& preamble : pdu.preamble_entries()) {
    if (FapiError error = check_rach_preamble(preamble, 0); !error.ok()) {
      return error;
    }
  }
  return {};
}

FapiError read_rach_pdu(ByteReader& reader, FapiRachPdu& pdu) {
  const std::size_t offset = reader.offset();
  pdu.phys_cell_id = reader.u16();
  pdu.symbol_index = reader.u8();
  pdu.slot_index = reader.u8();
  pdu.freq_index = reader.u8();
  pdu.avg_rssi = reader.u8();
  pdu.avg_snr = reader.u8();
  pdu.num_preambles = reader.u8();
  if (reader.failed()) {
    return truncated_error(rach_type, reader, "PDU");
  }
  if (FapiError error = check_rach_pdu_header(pdu, offset); !error.ok()) {
    return error;
  }
  for (std::size_t i = 0; i < pdu.num_preambles; ++i) {
    const std::size_t preamble_offset = reader.offset();
    FapiRachPreamble& preamble = pdu.preambles[i];
    preamble.preamble_index = reader.u8();
    preamble.timing_advance = reader.u16();
    preamble.preamble_power = reader.u32();
    if (reader.failed()) {
      return truncated_error(rach_type, reader, "preamble");
    }
    if (FapiError error = check_rach_preamble(preamble, preamble_offset); !error.ok()) {
      return error;
    }
  }
  // Preambles past the count are zero after a decode, like the other fixed arrays.
  std::fill(pdu.preambles.begin() + pdu.num_preambles, pdu.preambles.end(), FapiRachPreamble{});
  return {};
}

void write_rach_pdu(ByteWriter& writer, const FapiRachPdu& pdu) {
  writer.u16(pdu.phys_cell_id);
  writer.u8(pdu.symbol_index);
  writer.u8(pdu.slot_index);
  writer.u8(pdu.freq_index);
  writer.u8(pdu.avg_rssi);
  writer.u8(pdu.avg_snr);
  writer.u8(pdu.num_preambles);
  for (const FapiRachPreamble& preamble : pdu.preamble_entries()) {
    writer.u8(preamble.preamble_index);
    writer.u16(preamble.timing_advance);
    writer.u32(preamble.preamble_power);
  }
}

} // namespace

constexpr CountedIndicationShape rach_indication_shape{rach_type, "RACH.indication", "numPdus",
                                                       fapi_max_rach_pdus, rach_pdu_fixed_size};

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiRachIndication& out) {
  return decode_counted_indication(
      body, out, rach_indication_shape,
      [](ByteReader& reader, FapiRachPdu& pdu) { return read_rach_pdu(reader, pdu); });
}

FapiError encode_message_body(const FapiRachIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  return encode_counted_indication(
      message, out, written, rach_indication_shape,
      [](const FapiRachPdu& pdu) { return check_rach_pdu(pdu); },
      [](ByteWriter& writer, const FapiRachPdu& pdu) { write_rach_pdu(writer, pdu); });
}

} // namespace airan::io
