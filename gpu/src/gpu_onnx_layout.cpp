/// \file
/// \brief Shape inference over a program's steps and the first-fit arena layout of a plan, with
/// Concat inputs written in place.
#include "gpu_onnx_layout.h"

#include "gpu_onnx_arena.h"

#include <algorithm>
#include <utility>

namespace airan::gpu::detail {
namespace {

using phy::nn::shape_num_elements;

/// Per value, the Concat output it is written into and its offset there (-1: none).
struct ConcatPlacement {
  std::vector<std::ptrdiff_t> parent;
  std::vector<std::int64_t> offset;
};

ConcatPlacement concat_placement(const Program& program, const PlanLayout& layout) {
  const std::size_t num_values = program.values.size();
  ConcatPlacement placement{std::vector<std::ptrdiff_t>(num_values, -1),
                            std::vector<std::int64_t>(num_values, 0)};
  // Per value, the last step other than each Concat that reads it is what matters: an input
  // goes in place when everything else that reads it runs before the Concat (so the Concat's
  // output block, reserved from the input's production, holds it for all of them).
  std::vector<std::vector<std::size_t>> readers(num_values);
  for (std::size_t s = 0; s < program.steps.size(); ++s) {
    if (!program.steps[s].removed) {
      for (const std::size_t v : program.steps[s].inputs) {
        readers[v].push_back(s);
      }
    }
  }
  std::vector<bool> graph_output(num_values, false);
  for (const std::size_t v : program.output_ids) {
    graph_output[v] = true; // a graph output keeps its own block
  }
  for (std::size_t c = 0; c < program.steps.size(); ++c) {
    const Step& step = program.steps[c];
    if (step.removed || step.kind != StepKind::concat ||
        concat_outer(step, layout.shapes[step.output]) != 1) {
      continue;
    }
    std::int64_t offset = 0;
    for (const std::size_t v : step.inputs) {
      const std::int64_t count = shape_num_elements(layout.shapes[v]);
      const auto reads_here = std::count(readers[v].begin(), readers[v].end(), c);
      const bool others_before =
          std::all_of(readers[v].begin(), readers[v].end(), [&](std::size_t r) { return r <= c; });
      // The launches skip an in-place value's copy in every Concat that reads it (in_place is
      // per value), so a value that another Concat reads too keeps its own block.
      const bool other_concat_reads =
          std::any_of(readers[v].begin(), readers[v].end(), [&](std::size_t r) {
            return r != c && program.steps[r].kind == StepKind::concat;
          });
      if (program.values[v].step >= 0 && !graph_output[v] && reads_here == 1 && others_before &&
          !other_concat_reads && placement.parent[v] < 0 && count > 0 && v != step.output &&
          layout.ones[v] == 0) {
        placement.parent[v] = static_cast<std::ptrdiff_t>(step.output);
        placement.offset[v] = offset;
      }
      offset += count;
    }
  }
  return placement;
}

} // namespace

std::int64_t concat_outer(const Step& step, const TensorShape& out) {
  const auto rank = static_cast<std::int64_t>(out.size());
  const std::int64_t axis = step.axis < 0 ? step.axis + rank : step.axis;
  std::int64_t outer = 1;
  for (std::int64_t d = 0; d < axis && d < rank; ++d) {
    outer *= out[static_cast<std::size_t>(d)];
  }
  return outer;
}

PlanLayout layout_plan(const Program& program, std::span<const TensorShape> input_shapes,
                       bool concat_in_place, bool ones_planes) {
  const std::size_t num_values = program.values.size();
  PlanLayout layout;
  layout.shapes.resize(num_values);
  layout.offsets.assign(num_values, -1);
  layout.in_place.assign(num_values, false);
  layout.last_use.assign(num_values, -1);
  for (std::size_t i = 0; i < input_shapes.size(); ++i) {
    layout.shapes[program.input_ids[i]] = input_shapes[i];
  }
  for (std::size_t v = 0; v < num_values; ++v) {
    if (program.values[v].constant != nullptr) {
      layout.shapes[v] = program.values[v].constant->shape;
    }
  }
  std::vector<TensorShape> shapes;
  for (std::size_t s = 0; s < program.steps.size(); ++s) {
    const Step& step = program.steps[s];
    if (step.removed) {
      continue;
    }
    shapes.clear();
    for (const std::size_t v : step.inputs) {
      shapes.push_back(layout.shapes[v]);
      layout.last_use[v] = static_cast<std::ptrdiff_t>(s);
    }
    TensorShape shape = infer_shape(step, shapes);
    if (shape.size() > phy::nn::max_tensor_rank || bounded_element_count(shape) < 0) {
      step.fail("output shape " + phy::nn::shape_to_string(shape) + " is invalid or too large");
    }
    layout.shapes[step.output] = std::move(shape);
  }
  for (const std::size_t v : program.output_ids) {
    layout.last_use[v] = static_cast<std::ptrdiff_t>(program.steps.size());
  }
  layout.ones.assign(num_values, 0);
  if (ones_planes) {
    std::vector<std::size_t> readers(num_values, 0);
    for (const Step& step : program.steps) {
      for (std::size_t i = 0; i < step.inputs.size() && !step.removed; ++i) {
        ++readers[step.inputs[i]];
      }
    }
    for (const std::size_t v : program.output_ids) {
      readers[v] += 2;
    }
    for (const Step& step : program.steps) {
      if (step.removed || step.kind != StepKind::conv || !step.conv.pointwise() ||
          step.conv.bias < 0) {
        continue;
      }
      const std::size_t x = step.inputs[0];
      const std::ptrdiff_t producer = program.values[x].step;
      const TensorShape& shape = layout.shapes[x];
      if (producer >= 0 && readers[x] == 1 && shape.size() == 4 && shape[0] == 1 &&
          program.steps[static_cast<std::size_t>(producer)].kind == StepKind::conv &&
          !program.steps[static_cast<std::size_t>(producer)].conv.pointwise()) {
        layout.ones[x] = shape[2] * shape[3];
      }
    }
  }

  ConcatPlacement placement;
  if (concat_in_place) {
    placement = concat_placement(program, layout);
  } else {
    placement.parent.assign(num_values, -1);
    placement.offset.assign(num_values, 0);
  }
  // The block a value lives in (its own, or the outermost Concat output holding it) and its
  // offset inside that block.
  const auto root_of = [&](std::size_t v) {
    std::int64_t offset = 0;
    while (placement.parent[v] >= 0) {
      offset += placement.offset[v];
      v = static_cast<std::size_t>(placement.parent[v]);
    }
    return std::pair{v, offset};
  };
  // The steps each step depends on through the data (transitively), and the steps that write
  // or read each value's block (a Concat output's: also those of the values inside it).
  const std::size_t num_steps = program.steps.size();
  std::vector<StepSet> ancestors(num_steps, StepSet(num_steps));
  std::vector<StepSet> touched(num_values, StepSet(num_steps));
  for (std::size_t s = 0; s < num_steps; ++s) {
    const Step& step = program.steps[s];
    if (step.removed) {
      continue;
    }
    for (const std::size_t v : step.inputs) {
      if (const std::ptrdiff_t producer = program.values[v].step; producer >= 0) {
        ancestors[s].merge(ancestors[static_cast<std::size_t>(producer)]);
        ancestors[s].insert(static_cast<std::size_t>(producer));
      }
      touched[root_of(v).first].insert(s);
    }
    touched[root_of(step.output).first].insert(s);
  }
  // Inputs stay for the whole run; computed values are released after their last reader (a
  // Concat output holding others after its own last reader).
  ArenaLayout arena;
  const StepSet no_steps(num_steps);
  for (const std::size_t v : program.input_ids) {
    layout.offsets[v] =
        arena.place(shape_num_elements(layout.shapes[v]) + layout.ones[v], no_steps);
  }
  for (std::size_t s = 0; s < num_steps; ++s) {
    const Step& step = program.steps[s];
    if (step.removed) {
      continue;
    }
    const auto [root, offset] = root_of(step.output);
    if (layout.offsets[root] < 0) {
      layout.offsets[root] =
          arena.place(shape_num_elements(layout.shapes[root]) + layout.ones[root], ancestors[s]);
    }
    if (root != step.output) {
      layout.offsets[step.output] = layout.offsets[root] + offset;
      layout.in_place[step.output] = true;
    }
    for (const std::size_t v : step.inputs) {
      if (layout.last_use[v] == static_cast<std::ptrdiff_t>(s) && program.values[v].step >= 0 &&
          !layout.in_place[v]) {
        arena.release(layout.offsets[v], touched[v]);
      }
    }
    if (layout.last_use[step.output] < 0 && !layout.in_place[step.output]) {
      arena.release(layout.offsets[step.output], touched[step.output]);
    }
  }
  layout.arena_size = arena.size();
  return layout;
}

std::vector<LaunchAccess> launch_accesses(const Program& program, const PlanLayout& layout) {
  const auto range = [&](std::size_t v) {
    const std::int64_t begin = layout.offsets[v];
    return begin < 0
               ? MemoryRange{}
               : MemoryRange{begin, begin + shape_num_elements(layout.shapes[v]) + layout.ones[v]};
  };
  std::vector<LaunchAccess> accesses;
  for (std::size_t s = 0; s < program.steps.size(); ++s) {
    const Step& step = program.steps[s];
    const TensorShape& out = layout.shapes[step.output];
    if (step.removed || shape_num_elements(out) == 0) {
      continue;
    }
    LaunchAccess access;
    access.step = s;
    for (const std::size_t v : step.inputs) {
      if (layout.offsets[v] >= 0) {
        access.reads.push_back(range(v));
      }
    }
    access.write = range(step.output);
    access.main_stream_only = step.kind == StepKind::conv && step.conv.pointwise();
    if (step.kind != StepKind::concat) {
      accesses.push_back(std::move(access));
      continue;
    }
    // One copy per input; with an outer extent of 1 each writes its own run of the output.
    const bool contiguous = concat_outer(step, out) == 1;
    std::int64_t offset = 0;
    for (const std::size_t v : step.inputs) {
      const std::int64_t count = shape_num_elements(layout.shapes[v]);
      if (count > 0 && !layout.in_place[v]) {
        LaunchAccess copy = access;
        copy.reads.assign(1, range(v));
        if (layout.offsets[v] < 0) {
          copy.reads.clear();
        }
        if (contiguous) {
          copy.write = {access.write.begin + offset, access.write.begin + offset + count};
        }
        accesses.push_back(std::move(copy));
      }
      offset += count;
    }
  }
  return accesses;
}

} // namespace airan::gpu::detail
