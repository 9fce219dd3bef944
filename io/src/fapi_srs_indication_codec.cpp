// SRS.indication (SCF 222.10.02 section 3.4.10), little-endian: SFN (u16), slot (u16), NumPDUs
// (u8), then per PDU Handle (u32), RNTI (u16), TimingAdvance (u16), NumSymbols, WideBandSNR,
// NumReportedSymbols (u8 each), and per reported symbol NumRBs (u16) and NumRBs RBSNR bytes.
#include "airan/io/fapi_codec.h"
#include "fapi_codec_common.h"
#include "fapi_counted_indication.h"

namespace airan::io {

using namespace fapi_detail;

namespace {

constexpr FapiMessageType srs_type = FapiSrsIndication::message_type;
constexpr std::size_t srs_indication_pdu_min_size = 11; // Handle .. NumReportedSymbols
constexpr std::size_t srs_ta_offset = 6;                // TimingAdvance within a PDU
constexpr std::size_t srs_num_reported_offset = 10;

/// Checks the fields of one PDU before its reported symbols; \p offset is its Handle's.
FapiError check_srs_indication_pdu_header(const FapiSrsIndicationPdu& pdu, std::size_t offset) {
  if (pdu.timing_advance > FapiSrsIndicationPdu::max_timing_advance &&
      pdu.timing_advance != FapiSrsIndicationPdu::invalid_timing_advance) {
    return out_of_range_error(srs_type, offset + srs_ta_offset, "TimingAdvance (0xFFFF: invalid)",
                              pdu.timing_advance, 0, FapiSrsIndicationPdu::max_timing_advance);
  }
  if (pdu.num_reported_symbols > fapi_max_srs_reported_symbols) {
    return out_of_range_error(srs_type, offset + srs_num_reported_offset, "NumReportedSymbols",
                              pdu.num_reported_symbols, 0, fapi_max_srs_reported_symbols);
  }
  return {};
}

/// Checks one reported symbol; \p offset is its NumRBs'.
FapiError check_srs_reported_symbol(const FapiSrsReportedSymbol& symbol, std::size_t offset) {
  if (symbol.num_rbs > fapi_max_srs_rbs) {
    return out_of_range_error(srs_type, offset, "NumRBs", symbol.num_rbs, 0, fapi_max_srs_rbs);
  }
  return {};
}

/// Checks a whole PDU (for the encoder; offsets within the PDU).
FapiError check_srs_indication_pdu(const FapiSrsIndicationPdu& pdu) {
  if (FapiError error = check_srs_indication_pdu_header(pdu, 0); !error.ok()) {
    return error;
  }
  for (const FapiSrsReportedSymbol& symbol : pdu.reported()) {
    if (FapiError error = check_srs_reported_symbol(symbol, 0); !error.ok()) {
      return error;
    }
  }
  return {};
}

FapiError read_srs_indication_pdu(ByteReader& reader, FapiSrsIndicationPdu& pdu) {
  // Zeroed first: reported symbols and RB SNRs past the counts are zero after a decode.
  pdu = {};
  const std::size_t offset = reader.offset();
  pdu.handle = reader.u32();
  pdu.rnti = reader.u16();
  pdu.timing_advance = reader.u16();
  pdu.num_symbols = reader.u8();
  pdu.wide_band_snr = reader.u8();
  pdu.num_reported_symbols = reader.u8();
  if (reader.failed()) {
    return truncated_error(srs_type, reader, "PDU");
  }
  if (FapiError error = check_srs_indication_pdu_header(pdu, offset); !error.ok()) {
    return error;
  }
  for (std::size_t s = 0; s < pdu.num_reported_symbols; ++s) {
    FapiSrsReportedSymbol& symbol = pdu.reported_symbols[s];
    const std::size_t symbol_offset = reader.offset();
    symbol.num_rbs = reader.u16();
    if (reader.failed()) {
      return truncated_error(srs_type, reader, "reported symbol");
    }
    if (FapiError error = check_srs_reported_symbol(symbol, symbol_offset); !error.ok()) {
      return error;
    }
    reader.copy(std::span(symbol.rb_snr).first(symbol.num_rbs));
    if (reader.failed()) {
      return truncated_error(srs_type, reader, "RBSNR");
    }
  }
  return {};
}

void write_srs_indication_pdu(ByteWriter& writer, const FapiSrsIndicationPdu& pdu) {
  writer.u32(pdu.handle);
  writer.u16(pdu.rnti);
  writer.u16(pdu.timing_advance);
  writer.u8(pdu.num_symbols);
  writer.u8(pdu.wide_band_snr);
  writer.u8(pdu.num_reported_symbols);
  for (const FapiSrsReportedSymbol& symbol : pdu.reported()) {
    writer.u16(symbol.num_rbs);
    writer.bytes(symbol.snrs());
  }
}

} // namespace

constexpr CountedIndicationShape srs_indication_shape{
    srs_type, "SRS.indication", "NumPDUs", fapi_max_srs_pdus, srs_indication_pdu_min_size};

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiSrsIndication& out) {
  return decode_counted_indication(body, out, srs_indication_shape,
                                   [](ByteReader& reader, FapiSrsIndicationPdu& pdu) {
                                     return read_srs_indication_pdu(reader, pdu);
                                   });
}

FapiError encode_message_body(const FapiSrsIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  return encode_counted_indication(
      message, out, written, srs_indication_shape,
      [](const FapiSrsIndicationPdu& pdu) { return check_srs_indication_pdu(pdu); },
      [](ByteWriter& writer, const FapiSrsIndicationPdu& pdu) {
        write_srs_indication_pdu(writer, pdu);
      });
}

} // namespace airan::io
