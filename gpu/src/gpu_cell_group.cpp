/// \file
/// \brief GpuCellGroup: per cell one lane per slot in flight (a front end on its own stream and
/// a decoder per PDU enqueued on that stream) and a device HARQ pool; submit() enqueues a slot of
/// every cell, collect() completes the oldest.
#include "airan/gpu/gpu_cell_group.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_receiver_sizing.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tbs_calculator.h"
#include "airan/phy/ulsch_encoder.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace airan::gpu {

namespace {

/// The stages of one slot in flight of one cell.
struct CellLane {
  CellLane(const GpuCellConfig& config, std::uint32_t max_tbs,
           const std::shared_ptr<GpuHarqSoftMemory>& harq_memory, int device)
      : front_end(config.cell, {config.num_rx_antennas, config.max_layers, config.cell.num_prbs},
                  device),
        enqueued(config.max_pdus, false), measured(config.max_pdus, false), keys(config.max_pdus) {
    for (unsigned p = 0; p < config.max_pdus; ++p) {
      decoders.push_back(std::make_unique<GpuUlschDecoder>(max_tbs, harq_memory, device));
    }
  }

  GpuPuschFrontEnd front_end;
  std::vector<std::unique_ptr<GpuUlschDecoder>> decoders; ///< One per PDU of a slot.
  std::vector<bool> enqueued;            ///< Per PDU of the lane's slot: its decoding is enqueued.
  std::vector<bool> measured;            ///< Per PDU: its measurements' download is enqueued.
  std::vector<phy::HarqProcessKey> keys; ///< Of the enqueued PDUs.
  std::vector<phy::PuschPduResult> results; ///< Of the lane's slot.
};

} // namespace

struct GpuCellGroup::Cell {
  Cell(const GpuCellConfig& config_in, int device)
      : config(config_in),
        max_tbs(phy::pusch_largest_tbs(config_in.cell.num_prbs, config_in.max_layers)),
        harq(std::max(config_in.num_harq_buffers, 1U),
             phy::pusch_harq_buffer_length(max_tbs, 2U * 156U * config_in.cell.num_prbs *
                                                        config_in.max_layers),
             phy::HarqStorage::external),
        harq_memory(std::make_shared<GpuHarqSoftMemory>(harq.num_buffers(),
                                                        harq.soft_bits_per_buffer(), device)) {
    for (unsigned l = 0; l < config.slots_in_flight; ++l) {
      lanes.push_back(std::make_unique<CellLane>(config, max_tbs, harq_memory, device));
    }
  }

  /// Checks \p pdu (index \p index of \p pdus) and sizes its result; the error, or "".
  std::string admit(std::span<const phy::PuschConfig> pdus, std::size_t index,
                    phy::PuschPduResult& result, std::uint32_t& tbs) const;
  /// True when a slot in flight on another lane than \p lane decodes HARQ process \p key.
  [[nodiscard]] bool in_flight(const phy::HarqProcessKey& key, std::size_t lane) const;
  /// Enqueues \p input on lane \p lane. \p device: the group's.
  void submit(const GpuCellSlot& input, std::size_t lane, int device);
  /// Waits for lane \p lane and completes its results.
  void collect(std::size_t lane);
  /// After a failure while enqueuing on lane \p lane: waits for what was enqueued and drops it
  /// (its PDUs are not reported; HARQ buffers stay as after a failed decode). Never throws.
  void abandon(std::size_t lane) noexcept;
  /// The lane collected last and its last decoded PDU (-1: none).
  std::size_t last_lane = 0;
  int last_pdu = -1;

  GpuCellConfig config;
  std::uint32_t max_tbs;
  phy::HarqBufferPool harq;
  std::shared_ptr<GpuHarqSoftMemory> harq_memory;
  std::vector<std::unique_ptr<CellLane>> lanes; ///< One per slot in flight.
};

