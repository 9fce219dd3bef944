// The fronthaul: section of scenario files: defaults, every key, and errors naming the key.
#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_slot_assembler.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/pusch_config_file.h"
#include "airan/io/ru_emulator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace {

using namespace airan::io;

std::string fronthaul_error_of(const std::string& yaml) {
  try {
    parse_fronthaul_config(yaml, "test.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(FronthaulConfig, DefaultsWhenTheSectionIsAbsent) {
  const auto config = parse_fronthaul_config("cell: {num_prbs: 106}\nslot_number: 0\n", "x");
  const FronthaulConfig defaults;
  EXPECT_EQ(config.mode, FronthaulIngestMode::frequency_domain);
  EXPECT_EQ(config.compression, (IqCompression{CompressionMethod::block_floating_point, 9}));
  EXPECT_FALSE(config.dynamic_compression_header);
  EXPECT_EQ(config.eaxc_layout, EaxcIdLayout{});
  EXPECT_FALSE(config.vlan.has_value());
  EXPECT_EQ(config.max_frame_size, 1500U);
  EXPECT_EQ(config.full_scale, defaults.full_scale);
  EXPECT_EQ(config.ta4_max_ns, defaults.ta4_max_ns);
  EXPECT_FALSE(config.epoch_ns.has_value());
  EXPECT_EQ(config.validate(), "");
  EXPECT_EQ(parse_fronthaul_config("", "x").max_frame_size, 1500U);
  EXPECT_EQ(parse_fronthaul_config("fronthaul:\n", "x").max_frame_size, 1500U);
}

TEST(FronthaulConfig, EveryKeyIsRead) {
  const auto config = parse_fronthaul_config(R"(
cell: {num_prbs: 273}
fronthaul:
  mode: time_domain
  compression: bfp14
  dynamic_compression_header: true
  eaxc_layout: [2, 6, 4, 4]
  du_port: 3
  band_sector: 40
  cc: 15
  ru_mac: "0a:1B:2c:3d:4e:5f"
  du_mac: 02-00-00-00-00-09
  vlan: {id: 100, pcp: 6}
  filter_by_address: false
  max_frame_size: 9000
  full_scale: 4.5
  ta4_min_ns: 20000
  ta4_max_ns: 300000
  slot_deadline_ns: 250000
  max_slots_in_flight: 8
  ru_tx_offset_ns: 5000
  t1a_max_cp_ul_ns: 450000
  t1a_min_cp_ul_ns: 250000
  t2a_max_cp_ul_ns: 470000
  t2a_min_cp_ul_ns: 100000
  prach_ru_port: 8
  epoch_ns: 1700000000000000000
)",
                                             "x");
  EXPECT_EQ(config.mode, FronthaulIngestMode::time_domain);
  EXPECT_EQ(config.compression, (IqCompression{CompressionMethod::block_floating_point, 14}));
  EXPECT_TRUE(config.dynamic_compression_header);
  EXPECT_EQ(config.eaxc_layout, (EaxcIdLayout{2, 6, 4, 4}));
  EXPECT_EQ(config.du_port, 3);
  EXPECT_EQ(config.band_sector, 40);
  EXPECT_EQ(config.cc, 15);
  EXPECT_EQ(config.ru_mac, (MacAddress{0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f}));
  EXPECT_EQ(config.du_mac, (MacAddress{2, 0, 0, 0, 0, 9}));
  ASSERT_TRUE(config.vlan.has_value());
  EXPECT_EQ(config.vlan->vlan_id, 100);
  EXPECT_EQ(config.vlan->priority, 6);
  EXPECT_FALSE(config.filter_by_address);
  EXPECT_TRUE(FronthaulConfig{}.filter_by_address);
  EXPECT_EQ(config.max_frame_size, 9000U);
  EXPECT_FLOAT_EQ(config.full_scale, 4.5F);
  EXPECT_EQ(config.ta4_min_ns, 20000);
  EXPECT_EQ(config.ta4_max_ns, 300000);
  EXPECT_EQ(config.slot_deadline_ns, 250000);
  EXPECT_EQ(config.max_slots_in_flight, 8U);
  EXPECT_EQ(config.ru_tx_offset_ns, 5000);
  EXPECT_EQ(config.t1a_max_cp_ul_ns, 450000);
  EXPECT_EQ(config.t1a_min_cp_ul_ns, 250000);
  EXPECT_EQ(config.t2a_max_cp_ul_ns, 470000);
  EXPECT_EQ(config.t2a_min_cp_ul_ns, 100000);
  EXPECT_EQ(config.prach_ru_port, 8);
  EXPECT_EQ(config.prach_first_ru_port(4), 8U);
  EXPECT_EQ(FronthaulConfig{}.prach_first_ru_port(4), 4U); // after the PUSCH ports
  EXPECT_EQ(config.epoch_ns, 1700000000000000000);
  EXPECT_EQ(parse_fronthaul_config("fronthaul: {compression: none}", "x").compression,
            (IqCompression{CompressionMethod::none, 16}));
  EXPECT_FALSE(parse_fronthaul_config("fronthaul: {epoch_ns: learn}", "x").epoch_ns);
  EXPECT_EQ(parse_fronthaul_config("fronthaul: {epoch_ns: gps}", "x").epoch_ns, gps_frame_epoch_ns);
}

TEST(FronthaulConfig, ErrorsNameTheKeyPath) {
  const std::pair<const char*, const char*> cases[] = {
      {"fronthaul: {mode: split7}", "test.yaml: fronthaul.mode: 'split7' is not"},
      {"fronthaul: {compression: bfp17}", "fronthaul.compression: 'bfp17' is not none or bfp1"},
      {"fronthaul: {compression: mulaw}", "fronthaul.compression:"},
      {"fronthaul: {dynamic_compression_header: maybe}", "fronthaul.dynamic_compression_header"},
      {"fronthaul: {filter_by_address: 2}", "fronthaul.filter_by_address"},
      {"fronthaul: {eaxc_layout: [4, 4, 4]}", "fronthaul.eaxc_layout: expected four"},
      {"fronthaul: {eaxc_layout: [4, 4, 4, 5]}", "fronthaul.eaxc_layout: the four widths"},
      {"fronthaul: {eaxc_layout: [4, 4, x, 4]}", "fronthaul.eaxc_layout[2]"},
      {"fronthaul: {du_port: 16}", "fronthaul.du_port: does not fit its 4 bits"},
      {"fronthaul: {prach_ru_port: 16}", "fronthaul.prach_ru_port: does not fit its 4 bits"},
      {"fronthaul: {cc: -1}", "fronthaul.cc: -1 is outside"},
      {"fronthaul: {ru_mac: 02:00:00:00:00}", "fronthaul.ru_mac: '02:00:00:00:00' is not a MAC"},
      {"fronthaul: {du_mac: 02:00:00:00:00:zz}", "fronthaul.du_mac"},
      {"fronthaul: {vlan: {id: 4096}}", "fronthaul.vlan.id: 4096 is outside 0 .. 4095"},
      {"fronthaul: {vlan: {pcp: 8}}", "fronthaul.vlan.pcp"},
      {"fronthaul: {vlan: {vid: 1}}", "fronthaul.vlan: unknown key 'vid'"},
      {"fronthaul: {max_frame_size: 64}", "fronthaul.max_frame_size: 64 is outside 128 .. 9600"},
      {"fronthaul: {full_scale: 0}", "fronthaul.full_scale: '0' is not a positive number"},
      {"fronthaul: {full_scale: abc}", "fronthaul.full_scale"},
      {"fronthaul: {full_scale: 1e-36}", "fronthaul.full_scale: '1e-36' is outside 2^-60"},
      {"fronthaul: {full_scale: 1e30}", "fronthaul.full_scale: '1e30' is outside 2^-60"},
      {"fronthaul: {ta4_min_ns: 5000, ta4_max_ns: 1000}", "fronthaul.ta4_min_ns: must not exceed"},
      {"fronthaul: {slot_deadline_ns: -1}", "fronthaul.slot_deadline_ns"},
      {"fronthaul: {t1a_max_cp_ul_ns: 200000}", "fronthaul.t1a_min_cp_ul_ns / t1a_max_cp_ul_ns"},
      {"fronthaul: {t1a_min_cp_ul_ns: -1}", "fronthaul.t1a_min_cp_ul_ns: -1 is outside"},
      {"fronthaul: {t2a_min_cp_ul_ns: 600000}", "fronthaul.t2a_min_cp_ul_ns / t2a_max_cp_ul_ns"},
      {"fronthaul: {t2a_max_cp_ul_ns: 2000000000}", "fronthaul.t2a_max_cp_ul_ns: 2000000000 is"},
      {"fronthaul: {max_slots_in_flight: 0}", "fronthaul.max_slots_in_flight"},
      {"fronthaul: {epoch_ns: soon}", "fronthaul.epoch_ns: 'soon' is not an integer"},
      {"fronthaul: {mtu: 1500}", "fronthaul.mtu: unknown key"},
      {"fronthaul: [1, 2]", "fronthaul: expected a mapping"},
      {"fronthaul: {a: [", "test.yaml: not valid YAML"},
      {"- 1\n- 2\n", "top level: expected a mapping"},
  };
  for (const auto& [yaml, expected] : cases) {
    const std::string error = fronthaul_error_of(yaml);
    EXPECT_NE(error.find(expected), std::string::npos) << yaml << "\n -> " << error;
  }
}

TEST(FronthaulConfig, ValidateNamesTheField) {
  FronthaulConfig config;
  EXPECT_EQ(config.validate(), "");
  config.compression = {CompressionMethod::none, 9};
  EXPECT_NE(config.validate().find("compression"), std::string::npos);
  config = {};
  config.compression = {CompressionMethod::mu_law, 8};
  EXPECT_NE(config.validate().find("compression"), std::string::npos);
  config = {};
  config.band_sector = 16;
  EXPECT_NE(config.validate().find("band_sector"), std::string::npos);
  config = {};
  config.full_scale = -1.0F;
  EXPECT_NE(config.validate().find("full_scale"), std::string::npos);
  config.full_scale = 1e-36F; // 32768 / full_scale is infinite
  EXPECT_NE(config.validate().find("full_scale"), std::string::npos);
  config = {};
  config.ru_tx_offset_ns = -5;
  EXPECT_NE(config.validate().find("ru_tx_offset_ns"), std::string::npos);
  config = {};
  config.t1a_min_cp_ul_ns = config.t1a_max_cp_ul_ns + 1; // the window's end before its start
  EXPECT_NE(config.validate().find("t1a_min_cp_ul_ns"), std::string::npos);
  config = {};
  config.t2a_max_cp_ul_ns = 1'000'000'001;
  EXPECT_NE(config.validate().find("t2a_min_cp_ul_ns"), std::string::npos);
}

// Time domain: startPrbu's 10 bits number 1024 blocks of 12 samples a symbol at most. At 30 kHz
// 11264 points (a 12232-sample long symbol, 1020 blocks) fit, 12288 (13344 samples) do not; the
// O-RU emulator and the assembler refuse such a cell when built, not with a frame that cannot be.
TEST(FronthaulConfig, TimeDomainCarriesFftSizesUpToItsBlockNumbering) {
  airan::phy::CellConfig cell;
  cell.num_prbs = 273;
  cell.numerology = 1;
  FronthaulConfig config;
  config.mode = FronthaulIngestMode::time_domain;
  EXPECT_EQ(config.validate_carrier(cell), ""); // 4096 points
  cell.fft_size = 11264;
  EXPECT_EQ(config.validate_carrier(cell), "");
  cell.fft_size = 12288;
  const std::string error = config.validate_carrier(cell);
  EXPECT_NE(error.find("a symbol of 13344 samples needs more than startPrbu's 1024 blocks"),
            std::string::npos)
      << error;
  EXPECT_THROW(RuEmulator(cell, 2, config), std::invalid_argument);
  EXPECT_THROW(FronthaulSlotAssembler(cell, 2, config), std::invalid_argument);
  config.mode = FronthaulIngestMode::frequency_domain; // PRBs: the FFT is the O-RU's
  EXPECT_EQ(config.validate_carrier(cell), "");
}

TEST(FronthaulConfig, LoadsTheSectionFromAScenarioFile) {
  const auto path = std::filesystem::temp_directory_path() / "airan_fronthaul_config_test.yaml";
  {
    std::ofstream file(path);
    file << "cell: {num_prbs: 106}\nnum_rx_antennas: 2\nfronthaul:\n  compression: bfp12\n";
  }
  EXPECT_EQ(load_fronthaul_config(path).compression.iq_width, 12);
  std::filesystem::remove(path);
  EXPECT_THROW(load_fronthaul_config(path), ConfigError);
}

} // namespace
