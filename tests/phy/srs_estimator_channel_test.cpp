// SrsEstimator through a TR 38.901 TDL channel (per-PRB channel NMSE at 20 dB against the true
// response, the timing offset) and with frequency hopping over 2 and 4 symbols (each symbol's
// PRB SNR row and the channel on the PRBs of its hop).
#include "airan/phy/channel_response.h"
#include "airan/phy/srs_estimator.h"
#include "airan/phy/tdl_channel.h"

#include "../support/tdl_test_helpers.h"
#include "srs_test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <set>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::test;

/// NMSE in dB of the per-PRB channel of every port against \p response averaged over the port's
/// REs of each PRB and the SRS symbols.
double srs_tdl_nmse(const CellConfig& cell, const SrsConfig& srs, const SrsEstimatorResult& result,
                    const ChannelResponse& response) {
  double error = 0.0;
  double power = 0.0;
  const unsigned res = 12 / srs.comb_size;
  for (unsigned p = 0; p < srs.num_ports; ++p) {
    const unsigned k0 = srs_first_subcarrier(srs, cell, p, 0);
    for (unsigned rx = 0; rx < result.num_rx_antennas; ++rx) {
      for (unsigned i = 0; i < srs.num_prbs(); ++i) {
        std::complex<double> truth(0.0, 0.0);
        for (unsigned l = 0; l < srs.num_symbols; ++l) {
          const std::span<const cf32> h = response.at(rx, p, srs.start_symbol + l);
          for (unsigned t = 0; t < res; ++t) {
            truth += std::complex<double>(h[k0 + 12 * i + srs.comb_size * t]);
          }
        }
        truth /= static_cast<double>(res * srs.num_symbols);
        const unsigned prb = k0 / 12 - srs.bwp_start + i;
        error += std::norm(std::complex<double>(result.channel_at(rx, p, prb)) - truth);
        power += std::norm(truth);
      }
    }
  }
  return 10.0 * std::log10(error / power);
}

TEST(SrsEstimatorChannel, TdlChannelPerPrbAt20Db) {
  const CellConfig cell = srs_test_cell(52);
  const Numerology numerology = Numerology::for_carrier(1, CyclicPrefix::normal, 52);
  struct Case {
    const char* profile;
    double spread_s;
    unsigned comb, ports;
    double max_nmse_db;
  };
  for (const Case& c : {Case{"TDL-C", 300e-9, 2, 1, -20.0}, Case{"TDL-A", 30e-9, 2, 2, -20.0},
                        Case{"TDL-B", 100e-9, 4, 2, -15.0}, Case{"TDL-A", 30e-9, 2, 4, -15.0}}) {
    SrsConfig srs = srs_test_config(cell, 12, c.comb, c.ports, 2); // 48 PRBs
    srs.frequency_shift = 2;
    const ResourceGrid tx = srs_transmit(cell, 0, 5, srs);
    TdlChannelConfig config = make_tdl_config(c.profile, c.spread_s, 4, c.ports);
    config.timing_offset_s = 0.3e-6;
    TdlChannel channel(config, numerology, 52, 31);
    ResourceGrid rx(4, 14, 12 * 52);
    channel.apply_frequency_domain(tx, 0.0, 5, rx);
    AwgnGenerator(8).add(rx, 0.01F); // 20 dB: unit received power per RE and antenna
    ChannelResponse response;
    channel.frequency_response(0.0, 5, response);

    SrsEstimator estimator(cell, 4);
    SrsEstimatorResult result;
    estimator.process(rx, 0, 5, srs, result);
    ASSERT_EQ(result.error, "");
    EXPECT_LT(srs_tdl_nmse(cell, srs, result, response), c.max_nmse_db)
        << c.profile << " comb " << c.comb << " ports " << c.ports;
    EXPECT_NEAR(result.wideband_snr_db, 20.0, 3.0) << c.profile << " ports " << c.ports;
    // The timing offset plus (about) the profile's mean delay.
    double mean_delay = 0.0;
    for (const TdlTap& tap : config.profile.taps) {
      mean_delay += tap.power * tap.delay_s;
    }
    EXPECT_NEAR(result.delay_s, 0.3e-6 + mean_delay, 0.25e-6) << c.profile;
  }
}

