// DFT-s-OFDM PUSCH end to end: the transmitter's transform precoding and low-PAPR DMRS, through
// AWGN and a frequency-selective TDL channel, into the CPU receiver, which must return the
// transport blocks; the transmitted signal must have the low PAPR that transform precoding is for,
// and the receiver's post-IDFT noise variances must match the errors it actually makes.
#include "airan/phy/awgn.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tdl_channel.h"

#include "../support/tdl_test_helpers.h"

#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

CellConfig dfts_cell(unsigned num_prbs) {
  CellConfig cell;
  cell.num_prbs = num_prbs;
  cell.numerology = 1;
  cell.n_cell_id = 301;
  return cell;
}

PuschConfig make_dfts_pusch(unsigned bwp_prbs, unsigned prb_start, unsigned prb_size,
                            unsigned mcs) {
  PuschConfig pusch;
  pusch.rnti = 0x2468;
  pusch.bwp_size = bwp_prbs;
  pusch.prb_start = prb_start;
  pusch.prb_size = prb_size;
  pusch.transform_precoding = true;
  pusch.mcs_table = McsTable::transform_precoding_qam64;
  pusch.mcs_index = mcs;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.pusch_identity = 301;
  pusch.data_scrambling_id = 301;
  return pusch;
}

using airan::test::random_bits;

/// Transmits \p pusch on a 1-port grid, adds AWGN of \p noise_variance on \p num_rx copies of it
/// (independent noise per antenna) and decodes it; true when the TB comes back intact.
bool dfts_round_trip(const CellConfig& cell, const PuschConfig& pusch, unsigned num_rx,
                     float noise_variance, std::uint64_t seed, std::string* error = nullptr) {
  std::mt19937_64 rng(seed);
  PuschTransmitter transmitter(cell);
  PuschReceiverConfig config;
  config.num_rx_antennas = num_rx;
  config.max_layers = 1;
  PuschReceiver receiver(cell, config);
  auto tx_grid = transmitter.make_grid();
  const BitVector tb = random_bits(transmitter.transport_block_size(pusch), rng);
  transmitter.transmit(tb, pusch, 3, tx_grid);
  auto rx_grid = receiver.make_grid();
  for (unsigned r = 0; r < num_rx; ++r) {
    for (unsigned l = 0; l < tx_grid.num_symbols(); ++l) {
      std::ranges::copy(tx_grid.symbol(0, l), rx_grid.symbol(r, l).begin());
    }
  }
  AwgnGenerator awgn(seed + 1);
  awgn.add(rx_grid, noise_variance);
  std::vector<PuschPduResult> results;
  receiver.process_slot(rx_grid, 3, std::span(&pusch, 1), results);
  if (error != nullptr) {
    *error = results[0].error;
  }
  return results[0].error.empty() && results[0].tb_crc_ok && results[0].tb_bits == tb;
}

// Sizes that use each kind of low-PAPR base sequence: the 6/12/18/24-value tables (1..4 PRBs),
// the 30-value formula (5 PRBs) and Zadoff-Chu sequences (6 PRBs and more), at several offsets.
TEST(PuschTransformPrecoding, DecodesEveryBaseSequenceKindAndModulation) {
  const CellConfig cell = dfts_cell(106);
  struct Case {
    unsigned prb_start, prb_size, mcs;
    bool pi2bpsk;
  };
  const Case cases[] = {{0, 1, 0, true},     {7, 2, 1, true},    {50, 3, 4, false},
                        {20, 4, 10, false},  {1, 5, 14, false},  {3, 6, 17, false},
                        {30, 12, 22, false}, {0, 25, 27, false}, {6, 100, 9, false}};
  for (const Case& c : cases) {
    PuschConfig pusch = make_dfts_pusch(106, c.prb_start, c.prb_size, c.mcs);
    pusch.tp_pi2bpsk = c.pi2bpsk;
    ASSERT_EQ(pusch.validate(cell), "");
    std::string error;
    EXPECT_TRUE(dfts_round_trip(cell, pusch, 2, 1e-4F, 11 + c.prb_size, &error))
        << c.prb_size << " PRBs at " << c.prb_start << ", MCS " << c.mcs << ": " << error;
  }
}

