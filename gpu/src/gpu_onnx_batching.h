/// \file
/// \brief Batching of a GpuOnnxExecutor plan's launches (private, host only, no CUDA): launches
/// that no dependency orders, because they sit at the same level of the plan's dependency graph
/// (the longest chain of dependencies before them), run as one BatchLaunch kernel. The neural
/// receiver's feature computation is hundreds of short element-wise kernels over one 14 x 3276
/// plane each, which the device ran one after another (each 2.5-5.7 us, mostly launch latency and
/// tail); batched, each level of them is one launch.
#pragma once

#include "gpu_onnx_launches.h"
#include "gpu_onnx_schedule.h"

#include <cstddef>
#include <span>
#include <vector>

namespace airan::gpu::detail {

/// A plan's launches after batching, in a topological order, with what scheduling needs.
struct BatchedLaunches {
  std::vector<Launch> launches;
  std::vector<std::size_t> steps; ///< Per launch: its step (a batch: its first member's).
  /// Per launch: the launches of the input it runs (one, or a batch's members in order).
  std::vector<std::vector<std::size_t>> sources;
  /// Per launch: the earlier launches it depends on, increasing (schedule_dependencies()).
  std::vector<std::vector<std::size_t>> dependencies;
  std::vector<bool> main_stream_only; ///< Per launch: a cuBLAS call (stream 0).
};

/// Per launch: the longest chain of launches it depends on (0: none), from \p dependencies
/// (launch_dependencies()).
std::vector<std::size_t> dependency_levels(std::span<const std::vector<std::size_t>> dependencies);

/// \p launches (program order, with their \p steps and memory \p accesses) with every two or
/// more batchable launches (make_batch_member()) of one dependency level replaced by one
/// BatchLaunch (members in program order; blocks and first blocks laid out, device pointers
/// left for the plan to set), ordered by level and then program order. With \p batch false, the
/// launches as they are. A launch depends on an earlier one when one of its sources depends on
/// one of the other's (depends_on()).
BatchedLaunches batch_launches(std::vector<Launch> launches, std::span<const std::size_t> steps,
                               std::span<const LaunchAccess> accesses, bool batch);

} // namespace airan::gpu::detail
