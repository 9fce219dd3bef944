/// \file
/// \brief GpuCellGroup: per cell a front end, decoders on its stream and a device HARQ pool;
/// process() enqueues every cell, then completes every cell.
#include "airan/gpu/gpu_cell_group.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "airan/phy/pusch_receiver_sizing.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tbs_calculator.h"
#include "airan/phy/ulsch_encoder.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::gpu {

struct GpuCellGroup::Cell {
  Cell(const GpuCellConfig& config_in, int device)
      : config(config_in),
        max_tbs(phy::pusch_largest_tbs(config_in.cell.num_prbs, config_in.max_layers)),
        front_end(config_in.cell,
                  {config_in.num_rx_antennas, config_in.max_layers, config_in.cell.num_prbs},
                  device),
        harq(std::max(config_in.num_harq_buffers, 1U),
             phy::pusch_harq_buffer_length(max_tbs, 2U * 156U * config_in.cell.num_prbs *
                                                        config_in.max_layers),
             phy::HarqStorage::external),
        harq_memory(std::make_shared<GpuHarqSoftMemory>(harq.num_buffers(),
                                                        harq.soft_bits_per_buffer(), device)),
        enqueued(config_in.max_pdus, false) {
    for (unsigned p = 0; p < config.max_pdus; ++p) {
      decoders.push_back(std::make_unique<GpuUlschDecoder>(max_tbs, harq_memory, device));
    }
  }

  /// Checks \p pdu (index \p index of \p pdus) and sizes its result; the error, or "".
  std::string admit(std::span<const phy::PuschConfig> pdus, std::size_t index,
                    phy::PuschPduResult& result, std::uint32_t& tbs) const;

  GpuCellConfig config;
  std::uint32_t max_tbs;
  GpuPuschFrontEnd front_end;
  phy::HarqBufferPool harq;
  std::shared_ptr<GpuHarqSoftMemory> harq_memory;
  std::vector<std::unique_ptr<GpuUlschDecoder>> decoders; ///< One per PDU of a slot.
  std::vector<bool> enqueued;                             ///< Per PDU of the current slot.
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
    cells_.push_back(std::make_unique<Cell>(config, device));
  }
}

GpuCellGroup::~GpuCellGroup() = default;

unsigned GpuCellGroup::num_cells() const {
  return static_cast<unsigned>(cells_.size());
}

std::size_t GpuCellGroup::slot_length(unsigned cell, unsigned slot) const {
  return cells_.at(cell)->front_end.slot_length(slot);
}

phy::HarqBufferPool& GpuCellGroup::harq_pool(unsigned cell) {
  return cells_.at(cell)->harq;
}

void GpuCellGroup::process(std::span<const GpuCellSlot> slots,
                           std::vector<std::vector<phy::PuschPduResult>>& results) {
  if (slots.size() != cells_.size()) {
    throw std::invalid_argument("GpuCellGroup: " + std::to_string(slots.size()) + " slots for " +
                                std::to_string(cells_.size()) + " cells");
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device_));
  results.resize(cells_.size());
  // Enqueue every cell: nothing below waits for the device.
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    Cell& cell = *cells_[c];
    const GpuCellSlot& input = slots[c];
    std::vector<phy::PuschPduResult>& out = results[c];
    out.resize(input.pdus.size());
    std::fill(cell.enqueued.begin(), cell.enqueued.end(), false);
    std::string slot_error;
    try {
      if (input.device_iq != nullptr) {
        cell.front_end.demodulate(input.device_iq, cell.config.num_rx_antennas, input.slot);
      } else {
        cell.front_end.demodulate_host(input.host_iq, cell.config.num_rx_antennas, input.slot);
      }
    } catch (const std::invalid_argument& e) {
      slot_error = std::string("slot IQ: ") + e.what();
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
      if (!result.error.empty() ||
          !(result.error = cell.admit(input.pdus, p, result, tbs)).empty()) {
        result.tb_bytes.clear();
        continue;
      }
      try {
        const std::uint32_t g = phy::pusch_coded_bits(cell.config.cell, pdu);
        phy::UlschDecoderConfig cfg;
        cfg.coding = phy::ulsch_coding_config(pdu, tbs, g);
        cfg.max_iterations = cell.config.ldpc_max_iterations;
        cfg.early_termination = cell.config.ldpc_early_termination;
        cell.front_end.process(pdu, input.slot, cell.config.front_end);
        cell.front_end.descramble(phy::pusch_scrambling_init(pdu.rnti, pdu.data_scrambling_id));
        cell.front_end.enqueue_measurements(static_cast<unsigned>(p));
        const phy::HarqProcessKey key{pdu.rnti, static_cast<std::uint8_t>(pdu.harq_process_id)};
        phy::HarqSoftBuffer& buffer = cell.harq.acquire(key, pdu.new_data_indicator);
        cell.decoders[p]->enqueue_device_bytes({cell.front_end.device_llrs(), g, device_}, cfg,
                                               buffer, result.tb_bytes,
                                               cell.front_end.native_stream());
        cell.enqueued[p] = true;
      } catch (const phy::HarqPoolExhaustedError& e) {
        result.error = std::string("HARQ: ") + e.what();
      } catch (const std::invalid_argument& e) {
        result.error = e.what();
      }
      if (!cell.enqueued[p]) {
        result.tb_bytes.clear();
      }
    }
  }
  // Complete every cell.
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    Cell& cell = *cells_[c];
    cell.front_end.synchronize();
    for (std::size_t p = 0; p < results[c].size(); ++p) {
      if (p >= cell.enqueued.size() || !cell.enqueued[p]) {
        continue;
      }
      phy::PuschPduResult& result = results[c][p];
      result.decoding = cell.decoders[p]->finish();
      result.tb_crc_ok = result.decoding.tb_crc_ok;
      const phy::DmrsMeasurements dmrs =
          cell.front_end.pending_measurements(static_cast<unsigned>(p));
      result.measurements.noise_variance = dmrs.noise_variance;
      result.measurements.rsrp = dmrs.rsrp;
      result.measurements.sinr_db = dmrs.sinr_db;
      result.measurements.delay_s = dmrs.delay_s;
      if (result.tb_crc_ok) {
        cell.harq.release({result.rnti, static_cast<std::uint8_t>(result.harq_process_id)});
      } else {
        result.tb_bytes.clear();
      }
    }
  }
}

} // namespace airan::gpu
