// PUSCH front end: every MATLAB reference grid to LLRs whose hard decisions are the transmitted
// scrambled codeword (all three equalizers), a noisy multipath MIMO link, MMSE-IRC against MMSE
// with a spatially coloured interferer through the whole chain, allocation-free processing, and
// input checks.
#include "airan/apps/pusch_case.h"
#include "airan/io/npy.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/ulsch_encoder.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

#include "../support/allocation_counter.h"
#include "../support/matlab_pusch_cases.h"

namespace fs = std::filesystem;

namespace airan::phy {
namespace {

using airan::test::complex_normal;

// Scrambled codeword of \p tb for \p pusch (what the transmitter modulates).
BitVector scrambled_codeword(std::span<const bit_t> tb, const CellConfig& cell,
                             const PuschConfig& pusch) {
  UlschCodingConfig coding;
  coding.tbs = static_cast<std::uint32_t>(tb.size());
  coding.target_code_rate = pusch.code_rate_x10240() / 10240.0;
  coding.modulation_order = pusch.modulation_order();
  coding.num_layers = pusch.num_layers;
  coding.rv = pusch.rv;
  coding.g = pusch_coded_bits(cell, pusch);
  coding.tbs_lbrm = pusch.tbs_lbrm;
  BitVector codeword(coding.g);
  create_ulsch_encoder()->encode(tb, coding, codeword);
  scramble_bits(codeword, pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id));
  return codeword;
}

// Bits whose LLR sign disagrees with \p bits (positive LLR = bit 0; a zero LLR counts as wrong).
std::size_t bit_errors(std::span<const float> llrs, std::span<const bit_t> bits) {
  std::size_t errors = 0;
  for (std::size_t i = 0; i < bits.size(); ++i) {
    errors += (llrs[i] > 0.0F && bits[i] == 0) || (llrs[i] < 0.0F && bits[i] == 1) ? 0U : 1U;
  }
  return errors;
}

// --- MATLAB reference cases ---------------------------------------------------------------------

struct MatlabCase {
  std::string name;
  CellConfig cell;
  PuschConfig pusch;
  unsigned slot = 0;
  ResourceGrid grid;
  BitVector tb;
};

MatlabCase load_matlab_case(const fs::path& dir) {
  const auto reference = airan::apps::load_pusch_case(dir);
  MatlabCase c;
  c.name = dir.filename().string();
  c.cell = reference.cell;
  c.pusch = reference.pusch;
  c.slot = reference.slot;
  c.grid = airan::apps::load_pusch_case_grid(dir, c.cell.num_prbs);
  c.tb = io::read_npy_bits(dir / "tb_bits.npy");
  return c;
}

TEST(PuschFrontEnd, MatlabGridsGiveTheTransmittedCodeword) {
  const auto dirs = airan::test::matlab_pusch_case_dirs();
  ASSERT_FALSE(dirs.empty())
      << "no MATLAB PUSCH grids: the committed ones come with the repository";
  PuschFrontEnd front_end({4, 4, 275});
  PuschFrontEndOptions mmse;
  PuschFrontEndOptions zf;
  zf.equalizer = EqualizerAlgorithm::zf;
  zf.estimator.frequency_interpolation = FrequencyInterpolation::linear;
  zf.estimator.time_interpolation = TimeInterpolation::average;
  PuschFrontEndOptions irc;
  irc.equalizer = EqualizerAlgorithm::mmse_irc;
  irc.estimator.covariance_group_prbs = 4;
  std::cout << "checking " << dirs.size() << " MATLAB grids\n";
  for (const fs::path& dir : dirs) {
    const MatlabCase c = load_matlab_case(dir);
    const BitVector codeword = scrambled_codeword(c.tb, c.cell, c.pusch);
    std::vector<float> llrs(codeword.size());
    for (const PuschFrontEndOptions* options : {&mmse, &zf, &irc}) {
      const PuschMeasurements m =
          front_end.process(c.grid, c.cell, c.pusch, c.slot, *options, llrs);
      const int algorithm = static_cast<int>(options->equalizer);
      EXPECT_EQ(bit_errors(llrs, codeword), 0U) << c.name << ", equalizer " << algorithm;
      EXPECT_LT(m.noise_variance, 1e-8F) << c.name;
      EXPECT_LT(m.evm, 1e-3F) << c.name << ", equalizer " << algorithm;
      EXPECT_GT(m.post_eq_sinr_db, 50.0F) << c.name << ", equalizer " << algorithm;
      EXPECT_LT(std::abs(m.delay_s), 1e-10F) << c.name;
    }
  }
}

// --- Synthetic links ----------------------------------------------------------------------------

struct FrontEndLink {
  CellConfig cell;
  PuschConfig pusch;
  unsigned slot = 7;
  unsigned num_rx = 4;
  BitVector tb;
  ResourceGrid tx;
};

// 24 PRBs, 14 symbols, DMRS type 1 on two occasions, 2 CDM groups without data (so the DMRS
// symbols carry no data), random TB.
FrontEndLink transmit(unsigned layers, unsigned num_rx, McsTable table, unsigned mcs,
                      unsigned seed) {
  FrontEndLink link;
  link.cell.num_prbs = 24;
  link.cell.n_cell_id = 99;
  link.cell.num_antenna_ports = layers;
  link.pusch.rnti = 0x2345;
  link.pusch.bwp_size = link.pusch.prb_size = 24;
  link.pusch.num_layers = layers;
  link.pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1U);
  link.pusch.num_dmrs_cdm_groups_no_data = 2;
  link.pusch.dmrs_scrambling_id = 99;
  link.pusch.mcs_table = table;
  link.pusch.mcs_index = mcs;
  link.pusch.data_scrambling_id = 99;
  link.num_rx = num_rx;
  PuschTransmitter transmitter(link.cell);
  link.tx = transmitter.make_grid();
  std::mt19937 rng(seed);
  link.tb.resize(transmitter.transport_block_size(link.pusch));
  for (auto& b : link.tb) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  transmitter.transmit(link.tb, link.pusch, link.slot, link.tx);
  return link;
}

