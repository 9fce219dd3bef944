// The CLI's outputs never cost the user an input or a finished run: an output that names an input
// is refused, a bad output path or option fails before the run (not after it), a capture that
// fails half-way leaves the older file as it was, and results whose command line is not UTF-8
// are still written. Also the options checked up front (seeds, --start-ns, a neural reference).
#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <sys/stat.h>

namespace cli_outputs_test {

namespace fs = std::filesystem;
using airan::test::run_airan;
using airan::test::scratch_dir;

const std::string scenario =
    (airan::test::repo_root() / "configs/pusch_20mhz_1layer_16qam.yaml").string();
const std::string vector =
    (airan::test::repo_root() / "testvectors/vectors/tdl-c300_20mhz_2ue_1x2.h5").string();

std::string contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(CliOutputs, AnOutputThatIsAnInputIsRefusedAndTheInputKept) {
  const fs::path dir = scratch_dir("cli_outputs_same");
  const fs::path config = dir / "scenario.yaml";
  fs::copy_file(scenario, config);
  const std::string before = contents(config);
  for (const std::string& args :
       {"gen --config " + config.string() + " -o " + config.string() + " --no-iq",
        "cplane --vector " + vector + " --config " + config.string() + " --pcap " + config.string(),
        "ru-emulator --vector " + vector + " --config " + config.string() + " --pcap " +
            config.string()}) {
    const auto result = run_airan(args);
    EXPECT_EQ(result.status, 2) << args << "\n" << result.output;
    EXPECT_EQ(contents(config), before) << args;
  }
}

TEST(CliOutputs, BadOptionsAreRefusedBeforeAnythingIsWritten) {
  const fs::path dir = scratch_dir("cli_outputs_options");
  const fs::path capture = dir / "old.pcap";
  std::ofstream(capture) << "an older capture";
  // 0 ns: the first C-plane would leave T1a_max (500 us) before the epoch of pcap time.
  const auto cplane =
      run_airan("cplane --vector " + vector + " --pcap " + capture.string() + " --start-ns 0");
  EXPECT_EQ(cplane.status, 2) << cplane.output;
  EXPECT_NE(cplane.output.find("--start-ns must be in 500000 .. "), std::string::npos)
      << cplane.output;
  const auto ru = run_airan("ru-emulator --vector " + vector + " --pcap " + capture.string() +
                            " --start-ns -5");
  EXPECT_EQ(ru.status, 2) << ru.output;
  EXPECT_EQ(contents(capture), "an older capture");
  EXPECT_FALSE(fs::exists(dir / "old.pcap.partial"));
  const auto seed =
      run_airan("tx --config " + scenario + " -o " + (dir / "tx").string() + " --seed -1");
  EXPECT_NE(seed.status, 0) << seed.output; // CLI11's usage error
  EXPECT_NE(seed.output.find("must not be negative"), std::string::npos) << seed.output;
  // gen decodes its reference with a front end: a neural receiver would need a model.
  const auto neural = run_airan("gen --config " + scenario + " -o " + (dir / "n.h5").string() +
                                " --reference-receiver neural --no-iq");
  EXPECT_EQ(neural.status, 2) << neural.output;
  EXPECT_NE(neural.output.find("needs a model"), std::string::npos) << neural.output;
  EXPECT_FALSE(fs::exists(dir / "n.h5"));
}

// Outputs that are not regular files are written in place (a capture into a FIFO, results to
// /dev/stdout), never replaced; a symbolic link's target is replaced and the link kept.
TEST(CliOutputs, FifosAndDevicesAreWrittenInPlaceAndLinksFollowed) {
  const fs::path fifo_dir = scratch_dir("cli_outputs_fifo");
  const fs::path fifo = fifo_dir / "capture.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A reader copies what comes through the FIFO (for at most 20 s: a capture written beside it
  // and renamed over it would never open it); the shell's status is airan's.
  const auto piped =
      run_airan("cplane --vector " + vector + " --pcap " + fifo.string() + " & timeout 20 cat " +
                fifo.string() + " > " + (fifo_dir / "copy.pcap").string() + "; wait $!");
  EXPECT_EQ(piped.status, 0) << piped.output;
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_GT(fs::file_size(fifo_dir / "copy.pcap"), 24U);
  const auto csv = run_airan("pucch-eval --snr 10 --slots 1 --threads 1 --csv /dev/stdout");
  EXPECT_EQ(csv.status, 0) << csv.output;
  EXPECT_NE(csv.output.find("snr_db"), std::string::npos) << "the CSV on stdout:\n" << csv.output;
  const fs::path dir = scratch_dir("cli_outputs_link");
  const fs::path target = dir / "real.pcap";
  std::ofstream(target) << "old";
  fs::create_symlink(target, dir / "link.pcap");
  const auto linked =
      run_airan("ru-emulator --vector " + vector + " --pcap " + (dir / "link.pcap").string());
  EXPECT_EQ(linked.status, 0) << linked.output;
  EXPECT_TRUE(fs::is_symlink(dir / "link.pcap"));
  EXPECT_GT(fs::file_size(target), 24U) << "the capture went to the link's target";
}

// NaN passes CLI11's Range (both comparisons are false): such options take finite numbers only
// (a NaN --timeout made a live replay run for ever).
TEST(CliOutputs, NumbersThatAreNotNumbersAreRefused) {
  const std::string pattern =
      (airan::test::repo_root() / "configs/patterns/four_ue_harq.yaml").string();
  for (const std::string& args :
       {"testmac --pattern " + pattern + " --clock real-time --period-scale nan --slots 2",
        "testmac --pattern " + pattern + " --snr nan --slots 2",
        "replay " + vector + " --timeout nan", "l1 --config " + pattern + " --period-scale inf"}) {
    const auto result = run_airan(args);
    EXPECT_NE(result.status, 0) << args << "\n" << result.output;
    EXPECT_NE(result.output.find("must be a number in"), std::string::npos) << args << "\n"
                                                                            << result.output;
  }
}

// Results paths are checked before the run: a run of hours is not lost to a typo.
TEST(CliOutputs, EvaluationOutputsThatCannotBeWrittenFailFirst) {
  const fs::path dir = scratch_dir("cli_outputs_eval");
  const fs::path file = dir / "a_file";
  std::ofstream(file) << "x";
  const std::string quick = " --snr 30 --threads 1";
  const auto eval = run_airan("eval --receiver ls-lin-zf --channel awgn --prb 6 --rx 1 "
                              "--max-slots 1 --target-errors 1 -o " +
                              file.string() + quick);
  EXPECT_EQ(eval.status, 2) << eval.output;
  EXPECT_NE(eval.output.find("not a writable directory"), std::string::npos) << eval.output;
  EXPECT_EQ(eval.output.find("PRB at"), std::string::npos) << "the run started:\n" << eval.output;
  const std::string missing = (dir / "no_such_folder" / "out").string();
  const auto prach = run_airan("prach-eval --trials 1 --json " + missing + ".json" + quick);
  EXPECT_EQ(prach.status, 2) << prach.output;
  EXPECT_NE(prach.output.find("does not exist"), std::string::npos) << prach.output;
  const auto pucch = run_airan("pucch-eval --slots 1 --csv " + missing + ".csv" + quick);
  EXPECT_EQ(pucch.status, 2) << pucch.output;
  EXPECT_NE(pucch.output.find("does not exist"), std::string::npos) << pucch.output;
  const auto srs = run_airan("srs-eval --slots 1 --csv " + dir.string() + quick);
  EXPECT_EQ(srs.status, 2) << srs.output;
  EXPECT_NE(srs.output.find("is a directory"), std::string::npos) << srs.output;
}

// A command line with a byte that is not UTF-8 (a Latin-1 path) goes into bler.json replaced.
TEST(CliOutputs, EvaluationJsonTakesACommandLineThatIsNotUtf8) {
  const fs::path out = scratch_dir("cli_outputs_json") / "r\xe9sultats";
  const auto eval = run_airan("eval --receiver ls-lin-zf --channel awgn --snr 30 --prb 6 --rx 1 "
                              "--max-slots 1 --target-errors 1 --threads 1 -o '" +
                              out.string() + "'");
  EXPECT_EQ(eval.status, 0) << eval.output;
  const std::string json = contents(out / "bler.json");
  EXPECT_NE(json.find("\"command\""), std::string::npos) << json;
  EXPECT_NE(json.find("r\xef\xbf\xbdsultats"), std::string::npos) << "U+FFFD in its place";
}

// `--channel awgn` alone: the evaluation commands' fading defaults (Doppler, correlation) are
// dropped, not refused as if the user had given them.
TEST(CliOutputs, PucchEvalTakesAwgnAlone) {
  const auto pucch = run_airan("pucch-eval --channel awgn --snr 10 --slots 2 --threads 1");
  EXPECT_EQ(pucch.status, 0) << pucch.output;
  const auto doppler =
      run_airan("pucch-eval --channel awgn --doppler 5 --snr 10 --slots 2 --threads 1");
  EXPECT_EQ(doppler.status, 2) << doppler.output;
}

} // namespace cli_outputs_test
