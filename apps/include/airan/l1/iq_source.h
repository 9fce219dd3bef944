/// \file
/// \brief Where the L1 gets each slot's received samples: the IqSource interface, and
/// InMemoryIqSource, the implementation a test MAC (or a file player) fills.
///
/// A source delivers, per slot (SFN, slot), either the frequency-domain resource grid
/// ([rx antenna][symbol][subcarrier], e.g. from an O-RAN 7.2x fronthaul) or the time-domain IQ
/// (antenna after antenna, one slot with its cyclic prefixes), or an empty slot ("the slot is
/// over, nothing was captured"). The moment a slot's last sample is in the source is
/// `available_at`: the L1 measures its latency from there. A fronthaul receiver plugs in by
/// implementing IqSource (it knows SFN and slot from its packet headers).
#pragma once

#include "airan/phy/prach_receiver.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace airan::l1 {

using SteadyClock = std::chrono::steady_clock;

/// A PRACH occasion's section from an O-RAN 7.2x O-RU (section type 3, io/oran_prach.h),
/// delivered with the slot in which it arrived.
struct ReceivedPrach {
  unsigned cycle_slot = 0;           ///< Slot of the 256-frame cycle of its C-plane request.
  std::uint8_t start_symbol = 0;     ///< startSymbolId.
  std::uint16_t section_id = 0;      ///< sectionId: the occasion's index in its UL_TTI.request.
  std::int32_t frequency_offset = 0; ///< freqOffset, half PRACH subcarriers.
  phy::PrachSubcarrierSection section;
};

/// A slot's received samples as a source hands them out (valid until IqSource::release()).
struct ReceivedSlot {
  std::uint16_t sfn = 0;
  std::uint16_t slot = 0;
  /// Frequency-domain grid of the slot, or nullptr.
  const phy::ResourceGrid* grid = nullptr;
  /// Time-domain IQ, antenna after antenna (empty when grid is set or nothing was captured).
  std::span<const phy::cf32> iq;
  /// PRACH sections of a 7.2x fronthaul that arrived with the slot.
  std::span<const ReceivedPrach> prach;
  /// When the slot's last sample became available.
  SteadyClock::time_point available_at{};

  /// False for an empty slot (the slot ended without samples).
  [[nodiscard]] bool has_samples() const { return grid != nullptr || !iq.empty(); }
};

/// Received samples per slot, consumed by the L1. One consumer thread; producers are the
/// implementation's business.
///
/// The consumer closes slots in order (close_before()): a closed slot's samples are never taken
/// any more, so a source must not keep them (nor wait for room to store them): samples that
/// arrive for a closed slot are refused and counted (num_late_samples()), never left to fill the
/// source and stall the slots after them.
class IqSource {
public:
  virtual ~IqSource() = default;

  /// The samples of (\p sfn, \p slot) when that slot is complete in the source (without
  /// waiting); false when it is not (yet). The entry stays held until release().
  virtual bool try_acquire(std::uint16_t sfn, std::uint16_t slot, ReceivedSlot& out) = 0;

  /// Hands the entry of (\p sfn, \p slot) back (no-op when none is held).
  virtual void release(std::uint16_t sfn, std::uint16_t slot) = 0;

  /// Waits up to \p timeout until (\p sfn, \p slot) is complete; true when it is.
  virtual bool wait_for(std::uint16_t sfn, std::uint16_t slot,
                        std::chrono::microseconds timeout) = 0;

  /// Drops every complete entry that is not held and forgets the close_before() mark (when the
  /// L1 stops or restarts its slot count).
  virtual void clear() = 0;

  /// Marks every slot before absolute slot \p absolute_slot (the L1's count from START, see
  /// slot_clock.h) as closed: the consumer has run or given up on it. Samples for a closed slot
  /// are refused from now on, and unconsumed ones are dropped (both counted). (SFN, slot)
  /// addresses map to the absolute slot nearest the mark (within half the 1024-frame SFN
  /// period), \p slots_per_frame slots per frame. Does nothing by default.
  virtual void close_before(std::uint64_t absolute_slot, unsigned slots_per_frame) {
    (void)absolute_slot;
    (void)slots_per_frame;
  }

  /// Slot samples refused or dropped because their slot was already closed (any thread).
  [[nodiscard]] virtual std::uint64_t num_late_samples() const { return 0; }

