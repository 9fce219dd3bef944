/// \file
/// \brief One sounding reference signal (SRS) transmission (TS 38.211 6.4.1.4), shaped like the
/// SCF FAPI UL_TTI.request SRS PDU (SCF 222.10.02 Table 3-73), and what follows from it: the
/// bandwidth configuration (TS 38.211 Table 6.4.1.4.3-1), the sequence length, the cyclic shift
/// and comb of each port, the hopping counter n_SRS and the first subcarrier of each symbol.
///
/// Comb sizes 2 and 4, 1, 2 or 4 ports, 1, 2 or 4 consecutive symbols with repetition 1, 2 or 4,
/// frequency hopping (b_hop < B_SRS) and group or sequence hopping are supported; the Rel-16
/// positioning SRS (comb 8, 8 or 12 symbols, k_offset) is not.
#pragma once

#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/types.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace airan::phy {

/// groupOrSequenceHopping (TS 38.211 6.4.1.4.2; FAPI 0, 1, 2).
enum class SrsHopping : std::uint8_t {
  neither = 0,  ///< f_gh = 0, v = 0.
  group = 1,    ///< f_gh per SRS symbol, v = 0.
  sequence = 2, ///< f_gh = 0, v per SRS symbol when M_sc,b^SRS >= 72.
};

/// resourceType (TS 38.211 6.4.1.4.3; FAPI 0, 1, 2): how n_SRS counts.
enum class SrsResourceType : std::uint8_t {
  aperiodic = 0,       ///< n_SRS = floor(l' / R).
  semi_persistent = 1, ///< n_SRS counts the SRS occasions since T_offset (as periodic).
  periodic = 2,
};

/// One row of TS 38.211 Table 6.4.1.4.3-1: m_SRS,b (PRBs) and N_b for b = 0 .. 3.
struct SrsBandwidthRow {
  std::array<unsigned, 4> m_srs{};
  std::array<unsigned, 4> n{};
};

/// The row of TS 38.211 Table 6.4.1.4.3-1 for C_SRS = \p c_srs (0 .. 63).
/// \throws std::invalid_argument for c_srs > 63.
SrsBandwidthRow srs_bandwidth_row(unsigned c_srs);

/// One SRS PDU (FAPI field names spelled out). Frequency positions follow TS 38.211 6.4.1.4.3
/// (n_shift from common resource block 0 when the BWP starts at or below it, else from the BWP
/// start).
struct SrsConfig {
  static constexpr unsigned max_ports = 4;
  static constexpr unsigned max_symbols = 4;
  static constexpr unsigned max_c_srs = 63;

  std::uint16_t rnti = 1;   ///< RNTI, carried through to SRS.indication.
  std::uint32_t handle = 0; ///< FAPI Handle, carried through unchanged.

  unsigned bwp_start = 0;  ///< BWP start in CRBs from point A.
  unsigned bwp_size = 273; ///< BWP size in PRBs.

  unsigned num_ports = 1;          ///< N_ap^SRS: 1, 2 or 4 (FAPI numAntPorts 0, 1, 2).
  unsigned num_symbols = 1;        ///< N_symb^SRS: 1, 2 or 4 (FAPI numSymbols 0, 1, 2).
  unsigned repetition = 1;         ///< R: 1, 2 or 4, at most num_symbols (FAPI numRepetitions).
  unsigned start_symbol = 13;      ///< l0: first SRS symbol of the slot (FAPI timeStartPosition).
  unsigned c_srs = 0;              ///< C_SRS 0 .. 63 (FAPI configIndex).
  std::uint16_t sequence_id = 0;   ///< n_ID^SRS 0 .. 1023 (FAPI sequenceId).
  unsigned b_srs = 0;              ///< B_SRS 0 .. 3 (FAPI bandwidthIndex).
  unsigned comb_size = 2;          ///< K_TC: 2 or 4 (FAPI combSize 0, 1).
  unsigned comb_offset = 0;        ///< kbar_TC: 0 .. K_TC - 1 (FAPI combOffset).
  unsigned cyclic_shift = 0;       ///< n_SRS^cs: 0 .. n_SRS^cs,max - 1 (FAPI cyclicShift).
  unsigned frequency_position = 0; ///< n_RRC 0 .. 67 (FAPI frequencyPosition).
  unsigned frequency_shift = 0;    ///< n_shift 0 .. 268 (FAPI frequencyShift).
  unsigned hopping_bandwidth = 0;  ///< b_hop 0 .. 3 (FAPI frequencyHopping); >= B_SRS: no hopping.
  SrsHopping group_or_sequence_hopping = SrsHopping::neither;
  SrsResourceType resource_type = SrsResourceType::aperiodic;
  unsigned periodicity = 1; ///< T_SRS in slots (FAPI Tsrs), periodic / semi-persistent only.
  unsigned slot_offset = 0; ///< T_offset 0 .. T_SRS - 1 (FAPI Toffset).

