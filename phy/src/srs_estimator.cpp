/// \file
/// \brief SrsEstimator: per-port channel, noise, SNR and timing offset of an SRS PDU (TS 38.211
/// 6.4.1.4) from a received grid, beside other UEs' cyclic shifts; the algorithm is described in
/// srs_estimator.h. Here the layout, de-spreading and timing; the port separation, noise and
/// reports in srs_estimator_ports.cpp.
#include "airan/phy/srs_estimator.h"

#include "srs_estimator_layout.h"
#include "srs_phasors.h"

#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/numerology.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

using srs_detail::max_bwp_prbs;
using srs_detail::max_combs;
using srs_detail::max_prbs;
using srs_detail::max_sequence_length;

/// sum_k z(k + lag) conj(z(k)), k = 0 .. length - lag - 1, in four partial sums (independent
/// chains of additions).
cf32 lag_correlation(const cf32* z, unsigned length, unsigned lag) {
  std::array<float, 8> partial{}; // real, imaginary of four lanes
  const unsigned count = length > lag ? length - lag : 0U;
  unsigned k = 0;
  for (; k + 4 <= count; k += 4) {
    for (std::size_t lane = 0; lane < 4; ++lane) {
      const cf32 term = srs_detail::multiply_conj(z[k + lane + lag], z[k + lane]);
      partial[2 * lane] += term.real();
      partial[2 * lane + 1] += term.imag();
    }
  }
  for (; k < count; ++k) {
    const cf32 term = srs_detail::multiply_conj(z[k + lag], z[k]);
    partial[0] += term.real();
    partial[1] += term.imag();
  }
  return {(partial[0] + partial[2]) + (partial[4] + partial[6]),
          (partial[1] + partial[3]) + (partial[5] + partial[7])};
}

/// (a - b) mod n for a, b < n.
unsigned srs_shift_difference(unsigned a, unsigned b, unsigned n) {
  return (a + n - b) % n;
}

/// sum of u(j) conj(u(j - 1)) over neighbouring sub-blocks of P REs of \p x (\p length REs),
/// u(j) = sum_{r < P} x(j P + r) w(r): within each block of \p per_block sub-blocks, or across
/// all when \p per_block is 1. P = \p Period (unrolled) or, when \p Period is 0, \p period.
template <unsigned Period>
cf32 srs_sub_block_correlation(const cf32* x, unsigned length, unsigned period, unsigned per_block,
                               const cf32* w) {
  const unsigned p = Period != 0 ? Period : period;
  std::array<cf32, Period != 0 ? Period : srs_detail::max_period> phasors{};
  std::copy_n(w, p, phasors.begin());
  cf32 sum(0.0F, 0.0F);
  cf32 previous(0.0F, 0.0F);
  unsigned position = 0; // sub-block within its block
  for (unsigned start = 0; start < length; start += p) {
    cf32 bin = srs_detail::multiply(x[start], phasors[0]);
    for (unsigned r = 1; r < p; ++r) {
      bin += srs_detail::multiply(x[start + r], phasors[r]);
    }
    if (start > 0 && (per_block == 1 || position != 0)) {
      sum += srs_detail::multiply_conj(bin, previous);
    }
    previous = bin;
    position = position + 1 == per_block ? 0 : position + 1;
  }
  return sum;
}

} // namespace

SrsEstimator::SrsEstimator(const CellConfig& cell, unsigned num_rx_antennas)
    : cell_(cell), num_rx_antennas_(num_rx_antennas), sequence_(max_sequence_length),
      despread_(std::size_t{num_rx_antennas} * SrsConfig::max_symbols * max_combs *
                max_sequence_length),
      derotation_(std::size_t{max_combs} * max_sequence_length), slope_(max_sequence_length),
      prb_slope_(std::size_t{max_combs} * max_prbs),
      prb_power_(std::size_t{SrsConfig::max_symbols} * max_bwp_prbs), prb_symbols_(max_bwp_prbs) {
  if (std::string error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("SrsEstimator: " + error);
  }
  if (num_rx_antennas == 0) {
    throw std::invalid_argument("SrsEstimator: no receive antenna");
  }
}

