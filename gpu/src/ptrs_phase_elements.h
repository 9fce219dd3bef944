/// \file
/// \brief PT-RS phase tracking on the device (phy/ptrs_phase_tracking.h's estimate_ptrs_phases):
/// the launch arguments of one PDU and the per-thread pieces of ptrs_phase_kernel
/// (ptrs_phase_kernels.cu). One block per PDU: a thread per (PT-RS symbol, antenna) sums
/// conj(h p) y over the symbol's PT-RS subcarriers in float, in subcarrier order as the CPU does;
/// thread 0 then adds each symbol's antennas in double, takes the argument, gives the DMRS
/// symbols their occasion's phase (the CFO kernel's alignment), interpolates the other symbols
/// and writes each symbol's phase and exp(-j phase) to the estimator state, which the equalizer
/// reads. The PT-RS values come from the DMRS the device generated (the same Gold bits on the
/// first DMRS symbol of the associated port, phy::ptrs_component_from_dmrs), so nothing is
/// uploaded per slot. Host and device, so that a CPU test runs the block against
/// phy::PuschFrontEnd (tests/gpu/ptrs_emulation_test.cpp).
#pragma once

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/host_device.h"
#include "airan/phy/ptrs_phase_math.h"
#include "airan/phy/ptrs_phase_tracking.h"
#include "airan/phy/ptrs_pusch.h"
#include "front_end_kernels.h"

#include <cstddef>
#include <span>

namespace airan::phy {
struct PuschConfig;
} // namespace airan::phy

