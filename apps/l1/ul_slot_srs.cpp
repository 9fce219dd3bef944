/// \file
/// \brief UlSlotProcessor's SRS side: the slot's SRS PDUs through the CPU SRS estimator, and
/// their SRS.indication PDUs, also for the PDUs the request rejected and for a slot without
/// samples (invalid measurements), so that the MAC hears back about every SRS it scheduled.
#include "airan/l1/ul_slot_processor.h"

#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/fapi_srs_conversion.h"

namespace airan::l1 {

void UlSlotProcessor::process_srs(const io::FapiSlotRequest& request, const phy::ResourceGrid* grid,
                                  io::FapiSrsIndication& srs, UlSlotOutcome& outcome) {
  srs.sfn = request.sfn;
  srs.slot = request.slot;
  srs.num_pdus = 0;
  for (const phy::SrsConfig& pdu : request.srs_pdus()) {
    if (srs.num_pdus == srs.pdus.size()) {
      return; // not reached: a request holds at most as many SRS PDUs as an indication
    }
    io::FapiSrsIndicationPdu& out = srs.pdus[srs.num_pdus++];
    if (grid == nullptr) {
      out = io::invalid_fapi_srs_indication_pdu(pdu);
      continue;
    }
    srs_estimator_.process(*grid, request.sfn, request.slot, pdu, srs_result_);
    outcome.num_srs_processed += srs_result_.error.empty() ? 1U : 0U;
    io::to_fapi_srs_indication_pdu(srs_result_, pdu, cell_, out);
  }
  // Rejected PDUs (their ERROR.indication says why): nothing measured.
  io::append_rejected_srs(request, srs);
}

} // namespace airan::l1
