/// \file
/// \brief Between the FAPI UL_TTI.request PUCCH PDU and phy::PucchConfig, and from a PUCCH
/// receiver's phy::PucchResult to the UCI.indication PUCCH PDUs.
///
/// to_pucch_config() maps the PDU field by field (PRBs stay relative to the BWP start), formats
/// 0 to 4, and refuses with MSG_SLOT_ERR and a reason what the receiver does not do: multi-slot
/// PUCCH (multiSlotTxIndicator != 0), CSI part 2 (csiPart2BitLength != 0), pi2Bpsk or AddDmrsFlag
/// on formats 0-2, a SubcarrierSpacing or CyclicPrefix that is not the cell's, a format 4 cover
/// other than PreDftOccLen 2 or 4 with PreDftOccIdx below it, and an m0PucchDmrsCyclicShift of
/// format 3 or 4 that is neither 0 nor the m_0 TS 38.211 Table 6.4.1.3.3.1-1 fixes; then
/// PucchConfig::validate() runs. The Rx beamforming part is not read.
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_types.h"
#include "airan/phy/pucch_config.h"
#include "airan/phy/pusch_config.h"

namespace airan::io {

struct FapiSlotRequest;

/// A PUCCH PDU that to_pucch_config() refused: its fields as read (for the UCI.indication that
/// reports it failed) and why.
struct FapiRejectedPucch {
  phy::PucchConfig fields; ///< pucch_fields_of() the PDU: not valid.
  FapiError error;
};

/// The PDU's fields as a PucchConfig, unchecked (to_pucch_config() checks them).
phy::PucchConfig pucch_fields_of(const FapiPucchPdu& pdu);

/// Converts every PUCCH PDU of \p request for \p cell into out.pucch (accepted) or
/// out.rejected_pucch; to_slot_request() calls it after the PUSCH PDUs.
void add_pucch_pdus(const FapiUlTtiRequest& request, const phy::CellConfig& cell,
                    FapiSlotRequest& out);

/// \p pdu as a PucchConfig for a cell \p cell; \p out is written only when the result is ok().
/// pi2Bpsk -> pi2_bpsk, AddDmrsFlag -> additional_dmrs, and for format 4 PreDftOccLen (the cover
/// length N_SF, 2 or 4, as SCF 222.10 and OAI give it) and PreDftOccIdx -> pre_dft_occ_length and
/// pre_dft_occ_index (other formats keep the PucchConfig defaults). m0PucchDmrsCyclicShift is
/// checked, not stored: format 3's m_0 is 0, format 4's 0, 6 (N_SF 2) or 0, 6, 3, 9 (N_SF 4) by
/// PreDftOccIdx; 0 is also taken (a MAC that leaves it unset). Unsupported features (multi-slot,
/// CSI part 2, pi2Bpsk or AddDmrsFlag on formats 0-2) are UNSUPPORTED; a numerology or cyclic
/// prefix other than the cell's, pi2Bpsk or AddDmrsFlag above 1, a bad cover or m_0 and whatever
/// PucchConfig::validate() refuses are OUT_OF_RANGE (MSG_SLOT_ERR, UL_TTI.request).
FapiError to_pucch_config(const FapiPucchPdu& pdu, const phy::CellConfig& cell,
                          phy::PucchConfig& out);

/// \p pucch as a FAPI PUCCH PDU on \p cell (the inverse of to_pucch_config(), for a test MAC):
/// SubcarrierSpacing and CyclicPrefix the cell's; pi2Bpsk and AddDmrsFlag from the config;
/// PreDftOccLen and PreDftOccIdx from the config for format 4, 0 otherwise;
/// m0PucchDmrsCyclicShift the m_0 of TS 38.211 Table 6.4.1.3.3.1-1 (0 but for format 4 covers);
/// multiSlotTxIndicator, csiPart2BitLength and the Rx beamforming part 0.
/// \pre pucch.validate(cell) is empty (fields are narrowed to their FAPI widths unchecked).
FapiPucchPdu to_fapi_pucch_pdu(const phy::PucchConfig& pucch, const phy::CellConfig& cell);

/// UCI.indication PDU of a format 0 or 1 PUCCH (\p pucch) from what the receiver found:
/// an SR PDU when pucch.sr_bits != 0 (SRindication 1 when detected with a positive SR), a HARQ
/// PDU when pucch.harq_bits != 0 (HarqValue 0 ACK / 1 NACK per bit, or 2 DTX for every bit when
/// the PUCCH was not detected). Confidence levels 0 (good) when detected, 1 (bad) otherwise.
/// TimingAdvance and RSSI come from \p measurement; UL_CQI is result.sinr_db in FAPI units
/// (fapi_ul_cqi_from_snr_db) when the PDU was processed (result.error empty), otherwise
/// measurement's.
FapiUciPucchFormat01 to_uci_pucch_format01(const phy::PucchConfig& pucch,
                                           const phy::PucchResult& result,
                                           const FapiUlMeasurement& measurement);

/// UCI.indication PDU of a format 2, 3 or 4 PUCCH (\p pucch; PucchFormat from pucch.format: 0
/// format 2, 1 format 3, 2 format 4; the three code their payload alike): an SR PDU
/// (SrBitLen = pucch.sr_bits), a HARQ PDU and a CSI part 1 PDU for each part the config has,
/// with the decoded bits packed least significant first. CRC 2 (not present) for payloads of at
/// most 11 bits (pucch.payload_bits()), 0 (pass) for polar-coded ones; when the PUCCH was not
/// detected or its CRC failed, CRC 1 (fail) with the bit lengths kept and zero payload bits (as
/// the PUSCH UCI conversion reports a failed part); the SR bits are then 0. Measurements as for
/// to_uci_pucch_format01().
FapiUciPucchFormat234 to_uci_pucch_format234(const phy::PucchConfig& pucch,
                                             const phy::PucchResult& result,
                                             const FapiUlMeasurement& measurement);

/// Appends the UCI.indication PDU of \p pucch (to_uci_pucch_format01() or
/// to_uci_pucch_format234(), by its format) to \p uci when there is room for it.
void append_pucch_uci(const phy::PucchConfig& pucch, const phy::PucchResult& result,
                      const FapiUlMeasurement& measurement, FapiUciIndication& uci);

/// Appends a UCI.indication PDU for each PUCCH PDU \p request rejected (rejected_pucch_pdus()),
/// nothing measured: a format 0/1 HARQ part DTX and no SR detected, a format 2/3/4 payload's
/// parts CRC fail; so that the MAC hears back about every PUCCH it scheduled.
void append_rejected_pucch_uci(const FapiSlotRequest& request, FapiUciIndication& uci);

} // namespace airan::io
