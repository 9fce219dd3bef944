// PUSCH with PT-RS end to end on the CPU receiver: a common phase error that changes from symbol
// to symbol (oscillator phase noise) breaks 64-QAM unless the receiver tracks it with the PT-RS;
// the tracked phases must match the applied ones, on one layer and on the layer of the PT-RS's
// DMRS port with two layers, with UCI multiplexed around the PT-RS REs, and with every time and
// frequency density.
#include "airan/phy/awgn.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"

#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;
using airan::test::random_bits;

CellConfig ptrs_cell(unsigned ports) {
  CellConfig cell;
  cell.num_prbs = 51;
  cell.numerology = 1;
  cell.n_cell_id = 12;
  cell.num_antenna_ports = ports;
  return cell;
}

PuschConfig ptrs_pusch(unsigned layers) {
  PuschConfig pusch;
  pusch.rnti = 0x3A71;
  pusch.bwp_size = 51;
  pusch.prb_start = 3;
  pusch.prb_size = 40;
  pusch.mcs_index = 20; // 64-QAM, R 0.55
  pusch.num_layers = layers;
  pusch.dmrs_ports = layers == 1 ? 0x1 : 0x3;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_scrambling_id = 12;
  pusch.data_scrambling_id = 12;
  pusch.ptrs.enabled = true;
  pusch.ptrs.dmrs_port = layers == 1 ? 0 : 1;
  return pusch;
}

struct Outcome {
  bool decoded = false;
  std::string error;
  std::vector<float> tracked; ///< The receiver's phase per slot symbol.
};

/// Sends \p pusch through a random flat MIMO channel (\p num_rx antennas), rotates every symbol l
/// of the slot by \p phases[l], adds AWGN of \p noise_variance and decodes it.
Outcome run_ptrs_link(const CellConfig& cell, const PuschConfig& pusch, unsigned num_rx,
                      const std::vector<float>& phases, float noise_variance, bool track,
                      std::uint64_t seed, const PuschUciPayload& uci = {},
                      EqualizerAlgorithm equalizer = EqualizerAlgorithm::mmse) {
  std::mt19937_64 rng(seed);
  PuschTransmitter transmitter(cell);
  PuschReceiverConfig config;
  config.num_rx_antennas = num_rx;
  config.max_layers = 2;
  config.front_end.track_phase = track;
  config.front_end.equalizer = equalizer;
  PuschReceiver receiver(cell, config);
  ResourceGrid tx = transmitter.make_grid();
  const BitVector tb = random_bits(transmitter.transport_block_size(pusch), rng);
  transmitter.transmit(tb, uci, pusch, 4, tx);
  ResourceGrid rx = receiver.make_grid();
  std::normal_distribution<float> gauss(0.0F, std::sqrt(0.5F));
  std::vector<cf32> h(std::size_t{num_rx} * cell.num_antenna_ports);
  for (cf32& v : h) {
    v = cf32(gauss(rng), gauss(rng));
  }
  for (unsigned r = 0; r < num_rx; ++r) {
    for (unsigned l = 0; l < tx.num_symbols(); ++l) {
      const cf32 rotation = std::polar(1.0F, phases[l]);
      auto out = rx.symbol(r, l);
      for (std::size_t k = 0; k < out.size(); ++k) {
        cf32 sum(0.0F, 0.0F);
        for (unsigned p = 0; p < cell.num_antenna_ports; ++p) {
          sum += h[r * cell.num_antenna_ports + p] * tx.symbol(p, l)[k];
        }
        out[k] = sum * rotation;
      }
    }
  }
  AwgnGenerator awgn(seed + 7);
  awgn.add(rx, noise_variance);
  std::vector<PuschPduResult> results;
  receiver.process_slot(rx, 4, std::span(&pusch, 1), results);
  Outcome outcome;
  outcome.error = results[0].error;
  outcome.decoded = results[0].error.empty() && results[0].tb_crc_ok && results[0].tb_bits == tb;
  if (!uci.harq_ack.empty()) {
    outcome.decoded = outcome.decoded && std::ranges::equal(results[0].uci.harq_ack, uci.harq_ack);
  }
  if (!uci.csi_part1.empty()) {
    outcome.decoded =
        outcome.decoded && std::ranges::equal(results[0].uci.csi_part1, uci.csi_part1);
  }
  // The tracked phases, through a front end of the same options on the same grid.
  PuschFrontEnd front_end({num_rx, 2, cell.num_prbs});
  PuschFrontEndOptions options;
  options.track_phase = track;
  front_end.estimate_channel(rx, cell, pusch, 4, options);
  const auto tracked = front_end.ptrs_phases();
  outcome.tracked.assign(tracked.begin(), tracked.end());
  return outcome;
}

