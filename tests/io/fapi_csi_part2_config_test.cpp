// CONFIG.request's UCI configuration TLV (0x1036, SCF 222.10.04): the CSI part 1 to part 2 size
// maps. The codec reads and writes numUci2Maps, then per map numPart1Params, sizesPart1Params and
// map (2^(sum of the sizes) uint16), refuses malformed content with MSG_INVALID_CONFIG and writes
// the TLV only when there are maps; to_csi_part2_size_maps() turns them into the receiver's maps.
#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_codec.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

/// Map 0: one 1-bit field (sizes 4 and 9); map 1: fields of 2 and 1 bits (sizes 10 .. 17).
std::vector<FapiUciPart2Map> csi2_config_maps() {
  return {FapiUciPart2Map{{1}, {4, 9}}, FapiUciPart2Map{{2, 1}, {10, 11, 12, 13, 14, 15, 16, 17}}};
}

/// The value of the TLV for csi2_config_maps(), byte by byte.
Bytes csi2_config_value() {
  return {2,  0,        // numUci2Maps
          1,  1,        // map 0: numPart1Params, sizesPart1Params
          4,  0, 9,  0, // map
          2,  2, 1,     // map 1: numPart1Params, sizesPart1Params
          10, 0, 11, 0, 12, 0, 13, 0, 14, 0, 15, 0, 16, 0, 17, 0};
}

/// A CONFIG.request whose only TLV is 0x1036 with \p value (padded to 4 bytes).
Bytes csi2_config_message(const Bytes& value) {
  Bytes body = {1, 0x36, 0x10, static_cast<std::uint8_t>(value.size()),
                static_cast<std::uint8_t>(value.size() >> 8)};
  body.insert(body.end(), value.begin(), value.end());
  body.resize(body.size() + (4 - value.size() % 4) % 4, 0);
  return with_headers(FapiMessageType::config_request, body);
}

/// \p maps in the harness cell's CONFIG.request, through the codec: the decoded request.
FapiConfigRequest csi2_config_round_trip(const std::vector<FapiUciPart2Map>& maps) {
  phy::CellConfig cell;
  cell.num_prbs = 106;
  cell.numerology = 1;
  FapiConfigRequest request = to_fapi_config_request(cell, 4);
  request.uci_part2_maps = maps;
  const FapiError error = decode(encode(request));
  EXPECT_TRUE(error.ok()) << describe(error);
  EXPECT_EQ(scratch_message().config_request, request);
  return scratch_message().config_request;
}

TEST(FapiCsiPart2Config, DecodesTheWireLayoutAndWritesItBack) {
  const Bytes bytes = csi2_config_message(csi2_config_value());
  const FapiError error = decode(bytes);
  ASSERT_TRUE(error.ok()) << describe(error);
  const FapiConfigRequest request = scratch_message().config_request;
  EXPECT_EQ(request.uci_part2_maps, csi2_config_maps());
  EXPECT_EQ(request.unrecognised.count, 0U);
  EXPECT_EQ(encode(request), bytes);
}

TEST(FapiCsiPart2Config, RoundTripsBesideTheOtherTlvs) {
  // Four fields of 12 bits together (4096 sizes, an 8 kB value), and one of a single field.
  FapiUciPart2Map wide{{3, 4, 2, 3}, std::vector<std::uint16_t>(4096)};
  for (std::size_t i = 0; i < wide.map.size(); ++i) {
    wide.map[i] = static_cast<std::uint16_t>(i % 1707);
  }
  const FapiConfigRequest back = csi2_config_round_trip({wide, FapiUciPart2Map{{1}, {0, 1706}}});
  ASSERT_EQ(back.uci_part2_maps.size(), 2U);
  EXPECT_EQ(back.uci_part2_maps[0], wide);
  EXPECT_TRUE(back.ul_grid_size.has_value());
  // 64 maps, the most a TLV holds here.
  const std::vector<FapiUciPart2Map> many(fapi_max_uci_part2_maps,
                                          FapiUciPart2Map{{2}, {1, 2, 3, 4}});
  EXPECT_EQ(csi2_config_round_trip(many).uci_part2_maps, many);
}

