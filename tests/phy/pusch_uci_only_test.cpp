// PUSCH without UL-SCH (UCI only, TS 38.212 6.3.2.4 without UL-SCH): the coded sizes divide by
// R Q_m and fill the PUSCH (CSI part 1 takes what HARQ-ACK leaves when there is no CSI part 2,
// CSI part 2 what both leave), a HARQ-ACK of 0 or 1 bits beside CSI part 1 alone is coded as 2
// (6.3.2.1.1); the transmitter sends no TB and the receiver decodes every UCI part, reports only
// the UE's own HARQ-ACK bits, touches no HARQ process and reports no TB; what cannot be sent
// without UL-SCH is refused with a reason. (Before: any PDU without a TB was refused.)
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/uci_coded_sizes.h"

#include "../support/pusch_uci_link.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace airan::phy;
using airan::test::Link;
using airan::test::Payload;
using airan::test::random_payload;

/// 10 PRBs, 12 symbols without DMRS (10 after the first DMRS), no data on DMRS symbols.
UciResourceCounts uci_only_counts() {
  UciResourceCounts res;
  res.uci_res = 12 * 120;
  res.uci_res_from_l0 = 10 * 120;
  res.data_res = res.uci_res;
  return res;
}

TEST(UciOnlyCodedSizes, EveryPartFollowsTheRateTermAndCsiPart2TakesTheRest) {
  PuschUciConfig uci;
  uci.harq_ack_bits = 5;        // no CRC
  uci.csi_part1_bits = 20;      // CRC 11: 31 bits
  uci.csi_part2_bits = 30;      // CRC 11
  uci.beta_offset_harq_ack = 5; // 5.0
  uci.beta_offset_csi1 = 5;     // 2.0
  // R = 0.5, QPSK, 1 layer: Q'_ACK = ceil(5 * 5 / 1) = 25, Q'_CSI1 = ceil(31 * 2 / 1) = 62,
  // Q'_CSI2 = 1440 - 25 - 62 = 1353.
  const UciCodedSizes s = uci_only_coded_sizes(uci, uci_only_counts(), 5120, 1, 2);
  EXPECT_EQ(s.harq_ack, 50U);
  EXPECT_EQ(s.harq_ack_reserved, 0U);
  EXPECT_EQ(s.csi_part1, 124U);
  EXPECT_EQ(s.csi_part2, 1353U * 2);
  EXPECT_EQ(s.ulsch, 0U);
  EXPECT_EQ(s.total, s.harq_ack + s.csi_part1 + s.csi_part2);

  // 16-QAM, 2 layers, R = 0.25: Q'_ACK = ceil(25 / 1) = 25 (cap ceil(1200) not reached).
  const UciCodedSizes two = uci_only_coded_sizes(uci, uci_only_counts(), 2560, 2, 4);
  EXPECT_EQ(two.harq_ack, 25U * 8);
  EXPECT_EQ(two.csi_part1, 62U * 8);
  EXPECT_EQ(two.total, two.harq_ack + two.csi_part1 + two.csi_part2);
}

