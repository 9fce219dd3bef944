// The slot assembler with the DU's own uplink C-plane requests (expect_sections()), on real frames:
// C-plane built by UplinkCplaneGenerator and read back with take_cplane_frame(), U-plane from the
// RU emulator restricted to those requests. A requested slot completes on its last requested unit,
// counts only requested units as missing, keeps unrequested units that arrive, zeroes the rest;
// requests given late apply at once, unserved ones are dropped and counted, bad ones refused.
#include "fronthaul_test_helpers.h"

#include "airan/io/oran_cplane_generator.h"
#include "airan/io/ru_cplane_requests.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace {

using namespace airan::io;
using airan::test::CapturedFrame;

constexpr std::int64_t requests_epoch = 1'720'000'000'000'000'000;

/// PRBs [first_prb, first_prb + num_prbs) of symbols [first_symbol, first_symbol + num_symbols).
struct RequestsAllocation {
  std::uint16_t first_prb, num_prbs;
  std::uint8_t first_symbol, num_symbols;
  [[nodiscard]] bool covers(unsigned symbol, unsigned prb) const {
    return prb >= first_prb && prb < first_prb + num_prbs && symbol >= first_symbol &&
           symbol < first_symbol + num_symbols;
  }
};
constexpr RequestsAllocation requests_a{10, 24, 0, 14};
constexpr RequestsAllocation requests_b{100, 6, 2, 4};
constexpr RequestsAllocation requests_both[] = {requests_a, requests_b};

using RequestsPresent = std::function<bool(unsigned rx, unsigned symbol, unsigned prb)>;

/// The 2-UE vector's first slot (106 PRBs, 2 Rx), an RU emulator and an assembler for it (no
/// compression: values come back within half an int16 step), non-zero eAxC ids, a fixed epoch.
struct RequestsFixture {
  TestVectorReader reader{airan::test::committed_vector(airan::test::vector_2ue)};
  TestVectorSlot slot;
  FronthaulConfig config;
  std::unique_ptr<RuEmulator> emulator;
  std::unique_ptr<FronthaulSlotAssembler> assembler;
  std::int64_t absolute = 0; ///< Where the slot is sent (frame \p frame).

  explicit RequestsFixture(std::int64_t frame = 300) {
    reader.read_slot(0, slot);
    config.compression = {CompressionMethod::none, 16};
    config.epoch_ns = requests_epoch;
    config.du_port = 1;
    config.band_sector = 2;
    config.cc = 3;
    emulator = std::make_unique<RuEmulator>(cell(), num_rx(), config);
    assembler = std::make_unique<FronthaulSlotAssembler>(cell(), num_rx(), config);
    absolute = frame * clock().slots_per_frame() + slot.slot;
  }
  [[nodiscard]] const airan::phy::CellConfig& cell() const { return reader.header().cell; }
  [[nodiscard]] unsigned num_rx() const { return reader.header().num_rx_antennas; }
  [[nodiscard]] const FronthaulSlotClock& clock() const { return emulator->clock(); }
  [[nodiscard]] unsigned cycle_slot(std::int64_t at) const {
    return static_cast<unsigned>(at % clock().slots_per_cycle());
  }
  [[nodiscard]] unsigned own() const { return cycle_slot(absolute); }

