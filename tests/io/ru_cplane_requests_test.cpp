// What an emulated O-RU takes from the DU's C-plane: only uplink type-1 PUSCH requests for its
// own carrier and RU ports, sections it can serve as asked, symInc followed, and every message of
// an eCPRI concatenation chain. (PRACH type-3 requests and other carriers' messages were served
// as PUSCH data, symInc was ignored, concatenated messages after the first were dropped, and a
// section beyond the carrier aborted a whole `airan ru-emulator` run.)
#include "../support/allocation_counter.h"
#include "fronthaul_test_helpers.h"

#include "airan/io/ru_cplane_requests.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace airan::io;

constexpr unsigned ru_carrier_prbs = 106;

RuCplaneScope scope() {
  RuCplaneScope s;
  s.du_port = 1;
  s.band_sector = 2;
  s.cc = 3;
  s.num_ru_ports = 2;
  s.carrier_prbs = ru_carrier_prbs;
  s.symbols_per_slot = 14;
  return s;
}

FronthaulLinkConfig link() {
  return {EaxcIdLayout{}, {}};
}

CplaneSection section(std::uint16_t id, std::uint16_t start_prb, std::uint8_t num_prbs,
                      std::uint8_t num_symbols = 1, bool symbol_increment = false) {
  CplaneSection s;
  s.section_id = id;
  s.start_prb = start_prb;
  s.num_prbs = num_prbs;
  s.num_symbols = num_symbols;
  s.symbol_increment = symbol_increment;
  return s;
}

/// A C-plane frame for \p eaxc with \p sections; the message header from \p header.
std::vector<std::uint8_t> cplane_frame(const EaxcId& eaxc, const CplaneMessageHeader& header,
                                       const std::vector<CplaneSection>& sections) {
  FronthaulFrameHeader frame_header;
  frame_header.eaxc_id = pack_eaxc_id(eaxc, EaxcIdLayout{});
  std::vector<std::uint8_t> bytes(512);
  bytes.resize(write_cplane_frame(bytes, frame_header, header, sections));
  EXPECT_FALSE(bytes.empty());
  return bytes;
}

CplaneMessageHeader uplink_header(unsigned symbol) {
  CplaneMessageHeader header;
  header.timing.direction = DataDirection::uplink;
  header.timing.frame_id = 4;
  header.timing.subframe_id = 2;
  header.timing.slot_id = 1;
  header.timing.symbol_id = static_cast<std::uint8_t>(symbol);
  return header;
}

struct Taken {
  RuCplaneTally tally;
  RuRequestsBySlot requests;
};

Taken take(const std::vector<std::uint8_t>& frame) {
  const FronthaulSlotClock clock(1, airan::phy::CyclicPrefix::normal);
  Taken taken;
  taken.tally = take_cplane_frame(frame, link(), scope(), clock, taken.requests);
  return taken;
}

std::size_t num_requests(const RuRequestsBySlot& requests) {
  std::size_t count = 0;
  for (const auto& [slot, list] : requests) {
    count += list.size();
  }
  return count;
}

TEST(RuCplaneRequests, OnlyThisCarriersUplinkType1MessagesAreServed) {
  const EaxcId ours{1, 2, 3, 1};
  const auto served = take(cplane_frame(ours, uplink_header(0), {section(5, 0, 12)}));
  EXPECT_EQ(served.tally.messages, 1U);
  EXPECT_EQ(served.tally.messages_ignored, 0U);
  ASSERT_EQ(num_requests(served.requests), 1U);
  EXPECT_EQ(served.requests.begin()->requests[0].ru_port, 1U);

  auto prach = uplink_header(0);
  prach.section_type = CplaneSectionType::prach_mixed_numerology;
  prach.fft_size_code = 12;
  prach.subcarrier_spacing = 1;
  auto filtered = uplink_header(0);
  filtered.timing.filter_index = 1;
  auto downlink = uplink_header(0);
  downlink.timing.direction = DataDirection::downlink;
  const std::vector<std::vector<std::uint8_t>> ignored = {
      cplane_frame(ours, prach, {section(7, 0, 12)}),
      cplane_frame(ours, filtered, {section(7, 0, 12)}),
      cplane_frame(ours, downlink, {section(7, 0, 12)}),
      cplane_frame({1, 2, 5, 1}, uplink_header(0), {section(7, 0, 12)}), // another CC
      cplane_frame({0, 2, 3, 1}, uplink_header(0), {section(7, 0, 12)}), // another DU port
      cplane_frame({1, 2, 3, 2}, uplink_header(0), {section(7, 0, 12)}), // RU port 2 of 2
      {0x01, 0x02, 0x03}};                                               // not a frame
  for (std::size_t i = 0; i < ignored.size(); ++i) {
    const auto result = take(ignored[i]);
    EXPECT_EQ(result.tally.messages, 1U) << i;
    EXPECT_EQ(result.tally.messages_ignored, 1U) << i;
    EXPECT_TRUE(result.requests.empty()) << i;
  }
}

