/// \file
/// \brief The DU side of the uplink fronthaul: U-plane Ethernet frames in any order, split into
/// any messages and sections, to whole slots for the receiver — a resource grid (7.2x,
/// frequency domain) or time-domain IQ per antenna (airan split-8 style format) — with
/// per-symbol coverage, Ta4-style timing against the slot clock, deadlines and counters.
///
/// Usage (one thread; DPDK burst loop or pcap replay):
/// \code
/// FronthaulSlotAssembler assembler(cell, num_rx, config);
/// for each frame: if (assembler.push(bytes, arrival_ns)) // pcap replay: the capture's time
///                  assembler.advance(*assembler.arrival_clock_ns());
///   while (const AssembledSlot* slot = assembler.next_slot()) { process(*slot);
///                                                               assembler.release(slot); }
/// at the end: assembler.flush(); drain next_slot() as above.
/// \endcode
/// Everything is allocated at construction: a pool of max_slots_in_flight + 2 slot buffers;
/// push(), advance(), next_slot() and release() never allocate and never throw on packet
/// content: bad input only moves counters.
#pragma once

#include "airan/io/bfp_compression.h"
#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_counters.h"
#include "airan/io/fronthaul_dispatch_record.h"
#include "airan/io/fronthaul_frame.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/ru_cplane_requests.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace airan::io {

/// Why a slot left the assembler.
enum class SlotDispatchReason : std::uint8_t {
  complete,      ///< Every unit of every antenna and symbol arrived.
  deadline,      ///< advance() passed nominal slot end + slot_deadline_ns.
  pool_pressure, ///< A newer slot needed its buffer (max_slots_in_flight pending).
  flush,         ///< flush() at the end of a capture.
};

/// Per-slot tallies of the packets that went into it.
struct AssembledSlotStats {
  unsigned packets = 0;         ///< Accepted U-plane messages.
  unsigned early = 0;           ///< Of those, before the Ta4 window.
  unsigned on_time = 0;         ///< Inside it.
  unsigned late = 0;            ///< After it (but before the slot was dispatched).
  unsigned duplicate_units = 0; ///< PRBs / blocks that arrived more than once.
  unsigned missing_units = 0;   ///< Units that never arrived (left zero), over all rows.
  /// (antenna, symbol) rows with at least one missing unit ("missing symbols").
  unsigned incomplete_symbols = 0;
  unsigned empty_symbols = 0; ///< Rows of which nothing arrived.
};

/// One assembled uplink slot, owned by the assembler; valid from next_slot() until release().
///
/// A "unit" is what one U-plane PRB carries: a PRB of 12 subcarriers (frequency domain) or a
/// block of 12 consecutive time-domain samples of a symbol, CP included (time domain; the last
/// block of a symbol is partial). Units that did not arrive are zero.
class AssembledSlot {
public:
  std::uint8_t frame_id = 0; ///< Timing header fields of the slot.
  std::uint8_t subframe_id = 0;
  std::uint8_t slot_id = 0;
  unsigned slot = 0;                 ///< Slot number in the frame (DMRS, CP lengths).
  std::int64_t absolute_slot = 0;    ///< Slots since the clock anchor (the epoch).
  std::int64_t nominal_start_ns = 0; ///< Slot start on the slot clock.
  FronthaulIngestMode mode = FronthaulIngestMode::frequency_domain;
  SlotDispatchReason reason = SlotDispatchReason::complete;
  AssembledSlotStats stats;

  /// Frequency domain: rx antennas x symbols x 12 num_prbs, the shape of
  /// PuschReceiver::make_grid() (PuschReceiver::process_slot()). Empty in time domain.
  phy::ResourceGrid grid;
  /// Time domain: IQ antenna after antenna, iq_samples_per_antenna each (the slot's length at
  /// iq_fft_size, PuschReceiver::process_slot_iq()). Empty in frequency domain.
  std::vector<phy::cf32> iq;
  std::size_t iq_samples_per_antenna = 0;
  unsigned iq_fft_size = 0; ///< phy::carrier_numerology()'s FFT size (the receiver's).

