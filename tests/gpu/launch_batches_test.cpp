// LaunchBatchBlocks and LaunchBatches (gpu/src/launch_batches.h): the map from a batched launch's
// grid blocks back to each launch and its own block, as the batched LDPC, TB assembly and copy
// kernels and the front end's kernels (launch_batches.cuh) use it (runs on every machine: the
// same AIRAN_HOST_DEVICE code; batched_kernel's loop over the grid emulated here).
#include "launch_batches.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using airan::gpu::detail::LaunchBatchBlocks;
using airan::gpu::detail::LaunchBatches;
using airan::gpu::detail::LaunchBlock;
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

/// A launch that records which of its blocks ran and what it was told its grid was.
struct RecordingLaunch {
  static constexpr unsigned threads = 32;
  unsigned id = 0;
  std::uint32_t blocks = 0;
};

TEST(LaunchBatches, EveryLaunchSeesItsOwnBlocksAndGridSize) {
  LaunchBatches<RecordingLaunch, 4> batches;
  EXPECT_TRUE(batches.empty());
  ASSERT_TRUE(batches.add({0, 3}, 3));
  ASSERT_TRUE(batches.add({1, 0}, 0)); // a launch of no blocks is left out
  ASSERT_TRUE(batches.add({2, 5}, 5));
  ASSERT_TRUE(batches.add({3, 1}, 1));
  EXPECT_EQ(batches.blocks.num_batches, 3U);
  ASSERT_TRUE(batches.add({4, 2}, 2));
  EXPECT_TRUE(batches.full());
  EXPECT_FALSE(batches.add({5, 1}, 1));
  EXPECT_EQ(batches.blocks.num_batches, 4U);
  EXPECT_EQ(batches.launches[3].id, 4U) << "the refused launch changed nothing";
  // batched_kernel: each grid block runs its launch's run() with launch_block().
  std::vector<std::vector<std::uint32_t>> seen(6);
  for (std::uint32_t block = 0; block < batches.blocks.total(); ++block) {
    const unsigned t = batches.blocks.batch_of(block);
    const LaunchBlock b = batches.blocks.launch_block(block, t);
    const RecordingLaunch& launch = batches.launches[t];
    EXPECT_EQ(b.count, launch.blocks) << "launch " << launch.id;
    seen[launch.id].push_back(b.index);
  }
  for (const unsigned id : {0U, 2U, 3U, 4U}) {
    std::vector<std::uint32_t> expected(batches.launches[id == 0 ? 0 : id - 1].blocks);
    for (std::uint32_t i = 0; i < expected.size(); ++i) {
      expected[i] = i;
    }
    EXPECT_EQ(seen[id], expected) << "launch " << id;
  }
  EXPECT_TRUE(seen[1].empty());
  EXPECT_TRUE(seen[5].empty());
}

} // namespace