// Received grid: short multipath channel per (antenna, port) with unit average power, AWGN of
// variance \p noise, plus (optionally) an interferer of power \p interference per RE whose
// spatial signature \p signature is the same on every RE (rank-one coloured interference).
ResourceGrid receive(const FrontEndLink& link, float noise, unsigned seed,
                     const std::vector<cf32>& signature = {}, float interference = 0.0F) {
  std::mt19937 rng(seed);
  const double delays[] = {0.0, 50e-9, 120e-9, 250e-9};
  const double powers[] = {0.5, 0.25, 0.15, 0.1};
  const double scs = subcarrier_spacing_hz(link.cell.numerology);
  const unsigned width = link.tx.num_subcarriers();
  ResourceGrid rx(link.num_rx, link.tx.num_symbols(), width);
  std::vector<std::vector<cf32>> h(link.tx.num_ports(), std::vector<cf32>(width));
  std::vector<std::vector<cf32>> interferer(link.tx.num_symbols(), std::vector<cf32>(width));
  for (auto& symbol : interferer) {
    for (auto& value : symbol) {
      value = complex_normal(rng, interference);
    }
  }
  for (unsigned r = 0; r < link.num_rx; ++r) {
    for (unsigned p = 0; p < link.tx.num_ports(); ++p) {
      std::vector<cf32> gains;
      for (double power : powers) {
        gains.push_back(complex_normal(rng, static_cast<float>(power)));
      }
      for (unsigned k = 0; k < width; ++k) {
        std::complex<double> sum = 0.0;
        for (std::size_t t = 0; t < gains.size(); ++t) {
          sum += std::complex<double>(gains[t]) *
                 std::polar(1.0, -2.0 * std::numbers::pi * k * scs * delays[t]);
        }
        h[p][k] = cf32(static_cast<float>(sum.real()), static_cast<float>(sum.imag()));
      }
    }
    for (unsigned l = 0; l < link.tx.num_symbols(); ++l) {
      for (unsigned k = 0; k < width; ++k) {
        cf32 y = complex_normal(rng, noise);
        for (unsigned p = 0; p < link.tx.num_ports(); ++p) {
          y += h[p][k] * link.tx.at(p, l, k);
        }
        if (!signature.empty()) {
          y += signature[r] * interferer[l][k];
        }
        rx.at(r, l, k) = y;
      }
    }
  }
  return rx;
}

