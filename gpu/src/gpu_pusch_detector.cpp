#include "airan/gpu/gpu_pusch_detector.h"

#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/channel_estimate.h"
#include "airan/phy/pusch_scrambler.h"

#include <memory>
#include <stdexcept>

namespace airan::gpu {
namespace {

/// PuschDetector over a GpuPuschFrontEnd. With IQ input (load_slot_iq) the slot is copied to the
/// device once and OFDM-demodulated there; with a host grid, the grid is uploaded per PDU. The
/// LLRs are descrambled on the device (writes_descrambled_llrs).
/// Measurements come from the device's DMRS estimate; post-equalization SINR, EVM and CFO are
/// not measured on the GPU yet (left 0).
class GpuPuschDetector final : public phy::PuschDetector {
public:
  GpuPuschDetector(const phy::CellConfig& cell, const phy::PuschFrontEndOptions& options,
                   const phy::PuschFrontEndLimits& limits, int device)
      : options_(options),
        front_end_(cell, {limits.max_rx_antennas, limits.max_layers, limits.max_prbs}, device) {}

  phy::PuschMeasurements detect(const phy::ResourceGrid& grid, const phy::CellConfig& /*cell*/,
                                const phy::PuschConfig& pusch, unsigned slot,
                                std::span<float> llrs) override {
    front_end_.upload_grid(grid);
    return run(pusch, slot, llrs);
  }

  [[nodiscard]] bool writes_descrambled_llrs() const override { return true; }

  bool load_slot_iq(std::span<const phy::cf32> iq, unsigned num_rx, unsigned slot) override {
    front_end_.demodulate_host(iq, num_rx, slot);
    return true;
  }

  phy::PuschMeasurements detect_loaded(const phy::CellConfig& /*cell*/,
                                       const phy::PuschConfig& pusch, unsigned slot,
                                       std::span<float> llrs) override {
    return run(pusch, slot, llrs);
  }

private:
  /// Estimation, equalization, demapping and descrambling of the device grid; LLRs to the host.
  phy::PuschMeasurements run(const phy::PuschConfig& pusch, unsigned slot, std::span<float> llrs) {
    front_end_.process(pusch, slot, options_);
    front_end_.descramble(phy::pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id));
    front_end_.download_llrs(llrs);
    return measurements();
  }

  phy::PuschMeasurements measurements() {
    const phy::DmrsMeasurements dmrs = front_end_.download_measurements();
    phy::PuschMeasurements result;
    result.noise_variance = dmrs.noise_variance;
    result.rsrp = dmrs.rsrp;
    result.sinr_db = dmrs.sinr_db;
    result.delay_s = dmrs.delay_s;
    return result;
  }

  phy::PuschFrontEndOptions options_;
  GpuPuschFrontEnd front_end_;
};

} // namespace

phy::PuschDetectorFactory make_gpu_detector_factory(const phy::CellConfig& cell,
                                                    const phy::PuschFrontEndOptions& options,
                                                    int device) {
  if (options.equalizer == phy::EqualizerAlgorithm::mmse_irc) {
    throw std::invalid_argument("the CUDA backend has no MMSE-IRC equalizer yet (use --backend "
                                "cpu for mmse-irc)");
  }
  return [cell, options, device](const phy::PuschFrontEndLimits& limits, unsigned) {
    return std::unique_ptr<phy::PuschDetector>(
        std::make_unique<GpuPuschDetector>(cell, options, limits, device));
  };
}

} // namespace airan::gpu
