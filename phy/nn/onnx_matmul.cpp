/// \file
/// \brief Gemm (transA/transB, alpha, beta, C broadcast to [M, N]) and MatMul (NumPy semantics:
/// batched with broadcast batch dimensions, 1-D operands promoted). One output row per parallel
/// item, summed over k in increasing order.
#include "onnx_kernels.h"

#include <algorithm>

namespace airan::phy::nn::detail {
namespace {

class GemmKernel final : public Kernel {
public:
  explicit GemmKernel(const NodeBuildContext& context)
      : Kernel(context.node, context.has_input(2) ? 3 : 2) {
    check_node(context,
               {{"alpha", OnnxAttributeType::floating},
                {"beta", OnnxAttributeType::floating},
                {"transA", OnnxAttributeType::integer},
                {"transB", OnnxAttributeType::integer}},
               2, 3);
    alpha_ = attribute_float(context.node, "alpha", 1.0F);
    beta_ = attribute_float(context.node, "beta", 1.0F);
    trans_a_ = attribute_int(context.node, "transA", 0) != 0;
    trans_b_ = attribute_int(context.node, "transB", 0) != 0;
  }

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override {
    return gemm_shape(description(), trans_a_, trans_b_, inputs);
  }

  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel& parallel) const override {
    const auto& a = inputs[0];
    const auto& b = inputs[1];
    const std::int64_t m_count = output.shape[0];
    const std::int64_t n_count = output.shape[1];
    const std::int64_t k_count = trans_a_ ? a.shape[0] : a.shape[1];
    const float* pa = a.data.data();
    const float* pb = b.data.data();
    std::int64_t c_row_stride = 0;
    std::int64_t c_col_stride = 0;
    const float* pc = nullptr;
    if (inputs.size() == 3) {
      const auto& c = inputs[2];
      pc = c.data.data();
      c_col_stride = !c.shape.empty() && c.shape.back() != 1 ? 1 : 0;
      c_row_stride = c.shape.size() == 2 && c.shape[0] != 1 ? c.shape[1] : 0;
    }
    parallel.run(static_cast<std::size_t>(m_count), [&](std::size_t item) {
      const auto m = static_cast<std::int64_t>(item);
      float* row = output.data.data() + m * n_count;
      std::fill(row, row + n_count, 0.0F);
      for (std::int64_t k = 0; k < k_count; ++k) {
        const float value = trans_a_ ? pa[k * m_count + m] : pa[m * k_count + k];
        if (trans_b_) {
          for (std::int64_t n = 0; n < n_count; ++n) {
            row[n] += value * pb[n * k_count + k];
          }
        } else {
          const float* b_row = pb + k * n_count;
          for (std::int64_t n = 0; n < n_count; ++n) {
            row[n] += value * b_row[n];
          }
        }
      }
      for (std::int64_t n = 0; n < n_count; ++n) {
        row[n] *= alpha_;
        if (pc != nullptr) {
          row[n] += beta_ * pc[m * c_row_stride + n * c_col_stride];
        }
      }
    });
  }

private:
  float alpha_ = 1.0F;
  float beta_ = 1.0F;
  bool trans_a_ = false;
  bool trans_b_ = false;
};

class MatMulKernel final : public Kernel {
public:
  explicit MatMulKernel(const NodeBuildContext& context) : Kernel(context.node, 2) {
    check_node(context, {}, 2, 2);
  }

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override {
    return matmul_shape(description(), inputs[0], inputs[1]);
  }

  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel& parallel) const override {
    const auto& a = inputs[0];
    const auto& b = inputs[1];
    const std::int64_t m_count = a.shape.size() >= 2 ? a.shape[a.shape.size() - 2] : 1;
    const std::int64_t k_count = a.shape.back();
    const std::int64_t n_count = b.shape.size() >= 2 ? b.shape.back() : 1;
    const std::size_t batch_rank =
        output.shape.size() - (a.shape.size() >= 2 ? 1 : 0) - (b.shape.size() >= 2 ? 1 : 0);
    // Matrix strides of A and B per batch dimension of the output (0 where broadcast).
    std::array<std::int64_t, max_tensor_rank> stride_a{};
    std::array<std::int64_t, max_tensor_rank> stride_b{};
    const std::size_t rank_a = a.shape.size() >= 2 ? a.shape.size() - 2 : 0;
    const std::size_t rank_b = b.shape.size() >= 2 ? b.shape.size() - 2 : 0;
    std::int64_t step_a = m_count * k_count;
    std::int64_t step_b = k_count * n_count;
    for (std::size_t d = batch_rank; d-- > 0;) {
      const std::size_t from_end = batch_rank - 1 - d;
      if (from_end < rank_a) {
        const std::int64_t dim = a.shape[rank_a - 1 - from_end];
        stride_a[d] = dim == 1 ? 0 : step_a;
        step_a *= dim;
      }
      if (from_end < rank_b) {
        const std::int64_t dim = b.shape[rank_b - 1 - from_end];
        stride_b[d] = dim == 1 ? 0 : step_b;
        step_b *= dim;
      }
    }
    std::int64_t batches = 1;
    for (std::size_t d = 0; d < batch_rank; ++d) {
      batches *= output.shape[d];
    }
    parallel.run(static_cast<std::size_t>(batches * m_count), [&](std::size_t item) {
      const auto batch = static_cast<std::int64_t>(item) / m_count;
      const auto m = static_cast<std::int64_t>(item) % m_count;
      std::int64_t offset_a = 0;
      std::int64_t offset_b = 0;
      std::int64_t rest = batch;
      for (std::size_t d = batch_rank; d-- > 0;) {
        const std::int64_t index = rest % output.shape[d];
        rest /= output.shape[d];
        offset_a += index * stride_a[d];
        offset_b += index * stride_b[d];
      }
      const float* a_row = a.data.data() + offset_a + m * k_count;
      const float* pb = b.data.data() + offset_b;
      float* row = output.data.data() + (batch * m_count + m) * n_count;
      std::fill(row, row + n_count, 0.0F);
      for (std::int64_t k = 0; k < k_count; ++k) {
        const float value = a_row[k];
        const float* b_row = pb + k * n_count;
        for (std::int64_t n = 0; n < n_count; ++n) {
          row[n] += value * b_row[n];
        }
      }
    });
  }
};

} // namespace

std::unique_ptr<Kernel> create_gemm_kernel(const NodeBuildContext& context) {
  return std::make_unique<GemmKernel>(context);
}

std::unique_ptr<Kernel> create_matmul_kernel(const NodeBuildContext& context) {
  return std::make_unique<MatMulKernel>(context);
}

} // namespace airan::phy::nn::detail
