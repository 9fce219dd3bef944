// Integer command-line options read as the YAML configs read integers: a leading 0 is decimal
// (CLI11 alone read "--mcs 010" as MCS 8 and "--mcs 031" as 25), 0x is hex, 0o octal, and an
// unsigned option refuses a minus sign (CLI11 alone read "-1" into a uint64_t as 2^64 - 1).
#include "../support/run_airan.h"
#include "integer_options.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cli_integer_options_test {

/// A command with one option of each integer shape the `airan` commands use, and a text one.
struct Options {
  unsigned mcs = 0;
  std::uint64_t slots = 0;
  int offset = 0;
  std::optional<unsigned> rx;
  std::vector<int> ports;
  unsigned table = 1;
  std::string name;
};

/// Parses \p args (after the program name) with the rule installed on a sub-command.
std::string parse(const std::vector<std::string>& args, Options& o) {
  CLI::App app{"test"};
  CLI::App* command = app.add_subcommand("run", "");
  command->add_option("--mcs", o.mcs);
  command->add_option("--slots", o.slots);
  command->add_option("--offset", o.offset);
  command->add_option("--rx", o.rx);
  command->add_option("--ports", o.ports);
  command->add_option("--table", o.table)->check(CLI::Range(1, 5));
  command->add_option("--name", o.name);
  airan::cli::read_integer_options_as_decimal(app);
  std::vector<std::string> reversed{args.rbegin(), args.rend()};
  reversed.emplace_back("run");
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return {};
}

TEST(CliIntegerOptions, ALeadingZeroIsDecimalAndHexAndOctalArePrefixed) {
  Options o;
  ASSERT_EQ(parse({"--mcs", "010", "--slots", "0x1f", "--offset", "-010", "--rx", "0o17", "--ports",
                   "007", "--ports", "+08", "--table", "05", "--name", "010"},
                  o),
            "");
  EXPECT_EQ(o.mcs, 10U);
  EXPECT_EQ(o.slots, 31U);
  EXPECT_EQ(o.offset, -10);
  EXPECT_EQ(o.rx, 15U);
  EXPECT_EQ(o.ports, (std::vector<int>{7, 8}));
  EXPECT_EQ(o.table, 5U);   // the transform runs before the option's own range check
  EXPECT_EQ(o.name, "010"); // text options are left as written
}

TEST(CliIntegerOptions, BadIntegersAreRefusedWithTheReason) {
  Options o;
  EXPECT_NE(parse({"--slots", "-1"}, o).find("must not be negative"), std::string::npos);
  EXPECT_NE(parse({"--mcs", "-0"}, o).find("must not be negative"), std::string::npos);
  for (const char* bad : {"1e3", "0x", "0o9", "ten", "", " 7", "7 ", "0b101", "1.5"}) {
    const std::string error = parse({"--mcs", bad}, o);
    EXPECT_NE(error.find("is not an integer"), std::string::npos) << "'" << bad << "': " << error;
  }
  EXPECT_NE(parse({"--table", "06"}, o), "");                 // the range still applies, to 6
  EXPECT_NE(parse({"--mcs", "99999999999999999999"}, o), ""); // does not fit
  EXPECT_EQ(parse({"--offset", "-0x10"}, o), "");
  EXPECT_EQ(o.offset, -16);
}

TEST(CliIntegerOptions, TheAiranCommandsReadALeadingZeroAsDecimal) {
  // MCS 031 was octal 25 and ran; as 31 it is the reserved MCS, refused by name.
  const auto reserved = airan::test::run_airan(
      "eval --mcs 031 --prb 24 --rx 1 --snr 30 --max-slots 1 --receiver ls-lin-lmmse "
      "--channel awgn");
  EXPECT_EQ(reserved.status, 2) << reserved.output;
  EXPECT_NE(reserved.output.find("MCS 31 "), std::string::npos) << reserved.output;
  const auto ten = airan::test::run_airan(
      "eval --mcs 010 --prb 24 --rx 1 --snr 30 --max-slots 1 --receiver ls-lin-lmmse "
      "--channel awgn -o " +
      airan::test::scratch_dir("cli_integer_options").string());
  EXPECT_EQ(ten.status, 0) << ten.output;
  EXPECT_NE(ten.output.find("MCS 10 (table 1)"), std::string::npos) << ten.output;
}

} // namespace cli_integer_options_test
