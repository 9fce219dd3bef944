#include "airan/io/oran_uplane.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace {

using namespace airan::io;
using Bytes = std::vector<std::uint8_t>;

const OranTimingHeader hand_timing{DataDirection::uplink, 1, 0, 7, 3, 1, 5};

const UplaneFormat static_bfp8{{CompressionMethod::block_floating_point, 8}, false, 273};

/// PRB bytes 0, 1, 2, ... so that every byte of a message is recognisable.
Bytes counting(std::size_t size, std::uint8_t first = 0) {
  Bytes bytes(size);
  std::iota(bytes.begin(), bytes.end(), first);
  return bytes;
}

/// Static BFP 8-bit message written by hand: two sections (25 bytes per PRB).
Bytes hand_written_static_message() {
  Bytes message = {
      0x10,             // dataDirection 0 (UL), payloadVersion 001, filterIndex 0000
      0x07,             // frameId 7
      0x30,             // subframeId 3 (0011), slotId high 4 bits 0000
      0x45,             // slotId low 2 bits 01 (slot 1), symbolId 000101 (5)
      0x01, 0x14, 0x0A, // sectionId 0x011 (17), rb 0, symInc 1, startPrbu 0x00A (10)
      0x02,             // numPrbu 2
  };
  const Bytes prbs = counting(std::size_t{2} * 25);
  message.insert(message.end(), prbs.begin(), prbs.end());
  const Bytes second = {
      0xFF, 0xFB, 0x10, // sectionId 0xFFF (4095), rb 1, symInc 0, startPrbu 0x310 (784)
      0x01,             // numPrbu 1
  };
  message.insert(message.end(), second.begin(), second.end());
  const Bytes prb = counting(25, 100);
  message.insert(message.end(), prb.begin(), prb.end());
  return message;
}

const UplaneFormat wide_carrier{{CompressionMethod::block_floating_point, 8}, false, 1000};

