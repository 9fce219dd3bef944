/// \file
/// \brief The test MAC's judgement of the control channels' decoding outcomes (judge_decoding()):
/// a share of wrong outcomes above the budget fails the run, as a lost TB does; and of the
/// faults the L1's, the O-RU's and the fronthaul's counters show at the end of a session
/// (judge_session_counters(), judge_external_counters()).
#include "airan/l1/test_mac.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace airan::l1 {

namespace {

/// One channel's outcomes: \p wrong of \p outcomes, described by \p what ("PUCCH PDUs missed
/// or wrong").
struct ChannelOutcomes {
  const char* what;
  std::uint64_t wrong;
  std::uint64_t outcomes;
};

} // namespace

void judge_decoding(TestMacReport& report, double budget) {
  if (!(budget >= 0.0 && budget <= 1.0)) {
    throw std::invalid_argument("test MAC: the decoding error budget must be 0 .. 1, not " +
                                std::to_string(budget));
  }
  const TestMacReport& r = report;
  const std::array<ChannelOutcomes, 4> channels{{
      {"PUSCH UCI payloads wrong or not decoded", r.uci_payloads_wrong + r.uci_payloads_failed,
       r.uci_payloads_ok + r.uci_payloads_wrong + r.uci_payloads_failed},
      {"PUCCH PDUs missed or wrong", r.pucch_missed + r.pucch_wrong, r.pucch_sent},
      {"preambles missed, with a wrong TA or false",
       r.preambles_missed + r.preambles_wrong_ta + r.preambles_false,
       r.preambles_sent + r.preambles_false},
      {"SRS reports with a wrong TA", r.srs_wrong_ta, r.srs_reports},
  }};
  report.decode_shortfalls.clear();
  for (const ChannelOutcomes& channel : channels) {
    // A relative slack of 1e-9: a share exactly at the budget passes, also where budget x
    // outcomes rounds down (0.29 x 100 is 28.999999999999996).
    if (channel.wrong == 0 || static_cast<double>(channel.wrong) <=
                                  budget * static_cast<double>(channel.outcomes) * (1.0 + 1e-9)) {
      continue;
    }
    std::array<char, 160> line{};
    std::snprintf(line.data(), line.size(), "%s: %llu of %llu (%.2f%%, above the %.2f%% allowed)",
                  channel.what, static_cast<unsigned long long>(channel.wrong),
                  static_cast<unsigned long long>(channel.outcomes),
                  100.0 * static_cast<double>(channel.wrong) /
                      static_cast<double>(std::max<std::uint64_t>(channel.outcomes, 1)),
                  100.0 * budget);
    report.decode_shortfalls.emplace_back(line.data());
  }
}

void judge_session_counters(TestMacReport& report) {
  const auto& f = report.fronthaul;
  const std::uint64_t fronthaul_faults =
      f.cplane_missing + f.cplane_ignored + f.prach_refused + report.fronthaul_ingest.malformed() +
      report.l1.prach_sections_unmatched + report.cplane_build_failures;
  if (fronthaul_faults > 0) {
    report.mismatches += fronthaul_faults;
    report.mismatch_details.push_back(
        "fronthaul: " + std::to_string(f.cplane_missing) + " slot(s) without C-plane, " +
        std::to_string(report.cplane_build_failures) +
        " slot(s) or PRACH occasion(s) the L1 built no C-plane for, " +
        std::to_string(f.cplane_ignored) + " C-plane frame(s) ignored, " +
        std::to_string(report.fronthaul_ingest.malformed()) + " malformed U-plane frame(s), " +
        std::to_string(f.prach_refused) + " PRACH request(s) the O-RU refused, " +
        std::to_string(report.l1.prach_sections_unmatched) + " PRACH section(s) of no occasion");
  }
  if (const std::uint64_t lost = report.l1.prach_failed + report.l1.prach_refused; lost > 0) {
    // Every PRACH slot's samples went in: an occasion the L1 could not receive is a fault.
    report.mismatches += lost;
    report.mismatch_details.push_back("the L1 failed " + std::to_string(lost) +
                                      " PRACH occasion(s) (samples missing or no room)");
  }
  if (report.l1.send_failures > 0) {
    // The L1 drops what its transport refuses (only P5 responses are retried): a SLOT.indication
    // lost leaves a slot unscheduled, an RX_DATA lost turns its passed CRCs into failed ones.
    report.mismatches += report.l1.send_failures;
    report.mismatch_details.push_back("the L1's transport refused " +
                                      std::to_string(report.l1.send_failures) +
                                      " message(s) (send failures: lost)");
  }
}

void judge_external_counters(TestMacReport& report) {
  const auto& f = report.fronthaul;
  if (f.cplane_missing + f.cplane_ignored > 0) {
    report.mismatches += f.cplane_missing + f.cplane_ignored;
    report.mismatch_details.push_back("fronthaul: " + std::to_string(f.cplane_missing) +
                                      " slot(s) whose C-plane did not come (sent whole), " +
                                      std::to_string(f.cplane_ignored) +
                                      " C-plane frame(s) ignored");
  }
  if (f.prach_refused > 0) {
    // The occasion fails in the L1, which still reports it (without preambles): an occasion
    // without a preamble would pass as a clean report.
    report.mismatches += f.prach_refused;
    report.mismatch_details.push_back("fronthaul: " + std::to_string(f.prach_refused) +
                                      " PRACH request(s) the O-RU refused");
  }
  if (f.link_dropped > 0) {
    report.mismatches += f.link_dropped;
    report.mismatch_details.push_back("fronthaul: the link dropped " +
                                      std::to_string(f.link_dropped) +
                                      " U-plane frame(s) (their slots are counted as well)");
  }
}

} // namespace airan::l1
