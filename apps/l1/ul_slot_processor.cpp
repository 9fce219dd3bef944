#include "airan/l1/ul_slot_processor.h"

#include "airan/io/fapi_indication_conversion.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_receiver_sizing.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace airan::l1 {
namespace {

/// Largest NR HARQ process number (TS 38.321 with Rel-17's 32 processes).
constexpr unsigned max_harq_process_id = 31;

} // namespace

UlSlotProcessor::UlSlotProcessor(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                 const UlSlotProcessorConfig& config)
    : cell_(cell), num_rx_antennas_(num_rx_antennas),
      demodulator_(phy::carrier_numerology(cell), cell.num_prbs),
      grid_(num_rx_antennas, phy::carrier_numerology(cell).symbols_per_slot(), 12 * cell.num_prbs),
      pucch_receiver_(cell, num_rx_antennas), srs_estimator_(cell, num_rx_antennas),
      prach_receiver_(phy::carrier_numerology(cell), cell.num_prbs,
                      phy::PrachReceiverConfig{num_rx_antennas, prach_max_pending, {}}),
      prach_from_sections_(config.prach_from_sections),
      prach_section_grace_slots_(config.prach_section_grace_slots),
      prach_entries_(prach_max_pending), rach_(2) {
  pucch_results_.reserve(io::fapi_max_pucch_pdus);
  prach_completed_.reserve(prach_max_pending);
  prach_refused_.reserve(io::fapi_max_prach_occasions);
  if (!(config.full_scale > 0.0F) || !std::isfinite(config.full_scale)) {
    throw std::invalid_argument("L1: full scale must be a positive amplitude");
  }
  full_scale_ = config.full_scale;
  rssi_scale_ = full_scale_;
  if (config.max_layers == 0 || config.max_layers > 4) {
    throw std::invalid_argument("L1: max_layers " + std::to_string(config.max_layers) +
                                " (1 .. 4)");
  }
  const unsigned largest = std::min(config.max_layers, num_rx_antennas);
  // One HARQ pool for every layer count's receiver, its buffers sized for the largest: a TB
  // retransmitted with another nrOfLayers combines with its earlier transmissions.
  std::shared_ptr<phy::SharedHarqPool> shared_harq;
  // Every receiver takes the largest layer count's TBs: a TB first sent with more layers may be
  // retransmitted with fewer.
  std::uint32_t max_tbs = config.max_tbs;
  for (const unsigned layers : {4U, 2U, 1U}) {
    if (layers > largest) {
      continue;
    }
    phy::CellConfig layer_cell = cell;
    layer_cell.num_antenna_ports = layers;
    phy::PuschReceiverConfig receiver_config;
    receiver_config.num_rx_antennas = num_rx_antennas;
    receiver_config.max_layers = layers;
    receiver_config.num_threads = std::max(config.num_threads, 1U);
    receiver_config.num_harq_buffers = config.num_harq_buffers;
    receiver_config.harq_expiry_slots = static_cast<std::uint32_t>(std::min<std::uint64_t>(
        std::uint64_t{config.harq_expiry_ms} << cell.numerology, UINT32_MAX)); // 2^mu slots/ms
    if (max_tbs == 0) { // the first, largest receiver's default
      max_tbs = phy::pusch_largest_tbs(cell.num_prbs, layers);
    }
    receiver_config.max_tbs = max_tbs;
    receiver_config.front_end = config.front_end;
    receiver_config.detector = config.detector;
    receiver_config.ldpc_batch_decoder = config.ldpc_batch_decoder;
    receiver_config.ulsch_decoder = config.ulsch_decoder;
    receiver_config.csi_part2_size_maps = config.csi_part2_size_maps;
    if (shared_harq == nullptr) {
      shared_harq = std::make_shared<phy::SharedHarqPool>(
          std::max(config.num_harq_buffers, 1U),
          phy::pusch_receiver_harq_buffer_length(layer_cell, receiver_config),
          phy::pusch_receiver_harq_storage(receiver_config), receiver_config.harq_expiry_slots);
      harq_ = &shared_harq->pool;
    }
    receiver_config.shared_harq = shared_harq;
    LayerReceiver entry;
    entry.layers = layers;
    entry.receiver = std::make_unique<phy::PuschReceiver>(layer_cell, receiver_config);
    entry.pdus.reserve(io::fapi_max_pusch_pdus);
    entry.request_index.reserve(io::fapi_max_pusch_pdus);
    entry.results.reserve(io::fapi_max_pusch_pdus);
    receivers_.insert(receivers_.begin(), std::move(entry)); // 1, 2, 4 layers in that order
  }
  results_.reserve(io::fapi_max_pusch_pdus);
}

UlSlotProcessor::~UlSlotProcessor() = default;

