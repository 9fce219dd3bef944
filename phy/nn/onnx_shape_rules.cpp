/// \file
/// \brief The shape rules both ONNX executors use (onnx_shape_rules.h).
#include "airan/phy/nn/onnx_shape_rules.h"

#include <algorithm>
#include <limits>

namespace airan::phy::nn {
namespace {

constexpr std::int64_t max_geometry = std::int64_t{1} << 16; ///< Cap of pads/strides/dilations.

std::array<std::int64_t, 2> pair_attribute(const OnnxNode& node, const char* name) {
  const OnnxAttribute* attribute = node.find_attribute(name);
  const std::vector<std::int64_t> values =
      attribute != nullptr ? attribute->ints : std::vector<std::int64_t>{1, 1};
  if (values.size() != 2 || values[0] < 1 || values[1] < 1 || values[0] > max_geometry ||
      values[1] > max_geometry) {
    fail_node(node.describe(),
              std::string("attribute '") + name + "' must be two values in 1 .. 65536");
  }
  return {values[0], values[1]};
}

} // namespace

void fail_node(const std::string& node, const std::string& what) {
  throw OnnxError(node + ": " + what);
}

std::size_t normalize_axis(const std::string& node, std::int64_t axis, std::size_t rank) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) {
    fail_node(node,
              "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

TensorShape broadcast_shapes(const std::string& node, std::span<const std::int64_t> a,
                             std::span<const std::int64_t> b) {
  const std::size_t rank = std::max(a.size(), b.size());
  TensorShape shape(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const std::int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) {
      fail_node(node, "shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                          " cannot be broadcast");
    }
    shape[i] = da == 1 ? db : da;
  }
  return shape;
}

std::array<std::int64_t, max_tensor_rank> row_major_strides(std::span<const std::int64_t> shape) {
  std::array<std::int64_t, max_tensor_rank> strides{};
  std::int64_t stride = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

TensorShape concat_shape(const std::string& node, std::span<const TensorShape> inputs,
                         std::int64_t axis) {
  TensorShape shape = inputs[0];
  const std::size_t along = normalize_axis(node, axis, shape.size());
  shape[along] = 0;
  for (const TensorShape& input : inputs) {
    bool fits = input.size() == shape.size();
    for (std::size_t d = 0; fits && d < shape.size(); ++d) {
      fits = d == along || input[d] == shape[d];
    }
    if (!fits) {
      fail_node(node, "input " + shape_to_string(input) + " does not fit " +
                          shape_to_string(inputs[0]) + " along axis " + std::to_string(axis));
    }
    shape[along] += input[along];
    if (shape[along] > max_tensor_elements) {
      fail_node(node, "the result is too large");
    }
  }
  return shape;
}

TensorShape reshape_shape(const std::string& node, std::span<const std::int64_t> target,
                          bool allow_zero, std::span<const std::int64_t> in) {
  TensorShape out(target.begin(), target.end());
  std::size_t unknown = out.size();
  std::int64_t known = 1;
  for (std::size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 0 && !allow_zero) {
      if (d >= in.size()) {
        fail_node(node, "shape " + shape_to_string(target) + " copies a dimension " +
                            shape_to_string(in) + " does not have");
      }
      out[d] = in[d];
    }
    if (out[d] == -1) {
      unknown = d;
    } else if (out[d] > 0 && known > max_tensor_elements / out[d]) {
      fail_node(node, "shape " + shape_to_string(target) + " is too large");
    } else {
      known *= out[d];
    }
  }
  const std::int64_t count = shape_num_elements(in);
  const std::string cannot =
      "cannot reshape " + shape_to_string(in) + " to " + shape_to_string(target);
  if (unknown < out.size()) {
    if (known == 0 || count % known != 0) {
      fail_node(node, cannot);
    }
    out[unknown] = count / known;
  }
  if (shape_num_elements(out) != count) {
    fail_node(node, cannot);
  }
  return out;
}

std::vector<std::int64_t> transpose_permutation(const std::string& node,
                                                std::span<const std::int64_t> perm,
                                                std::size_t rank) {
  if (perm.empty()) {
    std::vector<std::int64_t> reversed(rank);
    for (std::size_t d = 0; d < rank; ++d) {
      reversed[d] = static_cast<std::int64_t>(rank - 1 - d);
    }
    return reversed;
  }
  std::vector<bool> seen(rank, false);
  bool valid = perm.size() == rank;
  for (std::size_t d = 0; valid && d < rank; ++d) {
    valid = perm[d] >= 0 && perm[d] < static_cast<std::int64_t>(rank) &&
            !seen[static_cast<std::size_t>(perm[d])];
    if (valid) {
      seen[static_cast<std::size_t>(perm[d])] = true;
    }
  }
  if (!valid) {
    fail_node(node, "attribute 'perm' " + shape_to_string(perm) + " is not a permutation of rank " +
                        std::to_string(rank));
  }
  return {perm.begin(), perm.end()};
}

TensorShape transpose_shape(const std::string& node, std::span<const std::int64_t> perm,
                            std::span<const std::int64_t> in) {
  const std::vector<std::int64_t> order = transpose_permutation(node, perm, in.size());
  TensorShape out(in.size());
  for (std::size_t d = 0; d < in.size(); ++d) {
    out[d] = in[static_cast<std::size_t>(order[d])];
  }
  return out;
}

TensorShape gemm_shape(const std::string& node, bool trans_a, bool trans_b,
                       std::span<const TensorShape> inputs) {
  const TensorShape& a = inputs[0];
  const TensorShape& b = inputs[1];
  if (a.size() != 2 || b.size() != 2) {
    fail_node(node,
              "A " + shape_to_string(a) + " and B " + shape_to_string(b) + " must be matrices");
  }
  const std::int64_t m = trans_a ? a[1] : a[0];
  const std::int64_t k = trans_a ? a[0] : a[1];
  const std::int64_t k_b = trans_b ? b[1] : b[0];
  const std::int64_t n = trans_b ? b[0] : b[1];
  if (k != k_b) {
    fail_node(node, "A " + shape_to_string(a) + " and B " + shape_to_string(b) + " do not match");
  }
  if (inputs.size() == 3) {
    const TensorShape& c = inputs[2];
    const bool fits = c.size() <= 2 && (c.empty() || c.back() == 1 || c.back() == n) &&
                      (c.size() < 2 || c[0] == 1 || c[0] == m);
    if (!fits) {
      fail_node(node, "C " + shape_to_string(c) + " cannot be broadcast to [" + std::to_string(m) +
                          ", " + std::to_string(n) + "]");
    }
  }
  return {m, n};
}

TensorShape matmul_shape(const std::string& node, std::span<const std::int64_t> a,
                         std::span<const std::int64_t> b) {
  if (a.empty() || b.empty()) {
    fail_node(node, "MatMul does not take scalars");
  }
  const std::int64_t k_b = b.size() == 1 ? b[0] : b[b.size() - 2];
  if (a.back() != k_b) {
    fail_node(node, "A " + shape_to_string(a) + " and B " + shape_to_string(b) + " do not match");
  }
  const std::span<const std::int64_t> batch_a(a.data(), a.size() >= 2 ? a.size() - 2 : 0);
  const std::span<const std::int64_t> batch_b(b.data(), b.size() >= 2 ? b.size() - 2 : 0);
  TensorShape out = broadcast_shapes(node, batch_a, batch_b);
  if (a.size() >= 2) {
    out.push_back(a[a.size() - 2]);
  }
  if (b.size() >= 2) {
    out.push_back(b.back());
  }
  return out;
}

void complete_slice_arguments(const std::string& node, SliceArguments& arguments) {
  if (arguments.axes.empty()) {
    for (std::size_t i = 0; i < arguments.starts.size(); ++i) {
      arguments.axes.push_back(static_cast<std::int64_t>(i));
    }
  }
  if (arguments.steps.empty()) {
    arguments.steps.assign(arguments.starts.size(), 1);
  }
  const std::size_t count = arguments.starts.size();
  if (arguments.ends.size() != count || arguments.axes.size() != count ||
      arguments.steps.size() != count || count > max_tensor_rank) {
    fail_node(node, "starts, ends, axes and steps must have one value per sliced axis");
  }
  for (std::int64_t& step : arguments.steps) {
    if (step == 0 || step == std::numeric_limits<std::int64_t>::min()) {
      fail_node(node, "step " + std::to_string(step) + " is invalid");
    }
    // No dimension exceeds max_tensor_elements, so a larger step selects the same single
    // element; clamping keeps step * stride within int64.
    step = std::clamp(step, -max_tensor_elements, max_tensor_elements);
  }
}

SliceWindow slice_window(const std::string& node, const SliceArguments& arguments,
                         std::span<const std::int64_t> in) {
  SliceWindow window;
  window.shape.assign(in.begin(), in.end());
  window.step.fill(1);
  std::array<bool, max_tensor_rank> sliced{};
  for (std::size_t i = 0; i < arguments.starts.size(); ++i) {
    const std::size_t axis = normalize_axis(node, arguments.axes[i], in.size());
    if (sliced[axis]) {
      fail_node(node, "axis " + std::to_string(arguments.axes[i]) + " is sliced twice");
    }
    sliced[axis] = true;
    const std::int64_t dim = in[axis];
    const std::int64_t step = arguments.steps[i];
    std::int64_t start = arguments.starts[i] < 0 ? arguments.starts[i] + dim : arguments.starts[i];
    std::int64_t end = arguments.ends[i] < 0 ? arguments.ends[i] + dim : arguments.ends[i];
    std::int64_t count = 0;
    if (dim == 0) {
      start = 0;
    } else if (step > 0) {
      start = std::clamp<std::int64_t>(start, 0, dim);
      end = std::clamp<std::int64_t>(end, 0, dim);
      count = end > start ? 1 + (end - start - 1) / step : 0;
    } else {
      start = std::clamp<std::int64_t>(start, 0, dim - 1);
      end = std::clamp<std::int64_t>(end, -1, dim - 1);
      count = start > end ? 1 + (start - end - 1) / -step : 0;
    }
    window.start[axis] = count > 0 ? start : 0;
    window.step[axis] = step;
    window.shape[axis] = count;
  }
  return window;
}

std::array<bool, max_tensor_rank> reduced_axes(const std::string& node,
                                               const ReduceArguments& arguments, std::size_t rank) {
  std::array<bool, max_tensor_rank> flags{};
  if (arguments.axes.empty()) {
    for (std::size_t d = 0; d < rank; ++d) {
      flags[d] = !arguments.noop_with_empty_axes;
    }
  }
  for (const std::int64_t axis : arguments.axes) {
    const std::size_t d = normalize_axis(node, axis, rank);
    if (flags[d]) {
      fail_node(node, "axis " + std::to_string(axis) + " is listed twice");
    }
    flags[d] = true;
  }
  return flags;
}

TensorShape reduce_shape(const std::string& node, const ReduceArguments& arguments,
                         std::span<const std::int64_t> in) {
  const auto flags = reduced_axes(node, arguments, in.size());
  TensorShape out;
  for (std::size_t d = 0; d < in.size(); ++d) {
    if (flags[d] && in[d] == 0) {
      fail_node(node, "cannot average over an empty dimension of " + shape_to_string(in));
    }
    if (!flags[d]) {
      out.push_back(in[d]);
    } else if (arguments.keepdims) {
      out.push_back(1);
    }
  }
  return out;
}

std::array<std::int64_t, 4> ConvGeometry::padding(std::int64_t h, std::int64_t w) const {
  if (auto_pad == "NOTSET") {
    return pads;
  }
  if (auto_pad == "VALID") {
    return {0, 0, 0, 0};
  }
  std::array<std::int64_t, 4> result{};
  const std::array<std::int64_t, 2> in{h, w};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::int64_t out = (in[axis] + strides[axis] - 1) / strides[axis];
    const std::int64_t span = dilations[axis] * (kernel[axis] - 1) + 1;
    const std::int64_t total =
        std::max<std::int64_t>(0, (out - 1) * strides[axis] + span - in[axis]);
    const std::int64_t small = total / 2;
    result[axis] = auto_pad == "SAME_UPPER" ? small : total - small;
    result[axis + 2] = total - result[axis];
  }
  return result;
}

bool ConvGeometry::pointwise() const {
  const bool no_padding =
      auto_pad == "VALID" || (auto_pad == "NOTSET" && pads == std::array<std::int64_t, 4>{});
  return kernel == std::array<std::int64_t, 2>{1, 1} &&
         strides == std::array<std::int64_t, 2>{1, 1} && no_padding && group == 1;
}

TensorShape ConvGeometry::output_shape(const std::string& node,
                                       std::span<const std::int64_t> x) const {
  if (x.size() != 4 || x[1] != group_channels * group) {
    fail_node(node, "input " + shape_to_string(x) + " does not fit the weights [" +
                        std::to_string(out_channels) + ", " + std::to_string(group_channels) +
                        ", " + std::to_string(kernel[0]) + ", " + std::to_string(kernel[1]) +
                        "] with group " + std::to_string(group) + " (expected [N, " +
                        std::to_string(group_channels * group) + ", H, W])");
  }
  const auto pad = padding(x[2], x[3]);
  TensorShape y{x[0], out_channels, 0, 0};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::int64_t span = dilations[axis] * (kernel[axis] - 1) + 1;
    const std::int64_t padded = x[2 + axis] + pad[axis] + pad[axis + 2];
    if (padded < span) {
      fail_node(node, "input " + shape_to_string(x) + " is smaller than the kernel");
    }
    y[2 + axis] = (padded - span) / strides[axis] + 1;
  }
  return y;
}

