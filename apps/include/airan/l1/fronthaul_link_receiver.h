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
/// modulo 1024. The count follows the slots that complete or that at least resync_after frames
/// came for (a stream of partial slots), never a single frame: a frame of this
/// carrier whose timing header lands more than window_frames frames from it (a corrupted
/// frameId) is counted and dropped, unless resync_after such frames in a row agree (the stream
/// really jumped: the count follows); one inside the window is placed by its header. The L1
/// calls reset() when a MAC stops it, before the next session starts again at SFN 0. A slot's
/// samples change hands without a copy: the assembler's buffer and a free source entry's swap
/// (InMemoryIqSource::exchange_grid / exchange_iq). Nothing is allocated per U-plane frame (in time
/// domain: when the source's max_iq_samples is the assembler's reserve, the longest slot times
/// the antennas, as `airan l1` sets it).
///
/// Live (`airan l1 --clock real-time`, a timeline given): the O-RU's frames are taken at their
/// arrival times on the timeline's air time, against the Ta4 window, and slots are counted from
/// its epoch (the L1's slot clock, SlotClock::start_on(), counts the same): a slot leaves when
/// complete, or partial at its deadline (poll()), with the SFN of GPS time rather than of the
/// first frame; nothing moves a count by frames, and reset() keeps the numbering.
///
/// With C-plane (`airan l1 --cplane`, 7.2x only) the O-RU sends only what the L1's section type 1
/// messages asked for: the L1 hands each C-plane frame it sends to on_cplane_frame(), whose
/// requests tell the assembler what each slot carries (io::FronthaulSlotAssembler::
/// expect_sections(): a slot is whole once they are in), and tells on_cplane_slot_done() when a
/// slot's C-plane is complete: a slot it asked nothing of goes to the source empty at once (the
/// O-RU sends nothing for it), and the slot count follows the L1's slots, so that a long run of
/// empty slots does not put the next frames outside the window. The C-plane's section type 3
/// requests tell an io::FronthaulPrachAssembler which PRACH occasions to expect on the PRACH
/// eAxCs; each occasion it completes goes to the source with the next slot handed over (the
/// L1 takes an occasion's section up to UlSlotProcessorConfig::prach_section_grace_slots after
/// its last slot).
#pragma once

#include "airan/io/fapi_prach_conversion.h"
#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_frame.h"
#include "airan/io/fronthaul_prach_assembler.h"
#include "airan/io/fronthaul_slot_assembler.h"
#include "airan/io/ru_cplane_requests.h"
#include "airan/l1/iq_source.h"
#include "airan/l1/slot_clock.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace airan::l1 {

/// Totals of a FronthaulLinkReceiver.
struct FronthaulLinkCounters {
  std::uint64_t frames = 0; ///< Frames handed to on_frame().
  /// Of those, frames of another link (another destination MAC or VLAN id: the assembler's
  /// address filter, io::FronthaulConfig::filter_by_address): no sign of this link's O-RU, so
  /// they neither keep the link from being quiet (flush_if_quiet()) nor move the slot count.
  std::uint64_t frames_for_other_links = 0;
  /// Frames of this link (not another link's) that came while no session ran
  /// (set_session_gate()): dropped.
  std::uint64_t frames_outside_session = 0;
  std::uint64_t slots_delivered = 0; ///< Slots the source took.
  std::uint64_t slots_partial = 0;   ///< Of those, slots with units missing (left zero).
  /// Slots the source refused (closed already, or no free entry within the push timeout).
  std::uint64_t slots_refused = 0;
  /// Slots whose frames resolved to a time before the first frame's (never delivered).
  std::uint64_t slots_before_start = 0;
  /// flush_if_quiet() calls that dispatched open slots (or, with C-plane, handed over lost ones).
  std::uint64_t quiet_flushes = 0;
  std::uint64_t slots_dropped_at_reset = 0; ///< Open slots reset() dropped.
  /// Frames whose timing header was more than window_frames frames from the slot count,
  /// dropped (corrupted, or the first of a real jump).
  std::uint64_t frames_out_of_window = 0;
  std::uint64_t count_resyncs = 0; ///< Jumps of the count after resync_after such frames.
  std::uint64_t cplane_frames = 0; ///< With C-plane: the L1's frames taken.
  /// Their sections of this carrier: type 1 of its antennas, type 3 of its PRACH eAxCs.
  std::uint64_t cplane_sections = 0;
  /// Their messages and sections that requested nothing here (another carrier, ...).
  std::uint64_t cplane_ignored = 0;
  std::uint64_t slots_empty = 0; ///< Slots the L1 asked nothing of, handed over empty.
  /// Slots the L1 asked for of which nothing came: handed over empty once a later slot came or
  /// the link was quiet for lost_after (or quiet_timeout, if longer) after their C-plane; also
  /// the oldest asked for when more than the queue holds wait, whatever of them had come (the
  /// assembler gives it up: FronthaulCounters::slots_given_up).
  std::uint64_t slots_lost = 0;
  std::uint64_t empty_slots_refused = 0; ///< Such slots the source refused (closed, or full).
  std::uint64_t prach_occasions = 0;     ///< 7.2x PRACH occasions handed to the source.
  /// Occasions dropped: more completed before the next slot than it can carry, or left at
  /// reset().
  std::uint64_t prach_dropped = 0;
};