UlSlotProcessor::LayerReceiver* UlSlotProcessor::receiver_for(unsigned layers) {
  for (auto& entry : receivers_) {
    if (entry.layers == layers) {
      return &entry;
    }
  }
  return nullptr;
}

bool UlSlotProcessor::supports_layers(unsigned layers) const {
  return std::ranges::any_of(receivers_,
                             [&](const LayerReceiver& entry) { return entry.layers == layers; });
}

bool UlSlotProcessor::takes_transform_precoding() const {
  return std::ranges::all_of(receivers_, [](const LayerReceiver& entry) {
    return entry.receiver->takes_transform_precoding();
  });
}

bool UlSlotProcessor::takes_uci() const {
  return std::ranges::all_of(
      receivers_, [](const LayerReceiver& entry) { return entry.receiver->takes_uci(); });
}

std::size_t UlSlotProcessor::slot_length(unsigned slot) const {
  return receivers_.front().receiver->slot_length(slot);
}

HarqPoolTally UlSlotProcessor::harq_tally() const {
  return HarqPoolTally{.in_use = harq_->num_in_use(),
                       .expired = harq_->num_expired(),
                       .exhausted = harq_->num_exhausted()};
}

phy::HarqBufferPool* UlSlotProcessor::harq_pool(unsigned layers) {
  return receiver_for(layers) != nullptr ? harq_ : nullptr;
}

void UlSlotProcessor::advance_harq_clock(std::uint64_t absolute_slot) {
  harq_->advance_clock(absolute_slot);
}

void UlSlotProcessor::reset_harq() {
  harq_->reset();
}

void UlSlotProcessor::end_previous_tb(const phy::HarqProcessKey& key, const LayerReceiver* keep) {
  // A receiver that decodes the new data resets the buffer itself (HarqBufferPool::acquire()).
  if (key.harq_process <= max_harq_process_id && keep == nullptr) {
    harq_->release(key);
  }
}

void UlSlotProcessor::keep_alive(const phy::HarqProcessKey& key) {
  harq_->touch(key);
}

bool UlSlotProcessor::repeats_harq_process(std::span<const phy::PuschConfig> pdus,
                                           std::size_t index) {
  return std::any_of(pdus.begin(), pdus.begin() + static_cast<std::ptrdiff_t>(index),
                     [&](const phy::PuschConfig& earlier) {
                       return pdus[index].ulsch && earlier.ulsch && // UCI only: no process
                              earlier.rnti == pdus[index].rnti &&
                              earlier.harq_process_id == pdus[index].harq_process_id;
                     });
}

