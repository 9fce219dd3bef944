// PuschReceiver: construction, slots (a grid or time-domain IQ), the PDUs of a slot on the
// thread pool or the pooled stages, and the detectors that take a slot's IQ themselves.
#include "pusch_receiver_impl.h"

#include "airan/phy/pusch_harq_process.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace airan::phy {

using pusch_receiver_detail::for_cpu_front_end;

PuschMeasurements PuschDetector::detect_loaded(const CellConfig& /*cell*/,
                                               const PuschConfig& /*pusch*/, unsigned /*slot*/,
                                               std::span<float> /*llrs*/) {
  throw std::logic_error("PuschDetector: detect_loaded() without load_slot_iq()");
}

std::size_t pusch_receiver_harq_buffer_length(const CellConfig& cell,
                                              const PuschReceiverConfig& config) {
  const std::uint32_t max_tbs =
      config.max_tbs != 0 ? config.max_tbs : pusch_largest_tbs(cell.num_prbs, config.max_layers);
  return pusch_harq_buffer_length(max_tbs, 2U * 156U * cell.num_prbs * config.max_layers);
}

HarqStorage pusch_receiver_harq_storage(const PuschReceiverConfig& config) {
  return config.ulsch_decoder ? config.ulsch_decoder.harq_storage : HarqStorage::host;
}

std::shared_ptr<SharedHarqPool>
PuschReceiver::Impl::harq_share_of(const CellConfig& cell, const PuschReceiverConfig& config) {
  const std::size_t length = pusch_receiver_harq_buffer_length(cell, config);
  const HarqStorage storage = pusch_receiver_harq_storage(config);
  if (config.shared_harq == nullptr) {
    return std::make_shared<SharedHarqPool>(std::max(config.num_harq_buffers, 1U), length, storage,
                                            config.harq_expiry_slots);
  }
  const HarqBufferPool& shared = config.shared_harq->pool;
  if (shared.soft_bits_per_buffer() < length || shared.storage() != storage) {
    throw std::invalid_argument("PuschReceiver: the shared HARQ pool's buffers hold " +
                                std::to_string(shared.soft_bits_per_buffer()) +
                                " soft values, the receiver needs " + std::to_string(length) +
                                (shared.storage() != storage ? " and other storage" : ""));
  }
  return config.shared_harq;
}

PuschReceiver::PuschReceiver(const CellConfig& cell, const PuschReceiverConfig& config)
    : impl_(std::make_unique<Impl>(cell, config)) {}
PuschReceiver::~PuschReceiver() = default;

const CellConfig& PuschReceiver::cell() const {
  return impl_->cell;
}
const PuschReceiverConfig& PuschReceiver::config() const {
  return impl_->config;
}
HarqBufferPool& PuschReceiver::harq_pool() {
  return impl_->harq;
}
const HarqBufferPool& PuschReceiver::harq_pool() const {
  return impl_->harq;
}

ResourceGrid PuschReceiver::make_grid() const {
  return ResourceGrid(impl_->config.num_rx_antennas, symbols_per_slot(impl_->cell.cyclic_prefix),
                      subcarriers_per_prb * impl_->cell.num_prbs);
}

std::size_t PuschReceiver::slot_length(unsigned slot) const {
  return impl_->numerology.slot_length(slot);
}

void PuschReceiver::process_slot(const ResourceGrid& grid, unsigned slot,
                                 std::span<const PuschConfig> pdus,
                                 std::vector<PuschPduResult>& results,
                                 const PerfectCsi* perfect_csi) {
  Impl& s = *impl_;
  if (perfect_csi != nullptr && perfect_csi->channel == nullptr) {
    throw std::invalid_argument("PuschReceiver: perfect CSI without a channel");
  }
  if (grid.num_ports() != s.config.num_rx_antennas ||
      grid.num_symbols() != symbols_per_slot(s.cell.cyclic_prefix) ||
      grid.num_subcarriers() != subcarriers_per_prb * s.cell.num_prbs) {
    throw std::invalid_argument("PuschReceiver: the grid does not have the cell's shape");
  }
  if (slot >= slots_per_frame(s.cell.numerology)) {
    throw std::invalid_argument("PuschReceiver: slot " + std::to_string(slot) +
                                " is outside the frame");
  }
  s.detectors_hold_slot = false;
  s.run_pdus(&grid, slot, pdus, results, perfect_csi);
}