/// U-plane frames to the L1's sample source (see the file comment).
class FronthaulLinkReceiver {
public:
  /// Frames in a row, each within a slot of the one before, that move the count past a jump.
  static constexpr unsigned resync_after = 8;
  /// How far (frames, either way) from the slot count a frame may lie.
  static constexpr unsigned window_frames = 4;
  /// 7.2x PRACH occasions handed to the source with one slot at most: FAPI's occasions of two
  /// slots (those of a later slot may complete before an earlier slot is handed over), as the
  /// values are sized (prach_values_limit_). The occasions expected at once are sized from the
  /// carrier's PRACH formats (io::oran_prach_sizing() with prach_cplane_lead_slots).
  static constexpr unsigned max_prach_occasions = 2 * io::fapi_max_prach_occasions;
  /// REs of one occasion and antenna at most (io::FronthaulPrachAssembler: 384 PRB-periods).
  static constexpr std::size_t max_prach_values_per_antenna = 384 * 12;
  /// How far the L1's C-plane may lead its slot (FapiPhyConfig::max_advance_slots): the PRACH
  /// occasions it asks for are expected from then to the end of their windows.
  static constexpr unsigned prach_cplane_lead_slots = 8;
  /// With C-plane: how long after its C-plane a slot asked for of which nothing came is taken as
  /// lost (the link quiet since; the stepped clock's MAC may be slow to send).
  static constexpr std::chrono::seconds lost_after{2};

  /// \p target (which must outlive the receiver) gets the assembled slots; \p push_timeout is
  /// how long one push may wait for a free entry before the slot counts as refused;
  /// \p quiet_timeout how long the link may be quiet before open slots are flushed.
  /// \throws std::invalid_argument for an invalid cell or configuration (see
  /// io::FronthaulSlotAssembler).
  /// \p timeline set: the live link (see the file comment), its epoch replacing
  /// config.epoch_ns.
  FronthaulLinkReceiver(const phy::CellConfig& cell, unsigned num_rx_antennas,
                        const io::FronthaulConfig& config, InMemoryIqSource& target,
                        std::chrono::microseconds push_timeout,
                        std::chrono::milliseconds quiet_timeout = std::chrono::milliseconds(200),
                        std::optional<io::AirTimeline> timeline = std::nullopt);

