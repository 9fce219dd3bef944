/// \file
/// \brief run_on_host(): GpuOnnxExecutor's launch records run on the host with the kernels'
/// per-element functions, so that CPU tests run whole plans (layout, in-place Concat inputs,
/// folded residuals, launch geometry) against the CPU executor.
#include "gpu_onnx_launches.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <variant>
#include <vector>

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

/// A batch as batch_kernel runs it: block b of the laid-out grid runs its member's block
/// b - first_block, thread by thread (the members' copies and block map made here as the plan
/// makes them), so that host plans exercise the kernel's indexing.
void run_batch(const BatchLaunch& launch) {
  BatchLaunch laid_out = launch;
  std::vector<int> block_members;
  lay_out_batch(laid_out, block_members);
  for (int b = 0; b < laid_out.blocks; ++b) {
    const BatchMember& member = laid_out.members[static_cast<std::size_t>(block_members[b])];
    for (int t = 0; t < element_block_size; ++t) {
      const int i = (b - member.first_block) * element_block_size + t;
      if (i < member.count) {
        run_member_element(member, i);
      }
    }
  }
}

} // namespace

bool make_batch_member(const Launch& launch, BatchMember& member) {
  member = BatchMember{};
  if (const auto* p = std::get_if<UnaryLaunch>(&launch)) {
    member.kind = BatchedKind::unary;
    member.record.unary = *p;
  } else if (const auto* p = std::get_if<BinaryLaunch>(&launch)) {
    member.kind = BatchedKind::binary;
    member.record.binary = *p;
  } else if (const auto* p = std::get_if<StridedCopyLaunch>(&launch)) {
    member.kind = BatchedKind::strided_copy;
    member.record.strided_copy = *p;
  } else if (const auto* p = std::get_if<ConvLaunch>(&launch)) {
    member.kind = BatchedKind::conv;
    member.record.conv = *p;
  } else if (const auto* p = std::get_if<ReduceMeanLaunch>(&launch);
             p != nullptr && reduction_splits(p->geometry.reduced_count) == 0) {
    member.kind = BatchedKind::reduce_mean;
    member.record.reduce_mean = *p;
  } else if (const auto* p = std::get_if<GemmLaunch>(&launch)) {
    member.kind = BatchedKind::gemm;
    member.record.gemm = *p;
  } else if (const auto* p = std::get_if<MatMulLaunch>(&launch)) {
    member.kind = BatchedKind::matmul;
    member.record.matmul = *p;
  } else if (const auto* p = std::get_if<RegionLaunch>(&launch);
             p != nullptr && (!p->reduce || reduction_splits(p->geometry.reduced_count) == 0)) {
    member.kind = BatchedKind::region;
    member.record.region = *p;
  } else {
    return false;
  }
  member.count = std::visit(
      [](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, DeviceCopyLaunch> ||
                      std::is_same_v<T, PointwiseConvLaunch> || std::is_same_v<T, BatchLaunch>) {
          return 0;
        } else {
          return element_count(p);
        }
      },
      launch);
  return true;
}

void lay_out_batch(BatchLaunch& batch, std::vector<int>& block_members) {
  block_members.clear();
  batch.blocks = 0;
  for (std::size_t k = 0; k < batch.members.size(); ++k) {
    BatchMember& member = batch.members[k];
    member.first_block = batch.blocks;
    const int blocks = (member.count + element_block_size - 1) / element_block_size;
    block_members.insert(block_members.end(), static_cast<std::size_t>(blocks),
                         static_cast<int>(k));
    batch.blocks += blocks;
  }
}

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
        } else if constexpr (std::is_same_v<T, BatchLaunch>) {
          run_batch(p);
        } else {
          run_elements(p, element_count(p));
        }
      },
      launch);
}

} // namespace airan::gpu::detail