TEST(UciOnlyCodedSizes, CsiPart1AloneTakesEveryReTheHarqAckReservationLeaves) {
  PuschUciConfig uci;
  uci.harq_ack_bits = 2;
  uci.csi_part1_bits = 40;
  uci.beta_offset_harq_ack = 11; // 20.0
  uci.alpha_scaling = 0;         // 0.5: cap ceil(0.5 * 1200) = 600
  // Q'_ACK = Q'_rvd = min(ceil(2 * 20 / (0.5 * 2)), 600) = 40; CSI part 1: 1440 - 40.
  const UciCodedSizes s = uci_only_coded_sizes(uci, uci_only_counts(), 5120, 1, 2);
  EXPECT_EQ(s.harq_ack, 80U);
  EXPECT_EQ(s.harq_ack_reserved, 80U);
  EXPECT_EQ(s.csi_part1, 1400U * 2);
  EXPECT_EQ(s.csi_part2, 0U);
  // The alpha cap: beta 126 at R = 0.125 wants ceil(2 * 126 / 0.25) = 1008 REs, capped at 600.
  uci.beta_offset_harq_ack = 15;
  const UciCodedSizes capped = uci_only_coded_sizes(uci, uci_only_counts(), 1280, 1, 2);
  EXPECT_EQ(capped.harq_ack, 1200U);
  EXPECT_EQ(capped.csi_part1, (1440U - 600U) * 2);
  // More than 2 HARQ-ACK bits: no reservation, CSI part 1 still takes the rest.
  uci.beta_offset_harq_ack = 0;
  uci.harq_ack_bits = 6;
  const UciCodedSizes long_ack = uci_only_coded_sizes(uci, uci_only_counts(), 5120, 1, 2);
  EXPECT_EQ(long_ack.harq_ack, 12U);
  EXPECT_EQ(long_ack.harq_ack_reserved, 0U);
  EXPECT_EQ(long_ack.csi_part1, (1440U - 6U) * 2);
}

TEST(UciOnlyCodedSizes, AShortHarqAckBesideCsiPart1AloneIsCodedAsTwoBits) {
  PuschConfig pusch = airan::test::make_uci_pusch(1, McsTable::qam64, 10);
  pusch.ulsch = false;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.uci.csi_part1_bits = 12;
  for (unsigned ack : {0U, 1U}) {
    pusch.uci.harq_ack_bits = ack;
    EXPECT_EQ(coded_uci_config(pusch).harq_ack_bits, 2U);
  }
  pusch.uci.csi_part2_bits = 8; // with CSI part 2 a short HARQ-ACK punctures it as it is
  pusch.uci.harq_ack_bits = 1;
  EXPECT_EQ(coded_uci_config(pusch).harq_ack_bits, 1U);
  pusch.ulsch = true;
  pusch.uci.csi_part2_bits = 0;
  EXPECT_EQ(coded_uci_config(pusch).harq_ack_bits, 1U);
}

PuschConfig uci_only_pusch(unsigned layers, McsTable table, unsigned mcs, PuschUciConfig uci) {
  PuschConfig pusch = airan::test::make_uci_pusch(layers, table, mcs);
  pusch.ulsch = false;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.uci = uci;
  return pusch;
}

