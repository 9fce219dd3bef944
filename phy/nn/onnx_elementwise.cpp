/// \file
/// \brief Element-wise operators: Add, Sub, Mul, Div with NumPy broadcasting, and Relu, Sqrt,
/// Sigmoid, Tanh, Reciprocal, Neg, Identity.
#include "onnx_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace airan::phy::nn::detail {
namespace {

constexpr std::int64_t elements_per_item = 16384; ///< Parallel granularity.

enum class BinaryOp { add, sub, mul, div };
enum class UnaryOp { relu, sqrt, sigmoid, tanh, reciprocal, neg, identity };

template <BinaryOp Op> inline float apply(float a, float b) {
  if constexpr (Op == BinaryOp::add) {
    return a + b;
  } else if constexpr (Op == BinaryOp::sub) {
    return a - b;
  } else if constexpr (Op == BinaryOp::mul) {
    return a * b;
  } else {
    return a / b;
  }
}

/// out[i] = a[i * sa] op b[i * sb] for i < count (strides 0 or 1).
template <BinaryOp Op>
void binary_run(const float* a, std::int64_t sa, const float* b, std::int64_t sb, float* out,
                std::int64_t count) {
  if (sa == 1 && sb == 1) {
    for (std::int64_t i = 0; i < count; ++i) {
      out[i] = apply<Op>(a[i], b[i]);
    }
  } else if (sa == 1) {
    const float value = b[0];
    for (std::int64_t i = 0; i < count; ++i) {
      out[i] = apply<Op>(a[i], value);
    }
  } else if (sb == 1) {
    const float value = a[0];
    for (std::int64_t i = 0; i < count; ++i) {
      out[i] = apply<Op>(value, b[i]);
    }
  } else {
    std::fill(out, out + count, apply<Op>(a[0], b[0]));
  }
}

template <UnaryOp Op> void unary_run(const float* in, float* out, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) {
    const float x = in[i];
    if constexpr (Op == UnaryOp::relu) {
      out[i] = relu_value(x);
    } else if constexpr (Op == UnaryOp::sqrt) {
      out[i] = std::sqrt(x);
    } else if constexpr (Op == UnaryOp::sigmoid) {
      out[i] = 1.0F / (1.0F + std::exp(-x));
    } else if constexpr (Op == UnaryOp::tanh) {
      out[i] = std::tanh(x);
    } else if constexpr (Op == UnaryOp::reciprocal) {
      out[i] = 1.0F / x;
    } else if constexpr (Op == UnaryOp::neg) {
      out[i] = -x;
    } else {
      out[i] = x;
    }
  }
}

class BinaryKernel final : public Kernel {
public:
  BinaryKernel(const NodeBuildContext& context, BinaryOp op) : Kernel(context.node, 2), op_(op) {
    check_node(context, {}, 2, 2);
  }

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override {
    return broadcast_shapes(description(), inputs[0], inputs[1]);
  }

  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel& parallel) const override {
    switch (op_) {
    case BinaryOp::add:
      return run_op<BinaryOp::add>(inputs[0], inputs[1], output, parallel, relu_);
    case BinaryOp::sub:
      return run_op<BinaryOp::sub>(inputs[0], inputs[1], output, parallel, relu_);
    case BinaryOp::mul:
      return run_op<BinaryOp::mul>(inputs[0], inputs[1], output, parallel, relu_);
    case BinaryOp::div:
      return run_op<BinaryOp::div>(inputs[0], inputs[1], output, parallel, relu_);
    }
  }

  /// A following Relu runs on each run of outputs right after it is written (the Relu kernel's
  /// own function, so the values are those of the two nodes one after the other).
  bool fuse_relu() override {
    relu_ = true;
    return true;
  }

