/// \file
/// \brief Occasion time steps of the DMRS CFO estimate (dmrs_cfo.h).
#include "airan/phy/dmrs_cfo.h"

#include "airan/phy/numerology.h"

#include <array>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

void check_occasions(std::span<const unsigned> dmrs_symbols, unsigned symbols_per_occasion) {
  if (symbols_per_occasion == 0 || dmrs_symbols.size() % symbols_per_occasion != 0 ||
      dmrs_symbols.size() / symbols_per_occasion > max_dmrs_occasions) {
    throw std::invalid_argument("DMRS CFO: " + std::to_string(dmrs_symbols.size()) +
                                " DMRS symbols in occasions of " +
                                std::to_string(symbols_per_occasion));
  }
}

} // namespace

unsigned dmrs_occasion_time_steps(const CellConfig& cell, unsigned slot,
                                  std::span<const unsigned> dmrs_symbols,
                                  unsigned symbols_per_occasion,
                                  double (&dt)[max_dmrs_occasions - 1]) {
  check_occasions(dmrs_symbols, symbols_per_occasion);
  const Numerology numerology = carrier_numerology(cell);
  // Time of each symbol's FFT window centre from the slot start, in samples.
  std::array<double, max_symbols_per_slot> centre{};
  double start = 0.0;
  for (unsigned l = 0; l < numerology.symbols_per_slot(); ++l) {
    centre[l] = start + numerology.cp_length(slot, l) + 0.5 * numerology.fft_size();
    start += numerology.symbol_length(slot, l);
  }
  const auto occasion_time = [&](unsigned o) {
    double sum = 0.0;
    for (unsigned t = 0; t < symbols_per_occasion; ++t) {
      sum += centre[dmrs_symbols[o * symbols_per_occasion + t]];
    }
    return sum / symbols_per_occasion / numerology.sample_rate_hz();
  };
  const auto occasions = static_cast<unsigned>(dmrs_symbols.size() / symbols_per_occasion);
  const unsigned pairs = occasions > 0 ? occasions - 1 : 0;
  for (unsigned o = 0; o < pairs; ++o) {
    dt[o] = occasion_time(o + 1) - occasion_time(o);
  }
  return pairs;
}

void dmrs_symbol_centres(const CellConfig& cell, unsigned slot,
                         std::array<double, max_symbols_per_slot>& centre_s) {
  const Numerology numerology = carrier_numerology(cell);
  centre_s.fill(0.0);
  double start = 0.0;
  for (unsigned l = 0; l < numerology.symbols_per_slot(); ++l) {
    centre_s[l] = (start + numerology.cp_length(slot, l) + 0.5 * numerology.fft_size()) /
                  numerology.sample_rate_hz();
    start += numerology.symbol_length(slot, l);
  }
}

unsigned dmrs_occasion_times(const std::array<double, max_symbols_per_slot>& centre_s,
                             std::span<const unsigned> dmrs_symbols, unsigned symbols_per_occasion,
                             double (&times_s)[max_dmrs_occasions]) {
  check_occasions(dmrs_symbols, symbols_per_occasion);
  const auto occasions = static_cast<unsigned>(dmrs_symbols.size() / symbols_per_occasion);
  for (unsigned o = 0; o < max_dmrs_occasions; ++o) {
    times_s[o] = 0.0;
  }
  for (unsigned o = 0; o < occasions; ++o) {
    for (unsigned t = 0; t < symbols_per_occasion; ++t) {
      times_s[o] += centre_s[dmrs_symbols[o * symbols_per_occasion + t]];
    }
    times_s[o] /= symbols_per_occasion;
  }
  return occasions;
}

} // namespace airan::phy