bool PuschReceiver::Impl::pooled_mode(std::size_t num_pdus) const {
  return code_block_parallel_decoder && num_pdus < pool.num_lanes();
}

void PuschReceiver::Impl::run_pdus(const ResourceGrid* grid, unsigned slot,
                                   std::span<const PuschConfig> pdus,
                                   std::vector<PuschPduResult>& results,
                                   const PerfectCsi* perfect_csi) {
  resize_pusch_results(results, pdus.size(), spare_results);
  const auto is_duplicate = [&](std::size_t i) { return duplicate_harq_process(pdus, i); };
  if (pooled_mode(pdus.size())) {
    // Few PDUs: one after the other, each running its front end and decoding its code blocks
    // on every lane.
    for (std::size_t i = 0; i < pdus.size(); ++i) {
      process_pdu(grid, slot, pdus[i], is_duplicate(i), *lanes[0], *pooled_front_end,
                  pooled_detector.get(), *code_block_parallel_decoder, perfect_csi, &pool,
                  results[i]);
    }
    return;
  }
  const auto body = [&](std::size_t i, unsigned lane) {
    process_pdu(grid, slot, pdus[i], is_duplicate(i), *lanes[lane], lanes[lane]->front_end,
                lanes[lane]->detector.get(), *lanes[lane]->decoder, perfect_csi, nullptr,
                results[i]);
  };
  // One captured pointer: std::function does not allocate (the body's captures would, every slot).
  pool.parallel_for(pdus.size(), [p = &body](std::size_t i, unsigned lane) { (*p)(i, lane); });
}

bool PuschReceiver::Impl::load_iq_into_detectors(std::span<const cf32> iq, unsigned slot,
                                                 std::size_t num_pdus) {
  if (!config.detector) {
    return false;
  }
  if (pooled_mode(num_pdus)) {
    return pooled_detector->load_slot_iq(iq, config.num_rx_antennas, slot);
  }
  // Any lane may take any PDU: every lane's detector needs the slot.
  bool all = true;
  for (const auto& lane : lanes) {
    all = lane->detector->load_slot_iq(iq, config.num_rx_antennas, slot) && all;
  }
  return all;
}

void PuschReceiver::process_slot_iq(std::span<const cf32> iq, unsigned slot,
                                    std::span<const PuschConfig> pdus,
                                    std::vector<PuschPduResult>& results,
                                    const PerfectCsi* perfect_csi) {
  Impl& s = *impl_;
  if (slot >= slots_per_frame(s.cell.numerology)) {
    throw std::invalid_argument("PuschReceiver: slot " + std::to_string(slot) +
                                " is outside the frame");
  }
  const std::size_t samples = s.numerology.slot_length(slot);
  if (iq.size() != samples * s.config.num_rx_antennas) {
    throw std::invalid_argument("PuschReceiver: expected " +
                                std::to_string(samples * s.config.num_rx_antennas) +
                                " IQ samples (" + std::to_string(s.config.num_rx_antennas) +
                                " antennas x " + std::to_string(samples) + ")");
  }
  if (perfect_csi != nullptr && perfect_csi->channel == nullptr) {
    throw std::invalid_argument("PuschReceiver: perfect CSI without a channel");
  }
  if (pdus.empty()) {
    resize_pusch_results(results, 0, s.spare_results); // nothing to demodulate for
    return;
  }
  // PDUs that the CPU front end runs beside the detectors (for_cpu_front_end()) need the slot on
  // the host as well; the detectors get it only when some PDU is theirs.
  const bool mirror = s.detectors_mirror_cpu_front_end();
  const auto cpu_pdu = [&s](const PuschConfig& pdu) {
    return for_cpu_front_end(pdu, *s.lanes.front()->detector);
  };
  const bool cpu_front_end_pdus = mirror && std::ranges::any_of(pdus, cpu_pdu);
  const bool detector_pdus = !mirror || !std::ranges::all_of(pdus, cpu_pdu);
  const bool loaded =
      perfect_csi == nullptr && detector_pdus && s.load_iq_into_detectors(iq, slot, pdus.size());
  s.detectors_hold_slot = loaded;
  if (loaded && !cpu_front_end_pdus) {
    s.run_pdus(nullptr, slot, pdus, results, nullptr); // demodulated by the detectors
    return;
  }
  const auto demodulate = [&](std::size_t antenna, unsigned lane) {
    s.lanes[lane]->demodulator.demodulate_slot(iq.subspan(antenna * samples, samples), slot, s.grid,
                                               static_cast<unsigned>(antenna));
  };
  s.pool.parallel_for(
      s.config.num_rx_antennas,
      [p = &demodulate](std::size_t antenna, unsigned lane) { (*p)(antenna, lane); });
  s.run_pdus(&s.grid, slot, pdus, results, perfect_csi);
}

