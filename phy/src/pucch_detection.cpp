#include "airan/phy/pucch_detection.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace airan::phy {
namespace {

constexpr int bisection_steps = 40; // 1e-12 of the unit interval
constexpr float sinr_floor_db = -30.0F;
constexpr float sinr_ceiling_db = 99.0F;

} // namespace

double beta_tail_probability(unsigned a, unsigned b, double t) {
  if (t <= 0.0) {
    return 1.0;
  }
  if (t >= 1.0) {
    return 0.0;
  }
  // P(X > t) = P(Binomial(n, t) <= a - 1), n = a + b - 1 (integer a, b), summed in the log
  // domain: term_j = C(n, j) t^j (1 - t)^(n - j).
  const unsigned n = a + b - 1;
  const double log_t = std::log(t);
  const double log_1mt = std::log1p(-t);
  double log_term = static_cast<double>(n) * log_1mt; // j = 0
  double sum = std::exp(log_term);
  for (unsigned j = 1; j < a; ++j) {
    log_term += std::log(static_cast<double>(n - j + 1) / static_cast<double>(j)) + log_t - log_1mt;
    sum += std::exp(log_term);
  }
  return std::min(sum, 1.0);
}

double pucch_energy_share_threshold(unsigned a, unsigned b, unsigned num_hypotheses,
                                    double false_alarm) {
  if (a == 0 || b == 0 || num_hypotheses == 0 || !(false_alarm > 0.0 && false_alarm < 1.0)) {
    throw std::invalid_argument("pucch_energy_share_threshold: a, b and the hypotheses must be "
                                "positive and the false-alarm probability in (0, 1)");
  }
  const double target = false_alarm / num_hypotheses;
  double low = 0.0;
  double high = 1.0;
  for (int step = 0; step < bisection_steps; ++step) {
    const double mid = 0.5 * (low + high);
    (beta_tail_probability(a, b, mid) > target ? low : high) = mid;
  }
  return high;
}

double PucchDtxThresholds::get(unsigned a, unsigned b, unsigned num_hypotheses,
                               double false_alarm) {
  for (const Entry& entry : entries_) {
    if (entry.a == a && entry.b == b && entry.hypotheses == num_hypotheses &&
        entry.false_alarm == false_alarm) {
      return entry.threshold;
    }
  }
  Entry& entry = entries_[next_];
  next_ = (next_ + 1) % capacity;
  entry = {a, b, num_hypotheses, false_alarm,
           pucch_energy_share_threshold(a, b, num_hypotheses, false_alarm)};
  return entry.threshold;
}

float pucch_sinr_db(double best, double noise_energy, unsigned noise_dims, unsigned blocks,
                    unsigned res) {
  if (noise_dims == 0 || res == 0) {
    return sinr_floor_db;
  }
  const double noise = std::max(noise_energy, 0.0) / noise_dims;
  const double signal = (best - (blocks * noise)) / res;
  if (noise <= 0.0) {
    return signal > 0.0 ? sinr_ceiling_db : sinr_floor_db;
  }
  if (signal <= 0.0) {
    return sinr_floor_db;
  }
  return std::clamp(static_cast<float>(10.0 * std::log10(signal / noise)), sinr_floor_db,
                    sinr_ceiling_db);
}

bool pucch_shares_resource(const PucchConfig& a, const PucchConfig& b) {
  // PRBs compared as CRBs: two UEs whose BWPs start apart may sit on the same ones.
  return a.format == b.format && a.bwp_start + a.prb_start == b.bwp_start + b.prb_start &&
         a.num_prbs == b.num_prbs && a.start_symbol == b.start_symbol &&
         a.num_symbols == b.num_symbols && a.intra_slot_hopping == b.intra_slot_hopping &&
         (!a.intra_slot_hopping ||
          a.bwp_start + a.second_hop_prb == b.bwp_start + b.second_hop_prb) &&
         a.group_hopping == b.group_hopping && a.hopping_id == b.hopping_id;
}

void decide_pucch(const PucchEnergyDecision& decision, const PucchConfig& pucch,
                  PucchDtxThresholds& thresholds, PucchResult& result) {
  result = PucchResult{};
  result.num_harq_bits = pucch.harq_bits;
  result.num_sr_bits = pucch.sr_bits;
  const double denominator = decision.best + std::max(decision.complement, 0.0);
  result.detection_metric =
      denominator > 0.0 ? static_cast<float>(decision.best / denominator) : 0.0F;
  const double threshold =
      thresholds.get(decision.blocks, std::max(decision.noise_dims, 1U), decision.hypotheses);
  result.detected = result.detection_metric > threshold;
  result.crc_ok = result.detected;
  result.sinr_db = pucch_sinr_db(decision.best, decision.complement, decision.noise_dims,
                                 decision.blocks, decision.res);
}

} // namespace airan::phy
