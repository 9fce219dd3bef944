// 7.2x PRACH through the L1's fronthaul link: its own type 3 C-plane (FronthaulCplaneSender),
// an emulated O-RU's PRACH stream (RuPrachEmulator on the carrier's IQ), FronthaulLinkReceiver
// (expect_prach(), as `airan l1 --cplane`) and the sample source. A slot of FAPI's occasions
// (A1: 6 time occasions x msg1-FDM 4) arrives whole; occasions that complete out of slot order
// keep their own values when the link hands them over one slot at a time.
#include "airan/io/fapi_prach_conversion.h"
#include "airan/io/fronthaul_prach_assembler.h"
#include "airan/io/ru_cplane_requests.h"
#include "airan/io/ru_prach_emulator.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/slot_clock.h"
#include "airan/l1/uplink_cplane_sender.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace airan::l1 {
namespace {

constexpr unsigned link_prach_rx = 2;
using Frames = std::vector<std::vector<std::uint8_t>>;

phy::CellConfig link_prach_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 52;
  cell.numerology = 1;
  return cell;
}

io::FronthaulConfig link_prach_config() {
  io::FronthaulConfig config;
  config.compression = {io::CompressionMethod::block_floating_point, 9};
  return stepped_link_config(config);
}

/// A1 occasions at 30 kHz: \p time_occasions from symbol 0 (2 symbols apart) on each of
/// \p fd_occasions FD occasions of 12 PRBs.
std::vector<io::FapiPrachOccasion> link_prach_a1(unsigned time_occasions, unsigned fd_occasions) {
  std::vector<io::FapiPrachOccasion> occasions;
  for (unsigned f = 0; f < fd_occasions; ++f) {
    for (unsigned t = 0; t < time_occasions; ++t) {
      io::FapiPrachOccasion& occasion = occasions.emplace_back();
      occasion.config.format = phy::PrachFormat::a1;
      occasion.config.short_format_numerology = 1;
      occasion.config.cyclic_shift_length = 0;
      occasion.config.first_prb = 12 * f;
      occasion.config.start_symbol = 2 * t;
      occasion.num_ra = static_cast<std::uint8_t>(f);
    }
  }
  return occasions;
}

InMemoryIqSourceConfig link_prach_source() {
  InMemoryIqSourceConfig config;
  config.num_rx_antennas = link_prach_rx;
  config.num_subcarriers = 12 * link_prach_cell().num_prbs;
  config.max_prach_sections = FronthaulLinkReceiver::max_prach_occasions;
  config.max_prach_values = std::size_t{FronthaulLinkReceiver::max_prach_occasions} *
                            link_prach_rx * FronthaulLinkReceiver::max_prach_values_per_antenna;
  return config;
}

/// The DU's C-plane and the O-RU's PRACH U-plane of some slots.
struct LinkPrachRun {
  Frames cplane;
  std::vector<Frames> uplane; ///< Per slot given.
};

/// Slots \p slots (increasing) with \p occasions each: the C-plane the L1 sends, and the frames
/// the O-RU answers with from random IQ (seed per slot).
LinkPrachRun link_prach_run(const std::vector<std::int64_t>& slots,
                            const std::vector<std::vector<io::FapiPrachOccasion>>& occasions) {
  const phy::CellConfig cell = link_prach_cell();
  const io::FronthaulConfig config = link_prach_config();
  LinkPrachRun run;
  FronthaulCplaneSender sender(cell, link_prach_rx, config,
                               [&](std::span<const std::uint8_t> frame) {
                                 run.cplane.emplace_back(frame.begin(), frame.end());
                               });
  io::RuPrachEmulator oru(cell, link_prach_rx, config,
                          static_cast<unsigned>(io::fapi_max_prach_occasions) * link_prach_rx);
  const io::FronthaulSlotClock clock(cell.numerology, cell.cyclic_prefix);
  io::FronthaulLinkConfig link;
  link.eaxc_layout = config.eaxc_layout;
  link.uplane.compression = config.compression;
  link.uplane.carrier_prbs = static_cast<std::uint16_t>(cell.num_prbs);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const std::size_t first = run.cplane.size();
    const FapiSlotAddress address =
        to_slot_address(static_cast<std::uint64_t>(slots[i]), clock.slots_per_frame());
    sender.send_slot(address.sfn, address.slot, {}, {}, occasions[i]);
    io::RuRequestsBySlot requests;
    io::RuPrachRequestsBySlot prach;
    for (std::size_t f = first; f < run.cplane.size(); ++f) {
      io::take_cplane_frame(run.cplane[f], link, oru.cplane_scope(), clock, requests, &prach);
    }
    for (const auto& [cycle_slot, list] : prach) {
      for (const io::RuPrachRequest& request : list) {
        EXPECT_EQ(oru.add_request(slots[i], request), "");
      }
    }
  }
  const auto numerology = phy::carrier_numerology(cell);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    std::mt19937 rng(static_cast<unsigned>(11 + i));
    std::normal_distribution<float> gauss(0.0F, 0.05F);
    std::vector<phy::cf32> iq(std::size_t{numerology.slot_length(clock.slot_in_frame(slots[i]))} *
                              link_prach_rx);
    for (auto& x : iq) {
      x = {gauss(rng), gauss(rng)};
    }
    Frames& out = run.uplane.emplace_back();
    oru.add_slot(slots[i], *config.epoch_ns, iq,
                 [&](std::span<const std::uint8_t> frame, std::int64_t) {
                   out.emplace_back(frame.begin(), frame.end());
                 });
  }
  return run;
}

