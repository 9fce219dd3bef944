// SrsEstimator on received grids: a noiseless per-PRB channel recovered exactly (one port, both
// combs, a cyclic shift), the noise and SNRs under AWGN at 0, 10 and 20 dB, 2 and 4 ports on
// comb 2 and 4 (with the 4-port comb split) separated at 30 dB, timing offsets of both signs
// inside the unambiguous range, the PDUs and grids it refuses, and a process() that does not
// allocate. Multipath and frequency hopping: srs_estimator_channel_test.cpp.
#include "airan/phy/srs_estimator.h"

#include "../support/allocation_counter.h"
#include "srs_test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::test;

constexpr double srs_test_scs_hz = 30e3;

TEST(SrsEstimator, NoiselessPerPrbChannelIsRecoveredExactly) {
  const CellConfig cell = srs_test_cell(52);
  const std::vector<cf32> gains = srs_random_gains(std::size_t{2} * 52, 3); // [rx][CRB]
  for (unsigned comb : {2U, 4U}) {
    SrsConfig srs = srs_test_config(cell, 12, comb, 1, 2); // 48 PRBs
    srs.frequency_shift = 2;
    srs.comb_offset = comb - 1;
    srs.cyclic_shift = comb == 2 ? 3 : 7;
    const ResourceGrid tx = srs_transmit(cell, 0, 3, srs);
    const auto h = [&](unsigned rx, unsigned, unsigned k) { return gains[rx * 52 + k / 12]; };
    const ResourceGrid rx = srs_receive(tx, 2, h);
    SrsEstimator estimator(cell, 2);
    SrsEstimatorResult result;
    estimator.process(rx, 0, 3, srs, result);
    ASSERT_EQ(result.error, "");
    EXPECT_EQ(result.num_rx_antennas, 2U);
    EXPECT_EQ(result.num_ports, 1U);
    EXPECT_EQ(result.bwp_size, 52U);
    EXPECT_EQ(result.num_symbols, 2U);
    EXPECT_GE(result.wideband_snr_db, 60.0F);
    for (unsigned prb = 0; prb < 52; ++prb) {
      const bool sounded = prb >= 2 && prb < 50;
      for (unsigned r = 0; r < 2; ++r) {
        const cf32 truth = sounded ? gains[r * 52 + prb] : cf32(0.0F, 0.0F);
        EXPECT_LE(std::abs(result.channel_at(r, 0, prb) - truth), 1e-4F * std::abs(truth))
            << "comb " << comb << " rx " << r << " PRB " << prb;
      }
      for (unsigned l = 0; l < 2; ++l) {
        EXPECT_EQ(std::isnan(result.prb_snr(l, prb)), !sounded) << "PRB " << prb;
        if (sounded) {
          EXPECT_GE(result.prb_snr(l, prb), 60.0F);
        }
      }
    }
  }
}

TEST(SrsEstimator, SnrAndNoiseUnderAwgnOnFourAntennas) {
  const CellConfig cell = srs_test_cell(106);
  SrsConfig srs = srs_test_config(cell, 25, 2, 1, 2); // 104 PRBs
  srs.frequency_shift = 1;
  const ResourceGrid tx = srs_transmit(cell, 0, 0, srs);
  const std::vector<cf32> gains = srs_random_gains(4, 9);
  const auto h = [&](unsigned rx, unsigned, unsigned) { return gains[rx] / std::abs(gains[rx]); };
  SrsEstimator estimator(cell, 4);
  SrsEstimatorResult result;
  for (double snr_db : {0.0, 10.0, 20.0}) {
    const auto noise = static_cast<float>(std::pow(10.0, -snr_db / 10.0));
    const ResourceGrid rx = srs_receive(tx, 4, h, noise, 5 + static_cast<unsigned>(snr_db));
    estimator.process(rx, 0, 0, srs, result);
    ASSERT_EQ(result.error, "");
    EXPECT_NEAR(result.wideband_snr_db, snr_db, 1.0) << snr_db << " dB";
    EXPECT_NEAR(result.noise_variance / noise, 1.0, 0.1) << snr_db << " dB";
    EXPECT_NEAR(result.rsrp, 1.0, 0.1) << snr_db << " dB";
    double sum = 0.0;
    unsigned count = 0;
    for (unsigned l = 0; l < 2; ++l) {
      for (unsigned prb = 1; prb < 105; ++prb) {
        sum += result.prb_snr(l, prb);
        ++count;
      }
      EXPECT_TRUE(std::isnan(result.prb_snr(l, 0)));
      EXPECT_TRUE(std::isnan(result.prb_snr(l, 105)));
    }
    EXPECT_NEAR(sum / count, snr_db, 1.5) << snr_db << " dB";
  }
}

