// Fused MIMO equalization and soft demapping of GpuPuschFrontEnd: one thread per data RE runs
// the CPU's per-RE kernel (phy::equalize_resource_element; for MMSE-IRC after whitening y and H
// with its covariance group's matrix, phy::whiten_resource_element, and noise 1) and demapper
// (phy::qam_symbol_llrs / pi2_bpsk_symbol_llr) and writes the RE's layers in codeword order,
// descrambled from the codeword's Gold words when it is given them
// (phy::descramble_llrs_from_words).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/irc_whitening.h"
#include "airan/phy/mimo_equalizer.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/soft_demapper.h"
#include "front_end_kernels.h"
#include "launch_batches.cuh"

#include <stdexcept>
#include <string>
#include <utility>

namespace airan::gpu::detail {
namespace {

constexpr unsigned block_size = 128;
constexpr unsigned max_qm = 8; ///< 256-QAM

__device__ inline phy::cmat::Complex to_complex(float2 v) {
  return {v.x, v.y};
}

/// Writes the LLRs of layer symbol \p index (equalized \p x, post-equalization noise \p noise):
/// Q_m known at compile time (1: pi/2-BPSK), so that the values stay in registers; descrambled
/// from the codeword's Gold words when \p scrambling is given.
template <unsigned Qm>
__device__ inline void demap_layer(const phy::PamLlrTable& table, phy::cmat::Complex x, float noise,
                                   std::size_t index, const std::uint32_t* __restrict__ scrambling,
                                   float* __restrict__ llrs) {
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

/// One thread per data RE. With Padded (up to 4 antennas), y, H and the whitening matrix are
/// loaded into MaxRx-sized arrays with zeros past num_rx and equalized over MaxRx antennas: the
/// zeros add nothing to any sum, and every index is a compile-time constant, so the arrays stay
/// in registers (with a runtime antenna count they were in local memory: a 176-byte stack frame
/// with spills for 2 layers). For more antennas the loops run over num_rx.
template <unsigned Layers, unsigned MaxRx> struct EqualizeDemapLaunch {
  static constexpr unsigned threads = block_size;
  EqualizeDemapPdu p;
  __device__ void run(LaunchBlock block) const;
};

template <unsigned Layers, unsigned MaxRx>
__device__ void EqualizeDemapLaunch<Layers, MaxRx>::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  const DataGeometry& d = p.d;
  const float2* __restrict__ grid = p.grid;
  const float2* __restrict__ h = p.h;
  const EstimatorState* state = p.state;
  const phy::cmat::Complex* __restrict__ whitening = p.whitening;
  float2* __restrict__ symbols = p.symbols;
  float* __restrict__ noise_variances = p.noise_variances;
  float* __restrict__ llrs = p.llrs;
  const std::uint32_t* __restrict__ scrambling = p.scrambling;
  constexpr bool padded = MaxRx <= 4;
  // The table (device memory) has default member initialisers, which __shared__ variables may
  // not have: raw storage, copied word by word by the whole block.
  __shared__ alignas(phy::PamLlrTable) unsigned char storage[sizeof(phy::PamLlrTable)];
  static_assert(sizeof(phy::PamLlrTable) % 4 == 0);
  const auto* source = reinterpret_cast<const unsigned*>(d.table);
  auto* target = reinterpret_cast<unsigned*>(storage);
  for (unsigned i = threadIdx.x; i < sizeof(phy::PamLlrTable) / 4; i += blockDim.x) {
    target[i] = source[i];
  }
  __syncthreads();
  const phy::PamLlrTable& table = *reinterpret_cast<const phy::PamLlrTable*>(storage);
  const unsigned re = block.index * blockDim.x + threadIdx.x;
  if (re >= d.layout.num_res()) {
    return;
  }
  unsigned symbol = 0;
  unsigned k = 0;
  phy::locate_data_re(d.layout, re, symbol, k);
  const unsigned num_rx = g.num_rx;
  const unsigned rx_loop = padded ? MaxRx : num_rx;
  phy::cmat::Complex y[MaxRx];
  phy::cmat::Complex channel[MaxRx * Layers];
  for (unsigned r = 0; r < rx_loop; ++r) {
    const bool present = r < num_rx;
    y[r] = present
               ? to_complex(grid[(std::size_t{r} * g.grid_symbols + symbol) * g.grid_subcarriers +
                                 g.first_subcarrier + k])
               : phy::cmat::Complex{0.0F, 0.0F};
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
    symbols[index] = make_float2(x[l].re, x[l].im);
    noise_variances[index] = post_noise[l];
    switch (d.qm) {
    case 1:
      demap_layer<1>(table, x[l], post_noise[l], index, scrambling, llrs);
      break;
    case 2:
      demap_layer<2>(table, x[l], post_noise[l], index, scrambling, llrs);
      break;
    case 4:
      demap_layer<4>(table, x[l], post_noise[l], index, scrambling, llrs);
      break;
    case 6:
      demap_layer<6>(table, x[l], post_noise[l], index, scrambling, llrs);
      break;
    default: // 8: launch_equalize_demap() refuses any other
      demap_layer<max_qm>(table, x[l], post_noise[l], index, scrambling, llrs);
      break;
    }
  }
}

/// The equalizer instance's layer count of \p g (1 .. 4; a PDU of more fails before:
/// GpuPuschFrontEndLimits).
__host__ unsigned layer_kind(const PduGeometry& g) {
  return g.num_layers < 4 ? g.num_layers : 4;
}

/// The PDUs of \p pdus with Layers layers and, with MaxRx 4, up to 4 antennas (else more), in
/// one grid.
template <unsigned Layers, unsigned MaxRx>
void launch_kind(std::span<const EqualizeDemapPdu> pdus, cudaStream_t stream) {
  launch_all<EqualizeDemapLaunch<Layers, MaxRx>>(
      pdus.size(),
      [&](std::size_t i) {
        const EqualizeDemapPdu& p = pdus[i];
        const bool kind = layer_kind(p.g) == Layers && (p.g.num_rx <= 4) == (MaxRx <= 4);
        const unsigned res = p.d.layout.num_res();
        return std::pair(EqualizeDemapLaunch<Layers, MaxRx>{p},
                         kind ? (res + block_size - 1) / block_size : 0U);
      },
      "equalize_demap_kernel", stream);
}

/// Whether \p pdus has REs to equalize with \p layers layers and up to 4 antennas (\p few_rx)
/// or more.
bool has_kind(std::span<const EqualizeDemapPdu> pdus, unsigned layers, bool few_rx) {
  for (const EqualizeDemapPdu& p : pdus) {
    if (layer_kind(p.g) == layers && (p.g.num_rx <= 4) == few_rx && p.d.layout.num_res() > 0) {
      return true;
    }
  }
  return false;
}

template <unsigned Layers>
void launch_layers(std::span<const EqualizeDemapPdu> pdus, cudaStream_t stream) {
  if (has_kind(pdus, Layers, true)) {
    launch_kind<Layers, 4>(pdus, stream);
  }
  if (has_kind(pdus, Layers, false)) {
    launch_kind<Layers, 16>(pdus, stream);
  }
}

} // namespace

void launch_equalize_demap(std::span<const EqualizeDemapPdu> pdus, cudaStream_t stream) {
  for (const EqualizeDemapPdu& p : pdus) {
    const unsigned qm = p.d.qm;
    if (p.d.layout.num_res() > 0 && qm != 1 && qm != 2 && qm != 4 && qm != 6 && qm != max_qm) {
      throw std::invalid_argument("equalize_demap: modulation order " + std::to_string(qm) +
                                  " is not demapped on the device (1, 2, 4, 6 or 8 bits)");
    }
    if (p.d.layout.num_res() > 0 && p.d.table == nullptr) {
      throw std::invalid_argument("equalize_demap: no demapping table");
    }
  }
  launch_layers<1>(pdus, stream);
  launch_layers<2>(pdus, stream);
  launch_layers<3>(pdus, stream);
  launch_layers<4>(pdus, stream);
}

} // namespace airan::gpu::detail