TEST(OranCommon, TimingHeaderBytes) {
  std::uint8_t bytes[4] = {};
  write_oran_timing_header(bytes, hand_timing);
  EXPECT_EQ(Bytes(bytes, bytes + 4), (Bytes{0x10, 0x07, 0x30, 0x45}));
  EXPECT_EQ(read_oran_timing_header(bytes), hand_timing);

  // Every field at its maximum: DL, version 7, filter 15, frame 255, subframe 15, slot 63,
  // symbol 63.
  const OranTimingHeader all_ones{DataDirection::downlink, 7, 15, 255, 15, 63, 63};
  write_oran_timing_header(bytes, all_ones);
  EXPECT_EQ(Bytes(bytes, bytes + 4), (Bytes{0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(read_oran_timing_header(bytes), all_ones);
  EXPECT_TRUE(fits_oran_timing_header(all_ones));
  auto too_big = hand_timing;
  too_big.slot_id = 64;
  EXPECT_FALSE(fits_oran_timing_header(too_big));
  too_big = hand_timing;
  too_big.symbol_id = 64;
  EXPECT_FALSE(fits_oran_timing_header(too_big));
}

TEST(OranCommon, UdCompHdr) {
  EXPECT_EQ(pack_ud_comp_hdr({CompressionMethod::block_floating_point, 9}), 0x91);
  EXPECT_EQ(pack_ud_comp_hdr({CompressionMethod::none, 16}), 0x00); // width 16 is written as 0
  EXPECT_EQ(unpack_ud_comp_hdr(0x00), (IqCompression{CompressionMethod::none, 16}));
  EXPECT_EQ(unpack_ud_comp_hdr(0xE1), (IqCompression{CompressionMethod::block_floating_point, 14}));
  EXPECT_EQ(compressed_prb_size({CompressionMethod::block_floating_point, 9}), 28U);
  EXPECT_EQ(compressed_prb_size({CompressionMethod::block_floating_point, 16}), 49U);
  EXPECT_EQ(compressed_prb_size({CompressionMethod::none, 16}), 48U);
  EXPECT_EQ(compressed_prb_size({CompressionMethod::none, 12}), 36U);
  EXPECT_FALSE(compressed_prb_size({CompressionMethod::mu_law, 9}));
  EXPECT_FALSE(compressed_prb_size({CompressionMethod::block_floating_point, 0}));
  EXPECT_FALSE(compressed_prb_size({CompressionMethod::block_floating_point, 17}));
}

TEST(OranUplane, WritesTheHandWrittenStaticMessage) {
  Bytes message(200, 0xCC);
  UplaneMessageWriter writer(message, hand_timing, wide_carrier);
  ASSERT_TRUE(writer.ok());
  auto prbs = writer.add_section({17, false, true, 10, 2}, wide_carrier.compression);
  ASSERT_EQ(prbs.size(), 50U);
  const Bytes first = counting(50);
  std::copy(first.begin(), first.end(), prbs.begin());
  prbs = writer.add_section({4095, true, false, 784, 1}, wide_carrier.compression);
  ASSERT_EQ(prbs.size(), 25U);
  const Bytes second = counting(25, 100);
  std::copy(second.begin(), second.end(), prbs.begin());
  EXPECT_EQ(Bytes(writer.bytes().begin(), writer.bytes().end()), hand_written_static_message());
}

TEST(OranUplane, ParsesTheHandWrittenStaticMessage) {
  const Bytes message = hand_written_static_message();
  const auto result = parse_uplane_message(message, wide_carrier);
  ASSERT_TRUE(result.ok()) << to_string(result.status);
  EXPECT_EQ(result.message.timing, hand_timing);
  ASSERT_EQ(result.message.num_sections, 2U);
  auto it = result.message.sections.begin();
  EXPECT_EQ(it->header, (UplaneSectionHeader{17, false, true, 10, 2}));
  EXPECT_EQ(it->compression, wide_carrier.compression);
  EXPECT_EQ(it->num_prbs, 2U);
  EXPECT_EQ(it->prbs.data(), message.data() + 8);
  EXPECT_EQ(it->prbs.size(), 50U);
  ++it;
  EXPECT_EQ(it->header, (UplaneSectionHeader{4095, true, false, 784, 1}));
  EXPECT_EQ(it->prbs.data(), message.data() + 62);
  EXPECT_EQ(it->prbs.size(), 25U);
  EXPECT_EQ(it->prbs[0], 100);
  ++it;
  EXPECT_EQ(it, result.message.sections.end());
}

TEST(OranUplane, DynamicCompressionCarriesUdCompHdrPerSection) {
  const UplaneFormat dynamic{{CompressionMethod::none, 16}, true, 273};
  Bytes message(4 + 6 + 28 + 6 + 2 * 48);
  UplaneMessageWriter writer(message, hand_timing, dynamic);
  auto prbs =
      writer.add_section({1, false, false, 0, 1}, {CompressionMethod::block_floating_point, 9});
  ASSERT_EQ(prbs.size(), 28U);
  prbs = writer.add_section({2, false, false, 1, 2}, {CompressionMethod::none, 16});
  ASSERT_EQ(prbs.size(), 96U);
  EXPECT_EQ(writer.size(), message.size());
  // Section 1's header: 00 10 00 01, udCompHdr 0x91 (9-bit BFP), reserved 0.
  EXPECT_EQ(Bytes(message.begin() + 4, message.begin() + 10),
            (Bytes{0x00, 0x10, 0x00, 0x01, 0x91, 0x00}));
  // Section 2's udCompHdr: 0x00 (16 bits written as 0, no compression).
  EXPECT_EQ(message[4 + 6 + 28 + 4], 0x00);

  const auto result = parse_uplane_message(message, dynamic);
  ASSERT_TRUE(result.ok()) << to_string(result.status);
  std::vector<UplaneSectionView> sections(result.message.sections.begin(),
                                          result.message.sections.end());
  ASSERT_EQ(sections.size(), 2U);
  EXPECT_EQ(sections[0].compression, (IqCompression{CompressionMethod::block_floating_point, 9}));
  EXPECT_EQ(sections[0].prbs.size(), 28U);
  EXPECT_EQ(sections[1].compression, (IqCompression{CompressionMethod::none, 16}));
  EXPECT_EQ(sections[1].prbs.size(), 96U);
}

TEST(OranUplane, NumPrbZeroMeansTheWholeCarrier) {
  const UplaneFormat format{{CompressionMethod::block_floating_point, 1}, false, 273};
  Bytes message(4 + 4 + 273 * 4);
  UplaneMessageWriter writer(message, hand_timing, format);
  EXPECT_EQ(writer.add_section({0, false, false, 0, 0}, format.compression).size(), 273U * 4);
  const auto result = parse_uplane_message(message, format);
  ASSERT_TRUE(result.ok()) << to_string(result.status);
  EXPECT_EQ(result.message.sections.begin()->num_prbs, 273U);
  EXPECT_EQ(result.message.sections.begin()->header.num_prbs, 0);
}

TEST(OranUplane, RejectsEveryMalformedMessage) {
  const auto status_of = [](const Bytes& message, const UplaneFormat& format) {
    return parse_uplane_message(message, format).status;
  };
  const Bytes good = hand_written_static_message();
  for (std::size_t size = 0; size < 4; ++size) {
    EXPECT_EQ(status_of(Bytes(good.begin(), good.begin() + size), wide_carrier),
              UplaneParseStatus::truncated_common_header);
  }
  Bytes version2 = good;
  version2[0] = 0x20;
  EXPECT_EQ(status_of(version2, wide_carrier), UplaneParseStatus::bad_payload_version);
  EXPECT_EQ(status_of(Bytes(good.begin(), good.begin() + 4), wide_carrier),
            UplaneParseStatus::no_sections);
  for (std::size_t size = 5; size < 8; ++size) {
    EXPECT_EQ(status_of(Bytes(good.begin(), good.begin() + size), wide_carrier),
              UplaneParseStatus::truncated_section_header);
  }
  // Dynamic: the section header is 6 bytes.
  const UplaneFormat dynamic{{}, true, 273};
  Bytes dynamic_message = {0x10, 0x07, 0x30, 0x45, 0x00, 0x10, 0x00, 0x01, 0x91};
  EXPECT_EQ(status_of(dynamic_message, dynamic), UplaneParseStatus::truncated_section_header);
  dynamic_message.push_back(0x00);
  EXPECT_EQ(status_of(dynamic_message, dynamic), UplaneParseStatus::truncated_prbs);
  dynamic_message[8] = 0x93; // mu-law: this code cannot size it
  EXPECT_EQ(status_of(dynamic_message, dynamic), UplaneParseStatus::unsupported_compression);
  const UplaneFormat static_mu_law{{CompressionMethod::mu_law, 8}, false, 273};
  EXPECT_EQ(status_of(good, static_mu_law), UplaneParseStatus::unsupported_compression);
  // Second section: startPrbu 784 with rb = 1 stays inside 1000 PRBs, not inside 273 or 784.
  EXPECT_EQ(status_of(good, static_bfp8), UplaneParseStatus::prbs_outside_carrier);
  EXPECT_EQ(status_of(good, {wide_carrier.compression, false, 784}),
            UplaneParseStatus::prbs_outside_carrier);
  EXPECT_TRUE(parse_uplane_message(good, {wide_carrier.compression, false, 785}).ok());
  // rb = 1 with 2 PRBs from 783 reaches PRB 785.
  Bytes every_other = good;
  every_other[60] = 0x0F; // second section: startPrbu 0x30F = 783
  every_other[61] = 0x02; // numPrbu 2
  every_other.insert(every_other.end(), 25, 0);
  EXPECT_EQ(status_of(every_other, {wide_carrier.compression, false, 785}),
            UplaneParseStatus::prbs_outside_carrier);
  EXPECT_TRUE(parse_uplane_message(every_other, {wide_carrier.compression, false, 786}).ok());
  EXPECT_EQ(status_of(Bytes(good.begin(), good.end() - 1), wide_carrier),
            UplaneParseStatus::truncated_prbs);
  // A carrier of 0 PRBs cannot resolve numPrbu = 0.
  Bytes all_prbs = {0x10, 0x07, 0x30, 0x45, 0x00, 0x10, 0x00, 0x00};
  EXPECT_EQ(status_of(all_prbs, {wide_carrier.compression, false, 0}),
            UplaneParseStatus::prbs_outside_carrier);
  EXPECT_EQ(to_string(UplaneParseStatus::truncated_prbs), "truncated U-plane PRB data");
}

TEST(OranUplane, WriterRefusesWhatItCannotWrite) {
  Bytes message(4 + 4 + 25);
  {
    Bytes tiny(3);
    EXPECT_FALSE(UplaneMessageWriter(tiny, hand_timing, static_bfp8).ok());
    auto bad_timing = hand_timing;
    bad_timing.subframe_id = 16;
    EXPECT_FALSE(UplaneMessageWriter(message, bad_timing, static_bfp8).ok());
  }
  UplaneMessageWriter writer(message, hand_timing, static_bfp8);
  const IqCompression bfp8 = static_bfp8.compression;
  EXPECT_TRUE(writer.add_section({4096, false, false, 0, 1}, bfp8).empty()); // sectionId > 12 bits
  EXPECT_TRUE(writer.add_section({1, false, false, 1024, 1}, bfp8).empty()); // startPrbu > 10 bits
  EXPECT_TRUE(writer.add_section({1, false, false, 272, 2}, bfp8).empty());  // past the carrier
  EXPECT_TRUE(
      writer.add_section({1, false, false, 0, 1}, {CompressionMethod::block_floating_point, 9})
          .empty()); // static format: compression must match
  EXPECT_TRUE(writer.add_section({1, false, false, 0, 2}, bfp8).empty()); // no room for 2 PRBs
  EXPECT_EQ(writer.size(), 4U);
  EXPECT_EQ(writer.add_section({1, false, false, 0, 1}, bfp8).size(), 25U);
  EXPECT_TRUE(writer.add_section({2, false, false, 1, 1}, bfp8).empty()); // full
  EXPECT_EQ(writer.size(), message.size());
}

} // namespace
