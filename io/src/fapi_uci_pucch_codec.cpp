// UCI.indication PUCCH PDUs (SCF 222.10.02), after PDUType and PDUSize. Both types start with
// pduBitmap (u8), Handle (u32), RNTI (u16), PucchFormat (u8), UL_CQI (u8), TimingAdvance (u16)
// and RSSI (u16), then the PDUs their pduBitmap announces:
// - PDUType 1, format 0/1 (Table 3-67): bit 0 the SR PDU, SRindication (u8: 0 not detected,
//   1 detected) and SRconfidenceLevel (u8); bit 1 the HARQ PDU, NumHarq (u8, 1 .. 2),
//   HarqconfidenceLevel (u8) and HarqValue (u8: 0 ACK, 1 NACK, 2 DTX) x NumHarq. Confidence
//   levels: 0 good, 1 bad, 0xFF invalid.
// - PDUType 2, format 2/3/4 (Table 3-68): bit 0 the SR PDU, SrBitLen (u16, 1 .. 8) and
//   ceil(SrBitLen / 8) payload bytes; bits 1, 2, 3 the HARQ, CSI part 1 and CSI part 2 PDUs, each
//   CRC (u8), BitLen (u16) and payload as in the PUSCH PDU.
#include "fapi_codec_common.h"
#include "fapi_uci_pdu_codec.h"

#include <tuple>
#include <utility>

namespace airan::io::fapi_detail {
namespace {

constexpr FapiMessageType uci_pucch_message = FapiMessageType::uci_indication;
constexpr std::uint8_t pucch_bitmap_sr = 1U << 0;
constexpr std::uint8_t pucch_bitmap_harq = 1U << 1;
constexpr std::uint8_t pucch_bitmap_csi_part1 = 1U << 2;
constexpr std::uint8_t pucch_bitmap_csi_part2 = 1U << 3;

/// The fields both PUCCH PDU types start with, after pduBitmap.
struct PucchUciHeader {
  std::uint32_t handle = 0;
  std::uint16_t rnti = 1;
  std::uint8_t pucch_format = 0;
  FapiUlMeasurement measurement;
};

PucchUciHeader read_pucch_uci_header(ByteReader& reader) {
  PucchUciHeader header;
  header.handle = reader.u32();
  header.rnti = reader.u16();
  header.pucch_format = reader.u8();
  header.measurement.ul_cqi = reader.u8();
  header.measurement.timing_advance = reader.u16();
  header.measurement.rssi = reader.u16();
  return header;
}

void write_pucch_uci_header(ByteWriter& writer, std::uint8_t bitmap, const PucchUciHeader& header) {
  writer.u8(bitmap);
  writer.u32(header.handle);
  writer.u16(header.rnti);
  writer.u8(header.pucch_format);
  writer.u8(header.measurement.ul_cqi);
  writer.u16(header.measurement.timing_advance);
  writer.u16(header.measurement.rssi);
}

FapiError pucch_bitmap_error(std::uint8_t bitmap, unsigned highest_bit, std::size_t offset) {
  return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err, uci_pucch_message,
                         offset,
                         "UCI.indication: PUCCH pduBitmap 0x%02X sets bits other than 0..%u",
                         static_cast<unsigned>(bitmap), highest_bit);
}

FapiError check_uci_confidence(const char* name, std::uint8_t level, std::size_t offset) {
  if (level > fapi_uci_confidence::bad && level != fapi_uci_confidence::invalid) {
    return out_of_range_error(uci_pucch_message, offset, name, level, 0, 1);
  }
  return {};
}

} // namespace