  /// Empty when the PDU is valid for \p cell and supported, otherwise what is wrong (including
  /// an SRS that does not fit in the BWP or the carrier).
  [[nodiscard]] std::string validate(const CellConfig& cell) const;

  /// n_SRS^cs,max: 8 for comb 2, 12 for comb 4 (TS 38.211 Table 6.4.1.4.2-1).
  [[nodiscard]] unsigned max_cyclic_shifts() const { return comb_size == 4 ? 12U : 8U; }
  /// m_SRS,B_SRS: PRBs the SRS spans on one symbol.
  /// \throws std::invalid_argument for C_SRS > 63 or B_SRS > 3.
  [[nodiscard]] unsigned num_prbs() const;
  /// M_sc,b^SRS = m_SRS,B_SRS 12 / K_TC: sequence length (REs per symbol and port).
  [[nodiscard]] unsigned sequence_length() const { return num_prbs() * 12 / comb_size; }
  /// True when frequency hopping is on (b_hop < B_SRS).
  [[nodiscard]] bool frequency_hopping() const { return hopping_bandwidth < b_srs; }
  /// n_SRS^cs,i of port \p port (0 .. num_ports - 1, antenna port 1000 + port).
  [[nodiscard]] unsigned port_cyclic_shift(unsigned port) const;
  /// Cyclic shift alpha_i = 2 pi n_SRS^cs,i / n_SRS^cs,max in radians.
  [[nodiscard]] float port_alpha(unsigned port) const;
  /// k_TC^(p_i): the comb of port \p port (kbar_TC, or shifted by K_TC / 2 for ports 1001 and
  /// 1003 of a 4-port SRS whose n_SRS^cs is in the upper half).
  [[nodiscard]] unsigned port_comb(unsigned port) const;

  friend bool operator==(const SrsConfig&, const SrsConfig&) = default;
};

/// The hopping counter n_SRS of SRS symbol \p l (0 .. num_symbols - 1) in slot \p slot of
/// frame \p sfn (TS 38.211 6.4.1.4.3): floor(l / R) for aperiodic SRS, else
/// ((N_slot^frame sfn + slot - T_offset) / T_SRS) (N_symb^SRS / R) + floor(l / R), the slots
/// counted modulo the 1024 frames of \p sfn (a slot before T_offset in frame 0 counts from the
/// previous hyperframe). \throws std::invalid_argument for R = 0, or T_SRS = 0 when periodic.
unsigned srs_hopping_counter(const SrsConfig& srs, unsigned slots_per_frame, unsigned sfn,
                             unsigned slot, unsigned l);

/// Hopping occasions after which the SRS positions repeat: prod_{b = b_hop + 1}^{B_SRS} N_b with
/// frequency hopping (every sub-band of m_SRS,b_hop PRBs once), else 1.
/// \throws std::invalid_argument for C_SRS > 63 or B_SRS > 3 (also srs_first_crb(),
/// srs_first_subcarrier()).
unsigned srs_hopping_period(const SrsConfig& srs);

/// First CRB (from point A) of the SRS at hopping counter \p n_srs: the reference point (CRB 0
/// when N_BWP^start <= n_shift, else the BWP start) + n_shift + sum_{b=0}^{B_SRS} m_SRS,b n_b
/// (TS 38.211 6.4.1.4.3). The SRS spans num_prbs() CRBs from there on every port.
unsigned srs_first_crb(const SrsConfig& srs, unsigned n_srs);

/// k0^(p_i) of the SRS symbols with hopping counter \p n_srs on port \p port as a subcarrier
/// index of the carrier's resource grid (subcarrier 0 = first subcarrier of CRB N_grid^start):
/// the SRS occupies subcarriers k0 + K_TC k', k' = 0 .. sequence_length() - 1 (TS 38.211
/// 6.4.1.4.3). \throws std::invalid_argument when the SRS starts below the carrier.
unsigned srs_first_subcarrier(const SrsConfig& srs, const CellConfig& cell, unsigned port,
                              unsigned n_srs);

/// Sequence group u and number v of every SRS symbol l' = 0 .. num_symbols - 1 of slot \p slot
/// (TS 38.211 6.4.1.4.2): u = (f_gh + n_ID^SRS) mod 30 with f_gh from c(8 (n_s N_symb^slot + l0 +
/// l') + m), m = 0 .. 7, under group hopping; v = c(n_s N_symb^slot + l0 + l') under sequence
/// hopping when M_sc,b^SRS >= 72; c() initialised with n_ID^SRS. Writes ids[0 .. num_symbols - 1];
/// no allocation. \throws std::invalid_argument when \p ids is shorter than num_symbols.
void srs_sequence_ids(const SrsConfig& srs, unsigned symbols_per_slot, unsigned slot,
                      std::span<LowPaprSequenceId> ids);

} // namespace airan::phy
