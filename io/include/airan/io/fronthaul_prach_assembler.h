/// \file
/// \brief The DU side of the O-RAN 7.2x PRACH stream (section type 3; conventions in
/// oran_prach.h): the DU's own type 3 C-plane tells it which occasions to expect; the O-RU's
/// PRACH U-plane frames (filterIndex != 0, on the carrier's PRACH eAxCs), in any order and split,
/// are gathered per occasion over antennas and periods, and each occasion leaves when its last
/// PRB arrives (complete), at its deadline, to make room (only one whose window has ended), or at
/// flush() (partial, missing PRBs zero). An occasion delivers every receive antenna: one the DU
/// did not ask for is zero and its PRBs count as missing.
///
/// Usage (one thread, beside FronthaulSlotAssembler on the same frames):
/// \code
/// FronthaulPrachAssembler prach(cell, num_rx, config);
/// for each C-plane frame the DU sends: prach.expect_cplane_frame(bytes);
/// for each received frame: prach.push(bytes, arrival_ns); prach.advance(now_ns, epoch_ns);
///   while (const AssembledPrach* occasion = prach.next_occasion()) { use(*occasion);
///                                                                    prach.release(occasion); }
/// \endcode
/// Everything is allocated at construction; nothing after, and bad input only moves counters.
#pragma once

#include "airan/io/bfp_compression.h"
#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_frame.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/types.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace airan::io {

/// One PRACH occasion's section as the O-RU sent it, over every antenna and period.
struct AssembledPrach {
  unsigned cycle_slot = 0;           ///< Slot of the 256-frame cycle (the C-plane's timing).
  std::uint8_t start_symbol = 0;     ///< startSymbolId.
  std::uint8_t filter_index = 0;     ///< filterIndex.
  std::uint16_t section_id = 0;      ///< sectionId.
  std::int32_t frequency_offset = 0; ///< freqOffset of the C-plane section.
  unsigned num_antennas = 0;         ///< The receive antennas.
  unsigned num_periods = 0;          ///< numSymbol.
  unsigned num_res = 0;              ///< 12 numPrbc.
  /// [antenna][period][RE]: num_antennas * num_periods * num_res values (a PRB that never
  /// arrived, or an antenna the DU did not ask for, is zero).
  std::span<const phy::cf32> values;
  /// PRBs of the occasion (every antenna, period and PRB) that did not arrive: an antenna the
  /// DU did not ask for counts whole.
  unsigned missing_prbs = 0;
  [[nodiscard]] bool complete() const { return missing_prbs == 0; }
  /// The REs of (\p antenna, \p period).
  [[nodiscard]] std::span<const phy::cf32> at(unsigned antenna, unsigned period) const {
    return values.subspan((std::size_t{antenna} * num_periods + period) * num_res, num_res);
  }
};

/// Counters of a FronthaulPrachAssembler. A PRACH U-plane message lands in messages and, when
/// it is refused whole, in one of malformed, unknown_eaxc or outside_section (PRBs past
/// numPrbc); each section of a parsed one is written (prbs, duplicate_prbs) or counted in
/// unexpected or outside_section.
struct FronthaulPrachCounters {
  std::uint64_t expected = 0; ///< Occasions (expectations) registered.
  /// Type 3 sections of this carrier's PRACH eAxCs not taken: bad fields (oran_prach_window(),
  /// numPrbc over 96, numSymbol over 12, numPrbc x numSymbol over 384, symInc, a partial
  /// reMask, bad timing fields), an antenna that disagrees with the others of its occasion, no
  /// room (no_room).
  std::uint64_t expect_refused = 0;
  /// Of those, new occasions refused for room: max_occasions pending and none of their windows
  /// ended by the last advance(), the values arena full, or the consumer holding every entry
  /// that is not pending.
  std::uint64_t no_room = 0;
  std::uint64_t messages = 0; ///< PRACH U-plane messages (filterIndex != 0) seen.
  /// Of those, not parsable (eCPRI, transport fragments, bad timing fields, U-plane, a
  /// compression this code does not decode); a frame cut short counts when its timing header
  /// is there.
  std::uint64_t malformed = 0;
  /// Sections without a pending expectation of their slot, sectionId and filterIndex (never
  /// asked, already dispatched, downlink).
  std::uint64_t unexpected = 0;
  /// Sections of a period past numSymbol (or before startSymbolId) or of an antenna not asked
  /// for; messages with PRBs past numPrbc.
  std::uint64_t outside_section = 0;
  std::uint64_t unknown_eaxc = 0;   ///< Messages of another carrier, or not a PRACH RU port.
  std::uint64_t prbs = 0;           ///< PRBs written (new ones).
  std::uint64_t duplicate_prbs = 0; ///< PRBs that had already arrived (overwritten).
  std::uint64_t complete = 0;       ///< Occasions dispatched complete.
  std::uint64_t partial = 0;        ///< Dispatched with PRBs missing (deadline, room, flush).
  std::uint64_t missing_prbs = 0;   ///< PRBs missing from those.
  std::uint64_t dropped = 0;        ///< Dispatched occasions overwritten before being taken.
};

