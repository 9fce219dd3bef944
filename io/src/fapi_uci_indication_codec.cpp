// UCI.indication (SCF 222.10.02 Table 3-63): SFN, slot, NumUCIs, then per UCI PDUType (uint16),
// PDUSize (uint16, counting these 4 bytes) and the PDU. PUSCH PDUs (PDUType 0, Table 3-64):
// pduBitmap (uint8; bit 1 HARQ, bit 2 CSI part 1, bit 3 CSI part 2), Handle (uint32), RNTI
// (uint16), UL_CQI (uint8), TimingAdvance (uint16), RSSI (uint16), then for each part present its
// CRC (uint8), BitLen (uint16) and ceil(BitLen / 8) payload bytes. The PUCCH PDUs (PDUTypes 1
// and 2) are in fapi_uci_pucch_codec.cpp.
#include "airan/io/fapi_codec.h"
#include "fapi_codec_common.h"
#include "fapi_uci_pdu_codec.h"

#include <tuple>
#include <utility>

namespace airan::io {

namespace {

constexpr FapiMessageType uci_type = FapiUciIndication::message_type;
constexpr std::size_t uci_pdu_header_size = 4; // PDUType + PDUSize
constexpr std::uint8_t bitmap_harq = 1U << 1;
constexpr std::uint8_t bitmap_csi_part1 = 1U << 2;
constexpr std::uint8_t bitmap_csi_part2 = 1U << 3;
/// PDUs of all types one message can hold.
constexpr std::size_t max_ucis = fapi_max_pusch_pdus + 2 * fapi_max_pucch_pdus;

} // namespace

namespace fapi_detail {

FapiError check_uci_rnti_and_measurement(std::uint16_t rnti, const FapiUlMeasurement& m,
                                         std::size_t offset) {
  if (rnti < 1) {
    return out_of_range_error(uci_type, offset, "RNTI", rnti, 1, 65535);
  }
  if (m.timing_advance > FapiUlMeasurement::max_timing_advance &&
      m.timing_advance != FapiUlMeasurement::invalid_u16) {
    return out_of_range_error(uci_type, offset, "TimingAdvance (0xFFFF: invalid)", m.timing_advance,
                              0, FapiUlMeasurement::max_timing_advance);
  }
  if (m.rssi > FapiUlMeasurement::max_rssi && m.rssi != FapiUlMeasurement::invalid_u16) {
    return out_of_range_error(uci_type, offset, "RSSI (0xFFFF: invalid)", m.rssi, 0,
                              FapiUlMeasurement::max_rssi);
  }
  return {};
}

FapiError check_uci_part(const FapiUciPart& part, const char* name, std::size_t offset) {
  if (part.crc > FapiUciPart::crc_not_present) {
    return out_of_range_error(uci_type, offset, name, part.crc, 0, 2);
  }
  if (part.bit_length == 0 || part.bit_length > FapiUciPart::max_bits) {
    return out_of_range_error(uci_type, offset + 1, name, part.bit_length, 1,
                              FapiUciPart::max_bits);
  }
  return {};
}

FapiError read_uci_part(ByteReader& reader, const char* name, FapiUciPart& part) {
  part = {};
  const std::size_t offset = reader.offset();
  part.crc = reader.u8();
  part.bit_length = reader.u16();
  if (reader.failed()) {
    return truncated_error(uci_type, reader, name);
  }
  if (FapiError error = check_uci_part(part, name, offset); !error.ok()) {
    return error;
  }
  reader.copy(std::span(part.payload).first(part.num_bytes()));
  if (reader.failed()) {
    return truncated_error(uci_type, reader, name);
  }
  return {};
}

void write_uci_part(ByteWriter& writer, const FapiUciPart& part) {
  writer.u8(part.crc);
  writer.u16(part.bit_length);
  writer.bytes(std::span(part.payload).first(part.num_bytes()));
}

} // namespace fapi_detail

using namespace fapi_detail;

namespace {

FapiError check_pdu(const FapiUciPusch& pdu, std::size_t offset) {
  if (FapiError error = check_uci_rnti_and_measurement(pdu.rnti, pdu.measurement, offset);
      !error.ok()) {
    return error;
  }
  for (const auto& [part, name] : {std::pair{&pdu.harq, "HarqCrc/HarqBitLen"},
                                   std::pair{&pdu.csi_part1, "CsiPart1Crc/CsiPart1BitLen"},
                                   std::pair{&pdu.csi_part2, "CsiPart2Crc/CsiPart2BitLen"}}) {
    if (*part) {
      if (FapiError error = check_uci_part(**part, name, offset); !error.ok()) {
        return error;
      }
    }
  }
  return {};
}

FapiError read_pdu(ByteReader& reader, FapiUciPusch& pdu) {
  pdu = {};
  const std::size_t offset = reader.offset();
  const std::uint8_t bitmap = reader.u8();
  pdu.handle = reader.u32();
  pdu.rnti = reader.u16();
  pdu.measurement.ul_cqi = reader.u8();
  pdu.measurement.timing_advance = reader.u16();
  pdu.measurement.rssi = reader.u16();
  if (reader.failed()) {
    return truncated_error(uci_type, reader, "UCI PUSCH PDU");
  }
  if ((bitmap & ~(bitmap_harq | bitmap_csi_part1 | bitmap_csi_part2)) != 0) {
    return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err, uci_type, offset,
                           "UCI.indication: pduBitmap 0x%02X sets bits other than 1..3",
                           static_cast<unsigned>(bitmap));
  }
  for (const auto& [bit, part, name] :
       {std::tuple{bitmap_harq, &pdu.harq, "HARQ PDU"},
        std::tuple{bitmap_csi_part1, &pdu.csi_part1, "CSI part 1 PDU"},
        std::tuple{bitmap_csi_part2, &pdu.csi_part2, "CSI part 2 PDU"}}) {
    if ((bitmap & bit) != 0) {
      if (FapiError error = read_uci_part(reader, name, part->emplace()); !error.ok()) {
        return error;
      }
    }
  }
  return check_pdu(pdu, offset);
}

/// Reads the PDU of type \p pdu_type into its array of \p out; \p offset is the PDUType's.
FapiError read_uci_typed_pdu(ByteReader& reader, std::uint16_t pdu_type, std::size_t offset,
                             FapiUciIndication& out) {
  const auto full = [&](const char* what, std::size_t capacity) {
    return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, uci_type,
                           offset, "UCI.indication: %s PDU beyond the %zu supported", what,
                           capacity);
  };
  // Each PDU goes in the next entry of its array, which counts it once it decoded.
  const auto read_into = [&](auto& entries, std::size_t& count, const char* what, auto read) {
    if (count == entries.size()) {
      return full(what, entries.size());
    }
    FapiError error = read(reader, entries[count]);
    count += error.ok() ? 1 : 0;
    return error;
  };
  switch (pdu_type) {
  case FapiUciIndication::pdu_type_pusch:
    return read_into(out.pdus, out.num_pdus, "PUSCH", read_pdu);
  case FapiUciIndication::pdu_type_pucch_format01:
    return read_into(out.pucch_f01, out.num_pucch_f01, "PUCCH format 0/1", read_uci_pucch_format01);
  case FapiUciIndication::pdu_type_pucch_format234:
    return read_into(out.pucch_f234, out.num_pucch_f234, "PUCCH format 2/3/4",
                     read_uci_pucch_format234);
  default:
    return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err, uci_type, offset,
                           "UCI.indication: PDUType %u is not 0 (PUSCH), 1 (PUCCH format 0/1) "
                           "or 2 (PUCCH format 2/3/4)",
                           static_cast<unsigned>(pdu_type));
  }
}