/// The PDUs of the port separation and timing tests: comb, ports, n_SRS^cs.
struct SrsPortCase {
  unsigned comb;
  unsigned ports;
  unsigned cyclic_shift;
};
constexpr SrsPortCase srs_port_cases[] = {{2, 2, 1}, {2, 4, 2}, {2, 4, 5}, {4, 2, 4},
                                          {4, 4, 1}, {4, 4, 8}, {2, 1, 6}};

/// Every port's own gain per antenna, all delayed by \p delay_s.
auto srs_delayed_gains(const std::vector<cf32>& gains, unsigned ports, double delay_s) {
  return [&gains, ports, delay_s](unsigned rx, unsigned p, unsigned k) {
    const double phase = -2.0 * std::numbers::pi * srs_test_scs_hz * delay_s * k;
    const auto turn = static_cast<std::complex<float>>(std::polar(1.0, phase));
    return gains[rx * ports + p] * turn;
  };
}

TEST(SrsEstimator, PortsOfOneCombAreSeparatedAt30Db) {
  const CellConfig cell = srs_test_cell(52);
  for (const SrsPortCase& c : srs_port_cases) {
    SrsConfig srs = srs_test_config(cell, 12, c.comb, c.ports); // 48 PRBs
    srs.cyclic_shift = c.cyclic_shift;
    const ResourceGrid tx = srs_transmit(cell, 1, 6, srs);
    const std::vector<cf32> gains =
        srs_random_gains(std::size_t{4} * c.ports, 20 + c.ports + c.comb);
    const auto h = srs_delayed_gains(gains, c.ports, 150e-9);
    const ResourceGrid rx = srs_receive(tx, 4, h, 1e-3F, 77);
    SrsEstimator estimator(cell, 4);
    SrsEstimatorResult result;
    estimator.process(rx, 1, 6, srs, result);
    ASSERT_EQ(result.error, "");
    const std::vector<double> nmse = srs_port_nmse(cell, srs, result, h);
    for (unsigned p = 0; p < c.ports; ++p) {
      EXPECT_LT(nmse[p], -25.0) << "comb " << c.comb << " ports " << c.ports << " cs "
                                << c.cyclic_shift << " port " << p;
    }
    // Received SRS power per RE and antenna: sum_p |g|^2 / N_ap over the ports of the RE's comb
    // (half of them each when they split over two combs).
    const double combs = srs.port_comb(c.ports - 1) == srs.comb_offset ? 1.0 : 2.0;
    double power = 0.0;
    for (const cf32& g : gains) {
      power += std::norm(g) / (4.0 * c.ports * combs);
    }
    EXPECT_NEAR(result.wideband_snr_db, 10.0 * std::log10(power / 1e-3), 1.0)
        << "comb " << c.comb << " ports " << c.ports << " cs " << c.cyclic_shift << " delay "
        << result.delay_s;
  }
}

