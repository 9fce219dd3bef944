/// \file
/// \brief Counters of the fronthaul slot assembler: what arrived, what was wrong with it, how
/// it fitted the slot clock, and how slots left. Every packet handed to push() lands in exactly
/// one of the packet outcome counters (see FronthaulCounters).
#pragma once

#include "airan/io/ecpri.h"
#include "airan/io/oran_uplane.h"

#include <array>
#include <cstdint>
#include <string>

namespace airan::io {

/// EcpriParseStatus values (ok included), for per-reason arrays.
inline constexpr std::size_t ecpri_parse_status_count = 10;
/// UplaneParseStatus values (ok included).
inline constexpr std::size_t uplane_parse_status_count = 8;

/// Totals since construction (or reset_counters()).
///
/// Packet outcomes (each packet counts once): malformed (ecpri_malformed / uplane_malformed per
/// parse status, bad_timing_fields, unsupported_compression, symbol_out_of_range,
/// units_outside_symbol), other_destination, other_vlan, cplane, wrong_direction, unknown_eaxc,
/// filtered_messages,
/// fragmented_unsupported, too_late, too_early, epoch_mismatch, no_buffer, or accepted. Accepted
/// packets are also classified by the Ta4 window (early + on_time + late = accepted). A packet of a
/// slot that slots_discarded threw away is moved from its Ta4 class to epoch_mismatch, one of a
/// slot given up (slots_given_up) to too_late.
struct FronthaulCounters {
  std::uint64_t packets = 0; ///< Frames handed to push().
  std::uint64_t bytes = 0;   ///< Their bytes.
  /// eCPRI messages beyond the first of a frame (C bit chains); each is handled like a packet
  /// of its own for the outcome counters below.
  std::uint64_t concatenated_messages = 0;

  // --- Malformed, dropped: per parse status (index = status value; [0] unused) ---
  std::array<std::uint64_t, ecpri_parse_status_count> ecpri_malformed{};
  std::array<std::uint64_t, uplane_parse_status_count> uplane_malformed{};
  std::uint64_t bad_timing_fields = 0;       ///< subframeId >= 10, slotId >= 2^mu, symbol >= 14.
  std::uint64_t unsupported_compression = 0; ///< A section's udCompHdr this code cannot decode.
  std::uint64_t symbol_out_of_range = 0;     ///< Symbol (after symInc) past the slot.
  std::uint64_t units_outside_symbol = 0;    ///< Time domain: blocks past the symbol's samples.

  // --- Not for this link (FronthaulConfig::filter_by_address), dropped whole, unparsed ---
  std::uint64_t other_destination = 0; ///< Frames to another MAC address than du_mac.
  std::uint64_t other_vlan = 0;        ///< Frames tagged with another VLAN id than vlan.id.

  // --- Well-formed, not for this assembler, dropped ---
  std::uint64_t cplane = 0;          ///< C-plane messages (ignored).
  std::uint64_t wrong_direction = 0; ///< dataDirection downlink.
  /// eAxC of another DU port / band sector / CC, or RU port >= receive antennas.
  std::uint64_t unknown_eaxc = 0;
  /// PRACH / filtered U-plane messages (filterIndex != 0): not grid data, see
  /// FronthaulPrachAssembler.
  std::uint64_t filtered_messages = 0;
  /// Transport-layer fragments (ecpriSeqid E bit 0 or subsequence id != 0): not reassembled.
  std::uint64_t fragmented_unsupported = 0;

