#include "airan/gpu/gpu_pusch_detector.h"

#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/channel_estimate.h"
#include "airan/phy/pusch_scrambler.h"

#include <memory>
#include <optional>
#include <stdexcept>

namespace airan::gpu {
namespace {

/// PuschDetector over a GpuPuschFrontEnd. With IQ input (load_slot_iq) the slot is copied to the
/// device once and OFDM-demodulated there; with a host grid, the grid is uploaded per PDU. The
/// LLRs are descrambled on the device (writes_descrambled_llrs) and, for a UL-SCH decoder on the
/// same device (keep_llrs_on_device), left there behind the front end's stream: the decoder
/// enqueues its work on that stream, and the measurements' download is enqueued too and read
/// after decoding (deferred_measurements), so no host synchronisation separates the stages.
/// Measurements come from the device: the DMRS estimate's (CFO included) and the
/// post-equalization SINR and EVM.
class GpuPuschDetector final : public phy::PuschDetector {
public:
  GpuPuschDetector(const phy::CellConfig& cell, const phy::PuschFrontEndOptions& options,
                   const phy::PuschFrontEndLimits& limits, int device)
      : options_(options), device_(device),
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

  bool keep_llrs_on_device(int device) override {
    keep_on_device_ = device == device_;
    return keep_on_device_;
  }

  [[nodiscard]] phy::DeviceLlrs device_llrs() const override {
    if (!keep_on_device_ || num_llrs_ == 0) {
      return {};
    }
    return {front_end_.device_llrs(), num_llrs_, device_, front_end_.native_stream()};
  }

  std::optional<phy::PuschMeasurements> deferred_measurements() override {
    if (!measurements_pending_) {
      return std::nullopt;
    }
    measurements_pending_ = false;
    front_end_.synchronize();
    return front_end_.pending_measurements(0);
  }

private:
  /// Estimation, equalization, demapping and descrambling of the device grid. LLRs to the host
  /// and the measurements returned; or, with the LLRs staying on the device, nothing waited for:
  /// the measurements' download is enqueued behind the LLRs (deferred_measurements()).
  phy::PuschMeasurements run(const phy::PuschConfig& pusch, unsigned slot, std::span<float> llrs) {
    num_llrs_ = 0;
    measurements_pending_ = false;
    const std::size_t g = front_end_.process(pusch, slot, options_);
    front_end_.descramble(phy::pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id));
    if (keep_on_device_) {
      front_end_.enqueue_measurements(0);
      measurements_pending_ = true;
      num_llrs_ = g;
      return {};
    }
    front_end_.download_llrs(llrs);
    const phy::PuschMeasurements result = front_end_.download_pusch_measurements();
    num_llrs_ = g;
    return result;
  }

  phy::PuschFrontEndOptions options_;
  int device_;
  GpuPuschFrontEnd front_end_;
  bool keep_on_device_ = false;
  bool measurements_pending_ = false; ///< deferred_measurements() has the last PDU's.
  std::size_t num_llrs_ = 0;          ///< G of the last PDU (0 until one completed).
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