private:
  /// out[0 .. count) = op(a, b), then max(out, 0) when \p relu.
  template <BinaryOp Op>
  static void binary_run_relu(const float* a, std::int64_t sa, const float* b, std::int64_t sb,
                              float* out, std::int64_t count, bool relu) {
    binary_run<Op>(a, sa, b, sb, out, count);
    if (relu) {
      unary_run<UnaryOp::relu>(out, out, count);
    }
  }

  template <BinaryOp Op>
  static void run_op(const ConstTensorView& a, const ConstTensorView& b, const TensorView& out,
                     const Parallel& parallel, bool relu) {
    const std::size_t rank = out.shape.size();
    const auto total = static_cast<std::int64_t>(out.data.size());
    if (total == 0) {
      return;
    }
    // Strides of a and b in the output's index space (0 along broadcast dimensions).
    std::array<std::int64_t, max_tensor_rank> stride_a{};
    std::array<std::int64_t, max_tensor_rank> stride_b{};
    const auto own_a = row_major_strides(a.shape);
    const auto own_b = row_major_strides(b.shape);
    for (std::size_t i = 0; i < rank; ++i) {
      const std::size_t ia = i + a.shape.size() - rank; // wraps when a has fewer dims
      const std::size_t ib = i + b.shape.size() - rank;
      stride_a[i] = i + a.shape.size() >= rank && a.shape[ia] != 1 ? own_a[ia] : 0;
      stride_b[i] = i + b.shape.size() >= rank && b.shape[ib] != 1 ? own_b[ib] : 0;
    }
    const std::int64_t inner = rank == 0 ? 1 : out.shape[rank - 1];
    const std::int64_t inner_a = rank == 0 ? 0 : stride_a[rank - 1];
    const std::int64_t inner_b = rank == 0 ? 0 : stride_b[rank - 1];
    const bool flat = a.data.size() == out.data.size() && b.data.size() == out.data.size();
    if (flat || a.data.size() == 1 || b.data.size() == 1) {
      // Same shapes, or one operand a single value: one flat run, split in chunks.
      const std::int64_t sa = a.data.size() == 1 ? 0 : 1;
      const std::int64_t sb = b.data.size() == 1 ? 0 : 1;
      const std::int64_t items = (total + elements_per_item - 1) / elements_per_item;
      parallel.run(static_cast<std::size_t>(items), [&](std::size_t item) {
        const std::int64_t begin = static_cast<std::int64_t>(item) * elements_per_item;
        const std::int64_t count = std::min(elements_per_item, total - begin);
        binary_run_relu<Op>(a.data.data() + begin * sa, sa, b.data.data() + begin * sb, sb,
                            out.data.data() + begin, count, relu);
      });
      return;
    }
    const std::int64_t rows = total / inner;
    const std::int64_t rows_per_item = std::max<std::int64_t>(1, elements_per_item / inner);
    const std::int64_t items = (rows + rows_per_item - 1) / rows_per_item;
    parallel.run(static_cast<std::size_t>(items), [&](std::size_t item) {
      const std::int64_t first = static_cast<std::int64_t>(item) * rows_per_item;
      const std::int64_t last = std::min(rows, first + rows_per_item);
      for (std::int64_t row = first; row < last; ++row) {
        std::int64_t offset_a = 0;
        std::int64_t offset_b = 0;
        std::int64_t rest = row;
        for (std::size_t d = rank - 1; d-- > 0;) {
          const std::int64_t index = rest % out.shape[d];
          rest /= out.shape[d];
          offset_a += index * stride_a[d];
          offset_b += index * stride_b[d];
        }
        binary_run_relu<Op>(a.data.data() + offset_a, inner_a, b.data.data() + offset_b, inner_b,
                            out.data.data() + row * inner, inner, relu);
      }
    });
  }

  BinaryOp op_;
  bool relu_ = false;
};

class UnaryKernel final : public Kernel {
public:
  UnaryKernel(const NodeBuildContext& context, UnaryOp op) : Kernel(context.node, 1), op_(op) {
    check_node(context, {}, 1, 1);
  }

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override { return inputs[0]; }

  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel& parallel) const override {
    const auto total = static_cast<std::int64_t>(output.data.size());
    const std::int64_t items = (total + elements_per_item - 1) / elements_per_item;
    const float* in = inputs[0].data.data();
    float* out = output.data.data();
    parallel.run(static_cast<std::size_t>(items), [&](std::size_t item) {
      const std::int64_t begin = static_cast<std::int64_t>(item) * elements_per_item;
      const std::int64_t count = std::min(elements_per_item, total - begin);
      switch (op_) {
      case UnaryOp::relu:
        return unary_run<UnaryOp::relu>(in + begin, out + begin, count);
      case UnaryOp::sqrt:
        return unary_run<UnaryOp::sqrt>(in + begin, out + begin, count);
      case UnaryOp::sigmoid:
        return unary_run<UnaryOp::sigmoid>(in + begin, out + begin, count);
      case UnaryOp::tanh:
        return unary_run<UnaryOp::tanh>(in + begin, out + begin, count);
      case UnaryOp::reciprocal:
        return unary_run<UnaryOp::reciprocal>(in + begin, out + begin, count);
      case UnaryOp::neg:
        return unary_run<UnaryOp::neg>(in + begin, out + begin, count);
      case UnaryOp::identity:
        std::memcpy(out + begin, in + begin, static_cast<std::size_t>(count) * sizeof(float));
        return;
      }
    });
  }

private:
  UnaryOp op_;
};

} // namespace

std::unique_ptr<Kernel> create_binary_kernel(const NodeBuildContext& context) {
  const std::string& op = context.node.op_type;
  const BinaryOp kind = op == "Add"   ? BinaryOp::add
                        : op == "Sub" ? BinaryOp::sub
                        : op == "Mul" ? BinaryOp::mul
                                      : BinaryOp::div;
  return std::make_unique<BinaryKernel>(context, kind);
}

std::unique_ptr<Kernel> create_unary_kernel(const NodeBuildContext& context) {
  const std::string& op = context.node.op_type;
  const UnaryOp kind = op == "Relu"         ? UnaryOp::relu
                       : op == "Sqrt"       ? UnaryOp::sqrt
                       : op == "Sigmoid"    ? UnaryOp::sigmoid
                       : op == "Tanh"       ? UnaryOp::tanh
                       : op == "Reciprocal" ? UnaryOp::reciprocal
                       : op == "Neg"        ? UnaryOp::neg
                                            : UnaryOp::identity;
  return std::make_unique<UnaryKernel>(context, kind);
}

} // namespace airan::phy::nn::detail
