/// \file
/// \brief Between FAPI PRACH (the UL_TTI.request PRACH PDU with CONFIG.request's PRACH TLVs, and
/// RACH.indication) and the PHY's PRACH occasions (phy::PrachConfig, phy::PrachDetectionResult).
///
/// One PRACH PDU describes NumPrachOcas time-domain occasions of one FD occasion (numRa) in the
/// slot; each becomes a phy::PrachConfig: prachFormat -> format, prachSubCSpacing (0 .. 3:
/// 15 * 2^mu kHz for the short formats; 4 = 1.25 kHz, 5 = 5 kHz for the long ones, as srsRAN
/// codes them) -> short_format_numerology, the FD occasion's prachRootSequenceIndex and k1 (PRBs
/// from the carrier's first PRB: the UL BWP is taken to start there; a FapiPrachConfig built in
/// code with only FD occasion 0 gets k1 + numRa * N_RB^RA for the others, while the CONFIG.request
/// decoder refuses numPrachFdOccasions that differs from the occasions sent), numCs -> N_CS, and
/// prachStartSymbol + i * N_dur^RA for occasion i. Refused: no PRACH TLVs in CONFIG.request, a
/// restricted set (1, 2: UNSUPPORTED), a prachSequenceLength or prachSubCSpacing that contradicts
/// the format, a numRa beyond the FD occasions, several occasions of a long format or occasions
/// past the slot, and whatever phy::validate_prach_config() refuses (OUT_OF_RANGE, MSG_SLOT_ERR).
#pragma once

#include "airan/io/fapi_p5_messages.h"
#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_types.h"
#include "airan/phy/prach_detector.h"
#include "airan/phy/pusch_config.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::io {

/// PRACH occasions one slot's request can hold (16 PDUs of up to 7 occasions are refused past it).
inline constexpr std::size_t fapi_max_prach_occasions = 64;

/// One PRACH occasion of a slot, as the PRACH receiver takes it, with what RACH.indication echoes.
struct FapiPrachOccasion {
  phy::PrachConfig config;
  std::size_t prach_index = 0; ///< Index of its PDU in FapiUlTtiRequest::prach.
  std::uint16_t phys_cell_id = 0;
  std::uint8_t num_ra = 0; ///< FD occasion index (RACH.indication FreqIndex).
};

/// A PRACH PDU that to_prach_occasions() refused.
struct FapiRejectedPrach {
  std::size_t prach_index = 0;
  FapiError error;
};

/// The occasions of \p pdu for \p cell under \p config (CONFIG.request's PRACH TLVs) into \p out,
/// \p count of them, FD occasion by FD occasion: NumPrachOcas TD occasions of FD occasion numRa,
/// and with the FAPIv3 maintenance part of each of its NumFdRa FD occasions numRa, numRa + 1, ...
/// (up to 7 x 8 entries); nothing written unless ok(). Checks the PDU's fields against their
/// ranges first (the codec checks only its beamforming part): a PDU out of range is refused alone.
FapiError to_prach_occasions(const FapiPrachPdu& pdu, const FapiPrachConfig& config,
                             const phy::CellConfig& cell, std::span<FapiPrachOccasion> out,
                             std::size_t& count);

/// RACH.indication PDU of \p occasion (which started in slot \p slot_index of its frame) from
/// \p detection: TimingAdvance, PreamblePwr (the preamble's power over its L_RA subcarriers, per
/// antenna, in dB over \p full_scale^2: dBFS, or dBm with a calibrated scale), avgRssi (mean
/// power per PRACH subcarrier, same scale) and avgSnr (mean of the preambles' SNRs; 0xFF
/// without one) in 0.5 dB steps from -64 dB.
FapiRachPdu to_rach_pdu(const FapiPrachOccasion& occasion,
                        const phy::PrachDetectionResult& detection, std::uint8_t slot_index,
                        float full_scale);

/// The PRACH PDU that asks for \p num_occasions occasions of \p config (the first at
/// config.start_symbol) on FD occasion \p num_ra, for the test MAC. Formats B2 and B3 go as the
/// pairs A2/B2 and A3/B3, whose last occasion alone is the B format: as asked with one occasion.
FapiPrachPdu to_fapi_prach_pdu(const phy::PrachConfig& config, std::uint8_t num_ra,
                               std::uint8_t num_occasions, std::uint16_t phys_cell_id);

/// CONFIG.request PRACH TLVs describing \p config's sequence, spacing and root on FD occasion 0
/// at k1 = config.first_prb (zeroCorrelationZone from its N_CS), for the test MAC.
FapiPrachConfig to_fapi_prach_config(const phy::PrachConfig& config);

} // namespace airan::io