/// Writes PDUType, PDUSize and the PDU \p write_body writes.
template <typename WriteBody>
void write_uci_typed_pdu(ByteWriter& writer, std::uint16_t pdu_type, WriteBody write_body) {
  const std::size_t start = writer.position();
  writer.u16(pdu_type);
  writer.u16(0); // PDUSize, patched below
  write_body();
  writer.patch_u16(start + 2, static_cast<std::uint16_t>(writer.position() - start));
}

void write_uci_pusch_pdu(ByteWriter& writer, const FapiUciPusch& pdu) {
  writer.u8(static_cast<std::uint8_t>((pdu.harq ? bitmap_harq : 0) |
                                      (pdu.csi_part1 ? bitmap_csi_part1 : 0) |
                                      (pdu.csi_part2 ? bitmap_csi_part2 : 0)));
  writer.u32(pdu.handle);
  writer.u16(pdu.rnti);
  writer.u8(pdu.measurement.ul_cqi);
  writer.u16(pdu.measurement.timing_advance);
  writer.u16(pdu.measurement.rssi);
  for (const auto* part : {&pdu.harq, &pdu.csi_part1, &pdu.csi_part2}) {
    if (*part) {
      write_uci_part(writer, **part);
    }
  }
}

/// Checks the counts and every PDU of \p message before encoding.
FapiError check_uci_for_encoding(const FapiUciIndication& message) {
  if (FapiError error = check_sfn_slot(uci_type, message.sfn, message.slot, 0); !error.ok()) {
    return error;
  }
  if (message.num_pdus > fapi_max_pusch_pdus || message.num_pucch_f01 > fapi_max_pucch_pdus ||
      message.num_pucch_f234 > fapi_max_pucch_pdus) {
    return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, uci_type, 4,
                           "UCI.indication: %zu PUSCH / %zu format 0/1 / %zu format 2/3/4 UCIs "
                           "exceed the capacity",
                           message.num_pdus, message.num_pucch_f01, message.num_pucch_f234);
  }
  for (const FapiUciPusch& pdu : message.entries()) {
    if (FapiError error = check_pdu(pdu, 0); !error.ok()) {
      return error;
    }
  }
  for (const FapiUciPucchFormat01& pdu : message.pucch_f01_entries()) {
    if (FapiError error = check_uci_pucch_format01(pdu, 0); !error.ok()) {
      return error;
    }
  }
  for (const FapiUciPucchFormat234& pdu : message.pucch_f234_entries()) {
    if (FapiError error = check_uci_pucch_format234(pdu, 0); !error.ok()) {
      return error;
    }
  }
  return {};
}

} // namespace

