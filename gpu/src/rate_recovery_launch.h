/// \file
/// \brief One transport block's rate recovery on the device (GpuUlschDecoder): the launch's
/// parameters and the per-work-item step shared by rate_recovery_kernel (ulsch_kernels.cu, its
/// own kernel) and the LDPC kernel that recovers its code block before decoding it
/// (ldpc_kernels.cu). Plain C++ with AIRAN_HOST_DEVICE functions, so that host tests run the step
/// as the kernels do.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/ldpc_llr_quantization.h"
#include "airan/phy/ulsch_code_block.h"

#include <cstddef>
#include <cstdint>

namespace airan::gpu::detail {

/// One transport block's rate recovery: the shared per-position math and device pointers.
struct RateRecoveryLaunch {
  phy::ulsch::GatherRateRecovery recovery;
  unsigned num_code_blocks = 0;
  const float* llrs = nullptr; ///< The G descrambled LLRs of the codeword.
  /// HARQ buffer (num_code_blocks circular buffers of harq_stride values) or null (a single
  /// transmission); receives the combined soft values.
  float* harq = nullptr;
  unsigned harq_stride = 0;
  float llr_scale = 4.0F;
  std::int8_t* ldpc_llrs = nullptr; ///< Code block r's decoder LLRs at r * ldpc_stride.
  std::size_t ldpc_stride = 0;
  /// Set to active_mark for a code block with a nonzero decoder LLR (LdpcKernelBatch::active):
  /// a mark per transport block, so that no flag is ever cleared. Only rate_recovery_kernel
  /// writes it (the LDPC kernel that recovers its own code block reduces the flag in the block).
  std::uint32_t* active = nullptr;
  std::uint32_t active_mark = 1;
};

/// Work item \p item of code block \p r (GatherRateRecovery::item_position(): one
/// circular-buffer position, or none): its soft value, HARQ combined and stored back into the
/// block's HARQ buffer (when there is one), and its int8 decoder LLR (phy::quantize_ldpc_llr of
/// the soft value times llr_scale) into ldpc_llrs. \returns whether that LLR is nonzero (false for
/// an item without a position, or one at or beyond received_length(r), which writes nothing).
AIRAN_HOST_DEVICE inline bool recover_rate_item(const RateRecoveryLaunch& p, unsigned r,
                                                unsigned item) {
  const unsigned position =
      item < p.recovery.num_items(r) ? p.recovery.item_position(r, item) : ~0U;
  if (position >= p.recovery.received_length(r)) {
    return false;
  }
  float* harq = p.harq != nullptr ? p.harq + std::size_t{r} * p.harq_stride : nullptr;
  const float soft = p.recovery.soft_value(p.llrs, r, position, harq);
  if (harq != nullptr) {
    harq[position] = soft;
  }
  const std::int8_t llr = phy::quantize_ldpc_llr(soft * p.llr_scale);
  p.ldpc_llrs[std::size_t{r} * p.ldpc_stride + position] = llr;
  return llr != 0;
}

} // namespace airan::gpu::detail
