/// \file
/// \brief The DU's end of a fronthaul link in front of a stand-alone L1 (`airan l1`): U-plane
/// frames as they come off a port (one thread, e.g. a DPDK receive loop), assembled into slots
/// by io::FronthaulSlotAssembler and handed to the L1's sample source with their FAPI address.
///
/// Timing is stepped, like the L1's stepped clock: a frame counts as arriving at the nominal
/// start of the symbol its timing header names (no Ta4 policing), and a slot leaves the
/// assembler when every unit of every antenna and symbol is in (the O-RU sends the whole
/// carrier: no C-plane), when newer slots need its buffer, or when the link has been quiet for
/// quiet_timeout with slots still open (flush_if_quiet(): a slot that lost frames leaves as
/// partial instead of stalling a clock that waits for it).
///
/// frameId counts frames modulo 256: the receiver extends it to a slot count from the first
/// frame after construction or reset() (taken to lie in the first 256 frames after START, as
/// the O-RU's frames from the SFN 0 the MAC starts at do); a slot's SFN is its count's frame
/// modulo 1024. The count follows the slots that complete, never a single frame: a frame of this
/// carrier whose timing header lands more than window_frames frames from it (a corrupted
/// frameId) is counted and dropped, unless resync_after such frames in a row agree (the stream
/// really jumped: the count follows); one inside the window is placed by its header. The L1
/// calls reset() when a MAC stops it, before the next session starts again at SFN 0. A slot's
/// samples change hands without a copy: the assembler's buffer and a free source entry's swap
/// (InMemoryIqSource::exchange_grid / exchange_iq). Nothing is allocated per frame (in time
/// domain: when the source's max_iq_samples is the assembler's reserve, the longest slot times
/// the antennas, as `airan l1` sets it).
///
/// With C-plane (`airan l1 --cplane`, 7.2x only) the O-RU sends only what the L1's section type 1
/// messages asked for: the L1 hands each C-plane frame it sends to on_cplane_frame(), whose
/// requests tell the assembler what each slot carries (io::FronthaulSlotAssembler::
/// expect_sections(): a slot is whole once they are in), and tells on_cplane_slot_done() when a
/// slot's C-plane is complete: a slot it asked nothing of goes to the source empty at once (the
/// O-RU sends nothing for it), and the slot count follows the L1's slots, so that a long run of
/// empty slots does not put the next frames outside the window.
#pragma once

#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_frame.h"
#include "airan/io/fronthaul_slot_assembler.h"
#include "airan/io/ru_cplane_requests.h"
#include "airan/l1/iq_source.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

namespace airan::l1 {

/// Totals of a FronthaulLinkReceiver.
struct FronthaulLinkCounters {
  std::uint64_t frames = 0;          ///< Frames handed to on_frame().
  std::uint64_t slots_delivered = 0; ///< Slots the source took.
  std::uint64_t slots_partial = 0;   ///< Of those, slots with units missing (left zero).
  /// Slots the source refused (closed already, or no free entry within the push timeout).
  std::uint64_t slots_refused = 0;
  /// Slots whose frames resolved to a time before the first frame's (never delivered).
  std::uint64_t slots_before_start = 0;
  std::uint64_t quiet_flushes = 0;          ///< flush_if_quiet() calls that dispatched open slots.
  std::uint64_t slots_dropped_at_reset = 0; ///< Open slots reset() dropped.
  /// Frames whose timing header was more than window_frames frames from the slot count,
  /// dropped (corrupted, or the first of a real jump).
  std::uint64_t frames_out_of_window = 0;
  std::uint64_t count_resyncs = 0;   ///< Jumps of the count after resync_after such frames.
  std::uint64_t cplane_frames = 0;   ///< With C-plane: the L1's frames taken.
  std::uint64_t cplane_sections = 0; ///< Their type 1 sections of this carrier's antennas.
  /// Their messages and sections that requested nothing here (type 3, another carrier, ...).
  std::uint64_t cplane_ignored = 0;
  std::uint64_t slots_empty = 0;         ///< Slots the L1 asked nothing of, handed over empty.
  std::uint64_t empty_slots_refused = 0; ///< Such slots the source refused (closed, or full).
};

/// U-plane frames to the L1's sample source (see the file comment).
class FronthaulLinkReceiver {
public:
  /// Frames in a row, each within a slot of the one before, that move the count past a jump.
  static constexpr unsigned resync_after = 8;
  /// How far (frames, either way) from the slot count a frame may lie.
  static constexpr unsigned window_frames = 4;

