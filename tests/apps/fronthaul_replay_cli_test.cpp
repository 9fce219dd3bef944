// RU emulator -> pcap -> DPDK (net_pcap) -> slot assembler -> receiver, through the CLI: for
// 7.2x and time-domain fronthaul and for no compression, BFP9 and BFP14 the replay decodes
// every TB that the committed vector expects to decode, with the vector's bits. The emulator's
// capture is also read by Wireshark's dissectors (tshark), which must see every PRB of every
// antenna and symbol of every slot exactly once.
#include "../support/run_airan.h"
#include "../support/tshark_fields.h"
#include "fronthaul_replay_cli_support.h"
#include "two_ue_config.h"

#include "airan/io/cplane_timing_window.h"
#include "airan/io/pcap_file.h"
#include "airan/io/test_vector_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

namespace airan::test {
namespace {

struct Case {
  std::string mode;
  std::string comp;
};

// NOLINTNEXTLINE(readability-identifier-naming): GoogleTest's customisation point
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.mode << "/" << c.comp;
}

// The emulator answers C-plane requests with PRBs: with time-domain IQ it refuses them at once.
TEST(FronthaulReplayCli, RuEmulatorRefusesCplaneWithTimeDomainIq) {
  const auto pcap = (scratch_dir("ru_td_cplane") / "out.pcap").string();
  const auto result = run_airan("ru-emulator --vector " + vector_path() + " --pcap " + pcap +
                                " --mode time-domain --cplane " + vector_path()); // refused unread
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("--cplane needs 7.2x"), std::string::npos) << result.output;
}

class FronthaulReplay : public ::testing::TestWithParam<Case> {};

TEST_P(FronthaulReplay, EmulatorCaptureDecodesThroughDpdk) {
  const auto& c = GetParam();
  const auto dir = scratch_dir("fh_" + c.mode + "_" + c.comp);
  const auto pcap = (dir / "uplane.pcap").string();
  const std::string link = " --mode " + c.mode + " --comp " + c.comp;
  const auto emulate =
      run_airan("ru-emulator --vector " + vector_path() + " --pcap " + pcap + link);
  ASSERT_EQ(emulate.status, 0) << emulate.output;

  const auto replay = run_airan("replay " + pcap + " --config " + two_ue_config + " --vector " +
                                vector_path() + link + " --file-prefix fhtest");
  EXPECT_EQ(replay.status, 0) << replay.output;
  const auto [decoded, expected] = expected_counts(replay.output);
  EXPECT_EQ(expected, vector_expected_good()) << replay.output;
  EXPECT_EQ(decoded, expected) << replay.output;
  EXPECT_NE(replay.output.find("0 malformed, 0 missing unit(s), 0 sequence gap(s)"),
            std::string::npos)
      << replay.output;
  EXPECT_NE(replay.output.find("(0 partial)"), std::string::npos) << replay.output;
}

INSTANTIATE_TEST_SUITE_P(ModesAndCompression, FronthaulReplay,
                         ::testing::Values(Case{"7.2x", "none"}, Case{"7.2x", "bfp9"},
                                           Case{"7.2x", "bfp14"}, Case{"time-domain", "none"},
                                           Case{"time-domain", "bfp9"},
                                           Case{"time-domain", "bfp14"}),
                         [](const auto& info) {
                           return (info.param.mode == "7.2x" ? std::string("FrequencyDomain")
                                                             : std::string("TimeDomain")) +
                                  "_" + info.param.comp;
                         });

// DPDK's net_pcap device string splits at ',' and '=' and refuses a space: a capture whose name
// holds them goes in through a link with a plain name (before, such a name failed with a
// misleading error, and a ",tx_pcap=FILE" in it made the driver overwrite FILE).
TEST(FronthaulReplayCli, ACaptureNameWithDeviceStringCharactersReplaysThroughDpdk) {
  const auto dir = scratch_dir("fh_odd_name");
  const auto plain = dir / "uplane.pcap";
  ASSERT_EQ(run_airan("ru-emulator --vector " + vector_path() + " --pcap " + plain.string()).status,
            0);
  const auto victim = dir / "victim.pcap";
  std::ofstream(victim) << "not a capture";
  const auto odd = dir / ("run=1,tx_pcap=" + victim.string().substr(1) + " x.pcap");
  std::filesystem::create_directories(odd.parent_path());
  std::filesystem::copy_file(plain, odd, std::filesystem::copy_options::overwrite_existing);
  const auto replay = run_airan("replay '" + odd.string() + "' --config " + two_ue_config +
                                " --vector " + vector_path() + " --file-prefix fhodd");
  EXPECT_EQ(replay.status, 0) << replay.output;
  EXPECT_EQ(expected_counts(replay.output).first, vector_expected_good()) << replay.output;
  std::ifstream kept(victim);
  const std::string content((std::istreambuf_iterator<char>(kept)), {});
  EXPECT_EQ(content, "not a capture");
  // Nor is the EAL's runtime directory left behind (it stays empty without telemetry).
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  for (const std::string& base :
       {std::string("/var/run/dpdk"), std::string("/tmp/dpdk"),
        std::string(runtime != nullptr ? runtime : "/nonexistent") + "/dpdk"}) {
    EXPECT_FALSE(std::filesystem::exists(base + "/fhodd")) << base;
  }
}

