/// \file
/// \brief What the fronthaul replay CLI tests share: the 12-slot vector they replay, the
/// emulator's capture of it as bytes (to damage byte by byte), and replays through the pcap
/// reader and through DPDK (net_pcap).
#pragma once

#include "../support/run_airan.h"
#include "two_ue_config.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace airan::test {

/// A 12-slot vector of the two-UE 20 MHz scenario through TDL-C300 at 100 Hz Doppler (slots
/// across two subframes' worth of slot numbers), generated once per test process.
inline std::string vector_path() {
  static const std::string path = [] {
    auto file = (scratch_dir("fh_vector") / "tdl-c300_12slots.h5").string();
    const auto gen =
        run_airan("gen --config " + two_ue_config +
                  " --channel TDL-C300 --doppler 100 --snr 22 --slots 12 --seed 5 -o " + file);
    EXPECT_EQ(gen.status, 0) << gen.output;
    return file;
  }();
  return path;
}

/// "N/M expected-good undamaged TBs decoded" of a replay's total line.
inline std::pair<int, int> expected_counts(const std::string& output) {
  const std::regex pattern(R"((\d+)/(\d+) expected-good undamaged TBs decoded)");
  std::smatch match;
  if (!std::regex_search(output, match, pattern)) {
    return {-1, -1};
  }
  return {std::stoi(match[1]), std::stoi(match[2])};
}

/// Expected-good TBs of the vector, as `airan replay` of the HDF5 file counts them.
inline int vector_expected_good() {
  static const int count = [] {
    const auto result = run_airan("replay -q " + vector_path());
    const std::regex pattern(R"((\d+)/(\d+) expected-good TBs decoded)");
    std::smatch match;
    const bool found = std::regex_search(result.output, match, pattern);
    EXPECT_TRUE(found) << result.output;
    return found ? std::stoi(match[2]) : -1;
  }();
  return count;
}

/// A replay's total line counts every TB the vector expects to decode, and all of them decoded.
inline void expect_every_expected_tb_decoded(const std::string& output) {
  const auto [decoded, expected] = expected_counts(output);
  EXPECT_EQ(expected, vector_expected_good()) << output;
  EXPECT_EQ(decoded, expected) << output;
}

// Damaged captures, edited byte by byte from the emulator's (a nanosecond pcap in this
// machine's byte order: a 24-byte file header, then per record 16 bytes - seconds,
// nanoseconds, captured and original length - and the frame).
inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

inline std::uint32_t get32(const std::vector<std::uint8_t>& bytes, std::size_t at) {
  std::uint32_t value = 0;
  std::memcpy(&value, bytes.data() + at, 4);
  return value;
}

inline void put32(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t value) {
  std::memcpy(bytes.data() + at, &value, 4);
}

/// Offsets of the record headers.
inline std::vector<std::size_t> records(const std::vector<std::uint8_t>& pcap) {
  EXPECT_EQ(get32(pcap, 0), 0xA1B23C4DU); // nanoseconds, this byte order
  std::vector<std::size_t> offsets;
  for (std::size_t at = 24; at + 16 <= pcap.size(); at += 16 + get32(pcap, at + 8)) {
    offsets.push_back(at);
  }
  return offsets;
}

/// The emulator's 7.2x capture of the 12-slot vector, as bytes.
inline std::vector<std::uint8_t> emulator_capture(const std::filesystem::path& dir) {
  const auto pcap = (dir / "good.pcap").string();
  const auto emulate = run_airan("ru-emulator --vector " + vector_path() + " --pcap " + pcap);
  EXPECT_EQ(emulate.status, 0) << emulate.output;
  return read_bytes(pcap);
}

/// Replays \p pcap through the pcap reader and through DPDK (net_pcap).
inline std::vector<RunResult> replay_both_ways(const std::string& pcap, const std::string& prefix) {
  const std::string common =
      "replay " + pcap + " --config " + two_ue_config + " --vector " + vector_path();
  return {run_airan(common + " --no-dpdk"), run_airan(common + " --file-prefix " + prefix)};
}

} // namespace airan::test
