// Polar-coded UCI on PUSCH end to end (TS 38.212 6.3.2 with 5.3.1 and 5.4.1): HARQ-ACK and CSI
// parts of 12 to 1706 bits beside short ones, across modulations and layers, two-segment parts,
// noise-only slots failing the parts' CRCs, and refusals of parts that get too few coded bits.
#include "airan/phy/awgn.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/uci_coded_sizes.h"
#include "airan/phy/uci_polar_code.h"

#include "../support/pusch_uci_link.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using airan::test::Link;
using airan::test::make_uci_cell;
using airan::test::make_uci_pusch;
using airan::test::Payload;
using airan::test::random_bits;
using airan::test::random_payload;

TEST(PuschPolarUci, PolarAndShortPartsDecodeWithTheTransportBlock) {
  std::mt19937_64 rng(37);
  struct Case {
    unsigned layers;
    McsTable table;
    unsigned mcs;
    PuschUciConfig uci;
  };
  const std::vector<Case> cases = {
      {1, McsTable::qam64, 5, {12, 0, 0, 3, 9, 0, 0}},        // CRC6 + parity checks, QPSK
      {1, McsTable::qam64, 12, {2, 19, 0, 3, 7, 12, 0}},      // short ACK over polar CSI-1
      {1, McsTable::qam64, 20, {20, 11, 48, 3, 11, 10, 12}},  // polar / short / polar
      {2, McsTable::qam64, 14, {1, 60, 120, 3, 11, 13, 13}},  // 2 layers, 1-bit ACK punctures
      {2, McsTable::qam256, 22, {40, 400, 1013, 3, 7, 5, 4}}, // two segments (filler bit)
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("layers " + std::to_string(c.layers) + " mcs " + std::to_string(c.mcs) + " uci " +
                 std::to_string(c.uci.harq_ack_bits) + "/" + std::to_string(c.uci.csi_part1_bits) +
                 "/" + std::to_string(c.uci.csi_part2_bits));
    Link link(make_uci_cell(c.layers));
    PuschConfig pusch = make_uci_pusch(c.layers, c.table, c.mcs);
    pusch.uci = c.uci;
    ASSERT_EQ(pusch.validate(link.cell), "");
    for (int trial = 0; trial < 2; ++trial) {
      const Payload payload = random_payload(pusch.uci, rng);
      const BitVector tb = random_bits(link.transmitter.transport_block_size(pusch), rng);
      const PuschPduResult r = link.run(pusch, payload, tb, 30.0F, rng);
      ASSERT_EQ(r.error, "");
      EXPECT_TRUE(r.tb_crc_ok);
      ASSERT_TRUE(r.uci.decoded);
      EXPECT_EQ(r.uci.harq_ack, payload.ack);
      EXPECT_EQ(r.uci.csi_part1, payload.csi1);
      EXPECT_EQ(r.uci.csi_part2, payload.csi2);
      EXPECT_EQ(r.uci.harq_ack_detected, c.uci.harq_ack_bits != 0);
      EXPECT_EQ(r.uci.csi_part1_detected, c.uci.csi_part1_bits != 0);
      EXPECT_EQ(r.uci.csi_part2_detected, c.uci.csi_part2_bits != 0);
    }
  }
  // The two-segment case did split: CSI part 2 of 1013 bits always does, CSI part 1 of 400 bits
  // with 1088 coded bits or more.
  const PuschConfig last = [&] {
    PuschConfig p = make_uci_pusch(2, McsTable::qam256, 22);
    p.uci = cases.back().uci;
    return p;
  }();
  Link link(make_uci_cell(2));
  const UciCodedSizes sizes =
      pusch_coded_sizes(link.cell, last, link.transmitter.transport_block_size(last));
  EXPECT_EQ(uci_polar_layout(1013, sizes.csi_part2).num_segments, 2U);
  EXPECT_GE(sizes.csi_part1, 1088U);
  EXPECT_EQ(uci_polar_layout(400, sizes.csi_part1).num_segments, 2U);
}

TEST(PuschPolarUci, LowSnrDecodesThePartsWhereTheirCodeRateAllows) {
  // At 0 dB the 64-QAM TB fails, while polar parts with large betas (HARQ-ACK up to the alpha cap:
  // 7218 coded bits for 24; CSI part 1 1344 for 30) decode: measured 20 of 20 at 0 dB, 19 at
  // -2 dB, 9 at -4 dB.
  std::mt19937_64 rng(41);
  Link link(make_uci_cell(1));
  PuschConfig pusch = make_uci_pusch(1, McsTable::qam64, 20);
  pusch.uci = {24, 30, 0, 3, 15, 18, 0};
  ASSERT_EQ(pusch.validate(link.cell), "");
  unsigned tb_ok = 0;
  unsigned uci_ok = 0;
  for (int t = 0; t < 10; ++t) {
    const Payload payload = random_payload(pusch.uci, rng);
    const BitVector tb = random_bits(link.transmitter.transport_block_size(pusch), rng);
    const PuschPduResult r = link.run(pusch, payload, tb, 0.0F, rng);
    tb_ok += r.tb_crc_ok ? 1U : 0U;
    uci_ok += r.uci.harq_ack_detected && r.uci.harq_ack == payload.ack &&
                      r.uci.csi_part1_detected && r.uci.csi_part1 == payload.csi1
                  ? 1U
                  : 0U;
  }
  EXPECT_EQ(tb_ok, 0U);
  EXPECT_GE(uci_ok, 9U);
}

TEST(PuschPolarUci, ANoiseOnlySlotFailsThePartsCrcs) {
  // The UE missed its grant: the TB fails, and polar parts fail their CRCs (a list of 8 lets
  // about 8 / 2048 of noise through CRC11; CRC6 with parity checks more).
  std::mt19937_64 rng(43);
  Link link(make_uci_cell(1));
  PuschConfig pusch = make_uci_pusch(1, McsTable::qam64, 9);
  pusch.uci = {30, 200, 0, 3, 9, 9, 0};
  unsigned detected = 0;
  std::vector<PuschPduResult> results;
  for (int t = 0; t < 20; ++t) {
    link.rx.fill_zero();
    AwgnGenerator noise(rng()); // noise alone
    noise.add(link.rx, 1.0F);
    link.receiver->process_slot(link.rx, airan::test::uci_slot_number, std::span(&pusch, 1),
                                results);
    const PuschPduResult& r = results.at(0);
    EXPECT_FALSE(r.tb_crc_ok);
    detected += (r.uci.harq_ack_detected ? 1 : 0) + (r.uci.csi_part1_detected ? 1 : 0);
  }
  EXPECT_LE(detected, 1U) << "of 40 noise-only parts";
}

TEST(PuschPolarUci, PartsWithTooFewCodedBitsAreRefused) {
  const CellConfig cell = make_uci_cell(1);
  PuschConfig pusch = make_uci_pusch(1, McsTable::qam64, 27);
  pusch.prb_size = 2;
  pusch.uci = {0, 1706, 0, 0, 0, 0, 0}; // alpha 0.5 of two PRBs cannot carry 1706 bits
  const std::string error = pusch.validate(cell);
  EXPECT_NE(error.find("CSI part 1"), std::string::npos) << error;
  EXPECT_NE(error.find("coded bits"), std::string::npos) << error;
  pusch.uci = {1707, 0, 0, 3, 0, 0, 0};
  EXPECT_NE(pusch.validate(cell).find("1706"), std::string::npos) << pusch.validate(cell);
}

} // namespace
