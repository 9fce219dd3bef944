// The L1 as a process of its own on the live clock (`airan l1 --clock real-time`): its slots on
// CLOCK_REALTIME numbered from GPS time, `airan testmac --l1 --clock real-time` scheduling two
// slots ahead and its O-RU sending each symbol's frames at their air time over a memif link
// (with C-plane, each message in the window of its first symbol at both ends),
// both 40 times slower than the air interface (80 under the sanitizers). Its own program, run
// serially (AIRAN_TESTS_IN_REAL_TIME): a test beside it could hold either process back past a slot.
#include "../support/sanitizer_sweeps.h"
#include "l1_process_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <utility>

namespace airan::test {
namespace {

/// The SFN the MAC's summary says its first slot had ("slots N from SFN S.T").
int first_sfn(const std::string& output) {
  std::smatch match;
  return std::regex_search(output, match, std::regex(R"(from SFN ([0-9]+)\.([0-9]+))"))
             ? std::stoi(match[1].str())
             : -1;
}

/// The two numbers \p pattern's groups match in \p output ({-1, -1} when it does not match).
std::pair<long, long> two_counts(const std::string& output, const std::string& pattern) {
  std::smatch match;
  if (!std::regex_search(output, match, std::regex(pattern))) {
    return {-1, -1};
  }
  return {std::stol(match[1].str()), std::stol(match[2].str())};
}

/// The emulated O-RU's count of the C-plane against its T2a window in the MAC's \p output: some
/// on time, none early or unclassified, and at most one in ten late.
void expect_oru_cplane_in_window(const std::string& output) {
  const auto [on_time, late] =
      two_counts(output, "messages on time ([0-9]+), early 0, late ([0-9]+), unclassified 0;");
  EXPECT_GT(on_time, 0) << output;
  EXPECT_GE(late, 0) << output;
  EXPECT_LE(10 * late, on_time) << output;
}

/// `airan l1` on the live clock, 40 times slower than the air interface, serving over UDP with
/// a memif link, and the arguments of `airan testmac --l1` against it; \p extra (e.g.
/// " --cplane") on both.
struct LiveL1Pair {
  /// \p l1_config: the L1's --config (the pattern when empty); \p pattern_file: the MAC's
  /// pattern (the 4-UE one when empty); \p slower: a further slow-down for a pattern whose
  /// slots take the test MAC longer to generate.
  LiveL1Pair(const std::string& tag, const std::string& extra, const std::string& l1_config = {},
             const std::string& pattern_file = {}, unsigned slower = 1)
      : link(tag), flags(extra), mac_pattern(pattern_file.empty() ? pattern() : pattern_file),
        scale(slower), l1("--config " + (l1_config.empty() ? mac_pattern : l1_config) +
                              " --mode 7.2x --comp bfp9" + extra + " " + link.l1 +
                              " --bind 127.0.0.1:0" + live(slower),
                          link.l1_prefix),
        endpoint(l1.endpoint()) {}
  /// The pattern for 30 slots.
  [[nodiscard]] std::string mac_args() const {
    return "testmac --pattern " + mac_pattern + " --slots 30 --quiet --fronthaul 7.2x --comp bfp9" +
           flags + " --l1 " + endpoint + " " + link.mac + live(scale);
  }
  /// 40 times slower than the air interface; 80 in the sanitizer tree, whose two processes run
  /// several times slower (on CI's two cores they need that room to keep up with the slots);
  /// \p slower times that.
  static std::string live(unsigned slower = 1) {
    return " --clock real-time --period-scale " +
           std::to_string((built_with_sanitizers ? 80 : 40) * slower);
  }
  static std::string pattern() { return pattern_path("four_ue_harq"); }

