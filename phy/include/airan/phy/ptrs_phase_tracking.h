/// \file
/// \brief Common phase error tracking with the PUSCH PT-RS: per PT-RS symbol, the phase of the
/// received PT-RS against the DMRS channel estimate of that symbol (summed over PT-RS
/// subcarriers and receive antennas); per DMRS symbol, its occasion's phase against the first
/// (DmrsMeasurements::occasion_phases: the estimator aligned the occasions to the first one's
/// phase); for the other PUSCH symbols the phase interpolated linearly between the nearest of
/// those anchors (held beyond the first and last). The front end rotates every data RE of a
/// symbol back by its phase before equalizing.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/types.h"

#include <span>

namespace airan::phy {

class ChannelEstimate;
class ResourceGrid;
struct PuschReMapping;

/// One PT-RS RE's contribution to the phase correlation of its symbol: conj(h p) y, for the
/// received value \p y, the channel estimate \p h of the PT-RS layer and the PT-RS value \p p.
AIRAN_HOST_DEVICE inline void ptrs_correlation_add(float y_re, float y_im, float h_re, float h_im,
                                                   float p_re, float p_im, float& acc_re,
                                                   float& acc_im) {
  const float hp_re = h_re * p_re - h_im * p_im;
  const float hp_im = h_re * p_im + h_im * p_re;
  acc_re += hp_re * y_re + hp_im * y_im;
  acc_im += hp_re * y_im - hp_im * y_re;
}

/// Phase error of every symbol of the slot, in radians (0 outside the PUSCH and without PT-RS),
/// written to \p phases (one per slot symbol).
/// \param values The PT-RS values of the PDU (generate_pusch_ptrs()).
/// \param estimate The DMRS channel estimate of the PDU.
/// \throws std::invalid_argument when the sizes do not match the mapping.
void estimate_ptrs_phases(const ResourceGrid& grid, const ChannelEstimate& estimate,
                          const PuschReMapping& mapping, std::span<const cf32> values,
                          std::span<float> phases);

/// Fills the symbols of the PUSCH that are not anchors: linear interpolation of the phases of
/// the nearest anchor symbols before and after (the difference taken within (-pi, pi]), or the
/// nearest one's phase where only one side has one. Symbols of \p anchor_mask keep their
/// values; with no anchor, every phase becomes 0.
void interpolate_ptrs_phases(unsigned start_symbol, unsigned num_symbols, unsigned anchor_mask,
                             std::span<float> phases);

} // namespace airan::phy
