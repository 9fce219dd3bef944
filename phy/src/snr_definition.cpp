#include "airan/phy/snr_definition.h"

#include <cmath>
#include <stdexcept>

namespace airan::phy {

float noise_variance_from_snr_db(double snr_db) {
  if (!std::isfinite(snr_db)) {
    throw std::invalid_argument("SNR must be finite");
  }
  return static_cast<float>(std::pow(10.0, -snr_db / 10.0));
}

float noise_variance_from_ebno_db(double ebno_db, unsigned bits_per_symbol, double code_rate,
                                  double data_re_fraction) {
  return noise_variance_from_ebno_db(ebno_db, bits_per_symbol, code_rate, data_re_fraction, 0.0);
}

float noise_variance_from_ebno_db(double ebno_db, unsigned bits_per_symbol, double code_rate,
                                  double data_re_fraction, double cyclic_prefix_overhead) {
  if (!std::isfinite(ebno_db)) {
    throw std::invalid_argument("Eb/N0 must be finite");
  }
  if (bits_per_symbol == 0) {
    throw std::invalid_argument("Eb/N0: bits per symbol must be positive");
  }
  if (!(code_rate > 0.0 && code_rate <= 1.0)) {
    throw std::invalid_argument("Eb/N0: the code rate must be in (0, 1]");
  }
  if (!(data_re_fraction > 0.0 && data_re_fraction <= 1.0)) {
    throw std::invalid_argument("Eb/N0: the data RE fraction must be in (0, 1]");
  }
  if (!(cyclic_prefix_overhead >= 0.0) || !std::isfinite(cyclic_prefix_overhead)) {
    throw std::invalid_argument("Eb/N0: the cyclic prefix overhead must be non-negative");
  }
  // Energy per data symbol: 1, spread over the pilots' and the CP's share as well.
  const double energy_per_symbol = (1.0 + cyclic_prefix_overhead) / data_re_fraction;
  const double ebno = std::pow(10.0, ebno_db / 10.0);
  return static_cast<float>(energy_per_symbol / (ebno * bits_per_symbol * code_rate));
}

double cyclic_prefix_overhead(const Numerology& numerology, unsigned slot) {
  const double useful = static_cast<double>(numerology.symbols_per_slot()) * numerology.fft_size();
  return (static_cast<double>(numerology.slot_length(slot)) - useful) / useful;
}

} // namespace airan::phy
