#include "airan/phy/ofdm_modulator.h"

#include "airan/phy/fft_plan.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {

struct OfdmModulator::Impl {
  Impl(const Numerology& numerology_in, unsigned num_prbs)
      : numerology(numerology_in), num_subcarriers(subcarriers_per_prb * num_prbs),
        scale(1.0F / std::sqrt(static_cast<float>(numerology_in.fft_size()))),
        fft(numerology_in.fft_size(), FftDirection::backward) {
    const unsigned n = numerology.fft_size();
    // Compared as PRBs: 12 * num_prbs wraps past 2^32 / 12 PRBs (357913942 passed as 8).
    if (num_prbs == 0 || num_prbs > n / subcarriers_per_prb) {
      throw std::invalid_argument("OFDM modulator: " + std::to_string(num_prbs) +
                                  " PRBs do not fit a " + std::to_string(n) + "-point FFT");
    }
  }

  Numerology numerology;
  unsigned num_subcarriers;
  float scale;
  FftPlan fft; ///< IFFT: N bins (bin 0 = DC) to N samples.
};

OfdmModulator::OfdmModulator(const Numerology& numerology, unsigned num_prbs)
    : impl_(std::make_unique<Impl>(numerology, num_prbs)) {}
OfdmModulator::~OfdmModulator() = default;
OfdmModulator::OfdmModulator(OfdmModulator&&) noexcept = default;
OfdmModulator& OfdmModulator::operator=(OfdmModulator&&) noexcept = default;

const Numerology& OfdmModulator::numerology() const {
  return impl_->numerology;
}
unsigned OfdmModulator::num_subcarriers() const {
  return impl_->num_subcarriers;
}

void OfdmModulator::modulate_symbol(std::span<const cf32> subcarriers, unsigned slot,
                                    unsigned symbol, std::span<cf32> out) {
  Impl& s = *impl_;
  const unsigned n = s.numerology.fft_size();
  const unsigned cp = s.numerology.cp_length(slot, symbol);
  if (subcarriers.size() != s.num_subcarriers || out.size() != n + cp) {
    throw std::invalid_argument("OFDM modulator: expected " + std::to_string(s.num_subcarriers) +
                                " subcarriers and " + std::to_string(n + cp) + " samples");
  }
  // Lower half of the carrier at negative frequencies (top bins), upper half from DC up; the
  // bins between them stay zero.
  const unsigned half = s.num_subcarriers / 2;
  cf32* bins = s.fft.input().data();
  const cf32* samples = s.fft.output().data();
  std::fill_n(bins, n, cf32(0.0F, 0.0F));
  std::copy_n(subcarriers.data(), half, bins + (n - half));
  std::copy_n(subcarriers.data() + half, s.num_subcarriers - half, bins);
  s.fft.execute();
  // CP: the last cp samples of the symbol, then the symbol itself.
  std::transform(samples + (n - cp), samples + n, out.data(), [&](cf32 v) { return v * s.scale; });
  std::transform(samples, samples + n, out.data() + cp, [&](cf32 v) { return v * s.scale; });
}

void OfdmModulator::modulate_slot(const ResourceGrid& grid, unsigned port, unsigned slot,
                                  std::span<cf32> out) {
  const Numerology& numerology = impl_->numerology;
  if (port >= grid.num_ports() || grid.num_symbols() != numerology.symbols_per_slot() ||
      grid.num_subcarriers() != impl_->num_subcarriers) {
    throw std::invalid_argument("OFDM modulator: the grid does not match the carrier");
  }
  if (out.size() != numerology.slot_length(slot)) {
    throw std::invalid_argument("OFDM modulator: the slot needs " +
                                std::to_string(numerology.slot_length(slot)) + " samples");
  }
  std::size_t offset = 0;
  for (unsigned l = 0; l < numerology.symbols_per_slot(); ++l) {
    const unsigned length = numerology.symbol_length(slot, l);
    modulate_symbol(grid.symbol(port, l), slot, l, out.subspan(offset, length));
    offset += length;
  }
}

} // namespace airan::phy
