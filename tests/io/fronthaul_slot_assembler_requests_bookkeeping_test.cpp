// The slot assembler's bookkeeping of the DU's C-plane requests (expect_sections()): requests of
// slots that never come are dropped and counted, requests outside the carrier, the slot or the
// antennas (or beyond the room for them) are refused, and an older slot dispatched for a held one
// comes before newer ones.
#include "fronthaul_slot_assembler_requests_helpers.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace airan::io;
using namespace airan::io::assembler_requests_test;

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

// A consumer that gives up on a slot still being assembled (FronthaulLinkReceiver hands it over
// empty): it is never dispatched, its packets before and after are too late, its buffer free.
TEST(FronthaulSlotAssemblerRequests, AGivenUpSlotBeingAssembledIsDroppedNotDispatched) {
  RequestsFixture f;
  FronthaulSlotAssembler& as = *f.assembler;
  const std::int64_t a = f.absolute;
  const std::int64_t b = a + f.clock().slots_per_frame();
  const auto frames_a = f.uplane({}, a);
  const std::size_t half = frames_a.size() / 2;
  f.push(frames_a, 0, half);
  as.give_up(a);
  f.push(frames_a, half);
  EXPECT_EQ(as.next_slot(), nullptr);
  as.flush();
  EXPECT_EQ(as.next_slot(), nullptr) << "the given-up slot is not flushed either";
  const FronthaulCounters& c = as.counters();
  EXPECT_EQ(c.slots_given_up, 1U);
  EXPECT_EQ(c.too_late, frames_a.size());
  EXPECT_EQ(c.early + c.on_time + c.late, 0U);
  EXPECT_EQ(c.slots_complete + c.slots_flushed, 0U);
  // The next slot assembles and leaves as usual.
  f.push(f.uplane({}, b));
  const AssembledSlot* next = as.next_slot();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->absolute_slot, b);
  EXPECT_TRUE(next->complete());
  as.release(next);
  EXPECT_NE(to_string(c).find("slots_given_up 1"), std::string::npos) << to_string(c);
}

} // namespace
