/// \file
/// \brief add_srs_pdus(): a UL_TTI.request's SRS PDUs into the slot's work (FapiSlotRequest).
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/fapi_srs_conversion.h"

namespace airan::io {

void add_srs_pdus(const FapiUlTtiRequest& request, const phy::CellConfig& cell,
                  FapiSlotRequest& out) {
  out.num_srs = 0;
  out.num_rejected_srs = 0;
  for (std::size_t i = 0; i < request.num_srs && i < request.srs.size(); ++i) {
    const FapiSrsPdu& pdu = request.srs[i];
    if (const FapiError error = to_srs_config(pdu, cell, out.srs[out.num_srs]); !error.ok()) {
      const FapiSrsIndicationPdu report = invalid_fapi_srs_indication_pdu(pdu);
      out.rejected_srs[out.num_rejected_srs++] =
          FapiRejectedSrs{i, pdu.handle, pdu.rnti, report.num_symbols, error};
      continue;
    }
    ++out.num_srs;
  }
}

void append_rejected_srs(const FapiSlotRequest& request, FapiSrsIndication& srs) {
  for (const FapiRejectedSrs& rejected : request.rejected_srs_pdus()) {
    if (srs.num_pdus >= srs.pdus.size()) {
      return;
    }
    FapiSrsIndicationPdu& out = srs.pdus[srs.num_pdus++];
    out = FapiSrsIndicationPdu{};
    out.handle = rejected.handle;
    out.rnti = rejected.rnti;
    out.num_symbols = rejected.num_symbols;
    unmeasured_symbols(out);
  }
}

} // namespace airan::io