ConvGeometry conv_geometry(const OnnxNode& node, std::span<const std::int64_t> weights) {
  const std::string name = node.describe();
  if (weights.size() != 4) {
    fail_node(name, "the weights must be a float32 initializer of rank 4 (2-D convolution)");
  }
  ConvGeometry g;
  g.out_channels = weights[0];
  g.group_channels = weights[1];
  g.kernel = {weights[2], weights[3]};
  if (const OnnxAttribute* group = node.find_attribute("group")) {
    g.group = group->i;
  }
  if (g.group < 1 || g.out_channels % g.group != 0 || g.out_channels == 0 ||
      g.group_channels == 0 || g.kernel[0] == 0 || g.kernel[1] == 0) {
    fail_node(name, "weights " + shape_to_string(weights) + " do not fit group " +
                        std::to_string(g.group));
  }
  if (const OnnxAttribute* kernel_shape = node.find_attribute("kernel_shape")) {
    const auto& k = kernel_shape->ints;
    if (!k.empty() && (k.size() != 2 || k[0] != g.kernel[0] || k[1] != g.kernel[1])) {
      fail_node(name,
                "attribute 'kernel_shape' contradicts the weights " + shape_to_string(weights));
    }
  }
  g.strides = pair_attribute(node, "strides");
  g.dilations = pair_attribute(node, "dilations");
  if (const OnnxAttribute* auto_pad = node.find_attribute("auto_pad")) {
    g.auto_pad = auto_pad->s;
  }
  if (g.auto_pad != "NOTSET" && g.auto_pad != "VALID" && g.auto_pad != "SAME_UPPER" &&
      g.auto_pad != "SAME_LOWER") {
    fail_node(name, "attribute 'auto_pad' has the unknown value '" + g.auto_pad + "'");
  }
  if (const OnnxAttribute* pads = node.find_attribute("pads")) {
    if (g.auto_pad != "NOTSET") {
      fail_node(name, "attributes 'pads' and 'auto_pad' exclude each other");
    }
    if (pads->ints.size() != 4 || std::any_of(pads->ints.begin(), pads->ints.end(),
                                              [](auto p) { return p < 0 || p > max_geometry; })) {
      fail_node(name, "attribute 'pads' must be four values in 0 .. 65536");
    }
    g.pads = {pads->ints[0], pads->ints[1], pads->ints[2], pads->ints[3]};
  }
  return g;
}

} // namespace airan::phy::nn
