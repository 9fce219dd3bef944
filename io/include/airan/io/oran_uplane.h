/// \file
/// \brief O-RAN WG4 CUS U-plane (IQ data) messages: the application payload of an eCPRI IQ-data
/// message. Layout (CUS 8.3, fields 8.3.3.x in v10 and later): the common header, then sections
/// of sectionId, rb, symInc, startPrbu, numPrbu, an optional udCompHdr + reserved byte, and the
/// PRBs' compressed IQ.
///
/// Compression is static (udCompHdr known from the M-plane, absent from the message) or dynamic
/// (every section starts with its own udCompHdr); UplaneFormat says which. Parsing validates
/// every section before it returns, so iterating the sections of a parsed message cannot fail;
/// the views point into the packet and nothing is allocated.
#pragma once

#include "airan/io/oran_common.h"
#include "airan/io/oran_section_range.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace airan::io {

/// Section header bytes without (4) and with (6) the udCompHdr and its reserved byte.
inline constexpr std::size_t uplane_section_header_size = 4;
inline constexpr std::size_t uplane_section_header_size_with_comp_hdr = 6;

/// Fields of a U-plane section header.
struct UplaneSectionHeader {
  std::uint16_t section_id = 0;  ///< 12 bits; matches the C-plane section.
  bool every_other_prb = false;  ///< rb: 1 = every other PRB is used.
  bool symbol_increment = false; ///< symInc.
  std::uint16_t start_prb = 0;   ///< startPrbu, 10 bits.
  std::uint8_t num_prbs = 0;     ///< numPrbu; 0 means every PRB of the carrier.
  friend bool operator==(const UplaneSectionHeader&, const UplaneSectionHeader&) = default;
};

/// How the messages of a U-plane stream are laid out (M-plane configuration).
struct UplaneFormat {
  /// The static udCompHdr, used when ud_comp_hdr_present is false.
  IqCompression compression{CompressionMethod::block_floating_point, 9};
  /// Dynamic compression: every section carries udCompHdr (and a reserved byte).
  bool ud_comp_hdr_present = false;
  /// PRBs of the carrier: what numPrbu = 0 stands for, and the bound for startPrbu + numPrbu.
  std::uint16_t carrier_prbs = 273;
};

/// One section of a parsed message.
struct UplaneSectionView {
  UplaneSectionHeader header;
  IqCompression compression;          ///< The section's udCompHdr, or the static one.
  unsigned num_prbs = 0;              ///< numPrbu with 0 resolved to the carrier's PRBs.
  std::span<const std::uint8_t> prbs; ///< num_prbs compressed PRBs.
};

/// Why a U-plane message did not parse.
enum class UplaneParseStatus : std::uint8_t {
  ok,
  truncated_common_header,  ///< Fewer than 4 bytes.
  bad_payload_version,      ///< payloadVersion other than 1.
  no_sections,              ///< Nothing after the common header.
  truncated_section_header, ///< Fewer bytes left than a section header.
  unsupported_compression,  ///< A method this code cannot size, or a width of 0 / over 16.
  prbs_outside_carrier,     ///< startPrbu + numPrbu (every other PRB with rb) past the carrier.
  truncated_prbs,           ///< Fewer bytes left than the section's PRBs.
};

/// Short description of \p status.
std::string_view to_string(UplaneParseStatus status);

/// How OranSectionRange reads a section of a validated U-plane message.
struct UplaneSectionReader {
  using view_type = UplaneSectionView;
  using context_type = UplaneFormat;
  /// Decodes the section at the start of \p bytes into \p view; returns its size in bytes.
  static std::size_t read(std::span<const std::uint8_t> bytes, const UplaneFormat& format,
                          UplaneSectionView& view);
};

/// Forward range over the sections of a validated message.
using UplaneSections = OranSectionRange<UplaneSectionReader>;

/// A parsed U-plane message.
struct UplaneMessageView {
  OranTimingHeader timing;
  unsigned num_sections = 0;
  UplaneSections sections; ///< Iterate with range-for.
};

struct UplaneParseResult {
  UplaneParseStatus status = UplaneParseStatus::ok;
  UplaneMessageView message; ///< Valid only when ok().
  [[nodiscard]] bool ok() const { return status == UplaneParseStatus::ok; }
};

/// Parses and validates a U-plane message (the eCPRI application payload).
UplaneParseResult parse_uplane_message(std::span<const std::uint8_t> payload,
                                       const UplaneFormat& format);

/// Builds a U-plane message in place: the common header on construction, then one section per
/// add_section(); the caller compresses each section's PRBs straight into the span it returns.
class UplaneMessageWriter {
public:
  /// \p out receives the message (the eCPRI application payload region of a frame). When it
  /// is shorter than the common header or the header does not fit its fields, ok() is false.
  UplaneMessageWriter(std::span<std::uint8_t> out, const OranTimingHeader& timing,
                      const UplaneFormat& format);

  /// Appends a section header and reserves room for its PRBs (numPrbu, or the carrier's PRBs
  /// when it is 0); returns where the compressed PRBs go. With static compression \p
  /// compression must equal the format's. Returns an empty span and writes nothing when the
  /// message has no room, a field does not fit, the PRBs leave the carrier or the compression
  /// cannot be sized.
  std::span<std::uint8_t> add_section(const UplaneSectionHeader& header,
                                      const IqCompression& compression);

  /// Bytes written so far (common header and every section).
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool ok() const { return ok_; }
  /// The message written so far.
  [[nodiscard]] std::span<const std::uint8_t> bytes() const { return out_.first(size_); }

private:
  std::span<std::uint8_t> out_;
  UplaneFormat format_;
  std::size_t size_ = 0;
  bool ok_ = false;
};

} // namespace airan::io
