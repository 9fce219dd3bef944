/// \file
/// \brief SrsEstimator's port separation (each of this PDU's cyclic shifts from the others on its
/// comb, other UEs' included), noise from second differences (or empty cyclic-shift bins) and the
/// reports of this PDU's power and SNRs (srs_estimator.h, steps 3, 5 and 6).
#include "airan/phy/srs_estimator.h"

#include "srs_estimator_layout.h"
#include "srs_phasors.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace airan::phy {
namespace {

using srs_detail::max_bwp_prbs;
using srs_detail::max_combs;
using srs_detail::max_prbs;
using srs_detail::max_sequence_length;

constexpr float srs_max_snr_db = 100.0F;
constexpr float srs_min_snr_db = -64.0F;

/// 10 log10(signal / noise) within [srs_min_snr_db, srs_max_snr_db].
float srs_snr_db(double signal, double noise) {
  if (signal <= 0.0) {
    return srs_min_snr_db;
  }
  if (noise <= 0.0) {
    return srs_max_snr_db;
  }
  const double ratio = std::clamp(signal / noise, 1e-7, 1e11); // within the dB limits
  return std::clamp(10.0F * std::log10(static_cast<float>(ratio)), srs_min_snr_db, srs_max_snr_db);
}

/// sum |d(k - lag) + d(k + lag) - 2 d(k)|^2 over k in [start + lag, start + window - lag) of
/// every window [start, start + window) of [0, length) (\p window divides \p length).
double srs_second_differences(const cf32* d, unsigned length, unsigned lag, unsigned window) {
  double curvature = 0.0;
  for (unsigned start = 0; start < length; start += window) {
    float window_sum = 0.0F; // a short chain per block: the blocks overlap in the pipeline
    for (unsigned k = start + lag; k + lag < start + window; ++k) {
      const cf32 e = d[k - lag] + d[k + lag] - 2.0F * d[k];
      window_sum += std::norm(e);
    }
    curvature += window_sum;
  }
  return curvature;
}

} // namespace

SrsEstimator::Sums SrsEstimator::separate_ports(const SrsConfig& srs, const Layout& layout,
                                                bool derotated, SrsEstimatorResult& result) {
  const unsigned length = layout.length;
  std::fill_n(prb_power_.begin(), std::size_t{srs.num_symbols} * max_bwp_prbs, 0.0F);
  std::fill_n(prb_symbols_.begin(), srs.bwp_size, 0U);
  Sums sums;
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    float* power = prb_power_.data() + std::size_t{l} * max_bwp_prbs + layout.first_prb[l];
    for (unsigned prb = 0; prb < length / layout.res_per_prb; ++prb) {
      ++prb_symbols_[layout.first_prb[l] + prb];
    }
    for (unsigned c = 0; c < layout.num_combs; ++c) {
      const CombLayout& comb = layout.combs[c];
      const cf32* rotation = derotation_.data() + std::size_t{c} * max_sequence_length;
      for (unsigned rx = 0; rx < num_rx_antennas_; ++rx) {
        cf32* d =
            despread_.data() +
            ((std::size_t{rx} * SrsConfig::max_symbols + l) * max_combs + c) * max_sequence_length;
        cf32* channel = result.channel.data() + std::size_t{rx} * srs.num_ports * srs.bwp_size +
                        layout.first_prb[l];
        if (comb.period == 1) {
          // One shift on the comb: no foreign port anywhere, so not derotated yet.
          separate_single_port(layout, rotation, d, power, channel, sums);
        } else {
          separate_shifts(srs, layout, comb, c, derotated ? nullptr : rotation, d, power, channel,
                          sums);
        }
      }
    }
  }
  return sums;
}