FapiError decode_message_body(std::span<const std::uint8_t> body, FapiUciIndication& out) {
  ByteReader reader(body);
  out.num_pdus = out.num_pucch_f01 = out.num_pucch_f234 = 0;
  out.sfn = reader.u16();
  out.slot = reader.u16();
  const unsigned count = reader.u16();
  if (reader.failed()) {
    return truncated_error(uci_type, reader, "header");
  }
  if (FapiError error = check_sfn_slot(uci_type, out.sfn, out.slot, 0); !error.ok()) {
    return error;
  }
  if (count > max_ucis) {
    return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, uci_type, 4,
                           "UCI.indication: %u UCIs exceed the %zu supported", count, max_ucis);
  }
  for (unsigned i = 0; i < count; ++i) {
    const std::size_t offset = reader.offset();
    const std::uint16_t pdu_type = reader.u16();
    const std::uint16_t pdu_size = reader.u16();
    if (reader.failed()) {
      return truncated_error(uci_type, reader, "PDU header");
    }
    if (pdu_size < uci_pdu_header_size || pdu_size - uci_pdu_header_size > reader.remaining()) {
      return make_fapi_error(FapiStatus::truncated, FapiErrorCode::msg_slot_err, uci_type,
                             offset + 2,
                             "UCI.indication: PDUSize %u does not fit the %zu byte(s) left",
                             static_cast<unsigned>(pdu_size), reader.remaining() + 4);
    }
    ByteReader pdu_reader(reader.view(pdu_size - uci_pdu_header_size),
                          offset + uci_pdu_header_size);
    if (FapiError error = read_uci_typed_pdu(pdu_reader, pdu_type, offset, out); !error.ok()) {
      return error;
    }
    if (pdu_reader.remaining() != 0) {
      return trailing_bytes_error(uci_type, pdu_reader);
    }
  }
  return reader.remaining() == 0 ? FapiError{} : trailing_bytes_error(uci_type, reader);
}

FapiError encode_message_body(const FapiUciIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written) {
  if (FapiError error = check_uci_for_encoding(message); !error.ok()) {
    return error;
  }
  ByteWriter writer(out);
  writer.u16(message.sfn);
  writer.u16(message.slot);
  writer.u16(static_cast<std::uint16_t>(message.num_ucis()));
  for (const FapiUciPusch& pdu : message.entries()) {
    write_uci_typed_pdu(writer, FapiUciIndication::pdu_type_pusch,
                        [&] { write_uci_pusch_pdu(writer, pdu); });
  }
  for (const FapiUciPucchFormat01& pdu : message.pucch_f01_entries()) {
    write_uci_typed_pdu(writer, FapiUciIndication::pdu_type_pucch_format01,
                        [&] { write_uci_pucch_format01(writer, pdu); });
  }
  for (const FapiUciPucchFormat234& pdu : message.pucch_f234_entries()) {
    write_uci_typed_pdu(writer, FapiUciIndication::pdu_type_pucch_format234,
                        [&] { write_uci_pucch_format234(writer, pdu); });
  }
  if (writer.failed()) {
    return buffer_too_small_error(uci_type, writer.position() + 1);
  }
  written = writer.position();
  return {};
}

} // namespace airan::io
