// DMRS generation of GpuPuschFrontEnd (TS 38.211 6.4.1.1.1): the values of
// phy::generate_pusch_dmrs bit for bit (phy::dmrs_value_weight/component), from the Gold
// sequence's warp-shared jump (gold_warp.cuh), or a transform-precoded PDU's low-PAPR sequence
// (generate_low_papr_dmrs_thread()); one PDU per launch or several PDUs' blocks in one grid
// (launch_batches.cuh).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/gold_sequence_jump.h"
#include "dmrs_generation_elements.h"
#include "front_end_kernels.h"
#include "gold_warp.cuh"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail {
namespace {

/// One block per (layer, DMRS symbol), one thread per 16 values (generate_dmrs_thread(),
/// dmrs_generation_elements.h): one Gold word gives the 32 sign bits; each warp takes 32
/// consecutive words from one cursor (gold_warp.cuh).
struct GenerateDmrsLaunch {
  static constexpr unsigned threads = dmrs_generation_threads;
  DmrsGenerationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void GenerateDmrsLaunch::run(LaunchBlock block) const {
  if (p.d.low_papr) { // transform precoding: the low-PAPR sequence, no Gold words
    generate_low_papr_dmrs_thread(p.g, p.d, block.index, threadIdx.x, blockDim.x, p.low_papr_phases,
                                  p.dmrs);
    return;
  }
  __shared__ phy::GoldJumpTable shared_table;
  load_gold_table(*p.table, shared_table);
  generate_dmrs_thread(
      p.g, p.d, block.index, threadIdx.x, blockDim.x,
      [](std::uint32_t c_init, std::uint32_t n) {
        return warp_gold_word_cursor(shared_table, c_init, n).next_word();
      },
      p.dmrs);
}

} // namespace

void launch_dmrs_generation(std::span<const DmrsGenerationPdu> pdus, cudaStream_t stream) {
  launch_all<GenerateDmrsLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        return std::pair(GenerateDmrsLaunch{pdus[i]}, dmrs_generation_blocks(pdus[i].g));
      },
      "generate_dmrs_kernel", stream);
}

} // namespace airan::gpu::detail
