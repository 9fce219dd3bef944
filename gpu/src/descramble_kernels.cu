/// \file
/// \brief LLR descrambling on the device: one thread per 32 LLRs takes its Gold word by jump-ahead
/// (phy::gold_sequence_word) and flips the signs (phy::descramble_llr_word), the CPU
/// descrambler's output bit for bit.
#include "front_end_kernels.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/pusch_descrambler.h"

namespace airan::gpu::detail {
namespace {

constexpr unsigned descramble_block = 256;

__global__ void descramble_kernel(float* __restrict__ llrs, std::size_t count, std::uint32_t c_init,
                                  const phy::GoldJumpTable* __restrict__ table) {
  const std::size_t word = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x;
  const std::size_t first = 32 * word;
  if (first >= count) {
    return;
  }
  const auto n = static_cast<unsigned>(count - first < 32 ? count - first : 32);
  phy::descramble_llr_word(
      llrs + first, n, phy::gold_sequence_word(*table, c_init, static_cast<std::uint32_t>(first)));
}

} // namespace

void launch_descramble(float* llrs, std::size_t count, std::uint32_t c_init,
                       const phy::GoldJumpTable* table, cudaStream_t stream) {
  const std::size_t words = (count + 31) / 32;
  if (words == 0) {
    return;
  }
  const auto blocks = static_cast<unsigned>((words + descramble_block - 1) / descramble_block);
  descramble_kernel<<<blocks, descramble_block, 0, stream>>>(llrs, count, c_init, table);
  AIRAN_CUDA_LAUNCHED("descramble_kernel", stream);
}

} // namespace airan::gpu::detail
