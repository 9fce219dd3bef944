/// \file
/// \brief SrsEstimator: the channel of one SRS PDU per receive antenna, SRS port and PRB from a
/// received grid, with its measurements (noise, wideband and per-PRB SNR, timing offset) on the
/// CPU; and write_srs(), the UE side (TS 38.211 6.4.1.4).
#pragma once

#include "airan/phy/resource_grid.h"
#include "airan/phy/srs_config.h"

#include <array>
#include <complex>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace airan::phy {

/// Writes the SRS of \p srs in slot \p slot of frame \p sfn: SRS port i (antenna port 1000 + i)
/// on port first_port + i of \p grid, amplitude beta_SRS / sqrt(N_ap) with beta_SRS = 1, other
/// REs untouched. \throws std::invalid_argument for an invalid SRS or a grid without the cell's
/// shape or ports.
void write_srs(const CellConfig& cell, unsigned sfn, unsigned slot, const SrsConfig& srs,
               ResourceGrid& grid, unsigned first_port = 0);

/// What an SrsEstimator measured for one PDU.
struct SrsEstimatorResult {
  static constexpr float no_snr = std::numeric_limits<float>::quiet_NaN();

  std::string error; ///< Non-empty: the PDU was not processed (invalid config); nothing below set.
  /// Noise (plus interference) variance per RE and receive antenna, grid units.
  float noise_variance = 0.0F;
  /// This PDU's received SRS power per RE and receive antenna, all its ports together, noise and
  /// other UEs' ports removed (grid units); the signal power of the SNRs below.
  float rsrp = 0.0F;
  /// rsrp / noise_variance in dB over every SRS RE of the PDU (capped at 100 dB without noise).
  float wideband_snr_db = 0.0F;
  /// Timing offset in seconds from the phase slope of this PDU's channel across the comb:
  /// positive when the signal arrives late (what a timing advance command corrects).
  float delay_s = 0.0F;
  unsigned num_symbols = 0; ///< SRS symbols measured (the PDU's N_symb^SRS).
  unsigned bwp_size = 0;    ///< PRBs per row of prb_snr_db (the PDU's BWP).
  /// SNR in dB of each SRS symbol and PRB of the BWP, [symbol][PRB relative to the BWP start];
  /// no_snr (NaN) on PRBs the SRS does not occupy on that symbol. Rows of 275 entries.
  std::array<float, SrsConfig::max_symbols * 275> prb_snr_db{};
  unsigned num_rx_antennas = 0; ///< Rows of channel.
  unsigned num_ports = 0;       ///< Ports per antenna in channel.
  /// Channel per receive antenna, SRS port and PRB of the BWP, averaged over the PRB's SRS REs
  /// and symbols: index (rx * num_ports + port) * bwp_size + prb; zero on PRBs without SRS.
  /// Excludes the 1 / sqrt(N_ap) of write_srs (the channel from that UE antenna).
  std::vector<cf32> channel;

  [[nodiscard]] float prb_snr(unsigned symbol, unsigned prb) const {
    return prb_snr_db[std::size_t{symbol} * 275 + prb];
  }
  [[nodiscard]] cf32 channel_at(unsigned rx, unsigned port, unsigned prb) const {
    return channel[(std::size_t{rx} * num_ports + port) * bwp_size + prb];
  }
};

/// A port of another PDU (another UE) sent on this PDU's SRS REs with the same base sequence,
/// orthogonal to this PDU's ports only by its cyclic shift (TS 38.211 6.4.1.4.2): what
/// SrsEstimator::process() must know to keep it out of this PDU's measurements.
struct SrsForeignPort {
  /// Enough for any PDU: n_SRS^cs,max (at most 12) shifts on each of its combs (at most 2).
  static constexpr std::size_t max_per_pdu = 24;

  unsigned comb = 0;         ///< k_TC^(p_i) of the port (SrsConfig::port_comb()), 0 .. K_TC - 1.
  unsigned cyclic_shift = 0; ///< n_SRS^cs,i of the port (SrsConfig::port_cyclic_shift()).

