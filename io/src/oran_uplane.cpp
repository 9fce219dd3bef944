/// \file
/// \brief O-RAN CUS U-plane message parsing and building (CUS 8.3).
#include "airan/io/oran_uplane.h"

#include "fronthaul_byte_order.h"

namespace airan::io {

namespace {

/// Last PRB index + 1 that a section touches.
unsigned prb_extent(const UplaneSectionHeader& header, unsigned num_prbs) {
  return header.start_prb + (header.every_other_prb ? 2 * num_prbs - 1 : num_prbs);
}

/// Reads the section at the start of \p bytes into \p view; on success \p size is its length.
UplaneParseStatus read_section(std::span<const std::uint8_t> bytes, const UplaneFormat& format,
                               UplaneSectionView& view, std::size_t& size) {
  const std::size_t header_size = format.ud_comp_hdr_present
                                      ? uplane_section_header_size_with_comp_hdr
                                      : uplane_section_header_size;
  if (bytes.size() < header_size) {
    return UplaneParseStatus::truncated_section_header;
  }
  const std::uint8_t* p = bytes.data();
  // sectionId (12) | rb (1) | symInc (1) | startPrbu (10), then numPrbu (8).
  const std::uint32_t word = detail::load_be24(p);
  view.header.section_id = static_cast<std::uint16_t>(word >> 12);
  view.header.every_other_prb = (word & 0x800) != 0;
  view.header.symbol_increment = (word & 0x400) != 0;
  view.header.start_prb = static_cast<std::uint16_t>(word & 0x3FF);
  view.header.num_prbs = p[3];
  // udCompHdr, then a reserved byte (ignored).
  view.compression = format.ud_comp_hdr_present ? unpack_ud_comp_hdr(p[4]) : format.compression;
  const auto prb_size = compressed_prb_size(view.compression);
  if (!prb_size) {
    return UplaneParseStatus::unsupported_compression;
  }
  view.num_prbs = view.header.num_prbs == 0 ? format.carrier_prbs : view.header.num_prbs;
  if (view.num_prbs == 0 || prb_extent(view.header, view.num_prbs) > format.carrier_prbs) {
    return UplaneParseStatus::prbs_outside_carrier;
  }
  const std::size_t prb_bytes = *prb_size * view.num_prbs;
  if (bytes.size() - header_size < prb_bytes) {
    return UplaneParseStatus::truncated_prbs;
  }
  view.prbs = bytes.subspan(header_size, prb_bytes);
  size = header_size + prb_bytes;
  return UplaneParseStatus::ok;
}

} // namespace

std::string_view to_string(UplaneParseStatus status) {
  switch (status) {
  case UplaneParseStatus::ok:
    return "ok";
  case UplaneParseStatus::truncated_common_header:
    return "truncated U-plane common header";
  case UplaneParseStatus::bad_payload_version:
    return "U-plane payloadVersion is not 1";
  case UplaneParseStatus::no_sections:
    return "U-plane message has no sections";
  case UplaneParseStatus::truncated_section_header:
    return "truncated U-plane section header";
  case UplaneParseStatus::unsupported_compression:
    return "unsupported U-plane compression";
  case UplaneParseStatus::prbs_outside_carrier:
    return "U-plane section PRBs outside the carrier";
  case UplaneParseStatus::truncated_prbs:
    return "truncated U-plane PRB data";
  }
  return "unknown";
}

std::size_t UplaneSectionReader::read(std::span<const std::uint8_t> bytes,
                                      const UplaneFormat& format, UplaneSectionView& view) {
  std::size_t size = 0;
  // Validated by parse_uplane_message: cannot fail.
  read_section(bytes, format, view, size);
  return size;
}

UplaneParseResult parse_uplane_message(std::span<const std::uint8_t> payload,
                                       const UplaneFormat& format) {
  UplaneParseResult result;
  if (payload.size() < oran_timing_header_size) {
    result.status = UplaneParseStatus::truncated_common_header;
    return result;
  }
  result.message.timing = read_oran_timing_header(payload.data());
  if (result.message.timing.payload_version != oran_payload_version) {
    result.status = UplaneParseStatus::bad_payload_version;
    return result;
  }
  const auto sections = payload.subspan(oran_timing_header_size);
  if (sections.empty()) {
    result.status = UplaneParseStatus::no_sections;
    return result;
  }
  auto remaining = sections;
  unsigned count = 0;
  while (!remaining.empty()) {
    UplaneSectionView view;
    std::size_t size = 0;
    const auto status = read_section(remaining, format, view, size);
    if (status != UplaneParseStatus::ok) {
      result.status = status;
      return result;
    }
    remaining = remaining.subspan(size);
    ++count;
  }
  result.message.num_sections = count;
  result.message.sections = UplaneSections(sections, format);
  return result;
}

UplaneMessageWriter::UplaneMessageWriter(std::span<std::uint8_t> out,
                                         const OranTimingHeader& timing, const UplaneFormat& format)
    : out_(out), format_(format) {
  if (out.size() < oran_timing_header_size || !fits_oran_timing_header(timing)) {
    return;
  }
  write_oran_timing_header(out.data(), timing);
  size_ = oran_timing_header_size;
  ok_ = true;
}

std::span<std::uint8_t> UplaneMessageWriter::add_section(const UplaneSectionHeader& header,
                                                         const IqCompression& compression) {
  if (!ok_ || header.section_id > 0xFFF || header.start_prb > 0x3FF ||
      (!format_.ud_comp_hdr_present && compression != format_.compression)) {
    return {};
  }
  const auto prb_size = compressed_prb_size(compression);
  const unsigned num_prbs = header.num_prbs == 0 ? format_.carrier_prbs : header.num_prbs;
  if (!prb_size || num_prbs == 0 || prb_extent(header, num_prbs) > format_.carrier_prbs) {
    return {};
  }
  const std::size_t header_size = format_.ud_comp_hdr_present
                                      ? uplane_section_header_size_with_comp_hdr
                                      : uplane_section_header_size;
  const std::size_t prb_bytes = *prb_size * num_prbs;
  if (out_.size() - size_ < header_size + prb_bytes) {
    return {};
  }
  std::uint8_t* p = out_.data() + size_;
  detail::store_be24(p, std::uint32_t{header.section_id} << 12 |
                            (header.every_other_prb ? 0x800U : 0U) |
                            (header.symbol_increment ? 0x400U : 0U) | header.start_prb);
  p[3] = header.num_prbs;
  if (format_.ud_comp_hdr_present) {
    p[4] = pack_ud_comp_hdr(compression);
    p[5] = 0; // reserved
  }
  size_ += header_size + prb_bytes;
  return out_.subspan(size_ - prb_bytes, prb_bytes);
}

} // namespace airan::io
