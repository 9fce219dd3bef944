// PUCCH format 2 (TS 38.211 6.3.2.5, 6.4.1.3.2; TS 38.212 6.3.1): E_tot, the DMRS values and
// positions against an independent computation, exact round trips over payload sizes, PRB
// counts, symbols, hopping and antennas, AWGN decoding and the SINR estimate, noise alone
// (DTX), wrong scrambling identities, flat, delayed and two-tap channels, the configurations
// the receiver refuses, and a receive() that does not allocate.
#include "airan/phy/awgn.h"
#include "airan/phy/gold_sequence.h"
#include "airan/phy/pucch_format2.h"
#include "airan/phy/uci_short_block_code.h"

#include "../support/allocation_counter.h"
#include "../support/pucch_format2_link.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <functional>
#include <numbers>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::test;

TEST(PucchFormat2, CodedBitsAreSixteenPerPrbAndSymbolAndFillTheDataRes) {
  const CellConfig cell = test_cell();
  for (unsigned prbs = 1; prbs <= 16; ++prbs) {
    for (unsigned symbols = 1; symbols <= 2; ++symbols) {
      PucchConfig pucch = test_pucch(6, prbs, symbols, false);
      // TS 38.212 Table 6.3.1.4-1: 16 N_symb M_RB (8 data REs of 12, QPSK).
      const unsigned e_tot = 2 * (12 - 4) * symbols * prbs;
      EXPECT_EQ(pucch_format2_coded_bits(pucch), e_tot);
      std::mt19937_64 rng(prbs);
      const BitVector payload = random_bits(6, rng);
      ResourceGrid grid = empty_grid(cell);
      write_pucch_format2(cell, test_slot, pucch, parts_of(pucch, payload), grid);
      unsigned data_res = 0;
      unsigned written = 0;
      for (unsigned l = 0; l < 14; ++l) {
        for (unsigned k = 0; k < grid.num_subcarriers(); ++k) {
          const cf32 v = grid.at(0, l, k);
          if (v != cf32(0.0F, 0.0F)) {
            ++written;
            EXPECT_NEAR(std::norm(v), 1.0F, 1e-5F); // unit power, data and DMRS
            data_res += k % 3 != 1 ? 1U : 0U;       // the PUCCH starts on a multiple of 12
          }
        }
      }
      EXPECT_EQ(2 * data_res, e_tot);
      EXPECT_EQ(written, 12 * prbs * symbols);
    }
  }
}

TEST(PucchFormat2, DmrsSitsOnSubcarriersThreeMPlusOneWithTheGoldSequenceFromCrbZero) {
  const CellConfig cell = test_cell();
  for (const bool hopping : {false, true}) {
    const PucchConfig pucch = test_pucch(11, 5, 2, hopping);
    std::mt19937_64 rng(3);
    const BitVector payload = random_bits(11, rng);
    ResourceGrid grid = empty_grid(cell);
    write_pucch_format2(cell, test_slot, pucch, parts_of(pucch, payload), grid);
    for (unsigned l = 0; l < 2; ++l) {
      const unsigned symbol = pucch.start_symbol + l;
      // Independently: c_init of TS 38.211 6.4.1.3.2.1 and c(n) from n = 0.
      const std::uint64_t n_id = pucch.dmrs_scrambling_id;
      const auto c_init = static_cast<std::uint32_t>(
          ((std::uint64_t{1} << 17) * (14ULL * test_slot + symbol + 1) * (2 * n_id + 1) +
           2 * n_id) %
          (std::uint64_t{1} << 31));
      EXPECT_EQ(c_init, pucch_format2_dmrs_init(14, test_slot, symbol, pucch.dmrs_scrambling_id));
      const unsigned crb =
          pucch.bwp_start + (l == 1 && hopping ? pucch.second_hop_prb : pucch.prb_start);
      BitVector c(std::size_t{8} * (crb + pucch.num_prbs));
      gold_sequence(c_init, c);
      const unsigned first_subcarrier = 12 * (crb - cell.grid_start_crb);
      for (unsigned p = 0; p < pucch.num_prbs; ++p) {
        for (unsigned i = 0; i < 4; ++i) {
          const std::size_t m = 4 * (crb + p) + i; // counted from CRB 0
          const float s = std::numbers::sqrt2_v<float> / 2;
          const cf32 expected(s * (1.0F - 2.0F * c[2 * m]), s * (1.0F - 2.0F * c[2 * m + 1]));
          const cf32 got = grid.at(0, symbol, first_subcarrier + 12 * p + 3 * i + 1);
          EXPECT_NEAR(std::abs(got - expected), 0.0F, 1e-6F) << "l " << l << " m " << m;
        }
      }
    }
    // The first hop's PRBs are empty on the second symbol when the PUCCH hops.
    const unsigned first_hop = 12 * (pucch.bwp_start + pucch.prb_start - cell.grid_start_crb);
    EXPECT_EQ(grid.at(0, pucch.start_symbol + 1, first_hop + 1) == cf32(0.0F, 0.0F), hopping);
  }
}

