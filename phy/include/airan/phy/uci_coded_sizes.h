/// \file
/// \brief How many coded bits each UCI part and the UL-SCH get on a PUSCH (TS 38.212 6.3.2.4.1,
/// with UL-SCH): Q' = min(ceil((O + L) beta sum M_UCI / sum K_r), alpha cap), G = N_L Q' Q_m.
///
/// The beta offsets (TS 38.213 Tables 9.3-1 and 9.3-2) are multiples of 1/8 and the alpha
/// scalings multiples of 1/20, so the sizes are computed exactly in integers.
#pragma once

#include "airan/phy/pusch_config.h"

#include <array>
#include <cstdint>

namespace airan::phy {

struct PuschReMapping;

/// beta_offset^HARQ-ACK x 8 for I_offset 0..15 (TS 38.213 Table 9.3-1).
inline constexpr std::array<std::uint16_t, 16> harq_ack_beta_offset_x8 = {
    8, 16, 20, 25, 32, 40, 50, 64, 80, 101, 127, 160, 248, 400, 640, 1008};
/// beta_offset^CSI-1 and ^CSI-2 x 8 for I_offset 0..18 (TS 38.213 Table 9.3-2).
inline constexpr std::array<std::uint16_t, 19> csi_beta_offset_x8 = {
    9, 10, 11, 13, 14, 16, 18, 20, 23, 25, 28, 32, 40, 50, 64, 80, 101, 127, 160};
/// alpha x 20 for FAPI alphaScaling 0..3 (higher-layer scaling 0.5, 0.65, 0.8, 1).
inline constexpr std::array<std::uint16_t, 4> uci_alpha_x20 = {10, 13, 16, 20};

/// REs of one layer that TS 38.212 6.3.2.4.1.1 counts.
struct UciResourceCounts {
  std::uint32_t data_res = 0; ///< Every data RE of the PUSCH (DMRS symbols included).
  std::uint32_t uci_res = 0;  ///< sum over l of M_sc^UCI(l): the REs of symbols without DMRS.
  /// The same from l0, the first symbol after the first DMRS symbols, on.
  std::uint32_t uci_res_from_l0 = 0;
};

/// The counts of \p mapping.
UciResourceCounts uci_resource_counts(const PuschReMapping& mapping);

/// Coded bits of each part of a PUSCH's codeword (G = N_L Q' Q_m for the UCI parts).
struct UciCodedSizes {
  std::uint32_t harq_ack = 0; ///< G^ACK.
  /// G^ACK,rvd: bits reserved for a HARQ-ACK of at most 2 bits (sized as if O_ACK = 2, TS 38.212
  /// 6.2.7 step 1); 0 with more than 2 HARQ-ACK bits or without UCI.
  std::uint32_t harq_ack_reserved = 0;
  std::uint32_t csi_part1 = 0; ///< G^CSI-part1.
  std::uint32_t csi_part2 = 0; ///< G^CSI-part2.
  std::uint32_t ulsch = 0;     ///< G^UL-SCH: what the UL-SCH is rate matched to.
  std::uint32_t total = 0;     ///< Every coded bit of the PUSCH.
};

/// The sizes for \p uci on a PUSCH whose REs are \p res, whose TB has code blocks of
/// \p sum_code_block_bits bits together (sum of K_r, filler bits included), with \p num_layers
/// layers of Q_m = \p qm. Without UCI, ulsch = total. Ranges of \p uci are not checked.
UciCodedSizes uci_coded_sizes(const PuschUciConfig& uci, const UciResourceCounts& res,
                              std::uint64_t sum_code_block_bits, unsigned num_layers, unsigned qm);

/// The sizes for \p uci on a PUSCH without UL-SCH (TS 38.212 6.3.2.4.1.1-3 without UL-SCH): the
/// first terms divide by R Q_m (R = \p code_rate_x10240 / 10240) rather than sum K_r / sum M_UCI,
/// CSI part 1 takes every RE that HARQ-ACK (or its reservation) leaves when there is no CSI
/// part 2, and CSI part 2 every RE that HARQ-ACK of more than 2 bits and CSI part 1 leave; ulsch
/// is 0. \p uci is the coded UCI (uci_only_coded_config()).
UciCodedSizes uci_only_coded_sizes(const PuschUciConfig& uci, const UciResourceCounts& res,
                                   std::uint32_t code_rate_x10240, unsigned num_layers,
                                   unsigned qm);

/// The UCI \p pusch codes: pusch.uci, except that a PUSCH without UL-SCH carrying CSI part 1
/// without CSI part 2 codes a HARQ-ACK of 0 or 1 bits as 2 bits, the missing ones 0 (TS 38.212
/// 6.3.2.1.1). The receiver reports only pusch.uci.harq_ack_bits of them.
PuschUciConfig coded_uci_config(const PuschConfig& pusch);

/// The sizes of \p pusch carrying a TB of \p tbs bits on \p cell (\p tbs 0 without UL-SCH); the
/// UCI's sum of K_r with the TB's base graph, pusch_ldpc_base_graph().
/// \throws std::invalid_argument for an invalid DMRS configuration or TB size.
UciCodedSizes pusch_coded_sizes(const CellConfig& cell, const PuschConfig& pusch,
                                std::uint32_t tbs);

} // namespace airan::phy
