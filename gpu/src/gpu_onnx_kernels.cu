/// \file
/// \brief CUDA kernels of GpuOnnxExecutor: one thread per output element (the math of
/// onnx_device_math.h), a block per output element for long ReduceMean reductions, and the
/// bias/residual/Relu epilogue of the cuBLAS pointwise convolution.
#include "airan/gpu/cuda_check.h"

#include "gpu_onnx_kernels.h"

namespace airan::gpu::detail {
namespace {

constexpr int block_size = 256;
/// Longest reduction summed by one thread; longer ones get a block per output element.
constexpr int max_thread_reduction = 256;

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

/// The mean of the block's \p sum values (one per thread) over \p count, in thread 0: a tree in
/// shared memory.
__device__ float block_mean(double sum, int count) {
  __shared__ double partial[block_size];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int half = block_size / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) {
      partial[threadIdx.x] += partial[threadIdx.x + half];
    }
    __syncthreads();
  }
  return static_cast<float>(partial[0] / count);
}

/// One block sums one output element: strided partial sums, then a tree in shared memory.
__global__ void reduce_mean_block_kernel(ReduceMeanLaunch p) {
  const int element = static_cast<int>(blockIdx.x);
  const float* in = p.in + onnx::reduce_base_offset(p.geometry, element);
  double sum = 0.0;
  for (int r = static_cast<int>(threadIdx.x); r < p.geometry.reduced_count; r += block_size) {
    sum += in[onnx::reduce_element_offset(p.geometry, r)];
  }
  const float mean = block_mean(sum, p.geometry.reduced_count);
  if (threadIdx.x == 0) {
    p.out[element] = mean;
  }
}

/// A region ending in a long ReduceMean: one block per output element, as
/// reduce_mean_block_kernel, each reduced element evaluated from the expression.
__global__ void region_mean_block_kernel(RegionLaunch p) {
  const int element = static_cast<int>(blockIdx.x);
  const int base = onnx::reduce_base_offset(p.geometry, element);
  double sum = 0.0;
  for (int r = static_cast<int>(threadIdx.x); r < p.geometry.reduced_count; r += block_size) {
    sum += onnx::evaluate_region(p.expression, base + onnx::reduce_element_offset(p.geometry, r));
  }
  const float mean = block_mean(sum, p.geometry.reduced_count);
  if (threadIdx.x == 0) {
    p.out[element] = mean;
  }
}

} // namespace

void launch_region(const RegionLaunch& launch, cudaStream_t stream) {
  if (launch.reduce && launch.geometry.reduced_count > max_thread_reduction) {
    region_mean_block_kernel<<<static_cast<unsigned>(launch.count), block_size, 0, stream>>>(
        launch);
    AIRAN_CUDA_CHECK_LAUNCH("region_mean_block_kernel");
  } else {
    launch_elements(launch, stream, "region kernel");
  }
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
  if (launch.geometry.reduced_count <= max_thread_reduction) {
    launch_elements(launch, stream, "reduce mean kernel");
  } else {
    reduce_mean_block_kernel<<<static_cast<unsigned>(launch.count), block_size, 0, stream>>>(
        launch);
    AIRAN_CUDA_CHECK_LAUNCH("reduce_mean_block_kernel");
  }
}

void launch_gemm(const GemmLaunch& launch, cudaStream_t stream) {
  launch_elements(launch, stream, "gemm kernel");
}

void launch_matmul(const MatMulLaunch& launch, cudaStream_t stream) {
  launch_elements(launch, stream, "matmul kernel");
}

} // namespace airan::gpu::detail
