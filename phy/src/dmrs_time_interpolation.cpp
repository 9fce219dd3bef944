/// \file
/// \brief Time interpolation step of the DMRS channel estimator (dmrs_estimation_steps.h).
#include "dmrs_estimation_steps.h"

#include "airan/phy/ptrs_phase_math.h"

#include <algorithm>
#include <array>

namespace airan::phy::detail {

void occasion_alignment(const OccasionCorrelations& correlations, cf32* rotations) {
  float re[max_dmrs_occasions] = {};
  float im[max_dmrs_occasions] = {};
  occasion_alignment_rotations(correlations.c_re, correlations.c_im, correlations.pairs, re, im);
  for (unsigned o = 0; o <= correlations.pairs; ++o) {
    rotations[o] = cf32(re[o], im[o]);
  }
}

void align_occasions(ChannelEstimate& estimate, std::span<const unsigned> dmrs_symbols,
                     unsigned occasions, unsigned rx, unsigned layer, const cf32* rotations) {
  const auto symbols_per_occasion = static_cast<unsigned>(dmrs_symbols.size()) / occasions;
  for (unsigned o = 1; o < occasions; ++o) {
    // Products written out (std::complex's operator* checks for NaN and infinity in a call).
    const float c = rotations[o].real();
    const float d = rotations[o].imag();
    const auto row =
        estimate.channel(rx, layer, dmrs_symbols[std::size_t{o} * symbols_per_occasion]);
    auto* h = reinterpret_cast<float*>(row.data());
    for (std::size_t k = 0; k < row.size(); ++k) {
      const float re = h[2 * k];
      const float im = h[2 * k + 1];
      h[2 * k] = re * c - im * d;
      h[2 * k + 1] = re * d + im * c;
    }
  }
}

void interpolate_time(ChannelEstimate& estimate, const PuschReMapping& mapping,
                      TimeInterpolation mode, std::span<const unsigned> dmrs_symbols,
                      unsigned occasions, unsigned rx, unsigned layer, cf32* scratch_row,
                      const TimeWienerWeights* wiener) {
  const unsigned num_subcarriers = estimate.num_subcarriers();
  const auto symbols_per_occasion = static_cast<unsigned>(dmrs_symbols.size()) / occasions;
  // Occasion times in symbols: the first DMRS symbol, or the middle of a double-symbol pair.
  std::array<float, max_symbols_per_slot> times{};
  for (unsigned o = 0; o < occasions; ++o) {
    times[o] = static_cast<float>(dmrs_symbols[std::size_t{o} * symbols_per_occasion]) +
               0.5F * static_cast<float>(symbols_per_occasion - 1);
  }
  const unsigned end = mapping.start_symbol + mapping.num_symbols;
  auto occasion_row = [&](unsigned o) {
    return estimate.channel(rx, layer, dmrs_symbols[std::size_t{o} * symbols_per_occasion]).data();
  };
  if (mode == TimeInterpolation::wiener) {
    // The occasions' rows are overwritten too: copied first.
    for (unsigned o = 0; o < occasions; ++o) {
      std::copy_n(occasion_row(o), num_subcarriers, scratch_row + std::size_t{o} * num_subcarriers);
    }
    // Complex products written out (std::complex's operator* checks for NaN and infinity in a
    // library call per product), each output's occasions summed in one pass (AVX2 where the CPU
    // has it: the same operations in the same order).
    const float* rows[max_dmrs_occasions] = {};
    for (unsigned o = 0; o < occasions; ++o) {
      rows[o] = reinterpret_cast<const float*>(scratch_row + std::size_t{o} * num_subcarriers);
    }
    for (unsigned l = mapping.start_symbol; l < end; ++l) {
      auto* __restrict out = reinterpret_cast<float*>(estimate.channel(rx, layer, l).data());
      float weights[2 * max_dmrs_occasions] = {};
      for (std::size_t o = 0; o < occasions; ++o) {
        weights[2 * o] = wiener->weights[l][o].real();
        weights[2 * o + 1] = wiener->weights[l][o].imag();
      }
      for (std::size_t k =
               wiener_row_simd(dmrs_simd_best(), rows, weights, occasions, out, num_subcarriers);
           k < num_subcarriers; ++k) {
        float re = weights[0] * rows[0][2 * k] - weights[1] * rows[0][2 * k + 1];
        float im = weights[0] * rows[0][2 * k + 1] + weights[1] * rows[0][2 * k];
        for (std::size_t o = 1; o < occasions; ++o) {
          re += weights[2 * o] * rows[o][2 * k] - weights[2 * o + 1] * rows[o][2 * k + 1];
          im += weights[2 * o] * rows[o][2 * k + 1] + weights[2 * o + 1] * rows[o][2 * k];
        }
        out[2 * k] = re;
        out[2 * k + 1] = im;
      }
    }
    return;
  }
  if (mode == TimeInterpolation::average) {
    cf32* mean = scratch_row;
    std::copy_n(occasion_row(0), num_subcarriers, mean);
    for (unsigned o = 1; o < occasions; ++o) {
      const cf32* row = occasion_row(o);
      for (unsigned k = 0; k < num_subcarriers; ++k) {
        mean[k] += row[k];
      }
    }
    const float inverse = 1.0F / static_cast<float>(occasions);
    for (unsigned k = 0; k < num_subcarriers; ++k) {
      mean[k] *= inverse;
    }
    for (unsigned l = mapping.start_symbol; l < end; ++l) {
      std::copy_n(mean, num_subcarriers, estimate.channel(rx, layer, l).data());
    }
    return;
  }
  for (unsigned l = mapping.start_symbol; l < end; ++l) {
    if (mapping.dmrs_symbols.contains(l) && mapping.dmrs_symbols.l_prime(l) == 0) {
      continue; // an occasion row: already holds its estimate
    }
    cf32* out = estimate.channel(rx, layer, l).data();
    const auto t = static_cast<float>(l);
    unsigned right = 0;
    while (right < occasions && times[right] < t) {
      ++right;
    }
    if (right == 0 || right == occasions) {
      std::copy_n(occasion_row(right == 0 ? 0 : occasions - 1), num_subcarriers, out);
      continue;
    }
    const float weight = (t - times[right - 1]) / (times[right] - times[right - 1]);
    const auto* a = reinterpret_cast<const float*>(occasion_row(right - 1));
    const auto* b = reinterpret_cast<const float*>(occasion_row(right));
    auto* o = reinterpret_cast<float*>(out);
    const std::size_t num_floats = std::size_t{2} * num_subcarriers;
    for (std::size_t k = lerp_rows_simd(dmrs_simd_best(), a, b, weight, o, num_floats);
         k < num_floats; ++k) {
      o[k] = a[k] + weight * (b[k] - a[k]);
    }
  }
}

} // namespace airan::phy::detail
