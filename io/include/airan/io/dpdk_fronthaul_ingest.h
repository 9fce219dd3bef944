/// \file
/// \brief The DPDK fronthaul receive loop: bursts from a DpdkPort into a FronthaulSlotAssembler,
/// the assembler's deadline clock driven by the capture's time (pcap replay) or by
/// CLOCK_REALTIME (a live RU), and finished slots handed to a callback, which runs on the
/// polling thread and gets each slot until it returns.
#pragma once

#include "airan/io/dpdk_port.h"
#include "airan/io/fronthaul_slot_assembler.h"

#include <cstdint>
#include <functional>

namespace airan::io {

/// What "now" is for slot deadlines.
enum class IngestClock : std::uint8_t {
  capture_time, ///< The newest frame's arrival time (replay: time moves with the capture).
  realtime,     ///< CLOCK_REALTIME (live, frames stamped on arrival).
};

/// Loop statistics.
struct FronthaulIngestStats {
  std::uint64_t bursts = 0;     ///< Polls that returned frames.
  std::uint64_t idle_polls = 0; ///< Polls that returned none.
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
  std::uint64_t slots = 0; ///< Slots handed to the callback.
};

/// Called with each finished slot (in dispatch order).
using AssembledSlotHandler = std::function<void(const AssembledSlot& slot)>;

/// Polls one port queue into an assembler (single thread; see the file comment).
class DpdkFronthaulIngest {
public:
  DpdkFronthaulIngest(DpdkPort& port, FronthaulSlotAssembler& assembler, IngestClock clock,
                      AssembledSlotHandler on_slot, unsigned queue = 0);

  /// One burst, then the assembler's deadlines and the finished slots; returns the frames.
  unsigned poll();

  /// Polls until \p idle_polls polls in a row return nothing (net_pcap: end of the capture),
  /// then flushes the assembler and hands out every remaining slot.
  void run_until_idle(unsigned idle_polls = 2000);

  /// Polls until \p stop returns true (checked after every poll), then flushes.
  void run_until(const std::function<bool()>& stop);

  [[nodiscard]] const FronthaulIngestStats& stats() const { return stats_; }

private:
  class Sink;
  void drain();

  DpdkPort& port_;
  FronthaulSlotAssembler& assembler_;
  IngestClock clock_;
  AssembledSlotHandler on_slot_;
  unsigned queue_;
  std::int64_t newest_arrival_ns_ = 0;
  FronthaulIngestStats stats_;
};

} // namespace airan::io
