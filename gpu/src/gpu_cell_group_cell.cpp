/// \file
/// \brief GpuCellGroup::Cell: one cell's slot on one lane: admission of its PDUs, the enqueueing
/// of the front end and decoders on the lane's stream, and the completion of their results.
#include "gpu_cell_group_impl.h"

#include "airan/phy/numerology.h"
#include "airan/phy/pusch_harq_process.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tbs_calculator.h"
#include "airan/phy/ulsch_encoder.h"

#include <optional>
#include <stdexcept>

namespace airan::gpu {

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
  if (pdu.uci.present()) {
    return "unsupported PDU: UCI on PUSCH is demultiplexed on the host by PuschReceiver only";
  }
  if (phy::duplicate_harq_process(pdus, index)) {
    return "invalid PDU: a second PDU of the same RNTI and HARQ process in the slot";
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
    const detail::CellLane& other = *lanes[l];
    for (std::size_t p = 0; l != lane && p < other.enqueued.size(); ++p) {
      if (other.enqueued[p] && other.keys[p] == key) {
        return true;
      }
    }
  }
  return false;
}

bool GpuCellGroup::Cell::end_in_flight_at_collect(const phy::HarqProcessKey& key,
                                                  std::size_t lane) {
  for (std::size_t l = 0; l < lanes.size(); ++l) {
    detail::CellLane& other = *lanes[l];
    for (std::size_t p = 0; l != lane && p < other.enqueued.size(); ++p) {
      if (other.enqueued[p] && other.keys[p] == key) {
        other.ended[p] = true;
        return true;
      }
    }
  }
  return false;
}

void GpuCellGroup::Cell::end_previous_tb(std::span<const phy::PuschConfig> pdus, std::size_t p,
                                         std::size_t lane) {
  const std::optional<phy::HarqProcessKey> key = phy::pusch_harq_process(pdus[p]);
  if (!key || phy::duplicate_harq_process(pdus, p) || !pdus[p].new_data_indicator) {
    return;
  }
  if (!end_in_flight_at_collect(*key, lane)) {
    phy::end_previous_transport_block(harq, pdus[p]);
  }
}

void GpuCellGroup::Cell::begin_slot(const GpuCellSlot& input, std::size_t lane_index,
                                    const detail::StagedIq* staged, bool prepare_only) {
  detail::CellLane& lane = *lanes[lane_index];
  lane.results.resize(input.pdus.size());
  std::fill(lane.enqueued.begin(), lane.enqueued.end(), false);
  std::fill(lane.measured.begin(), lane.measured.end(), false);
  std::fill(lane.fresh.begin(), lane.fresh.end(), false);
  lane.slot_error.clear();
  if (input.slot >= phy::slots_per_frame(config.cell.numerology)) {
    lane.slot_error = "slot " + std::to_string(input.slot) + " is outside the frame";
  } else if (staged != nullptr && !staged->error.empty()) {
    lane.slot_error = staged->error;
  } else {
    if (!input.pdus.empty()) {
      lane.front_end.pregenerate_dmrs(input.pdus.front(), input.slot, config.front_end);
    }
    try {
      const phy::cf32* iq = staged != nullptr ? staged->device : input.device_iq;
      if (iq == nullptr) { // host IQ: uploaded on the cell's stream
        iq = lane.front_end.upload_iq(input.host_iq, config.num_rx_antennas, input.slot);
      }
      if (prepare_only) {
        lane.front_end.prepare_demodulation(iq, config.num_rx_antennas, input.slot);
      } else {
        lane.front_end.demodulate(iq, config.num_rx_antennas, input.slot);
      }
    } catch (const std::invalid_argument& e) {
      lane.slot_error = std::string("slot IQ: ") + e.what();
    }
  }
}

void GpuCellGroup::Cell::submit(const GpuCellSlot& input, std::size_t lane_index, int device,
                                const detail::StagedIq* staged) {
  detail::CellLane& lane = *lanes[lane_index];
  // The front end's branch (the first PDU's DMRS beside the OFDM demodulation, then the
  // measurements) stays open across the PDUs and is joined after the last one, also when a device
  // failure ends the loop (a capture cannot end with it open).
  try {
    begin_slot(input, lane_index, staged);
    for (std::size_t p = 0; p < input.pdus.size(); ++p) {
      std::uint32_t tbs = 0;
      if (!admit_pdu(input, lane_index, p, tbs)) {
        continue;
      }
      try {
        lane.front_end.process(input.pdus[p], input.slot, config.front_end, /*descramble=*/true);
      } catch (const std::invalid_argument& e) {
        lane.results[p].error = e.what();
        lane.results[p].tb_bytes.clear();
        end_previous_tb(input.pdus, p, lane_index);
        continue;
      }
      decode_pdu(input, lane_index, p, tbs, device);
    }
  } catch (...) {
    try {
      lane.front_end.join_branch();
    } catch (...) { // the first error is the one to report
    }
    throw;
  }
  lane.front_end.join_branch();
}

