/// \file
/// \brief PUCCH formats 3 and 4 (TS 38.211 6.3.2.6, 6.4.1.3.3; TS 38.212 6.3.1): the transmitter
/// and a CPU receiver.
///
/// The UCI payload (HARQ-ACK, SR, CSI part 1; 3..1706 bits) is coded into E_tot bits
/// (pucch_format34_coded_bits(), encode_pucch_uci()), scrambled, and QPSK or pi/2-BPSK modulated.
/// Each OFDM symbol without DMRS takes M = 12 N_PRB modulation symbols (format 3) or 12 / N_SF
/// symbols spread by the pre-DFT cover w_n of length N_SF (format 4, one PRB), transform precoded
/// by a unitary DFT of size M = 12 N_PRB. The DMRS symbols (pucch_format34_dmrs_mask()) carry the
/// low-PAPR sequence r^(alpha, 0)_{u,v} of length M on every subcarrier: u, v by group and
/// sequence hopping per hop (6.3.2.2.1), alpha the cyclic shift of 6.3.2.2.2 with m_0 = 0
/// (format 3) or m_0 of the cover (format 4, Table 6.4.1.3.3.1-1) and m_cs = 0.
#pragma once

#include "airan/phy/pucch_config.h"
#include "airan/phy/pucch_uci_coding.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/transform_precoder.h"
#include "airan/phy/types.h"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::phy {

/// Most subcarriers of a format 3 or 4 PUCCH: 16 PRBs.
inline constexpr unsigned pucch_format34_max_subcarriers = 12 * PucchConfig::max_format3_prbs;

/// w_n(k) of format 4 (TS 38.211 Tables 6.3.2.6.3-1 and -2), k = 0..11.
/// \throws std::invalid_argument unless n_sf is 2 or 4, n < n_sf and k < 12.
cf32 pucch_format4_cover(unsigned n_sf, unsigned n, unsigned k);

/// m_0 of the DMRS (TS 38.211 6.4.1.3.3.1): 0 for format 3; for format 4 the cyclic shift of its
/// cover (Table 6.4.1.3.3.1-1: N_SF = 2: 0, 6; N_SF = 4: 0, 6, 3, 9).
unsigned pucch_format34_dmrs_cyclic_shift(const PucchConfig& pucch);

/// The DMRS of PUCCH symbol \p l (a DMRS symbol of \p pucch) in slot \p slot: M = 12 N_PRB values
/// r^(alpha, 0)_{u,v}(m) in subcarrier order (\p out holds M values).
void pucch_format34_dmrs(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                         unsigned l, std::span<cf32> out);

/// Writes a format 3 or 4 PUCCH carrying \p bits on port \p port of \p grid (ports x symbols per
/// slot x 12 cell.num_prbs subcarriers): every RE of its PRBs and symbols, unit average power.
/// \throws std::invalid_argument for a PDU that is not valid for \p cell (PucchConfig::validate())
/// or not of format 3 or 4, parts of \p bits that do not have the PDU's sizes, or a grid that does
/// not hold the port and symbols.
void write_pucch_format34(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                          const PucchUciBits& bits, ResourceGrid& grid, unsigned port = 0);