TEST(FapiCsiPart2Config, NoMapsNoTlv) {
  phy::CellConfig cell;
  cell.num_prbs = 52;
  FapiConfigRequest request = to_fapi_config_request(cell, 2);
  const Bytes without = encode(request);
  request.uci_part2_maps = csi2_config_maps();
  const Bytes with = encode(request);
  EXPECT_EQ(with[8], without[8] + 1); // the TLV count
  // A TLV of zero maps decodes as no map, the TLV present (written back as such).
  const Bytes empty = csi2_config_message({0, 0});
  ASSERT_TRUE(decode(empty).ok());
  EXPECT_TRUE(scratch_message().config_request.uci_part2_maps.empty());
  EXPECT_TRUE(scratch_message().config_request.uci_configuration_without_maps);
}

TEST(FapiCsiPart2Config, RefusesMalformedContent) {
  constexpr auto invalid_config = FapiErrorCode::msg_invalid_config;
  const Bytes value = csi2_config_value();
  // Truncated at every point inside the value (the TLV's length says where it ends).
  for (std::size_t size = 0; size < value.size(); ++size) {
    expect_decode_error(csi2_config_message(Bytes(value.begin(), value.begin() + size)),
                        FapiStatus::truncated, invalid_config,
                        "truncated to " + std::to_string(size) + " bytes");
  }
  // Up to 3 zero bytes after the last map are padding a MAC counted in the length: accepted.
  Bytes padded = value;
  while (padded.size() % 4 != 0) {
    padded.push_back(0);
    const FapiError error = decode(csi2_config_message(padded));
    EXPECT_TRUE(error.ok()) << describe(error);
    EXPECT_EQ(scratch_message().config_request.uci_part2_maps, csi2_config_maps());
  }
  Bytes trailing = value;
  trailing.push_back(1);
  expect_decode_error(csi2_config_message(trailing), FapiStatus::length_mismatch, invalid_config,
                      "a non-zero byte after the last map");
  trailing.back() = 0;
  trailing.insert(trailing.end(), {0, 0, 0});
  expect_decode_error(csi2_config_message(trailing), FapiStatus::length_mismatch, invalid_config,
                      "4 bytes after the last map");
  expect_decode_error(csi2_config_message({1, 0, 0}), FapiStatus::out_of_range, invalid_config,
                      "numPart1Params 0");
  expect_decode_error(csi2_config_message({1, 0, 5, 1, 1, 1, 1, 1}), FapiStatus::out_of_range,
                      invalid_config, "numPart1Params 5");
  expect_decode_error(csi2_config_message({1, 0, 2, 7, 6}), FapiStatus::out_of_range,
                      invalid_config, "13 index bits");
  expect_decode_error(csi2_config_message({65, 0}), FapiStatus::capacity_exceeded, invalid_config,
                      "65 maps");
  expect_decode_error(csi2_config_message({0xFF, 0xFF}), FapiStatus::capacity_exceeded,
                      invalid_config, "65535 maps");
  const FapiError error = decode(csi2_config_message({1, 0, 2, 7, 6}));
  EXPECT_NE(error.reason().find("sizesPart1Params"), std::string_view::npos) << describe(error);
  // The TLV twice.
  Bytes twice = csi2_config_message({0, 0});
  twice[8] = 2;
  twice.insert(twice.end(), {0x36, 0x10, 2, 0, 0, 0, 0, 0});
  twice[4] = static_cast<std::uint8_t>(twice.size() - 8);
  expect_decode_error(twice, FapiStatus::length_mismatch, invalid_config, "0x1036 twice");
}