/// A link receiver expecting PRACH (as `airan l1 --cplane`) on a source of its own, given a
/// run's C-plane.
struct LinkPrachReceiver {
  explicit LinkPrachReceiver(const LinkPrachRun& run) {
    receiver.expect_prach();
    for (const auto& frame : run.cplane) {
      receiver.on_cplane_frame(frame);
    }
  }
  InMemoryIqSource source{link_prach_source()};
  FronthaulLinkReceiver receiver{link_prach_cell(), link_prach_rx, link_prach_config(), source,
                                 std::chrono::milliseconds(100)};
};

// 24 occasions in one slot (more than the 16 the link once held): all complete, none partial,
// none refused, all handed to the source with the slot.
TEST(FronthaulLinkPrach, ASlotOfTwentyFourOccasionsArrivesWhole) {
  const std::int64_t slot = 21;
  const auto occasions = link_prach_a1(6, 4);
  const LinkPrachRun run = link_prach_run({slot}, {occasions});
  ASSERT_EQ(run.cplane.size(), 24U * link_prach_rx);
  LinkPrachReceiver link(run);
  InMemoryIqSource& source = link.source;
  FronthaulLinkReceiver& receiver = link.receiver;
  for (const auto& frame : run.uplane[0]) {
    receiver.on_frame(frame);
  }
  const FapiSlotAddress address = to_slot_address(slot, 20);
  receiver.on_cplane_slot_done(address.sfn, address.slot);
  const io::FronthaulPrachCounters* counters = receiver.prach_counters();
  ASSERT_NE(counters, nullptr);
  EXPECT_EQ(counters->expected, 24U);
  EXPECT_EQ(counters->complete, 24U);
  EXPECT_EQ(counters->partial, 0U);
  EXPECT_EQ(counters->expect_refused, 0U);
  EXPECT_EQ(counters->unexpected, 0U);
  EXPECT_EQ(receiver.counters().prach_occasions, 24U);
  EXPECT_EQ(receiver.counters().prach_dropped, 0U);
  ReceivedSlot received;
  ASSERT_TRUE(source.try_acquire(address.sfn, address.slot, received));
  ASSERT_EQ(received.prach.size(), 24U);
  for (const ReceivedPrach& prach : received.prach) {
    EXPECT_EQ(prach.section.missing_prbs, 0U);
    EXPECT_EQ(prach.section.values.size(),
              std::size_t{link_prach_rx} * prach.section.num_periods * prach.section.num_res);
  }
  source.release(address.sfn, address.slot);
  EXPECT_EQ(source.num_dropped_prach(), 0U);
}

// Slot N+1's occasion completes before slot N's; slot N goes over with its own, and slot N+1's
// then carries exactly its values (not those of the one handed over before it).
TEST(FronthaulLinkPrach, AnOccasionLeftWaitingKeepsItsOwnValues) {
  const std::int64_t slot = 41;
  const LinkPrachRun run =
      link_prach_run({slot, slot + 1}, {link_prach_a1(1, 1), link_prach_a1(1, 2)});
  // The reference: slot N+1's occasions as the PRACH assembler alone makes them.
  io::FronthaulPrachAssembler reference(link_prach_cell(), link_prach_rx, link_prach_config());
  for (const auto& frame : run.cplane) {
    reference.expect_cplane_frame(frame);
  }
  for (const auto& frame : run.uplane[1]) {
    reference.push(frame, 0);
  }
  std::vector<std::vector<phy::cf32>> expected;
  while (const io::AssembledPrach* occasion = reference.next_occasion()) {
    expected.emplace_back(occasion->values.begin(), occasion->values.end());
    reference.release(occasion);
  }
  ASSERT_EQ(expected.size(), 2U);

  LinkPrachReceiver link(run);
  InMemoryIqSource& source = link.source;
  FronthaulLinkReceiver& receiver = link.receiver;
  for (const auto& frame : run.uplane[1]) { // slot N+1's first
    receiver.on_frame(frame);
  }
  for (const auto& frame : run.uplane[0]) {
    receiver.on_frame(frame);
  }
  const FapiSlotAddress first = to_slot_address(slot, 20);
  const FapiSlotAddress second = to_slot_address(slot + 1, 20);
  receiver.on_cplane_slot_done(first.sfn, first.slot);
  ReceivedSlot received;
  ASSERT_TRUE(source.try_acquire(first.sfn, first.slot, received));
  ASSERT_EQ(received.prach.size(), 1U);
  source.release(first.sfn, first.slot);
  receiver.on_cplane_slot_done(second.sfn, second.slot);
  ASSERT_TRUE(source.try_acquire(second.sfn, second.slot, received));
  ASSERT_EQ(received.prach.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(received.prach[i].section.missing_prbs, 0U);
    ASSERT_EQ(received.prach[i].section.values.size(), expected[i].size());
    EXPECT_TRUE(std::equal(expected[i].begin(), expected[i].end(),
                           received.prach[i].section.values.begin()));
  }
  source.release(second.sfn, second.slot);
  EXPECT_EQ(receiver.counters().prach_occasions, 3U);
}

} // namespace
} // namespace airan::l1