TEST(PuschUciOnly, EveryUciPartDecodesWithoutATransportBlock) {
  std::mt19937_64 rng(23);
  struct Case {
    unsigned layers;
    McsTable table;
    unsigned mcs;
    PuschUciConfig uci;
  };
  const std::vector<Case> cases = {
      {1, McsTable::qam64, 5, {0, 9, 0, 3, 0, 6, 0}},     // CSI part 1 alone (ACK padded)
      {1, McsTable::qam64, 9, {1, 24, 0, 3, 4, 4, 0}},    // 1-bit ACK padded, polar CSI 1
      {1, McsTable::qam64, 14, {2, 7, 40, 3, 6, 6, 6}},   // 2-bit ACK punctures CSI part 2
      {2, McsTable::qam64, 16, {6, 30, 100, 2, 5, 7, 8}}, // 2 layers, every part polar-free ACK
      {1, McsTable::qam256, 20, {11, 11, 0, 3, 9, 9, 0}}, // 256-QAM, ACK beside CSI part 1
      {1, McsTable::qam64, 12, {0, 8, 30, 3, 0, 6, 6}},   // no ACK: CSI 2 takes the reservation
      {1, McsTable::qam64, 12, {1, 8, 30, 3, 9, 6, 6}},   // 1-bit ACK (y) punctures CSI part 2
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("layers " + std::to_string(c.layers) + " mcs " + std::to_string(c.mcs) + " ack " +
                 std::to_string(c.uci.harq_ack_bits));
    Link link(airan::test::make_uci_cell(c.layers));
    const PuschConfig pusch = uci_only_pusch(c.layers, c.table, c.mcs, c.uci);
    ASSERT_EQ(pusch.validate(link.cell), "");
    EXPECT_EQ(link.transmitter.transport_block_size(pusch), 0U);
    const UciCodedSizes sizes = pusch_coded_sizes(link.cell, pusch, 0);
    EXPECT_EQ(sizes.ulsch, 0U);
    EXPECT_EQ(sizes.csi_part1 + sizes.csi_part2 +
                  (coded_uci_config(pusch).harq_ack_bits > 2 ? sizes.harq_ack
                   : c.uci.csi_part2_bits == 0               ? sizes.harq_ack_reserved
                                                             : 0),
              sizes.total); // every RE carries UCI
    for (int trial = 0; trial < 3; ++trial) {
      const Payload payload = random_payload(pusch.uci, rng);
      const PuschPduResult r = link.run(pusch, payload, {}, 30.0F, rng);
      ASSERT_EQ(r.error, "");
      EXPECT_FALSE(r.tb_crc_ok);
      EXPECT_TRUE(r.tb_bytes.empty());
      EXPECT_TRUE(r.tb_bits.empty());
      EXPECT_EQ(r.decoding.num_code_blocks, 0U);
      ASSERT_TRUE(r.uci.decoded);
      EXPECT_EQ(r.uci.harq_ack, payload.ack);
      EXPECT_EQ(r.uci.csi_part1, payload.csi1);
      EXPECT_EQ(r.uci.csi_part2, payload.csi2);
      EXPECT_EQ(r.uci.harq_ack_detected, c.uci.harq_ack_bits != 0);
      EXPECT_TRUE(r.uci.csi_part1_detected);
      EXPECT_EQ(r.uci.csi_part2_detected, c.uci.csi_part2_bits != 0);
    }
  }
}

// A 2-bit HARQ-ACK's reservation (beta offset index 15, at R 500/10240 capped only by alpha)
// beside CSI parts 1 and 2 that fill the whole carrier at the transmitter's largest modulation
// order: the three parts' coded bits are more than the PUSCH holds (the HARQ-ACK overwrites CSI
// part 2). The transmitter's buffer held one PUSCH's worth: a heap overflow (a review found it,
// `airan tx` aborted); every part still decodes.
TEST(PuschUciOnly, AHarqAckReservationBesideFullCsiFitsTheTransmittersBuffer) {
  std::mt19937_64 rng(43);
  Link link(airan::test::make_uci_cell(1));
  PuschConfig pusch = uci_only_pusch(1, McsTable::qam256, 31, {2, 20, 100, 3, 15, 0, 0});
  pusch.prb_start = 0;
  pusch.prb_size = link.cell.num_prbs;
  pusch.dmrs_additional_position = 0;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.target_code_rate_x10240 = 500;
  ASSERT_EQ(pusch.validate(link.cell), "");
  const UciCodedSizes sizes = pusch_coded_sizes(link.cell, pusch, 0);
  const std::size_t carrier_bits = std::size_t{12} * link.cell.num_prbs * 14 * 8;
  ASSERT_GT(sizes.harq_ack + sizes.csi_part1 + sizes.csi_part2, carrier_bits)
      << "the case no longer exceeds one PUSCH's bits";
  const Payload payload = random_payload(pusch.uci, rng);
  const PuschPduResult r = link.run(pusch, payload, {}, 30.0F, rng);
  ASSERT_EQ(r.error, "");
  ASSERT_TRUE(r.uci.decoded);
  EXPECT_EQ(r.uci.harq_ack, payload.ack);
  EXPECT_EQ(r.uci.csi_part1, payload.csi1);
  EXPECT_EQ(r.uci.csi_part2, payload.csi2);
}