  friend bool operator==(const SrsForeignPort&, const SrsForeignPort&) = default;
};

/// The ports of the other PDUs of the slot \p slot_pdus that share the SRS REs of \p srs and differ
/// from its ports only by cyclic shift, for SrsEstimator::process(): a PDU's ports count when it
/// has the same comb size K_TC, start symbol and number of symbols, the same sequence length
/// M_sc,b^SRS, on every symbol the same first CRB (each PDU with its own hopping counter n_SRS in
/// slot \p slot of frame \p sfn) and the same u and v (srs_sequence_ids(), each PDU with its own
/// n_ID^SRS and hopping), and the port's comb is one of the combs of \p srs. Other overlapping SRSs
/// (another comb size, other symbols, PRBs or sequence) are not cyclic-shift orthogonal to \p srs:
/// they are interference, not listed.
///
/// Skipped: \p srs itself when it is an element of \p slot_pdus (by address; a copy of it lists
/// nothing anyway, all its ports colliding), PDUs that fail validate(\p cell), and a port with
/// the same comb and cyclic shift as a port of \p srs: a collision, which no receiver can undo;
/// process() then measures that port as the sum of both UEs' channels (its channel, its share of
/// rsrp and the SNRs, and the timing mixing both UEs). A port listed once is not listed again.
///
/// Writes the first min(found, out.size()) ports to \p out (in the order of \p slot_pdus and
/// their ports) and returns found, the number of distinct ports: \p out of
/// SrsForeignPort::max_per_pdu entries always holds them all. Returns 0 when \p srs is invalid.
/// \p symbols_per_slot and \p slots_per_frame are the cell's (its cyclic prefix and numerology).
/// No allocation (unless a PDU of \p slot_pdus is invalid: its error text).
std::size_t srs_co_scheduled_ports(const SrsConfig& srs, std::span<const SrsConfig> slot_pdus,
                                   unsigned symbols_per_slot, unsigned sfn, unsigned slot,
                                   unsigned slots_per_frame, const CellConfig& cell,
                                   std::span<SrsForeignPort> out);