TEST(SrsEstimator, TimingOffsetInsideTheUnambiguousRange) {
  const CellConfig cell = srs_test_cell(52);
  for (const SrsPortCase& c : srs_port_cases) {
    SrsConfig srs = srs_test_config(cell, 12, c.comb, c.ports);
    srs.cyclic_shift = c.cyclic_shift;
    const unsigned per_comb = srs.port_comb(c.ports - 1) == srs.comb_offset ? c.ports : 2;
    // +-1 / (2 K_TC P delta_f).
    const double range_s = 1.0 / (2.0 * c.comb * per_comb * srs_test_scs_hz);
    const ResourceGrid tx = srs_transmit(cell, 0, 2, srs);
    const std::vector<cf32> gains = srs_random_gains(std::size_t{4} * c.ports, 40 + c.ports);
    SrsEstimator estimator(cell, 4);
    SrsEstimatorResult result;
    for (double fraction : {-0.9, -0.45, -0.1, 0.1, 0.45, 0.9}) {
      const double delay_s = fraction * range_s;
      const auto h = srs_delayed_gains(gains, c.ports, delay_s);
      const ResourceGrid rx = srs_receive(tx, 4, h, 3e-3F, 11);
      estimator.process(rx, 0, 2, srs, result);
      ASSERT_EQ(result.error, "");
      EXPECT_NEAR(result.delay_s, delay_s, std::max(0.02 * range_s, 10e-9))
          << "comb " << c.comb << " ports " << c.ports << " delay " << delay_s;
      if (std::abs(delay_s) > 0.5e-6) {
        continue; // the channel turns by more than 2 pi 12 delta_f 0.5 us = 1.1 rad over a PRB,
                  // whose mean (the reported channel) shrinks towards the noise
      }
      const std::vector<double> nmse = srs_port_nmse(cell, srs, result, h);
      for (unsigned p = 0; p < c.ports; ++p) {
        EXPECT_LT(nmse[p], -20.0) << "comb " << c.comb << " ports " << c.ports << " delay "
                                  << delay_s << " port " << p;
      }
    }
  }
}

TEST(SrsEstimator, InvalidPduGetsAnErrorAndWrongGridsThrow) {
  const CellConfig cell = srs_test_cell(52);
  SrsConfig srs = srs_test_config(cell, 12, 2, 2);
  const ResourceGrid tx = srs_transmit(cell, 0, 0, srs);
  const ResourceGrid rx =
      srs_receive(tx, 2, [](unsigned, unsigned, unsigned) { return cf32(1.0F, 0.0F); });
  SrsEstimator estimator(cell, 2);
  SrsEstimatorResult result;
  SrsConfig invalid = srs;
  invalid.c_srs = 13 + 50; // 272 PRBs in a BWP of 52
  EXPECT_NO_THROW(estimator.process(rx, 0, 0, invalid, result));
  EXPECT_NE(result.error.find("do not fit the BWP"), std::string::npos) << result.error;
  estimator.process(rx, 0, 0, srs, result);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.channel.size(), 2U * 2 * 52);

  const ResourceGrid three_antennas(3, 14, 12 * 52);
  EXPECT_THROW(estimator.process(three_antennas, 0, 0, srs, result), std::invalid_argument);
  const ResourceGrid narrow(2, 14, 12 * 51);
  EXPECT_THROW(estimator.process(narrow, 0, 0, srs, result), std::invalid_argument);
  EXPECT_THROW(SrsEstimator(cell, 0), std::invalid_argument);
  CellConfig bad_cell = cell;
  bad_cell.numerology = 7;
  EXPECT_THROW(SrsEstimator(bad_cell, 2), std::invalid_argument);
}

TEST(SrsEstimator, ProcessDoesNotAllocateOnceTheResultIsSized) {
  const CellConfig cell = srs_test_cell(273);
  SrsConfig wide = srs_test_config(cell, 63, 2, 1); // 272 PRBs
  SrsConfig hopping = srs_test_config(cell, 63, 4, 4, 4);
  hopping.b_srs = 2;
  hopping.hopping_bandwidth = 0;
  hopping.cyclic_shift = 9;
  hopping.group_or_sequence_hopping = SrsHopping::group;
  const ResourceGrid tx = srs_transmit(cell, 0, 9, wide);
  const ResourceGrid rx =
      srs_receive(tx, 4, [](unsigned, unsigned, unsigned) { return cf32(0.5F, 0.5F); });
  SrsEstimator estimator(cell, 4);
  SrsEstimatorResult result;
  estimator.process(rx, 0, 9, wide, result); // sizes result.channel for any PDU
  const long before = allocation_count();
  estimator.process(rx, 0, 9, hopping, result);
  estimator.process(rx, 0, 9, wide, result);
  EXPECT_EQ(allocation_count(), before);
  EXPECT_EQ(result.error, "");
}

} // namespace