TEST(RuCplaneRequests, SectionsFollowSymIncAndUnservableOnesAreCounted) {
  auto every_other = section(3, 0, 10);
  every_other.every_other_prb = true;
  auto partial_mask = section(4, 0, 10);
  partial_mask.re_mask = 0x0F0;
  const auto result = take(cplane_frame({1, 2, 3, 0}, uplink_header(2),
                                        {section(1, 0, 50, 1),        // symbol 2
                                         section(2, 50, 56, 1, true), // symbInc: symbol 3
                                         every_other, partial_mask,   // ignored
                                         section(5, 100, 7),          // PRBs 100..106 > 105
                                         section(6, 0, 0, 11, true),  // symbols 4..14 > 13
                                         section(7, 0, 0, 10)}));     // symbols 4..13: all
  EXPECT_EQ(result.tally.messages_ignored, 0U);
  EXPECT_EQ(result.tally.sections_taken, 3U);
  EXPECT_EQ(result.tally.sections_ignored, 4U);
  ASSERT_EQ(result.requests.size(), 1U);
  const auto& list = result.requests.begin()->requests;
  ASSERT_EQ(list.size(), 3U);
  EXPECT_EQ(list[0].section.section_id, 1U);
  EXPECT_EQ(list[0].start_symbol, 2U);
  EXPECT_EQ(list[1].section.section_id, 2U);
  EXPECT_EQ(list[1].start_symbol, 3U);
  EXPECT_EQ(list[2].section.section_id, 7U);
  EXPECT_EQ(list[2].start_symbol, 4U);
}

TEST(RuCplaneRequests, EveryMessageOfAConcatenationChainIsTaken) {
  auto frame = cplane_frame({1, 2, 3, 0}, uplink_header(0), {section(1, 0, 12)});
  const auto second = cplane_frame({1, 2, 3, 1}, uplink_header(0), {section(2, 12, 12)});
  constexpr std::size_t ethernet = 14;
  frame[ethernet] |= 0x01; // C bit: another message follows
  while ((frame.size() - ethernet) % 4 != 0) {
    frame.push_back(0);
  }
  frame.insert(frame.end(), second.begin() + ethernet, second.end());
  const auto result = take(frame);
  EXPECT_EQ(result.tally.messages, 2U);
  EXPECT_EQ(result.tally.messages_ignored, 0U);
  ASSERT_EQ(num_requests(result.requests), 2U);
  const auto& list = result.requests.begin()->requests;
  EXPECT_EQ(list[0].ru_port, 0U);
  EXPECT_EQ(list[1].ru_port, 1U);
  EXPECT_EQ(list[1].section.start_prb, 12U);

  // A chain whose next message is missing: the first is taken, the missing one counted.
  auto cut = cplane_frame({1, 2, 3, 0}, uplink_header(0), {section(1, 0, 12)});
  cut[ethernet] |= 0x01;
  const auto truncated = take(cut);
  EXPECT_EQ(truncated.tally.messages, 2U);
  EXPECT_EQ(truncated.tally.messages_ignored, 1U);
  EXPECT_EQ(num_requests(truncated.requests), 1U);
}

TEST(RuCplaneRequests, AMessageForASlotWithoutRoomIsCountedAndNoSlotIsLeftEmpty) {
  const FronthaulSlotClock clock(1, airan::phy::CyclicPrefix::normal);
  RuRequestsBySlot requests(1);
  const EaxcId ours{1, 2, 3, 0};
  auto later = uplink_header(0);
  later.timing.slot_id = 0;
  ++later.timing.subframe_id;
  auto tally = take_cplane_frame(cplane_frame(ours, uplink_header(0), {section(1, 0, 12)}), link(),
                                 scope(), clock, requests);
  EXPECT_EQ(tally.sections_taken, 1U);
  tally = take_cplane_frame(cplane_frame(ours, later, {section(2, 0, 12)}), link(), scope(), clock,
                            requests);
  EXPECT_EQ(tally.messages, 1U);
  EXPECT_EQ(tally.messages_ignored, 1U);
  EXPECT_EQ(tally.messages_without_room, 1U);
  EXPECT_EQ(tally.sections_taken, 0U);
  // Its own slot still takes more; a message none of whose sections is servable opens none.
  tally = take_cplane_frame(cplane_frame(ours, uplink_header(3), {section(3, 12, 12)}), link(),
                            scope(), clock, requests);
  EXPECT_EQ(tally.sections_taken, 1U);
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests.begin()->requests.size(), 2U);
  requests.clear();
  tally = take_cplane_frame(cplane_frame(ours, later, {section(4, 100, 12)}), link(), scope(),
                            clock, requests);
  EXPECT_EQ(tally.sections_ignored, 1U);
  EXPECT_EQ(tally.messages_without_room, 0U);
  EXPECT_TRUE(requests.empty());
}

TEST(RuCplaneRequests, TakingASlotsFramesAgainAllocatesNothing) {
  const FronthaulSlotClock clock(1, airan::phy::CyclicPrefix::normal);
  std::vector<std::vector<std::uint8_t>> frames;
  for (std::uint16_t port = 0; port < 2; ++port) {
    for (unsigned symbol = 0; symbol < 14; ++symbol) {
      frames.push_back(cplane_frame({1, 2, 3, port}, uplink_header(symbol),
                                    {section(1, 0, 50), section(2, 50, 56)}));
    }
  }
  RuRequestsBySlot requests;
  const auto take_all = [&] {
    requests.clear();
    std::size_t taken = 0;
    for (const auto& frame : frames) {
      taken += take_cplane_frame(frame, link(), scope(), clock, requests).sections_taken;
    }
    return taken;
  };
  EXPECT_EQ(take_all(), 56U);
  const long before = airan::test::allocation_count();
  EXPECT_EQ(take_all(), 56U);
  EXPECT_EQ(airan::test::allocation_count(), before);
}

} // namespace
