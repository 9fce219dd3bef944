/// \file
/// \brief Per-element math of the CUDA ONNX executor (GpuOnnxExecutor), shared by its kernels
/// and the CPU tests: element-wise operators, index mapping for broadcasting / Transpose /
/// Slice, one Conv output element, ReduceMean offsets, one Gemm / MatMul output element.
///
/// The functions marked AIRAN_HOST_DEVICE compile for the host and, under nvcc, for the device;
/// the kernels only add indexing and parallelism. The geometry structs are plain data passed to
/// kernels by value. Indices are 32-bit: a tensor has at most phy::nn::max_tensor_elements
/// (2^28) elements. The make_* helpers are host-only.
#pragma once

#include "airan/phy/host_device.h"

#include <cmath>
#include <cstdint>
#include <span>

namespace airan::gpu::onnx {

/// Most dimensions of a tensor (phy::nn::max_tensor_rank).
inline constexpr int max_rank = 8;

/// One-input operators (Relu also runs fused into Conv).
enum class UnaryOp : int { relu, sqrt, sigmoid, tanh, reciprocal, neg };
/// Two-input operators with NumPy broadcasting.
enum class BinaryOp : int { add, sub, mul, div };

/// \p op applied to \p x, as the CPU executor computes it.
AIRAN_HOST_DEVICE inline float apply_unary(UnaryOp op, float x) {
  switch (op) {
  case UnaryOp::relu:
    return x > 0.0F ? x : 0.0F;
  case UnaryOp::sqrt:
    return ::sqrtf(x);
  case UnaryOp::sigmoid:
    return 1.0F / (1.0F + ::expf(-x));
  case UnaryOp::tanh:
    return ::tanhf(x);
  case UnaryOp::reciprocal:
    return 1.0F / x;
  case UnaryOp::neg:
    return -x;
  }
  return x;
}

/// \p a op \p b.
AIRAN_HOST_DEVICE inline float apply_binary(BinaryOp op, float a, float b) {
  switch (op) {
  case BinaryOp::add:
    return a + b;
  case BinaryOp::sub:
    return a - b;
  case BinaryOp::mul:
    return a * b;
  case BinaryOp::div:
    return a / b;
  }
  return a;
}

/// Where an input element is, given the row-major linear index of an output element:
/// base + sum_d index_d * strides[d] over the output's dimensions (stride 0 along a broadcast
/// dimension, negative for a reversed Slice), or base + linear when contiguous.
struct IndexMap {
  int rank = 0;
  int base = 0;
  bool contiguous = false;
  int dims[max_rank] = {};    ///< Output dimensions.
  int strides[max_rank] = {}; ///< Input stride per output dimension.
};

/// Input offset of output element \p linear under \p map.
AIRAN_HOST_DEVICE inline int mapped_offset(const IndexMap& map, int linear) {
  if (map.contiguous) {
    return map.base + linear;
  }
  int offset = map.base;
  int rest = linear;
  for (int d = map.rank - 1; d >= 0; --d) {
    offset += (rest % map.dims[d]) * map.strides[d];
    rest /= map.dims[d];
  }
  return offset;
}

/// Map of an operand of shape \p in broadcast (NumPy rules, already checked) to \p out.
inline IndexMap make_broadcast_map(std::span<const std::int64_t> in,
                                   std::span<const std::int64_t> out) {
  IndexMap map;
  std::int64_t in_count = 1;
  std::int64_t out_count = 1;
  for (const std::int64_t dim : in) {
    in_count *= dim;
  }
  for (const std::int64_t dim : out) {
    out_count *= dim;
  }
  if (in_count == out_count) {
    map.contiguous = true; // same layout: broadcasting only adds or matches size-1 dimensions
    return map;
  }
  map.rank = static_cast<int>(out.size());
  std::int64_t stride = 1;
  for (std::size_t i = out.size(); i-- > 0;) {
    map.dims[i] = static_cast<int>(out[i]);
    const std::size_t from_end = out.size() - 1 - i;
    if (from_end < in.size()) {
      const std::int64_t dim = in[in.size() - 1 - from_end];
      map.strides[i] = dim == 1 ? 0 : static_cast<int>(stride);
      stride *= dim;
    }
  }
  return map;
}

/// Map that reads input offset base + sum_d index_d * strides[d] for output \p out (Transpose,
/// Slice, MatMul batches).
inline IndexMap make_strided_map(std::span<const std::int64_t> out, std::int64_t base,
                                 std::span<const std::int64_t> strides) {
  IndexMap map;
  map.rank = static_cast<int>(out.size());
  map.base = static_cast<int>(base);
  for (std::size_t d = 0; d < out.size(); ++d) {
    map.dims[d] = static_cast<int>(out[d]);
    map.strides[d] = static_cast<int>(strides[d]);
  }
  return map;
}

/// A 2-D convolution (NCHW) with its resolved padding.
struct ConvGeometry {
  int in_channels = 0, in_h = 0, in_w = 0;
  int out_channels = 0, out_h = 0, out_w = 0;
  int group_in_channels = 0;  ///< Weights' dimension 1.
  int group_out_channels = 0; ///< out_channels / group.
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0;
  bool relu = false; ///< A fused Relu: +0 where y is not above 0 (NaN included).
};

/// Output element \p index (row-major [n][oc][oy][ox]) of the convolution of \p x by \p weights
/// ([M][C / group][kH][kW]) plus \p bias ([M], or nullptr): the bias, then taps accumulated over
/// input channel, row and column as the CPU's direct loops do.
AIRAN_HOST_DEVICE inline float conv_output_element(const ConvGeometry& g, const float* x,
                                                   const float* weights, const float* bias,
                                                   int index) {
  const int ox = index % g.out_w;
  int rest = index / g.out_w;
  const int oy = rest % g.out_h;
  rest /= g.out_h;
  const int oc = rest % g.out_channels;
  const int n = rest / g.out_channels;
  const int first_channel = (oc / g.group_out_channels) * g.group_in_channels;
  const float* image = x + (n * g.in_channels + first_channel) * g.in_h * g.in_w;
  const float* taps = weights + oc * g.group_in_channels * g.kernel_h * g.kernel_w;
  float acc = bias != nullptr ? bias[oc] : 0.0F;
  for (int ic = 0; ic < g.group_in_channels; ++ic) {
    for (int ky = 0; ky < g.kernel_h; ++ky) {
      const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
      if (iy < 0 || iy >= g.in_h) {
        continue;
      }
      const float* row = image + (ic * g.in_h + iy) * g.in_w;
      const float* row_taps = taps + (ic * g.kernel_h + ky) * g.kernel_w;
      for (int kx = 0; kx < g.kernel_w; ++kx) {
        const int ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
        if (ix >= 0 && ix < g.in_w) {
          acc += row_taps[kx] * row[ix];
        }
      }
    }
  }
  return g.relu && !(acc > 0.0F) ? 0.0F : acc;
}

/// True for a depthwise 3x3 convolution with stride 1, no dilation and one pixel of padding on
/// every side (the depthwise half of the neural receiver's separable convolutions).
AIRAN_HOST_DEVICE inline bool is_depthwise_3x3(const ConvGeometry& g) {
  return g.group_in_channels == 1 && g.group_out_channels == 1 && g.in_channels == g.out_channels &&
         g.kernel_h == 3 && g.kernel_w == 3 && g.stride_h == 1 && g.stride_w == 1 &&
         g.dilation_h == 1 && g.dilation_w == 1 && g.pad_top == 1 && g.pad_left == 1 &&
         g.out_h == g.in_h && g.out_w == g.in_w;
}

/// conv_output_element() for is_depthwise_3x3(\p g): the same taps added in the same order (the
/// same float result), with the tap loops' bounds known at compile time (unrolled) and the
/// plane found with one division. The generic loops ran at 68 us per 96-channel depthwise
/// convolution of a 273-PRB slot on an H200 (a tenth of its memory bandwidth).
AIRAN_HOST_DEVICE inline float depthwise_3x3_output_element(const ConvGeometry& g, const float* x,
                                                            const float* weights, const float* bias,
                                                            int index) {
  const int plane_size = g.in_h * g.in_w;
  const int plane = index / plane_size; // n * channels + channel
  const int pixel = index - plane * plane_size;
  const int oy = pixel / g.in_w;
  const int ox = pixel - oy * g.in_w;
  const int channel = plane % g.out_channels;
  const float* image = x + static_cast<long long>(plane) * plane_size;
  const float* taps = weights + channel * 9;
  float acc = bias != nullptr ? bias[channel] : 0.0F;
  for (int ky = 0; ky < 3; ++ky) {
    const int iy = oy - 1 + ky;
    if (iy < 0 || iy >= g.in_h) {
      continue;
    }
    const float* row = image + iy * g.in_w;
    for (int kx = 0; kx < 3; ++kx) {
      const int ix = ox - 1 + kx;
      if (ix >= 0 && ix < g.in_w) {
        acc += taps[ky * 3 + kx] * row[ix];
      }
    }
  }
  return g.relu && !(acc > 0.0F) ? 0.0F : acc;
}

/// Bias and optional Relu applied after a pointwise convolution computed as a GEMM.
AIRAN_HOST_DEVICE inline float conv_epilogue(float value, float bias, bool relu) {
  const float y = value + bias;
  return relu && !(y > 0.0F) ? 0.0F : y;
}

/// Bias, a residual (the skip connection of a residual block, the Add folded into the
/// convolution) and optional Relu after a pointwise convolution computed as a GEMM: the
/// convolution's value first, as the Conv then the Add compute it.
AIRAN_HOST_DEVICE inline float conv_residual_epilogue(float value, float bias, float residual,
                                                      bool relu) {
  const float y = (value + bias) + residual;
  return relu && !(y > 0.0F) ? 0.0F : y;
}

/// ReduceMean of a tensor: the kept and the reduced dimensions with their input strides.
struct ReduceGeometry {
  int num_kept = 0;
  int kept_dims[max_rank] = {};
  int kept_strides[max_rank] = {};
  int num_reduced = 0;
  int reduced_dims[max_rank] = {};
  int reduced_strides[max_rank] = {};
  int reduced_count = 1; ///< Elements averaged per output element.
};

/// Offset of the first input element of output element \p element.
AIRAN_HOST_DEVICE inline int reduce_base_offset(const ReduceGeometry& g, int element) {
  int offset = 0;
  for (int k = g.num_kept - 1; k >= 0; --k) {
    offset += (element % g.kept_dims[k]) * g.kept_strides[k];
    element /= g.kept_dims[k];
  }
  return offset;
}

/// Offset, from the base, of reduced element \p r (row-major over the reduced dimensions).
AIRAN_HOST_DEVICE inline int reduce_element_offset(const ReduceGeometry& g, int r) {
  int offset = 0;
  for (int k = g.num_reduced - 1; k >= 0; --k) {
    offset += (r % g.reduced_dims[k]) * g.reduced_strides[k];
    r /= g.reduced_dims[k];
  }
  return offset;
}

/// Geometry of averaging \p shape over the dimensions whose \p reduced flag is set.
inline ReduceGeometry make_reduce_geometry(std::span<const std::int64_t> shape,
                                           std::span<const bool> reduced) {
  ReduceGeometry g;
  std::int64_t stride = 1;
  int strides[max_rank] = {};
  for (std::size_t d = shape.size(); d-- > 0;) {
    strides[d] = static_cast<int>(stride);
    stride *= shape[d];
  }
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (reduced[d]) {
      g.reduced_dims[g.num_reduced] = static_cast<int>(shape[d]);
      g.reduced_strides[g.num_reduced++] = strides[d];
      g.reduced_count *= static_cast<int>(shape[d]);
    } else {
      g.kept_dims[g.num_kept] = static_cast<int>(shape[d]);
      g.kept_strides[g.num_kept++] = strides[d];
    }
  }
  return g;
}

