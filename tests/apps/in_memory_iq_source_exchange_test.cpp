// InMemoryIqSource::exchange_grid / exchange_iq: a producer's buffer and a free entry's swap
// storage (no copy), the entry stays usable by the copying pushes, and a refused exchange leaves
// the producer's buffer as it was. FronthaulSlotAssembler::held_slot() hands out only slots taken
// and not released.
#include "airan/io/fronthaul_slot_assembler.h"
#include "airan/l1/iq_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace airan::l1 {
namespace {

constexpr auto no_wait = std::chrono::milliseconds(0);

TEST(InMemoryIqSourceExchange, AGridChangesHandsWithoutACopy) {
  InMemoryIqSource source({2, 1, 2, 12, 0});
  phy::ResourceGrid grid(1, 2, 12);
  grid.elements()[7] = {1.0F, -2.0F};
  const phy::cf32* storage = grid.elements().data();
  ASSERT_TRUE(source.exchange_grid(0, 1, grid, no_wait));
  // The producer got the entry's buffer back, of the same shape.
  EXPECT_NE(grid.elements().data(), storage);
  EXPECT_EQ(grid.num_ports(), 1U);
  EXPECT_EQ(grid.num_symbols(), 2U);
  EXPECT_EQ(grid.num_subcarriers(), 12U);
  ReceivedSlot slot;
  ASSERT_TRUE(source.try_acquire(0, 1, slot));
  ASSERT_NE(slot.grid, nullptr);
  EXPECT_EQ(slot.grid->elements().data(), storage); // the very samples pushed
  EXPECT_EQ(slot.grid->elements()[7], phy::cf32(1.0F, -2.0F));
  EXPECT_TRUE(slot.iq.empty());
  source.release(0, 1);
  // The entry takes a copying push afterwards as before.
  phy::ResourceGrid copied(1, 2, 12);
  copied.elements()[3] = {5.0F, 0.0F};
  ASSERT_TRUE(source.push_grid(0, 2, copied, no_wait));
  ASSERT_TRUE(source.try_acquire(0, 2, slot));
  EXPECT_EQ(slot.grid->elements()[3], phy::cf32(5.0F, 0.0F));
  phy::ResourceGrid two_ports(2, 2, 12);
  EXPECT_THROW((void)source.exchange_grid(0, 3, two_ports, no_wait), std::invalid_argument);
}

TEST(InMemoryIqSourceExchange, IqChangesHandsAndTheEntryKeepsItsCapacity) {
  constexpr std::size_t max_iq = 64;
  InMemoryIqSource source({1, 1, 14, 12, max_iq});
  std::vector<phy::cf32> iq(10, phy::cf32(3.0F, 1.0F));
  iq.reserve(max_iq);
  const phy::cf32* storage = iq.data();
  ASSERT_TRUE(source.exchange_iq(0, 4, iq, no_wait));
  EXPECT_NE(iq.data(), storage);
  ReceivedSlot slot;
  ASSERT_TRUE(source.try_acquire(0, 4, slot));
  EXPECT_EQ(slot.grid, nullptr);
  ASSERT_EQ(slot.iq.size(), 10U);
  EXPECT_EQ(slot.iq.data(), storage);
  EXPECT_EQ(slot.iq[9], phy::cf32(3.0F, 1.0F));
  source.release(0, 4);
  // The same (only) entry then takes a full-size copying push: it kept max_iq samples.
  const std::vector<phy::cf32> full(max_iq, phy::cf32(0.0F, 7.0F));
  ASSERT_TRUE(source.push_iq(0, 5, full, no_wait));
  ASSERT_TRUE(source.try_acquire(0, 5, slot));
  ASSERT_EQ(slot.iq.size(), max_iq);
  EXPECT_EQ(slot.iq[max_iq - 1], phy::cf32(0.0F, 7.0F));
  std::vector<phy::cf32> too_many(max_iq + 1);
  EXPECT_THROW((void)source.exchange_iq(0, 6, too_many, no_wait), std::invalid_argument);
}

TEST(InMemoryIqSourceExchange, ARefusedExchangeLeavesTheProducersBuffer) {
  InMemoryIqSource source({1, 1, 2, 12, 16});
  phy::ResourceGrid grid(1, 2, 12);
  ASSERT_TRUE(source.exchange_grid(0, 1, grid, no_wait));
  // Full (the one entry is ready, not consumed): refused, nothing swapped.
  phy::ResourceGrid second(1, 2, 12);
  const phy::cf32* storage = second.elements().data();
  EXPECT_FALSE(source.exchange_grid(0, 2, second, no_wait));
  EXPECT_EQ(second.elements().data(), storage);
  std::vector<phy::cf32> iq(4);
  const phy::cf32* iq_storage = iq.data();
  EXPECT_FALSE(source.exchange_iq(0, 3, iq, no_wait));
  EXPECT_EQ(iq.data(), iq_storage);
  EXPECT_EQ(iq.size(), 4U);
  // A closed slot is refused too (and counted late).
  source.clear();
  source.close_before(100, 20);
  EXPECT_FALSE(source.exchange_grid(0, 2, second, no_wait));
  EXPECT_EQ(second.elements().data(), storage);
  EXPECT_EQ(source.num_late_samples(), 1U);
}

TEST(FronthaulSlotAssemblerHeldSlot, OnlyASlotTakenAndNotReleased) {
  phy::CellConfig cell;
  cell.num_prbs = 12;
  cell.numerology = 1;
  io::FronthaulSlotAssembler assembler(cell, 1, io::FronthaulConfig{});
  io::AssembledSlot outside;
  EXPECT_THROW((void)assembler.held_slot(&outside), std::invalid_argument);
  EXPECT_THROW((void)assembler.held_slot(nullptr), std::invalid_argument);
  EXPECT_EQ(assembler.next_slot(), nullptr); // nothing dispatched: nothing to hold
}

} // namespace
} // namespace airan::l1