/// CPU receiver of format 3 and 4 PUCCHs. Storage for max_rx_antennas antennas and 16 PRBs is
/// allocated at construction (with the transform precoder's DFT plans); receive() does not
/// allocate (the polar decoder keeps each code size it met).
///
/// Channel: per DMRS symbol and antenna the least-squares estimates h(k) = y(k) conj(r(k)) on all
/// M subcarriers. A common phase slope (a timing offset) is estimated from the correlation of
/// neighbouring estimates over all DMRS symbols and antennas (for format 4 limited to half the
/// distance to the other covers' DMRS, whose cyclic shifts look like slopes: pi / 4 per
/// subcarrier with N_SF = 4, pi / 2 with N_SF = 2), and kept only when it adds more than two
/// noise variances to the energy of the PRB averages (Akaike's criterion). The DMRS gate then
/// takes the share of that model (the sloped PRB averages) with a union bound over 12 slopes.
/// Without the slope the estimates are averaged over a window of 12 subcarriers that stays inside
/// the allocation (the PRB average for 1 PRB, which also cancels the DMRS of the other format 4
/// covers), the slope is put back, and the DMRS symbols of each hop are averaged: one channel per
/// hop, subcarrier and antenna.
///
/// Format 4: the DMRS of the other N_SF - 1 covers (cyclic shifts 3, 6 or 9 away) may share the
/// PRB; their directions are projected out of the noise estimate and of the DMRS evidence
/// whether or not another UE is scheduled there.
///
/// Noise: the residual of the estimates around their window averages (less the other covers'
/// DMRS energy), divided by the dimensions it holds (11/12 of the estimates, less the other
/// covers' directions), one variance for all antennas, floored at 60 dB below the channel
/// power.
///
/// Data: per subcarrier, maximal-ratio combining into the unbiased estimate x = sum conj(h) y /
/// sum |h|^2 of noise variance sigma^2 / sum |h|^2, then the inverse DFT with MMSE weights
/// (TransformPrecoder::deprecode_equalized()), for format 4 the cover removed (the average of the
/// N_SF copies), and exact LLRs of QPSK or pi/2-BPSK for the resulting variances.
class PucchFormat34Receiver {
public:
  /// \throws std::invalid_argument for 0 antennas.
  explicit PucchFormat34Receiver(unsigned max_rx_antennas);

  /// Fills \p result (detected, crc_ok, the bits, sinr_db, detection_metric; error cleared) from
  /// all antennas (ports) of \p grid; PucchUciDecoder::decode() decides on the DMRS evidence (the
  /// share of the DMRS energy the PRB averages hold, Beta(G, (11 - N_SF + 1) G) on noise alone for
  /// G antenna x DMRS symbol x PRB groups; N_SF = 1 for format 3) and the decoding. sinr_db: the
  /// channel power per RE (less the noise of its estimate) over the noise variance, within -60 ..
  /// 60 dB. \throws std::invalid_argument for a PDU not valid for \p cell or not of format 3 or 4,
  /// or a grid with more antennas than the constructor allowed or another shape than ports x
  /// symbols per slot x 12 cell.num_prbs.
  void receive(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
               const PucchConfig& pucch, PucchResult& result);

private:
  void estimate_channel(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
                        const PucchConfig& pucch);
  void smooth_and_average(const PucchConfig& pucch, float slope);
  void compute_llrs(const ResourceGrid& grid, const CellConfig& cell, const PucchConfig& pucch);

  /// LS estimates of DMRS symbol d (0..3) and antenna a.
  [[nodiscard]] cf32* ls(unsigned a, unsigned d) {
    return ls_.data() +
           (std::size_t{a} * pucch_format34_max_dmrs_symbols + d) * pucch_format34_max_subcarriers;
  }
  /// The channel of hop h and antenna a.
  [[nodiscard]] cf32* hop_channel(unsigned a, unsigned h) {
    return hop_channel_.data() + (std::size_t{a} * 2 + h) * pucch_format34_max_subcarriers;
  }

  unsigned max_rx_antennas_;
  TransformPrecoder deprecoder_;
  PucchUciDecoder uci_decoder_;
  std::vector<cf32> ls_;
  std::vector<cf32> hop_channel_;
  std::array<cf32, pucch_format34_max_subcarriers> reference_{};
  std::array<cf32, pucch_format34_max_subcarriers> values_{};
  std::array<float, pucch_format34_max_subcarriers> variances_{};
  std::array<float, pucch_max_uci_coded_bits> llrs_{};
  std::array<unsigned, pucch_format34_max_dmrs_symbols> dmrs_symbols_{}; ///< PUCCH symbol l.
  unsigned num_dmrs_ = 0;
  unsigned num_antennas_ = 0;
  PucchDmrsEvidence evidence_;
  double excluded_energy_ = 0.0;     ///< Format 4: the DMRS energy of the other covers.
  unsigned excluded_dimensions_ = 0; ///< Format 4: their dimensions.
  float noise_variance_ = 0;
  float sinr_db_ = 0;
};

} // namespace airan::phy