namespace airan::gpu::detail {

/// Threads of ptrs_phase_kernel's block: one per (symbol, antenna) of up to 14 x 16.
inline constexpr unsigned ptrs_phase_threads = 256;
/// Receive antennas a PDU may have for the block's shared sums.
inline constexpr unsigned ptrs_phase_max_rx = 16;
static_assert(ptrs_phase_threads >= max_symbols * ptrs_phase_max_rx);

/// One PDU's PT-RS phase estimation: launch_ptrs_phases()'s arguments.
struct PtrsPhasePdu {
  PduGeometry g;
  phy::PtrsPattern pattern; ///< Where the PT-RS lies (its layer among the PDU's).
  phy::DmrsConfigType type = phy::DmrsConfigType::type1;
  unsigned count = 0;              ///< PT-RS subcarriers (phy::ptrs_count()).
  float amplitude = 0.0F;          ///< beta_PT-RS / sqrt(2): a PT-RS value component's size.
  int w_f[2] = {1, 1};             ///< w_f(k') of the PT-RS layer's DMRS port.
  const float2* grid = nullptr;    ///< [rx][symbol][carrier subcarrier].
  const float2* dmrs = nullptr;    ///< launch_dmrs_generation()'s [layer][14][value].
  const float2* h = nullptr;       ///< The estimate, [rx][layer][14][allocated subcarrier].
  EstimatorState* state = nullptr; ///< After record_cfo(); gets ptrs_phases, ptrs_rotation.
};

/// The arguments for \p pusch of geometry \p g (whose DMRS generation \p generation made), or
/// count 0 when the PDU has no PT-RS to track (then the kernel runs no block for it) (host).
PtrsPhasePdu make_ptrs_phase_pdu(const phy::PuschConfig& pusch, const PduGeometry& g,
                                 const DmrsGeneration& generation);

/// Enqueues the phases of every PDU of \p pdus with PT-RS (a block each in one grid).
/// \throws std::invalid_argument (before any launch) for such a PDU of more than
/// ptrs_phase_max_rx antennas (GpuPuschFrontEndLimits allows no more).
void launch_ptrs_phases(std::span<const PtrsPhasePdu> pdus, cudaStream_t stream);

/// Slot symbol and antenna of item \p item of the block (symbols of the slot times antennas,
/// antennas fastest); false when the item has no PT-RS to sum.
AIRAN_HOST_DEVICE inline bool ptrs_item(const PtrsPhasePdu& p, unsigned item, unsigned& symbol,
                                        unsigned& rx) {
  symbol = item / p.g.num_rx;
  rx = item % p.g.num_rx;
  return symbol >= p.g.start_symbol && symbol < p.g.end_symbol && p.pattern.on_symbol(symbol);
}

/// sum_n conj(h p) y over PT-RS subcarrier n of \p symbol at antenna \p rx, in float from n = 0
/// up (phy::ptrs_correlation_add()), the values p read from the generated DMRS.
AIRAN_HOST_DEVICE inline float2 ptrs_row_correlation(const PtrsPhasePdu& p, unsigned symbol,
                                                     unsigned rx) {
  const PduGeometry& g = p.g;
  const unsigned layer = p.pattern.layer;
  const float2* y = p.grid + (std::size_t{rx} * g.grid_symbols + symbol) * g.grid_subcarriers +
                    g.first_subcarrier;
  const float2* h =
      p.h + ((std::size_t{rx} * g.num_layers + layer) * max_symbols + symbol) * g.num_subcarriers;
  const float2* dmrs = p.dmrs + std::size_t{layer} * max_symbols * g.num_values; // first symbol
  float re = 0.0F;
  float im = 0.0F;
  for (unsigned n = 0; n < p.count; ++n) {
    const unsigned k = p.pattern.offset + n * p.pattern.period;
    const unsigned i = phy::dmrs_value_index(p.type, g.deltas[layer], k);
    const float2 v = dmrs[i];
    const int w_f = p.w_f[i % 2];
    phy::ptrs_correlation_add(y[k].x, y[k].y, h[k].x, h[k].y,
                              phy::ptrs_component_from_dmrs(v.x, w_f, p.amplitude),
                              phy::ptrs_component_from_dmrs(v.y, w_f, p.amplitude), re, im);
  }
  return make_float2(re, im);
}

/// Thread 0's work from the rows' correlations \p sums ([slot symbol][antenna], the items'
/// order): each PT-RS symbol's phase from its antennas' sums added in double in antenna order,
/// the DMRS symbols' occasion phases, the other symbols interpolated
/// (phy::interpolate_ptrs_phase_run()), then every slot symbol's phase and rotation into
/// p.state.
AIRAN_HOST_DEVICE inline void finish_ptrs_phases(const PtrsPhasePdu& p, const float2* sums) {
  const PduGeometry& g = p.g;
  float phases[max_symbols] = {};
  for (unsigned l = g.start_symbol; l < g.end_symbol; ++l) {
    if (!p.pattern.on_symbol(l)) {
      continue;
    }
    double re = 0.0;
    double im = 0.0;
    for (unsigned r = 0; r < g.num_rx; ++r) {
      re += sums[l * g.num_rx + r].x;
      im += sums[l * g.num_rx + r].y;
    }
    phases[l] = phy::ptrs_symbol_phase(re, im);
  }
  unsigned anchors = p.pattern.symbol_mask;
  for (unsigned s = 0; s < g.num_dmrs_symbols; ++s) {
    const unsigned l = g.dmrs_symbols[s];
    phases[l] = p.state->occasion_phases[s / g.symbols_per_occasion];
    anchors |= 1U << l;
  }
  const unsigned count = g.grid_symbols < max_symbols ? g.grid_symbols : max_symbols;
  phy::interpolate_ptrs_phase_run(g.start_symbol, g.end_symbol - g.start_symbol, anchors, phases,
                                  count);
  for (unsigned l = 0; l < max_symbols; ++l) {
    float c = 1.0F;
    float d = 0.0F;
    phy::ptrs_derotation(phases[l], c, d);
    p.state->ptrs_phases[l] = phases[l];
    p.state->ptrs_rotation[l] = make_float2(c, d);
  }
}

} // namespace airan::gpu::detail
