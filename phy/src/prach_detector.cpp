#include "airan/phy/prach_detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// P(X > t Y / n), X ~ Gamma(k, 1), Y ~ Gamma(n, 1) independent: a metric's noise-only tail when
/// the noise power comes from n samples.
double prach_metric_tail(double t, double n, unsigned k) {
  const double c = t / n;
  double term = std::exp(-n * std::log1p(c)); // i = 0: (1 + c)^-n
  double sum = term;
  for (unsigned i = 0; i + 1 < k; ++i) {
    term *= (n + i) / (i + 1.0) * c / (1.0 + c);
    sum += term;
  }
  return sum;
}

/// Fewest lags a root's own noise estimate may rest on; below, the roots' pooled estimate.
constexpr unsigned prach_min_noise_lags = 16;

} // namespace

PrachDetector::PrachDetector(const PrachConfig& config, unsigned pusch_numerology,
                             unsigned num_rx_antennas, const PrachDetectorOptions& options)
    : config_(config), sequence_length_(prach_format_info(config.format).sequence_length),
      padded_length_(2 * sequence_length_), num_antennas_(num_rx_antennas),
      num_periods_(prach_format_info(config.format).repetitions), num_roots_(0),
      subcarrier_spacing_hz_(prach_subcarrier_spacing_hz(config)),
      // (min: the body refuses a numerology above 6 before anything uses the unit)
      timing_advance_unit_s_(16.0 * 64.0 / (480e3 * 4096.0) /
                             double(1U << std::min(pusch_numerology, max_numerology))),
      per_test_probability_(0), ifft_(2 * sequence_length_, FftDirection::backward) {
  if (num_rx_antennas == 0 || pusch_numerology > max_numerology) {
    throw std::invalid_argument("a PRACH detector needs antennas and a valid numerology");
  }
  if (!(options.false_alarm_probability > 0 && options.false_alarm_probability < 1)) {
    throw std::invalid_argument("the PRACH false-alarm probability must be in (0, 1)");
  }
  if (subcarrier_spacing_hz_ == 0) {
    throw std::invalid_argument("invalid short-format PRACH numerology");
  }
  const unsigned ncs = config.cyclic_shift_length;
  (void)prach_cyclic_shift_length(prach_subcarrier_spacing_hz(config), 0); // spacing has a table
  const unsigned length = sequence_length_;
  // Preamble v's window is the lags of delays 0 .. N_CS of TS 38.211 6.3.3.1's partition: a
  // round trip only delays. (A window started a lag early for small negative delays ended a lag
  // early too, and a UE in the zone's last lag read as preamble v - 1 with TA 0.)
  windows_.resize(prach_preambles_per_occasion);
  for (unsigned p = 0; p < prach_preambles_per_occasion; ++p) {
    const PrachPreambleSequence sequence = prach_preamble_sequence(config, p);
    num_roots_ = std::max(num_roots_, sequence.root_ordinal + 1);
    const unsigned origin = oversampling_ * ((length - sequence.cyclic_shift) % length);
    windows_[p] = {sequence.root_ordinal, origin, ncs == 0 ? padded_length_ : oversampling_ * ncs,
                   sequence.cyclic_shift};
  }
  conj_spectra_.resize(std::size_t{num_roots_} * length);
  for (unsigned r = 0; r < num_roots_; ++r) {
    const std::span<cf32> spectrum(conj_spectra_.data() + std::size_t{r} * length, length);
    prach_root_spectrum(length, prach_root_sequence_number(length, config.root_sequence_index + r),
                        spectrum);
    for (auto& value : spectrum) {
      value = std::conj(value);
    }
  }
  double tests = 0;
  for (const auto& window : windows_) {
    tests += window.length;
  }
  per_test_probability_ = options.false_alarm_probability / tests;
  peaks_.resize(windows_.size());
  pdp_.resize(std::size_t{num_roots_} * padded_length_);
  noise_.resize(num_roots_);
  thresholds_.resize(num_roots_);
  noise_tallies_.resize(num_roots_);
  excluded_.resize(pdp_.size());
}

double PrachDetector::threshold(double noise_samples, unsigned degrees) const {
  const unsigned k = degrees;
  double low = 0;
  double high = 1;
  while (prach_metric_tail(high, noise_samples, k) > per_test_probability_) {
    high *= 2;
  }
  for (int iteration = 0; iteration < 60; ++iteration) {
    const double middle = 0.5 * (low + high);
    (prach_metric_tail(middle, noise_samples, k) > per_test_probability_ ? low : high) = middle;
  }
  return high;
}

