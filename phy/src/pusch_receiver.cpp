#include "airan/phy/pusch_receiver.h"

#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_receiver_sizing.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tbs_calculator.h"
#include "airan/phy/thread_pool.h"
#include "airan/phy/uci_coded_sizes.h"
#include "airan/phy/uci_polar_code.h"
#include "airan/phy/ulsch_uci_multiplexer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <stdexcept>

namespace airan::phy {
namespace {

using Clock = std::chrono::steady_clock;

double microseconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

/// Stage objects of one thread.
struct Lane {
  Lane(const PuschFrontEndLimits& limits, std::unique_ptr<UlschDecoder> ulsch_decoder,
       std::size_t max_coded_bits, const Numerology& numerology)
      : front_end(limits), decoder(std::move(ulsch_decoder)), llrs(max_coded_bits),
        demodulator(numerology, limits.max_prbs),
        multiplexer(std::size_t{subcarriers_per_prb} * limits.max_prbs * max_symbols_per_slot),
        uci_llrs(max_coded_bits) {}
  PuschFrontEnd front_end;
  std::unique_ptr<PuschDetector> detector; ///< Replaces the front end when configured.
  std::unique_ptr<UlschDecoder> decoder;
  std::vector<float> llrs;
  OfdmDemodulator demodulator;
  UlschUciMultiplexer multiplexer; ///< UCI on PUSCH.
  UciPolarDecoder uci_decoder;     ///< UCI parts of more than 11 bits.
  std::vector<float> uci_llrs;     ///< Their LLRs, one part after another.
};

/// True for PDUs that the CPU front end runs beside detectors that mirror it: DFT-s-OFDM, UCI on
/// PUSCH (whose demultiplexing needs the LLRs on the host), PT-RS (phase tracking) and intra-slot
/// frequency hopping (one channel estimate per hop).
bool for_cpu_front_end(const PuschConfig& pdu) {
  return pdu.transform_precoding || pdu.uci.present() || pdu.ptrs.enabled || pdu.intra_slot_hopping;
}

/// Splits the descrambled \p llrs of \p pdu (which carries UCI) with the lane's multiplexer:
/// decodes the UCI into \p uci and returns the UL-SCH's LLRs, moved to the front of \p llrs.
std::span<const float> demultiplex_uci(const CellConfig& cell, const PuschConfig& pdu,
                                       std::uint32_t tbs, std::span<float> llrs, Lane& lane,
                                       PuschUciResult& uci) {
  const PuschUciConfig& cfg = pdu.uci;
  const unsigned qm = pdu.modulation_order();
  const UciCodedSizes sizes = pusch_coded_sizes(cell, pdu, tbs);
  lane.multiplexer.plan(make_pusch_re_mapping(cell, pdu), sizes, cfg.harq_ack_bits, pdu.num_layers,
                        qm);
  const std::array<unsigned, 3> bits = {cfg.harq_ack_bits, cfg.csi_part1_bits, cfg.csi_part2_bits};
  const std::array<std::uint32_t, 3> coded = {sizes.harq_ack, sizes.csi_part1, sizes.csi_part2};
  std::array<UciFoldedLlrs, 3> folded;
  std::array<std::span<float>, 3> polar_llrs;
  unsigned one_bit_parts = 0;
  std::size_t polar_used = 0;
  for (std::size_t p = 0; p < bits.size(); ++p) {
    if (PuschUciConfig::polar_coded(bits[p])) {
      polar_llrs[p] = std::span<float>(lane.uci_llrs).subspan(polar_used, coded[p]);
      polar_used += coded[p];
    } else {
      folded[p].length = bits[p] != 0 ? uci_short_block_length(bits[p], qm) : 0;
    }
    if (bits[p] == 1) {
      one_bit_parts |= 1U << (p + 1);
    }
  }
  lane.multiplexer.demultiplex(llrs, folded, one_bit_parts,
                               pusch_scrambling_init(pdu.rnti, pdu.data_scrambling_id), polar_llrs);
  const std::array<BitVector*, 3> payloads = {&uci.harq_ack, &uci.csi_part1, &uci.csi_part2};
  const std::array<double*, 3> correlations = {
      &uci.harq_ack_correlation, &uci.csi_part1_correlation, &uci.csi_part2_correlation};
  const std::array<bool*, 3> detected = {&uci.harq_ack_detected, &uci.csi_part1_detected,
                                         &uci.csi_part2_detected};
  for (std::size_t p = 0; p < bits.size(); ++p) {
    payloads[p]->resize(bits[p]);
    *correlations[p] = 0.0;
    if (bits[p] == 0) {
      *detected[p] = false;
    } else if (PuschUciConfig::polar_coded(bits[p])) {
      *detected[p] = lane.uci_decoder.decode(polar_llrs[p], *payloads[p]); // every CRC holds
    } else {
      *correlations[p] = decode_uci_short_block(folded[p], qm, *payloads[p]);
      *detected[p] = uci_short_block_detected(bits[p], coded[p], *correlations[p]);
    }
  }
  uci.decoded = true;
  return llrs.first(sizes.ulsch);
}

/// A TB that passed its CRC shows the UE sent: every short-block UCI part of the PDU was there
/// (a polar-coded part keeps the outcome of its own CRC).
void confirm_uci(PuschPduResult& result) {
  if (!result.tb_crc_ok || !result.uci.decoded) {
    return;
  }
  PuschUciResult& uci = result.uci;
  for (const auto& [payload, detected] : {std::pair{&uci.harq_ack, &uci.harq_ack_detected},
                                          std::pair{&uci.csi_part1, &uci.csi_part1_detected},
                                          std::pair{&uci.csi_part2, &uci.csi_part2_detected}}) {
    const auto bits = static_cast<unsigned>(payload->size());
    if (bits != 0 && !PuschUciConfig::polar_coded(bits)) {
      *detected = true;
    }
  }
}

/// Packs the TB of a decoded PDU (or clears it when its CRC failed).
void finish(PuschPduResult& result) {
  confirm_uci(result);
  if (result.tb_crc_ok) {
    pack_bits_msb_first(result.tb_bits, result.tb_bytes);
  } else {
    result.tb_bytes.clear();
  }
}

} // namespace

struct PuschReceiver::Impl {
  Impl(const CellConfig& cell_in, const PuschReceiverConfig& config_in)
      : cell(cell_in), config(config_in), pool(std::max(config_in.num_threads, 1U) - 1),
        numerology(
            Numerology::for_carrier(cell_in.numerology, cell_in.cyclic_prefix, cell_in.num_prbs)),
        harq(std::max(config_in.num_harq_buffers, 1U),
             pusch_harq_buffer_length(max_tbs_of(cell_in, config_in),
                                      2U * 156U * cell_in.num_prbs * config_in.max_layers),
             config_in.ulsch_decoder ? config_in.ulsch_decoder.harq_storage : HarqStorage::host,
             config_in.harq_expiry_slots),
        grid(config_in.num_rx_antennas, symbols_per_slot(cell_in.cyclic_prefix),
             subcarriers_per_prb * cell_in.num_prbs) {
    if (const auto error = cell.validate(); !error.empty()) {
      throw std::invalid_argument("PuschReceiver: " + error);
    }
    if (config.num_rx_antennas == 0 || config.num_rx_antennas > 16 || config.max_layers == 0 ||
        config.max_layers > 4) {
      throw std::invalid_argument("PuschReceiver: 1..16 receive antennas and 1..4 layers");
    }
    config.max_tbs = max_tbs_of(cell, config);
    const PuschFrontEndLimits limits{config.num_rx_antennas, config.max_layers, cell.num_prbs};
    const std::size_t max_coded_bits = std::size_t{subcarriers_per_prb} * cell.num_prbs *
                                       max_symbols_per_slot * 10U * config.max_layers;
    for (unsigned i = 0; i < pool.num_lanes(); ++i) {
      lanes.push_back(
          std::make_unique<Lane>(limits, make_decoder(nullptr), max_coded_bits, numerology));
      if (config.detector) {
        lanes.back()->detector = config.detector(limits, 1);
        pass_llrs_on_device(*lanes.back()->detector, *lanes.back()->decoder);
      }
    }
    if (pool.num_lanes() > 1) {
      code_block_parallel_decoder = make_decoder(&pool);
      pooled_front_end = std::make_unique<PuschFrontEnd>(limits, &pool);
      if (config.detector) {
        // Runs while the receiver's pool is idle (one PDU at a time), on threads of its own.
        pooled_detector = config.detector(limits, pool.num_lanes());
        pass_llrs_on_device(*pooled_detector, *code_block_parallel_decoder);
      }
    }
  }