  /// When the earliest-arrived of the complete entries of slots after absolute slot
  /// \p absolute_slot came in ((SFN, slot) mapped as by close_before()); nullopt when there is
  /// none. The stepped clock's way past a slot whose samples never come while later ones do.
  /// None by default.
  [[nodiscard]] virtual std::optional<SteadyClock::time_point>
  later_slot_available_since(std::uint64_t absolute_slot, unsigned slots_per_frame) {
    (void)absolute_slot;
    (void)slots_per_frame;
    return std::nullopt;
  }
};

/// Where a slot's samples are written (the test MAC's side of an IqSource): straight into an
/// InMemoryIqSource, or through the fronthaul (FronthaulSampleFeeder) first.
class SlotSampleWriter {
public:
  virtual ~SlotSampleWriter() = default;
  /// The slot's frequency-domain grid. \return false when it could not be delivered in time.
  virtual bool push_grid(std::uint16_t sfn, std::uint16_t slot, const phy::ResourceGrid& grid,
                         std::chrono::microseconds timeout) = 0;
  /// The slot's time-domain IQ, antenna after antenna.
  virtual bool push_iq(std::uint16_t sfn, std::uint16_t slot, std::span<const phy::cf32> iq,
                       std::chrono::microseconds timeout) = 0;
  /// The slot is over without samples.
  virtual bool push_empty(std::uint16_t sfn, std::uint16_t slot,
                          std::chrono::microseconds timeout) = 0;
  /// Told right after the MAC sent the UL_TTI.request of (\p sfn, \p slot), before its
  /// samples: \p num_pdus PDUs (an O-RU emulator on C-plane learns that nothing is coming for a
  /// slot without PDUs, as a real O-RU's clock would close the slot's C-plane window).
  virtual void ul_tti_sent(std::uint16_t /*sfn*/, std::uint16_t /*slot*/, unsigned /*num_pdus*/) {}
  /// Told right after the MAC sent STOP.request: samples of later slots are nobody's.
  virtual void session_stopped() {}
};

/// Shape of the entries of an InMemoryIqSource.
struct InMemoryIqSourceConfig {
  unsigned num_entries = 4;         ///< Slots buffered at once (producer waits when all full).
  unsigned num_rx_antennas = 1;     ///< Grid ports.
  unsigned symbols_per_slot = 14;   ///< Grid symbols.
  unsigned num_subcarriers = 12;    ///< Grid subcarriers (12 N_grid).
  std::size_t max_iq_samples = 0;   ///< Time-domain capacity per entry (all antennas); 0: none.
  unsigned max_prach_sections = 0;  ///< 7.2x PRACH sections per entry.
  std::size_t max_prach_values = 0; ///< Their REs per entry, all sections together.
};

/// A bounded set of slot buffers filled by push_*() (any thread) and consumed by the L1.
/// Buffers are allocated at construction; pushes copy into them, exchanges swap a producer's
/// buffer with a free one (no allocation per slot).
class InMemoryIqSource final : public IqSource, public SlotSampleWriter {
public:
  explicit InMemoryIqSource(const InMemoryIqSourceConfig& config);

