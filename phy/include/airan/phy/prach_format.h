/// \file
/// \brief PRACH preamble formats and their tables (TS 38.211 6.3.3): formats 0-3 (L_RA = 839)
/// and A1-C2 (L_RA = 139), the N_CS tables of the unrestricted set, the logical-to-physical
/// root sequence tables and the frequency mapping (N_RB^RA, k-bar) of Table 6.3.3.2-1.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace airan::phy {

/// Preamble format (TS 38.211 Tables 6.3.3.1-1 and 6.3.3.1-2), numbered as SCF FAPI's
/// prachFormat: 0 .. 3 long, then A1, A2, A3, B1, B2, B3, B4, C0, C2.
enum class PrachFormat : std::uint8_t {
  f0 = 0,
  f1,
  f2,
  f3,
  a1,
  a2,
  a3,
  b1,
  b2,
  b3,
  b4,
  c0,
  c2,
};

/// Number of preamble formats in PrachFormat.
constexpr unsigned num_prach_formats = 13;

/// Long sequence length (formats 0-3) and short sequence length (A1-C2).
constexpr unsigned prach_long_sequence_length = 839;
constexpr unsigned prach_short_sequence_length = 139;

/// Preambles of one PRACH occasion (TS 38.211 6.3.3.1: 64 preambles per occasion).
constexpr unsigned prach_preambles_per_occasion = 64;

/// The columns of Tables 6.3.3.1-1 / 6.3.3.1-2. Durations are in units of kappa * T_c (kappa =
/// 64); for the short formats they are also scaled by 2^-mu of the PRACH subcarrier spacing.
struct PrachFormatInfo {
  unsigned sequence_length;        ///< L_RA.
  unsigned repetitions;            ///< Sequence periods in N_u (1, 2, 4, 6 or 12).
  unsigned sequence_duration;      ///< N_u / kappa (at mu = 0 for the short formats).
  unsigned cyclic_prefix_duration; ///< N_CP^RA / kappa (at mu = 0 for the short formats).
  /// PRACH subcarrier spacing of a long format in Hz (1250 or 5000); 0 for a short format,
  /// whose spacing is 15 * 2^mu kHz, chosen by configuration.
  std::uint32_t long_subcarrier_spacing_hz;
  /// N_dur^RA of a short format: OFDM symbols of the PRACH numerology one occasion takes
  /// (TS 38.211 Tables 6.3.3.2-2 to -4); consecutive occasions of a slot start this far apart.
  /// 0 for the long formats.
  unsigned duration_symbols;
};

/// The table row of \p format.
[[nodiscard]] const PrachFormatInfo& prach_format_info(PrachFormat format);

/// True for formats 0-3 (L_RA = 839).
[[nodiscard]] constexpr bool prach_is_long_format(PrachFormat format) {
  return static_cast<unsigned>(format) <= static_cast<unsigned>(PrachFormat::f3);
}

/// "0", "1", "2", "3", "A1", ..., "C2".
[[nodiscard]] std::string_view prach_format_name(PrachFormat format);

/// The format named \p name ("0".."3", "A1".."C2", case-insensitive), if any.
[[nodiscard]] std::optional<PrachFormat> prach_format_from_name(std::string_view name);

/// N_CS of zeroCorrelationZoneConfig \p zero_correlation_zone (0 .. 15) for the unrestricted
/// set (Tables 6.3.3.1-5, -6, -7), picked by the PRACH subcarrier spacing: 1.25 kHz, 5 kHz, or
/// 15 * 2^mu kHz (the short formats). \throws std::invalid_argument for an index over 15 or a
/// spacing that is none of these.
[[nodiscard]] unsigned prach_cyclic_shift_length(std::uint32_t prach_subcarrier_spacing_hz,
                                                 unsigned zero_correlation_zone);

/// Physical root sequence number u of logical root index \p logical_index for sequences of
/// length \p sequence_length (Table 6.3.3.1-3 for 839, indices 0 .. 837; Table 6.3.3.1-4 for
/// 139, indices 0 .. 137). The index wraps modulo the table size, as 38.211 6.3.3.1 requires
/// when the 64 preambles need more roots than remain. \throws std::invalid_argument for another
/// length.
[[nodiscard]] unsigned prach_root_sequence_number(unsigned sequence_length, unsigned logical_index);

/// A row of Table 6.3.3.2-1: the PRACH occasion's width in PUSCH PRBs and the first
/// subcarrier's offset k-bar in PRACH subcarriers.
struct PrachFrequencyMapping {
  unsigned num_prbs; ///< N_RB^RA, in PRBs of the PUSCH subcarrier spacing.
  unsigned k_bar;    ///< k-bar.
};

/// Table 6.3.3.2-1 for a sequence length, a PRACH and a PUSCH subcarrier spacing (Hz); nullopt
/// for a combination the table does not list.
[[nodiscard]] std::optional<PrachFrequencyMapping>
prach_frequency_mapping(unsigned sequence_length, std::uint32_t prach_subcarrier_spacing_hz,
                        std::uint32_t pusch_subcarrier_spacing_hz);

} // namespace airan::phy
