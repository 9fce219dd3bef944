/// \file
/// \brief Compute kernels of the ONNX executor's convolutions, public so that benchmarks and
/// tests can compare the instruction sets: the pointwise (1x1) convolution as a blocked GEMM
/// Y[M][N] = W[M][K] X[K][N] + bias[M] (scalar and AVX2 + FMA, chosen at run time) and the
/// depthwise 3x3 convolution.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace airan::phy::nn {

/// The Relu of the runtime, fused or not: x for x > 0, else +0 (NaN and -0 included), so that a
/// Relu fused into a convolution gives the same bits as the Relu node after it.
inline float relu_value(float x) {
  return x > 0.0F ? x : 0.0F;
}

/// Instruction sets of the convolution kernels.
enum class GemmIsa { scalar, avx2 };

/// The best kernel this CPU runs (AVX2 + FMA when present).
GemmIsa best_gemm_isa();

/// Number of rows of one packed weight panel (the SIMD kernel's register tile height).
constexpr std::int64_t gemm_panel_rows = 6;

/// Weights of a pointwise product, plain and packed in panels of gemm_panel_rows rows.
struct GemmWeights {
  std::int64_t m = 0;
  std::int64_t k = 0;
  std::vector<float> plain;  ///< [M][K]
  std::vector<float> packed; ///< [ceil(M / 6)][K][6], zero-padded rows
  std::vector<float> bias;   ///< [ceil(M / 6) * 6], zeros when the node has none and as padding
};

/// Packs \p weights ([M][K], row-major) and \p bias ([M], or empty for none).
GemmWeights make_gemm_weights(std::span<const float> weights, std::int64_t m, std::int64_t k,
                              std::span<const float> bias);

/// Computes columns [n_begin, n_end) of Y ([M][ldy]) from X ([K][ldx]), applying relu_value if
/// \p relu. Every element is bias + sum over k in increasing order, so its value does not depend
/// on the column range (only on \p isa).
void gemm_columns(const GemmWeights& weights, const float* x, std::int64_t ldx, float* y,
                  std::int64_t ldy, std::int64_t n_begin, std::int64_t n_end, bool relu,
                  GemmIsa isa);

/// Depthwise 3x3 convolution of one channel plane with stride 1, dilation 1 and zero padding 1:
/// out[h][w] = bias + sum of the 9 taps in row-major order, then max(., 0) if \p relu.
void depthwise3x3_plane(const float* in, const float* weights9, float bias, float* out,
                        std::int64_t height, std::int64_t width, bool relu, GemmIsa isa);

} // namespace airan::phy::nn