void SrsEstimator::process(const ResourceGrid& grid, unsigned sfn, unsigned slot,
                           const SrsConfig& srs, SrsEstimatorResult& result,
                           std::span<const SrsForeignPort> others) {
  const unsigned slot_symbols = symbols_per_slot(cell_.cyclic_prefix);
  if (grid.num_ports() != num_rx_antennas_ || grid.num_symbols() != slot_symbols ||
      grid.num_subcarriers() != subcarriers_per_prb * cell_.num_prbs) {
    throw std::invalid_argument("SrsEstimator::process: the grid does not have the cell's shape");
  }
  if (std::string error = srs.validate(cell_); !error.empty()) {
    result.error = std::move(error);
    return;
  }
  Layout layout;
  if (!make_layout(srs, sfn, slot, others, layout, result)) {
    return;
  }
  result.error.clear();

  const std::complex<double> correlation = despread(grid, srs, layout);
  // arg(C) = L theta with theta = -2 pi K_TC delta_f tau, the channel's phase per comb RE.
  const double lag_phase = std::arg(correlation);
  const double theta = lag_phase / layout.lag;
  prepare_derotation(layout, theta);
  const double phi = layout.foreign ? own_phase_step(layout) : 0.0;
  prepare_channel_slopes(layout, theta, phi);
  // L theta_own within (-pi, pi]: the unambiguous range.
  const double own_lag_phase =
      layout.foreign ? std::remainder(lag_phase + layout.lag * phi, 2.0 * std::numbers::pi)
                     : lag_phase;
  const double lag_hz =
      static_cast<double>(subcarrier_spacing_hz(cell_.numerology)) * srs.comb_size * layout.lag;
  result.delay_s = static_cast<float>(-own_lag_phase / (2.0 * std::numbers::pi * lag_hz));

  result.num_symbols = srs.num_symbols;
  result.bwp_size = srs.bwp_size;
  result.num_rx_antennas = num_rx_antennas_;
  result.num_ports = srs.num_ports;
  const std::size_t channel_size = std::size_t{num_rx_antennas_} * srs.num_ports * srs.bwp_size;
  if (result.channel.capacity() < channel_size) {
    // Once for the largest PDU this estimator can see, so that later PDUs do not allocate.
    result.channel.reserve(std::size_t{num_rx_antennas_} * SrsConfig::max_ports * max_bwp_prbs);
  }
  result.channel.assign(channel_size, cf32(0.0F, 0.0F));
  const Sums sums = separate_ports(srs, layout, layout.foreign, result);
  report(srs, layout, sums, result);
}

