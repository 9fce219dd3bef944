/// \file
/// \brief The test MAC: plays the L2 side of FAPI against the L1 from a LaunchPattern, and checks
/// every indication it gets back against the TBs it had transmitted.
///
/// It sends PARAM, CONFIG (the pattern's cell) and START; then, on each SLOT.indication, the
/// slot's UL_TTI.request (the UEs the pattern schedules there: a pending HARQ retransmission
/// first, with NDI 0 and the next rv of the sequence, else a new TB with NDI 1 and rv 0), and
/// the slot's received signal (UplinkSignalGenerator: each UE's transmitter and channel, summed,
/// plus noise) into the L1's InMemoryIqSource ("file path"; a fronthaul source replaces it).
/// Each SLOT.indication after the session's first must be the slot after the previous one.
/// Each CRC.indication entry must name a PDU of its slot (handle, RNTI, HARQ id), each passed CRC
/// must come with the TB's exact bytes in RX_DATA.indication, each TB must be delivered once,
/// within harq.max_transmissions; anything else is a mismatch. A UE whose PUSCH carries UCI
/// (pusch.uci) sends random HARQ-ACK / CSI bits each transmission; the UCI.indication that
/// follows the slot's CRC.indication must report each of them (handle, RNTI, parts and lengths),
/// its payloads counted right or wrong. CONFIG.request carries the CSI part 2 size maps of every
/// UE (PatternUe::csi_part2_size_maps, numbered UE after UE); a UE whose CSI part 2 is sized from
/// part 1 sends the part 2 size its random part 1 gives (its PDU says csiPart2BitLength 0xFFFF),
/// and the part 2 reported must have that size unless part 1 came back wrong or not decoded. With a
/// PRACH (LaunchPattern::prach), CONFIG.request carries its TLVs, each PRACH slot's UL_TTI.request
/// a PRACH PDU, the PRACH UEs' preambles go into the slots' time-domain IQ (UplinkPrachSignal), and
/// each RACH.indication PDU must answer an occasion asked for; its preambles are scored against
/// those sent.
///
/// The session starts wherever the L1's clock does (SFN 0, or the slot on air on a live
/// fronthaul's timeline): the pattern's slots (num_slots, drain_slots, each UE's period_slots and
/// offset_slots, the PRACH's) count from the first slot the MAC schedules, which is
/// TestMacOptions::slot_ahead slots after the session's first SLOT.indication; UL_TTI.requests,
/// samples and the checks of the indications use the L1's (SFN, slot).
#pragma once