  /// The DU's C-plane for \p allocations on every antenna in slot \p at (UplinkCplaneGenerator),
  /// as the O-RU reads it (take_cplane_frame()): that slot's requests.
  std::vector<RuSectionRequest> requests(std::span<const RequestsAllocation> allocations,
                                         std::int64_t at) const {
    UplinkCplaneConfig c;
    c.ethernet.source = config.du_mac;
    c.ethernet.destination = config.ru_mac;
    c.compression = config.compression;
    c.carrier_prbs = static_cast<std::uint16_t>(cell().num_prbs);
    UplinkCplaneGenerator generator(c, 16);
    std::vector<UplinkAllocation> list;
    for (unsigned rx = 0; rx < num_rx(); ++rx) {
      const EaxcId eaxc{config.du_port, config.band_sector, config.cc,
                        static_cast<std::uint16_t>(rx)};
      for (const auto& a : allocations) {
        list.push_back({pack_eaxc_id(eaxc, config.eaxc_layout), a.first_prb, a.num_prbs,
                        a.first_symbol, a.num_symbols, 0});
      }
    }
    const auto timing = clock().timing_header(static_cast<std::uint64_t>(at), 0);
    std::vector<std::uint8_t> buffer(16384);
    std::vector<std::span<const std::uint8_t>> frames(16);
    const auto result = generator.generate({timing.frame_id, timing.subframe_id, timing.slot_id},
                                           list, buffer, frames);
    EXPECT_TRUE(result.ok());
    RuRequestsBySlot by_slot;
    for (std::size_t i = 0; i < result.num_frames; ++i) {
      const auto tally = take_cplane_frame(frames[i], emulator->link_config(),
                                           emulator->cplane_scope(), clock(), by_slot);
      EXPECT_EQ(tally.messages_ignored, 0U);
      EXPECT_EQ(tally.sections_ignored, 0U);
    }
    EXPECT_EQ(by_slot.size(), 1U);
    const auto requests = by_slot.find(cycle_slot(at));
    EXPECT_EQ(requests.size(), allocations.size() * num_rx());
    return {requests.begin(), requests.end()};
  }
  /// The O-RU's U-plane of the slot at \p at (every PRB without \p requests).
  std::vector<CapturedFrame> uplane(std::span<const RuSectionRequest> requests, std::int64_t at) {
    std::vector<CapturedFrame> frames;
    airan::test::capture_slot(*emulator, slot, at, requests_epoch, frames, requests);
    return frames;
  }
  /// Pushes frames [begin, end) of \p frames at their transmit times.
  void push(const std::vector<CapturedFrame>& frames, std::size_t begin = 0,
            std::size_t end = SIZE_MAX) {
    for (std::size_t i = begin; i < std::min(end, frames.size()); ++i) {
      assembler->push(frames[i].bytes, frames[i].tx_ns);
    }
  }
  /// Sends the whole carrier as the slot one frame earlier and releases it, so that the next
  /// slot reuses a buffer full of stale values (what is not written must be zeroed).
  void prime() {
    push(uplane({}, absolute - clock().slots_per_frame()));
    const AssembledSlot* full = assembler->next_slot();
    ASSERT_NE(full, nullptr);
    EXPECT_TRUE(full->complete());
    EXPECT_FALSE(full->requested());
    assembler->release(full);
    assembler->reset_counters();
  }
  /// Whether frame \p frame is the U-plane of (rx, symbol) starting at PRB \p start_prb.
  [[nodiscard]] bool frame_is(const CapturedFrame& frame, unsigned rx, unsigned symbol,
                              unsigned start_prb) const {
    const auto parsed = parse_fronthaul_frame(frame.bytes, emulator->link_config());
    EXPECT_TRUE(parsed.ok());
    const auto& v = parsed.frame;
    for (const auto& section : v.uplane.sections) { // the first one
      return v.eaxc.ru_port == rx && v.uplane.timing.symbol_id == symbol &&
             section.header.start_prb == start_prb;
    }
    return false;
  }
  /// PRBs of \p a that are wrong: where \p present, not received or the 12 values not within
  /// half an int16 step of the vector's grid; elsewhere, received or not exactly zero; and
  /// unit_expected() not \p expected.
  [[nodiscard]] unsigned mismatches(const AssembledSlot& a, const RequestsPresent& present,
                                    const RequestsPresent& expected) const {
    const double tolerance = config.full_scale / 32768.0 * 0.5 * std::sqrt(2.0) * 1.001;
    unsigned wrong = 0;
    for (unsigned rx = 0; rx < num_rx(); ++rx) {
      for (unsigned l = 0; l < 14; ++l) {
        for (unsigned prb = 0; prb < cell().num_prbs; ++prb) {
          const bool here = present(rx, l, prb);
          bool ok = a.unit_received(rx, l, prb) == here &&
                    a.unit_expected(rx, l, prb) == expected(rx, l, prb);
          for (unsigned k = 12 * prb; k < 12 * prb + 12; ++k) {
            const auto got = a.grid.at(rx, l, k);
            ok = ok && (here ? std::abs(got - slot.grid.at(rx, l, k)) <= tolerance
                             : got == airan::phy::cf32{});
          }
          wrong += ok ? 0 : 1;
        }
      }
    }
    return wrong;
  }
};

/// The next dispatched slot, copied and released.
std::optional<AssembledSlot> requests_next(FronthaulSlotAssembler& as) {
  const AssembledSlot* slot = as.next_slot();
  if (slot == nullptr) {
    return std::nullopt;
  }
  AssembledSlot copy = *slot;
  as.release(slot);
  return copy;
}

