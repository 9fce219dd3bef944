/// \file
/// \brief Per-block and per-thread pieces of the split ReduceMean kernels of GpuOnnxExecutor
/// (reduce_mean_split_kernel and region_mean_split_kernel in gpu_onnx_kernels.cu; SplitReduction
/// in gpu_onnx_launches.h). Host and device: a block finds its output element, split and chunk
/// with split_mean_block(), each thread sums its strided share of the chunk in double
/// (split_mean_thread_sum()), the block adds the threads' sums in a shared-memory tree whose
/// strides halve (split_mean_tree_add() per thread and level), thread 0 stores the block's partial
/// in split_mean_partials()[split] and counts the block done; the element's last block to finish
/// (split_mean_is_last()) adds the partials, each thread a strided share
/// (split_mean_partials_sum()) and the same tree, and thread 0 finishes the element
/// (finish_split_mean(): the mean as float, the counter back to zero). The kernel adds only the
/// block and thread indices, the shared memory, the barriers, the fences and the atomic count. A
/// CPU test (tests/gpu/gpu_onnx_host_plan.h, run_split_mean_on_host()) runs the same functions
/// block by block and thread by thread in the kernel's summation order, with blocks finishing in
/// any order, so that the host plans run the split path with the device's additions in the
/// device's order.
#pragma once

#include "airan/gpu/onnx_device_math.h"
#include "airan/gpu/onnx_region_math.h"
#include "airan/phy/host_device.h"

#include "gpu_onnx_launches.h"

#include <cstddef>

namespace airan::gpu::detail {

/// Threads per block of the split mean kernels.
inline constexpr int split_mean_threads = element_block_size;
static_assert(split_mean_threads > 0 && (split_mean_threads & (split_mean_threads - 1)) == 0,
              "the block tree halves its strides down to 1");

/// What block \p block of a split mean's grid sums: \p splits blocks per output element, element
/// by element; split \p split of output element \p element, the reduced indices [begin, end).
/// The chunks are ceil(reduced_count / splits) long in split order; the last ones may be shorter
/// or empty (end <= begin) when splits exceeds what the reduction needs.
struct SplitMeanBlock {
  int element = 0;
  int split = 0;
  int begin = 0;
  int end = 0;
};

AIRAN_HOST_DEVICE inline SplitMeanBlock split_mean_block(int reduced_count, int splits, int block) {
  SplitMeanBlock b;
  b.element = block / splits;
  b.split = block % splits;
  const int chunk = (reduced_count + splits - 1) / splits;
  b.begin = b.split * chunk;
  b.end = b.begin + chunk < reduced_count ? b.begin + chunk : reduced_count;
  return b;
}

/// Reduced element \p r of the output element whose first input element is at \p base, in double:
/// a ReduceMean's input element.
AIRAN_HOST_DEVICE inline double split_mean_input(const ReduceMeanLaunch& p, int base, int r) {
  return static_cast<double>(p.in[base + onnx::reduce_element_offset(p.geometry, r)]);
}

/// The same for a region ending in a ReduceMean: the region's expression at that element.
AIRAN_HOST_DEVICE inline double split_mean_input(const RegionLaunch& p, int base, int r) {
  return static_cast<double>(
      onnx::evaluate_region(p.expression, base + onnx::reduce_element_offset(p.geometry, r)));
}

/// Thread \p thread's share of block \p b's chunk of launch \p p (a ReduceMeanLaunch or a
/// RegionLaunch; \p base: reduce_base_offset() of b.element): the inputs at r = begin + thread,
/// begin + thread + split_mean_threads, ... (< end), added from zero in that order in double.
template <class L>
AIRAN_HOST_DEVICE inline double split_mean_thread_sum(const L& p, const SplitMeanBlock& b, int base,
                                                      int thread) {
  double sum = 0.0;
  for (int r = b.begin + thread; r < b.end; r += split_mean_threads) {
    sum += split_mean_input(p, base, r);
  }
  return sum;
}

/// One level of the block tree for thread \p thread: at stride \p half (split_mean_threads / 2,
/// then halved down to 1), thread t < half adds value t + half into value t. After the levels,
/// with the block synchronised between them, value 0 holds the block's sum.
AIRAN_HOST_DEVICE inline void split_mean_tree_add(double* values, int thread, int half) {
  if (thread < half) {
    values[thread] += values[thread + half];
  }
}

/// The partials of output element \p element: split.splits of them, in split order.
AIRAN_HOST_DEVICE inline double* split_mean_partials(const SplitReduction& split, int element) {
  return split.partials + static_cast<std::ptrdiff_t>(element) * split.splits;
}

/// Whether the block whose count of its element's finished blocks found \p previous before its
/// own (what atomicAdd returns) is the element's last block to finish.
AIRAN_HOST_DEVICE inline bool split_mean_is_last(const SplitReduction& split, unsigned previous) {
  return previous == static_cast<unsigned>(split.splits - 1);
}

/// Thread \p thread's share of the last block's sum of its element's partials: load(k) for
/// k = thread, thread + split_mean_threads, ... (< splits), added from zero in that order.
template <class Load>
AIRAN_HOST_DEVICE inline double split_mean_partials_sum(int splits, int thread, Load load) {
  double sum = 0.0;
  for (int k = thread; k < splits; k += split_mean_threads) {
    sum += load(k);
  }
  return sum;
}

/// Thread 0 of the last block: the mean of output element \p element (its partials' sum
/// \p total over \p reduced_count elements) into out[element] as float, and the element's
/// counter back to zero for the next run.
AIRAN_HOST_DEVICE inline void finish_split_mean(const SplitReduction& split, float* out,
                                                int element, double total, int reduced_count) {
  out[element] = static_cast<float>(total / reduced_count);
  split.counters[element] = 0U;
}

/// The sum the block tree leaves in value 0 of split_mean_threads \p values (changed): the levels
/// of split_mean_tree_add() in the kernel's order. (Host only: on the device the threads do this.)
inline double split_mean_block_sum(double* values) {
  for (int half = split_mean_threads / 2; half > 0; half /= 2) {
    for (int t = 0; t < split_mean_threads; ++t) {
      split_mean_tree_add(values, t, half);
    }
  }
  return values[0];
}

} // namespace airan::gpu::detail
