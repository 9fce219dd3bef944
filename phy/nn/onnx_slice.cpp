/// \file
/// \brief Slice (constant starts/ends/axes/steps, negative indices and steps, clamping as in
/// the ONNX specification) and the value of a Constant node.
#include "onnx_kernels.h"

#include <algorithm>
#include <limits>

namespace airan::phy::nn::detail {
namespace {

class SliceKernel final : public Kernel {
public:
  explicit SliceKernel(const NodeBuildContext& context) : Kernel(context.node, 1) {
    const OnnxNode& node = context.node;
    if (context.opset < 10) {
      check_node(context,
                 {{"starts", OnnxAttributeType::integers},
                  {"ends", OnnxAttributeType::integers},
                  {"axes", OnnxAttributeType::integers}},
                 1, 1);
      starts_ = attribute_ints(node, "starts");
      ends_ = attribute_ints(node, "ends");
      axes_ = attribute_ints(node, "axes");
    } else {
      check_node(context, {}, 3, 5);
      starts_ = constant_ints(context, 1);
      ends_ = constant_ints(context, 2);
      if (context.has_input(3)) {
        axes_ = constant_ints(context, 3);
      }
      if (context.has_input(4)) {
        steps_ = constant_ints(context, 4);
      }
    }
    if (axes_.empty()) {
      for (std::size_t i = 0; i < starts_.size(); ++i) {
        axes_.push_back(static_cast<std::int64_t>(i));
      }
    }
    if (steps_.empty()) {
      steps_.assign(starts_.size(), 1);
    }
    if (ends_.size() != starts_.size() || axes_.size() != starts_.size() ||
        steps_.size() != starts_.size() || starts_.size() > max_tensor_rank) {
      fail("starts, ends, axes and steps must have one value per sliced axis");
    }
    for (const std::int64_t step : steps_) {
      if (step == 0 || step == std::numeric_limits<std::int64_t>::min()) {
        fail("step " + std::to_string(step) + " is invalid");
      }
    }
  }

  /// Per dimension of \p in: first index, step and output size.
  struct Geometry {
    std::array<std::int64_t, max_tensor_rank> start{};
    std::array<std::int64_t, max_tensor_rank> step{};
    TensorShape shape;
  };

  Geometry geometry(std::span<const std::int64_t> in) const {
    Geometry g;
    g.shape.assign(in.begin(), in.end());
    for (std::size_t d = 0; d < in.size(); ++d) {
      g.step[d] = 1;
    }
    std::array<bool, max_tensor_rank> sliced{};
    for (std::size_t i = 0; i < starts_.size(); ++i) {
      const std::size_t axis = normalize_axis(*this, axes_[i], in.size());
      if (sliced[axis]) {
        fail("axis " + std::to_string(axes_[i]) + " is sliced twice");
      }
      sliced[axis] = true;
      const std::int64_t dim = in[axis];
      const std::int64_t step = steps_[i];
      std::int64_t start = starts_[i] < 0 ? starts_[i] + dim : starts_[i];
      std::int64_t end = ends_[i] < 0 ? ends_[i] + dim : ends_[i];
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
      g.start[axis] = count > 0 ? start : 0;
      g.step[axis] = step;
      g.shape[axis] = count;
    }
    return g;
  }

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override {
    return geometry(inputs[0]).shape;
  }

  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel& parallel) const override {
    const std::span<const std::int64_t> in_shape = inputs[0].shape;
    // geometry() builds a vector: recompute starts and steps here without allocating.
    std::array<std::int64_t, max_tensor_rank> start{};
    std::array<std::int64_t, max_tensor_rank> step{};
    step.fill(1);
    for (std::size_t i = 0; i < starts_.size(); ++i) {
      const auto axis = static_cast<std::size_t>(
          axes_[i] < 0 ? axes_[i] + static_cast<std::int64_t>(in_shape.size()) : axes_[i]);
      const std::int64_t dim = in_shape[axis];
      std::int64_t first = starts_[i] < 0 ? starts_[i] + dim : starts_[i];
      first = steps_[i] > 0
                  ? std::clamp<std::int64_t>(first, 0, dim)
                  : std::clamp<std::int64_t>(first, 0, std::max<std::int64_t>(dim - 1, 0));
      start[axis] = output.shape[axis] > 0 ? first : 0;
      step[axis] = steps_[i];
    }
    const auto in_strides = row_major_strides(in_shape);
    std::array<std::int64_t, max_tensor_rank> strides{};
    std::int64_t base = 0;
    for (std::size_t d = 0; d < in_shape.size(); ++d) {
      base += start[d] * in_strides[d];
      strides[d] = step[d] * in_strides[d];
    }
    copy_with_strides(inputs[0].data.data(), base, strides, output, parallel);
  }

private:
  std::vector<std::int64_t> starts_;
  std::vector<std::int64_t> ends_;
  std::vector<std::int64_t> axes_;
  std::vector<std::int64_t> steps_;
};

} // namespace

std::unique_ptr<Kernel> create_slice_kernel(const NodeBuildContext& context) {
  return std::make_unique<SliceKernel>(context);
}

Tensor constant_node_value(const NodeBuildContext& context) {
  const OnnxNode& node = context.node;
  check_node(context,
             {{"value", OnnxAttributeType::tensor},
              {"value_float", OnnxAttributeType::floating},
              {"value_floats", OnnxAttributeType::floats},
              {"value_int", OnnxAttributeType::integer},
              {"value_ints", OnnxAttributeType::integers}},
             0, 0);
  if (node.attributes.size() != 1) {
    throw OnnxError(node.describe() + ": needs exactly one of value, value_float, value_floats, "
                                      "value_int, value_ints");
  }
  const OnnxAttribute& attribute = node.attributes[0];
  Tensor tensor;
  switch (attribute.type) {
  case OnnxAttributeType::tensor:
    tensor = attribute.t;
    break;
  case OnnxAttributeType::floating:
    tensor.floats = {attribute.f};
    break;
  case OnnxAttributeType::floats:
    tensor.floats = attribute.floats;
    tensor.shape = {static_cast<std::int64_t>(attribute.floats.size())};
    break;
  case OnnxAttributeType::integer:
    tensor.data_type = TensorDataType::int64;
    tensor.ints = {attribute.i};
    break;
  default:
    tensor.data_type = TensorDataType::int64;
    tensor.ints = attribute.ints;
    tensor.shape = {static_cast<std::int64_t>(attribute.ints.size())};
    break;
  }
  tensor.name = node.outputs[0];
  return tensor;
}

} // namespace airan::phy::nn::detail