RuSectionRequest requests_section(unsigned ru_port, unsigned start_symbol, unsigned num_symbols,
                                  unsigned start_prb, unsigned num_prbs) {
  RuSectionRequest r;
  r.ru_port = static_cast<std::uint16_t>(ru_port);
  r.start_symbol = static_cast<std::uint8_t>(start_symbol);
  r.section.start_prb = static_cast<std::uint16_t>(start_prb);
  r.section.num_prbs = static_cast<std::uint8_t>(num_prbs);
  r.section.num_symbols = static_cast<std::uint8_t>(num_symbols);
  return r;
}

/// Whether A or B covers (symbol, prb), on any antenna.
bool requests_asked(unsigned /*rx*/, unsigned symbol, unsigned prb) {
  return requests_a.covers(symbol, prb) || requests_b.covers(symbol, prb);
}

TEST(FronthaulSlotAssemblerRequests, RequestedSlotCompletesOnItsLastRequestedFrame) {
  RequestsFixture f;
  FronthaulSlotAssembler& as = *f.assembler;
  f.prime();
  const auto requests = f.requests(requests_both, f.absolute);
  EXPECT_TRUE(as.expect_sections(f.own(), requests));
  EXPECT_TRUE(as.has_requests(f.own()));
  const auto frames = f.uplane(requests, f.absolute);
  ASSERT_GE(frames.size(), 2U * 14);
  for (std::size_t i = 0; i + 1 < frames.size(); ++i) {
    EXPECT_TRUE(as.push(frames[i].bytes, frames[i].tx_ns));
    ASSERT_EQ(as.next_slot(), nullptr) << "dispatched at frame " << i;
  }
  EXPECT_TRUE(as.push(frames.back().bytes, frames.back().tx_ns));
  const auto a = requests_next(as); // no flush(): the last requested frame did it
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->reason, SlotDispatchReason::complete);
  EXPECT_EQ(a->absolute_slot, f.absolute);
  EXPECT_TRUE(a->requested());
  EXPECT_TRUE(a->complete());
  EXPECT_EQ(a->stats.packets, frames.size());
  EXPECT_EQ(a->stats.missing_units, 0U);
  EXPECT_EQ(a->stats.incomplete_symbols, 0U);
  EXPECT_EQ(a->stats.empty_symbols, 0U);
  EXPECT_EQ(f.mismatches(*a, requests_asked, requests_asked), 0U);
  EXPECT_FALSE(as.has_requests(f.own()));
  const auto& c = as.counters();
  EXPECT_EQ(c.requested_slots, 1U);
  EXPECT_EQ(c.slots_complete, 1U);
  EXPECT_EQ(c.missing_units, 0U);
  EXPECT_EQ(c.requests_refused, 0U);
  EXPECT_EQ(c.requested_slots_unserved, 0U);
}

// Lost: all requested PRBs of (rx 0, symbol 0) (24; it still gets PRBs 50..55 nobody asked for,
// so counts as empty) and rx 1's PRBs 100..105 of symbol 3 (6 of its 30).
TEST(FronthaulSlotAssemblerRequests, LostRequestedFramesCountOnlyRequestedUnits) {
  RequestsFixture f;
  FronthaulSlotAssembler& as = *f.assembler;
  f.prime();
  const auto requests = f.requests(requests_both, f.absolute);
  EXPECT_TRUE(as.expect_sections(f.own(), requests));
  auto sent = requests;
  sent.push_back(requests_section(0, 0, 1, 50, 6));
  unsigned dropped = 0;
  for (const auto& frame : f.uplane(sent, f.absolute)) {
    if (f.frame_is(frame, 0, 0, 10) || f.frame_is(frame, 1, 3, 100)) {
      ++dropped;
      continue;
    }
    as.push(frame.bytes, frame.tx_ns);
  }
  ASSERT_EQ(dropped, 2U);
  EXPECT_EQ(as.next_slot(), nullptr);
  as.flush();
  const auto a = requests_next(as);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->reason, SlotDispatchReason::flush);
  EXPECT_TRUE(a->requested());
  EXPECT_FALSE(a->complete());
  EXPECT_EQ(a->stats.missing_units, 24U + 6U);
  EXPECT_EQ(a->stats.incomplete_symbols, 2U);
  EXPECT_EQ(a->stats.empty_symbols, 1U);
  EXPECT_TRUE(a->unit_expected(1, 3, 100));
  EXPECT_FALSE(a->unit_received(1, 3, 100));
  const auto lost = [](unsigned rx, unsigned l, unsigned prb) {
    return (rx == 0 && l == 0) || (rx == 1 && l == 3 && prb >= 100);
  };
  const auto arrived = [&](unsigned rx, unsigned l, unsigned prb) {
    return (requests_asked(rx, l, prb) && !lost(rx, l, prb)) ||
           (rx == 0 && l == 0 && prb >= 50 && prb < 56);
  };
  EXPECT_EQ(f.mismatches(*a, arrived, requests_asked), 0U);
  const auto& c = as.counters();
  EXPECT_EQ(c.missing_units, 30U);
  EXPECT_EQ(c.incomplete_symbols, 2U);
  EXPECT_EQ(c.slots_flushed, 1U);
  EXPECT_EQ(c.slots_complete, 0U);
}

