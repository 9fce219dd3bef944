/// \file
/// \brief PUCCH format 2 (TS 38.211 6.3.2.5, 6.4.1.3.2; TS 38.212 6.3.1): the transmitter and a
/// CPU receiver.
///
/// The UCI payload a (HARQ-ACK, then SR, then CSI part 1; A > 2 bits) is coded into E_UCI =
/// E_tot = 16 N_symb N_PRB bits (pucch_format2_coded_bits(); no CSI part 2 on format 2): the short
/// block code of TS 38.212 5.3.3.3 with cyclic rate matching up to 11 bits, CRC, polar code, rate
/// matching and channel interleaving (I_BIL = 1) from 12 bits, exactly as for UCI on PUSCH
/// (TS 38.212 6.3.1.2 to 6.3.1.4 use the same segmentation, CRC and rate matching rules as 6.3.2.2
/// to 6.3.2.4). The bits are scrambled (c_init = n_RNTI 2^15 + n_ID), QPSK modulated and mapped to
/// the 8 REs of each PRB and symbol that do not carry DMRS, frequency first. The DMRS is a QPSK
/// Gold sequence on subcarriers 1, 4, 7, 10 of every PRB.
#pragma once

#include "airan/phy/pucch_config.h"
#include "airan/phy/pucch_uci_coding.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"
#include "airan/phy/uci_polar_code.h"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::phy {

/// Data REs (QPSK) per PRB and symbol: the 12 subcarriers less the 4 DMRS ones.
inline constexpr unsigned pucch_format2_data_res_per_prb = 8;
/// DMRS REs per PRB and symbol, on subcarriers k = 3i + 1 of the PRB.
inline constexpr unsigned pucch_format2_dmrs_res_per_prb = 4;
/// Most OFDM symbols of a format 2 PUCCH.
inline constexpr unsigned pucch_format2_max_symbols = 2;
/// Most coded bits: 16 PRBs x 2 symbols x 8 REs x 2 bits.
inline constexpr unsigned pucch_format2_max_coded_bits =
    PucchConfig::max_format2_prbs * pucch_format2_max_symbols * pucch_format2_data_res_per_prb * 2;

/// c_init of the data scrambling, n_RNTI 2^15 + n_ID (TS 38.211 6.3.2.5.1).
constexpr std::uint32_t pucch_format2_scrambling_init(std::uint16_t rnti,
                                                      std::uint16_t scrambling_id) {
  return pucch_uci_scrambling_init(rnti, scrambling_id);
}

/// c_init of the DMRS of slot symbol \p symbol (TS 38.211 6.4.1.3.2.1):
/// (2^17 (N_symb^slot n_s + l + 1)(2 N_ID^0 + 1) + 2 N_ID^0) mod 2^31.
constexpr std::uint32_t pucch_format2_dmrs_init(unsigned symbols_per_slot, unsigned slot,
                                                unsigned symbol, std::uint16_t n_id0) {
  const std::uint64_t n_id = n_id0;
  const std::uint64_t l_term = std::uint64_t{symbols_per_slot} * slot + symbol + 1;
  return static_cast<std::uint32_t>(((l_term * (2 * n_id + 1) << 17) + 2 * n_id) % (1ULL << 31));
}

/// The DMRS values of slot symbol \p symbol on \p out.size() / 4 PRBs from CRB \p first_crb:
/// out[i] = r_l(4 first_crb + i) = ((1 - 2c(2m)) + j(1 - 2c(2m + 1))) / sqrt(2), m the index
/// counted from subcarrier 0 of CRB 0 (see pucch_format2.cpp for the clause), so that out[4p + i]
/// sits on subcarrier 3i + 1 of PRB p.
void pucch_format2_dmrs(unsigned symbols_per_slot, unsigned slot, unsigned symbol,
                        std::uint16_t n_id0, unsigned first_crb, std::span<cf32> out);

/// Writes a format 2 PUCCH of \p bits on antenna port \p port of \p grid (rows: ports, symbols
/// per slot, 12 cell.num_prbs subcarriers): DMRS and data REs of every allocated PRB and symbol
/// (unit average power); other REs are left as they are. \p slot is n_s,f (DMRS).
/// \throws std::invalid_argument when the parts of \p bits do not have the sizes of \p pucch,
/// the payload cannot be coded (fewer than 3 bits, too few coded bits for the polar code), or the
/// PUCCH does not fit the grid.
void write_pucch_format2(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                         const PucchUciBits& bits, ResourceGrid& grid, unsigned port = 0);