  MemifLink link;
  std::string flags;
  std::string mac_pattern;
  unsigned scale = 1; ///< The further slow-down.
  L1Process l1;
  std::string endpoint; ///< Empty when the L1 did not start.
};

TEST(L1LiveProcess, SlotsOnGpsTimeWithAPacedOruEveryTbDeliveredNothingLate) {
  LiveL1Pair pair("live", "");
  L1Process& l1 = pair.l1;
  ASSERT_TRUE(pair.endpoint.starts_with("udp:127.0.0.1:")) << l1.finish().output;
  EXPECT_TRUE(l1.wait_for("live clock, slots from GPS time")) << l1.finish().output;
  // Two sessions: the second starts where GPS time is then, not at SFN 0.
  const std::string mac_args = pair.mac_args();
  int sfn_before = -1;
  for (int session = 1; session <= 2; ++session) {
    const RunResult mac = run_airan(mac_args);
    EXPECT_EQ(mac.status, 0) << "session " << session << ":\n" << mac.output;
    EXPECT_NE(mac.output.find("PASS: 0 mismatch(es)"), std::string::npos) << mac.output;
    EXPECT_NE(mac.output.find("(each scheduled 2 ahead)"), std::string::npos) << mac.output;
    EXPECT_NE(mac.output.find("lost 0, unfinished 0, ERROR.indications 0"), std::string::npos)
        << mac.output;
    EXPECT_NE(mac.output.find("dropped by the link 0"), std::string::npos) << mac.output;
    // 40 (or 80) x 0.5 ms slots: a session (about 35 slots and the set-up) moves the SFN on by
    // one frame or more, so the second session's first SFN differs from the first's (modulo 1024).
    const int sfn = first_sfn(mac.output);
    ASSERT_GE(sfn, 0) << mac.output;
    if (sfn_before >= 0) {
      EXPECT_NE(sfn, sfn_before) << mac.output;
    }
    sfn_before = sfn;
    ASSERT_TRUE(l1.wait_for("session " + std::to_string(session) + " ended")) << l1.finish().output;
  }
  const RunResult served = l1.finish();
  EXPECT_EQ(served.status, 0) << served.output;
  // The L1's account: nothing late (samples or UL_TTI.requests), no slot partial or refused.
  EXPECT_NE(served.output.find("errors sent 0, send failures 0, late samples 0"), std::string::npos)
      << served.output;
  const std::regex whole("malformed 0, missing units [0-9]+; slots to the L1 [0-9]+ \\(partial "
                         "0, refused 0, flushed after a quiet link 0");
  EXPECT_TRUE(std::regex_search(served.output, whole)) << served.output;
  EXPECT_NE(served.output.find("sessions 2, MACs lost 0"), std::string::npos) << served.output;
}

/// One MAC session against \p pair's L1 with C-plane on the default windows: the MAC passes, the
/// O-RU got C-plane for every slot with work and counted it in its T2a windows, the L1 sent every
/// message in its T1a window and handed every slot over whole. Returns the MAC's and the L1's
/// output.
std::pair<std::string, std::string> cplane_session(LiveL1Pair& pair) {
  L1Process& l1 = pair.l1;
  EXPECT_TRUE(pair.endpoint.starts_with("udp:127.0.0.1:")) << l1.finish().output;
  if (!pair.endpoint.starts_with("udp:127.0.0.1:")) {
    return {};
  }
  const RunResult mac = run_airan(pair.mac_args());
  EXPECT_EQ(mac.status, 0) << mac.output;
  EXPECT_NE(mac.output.find("PASS: 0 mismatch(es)"), std::string::npos) << mac.output;
  EXPECT_NE(mac.output.find("(ignored 0, slots without 0)"), std::string::npos) << mac.output;
  expect_oru_cplane_in_window(mac.output);
  EXPECT_TRUE(l1.wait_for("session 1 ended")) << l1.finish().output;
  const RunResult served = l1.finish();
  EXPECT_TRUE(
      std::regex_search(served.output, std::regex("messages sent on time [1-9][0-9]*, late 0")))
      << served.output;
  const std::regex whole("slots to the L1 [0-9]+ \\(partial 0, refused 0");
  EXPECT_TRUE(std::regex_search(served.output, whole)) << served.output;
  return {mac.output, served.output};
}

TEST(L1LiveProcess, WithCplaneTheOruSendsOnlyWhatWasAskedForAheadOfTheSlot) {
  // The L1 sent each C-plane message in its T1a window (500 .. 285 us before its first symbol,
  // slowed down with the slots), not when the MAC's UL_TTI.request came two slots ahead: no
  // message reached the O-RU (which reads the link on a thread of its own) before its T2a window
  // (500 .. 125 us) opened, and hardly any after it closed (only a machine that held the O-RU's
  // thread back for most of a 15 ms window could).
  LiveL1Pair pair("livecp", " --cplane");
  const auto [mac, served] = cplane_session(pair);
  EXPECT_NE(served.find("errors sent 0, send failures 0, late samples 0"), std::string::npos)
      << served;
  // Every requested slot served: none handed over as lost at its deadline.
  const std::regex served_all("requested slots [0-9]+, unserved 0\\), slots asked nothing of "
                              "[0-9]+, lost 0");
  EXPECT_TRUE(std::regex_search(served, served_all)) << served;
}

TEST(L1LiveProcess, WithCplaneEachMessageLeavesInItsFirstSymbolsWindowAndEveryPucchIsServed) {
  // The PUCCH pattern: PUSCH and PUCCH formats 3/4 from symbol 0, format 1's second hop from
  // symbol 7, formats 0 and 2 on symbols 12-13: C-plane messages for symbols 0, 7 and 12 of a
  // slot. Each leaves in its own first symbol's window (one for symbol 12 leaving with symbol
  // 0's would reach the O-RU 430 us before its window opened, early), and the O-RU takes each
  // symbol's C-plane when that symbol's window closes: every PUCCH is reported, none missed.
  // Eleven UEs a slot: the test MAC takes about 1.6 times as long per slot as for the 4-UE
  // pattern (0.66 s for 200 slots stepped, release), and under the sanitizers on CI's two cores
  // it fell behind at 80 x once (UL_TTI.requests late): three times slower still.
  LiveL1Pair pair("livecpsym", " --cplane", {}, pattern_path("pucch"), 3);
  const auto [mac, served] = cplane_session(pair);
  EXPECT_TRUE(std::regex_search(
      mac, std::regex("PUCCH sent ([1-9][0-9]*), reported \\1: right [0-9]+, missed 0")))
      << mac;
}

TEST(L1LiveProcess, ACplaneWindowThatClosedBeforeTheMacScheduledMakesItLateAndTheOruSeesItEarly) {
  // T1a 2 ms .. 2 ms before a message's first symbol (four 0.5 ms slots): the window has closed
  // when the MAC's UL_TTI.request comes two slots ahead, so the L1 sends at once and counts the
  // message late; the O-RU, whose window opens 0.5 ms before the symbol, counts the messages
  // early. (The window the other tests run with is what keeps these at 0.) Not every one: the
  // first slots of a session may be scheduled with less lead, and a window of no width is met
  // once in a while.
  const auto config = scratch_dir("livecpwin") / "l1.yaml";
  {
    std::ofstream out(config);
    out << std::ifstream(LiveL1Pair::pattern()).rdbuf()
        << "\nfronthaul:\n  t1a_max_cp_ul_ns: 2000000\n  t1a_min_cp_ul_ns: 2000000\n";
  }
  LiveL1Pair pair("livecpwin", " --cplane", config.string());
  L1Process& l1 = pair.l1;
  ASSERT_TRUE(pair.endpoint.starts_with("udp:127.0.0.1:")) << l1.finish().output;
  const RunResult mac = run_airan(pair.mac_args());
  EXPECT_EQ(mac.status, 0) << mac.output; // served all the same
  const auto [on_time, early] = two_counts(mac.output, "messages on time ([0-9]+), early ([0-9]+)");
  EXPECT_GT(early, 0) << mac.output;
  EXPECT_GE(early, 9 * on_time) << mac.output; // nine in ten early at least
  ASSERT_TRUE(l1.wait_for("session 1 ended")) << l1.finish().output;
  const RunResult served = l1.finish();
  EXPECT_NE(served.output.find("T1a_max_cp_ul 2000 us .. T1a_min_cp_ul 2000 us"), std::string::npos)
      << served.output;
  const auto [sent_on_time, sent_late] =
      two_counts(served.output, "messages sent on time ([0-9]+), late ([0-9]+)");
  EXPECT_GT(sent_late, 0) << served.output;
  EXPECT_GE(sent_late, 9 * sent_on_time) << served.output;
}

} // namespace
} // namespace airan::test