bool SrsEstimator::make_layout(const SrsConfig& srs, unsigned sfn, unsigned slot,
                               std::span<const SrsForeignPort> others, Layout& layout,
                               SrsEstimatorResult& result) const {
  const unsigned n_max = srs.max_cyclic_shifts();
  layout.length = srs.sequence_length();
  layout.comb_size = srs.comb_size;
  layout.res_per_prb = subcarriers_per_prb / srs.comb_size;
  layout.num_symbols = srs.num_symbols;
  for (unsigned port = 0; port < srs.num_ports; ++port) {
    CombLayout& comb = layout.combs[srs.port_comb(port) == srs.comb_offset ? 0U : 1U];
    comb.ports[comb.count++] = port;
    comb.comb = srs.port_comb(port);
    comb.shifts |= static_cast<std::uint16_t>(1U << srs.port_cyclic_shift(port));
  }
  layout.num_combs = layout.combs[1].count > 0 ? 2U : 1U;
  for (const SrsForeignPort& other : others) {
    if (other.comb >= srs.comb_size || other.cyclic_shift >= n_max) {
      result.error = "foreign SRS port on comb " + std::to_string(other.comb) +
                     " with cyclic shift " + std::to_string(other.cyclic_shift) +
                     " is out of range for comb size " + std::to_string(srs.comb_size);
      return false;
    }
    for (unsigned c = 0; c < layout.num_combs; ++c) {
      CombLayout& comb = layout.combs[c];
      const auto bit = static_cast<std::uint16_t>(1U << other.cyclic_shift);
      if (comb.comb == other.comb && (comb.shifts & bit) == 0) {
        comb.shifts |= bit; // a collision with one of ours, or a repeat, changes nothing
        comb.foreign = true;
      }
    }
  }

  const srs_detail::CyclicShiftPhasors& phasors = srs_detail::cyclic_shift_phasors(srs.comb_size);
  const auto ports_gain = static_cast<float>(std::sqrt(static_cast<double>(srs.num_ports)));
  for (unsigned c = 0; c < layout.num_combs; ++c) {
    CombLayout& comb = layout.combs[c];
    comb.first_shift = srs.port_cyclic_shift(comb.ports[0]);
    // P = n_max / gcd(n_max, every n_i - n_0); shift n_i takes bin (n_i - n_0) / gcd.
    unsigned divisor = n_max;
    for (unsigned n = 0; n < n_max; ++n) {
      if ((comb.shifts >> n & 1U) != 0) {
        divisor = std::gcd(divisor, srs_shift_difference(n, comb.first_shift, n_max));
      }
    }
    comb.period = n_max / divisor;
    comb.block = std::lcm(layout.res_per_prb, comb.period);
    unsigned bins = 0;
    for (unsigned n = 0; n < n_max; ++n) {
      if ((comb.shifts >> n & 1U) != 0) {
        bins |= 1U << (srs_shift_difference(n, comb.first_shift, n_max) / divisor);
      }
    }
    comb.empty_bins = static_cast<std::uint16_t>(~bins & ((1U << comb.period) - 1U));
    if (comb.block >= 3 * comb.period) {
      comb.noise_window = comb.block;
    } else {
      comb.noise_window = layout.length >= 3 * comb.period ? layout.length : 0U;
    }
    comb.gain = ports_gain / static_cast<float>(comb.block);
    layout.lag = std::lcm(layout.lag, comb.period);
    layout.foreign = layout.foreign || comb.foreign;
    for (unsigned i = 0; i < comb.count; ++i) {
      const unsigned port = comb.ports[i];
      const unsigned relative =
          srs_shift_difference(srs.port_cyclic_shift(port), comb.first_shift, n_max);
      for (unsigned r = 0; r < comb.period; ++r) {
        layout.unshift[port][r] = phasors.backward((relative * r) % n_max);
      }
    }
  }

  const unsigned slot_symbols = symbols_per_slot(cell_.cyclic_prefix);
  srs_sequence_ids(srs, slot_symbols, slot, layout.ids);
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    const unsigned n_srs =
        srs_hopping_counter(srs, slots_per_frame(cell_.numerology), sfn, slot, l);
    for (unsigned c = 0; c < layout.num_combs; ++c) {
      layout.k0[l][c] = srs_first_subcarrier(srs, cell_, layout.combs[c].ports[0], n_srs);
    }
    layout.first_prb[l] = srs_first_crb(srs, n_srs) - srs.bwp_start;
  }
  return true;
}

std::complex<double> SrsEstimator::despread(const ResourceGrid& grid, const SrsConfig& srs,
                                            const Layout& layout) {
  const unsigned length = layout.length;
  const unsigned lag = layout.lag;
  const std::span<cf32> sequence(sequence_.data(), length);
  const srs_detail::CyclicShiftPhasors& shifts = srs_detail::cyclic_shift_phasors(srs.comb_size);
  std::complex<double> correlation(0.0, 0.0);
  LowPaprSequenceId generated{low_papr_num_groups, 0}; // no sequence yet
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    if (!(layout.ids[l] == generated)) {
      generate_low_papr_sequence(layout.ids[l].u, layout.ids[l].v, 0.0F, sequence);
      generated = layout.ids[l];
    }
    for (unsigned c = 0; c < layout.num_combs; ++c) {
      // Every shift of the comb turns by alpha_0 L over the lag.
      const cf32 lag_turn = shifts.backward((layout.combs[c].first_shift * lag) % shifts.size());
      for (unsigned rx = 0; rx < num_rx_antennas_; ++rx) {
        const cf32* y = grid.symbol(rx, srs.start_symbol + l).data() + layout.k0[l][c];
        cf32* z =
            despread_.data() +
            ((std::size_t{rx} * SrsConfig::max_symbols + l) * max_combs + c) * max_sequence_length;
        for (unsigned k = 0; k < length; ++k) {
          z[k] = srs_detail::multiply_conj(y[std::size_t{srs.comb_size} * k], sequence[k]);
        }
        const cf32 turned = srs_detail::multiply(lag_correlation(z, length, lag), lag_turn);
        correlation += std::complex<double>(turned.real(), turned.imag());
      }
    }
  }
  return correlation;
}

