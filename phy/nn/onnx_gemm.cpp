/// \file
/// \brief Pointwise-convolution GEMM: Y[M][N] = W[M][K] X[K][N] + bias, blocked in 16-column
/// strips and 6-row weight panels (12 AVX2 accumulators, FMA), with a portable fallback.
///
/// The AVX2 functions carry a target attribute only, so the library stays portable x86-64;
/// best_gemm_isa() picks them when the CPU has AVX2 and FMA.
#include "airan/phy/nn/onnx_gemm_kernel.h"

#include "airan/phy/cpu_features.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AIRAN_NN_AVX2 __attribute__((target("avx2,fma")))
#endif

namespace airan::phy::nn {
namespace {

void gemm_columns_scalar(const GemmWeights& w, const float* x, std::int64_t ldx, float* y,
                         std::int64_t ldy, std::int64_t n_begin, std::int64_t n_end, bool relu) {
  for (std::int64_t m = 0; m < w.m; ++m) {
    float* row = y + m * ldy;
    const float bias = w.bias[static_cast<std::size_t>(m)];
    for (std::int64_t n = n_begin; n < n_end; ++n) {
      row[n] = bias;
    }
    const float* weights = w.plain.data() + m * w.k;
    for (std::int64_t k = 0; k < w.k; ++k) {
      const float weight = weights[k];
      const float* input = x + k * ldx;
      for (std::int64_t n = n_begin; n < n_end; ++n) {
        row[n] += weight * input[n];
      }
    }
    if (relu) {
      for (std::int64_t n = n_begin; n < n_end; ++n) {
        row[n] = relu_value(row[n]);
      }
    }
  }
}

#if defined(AIRAN_NN_AVX2)

/// Largest K whose X strip is packed (on the stack: 32 KiB).
constexpr std::int64_t max_packed_k = 512;

/// 6 rows x (8 * V) columns; Masked: one vector of fewer than 8 columns (lanes in \p mask).
template <int V, bool Masked>
AIRAN_NN_AVX2 void micro_kernel(const float* panel, const float* bias, const float* x,
                                std::int64_t ldx, std::int64_t k_count, float* y, std::int64_t ldy,
                                std::int64_t rows, bool relu, __m256i mask) {
  __m256 acc[gemm_panel_rows][V];
  for (int i = 0; i < gemm_panel_rows; ++i) {
    for (int v = 0; v < V; ++v) {
      acc[i][v] = _mm256_broadcast_ss(bias + i);
    }
  }
  for (std::int64_t k = 0; k < k_count; ++k) {
    const float* input = x + k * ldx;
    __m256 b[V];
    for (int v = 0; v < V; ++v) {
      b[v] =
          Masked ? _mm256_maskload_ps(input, mask) : _mm256_loadu_ps(input + std::ptrdiff_t{8} * v);
    }
    const float* weights = panel + k * gemm_panel_rows;
    for (int i = 0; i < gemm_panel_rows; ++i) {
      const __m256 a = _mm256_broadcast_ss(weights + i);
      for (int v = 0; v < V; ++v) {
        acc[i][v] = _mm256_fmadd_ps(a, b[v], acc[i][v]);
      }
    }
  }
  const __m256 zero = _mm256_setzero_ps();
  for (int i = 0; i < gemm_panel_rows; ++i) {
    if (i >= rows) {
      break;
    }
    float* out = y + i * ldy;
    for (int v = 0; v < V; ++v) {
      const __m256 value = relu ? _mm256_max_ps(acc[i][v], zero) : acc[i][v];
      if constexpr (Masked) {
        _mm256_maskstore_ps(out, mask, value);
      } else {
        _mm256_storeu_ps(out + std::ptrdiff_t{8} * v, value);
      }
    }
  }
}

AIRAN_NN_AVX2 void gemm_columns_avx2(const GemmWeights& w, const float* x, std::int64_t ldx,
                                     float* y, std::int64_t ldy, std::int64_t n_begin,
                                     std::int64_t n_end, bool relu) {
  const std::int64_t num_panels = (w.m + gemm_panel_rows - 1) / gemm_panel_rows;
  const __m256i no_mask = _mm256_setzero_si256();
  std::int64_t n = n_begin;
  // 16-column strips. The strip of X (K rows x 64 bytes, one page per row) is first copied to
  // a contiguous buffer so that the weight panels re-read it from L1 without TLB misses.
  alignas(64) float strip[max_packed_k * 16];
  const bool pack = w.k <= max_packed_k;
  for (; n + 16 <= n_end; n += 16) {
    const float* source = x + n;
    std::int64_t source_stride = ldx;
    if (pack) {
      for (std::int64_t k = 0; k < w.k; ++k) {
        _mm256_store_ps(strip + k * 16, _mm256_loadu_ps(x + k * ldx + n));
        _mm256_store_ps(strip + k * 16 + 8, _mm256_loadu_ps(x + k * ldx + n + 8));
      }
      source = strip;
      source_stride = 16;
    }
    for (std::int64_t p = 0; p < num_panels; ++p) {
      const std::int64_t row0 = p * gemm_panel_rows;
      micro_kernel<2, false>(w.packed.data() + p * w.k * gemm_panel_rows, w.bias.data() + row0,
                             source, source_stride, w.k, y + row0 * ldy + n, ldy,
                             std::min(gemm_panel_rows, w.m - row0), relu, no_mask);
    }
  }
  if (n + 8 <= n_end) {
    for (std::int64_t p = 0; p < num_panels; ++p) {
      const std::int64_t row0 = p * gemm_panel_rows;
      micro_kernel<1, false>(w.packed.data() + p * w.k * gemm_panel_rows, w.bias.data() + row0,
                             x + n, ldx, w.k, y + row0 * ldy + n, ldy,
                             std::min(gemm_panel_rows, w.m - row0), relu, no_mask);
    }
    n += 8;
  }
  if (n < n_end) {
    const auto lanes = static_cast<int>(n_end - n);
    const __m256i mask =
        _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (std::int64_t p = 0; p < num_panels; ++p) {
      const std::int64_t row0 = p * gemm_panel_rows;
      micro_kernel<1, true>(w.packed.data() + p * w.k * gemm_panel_rows, w.bias.data() + row0,
                            x + n, ldx, w.k, y + row0 * ldy + n, ldy,
                            std::min(gemm_panel_rows, w.m - row0), relu, mask);
    }
  }
}

#endif

} // namespace

GemmIsa best_gemm_isa() {
#if defined(AIRAN_NN_AVX2)
  return cpu_features().avx2_fma() ? GemmIsa::avx2 : GemmIsa::scalar;
#else
  return GemmIsa::scalar;
#endif
}

GemmWeights make_gemm_weights(std::span<const float> weights, std::int64_t m, std::int64_t k,
                              std::span<const float> bias) {
  GemmWeights w;
  w.m = m;
  w.k = k;
  w.plain.assign(weights.begin(), weights.end());
  const std::int64_t num_panels = (m + gemm_panel_rows - 1) / gemm_panel_rows;
  w.packed.assign(static_cast<std::size_t>(num_panels * k * gemm_panel_rows), 0.0F);
  w.bias.assign(static_cast<std::size_t>(num_panels * gemm_panel_rows), 0.0F);
  for (std::int64_t row = 0; row < m; ++row) {
    const std::int64_t panel = row / gemm_panel_rows;
    const std::int64_t lane = row % gemm_panel_rows;
    for (std::int64_t col = 0; col < k; ++col) {
      w.packed[static_cast<std::size_t>((panel * k + col) * gemm_panel_rows + lane)] =
          weights[static_cast<std::size_t>(row * k + col)];
    }
    if (!bias.empty()) {
      w.bias[static_cast<std::size_t>(row)] = bias[static_cast<std::size_t>(row)];
    }
  }
  return w;
}

void gemm_columns(const GemmWeights& weights, const float* x, std::int64_t ldx, float* y,
                  std::int64_t ldy, std::int64_t n_begin, std::int64_t n_end, bool relu,
                  GemmIsa isa) {
#if defined(AIRAN_NN_AVX2)
  if (isa == GemmIsa::avx2 && best_gemm_isa() == GemmIsa::avx2) {
    gemm_columns_avx2(weights, x, ldx, y, ldy, n_begin, n_end, relu);
    return;
  }
#endif
  (void)isa;
  gemm_columns_scalar(weights, x, ldx, y, ldy, n_begin, n_end, relu);
}

} // namespace airan::phy::nn