/// Gathers the PRACH occasions of one carrier (see the file comment).
class FronthaulPrachAssembler {
public:
  /// \p max_occasions: occasions expected at once (io::oran_prach_sizing()'s occasions in
  /// flight). When they are all pending, the oldest whose window ended by the last advance()
  /// leaves partial to make room; when none has, the new occasion is refused (counted). Two
  /// more entries hold dispatched occasions until the consumer takes them. A section is at most
  /// 96 PRBs, 12 periods and 384 PRBs over its periods (96 PRBs x 4 periods of format 2 on
  /// 60 kHz; every NR format fits). The values of the occasions share an arena of
  /// \p max_prb_periods + 2 x 384 PRB-periods of every antenna (numPrbc x numSymbol each; 0:
  /// 384 per occasion expected at once); an occasion that finds no room in it is refused.
  /// \throws std::invalid_argument for an invalid cell or configuration, 0 or more than 16
  /// antennas, PRACH RU ports that do not fit the RU port field or overlap the PUSCH ones,
  /// max_occasions 0.
  FronthaulPrachAssembler(const phy::CellConfig& cell, unsigned num_rx_antennas,
                          const FronthaulConfig& config, unsigned max_occasions = 16,
                          std::size_t max_prb_periods = 0);
  ~FronthaulPrachAssembler();
  FronthaulPrachAssembler(const FronthaulPrachAssembler&) = delete;
  FronthaulPrachAssembler& operator=(const FronthaulPrachAssembler&) = delete;

  /// A C-plane frame the DU sent (every message of its eCPRI chain): each uplink type 3
  /// section with filterIndex != 0 on one of this carrier's PRACH eAxCs (oran_prach_window()
  /// valid) adds its antenna to the expectation of (cycle slot, sectionId), which is opened on
  /// first sight. Returns the sections taken.
  unsigned expect_cplane_frame(std::span<const std::uint8_t> frame);

  /// A received Ethernet frame. PRACH U-plane messages (filterIndex != 0) of this carrier go
  /// into their occasion (symbolId - startSymbolId is the period); everything else, frames the
  /// address filter refuses (FronthaulConfig::filter_by_address) included, is left to
  /// FronthaulSlotAssembler (not counted here). Returns true when a message of the frame was
  /// PRACH data (a section of it went into an occasion). \p arrival_ns is not used yet (no
  /// Ta4 classification of PRACH messages).
  bool push(std::span<const std::uint8_t> ethernet_frame, std::int64_t arrival_ns);

  /// Dispatches (partial) every occasion whose window (the C-plane's timeOffset and periods)
  /// ended more than slot_deadline_ns before \p now_ns, on the clock anchored at \p epoch_ns.
  /// The time is kept: an occasion whose window ended by then may leave to make room.
  void advance(std::int64_t now_ns, std::int64_t epoch_ns);

  /// Dispatches every expected occasion (end of a capture).
  void flush();

  /// The oldest dispatched occasion not yet taken, or nullptr; held until release().
  const AssembledPrach* next_occasion();
  void release(const AssembledPrach* occasion);

  /// Occasions expected and not yet dispatched.
  [[nodiscard]] std::size_t pending() const;
  [[nodiscard]] const FronthaulPrachCounters& counters() const { return counters_; }

private:
  struct Entry; // fronthaul_prach_entry.h

  unsigned take_cplane_message(const EcpriMessageView& message);
  bool expect_section(const CplaneMessageHeader& header, const CplaneSection& section,
                      unsigned cycle_slot, unsigned antenna);
  bool handle_message(const EcpriMessageView& message);
  bool write_section(unsigned cycle_slot, unsigned antenna, unsigned symbol,
                     std::uint8_t filter_index, const UplaneSectionView& section);
  /// The receive antenna whose PRACH eAxC \p eaxc_id is, or nullopt (another carrier, not a
  /// PRACH RU port).
  [[nodiscard]] std::optional<unsigned> prach_antenna(std::uint16_t eaxc_id) const;
  Entry* find_pending(unsigned cycle_slot, std::uint16_t section_id);
  /// A free entry (dispatching the oldest pending one whose window ended, or overwriting the
  /// oldest untaken dispatched one, to make room), or nullptr when there is no room.
  Entry* open_entry();
  /// Whether \p entry's window ended by the last advance() (false before the first).
  [[nodiscard]] bool window_ended(const Entry& entry, std::int64_t now_slot) const;
  void dispatch(Entry& entry);
  /// The first arena unit of the first free run of \p units units, if there is one.
  [[nodiscard]] std::optional<std::size_t> free_values(std::size_t units) const;
  /// Gives \p entry the \p units arena units from \p first_unit (free_values()).
  void take_values(Entry& entry, std::size_t first_unit, std::size_t units);
  /// Frees \p entry and its arena units.
  void free_entry(Entry& entry);

  phy::CellConfig cell_;
  unsigned num_rx_;
  FronthaulConfig config_;
  FronthaulSlotClock clock_;
  phy::Numerology numerology_;
  std::unique_ptr<IqCompressor> compressor_;
  unsigned max_occasions_;
  /// max_occasions + 2 entries: max_occasions pending at most, the others dispatched.
  std::vector<Entry> entries_;
  /// The entries' values: arena units of num_rx x 12 values (one PRB-period, every antenna).
  std::vector<phy::cf32> arena_;
  std::vector<std::uint64_t> arena_used_; ///< One bit per arena unit.
  std::size_t arena_units_ = 0;
  std::optional<std::int64_t> now_ns_;   ///< The last advance()'s time.
  std::int64_t epoch_ns_ = 0;            ///< And its clock anchor.
  std::vector<std::size_t> ready_queue_; ///< Ring of entry indices in dispatch order.
  std::size_t ready_head_ = 0;
  std::size_t ready_count_ = 0;
  std::uint64_t next_opened_ = 0; ///< Entry::opened of the next occasion.
  FronthaulPrachCounters counters_;
};

} // namespace airan::io
