/// \file
/// \brief LDPC rate recovery (inverse of TS 38.212 5.4.2): bit de-interleaving of soft values and
/// de-selection into the circular buffer, accumulating the LLRs of repeated bits.
///
/// The circular buffer is aligned with the encoder output d of ldpc_encoder.h: position j holds
/// the soft value of d_j (the decoder input layout of ldpc_decoder.h). Rate recovery adds each of
/// the E received LLRs to the position its bit was selected from (TS 38.212 5.4.2.1: from k0 of
/// the redundancy version around the N_cb-bit buffer, skipping filler bits), so repetitions
/// (E > N_cb minus filler) and retransmissions combine by addition. Positions that were never
/// selected keep their value (0 in a cleared buffer) and filler positions are never written.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/ldpc_rate_matcher.h"

#include <span>

namespace airan::phy {

/// Bit de-interleaving of soft values, the inverse of ldpc_interleave_bits() (TS 38.212 5.4.2.2):
/// e[i E/Q_m + j] = f[i + j Q_m].
/// \throws std::invalid_argument when sizes differ or E is not a multiple of Q_m.
void ldpc_deinterleave_llrs(std::span<const float> f, unsigned modulation_order,
                            std::span<float> e);

/// Rate recovery of one code block: de-interleaving and de-selection fused, tile by tile, so it
/// needs no buffer of E values. Stateless apart from the configuration; thread compatible.
///
/// \param llrs          f_0 .. f_{E-1}: the E received LLRs of the code block (descrambled, in
///                      transmission order), E a multiple of Q_m; E = 0 adds nothing.
/// \param config        Code, N_cb, redundancy version and Q_m of the transmission (as for
///                      LdpcRateMatcher::rate_match()).
/// \param soft_buffer   Circular buffer aligned with d, at least N_cb values; the LLRs are added
///                      to what it holds.
/// \return The received length: one past the last position of d written, i.e.
///         ldpc_rate_match_input_length(config, E) (0 when E = 0).
/// \throws std::invalid_argument on an inconsistent configuration or sizes.
unsigned ldpc_rate_recover(std::span<const float> llrs, const LdpcRateMatchConfig& config,
                           std::span<float> soft_buffer);

/// Where the selected bits of one code block come from: bit selection reads the circular buffer
/// without its filler bits, a sequence of `period` positions, cyclically from `start`; selected
/// bit k is at compressed index u = (start + k) mod period, i.e. at position u of d before the
/// filler and u + filler_count after it.
struct LdpcSelectionMap {
  unsigned n_cb = 0;
  unsigned filler_begin = 0; ///< First filler position (clipped to N_cb), also a compressed index.
  unsigned filler_count = 0; ///< Filler positions inside the circular buffer.
  unsigned period = 0;       ///< N_cb minus the filler positions.
  unsigned start = 0;        ///< Compressed index of the first selected bit.

  /// Position in d of compressed index \p compressed.
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned position(unsigned compressed) const {
    return compressed < filler_begin ? compressed : compressed + filler_count;
  }
};

/// The selection map of \p config. \throws std::invalid_argument on an inconsistent config.
LdpcSelectionMap ldpc_selection_map(const LdpcRateMatchConfig& config);

/// What rate recovery leaves at circular-buffer position \p position of a buffer holding
/// \p initial there: \p initial plus the received soft values of the selected bits
/// k = k_first, k_first + period, ... < E, bit k being f[(k mod C) Q_m + k div C] after
/// interleaving (C = E / Q_m), added one by one in increasing k; \p initial alone for a filler
/// position, one no bit was selected from or one outside the circular buffer. This is rate
/// recovery as a gather, one output position per thread (the CUDA formulation), and it equals
/// ldpc_rate_recover() on a buffer holding \p initial bit for bit: that adds in increasing k too.
AIRAN_HOST_DEVICE inline float ldpc_rate_recovery_gather(const LdpcSelectionMap& map,
                                                         const float* f, unsigned e,
                                                         unsigned modulation_order,
                                                         unsigned position, float initial = 0.0F) {
  if (position >= map.n_cb ||
      (position >= map.filler_begin && position < map.filler_begin + map.filler_count)) {
    return initial;
  }
  const unsigned compressed = position < map.filler_begin ? position : position - map.filler_count;
  const unsigned columns = e / modulation_order;
  float sum = initial;
  // The first selected bit at this position: (compressed - start) mod period, without a division
  // (start < period, so the sum is below 2 period).
  unsigned first = compressed + map.period - map.start;
  first = first >= map.period ? first - map.period : first;
  for (unsigned k = first; k < e; k += map.period) {
    sum += f[(k % columns) * modulation_order + k / columns];
  }
  return sum;
}

} // namespace airan::phy