void SrsEstimator::prepare_derotation(const Layout& layout, double theta) {
  const unsigned length = layout.length;
  srs_detail::fill_phase_ramp(theta, std::span<cf32>(slope_.data(), length));
  const srs_detail::CyclicShiftPhasors& shifts = srs_detail::cyclic_shift_phasors(layout.comb_size);
  for (unsigned c = 0; c < layout.num_combs; ++c) {
    const unsigned first_shift = layout.combs[c].first_shift;
    cf32* out = derotation_.data() + std::size_t{c} * max_sequence_length;
    unsigned phase = 0; // n_SRS^cs,0 k' mod n_SRS^cs,max
    for (unsigned k = 0; k < length; ++k) {
      out[k] = srs_detail::multiply(std::conj(slope_[k]), shifts.backward(phase));
      phase = shifts.next(phase, first_shift);
    }
  }
}

double SrsEstimator::own_phase_step(const Layout& layout) {
  const unsigned length = layout.length;
  std::array<std::complex<double>, max_combs> correlation{};
  for (unsigned l = 0; l < layout.num_symbols; ++l) {
    for (unsigned c = 0; c < layout.num_combs; ++c) {
      const CombLayout& comb = layout.combs[c];
      const cf32* rotation = derotation_.data() + std::size_t{c} * max_sequence_length;
      const unsigned period = comb.period;
      const unsigned per_block = comb.block / period; // sub-blocks per block
      for (unsigned rx = 0; rx < num_rx_antennas_; ++rx) {
        cf32* d =
            despread_.data() +
            ((std::size_t{rx} * SrsConfig::max_symbols + l) * max_combs + c) * max_sequence_length;
        for (unsigned k = 0; k < length; ++k) {
          d[k] = srs_detail::multiply(d[k], rotation[k]);
        }
        // This PDU's bins of each sub-block of P REs, against the previous sub-block's (inside
        // the block when a block has several, else across blocks).
        cf32 sum(0.0F, 0.0F);
        for (unsigned i = 0; i < comb.count; ++i) {
          const cf32* w = layout.unshift[comb.ports[i]].data();
          switch (period) {
          case 2:
            sum += srs_sub_block_correlation<2>(d, length, period, per_block, w);
            break;
          case 3:
            sum += srs_sub_block_correlation<3>(d, length, period, per_block, w);
            break;
          case 4:
            sum += srs_sub_block_correlation<4>(d, length, period, per_block, w);
            break;
          case 6:
            sum += srs_sub_block_correlation<6>(d, length, period, per_block, w);
            break;
          case 8:
            sum += srs_sub_block_correlation<8>(d, length, period, per_block, w);
            break;
          case 12:
            sum += srs_sub_block_correlation<12>(d, length, period, per_block, w);
            break;
          default: // P = 1 has no foreign port
            sum += srs_sub_block_correlation<0>(d, length, period, per_block, w);
          }
        }
        correlation[c] += std::complex<double>(sum.real(), sum.imag());
      }
    }
  }
  // Each comb's phase step P phi, weighted by its correlation's magnitude.
  double weight = 0.0;
  double phase = 0.0;
  for (unsigned c = 0; c < layout.num_combs; ++c) {
    const double magnitude = std::abs(correlation[c]);
    weight += magnitude;
    phase += magnitude * std::arg(correlation[c]) / layout.combs[c].period;
  }
  return weight > 0.0 ? phase / weight : 0.0;
}

void SrsEstimator::prepare_channel_slopes(const Layout& layout, double theta, double phi) {
  const unsigned length = layout.length;
  const unsigned res = layout.res_per_prb;
  if (layout.foreign) {
    srs_detail::fill_phase_ramp(theta + phi, std::span<cf32>(slope_.data(), length));
  }
  // Per comb, the mean of e^{j theta_own k'} over each PRB, turned back by phi at the centre of
  // its block (where the block's coefficient has this PDU's channel).
  for (unsigned c = 0; c < layout.num_combs; ++c) {
    const unsigned block = layout.combs[c].block;
    cf32* out = prb_slope_.data() + std::size_t{c} * max_prbs;
    cf32 centre_turn(1.0F, 0.0F);
    for (unsigned prb = 0; prb < length / res; ++prb) {
      if (layout.foreign && prb * res % block == 0) {
        const double centre = prb * res + 0.5 * (block - 1);
        const std::complex<double> turn = std::polar(1.0, -phi * centre);
        centre_turn = cf32(static_cast<float>(turn.real()), static_cast<float>(turn.imag()));
      }
      cf32 sum(0.0F, 0.0F);
      for (unsigned t = 0; t < res; ++t) {
        sum += slope_[prb * res + t];
      }
      out[prb] = srs_detail::multiply(sum / static_cast<float>(res), centre_turn);
    }
  }
}

} // namespace airan::phy
