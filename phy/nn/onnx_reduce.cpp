/// \file
/// \brief ReduceMean (axes as attribute up to opset 17, as a constant input from opset 18;
/// keepdims; noop_with_empty_axes). Each output element is summed by one thread in double
/// precision, in index order, so the result does not depend on the thread count.
#include "onnx_kernels.h"

#include <algorithm>

namespace airan::phy::nn::detail {
namespace {

class ReduceMeanKernel final : public Kernel {
public:
  explicit ReduceMeanKernel(const NodeBuildContext& context) : Kernel(context.node, 1) {
    if (context.opset < 18) {
      check_node(context,
                 {{"axes", OnnxAttributeType::integers}, {"keepdims", OnnxAttributeType::integer}},
                 1, 1);
      arguments_.axes = attribute_ints(context.node, "axes");
    } else {
      check_node(context,
                 {{"keepdims", OnnxAttributeType::integer},
                  {"noop_with_empty_axes", OnnxAttributeType::integer}},
                 1, 2);
      if (context.has_input(1)) {
        arguments_.axes = constant_ints(context, 1);
      }
      arguments_.noop_with_empty_axes = attribute_int(context.node, "noop_with_empty_axes", 0) != 0;
    }
    arguments_.keepdims = attribute_int(context.node, "keepdims", 1) != 0;
    if (arguments_.axes.size() > max_tensor_rank) {
      fail("too many axes");
    }
  }

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override {
    return reduce_shape(description(), arguments_, inputs[0]);
  }

  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel& parallel) const override {
    if (output.data.empty()) {
      return; // An empty kept dimension: nothing to average (and no divisor to form).
    }
    const std::span<const std::int64_t> shape = inputs[0].shape;
    const std::size_t rank = shape.size();
    std::array<bool, max_tensor_rank> flags{};
    if (arguments_.axes.empty()) {
      flags.fill(!arguments_.noop_with_empty_axes);
    }
    for (const std::int64_t axis : arguments_.axes) {
      flags[static_cast<std::size_t>(axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis)] =
          true;
    }
    const auto strides = row_major_strides(shape);
    // Kept and reduced dimensions, outermost first; trailing reduced dimensions form one
    // contiguous run per output element.
    std::array<std::int64_t, max_tensor_rank> kept_dims{};
    std::array<std::int64_t, max_tensor_rank> kept_strides{};
    std::array<std::int64_t, max_tensor_rank> red_dims{};
    std::array<std::int64_t, max_tensor_rank> red_strides{};
    std::size_t num_kept = 0;
    std::size_t num_reduced = 0;
    std::int64_t run_length = 1;
    std::size_t trailing = rank;
    while (trailing > 0 && flags[trailing - 1]) {
      --trailing;
      run_length *= shape[trailing];
    }
    std::int64_t reduced_count = run_length;
    for (std::size_t d = 0; d < trailing; ++d) {
      if (flags[d]) {
        red_dims[num_reduced] = shape[d];
        red_strides[num_reduced++] = strides[d];
        reduced_count *= shape[d];
      } else {
        kept_dims[num_kept] = shape[d];
        kept_strides[num_kept++] = strides[d];
      }
    }
    const float* in = inputs[0].data.data();
    const auto total = static_cast<std::int64_t>(output.data.size());
    const std::int64_t outer = reduced_count / std::max<std::int64_t>(run_length, 1);
    const auto mean = [&](std::int64_t element) {
      std::int64_t base = 0;
      std::int64_t rest = element;
      for (std::size_t k = num_kept; k-- > 0;) {
        base += (rest % kept_dims[k]) * kept_strides[k];
        rest /= kept_dims[k];
      }
      double sum = 0.0;
      for (std::int64_t r = 0; r < outer && run_length > 0; ++r) {
        std::int64_t offset = base;
        std::int64_t index = r;
        for (std::size_t k = num_reduced; k-- > 0;) {
          offset += (index % red_dims[k]) * red_strides[k];
          index /= red_dims[k];
        }
        for (std::int64_t i = 0; i < run_length; ++i) {
          sum += in[offset + i];
        }
      }
      return static_cast<float>(sum / static_cast<double>(reduced_count));
    };
    const std::int64_t per_item = std::max<std::int64_t>(1, 16384 / reduced_count);
    const std::int64_t items = (total + per_item - 1) / per_item;
    parallel.run(static_cast<std::size_t>(items), [&](std::size_t item) {
      const std::int64_t first = static_cast<std::int64_t>(item) * per_item;
      const std::int64_t last = std::min(total, first + per_item);
      for (std::int64_t element = first; element < last; ++element) {
        output.data[static_cast<std::size_t>(element)] = mean(element);
      }
    });
  }

private:
  ReduceArguments arguments_;
};

} // namespace

std::unique_ptr<Kernel> create_reduce_mean_kernel(const NodeBuildContext& context) {
  return std::make_unique<ReduceMeanKernel>(context);
}

} // namespace airan::phy::nn::detail
