/// \file
/// \brief Paired comparison of two receivers on the same slots: `airan eval` runs every receiver
/// on identical slots (channel, noise and TB from the slot's seed), so the slots where exactly
/// one of two receivers failed say which is better far more sharply than two separate BLER
/// intervals (the slots where both fail or both pass carry no information about the difference).
/// The exact two-sided sign test (McNemar's exact test) turns the two discordant counts into a
/// p-value; approximate when the points stopped at their target errors (the receiver that
/// stopped first has exactly the target on the shared slots).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace airan::apps {

struct EvaluationPoint;

/// One receiver against another at one SNR, on the slots both simulated.
struct PairedOutcome {
  std::uint64_t common_slots = 0;
  std::uint64_t only_this_failed = 0;  ///< This receiver failed, the other decoded.
  std::uint64_t only_other_failed = 0; ///< The other failed, this one decoded.
};

/// log10 of the two-sided p-value of the exact sign test: the probability, if either receiver
/// were as likely as the other to be the one that fails on a discordant slot, of a split at
/// least as uneven as \p only_a_failed against \p only_b_failed. 0 (p = 1) when there is no
/// discordant slot; finite however lopsided the split (p itself underflows below 1e-308).
double sign_test_log10_p_value(std::uint64_t only_a_failed, std::uint64_t only_b_failed);

/// 10^sign_test_log10_p_value(): 0 when that underflows.
double sign_test_p_value(std::uint64_t only_a_failed, std::uint64_t only_b_failed);

/// Receivers a and b summed over every simulated SNR point of a sweep.
struct PairedSweep {
  std::string a;
  std::string b;
  std::uint64_t common_slots = 0;
  std::uint64_t only_a_failed = 0;
  std::uint64_t only_b_failed = 0;
  double log10_p_value = 0.0; ///< sign_test_log10_p_value(only_a_failed, only_b_failed).
  double p_value = 1.0;       ///< 10^log10_p_value (0 when that underflows).
};

/// Sums receiver \p a's paired outcomes against receiver \p b (indices into \p receivers, the
/// run's receivers in order; EvaluationPoint::paired is indexed the same way) over \p points.
PairedSweep paired_over_sweep(std::span<const EvaluationPoint> points,
                              std::span<const std::string> receivers, std::size_t a, std::size_t b);

/// paired_over_sweep() for every two receivers a < b, in order.
std::vector<PairedSweep> paired_sweeps(std::span<const EvaluationPoint> points,
                                       std::span<const std::string> receivers);

} // namespace airan::apps