#include "airan/io/fapi_transport.h"
#include "airan/io/fronthaul_config.h"
#include "airan/l1/fronthaul_sample_feeder.h"
#include "airan/l1/iq_source.h"
#include "airan/l1/l1_counters.h"
#include "airan/l1/launch_pattern.h"
#include "airan/l1/slot_clock.h"
#include "airan/phy/pusch_detector.h"
#include "airan/phy/pusch_receiver.h"

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace airan::l1 {

/// Which FAPI transport connects the test MAC and the L1.
enum class TransportKind : std::uint8_t { udp, shm };

/// Parses "udp" or "shm". \throws std::invalid_argument.
TransportKind parse_transport_kind(const std::string& text);
const char* transport_kind_name(TransportKind kind);

/// How the test MAC runs.
struct TestMacOptions {
  TransportKind transport = TransportKind::udp;
  SlotClockMode clock = SlotClockMode::stepped;
  double period_scale = 1.0; ///< real_time clock: slot period multiplier.
  /// On SLOT.indication of slot n the MAC schedules slot n + slot_ahead (its UL_TTI.request and
  /// its samples), as a real MAC does, so that the L1's C-plane and an O-RU's timed U-plane can
  /// go out before the slot is on air. Real-time clock only (the stepped clock waits for each
  /// slot's samples); at most FapiPhyConfig::max_advance_slots (8).
  unsigned slot_ahead = 0;
  /// The air timeline of a live fronthaul. In-process L1 (run_test_mac_session()): its slot
  /// clock counts from the timeline's epoch (FapiPhyConfig::slot_timeline; real-time clock, the
  /// timeline's scale period_scale). Against an L1 in another process
  /// (run_test_mac_external()): the emulated O-RU sends each frame at its time on it.
  std::optional<io::AirTimeline> slot_timeline;
  std::ostream* log = nullptr; ///< Per-slot lines and the summary (nullptr: silent).
  bool per_slot_lines = true;
  /// Fronthaul between the MAC's signal and the L1: each slot goes through an emulated O-RU as
  /// O-RAN U-plane frames into the DU's slot assembler (FronthaulSampleFeeder). nullopt: the
  /// samples go straight into the L1's source.
  std::optional<io::FronthaulConfig> fronthaul;
  /// With fronthaul: the L1 sends uplink C-plane per UL_TTI.request and the RU sends only the
  /// requested sections.
  bool fronthaul_cplane = false;
  /// Send a UL_TTI.request every slot, an empty one when nothing is scheduled (an L1 in another
  /// process behind an O-RU on C-plane steps its clock on them: the O-RU sends nothing for a
  /// slot it was asked nothing of). Set by run_test_mac_external() with C-plane.
  bool ul_tti_every_slot = false;
  /// The L1's receiver: front-end options (estimation, equalizer) and, when set, a detector
  /// that replaces the front end (neural receiver, CUDA front end).
  phy::PuschFrontEndOptions front_end;
  phy::PuschDetectorFactory detector;
  /// The detector is a device copy of the CPU front end with front_end (the CUDA front end):
  /// the L1 announces and takes DFT-s-OFDM, which that detector deprecodes.
  bool detector_mirrors_front_end = false;
  /// The detector hands a UCI PDU's LLRs to the host (UlSlotProcessorConfig::detector_takes_uci).
  bool detector_takes_uci = false;
  /// When set, the receivers' LDPC decoding runs on batch decoders from it (CUDA).
  phy::LdpcBatchDecoderFactory ldpc_decoder;
  /// When set, the receivers' UL-SCH decoders come from it (CUDA; see
  /// phy::PuschReceiverConfig::ulsch_decoder).
  phy::UlschDecoderFactory ulsch_decoder;
  /// The run fails when the L1 sends nothing for this long.
  std::chrono::milliseconds silence_timeout{10000};
  /// The largest share of a control channel's decoding outcomes that may be wrong before the
  /// run fails (judge_decoding()): 1% by default, TS 38.104's level for PUCCH ACK missed
  /// detection and PRACH missed detection; 1 judges nothing. TBs are not under it: every lost TB
  /// is a mismatch.
  double decode_error_budget = 0.01;
};

/// Where an L1 in another process (`airan l1`) serves its MAC.
struct ExternalL1 {
  TransportKind transport = TransportKind::udp;
  std::string address = "127.0.0.1"; ///< UDP: the L1's IPv4 address.
  std::uint16_t port = 0;            ///< UDP: its port.
  std::string shm_name;              ///< Shared memory: the segment the L1 created.
};

/// Parses "udp:ADDRESS:PORT" or "shm:NAME". \throws std::invalid_argument.
ExternalL1 parse_external_l1(const std::string& text);

/// What a run found.
struct TestMacReport {
  std::uint64_t slots = 0; ///< SLOT.indications handled (each one's slot scheduled).
  /// The (SFN, slot) of the session's first SLOT.indication (nullopt: none came).
  std::optional<FapiSlotAddress> first_slot;
  /// SLOT.indications after the first that were not the slot after the previous one (SFN wrap
  /// counted on): a gap (the slots between never indicated, so never scheduled), a repeat or a
  /// jump back (not scheduled). Each is a mismatch.
  std::uint64_t slot_indications_out_of_sequence = 0;
  std::uint64_t pdus_sent = 0;     ///< PUSCH PDUs in UL_TTI.requests.
  std::uint64_t uci_only_sent = 0; ///< Of them, PUSCHs without UL-SCH (UCI only, no CRC owed).
  std::uint64_t new_tbs = 0;
  std::uint64_t retransmissions = 0;
  std::uint64_t crc_ok = 0;
  std::uint64_t crc_failed = 0;
  std::uint64_t first_transmissions_failed = 0;
  std::uint64_t recovered_by_harq = 0; ///< TBs delivered after a failed first transmission.
  std::uint64_t tbs_delivered = 0;     ///< Correct bytes, once.
  std::uint64_t tbs_lost = 0;          ///< Failed max_transmissions times.
  /// Failed, and still owed a retransmission when scheduling stopped (counted a mismatch).
  std::uint64_t tbs_unfinished = 0;
  std::uint64_t error_indications = 0;
  /// UCI.indication PDUs (PUSCHs with UCI), and their payloads decoded right, decoded wrong (a
  /// decoding error, not a protocol fault) and reported failed (PDU not decoded).
  std::uint64_t uci_reports = 0;
  std::uint64_t uci_payloads_ok = 0;
  std::uint64_t uci_payloads_wrong = 0;
  std::uint64_t uci_payloads_failed = 0;
  /// CSI part 2 sized from CSI part 1: UCI.indication PDUs by the part 2 length (bits) they
  /// reported, where it was the size the UE sent (what its part 1 gave).
  std::map<unsigned, std::uint64_t> csi_part2_sized_lengths;
  /// PUCCH PDUs sent (UCI drawn, the UE transmitting or, on an SR occasion with a negative SR,
  /// silent), their UCI.indication PDUs, and those that came back as sent (bits, SR, DTX for
  /// silence), missed (DTX or a failed CRC for a PUCCH sent) or wrong (other bits, or a PUCCH
  /// detected that was not sent): decoding outcomes, not protocol faults.
  std::uint64_t pucch_sent = 0;
  std::uint64_t pucch_reports = 0;
  std::uint64_t pucch_ok = 0;
  std::uint64_t pucch_missed = 0;
  std::uint64_t pucch_wrong = 0;
  /// PRACH: PDUs sent (one per PRACH slot), the occasions they asked for, and the RACH.indication
  /// PDUs that answered one. The preambles the UEs sent end up detected (reported in their
  /// occasion with a TimingAdvance within tolerance: at least the round-trip delay less one T_A
  /// unit, at most the delay plus the channel's last path plus one unit), with a wrong TA (outside
  /// it) or missed: sent = detected + wrong TA + missed. False: reported, not sent. Decoding
  /// outcomes, not protocol faults (an occasion without its RACH.indication PDU, or one the L1
  /// failed, is a mismatch).
  std::uint64_t prach_pdus = 0;
  std::uint64_t prach_occasions = 0;
  std::uint64_t prach_reports = 0;
  std::uint64_t preambles_sent = 0;
  std::uint64_t preambles_detected = 0;
  std::uint64_t preambles_wrong_ta = 0;
  std::uint64_t preambles_missed = 0;
  std::uint64_t preambles_false = 0;
  /// Largest |TimingAdvance - delay / unit| of the preambles reported in their occasion, in T_A
  /// units of 16 * 64 T_c / 2^mu (the channel's later paths count in it).
  double prach_ta_error_max = 0.0;
  /// SRS: PDUs sent and the SRS.indication PDUs that answered them with measurements; of those,
  /// the ones whose TimingAdvance is outside [31 - 1, 31 + the channel's last path in T_A units
  /// + 1] (a decoding outcome), the largest |TimingAdvance - 31| and the sum of the WideBandSNRs
  /// in dB (printed as their mean, not judged). An SRS without its PDU, or one reported
  /// unmeasured or with RB SNRs off its PRBs, is a mismatch.
  std::uint64_t srs_sent = 0;
  std::uint64_t srs_reports = 0;
  std::uint64_t srs_wrong_ta = 0;
  double srs_ta_error_max = 0.0;
  double srs_snr_db_sum = 0.0;
  /// CRC.indications with a valid RSSI, the sum of their RSSI in dB (dBFS), and those at the
  /// field's ceiling (0 dBFS: clamped, the signal's level unknown).
  std::uint64_t rssi_reports = 0;
  double rssi_db_sum = 0.0;
  std::uint64_t rssi_at_ceiling = 0;
  std::uint64_t mismatches = 0;              ///< Every fault found (lost TBs included).
  std::vector<std::string> mismatch_details; ///< The first few, as text.
  /// Control channels whose decoding outcomes were wrong more often than
  /// TestMacOptions::decode_error_budget allows, one line each (judge_decoding()).
  std::vector<std::string> decode_shortfalls;
  LatencySummary l1_latency;  ///< L1: last sample of a slot -> its CRC.indication handed over.
  LatencySummary mac_latency; ///< Last sample of a slot -> its CRC.indication decoded by the MAC.
  L1Counters l1;              ///< The L1's counters at the end (in-process L1 only).
  bool external_l1 = false;   ///< The L1 ran in another process (its counters are its own).
  FronthaulFeederCounters fronthaul;      ///< With fronthaul: RU and C-plane totals.
  io::FronthaulCounters fronthaul_ingest; ///< With fronthaul: the slot assembler's counters.
  std::uint64_t cplane_frames_sent = 0;   ///< With C-plane: frames the L1 sent.
  /// With C-plane, in-process L1: slots and PRACH occasions whose C-plane the L1 could not build
  /// (FronthaulCplaneSender::slots_failed() + prach_failed()).
  std::uint64_t cplane_build_failures = 0;
  /// In-process session: each end's FAPI transport counters (units dropped on arrival,
  /// sequence gaps) at the end.
  io::FapiTransportCounters l1_transport;
  io::FapiTransportCounters mac_transport; ///< See l1_transport.

  /// No mismatch, no control channel over its decoding error budget, and something checked:
  /// TBs delivered, or (without PUSCH PDUs carrying a TB) PUSCH UCI payloads right, PUCCH, RACH
  /// or SRS reports.
  [[nodiscard]] bool passed() const {
    return mismatches == 0 && decode_shortfalls.empty() &&
           (tbs_delivered > 0 ||
            (pdus_sent == uci_only_sent &&
             uci_payloads_ok + pucch_reports + prach_reports + srs_reports > 0));
  }
  /// Mean WideBandSNR of the SRS reports, dB (NaN without any).
  [[nodiscard]] double mean_srs_snr_db() const {
    return srs_reports > 0 ? srs_snr_db_sum / static_cast<double>(srs_reports)
                           : std::numeric_limits<double>::quiet_NaN();
  }
  /// Mean RSSI of the CRC.indications, dB (NaN without any).
  [[nodiscard]] double mean_rssi_db() const {
    return rssi_reports > 0 ? rssi_db_sum / static_cast<double>(rssi_reports)
                            : std::numeric_limits<double>::quiet_NaN();
  }
};

/// Fills \p report's decode_shortfalls: each control channel whose wrong outcomes exceed
/// \p budget (a share, 0 .. 1) of its outcomes: PUSCH UCI payloads wrong or not decoded of those
/// reported; PUCCH PDUs missed or wrong of those sent; preambles missed, with a wrong TA or false
/// of those sent and false; SRS reports with a wrong TA of those reported. run_test_mac() calls
/// it with TestMacOptions::decode_error_budget.
void judge_decoding(TestMacReport& report, double budget);

/// Adds to \p report the faults that the counters of an in-process session show, each a
/// mismatch, with a line per kind (run_test_mac_session() calls it once the L1 has stopped):
/// with fronthaul, slots without C-plane, C-plane the L1 could not build (cplane_build_failures),
/// C-plane frames ignored, malformed U-plane frames, PRACH requests the O-RU refused and PRACH
/// sections of no occasion; PRACH occasions the L1 failed or refused; and indications the L1's
/// transport refused (L1Counters::send_failures: lost, never retried).
void judge_session_counters(TestMacReport& report);

/// As judge_session_counters() for a session against an L1 in another process
/// (run_test_mac_external(); the L1's own counters are its own): the emulated O-RU's slots
/// without C-plane, C-plane frames ignored, PRACH requests refused (the occasion fails in the L1,
/// which still reports it, empty) and U-plane frames the link dropped.
void judge_external_counters(TestMacReport& report);

/// \throws std::invalid_argument when \p options' slot_ahead cannot be run: above 8, or above 0
/// with the stepped clock.
void check_slot_ahead(const TestMacOptions& options);

/// The MAC end: drives \p transport (connected to an L1) and fills \p samples (the L1's source).
/// \throws PatternError / std::invalid_argument for a pattern the simulation cannot run, or
/// check_slot_ahead()'s.
TestMacReport run_test_mac(const LaunchPattern& pattern, io::FapiTransport& transport,
                           SlotSampleWriter& samples, const TestMacOptions& options);

/// A whole session in this process: the L1 (FapiPhy) on its own thread, the test MAC on this
/// one, connected by options.transport (loopback UDP or a fresh shared-memory segment).
/// \throws std::invalid_argument as run_test_mac(), and for a slot_timeline without the
/// real-time clock or with a scale other than period_scale.
TestMacReport run_test_mac_session(const LaunchPattern& pattern, const TestMacOptions& options);

/// \throws std::invalid_argument when run_test_mac_external() cannot run \p pattern with
/// \p options (see there).
void check_test_mac_external(const LaunchPattern& pattern, const TestMacOptions& options);

/// A session against an L1 in another process: FAPI to \p l1, each slot's samples through an
/// emulated O-RU (options.fronthaul, whole slots, no C-plane) as U-plane frames over \p link,
/// paced on options.slot_timeline when set (FronthaulSampleFeeder; every frame is on the link
/// before this returns).
/// \throws std::invalid_argument without options.fronthaul, with C-plane, or with a PRACH over
/// 7.2x (its section type 3 requests need C-plane); io::FapiTransportError when the transport
/// cannot be opened.
TestMacReport run_test_mac_external(const LaunchPattern& pattern, const TestMacOptions& options,
                                    const ExternalL1& l1, FronthaulFrameLink& link);

/// Writes the summary of \p report (counts, mismatches, latencies) to \p out.
void print_test_mac_summary(const TestMacReport& report, const LaunchPattern& pattern,
                            const TestMacOptions& options, std::ostream& out);

} // namespace airan::l1
