/// \file
/// \brief FapiPhy's refusals: the answers to CONFIG and PARAM.requests the codec refuses, the
/// downlink requests this uplink L1 ignores, the UL_TTI.requests refused whole (late, too early,
/// duplicates) and the PUSCH PDUs it refuses one by one.
#include "airan/l1/fapi_phy.h"

#include "fapi_phy_impl.h"

#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_pucch_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/fapi_srs_conversion.h"

#include <algorithm>
#include <span>
#include <string>

namespace airan::l1 {
namespace {

io::FapiError l1_refusal(const char* reason) {
  return io::make_fapi_error(io::FapiStatus::unsupported, io::FapiErrorCode::msg_slot_err,
                             io::FapiMessageType::ul_tti_request, 0, "%s", reason);
}

} // namespace

void FapiPhy::Impl::on_undecodable_p5(io::FapiMessageType type, const io::FapiError& error) {
  const bool running = state() == PhyState::running;
  const io::FapiErrorCode code =
      running ? io::FapiErrorCode::msg_invalid_state : io::FapiErrorCode::msg_invalid_config;
  count([](L1Counters& c) { ++c.undecodable_messages; });
  if (type == io::FapiMessageType::param_request) {
    count([&](L1Counters& c) { ++c.errors_by_code[static_cast<std::size_t>(code)]; });
    io::FapiParamResponse response;
    response.error_code = code;
    send_response(response);
    return;
  }
  count_response_error(running ? &L1Counters::invalid_state : &L1Counters::config_rejected, code);
  io::FapiConfigResponse response;
  response.error_code = code;
  if (error.tlv_tag != 0) {
    io::FapiTlv tlv;
    tlv.tag = error.tlv_tag;
    response.invalid_or_unsupported.push(tlv);
  }
  send_response(response);
}

void FapiPhy::Impl::on_downlink(io::FapiMessageType type) {
  count([](L1Counters& c) { ++c.downlink_messages_ignored; });
  if (!downlink_reported) {
    downlink_reported = true;
    send_error(now_address(), type, io::FapiErrorCode::msg_invalid_state);
  }
}

io::FapiError FapiPhy::Impl::refusal_of(const phy::PuschConfig& pdu) const {
  if (!processor->supports_layers(pdu.num_layers)) {
    return io::make_fapi_error(io::FapiStatus::unsupported, io::FapiErrorCode::msg_slot_err,
                               io::FapiMessageType::ul_tti_request, 0,
                               "%u layers: no receiver for that port count", pdu.num_layers);
  }
  // CONFIG checked that the receivers take what PARAM announced.
  if (!announces_dfts_ofdm() && pdu.transform_precoding) {
    return l1_refusal("TransformPrecoding 0: this L1's receiver takes CP-OFDM only "
                      "(dftsOfdmSupport 0)");
  }
  if (!announces_ptrs() && pdu.ptrs.enabled) {
    return l1_refusal("puschPtrs: this L1's receiver does not track phase (puschMaxPtrsPorts 0)");
  }
  if (!announces_frequency_hopping() && pdu.intra_slot_hopping) {
    return l1_refusal("frequencyHopping: this L1's receiver takes one allocation "
                      "(puschFrequencyHopping 0)");
  }
  if (!announces_uci() && pdu.uci.present()) {
    return l1_refusal("puschUci: this L1 does not announce UCI behind a receiver that keeps its "
                      "LLRs on the device (uciMuxUlschInPusch 0)");
  }
  if (!pdu.uci.csi_part2_sizing.empty()) {
    // The part 1 to part 2 correspondence against CONFIG.request's UCI configuration.
    if (const std::string problem = phy::validate_csi_part2_sizing(
            pdu.uci.csi_part2_sizing, csi_part2_size_maps, pdu.uci.csi_part1_bits);
        !problem.empty()) {
      return io::make_fapi_error(io::FapiStatus::out_of_range, io::FapiErrorCode::msg_slot_err,
                                 io::FapiMessageType::ul_tti_request, 0, "%s", problem.c_str());
    }
  }
  return {};
}

void FapiPhy::Impl::report_refused_request(const io::FapiUlTtiRequest& request,
                                           const io::FapiSlotRequest* accepted) {
  // A PDU the slot's accepted request has (the same type, handle and RNTI: MACs reuse handles,
  // OAI's sends 0 for every PUSCH) is reported with that request.
  const auto same = [](std::uint32_t handle, std::uint16_t rnti) {
    return [=](const auto& p) { return p.handle == handle && p.rnti == rnti; };
  };
  const auto pusch_reported = [&](const io::FapiPuschPdu& pdu) {
    return accepted != nullptr &&
           (std::ranges::any_of(accepted->pdus(), same(pdu.handle, pdu.rnti)) ||
            std::ranges::any_of(accepted->rejected_pdus(), same(pdu.handle, pdu.rnti)));
  };
  const auto pucch_reported = [&](const io::FapiPucchPdu& pdu) {
    return accepted != nullptr &&
           (std::ranges::any_of(accepted->pucch_pdus(), same(pdu.handle, pdu.rnti)) ||
            std::ranges::any_of(accepted->rejected_pucch_pdus(), [&](const auto& p) {
              return same(pdu.handle, pdu.rnti)(p.fields);
            }));
  };
  const auto srs_reported = [&](const io::FapiSrsPdu& pdu) {
    return accepted != nullptr &&
           (std::ranges::any_of(accepted->srs_pdus(), same(pdu.handle, pdu.rnti)) ||
            std::ranges::any_of(accepted->rejected_srs_pdus(), same(pdu.handle, pdu.rnti)));
  };
  // The request as one whose every PDU was rejected (no allocation: the slot request is kept).
  io::FapiSlotRequest& out = *refused;
  out.sfn = request.sfn;
  out.slot = request.slot;
  out.num_pusch = out.num_pucch = out.num_prach = out.num_srs = 0;
  out.num_rejected = out.num_rejected_pucch = out.num_rejected_prach = out.num_rejected_srs = 0;
  for (std::size_t i = 0; i < request.num_pusch; ++i) {
    const io::FapiPuschPdu& pdu = request.pusch[i];
    if (pusch_reported(pdu)) {
      continue;
    }
    out.rejected[out.num_rejected++] = io::FapiRejectedPdu{
        .pusch_index = i,
        .handle = pdu.handle,
        .rnti = pdu.rnti,
        .harq_process_id = pdu.data ? pdu.data->harq_process_id : std::uint8_t{0},
        .carries_tb = pdu.data.has_value(),
        .new_data = pdu.data && pdu.data->new_data_indicator != 0,
        .uci = pdu.uci,
        .error = {}};
  }
  for (std::size_t i = 0; i < request.num_pucch; ++i) {
    if (!pucch_reported(request.pucch[i])) {
      out.rejected_pucch[out.num_rejected_pucch++] =
          io::FapiRejectedPucch{.fields = io::pucch_fields_of(request.pucch[i]), .error = {}};
    }
  }
  for (std::size_t i = 0; i < request.num_srs; ++i) {
    const io::FapiSrsPdu& pdu = request.srs[i];
    if (!srs_reported(pdu)) {
      out.rejected_srs[out.num_rejected_srs++] =
          io::FapiRejectedSrs{.srs_index = i,
                              .handle = pdu.handle,
                              .rnti = pdu.rnti,
                              .num_symbols = io::invalid_fapi_srs_indication_pdu(pdu).num_symbols,
                              .error = {}};
    }
  }
  // New data in a late or too early request ends the process's previous TB: the UE moved on,
  // whether or not this TB is decoded. A duplicate changes nothing (the first request stands, and
  // its TBs may still be decoding or owed a retransmission).
  for (const io::FapiRejectedPdu& pdu : out.rejected_pdus()) {
    if (pdu.new_data && accepted == nullptr) {
      processor->end_previous_tb({pdu.rnti, pdu.harq_process_id});
    }
  }
  // RX_DATA (empty PDUs) and CRC.indication for the TBs, UCI.indication for the UCI, as for the
  // PDUs an accepted request rejects.
  io::to_slot_indications(out, {}, cell, *crc, *rx_data);
  io::to_uci_indication(out, {}, cell, *uci);
  io::append_rejected_pucch_uci(out, *uci);
  if (crc->num_crcs > 0) {
    count([&](L1Counters& c) { c.crc_failed += crc->num_crcs; });
    send(*rx_data);
    send(*crc);
  }
  if (const std::size_t ucis = uci->num_ucis(); ucis != 0) {
    count([&](L1Counters& c) { c.uci_reports_sent += ucis; });
    if (!send(*uci)) {
      count([&](L1Counters& c) { c.uci_reports_sent -= ucis; });
    }
  }
  // SRS.indication: the SRSs unmeasured.
  srs->sfn = request.sfn;
  srs->slot = request.slot;
  srs->num_pdus = 0;
  io::append_rejected_srs(out, *srs);
  send_srs_indication();
}

} // namespace airan::l1
