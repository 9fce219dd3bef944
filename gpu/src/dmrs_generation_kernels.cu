// DMRS generation of GpuPuschFrontEnd (TS 38.211 6.4.1.1.1): the values of
// phy::generate_pusch_dmrs bit for bit (phy::dmrs_value_weight/component), from the Gold
// sequence's warp-shared jump (gold_warp.cuh); one PDU per launch or several PDUs' blocks in one
// grid (launch_batches.cuh).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/gold_sequence_jump.h"
#include "front_end_kernels.h"
#include "gold_warp.cuh"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail {
namespace {

/// One block per (layer, DMRS symbol), one thread per 16 values: one Gold word gives the 32 sign
/// bits; each warp takes 32 consecutive words from one cursor (gold_warp.cuh). 128 threads: 128
/// words (2048 values, 341 PRB of type 1) in one pass.
struct GenerateDmrsLaunch {
  static constexpr unsigned threads = 128;
  DmrsGenerationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void GenerateDmrsLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  const DmrsGeneration& d = p.d;
  __shared__ phy::GoldJumpTable shared_table;
  load_gold_table(*p.table, shared_table);
  const unsigned words = (g.num_values + 15) / 16;
  const unsigned s = block.index % g.num_dmrs_symbols;
  const unsigned layer = block.index / g.num_dmrs_symbols;
  const int w_t = d.w_t[layer][d.l_prime[s]];
  const float weights[2] = {phy::dmrs_value_weight(g.beta, w_t, d.w_f[layer][0]),
                            phy::dmrs_value_weight(g.beta, w_t, d.w_f[layer][1])};
  float2* out = p.dmrs + (std::size_t{layer} * max_symbols + s) * g.num_values;
  const unsigned lane = threadIdx.x % 32;
  for (unsigned first = threadIdx.x - lane; first < words; first += blockDim.x) { // per warp
    const std::uint32_t bits =
        warp_gold_word_cursor(shared_table, d.c_init[s], d.first_gold_bit + 32 * first).next_word();
    const unsigned w = first + lane;
    if (w < words) {
      phy::dmrs_values_from_gold_word(
          bits, weights, w, g.num_values,
          [out](unsigned i, float re, float im) { out[i] = make_float2(re, im); });
    }
  }
}

} // namespace

void launch_dmrs_generation(std::span<const DmrsGenerationPdu> pdus, cudaStream_t stream) {
  launch_all<GenerateDmrsLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const PduGeometry& g = pdus[i].g;
        const std::uint32_t blocks = g.num_values == 0 ? 0U : g.num_layers * g.num_dmrs_symbols;
        return std::pair(GenerateDmrsLaunch{pdus[i]}, blocks);
      },
      "generate_dmrs_kernel", stream);
}

} // namespace airan::gpu::detail
