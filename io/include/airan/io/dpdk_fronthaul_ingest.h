/// \file
/// \brief The DPDK fronthaul receive loop: bursts from a DpdkPort into a FronthaulSlotAssembler,
/// the assembler's deadline clock driven by the capture's time (pcap replay) or by
/// CLOCK_REALTIME (a live RU), and finished slots handed to a callback, which runs on the
/// polling thread and gets each slot until it returns (or throws: the slot is released, the
/// error counted and the loop goes on).
#pragma once

#include "airan/io/dpdk_port.h"
#include "airan/io/fronthaul_slot_assembler.h"

#include <cstdint>
#include <functional>
#include <string>

namespace airan::io {

/// What "now" is for slot deadlines.
enum class IngestClock : std::uint8_t {
  /// The assembler's running clock: the newest arrival time of a frame that went into a slot
  /// (replay: time moves with the capture; rejected frames and outlying timestamps do not).
  capture_time,
  realtime, ///< CLOCK_REALTIME (live, frames stamped on arrival).
};

/// Loop statistics.
struct FronthaulIngestStats {
  std::uint64_t bursts = 0;     ///< Polls that returned frames.
  std::uint64_t idle_polls = 0; ///< Polls that returned none.
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
  std::uint64_t slots = 0; ///< Slots handed to the callback.
  /// Slots whose callback threw a std::exception (the slot is still released and the loop
  /// goes on; DpdkFronthaulIngest::first_handler_error() has the first message).
  std::uint64_t handler_errors = 0;
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
  /// What the first slot callback that threw said (empty: none did).
  [[nodiscard]] const std::string& first_handler_error() const { return first_handler_error_; }

private:
  class Sink;
  void drain();

  DpdkPort& port_;
  FronthaulSlotAssembler& assembler_;
  IngestClock clock_;
  AssembledSlotHandler on_slot_;
  unsigned queue_;
  std::uint64_t accepted_ = 0; ///< Frames of this poll that went into a slot.
  FronthaulIngestStats stats_;
  std::string first_handler_error_;
};

} // namespace airan::io