TEST(FronthaulReplayCli, PcapReaderPathAgreesWithDpdk) {
  const auto dir = scratch_dir("fh_nodpdk");
  const auto pcap = (dir / "uplane.pcap").string();
  ASSERT_EQ(run_airan("ru-emulator --vector " + vector_path() + " --pcap " + pcap).status, 0);
  const auto direct = run_airan("replay -q " + pcap + " --config " + two_ue_config + " --vector " +
                                vector_path() + " --no-dpdk");
  EXPECT_EQ(direct.status, 0) << direct.output;
  EXPECT_EQ(expected_counts(direct.output).first, vector_expected_good()) << direct.output;
}

// A capture holding only some of the vector's slots fails the replay: the missing slots' TBs
// were never checked (it passed with "0/0"-style totals of what did come).
TEST(FronthaulReplayCli, VectorSlotsMissingFromTheCaptureFailTheReplay) {
  const auto dir = scratch_dir("fh_missing");
  const auto four = (dir / "four.h5").string();
  const auto two = (dir / "two.h5").string();
  const std::string gen = "gen --config " + two_ue_config + " --snr 25 --seed 5 --slots ";
  ASSERT_EQ(run_airan(gen + "4 -o " + four).status, 0);
  ASSERT_EQ(run_airan(gen + "2 -o " + two).status, 0);
  const auto pcap = (dir / "two.pcap").string();
  ASSERT_EQ(run_airan("ru-emulator --vector " + two + " --pcap " + pcap).status, 0);
  const std::string replay = "replay -q " + pcap + " --config " + two_ue_config + " --no-dpdk";
  const auto whole = run_airan(replay + " --vector " + two);
  EXPECT_EQ(whole.status, 0) << whole.output;
  const auto part = run_airan(replay + " --vector " + four);
  EXPECT_EQ(part.status, 1) << part.output;
  EXPECT_NE(part.output.find("2 of the vector's 4 slot(s) are not in the capture -> FAIL"),
            std::string::npos)
      << part.output;
}

TEST(FronthaulReplayCli, BadOptionsAreClearErrors) {
  auto result =
      run_airan("ru-emulator --vector " + vector_path() + " --pcap /tmp/x.pcap --comp bfp17");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("bfp17"), std::string::npos) << result.output;
  result = run_airan("ru-emulator --vector " + vector_path());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("--pcap"), std::string::npos) << result.output;
  const auto dir = scratch_dir("fh_bad");
  const auto pcap = (dir / "u.pcap").string();
  ASSERT_EQ(run_airan("ru-emulator --vector " + vector_path() + " --pcap " + pcap).status, 0);
  result = run_airan("replay " + pcap);
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("--config"), std::string::npos) << result.output;
  // An output that is an input is refused before it is opened (the vector was truncated), and
  // timeline factors that are not numbers in range are refused (NaN passed "< 1").
  const auto copy = (dir / "v.h5").string();
  std::filesystem::copy_file(vector_path(), copy);
  result = run_airan("cplane --vector " + copy + " --pcap " + copy);
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("is one of the inputs"), std::string::npos) << result.output;
  result = run_airan("ru-emulator --vector " + copy + " --pcap " + copy);
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("is one of the inputs"), std::string::npos) << result.output;
  EXPECT_EQ(std::filesystem::file_size(copy), std::filesystem::file_size(vector_path()));
  for (const char* bad : {"--time-scale nan", "--time-scale 0.5", "--lead-ms -1", "--ahead-slots 0",
                          "--ahead-slots 65537"}) {
    std::string command = "ru-emulator --vector " + copy;
    command += " --pcap ";
    command += pcap;
    command += ' ';
    command += bad;
    result = run_airan(command);
    EXPECT_EQ(result.status, 2) << bad << ": " << result.output;
  }
  // Live on a configured clock (the DU's too), the timeline cannot also be stretched: refused
  // before the EAL starts.
  const auto gps = dir / "gps.yaml";
  std::ofstream(gps) << "fronthaul:\n  epoch_ns: gps\n";
  result = run_airan("ru-emulator --vector " + copy + " --config " + gps.string() +
                     " --vdev net_af_packet0,iface=airan-none --time-scale 20");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("--time-scale with the fronthaul's epoch_ns"), std::string::npos)
      << result.output;
}

