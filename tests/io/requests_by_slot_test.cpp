// Requests by slot of the frame cycle in preallocated storage: slots kept in the order first
// asked for, erasing keeps the others' order, a full list refuses a new slot (and only a new
// one), and once warm nothing allocates. (C-plane requests were kept in a std::map of vectors:
// a node and a vector allocated per slot on the L1's receive path.)
#include "../support/allocation_counter.h"

#include "airan/io/requests_by_slot.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using airan::io::RequestsBySlot;

std::vector<unsigned> slots_held(const RequestsBySlot<int>& by_slot) {
  std::vector<unsigned> slots;
  for (const auto& [cycle_slot, requests] : by_slot) {
    slots.push_back(cycle_slot);
  }
  return slots;
}

TEST(RequestsBySlot, SlotsKeepTheOrderTheyWereFirstAskedForAndErasingKeepsIt) {
  RequestsBySlot<int> by_slot(4, 2);
  EXPECT_TRUE(by_slot.empty());
  EXPECT_TRUE(by_slot.add(30, 1));
  EXPECT_TRUE(by_slot.add(10, 2));
  EXPECT_TRUE(by_slot.add(30, 3));
  EXPECT_TRUE(by_slot.add(20, 4));
  EXPECT_EQ(slots_held(by_slot), (std::vector<unsigned>{30, 10, 20}));
  const auto thirty = by_slot.find(30);
  EXPECT_EQ(std::vector<int>(thirty.begin(), thirty.end()), (std::vector<int>{1, 3}));
  EXPECT_TRUE(by_slot.find(11).empty());
  EXPECT_FALSE(by_slot.contains(11));

  EXPECT_TRUE(by_slot.erase(10));
  EXPECT_FALSE(by_slot.erase(10));
  EXPECT_EQ(slots_held(by_slot), (std::vector<unsigned>{30, 20}));
  EXPECT_TRUE(by_slot.add(5, 6)); // into the erased slot's storage, its old requests gone
  const auto five = by_slot.find(5);
  EXPECT_EQ(std::vector<int>(five.begin(), five.end()), (std::vector<int>{6}));
  EXPECT_EQ(by_slot.erase_if([](unsigned slot) { return slot >= 20; }), 2U);
  EXPECT_EQ(slots_held(by_slot), (std::vector<unsigned>{5}));
  by_slot.clear();
  EXPECT_TRUE(by_slot.empty());
  EXPECT_FALSE(by_slot.contains(5));
}

TEST(RequestsBySlot, AFullListRefusesANewSlotButTakesMoreForTheSlotsItHolds) {
  RequestsBySlot<int> by_slot(2, 1);
  EXPECT_EQ(by_slot.max_slots(), 2U);
  EXPECT_TRUE(by_slot.add(1, 10));
  EXPECT_TRUE(by_slot.add(2, 20));
  EXPECT_FALSE(by_slot.add(3, 30));
  EXPECT_EQ(by_slot.requests_of(3), nullptr);
  EXPECT_FALSE(by_slot.contains(3));
  EXPECT_TRUE(by_slot.add(1, 11));
  EXPECT_EQ(by_slot.find(1).size(), 2U);
  EXPECT_EQ(by_slot.size(), 2U);
  // No room asked for is still one slot.
  EXPECT_EQ(RequestsBySlot<int>(0, 0).max_slots(), 1U);
}

TEST(RequestsBySlot, OnceWarmTakingErasingAndClearingAllocateNothing) {
  RequestsBySlot<int> by_slot(8, 4);
  const auto cycle = [&](unsigned first, int count) {
    for (unsigned slot = first; slot < first + 8; ++slot) {
      for (int i = 0; i < count; ++i) {
        by_slot.add(slot, i);
      }
    }
    by_slot.erase_if([&](unsigned slot) { return slot % 2 == 0; });
    by_slot.erase(first + 1);
    by_slot.clear();
  };
  cycle(0, 4);
  const long before = airan::test::allocation_count();
  for (unsigned round = 1; round < 50; ++round) {
    cycle(round * 8, 4);
  }
  EXPECT_EQ(airan::test::allocation_count(), before);
  // A slot larger than any before grows its vector once; that size is then kept too.
  cycle(0, 9);
  cycle(0, 9);
  const long grown = airan::test::allocation_count();
  cycle(64, 9);
  EXPECT_EQ(airan::test::allocation_count(), grown);
}

} // namespace
