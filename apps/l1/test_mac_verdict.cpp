/// \file
/// \brief The test MAC's judgement of the control channels' decoding outcomes (judge_decoding()):
/// a share of wrong outcomes above the budget fails the run, as a lost TB does.
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

} // namespace airan::l1
