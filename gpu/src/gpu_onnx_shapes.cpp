/// \file
/// \brief Shape inference of GpuOnnxExecutor's steps through the rules the CPU executor uses
/// (onnx_shape_rules.h), Slice windows and ReduceMean axes.
#include "gpu_onnx_program.h"
#include "gpu_onnx_regions.h"

namespace airan::gpu::detail {

static_assert(onnx::max_rank == phy::nn::max_tensor_rank);

phy::nn::SliceWindow slice_window(const Step& step, std::span<const std::int64_t> in) {
  return phy::nn::slice_window(step.description, step.slice, in);
}

std::array<bool, onnx::max_rank> reduced_axes(const Step& step, std::size_t rank) {
  return phy::nn::reduced_axes(step.description, step.reduce, rank);
}

std::int64_t bounded_element_count(std::span<const std::int64_t> shape) {
  return phy::nn::bounded_num_elements(shape);
}

TensorShape infer_shape(const Step& step, std::span<const TensorShape> inputs) {
  const std::string& node = step.description;
  switch (step.kind) {
  case StepKind::conv: {
    TensorShape out = step.conv.output_shape(node, inputs[0]);
    // A residual Add folded into a pointwise Conv (inputs[1]) must not widen its output.
    if (inputs.size() > 1 && phy::nn::broadcast_shapes(node, out, inputs[1]) != out) {
      step.fail("the residual " + phy::nn::shape_to_string(inputs[1]) +
                " folded into the convolution broadcasts its output " +
                phy::nn::shape_to_string(out));
    }
    return out;
  }
  case StepKind::unary:
  case StepKind::copy:
    return inputs[0];
  case StepKind::binary:
    return phy::nn::broadcast_shapes(node, inputs[0], inputs[1]);
  case StepKind::reshape:
    return phy::nn::reshape_shape(node, step.shape, step.allow_zero, inputs[0]);
  case StepKind::concat:
    return phy::nn::concat_shape(node, inputs, step.axis);
  case StepKind::transpose:
    return phy::nn::transpose_shape(node, step.perm, inputs[0]);
  case StepKind::slice:
    return slice_window(step, inputs[0]).shape;
  case StepKind::reduce_mean:
    return phy::nn::reduce_shape(node, step.reduce, inputs[0]);
  case StepKind::gemm:
    return phy::nn::gemm_shape(node, step.trans_a, step.trans_b, inputs);
  case StepKind::matmul:
    return phy::nn::matmul_shape(node, inputs[0], inputs[1]);
  case StepKind::region: {
    const std::vector<TensorShape> shapes = region_node_shapes(step, inputs);
    // The expression's shapes (a ReduceMean's iteration space too) within the element limit.
    for (const TensorShape& shape : shapes) {
      if (bounded_element_count(shape) < 0) {
        step.fail("intermediate shape " + phy::nn::shape_to_string(shape) + " is too large");
      }
    }
    return step.region.reduce ? phy::nn::reduce_shape(node, step.reduce, shapes.back())
                              : shapes.back();
  }
  }
  step.fail("unknown step");
}

} // namespace airan::gpu::detail
