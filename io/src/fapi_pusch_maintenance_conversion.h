/// \file
/// \brief Private: between the PUSCH maintenance FAPIv3 part of a FAPI PUSCH PDU (SCF 222.10.04)
/// and phy::PuschConfig, for fapi_pusch_conversion.cpp: intra-slot frequency hopping
/// (puschSecondHopPRB), the low-PAPR DMRS hopping (groupOrSequenceHopping), TBS_LBRM
/// (tbSizeLbrmBytes) and the ldpcBaseGraph check.
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_types.h"
#include "airan/phy/pusch_config.h"

#include <cstdint>

namespace airan::io::fapi_detail {

/// Refuses, with MSG_SLOT_ERR, FrequencyHopping 1 without the maintenance part (UNSUPPORTED: no
/// puschSecondHopPRB) and a tbSizeLbrmBytes whose bit count does not fit 32 bits (OUT_OF_RANGE).
/// OK otherwise, also without a part.
FapiError check_pusch_maintenance(const FapiPuschPdu& pdu);

/// Sets on \p config what the PDU's maintenance part says (nothing without one): intra-slot
/// hopping (FrequencyHopping 1) with the second hop at puschSecondHopPRB, the low-PAPR DMRS
/// hopping when \p config has transform precoding, TBS_LBRM = 8 x tbSizeLbrmBytes, and for a
/// retransmission (newDataIndicator 0) the base graph ldpcBaseGraph.
/// \pre check_pusch_maintenance(pdu) is OK.
void apply_pusch_maintenance(const FapiPuschPdu& pdu, phy::PuschConfig& config);

/// OUT_OF_RANGE when new data's ldpcBaseGraph is not the base graph TS 38.212 7.2.2 gives for
/// \p config's TBS (tb_size_bits, or when 0 the TBS TS 38.214 gives on \p cell) and target code
/// rate; OK without a part and for a retransmission. \pre config.validate(cell) is empty.
FapiError check_ldpc_base_graph(const FapiPuschPdu& pdu, const phy::CellConfig& cell,
                                const phy::PuschConfig& config);

/// Adds to \p pdu the maintenance part \p pusch needs, when it has intra-slot hopping, DMRS
/// hopping, a TBS_LBRM, CSI part 2 sized from part 1 (whose part 1 to part 2 correspondence
/// follows the part) or a base graph of its own (PuschConfig::ldpc_base_graph), and only then:
/// FrequencyHopping, puschSecondHopPRB, groupOrSequenceHopping, ldpcBaseGraph (of \p tbs_bits:
/// phy::pusch_ldpc_base_graph()), tbSizeLbrmBytes. OUT_OF_RANGE when
/// TBS_LBRM is not whole bytes; \p pdu is then unchanged.
FapiError add_pusch_maintenance(const phy::PuschConfig& pusch, std::uint32_t tbs_bits,
                                FapiPuschPdu& pdu);

} // namespace airan::io::fapi_detail
