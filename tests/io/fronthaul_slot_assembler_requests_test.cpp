// The slot assembler with the DU's own uplink C-plane requests (expect_sections()), on real frames:
// C-plane built by UplinkCplaneGenerator and read back with take_cplane_frame(), U-plane from the
// RU emulator restricted to those requests. A requested slot completes on its last requested unit,
// counts only requested units as missing, keeps unrequested units that arrive, zeroes the rest;
// requests given late apply at once. Unserved and refused requests, and slots dispatched early for
// a held one: fronthaul_slot_assembler_requests_bookkeeping_test.cpp.
#include "fronthaul_slot_assembler_requests_helpers.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace {

using namespace airan::io;
using namespace airan::io::assembler_requests_test;

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

} // namespace
