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
  /// Received SRS power per RE and receive antenna, all ports together, noise removed (grid
  /// units); the signal power of the SNRs below.
  float rsrp = 0.0F;
  /// rsrp / noise_variance in dB over every SRS RE of the PDU (capped at 100 dB without noise).
  float wideband_snr_db = 0.0F;
  /// Timing offset in seconds from the phase slope across the comb: positive when the signal
  /// arrives late (what a timing advance command corrects).
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

/// Estimates the channel and measurements of SRS PDUs. Allocates at construction; process()
/// does not allocate once \p result's channel has reached its size.
///
/// The estimate, per PDU (P: the ports that share a comb, 1, 2 or 4; a 4-port SRS whose cyclic
/// shift is in the upper half puts 2 on each of two combs):
/// 1. De-spreading: on every SRS symbol, receive antenna and comb, z(k') = y(k0 + K_TC k')
///    conj(rbar(k')) with the symbol's base sequence (no cyclic shift), k' = 0 .. M - 1, so that
///    z(k') = sum_p h_p(k') e^{j alpha_p k'} / sqrt(N_ap) + noise over the comb's ports p.
/// 2. Timing: the cyclic shifts of a comb's ports are 2 pi / P apart, so at lag P every port's
///    term turns by the same alpha_0 P while the cross-port terms cancel over each P consecutive
///    REs: C = sum z(k' + P) conj(z(k')) e^{-j alpha_0 P} over k', antennas, symbols and combs
///    has the phase -2 pi K_TC P delta_f tau. delay_s = -arg(C) / (2 pi K_TC P delta_f),
///    unambiguous within +-1 / (2 K_TC P delta_f) (30 kHz, comb 2: +-8.3 us with one port per
///    comb, +-4.2 us with two, +-2.1 us with four; comb 4: half of these).
/// 3. Ports: d(k') = z(k') e^{-j (theta + alpha_0) k'} removes the common phase slope
///    theta = arg(C) / P = -2 pi K_TC delta_f tau and the first port's shift. One port: the
///    channel of a PRB is the mean of d(k') e^{j theta k'} over its REs, exactly the mean of the
///    received channel. P ports: over blocks of B comb REs (the fewest whole PRBs whose REs are a
///    multiple of P: one PRB for comb 2 with P = 2, else 2 or 4 PRBs) the mean of each class
///    k' mod P, folded by a P-point DFT, is each port's coefficient g_p (exact for a channel that
///    is flat over the block once the slope is removed), times the mean of e^{j theta k'} over
///    each PRB of the block.
/// 4. Noise: the second differences d(k' - P) - 2 d(k') + d(k' + P) along each class within
///    each block (one PRB with one port), which cancel every port's channel where it is linear
///    over the block once the slope is removed, |.|^2 / 6 averaged over k', blocks, antennas,
///    symbols and combs (unbiased for white noise; a channel that curves within a block, or
///    changes from one PRB to the next inside a block, adds to it).
/// 5. Reports: rsrp = mean |y|^2 over the PDU's REs and antennas less the noise; the per-symbol
///    per-PRB SNR the same over that PRB's REs of the symbol; SNRs in dB within [-64, 100].
///    The channel (times sqrt(N_ap)) is averaged over the symbols that cover the PRB. Being a
///    mean over the PRB, it shrinks when the channel turns fast across it (a timing offset tau
///    turns it by 2 pi 12 delta_f tau: 1.1 rad at 30 kHz and 0.5 us).
class SrsEstimator {
public:
  /// \throws std::invalid_argument for an invalid cell or no receive antenna.
  SrsEstimator(const CellConfig& cell, unsigned num_rx_antennas);

  [[nodiscard]] const CellConfig& cell() const { return cell_; }
  [[nodiscard]] unsigned num_rx_antennas() const { return num_rx_antennas_; }

  /// Measures the SRS of \p srs in \p grid ([rx antenna][symbol][subcarrier], the cell's shape)
  /// received in slot \p slot of frame \p sfn. An invalid PDU gets its error text in
  /// result.error. \throws std::invalid_argument when the grid does not have the cell's shape.
  void process(const ResourceGrid& grid, unsigned sfn, unsigned slot, const SrsConfig& srs,
               SrsEstimatorResult& result);

private:
  struct CombPorts;
  struct Layout;
  struct Sums;

  /// De-spreads every symbol, antenna and comb into despread_; returns C of step 2.
  std::complex<double> despread(const ResourceGrid& grid, const SrsConfig& srs,
                                const Layout& layout);
  /// Fills slope_, derotation_ and prb_slope_ for the slope \p theta (rad per comb RE).
  void prepare_derotation(const SrsConfig& srs, const Layout& layout, double theta);
  /// Steps 3 and 4: the ports' channels into result.channel (sums), the powers into prb_power_.
  Sums separate_ports(const SrsConfig& srs, const Layout& layout, SrsEstimatorResult& result);
  /// Adds the channel of a comb's only port on each PRB of one symbol and antenna from \p d.
  void add_single_port_channel(const Layout& layout, const cf32* d, cf32* channel) const;
  /// Adds each port's channel (port p at channel + p bwp_size) of one symbol and antenna.
  void add_port_channels(const SrsConfig& srs, const Layout& layout, const CombPorts& ports,
                         const cf32* d, cf32* channel) const;
  /// Step 5 from the sums.
  void report(const SrsConfig& srs, const Layout& layout, const Sums& sums,
              SrsEstimatorResult& result) const;

  CellConfig cell_;
  unsigned num_rx_antennas_;
  // Scratch sized at construction for the largest SRS (272 PRBs, comb 2, two combs).
  std::vector<cf32> sequence_;        ///< Base sequence of one symbol.
  std::vector<cf32> despread_;        ///< z, then d, [rx][symbol][comb][k'].
  std::vector<cf32> derotation_;      ///< e^{-j (theta + alpha_0) k'}, [comb][k'].
  std::vector<cf32> slope_;           ///< e^{j theta k'}.
  std::vector<cf32> prb_slope_;       ///< Mean of e^{j theta k'} over each PRB of the SRS band.
  std::vector<float> prb_power_;      ///< Sum of |y|^2, [symbol][PRB of the BWP].
  std::vector<unsigned> prb_symbols_; ///< SRS symbols on each PRB of the BWP.
};

} // namespace airan::phy