void PrachDetector::correlate(const PrachBuffer& buffer) {
  const unsigned length = sequence_length_;
  std::fill(pdp_.begin(), pdp_.end(), 0.0F);
  auto input = ifft_.input();
  const float scale = 1.0F / static_cast<float>(length);
  for (unsigned r = 0; r < num_roots_; ++r) {
    const cf32* conj_spectrum = conj_spectra_.data() + std::size_t{r} * length;
    float* pdp = pdp_.data() + std::size_t{r} * padded_length_;
    for (unsigned a = 0; a < num_antennas_; ++a) {
      for (unsigned period = 0; period < num_periods_; ++period) {
        const auto received = buffer.at(a, period);
        for (unsigned k = 0; k < length; ++k) {
          input[k] = received[k] * conj_spectrum[k];
        }
        std::fill(input.begin() + length, input.end(), cf32{});
        ifft_.execute();
        const auto lags = ifft_.output();
        for (unsigned m = 0; m < padded_length_; ++m) {
          pdp[m] += std::norm(lags[m]) * scale;
        }
      }
    }
  }
}

void PrachDetector::scan(const std::vector<float>& noise, const std::vector<double>& thresholds) {
  for (std::size_t p = 0; p < windows_.size(); ++p) {
    const Window& window = windows_[p];
    const float* pdp = pdp_.data() + std::size_t{window.root} * padded_length_;
    Peak peak;
    peak.leakage_reach = peaks_[p].leakage_reach;
    // The window's largest path: the largest value that is a maximum within one lag on either
    // side, looking past the window's edges. (The window's largest value can be the edge of a
    // stronger neighbouring preamble's main lobe, just outside the window, above this
    // preamble's own peak further in.) None: the largest value, not a candidate.
    const auto is_local_maximum = [&](unsigned m) {
      for (unsigned d = 1; d <= oversampling_ && window.length < padded_length_; ++d) {
        if (pdp[(m + d) % padded_length_] > pdp[m] ||
            pdp[(m + padded_length_ - d) % padded_length_] > pdp[m]) {
          return false;
        }
      }
      return true;
    };
    bool local_maximum = false;
    Peak largest;
    for (unsigned i = 0; i < window.length; ++i) {
      const unsigned m = (window.start + i) % padded_length_;
      if (pdp[m] > largest.value) {
        largest.value = pdp[m];
        largest.position = m;
      }
      if (pdp[m] > peak.value && is_local_maximum(m)) {
        peak.value = pdp[m];
        peak.position = m;
        local_maximum = true;
      }
    }
    if (!local_maximum) {
      peak.value = largest.value;
      peak.position = largest.position;
    }
    peak.candidate = local_maximum && noise[window.root] > 0 &&
                     peak.value > thresholds[window.root] * noise[window.root];
    peaks_[p] = peak;
  }
}

void PrachDetector::suppress_side_lobes() {
  // Noise can lift a side lobe of a strong preamble above its neighbours. Every path m of a
  // stronger candidate's window (a significant local maximum: its paths, and the lag a frequency
  // offset shifts energy to) leaks amplitude sqrt(P_m) / (pi d) into a lag d lags away; a
  // candidate under that coherent
  // envelope with 9 dB to spare, or more than 30 dB below the strongest on its root, is taken
  // for a side lobe.
  constexpr double side_lobe_margin = 8.0;
  constexpr double dynamic_range = 1e-3;
  for (std::size_t p = 0; p < windows_.size(); ++p) {
    if (!peaks_[p].candidate) {
      continue;
    }
    const unsigned root = windows_[p].root;
    const float* pdp = pdp_.data() + std::size_t{root} * padded_length_;
    const double significant = thresholds_[root] * noise_[root];
    for (std::size_t q = 0; q < windows_.size() && !peaks_[p].side_lobe; ++q) {
      if (q == p || !peaks_[q].candidate || windows_[q].root != root ||
          peaks_[q].value <= peaks_[p].value) {
        continue;
      }
      double amplitude = 0;
      for (unsigned i = 0; i < windows_[q].length; ++i) {
        const unsigned m = (windows_[q].start + i) % padded_length_;
        // A path is a significant local maximum (a path's own main lobe is one).
        const unsigned before = (m + padded_length_ - 1) % padded_length_;
        const unsigned after = (m + 1) % padded_length_;
        if (pdp[m] <= significant || pdp[m] < pdp[before] || pdp[m] < pdp[after]) {
          continue;
        }
        const unsigned forward = (peaks_[p].position + padded_length_ - m) % padded_length_;
        const double lags = double(std::min(forward, padded_length_ - forward)) / oversampling_;
        amplitude += std::sqrt(double(pdp[m])) / (std::numbers::pi * std::max(lags, 1.0));
      }
      peaks_[p].side_lobe = peaks_[p].value < side_lobe_margin * amplitude * amplitude ||
                            peaks_[p].value < dynamic_range * peaks_[q].value;
    }
  }
  for (auto& peak : peaks_) {
    peak.candidate = peak.candidate && !peak.side_lobe;
  }
}

