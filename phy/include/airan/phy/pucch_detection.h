/// \file
/// \brief Discontinuous-transmission (DTX) detection shared by the PUCCH format 0 and format 1
/// detectors: the share of the received energy that the best hypothesis explains, against a
/// threshold set for a false-alarm probability on noise alone.
///
/// Each observation block b (one receive antenna and one hop) holds D_b complex REs; a
/// hypothesis is one unit direction s_b per block, the channel one unknown complex gain per
/// block. The statistic X = sum_b |<y_b, s_b>|^2 / sum_b |y_b|^2 is, on white Gaussian noise
/// alone, Beta(K, sum_b (D_b - 1)) distributed for K blocks, whatever the noise level.
#pragma once

#include "airan/phy/pucch_config.h"

#include <array>

namespace airan::phy {

/// P(X > t) for X ~ Beta(a, b), integer a, b >= 1: the probability that noise alone puts more
/// than the share \p t of its energy on a given direction.
double beta_tail_probability(unsigned a, unsigned b, double t);

/// The smallest share t with num_hypotheses * P(X > t) <= \p false_alarm, X ~ Beta(a, b) (a
/// union bound over the hypotheses tested): X above t is told from noise.
/// \throws std::invalid_argument when a or b is 0 or false_alarm is not in (0, 1).
double pucch_energy_share_threshold(unsigned a, unsigned b, unsigned num_hypotheses,
                                    double false_alarm);

/// The false-alarm probability of the PUCCH DTX decision: TS 38.104 8.3 requires a DTX-to-ACK
/// probability of at most 1%.
inline constexpr double pucch_false_alarm_probability = 0.01;

/// pucch_energy_share_threshold() at pucch_false_alarm_probability, remembered for the last
/// few shapes asked for (a receiver meets few), so that a detection does not search each time.
/// Does not allocate. Not thread-safe.
class PucchDtxThresholds {
public:
  /// The threshold for \p a blocks, \p b noise dimensions and \p num_hypotheses at
  /// \p false_alarm (pucch_false_alarm_probability by default).
  double get(unsigned a, unsigned b, unsigned num_hypotheses,
             double false_alarm = pucch_false_alarm_probability);

private:
  struct Entry {
    unsigned a = 0;
    unsigned b = 0;
    unsigned hypotheses = 0;
    double false_alarm = 0.0;
    double threshold = 0.0;
  };
  static constexpr unsigned capacity = 16;
  std::array<Entry, capacity> entries_{};
  unsigned next_ = 0; ///< The entry replaced next (round robin).
};

/// SINR (dB) of a detected hypothesis: \p best the energy on its directions summed over \p
/// blocks blocks (\p res REs in all), \p noise_energy the energy on \p noise_dims dimensions
/// that carry noise only; -30 dB when nothing stands out from the noise.
float pucch_sinr_db(double best, double noise_energy, unsigned noise_dims, unsigned blocks,
                    unsigned res);

/// True when PUCCHs \p a and \p b of format 0 or 1 occupy the same REs with the same base
/// sequences (format, CRB - BWP start plus PRB, whatever BWP each is described in - symbols,
/// hopping and hopping identity): UEs multiplexed by their cyclic shifts and (format 1) cover
/// codes, orthogonal over a channel flat in the PRB and the hop. PDUs that overlap only in part
/// (other symbols, or format 0 beside format 1) are not: their energy counts as noise.
bool pucch_shares_resource(const PucchConfig& a, const PucchConfig& b);

/// The DTX decision of a format 0 or 1 detector. The received energy E of the PDU's REs splits
/// into the directions of every PUCCH multiplexed there (the PDU's own and its neighbours') and
/// their complement, noise only whoever transmits; the statistic best / (best + complement) is
/// Beta(blocks, noise_dims) on noise alone, so a strong neighbour does not hide a weak UE.
struct PucchEnergyDecision {
  double best = 0.0;       ///< Energy on the best hypothesis's directions.
  double complement = 0.0; ///< Energy outside every multiplexed PUCCH's directions.
  unsigned noise_dims = 0; ///< Dimensions of that complement.
  unsigned blocks = 0;     ///< Receive antennas x hops.
  unsigned res = 0;        ///< REs of the PDU over all antennas.
  unsigned hypotheses = 1;
};

/// Fills \p result's detected, crc_ok, detection_metric and sinr_db from \p decision (and resets
/// the rest of it, with the PDU's part sizes).
void decide_pucch(const PucchEnergyDecision& decision, const PucchConfig& pucch,
                  PucchDtxThresholds& thresholds, PucchResult& result);

} // namespace airan::phy