bool GpuCellGroup::Cell::admit_pdu(const GpuCellSlot& input, std::size_t lane_index, std::size_t p,
                                   std::uint32_t& tbs) {
  const detail::CellLane& lane = *lanes[lane_index];
  const phy::PuschConfig& pdu = input.pdus[p];
  phy::PuschPduResult& result = lanes[lane_index]->results[p];
  result.handle = pdu.handle;
  result.rnti = pdu.rnti;
  result.harq_process_id = pdu.harq_process_id;
  result.tb_crc_ok = false;
  result.error = lane.slot_error;
  result.decoding = {};
  result.measurements = {};
  result.times = {};
  result.tb_bytes.clear();
  result.tb_bits.clear();
  tbs = 0;
  if (!result.error.empty()) {
    return false; // the slot failed: like a slot the CPU receiver refuses, it changes no process
  }
  if (!(result.error = admit(input.pdus, p, result, tbs)).empty()) {
    result.tb_bytes.clear();
    end_previous_tb(input.pdus, p, lane_index);
    return false;
  }
  const phy::HarqProcessKey key{pdu.rnti, static_cast<std::uint8_t>(pdu.harq_process_id)};
  if (in_flight(key, lane_index)) {
    result.error = "HARQ: process " + std::to_string(pdu.harq_process_id) + " of RNTI " +
                   std::to_string(pdu.rnti) + " is still being decoded in an earlier slot";
    result.tb_bytes.clear();
    end_previous_tb(input.pdus, p, lane_index); // new data: that decoding ends its TB
    return false;
  }
  return true;
}

void GpuCellGroup::Cell::decode_pdu(const GpuCellSlot& input, std::size_t lane_index, std::size_t p,
                                    std::uint32_t tbs, int device) {
  detail::CellLane& lane = *lanes[lane_index];
  const phy::PuschConfig& pdu = input.pdus[p];
  phy::PuschPduResult& result = lane.results[p];
  const phy::HarqProcessKey key{pdu.rnti, static_cast<std::uint8_t>(pdu.harq_process_id)};
  bool taken = false;    // the process's buffer was acquired for this PDU
  bool acquired = false; // a buffer newly taken for this PDU, released if decoding fails
  try {
    const std::uint32_t g = phy::pusch_coded_bits(config.cell, pdu);
    phy::UlschDecoderConfig cfg;
    cfg.coding = phy::ulsch_coding_config(pdu, tbs, g);
    cfg.max_iterations = config.ldpc_max_iterations;
    cfg.early_termination = config.ldpc_early_termination;
    lane.front_end.enqueue_measurements(static_cast<unsigned>(p));
    lane.measured[p] = true;
    const bool fresh = harq.find(key) == nullptr;
    phy::HarqSoftBuffer& buffer = harq.acquire(key, pdu.new_data_indicator);
    if (buffer.state().num_transmissions > 0) { // a retransmission keeps its TB's base graph
      cfg.coding.base_graph = buffer.state().base_graph;
    }
    taken = true;
    acquired = fresh;
    if (batched_decoding) { // the group enqueues it with the other cells' TBs
      phy::DeviceLlrs llrs{lane.front_end.device_llrs(), g, device};
      if (p + 1 < input.pdus.size()) { // the next PDU's front end overwrites the front end's
        llrs = lane.decoders[p]->keep_device_llrs(llrs, lane.front_end.native_stream());
      }
      lane.decoders[p]->prepare_device_bytes(llrs, cfg, buffer, result.tb_bytes);
    } else {
      lane.decoders[p]->enqueue_device_bytes({lane.front_end.device_llrs(), g, device}, cfg, buffer,
                                             result.tb_bytes, lane.front_end.native_stream());
    }
    lane.enqueued[p] = true;
    lane.fresh[p] = acquired;
    lane.ended[p] = false;
    lane.keys[p] = key;
  } catch (const phy::HarqPoolExhaustedError& e) {
    result.error = std::string("HARQ: ") + e.what();
  } catch (const std::invalid_argument& e) {
    result.error = e.what();
  } catch (...) { // a device error fails the slot: the buffer newly taken for it goes back
    if (acquired) {
      harq.release(key);
    }
    result.tb_bytes.clear();
    throw;
  }
  if (!lane.enqueued[p]) {
    // As the CPU receiver: a decoder that refused the TB gives its buffer back (also one that
    // held earlier transmissions), and a failure before the buffer was taken ends the previous
    // TB of a process with new data.
    if (taken) {
      harq.release(key);
    } else {
      end_previous_tb(input.pdus, p, lane_index);
    }
    result.tb_bytes.clear();
  }
}

void GpuCellGroup::Cell::collect(std::size_t lane_index) {
  detail::CellLane& lane = *lanes[lane_index];
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
    if (result.tb_crc_ok || lane.ended[p]) { // decoded, or new data came for the process since
      harq.release(lane.keys[p]);
    }
    if (!result.tb_crc_ok) {
      result.tb_bytes.clear();
    }
    lane.ended[p] = false;
    last_pdu = static_cast<int>(p);
  }
  last_lane = lane_index;
}

void GpuCellGroup::Cell::abandon(std::size_t lane_index, bool launched) noexcept {
  detail::CellLane& lane = *lanes[lane_index];
  if (launched) {
    try {
      lane.front_end.synchronize();
    } catch (const std::exception&) { // a failed device: the decoders' finish() throws too
    }
  }
  for (std::size_t p = 0; p < lane.enqueued.size(); ++p) {
    bool ran = launched;
    if (lane.enqueued[p] && launched) {
      try {
        (void)lane.decoders[p]->finish();
      } catch (const std::logic_error&) {
        ran = false; // prepared for a batch that was never enqueued, or cancelled by its failure
      } catch (const std::exception&) {
      }
    }
    if (lane.enqueued[p] && !ran) {
      lane.decoders[p]->cancel(); // nothing ran: the buffer keeps its state
      if (lane.fresh[p]) {
        harq.release(lane.keys[p]);
      }
    }
    if (lane.enqueued[p] && lane.ended[p]) {
      harq.release(lane.keys[p]); // new data came for the process since: its TB is over
    }
    lane.ended[p] = false;
    lane.enqueued[p] = false;
    lane.measured[p] = false;
  }
  lane.results.clear();
}

} // namespace airan::gpu