  [[nodiscard]] unsigned num_rx_antennas() const { return num_rx_; }
  [[nodiscard]] unsigned num_symbols() const { return num_symbols_; }
  /// True when every expected unit arrived: every unit of every antenna and symbol, or with
  /// C-plane requests (requested()) every requested one.
  [[nodiscard]] bool complete() const { return expected_received_ == units_expected_total_; }
  /// Whether the DU's C-plane asked for this slot's units (FronthaulSlotAssembler::
  /// expect_sections()): then only requested units count as expected or missing.
  [[nodiscard]] bool requested() const { return requested_; }
  /// Whether unit \p unit of (antenna, symbol) is expected: requested, or any without requests.
  [[nodiscard]] bool unit_expected(unsigned rx, unsigned symbol, unsigned unit) const;
  /// Units symbol \p symbol carries (PRBs, or ceil(symbol samples / 12) blocks).
  [[nodiscard]] unsigned units_per_symbol(unsigned symbol) const {
    return units_per_symbol_[symbol];
  }
  /// Units of (antenna, symbol) that arrived.
  [[nodiscard]] unsigned units_received(unsigned rx, unsigned symbol) const {
    return received_count_[row(rx, symbol)];
  }
  /// Whether unit \p unit of (antenna, symbol) arrived.
  [[nodiscard]] bool unit_received(unsigned rx, unsigned symbol, unsigned unit) const;
  /// Whether units [first, first + count) of (antenna, symbol) all arrived.
  [[nodiscard]] bool units_received(unsigned rx, unsigned symbol, unsigned first,
                                    unsigned count) const;
  /// Frequency domain: whether PRBs [first_prb, first_prb + num_prbs) of symbols
  /// [first_symbol, first_symbol + num_symbols) arrived on every antenna (an allocation is
  /// undamaged). In time domain any missing block of a symbol damages every PRB of it.
  [[nodiscard]] bool allocation_received(unsigned first_prb, unsigned num_prbs,
                                         unsigned first_symbol, unsigned num_symbols) const;

private:
  friend class FronthaulSlotAssembler;
  [[nodiscard]] std::size_t row(unsigned rx, unsigned symbol) const {
    return std::size_t{rx} * num_symbols_ + symbol;
  }

  unsigned num_rx_ = 0;
  unsigned num_symbols_ = 0;
  std::size_t words_per_row_ = 0;
  std::vector<unsigned> units_per_symbol_;
  std::vector<std::size_t> symbol_sample_offset_; ///< Time domain: [symbol], one past the end.
  std::vector<std::uint16_t> received_count_;     ///< [rx][symbol]
  std::vector<std::uint64_t> received_bits_;      ///< [rx][symbol][word]
  std::uint64_t units_received_total_ = 0;
  std::uint64_t units_expected_total_ = 0;
  std::uint64_t expected_received_ = 0; ///< Received units that are expected.
  bool requested_ = false;
  std::vector<std::uint16_t> requested_count_; ///< [rx][symbol], with requests only.
  std::vector<std::uint64_t> requested_bits_;  ///< [rx][symbol][word], likewise.
};

/// Uplink U-plane frames to slots for one cell and carrier (see the file comment).
class FronthaulSlotAssembler {
public:
  /// \throws std::invalid_argument for an invalid cell or configuration (validate()), 0 or more
  /// than 16 receive antennas, or an RU port field too narrow for them.
  FronthaulSlotAssembler(const phy::CellConfig& cell, unsigned num_rx_antennas,
                         const FronthaulConfig& config);
  ~FronthaulSlotAssembler();
  FronthaulSlotAssembler(const FronthaulSlotAssembler&) = delete;
  FronthaulSlotAssembler& operator=(const FronthaulSlotAssembler&) = delete;

