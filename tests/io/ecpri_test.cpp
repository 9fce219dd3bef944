#include "airan/io/ecpri.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace {

using namespace airan::io;
using Bytes = std::vector<std::uint8_t>;

EthernetHeader tagged_ethernet() {
  EthernetHeader ethernet;
  ethernet.destination = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
  ethernet.source = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  ethernet.vlan = VlanTag{5, true, 100};
  return ethernet;
}

/// Tagged IQ-data frame written by hand: 4 application bytes DE AD BE EF.
const Bytes hand_written_iq_frame = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // destination MAC
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source MAC
    0x81, 0x00,                         // TPID 802.1Q
    0xB0, 0x64,                         // PCP 5 (101), DEI 1, VID 100 (0x064)
    0xAE, 0xFE,                         // EtherType eCPRI
    0x10,                               // revision 1, reserved 000, C 0
    0x00,                               // message type 0: IQ data
    0x00, 0x08,                         // payload size 8 = PC_ID + SEQ_ID + 4 bytes
    0x12, 0x34,                         // PC_ID: DU 1, band sector 2, CC 3, RU port 4 (4/4/4/4)
    0x2A,                               // sequence id 42
    0x85,                               // E bit 1, subsequence id 5
    0xDE, 0xAD, 0xBE, 0xEF,             // application payload
};

TEST(EaxcId, PacksAndUnpacksWithEveryLayout) {
  const EaxcIdLayout even{4, 4, 4, 4};
  EXPECT_EQ(pack_eaxc_id({1, 2, 3, 4}, even), 0x1234);
  EXPECT_EQ(unpack_eaxc_id(0x1234, even), (EaxcId{1, 2, 3, 4}));

  // Wireshark's default 2/6/4/4: 0x1234 = 00 010010 0011 0100.
  const EaxcIdLayout wireshark{2, 6, 4, 4};
  EXPECT_EQ(unpack_eaxc_id(0x1234, wireshark), (EaxcId{0, 18, 3, 4}));
  EXPECT_EQ(pack_eaxc_id({0, 18, 3, 4}, wireshark), 0x1234);

  // 1/1/1/13 and 8/0/0/8 (a zero-width field is always 0).
  const EaxcIdLayout skewed{1, 1, 1, 13};
  EXPECT_EQ(pack_eaxc_id({1, 0, 1, 0x1FFF}, skewed), 0xBFFF);
  EXPECT_EQ(unpack_eaxc_id(0xBFFF, skewed), (EaxcId{1, 0, 1, 0x1FFF}));
  const EaxcIdLayout two_fields{8, 0, 0, 8};
  EXPECT_EQ(pack_eaxc_id({0xAB, 0, 0, 0xCD}, two_fields), 0xABCD);
  EXPECT_EQ(unpack_eaxc_id(0xABCD, two_fields), (EaxcId{0xAB, 0, 0, 0xCD}));
}

TEST(EaxcId, RejectsFieldsThatDoNotFitAndInvalidLayouts) {
  EXPECT_THROW(pack_eaxc_id({16, 0, 0, 0}, EaxcIdLayout{4, 4, 4, 4}), std::invalid_argument);
  EXPECT_THROW(pack_eaxc_id({0, 0, 0, 1}, EaxcIdLayout{8, 8, 0, 0}), std::invalid_argument);
  EXPECT_THROW(pack_eaxc_id({}, EaxcIdLayout{4, 4, 4, 5}), std::invalid_argument);
  EXPECT_FALSE((EaxcIdLayout{4, 4, 4, 3}.valid()));
  EXPECT_EQ(unpack_eaxc_id(0xFFFF, EaxcIdLayout{4, 4, 4, 3}), EaxcId{});
}

TEST(Ecpri, WritesTheHandWrittenFrame) {
  EcpriMessageHeader header;
  header.type = EcpriMessageType::iq_data;
  header.eaxc_id = pack_eaxc_id({1, 2, 3, 4}, EaxcIdLayout{});
  header.sequence = {42, true, 5};
  header.payload_size = 999; // ignored: computed from the application payload size
  Bytes frame(hand_written_iq_frame.size(), 0xCC);
  const auto ethernet = tagged_ethernet();
  ASSERT_EQ(write_ecpri_frame_header(frame, ethernet, header, 4), 26U);
  EXPECT_EQ(ecpri_frame_header_size(ethernet), 26U);
  const std::uint8_t payload[] = {0xDE, 0xAD, 0xBE, 0xEF};
  std::copy(std::begin(payload), std::end(payload), frame.begin() + 26);
  EXPECT_EQ(frame, hand_written_iq_frame);
}

TEST(Ecpri, ParsesTheHandWrittenFrame) {
  const auto result = parse_ecpri_frame(hand_written_iq_frame);
  ASSERT_TRUE(result.ok()) << to_string(result.status);
  EXPECT_EQ(result.frame.ethernet, tagged_ethernet());
  const auto& header = result.frame.message.header;
  EXPECT_EQ(header.type, EcpriMessageType::iq_data);
  EXPECT_FALSE(header.concatenated);
  EXPECT_EQ(header.payload_size, 8);
  EXPECT_EQ(header.eaxc_id, 0x1234);
  EXPECT_EQ(header.sequence, (EcpriSequenceId{42, true, 5}));
  ASSERT_EQ(result.frame.message.application_payload.size(), 4U);
  EXPECT_EQ(result.frame.message.application_payload.data(), hand_written_iq_frame.data() + 26);
  EXPECT_TRUE(result.frame.message.rest.empty());
}