TEST(FapiCsiPart2Config, EncoderRefusesWhatCannotBeSent) {
  const auto refused = [](const std::vector<FapiUciPart2Map>& maps, FapiStatus status,
                          const char* what) {
    FapiConfigRequest request;
    request.uci_part2_maps = maps;
    Bytes buffer(1 << 20);
    std::size_t size = 0;
    const FapiError error = encode_single_message(request, buffer, size);
    EXPECT_EQ(error.status, status) << what << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_invalid_config) << what;
  };
  refused(std::vector<FapiUciPart2Map>(65, FapiUciPart2Map{{1}, {1, 2}}),
          FapiStatus::capacity_exceeded, "65 maps");
  refused({FapiUciPart2Map{{}, {1}}}, FapiStatus::out_of_range, "no field");
  refused({FapiUciPart2Map{{1, 1, 1, 1, 1}, std::vector<std::uint16_t>(32)}},
          FapiStatus::out_of_range, "5 fields");
  refused({FapiUciPart2Map{{7, 6}, std::vector<std::uint16_t>(8192)}}, FapiStatus::out_of_range,
          "13 bits");
  refused({FapiUciPart2Map{{2}, {1, 2, 3}}}, FapiStatus::length_mismatch, "3 sizes for 2 bits");
  // Eight maps of 12 bits: 65 kB, more than a TLV's 16-bit length.
  refused(std::vector<FapiUciPart2Map>(8, FapiUciPart2Map{{12}, std::vector<std::uint16_t>(4096)}),
          FapiStatus::capacity_exceeded, "a value over 65535 bytes");
}

TEST(FapiCsiPart2Config, BecomesTheReceiversMaps) {
  FapiConfigRequest request;
  request.uci_part2_maps = csi2_config_maps();
  std::vector<phy::CsiPart2SizeMap> maps;
  FapiConfigResponse response;
  ASSERT_TRUE(to_csi_part2_size_maps(request, maps, &response).ok());
  ASSERT_EQ(maps.size(), 2U);
  EXPECT_EQ(maps[1].field_bits, (std::vector<std::uint8_t>{2, 1}));
  EXPECT_EQ(maps[1].part2_bits, request.uci_part2_maps[1].map);
  EXPECT_EQ(response.error_code, FapiErrorCode::msg_ok);
  EXPECT_EQ(response.invalid_or_unsupported.count, 0U);

  request.uci_part2_maps.clear();
  ASSERT_TRUE(to_csi_part2_size_maps(request, maps).ok());
  EXPECT_TRUE(maps.empty());
}

TEST(FapiCsiPart2Config, AnInvalidMapFailsTheConfig) {
  const std::vector<phy::CsiPart2SizeMap> before = {phy::CsiPart2SizeMap{{1}, {3, 4}}};
  for (const FapiUciPart2Map& bad : {FapiUciPart2Map{{0, 1}, {5, 6}},    // a field of 0 bits
                                     FapiUciPart2Map{{1}, {5, 1707}}}) { // beyond 1706 bits
    FapiConfigRequest request;
    request.uci_part2_maps = {FapiUciPart2Map{{1}, {1, 2}}, bad};
    std::vector<phy::CsiPart2SizeMap> maps = before;
    FapiConfigResponse response;
    const FapiError error = to_csi_part2_size_maps(request, maps, &response);
    EXPECT_EQ(error.code, FapiErrorCode::msg_invalid_config);
    EXPECT_EQ(error.status, FapiStatus::out_of_range);
    EXPECT_NE(error.reason().find("UCI configuration map 1"), std::string_view::npos)
        << describe(error);
    EXPECT_EQ(maps, before); // untouched
    EXPECT_EQ(response.error_code, FapiErrorCode::msg_invalid_config);
    ASSERT_EQ(response.invalid_or_unsupported.count, 1U);
    EXPECT_EQ(response.invalid_or_unsupported.entries[0].tag, fapi_config_tag::uci_configuration);
  }
}

} // namespace