std::string GpuCellGroup::Cell::admit(std::span<const phy::PuschConfig> pdus, std::size_t index,
                                      phy::PuschPduResult& result, std::uint32_t& tbs) const {
  const phy::PuschConfig& pdu = pdus[index];
  if (index >= config.max_pdus) {
    return "more PDUs than the cell's " + std::to_string(config.max_pdus);
  }
  if (const auto error = pdu.validate(config.cell); !error.empty()) {
    return "invalid PDU: " + error;
  }
  if (pdu.num_layers > config.max_layers) {
    return "invalid PDU: more layers than the cell was built for";
  }
  for (std::size_t j = 0; j < index; ++j) {
    if (pdus[j].rnti == pdu.rnti && pdus[j].harq_process_id == pdu.harq_process_id) {
      return "invalid PDU: a second PDU of the same RNTI and HARQ process in the slot";
    }
  }
  tbs = pdu.tb_size_bits != 0 ? pdu.tb_size_bits : phy::compute_pusch_tbs(config.cell, pdu);
  if (tbs > max_tbs) {
    return "TBS " + std::to_string(tbs) + " exceeds the cell's maximum " + std::to_string(max_tbs);
  }
  if (tbs % 8 != 0) {
    return "TBS " + std::to_string(tbs) + " is not a whole number of bytes";
  }
  result.tb_bytes.resize(tbs / 8);
  return {};
}

bool GpuCellGroup::Cell::in_flight(const phy::HarqProcessKey& key, std::size_t lane) const {
  for (std::size_t l = 0; l < lanes.size(); ++l) {
    const CellLane& other = *lanes[l];
    for (std::size_t p = 0; l != lane && p < other.enqueued.size(); ++p) {
      if (other.enqueued[p] && other.keys[p] == key) {
        return true;
      }
    }
  }
  return false;
}

void GpuCellGroup::Cell::submit(const GpuCellSlot& input, std::size_t lane_index, int device) {
  CellLane& lane = *lanes[lane_index];
  std::vector<phy::PuschPduResult>& out = lane.results;
  out.resize(input.pdus.size());
  std::fill(lane.enqueued.begin(), lane.enqueued.end(), false);
  std::fill(lane.measured.begin(), lane.measured.end(), false);
  std::string slot_error;
  if (input.slot >= phy::slots_per_frame(config.cell.numerology)) {
    slot_error = "slot " + std::to_string(input.slot) + " is outside the frame";
  } else {
    try {
      if (input.device_iq != nullptr) {
        lane.front_end.demodulate(input.device_iq, config.num_rx_antennas, input.slot);
      } else {
        lane.front_end.demodulate_host(input.host_iq, config.num_rx_antennas, input.slot);
      }
    } catch (const std::invalid_argument& e) {
      slot_error = std::string("slot IQ: ") + e.what();
    }
  }
  for (std::size_t p = 0; p < input.pdus.size(); ++p) {
    const phy::PuschConfig& pdu = input.pdus[p];
    phy::PuschPduResult& result = out[p];
    result.handle = pdu.handle;
    result.rnti = pdu.rnti;
    result.harq_process_id = pdu.harq_process_id;
    result.tb_crc_ok = false;
    result.error = slot_error;
    result.decoding = {};
    result.measurements = {};
    result.times = {};
    result.tb_bytes.clear();
    result.tb_bits.clear();
    std::uint32_t tbs = 0;
    if (!result.error.empty() || !(result.error = admit(input.pdus, p, result, tbs)).empty()) {
      result.tb_bytes.clear();
      continue;
    }
    const phy::HarqProcessKey key{pdu.rnti, static_cast<std::uint8_t>(pdu.harq_process_id)};
    if (in_flight(key, lane_index)) {
      result.error = "HARQ: process " + std::to_string(pdu.harq_process_id) + " of RNTI " +
                     std::to_string(pdu.rnti) + " is still being decoded in an earlier slot";
      result.tb_bytes.clear();
      continue;
    }
    bool acquired = false; // a buffer newly taken for this PDU, released if decoding fails
    try {
      const std::uint32_t g = phy::pusch_coded_bits(config.cell, pdu);
      phy::UlschDecoderConfig cfg;
      cfg.coding = phy::ulsch_coding_config(pdu, tbs, g);
      cfg.max_iterations = config.ldpc_max_iterations;
      cfg.early_termination = config.ldpc_early_termination;
      lane.front_end.process(pdu, input.slot, config.front_end);
      lane.front_end.descramble(phy::pusch_scrambling_init(pdu.rnti, pdu.data_scrambling_id));
      lane.front_end.enqueue_measurements(static_cast<unsigned>(p));
      lane.measured[p] = true;
      acquired = harq.find(key) == nullptr;
      phy::HarqSoftBuffer& buffer = harq.acquire(key, pdu.new_data_indicator);
      lane.decoders[p]->enqueue_device_bytes({lane.front_end.device_llrs(), g, device}, cfg, buffer,
                                             result.tb_bytes, lane.front_end.native_stream());
      lane.enqueued[p] = true;
      lane.keys[p] = key;
    } catch (const phy::HarqPoolExhaustedError& e) {
      acquired = false;
      result.error = std::string("HARQ: ") + e.what();
    } catch (const std::invalid_argument& e) {
      result.error = e.what();
    }
    if (!lane.enqueued[p] && acquired) {
      harq.release(key);
    }
    if (!lane.enqueued[p]) {
      result.tb_bytes.clear();
    }
  }
}

