// The L1's uplink C-plane asks the RU for the PUCCHs' REs too: one section per PUCCH hop and
// receive antenna, UEs multiplexed on one resource sharing it, beside the PUSCH's; a slot with
// more PUCCHs than the sender is sized for is counted as failed, not thrown.
#include "airan/io/ecpri.h"
#include "airan/io/oran_cplane.h"
#include "airan/l1/uplink_cplane_sender.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

namespace airan::l1 {
namespace {

struct CapturedSection {
  unsigned symbol = 0;
  io::CplaneSection section;
};

TEST(UplinkCplanePucch, EachPucchHopGetsOneSectionSharedByMultiplexedUes) {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  phy::PuschConfig pusch;
  pusch.bwp_size = 24;
  pusch.prb_start = 4;
  pusch.prb_size = 8;
  ASSERT_EQ(pusch.validate(cell), "");
  phy::PucchConfig f1;
  f1.format = phy::PucchFormat::format1;
  f1.bwp_size = 24;
  f1.prb_start = 0;
  f1.num_symbols = 14;
  f1.intra_slot_hopping = true;
  f1.second_hop_prb = 23;
  f1.harq_bits = 1;
  phy::PucchConfig f1_other_cover = f1; // multiplexed: the same REs
  f1_other_cover.time_domain_occ = 1;
  phy::PucchConfig f2;
  f2.format = phy::PucchFormat::format2;
  f2.bwp_size = 24;
  f2.prb_start = 16;
  f2.num_prbs = 3;
  f2.start_symbol = 12;
  f2.num_symbols = 2;
  f2.csi_part1_bits = 8;
  const std::vector<phy::PucchConfig> pucch = {f1, f1_other_cover, f2};
  for (const auto& p : pucch) {
    ASSERT_EQ(p.validate(cell), "");
  }
  std::vector<CapturedSection> sections;
  FronthaulCplaneSender sender(
      cell, 2, io::FronthaulConfig{}, [&](std::span<const std::uint8_t> frame) {
        const auto ecpri = io::parse_ecpri_frame(frame);
        ASSERT_TRUE(ecpri.ok());
        const auto cplane = io::parse_cplane_message(ecpri.frame.message.application_payload);
        ASSERT_TRUE(cplane.ok());
        for (const auto& view : cplane.message.sections) {
          sections.push_back({cplane.message.header.timing.symbol_id, view.section});
        }
      });
  sender.send_slot(0, 1, std::span(&pusch, 1), pucch);
  EXPECT_EQ(sender.slots_failed(), 0U);
  // Per antenna: the PUSCH, the format 1 resource's two hops (once for both UEs), format 2.
  ASSERT_EQ(sections.size(), 2U * 4U);
  const auto has = [&](unsigned symbol, unsigned prb, unsigned prbs, unsigned symbols) {
    unsigned found = 0;
    for (const auto& s : sections) {
      found += s.symbol == symbol && s.section.start_prb == prb && s.section.num_prbs == prbs &&
                       s.section.num_symbols == symbols
                   ? 1U
                   : 0U;
    }
    return found;
  };
  EXPECT_EQ(has(0, 4, 8, 14), 2U);  // PUSCH, both antennas
  EXPECT_EQ(has(0, 0, 1, 7), 2U);   // format 1, first hop
  EXPECT_EQ(has(7, 23, 1, 7), 2U);  // format 1, second hop
  EXPECT_EQ(has(12, 16, 3, 2), 2U); // format 2

  const std::vector<phy::PucchConfig> too_many(65, f2);
  sender.send_slot(0, 2, {}, too_many);
  EXPECT_EQ(sender.slots_failed(), 1U);
}

} // namespace
} // namespace airan::l1