  /// An arrival time further ahead of the running clock (arrival_clock_ns()) than this is taken
  /// as a broken timestamp (counters().arrival_outliers): two frameId cycles (5.12 s).
  static constexpr std::int64_t arrival_outlier_ns = 5'120'000'000;
  /// Behind the running clock, an arrival time is reordering up to this (100 ms, or
  /// slot_deadline_ns + max_slots_in_flight + 1 slots when that is more) and an outlier beyond
  /// (a broken timestamp, a capture spliced or a sender's clock stepped back or wrapping).
  static constexpr std::int64_t arrival_reorder_ns = 100'000'000;
  /// Frames in a row that it takes to re-learn the epoch (epoch_mismatch) or to move the
  /// running clock to outlying times (clock_resyncs); a frame's concatenated messages count once.
  static constexpr unsigned resync_after = 8;

  /// Handles one Ethernet frame (without FCS; trailing bytes allowed) that arrived at
  /// \p arrival_ns on the slot clock's time base. Packets may come in any order; a slot whose
  /// last unit arrives is dispatched at once. Returns true when the frame (one of its messages)
  /// went into a slot; only such frames move the running clock (arrival_clock_ns()).
  ///
  /// No slot is dispatched twice: a message of a slot that is not being assembled is too_late
  /// when the slot was dispatched or given up already, lies reorder_window_slots() or more
  /// behind dispatch_horizon(), or its deadline has passed.
  ///
  /// Bad timing is counted, never trusted blindly: an outlying arrival time (see
  /// arrival_outlier_ns) is replaced by the running clock's time (the message is placed by its
  /// timing header), until resync_after such frames in a row agree on a new time: then the
  /// clock follows and the slots being assembled are dispatched (flushed). With a learned
  /// epoch, a message whose slot is far from its arrival time's slot is dropped
  /// (epoch_mismatch), and resync_after such frames in a row that agree on another epoch
  /// re-learn it (the slots being assembled on the old one are discarded).
  bool push(std::span<const std::uint8_t> ethernet_frame, std::int64_t arrival_ns);

  /// Dispatches (partial) every pending slot whose deadline (nominal end + slot_deadline_ns)
  /// is before \p now_ns. Does nothing while the clock anchor is still to be learned.
  void advance(std::int64_t now_ns);

  /// The running clock: the newest arrival time of a message that went into a slot (outliers
  /// excluded, see push()); nullopt before the first. A replay's "now" for advance().
  [[nodiscard]] std::optional<std::int64_t> arrival_clock_ns() const { return arrival_clock_; }

  /// Dispatches every pending slot, oldest first (end of a capture).
  void flush();
  /// Dispatches (partial, as flushed) every pending slot before absolute slot \p absolute_slot,
  /// oldest first (a consumer that must hand them over before a later one); true when any.
  bool dispatch_pending_before(std::int64_t absolute_slot);
  /// The consumer gave up on absolute slot \p absolute_slot (it went on without it): its
  /// packets from now on count as too_late, as if it had been dispatched, and so do those of it
  /// being assembled, whose buffer is freed without a dispatch (slots_given_up).
  void give_up(std::int64_t absolute_slot);
  /// The newest absolute slot dispatched or given up on (after flush() it is at or past every
  /// slot the assembler opened); nullopt before the first, and after a clock resync or an epoch
  /// re-learn, which start a new time line.
  [[nodiscard]] std::optional<std::int64_t> dispatch_horizon() const {
    return dispatched_.horizon();
  }
  /// How far behind dispatch_horizon() a slot not dispatched yet may still open: the slots the
  /// deadline spans + max_slots_in_flight + 3, at most half a frameId cycle (further back, a
  /// packet that comes after the horizon slot's packets is past its own slot's deadline anyway).
  [[nodiscard]] std::int64_t reorder_window_slots() const { return dispatched_.window_slots(); }