TEST(PuschUciOnly, PtRsAndAPuschWithoutRoomForThePaddedHarqAckStillCarryCsi) {
  std::mt19937_64 rng(41);
  {
    SCOPED_TRACE("PT-RS");
    Link link(airan::test::make_uci_cell(1));
    PuschConfig pusch = uci_only_pusch(1, McsTable::qam64, 14, {2, 20, 0, 3, 5, 5, 0});
    pusch.ptrs.enabled = true;
    ASSERT_EQ(pusch.validate(link.cell), "");
    const Payload payload = random_payload(pusch.uci, rng);
    const PuschPduResult r = link.run(pusch, payload, {}, 30.0F, rng);
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.uci.harq_ack, payload.ack);
    EXPECT_EQ(r.uci.csi_part1, payload.csi1);
  }
  // DMRS on the last of 4 symbols: nothing after it, so the HARQ-ACK (padded to 2 bits) gets no
  // RE; CSI part 1 takes the 3 symbols. A HARQ-ACK the UE would send cannot go: refused.
  CellConfig cell = airan::test::make_uci_cell(1);
  cell.dmrs_type_a_position = 3;
  Link link(cell);
  PuschConfig pusch = uci_only_pusch(1, McsTable::qam64, 5, {0, 10, 0, 3, 0, 6, 0});
  pusch.num_symbols = 4;
  pusch.dmrs_additional_position = 0;
  ASSERT_EQ(pusch.validate(link.cell), "");
  const UciCodedSizes sizes = pusch_coded_sizes(link.cell, pusch, 0);
  EXPECT_EQ(sizes.harq_ack, 0U);
  EXPECT_EQ(sizes.csi_part1, sizes.total);
  const Payload payload = random_payload(pusch.uci, rng);
  const PuschPduResult r = link.run(pusch, payload, {}, 30.0F, rng);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.uci.csi_part1, payload.csi1);
  EXPECT_FALSE(r.uci.harq_ack_detected);
  pusch.uci.harq_ack_bits = 1;
  EXPECT_NE(pusch.validate(link.cell).find("no RE is left for HARQ-ACK"), std::string::npos)
      << pusch.validate(link.cell);
}

TEST(PuschUciOnly, DataResOfDmrsSymbolsAreSentEmptyAndTheUciStillDecodes) {
  // One CDM group without data: the odd subcarriers of the DMRS symbols are data REs, which
  // carry UL-SCH only; without it they are sent with zero power and ignored.
  std::mt19937_64 rng(77);
  for (const unsigned layers : {1U, 2U}) {
    SCOPED_TRACE(std::to_string(layers) + " layer(s)");
    Link link(airan::test::make_uci_cell(layers));
    PuschConfig pusch = uci_only_pusch(layers, McsTable::qam64, 12, {2, 14, 30, 3, 6, 6, 6});
    pusch.num_dmrs_cdm_groups_no_data = 1;
    pusch.dmrs_ports = layers == 1 ? 0x1 : 0x3; // ports 0 and 1 share CDM group 0
    ASSERT_EQ(pusch.validate(link.cell), "");
    const UciCodedSizes sizes = pusch_coded_sizes(link.cell, pusch, 0);
    const PuschReMapping mapping = make_pusch_re_mapping(link.cell, pusch);
    EXPECT_GT(sizes.total, sizes.csi_part1 + sizes.csi_part2); // the DMRS symbols' data REs
    const Payload payload = random_payload(pusch.uci, rng);
    link.tx.fill_zero();
    link.transmitter.transmit({}, payload.view(), pusch, airan::test::uci_slot_number, link.tx);
    unsigned dmrs_symbols = 0;
    for (unsigned l = pusch.start_symbol; l < pusch.start_symbol + pusch.num_symbols; ++l) {
      if (!mapping.dmrs_symbols.contains(l)) {
        continue;
      }
      ++dmrs_symbols;
      for (unsigned port = 0; port < layers; ++port) {
        for (unsigned k = 12 * pusch.prb_start; k < 12 * (pusch.prb_start + pusch.prb_size); ++k) {
          const cf32 value = link.tx.at(port, l, k);
          if (k % 2 == 1) {
            EXPECT_EQ(value, cf32{}) << "port " << port << " symbol " << l << " k " << k;
          } else {
            EXPECT_NE(value, cf32{}); // DMRS
          }
        }
      }
    }
    EXPECT_EQ(dmrs_symbols, 2U);
    const PuschPduResult r = link.run(pusch, payload, {}, 30.0F, rng);
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.uci.harq_ack, payload.ack);
    EXPECT_EQ(r.uci.csi_part1, payload.csi1);
    EXPECT_EQ(r.uci.csi_part2, payload.csi2);
    // The EVM is of the REs that carry something (with the empty ones 0.12 here).
    EXPECT_LT(r.measurements.evm, 0.05F) << r.measurements.evm; // 30 dB: 0.032
    // The receiver ignores those REs: strong interference there changes nothing.
    FlatMimoChannel::random_unitary(link.rx.num_ports(), link.cell.num_antenna_ports, rng())
        .apply(link.tx, 1e-3F, rng, link.rx);
    std::uniform_real_distribution<float> strong(-30.0F, 30.0F);
    for (unsigned l = pusch.start_symbol; l < pusch.start_symbol + pusch.num_symbols; ++l) {
      for (unsigned port = 0; port < link.rx.num_ports() && mapping.dmrs_symbols.contains(l);
           ++port) {
        for (unsigned k = 12 * pusch.prb_start + 1; k < 12 * (pusch.prb_start + pusch.prb_size);
             k += 2) {
          link.rx.at(port, l, k) = {strong(rng), strong(rng)};
        }
      }
    }
    std::vector<PuschPduResult> results;
    link.receiver->process_slot(link.rx, airan::test::uci_slot_number, std::span(&pusch, 1),
                                results);
    ASSERT_EQ(results.at(0).error, "");
    EXPECT_EQ(results[0].uci.csi_part1, payload.csi1);
    EXPECT_EQ(results[0].uci.csi_part2, payload.csi2);
  }
}

