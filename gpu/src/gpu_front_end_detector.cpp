#include "gpu_front_end_detector.h"

#include "airan/phy/pusch_scrambler.h"

#include <stdexcept>

namespace airan::gpu {

GpuFrontEndDetector::GpuFrontEndDetector(const phy::CellConfig& cell,
                                         const GpuPuschFrontEndLimits& limits, int device)
    : cell_(cell), device_(device), front_end_(cell, limits, device) {}

void GpuFrontEndDetector::use_cell(const phy::CellConfig& cell) {
  const bool same =
      cell.num_prbs == cell_.num_prbs && cell.grid_start_crb == cell_.grid_start_crb &&
      cell.numerology == cell_.numerology && cell.cyclic_prefix == cell_.cyclic_prefix &&
      cell.n_cell_id == cell_.n_cell_id && cell.dmrs_type_a_position == cell_.dmrs_type_a_position;
  if (!same) {
    throw std::invalid_argument("CUDA detector: the PDU's cell is not the one it was made for");
  }
  if (cell.num_antenna_ports != cell_.num_antenna_ports) {
    front_end_.set_antenna_ports(cell.num_antenna_ports);
    cell_.num_antenna_ports = cell.num_antenna_ports;
  }
}

phy::PuschMeasurements GpuFrontEndDetector::detect(const phy::ResourceGrid& grid,
                                                   const phy::CellConfig& cell,
                                                   const phy::PuschConfig& pusch, unsigned slot,
                                                   std::span<float> llrs) {
  use_cell(cell);
  front_end_.upload_grid(grid);
  return run(pusch, slot, llrs);
}

bool GpuFrontEndDetector::load_slot_iq(std::span<const phy::cf32> iq, unsigned num_rx,
                                       unsigned slot) {
  front_end_.demodulate_host(iq, num_rx, slot);
  return true;
}

phy::PuschMeasurements GpuFrontEndDetector::detect_loaded(const phy::CellConfig& cell,
                                                          const phy::PuschConfig& pusch,
                                                          unsigned slot, std::span<float> llrs) {
  use_cell(cell);
  return run(pusch, slot, llrs);
}

bool GpuFrontEndDetector::keep_llrs_on_device(int device) {
  keep_on_device_ = device == device_;
  return keep_on_device_;
}

phy::DeviceLlrs GpuFrontEndDetector::device_llrs() const {
  if (!keep_on_device_ || num_llrs_ == 0) {
    return {};
  }
  return {front_end_.device_llrs(), num_llrs_, device_, front_end_.native_stream()};
}

std::optional<phy::PuschMeasurements> GpuFrontEndDetector::deferred_measurements() {
  if (!measurements_pending_) {
    return std::nullopt;
  }
  measurements_pending_ = false;
  front_end_.synchronize();
  return reported(front_end_.pending_measurements(0));
}

phy::PuschMeasurements GpuFrontEndDetector::run(const phy::PuschConfig& pusch, unsigned slot,
                                                std::span<float> llrs) {
  num_llrs_ = 0;
  measurements_pending_ = false;
  const std::size_t g = enqueue_detection(pusch, slot);
  if (!front_end_.llrs_descrambled()) { // else the demapper did it
    front_end_.descramble(phy::pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id));
  }
  if (keep_on_device_ && !pusch.uci.present()) {
    front_end_.enqueue_measurements(0);
    measurements_pending_ = true;
    num_llrs_ = g;
    return {};
  }
  front_end_.download_llrs(llrs);
  const phy::PuschMeasurements result = reported(front_end_.download_pusch_measurements());
  // With UCI the LLRs are the host's (device_llrs() empty): the receiver demultiplexes them.
  num_llrs_ = pusch.uci.present() ? 0 : g;
  return result;
}

} // namespace airan::gpu