TEST(PucchFormat2, NoiseFreeRoundTripsGiveTheBitsBack) {
  const CellConfig cell = test_cell();
  std::mt19937_64 rng(11);
  unsigned cases = 0;
  for (const unsigned a : {3U, 4U, 11U, 12U, 19U, 20U, 64U, 200U}) {
    for (unsigned prbs = 1; prbs <= 16; ++prbs) {
      for (const auto& [symbols, hopping] :
           {std::pair{1U, false}, std::pair{2U, false}, std::pair{2U, true}}) {
        const PucchConfig pucch = test_pucch(a, prbs, symbols, hopping);
        if (!codable(pucch)) {
          continue;
        }
        if (a == 11 && pucch_format2_coded_bits(pucch) == 16) {
          EXPECT_NE(pucch.validate(cell).find("rank 10"), std::string::npos);
        } else {
          EXPECT_EQ(pucch.validate(cell), "");
        }
        for (const unsigned rx : {1U, 2U}) {
          const BitVector payload = random_bits(a, rng);
          const PucchResult r = round_trip(cell, pucch, payload, rx, unit_channel, 0.0F, 1);
          ASSERT_TRUE(r.detected) << a << " bits " << prbs << " PRBs " << symbols << " symbols";
          EXPECT_TRUE(r.crc_ok);
          if (a == 11 && pucch_format2_coded_bits(pucch) == 16) {
            // The first 16 rows of TS 38.212 Table 5.3.3.3-1 have rank 10 over 11 bits: pairs
            // of payloads share their 16 coded bits, and either is a right answer.
            std::array<bit_t, 16> sent{};
            std::array<bit_t, 16> decoded{};
            encode_uci_short_block(payload, 2, sent);
            encode_uci_short_block(std::span<const bit_t>(r.bits.data(), a), 2, decoded);
            EXPECT_EQ(sent, decoded);
            continue;
          }
          EXPECT_TRUE(same_bits(r, payload)) << a << " bits " << prbs << " PRBs";
          EXPECT_EQ(r.num_harq_bits, pucch.harq_bits);
          EXPECT_EQ(r.num_sr_bits, pucch.sr_bits);
          EXPECT_EQ(r.num_csi_part1_bits, pucch.csi_part1_bits);
          EXPECT_GE(r.sinr_db, 50.0F);
          EXPECT_EQ(r.detection_metric, 1.0F);
          ++cases;
        }
      }
    }
  }
  EXPECT_GT(cases, 500U); // 200 bits need 14 PRB-symbols: most cases remain
}

TEST(PucchFormat2, AwgnAtZeroDbOnFourPrbsDecodesAndTheSinrIsEstimated) {
  const CellConfig cell = test_cell();
  const PucchConfig pucch = test_pucch(11, 4, 2, false);
  std::mt19937_64 rng(5);
  constexpr unsigned trials = 200;
  unsigned decoded = 0;
  double sinr_sum = 0.0;
  for (unsigned t = 0; t < trials; ++t) {
    const BitVector payload = random_bits(11, rng);
    const PucchResult r = round_trip(cell, pucch, payload, 1, unit_channel, 1.0F, 100 + t);
    decoded += r.detected && same_bits(r, payload) ? 1U : 0U;
    sinr_sum += r.sinr_db;
  }
  EXPECT_GE(decoded, trials * 99 / 100);
  EXPECT_NEAR(sinr_sum / trials, 0.0, 1.0);
}

TEST(PucchFormat2, SinrOfTenDbIsEstimatedOnSixteenPrbs) {
  const CellConfig cell = test_cell();
  const PucchConfig pucch = test_pucch(40, 16, 2, true);
  std::mt19937_64 rng(6);
  const BitVector payload = random_bits(40, rng);
  const PucchResult r = round_trip(cell, pucch, payload, 2, unit_channel, 0.1F, 9);
  EXPECT_TRUE(r.crc_ok);
  EXPECT_NEAR(r.sinr_db, 10.0F, 1.0F);
}