/// A noiseless channel through the hopping SRS \p srs (hops of 8 PRBs from CRB 10): every
/// symbol's SNR row covers exactly the PRBs of its hop, and the channel is the truth on their
/// union. The truth is a unit-modulus gain per CRB (one port), or per hop and port (several:
/// their separation assumes a channel flat over 2 or 4 PRBs).
void srs_check_hopping(const SrsConfig& srs, unsigned sfn, unsigned slot) {
  const CellConfig cell = srs_test_cell(52);
  ASSERT_EQ(srs.validate(cell), "");
  std::mt19937 rng(slot);
  std::uniform_real_distribution<float> angle(0.0F, 6.2831853F);
  // [rx][port][CRB or hop start]: 64 a row, as hop starts round up to 56 on the last PRBs.
  std::vector<cf32> gains(std::size_t{2} * 4 * 64);
  for (cf32& g : gains) {
    g = std::polar(1.0F, angle(rng));
  }
  const auto h = [&](unsigned rx, unsigned port, unsigned k) {
    const unsigned crb = srs.num_ports == 1 ? k / 12 : (k / 12 + 6) / 8 * 8;
    return gains[(rx * 4 + port) * 64 + crb];
  };
  const ResourceGrid rx = srs_receive(srs_transmit(cell, sfn, slot, srs), 2, h);
  SrsEstimator estimator(cell, 2);
  SrsEstimatorResult result;
  estimator.process(rx, sfn, slot, srs, result);
  ASSERT_EQ(result.error, "");
  std::set<unsigned> sounded;
  std::set<unsigned> hops;
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    const unsigned n_srs = srs_hopping_counter(srs, 20, sfn, slot, l);
    hops.insert(n_srs % srs_hopping_period(srs));
    const unsigned first = srs_first_crb(srs, n_srs) - srs.bwp_start;
    for (unsigned prb = 0; prb < 52; ++prb) {
      const bool in_hop = prb >= first && prb < first + srs.num_prbs();
      EXPECT_EQ(std::isnan(result.prb_snr(l, prb)), !in_hop) << "symbol " << l << " PRB " << prb;
      if (in_hop) {
        sounded.insert(prb);
      }
    }
  }
  EXPECT_EQ(hops.size(), srs.num_symbols / srs.repetition);
  EXPECT_EQ(sounded.size(), hops.size() * srs.num_prbs());
  for (unsigned r = 0; r < 2; ++r) {
    for (unsigned p = 0; p < srs.num_ports; ++p) {
      for (unsigned prb = 0; prb < 52; ++prb) {
        const cf32 truth = sounded.contains(prb) ? h(r, p, 12 * prb) : cf32(0.0F, 0.0F);
        EXPECT_LE(std::abs(result.channel_at(r, p, prb) - truth), 1e-4F)
            << "rx " << r << " port " << p << " PRB " << prb;
      }
    }
  }
}

TEST(SrsEstimatorChannel, HoppingOverTwoAndFourSymbolsFillsEachSymbolsPrbs) {
  const CellConfig cell = srs_test_cell(52);
  SrsConfig srs = srs_test_config(cell, 9, 2, 1, 4); // 32 PRBs in hops of 8 (B_SRS = 2)
  srs.b_srs = 2;
  srs.hopping_bandwidth = 0;
  srs.frequency_shift = 10;
  srs_check_hopping(srs, 0, 4); // 4 hops: the 32 PRBs
  srs.repetition = 2;           // 2 hops, each on 2 symbols
  srs_check_hopping(srs, 0, 4);
  srs.repetition = 1;
  srs.num_symbols = 2;
  srs.start_symbol = 12;
  srs.resource_type = SrsResourceType::periodic;
  srs.periodicity = 5;
  srs.slot_offset = 1;
  srs_check_hopping(srs, 3, 16); // occasion 13: n_SRS = 26, 27
  srs.num_symbols = 4;           // 4 ports on comb 4, group hopping
  srs.start_symbol = 10;
  srs.comb_size = 4;
  srs.num_ports = 4;
  srs.cyclic_shift = 2;
  srs.group_or_sequence_hopping = SrsHopping::group;
  srs_check_hopping(srs, 3, 16);
}

} // namespace
