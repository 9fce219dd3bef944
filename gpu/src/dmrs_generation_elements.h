/// \file
/// \brief Per-thread code of the DMRS generation kernel (dmrs_generation_kernels.cu): which layer
/// and DMRS symbol a block generates, its weights (w_t, w_f, beta), its Gold sequence (c_init,
/// first bit) and a thread's 16 values from each of its Gold words. Host and device, the Gold
/// words from a callable (on the device the warp's shared jump, gold_warp.cuh; on the host an
/// emulated warp or phy's words), so that a CPU test runs each thread's code on the geometry that
/// make_pdu_geometry() builds against phy::generate_pusch_dmrs
/// (tests/gpu/front_end_emulation_dmrs.h).
#pragma once

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/host_device.h"
#include "airan/phy/low_papr_sequence_math.h"
#include "front_end_kernels.h"
#include "gold_warp_elements.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace airan::gpu::detail {

/// Threads per block of the DMRS generation kernel, one per 16 values: 128 words (2048 values,
/// 341 PRB of type 1) in one pass.
inline constexpr unsigned dmrs_generation_threads = 128;

/// Blocks of the DMRS generation kernel for \p g: one per (layer, DMRS symbol); none without
/// values.
AIRAN_HOST_DEVICE inline unsigned dmrs_generation_blocks(const PduGeometry& g) {
  return g.num_values == 0 ? 0U : g.num_layers * g.num_dmrs_symbols;
}

/// Thread \p thread of block \p block (of \p threads threads) of the DMRS generation of (\p g,
/// \p d) into \p dmrs ([layer][max_symbols][g.num_values]): block (layer, DMRS symbol s), DMRS
/// symbols fastest, with the weights of w_t(l'(s)) and w_f(k') and the Gold sequence of
/// c_init(s) from bit first_gold_bit. Each warp takes 32 consecutive Gold words at a time: lane l
/// of the warp whose first word is f gets \p warp_gold_word(c_init, first_gold_bit + 32 f), which
/// must return c(n + 32 l) .. c(n + 32 l + 31) for its arguments (c_init, n) (every lane of the
/// warp calls it), and writes values 16 (f + l) .. 16 (f + l) + 15 that are below g.num_values
/// (phy::dmrs_values_from_gold_word). (\p dmrs by reference, read where the values are stored,
/// as the kernel read its parameter before: a copy moved the load ahead of the loop.)
template <typename WarpGoldWord>
AIRAN_HOST_DEVICE inline void
generate_dmrs_thread(const PduGeometry& g, const DmrsGeneration& d, unsigned block, unsigned thread,
                     unsigned threads, WarpGoldWord&& warp_gold_word, float2* const& dmrs) {
  const unsigned words = (g.num_values + 15) / 16;
  const unsigned s = block % g.num_dmrs_symbols;
  const unsigned layer = block / g.num_dmrs_symbols;
  const int w_t = d.w_t[layer][d.l_prime[s]];
  const float weights[2] = {phy::dmrs_value_weight(g.beta, w_t, d.w_f[layer][0]),
                            phy::dmrs_value_weight(g.beta, w_t, d.w_f[layer][1])};
  float2* out = dmrs + (std::size_t{layer} * max_symbols + s) * g.num_values;
  const unsigned lane = thread % warp_lanes;
  for (unsigned first = thread - lane; first < words; first += threads) { // per warp
    const std::uint32_t bits = warp_gold_word(d.c_init[s], d.first_gold_bit + 32 * first);
    const unsigned w = first + lane;
    if (w < words) {
      phy::dmrs_values_from_gold_word(
          bits, weights, w, g.num_values,
          [out](unsigned i, float re, float im) { out[i] = make_float2(re, im); });
    }
  }
}

/// Rows of the device's low-PAPR phase table (make_low_papr_phase_tables()): one per table length
/// (6, 12, 18, 24) and group, of phy::low_papr_max_table_length entries each.
inline constexpr unsigned low_papr_phase_table_rows = 4 * 30;

/// The row of group \p u of length \p m_zc (6, 12, 18 or 24) in the phase table \p phases.
AIRAN_HOST_DEVICE inline const std::int8_t* low_papr_phase_row(const std::int8_t* phases,
                                                               unsigned m_zc, unsigned u) {
  return phases + std::size_t{(m_zc / 6 - 1) * 30 + u} * phy::low_papr_max_table_length;
}

/// The phase table of the low-PAPR base sequences of lengths 6 .. 24 in the device's layout
/// (low_papr_phase_row()), from phy::low_papr_table_phases(). (Host.)
std::vector<std::int8_t> make_low_papr_phase_tables();

/// Thread \p thread of block \p block (of \p threads threads) of a transform-precoded PDU's DMRS
/// generation (d.low_papr; one layer): block (layer, DMRS symbol s) as generate_dmrs_thread(),
/// values thread, thread + threads, ... of beta w_f(k') w_t(l') r_{u,v}(i) with u and v of symbol
/// s, as phy::generate_pusch_dmrs computes them (a float angle, its cosine and sine times the
/// weight), the phases of lengths 6 .. 24 from \p phases (make_low_papr_phase_tables()).
AIRAN_HOST_DEVICE inline void generate_low_papr_dmrs_thread(const PduGeometry& g,
                                                            const DmrsGeneration& d, unsigned block,
                                                            unsigned thread, unsigned threads,
                                                            const std::int8_t* phases,
                                                            float2* dmrs) {
  const unsigned s = block % g.num_dmrs_symbols;
  const unsigned layer = block / g.num_dmrs_symbols;
  const int w_t = d.w_t[layer][d.l_prime[s]];
  const float weights[2] = {g.beta * static_cast<float>(w_t * d.w_f[layer][0]),
                            g.beta * static_cast<float>(w_t * d.w_f[layer][1])};
  const phy::LowPaprBase base = phy::low_papr_base(g.num_values, d.n_zc, d.u[s], d.v[s]);
  const std::int8_t* row = g.num_values <= phy::low_papr_max_table_length
                               ? low_papr_phase_row(phases, g.num_values, d.u[s])
                               : nullptr;
  float2* out = dmrs + (std::size_t{layer} * max_symbols + s) * g.num_values;
  for (unsigned i = thread; i < g.num_values; i += threads) {
    const auto angle = static_cast<float>(phy::low_papr_base_phase(base, row, i));
    const float w = weights[i % 2];
    out[i] = make_float2(cosf(angle) * w, sinf(angle) * w);
  }
}

} // namespace airan::gpu::detail