void SrsEstimator::separate_single_port(const Layout& layout, const cf32* rotation, cf32* d,
                                        float* power, cf32* channel, Sums& sums) const {
  const unsigned res = layout.res_per_prb;
  const float scale = 1.0F / static_cast<float>(res);
  for (unsigned prb = 0; prb < layout.length / res; ++prb) {
    // d = z e^{-j (theta + alpha_0) k'}: its PRB mean for the power (the slope removed), the mean
    // of z e^{-j alpha_0 k'} = d e^{j theta k'} for the channel (the received channel's own mean).
    cf32 sum(0.0F, 0.0F);
    cf32 channel_sum(0.0F, 0.0F);
    for (unsigned t = prb * res; t < (prb + 1) * res; ++t) {
      d[t] = srs_detail::multiply(d[t], rotation[t]);
      sum += d[t];
      channel_sum += srs_detail::multiply(d[t], slope_[t]);
    }
    power[prb] += std::norm(sum * scale);
    channel[prb] += channel_sum * scale;
  }
  // Second differences along k' within each PRB, which cancel a channel linear over it.
  sums.residual += srs_second_differences(d, layout.length, 1, res);
  const unsigned prbs = layout.length / res; // a whole number
  sums.residual_terms += 6.0 * prbs * (res - 2);
}

void SrsEstimator::separate_shifts(const SrsConfig& srs, const Layout& layout,
                                   const CombLayout& comb, unsigned comb_index,
                                   const cf32* rotation, cf32* d, float* power, cf32* channel,
                                   Sums& sums) const {
  // Every P that has several shifts (2 and 4: every PDU without foreign ports), with the class
  // sums in registers.
  const auto run = [&]<unsigned Period>() {
    separate_blocks<Period>(srs, layout, comb, comb_index, rotation, d, power, channel, sums);
  };
  switch (comb.period) {
  case 2:
    run.operator()<2>();
    break;
  case 3:
    run.operator()<3>();
    break;
  case 4:
    run.operator()<4>();
    break;
  case 6:
    run.operator()<6>();
    break;
  case 8:
    run.operator()<8>();
    break;
  case 12:
    run.operator()<12>();
    break;
  default: // P = 1 takes separate_single_port()
    run.operator()<0>();
  }
  const unsigned period = comb.period;
  if (comb.noise_window != 0 && comb.noise_window != comb.block) {
    // B = P: second differences along each class over the whole symbol.
    sums.residual += srs_second_differences(d, layout.length, period, comb.noise_window);
  }
  if (comb.noise_window != 0) {
    // E|e|^2 = 6 sigma^2 on each of the W - 2 P differences of each window.
    const unsigned windows = layout.length / comb.noise_window; // a whole number
    sums.residual_terms += 6.0 * windows * (comb.noise_window - 2 * period);
  }
}