FapiError check_uci_pucch_format01(const FapiUciPucchFormat01& pdu, std::size_t offset) {
  if (pdu.pucch_format > FapiUciPucchFormat01::format1) {
    return out_of_range_error(uci_pucch_message, offset, "PucchFormat (PDUType 1)",
                              pdu.pucch_format, 0, 1);
  }
  if (FapiError error = check_uci_rnti_and_measurement(pdu.rnti, pdu.measurement, offset);
      !error.ok()) {
    return error;
  }
  if (const auto& sr = pdu.sr) {
    if (sr->sr_indication > 1) {
      return out_of_range_error(uci_pucch_message, offset, "SRindication", sr->sr_indication, 0, 1);
    }
    if (FapiError error =
            check_uci_confidence("SRconfidenceLevel (0xFF: invalid)", sr->confidence_level, offset);
        !error.ok()) {
      return error;
    }
  }
  if (const auto& harq = pdu.harq) {
    if (harq->num_harq < 1 || harq->num_harq > FapiUciHarqFormat01::max_harq) {
      return out_of_range_error(uci_pucch_message, offset, "NumHarq", harq->num_harq, 1,
                                FapiUciHarqFormat01::max_harq);
    }
    if (FapiError error = check_uci_confidence("HarqconfidenceLevel (0xFF: invalid)",
                                               harq->confidence_level, offset);
        !error.ok()) {
      return error;
    }
    for (unsigned i = 0; i < harq->num_harq; ++i) {
      if (harq->values[i] > FapiUciHarqFormat01::dtx) {
        return out_of_range_error(uci_pucch_message, offset, "HarqValue", harq->values[i], 0,
                                  FapiUciHarqFormat01::dtx);
      }
    }
  }
  return {};
}

/// Empties \p pdu, reads pduBitmap (returned) and the header common to both PUCCH PDU types.
template <typename Pdu> std::uint8_t read_pucch_uci_start(ByteReader& reader, Pdu& pdu) {
  pdu = {};
  const std::uint8_t bitmap = reader.u8();
  const PucchUciHeader header = read_pucch_uci_header(reader);
  pdu.handle = header.handle;
  pdu.rnti = header.rnti;
  pdu.pucch_format = header.pucch_format;
  pdu.measurement = header.measurement;
  return bitmap;
}

FapiError read_uci_pucch_format01(ByteReader& reader, FapiUciPucchFormat01& pdu) {
  const std::size_t offset = reader.offset();
  const std::uint8_t bitmap = read_pucch_uci_start(reader, pdu);
  if (reader.failed()) {
    return truncated_error(uci_pucch_message, reader, "UCI PUCCH format 0/1 PDU");
  }
  if ((bitmap & ~(pucch_bitmap_sr | pucch_bitmap_harq)) != 0) {
    return pucch_bitmap_error(bitmap, 1, offset);
  }
  if ((bitmap & pucch_bitmap_sr) != 0) {
    FapiUciSrFormat01& sr = pdu.sr.emplace();
    sr.sr_indication = reader.u8();
    sr.confidence_level = reader.u8();
  }
  if ((bitmap & pucch_bitmap_harq) != 0) {
    FapiUciHarqFormat01& harq = pdu.harq.emplace();
    harq.num_harq = reader.u8();
    harq.confidence_level = reader.u8();
    if (!reader.failed() && (harq.num_harq < 1 || harq.num_harq > FapiUciHarqFormat01::max_harq)) {
      return out_of_range_error(uci_pucch_message, reader.offset() - 2, "NumHarq", harq.num_harq, 1,
                                FapiUciHarqFormat01::max_harq);
    }
    for (unsigned i = 0; i < harq.num_harq && !reader.failed(); ++i) {
      harq.values[i] = reader.u8();
    }
  }
  if (reader.failed()) {
    return truncated_error(uci_pucch_message, reader, "UCI PUCCH format 0/1 PDU");
  }
  return check_uci_pucch_format01(pdu, offset);
}

void write_uci_pucch_format01(ByteWriter& writer, const FapiUciPucchFormat01& pdu) {
  const auto bitmap = static_cast<std::uint8_t>((pdu.sr ? pucch_bitmap_sr : 0) |
                                                (pdu.harq ? pucch_bitmap_harq : 0));
  write_pucch_uci_header(writer, bitmap, {pdu.handle, pdu.rnti, pdu.pucch_format, pdu.measurement});
  if (const auto& sr = pdu.sr) {
    writer.u8(sr->sr_indication);
    writer.u8(sr->confidence_level);
  }
  if (const auto& harq = pdu.harq) {
    writer.u8(harq->num_harq);
    writer.u8(harq->confidence_level);
    writer.bytes(std::span(harq->values).first(harq->num_harq));
  }
}

