/// \file
/// \brief Depthwise 3x3 convolution (stride 1, dilation 1, zero padding 1) of one channel plane:
/// nine vectorisable passes per output row over data that stays in L1, compiled twice (portable
/// and AVX2) from one template.
#include "airan/phy/nn/onnx_gemm_kernel.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#define AIRAN_NN_AVX2_FLATTEN __attribute__((target("avx2,fma"), flatten))
#endif

namespace airan::phy::nn {
namespace {

/// out[w] += weight * in[w + shift] for the w where in[w + shift] lies inside the row.
inline void add_tap(float* __restrict out, const float* __restrict in, float weight,
                    std::int64_t shift, std::int64_t width) {
  const std::int64_t begin = std::max<std::int64_t>(0, -shift);
  const std::int64_t end = std::min(width, width - shift);
  for (std::int64_t w = begin; w < end; ++w) {
    out[w] += weight * in[w + shift];
  }
}

/// Every output element is bias, then the taps (dy, dx) in row-major order, then ReLU.
inline void plane(const float* in, const float* weights9, float bias, float* out,
                  std::int64_t height, std::int64_t width, bool relu) {
  for (std::int64_t h = 0; h < height; ++h) {
    float* row = out + h * width;
    std::fill(row, row + width, bias);
    for (std::int64_t dy = 0; dy < 3; ++dy) {
      const std::int64_t source = h + dy - 1;
      if (source < 0 || source >= height) {
        continue;
      }
      const float* input = in + source * width;
      for (std::int64_t dx = 0; dx < 3; ++dx) {
        add_tap(row, input, weights9[dy * 3 + dx], dx - 1, width);
      }
    }
    if (relu) {
      for (std::int64_t w = 0; w < width; ++w) {
        row[w] = relu_value(row[w]);
      }
    }
  }
}

void plane_portable(const float* in, const float* weights9, float bias, float* out,
                    std::int64_t height, std::int64_t width, bool relu) {
  plane(in, weights9, bias, out, height, width, relu);
}

#if defined(AIRAN_NN_AVX2_FLATTEN)
AIRAN_NN_AVX2_FLATTEN void plane_avx2(const float* in, const float* weights9, float bias,
                                      float* out, std::int64_t height, std::int64_t width,
                                      bool relu) {
  plane(in, weights9, bias, out, height, width, relu);
}
#endif

} // namespace

void depthwise3x3_plane(const float* in, const float* weights9, float bias, float* out,
                        std::int64_t height, std::int64_t width, bool relu, GemmIsa isa) {
#if defined(AIRAN_NN_AVX2_FLATTEN)
  if (isa == GemmIsa::avx2 && best_gemm_isa() == GemmIsa::avx2) {
    plane_avx2(in, weights9, bias, out, height, width, relu);
    return;
  }
#endif
  (void)isa;
  plane_portable(in, weights9, bias, out, height, width, relu);
}

} // namespace airan::phy::nn
