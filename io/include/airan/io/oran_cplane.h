/// \file
/// \brief O-RAN WG4 CUS C-plane (real-time control) messages of section type 1 (most channels)
/// and section type 3 (PRACH and mixed numerology): the application payload of an eCPRI
/// real-time control message.
///
/// Layouts (see docs/FRONTHAUL.md; clause numbers of CUS v10 and later): the type 1 common
/// header is the timing fields, numberOfSections, sectionType, udCompHdr and a reserved byte
/// (fields 7.5.2.1-7.5.2.10); a type 1 section is sectionId, rb, symInc, startPrbc, numPrbc,
/// reMask, numSymbol, ef, beamId (7.5.3.1-7.5.3.9). Type 3 has timeOffset, frameStructure,
/// cpLength (7.5.2.12-7.5.2.14) before udCompHdr, and its sections add freqOffset (7.5.3.11) and
/// a reserved byte. Section extensions (ef = 1) are walked by their extLen (7.6.2.3, 32-bit
/// words; 16 bits wide for extType 11, 19, 20) and handed over as raw bytes, not decoded. Parsing
/// validates every section first; the views point into the packet and nothing is allocated.
#pragma once

#include "airan/io/oran_common.h"
#include "airan/io/oran_section_range.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace airan::io {

/// sectionType values this code parses and builds.
enum class CplaneSectionType : std::uint8_t {
  normal = 1,                 ///< Type 1: most DL/UL channels.
  prach_mixed_numerology = 3, ///< Type 3: PRACH and mixed numerology.
};

inline constexpr std::size_t cplane_type1_header_size = 8;
inline constexpr std::size_t cplane_type3_header_size = 12;
inline constexpr std::size_t cplane_type1_section_size = 8;
inline constexpr std::size_t cplane_type3_section_size = 12;

/// FFT size of a frameStructure fftSize code (CUS Table 7.5.2.13-2: 2^code for 4..12, 1536 for
/// 13, 3072 for 14); 0 for the reserved codes.
unsigned fft_size_from_code(std::uint8_t code);
/// The fftSize code of \p fft_size, or nullopt when the table has none.
std::optional<std::uint8_t> fft_size_code(unsigned fft_size);

/// Common header of a C-plane message.
struct CplaneMessageHeader {
  OranTimingHeader timing; ///< symbol_id is startSymbolId.
  CplaneSectionType section_type = CplaneSectionType::normal;
  std::uint8_t num_sections = 0; ///< numberOfSections (the writer counts its sections itself).
  IqCompression compression;     ///< udCompHdr for the U-plane data these sections describe.
  // Section type 3 only:
  std::uint16_t time_offset = 0;       ///< timeOffset, 7.5.2.12 (raw).
  std::uint8_t fft_size_code = 0;      ///< frameStructure high nibble (fft_size_from_code()).
  std::uint8_t subcarrier_spacing = 0; ///< frameStructure low nibble: mu 0..5, 12..15 PRACH.
  std::uint16_t cp_length = 0; ///< cpLength, 7.5.2.14: units of Ts * 2^-mu, Ts = 1/30.72 MHz.
  friend bool operator==(const CplaneMessageHeader&, const CplaneMessageHeader&) = default;
};

/// A section of type 1 or 3.
struct CplaneSection {
  std::uint16_t section_id = 0;      ///< 12 bits.
  bool every_other_prb = false;      ///< rb.
  bool symbol_increment = false;     ///< symInc.
  std::uint16_t start_prb = 0;       ///< startPrbc, 10 bits.
  std::uint8_t num_prbs = 0;         ///< numPrbc; 0 means every PRB of the carrier.
  std::uint16_t re_mask = 0xFFF;     ///< 12 bits, one per RE of the PRB.
  std::uint8_t num_symbols = 1;      ///< numSymbol, 4 bits.
  bool has_extensions = false;       ///< ef; the writer always writes 0 (no extensions).
  std::uint16_t beam_id = 0;         ///< 15 bits.
  std::int32_t frequency_offset = 0; ///< Type 3 only: freqOffset, 24-bit signed, units SCS/2.
  friend bool operator==(const CplaneSection&, const CplaneSection&) = default;
};

/// A section of a parsed message and its raw section extensions (empty when ef = 0).
struct CplaneSectionView {
  CplaneSection section;
  std::span<const std::uint8_t> extensions;
};

/// Why a C-plane message did not parse.
enum class CplaneParseStatus : std::uint8_t {
  ok,
  truncated_common_header,  ///< Shorter than the section type's common header.
  bad_payload_version,      ///< payloadVersion other than 1.
  unsupported_section_type, ///< sectionType other than 1 or 3.
  no_sections,              ///< numberOfSections is 0.
  truncated_section,        ///< Fewer bytes than the next section.
  truncated_extension,      ///< An extension header or body runs past the message.
  zero_extension_length,    ///< extLen 0 (reserved).
  trailing_bytes,           ///< Bytes after the last announced section.
};

/// Short description of \p status.
std::string_view to_string(CplaneParseStatus status);

/// How OranSectionRange reads a section of a validated C-plane message.
struct CplaneSectionReader {
  using view_type = CplaneSectionView;
  using context_type = CplaneSectionType;
  /// Decodes the section at the start of \p bytes into \p view; returns its size in bytes.
  static std::size_t read(std::span<const std::uint8_t> bytes, CplaneSectionType type,
                          CplaneSectionView& view);
};

/// Forward range over the sections of a validated message.
using CplaneSections = OranSectionRange<CplaneSectionReader>;

/// A parsed C-plane message.
struct CplaneMessageView {
  CplaneMessageHeader header;
  CplaneSections sections; ///< header.num_sections of them.
};

struct CplaneParseResult {
  CplaneParseStatus status = CplaneParseStatus::ok;
  CplaneMessageView message; ///< Valid only when ok().
  [[nodiscard]] bool ok() const { return status == CplaneParseStatus::ok; }
};

/// Parses and validates a C-plane message (the eCPRI application payload).
CplaneParseResult parse_cplane_message(std::span<const std::uint8_t> payload);

/// Bytes write_cplane_message() needs for \p num_sections sections of \p type.
std::size_t cplane_message_size(CplaneSectionType type, std::size_t num_sections);

/// Writes a message of header.section_type with \p sections (numberOfSections =
/// sections.size(), ef = 0). Returns the bytes written, or 0 (nothing written) when \p out is
/// too short, there are no sections or more than 255, or a field does not fit its width.
std::size_t write_cplane_message(std::span<std::uint8_t> out, const CplaneMessageHeader& header,
                                 std::span<const CplaneSection> sections);

} // namespace airan::io