TEST(Ecpri, RoundTripsUntaggedRealTimeControlWithPadding) {
  EthernetHeader ethernet;
  ethernet.destination = {1, 2, 3, 4, 5, 6};
  ethernet.source = {7, 8, 9, 10, 11, 12};
  EcpriMessageHeader header;
  header.type = EcpriMessageType::real_time_control;
  header.concatenated = true;
  header.eaxc_id = 0xBEEF;
  header.sequence = {255, false, 127};
  Bytes frame(60, 0); // minimum Ethernet frame: the tail is padding
  ASSERT_EQ(write_ecpri_frame_header(frame, ethernet, header, 10), 22U);
  EXPECT_EQ(frame[12], 0xAE); // no tag: EtherType right after the addresses
  EXPECT_EQ(frame[14], 0x11); // revision 1, C bit set
  EXPECT_EQ(frame[15], 0x02); // real-time control
  EXPECT_EQ(frame[17], 14);   // payload size 4 + 10
  EXPECT_EQ(frame[21], 0x7F); // E bit 0, subsequence 127
  const auto result = parse_ecpri_frame(frame);
  ASSERT_TRUE(result.ok()) << to_string(result.status);
  EXPECT_EQ(result.frame.ethernet, ethernet);
  header.payload_size = 14;
  EXPECT_EQ(result.frame.message.header, header);
  EXPECT_EQ(result.frame.message.application_payload.size(), 10U);
  EXPECT_EQ(result.frame.message.rest.size(), 60U - 32U);
}

TEST(Ecpri, ParsesAConcatenatedSecondMessage) {
  // Two messages back to back; the first is 4 + 8 = 12 bytes, already 4-byte aligned.
  const Bytes bytes = {0x11, 0x00, 0x00, 0x08, 0x00, 0x01, 0x07, 0x80, 0xAA, 0xBB, 0xCC,
                       0xDD, 0x10, 0x02, 0x00, 0x05, 0x00, 0x02, 0x08, 0x80, 0xEE};
  const auto first = parse_ecpri_message(bytes);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first.message.header.concatenated);
  ASSERT_EQ(first.message.rest.size(), 9U);
  const auto second = parse_ecpri_message(first.message.rest);
  ASSERT_TRUE(second.ok()) << to_string(second.status);
  EXPECT_EQ(second.message.header.type, EcpriMessageType::real_time_control);
  EXPECT_EQ(second.message.header.eaxc_id, 2);
  ASSERT_EQ(second.message.application_payload.size(), 1U);
  EXPECT_EQ(second.message.application_payload[0], 0xEE);
}

TEST(Ecpri, NextConcatenatedMessageSkipsTheAlignmentPadding) {
  // A 4 + 5 = 9-byte first message, 3 padding bytes, then a second message (4 + 4 bytes).
  const Bytes chain = {0x11, 0x00, 0x00, 0x05, 0x00, 0x01, 0x07, 0x80, 0xAA, 0x00,
                       0x00, 0x00, 0x10, 0x02, 0x00, 0x04, 0x00, 0x02, 0x08, 0x80};
  const auto first = parse_ecpri_message(chain);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first.message.rest.size(), 11U);
  // Read without the padding, the padding bytes would be taken for a header (revision 0).
  EXPECT_EQ(parse_ecpri_message(first.message.rest).status, EcpriParseStatus::bad_revision);
  const auto second = next_concatenated_message(chain, first.message);
  ASSERT_TRUE(second.ok()) << to_string(second.status);
  EXPECT_EQ(second.message.header.type, EcpriMessageType::real_time_control);
  EXPECT_EQ(second.message.header.eaxc_id, 2);
  EXPECT_TRUE(second.message.application_payload.empty());
  EXPECT_TRUE(second.message.rest.empty());
  // A chain that ends inside the padding, or right after it, announces a message not there.
  const Bytes short_padding(chain.begin(), chain.begin() + 11);
  EXPECT_EQ(
      next_concatenated_message(short_padding, parse_ecpri_message(short_padding).message).status,
      EcpriParseStatus::truncated_ecpri_header);
  const Bytes no_message(chain.begin(), chain.begin() + 12);
  EXPECT_EQ(next_concatenated_message(no_message, parse_ecpri_message(no_message).message).status,
            EcpriParseStatus::truncated_ecpri_header);
}