TEST(FronthaulSlotAssemblerRequests, RequestsGivenAfterTheFirstPacketsApplyAtOnce) {
  RequestsFixture f;
  FronthaulSlotAssembler& as = *f.assembler;
  const auto requests = f.requests(requests_both, f.absolute);
  // Every requested unit is in before the requests: the call itself dispatches the slot.
  f.push(f.uplane(requests, f.absolute));
  EXPECT_EQ(as.next_slot(), nullptr); // without requests: the whole carrier
  EXPECT_FALSE(as.has_requests(f.own()));
  EXPECT_TRUE(as.expect_sections(f.own(), requests));
  auto a = requests_next(as);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->reason, SlotDispatchReason::complete);
  EXPECT_TRUE(a->requested());
  EXPECT_EQ(a->stats.missing_units, 0U);
  EXPECT_EQ(as.counters().requested_slots, 1U);
  EXPECT_FALSE(as.has_requests(f.own())); // nothing left waiting

  // Calls add up: A before any packet (waiting), B while the slot is open and all of B is in but
  // A's last frame is not; that frame completes it. One requested slot, not two.
  const std::int64_t next = f.absolute + f.clock().slots_per_frame();
  const auto only_a = f.requests(std::span(requests_both, 1), next);
  const auto only_b = f.requests(std::span(requests_both + 1, 1), next);
  const auto frames = f.uplane(f.requests(requests_both, next), next);
  EXPECT_TRUE(as.expect_sections(f.cycle_slot(next), only_a));
  f.push(frames, 0, frames.size() - 1);
  EXPECT_TRUE(as.expect_sections(f.cycle_slot(next), only_b));
  EXPECT_EQ(as.next_slot(), nullptr);
  EXPECT_TRUE(as.has_requests(f.cycle_slot(next)));
  as.push(frames.back().bytes, frames.back().tx_ns);
  a = requests_next(as);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->reason, SlotDispatchReason::complete);
  EXPECT_EQ(a->absolute_slot, next);
  EXPECT_TRUE(a->unit_expected(0, 2, 100)); // B's, given second
  EXPECT_TRUE(a->unit_expected(1, 13, 33)); // A's, given first
  EXPECT_FALSE(a->unit_expected(1, 13, 34));
  EXPECT_EQ(as.counters().requested_slots, 2U);
  EXPECT_EQ(as.counters().slots_complete, 2U);
  as.drop_requests(); // every request was served
  EXPECT_EQ(as.counters().requested_slots_unserved, 0U);
}

// The DU asks for A and B; the O-RU sends A and, instead of B, as many units nobody asked for
// (PRBs 50..55 of symbols 2..5).
TEST(FronthaulSlotAssemblerRequests, UnrequestedUnitsAreKeptButDoNotCompleteTheSlot) {
  RequestsFixture f;
  FronthaulSlotAssembler& as = *f.assembler;
  f.prime();
  const auto requests = f.requests(requests_both, f.absolute);
  EXPECT_TRUE(as.expect_sections(f.own(), requests));
  auto sent = f.requests(std::span(requests_both, 1), f.absolute);
  constexpr RequestsAllocation extra{50, 6, 2, 4};
  for (unsigned rx = 0; rx < f.num_rx(); ++rx) {
    sent.push_back(requests_section(rx, extra.first_symbol, extra.num_symbols, extra.first_prb,
                                    extra.num_prbs));
  }
  f.push(f.uplane(sent, f.absolute));
  EXPECT_EQ(as.next_slot(), nullptr);
  as.flush();
  auto a = requests_next(as);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->reason, SlotDispatchReason::flush);
  EXPECT_EQ(a->stats.missing_units, 6U * 4 * f.num_rx()); // B only
  EXPECT_EQ(a->stats.incomplete_symbols, 4U * f.num_rx());
  EXPECT_EQ(a->stats.empty_symbols, 0U);
  EXPECT_FALSE(a->complete());
  EXPECT_TRUE(a->unit_received(1, 3, 55));
  EXPECT_FALSE(a->unit_expected(1, 3, 55));
  const auto arrived = [&](unsigned, unsigned l, unsigned prb) {
    return requests_a.covers(l, prb) || extra.covers(l, prb);
  };
  EXPECT_EQ(f.mismatches(*a, arrived, requests_asked), 0U);

  // Regression: without requests, A and B alone leave the rest of the carrier missing.
  const std::int64_t next = f.absolute + f.clock().slots_per_frame();
  f.push(f.uplane(f.requests(requests_both, next), next));
  EXPECT_EQ(as.next_slot(), nullptr);
  as.flush();
  a = requests_next(as);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->requested());
  EXPECT_TRUE(a->unit_expected(1, 0, 0));
  const unsigned carrier = f.num_rx() * 14 * f.cell().num_prbs;
  const unsigned sent_units = f.num_rx() * (24 * 14 + 6 * 4);
  EXPECT_EQ(a->stats.missing_units, carrier - sent_units);
  EXPECT_EQ(a->stats.incomplete_symbols, f.num_rx() * 14);
  EXPECT_EQ(as.counters().requested_slots, 1U);
}

