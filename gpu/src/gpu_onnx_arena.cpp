/// \file
/// \brief StepSet and the data-flow-aware first-fit ArenaLayout.
#include "gpu_onnx_arena.h"

#include <algorithm>

namespace airan::gpu::detail {
namespace {

constexpr std::int64_t arena_alignment = 64; ///< Floats (256 bytes) per block boundary.

} // namespace

void StepSet::merge(const StepSet& other) {
  for (std::size_t w = 0; w < words_.size() && w < other.words_.size(); ++w) {
    words_[w] |= other.words_[w];
  }
}

bool StepSet::subset_of(const StepSet& other) const {
  for (std::size_t w = 0; w < words_.size(); ++w) {
    const std::uint64_t theirs = w < other.words_.size() ? other.words_[w] : 0;
    if ((words_[w] & ~theirs) != 0) {
      return false;
    }
  }
  return true;
}

std::int64_t ArenaLayout::place(std::int64_t count, const StepSet& ancestors) {
  const std::int64_t size =
      std::max<std::int64_t>(1, (count + arena_alignment - 1) / arena_alignment) * arena_alignment;
  obstacles_ = live_;
  for (const ReleasedBlock& released : released_) {
    if (!released.touched.subset_of(ancestors)) {
      obstacles_.push_back(released.block);
    }
  }
  std::sort(obstacles_.begin(), obstacles_.end(),
            [](const Block& a, const Block& b) { return a.offset < b.offset; });
  std::int64_t offset = 0;
  for (const Block& obstacle : obstacles_) {
    if (obstacle.offset - offset >= size) {
      break;
    }
    offset = std::max(offset, obstacle.offset + obstacle.size);
  }
  live_.push_back({offset, size});
  size_ = std::max(size_, offset + size);
  return offset;
}

void ArenaLayout::release(std::int64_t offset, StepSet touched) {
  const auto it =
      std::find_if(live_.begin(), live_.end(), [&](const Block& b) { return b.offset == offset; });
  if (it != live_.end()) {
    released_.push_back({*it, std::move(touched)});
    live_.erase(it);
  }
}

} // namespace airan::gpu::detail
