#include "airan/io/pcap_file.h"

#include "../support/allocation_counter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using namespace airan::io;
using Bytes = std::vector<std::uint8_t>;

std::filesystem::path pcap_temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("airan_pcap_test_" + std::to_string(::getpid()) + "_" + name);
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// A microsecond capture with one 4-byte frame at 1.000002500 s, written by hand
// (little-endian, as this machine writes it).
const Bytes hand_written_capture = {
    0xD4, 0xC3, 0xB2, 0xA1, // magic: microsecond timestamps
    0x02, 0x00, 0x04, 0x00, // version 2.4
    0x00, 0x00, 0x00, 0x00, // thiszone 0
    0x00, 0x00, 0x00, 0x00, // sigfigs 0
    0x00, 0x00, 0x01, 0x00, // snaplen 65536
    0x01, 0x00, 0x00, 0x00, // link type 1: Ethernet
    0x01, 0x00, 0x00, 0x00, // seconds 1
    0x02, 0x00, 0x00, 0x00, // microseconds 2 (the 500 ns are cut)
    0x04, 0x00, 0x00, 0x00, // captured length 4
    0x04, 0x00, 0x00, 0x00, // original length 4
    0xDE, 0xAD, 0xBE, 0xEF, // the frame
};

TEST(PcapFile, WritesTheHandWrittenCapture) {
  const auto path = pcap_temp_file("hand.pcap");
  {
    PcapWriter writer(path, PcapTimestampResolution::microseconds, 65536);
    writer.write(Bytes{0xDE, 0xAD, 0xBE, 0xEF}, 1'000'002'500);
    EXPECT_EQ(writer.num_records(), 1U);
  }
  EXPECT_EQ(read_file(path), hand_written_capture);
  std::filesystem::remove(path);
}

TEST(PcapFile, ReadsTheHandWrittenCapture) {
  auto reader = PcapReader::from_bytes(hand_written_capture);
  EXPECT_EQ(reader.resolution(), PcapTimestampResolution::microseconds);
  EXPECT_EQ(reader.snaplen(), 65536U);
  EXPECT_EQ(reader.link_type(), pcap_link_type_ethernet);
  EXPECT_FALSE(reader.byte_swapped());
  PcapRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.timestamp_ns, 1'000'002'000U);
  EXPECT_EQ(record.original_length, 4U);
  EXPECT_EQ(Bytes(record.data.begin(), record.data.end()), (Bytes{0xDE, 0xAD, 0xBE, 0xEF}));
  EXPECT_FALSE(reader.next(record));
  EXPECT_FALSE(reader.next(record)); // stays at the end
}

TEST(PcapFile, RoundTripsNanosecondsAndTruncatesToSnaplen) {
  const auto path = pcap_temp_file("ns.pcap");
  std::vector<Bytes> frames;
  for (std::size_t size : {60U, 1514U, 0U, 9000U}) {
    Bytes frame(size);
    for (std::size_t i = 0; i < size; ++i) {
      frame[i] = static_cast<std::uint8_t>(i * 7 + size);
    }
    frames.push_back(frame);
  }
  const std::uint64_t base = 1'764'000'000'123'456'789ULL;
  {
    PcapWriter writer(path, PcapTimestampResolution::nanoseconds, 2000);
    for (std::size_t i = 0; i < frames.size(); ++i) {
      writer.write(frames[i], base + i * 500'000);
    }
  }
  PcapReader reader(path);
  EXPECT_EQ(reader.resolution(), PcapTimestampResolution::nanoseconds);
  PcapRecord record;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    ASSERT_TRUE(reader.next(record)) << i;
    EXPECT_EQ(record.timestamp_ns, base + i * 500'000);
    EXPECT_EQ(record.original_length, frames[i].size());
    const std::size_t captured = std::min<std::size_t>(frames[i].size(), 2000);
    EXPECT_EQ(Bytes(record.data.begin(), record.data.end()),
              Bytes(frames[i].begin(), frames[i].begin() + static_cast<std::ptrdiff_t>(captured)));
  }
  EXPECT_FALSE(reader.next(record));
  std::filesystem::remove(path);
}

TEST(PcapFile, ReadsTheOtherByteOrder) {
  const Bytes big_endian = {
      0xA1, 0xB2, 0x3C, 0x4D,                         // magic, nanoseconds, big-endian
      0x00, 0x02, 0x00, 0x04,                         // version 2.4
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // thiszone, sigfigs
      0x00, 0x00, 0xFF, 0xFF,                         // snaplen 65535
      0x00, 0x00, 0x00, 0x01,                         // Ethernet
      0x00, 0x00, 0x00, 0x02,                         // seconds 2
      0x00, 0x00, 0x00, 0x07,                         // nanoseconds 7
      0x00, 0x00, 0x00, 0x01,                         // captured 1
      0x00, 0x00, 0x00, 0x40,                         // original 64
      0x55,
  };
  auto reader = PcapReader::from_bytes(big_endian);
  EXPECT_TRUE(reader.byte_swapped());
  EXPECT_EQ(reader.resolution(), PcapTimestampResolution::nanoseconds);
  EXPECT_EQ(reader.snaplen(), 65535U);
  PcapRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.timestamp_ns, 2'000'000'007U);
  EXPECT_EQ(record.original_length, 64U);
  ASSERT_EQ(record.data.size(), 1U);
  EXPECT_EQ(record.data[0], 0x55);
}

/// Reads every record of \p bytes; returns the PcapError text, or "" when it read cleanly.
std::string pcap_read_error(const Bytes& bytes) {
  try {
    auto reader = PcapReader::from_bytes(bytes, "test");
    PcapRecord record;
    while (reader.next(record)) {
    }
  } catch (const PcapError& error) {
    return error.what();
  }
  return "";
}

TEST(PcapFile, EveryMalformedFileIsAnError) {
  const Bytes& good = hand_written_capture;
  EXPECT_EQ(pcap_read_error(good), "");
  EXPECT_NE(pcap_read_error({}).find("global header"), std::string::npos);
  EXPECT_NE(pcap_read_error(Bytes(good.begin(), good.begin() + 23)).find("global header"),
            std::string::npos);
  Bytes bad_magic = good;
  bad_magic[0] = 0x0A; // a pcapng section header block starts 0A 0D 0D 0A
  EXPECT_NE(pcap_read_error(bad_magic).find("magic"), std::string::npos);
  Bytes pcapng = good;
  pcapng[0] = pcapng[3] = 0x0A;
  pcapng[1] = pcapng[2] = 0x0D;
  EXPECT_NE(pcap_read_error(pcapng).find("a pcapng file"), std::string::npos);
  Bytes bad_version = good;
  bad_version[4] = 1;
  EXPECT_NE(pcap_read_error(bad_version).find("version 1.4"), std::string::npos);
  // Every cut inside the record is an error naming it; a cut after it is a clean end.
  for (std::size_t size = 25; size < good.size(); ++size) {
    const std::string error = pcap_read_error(Bytes(good.begin(), good.begin() + size));
    EXPECT_NE(error.find("record 0: truncated"), std::string::npos) << size << ": " << error;
  }
  EXPECT_EQ(pcap_read_error(Bytes(good.begin(), good.begin() + 24)), ""); // header only: no records
  Bytes bad_fraction = good;
  bad_fraction[28] = 0x40; // 1000000 microseconds = 0x000F4240
  bad_fraction[29] = 0x42;
  bad_fraction[30] = 0x0F;
  EXPECT_NE(pcap_read_error(bad_fraction).find("sub-second"), std::string::npos);
  Bytes huge = good;
  huge[16] = huge[17] = huge[18] = 0; // snaplen 0: only libpcap's limit for Ethernet applies
  huge[32] = huge[33] = huge[34] = huge[35] = 0xFF;
  huge[36] = huge[37] = huge[38] = huge[39] = 0xFF;
  EXPECT_NE(pcap_read_error(huge).find("exceeds the 262144-byte limit of link type 1"),
            std::string::npos);
  Bytes huge_other = huge;
  huge_other[20] = 147; // LINKTYPE_USER0: 64 MiB
  EXPECT_NE(pcap_read_error(huge_other).find("exceeds the 67108864-byte limit of link type 147"),
            std::string::npos);
  EXPECT_THROW(PcapReader(pcap_temp_file("missing.pcap")), PcapError);
}

// What libpcap (DPDK's net_pcap) reads from an inconsistent record, PcapReader reads alike: a
// record longer than the snaplen is cut to it and the reading goes on; a captured length above
// the original length is kept.
TEST(PcapFile, ReadsInconsistentLengthsAsLibpcapDoes) {
  Bytes two = hand_written_capture;
  two.insert(two.end(), hand_written_capture.begin() + 24, hand_written_capture.end());
  two[40] = 0x11; // the first frame: 11 AD BE EF
  two[16] = 3;    // snaplen 3
  two[18] = 0;
  auto reader = PcapReader::from_bytes(two);
  PcapRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(Bytes(record.data.begin(), record.data.end()), (Bytes{0x11, 0xAD, 0xBE}));
  EXPECT_EQ(record.original_length, 4U);
  EXPECT_EQ(reader.num_cut_to_snaplen(), 1U);
  ASSERT_TRUE(reader.next(record)) << "the cut record's last byte is skipped";
  EXPECT_EQ(Bytes(record.data.begin(), record.data.end()), (Bytes{0xDE, 0xAD, 0xBE}));
  EXPECT_FALSE(reader.next(record));
  EXPECT_EQ(reader.num_cut_to_snaplen(), 2U);
  // Cut inside the skipped byte: truncated, counting the bytes that were there.
  EXPECT_NE(
      pcap_read_error(Bytes(two.begin(), two.begin() + 43)).find("truncated packet data (3 of 4"),
      std::string::npos);
  Bytes above_original = hand_written_capture;
  above_original[36] = 3;
  auto longer = PcapReader::from_bytes(above_original);
  ASSERT_TRUE(longer.next(record));
  EXPECT_EQ(record.data.size(), 4U);
  EXPECT_EQ(record.original_length, 3U);
  EXPECT_EQ(longer.num_cut_to_snaplen(), 0U);
}

TEST(PcapFile, NamesALinkTypeOtherThanTheOneExpected) {
  auto ethernet = PcapReader::from_bytes(hand_written_capture);
  EXPECT_NO_THROW(ethernet.require_link_type(pcap_link_type_ethernet));
  Bytes cooked = hand_written_capture;
  cooked[20] = 113;
  const auto error = [](const Bytes& bytes) {
    try {
      PcapReader::from_bytes(bytes, "c.pcap").require_link_type(pcap_link_type_ethernet);
    } catch (const PcapError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error(cooked).find("c.pcap: link type 113 (Linux cooked capture"), std::string::npos);
  EXPECT_NE(error(cooked).find("not 1 (Ethernet)"), std::string::npos);
  // The FCS bits above the link type are not part of it.
  Bytes with_fcs = hand_written_capture;
  with_fcs[23] = 0x30; // FCS present, 2 x 16 bits
  EXPECT_EQ(error(with_fcs), "");
}

TEST(PcapFile, WriterRejectsWhatTheFormatCannotHold) {
  const auto path = pcap_temp_file("limits.pcap");
  PcapWriter writer(path);
  EXPECT_THROW(writer.write(Bytes(4), 0x1'0000'0000ULL * 1'000'000'000ULL), PcapError);
  EXPECT_THROW(PcapWriter(path, PcapTimestampResolution::nanoseconds, 0), PcapError);
  EXPECT_THROW(PcapWriter("/nonexistent-directory/x.pcap"), PcapError);
  std::filesystem::remove(path);
}

TEST(PcapFile, ReadingAllocatesNothingPerRecord) {
  const auto path = pcap_temp_file("alloc.pcap");
  {
    PcapWriter writer(path);
    for (int i = 0; i < 100; ++i) {
      writer.write(Bytes(1514, static_cast<std::uint8_t>(i)), static_cast<std::uint64_t>(i));
    }
  }
  PcapReader reader(path);
  PcapRecord record;
  ASSERT_TRUE(reader.next(record)); // sizes the buffer
  const long before = airan::test::allocation_count();
  int count = 1;
  while (reader.next(record)) {
    ++count;
  }
  EXPECT_EQ(airan::test::allocation_count(), before);
  EXPECT_EQ(count, 100);
  std::filesystem::remove(path);
}

} // namespace