/// ONNX Gemm: Y[m][n] = alpha * sum_k A'[m][k] B'[k][n] + beta * C (C broadcast by strides).
struct GemmGeometry {
  int m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  float alpha = 1.0F, beta = 1.0F;
  int c_row_stride = 0, c_col_stride = 0; ///< 0 along a broadcast dimension of C.
};

/// Output element \p index (row-major [m][n]) of a Gemm; \p c may be nullptr.
AIRAN_HOST_DEVICE inline float gemm_element(const GemmGeometry& g, const float* a, const float* b,
                                            const float* c, int index) {
  const int row = index / g.n;
  const int col = index % g.n;
  float sum = 0.0F;
  for (int kk = 0; kk < g.k; ++kk) {
    const float av = g.trans_a ? a[kk * g.m + row] : a[row * g.k + kk];
    const float bv = g.trans_b ? b[col * g.k + kk] : b[kk * g.n + col];
    sum += av * bv;
  }
  sum *= g.alpha;
  if (c != nullptr) {
    sum += g.beta * c[row * g.c_row_stride + col * g.c_col_stride];
  }
  return sum;
}

/// ONNX MatMul with broadcast batch dimensions: matrices [m][k] x [k][n]; batch_a / batch_b map
/// an output batch index to the offset of the operand's matrix.
struct MatMulGeometry {
  int m = 1, n = 1, k = 0;
  IndexMap batch_a;
  IndexMap batch_b;
};

/// Output element \p index (row-major [batch][m][n]) of a MatMul.
AIRAN_HOST_DEVICE inline float matmul_element(const MatMulGeometry& g, const float* a,
                                              const float* b, int index) {
  const int batch = index / (g.m * g.n);
  const int within = index % (g.m * g.n);
  const int row = within / g.n;
  const int col = within % g.n;
  const float* a_row = a + mapped_offset(g.batch_a, batch) + row * g.k;
  const float* b_matrix = b + mapped_offset(g.batch_b, batch);
  float sum = 0.0F;
  for (int kk = 0; kk < g.k; ++kk) {
    sum += a_row[kk] * b_matrix[kk * g.n + col];
  }
  return sum;
}

} // namespace airan::gpu::onnx
