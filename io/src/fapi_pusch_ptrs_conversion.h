/// \file
/// \brief Private: between the puschPtrs part of a FAPI PUSCH PDU (SCF 222.10.02 Table 3-49) and
/// phy::PuschPtrsConfig, for fapi_pusch_conversion.cpp. One PT-RS port, CP-OFDM only.
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_types.h"
#include "airan/phy/pusch_config.h"

namespace airan::io::fapi_detail {

/// Refuses, with MSG_SLOT_ERR, a puschPtrs part the receiver cannot take: with transform
/// precoding (TransformPrecoding 0; TS 38.211 6.4.1.2.2.2) or numPtrsPorts 2 UNSUPPORTED,
/// ulPTRSPower 2 or 3 (reserved in TS 38.214 Table 6.2.3.1-3) OUT_OF_RANGE. OK without a part.
FapiError check_pusch_ptrs(const FapiPuschPdu& pdu);

/// Sets config.ptrs from \p ptrs (passed by check_pusch_ptrs()) on a \p config whose DMRS type
/// and ports are the PDU's: L_PT-RS = 2^PTRSTimeDensity, K_PT-RS = 2^(PTRSFreqDensity + 1),
/// ptrs-Power = ulPTRSPower, the DMRS port = PTRSDmrsPort and resourceElementOffset the column of
/// TS 38.211 Table 6.4.1.2.2.1-1 whose entry in PTRSDmrsPort's row is PTRSReOffset (k_ref^RE).
/// PTRSPortIndex is not read. OUT_OF_RANGE when PTRSDmrsPort is not in dmrsPorts or has no row,
/// or PTRSReOffset is not in its row; \p config is then unchanged.
FapiError ptrs_config_of(const FapiPuschPtrs& ptrs, phy::PuschConfig& config);

/// The puschPtrs part of \p pusch, whose ptrs is enabled and valid: one port, PTRSPortIndex the
/// bit of the antenna port of the DMRS port's layer (non-codebook: layer i is antenna port i),
/// PTRSReOffset = k_ref^RE.
FapiPuschPtrs fapi_ptrs_of(const phy::PuschConfig& pusch);

} // namespace airan::io::fapi_detail