void PrachDetector::estimate_noise(float pooled_fallback) {
  const unsigned combined = num_antennas_ * num_periods_;
  // A peak Q leaks Q / (pi d)^2 into the lag d lags away (the Dirichlet kernel of a flat
  // spectrum); lags where that exceeds a tenth of the noise stay out of the estimate.
  for (std::size_t p = 0; p < windows_.size(); ++p) {
    const double noise = double(noise_[windows_[p].root]) * combined;
    // Silence (no noise at all): nothing leaks that matters, and Q / 0 is not a reach.
    const double reach = noise > 0 && peaks_[p].value > 0
                             ? std::sqrt(double(peaks_[p].value) / (0.1 * noise)) / std::numbers::pi
                             : 0.0;
    peaks_[p].leakage_reach =
        static_cast<unsigned>(std::min(reach * oversampling_, double(padded_length_)));
  }
  // Mark every root's lags that stay out: the candidates' windows (their multipath, unless the
  // window is the whole root, N_CS = 0) and their reach.
  std::fill(excluded_.begin(), excluded_.end(), std::uint8_t{0});
  for (std::size_t p = 0; p < windows_.size(); ++p) {
    if (!peaks_[p].candidate) {
      continue;
    }
    const Window& window = windows_[p];
    std::uint8_t* mask = excluded_.data() + std::size_t{window.root} * padded_length_;
    if (window.length < padded_length_) {
      for (unsigned i = 0; i < window.length; ++i) {
        mask[(window.start + i) % padded_length_] = 1;
      }
    }
    const unsigned reach = std::min(peaks_[p].leakage_reach, padded_length_ / 2);
    for (unsigned d = 0; d <= reach; ++d) {
      mask[(peaks_[p].position + d) % padded_length_] = 1;
      mask[(peaks_[p].position + padded_length_ - d) % padded_length_] = 1;
    }
  }
  NoiseTally pooled;
  std::vector<NoiseTally>& sums = noise_tallies_;
  for (unsigned r = 0; r < num_roots_; ++r) {
    const float* pdp = pdp_.data() + std::size_t{r} * padded_length_;
    const std::uint8_t* mask = excluded_.data() + std::size_t{r} * padded_length_;
    double sum = 0;
    double square_sum = 0;
    unsigned count = 0;
    for (unsigned m = 0; m < padded_length_; ++m) {
      if (mask[m] == 0) {
        sum += pdp[m];
        square_sum += double(pdp[m]) * pdp[m];
        ++count;
      }
    }
    sums[r] = {sum, square_sum, double(count)};
    pooled.sum += sum;
    pooled.square_sum += square_sum;
    pooled.count += count;
  }
  const double min_count = static_cast<double>(prach_min_noise_lags) * oversampling_;
  for (unsigned r = 0; r < num_roots_; ++r) {
    const NoiseTally& tally = sums[r].count >= min_count ? sums[r] : pooled;
    if (tally.count < min_count) {
      noise_[r] = pooled_fallback;
      thresholds_[r] = threshold(static_cast<double>(sequence_length_) * combined, combined);
      continue;
    }
    // Noise averages over the antennas and periods, another root's preamble (whose correlation
    // with this root is flat only at whole lags, and the same in every period) does not: the
    // floor's spread gives its degrees of freedom mean^2 / variance. Noise alone gives k =
    // antennas x periods up to the estimate's own scatter (standard error k sqrt((2 + 6 / k) /
    // n) over n independent lags); only a ratio more than two of those below k is taken.
    const double mean = tally.sum / tally.count;
    const double variance = std::max(tally.square_sum / tally.count - mean * mean, 1e-30);
    const double ratio = mean * mean / variance;
    const double k = combined;
    const double scatter = k * std::sqrt((2.0 + 6.0 / k) / (tally.count / oversampling_));
    const auto degrees = ratio > k - 2.0 * scatter
                             ? combined
                             : static_cast<unsigned>(std::clamp(std::round(ratio), 1.0, k));
    noise_[r] = static_cast<float>(mean / combined);
    thresholds_[r] = threshold(tally.count / oversampling_ * degrees, degrees) * combined / degrees;
  }
}

