// Test support for the O-RU end of a fronthaul link on an air timeline
// (fronthaul_feeder_paced_test, fronthaul_feeder_live_oru_test): a small cell and link, a link that
// records what it sends and hands the tests' C-plane to receive(), and the frames a fresh
// RuEmulator builds for a slot.
#pragma once

#include "airan/io/ru_cplane_requests.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/fronthaul_paced_sender.h"
#include "airan/l1/fronthaul_sample_feeder.h"
#include "airan/l1/slot_clock.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <random>
#include <utility>
#include <vector>

namespace airan::l1::paced_test {

inline constexpr unsigned paced_rx = 2;
/// A frame leaves no later than this after its time (a loaded CI machine's scheduling).
inline constexpr std::int64_t paced_bound_ns = 50'000'000;

inline phy::CellConfig paced_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  return cell;
}

inline io::FronthaulConfig paced_config() {
  io::FronthaulConfig config;
  config.mode = io::FronthaulIngestMode::frequency_domain;
  config.compression = {io::CompressionMethod::block_floating_point, 9};
  return config;
}

inline phy::ResourceGrid paced_grid(std::uint32_t seed) {
  phy::ResourceGrid grid(paced_rx, 14, 12 * paced_cell().num_prbs);
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0F, 0.1F);
  for (auto& value : grid.elements()) {
    value = {normal(generator), normal(generator)};
  }
  return grid;
}

/// One frame the link sent, and when (CLOCK_REALTIME ns).
struct PacedRecord {
  std::int64_t sent_ns = 0;
  std::vector<std::uint8_t> bytes;
};

/// A link that records what it sends (from the feeder's sender thread) and when.
class PacedRecordingLink final : public FronthaulFrameLink {
public:
  bool send(std::span<const std::uint8_t> frame) override {
    const std::int64_t now = io::realtime_ns();
    const std::lock_guard lock(mutex_);
    records_.push_back({now, {frame.begin(), frame.end()}});
    return !refuse_;
  }
  std::uint64_t end_of_slot() override {
    const std::lock_guard lock(mutex_);
    ++flushes_;
    sent_at_last_flush_ = records_.size();
    return 0;
  }
  [[nodiscard]] std::vector<PacedRecord> records() const {
    const std::lock_guard lock(mutex_);
    return records_;
  }
  [[nodiscard]] unsigned flushes() const {
    const std::lock_guard lock(mutex_);
    return flushes_;
  }
  /// Frames sent when end_of_slot() was last called.
  [[nodiscard]] std::size_t sent_at_last_flush() const {
    const std::lock_guard lock(mutex_);
    return sent_at_last_flush_;
  }
  void refuse() {
    const std::lock_guard lock(mutex_);
    refuse_ = true;
  }
  /// Frames from the far end (the DU's C-plane) for the next receive().
  void deliver(const std::vector<std::vector<std::uint8_t>>& frames) {
    const std::lock_guard lock(mutex_);
    inbox_.insert(inbox_.end(), frames.begin(), frames.end());
  }
  unsigned receive(FronthaulFrameHandler& handler) override {
    std::vector<std::vector<std::uint8_t>> frames;
    {
      const std::lock_guard lock(mutex_);
      frames.swap(inbox_);
    }
    for (const auto& frame : frames) {
      handler.on_frame(frame);
    }
    return static_cast<unsigned>(frames.size());
  }

private:
  mutable std::mutex mutex_;
  std::vector<std::vector<std::uint8_t>> inbox_;
  std::vector<PacedRecord> records_;
  unsigned flushes_ = 0;
  std::size_t sent_at_last_flush_ = 0;
  bool refuse_ = false;
};

/// A frame an RuEmulator built, and its nominal transmit time (air ns).
struct PacedExpected {
  std::int64_t tx_ns = 0;
  std::vector<std::uint8_t> bytes;
};

/// What a fresh RuEmulator (the feeder's configuration) sends for \p grid as absolute slot
/// \p absolute on \p epoch_ns (only \p requests when given).
inline std::vector<PacedExpected>
paced_reference(const phy::ResourceGrid& grid, std::int64_t absolute, std::int64_t epoch_ns,
                std::span<const io::RuSectionRequest> requests = {}) {
  io::RuEmulator emulator(paced_cell(), paced_rx, stepped_link_config(paced_config()));
  io::TestVectorSlot slot;
  slot.grid = grid;
  slot.slot = emulator.clock().slot_in_frame(absolute);
  slot.absolute_slot = static_cast<std::uint64_t>(absolute);
  std::vector<PacedExpected> out;
  emulator.packetize_slot(
      slot, absolute, epoch_ns,
      [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
        out.push_back({tx_ns, {frame.begin(), frame.end()}});
      },
      requests);
  return out;
}

/// The absolute slot \p ahead slots after the one on air on \p timeline (mu 1), and its address.
inline std::pair<std::int64_t, FapiSlotAddress> paced_slot_ahead(const io::AirTimeline& timeline,
                                                                 std::int64_t ahead) {
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const std::int64_t target =
      clock.absolute_slot_at(timeline.epoch_ns, timeline.air_ns(io::realtime_ns())) + ahead;
  return {target, to_slot_address(static_cast<std::uint64_t>(target), clock.slots_per_frame())};
}

} // namespace airan::l1::paced_test
