/// \file
/// \brief Whole fronthaul frames: parse through every layer, build in place, section to grid.
#include "airan/io/fronthaul_frame.h"

#include "airan/phy/numerology.h"

#include <stdexcept>

namespace airan::io {

std::string_view FronthaulParseResult::error() const {
  if (ecpri_status != EcpriParseStatus::ok) {
    return to_string(ecpri_status);
  }
  if (uplane_status != UplaneParseStatus::ok) {
    return to_string(uplane_status);
  }
  return to_string(cplane_status);
}

FronthaulParseResult parse_fronthaul_frame(std::span<const std::uint8_t> frame,
                                           const FronthaulLinkConfig& config) {
  FronthaulParseResult result;
  const auto ecpri = parse_ecpri_frame(frame);
  result.ecpri_status = ecpri.status;
  if (!ecpri.ok()) {
    return result;
  }
  FronthaulFrameView& view = result.frame;
  view.ecpri = ecpri.frame;
  const EcpriMessageView& message = ecpri.frame.message;
  view.eaxc = unpack_eaxc_id(message.header.eaxc_id, config.eaxc_layout);
  if (message.header.type == EcpriMessageType::iq_data) {
    view.plane = FronthaulPlane::uplane;
    const auto uplane = parse_uplane_message(message.application_payload, config.uplane);
    result.uplane_status = uplane.status;
    view.uplane = uplane.message;
  } else {
    view.plane = FronthaulPlane::cplane;
    const auto cplane = parse_cplane_message(message.application_payload);
    result.cplane_status = cplane.status;
    view.cplane = cplane.message;
  }
  return result;
}

std::size_t write_cplane_frame(std::span<std::uint8_t> out, const FronthaulFrameHeader& header,
                               const CplaneMessageHeader& message,
                               std::span<const CplaneSection> sections) {
  const std::size_t header_size = ecpri_frame_header_size(header.ethernet);
  if (out.size() < header_size) {
    return 0;
  }
  const std::size_t message_size =
      write_cplane_message(out.subspan(header_size), message, sections);
  if (message_size == 0) {
    return 0;
  }
  EcpriMessageHeader ecpri;
  ecpri.type = EcpriMessageType::real_time_control;
  ecpri.eaxc_id = header.eaxc_id;
  ecpri.sequence = header.sequence;
  if (write_ecpri_frame_header(out, header.ethernet, ecpri, message_size) == 0) {
    return 0;
  }
  return header_size + message_size;
}

namespace {

std::span<std::uint8_t> after(std::span<std::uint8_t> out, std::size_t offset) {
  return offset <= out.size() ? out.subspan(offset) : std::span<std::uint8_t>();
}

} // namespace

UplaneFrameWriter::UplaneFrameWriter(std::span<std::uint8_t> out,
                                     const FronthaulFrameHeader& header,
                                     const OranTimingHeader& timing, const UplaneFormat& format)
    : out_(out), header_(header), header_size_(ecpri_frame_header_size(header.ethernet)),
      message_(after(out, header_size_), timing, format) {}

std::span<const std::uint8_t> UplaneFrameWriter::finish() {
  if (!message_.ok()) {
    return {};
  }
  EcpriMessageHeader ecpri;
  ecpri.type = EcpriMessageType::iq_data;
  ecpri.eaxc_id = header_.eaxc_id;
  ecpri.sequence = header_.sequence;
  if (write_ecpri_frame_header(out_, header_.ethernet, ecpri, message_.size()) == 0) {
    return {};
  }
  return out_.first(header_size_ + message_.size());
}

void decompress_section(const UplaneSectionView& section, const IqCompressor& compressor,
                        float full_scale, std::span<phy::cf32> symbol) {
  constexpr std::size_t re_per_prb = phy::subcarriers_per_prb;
  const std::size_t start = std::size_t{section.header.start_prb} * re_per_prb;
  const std::size_t stride = section.header.every_other_prb ? 2 : 1;
  if (section.num_prbs == 0 ||
      start + ((section.num_prbs - 1) * stride + 1) * re_per_prb > symbol.size()) {
    throw std::invalid_argument("decompress_section: the section's PRBs leave the symbol");
  }
  if (stride == 1) {
    compressor.decompress(section.prbs, section.compression, full_scale,
                          symbol.subspan(start, section.num_prbs * re_per_prb));
    return;
  }
  const std::size_t prb_size = section.prbs.size() / section.num_prbs;
  for (std::size_t k = 0; k < section.num_prbs; ++k) {
    compressor.decompress(section.prbs.subspan(k * prb_size, prb_size), section.compression,
                          full_scale, symbol.subspan(start + 2 * k * re_per_prb, re_per_prb));
  }
}

} // namespace airan::io