template <unsigned Period>
void SrsEstimator::separate_blocks(const SrsConfig& srs, const Layout& layout,
                                   const CombLayout& comb, unsigned comb_index,
                                   const cf32* rotation, cf32* d, float* power, cf32* channel,
                                   Sums& sums) const {
  const unsigned period = Period != 0 ? Period : comb.period;
  const unsigned block = comb.block;
  const unsigned prbs_per_block = block / layout.res_per_prb;
  const cf32* prb_slope = prb_slope_.data() + std::size_t{comb_index} * max_prbs;
  const std::size_t port_stride = srs.bwp_size;
  const float inverse_ports = 1.0F / static_cast<float>(srs.num_ports);
  const srs_detail::CyclicShiftPhasors& phasors = srs_detail::cyclic_shift_phasors(srs.comb_size);
  const unsigned bin_step = phasors.size() / period; // bin m: e^{-j 2 pi m r / P}
  unsigned first_prb = 0;
  for (unsigned start = 0; start < layout.length; start += block, first_prb += prbs_per_block) {
    cf32* x = d + start;
    if (rotation != nullptr) {
      for (unsigned t = 0; t < block; ++t) {
        x[t] = srs_detail::multiply(x[t], rotation[start + t]);
      }
    }
    std::array<cf32, Period != 0 ? Period : srs_detail::max_period> sum{}; // class sums
    for (unsigned j = 0; j < block; j += period) {
      for (unsigned r = 0; r < period; ++r) {
        sum[r] += x[j + r];
      }
    }
    if (comb.noise_window == block) {
      // Second differences along each class within the block, which cancel every shift's
      // channel where it is linear over the block.
      sums.residual += srs_second_differences(x, block, period, block);
    }
    // g_q = sqrt(N_ap) (1/B) sum_r sum_r e^{-j (alpha_q - alpha_0) r}, put on the block's PRBs
    // with the slope's mean over each.
    float block_power = 0.0F;
    for (unsigned i = 0; i < comb.count; ++i) {
      const unsigned port = comb.ports[i];
      const std::array<cf32, srs_detail::max_period>& unshift = layout.unshift[port];
      cf32 coefficient = srs_detail::multiply(sum[0], unshift[0]);
      for (unsigned r = 1; r < period; ++r) {
        coefficient += srs_detail::multiply(sum[r], unshift[r]);
      }
      coefficient *= comb.gain;
      block_power += std::norm(coefficient);
      cf32* port_channel = channel + port * port_stride;
      for (unsigned prb = first_prb; prb < first_prb + prbs_per_block; ++prb) {
        port_channel[prb] += srs_detail::multiply(coefficient, prb_slope[prb]);
      }
    }
    for (unsigned prb = first_prb; prb < first_prb + prbs_per_block; ++prb) {
      power[prb] += block_power * inverse_ports;
    }
    if (comb.noise_window == 0) {
      // B = P > M / 3: the bins of no shift hold only noise, sigma^2 B each.
      for (unsigned m = 0; m < period; ++m) {
        if ((comb.empty_bins >> m & 1U) == 0) {
          continue;
        }
        cf32 bin = sum[0];
        for (unsigned r = 1; r < period; ++r) {
          bin += srs_detail::multiply(sum[r], phasors.backward(m * bin_step * r % phasors.size()));
        }
        sums.residual += std::norm(bin) / static_cast<double>(block);
        sums.residual_terms += 1.0;
      }
    }
  }
}

void SrsEstimator::report(const SrsConfig& srs, const Layout& layout, const Sums& sums,
                          SrsEstimatorResult& result) const {
  const double noise = sums.residual_terms > 0.0 ? sums.residual / sums.residual_terms : 0.0;
  // Each port's |g_p|^2 / N_ap carries sigma^2 / B of noise on every RE of its comb.
  double noise_share = 0.0;
  for (unsigned c = 0; c < layout.num_combs; ++c) {
    noise_share += static_cast<double>(layout.combs[c].count) / layout.combs[c].block;
  }
  const double bias = noise * noise_share / layout.num_combs;
  const double estimates_per_prb = static_cast<double>(num_rx_antennas_) * layout.num_combs;
  const unsigned band_prbs = layout.length / layout.res_per_prb;

  std::fill(result.prb_snr_db.begin(), result.prb_snr_db.end(), SrsEstimatorResult::no_snr);
  double total = 0.0;
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    for (unsigned prb = 0; prb < band_prbs; ++prb) {
      const std::size_t index = std::size_t{l} * max_bwp_prbs + layout.first_prb[l] + prb;
      const double prb_power = prb_power_[index] / estimates_per_prb;
      total += prb_power;
      result.prb_snr_db[index] = srs_snr_db(prb_power - bias, noise);
    }
  }
  const double signal = total / (static_cast<double>(band_prbs) * srs.num_symbols) - bias;
  result.noise_variance = static_cast<float>(noise);
  result.rsrp = static_cast<float>(std::max(signal, 0.0));
  result.wideband_snr_db = srs_snr_db(signal, noise);

  for (unsigned row = 0; row < num_rx_antennas_ * srs.num_ports; ++row) {
    cf32* channel = result.channel.data() + std::size_t{row} * srs.bwp_size;
    for (unsigned prb = 0; prb < srs.bwp_size; ++prb) {
      if (prb_symbols_[prb] > 1) {
        channel[prb] /= static_cast<float>(prb_symbols_[prb]);
      }
    }
  }
}

} // namespace airan::phy
