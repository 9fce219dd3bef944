/// \file
/// \brief Exact (log-MAP) soft demapping of square QAM, for genie bounds and comparisons: per axis
/// the metric of every PAM level, then per bit a log-sum-exp over the levels of each bit value
/// (the axes of a square-QAM symbol are independent, so the per-axis sums are the exact ones).
#include "airan/phy/soft_demapper.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// Exact LLRs of the bits of one axis at sample \p y (levels and labels as make_pam_llr_table()).
void exact_pam_axis_llrs(double y, unsigned bits_per_axis, double scale, double inverse_noise,
                         float* llrs, unsigned stride) {
  const int num_levels = 1 << bits_per_axis;
  double metric[max_pam_levels];
  for (int i = 0; i < num_levels; ++i) {
    const double distance = y - scale * static_cast<double>(2 * i - num_levels + 1);
    metric[i] = -distance * distance * inverse_noise;
  }
  for (unsigned j = 0; j < bits_per_axis; ++j) {
    const int p = static_cast<int>(bits_per_axis - 1 - j);
    double best[2] = {-std::numeric_limits<double>::infinity(),
                      -std::numeric_limits<double>::infinity()};
    for (int i = 0; i < num_levels; ++i) {
      const int bit = (((i ^ (i >> 1)) >> p) & 1) == 0 ? 1 : 0; // the bit is ~Gray
      best[bit] = std::max(best[bit], metric[i]);
    }
    double sum[2] = {0.0, 0.0};
    for (int i = 0; i < num_levels; ++i) {
      const int bit = (((i ^ (i >> 1)) >> p) & 1) == 0 ? 1 : 0;
      sum[bit] += std::exp(metric[i] - best[bit]);
    }
    llrs[std::size_t{j} * stride] =
        static_cast<float>((best[0] + std::log(sum[0])) - (best[1] + std::log(sum[1])));
  }
}

class ExactSoftDemapper final : public SoftDemapper {
public:
  void demodulate(std::span<const cf32> symbols, std::span<const float> noise_variances,
                  Modulation modulation, std::span<float> llrs) override {
    const unsigned qm = bits_per_symbol(modulation);
    if (modulation == Modulation::pi2_bpsk || qm < 2) {
      demodulate_soft(symbols, noise_variances, modulation, llrs);
      return;
    }
    if (noise_variances.size() != symbols.size() || llrs.size() != symbols.size() * qm) {
      throw std::invalid_argument("exact soft demapper: " + std::to_string(symbols.size()) +
                                  " symbols need as many noise variances and " +
                                  std::to_string(symbols.size() * qm) + " LLRs");
    }
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      exact_qam_symbol_llrs(symbols[i].real(), symbols[i].imag(), noise_variances[i], qm,
                            llrs.data() + i * qm);
    }
  }
};

} // namespace

void exact_qam_symbol_llrs(float re, float im, float noise_variance, unsigned qm, float* llrs) {
  if (qm < 2 || qm > 2 * max_pam_bits || qm % 2 != 0) {
    throw std::invalid_argument("exact_qam_symbol_llrs: Q_m " + std::to_string(qm) +
                                " is not a square QAM");
  }
  const float variance =
      noise_variance > min_demapper_noise_variance ? noise_variance : min_demapper_noise_variance;
  // A NaN variance: 0 (every LLR 0), as demapper_inverse_noise().
  const double inverse_noise =
      noise_variance != noise_variance ? 0.0 : 1.0 / static_cast<double>(variance);
  const double scale = qam_scale(qm);
  exact_pam_axis_llrs(re, qm / 2, scale, inverse_noise, llrs, 2);
  exact_pam_axis_llrs(im, qm / 2, scale, inverse_noise, llrs + 1, 2);
}

std::unique_ptr<SoftDemapper> create_exact_soft_demapper() {
  return std::make_unique<ExactSoftDemapper>();
}

} // namespace airan::phy
