/// \file
/// \brief The fronthaul C-plane link tests' bench: both ends of a link between a stand-alone
/// L1 and an O-RU in one process without DPDK (the L1's FronthaulCplaneSender, its frames queued
/// to the port's thread, which gives them to the O-RU, a FronthaulSampleFeeder on a link with
/// C-plane, and to the L1's FronthaulLinkReceiver), on a 24-PRB carrier with 2 antennas.
#pragma once

#include "airan/l1/cplane_frame_queue.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/fronthaul_sample_feeder.h"
#include "airan/l1/uplink_cplane_sender.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>
#include <thread>
#include <vector>

namespace airan::l1::cplane_link_test {

inline constexpr unsigned cplane_link_rx = 2;

inline phy::CellConfig cplane_link_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  return cell;
}

inline io::FronthaulConfig cplane_link_config() {
  io::FronthaulConfig config;
  config.compression = {io::CompressionMethod::none, 16};
  return config;
}

inline InMemoryIqSourceConfig cplane_link_source() {
  InMemoryIqSourceConfig config;
  config.num_rx_antennas = cplane_link_rx;
  config.num_subcarriers = 12 * cplane_link_cell().num_prbs;
  return config;
}

/// A PUSCH on PRBs [first, first + count), symbols 0..13.
inline phy::PuschConfig cplane_link_pusch(unsigned first, unsigned count) {
  phy::PuschConfig pusch;
  pusch.bwp_size = cplane_link_cell().num_prbs;
  pusch.prb_start = first;
  pusch.prb_size = count;
  return pusch;
}

inline phy::ResourceGrid cplane_link_grid(std::uint32_t seed) {
  phy::ResourceGrid grid(cplane_link_rx, 14, 12 * cplane_link_cell().num_prbs);
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-0.5F, 0.5F);
  for (auto& value : grid.elements()) {
    value = {uniform(generator), uniform(generator)};
  }
  return grid;
}

/// An O-RU's side of a link that keeps what the O-RU sends and feeds it the C-plane in \p in.
struct CplaneLinkCapture final : FronthaulFrameLink {
  std::vector<std::vector<std::uint8_t>> frames;
  std::deque<std::vector<std::uint8_t>>* in = nullptr;
  bool send(std::span<const std::uint8_t> frame) override {
    frames.emplace_back(frame.begin(), frame.end());
    return true;
  }
  std::uint64_t end_of_slot() override { return 0; }
  unsigned receive(FronthaulFrameHandler& handler) override {
    const auto count = static_cast<unsigned>(in->size());
    for (const auto& frame : *in) {
      handler.on_frame(frame);
    }
    in->clear();
    return count;
  }
};

/// Both ends of the link in one process (see the file comment).
struct CplaneLinkEnds final : FronthaulFrameLink, CplaneQueueVisitor {
  CplaneLinkEnds()
      : source(cplane_link_source()),
        receiver(cplane_link_cell(), cplane_link_rx, cplane_link_config(), source,
                 std::chrono::milliseconds(100)),
        sender(cplane_link_cell(), cplane_link_rx, cplane_link_config(),
               [this](std::span<const std::uint8_t> frame) { queue.add_frame(frame); }),
        ru(cplane_link_cell(), cplane_link_rx, cplane_link_config(), *this, true) {
    sender.on_slot_done(
        [this](std::uint16_t sfn, std::uint16_t slot) { queue.add_slot_done(sfn, slot); });
  }

  // The port's thread: the L1's C-plane out to the O-RU and into the receiver.
  void on_frame(std::span<const std::uint8_t> frame) override {
    receiver.on_cplane_frame(frame);
    to_ru.emplace_back(frame.begin(), frame.end());
  }
  void on_slot_done(std::uint16_t sfn, std::uint16_t slot) override {
    receiver.on_cplane_slot_done(sfn, slot);
  }
  // The O-RU's side of the link: its U-plane into the receiver, the C-plane from the queue.
  bool send(std::span<const std::uint8_t> frame) override {
    ++uplane_frames;
    receiver.on_frame(frame);
    return true;
  }
  std::uint64_t end_of_slot() override { return 0; }
  unsigned receive(FronthaulFrameHandler& handler) override {
    unsigned count = static_cast<unsigned>(to_ru.size());
    for (const auto& frame : to_ru) {
      handler.on_frame(frame);
    }
    to_ru.clear();
    if (!chatter.empty()) { // a shared segment's other traffic: on the link at every poll
      handler.on_frame(chatter);
      ++count;
    }
    return count;
  }

  /// A slot as the L1 and the MAC run it: the UL_TTI.request's C-plane, then the O-RU's slot.
  void run_slot(std::uint16_t sfn, std::uint16_t slot, std::span<const phy::PuschConfig> pdus,
                const phy::ResourceGrid* grid) {
    sender.send_slot(sfn, slot, pdus, {});
    queue.take_all(*this);
    if (grid != nullptr) {
      ASSERT_TRUE(ru.push_grid(sfn, slot, *grid, std::chrono::milliseconds(100)));
    } else {
      ASSERT_TRUE(ru.push_empty(sfn, slot, std::chrono::milliseconds(100)));
    }
  }

  /// The L1, on a thread of its own: takes slots (0, \p first) .. (0, \p last) in order as they
  /// come (waiting 5 s for each at most), each released and closed as its clock moves on, and
  /// appends whether it had samples to \p had_samples.
  std::thread consume_slots(std::uint16_t first, std::uint16_t last,
                            std::vector<bool>& had_samples) {
    return std::thread([this, first, last, &had_samples] {
      for (std::uint16_t slot = first; slot <= last; ++slot) {
        if (!source.wait_for(0, slot, std::chrono::seconds(5))) {
          break;
        }
        ReceivedSlot received;
        ASSERT_TRUE(source.try_acquire(0, slot, received));
        had_samples.push_back(received.has_samples());
        source.release(0, slot);
        source.close_before(slot + 1U, 20);
      }
    });
  }

  InMemoryIqSource source;
  FronthaulLinkReceiver receiver;
  CplaneFrameQueue queue;
  FronthaulCplaneSender sender;
  FronthaulSampleFeeder ru;
  std::deque<std::vector<std::uint8_t>> to_ru;
  /// A frame the O-RU's side receives at every poll besides the C-plane (empty: none).
  std::vector<std::uint8_t> chatter;
  std::uint64_t uplane_frames = 0;
};

} // namespace airan::l1::cplane_link_test