// TS 38.214 Table 6.1.4.1-2 (mcs-TableTransformPrecoder qam64LowSE): pi/2-BPSK at R 60/1024
// and QPSK at 30/1024 (MCS 0), QPSK, 16-QAM and 64-QAM rows.
TEST(PuschTransformPrecoding, DecodesTheLowSpectralEfficiencyTable) {
  const CellConfig cell = dfts_cell(106);
  struct Case {
    unsigned prb_size, mcs;
    bool pi2bpsk;
  };
  const Case cases[] = {{4, 0, true},    {4, 0, false},   {8, 5, true},
                        {16, 12, false}, {24, 20, false}, {48, 27, false}};
  for (const Case& c : cases) {
    PuschConfig pusch = make_dfts_pusch(106, 2, c.prb_size, c.mcs);
    pusch.mcs_table = McsTable::transform_precoding_qam64_low_se;
    pusch.tp_pi2bpsk = c.pi2bpsk;
    ASSERT_EQ(pusch.validate(cell), "");
    EXPECT_EQ(pusch.modulation_order(),
              c.pi2bpsk ? 1U : (c.mcs < 16 ? 2U : (c.mcs < 24 ? 4U : 6U)));
    std::string error;
    EXPECT_TRUE(dfts_round_trip(cell, pusch, 2, 1e-4F, 31 + c.mcs, &error))
        << c.prb_size << " PRBs, MCS " << c.mcs << ": " << error;
  }
  // Like Table 6.1.4.1-1, it needs transform precoding.
  PuschConfig cp = make_dfts_pusch(106, 0, 10, 3);
  cp.mcs_table = McsTable::transform_precoding_qam64_low_se;
  cp.transform_precoding = false;
  EXPECT_NE(cp.validate(cell).find("Table 6.1.4.1-2 needs transform precoding"), std::string::npos);
}

TEST(PuschTransformPrecoding, DecodesWithHoppingDoubleSymbolDmrsAndMappingTypeB) {
  const CellConfig cell = dfts_cell(52);
  for (LowPaprHopping hopping :
       {LowPaprHopping::none, LowPaprHopping::group, LowPaprHopping::sequence}) {
    PuschConfig pusch = make_dfts_pusch(52, 4, 48, 13); // 48 PRBs: v hops (M_ZC = 288)
    pusch.dmrs_hopping = hopping;
    pusch.pusch_identity = 517;
    EXPECT_TRUE(dfts_round_trip(cell, pusch, 1, 1e-4F, 40)) << static_cast<int>(hopping);
    pusch.dmrs_length = 2;
    pusch.dmrs_additional_position = 1;
    EXPECT_TRUE(dfts_round_trip(cell, pusch, 1, 1e-4F, 41)) << static_cast<int>(hopping);
  }
  PuschConfig mini = make_dfts_pusch(52, 10, 9, 5);
  mini.mapping_type = PuschMappingType::type_b;
  mini.start_symbol = 5;
  mini.num_symbols = 7;
  mini.dmrs_additional_position = 0;
  EXPECT_TRUE(dfts_round_trip(cell, mini, 1, 1e-4F, 42));
}

// The receiver must use the DMRS of the PDU's own sequence group: with another n_ID^RS the
// channel estimate is garbage and the TB fails.
TEST(PuschTransformPrecoding, AnotherPuschIdentityFailsTheCrc) {
  const CellConfig cell = dfts_cell(24);
  PuschConfig pusch = make_dfts_pusch(24, 0, 24, 5);
  PuschTransmitter transmitter(cell);
  PuschReceiver receiver(cell, {});
  std::mt19937_64 rng(5);
  auto grid = transmitter.make_grid();
  const BitVector tb = random_bits(transmitter.transport_block_size(pusch), rng);
  transmitter.transmit(tb, pusch, 0, grid);
  std::vector<PuschPduResult> results;
  receiver.process_slot(grid, 0, std::span(&pusch, 1), results);
  ASSERT_TRUE(results[0].tb_crc_ok);
  PuschConfig other = pusch;
  other.pusch_identity = 302; // another group u
  receiver.process_slot(grid, 0, std::span(&other, 1), results);
  EXPECT_FALSE(results[0].tb_crc_ok);
}

