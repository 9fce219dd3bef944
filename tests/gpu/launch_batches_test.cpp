// LaunchBatchBlocks (gpu/src/launch_batches.h): the map from a batched launch's grid blocks back
// to each launch and its own block, as the batched LDPC, TB assembly and copy kernels use it
// (runs on every machine: the same AIRAN_HOST_DEVICE code).
#include "launch_batches.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using airan::gpu::detail::LaunchBatchBlocks;
using airan::gpu::detail::max_launch_batches;

TEST(LaunchBatchBlocks, EveryBlockMapsToItsLaunchAndItsOwnIndex) {
  const std::vector<std::uint32_t> sizes{71, 1, 0, 3, 0, 0, 26, 2};
  LaunchBatchBlocks blocks;
  for (const std::uint32_t size : sizes) {
    ASSERT_TRUE(blocks.add(size));
  }
  EXPECT_EQ(blocks.num_batches, sizes.size());
  EXPECT_EQ(blocks.total(), 103U);
  std::uint32_t block = 0;
  for (unsigned t = 0; t < sizes.size(); ++t) {
    for (std::uint32_t b = 0; b < sizes[t]; ++b, ++block) {
      const unsigned batch = blocks.batch_of(block);
      EXPECT_EQ(batch, t) << "block " << block;
      EXPECT_EQ(blocks.block_in_batch(block, batch), b) << "block " << block;
    }
  }
  EXPECT_EQ(block, blocks.total());
}

TEST(LaunchBatchBlocks, HoldsAtMostTheLimit) {
  LaunchBatchBlocks blocks;
  for (unsigned t = 0; t < max_launch_batches; ++t) {
    ASSERT_TRUE(blocks.add(t + 1));
  }
  EXPECT_FALSE(blocks.add(5));
  EXPECT_EQ(blocks.num_batches, max_launch_batches);
  EXPECT_EQ(blocks.total(), max_launch_batches * (max_launch_batches + 1) / 2);
  EXPECT_EQ(blocks.batch_of(blocks.total() - 1), max_launch_batches - 1);
  EXPECT_EQ(blocks.batch_of(0), 0U);
}

TEST(LaunchBatchBlocks, OneLaunchIsItself) {
  LaunchBatchBlocks blocks;
  ASSERT_TRUE(blocks.add(9));
  for (std::uint32_t b = 0; b < 9; ++b) {
    EXPECT_EQ(blocks.batch_of(b), 0U);
    EXPECT_EQ(blocks.block_in_batch(b, 0), b);
  }
}

} // namespace