void GpuCellGroup::Cell::collect(std::size_t lane_index) {
  CellLane& lane = *lanes[lane_index];
  lane.front_end.synchronize();
  last_pdu = -1;
  for (std::size_t p = 0; p < lane.results.size() && p < lane.enqueued.size(); ++p) {
    if (lane.measured[p]) {
      lane.results[p].measurements = lane.front_end.pending_measurements(static_cast<unsigned>(p));
    }
    if (!lane.enqueued[p]) {
      continue;
    }
    lane.enqueued[p] = false;
    phy::PuschPduResult& result = lane.results[p];
    result.decoding = lane.decoders[p]->finish();
    result.tb_crc_ok = result.decoding.tb_crc_ok;
    if (result.tb_crc_ok) {
      harq.release(lane.keys[p]);
    } else {
      result.tb_bytes.clear();
    }
    last_pdu = static_cast<int>(p);
  }
  last_lane = lane_index;
}

void GpuCellGroup::Cell::abandon(std::size_t lane_index) noexcept {
  CellLane& lane = *lanes[lane_index];
  try {
    lane.front_end.synchronize();
  } catch (const std::exception&) { // a failed device: the decoders' finish() throws too
  }
  for (std::size_t p = 0; p < lane.enqueued.size(); ++p) {
    if (lane.enqueued[p]) {
      try {
        (void)lane.decoders[p]->finish();
      } catch (const std::exception&) {
      }
    }
    lane.enqueued[p] = false;
    lane.measured[p] = false;
  }
  lane.results.clear();
}

GpuDeviceIq::GpuDeviceIq(std::span<const phy::cf32> iq, int device)
    : size_(iq.size()), device_(device) {
  AIRAN_CUDA_CHECK(cudaSetDevice(device));
  AIRAN_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), iq.size_bytes()));
  AIRAN_CUDA_CHECK(cudaMemcpy(data_, iq.data(), iq.size_bytes(), cudaMemcpyHostToDevice));
  // From pageable memory the copy may still be in flight; the cells' streams do not wait for
  // the default stream.
  AIRAN_CUDA_CHECK(cudaDeviceSynchronize());
}

GpuDeviceIq::~GpuDeviceIq() {
  if (data_ != nullptr) {
    cudaSetDevice(device_);
    cudaFree(data_);
  }
}

GpuDeviceIq::GpuDeviceIq(GpuDeviceIq&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(other.size_), device_(other.device_) {}

GpuDeviceIq& GpuDeviceIq::operator=(GpuDeviceIq&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) {
      cudaSetDevice(device_);
      cudaFree(data_);
    }
    data_ = std::exchange(other.data_, nullptr);
    size_ = other.size_;
    device_ = other.device_;
  }
  return *this;
}

