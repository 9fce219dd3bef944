/// \file
/// \brief Which stream each launch of a GpuOnnxExecutor plan runs on and which earlier launches
/// it waits for (private, host only, no CUDA), so that independent branches of the model (the
/// neural receiver's per-layer features) run side by side inside its CUDA graph instead of one
/// kernel after another.
///
/// Two launches depend on each other when their device memory overlaps and one of them writes
/// it (read after write, write after read where the arena reuses a block, write after write),
/// except launches of the same step, which write disjoint parts of its output (the copies of a
/// Concat). Each launch goes, in program order, to the stream of the dependency that finished
/// last when that stream is free right after it, else to the first idle stream, else to the
/// stream that frees first (unit time per launch); it waits, through events, for the
/// dependencies that stream order and earlier waits do not already cover. cuBLAS launches stay on
/// stream 0, which the cuBLAS handle is bound to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::gpu::detail {

/// Floats [begin, end) of the plan's arena.
struct MemoryRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
};

/// What one launch reads and writes.
struct LaunchAccess {
  std::size_t step = 0;           ///< Program step (launches of one step never conflict).
  std::vector<MemoryRange> reads; ///< Arena ranges read (constants are not in the arena).
  MemoryRange write;              ///< Arena range written.
  bool main_stream_only = false;  ///< A cuBLAS call: stream 0.
};

/// The streams and waits of a plan's launches.
struct LaunchSchedule {
  std::vector<int> stream;                     ///< Per launch: 0 .. num_streams - 1.
  std::vector<std::vector<std::size_t>> waits; ///< Per launch: earlier launches to wait for.
  std::vector<bool> waited_on;                 ///< Per launch: some later launch waits for it.
  int num_streams = 1;
  std::size_t depth = 0;    ///< Launches on the longest dependency chain.
  std::size_t makespan = 0; ///< Launch times of the schedule, at one unit per launch.
};

/// True when \p a and \p b overlap.
bool overlaps(const MemoryRange& a, const MemoryRange& b);

/// True when \p later must wait for \p earlier (the file comment's rule).
bool depends_on(const LaunchAccess& later, const LaunchAccess& earlier);

/// Per launch of \p launches (in program order): the earlier launches it depends on
/// (depends_on()), in increasing order.
std::vector<std::vector<std::size_t>> launch_dependencies(std::span<const LaunchAccess> launches);

/// Schedules launches in a topological order, given per launch the earlier ones it depends on
/// (\p dependencies, each list increasing) and whether it must run on stream 0
/// (\p main_stream_only), on at most \p max_streams streams (1: all on stream 0, no waits).
LaunchSchedule schedule_dependencies(std::span<const std::vector<std::size_t>> dependencies,
                                     const std::vector<bool>& main_stream_only, int max_streams);

/// schedule_dependencies() of \p launches' dependencies and stream constraints.
LaunchSchedule schedule_launches(std::span<const LaunchAccess> launches, int max_streams);

} // namespace airan::gpu::detail