UlSlotOutcome UlSlotProcessor::process(const io::FapiSlotRequest& request,
                                       const ReceivedSlot& samples, io::FapiCrcIndication& crc,
                                       io::FapiRxDataIndication& rx_data,
                                       io::FapiUciIndication* uci, io::FapiSrsIndication* srs) {
  UlSlotOutcome outcome;
  const auto pdus = request.pdus();
  phy::resize_pusch_results(results_, pdus.size(), spare_results_);
  for (auto& entry : receivers_) {
    entry.pdus.clear();
    entry.request_index.clear();
  }
  for (const auto& rejected : request.rejected_pdus()) {
    if (rejected.carries_tb && rejected.new_data) {
      end_previous_tb({rejected.rnti, rejected.harq_process_id}, nullptr);
    } else if (rejected.carries_tb) {
      keep_alive({rejected.rnti, rejected.harq_process_id});
    }
  }
  // Sort the PDUs onto the receivers of their layer counts.
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const bool repeated = repeats_harq_process(pdus, i);
    LayerReceiver* entry = receiver_for(pdus[i].num_layers);
    const bool decoded = entry != nullptr && samples.has_samples() && !repeated;
    const bool harq = pdus[i].ulsch && !repeated && pdus[i].harq_process_id <= max_harq_process_id;
    if (pdus[i].new_data_indicator && harq) {
      end_previous_tb({pdus[i].rnti, static_cast<std::uint8_t>(pdus[i].harq_process_id)},
                      decoded ? entry : nullptr);
    }
    if (!decoded && !pdus[i].new_data_indicator && harq) {
      keep_alive({pdus[i].rnti, static_cast<std::uint8_t>(pdus[i].harq_process_id)});
    }
    if (decoded) {
      entry->pdus.push_back(pdus[i]);
      entry->request_index.push_back(i);
      continue;
    }
    auto& result = results_[i];
    // Every field, as PuschReceiver resets its own: the object held another PDU's result.
    phy::reset_pusch_pdu_result(result, pdus[i]);
    result.tb_bits.clear();
    if (repeated) {
      result.error = "invalid PDU: a second PDU of the same RNTI and HARQ process in the slot";
    } else if (entry == nullptr) {
      result.error = "no receiver for " + std::to_string(pdus[i].num_layers) + " layers";
      ++outcome.num_unsupported;
    } else {
      result.error = "no samples for the slot";
      outcome.samples_missing = true;
    }
  }
  // The grid: as delivered, or demodulated from time-domain IQ once for every receiver whose
  // detectors do not take the IQ themselves (the CUDA detectors demodulate on the device).
  grid_demodulated_ = false;
  if (samples.grid == nullptr && !samples.iq.empty()) {
    const std::size_t per_antenna = slot_length(request.slot);
    if (samples.iq.size() != per_antenna * num_rx_antennas_) {
      throw std::invalid_argument("L1: slot " + std::to_string(request.slot) + " has " +
                                  std::to_string(samples.iq.size()) + " IQ samples, expected " +
                                  std::to_string(per_antenna * num_rx_antennas_));
    }
  }
  const bool from_iq = samples.grid == nullptr && !samples.iq.empty();
  for (auto& entry : receivers_) {
    if (entry.pdus.empty()) {
      continue;
    }
    if (from_iq && entry.receiver->detectors_demodulate_iq()) {
      entry.receiver->process_slot_iq(samples.iq, request.slot, entry.pdus, entry.results);
    } else {
      entry.receiver->process_slot(*cpu_grid(samples, request.slot), request.slot, entry.pdus,
                                   entry.results);
    }
    for (std::size_t j = 0; j < entry.pdus.size(); ++j) {
      std::swap(results_[entry.request_index[j]], entry.results[j]);
      ++outcome.num_decoded;
    }
  }
  for (const auto& result : results_) {
    outcome.num_crc_ok += result.tb_crc_ok ? 1U : 0U;
  }
  io::to_slot_indications(request, results_, cell_, crc, rx_data, rssi_scale_);
  if (uci != nullptr) {
    io::to_uci_indication(request, results_, cell_, *uci, rssi_scale_);
    process_pucch(request, samples.has_samples() ? cpu_grid(samples, request.slot) : nullptr, *uci,
                  outcome);
  }
  // PUCCH and SRS without samples are reported failed too: the slot counts as one without.
  if (!samples.has_samples() && request.num_pucch + request.num_srs > 0) {
    outcome.samples_missing = true;
  }
  if (srs != nullptr) {
    // The grid only when an SRS needs it (a slot of PUSCH from IQ on the device needs none).
    const bool measured = samples.has_samples() && request.num_srs > 0;
    process_srs(request, measured ? cpu_grid(samples, request.slot) : nullptr, *srs, outcome);
  }
  if (!report_rssi_) {
    for (std::size_t i = 0; i < crc.num_crcs; ++i) {
      crc.crcs[i].measurement.rssi = io::FapiUlMeasurement::invalid_u16;
    }
    for (std::size_t i = 0; i < rx_data.num_pdus; ++i) {
      rx_data.pdus[i].measurement.rssi = io::FapiUlMeasurement::invalid_u16;
    }
    for (std::size_t i = 0; uci != nullptr && i < uci->num_pdus; ++i) {
      uci->pdus[i].measurement.rssi = io::FapiUlMeasurement::invalid_u16;
    }
  }
  return outcome;
}

const phy::ResourceGrid* UlSlotProcessor::cpu_grid(const ReceivedSlot& samples, unsigned slot) {
  if (samples.grid != nullptr) {
    return samples.grid;
  }
  if (samples.iq.empty()) {
    return nullptr;
  }
  if (!grid_demodulated_) {
    const std::size_t per_antenna = slot_length(slot);
    for (unsigned r = 0; r < num_rx_antennas_; ++r) {
      demodulator_.demodulate_slot(samples.iq.subspan(r * per_antenna, per_antenna), slot, grid_,
                                   r);
    }
    grid_demodulated_ = true;
  }
  return &grid_;
}

void UlSlotProcessor::set_rssi_unit(RssiUnit unit, float dbm_at_full_scale) {
  if (unit == RssiUnit::dbm && !(std::abs(dbm_at_full_scale) <= max_rssi_calibration_db)) {
    throw std::invalid_argument("UlSlotProcessor: the RSSI calibration must be finite, within +-" +
                                std::to_string(int(max_rssi_calibration_db)) + " dB");
  }
  report_rssi_ = unit != RssiUnit::none;
  // dBm = 10 log10(P / full_scale^2) + c = 10 log10(P / scale^2) with
  // scale = full_scale 10^(-c / 20).
  rssi_scale_ = unit == RssiUnit::dbm ? full_scale_ * std::pow(10.0F, -dbm_at_full_scale / 20.0F)
                                      : full_scale_;
}

} // namespace airan::l1