bool PuschReceiver::takes_transform_precoding() const {
  const Impl& s = *impl_;
  return s.lanes.empty() || s.lanes.front()->detector == nullptr ||
         s.detectors_mirror_cpu_front_end();
}

bool PuschReceiver::takes_uci() const {
  const Impl& s = *impl_;
  return !s.detector_llrs_on_device || s.detectors_mirror_cpu_front_end() ||
         (!s.lanes.empty() && s.lanes.front()->detector != nullptr &&
          s.lanes.front()->detector->takes_uci_on_pusch());
}

bool PuschReceiver::detectors_demodulate_iq() const {
  const Impl& s = *impl_;
  return !s.lanes.empty() && s.lanes.front()->detector != nullptr &&
         s.lanes.front()->detector->demodulates_slot_iq();
}

void resize_pusch_results(std::vector<PuschPduResult>& results, std::size_t size,
                          std::vector<PuschPduResult>& spare) {
  while (results.size() > size) {
    spare.push_back(std::move(results.back()));
    results.pop_back();
  }
  while (results.size() < size && !spare.empty()) {
    results.push_back(std::move(spare.back()));
    spare.pop_back();
  }
  results.resize(size);
}

void reset_pusch_pdu_result(PuschPduResult& result, const PuschConfig& pdu) {
  result.handle = pdu.handle;
  result.rnti = pdu.rnti;
  result.harq_process_id = pdu.harq_process_id;
  result.tb_crc_ok = false;
  result.tb_bytes.clear(); // an earlier PDU's TB must never pass for this one's
  result.error.clear();
  result.decoding = {};
  result.uci = PuschUciResult{.harq_ack = std::move(result.uci.harq_ack),
                              .csi_part1 = std::move(result.uci.csi_part1),
                              .csi_part2 = std::move(result.uci.csi_part2)};
  result.uci.harq_ack.clear();
  result.uci.csi_part1.clear();
  result.uci.csi_part2.clear();
  result.measurements = {};
  result.times = {};
}

void pack_bits_msb_first(std::span<const bit_t> bits, std::vector<std::uint8_t>& bytes) {
  bytes.resize((bits.size() + 7) / 8);
  const std::size_t full = bits.size() / 8;
  for (std::size_t i = 0; i < full; ++i) {
    const bit_t* b = bits.data() + 8 * i;
    bytes[i] = static_cast<std::uint8_t>((b[0] << 7) | (b[1] << 6) | (b[2] << 5) | (b[3] << 4) |
                                         (b[4] << 3) | (b[5] << 2) | (b[6] << 1) | b[7]);
  }
  if (full < bytes.size()) {
    std::uint8_t last = 0;
    for (std::size_t i = 8 * full; i < bits.size(); ++i) {
      last = static_cast<std::uint8_t>(last | (bits[i] << (7 - i % 8)));
    }
    bytes[full] = last;
  }
}

} // namespace airan::phy
