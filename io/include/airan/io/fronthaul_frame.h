/// \file
/// \brief Whole O-RAN 7.2x fronthaul frames: Ethernet + eCPRI around a U-plane or C-plane
/// message, parsed in one call and built in place, plus the step from a parsed U-plane section
/// to the subcarriers of a resource-grid symbol. The per-packet entry point of an ingest loop
/// (DPDK or pcap replay); nothing here allocates.
#pragma once

#include "airan/io/bfp_compression.h"
#include "airan/io/ecpri.h"
#include "airan/io/oran_cplane.h"
#include "airan/io/oran_uplane.h"
#include "airan/phy/types.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace airan::io {

/// What the M-plane configured for a link, as far as parsing needs it.
struct FronthaulLinkConfig {
  EaxcIdLayout eaxc_layout;
  UplaneFormat uplane;
};

enum class FronthaulPlane : std::uint8_t {
  uplane, ///< eCPRI IQ data.
  cplane, ///< eCPRI real-time control.
};

/// A parsed frame: the eCPRI layer, the eAxC fields and the plane's message.
struct FronthaulFrameView {
  EcpriFrameView ecpri;
  EaxcId eaxc;
  FronthaulPlane plane = FronthaulPlane::uplane;
  UplaneMessageView uplane; ///< When plane is uplane.
  CplaneMessageView cplane; ///< When plane is cplane.
};

/// The status of each layer; the first failing one stops the parse.
struct FronthaulParseResult {
  EcpriParseStatus ecpri_status = EcpriParseStatus::ok;
  UplaneParseStatus uplane_status = UplaneParseStatus::ok;
  CplaneParseStatus cplane_status = CplaneParseStatus::ok;
  FronthaulFrameView frame; ///< Valid only when ok().

  [[nodiscard]] bool ok() const {
    return ecpri_status == EcpriParseStatus::ok && uplane_status == UplaneParseStatus::ok &&
           cplane_status == CplaneParseStatus::ok;
  }
  /// Description of the failing layer's status ("ok" when none failed).
  [[nodiscard]] std::string_view error() const;
};

/// Parses an Ethernet frame carrying one O-RAN U-plane or C-plane message. Bytes after the
/// eCPRI message (Ethernet padding, FCS, concatenated messages) are ignored.
FronthaulParseResult parse_fronthaul_frame(std::span<const std::uint8_t> frame,
                                           const FronthaulLinkConfig& config);

/// The transport fields of one frame.
struct FronthaulFrameHeader {
  EthernetHeader ethernet;
  std::uint16_t eaxc_id = 0; ///< Packed (pack_eaxc_id()).
  EcpriSequenceId sequence;
};

/// Writes a complete C-plane frame; returns its size, or 0 when \p out is too short or the
/// message cannot be written (see write_cplane_message()).
std::size_t write_cplane_frame(std::span<std::uint8_t> out, const FronthaulFrameHeader& header,
                               const CplaneMessageHeader& message,
                               std::span<const CplaneSection> sections);

/// Builds a U-plane frame in place: sections as UplaneMessageWriter, then finish() writes the
/// Ethernet and eCPRI headers in front.
class UplaneFrameWriter {
public:
  UplaneFrameWriter(std::span<std::uint8_t> out, const FronthaulFrameHeader& header,
                    const OranTimingHeader& timing, const UplaneFormat& format);

  /// See UplaneMessageWriter::add_section(): where the section's compressed PRBs go.
  std::span<std::uint8_t> add_section(const UplaneSectionHeader& section,
                                      const IqCompression& compression) {
    return message_.add_section(section, compression);
  }

  /// The finished frame; empty when \p out could not hold the headers or the message is too
  /// long for eCPRI.
  std::span<const std::uint8_t> finish();

private:
  std::span<std::uint8_t> out_;
  FronthaulFrameHeader header_;
  std::size_t header_size_;
  UplaneMessageWriter message_;
};

/// Decompresses \p section into \p symbol, the subcarriers of one OFDM symbol of the carrier
/// (12 per PRB from PRB 0): PRB k of the section lands at subcarrier 12 * (startPrbu + k), or
/// 12 * (startPrbu + 2k) when rb (every other PRB) is set.
/// \throws std::invalid_argument when the symbol is too short or the compression unsupported.
void decompress_section(const UplaneSectionView& section, const IqCompressor& compressor,
                        float full_scale, std::span<phy::cf32> symbol);

} // namespace airan::io
