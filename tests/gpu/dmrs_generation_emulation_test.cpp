// The GPU front end's DMRS generation kernel runs on the host (front_end_emulation_dmrs.h): each
// thread's code (generate_dmrs_thread(), dmrs_generation_elements.h) on the DmrsGeneration that
// make_pdu_geometry() builds for GpuPuschFrontEnd, its Gold words from the warp's shared jump on
// emulated warps, against phy::generate_pusch_dmrs bit for bit. PDUs of both DMRS types, single
// and double symbol, 1 to 4 layers on ports of every CDM group with w_f and w_t of -1, several
// slots, numerologies, N_ID, n_SCID, allocations away from CRB 0 and CDM groups without data (the
// amplitude). The kernel's threads with phy's Gold words instead of the warp's give the same
// values. (The PDUs of the estimator's emulation cases are checked the same way as they are
// built, front_end_emulation_support.h.) CUDA builds only.
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_front_end.h"

#include "front_end_emulation_dmrs.h"
#include "front_end_kernels.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::gpu::detail;
using namespace emulation_test;

/// One PDU's DMRS setup.
struct DmrsCase {
  DmrsConfigType type = DmrsConfigType::type1;
  unsigned length = 1;
  std::uint16_t ports = 0x1;
  unsigned cdm_groups_no_data = 2;
  unsigned additional_position = 1;
};

std::vector<DmrsCase> dmrs_cases() {
  constexpr auto type1 = DmrsConfigType::type1;
  constexpr auto type2 = DmrsConfigType::type2;
  return {
      // Type 1: ports 0-3 single symbol (CDM groups 0 and 1, w_f -1 on the odd ports); 4-7
      // double symbol (w_t -1).
      {type1, 1, 0x1, 1, 0},
      {type1, 1, 0x2, 1, 1},
      {type1, 1, 0x3, 2, 2},
      {type1, 1, 0xf, 2, 3},
      {type1, 1, 0xa, 2, 1},
      {type1, 2, 0x30, 2, 0},
      {type1, 2, 0xf0, 2, 1},
      {type1, 2, 0x61, 2, 1},
      {type1, 2, 0x8c, 2, 0},
      // Type 2: ports 0-5 single symbol (CDM groups 0-2), 6-11 double symbol.
      {type2, 1, 0x1, 1, 1},
      {type2, 1, 0x1e, 3, 2},
      {type2, 1, 0x30, 3, 0},
      {type2, 2, 0xc0, 2, 1},
      {type2, 2, 0xf00, 3, 0},
      {type2, 2, 0x808, 3, 1},
      {type2, 2, 0x3, 1, 0},
  };
}

/// The PDU of case \p c number \p i: its slot, numerology, N_ID, n_SCID and allocation varied
/// with \p i.
struct DmrsPdu {
  CellConfig cell;
  PuschConfig pusch;
  unsigned slot = 0;
};

DmrsPdu make_pdu(const DmrsCase& c, unsigned i) {
  DmrsPdu p;
  p.cell.numerology = i % 3 == 0 ? 0 : 1;
  p.cell.num_prbs = i % 4 == 0 ? 273 : 106;
  const auto layers = static_cast<unsigned>(std::popcount(c.ports));
  // Non-codebook precoding (as many antenna ports as layers), codebook for 3 layers on 4 ports.
  p.cell.num_antenna_ports = layers == 3 ? 4 : layers;
  p.pusch.precoding = layers == 3 ? PuschPrecoding::codebook : PuschPrecoding::non_codebook;
  constexpr std::uint16_t ids[] = {0, 1, 511, 1007, 65535};
  p.cell.n_cell_id = 17;
  p.pusch.bwp_start = i % 2 == 0 ? 0 : 3;
  p.pusch.bwp_size = p.cell.num_prbs - p.pusch.bwp_start;
  constexpr unsigned starts[] = {0, 1, 10, 0, 37};
  constexpr unsigned sizes[] = {24, 1, 51, 273, 60};
  p.pusch.prb_start = starts[i % 5];
  p.pusch.prb_size = std::min(sizes[i % 5], p.pusch.bwp_size - p.pusch.prb_start);
  p.pusch.num_layers = layers;
  p.pusch.dmrs_ports = c.ports;
  p.pusch.dmrs_config_type = c.type;
  p.pusch.dmrs_length = c.length;
  p.pusch.dmrs_additional_position = c.additional_position;
  p.pusch.num_dmrs_cdm_groups_no_data = c.cdm_groups_no_data;
  p.pusch.n_scid = i % 2;
  p.pusch.dmrs_scrambling_id = ids[i % 5];
  p.pusch.mcs_index = 5;
  p.slot = (7 * i + 3) % (10U << p.cell.numerology);
  return p;
}

TEST(DmrsGenerationEmulation, KernelThreadsGenerateCpuDmrs) {
  const GoldJumpTable& table = gold_jump_table();
  bool time_weight_negative = false;
  bool frequency_weight_negative = false;
  bool away_from_crb0 = false;
  const std::vector<DmrsCase> cases = dmrs_cases();
  for (unsigned i = 0; i < cases.size(); ++i) {
    const DmrsPdu p = make_pdu(cases[i], i);
    SCOPED_TRACE(testing::Message() << "case " << i << " ports 0x" << std::hex << p.pusch.dmrs_ports
                                    << std::dec << " slot " << p.slot << " N_ID "
                                    << p.pusch.dmrs_scrambling_id << " n_SCID " << p.pusch.n_scid);
    ASSERT_EQ(p.pusch.validate(p.cell), "");
    // What GpuPuschFrontEnd builds for the device.
    DmrsGeneration generation;
    const PduGeometry g =
        make_pdu_geometry(p.cell, 2, 14, p.pusch, p.slot, PuschFrontEndOptions{}, generation);
    ASSERT_GT(g.num_dmrs_symbols, 0U);
    const std::vector<float2> want = cpu_dmrs(p.cell, p.pusch, p.slot, g);
    EXPECT_EQ(dmrs_difference(emulate_dmrs_generation(g, generation, table), want, g), "")
        << "emulated warps";
    EXPECT_EQ(dmrs_difference(generate_dmrs_sequentially(g, generation, table), want, g), "")
        << "threads with phy's Gold words";
    for (unsigned layer = 0; layer < g.num_layers; ++layer) {
      time_weight_negative = time_weight_negative || generation.w_t[layer][1] < 0;
      frequency_weight_negative = frequency_weight_negative || generation.w_f[layer][1] < 0;
    }
    away_from_crb0 = away_from_crb0 || generation.first_gold_bit != 0;
  }
  EXPECT_TRUE(time_weight_negative && frequency_weight_negative && away_from_crb0)
      << "the cases cover w_t = -1, w_f = -1 and a first Gold bit past 0";
}

} // namespace
#else
TEST(DmrsGenerationEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
