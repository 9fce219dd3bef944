/// \file
/// \brief The test MAC's fronthaul path: a slot's received grid or IQ goes through an emulated
/// O-RU (io::RuEmulator, restricted to what the L1's C-plane asked for when C-plane is on), as
/// O-RAN U-plane frames, into the DU's slot assembler (io::FronthaulSlotAssembler), and the
/// assembled slot into the L1's sample source — the same code a live fronthaul runs, in one
/// process. In time-domain mode a slot given as a grid is OFDM-modulated first (what the air
/// interface would have carried to a split-8 RU); in 7.2x mode a slot given as IQ is
/// OFDM-demodulated by the O-RU, which also serves the L1's PRACH requests (section type 3,
/// io::RuPrachEmulator) from it: the DU's PRACH assembler (io::FronthaulPrachAssembler) hands
/// each occasion's section to the L1 with the slot in which it completed.
///
/// With a FronthaulFrameLink instead of a sample source, the feeder is only the O-RU end of a
/// link to an L1 in another process (`airan testmac --l1`, FronthaulLinkReceiver on the far
/// side). Without C-plane every slot goes out whole, an empty slot as zeros, as an O-RU without
/// C-plane sends every slot. With C-plane (7.2x) the O-RU takes the L1's C-plane frames off the
/// link (FronthaulFrameLink::receive()) and sends only what they request. Without a timeline
/// (a stepped L1, which sends a slot's C-plane in one burst) a slot's C-plane is complete once
/// frames of it came and the link then carried no C-plane for link_cplane_quiet, or a frame of a
/// later slot came; a slot whose UL_TTI.request had no PDU (ul_tti_sent()) waits for none, and
/// an empty slot (push_empty(): the MAC scheduled nothing) sends nothing. A slot without type 1
/// requests sends no U-plane; the PRACH occasions its type 3 requests ask for go over the link as
/// the O-RU's PRACH stream (io::RuPrachEmulator, from the slots' IQ).
///
/// A link on an air timeline (io::AirTimeline: a live L1 whose slot clock runs on the fronthaul's
/// epoch) is paced as a live O-RU sends: each frame of slot (sfn, slot), taken as the absolute
/// slot since the timeline's epoch nearest to the slot on air now, leaves at its nominal transmit
/// time (io::RuEmulator's symbol end + ru_tx_offset_ns, the PRACH window's end + the offset for
/// io::RuPrachEmulator's frames) converted to wall-clock time, from a sender thread
/// (FronthaulPacedSender); a frame whose time has passed goes at once and is counted
/// (uplane_sent_late). Without a timeline every frame goes at once, from the pushing thread.
///
/// With C-plane on a timeline the O-RU end runs as a live O-RU does, on a thread of its own: it
/// reads the link's C-plane as it comes (so the arrival times it counts against the T2a window
/// are the link's, not the MAC's), and the MAC's push only hands the slot's samples over (a ring
/// of live_slot_capacity slots; the push waits, up to its timeout, while the ring is full). The
/// C-plane of symbol l of a slot is final when its reception window closes (t2a_min_cp_ul_ns
/// before the symbol's start on air: the DU sends each message in the window of its first
/// symbol, so a slot's C-plane is spread over the slot); the thread then sends that symbol's
/// requested sections, and at the slot's last symbol its PRACH stream. C-plane that comes after
/// its symbol's window closed serves only the symbols not yet sent. A slot with PDUs of which no
/// request came is counted in cplane_missing and sends nothing.
#pragma once

#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_prach_assembler.h"
#include "airan/io/fronthaul_slot_assembler.h"
#include "airan/io/ru_emulator.h"
#include "airan/io/ru_prach_emulator.h"
#include "airan/l1/cycle_slot_set.h"
#include "airan/l1/iq_source.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/ofdm_modulator.h"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace airan::l1 {

