// The L1's fronthaul path allocates nothing per slot once warm: its C-plane generated
// (FronthaulCplaneSender into preallocated frame buffers), taken back by its receiver
// (on_cplane_frame(), on_cplane_slot_done(), PRACH expected as `airan l1 --cplane` does), the
// O-RU's U-plane assembled and the slot taken from the source; slots with PUSCHs alternate with
// slots asked nothing of, PRACH occasions (type 3) in some of the latter. The stepped link, and
// the live link's U-plane. (The C-plane's requests were kept in a
// std::map of vectors: a node and two vectors allocated per C-plane frame.)
#include "../support/allocation_counter.h"

#include "airan/io/fapi_prach_conversion.h"
#include "airan/io/ru_cplane_requests.h"
#include "airan/io/ru_emulator.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/slot_clock.h"
#include "airan/l1/uplink_cplane_sender.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace airan::l1 {
namespace {

constexpr unsigned alloc_link_rx = 2;
constexpr unsigned alloc_link_slots = 48;  ///< Slots run in all.
constexpr unsigned alloc_link_warm_up = 8; ///< Slots before the count starts.

phy::CellConfig alloc_link_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  return cell;
}

io::FronthaulConfig alloc_link_config() {
  io::FronthaulConfig config;
  config.compression = {io::CompressionMethod::block_floating_point, 9};
  return stepped_link_config(config);
}

/// PUSCHs of odd slots: two of 12 PRBs; even slots ask nothing.
std::vector<phy::PuschConfig> alloc_link_puschs(unsigned slot) {
  std::vector<phy::PuschConfig> puschs;
  if (slot % 2 == 1) {
    for (unsigned k = 0; k < 2; ++k) {
      phy::PuschConfig& pusch = puschs.emplace_back();
      pusch.bwp_size = alloc_link_cell().num_prbs;
      pusch.prb_start = 12 * k;
      pusch.prb_size = 12;
    }
  }
  return puschs;
}

/// A PRACH occasion (A1, 12 PRBs) in every fourth slot from slot 2, asked for by type 3 C-plane;
/// its U-plane never comes (the receiver hands it over at its deadline, PRBs missing).
std::vector<io::FapiPrachOccasion> alloc_link_prach(unsigned slot) {
  std::vector<io::FapiPrachOccasion> occasions;
  if (slot % 4 == 2) {
    io::FapiPrachOccasion& occasion = occasions.emplace_back();
    occasion.config.format = phy::PrachFormat::a1;
    occasion.config.short_format_numerology = 1;
    occasion.config.cyclic_shift_length = 0;
    occasion.config.first_prb = 12;
  }
  return occasions;
}

/// Frames written into buffers that keep their capacity: a sink that allocates nothing.
struct PreallocatedFrames {
  std::vector<std::vector<std::uint8_t>> frames = std::vector<std::vector<std::uint8_t>>(256);
  std::size_t count = 0;
  PreallocatedFrames() {
    for (auto& frame : frames) {
      frame.reserve(9216);
    }
  }
  void add(std::span<const std::uint8_t> frame) {
    ASSERT_LT(count, frames.size());
    frames[count++].assign(frame.begin(), frame.end());
  }
};

/// Every slot's O-RU U-plane: what that slot's C-plane asked for (nothing for the even slots).
std::vector<std::vector<std::vector<std::uint8_t>>> alloc_link_uplane() {
  std::vector<std::vector<std::uint8_t>> cplane;
  FronthaulCplaneSender sender(alloc_link_cell(), alloc_link_rx, alloc_link_config(),
                               [&](std::span<const std::uint8_t> frame) {
                                 cplane.emplace_back(frame.begin(), frame.end());
                               });
  io::RuEmulator emulator(alloc_link_cell(), alloc_link_rx, alloc_link_config());
  io::TestVectorSlot grid_slot;
  grid_slot.grid = phy::ResourceGrid(alloc_link_rx, 14, 12 * alloc_link_cell().num_prbs);
  std::mt19937 rng(7);
  std::normal_distribution<float> gauss(0.0F, 0.5F);
  for (auto& value : grid_slot.grid.elements()) {
    value = {gauss(rng), gauss(rng)};
  }
  std::vector<std::vector<std::vector<std::uint8_t>>> uplane(alloc_link_slots);
  const io::FronthaulSlotClock& clock = emulator.clock();
  for (unsigned slot = 0; slot < alloc_link_slots; ++slot) {
    const FapiSlotAddress address = to_slot_address(slot, clock.slots_per_frame());
    cplane.clear();
    const auto puschs = alloc_link_puschs(slot);
    sender.send_slot(address.sfn, address.slot, puschs, {});
    io::RuRequestsBySlot requests;
    for (const auto& frame : cplane) {
      io::take_cplane_frame(frame, emulator.link_config(), emulator.cplane_scope(), clock,
                            requests);
    }
    if (requests.empty()) {
      continue;
    }
    grid_slot.slot = address.slot;
    emulator.packetize_slot(
        grid_slot, slot, *alloc_link_config().epoch_ns,
        [&](std::span<const std::uint8_t> frame, std::int64_t) {
          uplane[slot].emplace_back(frame.begin(), frame.end());
        },
        requests.begin()->requests);
  }
  return uplane;
}

InMemoryIqSourceConfig alloc_link_source() {
  InMemoryIqSourceConfig config;
  config.num_rx_antennas = alloc_link_rx;
  config.num_subcarriers = 12 * alloc_link_cell().num_prbs;
  return config;
}