TEST(PucchFormat2, NoiseAloneIsNotDetected) {
  // Short blocks, the 10-bit payload of 1 PRB x 1 symbol that only the DMRS gate tells from
  // noise, CRC6 and CRC11 polar payloads; one and two antennas; at most 1.5% false detections
  // (the target is 1%; 2000 trials, fixed seeds).
  const CellConfig cell = test_cell();
  constexpr unsigned trials = 2000;
  struct Shape {
    unsigned bits;
    unsigned prbs;
    unsigned symbols;
  };
  for (const Shape shape :
       {Shape{3, 1, 2}, Shape{6, 1, 2}, Shape{11, 1, 2}, Shape{10, 1, 1}, Shape{4, 4, 2},
        Shape{11, 4, 2}, Shape{12, 1, 2}, Shape{19, 4, 2}, Shape{30, 4, 2}}) {
    const PucchConfig pucch = test_pucch(shape.bits, shape.prbs, shape.symbols, false);
    ASSERT_TRUE(codable(pucch)) << shape.bits;
    for (const unsigned rx : {1U, 2U}) {
      PucchFormat2Receiver receiver(rx);
      const NoiseTrials noise = noise_trials(receiver, cell, pucch, rx, trials,
                                             100000 * shape.bits + 1000 * shape.prbs + 10 * rx);
      EXPECT_EQ(noise.inconsistent, 0U);
      EXPECT_LE(noise.detected, trials * 15 / 1000)
          << shape.bits << " bits on " << shape.prbs << " PRBs x " << shape.symbols << " symbols, "
          << rx << " rx";
    }
  }
  // An empty grid (no energy at all) is not detected either, polar coded or not.
  for (const unsigned a : {5U, 30U}) {
    PucchFormat2Receiver receiver(1);
    PucchResult r;
    receiver.receive(empty_grid(cell), cell, test_slot, test_pucch(a, 4, 2, false), r);
    EXPECT_FALSE(r.detected);
    EXPECT_FALSE(r.crc_ok);
  }
}

TEST(PucchFormat2, WrongRntiScramblingIdOrDmrsIdentityFails) {
  const CellConfig cell = test_cell();
  std::mt19937_64 rng(8);
  for (const unsigned a : {11U, 40U}) {
    const PucchConfig pucch = test_pucch(a, 4, 2, false);
    for (unsigned variant = 0; variant < 3; ++variant) {
      for (unsigned t = 0; t < 10; ++t) {
        PucchConfig wrong = pucch;
        if (variant == 0) {
          wrong.rnti = static_cast<std::uint16_t>(pucch.rnti + 1 + t);
        } else if (variant == 1) {
          wrong.scrambling_id = static_cast<std::uint16_t>(pucch.scrambling_id + 1 + t);
        } else {
          wrong.dmrs_scrambling_id = static_cast<std::uint16_t>(pucch.dmrs_scrambling_id + 1 + t);
        }
        const BitVector payload = random_bits(a, rng);
        const PucchResult right = round_trip(cell, pucch, payload, 1, unit_channel, 0.01F, t);
        EXPECT_TRUE(right.detected && same_bits(right, payload));
        const PucchResult r = round_trip(cell, pucch, payload, 1, unit_channel, 0.01F, t, &wrong);
        EXPECT_FALSE(r.detected && same_bits(r, payload)) << a << " bits, variant " << variant;
        if (a >= uci_polar_min_payload_bits) {
          EXPECT_FALSE(r.crc_ok);
        }
      }
    }
  }
}

TEST(PucchFormat2, FlatRandomChannelPerAntennaIsEstimated) {
  const CellConfig cell = test_cell();
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<float> amplitude(0.3F, 1.5F);
  std::uniform_real_distribution<float> phase(-std::numbers::pi_v<float>,
                                              std::numbers::pi_v<float>);
  for (const unsigned a : {7U, 11U, 24U}) {
    for (unsigned t = 0; t < 20; ++t) {
      const std::array<cf32, 4> gains = {
          std::polar(amplitude(rng), phase(rng)), std::polar(amplitude(rng), phase(rng)),
          std::polar(amplitude(rng), phase(rng)), std::polar(amplitude(rng), phase(rng))};
      const Channel flat = [&](unsigned antenna, unsigned) { return gains[antenna]; };
      const PucchConfig pucch = test_pucch(a, 3, 2, t % 2 == 1);
      const BitVector payload = random_bits(a, rng);
      const PucchResult r = round_trip(cell, pucch, payload, 4, flat, 0.01F, t);
      EXPECT_TRUE(r.detected && r.crc_ok && same_bits(r, payload)) << a << " bits, trial " << t;
    }
  }
}

