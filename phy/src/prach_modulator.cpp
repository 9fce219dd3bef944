#include "airan/phy/prach_modulator.h"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// Bin of PRACH subcarrier 0 in an N-point DFT.
unsigned prach_bin_zero(const PrachOccasionLayout& layout) {
  const auto size = static_cast<long long>(layout.period_length);
  return static_cast<unsigned>(((layout.first_bin % size) + size) % size);
}

} // namespace

PrachModulator::PrachModulator(const PrachConfig& config, const Numerology& numerology,
                               unsigned num_prbs)
    : config_(config), numerology_(numerology), num_prbs_(num_prbs),
      layout_(prach_occasion_layout(config, numerology, num_prbs, 0)),
      ifft_(layout_.period_length, FftDirection::backward),
      root_spectrum_(layout_.sequence_length) {}

PrachOccasionLayout PrachModulator::layout(unsigned slot) const {
  return prach_occasion_layout(config_, numerology_, num_prbs_, slot);
}

void PrachModulator::modulate(unsigned slot, unsigned preamble_index, float amplitude,
                              std::span<cf32> out) {
  const PrachOccasionLayout occasion = layout(slot);
  if (out.size() != occasion.length()) {
    throw std::invalid_argument("PRACH occasion needs " + std::to_string(occasion.length()) +
                                " samples, got " + std::to_string(out.size()));
  }
  const PrachPreambleSequence sequence = prach_preamble_sequence(config_, preamble_index);
  if (sequence.root != spectrum_root_) {
    prach_root_spectrum(occasion.sequence_length, sequence.root, root_spectrum_);
    spectrum_root_ = sequence.root;
  }

  const unsigned size = occasion.period_length;
  const unsigned length = occasion.sequence_length;
  auto bins = ifft_.input();
  std::fill(bins.begin(), bins.end(), cf32{});
  const float scale = amplitude / std::sqrt(static_cast<float>(size));
  unsigned bin = prach_bin_zero(occasion);
  for (unsigned k = 0; k < length; ++k) {
    // Cyclic shift C_v: exp(j 2 pi C_v k / L), phase reduced modulo L exactly.
    const auto phase = static_cast<double>((std::uint64_t{sequence.cyclic_shift} * k) % length);
    const auto shift = std::polar(1.0, 2 * std::numbers::pi * phase / length);
    bins[bin] = root_spectrum_[k] * cf32(static_cast<float>(shift.real() * scale),
                                         static_cast<float>(shift.imag() * scale));
    bin = bin + 1 == size ? 0 : bin + 1;
  }
  ifft_.execute();
  const auto period = ifft_.output();
  // CP: the period's last samples (cyclic), then the periods.
  for (unsigned n = 0; n < occasion.cyclic_prefix; ++n) {
    const unsigned source = (size - occasion.cyclic_prefix % size + n) % size;
    out[n] = period[source];
  }
  for (unsigned r = 0; r < occasion.repetitions; ++r) {
    std::copy(period.begin(), period.end(),
              out.begin() + occasion.cyclic_prefix + std::ptrdiff_t{r} * size);
  }
}

PrachDemodulator::PrachDemodulator(const PrachConfig& config, const Numerology& numerology,
                                   unsigned num_prbs)
    : config_(config), numerology_(numerology), num_prbs_(num_prbs),
      layout_(prach_occasion_layout(config, numerology, num_prbs, 0)),
      fft_(layout_.period_length, FftDirection::forward) {}

PrachOccasionLayout PrachDemodulator::layout(unsigned slot) const {
  return prach_occasion_layout(config_, numerology_, num_prbs_, slot);
}

void PrachDemodulator::demodulate(unsigned slot, std::span<const cf32> samples, unsigned antenna,
                                  PrachBuffer& buffer) {
  const PrachOccasionLayout occasion = layout(slot);
  if (samples.size() != occasion.length()) {
    throw std::invalid_argument("PRACH occasion has " + std::to_string(occasion.length()) +
                                " samples, got " + std::to_string(samples.size()));
  }
  if (antenna >= buffer.num_antennas() || buffer.num_periods() != occasion.repetitions ||
      buffer.sequence_length() != occasion.sequence_length) {
    throw std::invalid_argument("PRACH buffer does not match the occasion");
  }
  const unsigned size = occasion.period_length;
  const float scale = 1.0F / std::sqrt(static_cast<float>(size));
  const unsigned bin_zero = prach_bin_zero(occasion);
  for (unsigned r = 0; r < occasion.repetitions; ++r) {
    const auto period = samples.subspan(occasion.cyclic_prefix + std::size_t{r} * size, size);
    std::copy(period.begin(), period.end(), fft_.input().begin());
    fft_.execute();
    const auto spectrum = fft_.output();
    auto out = buffer.at(antenna, r);
    unsigned bin = bin_zero;
    for (unsigned k = 0; k < occasion.sequence_length; ++k) {
      out[k] = spectrum[bin] * scale;
      bin = bin + 1 == size ? 0 : bin + 1;
    }
  }
}

} // namespace airan::phy
