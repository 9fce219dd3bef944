#include "airan/phy/ptrs_phase_tracking.h"

#include "airan/phy/channel_estimate.h"
#include "airan/phy/ptrs_phase_math.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/resource_grid.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::phy {

void estimate_ptrs_phases(const ResourceGrid& grid, const ChannelEstimate& estimate,
                          const PuschReMapping& mapping, std::span<const cf32> values,
                          std::span<float> phases) {
  if (phases.size() < mapping.start_symbol + mapping.num_symbols ||
      phases.size() > grid.num_symbols()) {
    throw std::invalid_argument("PT-RS phases: " + std::to_string(phases.size()) +
                                " phases for a slot of " + std::to_string(grid.num_symbols()) +
                                " symbols");
  }
  std::fill(phases.begin(), phases.end(), 0.0F);
  const PtrsPattern& ptrs = mapping.ptrs;
  if (!ptrs.present()) {
    return;
  }
  if (values.size() != ptrs_count(ptrs, mapping.num_subcarriers())) {
    throw std::invalid_argument("PT-RS phases: " + std::to_string(values.size()) +
                                " PT-RS values for " +
                                std::to_string(ptrs_count(ptrs, mapping.num_subcarriers())));
  }
  if (estimate.num_layers() <= ptrs.layer || estimate.num_rx_antennas() != grid.num_ports()) {
    throw std::invalid_argument("PT-RS phases: the channel estimate is of another PDU");
  }
  for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
    if (!ptrs.on_symbol(l)) {
      continue;
    }
    // Double sums over antennas; float within one antenna's row (at most 138 terms).
    double acc_re = 0.0;
    double acc_im = 0.0;
    for (unsigned r = 0; r < grid.num_ports(); ++r) {
      const cf32* y = grid.symbol(r, l).data() + mapping.first_subcarrier;
      const cf32* h = estimate.channel(r, ptrs.layer, l).data();
      float re = 0.0F;
      float im = 0.0F;
      for (std::size_t n = 0; n < values.size(); ++n) {
        const std::size_t k = ptrs.offset + n * ptrs.period;
        ptrs_correlation_add(y[k].real(), y[k].imag(), h[k].real(), h[k].imag(), values[n].real(),
                             values[n].imag(), re, im);
      }
      acc_re += re;
      acc_im += im;
    }
    phases[l] = ptrs_symbol_phase(acc_re, acc_im);
  }
  // The DMRS symbols: their occasion's phase against the first (0 unless the estimator aligned
  // the occasions), both symbols of a double-symbol pair.
  unsigned occasion = 0;
  bool seen_dmrs = false;
  for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
    if (!mapping.dmrs_symbols.contains(l)) {
      continue;
    }
    if (seen_dmrs && mapping.dmrs_symbols.l_prime(l) == 0) {
      ++occasion;
    }
    seen_dmrs = true;
    phases[l] = occasion < estimate.measurements.occasion_phases.size()
                    ? estimate.measurements.occasion_phases[occasion]
                    : 0.0F;
  }
  interpolate_ptrs_phases(mapping.start_symbol, mapping.num_symbols,
                          ptrs.symbol_mask | mapping.dmrs_symbols.mask, phases);
}

void interpolate_ptrs_phases(unsigned start_symbol, unsigned num_symbols, unsigned anchor_mask,
                             std::span<float> phases) {
  interpolate_ptrs_phase_run(start_symbol, num_symbols, anchor_mask, phases.data(),
                             static_cast<unsigned>(phases.size()));
}

} // namespace airan::phy