std::pair<double, double> PrachDetector::refine_lag(const PrachBuffer& buffer, unsigned root,
                                                    double lag) const {
  // Correlation power at lag + d / 16, d = -8 .. 8, then a parabola through the best three.
  const unsigned length = sequence_length_;
  const cf32* conj_spectrum = conj_spectra_.data() + std::size_t{root} * length;
  constexpr int steps = 8;
  std::array<double, 2 * steps + 1> power{};
  for (int d = -steps; d <= steps; ++d) {
    const double tau = lag + d / (2.0 * steps);
    const std::complex<double> step = std::polar(1.0, 2 * std::numbers::pi * tau / length);
    double total = 0;
    for (unsigned a = 0; a < num_antennas_; ++a) {
      for (unsigned period = 0; period < num_periods_; ++period) {
        const auto received = buffer.at(a, period);
        std::complex<double> rotation = 1;
        std::complex<double> sum = 0;
        for (unsigned k = 0; k < length; ++k) {
          const cf32 z = received[k] * conj_spectrum[k];
          sum += std::complex<double>(z.real(), z.imag()) * rotation;
          rotation *= step;
        }
        total += std::norm(sum);
      }
    }
    power[d + steps] = total;
  }
  const auto best = static_cast<int>(std::max_element(power.begin(), power.end()) - power.begin());
  double offset = 0;
  double peak = power[best];
  if (best > 0 && best < 2 * steps) {
    const double left = power[best - 1];
    const double centre = power[best];
    const double right = power[best + 1];
    const double curvature = left - 2 * centre + right;
    if (curvature < 0) {
      offset = 0.5 * (left - right) / curvature;
      peak = centre - 0.25 * (left - right) * offset;
    }
  }
  return {lag + (best - steps + offset) / (2.0 * steps), peak / sequence_length_};
}

void PrachDetector::detect(const PrachBuffer& buffer, PrachDetectionResult& result) {
  if (buffer.num_antennas() != num_antennas_ || buffer.num_periods() != num_periods_ ||
      buffer.sequence_length() != sequence_length_) {
    throw std::invalid_argument("PRACH buffer does not match the detector's configuration");
  }
  result.preambles.reserve(prach_preambles_per_occasion);
  result.preambles.clear();
  const unsigned combined = num_antennas_ * num_periods_;
  double energy = 0;
  for (unsigned a = 0; a < num_antennas_; ++a) {
    for (unsigned period = 0; period < num_periods_; ++period) {
      for (const cf32 value : buffer.at(a, period)) {
        energy += std::norm(value);
      }
    }
  }
  const auto mean_power =
      static_cast<float>(energy / (static_cast<double>(sequence_length_) * combined));
  result.rssi = mean_power;
  correlate(buffer);

  // Pass 1: every root's noise is the mean power (signal included, so never too low).
  std::fill(noise_.begin(), noise_.end(), mean_power);
  std::fill(thresholds_.begin(), thresholds_.end(),
            threshold(static_cast<double>(sequence_length_) * combined, combined));
  scan(noise_, thresholds_);
  // Passes 2 and 3: noise from the lags away from the candidates, threshold for that estimate.
  for (int pass = 0; pass < 2; ++pass) {
    estimate_noise(mean_power);
    scan(noise_, thresholds_);
  }
  suppress_side_lobes();

  double noise_sum = 0;
  for (const float value : noise_) {
    noise_sum += value;
  }
  result.noise_power = static_cast<float>(noise_sum / num_roots_);

  const double length = sequence_length_;
  for (unsigned p = 0; p < prach_preambles_per_occasion; ++p) {
    const Peak& peak = peaks_[p];
    if (!peak.candidate) {
      continue;
    }
    const Window& window = windows_[p];
    const auto [lag, peak_power] =
        refine_lag(buffer, window.root, double(peak.position) / oversampling_);
    // The peak of cyclic shift C_v and delay tau is at lag tau - C_v (modulo L).
    double delay = std::fmod(lag + window.cyclic_shift + 2 * length, length);
    if (delay > length - 1.5) {
      delay -= length; // Just before the window's nominal start.
    }
    const float noise = noise_[window.root];
    PrachDetectedPreamble detected;
    detected.index = p;
    detected.delay_s = delay / (length * subcarrier_spacing_hz_);
    const double units = std::round(std::max(detected.delay_s, 0.0) / timing_advance_unit_s_);
    detected.timing_advance = static_cast<unsigned>(std::min(units, 3846.0));
    const double signal = (peak_power / combined - noise) / length;
    detected.power = static_cast<float>(std::max(signal, 0.0));
    detected.snr_db = signal > 0 ? static_cast<float>(10 * std::log10(signal / noise)) : -100.0F;
    detected.metric = static_cast<float>(peak.value / (thresholds_[window.root] * noise));
    result.preambles.push_back(detected);
  }
}

} // namespace airan::phy
