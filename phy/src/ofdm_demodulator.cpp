#include "airan/phy/ofdm_demodulator.h"

#include "airan/phy/fft_plan.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {

struct OfdmDemodulator::Impl {
  Impl(const Numerology& numerology_in, unsigned num_prbs)
      : numerology(numerology_in), num_subcarriers(subcarriers_per_prb * num_prbs),
        scale(1.0F / std::sqrt(static_cast<float>(numerology_in.fft_size()))),
        fft(numerology_in.fft_size(), FftDirection::forward) {
    const unsigned n = numerology.fft_size();
    // Compared as PRBs: 12 * num_prbs wraps past 2^32 / 12 PRBs (357913942 passed as 8).
    if (num_prbs == 0 || num_prbs > n / subcarriers_per_prb) {
      throw std::invalid_argument("OFDM demodulator: " + std::to_string(num_prbs) +
                                  " PRBs do not fit a " + std::to_string(n) + "-point FFT");
    }
  }

  Numerology numerology;
  unsigned num_subcarriers;
  float scale;
  FftPlan fft; ///< FFT: N samples to N bins (bin 0 = DC).
};

OfdmDemodulator::OfdmDemodulator(const Numerology& numerology, unsigned num_prbs)
    : impl_(std::make_unique<Impl>(numerology, num_prbs)) {}
OfdmDemodulator::~OfdmDemodulator() = default;
OfdmDemodulator::OfdmDemodulator(OfdmDemodulator&&) noexcept = default;
OfdmDemodulator& OfdmDemodulator::operator=(OfdmDemodulator&&) noexcept = default;

const Numerology& OfdmDemodulator::numerology() const {
  return impl_->numerology;
}
unsigned OfdmDemodulator::num_subcarriers() const {
  return impl_->num_subcarriers;
}

void OfdmDemodulator::demodulate_symbol(std::span<const cf32> samples, unsigned slot,
                                        unsigned symbol, std::span<cf32> subcarriers) {
  Impl& s = *impl_;
  const unsigned n = s.numerology.fft_size();
  const unsigned cp = s.numerology.cp_length(slot, symbol);
  if (samples.size() != n + cp || subcarriers.size() != s.num_subcarriers) {
    throw std::invalid_argument("OFDM demodulator: expected " + std::to_string(n + cp) +
                                " samples and " + std::to_string(s.num_subcarriers) +
                                " subcarriers");
  }
  std::copy_n(samples.data() + cp, n, s.fft.input().data());
  s.fft.execute();
  const cf32* bins = s.fft.output().data();
  const unsigned half = s.num_subcarriers / 2;
  const auto scaled = [&](cf32 v) { return v * s.scale; };
  std::transform(bins + (n - half), bins + n, subcarriers.data(), scaled);
  std::transform(bins, bins + (s.num_subcarriers - half), subcarriers.data() + half, scaled);
}

void OfdmDemodulator::demodulate_slot(std::span<const cf32> samples, unsigned slot,
                                      ResourceGrid& grid, unsigned port) {
  const Numerology& numerology = impl_->numerology;
  if (port >= grid.num_ports() || grid.num_symbols() != numerology.symbols_per_slot() ||
      grid.num_subcarriers() != impl_->num_subcarriers) {
    throw std::invalid_argument("OFDM demodulator: the grid does not match the carrier");
  }
  if (samples.size() != numerology.slot_length(slot)) {
    throw std::invalid_argument("OFDM demodulator: the slot has " +
                                std::to_string(numerology.slot_length(slot)) + " samples");
  }
  std::size_t offset = 0;
  for (unsigned l = 0; l < numerology.symbols_per_slot(); ++l) {
    const unsigned length = numerology.symbol_length(slot, l);
    demodulate_symbol(samples.subspan(offset, length), slot, l, grid.symbol(port, l));
    offset += length;
  }
}

} // namespace airan::phy
