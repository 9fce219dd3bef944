#include "airan/io/oran_cplane.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using namespace airan::io;
using Bytes = std::vector<std::uint8_t>;

/// Section type 1 message written by hand: two sections.
const Bytes hand_written_type1 = {
    0x10,             // dataDirection 0 (UL), payloadVersion 001, filterIndex 0
    0x07,             // frameId 7
    0x30,             // subframeId 3, slotId high bits 0000
    0x42,             // slotId low bits 01 (slot 1), startSymbolId 2
    0x02,             // numberOfSections 2
    0x01,             // sectionType 1
    0x91,             // udCompHdr: udIqWidth 9, udCompMeth 1 (BFP)
    0x00,             // reserved
    0x00, 0x50, 0x14, // sectionId 5, rb 0, symInc 0, startPrbc 20
    0x32,             // numPrbc 50
    0xFF, 0xFC,       // reMask 0xFFF, numSymbol 12
    0x00, 0x03,       // ef 0, beamId 3
    0x00, 0x6F, 0xFF, // sectionId 6, rb 1, symInc 1, startPrbc 1023
    0x00,             // numPrbc 0 (all PRBs)
    0xA5, 0xA1,       // reMask 0xA5A, numSymbol 1
    0x7F, 0xFF,       // ef 0, beamId 0x7FFF
};

CplaneMessageHeader type1_header() {
  CplaneMessageHeader header;
  header.timing = {DataDirection::uplink, 1, 0, 7, 3, 1, 2};
  header.section_type = CplaneSectionType::normal;
  header.num_sections = 2;
  header.compression = {CompressionMethod::block_floating_point, 9};
  return header;
}

const std::vector<CplaneSection> type1_sections = {
    {5, false, false, 20, 50, 0xFFF, 12, false, 3, 0},
    {6, true, true, 1023, 0, 0xA5A, 1, false, 0x7FFF, 0},
};

/// Section type 3 (PRACH) message written by hand: one section.
const Bytes hand_written_type3 = {
    0x1F,             // dataDirection 0, payloadVersion 1, filterIndex 15
    0xFF,             // frameId 255
    0x90,             // subframeId 9, slotId high bits 0
    0x00,             // slotId 0, startSymbolId 0
    0x01,             // numberOfSections 1
    0x03,             // sectionType 3
    0x12, 0x34,       // timeOffset 0x1234
    0xC1,             // frameStructure: fftSize 12 (4096), subcarrier spacing 1 (30 kHz)
    0x0A, 0xB0,       // cpLength 0x0AB0
    0xE1,             // udCompHdr: 14-bit BFP
    0x00, 0x10, 0x02, // sectionId 1, rb 0, symInc 0, startPrbc 2
    0x0C,             // numPrbc 12
    0xFF, 0xF1,       // reMask 0xFFF, numSymbol 1
    0x00, 0x07,       // ef 0, beamId 7
    0xFF, 0xFB, 0x2E, // freqOffset -1234 (24-bit two's complement)
    0x00,             // reserved
};

CplaneMessageHeader type3_header() {
  CplaneMessageHeader header;
  header.timing = {DataDirection::uplink, 1, 15, 255, 9, 0, 0};
  header.section_type = CplaneSectionType::prach_mixed_numerology;
  header.num_sections = 1;
  header.compression = {CompressionMethod::block_floating_point, 14};
  header.time_offset = 0x1234;
  header.fft_size_code = 12;
  header.subcarrier_spacing = 1;
  header.cp_length = 0x0AB0;
  return header;
}

const CplaneSection type3_section{1, false, false, 2, 12, 0xFFF, 1, false, 7, -1234};

TEST(OranCplane, WritesTheHandWrittenSectionType1Message) {
  Bytes message(100, 0xCC);
  const std::size_t size = write_cplane_message(message, type1_header(), type1_sections);
  ASSERT_EQ(size, hand_written_type1.size());
  EXPECT_EQ(cplane_message_size(CplaneSectionType::normal, 2), size);
  message.resize(size);
  EXPECT_EQ(message, hand_written_type1);
}

TEST(OranCplane, ParsesTheHandWrittenSectionType1Message) {
  const auto result = parse_cplane_message(hand_written_type1);
  ASSERT_TRUE(result.ok()) << to_string(result.status);
  EXPECT_EQ(result.message.header, type1_header());
  std::vector<CplaneSection> sections;
  for (const CplaneSectionView& view : result.message.sections) {
    sections.push_back(view.section);
    EXPECT_TRUE(view.extensions.empty());
  }
  EXPECT_EQ(sections, type1_sections);
}

