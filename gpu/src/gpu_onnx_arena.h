/// \file
/// \brief First-fit arena placement for GpuOnnxExecutor's plans (private, host only) that keeps
/// independent branches of the model independent: a released block is reused only by a value
/// whose producer follows, in the data flow, every step that touched the block, so that the
/// reuse orders nothing the data do not already order and the branches can still run side by
/// side (gpu_onnx_schedule.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace airan::gpu::detail {

/// A set of program steps.
class StepSet {
public:
  explicit StepSet(std::size_t size = 0) : words_((size + 63) / 64, 0) {}
  void insert(std::size_t step) { words_[step / 64] |= std::uint64_t{1} << (step % 64); }
  void merge(const StepSet& other);
  [[nodiscard]] bool contains(std::size_t step) const {
    return ((words_[step / 64] >> (step % 64)) & 1U) != 0;
  }
  /// True when every step of this set is in \p other.
  [[nodiscard]] bool subset_of(const StepSet& other) const;

private:
  std::vector<std::uint64_t> words_;
};

/// Blocks of one arena, in floats, aligned to 64 floats (256 bytes).
class ArenaLayout {
public:
  /// Places a block of \p count floats for a value whose producer's ancestors (the steps it
  /// depends on through the data, transitively) are \p ancestors: first fit among the live
  /// blocks and the released blocks it may not reuse. Returns its offset.
  std::int64_t place(std::int64_t count, const StepSet& ancestors);
  /// Releases the live block at \p offset, which the steps \p touched wrote or read.
  void release(std::int64_t offset, StepSet touched);
  /// Floats the arena needs.
  [[nodiscard]] std::int64_t size() const { return size_; }

private:
  struct Block {
    std::int64_t offset = 0;
    std::int64_t size = 0;
  };
  struct ReleasedBlock {
    Block block;
    StepSet touched;
  };
  std::vector<Block> live_;
  std::vector<ReleasedBlock> released_;
  std::vector<Block> obstacles_; ///< Scratch of place().
  std::int64_t size_ = 0;
};

} // namespace airan::gpu::detail
