// TBS determination (TS 38.214 5.1.3.2) against hand-computed examples of every branch.
#include "airan/phy/tbs_calculator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace airan::phy {
namespace {

TbsParams params(unsigned prbs, unsigned dmrs_res, std::uint32_t rate_x10240, unsigned qm,
                 unsigned layers) {
  TbsParams p;
  p.num_prbs = prbs;
  p.num_symbols = 14;
  p.dmrs_res_per_prb = dmrs_res;
  p.code_rate_x10240 = rate_x10240;
  p.modulation_order = qm;
  p.num_layers = layers;
  return p;
}

TEST(TbsCalculator, TableHas93IncreasingEntries) {
  const auto table = tbs_table();
  ASSERT_EQ(table.size(), 93u);
  EXPECT_EQ(table.front(), 24);
  EXPECT_EQ(table.back(), 3824);
  EXPECT_TRUE(std::is_sorted(table.begin(), table.end()));
  EXPECT_TRUE(std::adjacent_find(table.begin(), table.end()) == table.end());
  for (const auto value : table) {
    EXPECT_EQ(value % 8, 0) << value;
  }
}

// 1 PRB, 12 DMRS REs, MCS 0 (R = 120/1024, QPSK): N_RE = 156, N_info = 36.5625, n = 3,
// N'_info = 8 floor(36.5625 / 8) = 32 -> TBS 32 from Table 5.1.3.2-1.
TEST(TbsCalculator, SmallTableCase) {
  const TbsResult r = compute_tbs(params(1, 12, 1200, 2, 1));
  EXPECT_EQ(r.num_res, 156u);
  EXPECT_DOUBLE_EQ(r.n_info, 36.5625);
  EXPECT_EQ(r.n_info_quantized, 32u);
  EXPECT_TRUE(r.from_table);
  EXPECT_EQ(r.tbs, 32u);
}

// 10 PRB, MCS 9 (R = 679/1024, QPSK): N_info = 2068.83, n = 5, N'_info = 32 * 64 = 2048 ->
// the next table entry, 2088.
TEST(TbsCalculator, TableRoundsUpToNextEntry) {
  const TbsResult r = compute_tbs(params(10, 12, 6790, 2, 1));
  EXPECT_EQ(r.n_info_quantized, 2048u);
  EXPECT_EQ(r.tbs, 2088u);
  // 10 PRB, 16-QAM R = 616/1024: N_info = 3753.75 (<= 3824), N'_info = 3712 -> 3752.
  EXPECT_EQ(compute_tbs(params(10, 12, 6160, 4, 1)).tbs, 3752u);
}

// 40 PRB, 2 DMRS symbols type 1 with 1 CDM group (12 REs), 16-QAM R = 553/1024, 1 layer:
// N_RE = 6240, N_info = 13479.4, n = 8, N'_info = 256 * 53 = 13568 > 8424 -> C = 2,
// TBS = 16 * ceil(13592 / 16) - 24 = 13576 (the MATLAB reference case_000).
TEST(TbsCalculator, LargeTwoCodeBlocks) {
  const TbsResult r = compute_tbs(params(40, 12, 5530, 4, 1));
  EXPECT_EQ(r.num_res, 6240u);
  EXPECT_FALSE(r.from_table);
  EXPECT_EQ(r.n_info_quantized, 13568u);
  EXPECT_EQ(r.tbs, 13576u);
}

// 273 PRB, 24 DMRS REs (2 symbols, 2 CDM groups), 256-QAM R = 948/1024, 2 layers:
// N_RE = 144 * 273 = 39312, N_info = 582309, n = 14, N'_info = 16384 * 36 = 589824,
// C = ceil(589848 / 8424) = 71, TBS = 568 * ceil(589848 / 568) - 24 = 590128.
TEST(TbsCalculator, LargeManyCodeBlocks) {
  const TbsResult r = compute_tbs(params(273, 24, 9480, 8, 2));
  EXPECT_EQ(r.num_res, 39312u);
  EXPECT_EQ(r.n_info_quantized, 589824u);
  EXPECT_EQ(r.tbs, 590128u);
  EXPECT_EQ(compute_tbs(params(273, 12, 9480, 8, 4)).tbs, 1277992u);
}

// R <= 1/4 branch: 273 PRB, MCS 0 of Table 5.1.3.1-3 (R = 30/1024), QPSK, 4 layers:
// N_info = 9981.56, n = 8, N'_info = 256 * 39 = 9984, C = ceil(10008 / 3816) = 3,
// TBS = 24 * ceil(10008 / 24) - 24 = 9984.
TEST(TbsCalculator, LowRateUses3816Segments) {
  const TbsResult r = compute_tbs(params(273, 12, 300, 2, 4));
  EXPECT_EQ(r.n_info_quantized, 9984u);
  EXPECT_EQ(r.tbs, 9984u);
}

// N'_RE above 156 is capped: 12 * 14 - 6 = 162 REs per PRB count as 156.
TEST(TbsCalculator, ResourceElementsCappedAt156PerPrb) {
  EXPECT_EQ(compute_tbs(params(10, 6, 5530, 4, 1)).num_res, 1560u);
  TbsParams with_overhead = params(10, 12, 5530, 4, 1);
  with_overhead.overhead_res_per_prb = 6;
  EXPECT_EQ(compute_tbs(with_overhead).num_res, 1500u);
}

TEST(TbsCalculator, DmrsOverhead) {
  EXPECT_EQ(dmrs_overhead_res_per_prb(2, DmrsConfigType::type1, 1), 12u);
  EXPECT_EQ(dmrs_overhead_res_per_prb(2, DmrsConfigType::type1, 2), 24u);
  EXPECT_EQ(dmrs_overhead_res_per_prb(1, DmrsConfigType::type2, 3), 12u);
  EXPECT_EQ(dmrs_overhead_res_per_prb(4, DmrsConfigType::type2, 2), 32u);
}

TEST(TbsCalculator, FromPuschConfig) {
  CellConfig cell;
  cell.num_prbs = 40;
  PuschConfig pusch;
  pusch.bwp_size = 40;
  pusch.prb_size = 40;
  pusch.dmrs_additional_position = 1; // symbols 2 and 11
  pusch.mcs_index = 14;
  EXPECT_EQ(compute_pusch_tbs(cell, pusch), 13576u);
  pusch.num_dmrs_cdm_groups_no_data = 2; // 24 REs: N_RE = 144 * 40 = 5760
  EXPECT_EQ(pusch_tbs_params(cell, pusch).dmrs_res_per_prb, 24u);
  EXPECT_EQ(compute_tbs(pusch_tbs_params(cell, pusch)).num_res, 5760u);
}

TEST(TbsCalculator, RejectsEmptyAllocations) {
  EXPECT_THROW(compute_tbs(params(0, 12, 5530, 4, 1)), std::invalid_argument);
  EXPECT_THROW(compute_tbs(params(10, 12, 0, 4, 1)), std::invalid_argument);
  EXPECT_THROW(compute_tbs(params(10, 168, 5530, 4, 1)), std::invalid_argument);
  // Absurd values, where the RE count wrapped 32 bits (or a DMRS count wrapped int to -1) and
  // the log2 loop could shift past 64 bits: refused. The largest allowed still computes.
  EXPECT_THROW(compute_tbs(params(max_tbs_prbs + 1, 12, 5530, 4, 1)), std::invalid_argument);
  EXPECT_THROW(compute_tbs(params(10, 0xFFFFFFFFU, 5530, 4, 1)), std::invalid_argument);
  EXPECT_THROW(compute_tbs(params(10, 12, 5530, 64, 1)), std::invalid_argument);
  EXPECT_THROW(compute_tbs(params(10, 12, 5530, 4, 9)), std::invalid_argument);
  EXPECT_GT(compute_tbs(params(max_tbs_prbs, 12, 1000, 2, 1)).tbs, 0U);
}

} // namespace
} // namespace airan::phy