TEST(FronthaulLinkAllocation, TheL1sCplaneAndUplanePathAllocatesNothingOnceWarm) {
  const auto uplane = alloc_link_uplane();
  InMemoryIqSource source(alloc_link_source());
  FronthaulLinkReceiver receiver(alloc_link_cell(), alloc_link_rx, alloc_link_config(), source,
                                 std::chrono::milliseconds(100));
  receiver.expect_prach();
  PreallocatedFrames cplane;
  FronthaulCplaneSender sender(alloc_link_cell(), alloc_link_rx, alloc_link_config(),
                               [&](std::span<const std::uint8_t> frame) { cplane.add(frame); });
  std::vector<std::vector<phy::PuschConfig>> puschs;
  std::vector<std::vector<io::FapiPrachOccasion>> prach;
  for (unsigned slot = 0; slot < alloc_link_slots; ++slot) {
    puschs.push_back(alloc_link_puschs(slot));
    prach.push_back(alloc_link_prach(slot));
  }
  const unsigned slots_per_frame = phy::slots_per_frame(alloc_link_cell().numerology);
  long before = 0;
  unsigned with_samples = 0;
  unsigned taken = 0;
  for (unsigned slot = 0; slot < alloc_link_slots; ++slot) {
    if (slot == alloc_link_warm_up) {
      before = airan::test::allocation_count();
    }
    const FapiSlotAddress address = to_slot_address(slot, slots_per_frame);
    cplane.count = 0;
    sender.send_slot(address.sfn, address.slot, puschs[slot], {}, prach[slot]);
    for (std::size_t i = 0; i < cplane.count; ++i) {
      receiver.on_cplane_frame(cplane.frames[i]);
    }
    receiver.on_cplane_slot_done(address.sfn, address.slot);
    for (const auto& frame : uplane[slot]) {
      receiver.on_frame(frame);
    }
    ReceivedSlot received;
    if (source.try_acquire(address.sfn, address.slot, received)) {
      ++taken;
      with_samples += received.has_samples() ? 1 : 0;
      source.release(address.sfn, address.slot);
    }
  }
  const long allocations = airan::test::allocation_count() - before;
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(taken, alloc_link_slots);
  EXPECT_EQ(with_samples, alloc_link_slots / 2);
  EXPECT_EQ(receiver.counters().slots_partial + receiver.counters().slots_lost, 0U);
  EXPECT_EQ(receiver.counters().cplane_ignored, 0U);
  EXPECT_EQ(receiver.counters().cplane_sections,
            std::size_t{alloc_link_slots / 2} * 2 * alloc_link_rx +
                std::size_t{alloc_link_slots / 4} * alloc_link_rx);
  EXPECT_GE(receiver.counters().prach_occasions, alloc_link_slots / 4 - 2);
}

TEST(FronthaulLinkAllocation, TheLiveLinkAllocatesNothingOnceWarm) {
  // Whole slots (no C-plane) at their arrival times on GPS time, poll()ed as the receive loop
  // does.
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 1.0};
  io::FronthaulConfig config = alloc_link_config();
  config.epoch_ns.reset();
  io::RuEmulator emulator(alloc_link_cell(), alloc_link_rx, config);
  io::TestVectorSlot grid_slot;
  grid_slot.grid = phy::ResourceGrid(alloc_link_rx, 14, 12 * alloc_link_cell().num_prbs);
  InMemoryIqSource source(alloc_link_source());
  FronthaulLinkReceiver receiver(alloc_link_cell(), alloc_link_rx, config, source,
                                 std::chrono::milliseconds(100), std::chrono::milliseconds(200),
                                 timeline);
  const io::FronthaulSlotClock& clock = emulator.clock();
  const std::int64_t first =
      clock.absolute_slot_at(timeline.epoch_ns, timeline.air_ns(io::realtime_ns())) + 2;
  std::vector<std::vector<std::vector<std::uint8_t>>> frames(alloc_link_slots);
  std::vector<std::vector<std::int64_t>> arrivals(alloc_link_slots);
  for (unsigned i = 0; i < alloc_link_slots; ++i) {
    const std::int64_t slot = first + i;
    grid_slot.slot = static_cast<unsigned>(slot % clock.slots_per_frame());
    emulator.packetize_slot(grid_slot, slot, timeline.epoch_ns,
                            [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
                              frames[i].emplace_back(frame.begin(), frame.end());
                              arrivals[i].push_back(timeline.wall_ns(tx_ns) + 30'000);
                            });
  }
  long before = 0;
  unsigned taken = 0;
  for (unsigned i = 0; i < alloc_link_slots; ++i) {
    if (i == alloc_link_warm_up) {
      before = airan::test::allocation_count();
    }
    for (std::size_t k = 0; k < frames[i].size(); ++k) {
      receiver.on_frame(frames[i][k], arrivals[i][k]);
      receiver.poll(arrivals[i][k]);
    }
    const FapiSlotAddress address =
        to_slot_address(static_cast<std::uint64_t>(first + i), clock.slots_per_frame());
    ReceivedSlot received;
    if (source.try_acquire(address.sfn, address.slot, received)) {
      taken += received.has_samples() ? 1 : 0;
      source.release(address.sfn, address.slot);
    }
  }
  EXPECT_EQ(airan::test::allocation_count() - before, 0);
  EXPECT_EQ(taken, alloc_link_slots);
  EXPECT_EQ(receiver.counters().slots_partial, 0U);
}

} // namespace
} // namespace airan::l1