/// Estimates the channel and measurements of SRS PDUs. Allocates at construction; process()
/// does not allocate once \p result's channel has reached its size.
///
/// Per PDU and comb: the cyclic shifts n_i on the comb are this PDU's ports there (1, 2 or 4; a
/// 4-port SRS whose cyclic shift is in the upper half puts 2 on each of two combs) plus the
/// foreign ports process() is given on that comb (other UEs, srs_co_scheduled_ports()). Their
/// period P = n_SRS^cs,max / gcd(n_SRS^cs,max, every n_i - n_0) (1 .. n_SRS^cs,max; the PDU's own
/// ports alone: P = its ports on the comb) makes every relative shift alpha_i - alpha_0 a multiple
/// of 2 pi / P, and gives each shift its own bin m_i = (n_i - n_0) P / n_SRS^cs,max of a P-point
/// DFT. L = lcm of the combs' P (P when they agree).
/// 1. De-spreading: on every SRS symbol, receive antenna and comb, z(k') = y(k0 + K_TC k')
///    conj(rbar(k')) with the symbol's base sequence (no cyclic shift), k' = 0 .. M - 1, so that
///    z(k') = sum_i h_i(k') e^{j alpha_i k'} + noise over the comb's shifts (this PDU's with the
///    1 / sqrt(N_ap) of write_srs()).
/// 2. Timing: at lag L every shift's term turns by the same alpha_0 L, while the cross terms
///    cancel over each P consecutive REs: C = sum z(k' + L) conj(z(k')) e^{-j alpha_0 L} over k',
///    antennas, symbols and combs has the phase L theta, theta = -2 pi K_TC delta_f tau for a
///    common delay tau (the power-weighted mean of every UE's on the comb).
/// 3. Ports: d(k') = z(k') e^{-j (theta + alpha_0) k'} removes the common phase slope and the first
///    port's shift. One shift on the comb: the channel of a PRB is the mean of d(k') e^{j theta k'}
///    over its REs, exactly the mean of the received channel. Several: over blocks of B comb REs
///    (the fewest whole PRBs whose REs are a multiple of P: 1, 2 or 4 PRBs) the mean of each class
///    k' mod P, folded by the P-point DFT at each of this PDU's bins, is that port's coefficient
///    g_p (exact for channels flat over the block once the slope is removed; the other UEs' bins
///    are not read), put on each PRB of the block times the mean of e^{j theta_own k'} over the
///    PRB, turned back by phi at the block's centre (step 4; theta_own = theta without foreign
///    ports, where this is the slope's mean over the PRB).
/// 4. This PDU's own timing, with foreign ports only: P-point DFTs at this PDU's bins over every P
///    consecutive REs (sub-blocks), correlated between neighbouring sub-blocks within a block (B >=
///    3 P), or between neighbouring blocks (B = P: comb 4 with P 3, 6 or 12), give the phase step
///    phi of this PDU's channel left by the common slope (the other UEs' cancel as in 3), theta_own
///    = theta + phi (within +-pi / P of theta). Without foreign ports theta_own = theta.
///    delay_s = -theta_own / (2 pi K_TC delta_f) brought within +-1 / (2 K_TC L delta_f), the
///    unambiguous range (30 kHz, comb 2: +-8.3 us with one shift per comb, +-4.2 us with P = 2,
///    +-1.0 us with P = 8; comb 4: +-4.2 us with P = 1, +-347 ns with P = 12).
/// 5. Noise: the second differences d(k' - P) - 2 d(k') + d(k' + P) along each class, within each
///    block when B >= 3 P (every comb 2 case, comb 4 with P 1, 2 or 4), else along the whole
///    symbol, which cancel every shift's channel (this PDU's and the other UEs') where it is linear
///    over 3 P REs once the slope is removed; |.|^2 / 6 averaged over k', blocks, antennas, symbols
///    and combs (unbiased for white noise; a channel that curves over 3 P REs, or changes from one
///    PRB to the next inside a block, adds to it). A comb with fewer than 3 P REs (comb 4 on 4
///    PRBs with P 6 or 12) uses the DFT bins of no shift instead (|.|^2 / B per bin and block),
///    and noise_variance is 0 (the SNRs at their cap) when no comb has either (there, all P shifts
///    in use).
/// 6. Reports: the power of this PDU's ports per RE of a comb, sum_p |g_p|^2 / N_ap over its ports
///    there (the block or PRB coefficients of 3 with the slope removed) less their noise (sigma^2
///    / B each), averaged over the PDU's REs, antennas and symbols: rsrp. The other UEs' power does
///    not count. The per-symbol per-PRB SNR: the same power of the PRB's block (the PRBs of a
///    block share it) over noise_variance; SNRs in dB within [-64, 100]. The channel (times
///    sqrt(N_ap)) is averaged over the symbols that cover the PRB. Being a mean over the PRB, it
///    shrinks when the channel turns fast across it (a timing offset tau turns it by 2 pi 12
///    delta_f tau: 1.1 rad at 30 kHz and 0.5 us); rsrp does not (it is measured with the slope
///    removed), but a channel that varies within a block (delay spread) loses that variation's
///    power.
///
/// Limits with foreign ports: each UE's channel, once the common slope is removed, must be about
/// flat over a block for the UEs to separate: a UE whose delay differs from the comb's mean by
/// dtau leaks about (2 pi K_TC delta_f dtau)^2 (B^2 - 1) / 12 of its power out of its bin (-32 dB
/// at 10 ns with B = 12 on comb 4), and a delay spread longer than the T_u / (K_TC P) window of
/// each shift leaks the same way. The noise and interference of other SRSs that are not cyclic
/// shifts of this one (another sequence, comb size or PRBs) count as noise.
class SrsEstimator {
public:
  /// \throws std::invalid_argument for an invalid cell or no receive antenna.
  SrsEstimator(const CellConfig& cell, unsigned num_rx_antennas);

  [[nodiscard]] const CellConfig& cell() const { return cell_; }
  [[nodiscard]] unsigned num_rx_antennas() const { return num_rx_antennas_; }