  /// A UL-SCH decoder from the configured factory, else the default one (its code blocks on
  /// \p code_block_pool when set).
  std::unique_ptr<UlschDecoder> make_decoder(ThreadPool* code_block_pool) const {
    if (config.ulsch_decoder) {
      auto decoder = config.ulsch_decoder.make(config.max_tbs, harq);
      if (!decoder) {
        throw std::invalid_argument("PuschReceiver: the UL-SCH decoder factory made no decoder");
      }
      return decoder;
    }
    return create_ulsch_decoder(config.max_tbs, code_block_pool, config.ldpc_batch_decoder);
  }

  /// Lets \p detector leave descrambled LLRs in device memory when \p decoder reads them there.
  void pass_llrs_on_device(PuschDetector& detector, const UlschDecoder& decoder) {
    if (decoder.llr_device() >= 0 && detector.writes_descrambled_llrs()) {
      detector.keep_llrs_on_device(decoder.llr_device());
      detector_llrs_on_device = true;
    }
  }

  static std::uint32_t max_tbs_of(const CellConfig& cell, const PuschReceiverConfig& config) {
    return config.max_tbs != 0 ? config.max_tbs
                               : pusch_largest_tbs(cell.num_prbs, config.max_layers);
  }

  /// True when a slot of \p num_pdus PDUs runs them one after another on the pooled stages.
  [[nodiscard]] bool pooled_mode(std::size_t num_pdus) const;
  /// Runs every PDU of a slot (on the pool or the pooled stages); \p grid as in process_pdu.
  void run_pdus(const ResourceGrid* grid, unsigned slot, std::span<const PuschConfig> pdus,
                std::vector<PuschPduResult>& results, const PerfectCsi* perfect_csi);
  /// True when the detectors are device copies of the CPU front end
  /// (PuschDetector::mirrors_cpu_front_end()), whose DFT-s-OFDM PDUs the CPU front end runs.
  [[nodiscard]] bool detectors_mirror_cpu_front_end() const {
    return !lanes.empty() && lanes.front()->detector != nullptr &&
           lanes.front()->detector->mirrors_cpu_front_end();
  }
  /// Offers the slot's IQ to the detectors the slot will use; true when all of them took it.
  bool load_iq_into_detectors(std::span<const cf32> iq, unsigned slot, std::size_t num_pdus);
  /// \p rx_grid null: the detector holds the slot's grid (load_slot_iq() took the IQ).
  void process_pdu(const ResourceGrid* rx_grid, unsigned slot, const PuschConfig& pdu,
                   bool duplicate_harq, Lane& lane, PuschFrontEnd& front_end,
                   PuschDetector* detector, UlschDecoder& decoder, const PerfectCsi* perfect_csi,
                   ThreadPool* part_pool, PuschPduResult& result);
  /// Descrambles \p llrs of \p pdu, split over \p part_pool when set (the pooled mode).
  static void descramble(std::span<float> llrs, const PuschConfig& pdu, ThreadPool* part_pool) {
    const std::uint32_t c_init = pusch_scrambling_init(pdu.rnti, pdu.data_scrambling_id);
    if (part_pool != nullptr) {
      descramble_llrs(llrs, c_init, *part_pool);
    } else {
      descramble_llrs(llrs, c_init);
    }
  }
  /// Decodes the TB of \p pdu from \p llrs, or from \p device_llrs when they are set.
  void decode(const PuschConfig& pdu, std::uint32_t tbs, std::uint32_t coded_bits,
              std::span<const float> llrs, const DeviceLlrs& device_llrs, UlschDecoder& decoder,
              PuschPduResult& result);

