/// \file
/// \brief PUSCH DM-RS (TS 38.211 6.4.1.1): symbol positions, sequence (Gold for CP-OFDM, low-PAPR
/// type 1 with transform precoding), CDM weights and amplitude. Shared by the transmitter and by
/// receivers, which need the same reference symbols per port.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/types.h"

#include <array>
#include <cstdint>
#include <span>

namespace airan::phy {

/// CDM group, frequency offset and orthogonal cover of one DMRS antenna port (TS 38.211 Table
/// 6.4.1.1.3-1 for type 1, Table 6.4.1.1.3-2 for type 2; port p = 0.. stands for 1000 + p).
struct DmrsPortParams {
  unsigned cdm_group = 0;       ///< lambda.
  unsigned delta = 0;           ///< Delta: subcarrier offset of the CDM group.
  std::array<int, 2> w_f{1, 1}; ///< w_f(k'), k' = 0, 1.
  std::array<int, 2> w_t{1, 1}; ///< w_t(l'), l' = 0, 1.
};

/// Number of DMRS ports of \p type: 8 (type 1) or 12 (type 2).
constexpr unsigned dmrs_num_ports(DmrsConfigType type) {
  return type == DmrsConfigType::type1 ? 8U : 12U;
}

/// Number of CDM groups of \p type: 2 (type 1) or 3 (type 2).
constexpr unsigned dmrs_num_cdm_groups(DmrsConfigType type) {
  return type == DmrsConfigType::type1 ? 2U : 3U;
}

/// DMRS REs per PRB and CDM group on one DMRS symbol: 6 (type 1) or 4 (type 2).
constexpr unsigned dmrs_res_per_prb(DmrsConfigType type) {
  return type == DmrsConfigType::type1 ? 6U : 4U;
}

/// Subcarrier, relative to the first subcarrier of a PRB-aligned allocation, of the \p i-th DMRS
/// RE of a port with offset \p delta: k = 4n + 2k' + Delta (type 1) or 6n + k' + Delta (type 2),
/// with n = i / 2 and k' = i % 2.
constexpr unsigned dmrs_subcarrier(DmrsConfigType type, unsigned delta, unsigned i) {
  return type == DmrsConfigType::type1 ? 4 * (i / 2) + 2 * (i % 2) + delta
                                       : 6 * (i / 2) + (i % 2) + delta;
}

/// Index of the DMRS value of a port with offset \p delta at allocated subcarrier \p k (which
/// lies in the port's CDM group): the inverse of dmrs_subcarrier().
constexpr unsigned dmrs_value_index(DmrsConfigType type, unsigned delta, unsigned k) {
  const unsigned j = k - delta;
  return type == DmrsConfigType::type1 ? j / 2 : 2 * (j / 6) + j % 6;
}

/// Parameters of DMRS port \p port. \throws std::invalid_argument for a port the type lacks.
DmrsPortParams dmrs_port_params(DmrsConfigType type, unsigned port);

/// beta_DMRS: amplitude of the DMRS relative to the data, sqrt(1), sqrt(2), sqrt(3) for 1, 2, 3
/// CDM groups without data (TS 38.214 Table 6.2.2-1: 0, -3, -4.77 dB PUSCH-to-DMRS EPRE).
/// \throws std::invalid_argument outside 1..3.
float dmrs_amplitude(unsigned num_cdm_groups_no_data);

/// DMRS symbols of a PUSCH from TS 38.211 Table 6.4.1.1.3-3 (dmrs_length 1) or -4 (length 2),
/// as a bitmap of slot symbols (both symbols of a double-symbol DMRS set).
/// \param l0_type_a dmrs-TypeA-Position (2 or 3), used for mapping type A.
/// \throws std::invalid_argument when the table has no entry ("-") or a parameter is invalid.
std::uint16_t dmrs_symbol_mask_from_tables(PuschMappingType mapping_type, unsigned l0_type_a,
                                           unsigned start_symbol, unsigned num_symbols,
                                           unsigned dmrs_length, unsigned additional_position);

/// DMRS symbols of one PUSCH: which slot symbols carry DMRS and which of them are l' = 1.
struct DmrsSymbols {
  std::uint16_t mask = 0;          ///< Bit l: symbol l carries DMRS.
  std::uint16_t second_symbol = 0; ///< Bit l: symbol l is the second (l' = 1) of a pair.