// The slot is frame 768's (frameId 0): slots of the previous cycle's end are earlier. Requests
// of a slot more than max_slots_in_flight earlier are dropped when it opens; those of a nearer
// one wait, since its first packet may come after this one's (reordering).
TEST(FronthaulSlotAssemblerRequests, UnservedRequestsAreDroppedAndCounted) {
  RequestsFixture f(768);
  FronthaulSlotAssembler& as = *f.assembler;
  const std::int64_t in_flight = as.config().max_slots_in_flight;
  const std::int64_t earlier = f.absolute - f.slot.slot - 1 - in_flight;
  const std::int64_t near = f.absolute - f.slot.slot - 1;
  const std::int64_t later = f.absolute + 1;
  ASSERT_EQ(f.cycle_slot(near), f.clock().slots_per_cycle() - 1);
  ASSERT_EQ(f.cycle_slot(earlier), f.clock().slots_per_cycle() - 1 - in_flight);
  EXPECT_TRUE(as.expect_sections(f.cycle_slot(earlier), f.requests(requests_both, earlier)));
  EXPECT_TRUE(as.expect_sections(f.cycle_slot(near), f.requests(requests_both, near)));
  EXPECT_TRUE(as.expect_sections(f.cycle_slot(later), f.requests(requests_both, later)));
  EXPECT_TRUE(as.has_requests(f.cycle_slot(earlier)));
  EXPECT_TRUE(as.has_requests(f.cycle_slot(later)));
  EXPECT_FALSE(as.has_requests(f.own()));
  const auto frames = f.uplane({}, f.absolute);
  EXPECT_TRUE(as.push(frames[0].bytes, frames[0].tx_ns)); // the slot opens
  EXPECT_FALSE(as.has_requests(f.cycle_slot(earlier)));
  EXPECT_TRUE(as.has_requests(f.cycle_slot(near)));
  EXPECT_TRUE(as.has_requests(f.cycle_slot(later)));
  EXPECT_EQ(as.counters().requested_slots_unserved, 1U);
  as.drop_requests();
  EXPECT_FALSE(as.has_requests(f.cycle_slot(near)));
  EXPECT_FALSE(as.has_requests(f.cycle_slot(later)));
  EXPECT_EQ(as.counters().requested_slots_unserved, 3U);
  as.drop_requests(); // nothing left
  EXPECT_EQ(as.counters().requested_slots_unserved, 3U);
  f.push(frames, 1);
  const auto a = requests_next(as); // the whole carrier, as without C-plane
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->reason, SlotDispatchReason::complete);
  EXPECT_FALSE(a->requested());
  EXPECT_EQ(as.counters().requested_slots, 0U);
}