/// Phase per slot symbol: 0 on the DMRS symbols 2 and 11 (the channel estimate's reference),
/// uniform in +-max elsewhere.
std::vector<float> random_phases(float max, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(-max, max);
  std::vector<float> phases(14);
  for (unsigned l = 0; l < 14; ++l) {
    phases[l] = l == 2 || l == 11 ? 0.0F : uniform(rng);
  }
  return phases;
}

TEST(PuschPtrs, TracksAPhaseThatBreaksTheUntrackedReceiver) {
  const CellConfig cell = ptrs_cell(1);
  const PuschConfig pusch = ptrs_pusch(1);
  ASSERT_EQ(pusch.validate(cell), "");
  const std::vector<float> phases = random_phases(0.5F, 11);
  const float noise = 1e-3F; // 30 dB per antenna
  const Outcome tracked = run_ptrs_link(cell, pusch, 2, phases, noise, true, 21);
  EXPECT_TRUE(tracked.decoded) << tracked.error;
  for (unsigned l = 0; l < 14; ++l) {
    if (l != 2 && l != 11) { // every other symbol carries PT-RS with L_PT-RS = 1
      EXPECT_NEAR(tracked.tracked[l], phases[l], 0.03F) << "symbol " << l;
    }
  }
  const Outcome untracked = run_ptrs_link(cell, pusch, 2, phases, noise, false, 21);
  EXPECT_FALSE(untracked.decoded);
  for (float phase : untracked.tracked) {
    EXPECT_EQ(phase, 0.0F);
  }
  // Without phase noise both decode: the PT-RS REs carry no data either way.
  const std::vector<float> none(14, 0.0F);
  EXPECT_TRUE(run_ptrs_link(cell, pusch, 2, none, noise, false, 22).decoded);
  EXPECT_TRUE(run_ptrs_link(cell, pusch, 2, none, noise, true, 22).decoded);
}

TEST(PuschPtrs, AlignsTheDmrsOccasionsToTheFirstOnesPhase) {
  // The second DMRS occasion (symbol 11) 1.3 rad away from the first: interpolated as they are,
  // the channel between them would shrink (|cos 0.65| = 0.8) and turn; aligned, every phase is
  // tracked against the first occasion's.
  const CellConfig cell = ptrs_cell(1);
  const PuschConfig pusch = ptrs_pusch(1);
  std::vector<float> phases = random_phases(0.5F, 14);
  phases[11] = 1.3F;
  const Outcome tracked = run_ptrs_link(cell, pusch, 2, phases, 1e-3F, true, 61);
  EXPECT_TRUE(tracked.decoded) << tracked.error;
  for (unsigned l = 0; l < 14; ++l) {
    if (l != 2 && l != 11) {
      EXPECT_NEAR(tracked.tracked[l], phases[l], 0.03F) << "symbol " << l;
    }
  }
  // The DMRS symbol 11 itself: its occasion's phase against the first, measured on the DMRS.
  EXPECT_NEAR(tracked.tracked[11], 1.3F, 0.03F);
  EXPECT_EQ(tracked.tracked[2], 0.0F);
}