  [[nodiscard]] bool contains(unsigned l) const { return ((mask >> l) & 1U) != 0; }
  [[nodiscard]] unsigned l_prime(unsigned l) const { return (second_symbol >> l) & 1U; }
  [[nodiscard]] unsigned count() const;
};

/// DMRS symbols of \p pusch: its explicit dmrs_symbol_mask when set, otherwise the tables.
/// \throws std::invalid_argument when they are inconsistent (outside the allocation, unpaired
/// with dmrs_length 2, no table entry).
DmrsSymbols pusch_dmrs_symbols(const CellConfig& cell, const PuschConfig& pusch);

/// c_init of the DMRS sequence for symbol \p symbol of slot \p slot (TS 38.211 6.4.1.1.1.1,
/// lambda-bar = 0 form): (2^17 (N_symb^slot n_s + l + 1)(2 N_ID + 1) + 2 N_ID + n_SCID) mod 2^31.
constexpr std::uint32_t pusch_dmrs_c_init(unsigned symbols_per_slot, unsigned slot, unsigned symbol,
                                          std::uint16_t n_id, unsigned n_scid) {
  const std::uint64_t term = (std::uint64_t{1} << 17) *
                             (std::uint64_t{symbols_per_slot} * slot + symbol + 1) *
                             (2 * std::uint64_t{n_id} + 1);
  return static_cast<std::uint32_t>((term + 2 * std::uint64_t{n_id} + n_scid) % (1ULL << 31));
}

/// Everything needed to generate the DMRS of one PUSCH in one slot, for any of its ports.
struct PuschDmrsParams {
  DmrsConfigType config_type = DmrsConfigType::type1;
  unsigned symbols_per_slot = 14;
  unsigned slot = 0;               ///< Slot number in the frame, n_s,f^mu.
  std::uint16_t scrambling_id = 0; ///< N_ID^{n_SCID}.
  unsigned n_scid = 0;
  unsigned first_crb = 0; ///< First CRB of the allocation (sequence reference: CRB 0).
  unsigned num_prbs = 0;  ///< Allocated PRBs.
  /// Intra-slot hopping: symbols from second_hop_symbol on lie on the PRBs from
  /// second_hop_first_crb (max_symbols_per_slot: no second hop).
  unsigned second_hop_symbol = max_symbols_per_slot;
  unsigned second_hop_first_crb = 0;
  float beta = 1.0F; ///< beta_DMRS.
  DmrsSymbols symbols;
  /// Transform precoding: the low-PAPR sequence of TS 38.211 6.4.1.1.1.2 (from the allocation's
  /// first subcarrier) replaces the Gold sequence; scrambling_id and n_scid are then unused.
  bool transform_precoding = false;
  std::uint16_t pusch_identity = 0; ///< n_ID^RS (transform precoding).
  LowPaprHopping hopping = LowPaprHopping::none;

  /// First CRB of the hop of slot symbol \p symbol.
  [[nodiscard]] unsigned first_crb_of(unsigned symbol) const {
    return symbol >= second_hop_symbol ? second_hop_first_crb : first_crb;
  }
  /// Number of DMRS values of one port on one DMRS symbol.
  [[nodiscard]] unsigned values_per_symbol() const {
    return dmrs_res_per_prb(config_type) * num_prbs;
  }
};

/// DMRS parameters of \p pusch in slot \p slot. \throws std::invalid_argument like
/// pusch_dmrs_symbols().
PuschDmrsParams make_pusch_dmrs_params(const CellConfig& cell, const PuschConfig& pusch,
                                       unsigned slot);

/// 1 / sqrt(2) in float, as every DMRS generator computes it.
inline constexpr float dmrs_inverse_sqrt2 = 1.0F / 1.41421356237309504880F;

/// Weight of a DMRS value before its QPSK signs: beta w_t(l') / sqrt(2) times w_f(k') (the CPU and
/// CUDA generators compute it in this order, so their values agree bit for bit).
AIRAN_HOST_DEVICE inline float dmrs_value_weight(float beta, int w_t, int w_f) {
  const float amplitude = beta * static_cast<float>(w_t) * dmrs_inverse_sqrt2;
  return amplitude * static_cast<float>(w_f);
}

/// One component (real or imaginary part) of a DMRS value: weight (1 - 2 c) for Gold bit c.
AIRAN_HOST_DEVICE inline float dmrs_value_component(float weight, unsigned bit) {
  return weight * (1.0F - 2.0F * static_cast<float>(bit));
}

/// Values 16 w .. 16 w + 15 (those below \p num_values) of one port's DMRS on one symbol, from
/// \p bits = c(2 m0 + 32 w) .. c(2 m0 + 32 w + 31) (gold_sequence_word()): the unit of work of
/// parallel generators (a CUDA thread each). Calls store(i, re, im) per value;
/// \p weights = dmrs_value_weight() for k' = 0 and 1.
template <typename Store>
AIRAN_HOST_DEVICE inline void dmrs_values_from_gold_word(std::uint32_t bits, const float* weights,
                                                         unsigned w, unsigned num_values,
                                                         Store&& store) {
  for (unsigned j = 0; j < 16 && 16 * w + j < num_values; ++j) {
    const unsigned i = 16 * w + j;
    store(i, dmrs_value_component(weights[i % 2], (bits >> (2 * j)) & 1U),
          dmrs_value_component(weights[i % 2], (bits >> (2 * j + 1)) & 1U));
  }
}

/// Writes the DMRS of \p port on slot symbol \p symbol: out[i] = beta w_f(k') w_t(l') r(m0 + i),
/// i = 0 .. values_per_symbol() - 1, to be placed at subcarrier
/// dmrs_subcarrier(type, delta, i) of the allocation. r is the QPSK-mapped Gold sequence, m0
/// its index of the first allocated PRB counted from CRB 0; with transform precoding r is the
/// low-PAPR sequence r^(0,1)_{u,v} of the symbol (pusch_low_papr_sequence_id()) and m0 = 0.
/// No allocation.
/// \throws std::invalid_argument when \p symbol carries no DMRS, \p port is invalid or \p out
/// has the wrong size.
void generate_pusch_dmrs(const PuschDmrsParams& params, unsigned port, unsigned symbol,
                         std::span<cf32> out);

} // namespace airan::phy