TEST(PuschUciOnly, AUciOnlyPduLeavesTheHarqProcessOfItsRntiAlone) {
  // A TB that failed keeps its HARQ buffer through a UCI-only PDU of the same RNTI and HARQ
  // process id (new data indicator set, which means nothing without a TB), in a slot of its own
  // and before a data PDU of that process in the same slot (no duplicate either way).
  std::mt19937_64 rng(5);
  {
    Link link(airan::test::make_uci_cell(1));
    PuschConfig data = airan::test::make_uci_pusch(1, McsTable::qam64, 20);
    const HarqProcessKey key{data.rnti, static_cast<std::uint8_t>(data.harq_process_id)};
    const BitVector tb = airan::test::random_bits(link.transmitter.transport_block_size(data), rng);
    const PuschPduResult failed = link.run(data, {}, tb, -5.0F, rng);
    ASSERT_FALSE(failed.tb_crc_ok);
    ASSERT_NE(link.receiver->harq_pool().find(key), nullptr);
    PuschConfig uci_only = uci_only_pusch(1, McsTable::qam64, 8, {1, 16, 0, 3, 5, 5, 0});
    uci_only.new_data_indicator = true;
    const Payload payload = random_payload(uci_only.uci, rng);
    const PuschPduResult r = link.run(uci_only, payload, {}, 30.0F, rng);
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.uci.csi_part1, payload.csi1);
    EXPECT_NE(link.receiver->harq_pool().find(key), nullptr) << "the UCI-only PDU ended the TB";
    // Nor does one the receiver refuses (an invalid PDU ends its process's TB when it has one).
    PuschConfig invalid = uci_only;
    invalid.uci.csi_part1_bits = 0;
    const PuschPduResult refused = link.run(uci_only, payload, {}, 30.0F, rng, &invalid);
    EXPECT_NE(refused.error, "");
    EXPECT_NE(link.receiver->harq_pool().find(key), nullptr) << "a refused UCI-only PDU ended it";
  }
  // In one slot: UCI only first, then the data PDU of the same RNTI and HARQ id, and the other
  // way round.
  for (const bool uci_first : {true, false}) {
    SCOPED_TRACE(uci_first ? "UCI only first" : "data first");
    Link link(airan::test::make_uci_cell(1));
    PuschConfig data = airan::test::make_uci_pusch(1, McsTable::qam64, 8);
    data.prb_start = 0;
    data.prb_size = 10;
    PuschConfig uci_only = uci_only_pusch(1, McsTable::qam64, 8, {1, 16, 0, 3, 5, 5, 0});
    uci_only.prb_start = 12;
    uci_only.prb_size = 10;
    ASSERT_EQ(data.validate(link.cell), "");
    ASSERT_EQ(uci_only.validate(link.cell), "");
    const BitVector tb = airan::test::random_bits(link.transmitter.transport_block_size(data), rng);
    const Payload payload = random_payload(uci_only.uci, rng);
    link.tx.fill_zero();
    link.transmitter.transmit(tb, data, airan::test::uci_slot_number, link.tx);
    link.transmitter.transmit({}, payload.view(), uci_only, airan::test::uci_slot_number, link.tx);
    FlatMimoChannel::random_unitary(link.rx.num_ports(), 1, rng())
        .apply(link.tx, 1e-3F, rng, link.rx);
    std::vector<PuschPduResult> results;
    const std::vector<PuschConfig> pdus =
        uci_first ? std::vector{uci_only, data} : std::vector{data, uci_only};
    link.receiver->process_slot(link.rx, airan::test::uci_slot_number, pdus, results);
    ASSERT_EQ(results.size(), 2U);
    const PuschPduResult& data_result = results[uci_first ? 1 : 0];
    const PuschPduResult& uci_result = results[uci_first ? 0 : 1];
    EXPECT_EQ(data_result.error, "");
    EXPECT_TRUE(data_result.tb_crc_ok);
    EXPECT_EQ(data_result.tb_bits, tb);
    EXPECT_EQ(uci_result.error, "");
    EXPECT_EQ(uci_result.uci.harq_ack, payload.ack);
    EXPECT_EQ(uci_result.uci.csi_part1, payload.csi1);
  }
}