  /// The oldest dispatched slot not yet taken, or nullptr. The consumer owns it until
  /// release(); at most pool_size() slots can be held or queued.
  const AssembledSlot* next_slot();
  /// As next_slot(), limited to the oldest dispatched slot before absolute slot
  /// \p absolute_slot (nullptr when there is none): a consumer that must take the slots
  /// dispatch_pending_before() queued before one it holds, ahead of newer ones already queued.
  const AssembledSlot* next_slot_before(std::int64_t absolute_slot);
  /// Returns a slot taken with next_slot() to the pool.
  void release(const AssembledSlot* slot);
  /// The buffers of \p slot (taken with next_slot(), not yet released), for a consumer that
  /// swaps them with buffers of its own instead of copying the samples: the grid for one of the
  /// same shape, the IQ for a vector of any size (the assembler assembles into whatever the slot
  /// holds when it is reused: every unit is written or zero-filled before a slot is dispatched,
  /// and the IQ is resized to the slot's length, within its capacity when that is large enough).
  /// Nothing else of the slot may change. \throws std::invalid_argument for a slot not held.
  AssembledSlot& held_slot(const AssembledSlot* slot);

  /// Frequency domain: what the DU's own C-plane asked the O-RU to send in slot \p cycle_slot
  /// of the 256-frame cycle (section type 1 requests, e.g. take_cplane_frame() of the frames the
  /// DU sends); calls for one slot add up. A slot with requests is complete once every requested
  /// unit arrived, since the O-RU sends nothing else; units beyond them that arrive anyway are
  /// kept; missing_units, incomplete_symbols and empty_symbols count requested units and rows
  /// only. Requests for a slot being assembled apply at once (and may complete it); the others
  /// wait for the slot's first packet, and are dropped (requested_slots_unserved) when a slot
  /// more than max_slots_in_flight later opens first, or at drop_requests(). Requests for a slot
  /// already dispatched wait in vain (they end unserved). numPrbc 0 asks for the whole carrier
  /// (startPrbc 0). Returns false, counted once in requests_refused, in time domain, for a
  /// request outside the carrier, the slot or the antennas, rb = 1 (the others of the call
  /// still count), or when requests of pool_size() * 2 slots are waiting already.
  bool expect_sections(unsigned cycle_slot, std::span<const RuSectionRequest> requests);
  /// Whether slot \p cycle_slot of the cycle has requests waiting, or is being assembled with
  /// requests.
  [[nodiscard]] bool has_requests(unsigned cycle_slot) const;
  /// Drops the requests still waiting for their slot (counted unserved): a session ended.
  void drop_requests();
  /// Drops the waiting requests of slot \p cycle_slot (counted unserved): its consumer gave up
  /// on it. Returns whether there were any.
  bool drop_requests(unsigned cycle_slot);

  [[nodiscard]] const FronthaulCounters& counters() const { return counters_; }
  void reset_counters() { counters_ = {}; }

  /// The clock anchor: the configured epoch, the learned one, or nullopt before the first valid
  /// packet of a replay.
  [[nodiscard]] std::optional<std::int64_t> epoch_ns() const { return epoch_; }
  [[nodiscard]] const FronthaulSlotClock& clock() const { return clock_; }
  [[nodiscard]] const FronthaulConfig& config() const { return config_; }
  /// Slot buffers: max_slots_in_flight + 2.
  [[nodiscard]] std::size_t pool_size() const { return slots_.size(); }
  /// Slots being assembled.
  [[nodiscard]] std::size_t pending_slots() const;

private:
  enum class BufferState : std::uint8_t { free, pending, ready, held };

