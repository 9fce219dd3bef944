/// \file
/// \brief Several launches' thread blocks as one grid (private, no CUDA): the prefix sums of the
/// launches' block counts and the search that maps a block of the grid back to its launch and
/// its block within it. Used by the batched LDPC, TB assembly and copy kernels
/// (GpuUlschDecoder::enqueue_prepared()) and by the front end's kernels (LaunchBatches, run by
/// launch_batches.cuh); plain C++, so host tests run it.
#pragma once

#include "airan/phy/host_device.h"

#include <cstdint>
#include <type_traits>

namespace airan::gpu::detail {

/// The most launches one batched launch holds (each kernel's parameter block stays well under
/// the 32 KB a launch may pass).
inline constexpr unsigned max_launch_batches = 32;

/// A thread block of one launch of a batch: its index among the launch's blocks and their count
/// (what blockIdx.x and gridDim.x are for a launch of its own).
struct LaunchBlock {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
};

/// Launch t's blocks are [first_block[t], first_block[t + 1]) of the grid.
struct LaunchBatchBlocks {
  unsigned num_batches = 0;
  std::uint32_t first_block[max_launch_batches + 1] = {};

  /// Appends a launch of \p blocks blocks. \returns false (and changes nothing) when full.
  AIRAN_HOST_DEVICE bool add(std::uint32_t blocks) {
    if (num_batches == max_launch_batches) {
      return false;
    }
    first_block[num_batches + 1] = first_block[num_batches] + blocks;
    ++num_batches;
    return true;
  }
  /// Blocks of the whole grid.
  [[nodiscard]] AIRAN_HOST_DEVICE std::uint32_t total() const { return first_block[num_batches]; }
  /// The launch of grid block \p block (< total()): the last t with first_block[t] <= block
  /// (launches of no blocks are skipped).
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned batch_of(std::uint32_t block) const {
    unsigned t = 0;
    while (t + 1 < num_batches && block >= first_block[t + 1]) {
      ++t;
    }
    return t;
  }
  /// \p block's index within its launch.
  [[nodiscard]] AIRAN_HOST_DEVICE std::uint32_t block_in_batch(std::uint32_t block,
                                                               unsigned batch) const {
    return block - first_block[batch];
  }
  /// Grid block \p block as block of launch \p batch (batch_of(block)).
  [[nodiscard]] AIRAN_HOST_DEVICE LaunchBlock launch_block(std::uint32_t block,
                                                           unsigned batch) const {
    return {block - first_block[batch], first_block[batch + 1] - first_block[batch]};
  }
};

/// Up to \p Capacity launches of one kernel, each with its parameters (\p Launch: trivially
/// copyable, with `static constexpr unsigned threads` and `__device__ void run(LaunchBlock) const`)
/// and its block count, enqueued as one grid by launch_batches() (launch_batches.cuh). A
/// Capacity of 1 is a plain launch; the parameter block of Capacity launches must stay under the
/// 32 KB a launch may pass.
template <class Launch, unsigned Capacity = max_launch_batches> struct LaunchBatches {
  static_assert(Capacity >= 1 && Capacity <= max_launch_batches);
  static_assert(std::is_trivially_copyable_v<Launch>);
  LaunchBatchBlocks blocks;
  Launch launches[Capacity];

  /// Appends \p launch of \p num_blocks blocks (none: nothing added, true).
  /// \returns false (and changes nothing) when full.
  bool add(const Launch& launch, std::uint32_t num_blocks) {
    if (num_blocks == 0) {
      return true;
    }
    if (blocks.num_batches == Capacity) {
      return false;
    }
    launches[blocks.num_batches] = launch;
    return blocks.add(num_blocks);
  }
  [[nodiscard]] bool full() const { return blocks.num_batches == Capacity; }
  [[nodiscard]] bool empty() const { return blocks.num_batches == 0; }
};

} // namespace airan::gpu::detail
