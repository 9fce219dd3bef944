/// \file
/// \brief What the FAPI L1 counts: messages, errors by cause and by SCF error code, slots,
/// PDUs; and LatencySummary, percentiles of a set of latency samples.
#pragma once

#include "airan/io/fapi_types.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace airan::l1 {

/// Counters of a FapiPhy since construction (a snapshot).
struct L1Counters {
  std::uint64_t messages_received = 0;    ///< Messages decoded and dispatched.
  std::uint64_t undecodable_messages = 0; ///< Buffers or messages the codec refused.
  std::uint64_t unexpected_messages = 0;  ///< Valid messages a PHY never takes (indications...).
  std::uint64_t invalid_state = 0;        ///< Requests not allowed in the current state.
  std::uint64_t config_rejected = 0;      ///< CONFIG.requests answered with MSG_INVALID_CONFIG.
  /// DL_TTI, UL_DCI and TX_DATA.requests (a full-stack MAC's), ignored by this uplink L1: only
  /// the first of a session gets an ERROR.indication.
  std::uint64_t downlink_messages_ignored = 0;
  /// START.requests answered with SFN_OUT_OF_SYNC: a live clock's CLOCK_REALTIME before its
  /// fronthaul's epoch (not synchronised).
  std::uint64_t start_refused_unsynchronised = 0;
  std::uint64_t ul_tti_late = 0;      ///< UL_TTI.requests for a slot already over.
  std::uint64_t ul_tti_too_early = 0; ///< UL_TTI.requests too far ahead of the clock.
  std::uint64_t ul_tti_duplicate = 0; ///< A second UL_TTI.request for a slot.
  /// PUSCH, PUCCH, PRACH and SRS PDUs refused (invalid, unsupported).
  std::uint64_t pdus_rejected = 0;
  std::uint64_t slots_processed = 0; ///< Slots with PUSCH work run through the receiver.
  /// Slots with PUSCH, PUCCH or SRS but no samples (all CRCs fail, UCI and SRS reported failed).
  std::uint64_t slots_without_samples = 0;
  /// Stepped clock: slots that ended without their samples because a later slot's had been in
  /// the source for FapiPhyConfig::stepped_gap_timeout.
  std::uint64_t slots_passed_without_samples = 0;
  /// Slot samples that reached the IqSource after the L1 had closed their slot (refused or
  /// dropped, IqSource::num_late_samples(); they never hold up later slots).
  std::uint64_t late_samples = 0;
  /// PDUs of a type this L1 does not process (each message with any gets ERROR.indication
  /// MSG_SLOT_ERR): none since SRS PDUs are received (2026-12-06); kept for its readers.
  std::uint64_t pdus_unsupported = 0;
  /// PRACH occasions detected (RACH.indication PDUs with what was found), occasions that lost
  /// their time-domain samples or had no room in the PRACH receiver (RACH.indication PDUs without
  /// preambles; prach_refused counts the latter), preambles reported, RACH.indications sent.
  std::uint64_t prach_occasions = 0;
  std::uint64_t prach_failed = 0;
  std::uint64_t prach_refused = 0;
  std::uint64_t prach_preambles = 0;
  std::uint64_t rach_indications_sent = 0;
  /// 7.2x PRACH sections that answered no pending occasion (late, duplicated or unasked for).
  std::uint64_t prach_sections_unmatched = 0;
  std::uint64_t pdus_decoded = 0;
  std::uint64_t crc_ok = 0;
  std::uint64_t crc_failed = 0; ///< Includes rejected PDUs and PDUs without samples.
  /// UCI.indication PDUs sent: PUSCHs with UCI and PUCCHs (accepted or rejected).
  std::uint64_t uci_reports_sent = 0;
  std::uint64_t pucch_processed = 0; ///< PUCCH PDUs run through the PUCCH receiver.
  std::uint64_t pucch_dtx = 0;       ///< Of those, PUCCHs in which nothing was detected.
  std::uint64_t srs_processed = 0;   ///< SRS PDUs run through the SRS estimator.
  /// SRS.indication PDUs sent: one per SRS PDU (measured, rejected, without samples or in a
  /// refused request).
  std::uint64_t srs_reports_sent = 0;
  std::uint64_t slot_indications_sent = 0;
  std::uint64_t error_indications_sent = 0;
  std::uint64_t send_failures = 0; ///< Units the transport refused (after retries): lost.
  /// Decoded TBs whose RX_DATA.indication could not be sent: their CRC.indication reports them
  /// failed, so that the MAC retransmits (they are also in crc_ok).
  std::uint64_t tbs_undelivered = 0;
  /// HARQ buffers freed because their process stopped transmitting (UlSlotProcessorConfig::
  /// harq_expiry_ms), and TBs not decoded because every HARQ buffer was held.
  std::uint64_t harq_buffers_expired = 0;
  std::uint64_t harq_pool_exhausted = 0;
  std::uint64_t harq_buffers_in_use = 0; ///< HARQ buffers held after the last slot closed.
  std::uint64_t internal_errors = 0;     ///< Exceptions caught in the slot loop (PHY kept running).
  /// ERROR.indications and responses with an error, by SCF error code (index = code, 0 .. 8).
  std::array<std::uint64_t, 9> errors_by_code{};
};

/// Percentiles of latency samples, microseconds.
struct LatencySummary {
  std::size_t count = 0;
  double p50_us = 0;
  double p99_us = 0;
  double max_us = 0;
  double mean_us = 0;
};

/// Summary of \p samples_us (copied and sorted; empty: all zero).
LatencySummary summarize_latency(std::span<const double> samples_us);

/// "p50 123.4 us, p99 ..., max ... (n samples)".
std::string format_latency(const LatencySummary& summary);

} // namespace airan::l1
