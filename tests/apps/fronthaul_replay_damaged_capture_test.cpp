// Damaged and unusual captures through `airan replay`, both ways (the pcap reader and DPDK's
// net_pcap): what came before a damage is assembled, decoded and reported, the damage named;
// stray timestamps and frames are outvoted; a record longer than the file's snaplen is read as
// libpcap reads it (cut to the snaplen), the same way on both paths; a capture that is not
// Ethernet is a clear error.
#include "fronthaul_replay_cli_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace airan::test {
namespace {

// A capture cut in the middle of a record: both ingest paths assemble, decode and report what
// came before the damage (the last slot partial, the counters), name the damage and fail with
// exit 2, bad input (until 2026-12-07 exit 1, as for TBs the receiver missed); so does an
// ingest-only run.
TEST(FronthaulReplayCliDamagedCapture, TruncatedCaptureIsReportedWithTheTotalsAndFails) {
  const auto dir = scratch_dir("fh_trunc");
  auto bytes = emulator_capture(dir);
  const auto offsets = records(bytes);
  ASSERT_GT(offsets.size(), 200U);
  const std::size_t cut = 130;
  bytes.resize(offsets[cut] + 16 + 500); // record 130's header and part of its frame
  const auto pcap = (dir / "trunc.pcap").string();
  write_bytes(pcap, bytes);
  for (const auto& result : replay_both_ways(pcap, "fhtrunc")) {
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_NE(result.output.find("capture damaged after 130 record(s)"), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("record 130: truncated"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("fronthaul: 130 frame(s), 0 malformed"), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("(1 partial)"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("slots_flushed 1\n"), std::string::npos) << result.output;
    const auto [decoded, expected] = expected_counts(result.output);
    EXPECT_GT(expected, 0) << result.output;
    EXPECT_EQ(decoded, expected) << result.output;
    EXPECT_NE(last_line(result.output).find("-> FAIL"), std::string::npos) << result.output;
  }
  const auto ingest =
      run_airan("replay " + pcap + " --config " + two_ue_config + " --no-dpdk --ingest-only");
  EXPECT_EQ(ingest.status, 2) << ingest.output;
  EXPECT_NE(ingest.output.find("capture damaged after 130 record(s)"), std::string::npos)
      << ingest.output;
}

// One frame's timestamp 100 s in the future (or past): it is placed by its timing header, the
// deadlines keep following the capture, every slot is complete and every TB decodes.
TEST(FronthaulReplayCliDamagedCapture, OneWildTimestampDamagesNothing) {
  const auto dir = scratch_dir("fh_badts");
  const auto good = emulator_capture(dir);
  const auto offsets = records(good);
  for (const int shift : {100, -100}) {
    auto bytes = good;
    const std::size_t at = offsets[offsets.size() / 3];
    put32(bytes, at, static_cast<std::uint32_t>(static_cast<int>(get32(bytes, at)) + shift));
    const auto pcap = (dir / "badts.pcap").string();
    write_bytes(pcap, bytes);
    for (const auto& result : replay_both_ways(pcap, "fhbadts")) {
      EXPECT_EQ(result.status, 0) << shift << ": " << result.output;
      EXPECT_NE(result.output.find("0 malformed, 0 missing unit(s)"), std::string::npos)
          << result.output;
      EXPECT_NE(result.output.find("12 slot(s) (0 partial)"), std::string::npos) << result.output;
      EXPECT_NE(result.output.find("arrival_outliers 1\n"), std::string::npos) << result.output;
      EXPECT_EQ(result.output.find("too_late"), std::string::npos) << result.output;
      expect_every_expected_tb_decoded(result.output);
    }
  }
}

// A copy of the first frame with another frameId in front: the learned epoch it gives is
// outvoted by the good frames (a few of the first slot's dropped, counted), the stray's slot is
// discarded, and every other slot is complete and decodes.
TEST(FronthaulReplayCliDamagedCapture, StrayFirstPacketIsOutvoted) {
  const auto dir = scratch_dir("fh_stray");
  auto bytes = emulator_capture(dir);
  const auto offsets = records(bytes);
  const std::size_t length = get32(bytes, offsets[0] + 8);
  std::vector<std::uint8_t> stray(bytes.begin() + 24,
                                  bytes.begin() + 24 + 16 + static_cast<std::ptrdiff_t>(length));
  const std::size_t ethernet = stray[16 + 12] == 0x81 && stray[16 + 13] == 0x00 ? 18 : 14;
  stray[16 + ethernet + 8 + 1] += 50; // frameId: half a second away
  bytes.insert(bytes.begin() + 24, stray.begin(), stray.end());
  const auto pcap = (dir / "stray.pcap").string();
  write_bytes(pcap, bytes);
  for (const auto& result : replay_both_ways(pcap, "fhstray")) {
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("epoch_relearns 1\n"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("slots_discarded 1\n"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("epoch_mismatch 8\n"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("12 slot(s) (1 partial)"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("slots_complete 11\n"), std::string::npos) << result.output;
    const auto [decoded, expected] = expected_counts(result.output);
    EXPECT_GE(expected, vector_expected_good() - 2) << result.output;
    EXPECT_EQ(decoded, expected) << result.output;
  }
}

// Four bytes appended to one record (as an FCS or trailer would be), with the file's snaplen
// set to the longest frame without them: libpcap, so net_pcap, cuts that record back to the
// snaplen, and so does the pcap reader; both read every record, decode everything and say so.
TEST(FronthaulReplayCliDamagedCapture, ARecordLongerThanTheSnaplenIsCutToIt) {
  const auto dir = scratch_dir("fh_snaplen");
  const auto good = emulator_capture(dir);
  const auto offsets = records(good);
  std::uint32_t longest = 0;
  for (const std::size_t at : offsets) {
    longest = std::max(longest, get32(good, at + 8));
  }
  std::size_t record = offsets.size() / 2;
  while (get32(good, offsets[record] + 8) != longest) {
    ++record;
  }
  auto bytes = good;
  const std::size_t at = offsets[record];
  const auto frame_end = static_cast<std::ptrdiff_t>(at + 16 + longest);
  bytes.insert(bytes.begin() + frame_end, {0xDE, 0xAD, 0xBE, 0xEF});
  put32(bytes, at + 8, longest + 4);
  put32(bytes, at + 12, get32(bytes, at + 12) + 4);
  put32(bytes, 16, longest); // the snaplen
  const auto pcap = (dir / "snaplen.pcap").string();
  write_bytes(pcap, bytes);
  for (const auto& result : replay_both_ways(pcap, "fhsnap")) {
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("capture: 1 record(s) longer than the file's snaplen, cut to it"),
              std::string::npos)
        << result.output;
    EXPECT_EQ(result.output.find("capture damaged"), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("delivered"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("0 malformed, 0 missing unit(s)"), std::string::npos)
        << result.output;
    expect_every_expected_tb_decoded(result.output);
  }
}

// A capture of another link type (tcpdump -i any writes Linux cooked headers) is refused before
// any frame is read, naming the link type, on both paths and by the RU emulator's C-plane input.
TEST(FronthaulReplayCliDamagedCapture, ACaptureThatIsNotEthernetIsAClearError) {
  const auto dir = scratch_dir("fh_cooked");
  auto bytes = emulator_capture(dir);
  put32(bytes, 20, 113); // LINKTYPE_LINUX_SLL
  const auto pcap = (dir / "cooked.pcap").string();
  write_bytes(pcap, bytes);
  for (const auto& result : replay_both_ways(pcap, "fhcooked")) {
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_NE(result.output.find("link type 113 (Linux cooked capture"), std::string::npos)
        << result.output;
  }
  const auto emulate = run_airan("ru-emulator --vector " + vector_path() + " --cplane " + pcap +
                                 " --pcap " + (dir / "out.pcap").string());
  EXPECT_EQ(emulate.status, 2) << emulate.output;
  EXPECT_NE(emulate.output.find("link type 113"), std::string::npos) << emulate.output;
}

} // namespace
} // namespace airan::test
