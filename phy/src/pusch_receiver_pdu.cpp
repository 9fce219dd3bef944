// PuschReceiver's work on one PDU: the CPU front end or a detector, descrambling, UCI on PUSCH
// (demultiplexing and decoding), the UL-SCH decoder, and the stage times.
#include "pusch_receiver_impl.h"

#include "airan/phy/pusch_harq_process.h"

#include <chrono>
#include <optional>

namespace airan::phy {
namespace {

using Clock = std::chrono::steady_clock;
using pusch_receiver_detail::for_cpu_front_end;
using pusch_receiver_detail::Lane;
using pusch_receiver_detail::UciDemultiplexed;

double microseconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

/// A TB that passed its CRC shows the UE sent: every short-block UCI part of the PDU was there
/// (a polar-coded part keeps the outcome of its own CRC; an ambiguous short block stays
/// undetected: the UE sent it, but which payload cannot be told).
void confirm_uci(PuschPduResult& result) {
  if (!result.tb_crc_ok || !result.uci.decoded) {
    return;
  }
  PuschUciResult& uci = result.uci;
  unsigned part = 1;
  for (const auto& [payload, detected] : {std::pair{&uci.harq_ack, &uci.harq_ack_detected},
                                          std::pair{&uci.csi_part1, &uci.csi_part1_detected},
                                          std::pair{&uci.csi_part2, &uci.csi_part2_detected}}) {
    const auto bits = static_cast<unsigned>(payload->size());
    if (bits != 0 && !PuschUciConfig::polar_coded(bits) && (uci.ambiguous_parts & part) == 0) {
      *detected = true;
    }
    part <<= 1U;
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

const PuschConfig& PuschReceiver::Impl::with_harq_base_graph(const PuschConfig& pdu, Lane& lane) {
  if (!pdu.ulsch || pdu.new_data_indicator || !pdu.uci.present()) {
    return pdu;
  }
  std::optional<LdpcBaseGraph> held;
  {
    const std::lock_guard lock(harq_mutex);
    const HarqSoftBuffer* buffer =
        harq.find({pdu.rnti, static_cast<std::uint8_t>(pdu.harq_process_id)});
    if (buffer != nullptr && buffer->state().num_transmissions > 0) {
      held = buffer->state().base_graph;
    }
  }
  if (!held || held == pdu.ldpc_base_graph) {
    return pdu;
  }
  lane.uci_pdu = pdu;
  lane.uci_pdu.ldpc_base_graph = held;
  return lane.uci_pdu;
}

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
  // A retransmission keeps the base graph of its TB's first transmission (TS 38.212 6.2.2),
  // whatever rate its own MCS or targetCodeRate gives.
  if (buffer->state().num_transmissions > 0) {
    cfg.coding.base_graph = buffer->state().base_graph;
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
  reset_pusch_pdu_result(result, pdu);
  if (duplicate_harq) {
    result.error = "invalid PDU: a second PDU of the same RNTI and HARQ process in the slot";
    return; // the first PDU of the process owns its buffer in this slot
  }
  // New data ends the process's previous TB whether or not this PDU gets decoded: its soft
  // values must not be combined with a later retransmission of the new TB.
  const auto end_previous_tb = [&] {
    const std::lock_guard lock(harq_mutex);
    end_previous_transport_block(harq, pdu);
  };
  if (const auto error = pdu.validate(cell); !error.empty()) {
    result.error = "invalid PDU: " + error;
    end_previous_tb();
    return;
  }
  if (const std::string error = validate_csi_part2_sizing(
          pdu.uci.csi_part2_sizing, config.csi_part2_size_maps, pdu.uci.csi_part1_bits);
      !error.empty()) {
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
      detector_llrs_on_device && !detector->takes_uci_on_pusch()) {
    result.error = "unsupported PDU: UCI on PUSCH needs the LLRs on the host, and this "
                   "receiver's detector leaves them on the device";
    end_previous_tb();
    return;
  }
  // Set once the HARQ step is over (the TB decoded, its buffer kept or given back, its bytes
  // packed): a failure after it (a device fault surfacing while the measurements are read) is
  // reported beside the decoded TB, which stays as decoded.
  bool harq_done = false;
  try {
    const std::uint32_t tbs = !pdu.ulsch              ? 0
                              : pdu.tb_size_bits != 0 ? pdu.tb_size_bits
                                                      : compute_pusch_tbs(cell, pdu);
    if (tbs > config.max_tbs) {
      result.error = "TBS " + std::to_string(tbs) + " exceeds the receiver's maximum " +
                     std::to_string(config.max_tbs);
      end_previous_tb();
      return;
    }
    const std::uint32_t coded_bits = pusch_coded_bits(cell, pdu);
    result.tb_bits.resize(tbs);
    const std::span<float> llrs(lane.llrs.data(), coded_bits);

    // A UCI, DFT-s-OFDM, PT-RS or hopping PDU that a device copy of the classical front end does
    // not take runs on the CPU one.
    if (detector != nullptr &&
        !(detector->mirrors_cpu_front_end() && for_cpu_front_end(pdu, *detector))) {
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
      UciDemultiplexed data{.ulsch_llrs = llrs, .ulsch_known = true};
      if (pdu.uci.present()) {
        if (device_llrs.data != nullptr) {
          throw std::logic_error("PuschReceiver: UCI on PUSCH needs the LLRs on the host");
        }
        data = demultiplex_uci(cell, with_harq_base_graph(pdu, lane), tbs, llrs, lane,
                               config.csi_part2_size_maps, result.uci);
      }
      if (pdu.ulsch && data.ulsch_known) {
        decode(pdu, tbs, static_cast<std::uint32_t>(data.ulsch_llrs.size()), data.ulsch_llrs,
               device_llrs, decoder, result);
      } else if (pdu.ulsch) {
        end_previous_tb(); // its rate matching unknown, the TB is not decoded
      }
      const auto t3 = Clock::now();
      harq_done = true;
      finish(result); // packed now: a failure in the measurements below keeps the TB's bytes
      const auto t4 = Clock::now();
      result.times.descrambling_us = microseconds(t1, t2);
      result.times.detection_us = microseconds(t0, t1);
      if (auto deferred = detector->deferred_measurements()) {
        result.measurements = *deferred;
      }
      // The wait for the measurements counts as decoding, as before the packing moved up.
      result.times.decoding_us = microseconds(t2, t3) + microseconds(t4, Clock::now());
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
    const UciDemultiplexed data =
        pdu.uci.present() ? demultiplex_uci(cell, with_harq_base_graph(pdu, lane), tbs, llrs, lane,
                                            config.csi_part2_size_maps, result.uci)
                          : UciDemultiplexed{.ulsch_llrs = llrs, .ulsch_known = true};
    if (pdu.ulsch && data.ulsch_known) {
      decode(pdu, tbs, static_cast<std::uint32_t>(data.ulsch_llrs.size()), data.ulsch_llrs, {},
             decoder, result);
    } else if (pdu.ulsch) {
      end_previous_tb(); // its rate matching unknown, the TB is not decoded
    }
    const auto t5 = Clock::now();
    harq_done = true;
    finish(result);
    result.times = {microseconds(t0, t1), microseconds(t1, t2), microseconds(t2, t3),
                    microseconds(t3, t4), microseconds(t4, t5)};
    result.measurements = front_end.measurements(pdu);
  } catch (const HarqPoolExhaustedError& e) {
    result.error = std::string("HARQ: ") + e.what();
  } catch (const std::exception& e) {
    result.error = e.what();
    if (!harq_done) {
      result.tb_crc_ok = false;
      result.tb_bytes.clear();
      end_previous_tb(); // e.g. the front end failed before the buffer was taken
    }
  }
}

} // namespace airan::phy