  /// \p target (which must outlive the receiver) gets the assembled slots; \p push_timeout is
  /// how long one push may wait for a free entry before the slot counts as refused;
  /// \p quiet_timeout how long the link may be quiet before open slots are flushed.
  /// \throws std::invalid_argument for an invalid cell or configuration (see
  /// io::FronthaulSlotAssembler).
  FronthaulLinkReceiver(const phy::CellConfig& cell, unsigned num_rx_antennas,
                        const io::FronthaulConfig& config, InMemoryIqSource& target,
                        std::chrono::microseconds push_timeout,
                        std::chrono::milliseconds quiet_timeout = std::chrono::milliseconds(200));

  /// One Ethernet frame (any content: what is not this carrier's U-plane is counted by the
  /// assembler). Hands out every slot it completes.
  void on_frame(std::span<const std::uint8_t> frame);
  /// With C-plane: a frame the L1 sent to the O-RU (see the file comment).
  void on_cplane_frame(std::span<const std::uint8_t> frame);
  /// With C-plane: the L1's C-plane of (\p sfn, \p slot) is complete (FronthaulCplaneSender::
  /// on_slot_done()); a slot without type 1 requests is handed to the source empty.
  void on_cplane_slot_done(std::uint16_t sfn, std::uint16_t slot);
  /// Dispatches the slots still being assembled (the link went quiet for good).
  void flush();
  /// Drops the slots still open (counted: past the last slot of a stopped session), then
  /// forgets the slot count: the next frame starts a new one (a new session).
  void reset();
  /// Calls flush() when slots are open and no frame came for quiet_timeout before \p now (a
  /// receive loop calls this when a poll returns nothing); true when it did.
  bool flush_if_quiet(SteadyClock::time_point now);

  [[nodiscard]] const FronthaulLinkCounters& counters() const { return counters_; }
  /// The assembler's counters (packets, malformed, missing units, ...).
  [[nodiscard]] const io::FronthaulCounters& fronthaul_counters() const {
    return assembler_.counters();
  }

private:
  /// The nominal arrival time of \p frame (the last one when it has no usable timing), or
  /// nullopt when it lies outside the count's window (dropped).
  std::optional<std::int64_t> nominal_arrival(std::span<const std::uint8_t> frame);
  void deliver();

  io::FronthaulConfig config_;
  InMemoryIqSource& target_;
  io::RuCplaneScope cplane_scope_;
  io::RuRequestsBySlot cplane_requests_; ///< One C-plane frame's, by cycle slot.
  std::chrono::microseconds push_timeout_;
  std::chrono::milliseconds quiet_timeout_;
  SteadyClock::time_point last_frame_at_{};
  io::FronthaulLinkConfig link_;
  io::FronthaulSlotAssembler assembler_;
  unsigned slots_per_frame_;
  unsigned num_rx_;
  bool started_ = false;
  std::int64_t session_base_ = 0; ///< The assembler's slot of this session's count 0.
  std::int64_t count_ = 0;        ///< The slot count: the newest slot followed.
  unsigned out_in_row_ = 0;       ///< Frames outside the window in a row.
  std::int64_t out_slot_ = 0;     ///< The slot of the newest of them.
  std::int64_t last_arrival_ns_ = 0;
  FronthaulLinkCounters counters_;
};

/// The configuration a stepped link runs the assembler with: \p config with a fixed epoch and
/// deadlines long enough that only completion, pool pressure and flush dispatch a slot.
io::FronthaulConfig stepped_link_config(io::FronthaulConfig config);

} // namespace airan::l1
