/// \file
/// \brief Region folding over a program, region shapes, and region launch records (broadcasts
/// and Slices composed into one strided index map per leaf).
#include "gpu_onnx_regions.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>

namespace airan::gpu::detail {
namespace {

bool element_wise(const Step& step) {
  return !step.removed && (step.kind == StepKind::unary || step.kind == StepKind::binary);
}

/// A region's expression built from one root, without touching the program.
class RegionBuilder {
public:
  /// \p uses: each value's live readers (count_value_uses(), kept up to date by fuse_regions());
  /// \p recomputable: values a region may evaluate although other steps read them too.
  RegionBuilder(const Program& program, const std::vector<std::size_t>& uses,
                const std::vector<bool>& recomputable, int depth)
      : program_(program), uses_(uses), recomputable_(recomputable), depth_(depth) {}

  /// The expression of element-wise step \p s as the root.
  void build_step(std::size_t s) { expand_step(s, depth_); }
  /// The expression of value \p v (a ReduceMean's input) as the root.
  void build_value(std::size_t v) { expand(v, depth_); }

  [[nodiscard]] bool fits() const {
    return region.nodes.size() <= static_cast<std::size_t>(onnx::max_region_ops) &&
           leaves_.size() <= static_cast<std::size_t>(onnx::max_region_leaves);
  }
  /// Worth a region: it folds a node or a Slice.
  [[nodiscard]] bool folds_something() const { return !inlined.empty() || sliced_; }

  Region region;
  std::vector<std::size_t> inputs;  ///< Values the region reads.
  std::vector<std::size_t> inlined; ///< Steps evaluated inside it.

private:
  std::size_t expand(std::size_t v, int depth) {
    const std::ptrdiff_t producer = program_.values[v].step;
    if (depth > 0 && producer >= 0 && (uses_[v] == 1 || recomputable_[v]) &&
        element_wise(program_.steps[static_cast<std::size_t>(producer)])) {
      return expand_step(static_cast<std::size_t>(producer), depth - 1);
    }
    // A load, through the Slices in between.
    RegionNode load;
    load.kind = onnx::RegionOpKind::load;
    std::vector<std::size_t> chain;
    std::ptrdiff_t s = producer;
    while (s >= 0 && program_.steps[static_cast<std::size_t>(s)].kind == StepKind::slice &&
           !program_.steps[static_cast<std::size_t>(s)].removed) {
      chain.push_back(static_cast<std::size_t>(s));
      v = program_.steps[static_cast<std::size_t>(s)].inputs[0];
      s = program_.values[v].step;
    }
    std::reverse(chain.begin(), chain.end()); // first applied first
    for (const std::size_t slice : chain) {
      load.slices.push_back(program_.steps[slice].slice);
      load.slice_descriptions.push_back(program_.steps[slice].description);
    }
    sliced_ = sliced_ || !chain.empty();
    const auto at = std::find(inputs.begin(), inputs.end(), v);
    load.input = static_cast<std::size_t>(at - inputs.begin());
    if (at == inputs.end()) {
      inputs.push_back(v);
    }
    const std::pair key{load.input, chain};
    if (std::find(leaves_.begin(), leaves_.end(), key) == leaves_.end()) {
      leaves_.push_back(key);
    }
    region.nodes.push_back(std::move(load));
    return region.nodes.size() - 1;
  }

  std::size_t expand_step(std::size_t s, int depth) {
    const Step& step = program_.steps[s];
    RegionNode node;
    node.description = step.description;
    node.children[0] = expand(step.inputs[0], depth);
    if (step.kind == StepKind::unary) {
      node.kind = onnx::RegionOpKind::unary;
      node.unary = step.unary;
    } else {
      node.kind = onnx::RegionOpKind::binary;
      node.binary = step.binary;
      node.relu = step.binary_relu;
      node.children[1] = expand(step.inputs[1], depth);
    }
    if (depth < depth_) {
      inlined.push_back(s);
    }
    region.nodes.push_back(std::move(node));
    return region.nodes.size() - 1;
  }