TEST(PuschUciOnly, WhatCannotBeSentWithoutUlschIsRefusedWithAReason) {
  const CellConfig cell = airan::test::make_uci_cell(1);
  const PuschConfig good = uci_only_pusch(1, McsTable::qam64, 8, {1, 16, 0, 3, 5, 5, 0});
  ASSERT_EQ(good.validate(cell), "");
  const auto refused = [&](auto change, const char* words) {
    PuschConfig pusch = good;
    change(pusch);
    const std::string error = pusch.validate(cell);
    EXPECT_NE(error.find(words), std::string::npos) << words << ": " << error;
  };
  refused([](PuschConfig& p) { p.uci.csi_part1_bits = 0; }, "must carry CSI part 1");
  refused([](PuschConfig& p) { p.tb_size_bits = 1024; }, "has no TB");
  refused(
      [](PuschConfig& p) {
        p.mcs_index = 29; // reserved, no code rate
        p.qam_order = 2;
      },
      "target code rate");
  refused(
      [](PuschConfig& p) {
        p.uci.csi_part1_bits = 1000; // beta 20 over R Q_m: CSI part 1 takes every RE
        p.uci.beta_offset_csi1 = 18;
        p.uci.csi_part2_bits = 10;
        p.uci.harq_ack_bits = 6; // no reservation for CSI part 2 to take
      },
      "no RE is left for CSI part 2");
  refused(
      [](PuschConfig& p) {
        p.uci.csi_part1_bits = 1000; // CSI part 2 gets only the reserved REs, all punctured
        p.uci.beta_offset_csi1 = 18;
        p.uci.csi_part2_bits = 10;
        p.uci.harq_ack_bits = 2;
      },
      "which the HARQ-ACK punctures");
}

} // namespace
