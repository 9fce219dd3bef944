/// \file
/// \brief FapiPhy's inbound side: draining the transport, decoding and dispatching each message,
/// and the handlers of PARAM, CONFIG, START, STOP and UL_TTI.request that drive the PHY state
/// machine and queue a slot's PUSCH work.
#include "airan/l1/fapi_phy.h"

#include "fapi_phy_impl.h"

#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/oran_cplane.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

namespace airan::l1 {
namespace {

/// The puschUci part of a PDU with UCI (what a rejected PDU's UCI.indication reports failed).
std::optional<io::FapiPuschUci> fapi_uci_of(const phy::PuschUciConfig& uci) {
  if (!uci.present()) {
    return std::nullopt;
  }
  io::FapiPuschUci out;
  out.harq_ack_bit_length = static_cast<std::uint16_t>(uci.harq_ack_bits);
  out.csi_part1_bit_length = static_cast<std::uint16_t>(uci.csi_part1_bits);
  // Sized from part 1: a size nobody knows, so UCI.indication reports no CSI part 2.
  out.csi_part2_bit_length = uci.csi_part2_sizing.empty()
                                 ? static_cast<std::uint16_t>(uci.csi_part2_bits)
                                 : io::fapi_csi_part2_from_part1;
  out.alpha_scaling = static_cast<std::uint8_t>(uci.alpha_scaling);
  out.beta_offset_harq_ack = static_cast<std::uint8_t>(uci.beta_offset_harq_ack);
  out.beta_offset_csi1 = static_cast<std::uint8_t>(uci.beta_offset_csi1);
  out.beta_offset_csi2 = static_cast<std::uint8_t>(uci.beta_offset_csi2);
  return out;
}

/// The SFN and slot an undecodable UL_TTI.request was for (its body's first four bytes, SCF
/// 222.10.02 Table 3-44), when they are there and in range (\p slots_per_frame 0: no clock yet);
/// otherwise \p now. The MAC matches the ERROR.indication to its request by them.
FapiSlotAddress address_of_undecodable(const io::FapiMessageView& view, FapiSlotAddress now,
                                       unsigned slots_per_frame) {
  if (view.type != io::FapiMessageType::ul_tti_request || view.body.size() < 4) {
    return now;
  }
  const auto sfn = static_cast<std::uint16_t>(view.body[0] | (view.body[1] << 8));
  const auto slot = static_cast<std::uint16_t>(view.body[2] | (view.body[3] << 8));
  if (sfn >= 1024 || slot >= slots_per_frame) {
    return now;
  }
  return {sfn, slot};
}

} // namespace

void FapiPhy::Impl::receive_all() {
  // Bounded, so that a flood cannot starve the slot work.
  for (int i = 0; i < 64; ++i) {
    const auto result = transport.receive(receive_buffer, std::chrono::microseconds(0));
    if (result.status != io::FapiTransportStatus::ok) {
      return;
    }
    dispatch(std::span(receive_buffer).first(result.size));
  }
}

void FapiPhy::Impl::dispatch(std::span<const std::uint8_t> unit) {
  io::FapiMessageReader reader(unit);
  io::FapiMessageView view;
  while (reader.next(view)) {
    if (view.type == io::FapiMessageType::dl_tti_request ||
        view.type == io::FapiMessageType::ul_dci_request ||
        view.type == io::FapiMessageType::tx_data_request) {
      on_downlink(view.type);
      continue;
    }
    const io::FapiError error = io::decode_message(view, *message);
    if (!error.ok()) {
      if (view.type == io::FapiMessageType::config_request ||
          view.type == io::FapiMessageType::param_request) {
        on_undecodable_p5(view.type, error);
        continue;
      }
      count([](L1Counters& c) { ++c.undecodable_messages; });
      send_error(address_of_undecodable(view, now_address(), clock ? clock->slots_per_frame() : 0),
                 view.type, error.code);
      continue;
    }
    count([](L1Counters& c) { ++c.messages_received; });
    handle(*message);
  }
  if (!reader.error().ok()) {
    count([](L1Counters& c) { ++c.undecodable_messages; });
    send_error(now_address(), reader.error().message_type, reader.error().code);
  }
}

void FapiPhy::Impl::handle(const io::FapiMessage& in) {
  switch (in.type) {
  case io::FapiMessageType::param_request:
    on_param();
    return;
  case io::FapiMessageType::config_request:
    on_config(in.config_request);
    return;
  case io::FapiMessageType::start_request:
    on_start();
    return;
  case io::FapiMessageType::stop_request:
    on_stop();
    return;
  case io::FapiMessageType::ul_tti_request:
    on_ul_tti(in.ul_tti_request);
    return;
  default:
    count([](L1Counters& c) { ++c.unexpected_messages; });
    send_error(now_address(), in.type, io::FapiErrorCode::msg_invalid_state);
    return;
  }
}

void FapiPhy::Impl::on_param() {
  io::FapiParamResponse response;
  if (state() == PhyState::running) {
    count_response_error(&L1Counters::invalid_state, io::FapiErrorCode::msg_invalid_state);
    response.error_code = io::FapiErrorCode::msg_invalid_state;
    send_response(response);
    return;
  }
  auto& caps = response.capabilities;
  caps.release_capability = 1; // Rel-15
  caps.phy_state = static_cast<std::uint16_t>(state());
  // Blank UL_TTI.requests may be skipped, but on the stepped clock with C-plane: there a slot
  // ends when its samples are in, which the fronthaul knows are none from its empty C-plane.
  caps.skip_blank_ul_config =
      config.cplane != nullptr && config.clock_mode == SlotClockMode::stepped ? 0 : 1;
  caps.cyclic_prefix = 0b11;                      // normal and extended
  caps.supported_subcarrier_spacings_ul = 0b1111; // 15 .. 120 kHz
  // HARQ-ACK and CSI of up to 1706 bits each, beside the UL-SCH or without it (a receiver whose
  // LLRs stay on the device takes neither).
  caps.uci_mux_ulsch_in_pusch = announces_uci() ? 1 : 0;
  caps.uci_only_pusch = announces_uci() ? 1 : 0;
  // Intra-slot, with puschSecondHopPRB from the FAPIv3 maintenance part (io::to_pusch_config()).
  caps.pusch_frequency_hopping = announces_frequency_hopping() ? 1 : 0;
  caps.pusch_dmrs_config_types = 1; // types 1 and 2
  caps.pusch_dmrs_max_len = 1;      // double-symbol DMRS
  caps.pusch_dmrs_additional_pos = 3;
  caps.pusch_cbg = 0;
  caps.pusch_mapping_type = 0b11;
  caps.pusch_allocation_types = 0b10; // type 1 only
  caps.pusch_vrb_to_prb_mapping = 0b01;
  // One PT-RS port, CP-OFDM (io::to_pusch_config()), where the receivers track phase.
  caps.pusch_max_ptrs_ports = announces_ptrs() ? 1 : 0;
  caps.max_puschs_tbs_per_slot = static_cast<std::uint8_t>(io::fapi_max_pusch_pdus);
  caps.max_number_mimo_layers_non_cb_pusch =
      static_cast<std::uint8_t>(std::clamp(config.receiver.max_layers, 1U, 4U));
  caps.supported_modulation_order_ul = 3; // up to 256-QAM
  caps.max_mu_mimo_users_ul = 1;
  // The CPU and CUDA front ends receive DFT-s-OFDM; the neural receiver's detector does not.
  caps.dfts_ofdm_support = announces_dfts_ofdm() ? 1 : 0;
  caps.pusch_aggregation_factor = 0;
  // PRACH (from time-domain IQ): every format, the unrestricted set, up to 8 FD occasions.
  caps.prach_long_formats = 0x0F;
  caps.prach_short_formats = 0x01FF;
  caps.prach_restricted_sets = 0;
  caps.max_prach_fd_occasions_in_a_slot = 3;
  caps.rssi_measurement_support = io::fapi_rssi_in_dbfs;
  send_response(response);
}

void FapiPhy::Impl::on_config(const io::FapiConfigRequest& request) {
  io::FapiConfigResponse response;
  if (state() == PhyState::running) {
    count_response_error(&L1Counters::invalid_state, io::FapiErrorCode::msg_invalid_state);
    response.error_code = io::FapiErrorCode::msg_invalid_state;
    send_response(response);
    return;
  }
  // In CONFIGURED a CONFIG.request carries only the TLVs that change (SCF 222.10 section 2.2):
  // the PHY's configuration is the applied one with them on top.
  std::unique_ptr<io::FapiConfigRequest> merged;
  if (state() == PhyState::configured && applied_config) {
    merged =
        std::make_unique<io::FapiConfigRequest>(io::merge_config_request(*applied_config, request));
  }
  const io::FapiConfigRequest& effective = merged ? *merged : request;
  phy::CellConfig new_cell;
  unsigned new_rx = 0;
  io::FapiError error = io::to_cell_config(effective, new_cell, new_rx, &response,
                                           config.rssi_dbm_at_full_scale.has_value());
  new_cell.fft_size = config.ofdm_fft_size;
  // A refusal of the L1's own names the TLV to change in CONFIG.response (222.10.02 3.3.2.2).
  const auto list_tag = [&response](std::uint16_t tag) {
    io::FapiTlv tlv;
    tlv.tag = tag; // listed by its tag (ulGridSize's value is a per-numerology array)
    response.invalid_or_unsupported.push(tlv);
  };
  if (error.ok()) {
    if (const std::string cell_error = new_cell.validate(); !cell_error.empty()) {
      // The carrier does not fit the L1's FFT (the sample rate the fronthaul was set up for).
      error =
          io::make_fapi_error(io::FapiStatus::unsupported, io::FapiErrorCode::msg_invalid_config,
                              io::FapiMessageType::config_request, 0,
                              "the carrier does not fit the L1's OFDM: %s", cell_error.c_str());
      list_tag(io::fapi_config_tag::ul_grid_size);
    } else if (const unsigned fft = phy::carrier_numerology(new_cell).fft_size();
               config.receiver.prach_from_sections && !effective.prach.empty() &&
               !io::fft_size_code(fft)) {
      // 7.2x PRACH: each occasion's section type 3 names the FFT size (frameStructure), whose
      // code table has powers of two and 1536, 3072 only.
      error =
          io::make_fapi_error(io::FapiStatus::unsupported, io::FapiErrorCode::msg_invalid_config,
                              io::FapiMessageType::config_request, 0,
                              "PRACH over 7.2x: FFT size %u has no O-RAN frameStructure code "
                              "(powers of two 16 .. 4096, 1536, 3072)",
                              fft);
      list_tag(io::fapi_config_tag::ul_grid_size); // its numerology gives the FFT size
    }
  }
  std::vector<phy::CsiPart2SizeMap> new_maps; // UCI configuration: CSI part 2 sizes
  if (error.ok()) {
    error = io::to_csi_part2_size_maps(effective, new_maps, &response);
  }
  if (error.ok() && config.carrier &&
      (new_cell.num_prbs != config.carrier->num_prbs ||
       new_cell.numerology != config.carrier->numerology ||
       new_cell.cyclic_prefix != config.carrier->cyclic_prefix ||
       new_rx != config.carrier->num_rx_antennas)) {
    error = io::make_fapi_error(io::FapiStatus::unsupported, io::FapiErrorCode::msg_invalid_config,
                                io::FapiMessageType::config_request, 0,
                                "the carrier (PRBs, numerology, cyclic prefix or receive "
                                "antennas) is not the one the fronthaul was set up for");
    if (new_cell.num_prbs != config.carrier->num_prbs ||
        new_cell.numerology != config.carrier->numerology) {
      list_tag(io::fapi_config_tag::ul_grid_size);
    }
    if (new_cell.cyclic_prefix != config.carrier->cyclic_prefix) {
      list_tag(io::fapi_config_tag::vendor_cyclic_prefix);
    }
    if (new_rx != config.carrier->num_rx_antennas) {
      response.invalid_or_unsupported.push_scalar(io::fapi_config_tag::num_rx_ant, new_rx, 2);
    }
  }
  if (error.ok()) {
    try {
      UlSlotProcessorConfig receiver = config.receiver;
      receiver.csi_part2_size_maps = new_maps;
      auto built = std::make_unique<UlSlotProcessor>(new_cell, new_rx, receiver);
      if (announces_dfts_ofdm() && !built->takes_transform_precoding()) {
        // The L1 was wired wrongly (PARAM announced what its detector cannot do): a clear
        // refusal rather than every DFT-s-OFDM PDU failing later.
        error =
            io::make_fapi_error(io::FapiStatus::unsupported, io::FapiErrorCode::msg_invalid_config,
                                io::FapiMessageType::config_request, 0,
                                "dftsOfdmSupport 1 announced for a detector that does not "
                                "take DFT-s-OFDM");
      } else if (announces_uci() && !built->takes_uci()) {
        error =
            io::make_fapi_error(io::FapiStatus::unsupported, io::FapiErrorCode::msg_invalid_config,
                                io::FapiMessageType::config_request, 0,
                                "uciMuxUlschInPusch 1 announced for a receiver whose LLRs stay "
                                "on the device");
      } else {
        // Never sent (neither now nor in the applied configuration): dBFS.
        const std::uint8_t unit = effective.rssi_measurement.value_or(io::fapi_rssi_in_dbfs);
        built->set_rssi_unit(unit == io::fapi_rssi_not_reported ? RssiUnit::none
                             : unit == io::fapi_rssi_in_dbm     ? RssiUnit::dbm
                                                                : RssiUnit::dbfs,
                             config.rssi_dbm_at_full_scale.value_or(0.0F));
        processor = std::move(built); // replaced only once fully set up
        harq_counted = {};            // a new processor counts from zero
        cell = new_cell;
        prach_config = effective.prach;
        csi_part2_size_maps = std::move(new_maps);
        num_rx_antennas = new_rx;
        applied_config = effective; // (copied before `merged` goes)
        clock.emplace(cell.numerology, config.clock_mode, config.period_scale);
        set_state(PhyState::configured);
      }
    } catch (const std::exception&) {
      error = io::make_fapi_error(
          io::FapiStatus::unsupported, io::FapiErrorCode::msg_invalid_config,
          io::FapiMessageType::config_request, 0, "the receiver cannot be built for this cell");
      response.error_code = io::FapiErrorCode::msg_invalid_config;
      io::FapiTlv rx_tlv;
      rx_tlv.tag = io::fapi_config_tag::num_rx_ant;
      response.invalid_or_unsupported.push(rx_tlv);
    }
  }
  if (!error.ok()) {
    response.error_code = io::FapiErrorCode::msg_invalid_config;
    count_response_error(&L1Counters::config_rejected, io::FapiErrorCode::msg_invalid_config);
  }
  send_response(response);
}

void FapiPhy::Impl::on_start() {
  if (!in_state(PhyState::configured, now_address(), io::FapiMessageType::start_request)) {
    return;
  }
  const ClockPair anchor = read_clock_pair();
  if (config.slot_timeline && anchor.wall_ns < config.slot_timeline->epoch_ns) {
    // CLOCK_REALTIME not synchronised yet (still near 1970 before phc2sys), or an epoch ahead:
    // no slot to start on. The MAC hears why and may try again.
    count([](L1Counters& c) { ++c.start_refused_unsynchronised; });
    send_error(now_address(), io::FapiMessageType::start_request,
               io::FapiErrorCode::sfn_out_of_sync);
    return;
  }
  // A new session: its first downlink request is reported again.
  downlink_reported = false;
  clear_slots();
  processor->reset_harq();  // the slot count restarts, and no UE's HARQ survives a restart
  processor->reset_prach(); // nor does an occasion gathered before the STOP
  if (config.slot_timeline) {
    clock->start_on(*config.slot_timeline, anchor.steady, anchor.wall_ns);
  } else {
    clock->start(SteadyClock::now());
  }
  next_to_close = clock->current();
  owner.sessions_started_.fetch_add(1, std::memory_order_relaxed);
  set_state(PhyState::running);
  send_slot_indication();
}

void FapiPhy::Impl::on_stop() {
  if (!in_state(PhyState::running, now_address(), io::FapiMessageType::stop_request)) {
    return;
  }
  clear_slots();
  set_state(PhyState::configured);
  send_response(io::FapiStopIndication{});
  if (config.on_session_stopped) {
    config.on_session_stopped();
  }
}

void FapiPhy::Impl::on_ul_tti(const io::FapiUlTtiRequest& request) {
  const FapiSlotAddress address{request.sfn, request.slot};
  if (!in_state(PhyState::running, address, io::FapiMessageType::ul_tti_request)) {
    return;
  }
  // PDUs the codec skipped (none since it decodes SRS PDUs): counted whatever becomes of the
  // message; reported below when the message is otherwise accepted (a refused one already gets
  // its ERROR.indication).
  const std::size_t unsupported = request.num_skipped();
  if (unsupported > 0) {
    count([&](L1Counters& c) { c.pdus_unsupported += unsupported; });
  }
  if (request.slot >= clock->slots_per_frame()) {
    send_error(address, io::FapiMessageType::ul_tti_request, io::FapiErrorCode::msg_invalid_sfn);
    return;
  }
  const std::uint64_t target =
      nearest_absolute_slot(clock->current(), address, clock->slots_per_frame());
  PendingSlot& slot = pending[target % pending.size()];
  const bool holds_target = (slot.used || slot.done) && slot.absolute_slot == target;
  if (holds_target || slot.blank_request == target + 1) {
    // A second request for a slot that has one (also once the slot is over and waits for its
    // samples, or was processed, or when the first had no PDUs: its empty C-plane told the O-RU
    // that nothing is asked of the slot): the first stands; what only this one asked for is
    // reported failed.
    count([](L1Counters& c) { ++c.ul_tti_duplicate; });
    send_error(address, io::FapiMessageType::ul_tti_request, io::FapiErrorCode::msg_slot_err);
    report_refused_request(request, holds_target ? &slot.request : nullptr);
    return;
  }
  if (target < clock->current() || target < next_to_close) {
    count([](L1Counters& c) { ++c.ul_tti_late; });
    send_error(address, io::FapiMessageType::ul_tti_request, io::FapiErrorCode::msg_slot_err);
    report_refused_request(request);
    return;
  }
  if (target > clock->current() + config.max_advance_slots) {
    count([](L1Counters& c) { ++c.ul_tti_too_early; });
    send_error(address, io::FapiMessageType::ul_tti_request, io::FapiErrorCode::sfn_out_of_sync);
    report_refused_request(request);
    return;
  }
  // A request without PDUs leaves the entry alone: it may hold a processed slot's request, which
  // its duplicates are checked against.
  const bool has_pdus =
      request.num_pusch + request.num_pucch + request.num_prach + request.num_srs > 0;
  io::FapiSlotRequest& built = has_pdus ? slot.request : *refused;
  if (has_pdus) {
    slot.done = false; // the entry no longer holds the request of the slot it had
    slot.blank_request = 0;
  } else {
    slot.blank_request = target + 1;
  }
  io::to_slot_request(request, cell, built);
  io::add_prach_pdus(request, prach_config, cell, built);
  io::add_srs_pdus(request, cell, built);
  // PDUs with a layer count no receiver decodes, or DFT-s-OFDM, PT-RS or frequency hopping where
  // the receivers do not take it (behind the neural receiver: PARAM says dftsOfdmSupport 0,
  // puschMaxPtrsPorts 0 and puschFrequencyHopping 0 then), or a CSI part 2 sized from part 1 that
  // CONFIG's UCI configuration cannot size, are rejected like invalid ones.
  // So is a second PDU with a TB of one RNTI and HARQ process (the first is decoded).
  std::size_t kept = 0;
  const auto repeats_harq_process = [&](const phy::PuschConfig& pdu) {
    return pdu.ulsch &&
           std::any_of(built.pusch.begin(), built.pusch.begin() + static_cast<std::ptrdiff_t>(kept),
                       [&](const phy::PuschConfig& earlier) {
                         return earlier.ulsch && earlier.rnti == pdu.rnti &&
                                earlier.harq_process_id == pdu.harq_process_id;
                       });
  };
  for (std::size_t i = 0; i < built.num_pusch; ++i) {
    const auto& pdu = built.pusch[i];
    io::FapiError refusal = refusal_of(pdu);
    const bool repeated = refusal.ok() && repeats_harq_process(pdu);
    if (repeated) {
      refusal = io::make_fapi_error(
          io::FapiStatus::out_of_range, io::FapiErrorCode::msg_slot_err,
          io::FapiMessageType::ul_tti_request, 0,
          "a second PDU of RNTI %u and HARQ process %u in the slot (the first is decoded)",
          unsigned{pdu.rnti}, unsigned{pdu.harq_process_id});
    }
    if (refusal.ok()) {
      built.pusch[kept] = pdu;
      built.source_index[kept] = built.source_index[i];
      ++kept;
      continue;
    }
    // Every field written: the entry is reused slot after slot.
    built.rejected[built.num_rejected++] =
        io::FapiRejectedPdu{.pusch_index = built.source_index[i],
                            .handle = pdu.handle,
                            .rnti = pdu.rnti,
                            .harq_process_id = static_cast<std::uint8_t>(pdu.harq_process_id),
                            .carries_tb = pdu.ulsch,
                            // A repeat's new data ends nothing: the process is the first PDU's.
                            .new_data = pdu.ulsch && pdu.new_data_indicator && !repeated,
                            .uci = fapi_uci_of(pdu.uci),
                            .error = refusal};
  }
  built.num_pusch = kept;
  const std::size_t rejected = built.num_rejected + built.num_rejected_pucch +
                               built.num_rejected_prach + built.num_rejected_srs;
  if (rejected > 0) {
    count([&](L1Counters& c) { c.pdus_rejected += rejected; });
  }
  // One ERROR.indication for the message, whether PUSCH, PUCCH, PRACH or SRS PDUs were refused,
  // PDUs of other types were skipped, or any of these.
  if (rejected > 0 || unsupported > 0) {
    send_error(address, io::FapiMessageType::ul_tti_request,
               built.num_rejected > 0         ? built.rejected[0].error.code
               : built.num_rejected_pucch > 0 ? built.rejected_pucch[0].error.code
               : built.num_rejected_prach > 0 ? built.rejected_prach[0].error.code
               : built.num_rejected_srs > 0   ? built.rejected_srs[0].error.code
                                              : io::FapiErrorCode::msg_slot_err);
  }
  // The slot's C-plane, also when it is empty (an in-process O-RU then knows that nothing is
  // asked of it).
  if (config.cplane != nullptr) {
    config.cplane->send_slot(request.sfn, request.slot, built.pdus(), built.pucch_pdus(),
                             built.prach_occasions(), built.srs_pdus());
  }
  if (built.num_pusch + built.num_pucch + built.num_prach + built.num_srs + rejected == 0) {
    return; // Nothing to report for this slot.
  }
  slot.used = true;
  slot.absolute_slot = target;
}

} // namespace airan::l1