/// CPU receiver of format 2 PUCCHs. Storage for up to max_rx_antennas antennas and 16 PRBs x 2
/// symbols is allocated at construction; receive() does not allocate (the polar decoder builds
/// and keeps the code of a size the first time it meets it).
///
/// Channel: per symbol and antenna the DMRS give least-squares estimates h = y conj(r) on
/// subcarriers 1, 4, 7, 10 of each PRB, and each PRB's four are averaged into the channel of its
/// 8 data REs. The average keeps a quarter of the noise of one estimate, which matters at the low
/// SNRs where PUCCH is decoded; linear interpolation between neighbours would keep about half.
/// What varies within 12 subcarriers is mostly a phase slope (a timing offset, the mean delay of
/// the channel): it is estimated from the correlation of neighbouring estimates, 3 subcarriers
/// apart, over all PRBs, symbols and antennas, taken out before the average and put back on the
/// data REs. It is kept only when it adds more than two noise variances to the energy of the PRB
/// averages (Akaike's criterion for one parameter; else 0), as a slope fitted to noise costs
/// signal at low SNR. What the slope leaves (strong taps microseconds apart) enlarges the residual.
///
/// Noise: the residual of the (de-rotated) estimates around their PRB average, sum |h_i -
/// h_avg|^2 / (3 N_PRB N_symb N_rx): 3 degrees of freedom of 4 values per PRB, symbol and
/// antenna, one variance for all antennas, floored at 60 dB below the channel power.
///
/// Combining: maximal-ratio over the antennas into QPSK LLRs (positive for bit 0) scaled by the
/// post-combining SNR, 2 sqrt(2) Re(sum_a conj(h_a) y_a) / sigma^2 and the same for the imaginary
/// part (the exact LLR of QPSK for the estimated channel).
class PucchFormat2Receiver {
public:
  /// \param max_rx_antennas Most receive antennas (grid ports) receive() takes; at least 1.
  /// \throws std::invalid_argument for 0 antennas.
  explicit PucchFormat2Receiver(unsigned max_rx_antennas);

  /// Fills \p result (detected, crc_ok, bits with num_harq_bits / num_sr_bits /
  /// num_csi_part1_bits, sinr_db, detection_metric; error cleared) from all antennas (ports) of
  /// \p grid. A DMRS gate comes first: the share of the DMRS energy the PRB averages hold must
  /// exceed what noise alone reaches with probability 10% (Beta(G, 3G) for G antenna x symbol x
  /// PRB groups, averages without the phase slope), which divides the decoders' own
  /// false-alarm rates by ten. Short blocks (A <= 11): detected when the gate passes and the
  /// correlation of the decoded codeword (decode_uci_short_block()) passes
  /// uci_short_block_detected(), crc_ok = detected, the metric that correlation; with 16 coded
  /// bits (1 PRB, 1 symbol) a 10-bit payload cannot be told from noise by its decoding, and the
  /// gate alone decides, at 1% (11 bits there are ambiguous, the first 16 rows of Table
  /// 5.3.3.3-1 having rank 10, and PucchConfig::validate() refuses them). Polar codes:
  /// detected = crc_ok = gate passed and every CRC holds, metric 1 or 0.
  /// A grid without any energy on the PUCCH's REs is never detected. sinr_db: the average over
  /// the antennas of the DMRS signal power per RE (|h_avg|^2 less its noise, sigma^2 / 4) over
  /// the noise variance, within -60 .. 60 dB.
  /// \throws std::invalid_argument for a configuration it cannot take (not format 2, sizes
  /// outside 1..16 PRBs, 1..2 symbols, 3..1706 bits, too few coded bits, a PUCCH outside the
  /// grid, hopping with one symbol) or a grid with more antennas than the constructor allowed or
  /// another shape than ports x symbols per slot x 12 cell.num_prbs.
  void receive(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
               const PucchConfig& pucch, PucchResult& result);

private:
  static constexpr unsigned max_dmrs_per_symbol =
      PucchConfig::max_format2_prbs * pucch_format2_dmrs_res_per_prb;

  void estimate_channel(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
                        const PucchConfig& pucch);
  void compute_llrs(const ResourceGrid& grid, const CellConfig& cell, const PucchConfig& pucch);
  void decode(const PucchConfig& pucch, PucchResult& result);

  /// LS estimates, [antenna][symbol][4 N_PRB].
  [[nodiscard]] cf32* ls(unsigned antenna, unsigned symbol) {
    return ls_.data() +
           (std::size_t{antenna} * pucch_format2_max_symbols + symbol) * max_dmrs_per_symbol;
  }
  /// PRB averages at the PRB centre (subcarrier 5.5), [antenna][symbol][N_PRB].
  [[nodiscard]] cf32* prb_channel(unsigned antenna, unsigned symbol) {
    return prb_channel_.data() + (std::size_t{antenna} * pucch_format2_max_symbols + symbol) *
                                     PucchConfig::max_format2_prbs;
  }

  unsigned max_rx_antennas_;
  PucchUciDecoder uci_decoder_;
  std::vector<cf32> ls_;
  std::vector<cf32> prb_channel_;
  std::array<cf32, max_dmrs_per_symbol> dmrs_{};
  std::array<float, pucch_format2_max_coded_bits> llrs_{};
  double dmrs_share_ = 0.0;  ///< Share of the DMRS energy in the PRB averages.
  unsigned dmrs_groups_ = 0; ///< Antennas x symbols x PRBs.
  float phase_slope_ = 0;    ///< Radians per subcarrier.
  float noise_variance_ = 0; ///< Per RE and antenna.
  float sinr_db_ = 0;
  unsigned num_antennas_ = 0;
};

} // namespace airan::phy
