// The host half of GpuOnnxExecutor's plans, on the CPU: the arena layout (live values never share
// memory, Concat inputs written in place at their offsets) and the stream schedule (every
// dependency ordered by stream order or event waits), on small graphs and on the committed neural
// receiver at 106 and 273 PRB. The checks here are written independently of the code under test:
// hazards from memory ranges, orderings from a reachability search over the schedule.
#include "gpu_onnx_layout.h"
#include "gpu_onnx_program.h"
#include "gpu_onnx_schedule.h"

#include "airan/phy/nn/onnx_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace airan::gpu::detail {
namespace {

using phy::nn::OnnxModel;
using phy::nn::read_onnx_model;
using phy::nn::shape_num_elements;

const std::filesystem::path models_dir(AIRAN_MODELS_DIR);

/// The committed model's input shapes at \p subcarriers.
std::vector<TensorShape> receiver_shapes(const OnnxModel& model, std::int64_t subcarriers) {
  std::vector<TensorShape> shapes;
  for (const auto& input : model.graph.inputs) {
    shapes.push_back({1, input.dims.at(1).value_or(1), 14, subcarriers});
  }
  return shapes;
}

bool ranges_overlap(std::int64_t a0, std::int64_t a1, std::int64_t b0, std::int64_t b1) {
  return a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1;
}

/// Expects that two values whose data must be held at the same step never share memory, unless
/// one is written in place inside the other (a Concat input inside its output, transitively),
/// and that each in-place input sits at its offset in the Concat's output.
void expect_sound_layout(const Program& program, const PlanLayout& layout,
                         const std::string& label) {
  const std::size_t n = program.values.size();
  const auto never = static_cast<std::ptrdiff_t>(program.steps.size());
  std::vector<std::ptrdiff_t> first(n, -1);  // step that produces it (-1: graph input)
  std::vector<std::ptrdiff_t> last(n, -1);   // last step that needs it
  std::vector<std::ptrdiff_t> holder(n, -1); // the Concat output an in-place value sits in
  for (std::size_t s = 0; s < program.steps.size(); ++s) {
    const Step& step = program.steps[s];
    if (step.removed) {
      continue;
    }
    first[step.output] = static_cast<std::ptrdiff_t>(s);
    last[step.output] = std::max(last[step.output], static_cast<std::ptrdiff_t>(s));
    std::int64_t offset = 0;
    for (const std::size_t v : step.inputs) {
      last[v] = std::max(last[v], static_cast<std::ptrdiff_t>(s));
      if (step.kind == StepKind::concat && layout.in_place[v]) {
        holder[v] = static_cast<std::ptrdiff_t>(step.output);
        EXPECT_EQ(concat_outer(step, layout.shapes[step.output]), 1) << label;
        EXPECT_EQ(layout.offsets[v], layout.offsets[step.output] + offset)
            << label << ": " << step.description << " input " << v;
      }
      offset += shape_num_elements(layout.shapes[v]);
    }
  }
  for (const std::size_t v : program.input_ids) {
    last[v] = never;
  }
  for (const std::size_t v : program.output_ids) {
    last[v] = never;
  }
  const auto inside = [&](std::size_t a, std::size_t b) { // a is held in b, transitively
    for (std::ptrdiff_t h = holder[a]; h >= 0; h = holder[static_cast<std::size_t>(h)]) {
      if (static_cast<std::size_t>(h) == b) {
        return true;
      }
    }
    return false;
  };
  std::size_t checked = 0;
  for (std::size_t a = 0; a < n; ++a) {
    if (layout.offsets[a] < 0 || shape_num_elements(layout.shapes[a]) == 0) {
      continue;
    }
    const std::int64_t a0 = layout.offsets[a];
    const std::int64_t a1 = a0 + shape_num_elements(layout.shapes[a]);
    EXPECT_LE(a1, layout.arena_size) << label;
    for (std::size_t b = a + 1; b < n; ++b) {
      if (layout.offsets[b] < 0 || shape_num_elements(layout.shapes[b]) == 0) {
        continue;
      }
      const std::int64_t b0 = layout.offsets[b];
      const std::int64_t b1 = b0 + shape_num_elements(layout.shapes[b]);
      const bool same_time = first[a] <= last[b] && first[b] <= last[a];
      if (same_time && ranges_overlap(a0, a1, b0, b1)) {
        EXPECT_TRUE(inside(a, b) || inside(b, a))
            << label << ": values " << a << " and " << b << " are live together at [" << a0 << ", "
            << a1 << ") and [" << b0 << ", " << b1 << ")";
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 0U) << label;
}

/// Expects that for every pair of launches whose memory conflicts (one writes what the other
/// reads or writes; launches of one step never conflict) the later one runs after the earlier
/// one: on the same stream, or through a chain of waits; cuBLAS launches on stream 0.
void expect_ordered(std::span<const LaunchAccess> launches, const LaunchSchedule& schedule,
                    int max_streams, const std::string& label) {
  const std::size_t n = launches.size();
  ASSERT_EQ(schedule.stream.size(), n) << label;
  ASSERT_EQ(schedule.waits.size(), n) << label;
  EXPECT_LE(schedule.num_streams, std::max(1, max_streams)) << label;
  // Direct predecessors in the schedule: the previous launch on the stream and the waits.
  std::vector<std::vector<std::size_t>> predecessors(n);
  std::vector<std::ptrdiff_t> previous(static_cast<std::size_t>(schedule.num_streams), -1);
  for (std::size_t j = 0; j < n; ++j) {
    const int stream = schedule.stream[j];
    ASSERT_GE(stream, 0) << label;
    ASSERT_LT(stream, schedule.num_streams) << label;
    if (launches[j].main_stream_only) {
      EXPECT_EQ(stream, 0) << label << ": launch " << j;
    }
    auto& last = previous[static_cast<std::size_t>(stream)];
    if (last >= 0) {
      predecessors[j].push_back(static_cast<std::size_t>(last));
    }
    last = static_cast<std::ptrdiff_t>(j);
    for (const std::size_t w : schedule.waits[j]) {
      ASSERT_LT(w, j) << label;
      EXPECT_TRUE(schedule.waited_on[w]) << label;
      predecessors[j].push_back(w);
    }
  }
  std::vector<std::vector<bool>> after(n, std::vector<bool>(n, false)); // after[j][i]: i before j
  for (std::size_t j = 0; j < n; ++j) {
    for (const std::size_t p : predecessors[j]) {
      after[j][p] = true;
      for (std::size_t i = 0; i < p; ++i) {
        if (after[p][i]) {
          after[j][i] = true;
        }
      }
    }
  }
  std::size_t conflicts = 0;
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      if (launches[i].step == launches[j].step) {
        continue;
      }
      const MemoryRange wi = launches[i].write;
      const MemoryRange wj = launches[j].write;
      bool conflict = ranges_overlap(wi.begin, wi.end, wj.begin, wj.end);
      for (const MemoryRange& r : launches[j].reads) {
        conflict = conflict || ranges_overlap(r.begin, r.end, wi.begin, wi.end);
      }
      for (const MemoryRange& r : launches[i].reads) {
        conflict = conflict || ranges_overlap(r.begin, r.end, wj.begin, wj.end);
      }
      if (conflict) {
        ++conflicts;
        EXPECT_TRUE(after[j][i]) << label << ": launch " << j << " may run before launch " << i;
      }
    }
  }
  EXPECT_GE(schedule.makespan, schedule.depth) << label;
  EXPECT_LE(schedule.makespan, n) << label;
  if (n > 1) {
    EXPECT_GT(conflicts, 0U) << label;
  }
}

LaunchAccess access(std::size_t step, std::vector<MemoryRange> reads, MemoryRange write,
                    bool cublas = false) {
  return LaunchAccess{step, std::move(reads), write, cublas};
}

TEST(GpuOnnxSchedule, IndependentBranchesRunSideBySideAndJoin) {
  // x -> a, x -> b (independent), a + b -> c.
  const std::vector<LaunchAccess> launches{access(0, {{0, 10}}, {10, 20}),
                                           access(1, {{0, 10}}, {20, 30}),
                                           access(2, {{10, 20}, {20, 30}}, {30, 40})};
  const LaunchSchedule schedule = schedule_launches(launches, 4);
  expect_ordered(launches, schedule, 4, "diamond");
  EXPECT_EQ(schedule.num_streams, 2);
  EXPECT_NE(schedule.stream[0], schedule.stream[1]);
  EXPECT_EQ(schedule.waits[2].size(), 1U); // one branch by stream order, the other by an event
  EXPECT_EQ(schedule.depth, 2U);
  EXPECT_EQ(schedule.makespan, 2U);
  const LaunchSchedule serial = schedule_launches(launches, 1);
  expect_ordered(launches, serial, 1, "diamond, one stream");
  EXPECT_EQ(serial.num_streams, 1);
  EXPECT_EQ(serial.makespan, 3U);
  EXPECT_TRUE(serial.waits[2].empty());
}

TEST(GpuOnnxSchedule, ReusedMemoryWaitsForItsLastReader) {
  // a writes [0,10); b reads it; c (independent of both) overwrites [0,10) after b read it.
  const std::vector<LaunchAccess> launches{access(0, {}, {0, 10}), access(1, {{0, 10}}, {10, 20}),
                                           access(2, {{30, 40}}, {0, 10})};
  const LaunchSchedule schedule = schedule_launches(launches, 4);
  expect_ordered(launches, schedule, 4, "write after read");
  EXPECT_TRUE(depends_on(launches[2], launches[1]));
  EXPECT_TRUE(depends_on(launches[2], launches[0]));
}

TEST(GpuOnnxSchedule, CopiesOfOneConcatRunTogetherAndCublasStaysOnStreamZero) {
  const std::vector<LaunchAccess> launches{
      access(0, {{0, 10}}, {40, 50}), access(0, {{10, 20}}, {50, 60}),
      access(0, {{20, 30}}, {60, 70}), access(1, {{40, 70}}, {70, 80}, true),
      access(2, {{0, 10}}, {80, 90}, true)};
  EXPECT_FALSE(depends_on(launches[1], launches[0]));
  const LaunchSchedule schedule = schedule_launches(launches, 8);
  expect_ordered(launches, schedule, 8, "concat");
  EXPECT_EQ(schedule.num_streams, 3);
  EXPECT_EQ(schedule.makespan, 3U); // the copies at once, the GEMM, then the second GEMM
  EXPECT_EQ(schedule.stream[3], 0);
  EXPECT_EQ(schedule.stream[4], 0);
}

TEST(GpuOnnxLayout, TheNeuralReceiversPlansAreSoundAndShorter) {
  const OnnxModel model = read_onnx_model(models_dir / "neural_receiver.onnx");
  const Program program = compile_program(model, {});
  for (const std::int64_t prbs : {106, 273}) {
    const std::vector<TensorShape> shapes = receiver_shapes(model, 12 * prbs);
    const PlanLayout copied = layout_plan(program, shapes, false);
    const PlanLayout in_place = layout_plan(program, shapes, true);
    const std::string label = std::to_string(prbs) + " PRB";
    expect_sound_layout(program, copied, label + ", Concat copies");
    expect_sound_layout(program, in_place, label + ", Concat in place");
    const std::vector<LaunchAccess> copies = launch_accesses(program, copied);
    const std::vector<LaunchAccess> launches = launch_accesses(program, in_place);
    const auto written_in_place = static_cast<std::size_t>(
        std::count(in_place.in_place.begin(), in_place.in_place.end(), true));
    EXPECT_EQ(launches.size() + written_in_place, copies.size()) << label;
    EXPECT_GT(written_in_place, 0U) << label;
    std::printf("%s: %zu launches with Concat copies, %zu with %zu inputs in place; arena %.1f -> "
                "%.1f MB\n",
                label.c_str(), copies.size(), launches.size(), written_in_place,
                4e-6 * static_cast<double>(copied.arena_size),
                4e-6 * static_cast<double>(in_place.arena_size));
    for (const int streams : {1, 2, 4, 8, 16}) {
      const LaunchSchedule schedule = schedule_launches(launches, streams);
      const std::string what = label + ", " + std::to_string(streams) + " streams";
      expect_ordered(launches, schedule, streams, what);
      std::size_t waits = 0;
      for (const auto& w : schedule.waits) {
        waits += w.size();
      }
      std::printf("%s: %d used, dependency depth %zu, makespan %zu of %zu launches, %zu waits\n",
                  what.c_str(), schedule.num_streams, schedule.depth, schedule.makespan,
                  launches.size(), waits);
      if (streams == 1) {
        EXPECT_EQ(schedule.makespan, launches.size()) << what;
        EXPECT_EQ(waits, 0U) << what;
      }
    }
  }
}

} // namespace
} // namespace airan::gpu::detail
