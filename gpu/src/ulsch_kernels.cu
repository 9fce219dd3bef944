/// \file
/// \brief The UL-SCH rate recovery kernel: the shared per-position math of ldpc_rate_recovery.h
/// and ldpc_llr_quantization.h with one thread per (code block, circular-buffer position).
#include "ulsch_kernels.h"

#include "airan/gpu/cuda_check.h"
#include "airan/phy/ldpc_llr_quantization.h"

#include <algorithm>

namespace airan::gpu::detail {

namespace {

constexpr unsigned rate_recovery_threads = 256;

__global__ void rate_recovery_kernel(const RateRecoveryLaunch p) {
  const unsigned r = blockIdx.y;
  const unsigned position = blockIdx.x * blockDim.x + threadIdx.x;
  if (position >= p.recovery.received_length(r)) {
    return;
  }
  float* harq = p.harq != nullptr ? p.harq + std::size_t{r} * p.harq_stride : nullptr;
  const float soft = p.recovery.soft_value(p.llrs, r, position, harq);
  if (harq != nullptr) {
    harq[position] = soft;
  }
  const std::int8_t llr = phy::quantize_ldpc_llr(soft * p.llr_scale);
  p.ldpc_llrs[std::size_t{r} * p.ldpc_stride + position] = llr;
  if (llr != 0) {
    p.active[r] = 1; // every writer stores the same value
  }
}

} // namespace

void rate_recovery_launch(const RateRecoveryLaunch& launch, cudaStream_t stream) {
  if (launch.num_code_blocks == 0) {
    return;
  }
  AIRAN_CUDA_CHECK(cudaMemsetAsync(launch.active, 0, launch.num_code_blocks, stream));
  const unsigned longest = std::max(launch.recovery.received_short, launch.recovery.received_long);
  if (longest == 0) {
    return;
  }
  const dim3 grid((longest + rate_recovery_threads - 1) / rate_recovery_threads,
                  launch.num_code_blocks);
  rate_recovery_kernel<<<grid, rate_recovery_threads, 0, stream>>>(launch);
  AIRAN_CUDA_CHECK_LAUNCH("rate_recovery_kernel");
}

} // namespace airan::gpu::detail