  /// Measures the SRS of \p srs in \p grid ([rx antenna][symbol][subcarrier], the cell's shape)
  /// received in slot \p slot of frame \p sfn, with \p others the ports of other UEs on its
  /// REs (srs_co_scheduled_ports(); in any order, repeats allowed). A foreign port on a comb \p srs
  /// does not use, or with the comb and cyclic shift of one of \p srs's ports (a collision),
  /// changes nothing. An invalid PDU, or a foreign port whose comb or cyclic shift is out of range
  /// for \p srs's comb size, gets its error text in result.error.
  /// \throws std::invalid_argument when the grid does not have the cell's shape.
  void process(const ResourceGrid& grid, unsigned sfn, unsigned slot, const SrsConfig& srs,
               SrsEstimatorResult& result, std::span<const SrsForeignPort> others = {});

private:
  struct CombLayout;
  struct Layout;
  struct Sums;

  /// The layout of \p srs beside \p others; false (and result.error) for a bad foreign port.
  bool make_layout(const SrsConfig& srs, unsigned sfn, unsigned slot,
                   std::span<const SrsForeignPort> others, Layout& layout,
                   SrsEstimatorResult& result) const;
  /// De-spreads every symbol, antenna and comb into despread_; returns C of step 2.
  std::complex<double> despread(const ResourceGrid& grid, const SrsConfig& srs,
                                const Layout& layout);
  /// Fills slope_ and derotation_ for the slope \p theta (rad per comb RE).
  void prepare_derotation(const Layout& layout, double theta);
  /// Step 4: derotates despread_ in place and returns phi.
  double own_phase_step(const Layout& layout);
  /// Fills slope_ (when \p phi is not 0) and prb_slope_ for theta_own = \p theta + \p phi.
  void prepare_channel_slopes(const Layout& layout, double theta, double phi);
  /// Steps 3 and 5: the ports' channels into result.channel (sums), their powers into prb_power_;
  /// derotates despread_ unless own_phase_step() did.
  Sums separate_ports(const SrsConfig& srs, const Layout& layout, bool derotated,
                      SrsEstimatorResult& result);
  /// One comb, symbol and antenna with a single shift: channel and power per PRB, noise.
  void separate_single_port(const Layout& layout, const cf32* rotation, cf32* d, float* power,
                            cf32* channel, Sums& sums) const;
  /// One comb, symbol and antenna with several shifts: channel and power per block, noise;
  /// derotates \p d by \p rotation first unless it is null.
  void separate_shifts(const SrsConfig& srs, const Layout& layout, const CombLayout& comb,
                       unsigned comb_index, const cf32* rotation, cf32* d, float* power,
                       cf32* channel, Sums& sums) const;
  /// The blocks of separate_shifts() with P = \p Period (0: comb.period).
  template <unsigned Period>
  void separate_blocks(const SrsConfig& srs, const Layout& layout, const CombLayout& comb,
                       unsigned comb_index, const cf32* rotation, cf32* d, float* power,
                       cf32* channel, Sums& sums) const;
  /// Step 6 from the sums.
  void report(const SrsConfig& srs, const Layout& layout, const Sums& sums,
              SrsEstimatorResult& result) const;

  CellConfig cell_;
  unsigned num_rx_antennas_;
  // Scratch sized at construction for the largest SRS (272 PRBs, comb 2, two combs).
  std::vector<cf32> sequence_;        ///< Base sequence of one symbol.
  std::vector<cf32> despread_;        ///< z, then d, [rx][symbol][comb][k'].
  std::vector<cf32> derotation_;      ///< e^{-j (theta + alpha_0) k'}, [comb][k'].
  std::vector<cf32> slope_;           ///< e^{j theta k'}, then e^{j theta_own k'}.
  std::vector<cf32> prb_slope_;       ///< [comb][PRB of the SRS band]: see prepare_channel_slopes.
  std::vector<float> prb_power_;      ///< This PDU's power, [symbol][PRB of the BWP].
  std::vector<unsigned> prb_symbols_; ///< SRS symbols on each PRB of the BWP.
};

} // namespace airan::phy
