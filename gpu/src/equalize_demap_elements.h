/// \file
/// \brief Per-RE work of the fused equalization and demapping kernel
/// (equalize_demap_kernels.cu): one data RE's y, H (and MMSE-IRC whitening) equalized with the
/// CPU's per-RE kernel, its layers' symbols, noise variances and LLRs written in codeword order,
/// descrambled when the codeword's Gold words are given. Host and device, so that a CPU test
/// runs whole PDUs with it against phy::PuschFrontEnd (tests/gpu/front_end_emulation_test.cpp);
/// the kernel adds the thread index and the demapping table in shared memory.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/irc_whitening.h"
#include "airan/phy/mimo_equalizer.h"
#include "airan/phy/ptrs_phase_math.h"
#include "airan/phy/pusch_data_layout.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/soft_demapper.h"
#include "front_end_kernels.h"

#include <cstddef>
#include <cstdint>

namespace airan::gpu::detail {

/// Largest modulation order the kernel demaps (256-QAM).
inline constexpr unsigned max_qm = 8;

AIRAN_HOST_DEVICE inline phy::cmat::Complex to_complex(float2 v) {
  return {v.x, v.y};
}

/// Element \p i (< N) of \p values, selected by a comparison per element rather than indexed,
/// so that the loop that runs over \p i need not unroll for \p values to stay in registers.
template <typename T, unsigned N>
AIRAN_HOST_DEVICE inline T element_at(const T (&values)[N], unsigned i) {
  T value = values[0];
  AIRAN_UNROLL
  for (unsigned j = 1; j < N; ++j) {
    if (i == j) {
      value = values[j];
    }
  }
  return value;
}

/// Writes the LLRs of layer symbol \p index (equalized \p x, post-equalization noise \p noise):
/// Q_m known at compile time (1: pi/2-BPSK), so that the values stay in registers; descrambled
/// from the codeword's Gold words when \p scrambling is given.
template <unsigned Qm>
AIRAN_HOST_DEVICE inline void
demap_layer(const phy::PamLlrTable& table, phy::cmat::Complex x, float noise, std::size_t index,
            const std::uint32_t* __restrict__ scrambling, float* __restrict__ llrs) {
  float values[Qm];
  if constexpr (Qm == 1) {
    values[0] = phy::pi2_bpsk_symbol_llr(x.re, x.im, noise, index);
  } else {
    phy::qam_symbol_llrs_fixed<Qm>(table, x.re, x.im, noise, values);
  }
  if (scrambling != nullptr) {
    phy::descramble_llrs_from_words(values, Qm, index * Qm, scrambling);
  }
  for (unsigned b = 0; b < Qm; ++b) {
    llrs[index * Qm + b] = values[b];
  }
}

/// demap_layer() with the Q_m \p qm of the PDU (1, 2, 4, 6 or 8: the launchers refuse any
/// other), shared by the equalizer and the deprecoding's demapper.
AIRAN_HOST_DEVICE inline void demap_symbol(unsigned qm, const phy::PamLlrTable& table,
                                           phy::cmat::Complex x, float noise, std::size_t index,
                                           const std::uint32_t* __restrict__ scrambling,
                                           float* __restrict__ llrs) {
  switch (qm) {
  case 1:
    demap_layer<1>(table, x, noise, index, scrambling, llrs);
    break;
  case 2:
    demap_layer<2>(table, x, noise, index, scrambling, llrs);
    break;
  case 4:
    demap_layer<4>(table, x, noise, index, scrambling, llrs);
    break;
  case 6:
    demap_layer<6>(table, x, noise, index, scrambling, llrs);
    break;
  default: // 8
    demap_layer<max_qm>(table, x, noise, index, scrambling, llrs);
    break;
  }
}

/// The equalizer's noise variance on a hop of an intra-slot hopping PDU whose hops' states are
/// \p first and \p second: the hop's (\p hop's) noise variance, at least 1e-7 of the channel
/// power of the mean RSRP of both hops (phy::merge_hop_estimates() and the CPU front end's
/// floor; \p beta the DMRS amplitude).
AIRAN_HOST_DEVICE inline float hopping_equalizer_noise(const EstimatorState& hop,
                                                       const EstimatorState& first,
                                                       const EstimatorState& second, float beta) {
  const float rsrp = 0.5F * (first.rsrp + second.rsrp);
  return fmaxf(hop.noise_variance, 1e-7F * (rsrp / (beta * beta)));
}

/// Data RE \p re (< p.d.layout.num_res()) of \p p, demapped with \p table (p.d.qm's; equalized
/// only with p.d.transform_precoding), its
/// received values first rotated by its symbol's PT-RS rotation when p.d.rotate. With
/// MaxRx up to 4, y, H and the whitening matrix are loaded into MaxRx-sized arrays with zeros
/// past num_rx and equalized over MaxRx antennas: the zeros add nothing to any sum, and every
/// index is a compile-time constant, so the arrays stay in registers (with a runtime antenna
/// count they were in local memory: a 176-byte stack frame with spills for 2 layers). For more
/// antennas the loops run over num_rx. The layer loop with its modulation switch does not
/// unroll, so with MaxRx up to 4 it reads x and post_noise through element_at(): indexed by the
/// loop counter they were in local memory (a 40-48-byte stack frame for 3 and 4 layers). \p Layers
/// is the PDU's layer count.
template <unsigned Layers, unsigned MaxRx>
AIRAN_HOST_DEVICE inline void equalize_demap_re(const EqualizeDemapPdu& p,
                                                const phy::PamLlrTable& table, unsigned re) {
  const PduGeometry& g = p.g;
  const DataGeometry& d = p.d;
  const float2* __restrict__ grid = p.grid;
  const float2* __restrict__ h = p.h;
  const EstimatorState* state = p.state;
  const phy::cmat::Complex* whitening = p.whitening;
  float2* __restrict__ symbols = p.symbols;
  float* __restrict__ noise_variances = p.noise_variances;
  float* __restrict__ llrs = p.llrs;
  const std::uint32_t* __restrict__ scrambling = p.scrambling;
  constexpr bool padded = MaxRx <= 4;
  unsigned symbol = 0;
  unsigned k = 0;
  phy::locate_data_re(d.layout, re, symbol, k);
  // Intra-slot hopping: the second hop's REs at its subcarriers, with its noise and whitening.
  const bool second_hop = symbol >= d.second_hop_symbol;
  const unsigned first_subcarrier = second_hop ? d.second_hop_first_subcarrier : g.first_subcarrier;
  if (second_hop) {
    whitening = p.second_whitening;
  }
  const unsigned num_rx = g.num_rx;
  const unsigned rx_loop = padded ? MaxRx : num_rx;
  phy::cmat::Complex y[MaxRx];
  phy::cmat::Complex channel[MaxRx * Layers];
  // PT-RS: the symbol's phase error taken out of the received values (the CPU's gather).
  const float2 rotation = d.rotate ? state->ptrs_rotation[symbol] : make_float2(1.0F, 0.0F);
  for (unsigned r = 0; r < rx_loop; ++r) {
    const bool present = r < num_rx;
    y[r] = present
               ? to_complex(grid[(std::size_t{r} * g.grid_symbols + symbol) * g.grid_subcarriers +
                                 first_subcarrier + k])
               : phy::cmat::Complex{0.0F, 0.0F};
    if (d.rotate && present) {
      phy::rotate_value(y[r].re, y[r].im, rotation.x, rotation.y, y[r].re, y[r].im);
    }
    for (unsigned l = 0; l < Layers; ++l) {
      channel[r * Layers + l] =
          present
              ? to_complex(
                    h[((std::size_t{r} * Layers + l) * max_symbols + symbol) * g.num_subcarriers +
                      k])
              : phy::cmat::Complex{0.0F, 0.0F};
    }
  }
  float noise = state->equalizer_noise;
  if (d.second_hop_symbol < max_symbols) { // as the CPU: the hop's noise, floored by both hops'
    noise = hopping_equalizer_noise(second_hop ? *p.second_state : *state, *state, *p.second_state,
                                    g.beta);
  }
  if (d.irc) { // as MimoEqualizer: whitened by the group's L^-1, then white noise of variance 1
    const phy::cmat::Complex* matrix =
        whitening + std::size_t{k / g.covariance_group_subcarriers} * num_rx * num_rx;
    if constexpr (padded) {
      phy::cmat::Complex padded_matrix[MaxRx * MaxRx];
      for (unsigned i = 0; i < MaxRx; ++i) {
        for (unsigned j = 0; j < MaxRx; ++j) {
          padded_matrix[i * MaxRx + j] =
              i < num_rx && j < num_rx ? matrix[i * num_rx + j] : phy::cmat::Complex{0.0F, 0.0F};
        }
      }
      phy::whiten_resource_element<MaxRx>(padded_matrix, MaxRx, MaxRx, Layers, y, channel, Layers);
    } else {
      phy::whiten_resource_element<MaxRx>(matrix, num_rx, num_rx, Layers, y, channel, Layers);
    }
    noise = 1.0F;
  }
  phy::cmat::Complex x[Layers];
  float post_noise[Layers];
  phy::equalize_resource_element<Layers>(channel, Layers, y, rx_loop, Layers, noise, d.mmse, x,
                                         post_noise);
  for (unsigned l = 0; l < Layers; ++l) {
    const std::size_t index = std::size_t{re} * Layers + l;
    const phy::cmat::Complex xl = padded ? element_at(x, l) : x[l];
    const float noise_l = padded ? element_at(post_noise, l) : post_noise[l];
    symbols[index] = make_float2(xl.re, xl.im);
    noise_variances[index] = noise_l;
    if (d.transform_precoding) {
      continue; // demapped after the inverse DFT (transform_deprecoding_elements.h)
    }
    demap_symbol(d.qm, table, xl, noise_l, index, scrambling, llrs);
  }
}

} // namespace airan::gpu::detail