// 2 layers, 4 antennas, 64-QAM over multipath at 28 dB: few raw bit errors, and the EVM agrees
// with the reported post-equalization SINR (within 1.5 dB; channel-estimation error is in the
// EVM only).
TEST(PuschFrontEnd, NoisyMultipathMimoLink) {
  const FrontEndLink link = transmit(2, 4, McsTable::qam64, 20, 1);
  ASSERT_EQ(link.pusch.modulation_order(), 6U);
  const float noise = std::pow(10.0F, -2.8F);
  const ResourceGrid grid = receive(link, noise, 2);
  const BitVector codeword = scrambled_codeword(link.tb, link.cell, link.pusch);
  std::vector<float> llrs(codeword.size());
  PuschFrontEnd front_end({4, 2, 24});
  for (EqualizerAlgorithm algorithm : {EqualizerAlgorithm::mmse, EqualizerAlgorithm::mmse_irc}) {
    PuschFrontEndOptions options;
    options.equalizer = algorithm;
    const PuschMeasurements m =
        front_end.process(grid, link.cell, link.pusch, link.slot, options, llrs);
    const double ber = static_cast<double>(bit_errors(llrs, codeword)) / codeword.size();
    const double evm_sinr_db = -20.0 * std::log10(m.evm);
    std::cout << "equalizer " << static_cast<int>(algorithm) << ": raw BER " << ber << ", noise "
              << m.noise_variance << ", SNR " << m.sinr_db << " dB, post-eq SINR "
              << m.post_eq_sinr_db << " dB, EVM SINR " << evm_sinr_db << " dB\n";
    EXPECT_LT(ber, 2e-3);
    EXPECT_NEAR(m.noise_variance, noise, 0.1 * noise);
    EXPECT_NEAR(m.post_eq_sinr_db, evm_sinr_db, 1.5);
    EXPECT_FALSE(m.cfo_hz.has_value() && std::abs(*m.cfo_hz) > 50.0F);
  }
}

// 1 layer, 4 antennas, 16-QAM at 20 dB SNR, plus one interferer 5 dB stronger than the signal
// with a fixed spatial signature on every RE. MMSE-IRC, with the covariance estimated from the
// DMRS residuals, suppresses it; MMSE, seeing it as white noise, cannot.
TEST(PuschFrontEnd, IrcRejectsColouredInterferenceThroughTheChain) {
  const FrontEndLink link = transmit(1, 4, McsTable::qam64, 12, 3);
  ASSERT_EQ(link.pusch.modulation_order(), 4U);
  std::mt19937 rng(4);
  std::vector<cf32> signature(4);
  for (auto& g : signature) {
    g = complex_normal(rng, 1.0F);
  }
  const ResourceGrid grid = receive(link, 0.01F, 5, signature, 3.0F);
  const BitVector codeword = scrambled_codeword(link.tb, link.cell, link.pusch);
  std::vector<float> llrs(codeword.size());
  PuschFrontEnd front_end({4, 1, 24});
  PuschFrontEndOptions options;
  options.equalizer = EqualizerAlgorithm::mmse;
  const PuschMeasurements mmse =
      front_end.process(grid, link.cell, link.pusch, link.slot, options, llrs);
  const std::size_t mmse_errors = bit_errors(llrs, codeword);
  options.equalizer = EqualizerAlgorithm::mmse_irc;
  options.estimator.covariance_group_prbs = 0; // one covariance for the allocation
  const PuschMeasurements irc =
      front_end.process(grid, link.cell, link.pusch, link.slot, options, llrs);
  const std::size_t irc_errors = bit_errors(llrs, codeword);
  std::cout << "raw bit errors: MMSE " << mmse_errors << ", MMSE-IRC " << irc_errors << " of "
            << codeword.size() << "; post-eq SINR " << mmse.post_eq_sinr_db << " / "
            << irc.post_eq_sinr_db << " dB; EVM SINR " << -20.0 * std::log10(mmse.evm) << " / "
            << -20.0 * std::log10(irc.evm) << " dB\n";
  EXPECT_LT(irc_errors * 10, mmse_errors);
  EXPECT_GT(irc.post_eq_sinr_db, mmse.post_eq_sinr_db + 6.0F);
  // Per-PRB-group covariances work too.
  options.estimator.covariance_group_prbs = 4;
  front_end.process(grid, link.cell, link.pusch, link.slot, options, llrs);
  EXPECT_LT(bit_errors(llrs, codeword) * 10, mmse_errors);
}

