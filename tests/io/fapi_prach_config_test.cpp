// The PRACH configuration TLVs of CONFIG.request (SCF 222.10.02 Table 3-24): a two-occasion
// configuration written out TLV by TLV against the encoder and decoded back (also with the 1-byte
// numUnusedRootSequences / unusedRootSequences some MACs send), and the occasion structure
// (numPrachFdOccasions, prachRootSequenceIndex first, the unused root sequence count), ranges,
// duplicates and capacities refused with a reason, by the decoder and the encoder.
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace {

using namespace airan::io;
using namespace airan::io::test;

/// A CONFIG.request TLV with a \p size-byte little-endian value, padded to 4 bytes.
void add_tlv(Bytes& body, std::uint16_t tag, unsigned value, std::uint8_t size) {
  body.insert(body.end(),
              {static_cast<std::uint8_t>(tag), static_cast<std::uint8_t>(tag >> 8), size, 0});
  for (unsigned b = 0; b < 4; ++b) {
    body.push_back(b < size ? static_cast<std::uint8_t>(value >> (8 * b)) : 0);
  }
}

FapiPrachConfig sample_prach_config() {
  FapiPrachConfig prach;
  prach.prach_sequence_length = 1; // short (L = 139)
  prach.prach_sub_c_spacing = 1;   // 30 kHz
  prach.restricted_set_config = 0;
  prach.num_prach_fd_occasions = 2;
  prach.prach_config_index = 159;
  prach.fd_occasions[0] = {1, 11, 0, 11, 1, {12}};
  prach.fd_occasions[1] = {1, 11, 12, 11, 0, {}};
  prach.num_fd_occasions = 2;
  prach.ssb_per_rach = 3; // one SSB per RACH occasion
  prach.prach_multiple_carriers_in_a_band = 0;
  return prach;
}

/// The CONFIG.request body of sample_prach_config() alone, TLV by TLV (each 8 bytes).
Bytes sample_prach_config_body() {
  namespace t = fapi_prach_config_tag;
  Bytes body = {18};                                 // number of TLVs
  add_tlv(body, t::prach_sequence_length, 1, 1);     // 0x1011
  add_tlv(body, t::prach_sub_c_spacing, 1, 1);       // 0x1012
  add_tlv(body, t::restricted_set_config, 0, 1);     // 0x1013
  add_tlv(body, t::num_prach_fd_occasions, 2, 1);    // 0x1014
  add_tlv(body, t::prach_config_index, 159, 1);      // 0x1029
  add_tlv(body, t::prach_root_sequence_index, 1, 2); // occasion 0: 0x1015
  add_tlv(body, t::num_root_sequences, 11, 1);       // 0x1016
  add_tlv(body, t::k1, 0, 2);                        // 0x1017
  add_tlv(body, t::prach_zero_corr_conf, 11, 1);     // 0x1018
  add_tlv(body, t::num_unused_root_sequences, 1, 2); // 0x1019
  add_tlv(body, t::unused_root_sequences, 12, 2);    // 0x101A
  add_tlv(body, t::prach_root_sequence_index, 1, 2); // occasion 1
  add_tlv(body, t::num_root_sequences, 11, 1);
  add_tlv(body, t::k1, 12, 2);
  add_tlv(body, t::prach_zero_corr_conf, 11, 1);
  add_tlv(body, t::num_unused_root_sequences, 0, 2);
  add_tlv(body, t::ssb_per_rach, 3, 1);                      // 0x101B
  add_tlv(body, t::prach_multiple_carriers_in_a_band, 0, 1); // 0x101C
  return body;
}

TEST(FapiPrachConfig, ByteLayoutAndNarrowValues) {
  FapiConfigRequest config;
  config.prach = sample_prach_config();
  const Bytes expected = with_headers(FapiMessageType::config_request, sample_prach_config_body());
  EXPECT_EQ(encode(config), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  EXPECT_EQ(scratch_message().config_request, config);
  EXPECT_EQ(scratch_message().config_request.unrecognised.count, 0U);
  // numUnusedRootSequences and unusedRootSequences sent in one byte (as some MACs do).
  Bytes narrow = sample_prach_config_body();
  narrow[8 * 9 + 3] = 1;  // 0x1019's length
  narrow[8 * 10 + 3] = 1; // 0x101A's length
  ASSERT_TRUE(decode(with_headers(FapiMessageType::config_request, narrow)).ok());
  EXPECT_EQ(scratch_message().config_request, config);
}

TEST(FapiPrachConfig, MalformedOccasionsAreRefusedWithAReason) {
  namespace t = fapi_prach_config_tag;
  struct Case {
    const char* what;
    std::size_t tlv; ///< TLV (0 ..) of sample_prach_config_body() to change.
    std::uint16_t tag;
    unsigned value;
    FapiStatus status;
  };
  const Case cases[] = {
      {"root index 838", 5, t::prach_root_sequence_index, 838, FapiStatus::out_of_range},
      {"numRootSequences 0", 6, t::num_root_sequences, 0, FapiStatus::out_of_range},
      {"k1 273", 7, t::k1, 273, FapiStatus::out_of_range},
      {"prachZeroCorrConf 16", 8, t::prach_zero_corr_conf, 16, FapiStatus::out_of_range},
      {"unused root 838", 10, t::unused_root_sequences, 838, FapiStatus::out_of_range},
      {"prachSubCSpacing 6", 1, t::prach_sub_c_spacing, 6, FapiStatus::out_of_range},
      {"SsbPerRach 8", 16, t::ssb_per_rach, 8, FapiStatus::out_of_range},
      {"numPrachFdOccasions 1", 3, t::num_prach_fd_occasions, 1, FapiStatus::length_mismatch},
      {"numPrachFdOccasions 3", 3, t::num_prach_fd_occasions, 3, FapiStatus::out_of_range},
      {"numUnusedRootSequences 2", 9, t::num_unused_root_sequences, 2, FapiStatus::length_mismatch},
      {"numUnusedRootSequences 17", 9, t::num_unused_root_sequences, 17,
       FapiStatus::capacity_exceeded},
      {"an unused root beyond the count", 15, t::unused_root_sequences, 5,
       FapiStatus::length_mismatch},
      {"k1 twice in an occasion", 8, t::k1, 1, FapiStatus::length_mismatch},
      {"occasion TLV before the first root index", 5, t::k1, 1, FapiStatus::length_mismatch},
      {"no numPrachFdOccasions", 3, 0x9000, 2, FapiStatus::length_mismatch},
  };
  for (const Case& c : cases) {
    Bytes body = sample_prach_config_body();
    const std::size_t at = 1 + 8 * c.tlv;
    const bool wide = c.tag == t::prach_root_sequence_index || c.tag == t::k1 ||
                      c.tag == t::num_unused_root_sequences || c.tag == t::unused_root_sequences;
    Bytes tlv;
    add_tlv(tlv, c.tag, c.value, wide ? 2 : 1);
    std::copy(tlv.begin(), tlv.end(), body.begin() + static_cast<long>(at));
    expect_decode_error(with_headers(FapiMessageType::config_request, body), c.status,
                        FapiErrorCode::msg_invalid_config, c.what);
  }
  // A ninth occasion.
  Bytes nine = {10};
  add_tlv(nine, t::num_prach_fd_occasions, 8, 1);
  for (int i = 0; i < 9; ++i) {
    add_tlv(nine, t::prach_root_sequence_index, 1, 2);
  }
  expect_decode_error(with_headers(FapiMessageType::config_request, nine),
                      FapiStatus::capacity_exceeded, FapiErrorCode::msg_invalid_config,
                      "9 occasions");
  // A 4-byte numUnusedRootSequences.
  Bytes four_bytes = sample_prach_config_body();
  four_bytes[8 * 9 + 3] = 4;
  expect_decode_error(with_headers(FapiMessageType::config_request, four_bytes),
                      FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config,
                      "4-byte 0x1019");

  // The encoder refuses what the decoder would.
  Bytes buffer(4096);
  std::size_t size = 0;
  FapiConfigRequest config;
  config.prach = sample_prach_config();
  config.prach.fd_occasions[1].prach_root_sequence_index.reset();
  EXPECT_EQ(encode_single_message(config, buffer, size).status, FapiStatus::length_mismatch);
  config.prach = sample_prach_config();
  config.prach.num_prach_fd_occasions = 4;
  EXPECT_EQ(encode_single_message(config, buffer, size).status, FapiStatus::length_mismatch);
  config.prach = sample_prach_config();
  config.prach.fd_occasions[0].unused_root_sequences[0] = 838;
  EXPECT_EQ(encode_single_message(config, buffer, size).status, FapiStatus::out_of_range);
}

TEST(FapiPrachConfig, RandomisedRoundTrips) {
  std::mt19937 engine(3);
  const auto r = [&](unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(engine);
  };
  const auto u8 = [&](unsigned low, unsigned high) {
    return static_cast<std::uint8_t>(r(low, high));
  };
  const auto u16 = [&](unsigned low, unsigned high) {
    return static_cast<std::uint16_t>(r(low, high));
  };
  for (int trial = 0; trial < 200; ++trial) {
    FapiConfigRequest config;
    config.phy_cell_id = u16(0, 1007);
    FapiPrachConfig& prach = config.prach;
    prach.prach_sequence_length = u8(0, 1);
    if (r(0, 1) == 1) {
      prach.prach_sub_c_spacing = u8(0, 5);
      prach.restricted_set_config = u8(0, 2);
      prach.prach_config_index = u8(0, 255);
      prach.ssb_per_rach = u8(0, 7);
      prach.prach_multiple_carriers_in_a_band = u8(0, 1);
    }
    prach.num_fd_occasions = std::size_t{1} << r(0, 3);
    prach.num_prach_fd_occasions = static_cast<std::uint8_t>(prach.num_fd_occasions);
    for (FapiPrachFdOccasionConfig& occasion : prach.fd_occasions) {
      occasion.prach_root_sequence_index = u16(0, 837);
      if (r(0, 1) == 1) { // each per-occasion TLV is optional but the first
        occasion.num_root_sequences = u8(1, 64);
        occasion.k1 = u16(0, 272);
        occasion.prach_zero_corr_conf = u8(0, 15);
        occasion.num_unused_root_sequences = u16(0, fapi_max_unused_root_sequences);
      }
      for (std::uint16_t& root : occasion.unused_root_sequences) {
        root = u16(0, 837);
      }
    }
    config.unrecognised.push_scalar(0x2000, r(0, 0xFFFF), 2);
    const Bytes bytes = encode(config);
    ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
    ASSERT_EQ(scratch_message().config_request, config) << trial;
    EXPECT_EQ(encode(scratch_message()), bytes) << trial;
  }
}

} // namespace
