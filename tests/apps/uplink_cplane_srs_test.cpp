// The L1's uplink C-plane asks the RU for the SRSs' REs: one section per run of SRS symbols on the
// same PRBs (a hop) and receive antenna, SRSs on the same PRBs and symbols (other combs or cyclic
// shifts) sharing it; a slot with as many SRS PDUs as a UL_TTI.request holds still goes out whole.
#include "airan/io/ecpri.h"
#include "airan/io/oran_cplane.h"
#include "airan/l1/uplink_cplane_sender.h"

#include <gtest/gtest.h>

#include <vector>

namespace airan::l1 {
namespace {

struct SrsCplaneSection {
  unsigned symbol = 0;
  unsigned start_prb = 0;
  unsigned num_prbs = 0;
  unsigned num_symbols = 0;
};

std::vector<SrsCplaneSection>* srs_sections_sink = nullptr;

void take_srs_cplane_frame(std::span<const std::uint8_t> frame) {
  const auto ecpri = io::parse_ecpri_frame(frame);
  ASSERT_TRUE(ecpri.ok());
  const auto cplane = io::parse_cplane_message(ecpri.frame.message.application_payload);
  ASSERT_TRUE(cplane.ok());
  for (const auto& view : cplane.message.sections) {
    srs_sections_sink->push_back({cplane.message.header.timing.symbol_id, view.section.start_prb,
                                  view.section.num_prbs, view.section.num_symbols});
  }
}

unsigned count_srs_sections(const std::vector<SrsCplaneSection>& sections, unsigned symbol,
                            unsigned prb, unsigned prbs, unsigned symbols) {
  unsigned found = 0;
  for (const auto& s : sections) {
    found +=
        s.symbol == symbol && s.start_prb == prb && s.num_prbs == prbs && s.num_symbols == symbols
            ? 1U
            : 0U;
  }
  return found;
}

TEST(UplinkCplaneSrs, EachSrsHopGetsOneSectionSharedByMultiplexedSrs) {
  phy::CellConfig cell;
  cell.num_prbs = 52;
  cell.numerology = 1;
  // Two symbols hopping over the halves of 40 PRBs (C_SRS 11, B_SRS 1, b_hop 0) from PRB 2.
  phy::SrsConfig hopping;
  hopping.bwp_size = 52;
  hopping.num_symbols = 2;
  hopping.start_symbol = 12;
  hopping.c_srs = 11;
  hopping.b_srs = 1;
  hopping.frequency_shift = 2;
  // Four symbols with repetition 4 on PRBs 0-15 (C_SRS 3): one run.
  phy::SrsConfig repeated;
  repeated.bwp_size = 52;
  repeated.num_symbols = 4;
  repeated.repetition = 4;
  repeated.start_symbol = 10;
  repeated.c_srs = 3;
  phy::SrsConfig other_comb = repeated; // multiplexed: the same PRBs and symbols
  other_comb.comb_offset = 1;
  const std::vector<phy::SrsConfig> srs = {hopping, repeated, other_comb};
  for (const auto& s : srs) {
    ASSERT_EQ(s.validate(cell), "");
  }
  std::vector<SrsCplaneSection> sections;
  srs_sections_sink = &sections;
  FronthaulCplaneSender sender(cell, 2, io::FronthaulConfig{}, take_srs_cplane_frame);
  sender.send_slot(0, 1, {}, {}, {}, srs);
  EXPECT_EQ(sender.slots_failed(), 0U);
  ASSERT_EQ(sections.size(), 2U * 3U);
  EXPECT_EQ(count_srs_sections(sections, 12, 2, 20, 1), 2U);  // first hop, both antennas
  EXPECT_EQ(count_srs_sections(sections, 13, 22, 20, 1), 2U); // second hop
  EXPECT_EQ(count_srs_sections(sections, 10, 0, 16, 4), 2U);  // both combs, once

  // 64 SRS PDUs (a full UL_TTI.request) beside a PUSCH: the slot goes out, the PUSCH included.
  phy::PuschConfig pusch;
  pusch.bwp_size = 52;
  pusch.prb_start = 20;
  pusch.prb_size = 8;
  pusch.num_symbols = 10;
  ASSERT_EQ(pusch.validate(cell), "");
  sections.clear();
  const std::vector<phy::SrsConfig> full(io::fapi_max_srs_pdus, repeated);
  sender.send_slot(0, 2, std::span(&pusch, 1), {}, {}, full);
  EXPECT_EQ(sender.slots_failed(), 0U);
  EXPECT_EQ(count_srs_sections(sections, 0, 20, 8, 10), 2U);
  EXPECT_EQ(count_srs_sections(sections, 10, 0, 16, 4), 2U);
  const std::vector<phy::SrsConfig> too_many(io::fapi_max_srs_pdus + 1, repeated);
  sender.send_slot(0, 3, {}, {}, {}, too_many);
  EXPECT_EQ(sender.slots_failed(), 1U);
  srs_sections_sink = nullptr;
}

} // namespace
} // namespace airan::l1