/// Totals of a feeder.
struct FronthaulFeederCounters {
  std::uint64_t slots = 0;         ///< Slots sent through the fronthaul.
  std::uint64_t uplane_frames = 0; ///< U-plane frames the RU emulator sent.
  std::uint64_t cplane_frames = 0; ///< C-plane frames received from the L1.
  /// Frames received on the link to another MAC address than ru_mac, or tagged with another VLAN
  /// id (io::match_frame_address() at the O-RU; FronthaulConfig::filter_by_address): another
  /// link's, dropped (not in cplane_frames).
  std::uint64_t cplane_other_links = 0;
  /// C-plane frames with a message or section the O-RU does not serve (malformed, downlink,
  /// another carrier, not type 1, rb, ef, ...: see io/ru_cplane_requests.h), or none at all.
  std::uint64_t cplane_ignored = 0;
  /// Slots whose C-plane did not come in time (in process sent whole; over a link, nothing).
  std::uint64_t cplane_missing = 0;
  /// Over a link on an air timeline: C-plane messages by their arrival against the O-RU's
  /// reception window (io::FronthaulConfig::t2a_max_cp_ul_ns .. t2a_min_cp_ul_ns before their
  /// slot; io/cplane_timing_window.h), as an O-RU's RX_ON_TIME_C, RX_EARLY_C and RX_LATE_C count
  /// them. Served all the same.
  std::uint64_t cplane_on_time = 0;
  std::uint64_t cplane_early = 0;
  std::uint64_t cplane_late = 0;
  /// Likewise: C-plane messages not classified (the frame or a message of its chain did not
  /// parse, or the timing header names no slot), so that the four add up to the messages.
  std::uint64_t cplane_unclassified = 0;
  std::uint64_t prach_frames = 0;   ///< PRACH U-plane frames the O-RU sent (7.2x).
  std::uint64_t prach_sections = 0; ///< PRACH sections handed to the L1.
  std::uint64_t prach_refused = 0;  ///< PRACH requests the O-RU could not serve.
  std::uint64_t link_dropped = 0;   ///< Over a FronthaulFrameLink: frames the link dropped.
  /// Over a link on an air timeline: frames (U-plane and PRACH) queued after their nominal
  /// transmit time had passed (sent at once).
  std::uint64_t uplane_sent_late = 0;
  /// Over a link on an air timeline: frames still queued when the MAC stopped the L1
  /// (session_stopped()), dropped: slots the MAC had scheduled ahead, after the session.
  std::uint64_t discarded_at_stop = 0;
  /// Over a link with C-plane on an air timeline: slots handed to the O-RU's thread and not yet
  /// sent when the MAC stopped the L1, dropped likewise.
  std::uint64_t slots_discarded_at_stop = 0;
  /// Likewise: slots the MAC pushed while the O-RU's ring stayed full for the push's timeout.
  std::uint64_t slots_refused = 0;
};

/// Takes the frames a FronthaulFrameLink received.
class FronthaulFrameHandler {
public:
  virtual ~FronthaulFrameHandler() = default;
  virtual void on_frame(std::span<const std::uint8_t> frame) = 0;
};

/// Where an O-RU end sends its U-plane frames when the DU is in another process.
///
/// Threads: send() and end_of_slot() are called from one thread at a time, receive() from one
/// thread at a time, and a paced feeder (on an air timeline) calls them from two different
/// threads at once (its sender thread sends while the MAC's thread receives C-plane): a link's
/// send path and receive path must not share unguarded state (DPDK's separate rx and tx queues
/// satisfy this).
class FronthaulFrameLink {
public:
  virtual ~FronthaulFrameLink() = default;
  /// Hands the frames that came from the far end (its C-plane) since the last call to
  /// \p handler, without waiting; returns how many. The default: a link that only sends.
  virtual unsigned receive(FronthaulFrameHandler& /*handler*/) { return 0; }
  /// Sends one Ethernet frame; false when the link dropped it.
  virtual bool send(std::span<const std::uint8_t> frame) = 0;
  /// The slot's last frame was handed over (a link that batches sends the batch); returns the
  /// frames of the slot that the link dropped only now.
  virtual std::uint64_t end_of_slot() = 0;
};

