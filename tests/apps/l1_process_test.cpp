// The L1 as a process of its own: `airan l1` serving `airan testmac --l1` over UDP or shared
// memory, the slots' samples over a DPDK net_memif link between the two processes (the O-RU end
// in the test MAC's process), and the refusals of both commands.
#include "l1_process_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace airan::test {
namespace {

TEST(L1Process, ServesOneTestMacAfterAnotherOverUdpWith72xSamplesOnAMemifLink) {
  const MemifLink link("udp");
  const std::string pattern = pattern_path("four_ue_harq");
  L1Process l1("--config " + pattern + " --mode 7.2x --comp bfp9 " + link.l1 +
                   " --bind 127.0.0.1:0",
               link.l1_prefix);
  const std::string endpoint = l1.endpoint();
  ASSERT_TRUE(endpoint.starts_with("udp:127.0.0.1:")) << l1.finish().output;
  // Two MACs one after the other, each from a port of its own: the L1 answers the second one's
  // fresh stream and restarts its slot count at SFN 0.
  const std::string mac_args = "testmac --pattern " + pattern +
                               " --slots 20 --quiet --fronthaul 7.2x --comp bfp9 --l1 " + endpoint +
                               " " + link.mac;
  for (int session = 1; session <= 2; ++session) {
    const RunResult mac = run_airan(mac_args);
    EXPECT_EQ(mac.status, 0) << "session " << session << ":\n" << mac.output;
    EXPECT_NE(mac.output.find("TBs delivered 70, lost 0"), std::string::npos) << mac.output;
    EXPECT_NE(mac.output.find("L1: in another process"), std::string::npos) << mac.output;
    EXPECT_NE(mac.output.find("dropped by the link 0"), std::string::npos) << mac.output;
    ASSERT_TRUE(l1.wait_for("session " + std::to_string(session) + " ended")) << l1.finish().output;
  }
  const RunResult served = l1.finish();
  EXPECT_EQ(served.status, 0) << served.output;
  // The L1's own account: every PDU of both sessions decoded there, every slot whole. Each MAC
  // sends 22 slots (20 and the 2 it answers while waiting for the last indications); those two,
  // which the L1 never needed, can be lost (whole, or part of it: dropped at STOP) when the
  // MAC's process exits, and memif's shared rings with it, before the L1 has read them, or
  // come after the L1 took the STOP (frames while no session runs: dropped).
  EXPECT_NE(served.output.find("PDUs decoded 160, CRC ok 140, CRC failed 20"), std::string::npos)
      << served.output;
  const std::regex whole("malformed 0, missing units [0-9]+; slots to the L1 4[0-4] \\(partial "
                         "0, refused 0, flushed after a quiet link 0, dropped at STOP [0-2]\\)");
  EXPECT_TRUE(std::regex_search(served.output, whole)) << served.output;
  EXPECT_NE(served.output.find("sessions 2, MACs lost 0"), std::string::npos) << served.output;
}

TEST(L1Process, OutlivesAKilledMacAndServesTheNextOverSharedMemoryWithTimeDomainAndPrach) {
  const MemifLink link("shm");
  const std::string pattern = pattern_path("prach");
  const std::string segment = "/airan_l1_test_" + std::to_string(::getpid());
  L1Process l1("--config " + pattern + " --mode time-domain --comp bfp14 " + link.l1 +
                   " --transport shm --shm " + segment + " --mac-timeout-ms 500",
               link.l1_prefix);
  ASSERT_EQ(l1.endpoint(), "shm:" + segment) << l1.finish().output;
  const std::string mac_args = "testmac --pattern " + pattern +
                               " --fronthaul time-domain --comp bfp14 --l1 shm:" + segment + " " +
                               link.mac;
  // A MAC killed in the middle of its session: the L1, left waiting for a slot that never
  // comes, starts afresh once it has heard nothing for 500 ms.
  FILE* doomed = ::popen((airan_binary + " " + mac_args + " --slots 100000 2>&1").c_str(), "r");
  ASSERT_NE(doomed, nullptr);
  std::string doomed_output; // per-slot lines: the session is under way
  const bool running = read_until(doomed, doomed_output, "slot     20", std::chrono::seconds(60));
  signal_airan("KILL", "testmac", link.mac_prefix);
  ::pclose(doomed);
  ASSERT_TRUE(running) << doomed_output;
  ASSERT_TRUE(l1.wait_for("starts afresh")) << l1.finish().output;
  // The next MAC gets a whole session: none of the dead one's indications, every preamble.
  const RunResult mac = run_airan(mac_args + " --quiet --slots 20");
  EXPECT_EQ(mac.status, 0) << mac.output;
  std::smatch match;
  const std::regex preambles("preambles sent ([0-9]+), detected ([0-9]+), missed 0");
  ASSERT_TRUE(std::regex_search(mac.output, match, preambles)) << mac.output;
  EXPECT_EQ(match[1], match[2]) << mac.output;
  EXPECT_GT(std::stoi(match[1]), 0) << mac.output;
  ASSERT_TRUE(l1.wait_for("session 1 ended")) << l1.finish().output;
  const RunResult served = l1.finish();
  EXPECT_EQ(served.status, 0) << served.output;
  EXPECT_NE(served.output.find("sessions 1, MACs lost 1"), std::string::npos) << served.output;
}

TEST(L1Process, RefusesAMacWhoseCarrierIsNotTheFronthaulsAndServesTheNext) {
  const MemifLink link("cfg");
  // The L1 is set up for four_ue_harq's 2 receive antennas; this pattern has 4.
  L1Process l1("--config " + pattern_path("four_ue_harq") + " --mode 7.2x " + link.l1,
               link.l1_prefix);
  const std::string endpoint = l1.endpoint();
  ASSERT_FALSE(endpoint.empty()) << l1.finish().output;
  const RunResult wrong =
      run_airan("testmac --pattern " + pattern_path("cdl_cross_polarized") +
                " --slots 4 --quiet --fronthaul 7.2x --l1 " + endpoint + " " + link.mac);
  EXPECT_EQ(wrong.status, 2) << wrong.output;
  EXPECT_NE(wrong.output.find("the L1 refused the cell: MSG_INVALID_CONFIG"), std::string::npos)
      << wrong.output;
  // The L1 is still there, and serves the right MAC (a fresh stream from another port).
  const RunResult right =
      run_airan("testmac --pattern " + pattern_path("four_ue_harq") +
                " --slots 8 --quiet --fronthaul 7.2x --l1 " + endpoint + " " + link.mac);
  EXPECT_EQ(right.status, 0) << right.output;
  ASSERT_TRUE(l1.wait_for("session 1 ended")) << l1.finish().output;
  const RunResult served = l1.finish();
  EXPECT_EQ(served.status, 0) << served.output;
  EXPECT_NE(served.output.find("CONFIGs refused 1"), std::string::npos) << served.output;
  EXPECT_NE(served.output.find("sessions 1, MACs lost 0"), std::string::npos) << served.output;
}

// C-plane across the processes: `airan l1 --cplane` sends each UL_TTI.request's section type 1
// and 3 messages on the link, the test MAC's O-RU sends only what they ask for, and the L1's
// receiver takes a slot as whole once that is in, and a slot it asked nothing of as empty. Three
// MACs: the PUCCH pattern (PUSCH beside PUCCHs of formats 0-4 with hops: many sections a slot),
// the four UEs of four_ue_harq scheduled every fourth slot only (three slots in four empty), and
// PRACH format 0 over 7.2x.
TEST(L1Process, SendsItsCplaneOnTheLinkAndTheOruSendsOnlyWhatItAskedFor) {
  const MemifLink link("cplane");
  const std::string pucch = pattern_path("pucch");
  const auto sparse = scratch_dir("cplane") / "sparse.yaml";
  {
    std::ifstream in(pattern_path("four_ue_harq"));
    std::stringstream text;
    text << in.rdbuf();
    std::ofstream(sparse) << std::regex_replace(text.str(), std::regex("period_slots: 1\\b"),
                                                "period_slots: 4");
  }
  L1Process l1("--config " + pucch + " --mode 7.2x --comp bfp9 --cplane " + link.l1 +
                   " --bind 127.0.0.1:0",
               link.l1_prefix);
  const std::string endpoint = l1.endpoint();
  ASSERT_TRUE(endpoint.starts_with("udp:127.0.0.1:")) << l1.finish().output;
  const RunResult first =
      run_airan("testmac --pattern " + pucch + " --slots 20 --quiet --fronthaul 7.2x --comp bfp9 " +
                "--cplane --l1 " + endpoint + " " + link.mac);
  EXPECT_EQ(first.status, 0) << first.output;
  EXPECT_NE(first.output.find("PUCCH sent 190, reported 190: right 190"), std::string::npos)
      << first.output;
  EXPECT_NE(first.output.find("TBs delivered 20, lost 0"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("(ignored 0, slots without 0)"), std::string::npos) << first.output;
  ASSERT_TRUE(l1.wait_for("session 1 ended")) << l1.finish().output;
  // The sparse pattern's carrier is not the PUCCH pattern's: it gets an L1 of its own.
  const RunResult served_pucch = l1.finish();
  EXPECT_NE(served_pucch.output.find("the port dropped 0;"), std::string::npos)
      << served_pucch.output;
  EXPECT_NE(served_pucch.output.find("requested slots 20, unserved 0"), std::string::npos)
      << served_pucch.output;
  EXPECT_NE(served_pucch.output.find("missing units 0; slots to the L1 20 (partial 0, refused 0"),
            std::string::npos)
      << served_pucch.output;

  const MemifLink link2("cplane2");
  L1Process l1_sparse("--config " + sparse.string() + " --mode 7.2x --comp bfp9 --cplane " +
                          link2.l1 + " --bind 127.0.0.1:0",
                      link2.l1_prefix);
  const std::string endpoint2 = l1_sparse.endpoint();
  ASSERT_TRUE(endpoint2.starts_with("udp:127.0.0.1:")) << l1_sparse.finish().output;
  const RunResult second = run_airan("testmac --pattern " + sparse.string() +
                                     " --slots 40 --quiet --fronthaul 7.2x --comp bfp9 --cplane "
                                     "--l1 " +
                                     endpoint2 + " " + link2.mac);
  EXPECT_EQ(second.status, 0) << second.output;
  EXPECT_NE(second.output.find("TBs delivered 35, lost 0"), std::string::npos) << second.output;
  ASSERT_TRUE(l1_sparse.wait_for("session 1 ended")) << l1_sparse.finish().output;
  // The same carrier's next MAC: PRACH format 0 over 7.2x, the L1's type 3 requests across the
  // link and the O-RU's PRACH stream back (every preamble detected with its TA).
  const RunResult prach = run_airan("testmac --pattern " + pattern_path("prach") +
                                    " --slots 40 --quiet --fronthaul 7.2x --comp bfp9 --cplane "
                                    "--l1 " +
                                    endpoint2 + " " + link2.mac);
  EXPECT_EQ(prach.status, 0) << prach.output;
  EXPECT_NE(prach.output.find("preambles sent 30, detected 30, missed 0, wrong TA 0, false 0"),
            std::string::npos)
      << prach.output;
  ASSERT_TRUE(l1_sparse.wait_for("session 2 ended")) << l1_sparse.finish().output;
  const RunResult served_sparse = l1_sparse.finish();
  EXPECT_NE(served_sparse.output.find("PRACH: occasions 10, failed 0, preambles 30, sections "
                                      "unmatched 0"),
            std::string::npos)
      << served_sparse.output;
  EXPECT_NE(served_sparse.output.find("PRACH over 7.2x: occasions to the L1 10 (dropped 0)"),
            std::string::npos)
      << served_sparse.output;
  EXPECT_NE(served_sparse.output.find("PDUs decoded 80"), std::string::npos) // and PRACH's 40
      << served_sparse.output;
  // Sparse: slots 0, 4, .., 36 asked for; the others (and the one or two the MAC answers while
  // it waits for the last indications) asked nothing of. PRACH: 40 slots of PUSCH.
  EXPECT_TRUE(std::regex_search(
      served_sparse.output,
      std::regex(R"(requested slots 50, unserved 0\), slots asked nothing of 3[1-4], lost 0\n)")))
      << served_sparse.output;
  EXPECT_NE(served_sparse.output.find("slots to the L1 50 (partial 0, refused 0"),
            std::string::npos)
      << served_sparse.output;
}

TEST(L1Process, CommandLineRefusals) {
  const std::string pattern = pattern_path("four_ue_harq");
  const RunResult no_port = run_airan("l1 --config " + pattern + " --mode 7.2x");
  EXPECT_EQ(no_port.status, 2) << no_port.output;
  EXPECT_NE(no_port.output.find("give its DPDK port"), std::string::npos) << no_port.output;
  const RunResult no_cell =
      run_airan("l1 --config " + (repo_root() / "README.md").string() + " --dpdk net_null0");
  EXPECT_EQ(no_cell.status, 2) << no_cell.output;
  const RunResult bad_address =
      run_airan("testmac --pattern " + pattern + " --fronthaul 7.2x --l1 tcp:1.2.3.4 --dpdk x");
  EXPECT_EQ(bad_address.status, 2) << bad_address.output;
  EXPECT_NE(bad_address.output.find("expected udp:ADDRESS:PORT"), std::string::npos)
      << bad_address.output;
  const RunResult no_link =
      run_airan("testmac --pattern " + pattern + " --fronthaul 7.2x --l1 udp:127.0.0.1:9");
  EXPECT_EQ(no_link.status, 2) << no_link.output;
  EXPECT_NE(no_link.output.find("needs the fronthaul link's DPDK port"), std::string::npos)
      << no_link.output;
  const RunResult cplane = run_airan("testmac --pattern " + pattern +
                                     " --fronthaul time-domain --cplane --l1 udp:127.0.0.1:9 "
                                     "--dpdk net_null0");
  EXPECT_EQ(cplane.status, 2) << cplane.output;
  EXPECT_NE(cplane.output.find("C-plane needs --fronthaul 7.2x"), std::string::npos)
      << cplane.output;
  // In-process too: refused before the first slot (the emulated O-RU selects PRBs).
  const RunResult in_process_cplane =
      run_airan("testmac --pattern " + pattern + " --fronthaul time-domain --cplane --slots 4");
  EXPECT_EQ(in_process_cplane.status, 2) << in_process_cplane.output;
  EXPECT_NE(in_process_cplane.output.find("C-plane needs 7.2x"), std::string::npos)
      << in_process_cplane.output;
  const RunResult prach_without_cplane =
      run_airan("testmac --pattern " + pattern_path("prach") +
                " --fronthaul 7.2x --l1 udp:127.0.0.1:9 --dpdk net_null0");
  EXPECT_EQ(prach_without_cplane.status, 2) << prach_without_cplane.output;
  EXPECT_NE(prach_without_cplane.output.find("PRACH over 7.2x needs --cplane"), std::string::npos)
      << prach_without_cplane.output;
  const RunResult l1_cplane =
      run_airan("l1 --config " + pattern + " --mode time-domain --cplane --dpdk net_null0");
  EXPECT_EQ(l1_cplane.status, 2) << l1_cplane.output;
  EXPECT_NE(l1_cplane.output.find("--cplane needs the 7.2x fronthaul"), std::string::npos)
      << l1_cplane.output;
  // A carrier file whose FFT (the O-RU's sample rate) cannot hold the carrier's 288 subcarriers.
  std::ifstream in(pattern);
  std::stringstream text;
  text << in.rdbuf();
  std::string narrow = text.str();
  const std::size_t prbs = narrow.find("  num_prbs: 24");
  ASSERT_NE(prbs, std::string::npos);
  narrow.insert(prbs, "  fft_size: 256\n");
  const auto file = scratch_dir("l1_fft") / "narrow.yaml";
  std::ofstream(file) << narrow;
  const RunResult small_fft =
      run_airan("l1 --config " + file.string() + " --mode time-domain --dpdk net_null0");
  EXPECT_EQ(small_fft.status, 2) << small_fft.output;
  EXPECT_NE(small_fft.output.find("FFT size 256 is below the carrier's 288 subcarriers"),
            std::string::npos)
      << small_fft.output;
}

} // namespace
} // namespace airan::test
