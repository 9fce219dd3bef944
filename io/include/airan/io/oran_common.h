/// \file
/// \brief Fields shared by the O-RAN WG4 CUS U-plane and C-plane messages: the radio application
/// common header (dataDirection, payloadVersion, filterIndex, frameId, subframeId, slotId,
/// symbol) and the user-data compression header udCompHdr (CUS 7.5.2.10 / Annex A).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace airan::io {

/// dataDirection (CUS 7.5.2.1): the gNB's view.
enum class DataDirection : std::uint8_t {
  uplink = 0,   ///< Receive (RU to DU IQ data).
  downlink = 1, ///< Transmit.
};

/// payloadVersion this code writes and accepts (CUS 7.5.2.2).
inline constexpr std::uint8_t oran_payload_version = 1;

/// Bytes of the radio application common header shared by U-plane and C-plane: the first four
/// bytes of either message.
inline constexpr std::size_t oran_timing_header_size = 4;

/// Timing and routing fields at the start of every U-plane and C-plane message. In a C-plane
/// message symbol_id is startSymbolId.
struct OranTimingHeader {
  DataDirection direction = DataDirection::uplink;
  std::uint8_t payload_version = oran_payload_version; ///< 3 bits.
  std::uint8_t filter_index = 0;                       ///< 4 bits.
  std::uint8_t frame_id = 0;                           ///< 8 bits, frame number mod 256.
  std::uint8_t subframe_id = 0;                        ///< 4 bits, 0..9.
  std::uint8_t slot_id = 0;                            ///< 6 bits, slot within the subframe.
  std::uint8_t symbol_id = 0;                          ///< 6 bits, 0..13.
  friend bool operator==(const OranTimingHeader&, const OranTimingHeader&) = default;
};

/// True when every field fits its width (payloadVersion 3 bits, filterIndex and subframeId 4,
/// slotId and symbol 6).
bool fits_oran_timing_header(const OranTimingHeader& header);

/// Writes the 4 header bytes (fields masked to their widths).
void write_oran_timing_header(std::uint8_t* out, const OranTimingHeader& header);

/// Reads the 4 header bytes (no validation).
OranTimingHeader read_oran_timing_header(const std::uint8_t* in);

/// udCompMeth (CUS 7.5.2.10). Only none and block floating point are decoded here.
enum class CompressionMethod : std::uint8_t {
  none = 0,
  block_floating_point = 1,
  block_scaling = 2,
  mu_law = 3,
  modulation = 4,
  bfp_selective_re = 5,
  modulation_selective_re = 6,
};

/// User-data compression: method and I/Q bit width (udCompHdr).
struct IqCompression {
  CompressionMethod method = CompressionMethod::block_floating_point;
  std::uint8_t iq_width = 9; ///< Bits per I and per Q value, 1..16.
  friend bool operator==(const IqCompression&, const IqCompression&) = default;
};

/// The udCompHdr byte: udIqWidth in the high nibble (16 written as 0), udCompMeth in the low one.
std::uint8_t pack_ud_comp_hdr(const IqCompression& compression);

/// Decodes a udCompHdr byte (udIqWidth 0 means 16).
IqCompression unpack_ud_comp_hdr(std::uint8_t value);

/// Bytes of one compressed PRB (12 resource elements, 24 values) for the methods this code
/// sizes: none is 3 * width bytes, block floating point adds the udCompParam exponent byte.
/// Returns nullopt for other methods or a width outside 1..16.
std::optional<std::size_t> compressed_prb_size(const IqCompression& compression);

} // namespace airan::io
