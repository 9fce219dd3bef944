// Data and control multiplexing (TS 38.212 6.2.7): RE plans worked out by hand from the
// procedure's steps for a 1-PRB PUSCH, and multiplexing followed by demultiplexing on a real
// mapping.
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/uci_short_block_code.h"
#include "airan/phy/ulsch_uci_multiplexer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;

/// One PRB, 14 symbols, DMRS on symbol 2 only and no data beside it: symbols 0, 1, 3 .. 13 have
/// 12 data REs each; l_CSI = 0 and l(1) = 3.
PuschReMapping one_prb_mapping() {
  CellConfig cell;
  cell.num_prbs = 1;
  PuschConfig pusch;
  pusch.bwp_size = 1;
  pusch.prb_size = 1;
  pusch.dmrs_additional_position = 0;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  return make_pusch_re_mapping(cell, pusch);
}

/// The owners of the 12 REs of PUSCH data symbol \p n (0 = slot symbol 0, 2 = slot symbol 3).
std::string row(const UlschUciMultiplexer& mux, unsigned n) {
  std::string s;
  for (unsigned k = 0; k < 12; ++k) {
    const std::size_t re = 12 * n + k;
    const char owner = "DACc-"[static_cast<int>(mux.owners()[re])];
    s += mux.punctured_by_harq_ack(re) ? 'h' : owner;
  }
  return s;
}

TEST(UlschUciMultiplexer, LongHarqAckAndCsiSpreadAsStepsTwoAndThreeSay) {
  UlschUciMultiplexer mux(std::size_t{12} * 14);
  UciCodedSizes sizes;
  sizes.harq_ack = 2 * 17;
  sizes.csi_part1 = 2 * 15;
  sizes.csi_part2 = 2 * 10;
  sizes.total = 2 * 12 * 13;
  sizes.ulsch = sizes.total - sizes.harq_ack - sizes.csi_part1 - sizes.csi_part2;
  mux.plan(one_prb_mapping(), sizes, 5, 1, 2);
  EXPECT_EQ(mux.bits_per_re(), 2U);
  // A = HARQ-ACK, C = CSI part 1, c = CSI part 2, D = UL-SCH.
  EXPECT_EQ(row(mux, 0), "CCCCCCCCCCCC"); // CSI part 1 from the first symbol without DMRS
  EXPECT_EQ(row(mux, 1), "CcccCcccCccc"); // 3 left: every 4th; CSI part 2 takes the rest
  EXPECT_EQ(row(mux, 2), "AAAAAAAAAAAA"); // HARQ-ACK from l(1) = symbol 3
  EXPECT_EQ(row(mux, 3), "AcADADADADDD"); // 5 left: every 2nd; CSI part 2's last RE first free
  EXPECT_EQ(row(mux, 4), "DDDDDDDDDDDD");
}

TEST(UlschUciMultiplexer, ShortHarqAckPuncturesReservedResThatCsiPart1Avoids) {
  UlschUciMultiplexer mux(std::size_t{12} * 14);
  UciCodedSizes sizes;
  sizes.harq_ack = 2 * 3;
  sizes.harq_ack_reserved = 2 * 14;
  sizes.csi_part1 = 2 * 30;
  sizes.csi_part2 = 2 * 13;
  sizes.total = 2 * 12 * 13;
  sizes.ulsch = sizes.total - sizes.csi_part1 - sizes.csi_part2;
  mux.plan(one_prb_mapping(), sizes, 1, 1, 2);
  EXPECT_EQ(row(mux, 0), "CCCCCCCCCCCC");
  EXPECT_EQ(row(mux, 1), "CCCCCCCCCCCC");
  // Symbol 3 = l(1): all 12 REs reserved, so CSI part 1 takes none of them; CSI part 2 takes
  // them all, and the HARQ-ACK punctures 3 of the 12 reserved (every 4th), here over CSI part 2.
  EXPECT_EQ(row(mux, 2), "hccchccchccc");
  // Symbol 4: the last 2 reserved REs (every 6th: 0 and 6); CSI part 1's last 6 REs go to the
  // first 6 of the 10 others (k = 1..5, 7), CSI part 2's last one to the first free RE, reserved
  // k = 0; reserved k = 6 stays UL-SCH (the HARQ-ACK needed only 3).
  EXPECT_EQ(row(mux, 3), "cCCCCCDCDDDD");
  EXPECT_EQ(row(mux, 4), "DDDDDDDDDDDD");
}