class FronthaulPacedSender;

/// A SlotSampleWriter that routes every slot through the fronthaul (see the file comment).
class FronthaulSampleFeeder final : public SlotSampleWriter, private FronthaulFrameHandler {
public:
  /// Over a link with C-plane: how long the link must be quiet after a slot's C-plane frames.
  static constexpr std::chrono::microseconds link_cplane_quiet{500};
  /// Over a link with C-plane: how long a slot with work waits for its C-plane at most.
  static constexpr std::chrono::milliseconds link_cplane_wait{2000};
  /// Over a link with C-plane on a timeline: slots handed to the O-RU's thread at once (the
  /// MAC's lead, at most FapiPhyConfig::max_advance_slots, and the slots on air).
  static constexpr std::size_t live_slot_capacity = 12;

  /// \p target receives the assembled slots. \p use_cplane: wait for the L1's C-plane of each
  /// slot (on_cplane_frame(), on_cplane_slot_done()) and send only the requested sections.
  /// \p max_prach_occasions: PRACH occasions in flight at once over 7.2x (0: no PRACH stream;
  /// the O-RU's PRACH buffers hold 4 ms of samples per occasion and antenna).
  /// \throws std::invalid_argument for an invalid configuration.
  FronthaulSampleFeeder(const phy::CellConfig& cell, unsigned num_rx_antennas,
                        const io::FronthaulConfig& config, bool use_cplane,
                        InMemoryIqSource& target, unsigned max_prach_occasions = 0);
  /// The O-RU end of a link (see the file comment): every slot's frames go to \p link (which
  /// must outlive the feeder); \p use_cplane: serve the C-plane that comes over it, with
  /// \p max_prach_occasions > 0 its PRACH requests too (the PRACH U-plane goes over the link).
  /// With \p timeline, frames leave at their transmit times on it (slots numbered from its
  /// epoch) from a sender thread; without, at once.
  /// \throws std::invalid_argument for an invalid configuration, C-plane in time domain, or a
  /// timeline that is not valid (io::AirTimeline::validate()).
  FronthaulSampleFeeder(const phy::CellConfig& cell, unsigned num_rx_antennas,
                        const io::FronthaulConfig& config, FronthaulFrameLink& link,
                        bool use_cplane = false, unsigned max_prach_occasions = 0,
                        std::optional<io::AirTimeline> timeline = std::nullopt);
  /// Stops the O-RU's thread (slots it had not sent yet are dropped), then sends what is still
  /// queued for a paced link (finish()).
  ~FronthaulSampleFeeder() override;
  FronthaulSampleFeeder(const FronthaulSampleFeeder&) = delete;
  FronthaulSampleFeeder& operator=(const FronthaulSampleFeeder&) = delete;

  /// Over a paced link: waits until every frame queued so far is on the link (call it before
  /// reading counters() at the end of a run); with C-plane, until the O-RU's thread has sent
  /// every slot handed to it (each at its last symbol's time). Otherwise nothing.
  /// \throws what stopped the O-RU's thread (as push_grid(), push_iq() and push_empty() do).
  void finish();
  /// The MAC sent STOP.request: over a paced link, the frames still queued (slots scheduled ahead
  /// of a session that is over) are dropped and counted (discarded_at_stop), and the slots the
  /// O-RU's thread had not sent yet (slots_discarded_at_stop).
  void session_stopped() override;

  /// A C-plane frame from the L1 (any thread).
  void on_cplane_frame(std::span<const std::uint8_t> frame);
  /// The L1's C-plane of (\p sfn, \p slot) is complete (FronthaulCplaneSender::on_slot_done()):
  /// with C-plane on, a slot's samples wait for this.
  void on_cplane_slot_done(std::uint16_t sfn, std::uint16_t slot);

