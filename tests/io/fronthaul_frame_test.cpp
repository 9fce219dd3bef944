#include "airan/io/fronthaul_frame.h"

#include "../support/allocation_counter.h"

#include <gtest/gtest.h>

#include <complex>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace {

using namespace airan::io;
using airan::phy::cf32;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t carrier_prbs = 106;

FronthaulLinkConfig link_config() {
  FronthaulLinkConfig config;
  config.eaxc_layout = {2, 6, 4, 4};
  config.uplane = {{CompressionMethod::block_floating_point, 9}, false, carrier_prbs};
  return config;
}

FronthaulFrameHeader frame_header(std::uint8_t sequence_id) {
  FronthaulFrameHeader header;
  header.ethernet.destination = {0x02, 0, 0, 0, 0, 0x02};
  header.ethernet.source = {0x02, 0, 0, 0, 0, 0x01};
  header.ethernet.vlan = VlanTag{5, false, 100};
  header.eaxc_id = pack_eaxc_id({1, 5, 2, 3}, link_config().eaxc_layout);
  header.sequence = {sequence_id, true, 0};
  return header;
}

std::vector<cf32> random_symbol(unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss(0.0F, 0.1F);
  std::vector<cf32> symbol(std::size_t{carrier_prbs} * 12);
  for (auto& x : symbol) {
    x = {gauss(rng), gauss(rng)};
  }
  return symbol;
}

const OranTimingHeader timing{DataDirection::uplink, 1, 0, 12, 3, 1, 9};

TEST(FronthaulFrame, UplaneFrameRoundTripsIntoTheGridSymbol) {
  const auto compressor = create_iq_compressor();
  const auto config = link_config();
  const auto transmitted = random_symbol(1);
  Bytes buffer(9000);
  UplaneFrameWriter writer(buffer, frame_header(77), timing, config.uplane);
  // Section 1: PRBs 0..49; section 2: every other PRB from 60 (60, 62, ..., 78).
  compressor->compress(std::span(transmitted).first(std::size_t{50} * 12),
                       config.uplane.compression, 1.0F,
                       writer.add_section({1, false, false, 0, 50}, config.uplane.compression));
  auto every_other = writer.add_section({2, true, false, 60, 10}, config.uplane.compression);
  ASSERT_EQ(every_other.size(), 10U * 28);
  for (std::size_t k = 0; k < 10; ++k) {
    compressor->compress(std::span(transmitted).subspan((60 + 2 * k) * 12, 12),
                         config.uplane.compression, 1.0F, every_other.subspan(k * 28, 28));
  }
  const auto frame = writer.finish();
  ASSERT_EQ(frame.size(), 18U + 8 + 4 + (4 + 50 * 28) + (4 + 10 * 28));

  const auto result = parse_fronthaul_frame(frame, config);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result.frame.plane, FronthaulPlane::uplane);
  EXPECT_EQ(result.frame.eaxc, (EaxcId{1, 5, 2, 3}));
  EXPECT_EQ(result.frame.ecpri.message.header.sequence.sequence_id, 77);
  EXPECT_EQ(result.frame.uplane.timing, timing);
  ASSERT_EQ(result.frame.uplane.num_sections, 2U);

  std::vector<cf32> received(std::size_t{carrier_prbs} * 12, cf32(9.0F, 9.0F));
  for (const auto& section : result.frame.uplane.sections) {
    decompress_section(section, *compressor, 1.0F, received);
  }
  for (std::size_t prb = 0; prb < carrier_prbs; ++prb) {
    const bool sent = prb < 50 || (prb >= 60 && prb < 80 && prb % 2 == 0);
    for (std::size_t k = 0; k < 12; ++k) {
      const std::size_t i = prb * 12 + k;
      if (sent) {
        EXPECT_LT(std::abs(received[i] - transmitted[i]), 0.01F) << i; // 9-bit BFP
      } else {
        EXPECT_EQ(received[i], cf32(9.0F, 9.0F)) << i; // untouched
      }
    }
  }
}

