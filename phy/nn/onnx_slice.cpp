/// \file
/// \brief Slice (constant starts/ends/axes/steps, negative indices and steps, clamping as in
/// the ONNX specification; the rules are in onnx_shape_rules.h).
#include "onnx_kernels.h"

#include <algorithm>

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
      if (node.find_attribute("starts") == nullptr || node.find_attribute("ends") == nullptr) {
        fail("Slice-1 needs the starts and ends attributes");
      }
      arguments_.starts = attribute_ints(node, "starts");
      arguments_.ends = attribute_ints(node, "ends");
      arguments_.axes = attribute_ints(node, "axes");
    } else {
      check_node(context, {}, 3, 5);
      arguments_.starts = constant_ints(context, 1);
      arguments_.ends = constant_ints(context, 2);
      if (context.has_input(3)) {
        arguments_.axes = constant_ints(context, 3);
      }
      if (context.has_input(4)) {
        arguments_.steps = constant_ints(context, 4);
      }
    }
    complete_slice_arguments(description(), arguments_);
  }

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override {
    return slice_window(description(), arguments_, inputs[0]).shape;
  }

  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel& parallel) const override {
    const std::span<const std::int64_t> in_shape = inputs[0].shape;
    // slice_window() builds a vector: recompute starts and steps here without allocating.
    std::array<std::int64_t, max_tensor_rank> start{};
    std::array<std::int64_t, max_tensor_rank> step{};
    step.fill(1);
    for (std::size_t i = 0; i < arguments_.starts.size(); ++i) {
      const std::int64_t a = arguments_.axes[i];
      const auto axis =
          static_cast<std::size_t>(a < 0 ? a + static_cast<std::int64_t>(in_shape.size()) : a);
      const std::int64_t dim = in_shape[axis];
      const std::int64_t s = arguments_.starts[i];
      std::int64_t first = s < 0 ? s + dim : s;
      first = arguments_.steps[i] > 0
                  ? std::clamp<std::int64_t>(first, 0, dim)
                  : std::clamp<std::int64_t>(first, 0, std::max<std::int64_t>(dim - 1, 0));
      start[axis] = output.shape[axis] > 0 ? first : 0;
      step[axis] = arguments_.steps[i];
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
  SliceArguments arguments_;
};

} // namespace

std::unique_ptr<Kernel> create_slice_kernel(const NodeBuildContext& context) {
  return std::make_unique<SliceKernel>(context);
}

} // namespace airan::phy::nn::detail
