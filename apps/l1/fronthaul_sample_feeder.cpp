#include "airan/l1/fronthaul_sample_feeder.h"

#include <algorithm>

namespace airan::l1 {
namespace {

/// Clock anchor of the in-process link: any fixed time works, frames carry their own ids.
constexpr std::int64_t epoch_ns = 1'700'000'000'000'000'000;

io::FronthaulConfig in_process(io::FronthaulConfig config) {
  // One slot at a time, dispatched by flush(): no deadline may cut it short.
  config.epoch_ns = epoch_ns;
  config.slot_deadline_ns = 1'000'000'000;
  config.ta4_max_ns = 1'000'000'000;
  return config;
}

} // namespace

FronthaulSampleFeeder::FronthaulSampleFeeder(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                             const io::FronthaulConfig& config, bool use_cplane,
                                             InMemoryIqSource& target)
    : config_(in_process(config)), use_cplane_(use_cplane), target_(target),
      emulator_(cell, num_rx_antennas, config_), assembler_(cell, num_rx_antennas, config_) {
  link_.eaxc_layout = config_.eaxc_layout;
  link_.uplane.compression = config_.compression;
  link_.uplane.ud_comp_hdr_present = config_.dynamic_compression_header;
  link_.uplane.carrier_prbs = static_cast<std::uint16_t>(cell.num_prbs);
  slot_.grid =
      phy::ResourceGrid(num_rx_antennas, emulator_.clock().symbols_per_slot(), 12 * cell.num_prbs);
  if (config_.mode == io::FronthaulIngestMode::time_domain) {
    const auto numerology =
        phy::Numerology::for_carrier(cell.numerology, cell.cyclic_prefix, cell.num_prbs);
    modulator_ = std::make_unique<phy::OfdmModulator>(numerology, cell.num_prbs);
    std::size_t longest = 0;
    for (unsigned s = 0; s < numerology.slots_per_frame(); ++s) {
      longest = std::max<std::size_t>(longest, numerology.slot_length(s));
    }
    slot_.iq.reserve(longest * num_rx_antennas);
  }
}

void FronthaulSampleFeeder::on_cplane_frame(std::span<const std::uint8_t> frame) {
  const std::lock_guard lock(mutex_);
  ++counters_.cplane_frames;
  const io::RuCplaneTally tally =
      io::take_cplane_frame(frame, link_, emulator_.cplane_scope(), emulator_.clock(), cplane_);
  if (tally.messages == 0 || tally.messages_ignored != 0 || tally.sections_ignored != 0) {
    ++counters_.cplane_ignored;
  }
  if (tally.sections_taken != 0) {
    cplane_arrived_.notify_all();
  }
}

bool FronthaulSampleFeeder::push_grid(std::uint16_t sfn, std::uint16_t slot,
                                      const phy::ResourceGrid& grid,
                                      std::chrono::microseconds timeout) {
  slot_.iq.clear();
  slot_.iq_fft_size = 0;
  slot_.iq_samples_per_antenna = 0;
  if (grid.size() != slot_.grid.size()) {
    return false;
  }
  if (modulator_ != nullptr) {
    const std::size_t length = modulator_->numerology().slot_length(slot);
    slot_.iq.resize(length * grid.num_ports());
    for (unsigned rx = 0; rx < grid.num_ports(); ++rx) {
      modulator_->modulate_slot(grid, rx, slot, std::span(slot_.iq).subspan(rx * length, length));
    }
    slot_.iq_samples_per_antenna = length;
    slot_.iq_fft_size = 0;
    return send(sfn, slot, timeout);
  }
  std::ranges::copy(grid.elements(), slot_.grid.elements().begin());
  return send(sfn, slot, timeout);
}

bool FronthaulSampleFeeder::push_iq(std::uint16_t sfn, std::uint16_t slot,
                                    std::span<const phy::cf32> iq,
                                    std::chrono::microseconds timeout) {
  slot_.iq.assign(iq.begin(), iq.end());
  slot_.iq_samples_per_antenna = iq.size() / slot_.grid.num_ports();
  slot_.iq_fft_size = 0;
  return send(sfn, slot, timeout);
}

bool FronthaulSampleFeeder::push_empty(std::uint16_t sfn, std::uint16_t slot,
                                       std::chrono::microseconds timeout) {
  return target_.push_empty(sfn, slot, timeout);
}

bool FronthaulSampleFeeder::send(std::uint16_t sfn, std::uint16_t slot,
                                 std::chrono::microseconds timeout) {
  const auto& clock = emulator_.clock();
  const std::int64_t absolute =
      static_cast<std::int64_t>(sfn % 256) * clock.slots_per_frame() + slot;
  slot_.slot = slot;
  slot_.absolute_slot = static_cast<std::uint64_t>(absolute);
  requests_.clear();
  if (use_cplane_) {
    std::unique_lock lock(mutex_);
    const auto key = static_cast<unsigned>(absolute % clock.slots_per_cycle());
    if (cplane_arrived_.wait_for(lock, timeout, [&] { return cplane_.contains(key); })) {
      requests_ = std::move(cplane_[key]);
      cplane_.erase(key);
    } else {
      ++counters_.cplane_missing;
    }
  }
  std::uint64_t frames = 0;
  emulator_.packetize_slot(
      slot_, absolute, epoch_ns,
      [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
        assembler_.push(frame, tx_ns);
        ++frames;
      },
      requests_);
  assembler_.flush();
  bool delivered = false;
  while (const io::AssembledSlot* assembled = assembler_.next_slot()) {
    delivered = assembled->mode == io::FronthaulIngestMode::time_domain
                    ? target_.push_iq(sfn, slot, assembled->iq, timeout)
                    : target_.push_grid(sfn, slot, assembled->grid, timeout);
    assembler_.release(assembled);
  }
  const std::lock_guard lock(mutex_);
  ++counters_.slots;
  counters_.uplane_frames += frames;
  return delivered;
}

FronthaulFeederCounters FronthaulSampleFeeder::counters() const {
  const std::lock_guard lock(mutex_);
  return counters_;
}

} // namespace airan::l1
