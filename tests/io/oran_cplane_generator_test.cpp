#include "airan/io/oran_cplane_generator.h"

#include "../support/allocation_counter.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

using namespace airan::io;
using Bytes = std::vector<std::uint8_t>;
using FrameView = std::span<const std::uint8_t>;

UplinkCplaneConfig test_config() {
  UplinkCplaneConfig config;
  config.ethernet.destination = {0x02, 0, 0, 0, 0, 0x02};
  config.ethernet.source = {0x02, 0, 0, 0, 0, 0x01};
  config.ethernet.vlan = VlanTag{7, false, 2};
  config.compression = {CompressionMethod::block_floating_point, 9};
  config.carrier_prbs = 273;
  return config;
}

/// One generated frame, parsed back.
struct ParsedFrame {
  EcpriMessageHeader ecpri;
  CplaneMessageHeader header;
  std::vector<CplaneSection> sections;
};

ParsedFrame parse(FrameView frame) {
  const auto ecpri = parse_ecpri_frame(frame);
  EXPECT_TRUE(ecpri.ok()) << to_string(ecpri.status);
  EXPECT_TRUE(ecpri.frame.message.rest.empty());
  const auto cplane = parse_cplane_message(ecpri.frame.message.application_payload);
  EXPECT_TRUE(cplane.ok()) << to_string(cplane.status);
  ParsedFrame parsed{ecpri.frame.message.header, cplane.message.header, {}};
  for (const auto& view : cplane.message.sections) {
    parsed.sections.push_back(view.section);
  }
  return parsed;
}

class UplinkCplaneGeneratorTest : public ::testing::Test {
protected:
  Bytes buffer = Bytes(std::size_t{64} * 1024);
  std::vector<FrameView> frames = std::vector<FrameView>(64);
  const UplinkSlot slot{200, 4, 1};
};

TEST_F(UplinkCplaneGeneratorTest, OneAllocationIsOneFrameWithOneSection) {
  UplinkCplaneGenerator generator(test_config(), 16);
  const UplinkAllocation allocation{0x1234, 10, 50, 0, 14, 5};
  const auto result = generator.generate(slot, std::span(&allocation, 1), buffer, frames);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.num_frames, 1U);
  EXPECT_EQ(result.bytes_used, 18U + 8 + 8 + 8);
  const auto parsed = parse(frames[0]);
  EXPECT_EQ(parsed.ecpri.type, EcpriMessageType::real_time_control);
  EXPECT_EQ(parsed.ecpri.eaxc_id, 0x1234);
  EXPECT_EQ(parsed.ecpri.sequence, (EcpriSequenceId{0, true, 0}));
  EXPECT_EQ(parsed.header.timing, (OranTimingHeader{DataDirection::uplink, 1, 0, 200, 4, 1, 0}));
  EXPECT_EQ(parsed.header.section_type, CplaneSectionType::normal);
  EXPECT_EQ(parsed.header.compression, test_config().compression);
  ASSERT_EQ(parsed.sections.size(), 1U);
  EXPECT_EQ(parsed.sections[0], (CplaneSection{0, false, false, 10, 50, 0xFFF, 14, false, 5, 0}));
  EXPECT_EQ(generator.next_sequence_id(0x1234), 1);
}