  CellConfig cell;
  PuschReceiverConfig config;
  ThreadPool pool;
  Numerology numerology;
  HarqBufferPool harq;
  std::mutex harq_mutex;
  ResourceGrid grid; ///< Demodulated IQ of process_slot_iq().
  /// process_slot_iq() gave the detectors this slot's IQ: they detect_loaded() their PDUs while
  /// the CPU front end's PDUs (DFT-s-OFDM) read the grid.
  bool detectors_hold_slot = false;
  /// The detectors leave their LLRs on a device (pass_llrs_on_device()).
  bool detector_llrs_on_device = false;
  std::vector<std::unique_ptr<Lane>> lanes;
  /// Decodes the code blocks of one TB on every lane: used when a slot has fewer PDUs than
  /// lanes, so that a single large PDU still uses all threads.
  std::unique_ptr<UlschDecoder> code_block_parallel_decoder;
  /// Front end whose stages run on every lane, used with code_block_parallel_decoder.
  std::unique_ptr<PuschFrontEnd> pooled_front_end;
  /// Detector used with code_block_parallel_decoder (when a detector is configured).
  std::unique_ptr<PuschDetector> pooled_detector;
};

void PuschReceiver::Impl::decode(const PuschConfig& pdu, std::uint32_t tbs,
                                 std::uint32_t coded_bits, std::span<const float> llrs,
                                 const DeviceLlrs& device_llrs, UlschDecoder& decoder,
                                 PuschPduResult& result) {
  UlschDecoderConfig cfg;
  cfg.coding = ulsch_coding_config(pdu, tbs, coded_bits);
  cfg.max_iterations = config.ldpc_max_iterations;
  cfg.early_termination = config.ldpc_early_termination;

  const HarqProcessKey key{pdu.rnti, static_cast<std::uint8_t>(pdu.harq_process_id)};
  HarqSoftBuffer* buffer = nullptr;
  {
    const std::lock_guard lock(harq_mutex);
    buffer = &harq.acquire(key, pdu.new_data_indicator);
  }
  try {
    result.decoding = device_llrs.data != nullptr
                          ? decoder.decode_device(device_llrs, cfg, *buffer, result.tb_bits)
                          : decoder.decode(llrs, cfg, *buffer, result.tb_bits);
  } catch (...) {
    // The buffer is given back: one taken for this PDU (a UE that never uses the key again would
    // hold it for good), and one that held earlier transmissions too, since the decoder may
    // have combined part of this one into it (the next retransmission would add it twice).
    const std::lock_guard lock(harq_mutex);
    harq.release(key);
    throw;
  }
  result.tb_crc_ok = result.decoding.tb_crc_ok;
  if (result.tb_crc_ok) {
    const std::lock_guard lock(harq_mutex);
    harq.release(key);
  }
}

void PuschReceiver::Impl::process_pdu(const ResourceGrid* rx_grid, unsigned slot,
                                      const PuschConfig& pdu, bool duplicate_harq, Lane& lane,
                                      PuschFrontEnd& front_end, PuschDetector* detector,
                                      UlschDecoder& decoder, const PerfectCsi* perfect_csi,
                                      ThreadPool* part_pool, PuschPduResult& result) {
  result.handle = pdu.handle;
  result.rnti = pdu.rnti;
  result.harq_process_id = pdu.harq_process_id;
  result.tb_crc_ok = false;
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
  if (duplicate_harq) {
    result.error = "invalid PDU: a second PDU of the same RNTI and HARQ process in the slot";
    return; // the first PDU of the process owns its buffer in this slot
  }
  // New data ends the process's previous TB whether or not this PDU gets decoded: its soft
  // values must not be combined with a later retransmission of the new TB.
  const auto end_previous_tb = [&] {
    if (pdu.new_data_indicator && pdu.harq_process_id <= UINT8_MAX) { // else no key aliasing it
      const std::lock_guard lock(harq_mutex);
      harq.release({pdu.rnti, static_cast<std::uint8_t>(pdu.harq_process_id)});
    }
  };
  if (const auto error = pdu.validate(cell); !error.empty()) {
    result.error = "invalid PDU: " + error;
    end_previous_tb();
    return;
  }
  if (pdu.num_layers > config.max_layers) {
    result.error = "invalid PDU: more layers than the receiver was built for";
    end_previous_tb();
    return;
  }
  if (detector != nullptr && perfect_csi != nullptr) {
    result.error = "a detector (neural receiver) takes no perfect CSI";
    end_previous_tb();
    return;
  }
  if (pdu.uci.present() && detector != nullptr && !detector->mirrors_cpu_front_end() &&
      detector_llrs_on_device) {
    result.error = "unsupported PDU: UCI on PUSCH needs the LLRs on the host, and this "
                   "receiver's detector leaves them on the device";
    end_previous_tb();
    return;
  }
  try {
    const std::uint32_t tbs =
        pdu.tb_size_bits != 0 ? pdu.tb_size_bits : compute_pusch_tbs(cell, pdu);
    if (tbs > config.max_tbs) {
      result.error = "TBS " + std::to_string(tbs) + " exceeds the receiver's maximum " +
                     std::to_string(config.max_tbs);
      end_previous_tb();
      return;
    }
    const std::uint32_t coded_bits = pusch_coded_bits(cell, pdu);
    result.tb_bits.resize(tbs);
    const std::span<float> llrs(lane.llrs.data(), coded_bits);

    // A DFT-s-OFDM, UCI, PT-RS or hopping PDU behind a device copy of the classical front end runs
    // on the CPU one.
    if (detector != nullptr && !(for_cpu_front_end(pdu) && detector->mirrors_cpu_front_end())) {
      const auto t0 = Clock::now();
      result.measurements = rx_grid != nullptr && !detectors_hold_slot
                                ? detector->detect(*rx_grid, cell, pdu, slot, llrs)
                                : detector->detect_loaded(cell, pdu, slot, llrs);
      const auto t1 = Clock::now();
      const DeviceLlrs device_llrs = detector->device_llrs();
      if (device_llrs.data == nullptr && !detector->writes_descrambled_llrs()) {
        descramble(llrs, pdu, part_pool);
      }
      const auto t2 = Clock::now();
      std::span<const float> data_llrs = llrs;
      if (pdu.uci.present()) {
        if (device_llrs.data != nullptr) {
          throw std::logic_error("PuschReceiver: UCI on PUSCH needs the LLRs on the host");
        }
        data_llrs = demultiplex_uci(cell, pdu, tbs, llrs, lane, result.uci);
      }
      decode(pdu, tbs, static_cast<std::uint32_t>(data_llrs.size()), data_llrs, device_llrs,
             decoder, result);
      if (auto deferred = detector->deferred_measurements()) {
        result.measurements = *deferred;
      }
      const auto t3 = Clock::now();
      result.times.descrambling_us = microseconds(t1, t2);
      result.times.decoding_us = microseconds(t2, t3);
      result.times.detection_us = microseconds(t0, t1);
      finish(result);
      return;
    }
    if (rx_grid == nullptr) {
      throw std::logic_error("PuschReceiver: a PDU for the CPU front end in a slot that only the "
                             "detectors demodulated");
    }
    const auto t0 = Clock::now();
    if (perfect_csi != nullptr) {
      front_end.use_true_channel(*perfect_csi->channel, cell, pdu, perfect_csi->noise_variance);
    } else {
      front_end.estimate_channel(*rx_grid, cell, pdu, slot, config.front_end);
    }
    const auto t1 = Clock::now();
    front_end.equalize(*rx_grid, cell, pdu, config.front_end);
    const auto t2 = Clock::now();
    front_end.demap(pdu, llrs, config.front_end.demapping);
    const auto t3 = Clock::now();
    descramble(llrs, pdu, part_pool);
    const auto t4 = Clock::now();
    const std::span<const float> data_llrs =
        pdu.uci.present() ? demultiplex_uci(cell, pdu, tbs, llrs, lane, result.uci)
                          : std::span<const float>(llrs);
    decode(pdu, tbs, static_cast<std::uint32_t>(data_llrs.size()), data_llrs, {}, decoder, result);
    const auto t5 = Clock::now();

    result.measurements = front_end.measurements(pdu);
    result.times = {microseconds(t0, t1), microseconds(t1, t2), microseconds(t2, t3),
                    microseconds(t3, t4), microseconds(t4, t5)};
    finish(result);
  } catch (const HarqPoolExhaustedError& e) {
    result.error = std::string("HARQ: ") + e.what();
  } catch (const std::exception& e) {
    result.error = e.what();
    end_previous_tb(); // e.g. the front end failed before the buffer was taken
  }
}

PuschMeasurements PuschDetector::detect_loaded(const CellConfig& /*cell*/,
                                               const PuschConfig& /*pusch*/, unsigned /*slot*/,
                                               std::span<float> /*llrs*/) {
  throw std::logic_error("PuschDetector: detect_loaded() without load_slot_iq()");
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
  results.resize(pdus.size());
  const auto is_duplicate = [&](std::size_t i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (pdus[j].rnti == pdus[i].rnti && pdus[j].harq_process_id == pdus[i].harq_process_id) {
        return true;
      }
    }
    return false;
  };
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
  pool.parallel_for(pdus.size(), [&](std::size_t i, unsigned lane) {
    process_pdu(grid, slot, pdus[i], is_duplicate(i), *lanes[lane], lanes[lane]->front_end,
                lanes[lane]->detector.get(), *lanes[lane]->decoder, perfect_csi, nullptr,
                results[i]);
  });
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
    results.clear(); // nothing to demodulate for
    return;
  }
  // DFT-s-OFDM PDUs that the CPU front end runs beside the detectors need the slot on the host
  // as well; the detectors get it only when some PDU is theirs.
  const bool mirror = s.detectors_mirror_cpu_front_end();
  const bool cpu_front_end_pdus = mirror && std::ranges::any_of(pdus, for_cpu_front_end);
  const bool detector_pdus = !mirror || !std::ranges::all_of(pdus, for_cpu_front_end);
  const bool loaded =
      perfect_csi == nullptr && detector_pdus && s.load_iq_into_detectors(iq, slot, pdus.size());
  s.detectors_hold_slot = loaded;
  if (loaded && !cpu_front_end_pdus) {
    s.run_pdus(nullptr, slot, pdus, results, nullptr); // demodulated by the detectors
    return;
  }
  s.pool.parallel_for(s.config.num_rx_antennas, [&](std::size_t antenna, unsigned lane) {
    s.lanes[lane]->demodulator.demodulate_slot(iq.subspan(antenna * samples, samples), slot, s.grid,
                                               static_cast<unsigned>(antenna));
  });
  s.run_pdus(&s.grid, slot, pdus, results, perfect_csi);
}

bool PuschReceiver::takes_transform_precoding() const {
  const Impl& s = *impl_;
  return s.lanes.empty() || s.lanes.front()->detector == nullptr ||
         s.detectors_mirror_cpu_front_end();
}

bool PuschReceiver::takes_uci() const {
  const Impl& s = *impl_;
  return !s.detector_llrs_on_device || s.detectors_mirror_cpu_front_end();
}

bool PuschReceiver::detectors_demodulate_iq() const {
  const Impl& s = *impl_;
  return !s.lanes.empty() && s.lanes.front()->detector != nullptr &&
         s.lanes.front()->detector->demodulates_slot_iq();
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
