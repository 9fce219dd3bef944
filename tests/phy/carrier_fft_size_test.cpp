// Carriers at FFT sizes other than powers of two (CellConfig::fft_size: the sample rates radios
// run at, 23.04 or 46.08 MHz): the CP and slot lengths of TS 38.211 5.3.1 at such rates, the
// cell's check, the OFDM signal against the same grid at the power-of-two size (the same
// waveform, sampled at another rate), and PUSCH decoded from time-domain IQ at such a size.
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"

#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace airan::phy {
namespace {

// 15 kHz at 23.04 MHz (1536 points): kappa T_c is 1536 / 2048 samples of the 30.72 MHz rate's
// one, so the normal CP is 144 x 0.75 = 108 samples, 160 x 0.75 = 120 on symbols 0 and 7.
TEST(CarrierFftSize, CpLengthsAt23p04MHz) {
  const Numerology n(0, CyclicPrefix::normal, 1536);
  EXPECT_EQ(n.sample_rate_hz(), 23.04e6);
  EXPECT_EQ(n.cp_length(0, 0), 120U);
  EXPECT_EQ(n.cp_length(0, 1), 108U);
  EXPECT_EQ(n.cp_length(0, 7), 120U);
  EXPECT_EQ(n.cp_length(0, 13), 108U);
  EXPECT_EQ(n.slot_length(0), 23040U); // 1 ms
  // 30 kHz at 46.08 MHz: the long symbols are symbol 0 of slots 0 and 1 (l = 0 and 14).
  const Numerology mu1(1, CyclicPrefix::normal, 1536);
  EXPECT_EQ(mu1.cp_length(0, 0), 108U + 24U);
  EXPECT_EQ(mu1.cp_length(1, 0), 108U + 24U);
  EXPECT_EQ(mu1.cp_length(0, 7), 108U);
  EXPECT_EQ(mu1.slot_length(0), 23040U); // 0.5 ms
  const Numerology extended(2, CyclicPrefix::extended, 1536);
  EXPECT_EQ(extended.cp_length(0, 0), 384U);
}

TEST(CarrierFftSize, EveryMultipleOf128GivesWholeCpsAndOneMillisecondSubframes) {
  for (const unsigned fft : {384U, 640U, 768U, 1536U, 3072U, 6144U, 12288U, 16256U}) {
    EXPECT_TRUE(is_valid_fft_size(fft)) << fft;
    for (unsigned mu = 0; mu <= max_numerology; ++mu) {
      const Numerology n(mu, CyclicPrefix::normal, fft);
      EXPECT_EQ(static_cast<double>(n.subframe_length()), n.sample_rate_hz() / 1000.0)
          << "mu " << mu << " fft " << fft;
      // A slot lasts fft / 128 times what it lasts at 128 points: CPs scale exactly.
      const Numerology smallest(mu, CyclicPrefix::normal, 128);
      for (unsigned slot = 0; slot < n.slots_per_subframe(); ++slot) {
        EXPECT_EQ(n.slot_length(slot), smallest.slot_length(slot) * (fft / 128))
            << "mu " << mu << " fft " << fft << " slot " << slot;
      }
    }
  }
  for (const unsigned fft : {0U, 64U, 100U, 1000U, 1600U, 2000U, max_fft_size + 128}) {
    EXPECT_FALSE(is_valid_fft_size(fft)) << fft;
    EXPECT_THROW(Numerology(1, CyclicPrefix::normal, fft), std::invalid_argument) << fft;
  }
}

CellConfig cell_at(unsigned num_prbs, unsigned fft_size) {
  CellConfig cell;
  cell.num_prbs = num_prbs;
  cell.numerology = 1;
  cell.n_cell_id = 301;
  cell.fft_size = fft_size;
  return cell;
}

TEST(CarrierFftSize, TheCellTakesMultiplesOf128WithRoomForItsSubcarriers) {
  EXPECT_EQ(cell_at(106, 0).validate(), "");
  EXPECT_EQ(carrier_numerology(cell_at(106, 0)).fft_size(), 2048U); // choose_fft_size()
  EXPECT_EQ(cell_at(106, 1536).validate(), "");
  EXPECT_EQ(carrier_numerology(cell_at(106, 1536)).fft_size(), 1536U);
  EXPECT_EQ(cell_at(128, 1536).validate(), ""); // 1536 subcarriers: every bin
  const std::string too_small = cell_at(129, 1536).validate();
  EXPECT_NE(too_small.find("below the carrier's 1548 subcarriers"), std::string::npos) << too_small;
  EXPECT_THROW((void)carrier_numerology(cell_at(129, 1536)), std::invalid_argument);
  for (const unsigned fft : {1000U, 1600U, max_cell_fft_size + 128}) {
    const std::string error = cell_at(24, fft).validate();
    EXPECT_NE(error.find("is not a multiple of 128"), std::string::npos) << fft << ": " << error;
  }
}

PuschConfig pdu(unsigned prb_start, unsigned prb_size, unsigned mcs, std::uint16_t rnti) {
  PuschConfig p;
  p.rnti = rnti;
  p.handle = rnti;
  p.bwp_size = 106;
  p.prb_start = prb_start;
  p.prb_size = prb_size;
  p.dmrs_ports = 1;
  p.num_dmrs_cdm_groups_no_data = 2;
  p.dmrs_scrambling_id = 301;
  p.data_scrambling_id = 301;
  p.mcs_table = McsTable::qam256;
  p.mcs_index = mcs;
  return p;
}

// The same grid through OFDM at 1536 and 2048 points (106 PRBs at 30 kHz: 46.08 and 61.44 MHz):
// one waveform sampled at two rates, every CP boundary 3/4 as far in at 1536 points, so every
// third sample at 1536 points is every fourth at 2048 (each scaled by 1 / sqrt(N)).
TEST(CarrierFftSize, OfdmAt1536PointsIsThePowerOfTwoWaveformAtThreeQuartersTheRate) {
  const CellConfig narrow = cell_at(106, 1536);
  const CellConfig wide = cell_at(106, 0);
  PuschTransmitter transmitter(narrow);
  std::mt19937_64 rng(11);
  auto grid = transmitter.make_grid();
  const PuschConfig p = pdu(0, 106, 20, 0x44);
  transmitter.transmit(test::random_bits(transmitter.transport_block_size(p), rng), p, 3, grid);
  const Numerology at_1536 = carrier_numerology(narrow);
  const Numerology at_2048 = carrier_numerology(wide);
  for (const unsigned slot : {0U, 1U, 3U}) {
    ASSERT_EQ(at_1536.slot_length(slot) * 4, at_2048.slot_length(slot) * 3);
    std::vector<cf32> iq_1536(at_1536.slot_length(slot));
    std::vector<cf32> iq_2048(at_2048.slot_length(slot));
    OfdmModulator(at_1536, 106).modulate_slot(grid, 0, slot, iq_1536);
    OfdmModulator(at_2048, 106).modulate_slot(grid, 0, slot, iq_2048);
    double error = 0.0;
    double power = 0.0;
    for (std::size_t k = 0; 3 * k < iq_1536.size(); ++k) {
      const cf32 a = iq_1536[3 * k] * std::sqrt(1536.0F);
      const cf32 b = iq_2048[4 * k] * std::sqrt(2048.0F);
      error += std::norm(a - b);
      power += std::norm(b);
    }
    ASSERT_GT(power, 0.0);
    EXPECT_LT(10.0 * std::log10(error / power), -100.0) << "slot " << slot;
  }
}

// PUSCH from time-domain IQ at 1536 points: three UEs, 256QAM up to MCS 27, two antennas.
TEST(CarrierFftSize, PuschDecodesFromIqAt1536Points) {
  const CellConfig cell = cell_at(106, 1536);
  PuschTransmitter transmitter(cell);
  PuschReceiverConfig config;
  config.num_rx_antennas = 2;
  config.max_layers = 1;
  PuschReceiver receiver(cell, config);
  ASSERT_EQ(receiver.slot_length(5), 23040U);
  std::mt19937_64 rng(5);
  const std::vector<PuschConfig> pdus = {pdu(0, 30, 27, 1), pdu(30, 40, 14, 2), pdu(70, 36, 5, 3)};
  auto grid = transmitter.make_grid();
  std::vector<BitVector> tbs;
  for (const auto& p : pdus) {
    tbs.push_back(test::random_bits(transmitter.transport_block_size(p), rng));
    transmitter.transmit(tbs.back(), p, 5, grid);
  }
  OfdmModulator modulator(transmitter.numerology(), cell.num_prbs);
  ASSERT_EQ(transmitter.numerology().fft_size(), 1536U);
  const std::size_t samples = receiver.slot_length(5);
  std::vector<cf32> iq(2 * samples);
  modulator.modulate_slot(grid, 0, 5, std::span(iq).first(samples));
  // The second antenna: the same signal at another phase.
  for (std::size_t n = 0; n < samples; ++n) {
    iq[samples + n] = iq[n] * cf32(0.0F, 1.0F);
  }
  std::vector<PuschPduResult> results;
  receiver.process_slot_iq(iq, 5, pdus, results);
  ASSERT_EQ(results.size(), pdus.size());
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    EXPECT_TRUE(results[i].tb_crc_ok) << i << " " << results[i].error;
    EXPECT_EQ(results[i].tb_bits, tbs[i]) << i;
  }
  // IQ at the power-of-two rate is not this cell's: refused, not misread.
  std::vector<cf32> wrong_rate(std::size_t{2} * carrier_numerology(cell_at(106, 0)).slot_length(5));
  EXPECT_THROW(receiver.process_slot_iq(wrong_rate, 5, pdus, results), std::invalid_argument);
}

} // namespace
} // namespace airan::phy