TEST(UlschUciMultiplexer, WithoutUlschTheReservedResAreTheHarqAcksAndNothingIsLeft) {
  // UCI only, CSI part 1 alone, the HARQ-ACK padded to 2 bits: it needs exactly the 14 reserved
  // REs, CSI part 1 every other one (12 x 13 - 14 = 142).
  UlschUciMultiplexer mux(std::size_t{12} * 14);
  UciCodedSizes sizes;
  sizes.harq_ack = 2 * 14;
  sizes.harq_ack_reserved = 2 * 14;
  sizes.csi_part1 = 2 * 142;
  sizes.total = 2 * 12 * 13;
  mux.plan(one_prb_mapping(), sizes, 2, 1, 2);
  EXPECT_EQ(row(mux, 0), "CCCCCCCCCCCC");
  EXPECT_EQ(row(mux, 2), "AAAAAAAAAAAA"); // the 12 reserved REs of l(1), the HARQ-ACK's own
  EXPECT_EQ(row(mux, 3), "ACCCCCACCCCC"); // the last 2 (every 6th)
  for (std::size_t re = 0; re < 12 * 13; ++re) {
    EXPECT_NE(mux.owners()[re], CodedReOwner::ulsch) << re;
    EXPECT_FALSE(mux.punctured_by_harq_ack(re)) << re;
  }
  // With CSI part 2 the short HARQ-ACK still punctures it.
  sizes.harq_ack = 2 * 3;
  sizes.csi_part1 = 2 * 100;
  sizes.csi_part2 = 2 * 56;
  mux.plan(one_prb_mapping(), sizes, 1, 1, 2);
  EXPECT_EQ(row(mux, 2), "hccchccchccc");
  // A reservation the HARQ-ACK does not fill would leave REs to no one: refused.
  sizes.harq_ack = 2 * 3;
  sizes.csi_part1 = 2 * 142;
  sizes.csi_part2 = 0;
  EXPECT_THROW(mux.plan(one_prb_mapping(), sizes, 2, 1, 2), std::invalid_argument);
}

TEST(UlschUciMultiplexer, TwoLayersTakeTheSamePlanWithTwiceTheBitsPerRe) {
  UlschUciMultiplexer mux(std::size_t{12} * 14);
  UciCodedSizes sizes;
  sizes.harq_ack = 4 * 17;
  sizes.csi_part1 = 4 * 15;
  sizes.csi_part2 = 4 * 10;
  sizes.total = 4 * 12 * 13;
  sizes.ulsch = sizes.total - sizes.harq_ack - sizes.csi_part1 - sizes.csi_part2;
  mux.plan(one_prb_mapping(), sizes, 5, 2, 2);
  EXPECT_EQ(mux.bits_per_re(), 4U);
  EXPECT_EQ(row(mux, 1), "CcccCcccCccc");
  EXPECT_EQ(row(mux, 3), "AcADADADADDD");
  // Sizes that are not whole REs, or leave the UL-SCH another count, are refused.
  sizes.ulsch -= 4;
  EXPECT_THROW(mux.plan(one_prb_mapping(), sizes, 5, 2, 2), std::invalid_argument);
  EXPECT_TRUE(mux.owners().empty());
  sizes.ulsch += 2;
  EXPECT_THROW(mux.plan(one_prb_mapping(), sizes, 5, 2, 2), std::invalid_argument);
  EXPECT_THROW(mux.plan(one_prb_mapping(), sizes, 5, 0, 2), std::invalid_argument);
}