TEST(OranCplane, WritesAndParsesTheHandWrittenSectionType3Message) {
  Bytes message(hand_written_type3.size());
  ASSERT_EQ(write_cplane_message(message, type3_header(), std::span(&type3_section, 1)),
            hand_written_type3.size());
  EXPECT_EQ(message, hand_written_type3);
  const auto result = parse_cplane_message(hand_written_type3);
  ASSERT_TRUE(result.ok()) << to_string(result.status);
  EXPECT_EQ(result.message.header, type3_header());
  ASSERT_NE(result.message.sections.begin(), result.message.sections.end());
  EXPECT_EQ(result.message.sections.begin()->section, type3_section);
  EXPECT_EQ(fft_size_from_code(result.message.header.fft_size_code), 4096U);
}

TEST(OranCplane, FrequencyOffsetExtremes) {
  Bytes message(cplane_message_size(CplaneSectionType::prach_mixed_numerology, 2));
  auto low = type3_section;
  low.frequency_offset = -0x800000;
  auto high = type3_section;
  high.frequency_offset = 0x7FFFFF;
  const CplaneSection both[] = {low, high};
  auto header = type3_header();
  header.num_sections = 2;
  ASSERT_NE(write_cplane_message(message, header, both), 0U);
  EXPECT_EQ(Bytes(message.begin() + 20, message.begin() + 23), (Bytes{0x80, 0x00, 0x00}));
  const auto result = parse_cplane_message(message);
  ASSERT_TRUE(result.ok());
  auto it = result.message.sections.begin();
  EXPECT_EQ(it->section.frequency_offset, -0x800000);
  EXPECT_EQ((++it)->section.frequency_offset, 0x7FFFFF);
}

TEST(OranCplane, FftSizeCodes) {
  EXPECT_EQ(fft_size_from_code(4), 16U);
  EXPECT_EQ(fft_size_from_code(11), 2048U);
  EXPECT_EQ(fft_size_from_code(13), 1536U);
  EXPECT_EQ(fft_size_from_code(14), 3072U);
  EXPECT_EQ(fft_size_from_code(0), 0U);
  EXPECT_EQ(fft_size_from_code(15), 0U);
  EXPECT_EQ(fft_size_code(4096), 12);
  EXPECT_EQ(fft_size_code(1536), 13);
  EXPECT_FALSE(fft_size_code(1000));
}

/// Type 1 message with one section whose ef is set, followed by \p extensions.
Bytes with_extensions(const Bytes& extensions) {
  Bytes message(hand_written_type1.begin(), hand_written_type1.begin() + 16);
  message[4] = 1;     // numberOfSections 1
  message[14] = 0x80; // ef 1, beamId 3
  for (const std::uint8_t byte : extensions) {
    message.push_back(byte);
  }
  return message;
}

TEST(OranCplane, WalksSectionExtensions) {
  const Bytes extensions = {
      0x86, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // ef 1, extType 6, extLen 2 words
      0x0B, 0x00, 0x01, 0x00,                         // ef 0, extType 11, 16-bit extLen 1 word
  };
  Bytes message = with_extensions(extensions);
  // A second section without extensions after them.
  message[4] = 2;
  message.insert(message.end(), hand_written_type1.begin() + 16, hand_written_type1.end());
  const auto result = parse_cplane_message(message);
  ASSERT_TRUE(result.ok()) << to_string(result.status);
  auto it = result.message.sections.begin();
  EXPECT_TRUE(it->section.has_extensions);
  EXPECT_EQ(it->section.beam_id, 3);
  EXPECT_EQ(it->extensions.size(), 12U);
  EXPECT_EQ(it->extensions.data(), message.data() + 16);
  ++it;
  EXPECT_EQ(it->section, type1_sections[1]);
  EXPECT_EQ(++it, result.message.sections.end());
}

