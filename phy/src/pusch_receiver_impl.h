/// \file
/// \brief PuschReceiver::Impl (private to phy/src): the receiver's state (thread pool, lanes of
/// stage objects, HARQ buffers, the pooled stages for slots with fewer PDUs than threads), shared
/// by pusch_receiver.cpp (slots, IQ, the pool) and pusch_receiver_pdu.cpp (one PDU: front end or
/// detector, UCI demultiplexing, decoding).
#pragma once

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
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <vector>

namespace airan::phy {
namespace pusch_receiver_detail {

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
  /// A second reading of a PDU's UCI (a CSI part 2 sized from part 1 that may be absent).
  PuschUciResult other_uci;
  /// A retransmission with UCI as its UCI is laid out: with its HARQ buffer's base graph.
  PuschConfig uci_pdu;
};

/// What demultiplex_uci() leaves for the UL-SCH decoder.
struct UciDemultiplexed {
  std::span<const float> ulsch_llrs; ///< The UL-SCH's LLRs, moved to the front of the PDU's.
  /// False when the UL-SCH's rate matching is unknown (its CSI part 2 is sized from a part 1
  /// that failed, and the UL-SCH's size depends on it): its TB is then not decoded or combined.
  bool ulsch_known = true;
};

/// Splits the descrambled \p llrs of \p pdu (which carries UCI) with the lane's multiplexer:
/// decodes the UCI into \p uci and returns the UL-SCH's LLRs, moved to the front of \p llrs
/// (none without UL-SCH). A CSI part 2 sized from part 1 takes the size that the decoded part 1
/// gives with \p maps (pusch_receiver_uci.cpp).
UciDemultiplexed demultiplex_uci(const CellConfig& cell, const PuschConfig& pdu, std::uint32_t tbs,
                                 std::span<float> llrs, Lane& lane,
                                 std::span<const CsiPart2SizeMap> maps, PuschUciResult& uci);

/// True for PDUs that the CPU front end runs beside \p detector when it mirrors it: UCI on PUSCH
/// (whose demultiplexing needs the LLRs on the host), DFT-s-OFDM, PT-RS (phase tracking) and
/// intra-slot frequency hopping (one channel estimate per hop) unless the detector takes them
/// (PuschDetector::takes_uci_on_pusch(), takes_transform_precoding(), tracks_ptrs_phase(),
/// takes_frequency_hopping()).
inline bool for_cpu_front_end(const PuschConfig& pdu, const PuschDetector& detector) {
  return (pdu.transform_precoding && !detector.takes_transform_precoding()) ||
         (pdu.uci.present() && !detector.takes_uci_on_pusch()) ||
         (pdu.ptrs.enabled && !detector.tracks_ptrs_phase()) ||
         (pdu.intra_slot_hopping && !detector.takes_frequency_hopping());
}

} // namespace pusch_receiver_detail

struct PuschReceiver::Impl {
  using Lane = pusch_receiver_detail::Lane;

  Impl(const CellConfig& cell_in, const PuschReceiverConfig& config_in)
      : cell(cell_in), config(config_in), pool(std::max(config_in.num_threads, 1U) - 1),
        numerology(carrier_numerology(cell_in)), harq_share(harq_share_of(cell_in, config_in)),
        harq(harq_share->pool), harq_mutex(harq_share->mutex),
        grid(config_in.num_rx_antennas, symbols_per_slot(cell_in.cyclic_prefix),
             subcarriers_per_prb * cell_in.num_prbs) {
    if (const auto error = cell.validate(); !error.empty()) {
      throw std::invalid_argument("PuschReceiver: " + error);
    }
    if (config.num_rx_antennas == 0 || config.num_rx_antennas > 16 || config.max_layers == 0 ||
        config.max_layers > 4) {
      throw std::invalid_argument("PuschReceiver: 1..16 receive antennas and 1..4 layers");
    }
    for (std::size_t m = 0; m < config.csi_part2_size_maps.size(); ++m) {
      if (const std::string error = config.csi_part2_size_maps[m].validate(); !error.empty()) {
        throw std::invalid_argument("PuschReceiver: CSI part 2 size map " + std::to_string(m) +
                                    ": " + error);
      }
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

  /// PuschReceiverConfig::shared_harq once checked, or a pool of the receiver's own.
  static std::shared_ptr<SharedHarqPool> harq_share_of(const CellConfig& cell,
                                                       const PuschReceiverConfig& config);

  /// True when a slot of \p num_pdus PDUs runs them one after another on the pooled stages.
  [[nodiscard]] bool pooled_mode(std::size_t num_pdus) const;
  /// Runs every PDU of a slot (on the pool or the pooled stages); \p grid as in process_pdu.
  void run_pdus(const ResourceGrid* grid, unsigned slot, std::span<const PuschConfig> pdus,
                std::vector<PuschPduResult>& results, const PerfectCsi* perfect_csi);
  /// True when the detectors are device copies of the CPU front end
  /// (PuschDetector::mirrors_cpu_front_end()), whose PDUs for_cpu_front_end() the CPU front end
  /// runs.
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
  /// \p pdu, or for a retransmission with UCI whose HARQ buffer holds another base graph than
  /// the PDU gives, a copy in \p lane with that graph: its UCI's coded sizes (TS 38.212 6.3.2.4,
  /// K_r) follow the TB's first transmission, as the UE's do.
  const PuschConfig& with_harq_base_graph(const PuschConfig& pdu, Lane& lane);
  void decode(const PuschConfig& pdu, std::uint32_t tbs, std::uint32_t coded_bits,
              std::span<const float> llrs, const DeviceLlrs& device_llrs, UlschDecoder& decoder,
              PuschPduResult& result);

  CellConfig cell;
  PuschReceiverConfig config;
  ThreadPool pool;
  Numerology numerology;
  std::shared_ptr<SharedHarqPool> harq_share; ///< Its own, or PuschReceiverConfig::shared_harq.
  HarqBufferPool& harq;                       ///< harq_share's pool.
  std::mutex& harq_mutex;                     ///< harq_share's mutex.
  ResourceGrid grid;                          ///< Demodulated IQ of process_slot_iq().
  /// process_slot_iq() gave the detectors this slot's IQ: they detect_loaded() their PDUs while
  /// the CPU front end's PDUs (for_cpu_front_end()) read the grid.
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
  /// Results a slot with fewer PDUs left over, their buffers kept (resize_pusch_results()).
  std::vector<PuschPduResult> spare_results;
};

} // namespace airan::phy
