/// \file
/// \brief The UCI coding shared by PUCCH formats 2, 3 and 4 (TS 38.212 6.3.1; TS 38.211
/// 6.3.2.5.1, 6.3.2.6.1): the payload a (HARQ-ACK, then SR, then CSI part 1) coded into all E_tot
/// bits (the short block code with cyclic rate matching up to 11 bits; CRC, polar code, rate
/// matching and channel interleaving from 12) and scrambled with c_init = n_RNTI 2^15 + n_ID; and
/// the receiver side: descrambling, decoding and the decision whether anything was sent.
#pragma once

#include "airan/phy/pucch_config.h"
#include "airan/phy/pucch_detection.h"
#include "airan/phy/types.h"
#include "airan/phy/uci_polar_code.h"

#include <array>
#include <cstdint>
#include <span>

namespace airan::phy {

/// c_init of the data scrambling of formats 2, 3 and 4: n_RNTI 2^15 + n_ID (TS 38.211 6.3.2.5.1,
/// 6.3.2.6.1).
constexpr std::uint32_t pucch_uci_scrambling_init(std::uint16_t rnti, std::uint16_t scrambling_id) {
  return (std::uint32_t{rnti} << 15) + scrambling_id;
}

/// Codes the UCI parts \p bits of \p pucch (sizes as its harq_bits, sr_bits, csi_part1_bits;
/// A = 3..1706 bits) into all of \p coded (E_tot bits) and scrambles them.
/// \throws std::invalid_argument when the part sizes differ from the PDU's, A is outside 3..1706,
/// or A cannot be coded into coded.size() bits (polar sizes, short-block rank).
void encode_pucch_uci(const PucchConfig& pucch, const PucchUciBits& bits, std::span<bit_t> coded);

/// What the DMRS of a PUCCH says about whether it was sent: the share of the DMRS energy that
/// the channel model explains, Beta(groups, residual_dimensions) distributed on noise alone for a
/// model fixed in advance. A model with a fitted phase slope (a timing offset) explains more of
/// the noise: the threshold then takes the union bound over \p hypotheses models.
struct PucchDmrsEvidence {
  double share = 0.0;
  unsigned groups = 0;              ///< Fitted complex values (antennas x symbols x groups).
  unsigned residual_dimensions = 0; ///< Complex dimensions left to noise.
  unsigned hypotheses = 1;          ///< Models the share was chosen among.
};

/// Descrambles and decodes the UCI of a format 2, 3 or 4 PUCCH. Holds the polar decoder (which
/// keeps the codes it met) and the DMRS-gate thresholds; decode() does not allocate once a code
/// size was met.
class PucchUciDecoder {
public:
  /// Fills \p result from \p llrs (E_tot scrambled LLRs, positive for 0; descrambled in place).
  /// A DMRS gate comes first: \p dmrs.share must exceed what noise alone reaches with
  /// probability 10%, which divides the decoders' own false-alarm rates by ten (noise on the
  /// disjoint DMRS and data REs is independent). Short blocks (A <= 11): detected when the gate
  /// passes and the agreement of the decoded codeword passes uci_short_block_detected(), crc_ok
  /// = detected, the metric that agreement; where decoding cannot tell noise (too few coded
  /// bits) the gate alone decides, at 1%. Polar codes: detected = crc_ok = the gate passed and
  /// every CRC holds, metric 1 or 0. LLRs that are all 0 are never detected. Sets error (cleared),
  /// num_*_bits, bits, detected, crc_ok, detection_metric and sinr_db = \p sinr_db.
  /// \throws std::invalid_argument when llrs.size() is not pucch_uci_coded_bits(pucch).
  void decode(const PucchConfig& pucch, std::span<float> llrs, const PucchDmrsEvidence& dmrs,
              float sinr_db, PucchResult& result);

private:
  UciPolarDecoder polar_decoder_;
  PucchDtxThresholds thresholds_;
  std::array<bit_t, pucch_max_uci_coded_bits> scrambling_{};
};

} // namespace airan::phy
