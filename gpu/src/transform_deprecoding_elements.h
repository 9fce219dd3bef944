/// \file
/// \brief The receiving end of transform precoding (DFT-s-OFDM) on the device, after the
/// equalizer has written a PDU's symbols and noise variances (DataGeometry::transform_precoding):
/// per data symbol the MMSE weighting of its values and the sums of their weights (one block per
/// symbol), a batched inverse cuFFT of M = 12 N_PRB points per symbol, then per value the
/// symbol's scale and noise variance and the demapping (descrambled from the codeword's Gold
/// words when given), in codeword order: phy::TransformPrecoder::deprecode_equalized() and the
/// CPU demapper with the same per-element math (phy/transform_deprecoding_math.h,
/// equalize_demap_elements.h's demap_layer()). Host and device, so that a CPU test runs each
/// thread's code (tests/gpu/transform_precoding_emulation_test.cpp).
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/soft_demapper.h"
#include "airan/phy/transform_deprecoding_math.h"
#include "equalize_demap_elements.h"
#include "front_end_kernels.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::gpu {
class CufftPlan;
} // namespace airan::gpu

namespace airan::gpu::detail {

/// Threads of the weighting kernel's block (one block per data symbol).
inline constexpr unsigned deprecoding_weigh_threads = 256;
/// Threads per block of the scaling and demapping kernel (one thread per value).
inline constexpr unsigned deprecoding_demap_threads = 128;

/// One transform-precoded PDU's deprecoding: launch_transform_deprecoding()'s arguments.
struct TransformDeprecodingPdu {
  unsigned m = 0;    ///< Values per data symbol, 12 N_PRB.
  unsigned rows = 0; ///< Data symbols (at most max_symbols).
  unsigned qm = 2;   ///< 1 (pi/2-BPSK), 2, 4, 6 or 8.
  /// The demapper's table of qm (device memory, PamLlrTables::of()); not read for pi/2-BPSK.
  const phy::PamLlrTable* table = nullptr;
  float2* symbols = nullptr;        ///< [row][m]: equalized in, deprecoded out.
  float* noise_variances = nullptr; ///< [row][m]: the equalizer's in, the symbol's out.
  /// [max_symbols][m]: the weighted values, then their inverse DFT (cuFFT, in place, every
  /// max_symbols row: the plan's batch).
  float2* work = nullptr;
  phy::DeprecodingScale* scales = nullptr;   ///< [max_symbols]: each symbol's.
  float* llrs = nullptr;                     ///< [row][m][qm]
  const std::uint32_t* scrambling = nullptr; ///< The codeword's Gold words, or none.
};

/// Thread \p thread's (of \p threads) share of data symbol \p row of \p p: values thread,
/// thread + threads, ... weighted (phy::deprecoding_weight(); 0 where unresolved) into p.work,
/// their weights and
/// residuals added to \p weight_sum and \p residual_sum in that order.
AIRAN_HOST_DEVICE inline void weigh_deprecoding_values(const TransformDeprecodingPdu& p,
                                                       unsigned row, unsigned thread,
                                                       unsigned threads, double& weight_sum,
                                                       double& residual_sum) {
  const std::size_t first = std::size_t{row} * p.m;
  for (unsigned k = thread; k < p.m; k += threads) {
    const phy::DeprecodingWeight w = phy::deprecoding_weight(p.noise_variances[first + k]);
    weight_sum += w.weight;
    residual_sum += w.residual;
    const float2 x = p.symbols[first + k];
    p.work[first + k] =
        w.resolved ? make_float2(x.x * w.factor, x.y * w.factor) : make_float2(0.0F, 0.0F);
  }
}

/// Value \p i (< rows m) of \p p after the inverse DFT: scaled by its symbol's scale with the
/// symbol's noise variance (zero of infinite variance for an unresolved symbol) into p.symbols
/// and p.noise_variances, and demapped with \p table (qm's) into p.llrs at codeword index i.
AIRAN_HOST_DEVICE inline void deprecode_demap_value(const TransformDeprecodingPdu& p,
                                                    const phy::PamLlrTable& table, unsigned i) {
  const phy::DeprecodingScale s = p.scales[i / p.m];
  phy::cmat::Complex x{0.0F, 0.0F};
  float noise = HUGE_VALF;
  if (s.resolved) {
    const float2 value = p.work[i];
    x = {value.x * s.scale, value.y * s.scale};
    noise = s.variance;
  }
  p.symbols[i] = make_float2(x.re, x.im);
  p.noise_variances[i] = noise;
  demap_symbol(p.qm, table, x, noise, i, p.scrambling, p.llrs);
}

/// The deprecoding geometry of \p pusch, whose data geometry is \p d (make_data_geometry()): m 0
/// without transform precoding; the buffers are the caller's to set. (Host.)
/// \throws std::invalid_argument when the data REs are not whole symbols of one layer.
TransformDeprecodingPdu make_transform_deprecoding_pdu(const phy::PuschConfig& pusch,
                                                       const DataGeometry& d);

/// Deprecodes every PDU of \p pdus: the weighting kernel (a block per data symbol, the
/// threads' sums added in a shared-memory tree whose strides halve, then thread 0 writes the
/// symbol's phy::deprecoding_scale()), each PDU's inverse DFT with its plan \p plans[i] (batch
/// max_symbols on p.work, made for p.m points), then the scaling and demapping kernel; the PDUs'
/// blocks in one grid per kernel. \throws std::invalid_argument (before any launch) for a
/// modulation order other than 1, 2, 4, 6 or 8 bits, a missing table or plan, or a plan of
/// another size.
void launch_transform_deprecoding(std::span<const TransformDeprecodingPdu> pdus,
                                  std::span<CufftPlan* const> plans, cudaStream_t stream);

} // namespace airan::gpu::detail
