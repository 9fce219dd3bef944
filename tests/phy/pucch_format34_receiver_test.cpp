// PucchFormat34Receiver (TS 38.211 6.3.2.6): decoding in AWGN and the SINR estimate, noise alone
// (DTX) for short blocks, the DMRS-gated 3 bits in 6 coded bits and polar payloads, wrong
// identities, format 4 UEs multiplexed by their covers on one PRB, flat, delayed and two-tap
// channels, refused configurations, and a receive() that does not allocate.
#include "airan/phy/awgn.h"
#include "airan/phy/pucch_format34.h"

#include "../support/allocation_counter.h"
#include "../support/pucch_format34_link.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <numbers>
#include <random>

namespace {

using namespace airan::phy;
using namespace airan::test;

TEST(PucchFormat34Receiver, AwgnAtMinusThreeDbDecodesAndTheSinrIsEstimated) {
  const CellConfig cell = test_cell();
  std::mt19937_64 rng(5);
  constexpr unsigned trials = 100;
  for (const PucchFormat format : {PucchFormat::format3, PucchFormat::format4}) {
    const PucchConfig pucch = test_pucch34(format, 16, 1, 14, false, 2, 1);
    unsigned decoded = 0;
    double sinr_sum = 0.0;
    for (unsigned t = 0; t < trials; ++t) {
      const BitVector payload = random_bits(16, rng);
      const PucchResult r = round_trip(cell, pucch, payload, 1, unit_channel, 2.0F, 100 + t);
      decoded += r.crc_ok && same_bits(r, payload) ? 1U : 0U;
      sinr_sum += r.sinr_db;
    }
    // 16 bits in 288 (format 3) or 144 (format 4) coded bits at -3 dB.
    EXPECT_GE(decoded, trials * 98 / 100) << static_cast<int>(format);
    EXPECT_NEAR(sinr_sum / trials, -3.0, 1.0) << static_cast<int>(format);
  }
}

TEST(PucchFormat34Receiver, SinrOfTenDbIsEstimatedOnSixteenPrbs) {
  const CellConfig cell = test_cell();
  PucchConfig pucch = test_pucch34(PucchFormat::format3, 400, 16, 14, true);
  pucch.additional_dmrs = true;
  std::mt19937_64 rng(6);
  const BitVector payload = random_bits(400, rng);
  const PucchResult r = round_trip(cell, pucch, payload, 2, unit_channel, 0.1F, 9);
  EXPECT_TRUE(r.crc_ok && same_bits(r, payload));
  EXPECT_NEAR(r.sinr_db, 10.0F, 1.0F);
}

TEST(PucchFormat34Receiver, NoiseAloneIsNotDetected) {
  // Short blocks, 3 bits in the 6 coded bits of a 4-symbol format 4 with N_SF = 4 and
  // pi/2-BPSK (the DMRS gate alone decides), CRC6 and CRC11 polar payloads; one and two
  // antennas; at most 1.5% false detections (the target is 1%; 1500 trials, fixed seeds).
  const CellConfig cell = test_cell();
  constexpr unsigned trials = 1500;
  struct Shape {
    PucchFormat format;
    unsigned bits, prbs, symbols, occ_length;
    bool bpsk;
  };
  using enum PucchFormat;
  for (const Shape shape : {Shape{format3, 3, 1, 4, 2, false}, Shape{format3, 11, 2, 14, 2, false},
                            Shape{format4, 3, 1, 4, 4, true}, Shape{format4, 12, 1, 14, 2, false},
                            Shape{format3, 40, 4, 10, 2, true}}) {
    PucchConfig pucch = test_pucch34(shape.format, shape.bits, shape.prbs, shape.symbols,
                                     shape.symbols == 4, shape.occ_length, 0);
    pucch.pi2_bpsk = shape.bpsk;
    ASSERT_EQ(pucch.validate(cell), "") << shape.bits;
    for (const unsigned rx : {1U, 2U}) {
      PucchFormat34Receiver receiver(rx);
      const NoiseTrials noise = noise_trials(receiver, cell, pucch, rx, trials,
                                             100000 * shape.bits + 1000 * shape.prbs + 10 * rx);
      EXPECT_EQ(noise.inconsistent, 0U);
      EXPECT_LE(noise.detected, trials * 15 / 1000)
          << "format " << static_cast<int>(shape.format) << ", " << shape.bits << " bits, " << rx
          << " rx";
    }
  }
  PucchFormat34Receiver receiver(1);
  PucchResult r;
  receiver.receive(empty_grid(cell), cell, test_slot,
                   test_pucch34(PucchFormat::format3, 5, 2, 14, false), r);
  EXPECT_FALSE(r.detected);
}

TEST(PucchFormat34Receiver, WrongRntiOrScramblingFailsAndAWrongHoppingIdentitySpoilsTheDmrs) {
  const CellConfig cell = test_cell();
  std::mt19937_64 rng(8);
  for (const unsigned a : {11U, 40U}) {
    const PucchConfig pucch = test_pucch34(PucchFormat::format3, a, 2, 14, false);
    for (unsigned variant = 0; variant < 3; ++variant) {
      for (unsigned t = 0; t < 8; ++t) {
        PucchConfig wrong = pucch;
        if (variant == 0) {
          wrong.rnti = static_cast<std::uint16_t>(pucch.rnti + 1 + t);
        } else if (variant == 1) {
          wrong.scrambling_id = static_cast<std::uint16_t>(pucch.scrambling_id + 1 + t);
        } else {
          wrong.hopping_id = static_cast<std::uint16_t>(pucch.hopping_id + 1 + t);
        }
        const BitVector payload = random_bits(a, rng);
        const PucchResult right = round_trip(cell, pucch, payload, 1, unit_channel, 0.01F, t);
        EXPECT_TRUE(right.detected && same_bits(right, payload));
        const PucchResult r = round_trip(cell, pucch, payload, 1, unit_channel, 0.01F, t, &wrong);
        if (variant < 2) {
          EXPECT_FALSE(r.detected && same_bits(r, payload)) << a << " bits, variant " << variant;
        } else {
          // The data does not depend on the hopping identity, only the DMRS: the channel
          // estimate from the wrong sequences is poor, whether or not the bits come through.
          EXPECT_LT(r.sinr_db, right.sinr_db - 10.0F) << a << " bits, trial " << t;
        }
      }
    }
  }
}

TEST(PucchFormat34Receiver, Format4CoversSeparateUesOnOnePrb) {
  // N_SF UEs on the same PRB and symbols, one per cover, each through its own flat channel per
  // antenna (the first 10 dB stronger than the others), all decoded.
  const CellConfig cell = test_cell();
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<float> phase(-std::numbers::pi_v<float>,
                                              std::numbers::pi_v<float>);
  for (const unsigned n_sf : {2U, 4U}) {
    for (unsigned t = 0; t < 10; ++t) {
      constexpr unsigned rx = 2;
      ResourceGrid received(rx, 14, 12 * cell.num_prbs);
      std::array<PucchConfig, 4> pdus{};
      std::array<BitVector, 4> payloads{};
      for (unsigned n = 0; n < n_sf; ++n) {
        pdus[n] = test_pucch34(PucchFormat::format4, n == 0 ? 20 : 9, 1, 14, t % 2 == 1, n_sf, n);
        pdus[n].rnti = static_cast<std::uint16_t>(0x100 + n);
        payloads[n] = random_bits(pdus[n].payload_bits(), rng);
        ResourceGrid tx = empty_grid(cell);
        write_pucch_format34(cell, test_slot, pdus[n], parts_of(pdus[n], payloads[n]), tx);
        const float amplitude = n == 0 ? 3.16F : 1.0F;
        for (unsigned a = 0; a < rx; ++a) {
          const cf32 gain = std::polar(amplitude, phase(rng));
          for (unsigned l = 0; l < 14; ++l) {
            for (unsigned k = 0; k < received.num_subcarriers(); ++k) {
              received.at(a, l, k) += gain * tx.at(0, l, k);
            }
          }
        }
      }
      AwgnGenerator(300 + t).add(received, 0.03F);
      PucchFormat34Receiver receiver(rx);
      for (unsigned n = 0; n < n_sf; ++n) {
        PucchResult r;
        receiver.receive(received, cell, test_slot, pdus[n], r);
        EXPECT_TRUE(r.detected && same_bits(r, payloads[n]))
            << "N_SF " << n_sf << " cover " << n << " trial " << t;
      }
    }
  }
}

TEST(PucchFormat34Receiver, FlatDelayedAndTwoTapChannelsDecode) {
  const CellConfig cell = test_cell();
  const double subcarrier_spacing = 30e3;
  std::mt19937_64 rng(31);
  std::uniform_real_distribution<float> amplitude(0.3F, 1.5F);
  std::uniform_real_distribution<float> phase(-std::numbers::pi_v<float>,
                                              std::numbers::pi_v<float>);
  const std::array<cf32, 2> gains = {std::polar(amplitude(rng), phase(rng)),
                                     std::polar(amplitude(rng), phase(rng))};
  const Channel flat = [&](unsigned antenna, unsigned) { return gains[antenna]; };
  // A timing offset of 1.5 us (0.28 rad per subcarrier), and two taps of equal power 0.8 us
  // apart after 0.3 us, each antenna its own tap phases.
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
  for (const Channel* channel : {&flat, &delayed, &two_taps}) {
    for (const PucchFormat format : {PucchFormat::format3, PucchFormat::format4}) {
      for (const unsigned a : {11U, 60U}) {
        for (unsigned t = 0; t < 6; ++t) {
          const PucchConfig pucch = test_pucch34(format, a, 8, 14, t % 2 == 1, 2, t % 2);
          const BitVector payload = random_bits(a, rng);
          const PucchResult r = round_trip(cell, pucch, payload, 2, *channel, 0.01F, 50 + t);
          EXPECT_TRUE(r.detected && r.crc_ok && same_bits(r, payload))
              << "format " << static_cast<int>(format) << ", " << a << " bits, trial " << t;
        }
      }
    }
  }
}

TEST(PucchFormat34Receiver, TimingOffsetsInsideTheCyclicPrefixKeepTheDmrsGate) {
  // A phase slope of 0.3 rad per subcarrier (a delay of 5% of the symbol) on flat Rayleigh
  // fading at 17 dB, one antenna: where the DMRS gate decides alone (3 bits in 6 coded bits) the
  // plain PRB averages would keep only (sin(1.8) / (12 sin(0.15)))^2 = 30% of the signal and
  // miss most PUCCHs; the gate takes the sloped averages.
  const CellConfig cell = test_cell();
  std::mt19937_64 rng(23);
  std::normal_distribution<float> gauss(0.0F, std::sqrt(0.5F));
  PucchConfig gate_only = test_pucch34(PucchFormat::format4, 3, 1, 4, true, 4, 2);
  gate_only.pi2_bpsk = true;
  ASSERT_EQ(pucch_format34_coded_bits(gate_only), 6U);
  PucchConfig polar = test_pucch34(PucchFormat::format3, 16, 1, 14, false);
  for (const PucchConfig* pucch : {&gate_only, &polar}) {
    constexpr unsigned trials = 100;
    unsigned decoded = 0;
    for (unsigned t = 0; t < trials; ++t) {
      const cf32 gain(gauss(rng), gauss(rng));
      const Channel delayed = [&](unsigned, unsigned k) {
        return gain * std::polar(1.0F, -0.3F * static_cast<float>(k));
      };
      const BitVector payload = random_bits(pucch->payload_bits(), rng);
      const PucchResult r = round_trip(cell, *pucch, payload, 1, delayed, 0.02F, 700 + t);
      decoded += r.detected && same_bits(r, payload) ? 1U : 0U;
    }
    EXPECT_GE(decoded, trials * 95 / 100) << pucch->payload_bits() << " bits";
  }
}

TEST(PucchFormat34Receiver, ConfigurationsItCannotTakeAreRefused) {
  const CellConfig cell = test_cell();
  PucchFormat34Receiver receiver(2);
  const ResourceGrid grid = empty_grid(cell, 2);
  const PucchConfig pucch = test_pucch34(PucchFormat::format3, 8, 2, 14, false);
  PucchResult r;
  receiver.receive(grid, cell, test_slot, pucch, r); // valid
  auto refused = [&](const PucchConfig& p, const ResourceGrid& g) {
    PucchResult out;
    EXPECT_THROW(receiver.receive(g, cell, test_slot, p, out), std::invalid_argument);
  };
  PucchConfig p = pucch;
  p.format = PucchFormat::format2;
  refused(p, grid);
  p = pucch;
  p.num_prbs = 7; // not 2^a 3^b 5^c
  EXPECT_NE(p.validate(cell).find("2^a 3^b 5^c"), std::string::npos);
  refused(p, grid);
  p = test_pucch34(PucchFormat::format4, 8, 1, 14, false, 3, 0);
  EXPECT_NE(p.validate(cell).find("PreDftOccLen 3"), std::string::npos);
  refused(p, grid);
  p = test_pucch34(PucchFormat::format4, 8, 1, 14, false, 2, 2);
  refused(p, grid);
  p = test_pucch34(PucchFormat::format4, 30, 1, 4, true, 4, 0); // 12 coded bits for 30
  refused(p, grid);
  p = pucch;
  p.num_symbols = 3;
  refused(p, grid);
  refused(pucch, empty_grid(cell, 3)); // more antennas than the constructor's 2
  EXPECT_THROW(PucchFormat34Receiver(0), std::invalid_argument);
  ResourceGrid tx = empty_grid(cell);
  const BitVector seven(7, 1);
  EXPECT_THROW(write_pucch_format34(
                   cell, test_slot, pucch,
                   parts_of(test_pucch34(PucchFormat::format3, 7, 2, 14, false), seven), tx),
               std::invalid_argument);
  // pi/2-BPSK and additional DMRS belong to formats 3 and 4.
  PucchConfig f2 = test_pucch(8, 2, 2, false);
  f2.pi2_bpsk = true;
  EXPECT_NE(f2.validate(cell), "");
}

TEST(PucchFormat34Receiver, ReceiveDoesNotAllocate) {
  const CellConfig cell = test_cell();
  PucchFormat34Receiver receiver(2);
  std::mt19937_64 rng(41);
  for (const unsigned a : {9U, 300U}) {
    const PucchConfig pucch = test_pucch34(PucchFormat::format3, a, 16, 14, true);
    const BitVector payload = random_bits(a, rng);
    ResourceGrid tx = empty_grid(cell);
    write_pucch_format34(cell, test_slot, pucch, parts_of(pucch, payload), tx);
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