TEST(Ecpri, RejectsEveryMalformedFrame) {
  const auto status_of = [](const Bytes& frame) { return parse_ecpri_frame(frame).status; };
  const Bytes& good = hand_written_iq_frame;

  EXPECT_EQ(status_of(Bytes(good.begin(), good.begin() + 13)),
            EcpriParseStatus::truncated_ethernet_header);
  EXPECT_EQ(status_of(Bytes(good.begin(), good.begin() + 16)),
            EcpriParseStatus::truncated_vlan_tag);
  Bytes ipv4 = good;
  ipv4[16] = 0x08;
  ipv4[17] = 0x00;
  EXPECT_EQ(status_of(ipv4), EcpriParseStatus::not_ecpri);
  Bytes untagged_ipv4(good.begin(), good.begin() + 14);
  untagged_ipv4[12] = 0x08;
  untagged_ipv4[13] = 0x00;
  EXPECT_EQ(status_of(untagged_ipv4), EcpriParseStatus::not_ecpri);
  for (std::size_t size = 18; size < 26; ++size) {
    EXPECT_EQ(status_of(Bytes(good.begin(), good.begin() + size)),
              EcpriParseStatus::truncated_ecpri_header)
        << size;
  }
  Bytes revision2 = good;
  revision2[18] = 0x20;
  EXPECT_EQ(status_of(revision2), EcpriParseStatus::bad_revision);
  for (const std::uint8_t type : {1, 3, 5, 7, 255}) {
    Bytes other_type = good;
    other_type[19] = type;
    EXPECT_EQ(status_of(other_type), EcpriParseStatus::unknown_message_type) << int{type};
  }
  Bytes too_small = good;
  too_small[21] = 3;
  EXPECT_EQ(status_of(too_small), EcpriParseStatus::payload_size_too_small);
  Bytes too_large = good;
  too_large[21] = 9;
  EXPECT_EQ(status_of(too_large), EcpriParseStatus::payload_size_exceeds_frame);
  EXPECT_EQ(status_of(Bytes(good.begin(), good.end() - 1)),
            EcpriParseStatus::payload_size_exceeds_frame);

  // Every status has its own description.
  EXPECT_EQ(to_string(EcpriParseStatus::payload_size_exceeds_frame),
            "eCPRI payload size exceeds frame");
}

/// An untagged frame of \p count real-time control messages of 4 + 8 bytes, each but the last
/// announcing the next (C bit); \p last_concatenated sets the last one's too.
Bytes chain_frame(unsigned count, bool last_concatenated = false) {
  Bytes frame = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0xAE, 0xFE};
  for (unsigned i = 0; i < count; ++i) {
    const bool c = i + 1 < count || last_concatenated;
    const Bytes message = {static_cast<std::uint8_t>(c ? 0x11 : 0x10),
                           0x02,
                           0x00,
                           0x08,
                           0x00,
                           0x01,
                           0x00,
                           0x80,
                           0xAA,
                           0xBB,
                           0xCC,
                           0xDD};
    frame.insert(frame.end(), message.begin(), message.end());
  }
  return frame;
}

// A chain is walked up to ecpri_max_concatenated_messages; one still announcing more after that
// ends chain_too_long (its unread rest is one message more), one that ends there is whole.
TEST(Ecpri, AChainBeyondTheBoundEndsTooLong) {
  for (const auto& [count, last_c, expected] :
       {std::tuple{3U, false, EcpriParseStatus::ok},
        std::tuple{ecpri_max_concatenated_messages, false, EcpriParseStatus::ok},
        std::tuple{ecpri_max_concatenated_messages, true, EcpriParseStatus::chain_too_long},
        std::tuple{ecpri_max_concatenated_messages + 40, false, EcpriParseStatus::chain_too_long},
        std::tuple{3U, true, EcpriParseStatus::truncated_ecpri_header}}) {
    const Bytes frame = chain_frame(count, last_c);
    const auto parsed = parse_ecpri_frame(frame);
    ASSERT_TRUE(parsed.ok());
    unsigned seen = 0;
    const EcpriChainWalk walk =
        for_each_ecpri_message(frame, parsed.frame, [&](const EcpriMessageView&) { ++seen; });
    EXPECT_EQ(walk.status, expected) << count;
    EXPECT_EQ(walk.messages, std::min(count, ecpri_max_concatenated_messages)) << count;
    EXPECT_EQ(seen, walk.messages);
  }
  EXPECT_EQ(to_string(EcpriParseStatus::chain_too_long), "eCPRI concatenation chain too long");
}

TEST(Ecpri, AcceptsAnEmptyApplicationPayload) {
  Bytes frame = hand_written_iq_frame;
  frame[21] = 4;
  const auto result = parse_ecpri_frame(frame);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.frame.message.application_payload.empty());
  EXPECT_EQ(result.frame.message.rest.size(), 4U);
}

TEST(Ecpri, WriterRefusesShortBuffersAndOversizedPayloads) {
  Bytes frame(25);
  EXPECT_EQ(write_ecpri_frame_header(frame, tagged_ethernet(), {}, 0), 0U);
  frame.resize(26);
  EXPECT_EQ(write_ecpri_frame_header(frame, tagged_ethernet(), {}, ecpri_max_application_payload),
            26U);
  EXPECT_EQ(
      write_ecpri_frame_header(frame, tagged_ethernet(), {}, ecpri_max_application_payload + 1),
      0U);
}

} // namespace
