/// \file
/// \brief FronthaulPrachAssembler's per-occasion state (private to io/src, shared by
/// fronthaul_prach_assembler.cpp and fronthaul_prach_expectations.cpp).
#pragma once

#include "airan/io/fronthaul_prach_assembler.h"
#include "airan/io/oran_prach.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace airan::io {

/// Largest numPrbc taken: N_RB^RA x K PRACH PRBs (oran_prach.h) is 72 for the long formats on
/// 15 and 30 kHz carriers and format 3 on 60 kHz, 96 for formats 0-2 on 60 kHz (2 PUSCH PRBs of
/// 48 PRACH PRBs each), 12 for the short formats; larger sections are refused.
inline constexpr unsigned prach_max_section_prbs = 96;
/// Largest numSymbol taken: the most sequence periods of any format (B4).
inline constexpr unsigned prach_max_periods = 12;
/// Largest numPrbc x numSymbol taken: 96 PRBs x 4 periods (format 2 on 60 kHz; B4 is 12 x 12).
inline constexpr unsigned prach_max_prb_periods = 384;
/// Coverage words per (antenna, period).
inline constexpr std::size_t prach_coverage_words = (prach_max_section_prbs + 63) / 64;

/// One occasion: what the C-plane asked for, the values and the PRBs that arrived.
struct FronthaulPrachAssembler::Entry {
  enum class State : std::uint8_t {
    free,    ///< Unused.
    pending, ///< Expected, being filled.
    ready,   ///< Dispatched, queued for next_occasion().
    held,    ///< Taken by the consumer until release().
  };
  State state = State::free;
  /// What the consumer gets: cycle slot, fields of the request, values (a view of the entry's
  /// values), missing PRBs.
  AssembledPrach occasion;
  OranPrachWindow window;         ///< The request's window (every antenna's agrees).
  std::uint8_t num_prbs = 0;      ///< numPrbc.
  std::uint16_t antennas = 0;     ///< Bit r: antenna r's PRACH eAxC was asked.
  std::int64_t window_end_ns = 0; ///< From the start of the slot to the end of the last period.
  std::uint64_t opened = 0;       ///< Opening order: the oldest leaves first to make room.
  std::uint64_t prbs_received = 0;
  /// The occasion's num_rx x num_periods x num_res values in the shared arena, as
  /// [antenna][period][RE]: units arena units (one PRB-period of every antenna each) from
  /// first_unit; nullptr while the entry holds none.
  phy::cf32* values = nullptr;
  std::size_t first_unit = 0;
  std::size_t units = 0;
  /// Coverage bits, [antenna][period (of prach_max_periods)][word].
  std::vector<std::uint64_t> received;

  /// PRBs the occasion delivers: every receive antenna's (occasion.num_antennas), asked for or
  /// not (an antenna not asked for is zero, hence missing), over its periods.
  [[nodiscard]] std::uint64_t expected_prbs() const {
    return std::uint64_t{occasion.num_antennas} * occasion.num_periods * num_prbs;
  }
  /// The coverage words of (\p antenna, \p period).
  [[nodiscard]] std::uint64_t* coverage(unsigned antenna, unsigned period) {
    return received.data() +
           (std::size_t{antenna} * prach_max_periods + period) * prach_coverage_words;
  }
};

} // namespace airan::io