TEST(UlschUciMultiplexer, RefusesSizesThatDoNotFit) {
  UlschUciMultiplexer mux(std::size_t{12} * 14);
  UciCodedSizes sizes;
  sizes.harq_ack = 2 * 12 * 12; // more than the 11 symbols from l(1) hold
  sizes.total = 2 * 12 * 13;
  EXPECT_THROW(mux.plan(one_prb_mapping(), sizes, 5, 1, 2), std::invalid_argument);
  UlschUciMultiplexer small(100);
  EXPECT_THROW(small.plan(one_prb_mapping(), {}, 0, 1, 2), std::invalid_argument);
}

TEST(UlschUciMultiplexer, DemultiplexingUndoesMultiplexing) {
  CellConfig cell;
  cell.num_prbs = 24;
  PuschConfig pusch;
  pusch.bwp_size = 24;
  pusch.prb_size = 24;
  pusch.num_layers = 2;
  pusch.dmrs_ports = 0x3;
  pusch.dmrs_additional_position = 2;
  pusch.mcs_index = 12; // 16-QAM
  pusch.uci = {2, 9, 4, 2, 10, 9, 6};
  const unsigned qm = pusch.modulation_order();
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  const UciCodedSizes sizes = pusch_coded_sizes(cell, pusch, 4000);
  ASSERT_GT(sizes.harq_ack, 0U);
  ASSERT_GT(sizes.csi_part2, 0U);
  UlschUciMultiplexer mux(mapping.num_data_res());
  mux.plan(mapping, sizes, pusch.uci.harq_ack_bits, pusch.num_layers, qm);

  std::mt19937 rng(5);
  const auto random_bits = [&](std::size_t n) {
    BitVector b(n);
    for (auto& v : b) {
      v = static_cast<bit_t>(rng() & 1U);
    }
    return b;
  };
  const BitVector ulsch = random_bits(sizes.ulsch);
  const BitVector ack = random_bits(sizes.harq_ack);
  const BitVector csi1 = random_bits(sizes.csi_part1);
  const BitVector csi2 = random_bits(sizes.csi_part2);
  BitVector codeword(sizes.total);
  mux.multiplex({ulsch, ack, csi1, csi2}, codeword);

  std::vector<float> llrs(codeword.size());
  for (std::size_t i = 0; i < llrs.size(); ++i) {
    llrs[i] = codeword[i] == 0 ? 1.0F : -1.0F;
  }
  std::array<UciFoldedLlrs, 3> folded;
  for (auto& f : folded) {
    f.length = 32;
  }
  mux.demultiplex(llrs, folded);

  // UL-SCH in order, with erasures where the 2-bit HARQ-ACK punctured it.
  std::size_t erased = 0;
  for (std::size_t i = 0; i < sizes.ulsch; ++i) {
    if (llrs[i] == 0.0F) {
      ++erased;
    } else {
      ASSERT_EQ(llrs[i], ulsch[i] == 0 ? 1.0F : -1.0F) << i;
    }
  }
  // Every HARQ-ACK bit punctured either the UL-SCH or CSI part 2.
  EXPECT_LE(erased, sizes.harq_ack);
  EXPECT_GT(erased, 0U);
  const auto fold = [](const BitVector& bits, const std::vector<bool>* skip) {
    std::array<double, 32> sum{};
    for (std::size_t k = 0; k < bits.size(); ++k) {
      if (skip == nullptr || !(*skip)[k]) {
        sum[k % 32] += bits[k] == 0 ? 1.0 : -1.0;
      }
    }
    return sum;
  };
  EXPECT_EQ(folded[0].sum, fold(ack, nullptr));
  EXPECT_EQ(folded[1].sum, fold(csi1, nullptr));
  // CSI part 2 lost the bits of the REs the HARQ-ACK punctured.
  std::vector<bool> skipped(csi2.size(), false);
  std::size_t csi2_index = 0;
  std::size_t punctured_res = 0;
  for (std::size_t re = 0; re < mapping.num_data_res(); ++re) {
    const bool punctured = mux.punctured_by_harq_ack(re);
    punctured_res += punctured ? 1 : 0;
    if (mux.owners()[re] == CodedReOwner::csi_part2) {
      for (unsigned b = 0; b < mux.bits_per_re(); ++b) {
        skipped[csi2_index++] = punctured;
      }
    }
  }
  EXPECT_EQ(csi2_index, csi2.size());
  EXPECT_EQ(punctured_res * mux.bits_per_re(), sizes.harq_ack);
  EXPECT_EQ(erased + static_cast<std::size_t>(std::count(skipped.begin(), skipped.end(), true)),
            sizes.harq_ack);
  EXPECT_EQ(folded[2].sum, fold(csi2, &skipped));
}

