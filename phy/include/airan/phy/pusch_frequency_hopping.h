/// \file
/// \brief Intra-slot frequency hopping of a PUSCH (TS 38.214 6.3.1, TS 38.211 6.4.1.1.3): the
/// hops' symbols and PRBs, their DMRS positions (Table 6.4.1.1.3-6), and each hop as a PUSCH of
/// its own, which is how the receiver estimates the channel of one hop from that hop's DMRS only.
#pragma once

#include "airan/phy/channel_estimate.h"
#include "airan/phy/pusch_config.h"

#include <array>
#include <cstdint>
#include <string>

namespace airan::phy {

struct DmrsMeasurements;

/// One hop of a PUSCH: consecutive slot symbols on one contiguous set of PRBs.
struct PuschHop {
  unsigned start_symbol = 0; ///< First slot symbol.
  unsigned num_symbols = 0;
  unsigned prb_start = 0; ///< First PRB, relative to the BWP start.
  friend bool operator==(const PuschHop&, const PuschHop&) = default;
};

/// The hops of a PUSCH: one without intra-slot hopping, two with.
struct PuschHops {
  unsigned count = 1;
  std::array<PuschHop, 2> hops{};
};

/// Hops of \p pusch: with intra-slot hopping the first floor(L / 2) symbols on prb_start and the
/// other L - floor(L / 2) on second_hop_prb_start (TS 38.214 6.3.1), otherwise the whole PUSCH.
PuschHops pusch_hops(const PuschConfig& pusch);

/// DMRS symbols of an intra-slot hopping PUSCH from TS 38.211 Table 6.4.1.1.3-6 (single-symbol
/// DMRS), as a bitmap of slot symbols: per hop, l-bar relative to the hop's first symbol
/// (type A: l0 = dmrs-TypeA-Position in the first hop, 0 in the second; type B: 0), looked up
/// with the hop's own duration l_d; any dmrs-AdditionalPosition other than pos0 counts as pos1.
/// \throws std::invalid_argument when a hop has no entry ("-": type A hops shorter than 4
/// symbols) or a parameter is invalid.
std::uint16_t dmrs_symbol_mask_with_hopping(PuschMappingType mapping_type, unsigned l0_type_a,
                                            unsigned start_symbol, unsigned num_symbols,
                                            unsigned additional_position);

/// Hopping checks of PuschConfig::validate(): empty when \p pusch does not hop or hops as
/// supported (second hop inside the BWP, at least 2 symbols, single-symbol DMRS with at least
/// one DMRS symbol per hop, no PT-RS, no UCI), otherwise what is wrong.
std::string validate_frequency_hopping(const CellConfig& cell, const PuschConfig& pusch);

/// \p pusch restricted to \p hop, without hopping: its symbols and PRBs, its DMRS symbols given
/// explicitly (\p dmrs_mask, the whole PUSCH's), and mapping type B so that no table applies.
/// Everything else (DMRS sequence, layers, ports, powers) is unchanged, so that a DMRS channel
/// estimator run on it estimates that hop's channel as the whole PUSCH's DMRS defines it.
PuschConfig pusch_hop_config(const PuschConfig& pusch, const PuschHop& hop,
                             std::uint16_t dmrs_mask);

/// Completes \p whole, the estimate of the first hop, with \p second_hop, the estimate of the
/// second hop of the same PDU (same shape): the channel of the slot symbols from
/// \p second_hop_symbol on, the second hop's covariance groups after the first hop's
/// (ChannelEstimate::set_second_hop()) and each hop's noise variance (noise_variance_of(), what
/// the equalizer takes), and measurements over both hops: the mean of their noise variance,
/// RSRP, linear SNR, delay and delay spread, the mean CFO of the hops that measure one,
/// and the first hop's occasion phases.
/// \throws std::invalid_argument when the shapes differ.
void merge_hop_estimates(ChannelEstimate& whole, const ChannelEstimate& second_hop,
                         unsigned second_hop_symbol);

/// The measurements part of merge_hop_estimates(): \p first (the first hop's) becomes the
/// measurements over both hops with \p second (the second hop's): the means of noise variance,
/// RSRP, linear SINR, delay and delay spread, the mean CFO of the hops that measure one; the
/// occasion phases stay the first hop's. (The CUDA front end merges its hops' states with it.)
void merge_hop_measurements(DmrsMeasurements& first, const DmrsMeasurements& second);

} // namespace airan::phy
