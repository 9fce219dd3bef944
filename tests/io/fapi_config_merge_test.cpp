// A CONFIG.request sent in the CONFIGURED state carries only the TLVs that change (SCF 222.10
// section 2.2): merge_config_request() puts each TLV the update has on top of the applied
// configuration and keeps the others; PRACH FD occasions and the UCI configuration's maps are
// replaced whole.
#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace {

using namespace airan::io;

/// A configuration with every TLV the struct holds set.
FapiConfigRequest full_config() {
  airan::phy::CellConfig cell;
  cell.num_prbs = 51;
  cell.numerology = 1;
  cell.n_cell_id = 12;
  FapiConfigRequest request = to_fapi_config_request(cell, 4);
  request.ul_bandwidth_mhz = 20;
  request.ul_frequency_khz = 3'500'000;
  request.frame_duplex_type = 1;
  request.cyclic_prefix = 0;
  request.dmrs_type_a_position = 2;
  request.grid_start_crb = 0;
  request.prach.prach_sequence_length = 1;
  request.prach.prach_sub_c_spacing = 1;
  request.prach.restricted_set_config = 0;
  request.prach.num_prach_fd_occasions = 2;
  request.prach.prach_config_index = 159;
  request.prach.fd_occasions[0].prach_root_sequence_index = 1;
  request.prach.fd_occasions[1].prach_root_sequence_index = 12;
  request.prach.num_fd_occasions = 2;
  request.prach.ssb_per_rach = 3;
  request.prach.prach_multiple_carriers_in_a_band = 0;
  request.uci_part2_maps.push_back(FapiUciPart2Map{{2}, {4, 8, 12, 16}});
  return request;
}

TEST(FapiConfigMerge, AnEmptyUpdateKeepsEverything) {
  const FapiConfigRequest applied = full_config();
  EXPECT_EQ(merge_config_request(applied, FapiConfigRequest{}), applied);
}

TEST(FapiConfigMerge, EachTlvSentReplacesItsValueAlone) {
  const FapiConfigRequest applied = full_config();
  FapiConfigRequest update;
  update.phy_cell_id = 500;
  update.rssi_measurement = 0;
  update.prach.prach_config_index = 3;
  FapiConfigRequest expected = applied;
  expected.phy_cell_id = 500;
  expected.rssi_measurement = 0;
  expected.prach.prach_config_index = 3;
  EXPECT_EQ(merge_config_request(applied, update), expected);

  // Every scalar TLV, one at a time.
  const auto one = [&](auto set) {
    FapiConfigRequest sent;
    set(sent);
    FapiConfigRequest want = applied;
    set(want);
    EXPECT_EQ(merge_config_request(applied, sent), want);
  };
  one([](FapiConfigRequest& r) { r.ul_bandwidth_mhz = 40; });
  one([](FapiConfigRequest& r) { r.ul_frequency_khz = 3'600'000; });
  one([](FapiConfigRequest& r) {
    r.ul_k0 = std::array<std::uint16_t, fapi_num_numerologies>{1, 2, 3, 4, 5};
  });
  one([](FapiConfigRequest& r) {
    r.ul_grid_size = std::array<std::uint16_t, fapi_num_numerologies>{0, 106, 0, 0, 0};
  });
  one([](FapiConfigRequest& r) { r.num_rx_ant = 2; });
  one([](FapiConfigRequest& r) { r.frequency_shift_7p5khz = 1; });
  one([](FapiConfigRequest& r) { r.frame_duplex_type = 0; });
  one([](FapiConfigRequest& r) { r.scs_common = 0; });
  one([](FapiConfigRequest& r) { r.cyclic_prefix = 1; });
  one([](FapiConfigRequest& r) { r.dmrs_type_a_position = 3; });
  one([](FapiConfigRequest& r) { r.grid_start_crb = 10; });
  one([](FapiConfigRequest& r) { r.prach.prach_sequence_length = 0; });
  one([](FapiConfigRequest& r) { r.prach.prach_sub_c_spacing = 0; });
  one([](FapiConfigRequest& r) { r.prach.restricted_set_config = 1; });
  one([](FapiConfigRequest& r) { r.prach.num_prach_fd_occasions = 1; });
  one([](FapiConfigRequest& r) { r.prach.ssb_per_rach = 4; });
  one([](FapiConfigRequest& r) { r.prach.prach_multiple_carriers_in_a_band = 1; });
}

TEST(FapiConfigMerge, OccasionsMapsAndUnrecognisedTlvsAreReplacedWhole) {
  const FapiConfigRequest applied = full_config();
  FapiConfigRequest update;
  update.prach.fd_occasions[0].prach_root_sequence_index = 40;
  update.prach.num_fd_occasions = 1;
  update.uci_part2_maps.push_back(FapiUciPart2Map{{1}, {7, 9}});
  FapiTlv vendor;
  vendor.tag = 0xA0FF;
  update.unrecognised.push(vendor);
  const FapiConfigRequest merged = merge_config_request(applied, update);
  ASSERT_EQ(merged.prach.num_fd_occasions, 1U);
  EXPECT_EQ(merged.prach.fd_occasions[0].prach_root_sequence_index, 40);
  EXPECT_EQ(merged.prach.num_prach_fd_occasions, applied.prach.num_prach_fd_occasions);
  EXPECT_EQ(merged.uci_part2_maps, update.uci_part2_maps);
  EXPECT_EQ(merged.unrecognised, update.unrecognised);
  // The applied configuration's unrecognised TLVs are not carried on.
  FapiConfigRequest with_vendor = applied;
  with_vendor.unrecognised.push(vendor);
  EXPECT_EQ(merge_config_request(with_vendor, FapiConfigRequest{}).unrecognised.count, 0U);
}

// TLV 0x1036 with no map (numUci2Maps 0) is a UCI configuration too: decoded as such, encoded
// back, and in a merge it removes the maps in force.
TEST(FapiConfigMerge, AUciConfigurationWithoutMapsRemovesTheMaps) {
  FapiConfigRequest none;
  none.uci_configuration_without_maps = true;
  std::vector<std::uint8_t> unit(1 << 16);
  std::size_t size = 0;
  ASSERT_TRUE(encode_single_message(none, unit, size).ok());
  unit.resize(size);
  const auto decoded = std::make_unique<FapiMessage>();
  ASSERT_TRUE(decode_single_message(unit, *decoded).ok());
  EXPECT_EQ(decoded->config_request, none);
  EXPECT_TRUE(decoded->config_request.uci_configuration_present());
  // Without the TLV, neither flag nor maps.
  unit.assign(1 << 16, 0);
  ASSERT_TRUE(encode_single_message(FapiConfigRequest{}, unit, size).ok());
  unit.resize(size);
  ASSERT_TRUE(decode_single_message(unit, *decoded).ok());
  EXPECT_FALSE(decoded->config_request.uci_configuration_present());

  const FapiConfigRequest applied = full_config();
  const FapiConfigRequest merged = merge_config_request(applied, none);
  EXPECT_TRUE(merged.uci_part2_maps.empty());
  EXPECT_TRUE(merged.uci_configuration_without_maps);
  // And maps sent again replace that.
  FapiConfigRequest maps;
  maps.uci_part2_maps = applied.uci_part2_maps;
  const FapiConfigRequest again = merge_config_request(merged, maps);
  EXPECT_EQ(again.uci_part2_maps, applied.uci_part2_maps);
  EXPECT_FALSE(again.uci_configuration_without_maps);
}

} // namespace