TEST_F(UplinkCplaneGeneratorTest, GroupsByEaxcAndStartSymbolAndCountsSequencePerEaxc) {
  UplinkCplaneGenerator generator(test_config(), 16);
  // Two UEs on two antennas (eAxC 0 and 1); UE B starts at symbol 2.
  const std::vector<UplinkAllocation> allocations = {
      {1, 100, 20, 0, 14, 0}, // UE A, antenna 1
      {0, 100, 20, 0, 14, 0}, // UE A, antenna 0
      {0, 0, 50, 2, 12, 0},   // UE B, antenna 0
      {1, 0, 50, 2, 12, 0},   // UE B, antenna 1
      {0, 50, 10, 0, 14, 0},  // UE C, antenna 0 (same start symbol as UE A)
  };
  std::vector<std::uint16_t> first_ids(allocations.size());
  const auto result = generator.generate(slot, allocations, buffer, frames, first_ids);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.num_frames, 4U);
  // Sorted by (eAxC, start symbol, start PRB): eAxC 0 symbol 0 {C, A}, eAxC 0 symbol 2 {B},
  // eAxC 1 symbol 0 {A}, eAxC 1 symbol 2 {B}.
  const auto f0 = parse(frames[0]);
  EXPECT_EQ(f0.ecpri.eaxc_id, 0);
  EXPECT_EQ(f0.header.timing.symbol_id, 0);
  ASSERT_EQ(f0.sections.size(), 2U);
  EXPECT_EQ(f0.sections[0].start_prb, 50);
  EXPECT_EQ(f0.sections[1].start_prb, 100);
  const auto f1 = parse(frames[1]);
  EXPECT_EQ(f1.ecpri.eaxc_id, 0);
  EXPECT_EQ(f1.header.timing.symbol_id, 2);
  EXPECT_EQ(f1.sections.at(0).num_symbols, 12);
  const auto f2 = parse(frames[2]);
  EXPECT_EQ(f2.ecpri.eaxc_id, 1);
  EXPECT_EQ(f2.header.timing.symbol_id, 0);
  const auto f3 = parse(frames[3]);
  EXPECT_EQ(f3.header.timing.symbol_id, 2);
  // Sequence ids count per eAxC: 0 and 1 on each.
  EXPECT_EQ(f0.ecpri.sequence.sequence_id, 0);
  EXPECT_EQ(f1.ecpri.sequence.sequence_id, 1);
  EXPECT_EQ(f2.ecpri.sequence.sequence_id, 0);
  EXPECT_EQ(f3.ecpri.sequence.sequence_id, 1);
  // Section ids in written order, from 0 on each eAxC, reported per allocation.
  EXPECT_EQ(first_ids, (std::vector<std::uint16_t>{0, 1, 2, 1, 0}));
  EXPECT_EQ(f0.sections[0].section_id, 0);
  EXPECT_EQ(f0.sections[1].section_id, 1);
  EXPECT_EQ(f2.sections[0].section_id, 0);
  EXPECT_EQ(f3.sections[0].section_id, 1);

  // The next slot continues the sequence ids and restarts the section ids.
  const auto again = generator.generate(slot, allocations, buffer, frames);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(parse(frames[0]).ecpri.sequence.sequence_id, 2);
  EXPECT_EQ(parse(frames[0]).sections[0].section_id, 0);
}

TEST_F(UplinkCplaneGeneratorTest, WholeCarrierIsNumPrbZeroAndWideAllocationsSplit) {
  UplinkCplaneGenerator generator(test_config(), 16);
  const std::vector<UplinkAllocation> allocations = {
      {0, 0, 273, 0, 14, 0}, // whole 273-PRB carrier
      {1, 5, 260, 0, 14, 0}, // 260 PRBs: 255 + 5
  };
  std::vector<std::uint16_t> first_ids(2);
  const auto result = generator.generate(slot, allocations, buffer, frames, first_ids);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.num_frames, 2U);
  const auto whole = parse(frames[0]);
  ASSERT_EQ(whole.sections.size(), 1U);
  EXPECT_EQ(whole.sections[0].start_prb, 0);
  EXPECT_EQ(whole.sections[0].num_prbs, 0);
  const auto split = parse(frames[1]);
  ASSERT_EQ(split.sections.size(), 2U);
  EXPECT_EQ(split.sections[0].start_prb, 5);
  EXPECT_EQ(split.sections[0].num_prbs, 255);
  EXPECT_EQ(split.sections[1].start_prb, 260);
  EXPECT_EQ(split.sections[1].num_prbs, 5);
  EXPECT_EQ(first_ids, (std::vector<std::uint16_t>{0, 0})); // two eAxCs: each from 0
  EXPECT_EQ(split.sections[1].section_id, 1);
}

TEST_F(UplinkCplaneGeneratorTest, FrameSizeLimitsSectionsPerFrame) {
  auto config = test_config();
  config.max_frame_size = 18 + 8 + 8 + 3 * 8; // three sections per frame
  UplinkCplaneGenerator generator(config, 16);
  EXPECT_EQ(generator.max_sections_per_frame(), 3U);
  std::vector<UplinkAllocation> allocations;
  for (std::uint16_t i = 0; i < 7; ++i) {
    allocations.push_back({9, static_cast<std::uint16_t>(10 * i), 10, 0, 14, 0});
  }
  const auto result = generator.generate(slot, allocations, buffer, frames);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.num_frames, 3U);
  EXPECT_EQ(parse(frames[0]).sections.size(), 3U);
  EXPECT_EQ(parse(frames[1]).sections.size(), 3U);
  const auto last = parse(frames[2]);
  ASSERT_EQ(last.sections.size(), 1U);
  EXPECT_EQ(last.sections[0].start_prb, 60);
  EXPECT_EQ(last.ecpri.sequence.sequence_id, 2);
  for (std::size_t f = 0; f < 3; ++f) {
    EXPECT_LE(frames[f].size(), config.max_frame_size);
  }
  UplinkCplaneConfig untagged; // 14 + 8 eCPRI + 8 header + 8 section = 38 bytes at least
  untagged.max_frame_size = 37;
  EXPECT_THROW(UplinkCplaneGenerator(untagged, 1), std::invalid_argument);
  untagged.max_frame_size = 38;
  EXPECT_EQ(UplinkCplaneGenerator(untagged, 1).max_sections_per_frame(), 1U);
}

