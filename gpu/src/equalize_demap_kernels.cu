// Fused MIMO equalization and soft demapping of GpuPuschFrontEnd: one thread per data RE runs
// the CPU's per-RE kernel (phy::equalize_resource_element; for MMSE-IRC after whitening y and H
// with its covariance group's matrix, phy::whiten_resource_element, and noise 1) and demapper
// (phy::qam_symbol_llrs / pi2_bpsk_symbol_llr) and writes the RE's layers in codeword order,
// descrambled from the codeword's Gold words when it is given them
// (phy::descramble_llrs_from_words).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "equalize_demap_elements.h"
#include "front_end_kernels.h"
#include "launch_batches.cuh"

#include <stdexcept>
#include <string>
#include <utility>

namespace airan::gpu::detail {
namespace {

constexpr unsigned block_size = 128;

/// One thread per data RE: equalize_demap_re() (equalize_demap_elements.h).
template <unsigned Layers, unsigned MaxRx> struct EqualizeDemapLaunch {
  static constexpr unsigned threads = block_size;
  EqualizeDemapPdu p;
  __device__ void run(LaunchBlock block) const;
};

template <unsigned Layers, unsigned MaxRx>
__device__ void EqualizeDemapLaunch<Layers, MaxRx>::run(LaunchBlock block) const {
  const DataGeometry& d = p.d;
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
  if (re < p.d.layout.num_res()) {
    equalize_demap_re<Layers, MaxRx>(p, table, re);
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