  /// One Ethernet frame (any content: what is not this carrier's U-plane is counted by the
  /// assembler). Hands out every slot it completes. Stepped link only.
  void on_frame(std::span<const std::uint8_t> frame);
  /// One Ethernet frame that arrived at \p wall_arrival_ns (CLOCK_REALTIME ns). Live link: on
  /// the timeline's air time; stepped link: the arrival time is not used.
  void on_frame(std::span<const std::uint8_t> frame, std::int64_t wall_arrival_ns);
  /// Frames that come while \p in_session says no session runs (before the L1's first START,
  /// between a STOP and the next START) are counted (frames_outside_session) and dropped: a
  /// stale frame of a stopped session that came before the next START would otherwise fix the
  /// next one's count origin (a
  /// frameId far from the SFN 0 it starts at: the stepped clock would pass its slots), and a
  /// continuous O-RU's frames would fill the source with slots no session asks for. It is asked
  /// for each frame after the frame was received, so a frame that a just-started session caused
  /// is never taken for one outside it. Without a gate (the default) every frame is a session's.
  /// Another link's frames are counted as such first (frames_for_other_links).
  void set_session_gate(std::function<bool()> in_session) { in_session_ = std::move(in_session); }
  /// Live link: the time is \p wall_now_ns; slots past their deadline leave partial, requested
  /// slots of which nothing came by then leave as lost. True when a slot left. A receive loop
  /// calls it after every poll. Stepped link: does nothing.
  bool poll(std::int64_t wall_now_ns);
  /// Whether the link runs on a timeline (live) rather than stepped.
  [[nodiscard]] bool live() const { return timeline_.has_value(); }
  /// With C-plane: also assemble the O-RU's PRACH stream (see the file comment; 7.2x). Allocates
  /// the PRACH assembler. \throws std::invalid_argument in time domain, or when the RU port
  /// field cannot number the PRACH eAxCs (io::FronthaulPrachAssembler).
  void expect_prach();
  /// With C-plane: a frame the L1 sent to the O-RU (see the file comment).
  void on_cplane_frame(std::span<const std::uint8_t> frame);
  /// With C-plane: the L1's C-plane of (\p sfn, \p slot) is complete (FronthaulCplaneSender::
  /// on_slot_done()); a slot without type 1 requests is handed to the source empty.
  void on_cplane_slot_done(std::uint16_t sfn, std::uint16_t slot);
  /// Dispatches the slots still being assembled (the link went quiet for good).
  void flush();
  /// Drops the slots still open (counted: past the last slot of a stopped session), then
  /// forgets the slot count: the next frame starts a new one (a new session). Stepped, the new
  /// session's slots lie on the assembler's time line past every slot it dispatched (the
  /// dropped ones included), so none of them is refused as one dispatched already.
  void reset();
  /// Calls flush() when slots are open and no frame came for quiet_timeout before \p now (a
  /// receive loop calls this when a poll returns nothing); with C-plane it also hands over, as
  /// lost, requested slots of which nothing came for lost_after after their C-plane was done.
  /// True when it did either.
  bool flush_if_quiet(SteadyClock::time_point now);