TEST(FronthaulSlotAssemblerRequests, RequestsOutsideTheCarrierSlotOrAntennasAreRefused) {
  RequestsFixture f;
  FronthaulSlotAssembler& as = *f.assembler;
  const auto request = requests_section;
  const unsigned c = 17;
  auto every_other = request(0, 0, 14, 0, 10);
  every_other.section.every_other_prb = true;
  const std::vector<RuSectionRequest> bad = {
      request(0, 0, 14, 100, 7), // PRBs 100..106 of 106
      every_other,               // rb = 1
      request(2, 0, 14, 0, 10),  // RU port 2 of 2 antennas
      request(0, 10, 5, 0, 10),  // symbols 10..14
      request(0, 0, 14, 106, 0), // numPrbc 0 (the whole carrier) not from PRB 0
      request(0, 0, 14, 5, 0),   // likewise
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    EXPECT_FALSE(as.expect_sections(c, std::span(&bad[i], 1))) << i;
    EXPECT_EQ(as.counters().requests_refused, i + 1) << i;
    EXPECT_FALSE(as.has_requests(c)) << i;
  }
  // A call with a good and a bad request: refused once, the good one still counts.
  const std::vector<RuSectionRequest> mixed = {request(1, 0, 14, 0, 0), bad[0]};
  EXPECT_FALSE(as.expect_sections(c, mixed));
  EXPECT_EQ(as.counters().requests_refused, 7U);
  EXPECT_TRUE(as.has_requests(c));
  // A cycle slot beyond the cycle.
  const auto good = request(0, 0, 14, 10, 24);
  EXPECT_FALSE(as.expect_sections(f.clock().slots_per_cycle(), std::span(&good, 1)));
  EXPECT_EQ(as.counters().requests_refused, 8U);
  // Room for the requests of 2 * pool_size() slots: one more slot is refused, one more request
  // of a slot already waiting is not.
  for (unsigned k = 1; k < 2 * as.pool_size(); ++k) {
    EXPECT_TRUE(as.expect_sections(c + k, std::span(&good, 1))) << k;
  }
  const auto last = c + static_cast<unsigned>(2 * as.pool_size());
  EXPECT_FALSE(as.expect_sections(last, std::span(&good, 1)));
  EXPECT_FALSE(as.has_requests(last));
  EXPECT_EQ(as.counters().requests_refused, 9U);
  const std::vector<RuSectionRequest> no_room = {good, bad[0]}; // refused twice over: once
  EXPECT_FALSE(as.expect_sections(last, no_room));
  EXPECT_EQ(as.counters().requests_refused, 10U);
  EXPECT_TRUE(as.expect_sections(c, std::span(&good, 1)));
  EXPECT_EQ(as.counters().requests_refused, 10U);
  EXPECT_NE(to_string(as.counters()).find("requests_refused 10\n"), std::string::npos);
  // Time domain: refused whatever the request.
  FronthaulConfig time = f.config;
  time.mode = FronthaulIngestMode::time_domain;
  FronthaulSlotAssembler iq(f.cell(), f.num_rx(), time);
  EXPECT_FALSE(iq.expect_sections(c, std::span(&good, 1)));
  EXPECT_EQ(iq.counters().requests_refused, 1U);
  EXPECT_FALSE(iq.has_requests(c));
}

// A consumer holding slot B that has the assembler dispatch an older pending slot A
// (dispatch_pending_before) takes A next with next_slot_before(B), though a newer C was queued
// before A; C then comes from next_slot().
TEST(FronthaulSlotAssemblerRequests, OlderSlotsDispatchedForAHeldOneComeFirst) {
  RequestsFixture f;
  FronthaulSlotAssembler& as = *f.assembler;
  const std::int64_t frame = f.clock().slots_per_frame();
  const std::int64_t a = f.absolute;
  const std::int64_t b = a + frame;
  const std::int64_t c = a + 2 * frame;
  const auto frames_a = f.uplane({}, a);
  f.push(frames_a, 0, frames_a.size() - 1); // A waits for its last frame
  f.push(f.uplane({}, b));
  f.push(f.uplane({}, c));
  const AssembledSlot* held = as.next_slot();
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->absolute_slot, b);
  EXPECT_EQ(as.next_slot_before(b), nullptr); // A is still pending
  EXPECT_TRUE(as.dispatch_pending_before(b));
  EXPECT_FALSE(as.dispatch_pending_before(b));
  const AssembledSlot* older = as.next_slot_before(b);
  ASSERT_NE(older, nullptr);
  EXPECT_EQ(older->absolute_slot, a);
  EXPECT_EQ(older->reason, SlotDispatchReason::flush);
  EXPECT_EQ(as.next_slot_before(b), nullptr);
  const AssembledSlot* newer = as.next_slot();
  ASSERT_NE(newer, nullptr);
  EXPECT_EQ(newer->absolute_slot, c);
  EXPECT_EQ(as.next_slot(), nullptr);
  for (const AssembledSlot* slot : {held, older, newer}) {
    as.release(slot);
  }
}

} // namespace