/// PAPR (dB) exceeded by a fraction 1e-3 of the samples of \p iq.
double papr_999_db(std::span<const cf32> iq) {
  std::vector<double> power(iq.size());
  double mean = 0.0;
  for (std::size_t i = 0; i < iq.size(); ++i) {
    power[i] = std::norm(iq[i]);
    mean += power[i];
  }
  mean /= static_cast<double>(iq.size());
  const auto at = power.begin() + static_cast<std::ptrdiff_t>(0.999 * power.size());
  std::nth_element(power.begin(), at, power.end());
  return 10.0 * std::log10(*at / mean);
}

// What DFT-s-OFDM is for: a lower peak-to-average power ratio than CP-OFDM carrying the same bits,
// and lower still with pi/2-BPSK (measured over 40 slots of a 24-PRB allocation with its DMRS).
TEST(PuschTransformPrecoding, TransmitsALowerPaprThanCpOfdm) {
  const CellConfig cell = dfts_cell(24);
  PuschTransmitter transmitter(cell);
  std::mt19937_64 rng(99);
  PuschConfig dfts = make_dfts_pusch(24, 0, 24, 1); // QPSK
  PuschConfig cp = dfts;
  cp.transform_precoding = false;
  cp.mcs_table = McsTable::qam64;
  PuschConfig pi2bpsk = dfts; // the same TBS: R x Q_m of MCS 1 is 314/1024 with either q
  pi2bpsk.tp_pi2bpsk = true;
  const PuschConfig* kinds[] = {&dfts, &cp, &pi2bpsk};
  std::vector<double> papr;
  for (const PuschConfig* pusch : kinds) {
    std::vector<cf32> all;
    for (unsigned slot = 0; slot < 40; ++slot) {
      auto grid = transmitter.make_grid();
      std::vector<cf32> iq(transmitter.numerology().slot_length(slot % 20));
      const BitVector tb = random_bits(transmitter.transport_block_size(*pusch), rng);
      transmitter.transmit(tb, *pusch, slot % 20, grid, iq);
      all.insert(all.end(), iq.begin(), iq.end());
    }
    papr.push_back(papr_999_db(all));
  }
  std::cout << "PAPR at 1e-3 of the samples: DFT-s-OFDM QPSK " << papr[0] << " dB, CP-OFDM QPSK "
            << papr[1] << " dB, DFT-s-OFDM pi/2-BPSK " << papr[2] << " dB\n";
  // Measured: 5.7, 8.4 and 4.5 dB (1e-3 of the samples, not of the symbols' peaks, hence below
  // the usual per-symbol CCDF figures); the DMRS symbols keep pi/2-BPSK from going lower.
  EXPECT_LT(papr[0], 6.5);
  EXPECT_GT(papr[1] - papr[0], 2.0);
  EXPECT_GT(papr[0] - papr[2], 0.8);
}

