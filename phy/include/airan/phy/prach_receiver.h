/// \file
/// \brief PrachReceiver: the PRACH occasions of a carrier from its time-domain samples, slot by
/// slot. An occasion may span several slots (formats 1 and 2 always; format 0 above 15 kHz): its
/// samples are gathered as the slots arrive and it is detected once its last sample is in.
#pragma once

#include "airan/phy/prach_detector.h"
#include "airan/phy/prach_modulator.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace airan::phy {

/// A detected (or failed) occasion.
struct PrachOccasionResult {
  std::uint64_t tag = 0;          ///< What add_occasion() was given (e.g. a FAPI handle).
  std::uint64_t start_slot = 0;   ///< Absolute slot in which the occasion starts.
  PrachConfig config;             ///< The occasion's configuration.
  std::string error;              ///< Empty when detected; else why not (samples missing).
  PrachDetectionResult detection; ///< When error is empty.
};

/// One occasion's PRACH as an O-RAN 7.2x O-RU delivers it (a section type 3 stream): per receive
/// antenna and sequence period, num_res REs of the PRACH spacing, RE 0 first_bin subcarriers from
/// DC; the occasion's L_RA subcarriers lie somewhere inside.
struct PrachSubcarrierSection {
  unsigned num_antennas = 0;
  unsigned num_periods = 0;
  unsigned num_res = 0;
  int first_bin = 0;
  /// [antenna][period][RE].
  std::span<const cf32> values;
  /// PRBs of the section that never arrived (left zero): the occasion fails.
  unsigned missing_prbs = 0;
};

/// Sizes and options of a PrachReceiver.
struct PrachReceiverConfig {
  unsigned num_rx_antennas = 1;
  unsigned max_pending_occasions = 8; ///< Occasions gathered at once; more are refused.
  PrachDetectorOptions detector;
};

/// Receives the PRACH occasions of one carrier, from its time-domain slots (process_slot()) or
/// from an O-RU's PRACH sections (process_subcarriers(), fail_ended_before()). A detector is made
/// the first time its format, spacing, root and N_CS are seen (the occasions of every PRB and
/// start symbol share it), a demodulator the first time a configuration's time-domain samples
/// are, sample buffers when a longer occasion comes; all are reused after. Not thread-safe.
class PrachReceiver {
public:
  /// \throws std::invalid_argument for no antenna or no pending occasion.
  PrachReceiver(const Numerology& numerology, unsigned num_prbs, const PrachReceiverConfig& config);
  ~PrachReceiver();
  PrachReceiver(const PrachReceiver&) = delete;
  PrachReceiver& operator=(const PrachReceiver&) = delete;

  /// Registers an occasion of \p config that starts in absolute slot \p absolute_slot (a slot
  /// count that only grows; its position in the frame is absolute_slot mod slots per frame).
  /// Returns why it is refused (invalid configuration, too many pending, a slot already fed),
  /// or an empty string.
  [[nodiscard]] std::string add_occasion(const PrachConfig& config, std::uint64_t absolute_slot,
                                         std::uint64_t tag);

  /// Feeds absolute slot \p absolute_slot's samples, num_rx_antennas blocks of
  /// Numerology::slot_length() samples one after the other, or an empty span when the slot had
  /// no samples (its occasions fail). Occasions whose last sample has arrived (or that lost one)
  /// are appended to \p completed.
  /// \throws std::invalid_argument when \p iq has another size.
  void process_slot(std::uint64_t absolute_slot, std::span<const cf32> iq,
                    std::vector<PrachOccasionResult>& completed);

  /// Takes the subcarriers of pending occasion \p tag from an O-RU's PRACH section instead of
  /// time-domain samples, detects it and appends it to \p completed (failed when the section
  /// does not hold its subcarriers or has PRBs missing). Returns false when no occasion \p tag
  /// is pending (nothing appended).
  bool process_subcarriers(std::uint64_t tag, const PrachSubcarrierSection& section,
                           std::vector<PrachOccasionResult>& completed);

  /// Fails (with \p reason) every pending occasion whose last sample lies in a slot before
  /// absolute slot \p absolute_slot: its subcarriers never came.
  void fail_ended_before(std::uint64_t absolute_slot, std::string_view reason,
                         std::vector<PrachOccasionResult>& completed);

  /// Occasions waiting for samples.
  [[nodiscard]] unsigned num_pending() const;

  /// Empties \p completed, keeping its results' buffers for the next occasions (each detected
  /// occasion's preamble list was a new allocation, freed when the caller cleared it).
  void recycle(std::vector<PrachOccasionResult>& completed);

  /// Drops every pending occasion and forgets the slots fed: the slot count starts again (the
  /// cell restarts). Detectors and buffers are kept.
  void reset();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::phy