TEST(PucchFormat2, DelayedAndTwoTapChannelsAtHighSnrDecode) {
  const CellConfig cell = test_cell();
  const double subcarrier_spacing = 30e3;
  std::mt19937_64 rng(31);
  // A timing offset of 1.5 us (a phase slope of 0.28 rad per subcarrier), then two taps of
  // equal power 0.8 us apart with a 0.3 us offset, each antenna its own tap phases.
  const Channel delayed = [&](unsigned, unsigned k) {
    return std::polar(1.0F,
                      static_cast<float>(-2 * std::numbers::pi * 1.5e-6 * subcarrier_spacing * k));
  };
  const std::array<float, 2> tap_phase = {0.7F, -2.1F};
  const Channel two_taps = [&](unsigned antenna, unsigned k) {
    const double w = 2 * std::numbers::pi * subcarrier_spacing * k;
    return std::polar(std::sqrt(0.5F), static_cast<float>(-w * 0.3e-6)) +
           std::polar(std::sqrt(0.5F), static_cast<float>(tap_phase[antenna] - w * 1.1e-6));
  };
  for (const Channel* channel : {&delayed, &two_taps}) {
    for (const unsigned a : {11U, 64U}) {
      for (unsigned t = 0; t < 10; ++t) {
        const PucchConfig pucch = test_pucch(a, 8, 2, t % 2 == 1);
        const BitVector payload = random_bits(a, rng);
        const PucchResult r = round_trip(cell, pucch, payload, 2, *channel, 0.003F, 50 + t);
        EXPECT_TRUE(r.detected && r.crc_ok && same_bits(r, payload))
            << a << " bits, trial " << t << (channel == &delayed ? " delayed" : " two taps");
      }
    }
  }
}

TEST(PucchFormat2, ConfigurationsTheReceiverCannotTakeAreRefused) {
  const CellConfig cell = test_cell();
  PucchFormat2Receiver receiver(2);
  PucchResult r;
  const ResourceGrid grid = empty_grid(cell, 2);
  PucchConfig pucch = test_pucch(8, 2, 2, false);
  receiver.receive(grid, cell, test_slot, pucch, r); // valid
  auto refused = [&](const PucchConfig& p, const ResourceGrid& g) {
    PucchResult out;
    EXPECT_THROW(receiver.receive(g, cell, test_slot, p, out), std::invalid_argument);
  };
  PucchConfig p = pucch;
  p.format = PucchFormat::format1;
  refused(p, grid);
  p = pucch;
  p.num_prbs = 17;
  refused(p, grid);
  p = pucch;
  p.num_symbols = 3;
  refused(p, grid);
  p = test_pucch(2, 2, 2, false);
  refused(p, grid); // 2 bits
  p = test_pucch(200, 2, 2, false);
  refused(p, grid); // 64 coded bits for 200
  p = pucch;
  p.prb_start = 47; // past the carrier
  refused(p, grid);
  p = pucch;
  p.intra_slot_hopping = true;
  p.num_symbols = 1;
  refused(p, grid);
  // Parts whose 32-bit sum wrapped to 3 bits (A = 2^32 - 1 + 4): the decoder's results then
  // pointed 4 billion bits past their 1706.
  p = test_pucch(8, 2, 2, false);
  p.harq_bits = 0xFFFFFFFFU;
  p.sr_bits = 0;
  p.csi_part1_bits = 4;
  EXPECT_EQ(p.payload_bits(), 0xFFFFFFFFU);
  EXPECT_NE(p.validate(cell).find("carries 3..1706 UCI bits"), std::string::npos)
      << p.validate(cell);
  refused(p, grid);
  refused(pucch, empty_grid(cell, 3)); // more antennas than the constructor's 2
  refused(pucch, ResourceGrid(1, 14, 12 * 50));
  EXPECT_THROW(PucchFormat2Receiver(0), std::invalid_argument);
  // The transmitter checks the sizes of the parts.
  ResourceGrid tx = empty_grid(cell);
  const BitVector seven(7, 1);
  EXPECT_THROW(
      write_pucch_format2(cell, test_slot, pucch, parts_of(test_pucch(7, 2, 2, false), seven), tx),
      std::invalid_argument);
}

TEST(PucchFormat2, ReceiveDoesNotAllocate) {
  const CellConfig cell = test_cell();
  PucchFormat2Receiver receiver(2);
  std::mt19937_64 rng(41);
  for (const unsigned a : {9U, 100U}) {
    const PucchConfig pucch = test_pucch(a, 16, 2, true);
    const BitVector payload = random_bits(a, rng);
    ResourceGrid tx = empty_grid(cell);
    write_pucch_format2(cell, test_slot, pucch, parts_of(pucch, payload), tx);
    const ResourceGrid rx = through_channel(tx, 2, unit_channel, 0.01F, 3);
    PucchResult r;
    receiver.receive(rx, cell, test_slot, pucch, r); // the polar decoder meets the size
    const long before = airan::test::allocation_count();
    receiver.receive(rx, cell, test_slot, pucch, r);
    EXPECT_EQ(airan::test::allocation_count(), before) << a << " bits";
    EXPECT_TRUE(r.crc_ok && same_bits(r, payload));
  }
}

} // namespace