TEST(UlschUciMultiplexer, OneBitHarqAckRepeatsTheScrambledBitInItsYPlaceholders) {
  // 16-QAM: [c0, y, x, x] per symbol. After scrambling, "y" sends the scrambled c0 again; on the
  // descrambled LLRs demultiplexing turns it back into an observation of c0 (sign from
  // c(i-1) xor c(i)), so both folded values of c0 add up, and the "x" ones say nothing of it.
  CellConfig cell;
  cell.num_prbs = 8;
  PuschConfig pusch;
  pusch.bwp_size = 8;
  pusch.prb_size = 8;
  pusch.mcs_index = 12; // 16-QAM
  pusch.rnti = 0x1234;
  pusch.data_scrambling_id = 77;
  pusch.uci = {1, 0, 0, 3, 9, 0, 0};
  const unsigned qm = pusch.modulation_order();
  ASSERT_EQ(qm, 4U);
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  const UciCodedSizes sizes = pusch_coded_sizes(cell, pusch, 1000);
  UlschUciMultiplexer mux(mapping.num_data_res());
  mux.plan(mapping, sizes, 1, 1, qm);
  for (const bit_t c0 : {bit_t{0}, bit_t{1}}) {
    BitVector ack(sizes.harq_ack);
    encode_uci_short_block(BitVector{c0}, qm, ack);
    BitVector ulsch(sizes.ulsch, 0);
    BitVector codeword(sizes.total);
    mux.multiplex({ulsch, ack, {}, {}}, codeword);
    const std::uint32_t c_init = (std::uint32_t{0x1234} << 15) + 77;
    scramble_bits_with_placeholders(codeword, c_init);
    std::vector<float> llrs(codeword.size());
    for (std::size_t i = 0; i < llrs.size(); ++i) {
      llrs[i] = codeword[i] == 0 ? 1.0F : -1.0F;
    }
    descramble_llrs(llrs, c_init);
    std::array<UciFoldedLlrs, 3> folded;
    folded[0].length = uci_short_block_length(1, qm);
    mux.demultiplex(llrs, folded, 0x2U, c_init);
    const double per_position = static_cast<double>(sizes.harq_ack) / qm;
    const double sign = c0 == 0 ? 1.0 : -1.0;
    EXPECT_EQ(folded[0].sum[0], sign * per_position);
    EXPECT_EQ(folded[0].sum[1], sign * per_position) << "y";
    BitVector decoded(1);
    EXPECT_EQ(decode_uci_short_block(folded[0], qm, decoded), 1.0);
    EXPECT_EQ(decoded[0], c0);
    // Without the correction the "y" observations are the scrambling sequence's noise.
    std::vector<float> again(llrs.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
      again[i] = codeword[i] == 0 ? 1.0F : -1.0F;
    }
    descramble_llrs(again, c_init);
    mux.demultiplex(again, folded, 0, 0);
    EXPECT_LT(std::abs(folded[0].sum[1]), per_position);
  }
}

} // namespace