TEST(PuschPtrs, DmrsOccasionsAnchorTheSymbolsPastTheLastPtrsSymbol) {
  // DMRS on 2, 7 and 11 with L_PT-RS 4: PT-RS only on 0 and 6. A phase ramp (a CFO) is measured
  // at 0 and 6, and at the DMRS occasions 7 and 11 from the DMRS themselves: exact up to 11.
  const CellConfig cell = ptrs_cell(1);
  PuschConfig pusch = ptrs_pusch(1);
  pusch.dmrs_additional_position = 2;
  pusch.ptrs.time_density = 4;
  ASSERT_EQ(pusch.validate(cell), "");
  std::vector<float> phases(14);
  for (unsigned l = 0; l < 14; ++l) {
    phases[l] = 0.15F * (static_cast<float>(std::min(l, 11U)) - 2.0F);
  }
  const Outcome outcome = run_ptrs_link(cell, pusch, 2, phases, 1e-3F, true, 71);
  EXPECT_TRUE(outcome.decoded) << outcome.error;
  for (unsigned l = 0; l < 14; ++l) {
    EXPECT_NEAR(outcome.tracked[l], phases[l], 0.03F) << "symbol " << l;
  }
}

TEST(PuschPtrs, WithoutPtrsSymbolsTheOccasionsKeepTheirPhase) {
  // Mapping type B on symbols 5..11 with DMRS on 5 and 9 and L_PT-RS 4: no symbol carries PT-RS
  // (the rule restarts at 9 and 13 is past the end). The estimate must keep the occasions'
  // phases (no alignment that nothing would undo): a ramp decodes as without PT-RS.
  const CellConfig cell = ptrs_cell(1);
  PuschConfig pusch = ptrs_pusch(1);
  pusch.mapping_type = PuschMappingType::type_b;
  pusch.start_symbol = 5;
  pusch.num_symbols = 7;
  pusch.dmrs_symbol_mask = (1U << 5) | (1U << 9);
  pusch.mcs_index = 16; // 16-QAM
  pusch.ptrs.time_density = 4;
  ASSERT_EQ(pusch.validate(cell), "");
  std::vector<float> phases(14);
  for (unsigned l = 0; l < 14; ++l) {
    phases[l] = 0.08F * (static_cast<float>(l) - 5.0F);
  }
  const Outcome outcome = run_ptrs_link(cell, pusch, 2, phases, 1e-3F, true, 81);
  EXPECT_TRUE(outcome.decoded) << outcome.error;
  PuschConfig plain = pusch;
  plain.ptrs.enabled = false;
  EXPECT_TRUE(run_ptrs_link(cell, plain, 2, phases, 1e-3F, true, 81).decoded);
  for (float phase : outcome.tracked) {
    EXPECT_EQ(phase, 0.0F);
  }
}

TEST(PuschPtrs, TracksOnThePtrsLayerOfATwoLayerPdu) {
  const CellConfig cell = ptrs_cell(2);
  const PuschConfig pusch = ptrs_pusch(2);
  ASSERT_EQ(pusch.validate(cell), "");
  const std::vector<float> phases = random_phases(0.4F, 12);
  const Outcome tracked = run_ptrs_link(cell, pusch, 4, phases, 1e-3F, true, 31);
  EXPECT_TRUE(tracked.decoded) << tracked.error;
  for (unsigned l = 0; l < 14; ++l) {
    if (l != 2 && l != 11) {
      EXPECT_NEAR(tracked.tracked[l], phases[l], 0.03F) << "symbol " << l;
    }
  }
  EXPECT_FALSE(run_ptrs_link(cell, pusch, 4, phases, 1e-3F, false, 31).decoded);
  // MMSE-IRC: covariance groups of whole PRBs, whose PT-RS REs carry no data.
  EXPECT_TRUE(
      run_ptrs_link(cell, pusch, 4, phases, 1e-3F, true, 32, {}, EqualizerAlgorithm::mmse_irc)
          .decoded);
  EXPECT_TRUE(
      run_ptrs_link(cell, pusch, 4, phases, 1e-3F, true, 33, {}, EqualizerAlgorithm::zf).decoded);
}

