/// \file
/// \brief The O-RAN 7.2x PRACH stream (CUS section type 3): how a PRACH occasion is asked for in
/// the C-plane, and where an O-RU finds the samples and subcarriers a request names.
///
/// Conventions (docs/FRONTHAUL.md, "PRACH over 7.2x"): one type 3 message per PRACH eAxC (RU
/// port FronthaulConfig::prach_first_ru_port() + antenna) and occasion, one section.
/// - filterIndex: 1 for formats 0, 1, 2 (1.25 kHz), 2 for format 3 (5 kHz), 6 / 7 for C0 and C2
///   at 15 / 30 kHz, 3 for the other short formats (CUS 7.5.2.3).
/// - frameId/subframeId/slotId: the slot in which the occasion's cyclic prefix starts;
///   startSymbolId: the occasion's start symbol (FAPI prachStartSymbol).
/// - timeOffset: from the start of that slot to the start of the first sequence period (the
///   CP skipped), in Ts = 1/30.72 MHz; cpLength 0 (the CP is inside timeOffset). An O-RU reading
///   a request adds cpLength (Ts x 2^-mu) to timeOffset: a DU that points timeOffset at the CP
///   and gives its length asks for the same window.
/// - frameStructure: the carrier's FFT size code and the PRACH spacing (12 = 1.25 kHz, 14 =
///   5 kHz, mu for 15 * 2^mu kHz).
/// - section: startPrbc 0, numPrbc = N_RB^RA x K PRBs of the PRACH spacing (K = PUSCH / PRACH
///   spacing: 72 for the long formats on 15 and 30 kHz, 96 for formats 0-2 on 60 kHz, 12 for
///   the short ones), numSymbol = sequence periods,
///   reMask 0xFFF, beamId 0, freqOffset = the centre of the section's RE 0 from the carrier's
///   centre in half PRACH subcarriers (2 K k_1); the sequence starts k-bar REs into the section.
/// The O-RU answers with U-plane messages of the same filterIndex, timing fields and sectionId,
/// symbolId = startSymbolId + period, startPrbu 0, numPrbu = numPrbc: each period's FFT (scaled by
/// 1/sqrt(period length), as phy::PrachDemodulator does) at the section's REs.
#pragma once

#include "airan/io/oran_cplane.h"
#include "airan/phy/numerology.h"
#include "airan/phy/prach_config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airan::io {

/// filterIndex of \p config's PRACH stream (1, 2, 3, 6 or 7).
[[nodiscard]] std::uint8_t oran_prach_filter_index(const phy::PrachConfig& config);

/// frameStructure subcarrier-spacing code of \p spacing_hz (0 .. 5 for 15 * 2^mu kHz, 12 for
/// 1.25 kHz, 13 for 3.75 kHz, 14 for 5 kHz, 15 for 7.5 kHz); nullopt for other spacings.
[[nodiscard]] std::optional<std::uint8_t> oran_scs_code(std::uint32_t spacing_hz);
/// The spacing in Hz of a frameStructure code; 0 for the reserved codes 6 .. 11.
[[nodiscard]] std::uint32_t oran_scs_hz(std::uint8_t code);

/// Ts of timeOffset: 1 / 30.72 MHz.
inline constexpr double oran_time_offset_rate_hz = 30'720'000.0;

/// The type 3 fields that ask an O-RU for one PRACH occasion (see the file comment).
struct OranPrachRequest {
  std::uint8_t filter_index = 0;
  std::uint8_t start_symbol = 0;     ///< startSymbolId.
  std::uint16_t time_offset = 0;     ///< timeOffset, Ts.
  std::uint8_t fft_size_code = 0;    ///< frameStructure high nibble.
  std::uint8_t scs_code = 0;         ///< frameStructure low nibble.
  std::uint8_t num_prbs = 0;         ///< numPrbc.
  std::uint8_t num_symbols = 0;      ///< numSymbol: sequence periods.
  std::int32_t frequency_offset = 0; ///< freqOffset, half PRACH subcarriers.
  unsigned sequence_offset = 0;      ///< k-bar: RE of the section holding subcarrier 0.
  friend bool operator==(const OranPrachRequest&, const OranPrachRequest&) = default;
};

/// The request for \p config's occasion in slot \p slot of the frame on a carrier of
/// \p numerology and \p num_prbs PRBs, or why there is none (an invalid occasion, a timeOffset
/// that is not a whole number of Ts or does not fit 16 bits, an FFT size without a code).
struct OranPrachRequestResult {
  OranPrachRequest request;
  std::string error; ///< Empty when request is valid.
};
[[nodiscard]] OranPrachRequestResult oran_prach_request(const phy::PrachConfig& config,
                                                        const phy::Numerology& numerology,
                                                        unsigned num_prbs, unsigned slot);

/// Fills the type 3 common header (timing fields besides frame/subframe/slot, timeOffset,
/// frameStructure, cpLength 0, udCompHdr = \p compression) and one section (\p section_id) from
/// \p request.
void fill_prach_cplane(const OranPrachRequest& request, const IqCompression& compression,
                       std::uint16_t section_id, CplaneMessageHeader& header,
                       CplaneSection& section);

/// What an O-RU does for one type 3 PRACH section, at the carrier's sample rate.
struct OranPrachWindow {
  std::uint32_t start = 0;         ///< First sample of period 0 from the slot's start.
  std::uint32_t period_length = 0; ///< FFT size: sample rate / PRACH spacing.
  unsigned num_periods = 0;        ///< numSymbol.
  int first_bin = 0;               ///< Bin (from DC, may be negative) of the section's RE 0.
  unsigned num_res = 0;            ///< 12 numPrbc.
  std::uint8_t filter_index = 0;
  /// One past the last sample, from the slot's start.
  [[nodiscard]] std::uint64_t end() const {
    return start + std::uint64_t{num_periods} * period_length;
  }
};

/// Longest PRACH window an O-RU keeps samples for, from the start of its slot: 4 ms (format 2
/// takes 3.5 ms).
inline constexpr double oran_prach_max_window_s = 4e-3;

/// The window a type 3 section asks for on a carrier of \p numerology and \p num_prbs PRBs, or
/// why it cannot be served (not type 3, filterIndex 0, a reserved spacing, a period or offset
/// that is not a whole number of samples, an odd freqOffset, REs outside the period's band, no
/// periods or PRBs, REs outside the carrier, a window past oran_prach_max_window_s).
struct OranPrachWindowResult {
  OranPrachWindow window;
  std::string_view error; ///< Empty when window is valid; static text (nothing allocated).
};
[[nodiscard]] OranPrachWindowResult oran_prach_window(const phy::Numerology& numerology,
                                                      unsigned num_prbs,
                                                      const CplaneMessageHeader& header,
                                                      const CplaneSection& section);

} // namespace airan::io