  const Program& program_;
  const std::vector<std::size_t>& uses_;
  const std::vector<bool>& recomputable_;
  int depth_;
  bool sliced_ = false;
  std::vector<std::pair<std::size_t, std::vector<std::size_t>>> leaves_;
};

/// Row-major strides of \p shape.
std::array<std::int64_t, onnx::max_rank> strides_of(const TensorShape& shape) {
  std::array<std::int64_t, onnx::max_rank> strides{};
  std::int64_t stride = 1;
  for (std::size_t d = shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

} // namespace

namespace {

/// Element-wise values read by 2 to max_recomputing_readers steps, every one of them element-wise
/// or a ReduceMean, and no graph output: each reader's region may evaluate the value itself, and
/// once every reader does, the value's own launch and its plane's round trip through memory go.
/// (The neural receiver's products hr * yr and the like feed several features each: as values of
/// their own they were 268 launches of 2.5-2.8 us on an H200 for 45,864 elements each.)
std::vector<bool> recomputable_values(const Program& program,
                                      const std::vector<std::size_t>& uses) {
  constexpr std::size_t max_recomputing_readers = 4;
  std::vector<bool> readers_fold(program.values.size(), true);
  for (const Step& step : program.steps) {
    if (!step.removed && !element_wise(step) && step.kind != StepKind::reduce_mean) {
      for (const std::size_t v : step.inputs) {
        readers_fold[v] = false;
      }
    }
  }
  std::vector<bool> recomputable(program.values.size(), false);
  for (std::size_t v = 0; v < program.values.size(); ++v) {
    const std::ptrdiff_t producer = program.values[v].step;
    recomputable[v] = producer >= 0 &&
                      element_wise(program.steps[static_cast<std::size_t>(producer)]) &&
                      readers_fold[v] && uses[v] >= 2 && uses[v] <= max_recomputing_readers;
  }
  return recomputable;
}

/// Removes \p step, whose value nothing reads any more, and its reads from \p uses.
void remove_dead_step(Program& program, Step& step, std::vector<std::size_t>& uses) {
  step.removed = true;
  program.values[step.output].step = -1;
  for (const std::size_t v : step.inputs) {
    --uses[v];
  }
}

} // namespace

void fuse_regions(Program& program) {
  constexpr int max_depth = 16;
  // Live readers of every value, updated as regions replace their roots' reads by their own and
  // as steps whose values nobody reads any more are removed (graph outputs count as readers).
  std::vector<std::size_t> uses = count_value_uses(program);
  const std::vector<bool> recomputable = recomputable_values(program, uses);
  // Roots from the end, so that a node is folded into its readers before it could be a root.
  for (std::size_t s = program.steps.size(); s-- > 0;) {
    Step& root = program.steps[s];
    const bool reduce = !root.removed && root.kind == StepKind::reduce_mean;
    const bool slice = !root.removed && root.kind == StepKind::slice;
    if (!reduce && !slice && !element_wise(root)) {
      continue;
    }
    if (uses[root.output] == 0) { // folded into every reader
      remove_dead_step(program, root, uses);
      continue;
    }
    if (slice) {
      continue;
    }
    std::optional<RegionBuilder> chosen;
    for (int depth = max_depth; depth >= 0 && !chosen; --depth) {
      RegionBuilder builder(program, uses, recomputable, depth + (reduce ? 1 : 0));
      if (reduce) {
        builder.build_value(root.inputs[0]);
      } else {
        builder.build_step(s);
      }
      if (builder.fits()) {
        chosen.emplace(std::move(builder));
      }
    }
    if (!chosen || !chosen->folds_something()) {
      continue;
    }
    // The root reads the region's inputs now, not its own; the steps folded into it lose a reader
    // (a folded value read by nothing else is removed when the loop reaches its step).
    for (const std::size_t v : root.inputs) {
      --uses[v];
    }
    for (const std::size_t v : chosen->inputs) {
      ++uses[v];
    }
    chosen->region.reduce = reduce;
    root.region = std::move(chosen->region);
    root.inputs = std::move(chosen->inputs);
    root.kind = StepKind::region;
  }
}

std::vector<TensorShape> region_node_shapes(const Step& step, std::span<const TensorShape> inputs) {
  std::vector<TensorShape> shapes(step.region.nodes.size());
  for (std::size_t n = 0; n < step.region.nodes.size(); ++n) {
    const RegionNode& node = step.region.nodes[n];
    if (node.kind == onnx::RegionOpKind::load) {
      TensorShape shape = inputs[node.input];
      for (std::size_t k = 0; k < node.slices.size(); ++k) {
        shape = phy::nn::slice_window(node.slice_descriptions[k], node.slices[k], shape).shape;
      }
      shapes[n] = std::move(shape);
    } else if (node.kind == onnx::RegionOpKind::unary) {
      shapes[n] = shapes[node.children[0]];
    } else {
      shapes[n] = phy::nn::broadcast_shapes(node.description, shapes[node.children[0]],
                                            shapes[node.children[1]]);
    }
  }
  return shapes;
}

RegionLaunch region_launch(const Step& step, std::span<const TensorShape> input_shapes,
                           std::span<const float* const> input_pointers, float* out,
                           int out_count) {
  const Region& region = step.region;
  const std::vector<TensorShape> shapes = region_node_shapes(step, input_shapes);
  const TensorShape& iteration = shapes.back();
  const auto rank = static_cast<int>(iteration.size());
  const auto iteration_strides = strides_of(iteration);
  std::int64_t iteration_count = 1;
  for (const std::int64_t dim : iteration) {
    iteration_count *= dim;
  }
  // Per node, the node's axis that each iteration axis indexes (-1: none, index 0), parents
  // before children.
  using Axes = std::array<int, onnx::max_rank>;
  std::vector<Axes> axes(region.nodes.size());
  for (int d = 0; d < rank; ++d) {
    axes.back()[static_cast<std::size_t>(d)] = d;
  }
  for (std::size_t n = region.nodes.size(); n-- > 0;) {
    const RegionNode& node = region.nodes[n];
    const int children = node.kind == onnx::RegionOpKind::binary ? 2 : 1;
    for (int c = 0; c < children && node.kind != onnx::RegionOpKind::load; ++c) {
      const std::size_t child = node.children[static_cast<std::size_t>(c)];
      const TensorShape& shape = shapes[child];
      const auto shift = static_cast<int>(shapes[n].size()) - static_cast<int>(shape.size());
      for (int d = 0; d < rank; ++d) {
        const int axis = axes[n][static_cast<std::size_t>(d)];
        const int e = axis < 0 ? -1 : axis - shift;
        axes[child][static_cast<std::size_t>(d)] =
            e >= 0 && shape[static_cast<std::size_t>(e)] > 1 ? e : -1;
      }
    }
  }
  RegionLaunch launch;
  onnx::RegionExpression& e = launch.expression;
  int leaves = 0;
  if (region.nodes.size() > static_cast<std::size_t>(onnx::max_region_ops)) {
    step.fail("fused region of " + std::to_string(region.nodes.size()) + " operations");
  }
  for (std::size_t n = 0; n < region.nodes.size(); ++n) {
    const RegionNode& node = region.nodes[n];
    onnx::RegionOp& op = e.ops[e.num_ops++];
    op.kind = node.kind;
    op.relu = node.relu;
    if (node.kind == onnx::RegionOpKind::unary) {
      op.arg = static_cast<int>(node.unary);
      continue;
    }
    if (node.kind == onnx::RegionOpKind::binary) {
      op.arg = static_cast<int>(node.binary);
      continue;
    }
    // The leaf's element for node index idx: per axis start + pace * idx of the input, through
    // the Slices first applied first.
    TensorShape in = input_shapes[node.input];
    std::array<std::int64_t, onnx::max_rank> start{};
    std::array<std::int64_t, onnx::max_rank> pace{};
    pace.fill(1);
    for (std::size_t k = 0; k < node.slices.size(); ++k) {
      const phy::nn::SliceWindow window =
          phy::nn::slice_window(node.slice_descriptions[k], node.slices[k], in);
      for (std::size_t a = 0; a < in.size(); ++a) {
        start[a] += pace[a] * window.start[a];
        pace[a] *= window.step[a];
      }
      in = window.shape;
    }
    const auto strides = strides_of(input_shapes[node.input]);
    onnx::IndexMap map;
    map.rank = rank;
    std::int64_t base = 0;
    for (std::size_t a = 0; a < in.size(); ++a) {
      base += start[a] * strides[a];
    }
    map.base = static_cast<int>(base);
    bool identity = base == 0;
    for (int d = 0; d < rank; ++d) {
      const int axis = axes[n][static_cast<std::size_t>(d)];
      map.dims[d] = static_cast<int>(iteration[static_cast<std::size_t>(d)]);
      const std::int64_t stride =
          axis < 0 ? 0
                   : pace[static_cast<std::size_t>(axis)] * strides[static_cast<std::size_t>(axis)];
      map.strides[d] = static_cast<int>(stride);
      identity = identity && (iteration[static_cast<std::size_t>(d)] == 1 ||
                              stride == iteration_strides[static_cast<std::size_t>(d)]);
    }
    std::int64_t in_count = 1;
    for (const std::int64_t dim : input_shapes[node.input]) {
      in_count *= dim;
    }
    map.contiguous = identity && in_count == iteration_count;
    // One leaf per distinct (tensor, map).
    const float* pointer = input_pointers[node.input];
    int leaf = 0;
    while (leaf < leaves && !(e.leaves[leaf] == pointer && e.maps[leaf].base == map.base &&
                              e.maps[leaf].contiguous == map.contiguous &&
                              std::equal(map.strides, map.strides + rank, e.maps[leaf].strides))) {
      ++leaf;
    }
    if (leaf == leaves) {
      if (leaves == onnx::max_region_leaves) {
        step.fail("fused region of more than " + std::to_string(leaves) + " leaves");
      }
      e.leaves[leaf] = pointer;
      e.maps[leaf] = map;
      ++leaves;
    }
    op.arg = leaf;
  }
  launch.reduce = region.reduce;
  if (region.reduce) {
    const auto flags = phy::nn::reduced_axes(step.description, step.reduce, iteration.size());
    launch.geometry =
        onnx::make_reduce_geometry(iteration, std::span(flags.data(), iteration.size()));
  }
  launch.out = out;
  launch.count = out_count;
  return launch;
}

} // namespace airan::gpu::detail