TEST(FronthaulReplayCli, WiresharkSeesEveryPrbOfEverySymbolOnce) {
  if (!have_tshark()) {
    GTEST_SKIP() << "tshark is not installed";
  }
  const auto dir = scratch_dir("fh_tshark");
  const auto pcap = (dir / "uplane.pcap").string();
  const auto emulate = run_airan("ru-emulator --vector " + vector_path() + " --pcap " + pcap +
                                 " --mode 7.2x --comp bfp9");
  ASSERT_EQ(emulate.status, 0) << emulate.output;
  const std::string command =
      "tshark -n -r '" + pcap +
      "' -o oran_fh_cus.oran.du_port_id_bits:4 -o oran_fh_cus.oran.bandsector_id_bits:4"
      " -o oran_fh_cus.oran.cc_id_bits:4 -o oran_fh_cus.oran.ru_port_id_bits:4"
      " -o oran_fh_cus.oran.rbs_in_uplane_section:106 -o oran_fh_cus.oran.iq_bitwidth_up:9"
      " -o 'oran_fh_cus.oran.ud_comp_up:Block Floating Point Compression'"
      " -o oran_fh_cus.oran.ud_comp_hdr_up:FALSE -T fields -E occurrence=a -E separator=/t"
      " -e oran_fh_cus.ru_port_id -e oran_fh_cus.data_direction -e oran_fh_cus.frameId"
      " -e oran_fh_cus.subframe_id -e oran_fh_cus.slotId -e oran_fh_cus.startSymbolId"
      " -e oran_fh_cus.startPrbu -e oran_fh_cus.numPrbu 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::map<std::tuple<int, int, int, int, int>, std::set<int>> prbs; // (port, frame, sf, slot, sym)
  std::size_t packets = 0;
  char line[8192];
  while (std::fgets(line, sizeof(line), pipe) != nullptr) {
    ++packets;
    std::istringstream fields(line);
    std::string port, direction, frame, subframe, slot, symbol, starts, counts;
    std::getline(fields, port, '\t');
    std::getline(fields, direction, '\t');
    std::getline(fields, frame, '\t');
    std::getline(fields, subframe, '\t');
    std::getline(fields, slot, '\t');
    std::getline(fields, symbol, '\t');
    std::getline(fields, starts, '\t');
    std::getline(fields, counts, '\t');
    EXPECT_EQ(direction, "0") << line; // uplink
    auto& seen = prbs[{std::stoi(port), std::stoi(frame), std::stoi(subframe), std::stoi(slot),
                       std::stoi(symbol)}];
    std::istringstream start_list(starts), count_list(counts);
    std::string start, count;
    while (std::getline(start_list, start, ',') && std::getline(count_list, count, ',')) {
      for (int prb = std::stoi(start); prb < std::stoi(start) + std::stoi(count); ++prb) {
        EXPECT_TRUE(seen.insert(prb).second) << "PRB " << prb << " twice: " << line;
      }
    }
  }
  ASSERT_EQ(::pclose(pipe), 0);
  EXPECT_NE(emulate.output.find(std::to_string(packets) + " frame(s)"), std::string::npos)
      << packets << " packets; " << emulate.output;
  std::set<std::tuple<int, int, int>> slots;
  for (const auto& [key, seen] : prbs) {
    EXPECT_EQ(seen.size(), 106U) << "port " << std::get<0>(key) << " symbol " << std::get<4>(key);
    slots.insert({std::get<1>(key), std::get<2>(key), std::get<3>(key)});
  }
  EXPECT_EQ(prbs.size(), slots.size() * 2 * 14); // 2 antennas x 14 symbols per slot
  EXPECT_EQ(slots.size(), 12U);
}

} // namespace
} // namespace airan::test

