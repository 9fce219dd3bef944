/// \file
/// \brief UL-SCH transport-block channel coding (TS 38.212 6.2): TB CRC, code block segmentation
/// and CB CRC, LDPC encoding, rate matching with bit interleaving, code block concatenation.
#pragma once

#include "airan/phy/ldpc_base_graph.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace airan::phy {

/// Parameters of the channel coding of one UL-SCH transport block.
struct UlschCodingConfig {
  std::uint32_t tbs = 0;         ///< Transport block size A in bits (before the TB CRC).
  double target_code_rate = 0.0; ///< R, used for base graph selection (TS 38.212 6.2.2).
  unsigned modulation_order = 2; ///< Q_m: bits per modulation symbol.
  unsigned num_layers = 1;       ///< N_L: transmission layers of the codeword.
  unsigned rv = 0;               ///< Redundancy version 0..3.
  std::uint32_t g = 0;           ///< G: coded bits available for the codeword.
  std::uint32_t tbs_lbrm = 0;    ///< TBS_LBRM for limited buffer rate matching; 0 disables it.
  /// The LDPC base graph when it is not target_code_rate's: the initial transmission's, which
  /// its retransmissions keep whatever their own MCS (TS 38.212 6.2.2).
  std::optional<LdpcBaseGraph> base_graph;
};

/// The coding parameters of \p pusch's transport block of \p tbs bits into \p g coded bits
/// (R from the MCS, Q_m, layers, rv, TBS_LBRM, the base graph when PuschConfig::ldpc_base_graph
/// sets one): what the transmitter encodes with and the receiver decodes with.
UlschCodingConfig ulsch_coding_config(const PuschConfig& pusch, std::uint32_t tbs, std::uint32_t g);

/// Encodes one transport block into its rate-matched codeword (before scrambling).
class UlschEncoder {
public:
  virtual ~UlschEncoder() = default;

  /// \param tb_bits  \c cfg.tbs transport block bits, one bit per byte.
  /// \param cfg      Coding parameters.
  /// \param codeword Output, \c cfg.g bits, one bit per byte.
  /// \throws std::invalid_argument when sizes or parameters are inconsistent.
  virtual void encode(std::span<const bit_t> tb_bits, const UlschCodingConfig& cfg,
                      std::span<bit_t> codeword) = 0;
};

/// Creates the default UL-SCH encoder (best implementation for this CPU).
std::unique_ptr<UlschEncoder> create_ulsch_encoder();

} // namespace airan::phy
