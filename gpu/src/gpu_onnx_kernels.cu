/// \file
/// \brief CUDA kernels of GpuOnnxExecutor: one thread per output element (the math of
/// onnx_device_math.h), long ReduceMean reductions split over blocks (SplitReduction), and the
/// bias/residual/Relu epilogue of the cuBLAS pointwise convolution.
#include "airan/gpu/cuda_check.h"

#include "gpu_onnx_kernels.h"
#include "onnx_split_mean_elements.h"

#include <cstddef>
#include <stdexcept>

namespace airan::gpu::detail {
namespace {

constexpr int block_size = element_block_size;

unsigned blocks_for(int count) {
  return static_cast<unsigned>((count + block_size - 1) / block_size);
}

/// One thread per element of a launch: its per-element function (gpu_onnx_launches.h).
template <class L> __global__ void elements_kernel(L p) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < element_count(p)) {
    run_element(p, i);
  }
}

template <class L> void launch_elements(const L& launch, cudaStream_t stream, const char* name) {
  elements_kernel<<<blocks_for(element_count(launch)), block_size, 0, stream>>>(launch);
  AIRAN_CUDA_CHECK_LAUNCH(name);
}

__global__ void conv_epilogue_kernel(PointwiseConvLaunch p, int count) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < count) {
    run_epilogue_element(p, i);
  }
}

/// The sum of the block's \p value (one per thread), valid in every thread: the tree of
/// split_mean_tree_add() in shared memory. Ends with the block synchronised, so that it can be
/// called again.
__device__ double block_sum(double value) {
  __shared__ double partial[split_mean_threads];
  const int thread = static_cast<int>(threadIdx.x);
  partial[thread] = value;
  __syncthreads();
  for (int half = split_mean_threads / 2; half > 0; half /= 2) {
    split_mean_tree_add(partial, thread, half);
    __syncthreads();
  }
  const double total = partial[0];
  __syncthreads();
  return total;
}

/// A split mean (SplitReduction) of launch \p p, a ReduceMeanLaunch or a RegionLaunch: the
/// pieces of onnx_split_mean_elements.h with the barriers, the fence and the atomic count.
template <class L> __device__ void split_mean(const L& p) {
  static_assert(split_mean_threads == block_size);
  const int thread = static_cast<int>(threadIdx.x);
  const SplitMeanBlock b =
      split_mean_block(p.geometry.reduced_count, p.split.splits, static_cast<int>(blockIdx.x));
  const int base = onnx::reduce_base_offset(p.geometry, b.element);
  const double total = block_sum(split_mean_thread_sum(p, b, base, thread));
  __shared__ bool last;
  double* partials = split_mean_partials(p.split, b.element);
  if (thread == 0) {
    partials[b.split] = total;
    __threadfence(); // the partial is visible before the count says so
    last = split_mean_is_last(p.split, atomicAdd(p.split.counters + b.element, 1U));
  }
  __syncthreads();
  if (!last) {
    return;
  }
  __threadfence();
  const double partial_sum = split_mean_partials_sum(p.split.splits, thread, [&](int k) {
    return __ldcg(partials + k); // past L1: other blocks wrote them
  });
  const double sum = block_sum(partial_sum);
  if (thread == 0) {
    finish_split_mean(p.split, p.out, b.element, sum, p.geometry.reduced_count);
  }
}

__global__ void reduce_mean_split_kernel(ReduceMeanLaunch p) {
  split_mean(p);
}

/// A region ending in a long ReduceMean: each reduced element evaluated from the expression.
__global__ void region_mean_split_kernel(RegionLaunch p) {
  split_mean(p);
}

/// Block b runs block b - first_block of member block_members[b] (BatchLaunch), read once per
/// block into shared memory.
__global__ void batch_kernel(const BatchMember* members, const int* block_members) {
  static_assert(sizeof(BatchMember) % sizeof(unsigned long long) == 0);
  constexpr int words = static_cast<int>(sizeof(BatchMember) / sizeof(unsigned long long));
  __shared__ unsigned long long storage[words];
  const auto* source =
      reinterpret_cast<const unsigned long long*>(members + block_members[blockIdx.x]);
  for (int w = static_cast<int>(threadIdx.x); w < words; w += block_size) {
    storage[w] = source[w];
  }
  __syncthreads();
  const auto& member = *reinterpret_cast<const BatchMember*>(storage);
  const int i = (static_cast<int>(blockIdx.x) - member.first_block) * block_size +
                static_cast<int>(threadIdx.x);
  if (i < member.count) {
    run_member_element(member, i);
  }
}

unsigned split_grid(const SplitReduction& split, int count) {
  if (split.partials == nullptr || split.counters == nullptr || split.splits < 1) {
    throw std::logic_error("GPU ONNX: a long ReduceMean without its plan's split scratch");
  }
  return static_cast<unsigned>(split.splits) * static_cast<unsigned>(count);
}

} // namespace

void launch_region(const RegionLaunch& launch, cudaStream_t stream) {
  if (launch.reduce && reduction_splits(launch.geometry.reduced_count) > 0) {
    region_mean_split_kernel<<<split_grid(launch.split, launch.count), block_size, 0, stream>>>(
        launch);
    AIRAN_CUDA_CHECK_LAUNCH("region_mean_split_kernel");
  } else {
    launch_elements(launch, stream, "region kernel");
  }
}

void launch_batch(const BatchLaunch& launch, cudaStream_t stream) {
  if (launch.device_members == nullptr || launch.device_block_members == nullptr ||
      launch.blocks < 1) {
    throw std::logic_error("GPU ONNX: a batched launch without its plan's device members");
  }
  batch_kernel<<<static_cast<unsigned>(launch.blocks), block_size, 0, stream>>>(
      launch.device_members, launch.device_block_members);
  AIRAN_CUDA_CHECK_LAUNCH("batch_kernel");
}

void launch_unary(const UnaryLaunch& launch, cudaStream_t stream) {
  launch_elements(launch, stream, "unary kernel");
}

void launch_binary(const BinaryLaunch& launch, cudaStream_t stream) {
  launch_elements(launch, stream, "binary kernel");
}

void launch_strided_copy(const StridedCopyLaunch& launch, cudaStream_t stream) {
  launch_elements(launch, stream, "strided copy kernel");
}

void launch_conv(const ConvLaunch& launch, cudaStream_t stream) {
  launch_elements(launch, stream, "conv kernel");
}

void launch_conv_epilogue(const PointwiseConvLaunch& launch, cudaStream_t stream) {
  const int count = launch.batch * launch.out_channels * launch.pixels;
  conv_epilogue_kernel<<<blocks_for(count), block_size, 0, stream>>>(launch, count);
  AIRAN_CUDA_CHECK_LAUNCH("conv_epilogue_kernel");
}

void launch_reduce_mean(const ReduceMeanLaunch& launch, cudaStream_t stream) {
  if (reduction_splits(launch.geometry.reduced_count) == 0) {
    launch_elements(launch, stream, "reduce mean kernel");
  } else {
    reduce_mean_split_kernel<<<split_grid(launch.split, launch.count), block_size, 0, stream>>>(
        launch);
    AIRAN_CUDA_CHECK_LAUNCH("reduce_mean_split_kernel");
  }
}

void launch_gemm(const GemmLaunch& launch, cudaStream_t stream) {
  launch_elements(launch, stream, "gemm kernel");
}

void launch_matmul(const MatMulLaunch& launch, cudaStream_t stream) {
  launch_elements(launch, stream, "matmul kernel");
}

} // namespace airan::gpu::detail
