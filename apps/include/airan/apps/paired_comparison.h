/// \file
/// \brief Paired comparison of two receivers on the same slots: `airan eval` runs every receiver
/// on identical slots (channel, noise and TB from the slot's seed), so the slots where exactly
/// one of two receivers failed say which is better far more sharply than two separate BLER
/// intervals (the slots where both fail or both pass carry no information about the difference).
/// The exact two-sided sign test (McNemar's exact test) turns the two discordant counts into a
/// p-value; approximate when the points stopped at their target errors (the receiver that
/// stopped first has exactly the target on the shared slots).
///
/// Over a sweep the slot is the unit: slot s is the same channel, TB and noise (only scaled) at
/// every SNR point, so a slot where one receiver fails and the other decodes tends to stay so at
/// the neighbouring points, and counting it once per point would count one observation many
/// times (the p-value far too small with closely spaced points). The sweep test takes per slot
/// the points where only a failed less those where only b failed, and counts the slots where
/// that is positive against those where it is negative.
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
  /// The slots (indices, the same slot at every SNR point) counted in only_this_failed and in
  /// only_other_failed, ascending: what the sweep test pairs across points.
  std::vector<std::uint64_t> only_this_failed_slots;
  std::vector<std::uint64_t> only_other_failed_slots;
};

/// log10 of the two-sided p-value of the exact sign test: the probability, if either receiver
/// were as likely as the other to be the one that fails on a discordant slot, of a split at
/// least as uneven as \p only_a_failed against \p only_b_failed. 0 (p = 1) when there is no
/// discordant slot; finite however lopsided the split (p itself underflows below 1e-308).
double sign_test_log10_p_value(std::uint64_t only_a_failed, std::uint64_t only_b_failed);

/// 10^sign_test_log10_p_value(): 0 when that underflows.
double sign_test_p_value(std::uint64_t only_a_failed, std::uint64_t only_b_failed);

/// Receivers a and b over every simulated SNR point of a sweep, each slot once.
struct PairedSweep {
  std::string a;
  std::string b;
  std::uint64_t common_slots = 0;  ///< Distinct slots both ran at one point at least.
  std::uint64_t a_worse_slots = 0; ///< Slots where only a failed at more points than only b.
  std::uint64_t b_worse_slots = 0; ///< Slots where only b failed at more points than only a.
  // Descriptive sums over the points (a slot counts once per point):
  std::uint64_t slot_points = 0;   ///< Common slots summed over the points.
  std::uint64_t only_a_failed = 0; ///< Slot-points where only a failed.
  std::uint64_t only_b_failed = 0; ///< Slot-points where only b failed.
  double log10_p_value = 0.0;      ///< sign_test_log10_p_value(a_worse_slots, b_worse_slots).
  double p_value = 1.0;            ///< 10^log10_p_value (0 when that underflows).
};

/// Receiver \p a's paired outcomes against receiver \p b (indices into \p receivers, the run's
/// receivers in order; EvaluationPoint::paired is indexed the same way) over \p points: the
/// sums, and per slot the net count of points where only one of them failed.
PairedSweep paired_over_sweep(std::span<const EvaluationPoint> points,
                              std::span<const std::string> receivers, std::size_t a, std::size_t b);

/// paired_over_sweep() for every two receivers a < b, in order.
std::vector<PairedSweep> paired_sweeps(std::span<const EvaluationPoint> points,
                                       std::span<const std::string> receivers);

} // namespace airan::apps