GpuCellGroup::GpuCellGroup(std::span<const GpuCellConfig> cells, int device) : device_(device) {
  for (const auto& config : cells) {
    if (const auto error = config.cell.validate(); !error.empty()) {
      throw std::invalid_argument("GpuCellGroup: " + error);
    }
    if (config.max_pdus == 0 || config.max_pdus > GpuPuschFrontEnd::max_pending_measurements) {
      throw std::invalid_argument("GpuCellGroup: 1.." +
                                  std::to_string(GpuPuschFrontEnd::max_pending_measurements) +
                                  " PDUs per slot");
    }
    if (config.slots_in_flight == 0 || config.slots_in_flight > 4 ||
        config.slots_in_flight != cells.front().slots_in_flight) {
      throw std::invalid_argument("GpuCellGroup: 1..4 slots in flight, the same for every cell");
    }
    cells_.push_back(std::make_unique<Cell>(config, device));
  }
  slots_in_flight_ = cells.empty() ? 1 : cells.front().slots_in_flight;
}

GpuCellGroup::~GpuCellGroup() = default;

unsigned GpuCellGroup::num_cells() const {
  return static_cast<unsigned>(cells_.size());
}

unsigned GpuCellGroup::slots_in_flight() const {
  return static_cast<unsigned>(submitted_ - collected_);
}

std::size_t GpuCellGroup::slot_length(unsigned cell, unsigned slot) const {
  return cells_.at(cell)->lanes.front()->front_end.slot_length(slot);
}

GpuCellStageTimes GpuCellGroup::stage_times(unsigned cell) {
  Cell& c = *cells_.at(cell);
  GpuCellStageTimes times;
  if (c.last_pdu < 0) {
    return times;
  }
  CellLane& lane = *c.lanes[c.last_lane];
  const GpuStageTimes front_end = lane.front_end.stage_times();
  times.ofdm_us = 1000.0F * front_end.ofdm_ms;
  times.estimate_us = 1000.0F * front_end.estimate_ms;
  times.equalize_demap_us = 1000.0F * front_end.equalize_demap_ms;
  times.descramble_us = 1000.0F * front_end.descramble_ms;
  const GpuUlschTimes decoder = lane.decoders[static_cast<std::size_t>(c.last_pdu)]->last_times();
  times.rate_recovery_us = decoder.rate_recovery_us;
  times.ldpc_us = decoder.ldpc_us;
  return times;
}

phy::HarqBufferPool& GpuCellGroup::harq_pool(unsigned cell) {
  return cells_.at(cell)->harq;
}

void GpuCellGroup::submit(std::span<const GpuCellSlot> slots) {
  if (slots.size() != cells_.size()) {
    throw std::invalid_argument("GpuCellGroup: " + std::to_string(slots.size()) + " slots for " +
                                std::to_string(cells_.size()) + " cells");
  }
  if (submitted_ - collected_ >= slots_in_flight_) {
    throw std::logic_error("GpuCellGroup: " + std::to_string(slots_in_flight_) +
                           " slots already in flight; collect() one first");
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device_));
  const std::size_t lane = submitted_ % slots_in_flight_;
  std::size_t c = 0;
  try {
    for (; c < cells_.size(); ++c) {
      cells_[c]->submit(slots[c], lane, device_);
    }
  } catch (...) {
    // A device failure (a bad PDU or IQ only fails its PDUs): the slot is dropped, so that the
    // lane's decoders are free again and the error is the first one, not a later "enqueued".
    for (std::size_t k = 0; k <= c && k < cells_.size(); ++k) {
      cells_[k]->abandon(lane);
    }
    throw;
  }
  ++submitted_;
}

void GpuCellGroup::collect(std::vector<std::vector<phy::PuschPduResult>>& results) {
  if (submitted_ == collected_) {
    throw std::logic_error("GpuCellGroup: collect() without a submitted slot");
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device_));
  const std::size_t lane = collected_ % slots_in_flight_;
  results.resize(cells_.size());
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    cells_[c]->collect(lane);
    std::swap(results[c], cells_[c]->lanes[lane]->results);
  }
  ++collected_;
}

void GpuCellGroup::process(std::span<const GpuCellSlot> slots,
                           std::vector<std::vector<phy::PuschPduResult>>& results) {
  if (submitted_ != collected_) {
    throw std::logic_error("GpuCellGroup: process() with slots in flight; collect() them first");
  }
  submit(slots);
  collect(results);
}

} // namespace airan::gpu