  bool push_grid(std::uint16_t sfn, std::uint16_t slot, const phy::ResourceGrid& grid,
                 std::chrono::microseconds timeout) override;
  bool push_iq(std::uint16_t sfn, std::uint16_t slot, std::span<const phy::cf32> iq,
               std::chrono::microseconds timeout) override;
  bool push_empty(std::uint16_t sfn, std::uint16_t slot,
                  std::chrono::microseconds timeout) override;
  /// Over a link with C-plane: a slot whose UL_TTI.request had no PDU waits for no C-plane.
  void ul_tti_sent(std::uint16_t sfn, std::uint16_t slot, unsigned num_pdus) override;

  [[nodiscard]] FronthaulFeederCounters counters() const;
  /// The assembler's counters (packets, malformed, missing units, ...).
  [[nodiscard]] const io::FronthaulCounters& fronthaul_counters() const {
    return assembler_.counters();
  }
  /// The DU PRACH assembler's counters.
  [[nodiscard]] io::FronthaulPrachCounters prach_counters() const {
    const std::lock_guard lock(mutex_);
    return prach_assembler_ ? prach_assembler_->counters() : io::FronthaulPrachCounters{};
  }

private:
  FronthaulSampleFeeder(const phy::CellConfig& cell, unsigned num_rx_antennas,
                        const io::FronthaulConfig& config, bool use_cplane,
                        InMemoryIqSource* target, FronthaulFrameLink* link,
                        unsigned max_prach_occasions, std::optional<io::AirTimeline> timeline);
  bool send(std::uint16_t sfn, std::uint16_t slot, std::chrono::microseconds timeout, bool from_iq);
  /// The link's C-plane frames (FronthaulFrameHandler).
  void on_frame(std::span<const std::uint8_t> frame) override { on_cplane_frame(frame); }
  /// Over a link: receives C-plane until slot \p key's is complete (see the file comment), for
  /// \p limit at most; false when none of it came.
  bool receive_link_cplane(unsigned key, std::chrono::microseconds limit);
  /// A slot count that only grows from (\p sfn, \p slot) of consecutive pushes (frameId wraps).
  std::int64_t slot_count(std::uint16_t sfn, std::uint16_t slot);
  /// On a timeline: the absolute slot since its epoch with (\p sfn, \p slot) nearest to the slot
  /// on air now. Otherwise slot_count().
  std::int64_t absolute_slot(std::uint16_t sfn, std::uint16_t slot);
  /// Drops the C-plane of slot \p key and of the slots before it (mutex_ held).
  void forget_cplane_through(unsigned key);

  /// A slot handed to the live O-RU's thread (C-plane on a timeline).
  struct LiveSlot {
    io::TestVectorSlot samples; ///< Grid (and IQ when from_iq), absolute_slot and slot set.
    bool from_iq = false;       ///< IQ given: the O-RU's PRACH stream is taken from it.
    bool asked_nothing = false; ///< Its UL_TTI.request had no PDU: no C-plane to miss.
    bool empty = false;         ///< push_empty(): nothing is sent.
    unsigned next_symbol = 0;   ///< Symbols sent so far.
    bool requested = false;     ///< A type 1 request of it was seen.
    std::uint64_t frames = 0;   ///< U-plane frames queued for it so far.
  };
  /// The MAC's side: hands slot_ (or, \p empty, nothing) to the O-RU's thread; false when the
  /// ring stayed full for \p timeout.
  bool hand_to_live_oru(std::uint16_t sfn, std::uint16_t slot, std::chrono::microseconds timeout,
                        bool from_iq, bool empty);
  /// The O-RU's thread: reads the link's C-plane and sends the ring's slots as their symbols'
  /// C-plane becomes final.
  void run_live_oru();
  /// Sends the symbols of \p entry whose C-plane is final at air time \p air_now; true once the
  /// slot is over (its PRACH sent, its C-plane forgotten, counted).
  bool advance_live_slot(LiveSlot& entry, std::int64_t air_now);
  /// Stops the O-RU's thread (destructor).
  void stop_live_oru();

