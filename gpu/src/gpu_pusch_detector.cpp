#include "airan/gpu/gpu_pusch_detector.h"

#include "gpu_front_end_detector.h"

#include <memory>

namespace airan::gpu {
namespace {

/// The classical front end on the device: estimation, equalization and demapping
/// (GpuPuschFrontEnd::process()). Measurements: the DMRS estimate's (CFO included) and the
/// post-equalization SINR and EVM.
class GpuPuschDetector final : public GpuFrontEndDetector {
public:
  GpuPuschDetector(const phy::CellConfig& cell, const phy::PuschFrontEndOptions& options,
                   const phy::PuschFrontEndLimits& limits, int device)
      : GpuFrontEndDetector(cell, {limits.max_rx_antennas, limits.max_layers, limits.max_prbs},
                            device),
        options_(options) {}

  /// A device copy of the CPU front end with the same options (the receiver's, as the factories'
  /// callers set them): it takes every PDU the CPU front end takes (a UCI PDU's LLRs go to the
  /// host for its demultiplexing).
  [[nodiscard]] bool mirrors_cpu_front_end() const override { return true; }
  /// PT-RS PDUs are tracked on the device (ptrs_phase_elements.h), as the CPU front end does.
  [[nodiscard]] bool tracks_ptrs_phase() const override { return true; }
  /// Each hop of a hopping PDU is estimated on the device from its own DMRS (front_end_hops.h).
  [[nodiscard]] bool takes_frequency_hopping() const override { return true; }
  /// DFT-s-OFDM PDUs are deprecoded on the device (transform_deprecoding_elements.h).
  [[nodiscard]] bool takes_transform_precoding() const override { return true; }

private:
  std::size_t enqueue_detection(const phy::PuschConfig& pusch, unsigned slot) override {
    return front_end().process(pusch, slot, options_, /*descramble=*/true);
  }

  phy::PuschFrontEndOptions options_;
};

} // namespace

phy::PuschDetectorFactory make_gpu_detector_factory(const phy::CellConfig& cell,
                                                    const phy::PuschFrontEndOptions& options,
                                                    int device) {
  return [cell, options, device](const phy::PuschFrontEndLimits& limits, unsigned) {
    return std::unique_ptr<phy::PuschDetector>(
        std::make_unique<GpuPuschDetector>(cell, options, limits, device));
  };
}

} // namespace airan::gpu
