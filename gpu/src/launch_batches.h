/// \file
/// \brief Several launches' thread blocks as one grid (private, no CUDA): the prefix sums of the
/// launches' block counts and the search that maps a block of the grid back to its launch and
/// its block within it. Used by the batched LDPC, TB assembly and copy kernels
/// (GpuUlschDecoder::enqueue_prepared()); plain C++, so host tests run it.
#pragma once

#include "airan/phy/host_device.h"

#include <cstdint>

namespace airan::gpu::detail {

/// The most launches one batched launch holds (each kernel's parameter block stays well under
/// the 32 KB a launch may pass).
inline constexpr unsigned max_launch_batches = 32;

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
};

} // namespace airan::gpu::detail
