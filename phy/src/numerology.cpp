#include "airan/phy/numerology.h"

#include <stdexcept>
#include <string>

namespace airan::phy {

unsigned choose_fft_size(unsigned num_prbs, double max_occupancy) {
  if (num_prbs == 0) {
    throw std::invalid_argument("choose_fft_size: the carrier has no PRBs");
  }
  if (!(max_occupancy > 0.0 && max_occupancy <= 1.0)) {
    throw std::invalid_argument("choose_fft_size: occupancy must be in (0, 1]");
  }
  const double used = static_cast<double>(subcarriers_per_prb) * num_prbs;
  unsigned fft_size = 128;
  while (used > max_occupancy * fft_size) {
    if (fft_size == max_fft_size) {
      throw std::invalid_argument("choose_fft_size: " + std::to_string(num_prbs) +
                                  " PRBs need an FFT larger than " + std::to_string(max_fft_size));
    }
    fft_size *= 2;
  }
  return fft_size;
}

Numerology::Numerology(unsigned mu, CyclicPrefix cp, unsigned fft_size)
    : mu_(mu), cp_(cp), fft_size_(fft_size) {
  if (mu > max_numerology) {
    throw std::invalid_argument("numerology mu " + std::to_string(mu) + " is not in 0.." +
                                std::to_string(max_numerology));
  }
  if (cp == CyclicPrefix::extended && mu != 2) {
    throw std::invalid_argument("the extended cyclic prefix exists only for mu = 2 (60 kHz)");
  }
  if (!is_valid_fft_size(fft_size)) {
    throw std::invalid_argument("FFT size " + std::to_string(fft_size) + " is not a multiple of " +
                                std::to_string(fft_size_granularity) + " in " +
                                std::to_string(fft_size_granularity) + ".." +
                                std::to_string(max_fft_size));
  }
}

Numerology Numerology::for_carrier(unsigned mu, CyclicPrefix cp, unsigned num_prbs) {
  return {mu, cp, choose_fft_size(num_prbs)};
}

double Numerology::sample_rate_hz() const {
  return static_cast<double>(fft_size_) * subcarrier_spacing();
}

unsigned Numerology::cp_length(unsigned slot, unsigned symbol) const {
  if (cp_ == CyclicPrefix::extended) {
    return fft_size_ / 4; // 512 kappa 2^-mu T_c
  }
  const unsigned base = 144 * fft_size_ / 2048; // 144 kappa 2^-mu T_c
  const unsigned symbol_in_subframe =
      (slot % phy::slots_per_subframe(mu_)) * phy::symbols_per_slot(cp_) + symbol;
  const unsigned half_subframe_symbols = 7U << mu_;
  if (symbol_in_subframe % half_subframe_symbols == 0) {
    return base + (fft_size_ << mu_) / 128; // + 16 kappa T_c
  }
  return base;
}

unsigned Numerology::slot_length(unsigned slot) const {
  unsigned samples = 0;
  for (unsigned l = 0; l < symbols_per_slot(); ++l) {
    samples += symbol_length(slot, l);
  }
  return samples;
}

unsigned Numerology::subframe_length() const {
  unsigned samples = 0;
  for (unsigned slot = 0; slot < slots_per_subframe(); ++slot) {
    samples += slot_length(slot);
  }
  return samples;
}

} // namespace airan::phy
