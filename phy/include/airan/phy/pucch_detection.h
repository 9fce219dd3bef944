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

/// pucch_energy_share_threshold() at pucch_false_alarm_probability, remembered for the last
/// few shapes asked for (a receiver meets few), so that a detection does not search each time.
/// Does not allocate. Not thread-safe.
class PucchDtxThresholds {
public:
  /// The threshold for \p a blocks, \p b noise dimensions and \p num_hypotheses.
  double get(unsigned a, unsigned b, unsigned num_hypotheses);

private:
  struct Entry {
    unsigned a = 0;
    unsigned b = 0;
    unsigned hypotheses = 0;
    double threshold = 0.0;
  };
  static constexpr unsigned capacity = 16;
  std::array<Entry, capacity> entries_{};
  unsigned next_ = 0; ///< The entry replaced next (round robin).
};

/// The false-alarm probability of the PUCCH DTX decision: TS 38.104 8.3 requires a DTX-to-ACK
/// probability of at most 1%.
inline constexpr double pucch_false_alarm_probability = 0.01;

/// SINR (dB) of a detected hypothesis: \p best the energy on its directions summed over \p
/// blocks blocks, \p total the energy of all \p res REs. Noise per RE from the energy outside
/// the directions; -30 dB when nothing stands out from it.
float pucch_sinr_db(double best, double total, unsigned blocks, unsigned res);

} // namespace airan::phy
