/// \file
/// \brief A PuschDetector that OFDM-demodulates the slot's IQ itself (as the CUDA detector does
/// on the device) into its own grid, then runs the CPU front end on it; counts loads and both
/// kinds of detection. For tests of the callers that hand IQ to such detectors.
#pragma once

#include "airan/phy/numerology.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/pusch_detector.h"
#include "airan/phy/pusch_front_end.h"

#include <atomic>

namespace airan::test {

class IqDetector final : public phy::PuschDetector {
public:
  /// A detector for \p num_rx receive antennas of \p cell.
  IqDetector(const phy::CellConfig& cell, unsigned num_rx, const phy::PuschFrontEndLimits& limits,
             std::atomic<unsigned>& loads, std::atomic<unsigned>& grid_calls,
             std::atomic<unsigned>& loaded_calls)
      : numerology_(
            phy::Numerology::for_carrier(cell.numerology, cell.cyclic_prefix, cell.num_prbs)),
        demodulator_(numerology_, cell.num_prbs),
        grid_(num_rx, numerology_.symbols_per_slot(), 12 * cell.num_prbs), front_end_(limits),
        loads_(loads), grid_calls_(grid_calls), loaded_calls_(loaded_calls) {}
  phy::PuschMeasurements detect(const phy::ResourceGrid& grid, const phy::CellConfig& cell,
                                const phy::PuschConfig& pusch, unsigned slot,
                                std::span<float> llrs) override {
    ++grid_calls_;
    return front_end_.process(grid, cell, pusch, slot, {}, llrs);
  }
  bool load_slot_iq(std::span<const phy::cf32> iq, unsigned num_rx, unsigned slot) override {
    ++loads_;
    const std::size_t samples = iq.size() / num_rx;
    for (unsigned rx = 0; rx < num_rx; ++rx) {
      demodulator_.demodulate_slot(iq.subspan(rx * samples, samples), slot, grid_, rx);
    }
    return true;
  }
  [[nodiscard]] bool demodulates_slot_iq() const override { return true; }
  phy::PuschMeasurements detect_loaded(const phy::CellConfig& cell, const phy::PuschConfig& pusch,
                                       unsigned slot, std::span<float> llrs) override {
    ++loaded_calls_;
    return front_end_.process(grid_, cell, pusch, slot, {}, llrs);
  }

private:
  phy::Numerology numerology_;
  phy::OfdmDemodulator demodulator_;
  phy::ResourceGrid grid_;
  phy::PuschFrontEnd front_end_;
  std::atomic<unsigned>& loads_;
  std::atomic<unsigned>& grid_calls_;
  std::atomic<unsigned>& loaded_calls_;
};

} // namespace airan::test