FapiError check_uci_pucch_format234(const FapiUciPucchFormat234& pdu, std::size_t offset) {
  if (pdu.pucch_format > FapiUciPucchFormat234::format4) {
    return out_of_range_error(uci_pucch_message, offset, "PucchFormat (PDUType 2)",
                              pdu.pucch_format, 0, 2);
  }
  if (FapiError error = check_uci_rnti_and_measurement(pdu.rnti, pdu.measurement, offset);
      !error.ok()) {
    return error;
  }
  if (pdu.sr && (pdu.sr->bit_length < 1 || pdu.sr->bit_length > FapiUciSrPayload::max_bits)) {
    return out_of_range_error(uci_pucch_message, offset, "SrBitLen", pdu.sr->bit_length, 1,
                              FapiUciSrPayload::max_bits);
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

FapiError read_uci_pucch_format234(ByteReader& reader, FapiUciPucchFormat234& pdu) {
  const std::size_t offset = reader.offset();
  const std::uint8_t bitmap = read_pucch_uci_start(reader, pdu);
  if (reader.failed()) {
    return truncated_error(uci_pucch_message, reader, "UCI PUCCH format 2/3/4 PDU");
  }
  if ((bitmap & ~(pucch_bitmap_sr | pucch_bitmap_harq | pucch_bitmap_csi_part1 |
                  pucch_bitmap_csi_part2)) != 0) {
    return pucch_bitmap_error(bitmap, 3, offset);
  }
  if ((bitmap & pucch_bitmap_sr) != 0) {
    FapiUciSrPayload& sr = pdu.sr.emplace();
    sr.bit_length = reader.u16();
    if (reader.failed()) {
      return truncated_error(uci_pucch_message, reader, "SR PDU");
    }
    if (sr.bit_length < 1 || sr.bit_length > FapiUciSrPayload::max_bits) {
      return out_of_range_error(uci_pucch_message, reader.offset() - 2, "SrBitLen", sr.bit_length,
                                1, FapiUciSrPayload::max_bits);
    }
    sr.payload = reader.u8(); // ceil(SrBitLen / 8) = 1 byte
    if (reader.failed()) {
      return truncated_error(uci_pucch_message, reader, "SR PDU");
    }
  }
  for (const auto& [bit, part, name] :
       {std::tuple{pucch_bitmap_harq, &pdu.harq, "HARQ PDU"},
        std::tuple{pucch_bitmap_csi_part1, &pdu.csi_part1, "CSI part 1 PDU"},
        std::tuple{pucch_bitmap_csi_part2, &pdu.csi_part2, "CSI part 2 PDU"}}) {
    if ((bitmap & bit) != 0) {
      if (FapiError error = read_uci_part(reader, name, part->emplace()); !error.ok()) {
        return error;
      }
    }
  }
  return check_uci_pucch_format234(pdu, offset);
}

void write_uci_pucch_format234(ByteWriter& writer, const FapiUciPucchFormat234& pdu) {
  const auto bitmap = static_cast<std::uint8_t>(
      (pdu.sr ? pucch_bitmap_sr : 0) | (pdu.harq ? pucch_bitmap_harq : 0) |
      (pdu.csi_part1 ? pucch_bitmap_csi_part1 : 0) | (pdu.csi_part2 ? pucch_bitmap_csi_part2 : 0));
  write_pucch_uci_header(writer, bitmap, {pdu.handle, pdu.rnti, pdu.pucch_format, pdu.measurement});
  if (const auto& sr = pdu.sr) {
    writer.u16(sr->bit_length);
    writer.u8(sr->payload);
  }
  for (const auto* part : {&pdu.harq, &pdu.csi_part1, &pdu.csi_part2}) {
    if (*part) {
      write_uci_part(writer, **part);
    }
  }
}

} // namespace airan::io::fapi_detail