  bool handle_message(const EcpriMessageView& message, std::int64_t arrival_ns);
  [[nodiscard]] bool is_outlier(std::int64_t arrival_ns) const;
  std::int64_t checked_arrival(std::int64_t arrival_ns, unsigned cycle_slot, unsigned symbol);
  void forget_timeline();
  bool epoch_mismatch_confirmed(std::int64_t implied_epoch_ns);
  bool check_learned_epoch(unsigned cycle_slot, std::int64_t arrival_ns, bool time_replaced,
                           std::int64_t implied_epoch, std::int64_t& absolute);
  void discard_pending_slots();
  AssembledSlot* find_or_open_slot(std::int64_t absolute_slot, std::int64_t arrival_ns);
  bool check_sections(const UplaneMessageView& message, unsigned slot_in_frame);
  unsigned write_section(AssembledSlot& slot, unsigned rx, unsigned symbol,
                         const UplaneSectionView& section);
  void write_time_units(AssembledSlot& slot, unsigned rx, unsigned symbol,
                        const UplaneSectionView& section, unsigned first, unsigned count);
  void zero_missing_units(AssembledSlot& slot, unsigned rx, unsigned symbol);
  /// Requests waiting for a slot of the cycle (bits as AssembledSlot's requested_bits_).
  struct WaitingRequests {
    bool used = false;
    unsigned cycle_slot = 0;
    std::vector<std::uint64_t> bits;
  };
  /// Frequency domain: the slots' request bitmaps and room for waiting requests.
  void allocate_requests();
  /// Marks \p request's units in \p bits ([rx][symbol][word]); false when it lies outside.
  bool mark_request(const RuSectionRequest& request, std::span<std::uint64_t> bits) const;
  /// The slot's requested units become its expected ones (after its requests changed).
  void count_requested_units(AssembledSlot& slot) const;
  /// At a slot's opening: applies its waiting requests, drops those of earlier slots.
  void take_waiting_requests(AssembledSlot& slot);
  void dispatch(std::size_t index, SlotDispatchReason reason);
  void reset_slot(AssembledSlot& slot, std::int64_t absolute_slot);
  [[nodiscard]] unsigned units_in_symbol(unsigned slot_in_frame, unsigned symbol) const;
  [[nodiscard]] std::int64_t deadline_ns(std::int64_t absolute_slot) const;

  phy::CellConfig cell_;
  unsigned num_rx_;
  FronthaulConfig config_;
  FronthaulLinkConfig link_;
  FronthaulSlotClock clock_;
  phy::Numerology numerology_;
  std::unique_ptr<IqCompressor> compressor_;
  std::optional<std::int64_t> epoch_;
  std::optional<std::int64_t> arrival_clock_; ///< See arrival_clock_ns().
  unsigned outlier_run_ = 0;                  ///< Frames with outlying arrival times in a row.
  std::int64_t last_outlier_ns_ = 0;
  std::uint64_t outlier_frame_ = 0;    ///< counters_.packets when the run last grew.
  unsigned epoch_mismatch_run_ = 0;    ///< Learned epoch: frames of far-off slots in a row.
  std::int64_t mismatch_epoch_ns_ = 0; ///< The epoch the run's first message implied.
  std::uint64_t mismatch_frame_ = 0;   ///< counters_.packets when the run last grew.
  FronthaulCounters counters_;

  std::vector<AssembledSlot> slots_;
  std::vector<BufferState> state_;
  std::vector<std::size_t> ready_queue_; ///< Ring of slot indices in dispatch order.
  std::size_t ready_head_ = 0;
  std::size_t ready_count_ = 0;
  FronthaulDispatchRecord dispatched_;         ///< Slots dispatched or given up on.
  std::vector<std::int16_t> last_sequence_id_; ///< Per RU port; -1 before the first.
  std::vector<phy::cf32> scratch_;             ///< One symbol's worth of units.
  std::vector<WaitingRequests> waiting_;       ///< C-plane requests of unopened slots.
  std::vector<std::uint64_t> request_scratch_; ///< One slot's bits while a call is checked.
};

} // namespace airan::io
