// The L1's uplink C-plane asks the RU for the PUCCHs' REs too: one section per PUCCH hop and
// receive antenna, UEs multiplexed on one resource sharing it, beside the PUSCH's; a slot with
// more PUCCHs than a UL_TTI.request holds is counted as failed, not thrown (a full one is sent).
// Its PRACH occasions' type 3 frames go in the order of their first symbols.
#include "airan/io/ecpri.h"
#include "airan/io/oran_cplane.h"
#include "airan/l1/uplink_cplane_sender.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>
#include <vector>

namespace airan::l1 {
namespace {

struct CapturedSection {
  unsigned symbol = 0;
  io::CplaneSection section;
};

/// Calls \p take(ecpri header, C-plane message header, section) for each section of the
/// C-plane \p frame (which must parse).
template <class Take> void for_each_cplane_section(std::span<const std::uint8_t> frame, Take take) {
  const auto ecpri = io::parse_ecpri_frame(frame);
  ASSERT_TRUE(ecpri.ok());
  const auto cplane = io::parse_cplane_message(ecpri.frame.message.application_payload);
  ASSERT_TRUE(cplane.ok());
  for (const auto& view : cplane.message.sections) {
    take(ecpri.frame.message.header, cplane.message.header, view.section);
  }
}

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
        for_each_cplane_section(frame, [&](const auto&, const auto& header, const auto& section) {
          sections.push_back({header.timing.symbol_id, section});
        });
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

// The sender takes as many PDUs as a UL_TTI.request holds (the L1 accepts them and announces 64
// PUSCHs in its PARAM.response): 64 PUSCHs and 64 hopping PUCCHs on 16 antennas, sectionIds
// from 0 on each eAxC (16 x 192 sections would not fit one 12-bit count).
TEST(UplinkCplanePucch, AFullUlTtiRequestGetsItsSections) {
  phy::CellConfig cell;
  cell.num_prbs = 273;
  cell.numerology = 1;
  std::vector<phy::PuschConfig> pusch(64);
  std::vector<phy::PucchConfig> pucch(64);
  for (unsigned i = 0; i < 64; ++i) {
    pusch[i].bwp_size = 273;
    pusch[i].prb_start = 2 * i;
    pusch[i].prb_size = 1;
    pusch[i].rnti = static_cast<std::uint16_t>(100 + i);
    ASSERT_EQ(pusch[i].validate(cell), "") << i;
    pucch[i].format = phy::PucchFormat::format1;
    pucch[i].bwp_size = 273;
    pucch[i].prb_start = 140 + i;
    pucch[i].num_symbols = 14;
    pucch[i].intra_slot_hopping = true;
    pucch[i].second_hop_prb = 272 - i;
    pucch[i].harq_bits = 1;
    ASSERT_EQ(pucch[i].validate(cell), "") << i;
  }
  io::FronthaulConfig config;
  config.eaxc_layout.ru_port_bits = 4;
  std::vector<unsigned> sections_per_eaxc(16, 0);
  unsigned largest_id = 0;
  FronthaulCplaneSender sender(cell, 16, config, [&](std::span<const std::uint8_t> frame) {
    for_each_cplane_section(frame, [&](const auto& ecpri, const auto&, const auto& section) {
      ++sections_per_eaxc.at(ecpri.eaxc_id & 0xF);
      largest_id = std::max<unsigned>(largest_id, section.section_id);
    });
  });
  sender.send_slot(0, 1, pusch, pucch);
  EXPECT_EQ(sender.slots_failed(), 0U);
  EXPECT_EQ(sections_per_eaxc, std::vector<unsigned>(16, 64 + 2 * 64));
  EXPECT_EQ(largest_id, 64U + 2U * 64U - 1U);

  pusch.push_back(pusch.front()); // 65: more than a UL_TTI.request holds
  sender.send_slot(0, 2, pusch, {});
  EXPECT_EQ(sender.slots_failed(), 1U);
}

TEST(UplinkCplanePrachOrder, OccasionsGoInTheOrderOfTheirFirstSymbolsKeepingTheirSectionIds) {
  // Two A1 occasions listed symbol 6 first: a live L1 sends each frame in its own symbol's
  // window, so each PRACH eAxC's ecpriSeqid must count in symbol order; the section ids still
  // number the occasions as listed (the O-RU's U-plane answers with them).
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  std::vector<io::FapiPrachOccasion> occasions(2);
  for (std::size_t i = 0; i < occasions.size(); ++i) {
    phy::PrachConfig& config = occasions[i].config;
    config.format = phy::PrachFormat::a1;
    config.short_format_numerology = 1;
    config.cyclic_shift_length = 0;
    config.first_prb = 12;
    config.start_symbol = i == 0 ? 6 : 0;
  }
  struct PrachFrame {
    unsigned symbol = 0;
    unsigned section_id = 0;
    unsigned eaxc = 0;
    unsigned sequence = 0;
  };
  std::vector<PrachFrame> frames;
  FronthaulCplaneSender sender(
      cell, 2, io::FronthaulConfig{}, [&](std::span<const std::uint8_t> frame) {
        for_each_cplane_section(frame,
                                [&](const auto& ecpri, const auto& header, const auto& section) {
                                  frames.push_back({header.timing.symbol_id, section.section_id,
                                                    ecpri.eaxc_id, ecpri.sequence.sequence_id});
                                });
      });
  sender.send_slot(0, 1, {}, {}, occasions);
  EXPECT_EQ(sender.prach_failed(), 0U);
  ASSERT_EQ(frames.size(), 4U); // two occasions, two antennas, a section each
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const bool first = f < 2; // the symbol 0 occasion's frames, antenna 0 then 1
    EXPECT_EQ(frames[f].symbol, first ? 0U : 6U) << f;
    EXPECT_EQ(frames[f].section_id, first ? 1U : 0U) << f;
    EXPECT_EQ(frames[f].sequence, first ? 0U : 1U) << f; // per eAxC, in symbol order
    EXPECT_EQ(frames[f].eaxc, frames[f % 2].eaxc) << f;
  }
  EXPECT_NE(frames[0].eaxc, frames[1].eaxc);
}

} // namespace
} // namespace airan::l1
