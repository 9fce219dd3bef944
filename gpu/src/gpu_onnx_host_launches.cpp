/// \file
/// \brief run_on_host(): GpuOnnxExecutor's launch records run on the host with the kernels'
/// per-element functions, so that CPU tests run whole plans (layout, in-place Concat inputs,
/// folded residuals, launch geometry) against the CPU executor.
#include "gpu_onnx_launches.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>

namespace airan::gpu::detail {
namespace {

template <class L> void run_elements(const L& launch, int count) {
  for (int i = 0; i < count; ++i) {
    run_element(launch, i);
  }
}

/// Y[b][m][p] = sum_k W[m][k] X[b][k][p] in k order, then the epilogue.
void run_pointwise_conv(const PointwiseConvLaunch& p) {
  const std::size_t pixels = static_cast<std::size_t>(p.pixels);
  const auto weights_ld =
      static_cast<std::size_t>(p.weights_ld != 0 ? p.weights_ld : p.in_channels);
  for (int b = 0; b < p.batch; ++b) {
    const float* x = p.x + static_cast<std::size_t>(b) * p.in_channels * pixels;
    float* y = p.y + static_cast<std::size_t>(b) * p.out_channels * pixels;
    for (int m = 0; m < p.out_channels; ++m) {
      float* row = y + static_cast<std::size_t>(m) * pixels;
      std::fill(row, row + pixels, 0.0F);
      for (int k = 0; k < p.in_channels; ++k) {
        const float w = p.weights[static_cast<std::size_t>(m) * weights_ld + k];
        const float* in = x + static_cast<std::size_t>(k) * pixels;
        for (std::size_t q = 0; q < pixels; ++q) {
          row[q] += w * in[q];
        }
      }
    }
  }
  if (p.bias != nullptr || p.relu || p.residual != nullptr) {
    for (int i = 0; i < p.batch * p.out_channels * p.pixels; ++i) {
      run_epilogue_element(p, i);
    }
  }
}

} // namespace

void run_on_host(const Launch& launch) {
  std::visit(
      [](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, DeviceCopyLaunch>) {
          for (std::size_t row = 0; row < p.rows; ++row) {
            std::memmove(reinterpret_cast<std::byte*>(p.target) + row * p.target_pitch,
                         reinterpret_cast<const std::byte*>(p.source) + row * p.source_pitch,
                         p.row_bytes);
          }
        } else if constexpr (std::is_same_v<T, PointwiseConvLaunch>) {
          run_pointwise_conv(p);

        } else {
          run_elements(p, element_count(p));
        }
      },
      launch);
}

} // namespace airan::gpu::detail
