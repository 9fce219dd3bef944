// PUSCH DMRS with transform precoding (TS 38.211 6.4.1.1.1.2, 6.4.1.1.3): the low-PAPR sequence
// of the symbol's group replaces the Gold sequence, weighted by beta w_f(k') w_t(l').
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/low_papr_sequence.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace airan::phy {
namespace {

PuschConfig dfts_pusch(unsigned prbs) {
  PuschConfig pusch;
  pusch.bwp_size = 52;
  pusch.prb_start = 3;
  pusch.prb_size = prbs;
  pusch.transform_precoding = true;
  pusch.mcs_table = McsTable::transform_precoding_qam64;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.pusch_identity = 95; // u = 5 without hopping
  return pusch;
}

CellConfig cell52() {
  CellConfig cell;
  cell.num_prbs = 52;
  return cell;
}

TEST(DmrsPuschLowPapr, ValuesAreBetaTimesTheGroupSequence) {
  const CellConfig cell = cell52();
  for (const unsigned prbs : {1U, 4U, 5U, 12U}) {
    const PuschConfig pusch = dfts_pusch(prbs);
    ASSERT_EQ(pusch.validate(cell), "");
    const PuschDmrsParams params = make_pusch_dmrs_params(cell, pusch, 7);
    EXPECT_TRUE(params.transform_precoding);
    std::vector<cf32> values(params.values_per_symbol());
    ASSERT_EQ(values.size(), 6U * prbs);
    std::vector<cf32> expected(values.size());
    generate_low_papr_sequence(5, 0, 0.0F, expected);
    for (unsigned port : {0U, 1U}) { // port 1: w_f(1) = -1
      generate_pusch_dmrs(params, port, 2, values);
      for (std::size_t i = 0; i < values.size(); ++i) {
        const float sign = port == 1 && i % 2 == 1 ? -1.0F : 1.0F;
        const cf32 want = expected[i] * (std::sqrt(2.0F) * sign); // beta: 2 CDM groups
        ASSERT_LT(std::abs(values[i] - want), 1e-6F) << prbs << " PRBs, port " << port << " " << i;
      }
    }
  }
}

// Group hopping changes u from symbol to symbol; the second symbol of a double-symbol DMRS takes
// the sequence of the first (with w_t(1) = -1 for ports 4..7).
TEST(DmrsPuschLowPapr, HoppingFollowsTheSymbolAndDoubleSymbolsShareTheirSequence) {
  const CellConfig cell = cell52();
  PuschConfig pusch = dfts_pusch(12);
  pusch.dmrs_hopping = LowPaprHopping::group;
  pusch.dmrs_length = 2;
  pusch.dmrs_additional_position = 1;
  pusch.dmrs_ports = 1U << 4; // w_t = {1, -1}
  const PuschDmrsParams params = make_pusch_dmrs_params(cell, pusch, 3);
  std::vector<unsigned> firsts;
  for (unsigned l = 0; l < 14; ++l) {
    if (params.symbols.contains(l) && params.symbols.l_prime(l) == 0) {
      firsts.push_back(l);
    }
  }
  ASSERT_EQ(firsts.size(), 2U);
  std::vector<cf32> first(72);
  std::vector<cf32> second(72);
  std::vector<cf32> expected(72);
  for (unsigned l : firsts) {
    generate_pusch_dmrs(params, 4, l, first);
    generate_pusch_dmrs(params, 4, l + 1, second);
    const LowPaprSequenceId id =
        pusch_low_papr_sequence_id(LowPaprHopping::group, 95, 14, 3, l, 72);
    generate_low_papr_sequence(id.u, id.v, 0.0F, expected);
    for (std::size_t i = 0; i < 72; ++i) {
      ASSERT_LT(std::abs(first[i] - std::sqrt(2.0F) * expected[i]), 1e-6F);
      ASSERT_LT(std::abs(second[i] + first[i]), 1e-6F); // w_t(1) = -1, same sequence
    }
  }
  generate_pusch_dmrs(params, 4, firsts[0], first);
  generate_pusch_dmrs(params, 4, firsts[1], second);
  EXPECT_GT(std::abs(first[0] - second[0]) + std::abs(first[1] - second[1]), 1e-3F)
      << "group hopping should give the two occasions different sequences";
}

} // namespace
} // namespace airan::phy
