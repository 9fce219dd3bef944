/// \file
/// \brief UlSlotProcessor's PUCCH side: the slot's PUCCH PDUs through the CPU PUCCH receiver, and
/// their UCI.indication PDUs (formats 0/1 and 2/3/4), also for the PDUs the request rejected and
/// for a slot without samples, so that the MAC hears back about every PUCCH it scheduled.
#include "airan/l1/ul_slot_processor.h"

#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_pucch_conversion.h"

#include <cmath>

namespace airan::l1 {

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
    io::append_pucch_uci(pdus[i], result, measurement, uci);
  }
  // Rejected PDUs (their ERROR.indication says why): DTX / failed parts, nothing measured.
  io::append_rejected_pucch_uci(request, uci);
}

} // namespace airan::l1