// The LLRs are only as good as the noise variance that scales them: over a frequency-selective
// channel, with the true channel and noise variance (so that only the deprecoding's model is
// judged, not channel estimation), the reported post-IDFT variance must match the measured
// error of the deprecoded symbols against the transmitted ones within 10%, after MMSE and after
// zero forcing (both hand the deprecoding unbiased symbols with their variance).
TEST(PuschTransformPrecoding, PostIdftNoiseVarianceMatchesTheMeasuredError) {
  const CellConfig cell = dfts_cell(50);
  PuschConfig pusch = make_dfts_pusch(50, 0, 50, 10); // 16-QAM
  PuschTransmitter transmitter(cell);
  std::mt19937_64 rng(3);
  const BitVector tb = random_bits(transmitter.transport_block_size(pusch), rng);
  auto tx_grid = transmitter.make_grid();
  transmitter.transmit(tb, pusch, 1, tx_grid);

  // The transmitted modulation symbols: inverse transform of the grid's data symbols.
  PuschFrontEnd reference_front_end({1, 1, 50});
  PuschFrontEndOptions genie;
  reference_front_end.estimate_channel(tx_grid, cell, pusch, 1, genie);
  reference_front_end.equalize(tx_grid, cell, pusch, genie);
  const std::vector<cf32> sent(reference_front_end.equalized_symbols().begin(),
                               reference_front_end.equalized_symbols().end());

  const Numerology numerology(1, CyclicPrefix::normal, transmitter.numerology().fft_size());
  TdlChannel channel(airan::test::make_tdl_config("TDL-C", 300e-9, 2, 1), numerology, 50, 17);
  ResourceGrid rx_grid(2, tx_grid.num_symbols(), tx_grid.num_subcarriers());
  channel.apply_frequency_domain(tx_grid, 0.0, 1, rx_grid);
  AwgnGenerator awgn(8);
  awgn.add(rx_grid, 0.05F);

  ChannelResponse response;
  channel.frequency_response(0.0, 1, response);
  PuschFrontEnd front_end({2, 1, 50});
  for (const EqualizerAlgorithm algorithm : {EqualizerAlgorithm::mmse, EqualizerAlgorithm::zf}) {
    PuschFrontEndOptions options;
    options.equalizer = algorithm;
    front_end.use_true_channel(response, cell, pusch, 0.05F);
    front_end.equalize(rx_grid, cell, pusch, options);
    const auto got = front_end.equalized_symbols();
    const auto variances = front_end.equalized_noise_variances();
    ASSERT_EQ(got.size(), sent.size());
    double error = 0.0;
    double reported = 0.0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      error += std::norm(got[i] - sent[i]);
      reported += variances[i];
    }
    error /= static_cast<double>(got.size());
    reported /= static_cast<double>(got.size());
    EXPECT_NEAR(reported / error, 1.0, 0.10) << "equalizer " << static_cast<int>(algorithm)
                                             << ": reported " << reported << ", measured " << error;
  }
  // The symbols are the transmitted 16-QAM ones plus noise: the reference is unit power.
  double power = 0.0;
  for (const cf32& s : sent) {
    power += std::norm(s);
  }
  EXPECT_NEAR(power / static_cast<double>(sent.size()), 1.0, 0.05);
}

TEST(PuschTransformPrecoding, ValidationRefusesWhatDftsOfdmCannotCarry) {
  const CellConfig cell = dfts_cell(52);
  const auto problem = [&](auto&& change) {
    PuschConfig pusch = make_dfts_pusch(52, 0, 48, 5);
    change(pusch);
    return pusch.validate(cell);
  };
  EXPECT_EQ(problem([](PuschConfig&) {}), "");
  EXPECT_NE(problem([](PuschConfig& p) { p.prb_size = 7; }).find("2^a 3^b 5^c"), std::string::npos);
  EXPECT_NE(problem([](PuschConfig& p) { p.num_dmrs_cdm_groups_no_data = 1; }).find("CDM"),
            std::string::npos);
  EXPECT_NE(
      problem([](PuschConfig& p) { p.dmrs_config_type = DmrsConfigType::type2; }).find("type 1"),
      std::string::npos);
  EXPECT_NE(problem([](PuschConfig& p) { p.pusch_identity = 1008; }).find("1007"),
            std::string::npos);
  EXPECT_NE(problem([](PuschConfig& p) {
              p.transform_precoding = false;
            }).find("needs transform precoding"),
            std::string::npos);
  EXPECT_NE(problem([](PuschConfig& p) {
              p.transform_precoding = false;
              p.mcs_table = McsTable::qam64;
              p.qam_order = 1;
            }).find("pi/2-BPSK"),
            std::string::npos);
  EXPECT_NE(problem([](PuschConfig& p) {
              p.transform_precoding = false;
              p.mcs_table = McsTable::qam64;
              p.dmrs_hopping = LowPaprHopping::group;
            }).find("hopping"),
            std::string::npos);
  // A value past the enumeration passed and the DMRS generator threw in the receiver.
  EXPECT_NE(problem([](PuschConfig& p) {
              p.dmrs_hopping = static_cast<LowPaprHopping>(3);
            }).find("not none, group or sequence"),
            std::string::npos);
  CellConfig two_ports = cell;
  two_ports.num_antenna_ports = 2;
  PuschConfig two_layers = make_dfts_pusch(52, 0, 48, 5);
  two_layers.num_layers = 2;
  two_layers.dmrs_ports = 0x3;
  EXPECT_NE(two_layers.validate(two_ports).find("one layer"), std::string::npos);
}

} // namespace