  /// Copies \p grid (the configured shape) as slot (\p sfn, \p slot); available_at = now.
  /// Waits up to \p timeout for a free entry. \return false on timeout, and at once (counted in
  /// num_late_samples()) when the slot is closed (close_before()) or closes while waiting, or is
  /// not a slot of the closing consumer's numerology.
  /// \throws std::invalid_argument for a grid of another shape.
  bool push_grid(std::uint16_t sfn, std::uint16_t slot, const phy::ResourceGrid& grid,
                 std::chrono::microseconds timeout) override;
  /// As push_grid(), with the 7.2x PRACH sections that arrived with the slot (copied; the ones
  /// beyond max_prach_sections / max_prach_values are dropped and counted in
  /// num_dropped_prach()).
  bool push_grid(std::uint16_t sfn, std::uint16_t slot, const phy::ResourceGrid& grid,
                 std::span<const ReceivedPrach> prach, std::chrono::microseconds timeout);
  /// As push_grid() with time-domain IQ (at most max_iq_samples samples).
  bool push_iq(std::uint16_t sfn, std::uint16_t slot, std::span<const phy::cf32> iq,
               std::chrono::microseconds timeout) override;
  /// Marks (\p sfn, \p slot) as over without samples.
  bool push_empty(std::uint16_t sfn, std::uint16_t slot,
                  std::chrono::microseconds timeout) override;
  /// As push_empty(), with 7.2x PRACH sections (copied, as by push_grid()).
  bool push_empty(std::uint16_t sfn, std::uint16_t slot, std::span<const ReceivedPrach> prach,
                  std::chrono::microseconds timeout);
  /// As push_grid(), without copying: the entry's grid and \p grid swap storage (a producer that
  /// assembles into its own buffers, e.g. a fronthaul assembler, gets an entry's buffer back to
  /// fill next). Untouched when refused. \throws std::invalid_argument for a grid of another
  /// shape.
  bool exchange_grid(std::uint16_t sfn, std::uint16_t slot, phy::ResourceGrid& grid,
                     std::chrono::microseconds timeout);
  /// As exchange_grid(), with the 7.2x PRACH sections that arrived with the slot (copied, as by
  /// push_grid()).
  bool exchange_grid(std::uint16_t sfn, std::uint16_t slot, phy::ResourceGrid& grid,
                     std::span<const ReceivedPrach> prach, std::chrono::microseconds timeout);
  /// As push_iq() with \p iq's samples, without copying: \p iq and the entry's vector swap (the
  /// entry keeps max_iq_samples elements: no allocation when \p iq's capacity holds them; \p iq
  /// comes back with the entry's old samples). Untouched when refused.
  /// \throws std::invalid_argument for more than max_iq_samples samples.
  bool exchange_iq(std::uint16_t sfn, std::uint16_t slot, std::vector<phy::cf32>& iq,
                   std::chrono::microseconds timeout);

  /// The sizes given at construction.
  [[nodiscard]] const InMemoryIqSourceConfig& config() const { return config_; }

  bool try_acquire(std::uint16_t sfn, std::uint16_t slot, ReceivedSlot& out) override;
  void release(std::uint16_t sfn, std::uint16_t slot) override;
  bool wait_for(std::uint16_t sfn, std::uint16_t slot, std::chrono::microseconds timeout) override;
  void clear() override;
  void close_before(std::uint64_t absolute_slot, unsigned slots_per_frame) override;
  [[nodiscard]] std::uint64_t num_late_samples() const override {
    return late_samples_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::optional<SteadyClock::time_point>
  later_slot_available_since(std::uint64_t absolute_slot, unsigned slots_per_frame) override;
  /// PRACH sections that did not fit an entry (any thread).
  [[nodiscard]] std::uint64_t num_dropped_prach() const {
    return dropped_prach_.load(std::memory_order_relaxed);
  }

private:
  enum class EntryState : std::uint8_t { free, ready, held };
  struct Entry {
    EntryState state = EntryState::free;
    std::uint16_t sfn = 0;
    std::uint16_t slot = 0;
    bool has_grid = false;
    std::size_t iq_size = 0;
    SteadyClock::time_point available_at{};
    phy::ResourceGrid grid;
    std::vector<phy::cf32> iq;
    std::vector<ReceivedPrach> prach; ///< Capacity max_prach_sections.
    std::vector<phy::cf32> prach_values;
  };
  template <typename Fill>
  bool push(std::uint16_t sfn, std::uint16_t slot, std::chrono::microseconds timeout, Fill fill);
  /// Copies \p prach into \p entry (what does not fit is counted in num_dropped_prach()).
  void copy_prach(Entry& entry, std::span<const ReceivedPrach> prach);
  Entry* find_locked(std::uint16_t sfn, std::uint16_t slot, EntryState state);
  /// \throws std::invalid_argument for a grid not of the configured shape.
  void check_grid_shape(const phy::ResourceGrid& grid) const;
  /// \throws std::invalid_argument for more than max_iq_samples samples.
  void check_iq_size(std::size_t samples) const;
  /// True when (\p sfn, \p slot) is behind the close_before() mark (or not a slot at all).
  [[nodiscard]] bool closed_locked(std::uint16_t sfn, std::uint16_t slot) const;

  InMemoryIqSourceConfig config_;
  std::vector<Entry> entries_;
  std::mutex mutex_;
  std::condition_variable changed_;
  /// close_before() mark: slots before closed_before_ are closed (0: none, e.g. after clear()).
  std::uint64_t closed_before_ = 0;
  unsigned slots_per_frame_ = 0; ///< Of the mark; 0: no mark.
  std::atomic<std::uint64_t> late_samples_{0};
  std::atomic<std::uint64_t> dropped_prach_{0};
};

} // namespace airan::l1