TEST_F(UplinkCplaneGeneratorTest, ReportsEveryError) {
  UplinkCplaneGenerator generator(test_config(), 4);
  const auto status_of = [&](std::vector<UplinkAllocation> allocations, std::size_t buffer_size,
                             std::size_t num_frames) {
    return generator
        .generate(slot, allocations, std::span(buffer).first(buffer_size),
                  std::span(frames).first(num_frames))
        .status;
  };
  const UplinkAllocation ok{0, 0, 10, 0, 14, 0};
  EXPECT_EQ(status_of({ok}, 1000, 1), CplaneGenerationStatus::ok);
  const std::vector<UplinkAllocation> invalid = {
      {0, 0, 0, 0, 14, 0},  {0, 270, 4, 0, 14, 0},     {0, 0, 10, 0, 0, 0},
      {0, 0, 10, 13, 2, 0}, {0, 0, 10, 0, 14, 0x8000},
  };
  for (const auto& bad : invalid) {
    const std::vector<UplinkAllocation> allocations = {ok, bad};
    const auto result = generator.generate(slot, allocations, buffer, frames);
    EXPECT_EQ(result.status, CplaneGenerationStatus::invalid_allocation);
    EXPECT_EQ(result.allocation_index, 1U);
    EXPECT_EQ(result.num_frames, 0U);
  }
  EXPECT_EQ(status_of({ok, ok, ok, ok, ok}, 1000, 10),
            CplaneGenerationStatus::too_many_allocations);
  EXPECT_EQ(status_of({ok}, 41, 1), CplaneGenerationStatus::buffer_too_small);
  EXPECT_EQ(status_of({ok, {1, 0, 10, 0, 14, 0}}, 1000, 1),
            CplaneGenerationStatus::too_many_frames);
  const auto partial =
      generator.generate(slot, std::vector<UplinkAllocation>{ok, {1, 0, 10, 0, 14, 0}},
                         std::span(buffer).first(50), frames);
  EXPECT_EQ(partial.status, CplaneGenerationStatus::buffer_too_small);
  EXPECT_EQ(partial.num_frames, 1U); // the first frame is complete and usable
  EXPECT_EQ(partial.bytes_used, 42U);

  // More than 4096 sections in a slot: 17 whole-band allocations of 1 PRB ... use many splits.
  UplinkCplaneGenerator big(test_config(), 5000);
  std::vector<UplinkAllocation> many(4097, UplinkAllocation{0, 0, 1, 0, 14, 0});
  std::vector<FrameView> many_frames(100);
  Bytes big_buffer(1 << 20);
  EXPECT_EQ(big.generate(slot, many, big_buffer, many_frames).status,
            CplaneGenerationStatus::too_many_sections);
  // The 12 bits are per eAxC: 4097 sections over two eAxCs fit.
  for (std::size_t i = 2048; i < many.size(); ++i) {
    many[i].eaxc_id = 1;
  }
  const auto spread = big.generate(slot, many, big_buffer, many_frames);
  ASSERT_TRUE(spread.ok());
  EXPECT_EQ(parse(many_frames[spread.num_frames - 1]).sections.back().section_id, 2048);

  // Timing fields that do not fit the common header: refused before any frame (a frame whose
  // message was never written would have carried the buffer's old bytes).
  const std::vector<UplinkAllocation> one = {ok};
  for (const UplinkSlot bad_slot :
       {UplinkSlot{1, 10, 0}, UplinkSlot{1, 16, 0}, UplinkSlot{1, 2, 64}}) {
    const auto result = generator.generate(bad_slot, one, buffer, frames);
    EXPECT_EQ(result.status, CplaneGenerationStatus::invalid_timing);
    EXPECT_EQ(result.num_frames, 0U);
  }
  UplinkCplaneConfig filter = test_config();
  filter.filter_index = 16;
  UplinkCplaneGenerator filtered(filter, 4);
  EXPECT_EQ(filtered.generate(slot, one, buffer, frames).status,
            CplaneGenerationStatus::invalid_timing);
  EXPECT_EQ(generator.generate(UplinkSlot{255, 9, 63}, one, buffer, frames).status,
            CplaneGenerationStatus::ok);
}

TEST_F(UplinkCplaneGeneratorTest, AllocatesNothingPerSlot) {
  UplinkCplaneGenerator generator(test_config(), 64);
  std::vector<UplinkAllocation> allocations;
  for (std::uint16_t antenna = 0; antenna < 4; ++antenna) {
    for (std::uint16_t ue = 0; ue < 8; ++ue) {
      allocations.push_back({antenna, static_cast<std::uint16_t>(30 * ue), 30,
                             static_cast<std::uint8_t>(ue % 2), 13, 0});
    }
  }
  generator.generate(slot, allocations, buffer, frames); // warm-up
  const long before = airan::test::allocation_count();
  const auto result = generator.generate(slot, allocations, buffer, frames);
  EXPECT_EQ(airan::test::allocation_count(), before);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.num_frames, 8U);
}

} // namespace
