/// \file
/// \brief UlSlotProcessor's SRS side: the slot's SRS PDUs through the CPU SRS estimator, and
/// their SRS.indication PDUs, also for the PDUs the request rejected and for a slot without
/// samples (invalid measurements), so that the MAC hears back about every SRS it scheduled.
#include "airan/l1/ul_slot_processor.h"

#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/fapi_srs_conversion.h"
#include "airan/phy/numerology.h"

#include <algorithm>
#include <array>

namespace airan::l1 {

void UlSlotProcessor::process_srs(const io::FapiSlotRequest& request, const phy::ResourceGrid* grid,
                                  io::FapiSrsIndication& srs, UlSlotOutcome& outcome) {
  srs.sfn = request.sfn;
  srs.slot = request.slot;
  srs.num_pdus = 0;
  const auto pdus = request.srs_pdus();
  std::array<phy::SrsForeignPort, phy::SrsForeignPort::max_per_pdu> others{};
  for (const phy::SrsConfig& pdu : pdus) {
    if (srs.num_pdus == srs.pdus.size()) {
      return; // not reached: a request holds at most as many SRS PDUs as an indication
    }
    io::FapiSrsIndicationPdu& out = srs.pdus[srs.num_pdus++];
    if (grid == nullptr) {
      out = io::invalid_fapi_srs_indication_pdu(pdu);
      continue;
    }
    // Other UEs on this SRS's REs, told apart only by their cyclic shifts: kept out of it.
    const std::size_t found = phy::srs_co_scheduled_ports(
        pdu, pdus, phy::symbols_per_slot(cell_.cyclic_prefix), request.sfn, request.slot,
        phy::slots_per_frame(cell_.numerology), cell_, others);
    srs_estimator_.process(*grid, request.sfn, request.slot, pdu, srs_result_,
                           std::span(others).first(std::min(found, others.size())));
    outcome.num_srs_processed += srs_result_.error.empty() ? 1U : 0U;
    io::to_fapi_srs_indication_pdu(srs_result_, pdu, cell_, out);
  }
  // Rejected PDUs (their ERROR.indication says why): nothing measured.
  io::append_rejected_srs(request, srs);
}

} // namespace airan::l1
