/// \file
/// \brief Between the FAPI UL_TTI.request SRS PDU and phy::SrsConfig, and from an SRS
/// estimator's phy::SrsEstimatorResult to an SRS.indication PDU.
///
/// to_srs_config() maps the PDU field by field (numAntPorts, numSymbols and numRepetitions 0, 1,
/// 2 -> 1, 2, 4; combSize 0, 1 -> comb 2, 4; groupOrSequenceHopping and resourceType onto their
/// enums; the BWP, timeStartPosition, configIndex, sequenceId, bandwidthIndex, combOffset,
/// cyclicShift, frequencyPosition, frequencyShift, frequencyHopping, Tsrs and Toffset as they
/// are) and refuses with MSG_SLOT_ERR and a reason what it cannot take: combSize 2 (comb 8 of the
/// Rel-16 positioning SRS, 222.10.04) is UNSUPPORTED; a SubcarrierSpacing or CyclicPrefix other
/// than the cell's, any field outside its range and whatever SrsConfig::validate() refuses are
/// OUT_OF_RANGE. The Rx beamforming part is not read.
#pragma once

#include "airan/io/fapi_srs_messages.h"
#include "airan/io/fapi_types.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/srs_config.h"
#include "airan/phy/srs_estimator.h"

namespace airan::io {

/// \p pdu as an SrsConfig for a cell \p cell; \p out is written only when the result is ok().
/// Tsrs and Toffset are read for periodic and semi-persistent SRS only (Tsrs one of 1, 2, 4, 5,
/// 8, 10, 16, 20, 32, 40, 64, 80, 160, 320, 640, 1280, 2560 slots, TS 38.331
/// SRS-PeriodicityAndOffset; Toffset below it); an aperiodic SRS keeps the SrsConfig defaults.
/// Unsupported features (combSize 2, comb 8) are UNSUPPORTED; a numerology or cyclic prefix other
/// than the cell's, a field out of range (numAntPorts 3, combOffset 2 on comb 2, cyclicShift 8 on
/// comb 2, numRepetitions above numSymbols, symbols past the slot, ...) and whatever
/// SrsConfig::validate() refuses are OUT_OF_RANGE (MSG_SLOT_ERR, UL_TTI.request).
FapiError to_srs_config(const FapiSrsPdu& pdu, const phy::CellConfig& cell, phy::SrsConfig& out);

/// \p srs as a FAPI SRS PDU on \p cell (the inverse of to_srs_config(), for a test MAC):
/// SubcarrierSpacing and CyclicPrefix the cell's, the counts coded 0, 1, 2, Tsrs / Toffset the
/// config's periodicity and slot offset (also for aperiodic SRS), no Rx beamforming part.
/// \pre srs.validate(cell) is empty (fields are narrowed to their FAPI widths unchecked).
FapiSrsPdu to_fapi_srs_pdu(const phy::SrsConfig& srs, const phy::CellConfig& cell);

/// The SRS.indication PDU of \p srs from what the estimator measured (\p result): Handle and
/// RNTI the PDU's, TimingAdvance from result.delay_s (fapi_timing_advance_from_delay() at the
/// cell's numerology), WideBandSNR from result.wideband_snr_db (fapi_ul_cqi_from_snr_db(): 0.5 dB
/// steps from -64 dB, clamped to 0 .. 254), NumSymbols = srs.num_symbols, NumReportedSymbols =
/// result.num_symbols, each with NumRBs = the BWP size (at most 272, 222.10.02's range: the BWP's
/// first 272 PRBs) and an RBSNR per PRB of the BWP (PRB 0 =
/// the BWP's first; 0xFF where result.prb_snr() is NaN: PRBs the SRS did not occupy on that
/// symbol). A result with an error gets invalid_fapi_srs_indication_pdu()'s values.
void to_fapi_srs_indication_pdu(const phy::SrsEstimatorResult& result, const phy::SrsConfig& srs,
                                const phy::CellConfig& cell, FapiSrsIndicationPdu& out);

/// The SRS.indication PDU of an SRS the L1 did not measure (refused, or in a refused request):
/// Handle, RNTI and NumSymbols the PDU's, TimingAdvance 0xFFFF, WideBandSNR 0xFF, and each of its
/// symbols reported with NumRBs 0 (unmeasured_symbols(); 222.10.02 has NumReportedSymbols 1 .. 4).
FapiSrsIndicationPdu invalid_fapi_srs_indication_pdu(const phy::SrsConfig& srs);
/// As above from the PDU itself, for one to_srs_config() refused: NumSymbols 1, 2 or 4 from
/// numSymbols 0, 1, 2 (what the decoder lets through; 1 for another value).
FapiSrsIndicationPdu invalid_fapi_srs_indication_pdu(const FapiSrsPdu& pdu);

/// Sets NumReportedSymbols to \p pdu's NumSymbols (at most 4), each reported symbol with NumRBs 0:
/// an SRS reported unmeasured.
void unmeasured_symbols(FapiSrsIndicationPdu& pdu);

} // namespace airan::io
