/// \file
/// \brief Data-movement operators: Concat, Reshape, Transpose, Slice, and the value of a Constant
/// node. Transpose and Slice share one strided copy.
#include "onnx_kernels.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace airan::phy::nn::detail {
namespace {

constexpr std::int64_t elements_per_item = 16384; ///< Parallel granularity.

/// out (row-major, \p shape) [i0..ir] = in[base + sum_d i_d * strides[d]].
void strided_copy(const float* in, std::int64_t base,
                  const std::array<std::int64_t, max_tensor_rank>& strides,
                  const TensorView& output, const Parallel& parallel) {
  const std::size_t rank = output.shape.size();
  const auto total = static_cast<std::int64_t>(output.data.size());
  if (total == 0) {
    return;
  }
  if (rank == 0) {
    output.data[0] = in[base];
    return;
  }
  const std::int64_t inner = output.shape[rank - 1];
  const std::int64_t inner_stride = strides[rank - 1];
  const std::int64_t rows = total / inner;
  const std::int64_t rows_per_item = std::max<std::int64_t>(1, elements_per_item / inner);
  const std::int64_t items = (rows + rows_per_item - 1) / rows_per_item;
  parallel.run(static_cast<std::size_t>(items), [&](std::size_t item) {
    const std::int64_t first = static_cast<std::int64_t>(item) * rows_per_item;
    const std::int64_t last = std::min(rows, first + rows_per_item);
    for (std::int64_t row = first; row < last; ++row) {
      std::int64_t offset = base;
      std::int64_t rest = row;
      for (std::size_t d = rank - 1; d-- > 0;) {
        offset += (rest % output.shape[d]) * strides[d];
        rest /= output.shape[d];
      }
      float* out = output.data.data() + row * inner;
      for (std::int64_t i = 0; i < inner; ++i) {
        out[i] = in[offset + i * inner_stride];
      }
    }
  });
}

class ConcatKernel final : public Kernel {
public:
  explicit ConcatKernel(const NodeBuildContext& context)
      : Kernel(context.node, context.node.inputs.size()) {
    check_node(context, {{"axis", OnnxAttributeType::integer}}, 1, 64);
    for (std::size_t i = 0; i < context.node.inputs.size(); ++i) {
      if (!context.has_input(i)) {
        fail("input " + std::to_string(i) + " is empty");
      }
    }
    if (context.node.find_attribute("axis") == nullptr) {
      fail("attribute 'axis' is required");
    }
    axis_ = attribute_int(context.node, "axis", 0);
  }

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override {
    return concat_shape(description(), inputs, axis_);
  }

  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel& parallel) const override {
    const std::size_t axis = normalize_axis(description(), axis_, output.shape.size());
    std::int64_t outer = 1;
    for (std::size_t d = 0; d < axis; ++d) {
      outer *= output.shape[d];
    }
    const std::int64_t out_block =
        outer == 0 ? 0 : static_cast<std::int64_t>(output.data.size()) / outer;
    const std::size_t count = inputs.size();
    parallel.run(static_cast<std::size_t>(outer) * count, [&](std::size_t item) {
      const std::size_t o = item / count;
      const std::size_t which = item % count;
      std::int64_t offset = 0; // start of this input's block in the output row
      for (std::size_t i = 0; i < which; ++i) {
        offset += static_cast<std::int64_t>(inputs[i].data.size()) / outer;
      }
      const auto block = static_cast<std::int64_t>(inputs[which].data.size()) / outer;
      std::memcpy(output.data.data() + static_cast<std::int64_t>(o) * out_block + offset,
                  inputs[which].data.data() + static_cast<std::int64_t>(o) * block,
                  static_cast<std::size_t>(block) * sizeof(float));
    });
  }

private:
  std::int64_t axis_ = 0;
};

class ReshapeKernel final : public Kernel {
public:
  explicit ReshapeKernel(const NodeBuildContext& context) : Kernel(context.node, 1) {
    check_node(context, {{"allowzero", OnnxAttributeType::integer}}, 2, 2);
    shape_ = constant_ints(context, 1);
    allow_zero_ = attribute_int(context.node, "allowzero", 0) != 0;
    if (shape_.size() > max_tensor_rank ||
        std::count(shape_.begin(), shape_.end(), std::int64_t{-1}) > 1 ||
        std::any_of(shape_.begin(), shape_.end(), [](auto d) { return d < -1; })) {
      fail("shape " + shape_to_string(shape_) + " is invalid");
    }
  }

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override {
    return reshape_shape(description(), shape_, allow_zero_, inputs[0]);
  }

  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel&) const override {
    std::memcpy(output.data.data(), inputs[0].data.data(), output.data.size() * sizeof(float));
  }

private:
  std::vector<std::int64_t> shape_;
  bool allow_zero_ = false;
};

class TransposeKernel final : public Kernel {
public:
  explicit TransposeKernel(const NodeBuildContext& context) : Kernel(context.node, 1) {
    check_node(context, {{"perm", OnnxAttributeType::integers}}, 1, 1);
    perm_ = attribute_ints(context.node, "perm");
  }

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override {
    return transpose_shape(description(), perm_, inputs[0]);
  }

  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel& parallel) const override {
    const std::size_t rank = inputs[0].shape.size();
    const auto in_strides = row_major_strides(inputs[0].shape);
    std::array<std::int64_t, max_tensor_rank> strides{};
    for (std::size_t d = 0; d < rank; ++d) {
      strides[d] = in_strides[static_cast<std::size_t>(
          perm_.empty() ? static_cast<std::int64_t>(rank - 1 - d) : perm_[d])];
    }
    strided_copy(inputs[0].data.data(), 0, strides, output, parallel);
  }

private:
  std::vector<std::int64_t> perm_;
};

} // namespace

std::unique_ptr<Kernel> create_concat_kernel(const NodeBuildContext& context) {
  return std::make_unique<ConcatKernel>(context);
}

std::unique_ptr<Kernel> create_reshape_kernel(const NodeBuildContext& context) {
  return std::make_unique<ReshapeKernel>(context);
}

std::unique_ptr<Kernel> create_transpose_kernel(const NodeBuildContext& context) {
  return std::make_unique<TransposeKernel>(context);
}

void copy_with_strides(const float* in, std::int64_t base,
                       const std::array<std::int64_t, max_tensor_rank>& strides,
                       const TensorView& output, const Parallel& parallel) {
  strided_copy(in, base, strides, output, parallel);
}

} // namespace airan::phy::nn::detail