TEST(PuschPtrs, PrecodedLikeTheLayerOfItsDmrsPort) {
  // One layer on two antenna ports with a TPMI: the PT-RS is precoded with the layer (TS 38.211
  // 6.4.1.2.2.1), so the DMRS estimate of the effective channel serves it.
  const CellConfig cell = ptrs_cell(2);
  PuschConfig pusch = ptrs_pusch(1);
  pusch.precoding = PuschPrecoding::codebook;
  pusch.tpmi = 3;
  ASSERT_EQ(pusch.validate(cell), "");
  const std::vector<float> phases = random_phases(0.5F, 15);
  const Outcome tracked = run_ptrs_link(cell, pusch, 2, phases, 1e-3F, true, 91);
  EXPECT_TRUE(tracked.decoded) << tracked.error;
  for (unsigned l = 0; l < 14; ++l) {
    if (l != 2 && l != 11) {
      EXPECT_NEAR(tracked.tracked[l], phases[l], 0.03F) << "symbol " << l;
    }
  }
  EXPECT_FALSE(run_ptrs_link(cell, pusch, 2, phases, 1e-3F, false, 91).decoded);
}

TEST(PuschPtrs, EveryDensityInterpolatesBetweenPtrsSymbols) {
  const CellConfig cell = ptrs_cell(1);
  // A phase ramp that stops at symbol 10: linear interpolation between PT-RS symbols is exact,
  // and so is holding the last PT-RS symbol's phase (10, 12 or 13) to the end of the slot.
  std::vector<float> phases(14);
  for (unsigned l = 0; l < 14; ++l) {
    phases[l] = 0.12F * (static_cast<float>(std::min(l, 10U)) - 2.0F);
  }
  for (unsigned time_density : {1U, 2U, 4U}) {
    for (unsigned frequency_density : {2U, 4U}) {
      PuschConfig pusch = ptrs_pusch(1);
      pusch.dmrs_additional_position = 0; // one DMRS symbol (2): the estimate holds its phase
      pusch.ptrs.time_density = time_density;
      pusch.ptrs.frequency_density = frequency_density;
      pusch.ptrs.re_offset = 1;
      ASSERT_EQ(pusch.validate(cell), "");
      const Outcome outcome = run_ptrs_link(cell, pusch, 2, phases, 1e-3F, true, 41 + time_density);
      EXPECT_TRUE(outcome.decoded)
          << time_density << "/" << frequency_density << " " << outcome.error;
      // Measured on PT-RS symbols, interpolated between them (the DMRS symbol too), held after
      // the last one.
      for (unsigned l = 0; l < 14; ++l) {
        EXPECT_NEAR(outcome.tracked[l], phases[l], 0.03F)
            << "symbol " << l << ", L " << time_density << ", K " << frequency_density;
      }
      EXPECT_FALSE(run_ptrs_link(cell, pusch, 2, phases, 1e-3F, false, 41 + time_density).decoded);
    }
  }
}

TEST(PuschPtrs, UciIsMultiplexedAroundThePtrs) {
  const CellConfig cell = ptrs_cell(1);
  PuschConfig pusch = ptrs_pusch(1);
  pusch.uci.harq_ack_bits = 5;
  pusch.uci.csi_part1_bits = 30; // polar coded
  pusch.uci.beta_offset_harq_ack = 9;
  pusch.uci.beta_offset_csi1 = 9;
  ASSERT_EQ(pusch.validate(cell), "");
  std::mt19937_64 rng(5);
  const BitVector harq_ack = random_bits(5, rng);
  const BitVector csi_part1 = random_bits(30, rng);
  const PuschUciPayload uci{harq_ack, csi_part1, {}};
  const std::vector<float> phases = random_phases(0.5F, 13);
  EXPECT_TRUE(run_ptrs_link(cell, pusch, 2, phases, 1e-3F, true, 51, uci).decoded);
  EXPECT_FALSE(run_ptrs_link(cell, pusch, 2, phases, 1e-3F, false, 51, uci).decoded);
}

} // namespace