  io::FronthaulConfig config_;
  bool use_cplane_;
  InMemoryIqSource* target_;                    ///< In-process: the L1's source (else nullptr).
  FronthaulFrameLink* link_out_;                ///< Link to another process (else nullptr).
  std::optional<io::AirTimeline> timeline_;     ///< Over a paced link: its air timeline.
  std::unique_ptr<FronthaulPacedSender> paced_; ///< Over a paced link: its sender.
  io::FronthaulLinkConfig link_;
  io::RuEmulator emulator_;
  io::FronthaulSlotAssembler assembler_;
  io::TestVectorSlot slot_;                           ///< The RU's view of the slot being sent.
  std::unique_ptr<phy::OfdmModulator> modulator_;     ///< Time-domain mode: grid to IQ.
  std::unique_ptr<phy::OfdmDemodulator> demodulator_; ///< 7.2x mode: IQ to grid (the O-RU).
  std::unique_ptr<io::RuPrachEmulator> ru_prach_;     ///< 7.2x with PRACH only.
  std::unique_ptr<io::FronthaulPrachAssembler> prach_assembler_; ///< Likewise.
  std::vector<io::RuSectionRequest> requests_;
  std::vector<io::RuPrachRequest> prach_requests_;
  std::vector<ReceivedPrach> received_prach_;
  std::vector<phy::cf32> prach_values_;         ///< The sections' REs, copied from the assembler.
  std::vector<std::uint8_t> prach_frame_bytes_; ///< The O-RU's PRACH frames of one slot.
  std::vector<std::size_t> prach_frame_ends_;
  std::vector<std::int64_t> prach_frame_tx_;
  std::int64_t cycle_base_ = 0; ///< Slots of the frameId cycles before the current one.
  std::int64_t last_slot_count_ = 0;
  bool any_slot_sent_ = false;
  mutable std::mutex mutex_;
  std::condition_variable cplane_arrived_;
  /// Slots whose C-plane came and that were not sent yet: room for a MAC this far ahead (the
  /// test MAC pushes each slot once its C-plane is in, a slot or two ahead; beyond 64, a new
  /// slot's requests are refused and counted in cplane_ignored, and the oldest marks below go).
  static constexpr std::size_t max_cplane_slots = 64;
  /// Sections reserved per slot: 16 PUSCHs of 4 antennas (a slot with more grows its list once).
  static constexpr std::size_t cplane_requests_per_slot = 64;
  io::RuRequestsBySlot cplane_{max_cplane_slots, cplane_requests_per_slot}; ///< By cycle slot.
  io::RuPrachRequestsBySlot cplane_prach_{max_cplane_slots};
  CycleSlotSet cplane_done_{max_cplane_slots};   ///< Slots whose C-plane is complete.
  CycleSlotSet nothing_asked_{max_cplane_slots}; ///< Over a link: slots without PDUs.
  FronthaulFeederCounters counters_;
  /// The live O-RU (C-plane on a timeline): a ring of slots (entries live_head_ ..
  /// live_head_ + live_count_ - 1 are the O-RU thread's, the others the MAC's), under mutex_.
  std::vector<LiveSlot> live_slots_;
  std::size_t live_head_ = 0;
  std::size_t live_count_ = 0;
  bool live_discard_ = false; ///< session_stopped() asks the thread to drop its slots.
  bool live_stop_ = false;
  std::exception_ptr live_error_; ///< What stopped the O-RU's thread, for the MAC's thread.
  std::condition_variable live_changed_;
  std::vector<io::RuSectionRequest> live_requests_; ///< The O-RU thread's copy of a slot's.
  std::vector<io::RuPrachRequest> live_prach_requests_;
  std::thread live_oru_; ///< Last: started when everything else is built.
};

} // namespace airan::l1
