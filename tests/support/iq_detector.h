/// \file
/// \brief A PuschDetector that OFDM-demodulates the slot's IQ itself (as the CUDA detector does
/// on the device) into its own grid, then runs the CPU front end on it; counts loads and both
/// kinds of detection. For tests of the callers that hand IQ to such detectors. It may refuse
/// DFT-s-OFDM PDUs and say that it mirrors the CPU front end and takes PT-RS and hopping PDUs, as
/// the CUDA detector does all of these.
#pragma once

#include "airan/phy/numerology.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/pusch_detector.h"
#include "airan/phy/pusch_front_end.h"

#include <atomic>
#include <stdexcept>

namespace airan::test {

class IqDetector final : public phy::PuschDetector {
public:
  /// A detector for \p num_rx receive antennas of \p cell; with \p takes_ptrs_hopping_uci it
  /// takes PT-RS, intra-slot hopping and UCI PDUs when it mirrors the CPU front end (as the CUDA
  /// front end does), and DFT-s-OFDM ones unless \p refuses_dfts_ofdm.
  IqDetector(const phy::CellConfig& cell, unsigned num_rx, const phy::PuschFrontEndLimits& limits,
             std::atomic<unsigned>& loads, std::atomic<unsigned>& grid_calls,
             std::atomic<unsigned>& loaded_calls, bool refuses_dfts_ofdm = false,
             bool mirrors = false, bool takes_ptrs_hopping_uci = false)
      : numerology_(phy::carrier_numerology(cell)), demodulator_(numerology_, cell.num_prbs),
        grid_(num_rx, numerology_.symbols_per_slot(), 12 * cell.num_prbs), front_end_(limits),
        loads_(loads), grid_calls_(grid_calls), loaded_calls_(loaded_calls),
        refuses_dfts_ofdm_(refuses_dfts_ofdm), mirrors_(mirrors),
        takes_ptrs_hopping_uci_(takes_ptrs_hopping_uci) {}
  phy::PuschMeasurements detect(const phy::ResourceGrid& grid, const phy::CellConfig& cell,
                                const phy::PuschConfig& pusch, unsigned slot,
                                std::span<float> llrs) override {
    ++grid_calls_;
    refuse_dfts_ofdm(pusch);
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
    refuse_dfts_ofdm(pusch);
    return front_end_.process(grid_, cell, pusch, slot, {}, llrs);
  }
  [[nodiscard]] bool mirrors_cpu_front_end() const override { return mirrors_; }
  [[nodiscard]] bool tracks_ptrs_phase() const override { return takes_ptrs_hopping_uci_; }
  [[nodiscard]] bool takes_frequency_hopping() const override { return takes_ptrs_hopping_uci_; }
  [[nodiscard]] bool takes_uci_on_pusch() const override { return takes_ptrs_hopping_uci_; }
  [[nodiscard]] bool takes_transform_precoding() const override { return !refuses_dfts_ofdm_; }

private:
  void refuse_dfts_ofdm(const phy::PuschConfig& pusch) const {
    if (refuses_dfts_ofdm_ && pusch.transform_precoding) {
      throw std::invalid_argument("IqDetector: CP-OFDM only");
    }
  }

  phy::Numerology numerology_;
  phy::OfdmDemodulator demodulator_;
  phy::ResourceGrid grid_;
  phy::PuschFrontEnd front_end_;
  std::atomic<unsigned>& loads_;
  std::atomic<unsigned>& grid_calls_;
  std::atomic<unsigned>& loaded_calls_;
  bool refuses_dfts_ofdm_;
  bool mirrors_;
  bool takes_ptrs_hopping_uci_;
};

} // namespace airan::test
