/// \file
/// \brief Frequency interpolation of de-spread DMRS pilots (private to the channel estimator):
/// linear, and windowed MMSE with cached filter banks.
#pragma once

#include "dmrs_estimation_simd.h"

#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/types.h"

#include <array>
#include <cstdint>
#include <vector>

namespace airan::phy::detail {

/// A regular comb of pilots on the allocation: pilot n sits at subcarrier first + spacing * n
/// (first is a whole or half subcarrier: the centre of a de-spread RE pair).
struct PilotComb {
  float first = 0.0F;
  unsigned spacing = 4;
  unsigned count = 0;
};

/// Linear interpolation of \p comb.count pilots to \p num_subcarriers outputs; held flat beyond
/// the outermost pilots; with \p conj_ramp, each output k then times conj(conj_ramp[k])
/// (multiply_by_conjugate()). \p simd picks the kernels (the same results with each).
/// \pre comb.count >= 2.
void interpolate_linear(const cf32* pilots, const PilotComb& comb, cf32* out,
                        unsigned num_subcarriers, const cf32* conj_ramp = nullptr,
                        DmrsSimd simd = dmrs_simd_best());

/// The prior and geometry an MMSE filter bank is built for.
struct MmsePrior {
  DelayProfile profile = DelayProfile::uniform;
  float delay_spread_s = 1e-6F; ///< rms (exponential) or width (uniform), > 0.
  float subcarrier_spacing_hz = 30000.0F;
  unsigned window = 12; ///< Requested pilots per filter (clamped to the comb size).
};

/// Windowed MMSE (Wiener) interpolator. Each output subcarrier takes a window of W pilots
/// (centred, shifted inwards at the allocation edges); its weights depend only on the output's
/// position u within the window, in steps of 1 / (2 spacing) pilots, so one bank of
/// 2 spacing (W + 1) filters serves a whole allocation. Banks are cached by (spacing, W, prior,
/// SNR bin) in storage allocated by the constructor.
class MmseFrequencyInterpolator {
public:
  MmseFrequencyInterpolator();

  /// Selects the filter bank for \p comb, \p prior and the pilot SNR \p pilot_snr (channel
  /// power over de-spread noise, linear), computing it when it is not cached.
  void prepare(const PilotComb& comb, const MmsePrior& prior, float pilot_snr);

  /// Interpolates with the bank of the last prepare(), which must have had the same comb
  /// spacing and count; with \p conj_ramp, each output k then times conj(conj_ramp[k])
  /// (multiply_by_conjugate()). \p scratch (mmse_scratch_floats(comb.count) floats) lets the
  /// SIMD kernels run (the same results without).
  void interpolate(const cf32* pilots, const PilotComb& comb, cf32* out, unsigned num_subcarriers,
                   const cf32* conj_ramp = nullptr, float* scratch = nullptr) const;

  /// Kernels of interpolate() (the best the CPU has by default; the results are the same).
  void set_simd(DmrsSimd simd) { simd_ = simd; }

  /// Noise gain of the last prepare()'s bank: the mean over its positions of the sum of the
  /// taps' squared magnitudes (an output's noise variance over one pilot's, white noise).
  [[nodiscard]] float noise_gain() const {
    return current_ != nullptr ? current_->noise_gain : 1.0F;
  }

  /// Number of filter-bank computations so far (cache misses).
  [[nodiscard]] std::uint64_t banks_computed() const { return banks_computed_; }

private:
  using Key = MmseFilterKey;
  struct Bank {
    Key key;
    bool valid = false;
    std::uint64_t last_use = 0;
    std::vector<cf32> taps;  ///< [position index][tap], window taps per position.
    float noise_gain = 1.0F; ///< noise_gain() of the bank.
  };
  static constexpr std::size_t num_banks = 16;

  void compute(Bank& bank) const;

  std::array<Bank, num_banks> banks_;
  const Bank* current_ = nullptr;
  DmrsSimd simd_ = dmrs_simd_best();
  std::uint64_t use_counter_ = 0;
  std::uint64_t banks_computed_ = 0;
};

} // namespace airan::phy::detail
