// PuschReceiver's work on one PDU: the CPU front end or a detector, descrambling, UCI on PUSCH
// (demultiplexing and decoding), the UL-SCH decoder, and the stage times.
#include "pusch_receiver_impl.h"

#include <chrono>

namespace airan::phy {
namespace {

using Clock = std::chrono::steady_clock;
using pusch_receiver_detail::for_cpu_front_end;
using pusch_receiver_detail::Lane;

double microseconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

/// Demultiplexes the UCI parts of \p parts (UlschUciMultiplexer::demultiplex()) from the
/// descrambled \p llrs of \p pdu by the lane multiplexer's plan for \p sizes, and decodes them
/// into \p uci as \p cfg codes them.
void demultiplex_parts(const PuschConfig& pdu, const PuschUciConfig& cfg,
                       const UciCodedSizes& sizes, std::span<float> llrs, Lane& lane,
                       PuschUciResult& uci, unsigned parts) {
  const unsigned qm = pdu.modulation_order();
  const std::array<std::uint32_t, 3> coded = {sizes.harq_ack, sizes.csi_part1, sizes.csi_part2};
  // A part without coded bits is not sent (a HARQ-ACK padded to 2 bits without room for it).
  const std::array<unsigned, 3> bits = {coded[0] != 0 ? cfg.harq_ack_bits : 0U,
                                        coded[1] != 0 ? cfg.csi_part1_bits : 0U,
                                        coded[2] != 0 ? cfg.csi_part2_bits : 0U};
  const auto wanted = [parts](std::size_t p) {
    return (parts & UlschUciMultiplexer::part_bit(static_cast<CodedReOwner>(p + 1))) != 0;
  };
  std::array<UciFoldedLlrs, 3> folded;
  std::array<std::span<float>, 3> polar_llrs;
  unsigned one_bit_parts = 0;
  std::size_t polar_used = 0;
  for (std::size_t p = 0; p < bits.size(); ++p) {
    if (!wanted(p)) {
      continue;
    }
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
                               pusch_scrambling_init(pdu.rnti, pdu.data_scrambling_id), polar_llrs,
                               parts);
  const std::array<BitVector*, 3> payloads = {&uci.harq_ack, &uci.csi_part1, &uci.csi_part2};
  const std::array<double*, 3> correlations = {
      &uci.harq_ack_correlation, &uci.csi_part1_correlation, &uci.csi_part2_correlation};
  const std::array<bool*, 3> detected = {&uci.harq_ack_detected, &uci.csi_part1_detected,
                                         &uci.csi_part2_detected};
  for (std::size_t p = 0; p < bits.size(); ++p) {
    if (!wanted(p)) {
      continue;
    }
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
}

constexpr unsigned ulsch_part = UlschUciMultiplexer::part_bit(CodedReOwner::ulsch);
constexpr unsigned harq_ack_part = UlschUciMultiplexer::part_bit(CodedReOwner::harq_ack);
constexpr unsigned csi_part1_part = UlschUciMultiplexer::part_bit(CodedReOwner::csi_part1);
constexpr unsigned csi_part2_part = UlschUciMultiplexer::part_bit(CodedReOwner::csi_part2);

/// Splits the descrambled \p llrs of \p pdu (which carries UCI) with the lane's multiplexer:
/// decodes the UCI into \p uci and returns the UL-SCH's LLRs, moved to the front of \p llrs
/// (none without UL-SCH). A CSI part 2 sized from part 1 takes the size that the decoded part 1
/// gives with \p maps.
std::span<const float> demultiplex_uci(const CellConfig& cell, const PuschConfig& pdu,
                                       std::uint32_t tbs, std::span<float> llrs, Lane& lane,
                                       std::span<const CsiPart2SizeMap> maps, PuschUciResult& uci) {
  const PuschUciConfig cfg = coded_uci_config(pdu); // a padded HARQ-ACK decoded as coded
  const unsigned qm = pdu.modulation_order();
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pdu);
  UciCodedSizes sizes;
  if (pdu.uci.csi_part2_sizing.empty()) {
    sizes = pusch_coded_sizes(cell, pdu, tbs);
    lane.multiplexer.plan(mapping, sizes, cfg.harq_ack_bits, pdu.num_layers, qm);
    demultiplex_parts(pdu, cfg, sizes, llrs, lane, uci, UlschUciMultiplexer::all_parts);
  } else {
    // HARQ-ACK and CSI part 1 take the same REs whatever the size of CSI part 2 (TS 38.212
    // 6.3.2.4, 6.2.7): they come first, with the LLRs left in place.
    PuschConfig sized = pdu;
    sized.uci.csi_part2_bits = 0;
    sizes = pusch_coded_sizes(cell, sized, tbs);
    lane.multiplexer.plan(mapping, sizes, cfg.harq_ack_bits, pdu.num_layers, qm);
    demultiplex_parts(sized, cfg, sizes, llrs, lane, uci, harq_ack_part | csi_part1_part);
    const bool part1_known =
        uci.csi_part1_detected ||
        !PuschUciConfig::polar_coded(static_cast<unsigned>(uci.csi_part1.size()));
    sized.uci.csi_part2_bits =
        part1_known ? csi_part2_bits_from_part1(uci.csi_part1, pdu.uci.csi_part2_sizing, maps) : 0;
    if (!pdu.ulsch && sized.uci.csi_part2_bits == 0) {
      // Without UL-SCH, a UE without CSI part 2 gives CSI part 1 every RE (TS 38.212
      // 6.3.2.4.2.2): decode the PDU again so. A part 1 that then asks for a part 2 is wrong.
      sized.uci.csi_part2_sizing = {};
      const std::span<const float> none = demultiplex_uci(cell, sized, tbs, llrs, lane, {}, uci);
      uci.csi_part1_detected =
          uci.csi_part1_detected &&
          csi_part2_bits_from_part1(uci.csi_part1, pdu.uci.csi_part2_sizing, maps) == 0;
      return none;
    }
    sizes = pusch_coded_sizes(cell, sized, tbs);
    lane.multiplexer.plan(mapping, sizes, cfg.harq_ack_bits, pdu.num_layers, qm);
    PuschUciConfig sized_cfg = cfg;
    sized_cfg.csi_part2_bits = sized.uci.csi_part2_bits;
    const unsigned part2 = sized_cfg.csi_part2_bits;
    const bool decodable = part2 != 0 && sizes.csi_part2 != 0 &&
                           (!PuschUciConfig::polar_coded(part2) ||
                            uci_polar_size_error(part2, sizes.csi_part2).empty());
    demultiplex_parts(sized, sized_cfg, sizes, llrs, lane, uci,
                      ulsch_part | (decodable ? csi_part2_part : 0U));
    if (!decodable) {
      // No room for the part 2 that part 1 asks for (or part 1 failed): reported undetected.
      uci.csi_part2.assign(part2, 0);
      uci.csi_part2_detected = false;
      uci.csi_part2_correlation = 0.0;
    }
  }
  if (cfg.harq_ack_bits != pdu.uci.harq_ack_bits) {
    // The padding bits are not the UE's: report its own bits (none: nothing detected).
    uci.harq_ack.resize(pdu.uci.harq_ack_bits);
    uci.harq_ack_detected = uci.harq_ack_detected && pdu.uci.harq_ack_bits != 0;
    uci.harq_ack_correlation = pdu.uci.harq_ack_bits != 0 ? uci.harq_ack_correlation : 0.0;
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
    // (A PUSCH without UL-SCH has no HARQ process; another key beyond 8 bits aliases none.)
    if (pdu.ulsch && pdu.new_data_indicator && pdu.harq_process_id <= UINT8_MAX) {
      const std::lock_guard lock(harq_mutex);
      harq.release({pdu.rnti, static_cast<std::uint8_t>(pdu.harq_process_id)});
    }
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
      detector_llrs_on_device) {
    result.error = "unsupported PDU: UCI on PUSCH needs the LLRs on the host, and this "
                   "receiver's detector leaves them on the device";
    end_previous_tb();
    return;
  }
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
        data_llrs =
            demultiplex_uci(cell, pdu, tbs, llrs, lane, config.csi_part2_size_maps, result.uci);
      }
      if (pdu.ulsch) {
        decode(pdu, tbs, static_cast<std::uint32_t>(data_llrs.size()), data_llrs, device_llrs,
               decoder, result);
      }
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
        pdu.uci.present()
            ? demultiplex_uci(cell, pdu, tbs, llrs, lane, config.csi_part2_size_maps, result.uci)
            : std::span<const float>(llrs);
    if (pdu.ulsch) {
      decode(pdu, tbs, static_cast<std::uint32_t>(data_llrs.size()), data_llrs, {}, decoder,
             result);
    }
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

} // namespace airan::phy
