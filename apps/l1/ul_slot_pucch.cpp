/// \file
/// \brief UlSlotProcessor's PUCCH side: the slot's PUCCH PDUs through the CPU PUCCH receiver, and
/// their UCI.indication PDUs (formats 0/1 and 2/3/4), also for the PDUs the request rejected and
/// for a slot without samples, so that the MAC hears back about every PUCCH it scheduled.
#include "airan/l1/ul_slot_processor.h"

#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_pucch_conversion.h"

#include <cmath>

namespace airan::l1 {
namespace {

/// Appends the UCI.indication PDU of \p pucch (its type from its format) when there is room.
void append_uci(const phy::PucchConfig& pucch, const phy::PucchResult& result,
                const io::FapiUlMeasurement& measurement, io::FapiUciIndication& uci) {
  if (pucch.format == phy::PucchFormat::format0 || pucch.format == phy::PucchFormat::format1) {
    if (uci.num_pucch_f01 < uci.pucch_f01.size()) {
      uci.pucch_f01[uci.num_pucch_f01++] = io::to_uci_pucch_format01(pucch, result, measurement);
    }
    return;
  }
  if (uci.num_pucch_f234 < uci.pucch_f234.size()) {
    uci.pucch_f234[uci.num_pucch_f234++] = io::to_uci_pucch_format234(pucch, result, measurement);
  }
}

} // namespace

void UlSlotProcessor::process_pucch(const io::FapiSlotRequest& request,
                                    const phy::ResourceGrid* grid, io::FapiUciIndication& uci,
                                    UlSlotOutcome& outcome) {
  const auto pdus = request.pucch_pdus();
  if (grid != nullptr) {
    pucch_receiver_.process_slot(*grid, request.slot, pdus, pucch_results_);
  } else {
    pucch_results_.resize(pdus.size());
    for (phy::PucchResult& result : pucch_results_) {
      result = phy::PucchResult{};
      result.error = "no samples for the slot";
    }
  }
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const phy::PucchResult& result = pucch_results_[i];
    io::FapiUlMeasurement measurement; // TimingAdvance: not measured on PUCCH (invalid)
    if (result.error.empty()) {
      ++outcome.num_pucch_processed;
      outcome.num_pucch_dtx += result.detected ? 0U : 1U;
      if (report_rssi_ && result.received_power > 0.0F) {
        measurement.rssi = io::fapi_rssi_from_db(
            10.0F * std::log10(result.received_power / (rssi_scale_ * rssi_scale_)));
      }
    }
    append_uci(pdus[i], result, measurement, uci);
  }
  // Rejected PDUs (their ERROR.indication says why): DTX / failed parts, nothing measured.
  phy::PucchResult rejected;
  rejected.error = "rejected";
  for (const io::FapiRejectedPucch& pdu : request.rejected_pucch_pdus()) {
    append_uci(pdu.fields, rejected, io::FapiUlMeasurement{}, uci);
  }
}

} // namespace airan::l1