TEST(FronthaulFrame, CplaneFrameRoundTrips) {
  Bytes buffer(200);
  CplaneMessageHeader message;
  message.timing = timing;
  message.compression = link_config().uplane.compression;
  const CplaneSection section{7, false, false, 0, 0, 0xFFF, 14, false, 1, 0};
  const std::size_t size =
      write_cplane_frame(buffer, frame_header(3), message, std::span(&section, 1));
  ASSERT_EQ(size, 18U + 8 + 8 + 8);
  const auto result = parse_fronthaul_frame(std::span(buffer).first(size), link_config());
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result.frame.plane, FronthaulPlane::cplane);
  EXPECT_EQ(result.frame.cplane.header.num_sections, 1);
  EXPECT_EQ(result.frame.cplane.sections.begin()->section, section);
  EXPECT_EQ(write_cplane_frame(std::span(buffer).first(size - 1), frame_header(3), message,
                               std::span(&section, 1)),
            0U);
}

TEST(FronthaulFrame, ReportsTheFailingLayer) {
  const auto config = link_config();
  Bytes buffer(200);
  CplaneMessageHeader message;
  message.timing = timing;
  const CplaneSection section{};
  const std::size_t size =
      write_cplane_frame(buffer, frame_header(0), message, std::span(&section, 1));
  Bytes frame(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(size));

  Bytes not_ecpri = frame;
  not_ecpri[16] = 0x08;
  auto result = parse_fronthaul_frame(not_ecpri, config);
  EXPECT_EQ(result.ecpri_status, EcpriParseStatus::not_ecpri);
  EXPECT_EQ(result.error(), "EtherType is not eCPRI");

  Bytes bad_section_type = frame;
  bad_section_type[26 + 5] = 5;
  result = parse_fronthaul_frame(bad_section_type, config);
  EXPECT_TRUE(result.ecpri_status == EcpriParseStatus::ok);
  EXPECT_EQ(result.cplane_status, CplaneParseStatus::unsupported_section_type);
  EXPECT_FALSE(result.ok());

  // A C-plane body read as U-plane: numberOfSections 1, sectionType 1, udCompHdr 0x91 make
  // startPrbu 0x191 = 401, past the 106-PRB carrier.
  Bytes as_uplane = frame;
  as_uplane[19] = 0x00;
  result = parse_fronthaul_frame(as_uplane, config);
  EXPECT_EQ(result.uplane_status, UplaneParseStatus::prbs_outside_carrier);
  EXPECT_EQ(result.error(), "U-plane section PRBs outside the carrier");
}

TEST(FronthaulFrame, DecompressSectionChecksTheSymbolSize) {
  const auto compressor = create_iq_compressor();
  Bytes prbs(std::size_t{2} * 28);
  UplaneSectionView section;
  section.header = {0, false, false, 104, 2};
  section.compression = {CompressionMethod::block_floating_point, 9};
  section.num_prbs = 2;
  section.prbs = prbs;
  std::vector<cf32> symbol(std::size_t{carrier_prbs} * 12);
  EXPECT_NO_THROW(decompress_section(section, *compressor, 1.0F, symbol));
  section.header.start_prb = 105;
  EXPECT_THROW(decompress_section(section, *compressor, 1.0F, symbol), std::invalid_argument);
  section.header = {0, true, false, 103, 2}; // 103 and 105
  EXPECT_NO_THROW(decompress_section(section, *compressor, 1.0F, symbol));
  section.header.start_prb = 104; // 104 and 106
  EXPECT_THROW(decompress_section(section, *compressor, 1.0F, symbol), std::invalid_argument);
}

TEST(FronthaulFrame, ParsingAndDecompressingAllocateNothing) {
  const auto compressor = create_iq_compressor();
  const auto config = link_config();
  const auto transmitted = random_symbol(2);
  Bytes buffer(9000);
  UplaneFrameWriter writer(buffer, frame_header(1), timing, config.uplane);
  compressor->compress(transmitted, config.uplane.compression, 1.0F,
                       writer.add_section({1, false, false, 0, 0}, config.uplane.compression));
  const auto frame = writer.finish();
  std::vector<cf32> received(std::size_t{carrier_prbs} * 12);
  const long before = airan::test::allocation_count();
  const auto result = parse_fronthaul_frame(frame, config);
  for (const auto& section : result.frame.uplane.sections) {
    decompress_section(section, *compressor, 1.0F, received);
  }
  EXPECT_EQ(airan::test::allocation_count(), before);
  EXPECT_TRUE(result.ok());
  EXPECT_LT(std::abs(received[1000] - transmitted[1000]), 0.01F);
}

} // namespace
