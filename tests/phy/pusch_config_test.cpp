// CellConfig / PuschConfig validation: valid defaults pass, each impossible setting is named.
#include "airan/phy/pusch_config.h"
#include "airan/phy/tbs_calculator.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace airan::phy {
namespace {

CellConfig cell_with_ports(unsigned ports) {
  CellConfig cell;
  cell.num_antenna_ports = ports;
  return cell;
}

/// Applies \p change to a valid PUSCH and expects validate() to mention \p expected.
void expect_rejected(const std::function<void(PuschConfig&)>& change, const std::string& expected) {
  const CellConfig cell;
  PuschConfig pusch;
  ASSERT_EQ(pusch.validate(cell), "") << "the default must be valid";
  change(pusch);
  const std::string error = pusch.validate(cell);
  EXPECT_NE(error.find(expected), std::string::npos)
      << "expected \"" << expected << "\", got \"" << error << "\"";
}

TEST(PuschConfig, DefaultsAreValid) {
  EXPECT_EQ(CellConfig{}.validate(), "");
  EXPECT_EQ(PuschConfig{}.validate(CellConfig{}), "");
  const PuschConfig pusch;
  EXPECT_EQ(pusch.modulation_order(), 2u); // MCS 0 of Table 5.1.3.1-1
  EXPECT_EQ(pusch.code_rate_x10240(), 1200u);
  EXPECT_EQ(pusch.first_crb(), 0u);
}

TEST(PuschConfig, CellErrors) {
  CellConfig cell;
  cell.num_prbs = 276;
  EXPECT_NE(cell.validate().find("275"), std::string::npos);
  cell = CellConfig{};
  cell.cyclic_prefix = CyclicPrefix::extended;
  EXPECT_NE(cell.validate().find("extended"), std::string::npos);
  cell = CellConfig{};
  cell.n_cell_id = 1008;
  EXPECT_NE(cell.validate().find("1007"), std::string::npos);
  cell = CellConfig{};
  cell.num_antenna_ports = 3;
  EXPECT_NE(cell.validate().find("antenna ports"), std::string::npos);
  PuschConfig pusch;
  EXPECT_NE(pusch.validate(cell).find("cell:"), std::string::npos);
}

TEST(PuschConfig, AllocationErrors) {
  expect_rejected([](PuschConfig& p) { p.prb_start = 200; }, "do not fit the BWP");
  expect_rejected([](PuschConfig& p) { p.bwp_start = 10; }, "do not fit the carrier");
  expect_rejected([](PuschConfig& p) { p.num_symbols = 15; }, "do not fit a slot");
  expect_rejected(
      [](PuschConfig& p) {
        p.start_symbol = 2;
        p.num_symbols = 12;
      },
      "type A");
  expect_rejected([](PuschConfig& p) { p.transform_precoding = true; }, "transform precoding");
}

TEST(PuschConfig, DmrsErrors) {
  expect_rejected([](PuschConfig& p) { p.dmrs_ports = 0x3; }, "2 port(s) for 1 layer(s)");
  expect_rejected([](PuschConfig& p) { p.dmrs_ports = 0x4; }, "CDM group 1");
  expect_rejected([](PuschConfig& p) { p.dmrs_ports = 0x10; }, "double-symbol");
  expect_rejected([](PuschConfig& p) { p.dmrs_ports = 0x100; }, "does not exist");
  expect_rejected([](PuschConfig& p) { p.num_dmrs_cdm_groups_no_data = 3; }, "1..2");
  expect_rejected([](PuschConfig& p) { p.n_scid = 2; }, "n_SCID");
  expect_rejected(
      [](PuschConfig& p) {
        p.dmrs_length = 2;
        p.dmrs_additional_position = 2;
      },
      "pos2");
  expect_rejected([](PuschConfig& p) { p.dmrs_symbol_mask = 0x8000; }, "outside");
}

TEST(PuschConfig, CodingErrors) {
  expect_rejected([](PuschConfig& p) { p.mcs_index = 32; }, "0..31");
  expect_rejected([](PuschConfig& p) { p.mcs_index = 29; }, "reserved");
  expect_rejected([](PuschConfig& p) { p.qam_order = 4; }, "differs from Q_m 2");
  expect_rejected([](PuschConfig& p) { p.target_code_rate_x10240 = 5000; }, "differs from 1200");
  expect_rejected([](PuschConfig& p) { p.rv = 4; }, "redundancy version");
  expect_rejected([](PuschConfig& p) { p.data_scrambling_id = 1024; }, "1023");
  expect_rejected([](PuschConfig& p) { p.x_overhead = 5; }, "xOverhead");
  // A reserved MCS is fine once the code rate and the TB size of the first transmission are
  // given (TS 38.214 6.1.4.2): without the size, it was computed from this allocation and the
  // new Q_m, another TB (see ReservedMcsKeepsTheTbSize).
  PuschConfig retransmission;
  retransmission.mcs_index = 30; // Q_m 4
  retransmission.target_code_rate_x10240 = 5530;
  retransmission.rv = 2;
  EXPECT_NE(retransmission.validate(CellConfig{}).find("TB size of the first transmission"),
            std::string::npos);
  retransmission.tb_size_bits = 2088;
  EXPECT_EQ(retransmission.validate(CellConfig{}), "");
  EXPECT_EQ(retransmission.modulation_order(), 4u);
}

// Sizes the allocation cannot carry are errors before anything is sent.
TEST(PuschConfig, TbSizesMustFitTheAllocation) {
  const CellConfig cell;
  PuschConfig p;
  p.prb_size = 5;
  p.mcs_index = 9;
  ASSERT_EQ(p.validate(cell), "");
  p.tb_size_bits = 100; // not whole bytes
  EXPECT_NE(p.validate(cell).find("whole number of bytes"), std::string::npos);
  p.tb_size_bits = 0;
  p.tbs_lbrm = 24; // below the TBS: LBRM would keep fewer bits than the systematic ones
  EXPECT_NE(p.validate(cell).find("TBS_LBRM 24 is below"), std::string::npos);
  p.tbs_lbrm = 0;
  {
    // A given TBS whose B' = TBS + 24 + 24 C is no multiple of C (TS 38.212 5.2.2): 17000 bits
    // (BG1, C = 3, B' = 17096); the TBS table's own size for the allocation segments.
    CellConfig wide;
    wide.num_prbs = 106;
    PuschConfig large;
    large.bwp_size = 106;
    large.prb_size = 106;
    large.mcs_index = 27;
    large.tb_size_bits = 17000;
    EXPECT_NE(large.validate(wide).find("17000 bits cannot be segmented"), std::string::npos)
        << large.validate(wide);
    large.tb_size_bits = compute_pusch_tbs(wide, large);
    EXPECT_EQ(large.validate(wide), "");
    // 2200776 bits (a size no allocation has; segmentable, C = 262): more code blocks than the
    // decoders hold.
    large.tb_size_bits = 2200776;
    EXPECT_NE(large.validate(wide).find("above the largest UL-SCH TB (2156520 bits, 256 code"),
              std::string::npos)
        << large.validate(wide);
    // Sizes where TBS + CRC would wrap in 32 bits (to 16, 8 and 0 bits) are no smaller.
    for (const std::uint32_t wrapping : {4294967288U, 4294967280U, 4294967272U}) {
      large.tb_size_bits = wrapping;
      EXPECT_NE(large.validate(wide).find("above the largest UL-SCH TB"), std::string::npos)
          << wrapping << ": " << large.validate(wide);
    }
  }
  // Mapping type B, one symbol of DMRS with both CDM groups empty: no data RE at all.
  p.mapping_type = PuschMappingType::type_b;
  p.start_symbol = 0;
  p.num_symbols = 1;
  p.dmrs_additional_position = 0;
  p.num_dmrs_cdm_groups_no_data = 2;
  EXPECT_NE(p.validate(cell).find("no data RE"), std::string::npos) << p.validate(cell);
}

TEST(PuschConfig, PrecodingErrors) {
  PuschConfig one_layer;
  EXPECT_NE(one_layer.validate(cell_with_ports(2)).find("as many layers (1) as antenna ports (2)"),
            std::string::npos);
  const CellConfig four = cell_with_ports(4);
  PuschConfig pusch;
  pusch.precoding = PuschPrecoding::codebook;
  pusch.num_layers = 2;
  pusch.dmrs_ports = 0x3;
  pusch.tpmi = 21;
  EXPECT_EQ(pusch.validate(four), "");
  pusch.tpmi = 22;
  EXPECT_NE(pusch.validate(four).find("6.3.1.5-5"), std::string::npos) << pusch.validate(four);
  EXPECT_EQ(pusch.dmrs_port_of_layer(1), 1u);
}

} // namespace
} // namespace airan::phy
