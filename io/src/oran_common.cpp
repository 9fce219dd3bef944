/// \file
/// \brief O-RAN CUS radio application common header and udCompHdr (CUS 7.5.2.1-7.5.2.10).
#include "airan/io/oran_common.h"

namespace airan::io {

bool fits_oran_timing_header(const OranTimingHeader& header) {
  return static_cast<unsigned>(header.direction) <= 1 && header.payload_version <= 0x7 &&
         header.filter_index <= 0xF && header.subframe_id <= 0xF && header.slot_id <= 0x3F &&
         header.symbol_id <= 0x3F;
}

void write_oran_timing_header(std::uint8_t* out, const OranTimingHeader& header) {
  // dataDirection (1) | payloadVersion (3) | filterIndex (4)
  out[0] =
      static_cast<std::uint8_t>((static_cast<unsigned>(header.direction) & 1) << 7 |
                                (header.payload_version & 0x7) << 4 | (header.filter_index & 0xF));
  out[1] = header.frame_id;
  // subframeId (4) | slotId (6) | symbolId (6)
  out[2] =
      static_cast<std::uint8_t>((header.subframe_id & 0xF) << 4 | (header.slot_id & 0x3F) >> 2);
  out[3] = static_cast<std::uint8_t>((header.slot_id & 0x3) << 6 | (header.symbol_id & 0x3F));
}

OranTimingHeader read_oran_timing_header(const std::uint8_t* in) {
  OranTimingHeader header;
  header.direction = static_cast<DataDirection>(in[0] >> 7);
  header.payload_version = (in[0] >> 4) & 0x7;
  header.filter_index = in[0] & 0xF;
  header.frame_id = in[1];
  header.subframe_id = in[2] >> 4;
  header.slot_id = static_cast<std::uint8_t>((in[2] & 0xF) << 2 | in[3] >> 6);
  header.symbol_id = in[3] & 0x3F;
  return header;
}

std::uint8_t pack_ud_comp_hdr(const IqCompression& compression) {
  return static_cast<std::uint8_t>((compression.iq_width & 0xF) << 4 |
                                   (static_cast<unsigned>(compression.method) & 0xF));
}

IqCompression unpack_ud_comp_hdr(std::uint8_t value) {
  const unsigned width = value >> 4;
  return {static_cast<CompressionMethod>(value & 0xF),
          static_cast<std::uint8_t>(width == 0 ? 16 : width)};
}

std::optional<std::size_t> compressed_prb_size(const IqCompression& compression) {
  if (compression.iq_width < 1 || compression.iq_width > 16) {
    return std::nullopt;
  }
  const std::size_t samples = 3 * std::size_t{compression.iq_width};
  switch (compression.method) {
  case CompressionMethod::none:
    return samples;
  case CompressionMethod::block_floating_point:
    return samples + 1;
  default:
    return std::nullopt;
  }
}

} // namespace airan::io
