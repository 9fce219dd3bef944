/// \file
/// \brief GpuFrontEndDetector (private): what the CUDA detectors (the classical front end's and
/// the neural receiver's) share. Each owns a GpuPuschFrontEnd; with IQ input (load_slot_iq) the
/// slot is copied to the device once and OFDM-demodulated there, with a host grid the grid is
/// uploaded per PDU. The LLRs are descrambled on the device and, for a UL-SCH decoder on the
/// same device (keep_llrs_on_device), left there behind the front end's stream (but a PDU with
/// UCI's, which go to the host for the receiver's demultiplexing): the decoder
/// enqueues its work on that stream, the measurements' download is enqueued too and read after
/// decoding (deferred_measurements), so no host synchronisation separates the stages.
#pragma once

#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/pusch_detector.h"

#include <cstddef>
#include <optional>
#include <span>

namespace airan::gpu {

class GpuFrontEndDetector : public phy::PuschDetector {
public:
  GpuFrontEndDetector(const phy::CellConfig& cell, const GpuPuschFrontEndLimits& limits,
                      int device);

  phy::PuschMeasurements detect(const phy::ResourceGrid& grid, const phy::CellConfig& cell,
                                const phy::PuschConfig& pusch, unsigned slot,
                                std::span<float> llrs) final;
  [[nodiscard]] bool writes_descrambled_llrs() const final { return true; }
  /// A PDU with UCI on PUSCH has its LLRs downloaded to the host (for the receiver's
  /// demultiplexing), also when the others stay on the device.
  [[nodiscard]] bool takes_uci_on_pusch() const final { return true; }
  bool load_slot_iq(std::span<const phy::cf32> iq, unsigned num_rx, unsigned slot) final;
  [[nodiscard]] bool demodulates_slot_iq() const final { return true; }
  phy::PuschMeasurements detect_loaded(const phy::CellConfig& cell, const phy::PuschConfig& pusch,
                                       unsigned slot, std::span<float> llrs) final;
  bool keep_llrs_on_device(int device) final;
  [[nodiscard]] phy::DeviceLlrs device_llrs() const final;
  std::optional<phy::PuschMeasurements> deferred_measurements() final;

protected:
  /// Enqueues the PDU's detection on the device grid up to its G LLRs in
  /// front_end().device_llrs() (descrambled or not: front_end().llrs_descrambled() says);
  /// returns G. \throws std::invalid_argument for a PDU it cannot take.
  virtual std::size_t enqueue_detection(const phy::PuschConfig& pusch, unsigned slot) = 0;
  /// The measurements as this detector reports them, from the front end's.
  [[nodiscard]] virtual phy::PuschMeasurements reported(const phy::PuschMeasurements& m) const {
    return m;
  }
  [[nodiscard]] GpuPuschFrontEnd& front_end() { return front_end_; }
  [[nodiscard]] const phy::CellConfig& cell() const { return cell_; }
  [[nodiscard]] int device() const { return device_; }

private:
  /// Detection and descrambling; LLRs to the host and the measurements returned, or, with the
  /// LLRs staying on the device (not for a PDU with UCI), nothing waited for
  /// (deferred_measurements()).
  phy::PuschMeasurements run(const phy::PuschConfig& pusch, unsigned slot, std::span<float> llrs);

  /// Takes \p cell's antenna ports, which the PDUs are checked against (the receiver's: the L1
  /// makes a receiver per layer count from one factory's detectors).
  /// \throws std::invalid_argument when \p cell is otherwise not the one the front end was made
  /// for.
  void use_cell(const phy::CellConfig& cell);

  phy::CellConfig cell_;
  int device_;
  GpuPuschFrontEnd front_end_;
  bool keep_on_device_ = false;
  bool measurements_pending_ = false; ///< deferred_measurements() has the last PDU's.
  std::size_t num_llrs_ = 0;          ///< G of the last PDU (0 until one completed).
};

} // namespace airan::gpu
