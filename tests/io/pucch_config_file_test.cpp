// A PUCCH as YAML (io/pucch_config_file.h): entries of formats 3 and 4 with pi2_bpsk,
// additional_dmrs and the format 4 cover keys, their defaults, and entries refused with the key
// or PucchConfig::validate()'s reason.
#include "airan/io/pucch_config_file.h"

#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <string>

namespace {

using namespace airan;
using airan::io::ConfigError;

phy::CellConfig pucch_file_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 52;
  cell.numerology = 1;
  cell.n_cell_id = 21;
  return cell;
}

phy::PucchConfig parse_pucch(const std::string& yaml) {
  return io::parse_pucch_config(YAML::Load(yaml), "ues[0].pucch", pucch_file_cell(),
                                io::yaml_fields::Context("test.yaml"));
}

std::string pucch_error_of(const std::string& yaml) {
  try {
    parse_pucch(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

TEST(PucchConfigFile, Format3Entry) {
  const phy::PucchConfig pucch = parse_pucch(R"(
format: 3
prb_start: 10
num_prbs: 6
start_symbol: 0
num_symbols: 14
intra_slot_hopping: true
second_hop_prb: 40
pi2_bpsk: true
additional_dmrs: true
harq_bits: 4
sr_bits: 1
csi_part1_bits: 20
)");
  EXPECT_EQ(pucch.format, phy::PucchFormat::format3);
  EXPECT_EQ(pucch.num_prbs, 6U);
  EXPECT_TRUE(pucch.pi2_bpsk);
  EXPECT_TRUE(pucch.additional_dmrs);
  EXPECT_EQ(pucch.scrambling_id, 21); // the cell's N_ID
  EXPECT_EQ(pucch.payload_bits(), 25U);
  EXPECT_EQ(pucch.validate(pucch_file_cell()), "");
  // Without the keys: QPSK, no additional DMRS.
  const phy::PucchConfig plain = parse_pucch("{format: 3, num_prbs: 2, harq_bits: 4}");
  EXPECT_FALSE(plain.pi2_bpsk);
  EXPECT_FALSE(plain.additional_dmrs);
  EXPECT_EQ(plain.pre_dft_occ_length, 2U);
  EXPECT_EQ(plain.pre_dft_occ_index, 0U);
}

TEST(PucchConfigFile, Format4Entry) {
  const phy::PucchConfig pucch = parse_pucch(R"(
format: 4
prb_start: 51
num_symbols: 10
start_symbol: 2
pi2_bpsk: false
additional_dmrs: true
pre_dft_occ_length: 4
pre_dft_occ_index: 3
harq_bits: 2
sr_bits: 1
)");
  EXPECT_EQ(pucch.format, phy::PucchFormat::format4);
  EXPECT_EQ(pucch.num_prbs, 1U);
  EXPECT_FALSE(pucch.pi2_bpsk);
  EXPECT_TRUE(pucch.additional_dmrs);
  EXPECT_EQ(pucch.pre_dft_occ_length, 4U);
  EXPECT_EQ(pucch.pre_dft_occ_index, 3U);
  EXPECT_EQ(pucch.validate(pucch_file_cell()), "");
  // The cover defaults to length 2, index 0.
  const phy::PucchConfig plain = parse_pucch("{format: 4, harq_bits: 3}");
  EXPECT_EQ(plain.pre_dft_occ_length, 2U);
  EXPECT_EQ(plain.pre_dft_occ_index, 0U);
}

TEST(PucchConfigFile, BadEntriesAreRefusedWithTheReason) {
  struct Case {
    const char* yaml;
    const char* error_has;
  };
  const Case cases[] = {
      {"{format: 4, harq_bits: 3, pre_dft_occ_length: 3}", "PreDftOccLen 3"},
      {"{format: 4, harq_bits: 3, pre_dft_occ_length: 2, pre_dft_occ_index: 2}", "PreDftOccIdx 2"},
      {"{format: 3, harq_bits: 3, pre_dft_occ_index: 1}", "for format 4, not format 3"},
      {"{format: 3, harq_bits: 3, num_prbs: 7}", "prbSize 7"},
      {"{format: 4, harq_bits: 3, num_prbs: 2}", "prbSize 2"},
      {"{format: 3, harq_bits: 3, pi2_bpsk: maybe}",
       "ues[0].pucch.pi2_bpsk: expected true or false"},
      {"{format: 3, harq_bits: 3, additional_dmrs: 2}", "additional_dmrs: expected true or false"},
      {"{format: 2, num_symbols: 2, harq_bits: 3, pi2_bpsk: true}", "formats 3 and 4"},
      {"{format: 1, harq_bits: 1, additional_dmrs: true}", "formats 3 and 4"},
      {"{format: 3, num_symbols: 2, harq_bits: 3}", "NrOfSymbols 2"},
      {"{format: 5, harq_bits: 3}", "not a PUCCH format"},
  };
  for (const Case& c : cases) {
    const std::string error = pucch_error_of(c.yaml);
    EXPECT_NE(error.find(c.error_has), std::string::npos) << c.yaml << ": " << error;
    EXPECT_NE(error.find("test.yaml: ues[0].pucch"), std::string::npos) << c.yaml << ": " << error;
  }
}

} // namespace