  [[nodiscard]] const FronthaulLinkCounters& counters() const { return counters_; }
  /// The link's configuration (epoch resolved).
  [[nodiscard]] const io::FronthaulConfig& config() const { return config_; }
  /// The assembler's counters (packets, malformed, missing units, ...).
  [[nodiscard]] const io::FronthaulCounters& fronthaul_counters() const {
    return assembler_.counters();
  }
  /// The PRACH assembler's counters (expected, refused, complete, partial, ...); nullptr before
  /// expect_prach().
  [[nodiscard]] const io::FronthaulPrachCounters* prach_counters() const {
    return prach_ ? &prach_->counters() : nullptr;
  }

private:
  /// A slot whose C-plane is done, waiting for its turn to go to the source.
  struct Handover {
    std::int64_t absolute = 0; ///< Of this session.
    FapiSlotAddress address;
    bool requested = false; ///< Its C-plane asked for type 1 sections.
    SteadyClock::time_point queued_at{};
  };
  /// Hands \p handover to the source empty (counted as empty, lost or refused).
  void hand_over_empty(const Handover& handover);
  /// Hands over the slots at the front of the queue that were asked nothing of.
  void hand_over_in_order();
  /// Hands over every queued slot before \p absolute (a later slot is being delivered).
  void hand_over_before(std::int64_t absolute);
  /// Slot \p absolute went to the source: off the queue (or remembered, when its C-plane is not
  /// done yet).
  void note_delivered(std::int64_t absolute);
  /// Hands over the front slot as lost when none of it came and the link has been quiet.
  bool release_lost_if_quiet(SteadyClock::time_point now);
  /// Forgets the queue and the C-plane marks (a new session).
  void forget_cplane();
  /// Hands one dispatched slot to the source (and the slots the L1 finished before it).
  void deliver_one(const io::AssembledSlot* slot);
  /// Before slot \p absolute goes to the source: PRACH occasions overdue by then are dispatched
  /// (partial) and taken with the others.
  void prepare_prach(std::int64_t absolute);
  /// Moves the occasions the PRACH assembler completed into prach_ready_.
  void take_prach_occasions();
  /// The ready occasions of slot \p absolute and before, as the source takes them (spans into
  /// prach_values_).
  std::span<const ReceivedPrach> ready_prach(std::int64_t absolute);
  /// After a slot was handed over (\p taken: by the source) with ready_prach(): the occasions
  /// it carried are done.
  void prach_handed_over(bool taken);
  /// True when \p frame is another link's (the address filter's): counted, handed to the
  /// assembler to count, and nothing else.
  bool took_other_links_frame(std::span<const std::uint8_t> frame);
  /// True when \p frame is another link's, or this link's while no session runs (the gate's):
  /// counted, and nothing else.
  bool took_frame_outside_session(std::span<const std::uint8_t> frame);
  /// The nominal arrival time of \p frame (the last one when it has no usable timing), or
  /// nullopt when it lies outside the count's window (dropped).
  std::optional<std::int64_t> nominal_arrival(std::span<const std::uint8_t> frame);
  /// Live link: the slot on air at \p wall_ns, since the epoch (the count follows it).
  std::int64_t air_slot_at(std::int64_t wall_ns) const;
  /// Live link: hands over, as lost, requested slots of which nothing came by their deadline.
  bool release_lost_after_deadline(std::int64_t air_now_ns);
  void deliver();

  io::FronthaulConfig config_;
  InMemoryIqSource& target_;
  io::RuCplaneScope cplane_scope_;
  io::RuRequestsBySlot cplane_requests_;            ///< One C-plane frame's, by cycle slot.
  io::RuPrachRequestsBySlot cplane_prach_requests_; ///< Its type 3 requests.
  static constexpr std::int64_t never_delivered = -1;
  bool cplane_seen_ = false;                      ///< C-plane since construction or reset().
  std::vector<Handover> handovers_;               ///< In the L1's order.
  std::vector<unsigned> requested_cycle_slots_;   ///< Type 1 sections seen, slot not done yet.
  std::array<std::int64_t, 8> delivered_early_{}; ///< Delivered before their C-plane was done.
  std::size_t delivered_early_next_ = 0;
  std::unique_ptr<io::FronthaulPrachAssembler> prach_; ///< 7.2x only.
  std::vector<ReceivedPrach> prach_ready_;             ///< Completed occasions for the next slot.
  /// Their REs' offsets in prach_values_ (each holds its section's antennas x periods x REs,
  /// one after the other, compacted when occasions leave).
  std::vector<std::size_t> prach_offsets_;
  std::vector<phy::cf32> prach_values_;
  std::vector<ReceivedPrach> prach_out_;     ///< What ready_prach() hands out.
  std::vector<std::size_t> prach_out_index_; ///< Their indices in prach_ready_.
  std::size_t prach_values_limit_ = 0;
  phy::CellConfig cell_;
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
  std::optional<io::AirTimeline> timeline_; ///< Live link.
  std::function<bool()> in_session_;        ///< set_session_gate()'s.
  FronthaulLinkCounters counters_;
};

/// \p occasion as the L1's source carries it, its values span left empty (the caller's copy).
ReceivedPrach to_received_prach(const io::AssembledPrach& occasion);

/// The configuration a stepped link runs the assembler with: \p config with a fixed epoch and
/// deadlines long enough that only completion, pool pressure and flush dispatch a slot.
io::FronthaulConfig stepped_link_config(io::FronthaulConfig config);

/// The configuration a live link runs the assembler with: \p config on \p timeline's epoch (its
/// Ta4 window and slot deadline in air time).
io::FronthaulConfig live_link_config(io::FronthaulConfig config, const io::AirTimeline& timeline);

} // namespace airan::l1
