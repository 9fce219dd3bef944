/// \file
/// \brief O-RAN CUS C-plane section type 1 and 3 parsing and building (CUS 7.5.2, 7.5.3, 7.6.2).
#include "airan/io/oran_cplane.h"

#include "fronthaul_byte_order.h"

namespace airan::io {

using detail::load_be16;
using detail::load_be24;
using detail::store_be16;
using detail::store_be24;

namespace {

std::size_t header_size(CplaneSectionType type) {
  return type == CplaneSectionType::normal ? cplane_type1_header_size : cplane_type3_header_size;
}

std::size_t section_size(CplaneSectionType type) {
  return type == CplaneSectionType::normal ? cplane_type1_section_size : cplane_type3_section_size;
}

/// Extension types whose extLen is 16 bits instead of 8 (7.7.11, 7.7.19, 7.7.20).
bool has_wide_extension_length(unsigned ext_type) {
  return ext_type == 11 || ext_type == 19 || ext_type == 20;
}

/// Walks the extension chain at the start of \p bytes; on success \p size is its length.
CplaneParseStatus walk_extensions(std::span<const std::uint8_t> bytes, std::size_t& size) {
  std::size_t offset = 0;
  bool more = true;
  while (more) {
    if (bytes.size() - offset < 2) {
      return CplaneParseStatus::truncated_extension;
    }
    const std::uint8_t* p = bytes.data() + offset;
    more = (p[0] & 0x80) != 0; // ef: another extension follows
    const unsigned ext_type = p[0] & 0x7F;
    std::size_t words = p[1];
    if (has_wide_extension_length(ext_type)) {
      if (bytes.size() - offset < 3) {
        return CplaneParseStatus::truncated_extension;
      }
      words = load_be16(p + 1);
    }
    if (words == 0) {
      return CplaneParseStatus::zero_extension_length;
    }
    // extLen counts the whole extension, header included, in 32-bit words.
    if (bytes.size() - offset < 4 * words) {
      return CplaneParseStatus::truncated_extension;
    }
    offset += 4 * words;
  }
  size = offset;
  return CplaneParseStatus::ok;
}

/// Reads the section at the start of \p bytes; on success \p size is its length with extensions.
CplaneParseStatus read_section(std::span<const std::uint8_t> bytes, CplaneSectionType type,
                               CplaneSectionView& view, std::size_t& size) {
  const std::size_t fixed = section_size(type);
  if (bytes.size() < fixed) {
    return CplaneParseStatus::truncated_section;
  }
  const std::uint8_t* p = bytes.data();
  CplaneSection& section = view.section;
  // sectionId (12) | rb (1) | symInc (1) | startPrbc (10)
  const std::uint32_t word = load_be24(p);
  section.section_id = static_cast<std::uint16_t>(word >> 12);
  section.every_other_prb = (word & 0x800) != 0;
  section.symbol_increment = (word & 0x400) != 0;
  section.start_prb = static_cast<std::uint16_t>(word & 0x3FF);
  section.num_prbs = p[3];
  // reMask (12) | numSymbol (4)
  const std::uint16_t mask_and_symbols = load_be16(p + 4);
  section.re_mask = static_cast<std::uint16_t>(mask_and_symbols >> 4);
  section.num_symbols = static_cast<std::uint8_t>(mask_and_symbols & 0xF);
  // ef (1) | beamId (15)
  const std::uint16_t ef_and_beam = load_be16(p + 6);
  section.has_extensions = (ef_and_beam & 0x8000) != 0;
  section.beam_id = static_cast<std::uint16_t>(ef_and_beam & 0x7FFF);
  section.frequency_offset = 0;
  if (type == CplaneSectionType::prach_mixed_numerology) {
    // freqOffset (24, two's complement), then a reserved byte.
    const std::uint32_t raw = load_be24(p + 8);
    section.frequency_offset = static_cast<std::int32_t>(raw ^ 0x800000U) - 0x800000;
  }
  std::size_t extensions_size = 0;
  if (section.has_extensions) {
    const auto status = walk_extensions(bytes.subspan(fixed), extensions_size);
    if (status != CplaneParseStatus::ok) {
      return status;
    }
  }
  view.extensions = bytes.subspan(fixed, extensions_size);
  size = fixed + extensions_size;
  return CplaneParseStatus::ok;
}

bool section_fits(const CplaneSection& s, CplaneSectionType type) {
  const bool fits = s.section_id <= 0xFFF && s.start_prb <= 0x3FF && s.re_mask <= 0xFFF &&
                    s.num_symbols <= 0xF && s.beam_id <= 0x7FFF;
  if (type == CplaneSectionType::prach_mixed_numerology) {
    return fits && s.frequency_offset >= -0x800000 && s.frequency_offset <= 0x7FFFFF;
  }
  return fits;
}

} // namespace

unsigned fft_size_from_code(std::uint8_t code) {
  if (code >= 4 && code <= 12) {
    return 1U << code;
  }
  if (code == 13) {
    return 1536;
  }
  if (code == 14) {
    return 3072;
  }
  return 0;
}

std::optional<std::uint8_t> fft_size_code(unsigned fft_size) {
  for (std::uint8_t code = 4; code <= 14; ++code) {
    if (fft_size_from_code(code) == fft_size) {
      return code;
    }
  }
  return std::nullopt;
}

std::string_view to_string(CplaneParseStatus status) {
  switch (status) {
  case CplaneParseStatus::ok:
    return "ok";
  case CplaneParseStatus::truncated_common_header:
    return "truncated C-plane common header";
  case CplaneParseStatus::bad_payload_version:
    return "C-plane payloadVersion is not 1";
  case CplaneParseStatus::unsupported_section_type:
    return "C-plane section type is neither 1 nor 3";
  case CplaneParseStatus::no_sections:
    return "C-plane numberOfSections is 0";
  case CplaneParseStatus::truncated_section:
    return "truncated C-plane section";
  case CplaneParseStatus::truncated_extension:
    return "truncated C-plane section extension";
  case CplaneParseStatus::zero_extension_length:
    return "C-plane section extension with extLen 0";
  case CplaneParseStatus::trailing_bytes:
    return "bytes after the last C-plane section";
  }
  return "unknown";
}

std::size_t CplaneSectionReader::read(std::span<const std::uint8_t> bytes, CplaneSectionType type,
                                      CplaneSectionView& view) {
  std::size_t size = 0;
  // Validated by parse_cplane_message: cannot fail.
  read_section(bytes, type, view, size);
  return size;
}

CplaneParseResult parse_cplane_message(std::span<const std::uint8_t> payload) {
  CplaneParseResult result;
  // The section type (byte 5) decides the header length.
  if (payload.size() < 6) {
    result.status = CplaneParseStatus::truncated_common_header;
    return result;
  }
  const std::uint8_t* p = payload.data();
  CplaneMessageHeader& header = result.message.header;
  header.timing = read_oran_timing_header(p);
  if (header.timing.payload_version != oran_payload_version) {
    result.status = CplaneParseStatus::bad_payload_version;
    return result;
  }
  if (p[5] != static_cast<std::uint8_t>(CplaneSectionType::normal) &&
      p[5] != static_cast<std::uint8_t>(CplaneSectionType::prach_mixed_numerology)) {
    result.status = CplaneParseStatus::unsupported_section_type;
    return result;
  }
  header.section_type = static_cast<CplaneSectionType>(p[5]);
  header.num_sections = p[4];
  const std::size_t common_size = header_size(header.section_type);
  if (payload.size() < common_size) {
    result.status = CplaneParseStatus::truncated_common_header;
    return result;
  }
  if (header.section_type == CplaneSectionType::normal) {
    header.compression = unpack_ud_comp_hdr(p[6]); // then a reserved byte
  } else {
    header.time_offset = load_be16(p + 6);
    header.fft_size_code = p[8] >> 4;
    header.subcarrier_spacing = p[8] & 0xF;
    header.cp_length = load_be16(p + 9);
    header.compression = unpack_ud_comp_hdr(p[11]);
  }
  if (header.num_sections == 0) {
    result.status = CplaneParseStatus::no_sections;
    return result;
  }
  const auto sections = payload.subspan(common_size);
  auto remaining = sections;
  for (unsigned i = 0; i < header.num_sections; ++i) {
    CplaneSectionView view;
    std::size_t size = 0;
    const auto status = read_section(remaining, header.section_type, view, size);
    if (status != CplaneParseStatus::ok) {
      result.status = status;
      return result;
    }
    remaining = remaining.subspan(size);
  }
  if (!remaining.empty()) {
    result.status = CplaneParseStatus::trailing_bytes;
    return result;
  }
  result.message.sections = CplaneSections(sections, header.section_type);
  return result;
}

std::size_t cplane_message_size(CplaneSectionType type, std::size_t num_sections) {
  return header_size(type) + num_sections * section_size(type);
}

std::size_t write_cplane_message(std::span<std::uint8_t> out, const CplaneMessageHeader& header,
                                 std::span<const CplaneSection> sections) {
  const CplaneSectionType type = header.section_type;
  if (type != CplaneSectionType::normal && type != CplaneSectionType::prach_mixed_numerology) {
    return 0;
  }
  const std::size_t size = cplane_message_size(type, sections.size());
  if (sections.empty() || sections.size() > 255 || out.size() < size ||
      !fits_oran_timing_header(header.timing) || header.compression.iq_width < 1 ||
      header.compression.iq_width > 16 || static_cast<unsigned>(header.compression.method) > 0xF ||
      header.fft_size_code > 0xF || header.subcarrier_spacing > 0xF) {
    return 0;
  }
  for (const CplaneSection& section : sections) {
    if (!section_fits(section, type)) {
      return 0;
    }
  }
  std::uint8_t* p = out.data();
  write_oran_timing_header(p, header.timing);
  p[4] = static_cast<std::uint8_t>(sections.size());
  p[5] = static_cast<std::uint8_t>(type);
  if (type == CplaneSectionType::normal) {
    p[6] = pack_ud_comp_hdr(header.compression);
    p[7] = 0; // reserved
  } else {
    store_be16(p + 6, header.time_offset);
    p[8] = static_cast<std::uint8_t>(header.fft_size_code << 4 | header.subcarrier_spacing);
    store_be16(p + 9, header.cp_length);
    p[11] = pack_ud_comp_hdr(header.compression);
  }
  p += header_size(type);
  for (const CplaneSection& s : sections) {
    store_be24(p, std::uint32_t{s.section_id} << 12 | (s.every_other_prb ? 0x800U : 0U) |
                      (s.symbol_increment ? 0x400U : 0U) | s.start_prb);
    p[3] = s.num_prbs;
    store_be16(p + 4, static_cast<std::uint16_t>(s.re_mask << 4 | s.num_symbols));
    store_be16(p + 6, s.beam_id); // ef = 0
    if (type == CplaneSectionType::prach_mixed_numerology) {
      store_be24(p + 8, static_cast<std::uint32_t>(s.frequency_offset) & 0xFFFFFF);
      p[11] = 0; // reserved
    }
    p += section_size(type);
  }
  return size;
}

} // namespace airan::io