TEST(PuschFrontEnd, ProcessDoesNotAllocate) {
  const FrontEndLink link = transmit(2, 4, McsTable::qam64, 20, 6);
  const ResourceGrid grid = receive(link, 0.001F, 7);
  std::vector<float> llrs(pusch_coded_bits(link.cell, link.pusch));
  PuschFrontEnd front_end({4, 4, 275});
  for (EqualizerAlgorithm algorithm :
       {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse, EqualizerAlgorithm::mmse_irc}) {
    PuschFrontEndOptions options;
    options.equalizer = algorithm;
    front_end.process(grid, link.cell, link.pusch, link.slot, options, llrs); // warm-up
    const long before = airan::test::allocation_count();
    front_end.process(grid, link.cell, link.pusch, link.slot, options, llrs);
    const long after = airan::test::allocation_count();
    EXPECT_EQ(after - before, 0) << "equalizer " << static_cast<int>(algorithm);
  }
}

TEST(PuschFrontEnd, StagesAndInputChecks) {
  const FrontEndLink link = transmit(2, 2, McsTable::qam64, 5, 8);
  const ResourceGrid grid = receive(link, 0.0001F, 9);
  const std::size_t g = pusch_coded_bits(link.cell, link.pusch);
  PuschFrontEnd front_end({2, 2, 24});
  PuschFrontEndOptions options;
  std::vector<float> llrs(g);
  std::vector<float> short_llrs(g - 1);
  EXPECT_THROW(front_end.process(grid, link.cell, link.pusch, link.slot, options, short_llrs),
               std::invalid_argument);
  // The stages one by one give the same LLRs as process().
  front_end.estimate_channel(grid, link.cell, link.pusch, link.slot, options);
  front_end.equalize(grid, link.cell, link.pusch, options);
  EXPECT_EQ(front_end.equalized_symbols().size(), g / link.pusch.modulation_order());
  front_end.demap(link.pusch, llrs);
  std::vector<float> chained(g);
  front_end.process(grid, link.cell, link.pusch, link.slot, options, chained);
  EXPECT_EQ(llrs, chained);
  const BitVector codeword = scrambled_codeword(link.tb, link.cell, link.pusch);
  EXPECT_EQ(bit_errors(llrs, codeword), 0U);
  // An estimate of another PDU shape is refused by equalize().
  PuschConfig smaller = link.pusch;
  smaller.prb_size = 12;
  EXPECT_THROW(front_end.equalize(grid, link.cell, smaller, options), std::invalid_argument);
  const ResourceGrid too_many(3, 14, 288);
  EXPECT_THROW(front_end.process(too_many, link.cell, link.pusch, link.slot, options, llrs),
               std::invalid_argument);
  EXPECT_THROW(PuschFrontEnd({17, 1, 1}), std::invalid_argument);
}

} // namespace
} // namespace airan::phy