TEST(OranCplane, RejectsEveryMalformedMessage) {
  const auto status_of = [](const Bytes& message) { return parse_cplane_message(message).status; };
  for (std::size_t size = 0; size < 8; ++size) {
    EXPECT_EQ(status_of(Bytes(hand_written_type1.begin(), hand_written_type1.begin() + size)),
              CplaneParseStatus::truncated_common_header)
        << size;
  }
  for (std::size_t size = 6; size < 12; ++size) {
    EXPECT_EQ(status_of(Bytes(hand_written_type3.begin(), hand_written_type3.begin() + size)),
              CplaneParseStatus::truncated_common_header)
        << size;
  }
  Bytes version0 = hand_written_type1;
  version0[0] = 0x00;
  EXPECT_EQ(status_of(version0), CplaneParseStatus::bad_payload_version);
  for (const std::uint8_t type : {0, 2, 4, 5, 6, 7, 255}) {
    Bytes other = hand_written_type1;
    other[5] = type;
    EXPECT_EQ(status_of(other), CplaneParseStatus::unsupported_section_type) << int{type};
  }
  Bytes no_sections(hand_written_type1.begin(), hand_written_type1.begin() + 8);
  no_sections[4] = 0;
  EXPECT_EQ(status_of(no_sections), CplaneParseStatus::no_sections);
  for (std::size_t size = 8; size < hand_written_type1.size(); ++size) {
    if (size == 16) {
      continue; // one whole section: numberOfSections says two
    }
    EXPECT_EQ(status_of(Bytes(hand_written_type1.begin(), hand_written_type1.begin() + size)),
              CplaneParseStatus::truncated_section)
        << size;
  }
  EXPECT_EQ(status_of(Bytes(hand_written_type1.begin(), hand_written_type1.begin() + 16)),
            CplaneParseStatus::truncated_section);
  EXPECT_EQ(status_of(Bytes(hand_written_type3.begin(), hand_written_type3.end() - 1)),
            CplaneParseStatus::truncated_section);
  Bytes trailing = hand_written_type1;
  trailing.push_back(0);
  EXPECT_EQ(status_of(trailing), CplaneParseStatus::trailing_bytes);

  EXPECT_EQ(status_of(with_extensions({})), CplaneParseStatus::truncated_extension);
  EXPECT_EQ(status_of(with_extensions({0x06})), CplaneParseStatus::truncated_extension);
  EXPECT_EQ(status_of(with_extensions({0x0B, 0x00})), CplaneParseStatus::truncated_extension);
  EXPECT_EQ(status_of(with_extensions({0x06, 0x02, 0, 0, 0, 0, 0})),
            CplaneParseStatus::truncated_extension);
  EXPECT_EQ(status_of(with_extensions({0x86, 0x01, 0, 0})),
            CplaneParseStatus::truncated_extension); // ef says another follows
  EXPECT_EQ(status_of(with_extensions({0x06, 0x00, 0, 0})),
            CplaneParseStatus::zero_extension_length);
  EXPECT_EQ(status_of(with_extensions({0x13, 0x00, 0x00, 0x00})),
            CplaneParseStatus::zero_extension_length); // extType 19: 16-bit extLen 0
  EXPECT_TRUE(parse_cplane_message(with_extensions({0x06, 0x01, 0, 0})).ok());
  EXPECT_EQ(to_string(CplaneParseStatus::trailing_bytes), "bytes after the last C-plane section");
}

TEST(OranCplane, WriterRefusesWhatItCannotWrite) {
  Bytes message(4096);
  const auto header = type1_header();
  EXPECT_EQ(write_cplane_message(message, header, {}), 0U);
  const std::vector<CplaneSection> too_many(256);
  EXPECT_EQ(write_cplane_message(message, header, too_many), 0U);
  const std::vector<CplaneSection> most(255);
  EXPECT_EQ(write_cplane_message(message, header, most), 8U + 255 * 8);
  Bytes short_buffer(hand_written_type1.size() - 1);
  EXPECT_EQ(write_cplane_message(short_buffer, header, type1_sections), 0U);

  const auto refused = [&](CplaneSection section, const CplaneMessageHeader& h) {
    return write_cplane_message(message, h, std::span(&section, 1)) == 0;
  };
  CplaneSection ok = type1_sections[0];
  EXPECT_FALSE(refused(ok, header));
  auto s = ok;
  s.section_id = 0x1000;
  EXPECT_TRUE(refused(s, header));
  s = ok;
  s.start_prb = 0x400;
  EXPECT_TRUE(refused(s, header));
  s = ok;
  s.re_mask = 0x1000;
  EXPECT_TRUE(refused(s, header));
  s = ok;
  s.num_symbols = 16;
  EXPECT_TRUE(refused(s, header));
  s = ok;
  s.beam_id = 0x8000;
  EXPECT_TRUE(refused(s, header));
  s = type3_section;
  s.frequency_offset = 0x800000;
  EXPECT_TRUE(refused(s, type3_header()));
  s.frequency_offset = -0x800001;
  EXPECT_TRUE(refused(s, type3_header()));
  auto h = header;
  h.timing.symbol_id = 64;
  EXPECT_TRUE(refused(ok, h));
  h = header;
  h.section_type = static_cast<CplaneSectionType>(5);
  EXPECT_TRUE(refused(ok, h));
  h = header;
  h.compression.iq_width = 0;
  EXPECT_TRUE(refused(ok, h));
  h = type3_header();
  h.fft_size_code = 16;
  EXPECT_TRUE(refused(type3_section, h));
}

} // namespace