  // --- Timing ---
  /// The packet's slot is not being assembled and may not open (again): it was dispatched or
  /// given up on already, or lies FronthaulSlotAssembler::reorder_window_slots() or more behind
  /// the newest slot dispatched or given up on, or its deadline has passed, or it is older than
  /// every slot being assembled while max_slots_in_flight are: dropped. No slot is dispatched
  /// twice, however long the deadline.
  std::uint64_t too_late = 0;
  std::uint64_t too_early = 0; ///< Slot more than max_slots_in_flight slots ahead: dropped.
  std::uint64_t no_buffer = 0; ///< Every slot buffer held by the consumer: dropped.
  /// Learned epoch only: the packet's slot was far from the slot of its arrival time (more than
  /// max_slots_in_flight + 2 slots after it, or more than that + 1 + the deadline's slots
  /// before it): dropped; after FronthaulSlotAssembler::resync_after such frames in a row that
  /// agree on another epoch it is learned again (epoch_relearns).
  std::uint64_t epoch_mismatch = 0;
  std::uint64_t epoch_relearns = 0; ///< Times the learned epoch was replaced (see above).
  /// Outlying arrival times (FronthaulSlotAssembler::arrival_outlier_ns ahead of the running
  /// clock, or behind it by more than arrival_reorder_ns or slot_deadline_ns +
  /// max_slots_in_flight + 1 slots, whichever is more): the message is placed by its timing
  /// header at the running clock's time instead, and does not move the clock. Also counted in
  /// its outcome.
  std::uint64_t arrival_outliers = 0;
  /// Times resync_after frames of outliers in a row, within arrival_outlier_ns of each other,
  /// moved the running clock to their time (the capture or the sender's clock jumped, either
  /// way); the slots being assembled were then flushed (slots_flushed).
  std::uint64_t clock_resyncs = 0;
  std::uint64_t early = 0;   ///< Accepted, before the Ta4 window.
  std::uint64_t on_time = 0; ///< Accepted, inside the Ta4 window.
  std::uint64_t late = 0;    ///< Accepted, after the Ta4 window.

  // --- Content of accepted packets ---
  std::uint64_t sections = 0;          ///< U-plane sections written into slots.
  std::uint64_t units = 0;             ///< PRBs (or time-domain blocks) written, new ones.
  std::uint64_t duplicate_units = 0;   ///< PRBs / blocks that had already arrived (overwritten).
  std::uint64_t duplicate_packets = 0; ///< Accepted packets all of whose units were duplicates.
  /// Messages whose ecpriSeqid was ahead of their eAxC's last + 1, by less than half the id
  /// space (loss, or a message that overtook others).
  std::uint64_t sequence_gaps = 0;
  /// Sequence ids skipped over by those gaps (mod 256, forward distance - 1).
  std::uint64_t sequence_ids_skipped = 0;
  /// Messages whose ecpriSeqid was at or behind their eAxC's last (a repeat, or one overtaken by
  /// later ones): counted here, not as gaps, and the eAxC's sequence stays where it was.
  std::uint64_t sequence_ids_behind = 0;

  // --- Slots ---
  std::uint64_t slots_complete = 0;      ///< Dispatched when the last unit arrived.
  std::uint64_t slots_deadline = 0;      ///< Dispatched partial by advance() at the deadline.
  std::uint64_t slots_pool_pressure = 0; ///< Dispatched partial to make room for a newer slot.
  std::uint64_t slots_flushed = 0;       ///< Dispatched partial by flush() or a clock resync.
  /// Dispatched slots that the consumer had not taken when a buffer was needed (overwritten).
  std::uint64_t slots_overrun = 0;
  /// Slots being assembled on a learned epoch that was then replaced (epoch_relearns): not
  /// dispatched; their packets are counted as epoch_mismatch (the content counters below keep
  /// what those packets wrote).
  std::uint64_t slots_discarded = 0;
  /// Slots being assembled when the consumer gave up on them (FronthaulSlotAssembler::give_up()):
  /// not dispatched; their packets are counted as too_late.
  std::uint64_t slots_given_up = 0;
  /// Slots opened with the DU's C-plane requests (FronthaulSlotAssembler::expect_sections()):
  /// only their requested units were expected.
  std::uint64_t requested_slots = 0;
  /// Slots the DU requested units of that never opened (no packet before a later slot's, or
  /// before drop_requests()).
  std::uint64_t requested_slots_unserved = 0;
  /// expect_sections() calls refused: time domain, a request outside the carrier, slot or
  /// antennas, or no room for another slot's requests.
  std::uint64_t requests_refused = 0;
  std::uint64_t missing_units = 0; ///< Units absent from dispatched slots (left zero).
  std::uint64_t incomplete_symbols =
      0; ///< (antenna, symbol) rows of dispatched slots missing units.

  /// Sum of every malformed reason.
  [[nodiscard]] std::uint64_t malformed() const;
};

/// One "name value" line per non-zero counter, e.g. "ecpri_malformed.not_ecpri 3".
std::string to_string(const FronthaulCounters& counters);

} // namespace airan::io