namespace airan::test {
namespace {

// The DU's C-plane asks for the scheduled PRBs only (here 90 of 106): the emulator sends just
// those sections, the assembler dispatches every slot partial with exactly the unrequested PRBs
// missing, and both PUSCHs, whose allocations arrived whole, still decode.
TEST(FronthaulReplayCli, EmulatorSendsOnlyWhatTheCplaneRequests) {
  const auto dir = scratch_dir("fh_cplane");
  std::string scenario;
  {
    std::ifstream in(two_ue_config);
    std::stringstream text;
    text << in.rdbuf();
    scenario = text.str();
  }
  const std::string second_ue = "    prb_size: 46 ";
  const auto at = scenario.find(second_ue);
  ASSERT_NE(at, std::string::npos);
  scenario.replace(at, second_ue.size(), "    prb_size: 30 ");
  const auto config = (dir / "partial.yaml").string();
  std::ofstream(config) << scenario;
  const auto vector = (dir / "v.h5").string();
  const auto gen =
      run_airan("gen --config " + config + " --snr 20 --slots 6 --seed 3 -o " + vector);
  ASSERT_EQ(gen.status, 0) << gen.output;

  const auto cplane = (dir / "cplane.pcap").string();
  const auto generated = run_airan("cplane --vector " + vector + " --pcap " + cplane);
  ASSERT_EQ(generated.status, 0) << generated.output;
  EXPECT_NE(generated.output.find("12 C-plane frame(s) for 6 slot(s)"), std::string::npos)
      << generated.output; // per slot one frame per antenna, holding both PUSCHs' sections
  {
    // Each frame leaves as a live DU sends it: T1a_max_cp_ul (500 us by default) before the air
    // time of its message's first symbol (both PUSCHs start at symbol 0), the first slot starting
    // at --start-ns' default.
    const io::TestVectorReader reader(vector);
    const io::FronthaulSlotClock clock(reader.header().cell.numerology,
                                       reader.header().cell.cyclic_prefix);
    io::PcapReader capture(cplane);
    io::PcapRecord record;
    std::vector<std::uint64_t> stamps;
    while (capture.next(record)) {
      const auto start = io::first_cplane_message_start(record.data, clock);
      ASSERT_TRUE(start.has_value());
      EXPECT_EQ(start->symbol, 0U);
      stamps.push_back(record.timestamp_ns);
    }
    ASSERT_EQ(stamps.size(), 12U);
    for (std::size_t f = 0; f < stamps.size(); ++f) {
      EXPECT_EQ(stamps[f], 1'700'000'000'000'000'000ULL - 500'000ULL +
                               (f / 2) * static_cast<std::uint64_t>(clock.slot_duration_ns()))
          << "frame " << f;
    }
  }
  const auto uplane = (dir / "uplane.pcap").string();
  const auto emulate =
      run_airan("ru-emulator --vector " + vector + " --cplane " + cplane + " --pcap " + uplane);
  ASSERT_EQ(emulate.status, 0) << emulate.output;
  EXPECT_NE(emulate.output.find("requests for 6 slot(s); 12 message(s), 0 ignored"),
            std::string::npos)
      << emulate.output;
  EXPECT_NE(emulate.output.find("24 section(s) taken, 0 ignored"), std::string::npos)
      << emulate.output;
  // The capture's requests are for the vector's slots once: later passes would find none.
  const auto repeated = run_airan("ru-emulator --vector " + vector + " --cplane " + cplane +
                                  " --pcap " + uplane + " --repeat 2");
  EXPECT_EQ(repeated.status, 2) << repeated.output;
  EXPECT_NE(repeated.output.find("--repeat above 1 with --cplane"), std::string::npos)
      << repeated.output;

  const auto replay = run_airan("replay " + uplane + " --config " + config + " --vector " + vector);
  EXPECT_EQ(replay.status, 0) << replay.output;
  EXPECT_NE(replay.output.find("12/12 expected-good undamaged TBs decoded"), std::string::npos)
      << replay.output;
  EXPECT_NE(replay.output.find("6 slot(s) (6 partial)"), std::string::npos) << replay.output;
  // 16 unrequested PRBs x 14 symbols x 2 antennas x 6 slots.
  EXPECT_NE(replay.output.find(" " + std::to_string(16 * 14 * 2 * 6) + " missing unit(s)"),
            std::string::npos)
      << replay.output;
}

} // namespace
} // namespace airan::test
