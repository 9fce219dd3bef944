// SrsEstimator beside other UEs' SRSs on the same comb, symbols, PRBs and base sequence, told
// apart only by cyclic shift (TS 38.211 6.4.1.4.2), each UE estimated with the others' ports from
// srs_co_scheduled_ports(): two 1-port UEs on comb 2 (n_cs 0 and 4) with random per-PRB channels
// and their own delays (and the same case without the foreign list, visibly wrong); three UEs on
// comb 4 (n_cs 0, 3, 7: P = 12); a 2-port UE beside a 1-port UE on comb 2; a 4-port UE split
// over both combs beside a UE on one; two UEs on 4 PRBs of comb 4 (noise from the empty bins).
// Then srs_co_scheduled_ports() itself, collisions and bad foreign ports, and no allocation.
#include "airan/phy/srs_estimator.h"

#include "../support/allocation_counter.h"
#include "srs_test_helpers.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <complex>
#include <functional>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::test;

constexpr double srs_mux_scs_hz = 30e3;
constexpr unsigned srs_mux_num_rx = 4;
constexpr unsigned srs_mux_sfn = 1;
constexpr unsigned srs_mux_slot = 6;

using SrsMuxChannel = std::function<cf32(unsigned rx, unsigned port, unsigned k)>;

/// One UE of a case: its PDU and its channel, a random gain per receive antenna, port and group
/// of flat_prbs CRBs, turned by its delay.
struct SrsMuxUe {
  SrsConfig srs;
  double delay_s = 0.0;
  unsigned flat_prbs = 1;
  unsigned seed = 1;
};

SrsMuxChannel srs_mux_channel(const CellConfig& cell, const SrsMuxUe& ue) {
  const unsigned groups = (cell.num_prbs + ue.flat_prbs - 1) / ue.flat_prbs;
  const unsigned ports = ue.srs.num_ports;
  std::vector<cf32> gains = srs_random_gains(std::size_t{srs_mux_num_rx} * ports * groups, ue.seed);
  return [gains = std::move(gains), groups, ports, ue](unsigned rx, unsigned p, unsigned k) {
    const double phase = -2.0 * std::numbers::pi * srs_mux_scs_hz * ue.delay_s * k;
    const auto turn = static_cast<std::complex<float>>(std::polar(1.0, phase));
    return gains[(rx * ports + p) * groups + k / (12 * ue.flat_prbs)] * turn;
  };
}

/// Every UE's SRS through its channel, summed, plus AWGN of \p noise.
ResourceGrid srs_mux_receive(const CellConfig& cell, const std::vector<SrsMuxUe>& ues,
                             const std::vector<SrsMuxChannel>& channels, float noise) {
  ResourceGrid rx(srs_mux_num_rx, 14, 12 * cell.num_prbs);
  for (std::size_t u = 0; u < ues.size(); ++u) {
    const ResourceGrid part = srs_receive(srs_transmit(cell, srs_mux_sfn, srs_mux_slot, ues[u].srs),
                                          srs_mux_num_rx, channels[u]);
    for (std::size_t i = 0; i < rx.size(); ++i) {
      rx.elements()[i] += part.elements()[i];
    }
  }
  AwgnGenerator(17).add(rx, noise);
  return rx;
}

/// +-1 / (2 K_TC L delta_f): L the lcm over the PDU's combs of n_max / gcd(n_max, every shift
/// difference on the comb, its ports' and \p others').
double srs_mux_range_s(const SrsConfig& srs, std::span<const SrsForeignPort> others) {
  const unsigned n_max = srs.max_cyclic_shifts();
  unsigned lag = 1;
  for (unsigned p = 0; p < srs.num_ports; ++p) {
    const unsigned comb = srs.port_comb(p);
    const unsigned first = srs.port_cyclic_shift(p);
    unsigned divisor = n_max;
    for (unsigned q = 0; q < srs.num_ports; ++q) {
      if (srs.port_comb(q) == comb) {
        divisor = std::gcd(divisor, (srs.port_cyclic_shift(q) + n_max - first) % n_max);
      }
    }
    for (const SrsForeignPort& other : others) {
      if (other.comb == comb) {
        divisor = std::gcd(divisor, (other.cyclic_shift + n_max - first) % n_max);
      }
    }
    lag = std::lcm(lag, n_max / divisor);
  }
  return 1.0 / (2.0 * srs.comb_size * lag * srs_mux_scs_hz);
}

/// What each UE's estimate got right and wrong.
struct SrsMuxOutcome {
  std::vector<SrsForeignPort> others;
  SrsEstimatorResult result;
  std::vector<double> nmse_db;
  double true_snr_db = 0.0;
  double range_s = 0.0;
};

/// Each UE of \p ues estimated from their sum, told the others' ports (none when \p with_others
/// is false).
std::vector<SrsMuxOutcome> srs_mux_estimate(const CellConfig& cell,
                                            const std::vector<SrsMuxUe>& ues, float noise,
                                            bool with_others = true) {
  std::vector<SrsMuxChannel> channels;
  std::vector<SrsConfig> pdus;
  for (const SrsMuxUe& ue : ues) {
    channels.push_back(srs_mux_channel(cell, ue));
    pdus.push_back(ue.srs);
  }
  const ResourceGrid rx = srs_mux_receive(cell, ues, channels, noise);
  SrsEstimator estimator(cell, srs_mux_num_rx);
  std::vector<SrsMuxOutcome> outcomes(ues.size());
  for (std::size_t u = 0; u < ues.size(); ++u) {
    SrsMuxOutcome& outcome = outcomes[u];
    std::array<SrsForeignPort, SrsForeignPort::max_per_pdu> listed{};
    const std::size_t found =
        srs_co_scheduled_ports(pdus[u], pdus, 14, srs_mux_sfn, srs_mux_slot, 20, cell, listed);
    if (with_others) {
      outcome.others.assign(listed.begin(), listed.begin() + static_cast<std::ptrdiff_t>(found));
    }
    estimator.process(rx, srs_mux_sfn, srs_mux_slot, pdus[u], outcome.result, outcome.others);
    outcome.nmse_db = srs_port_nmse(cell, pdus[u], outcome.result, channels[u]);
    outcome.true_snr_db = srs_true_snr_db(cell, pdus[u], srs_mux_num_rx, channels[u], noise);
    outcome.range_s = srs_mux_range_s(pdus[u], outcome.others);
  }
  return outcomes;
}

/// Every UE's channel within \p max_nmse_db of the truth, its delay within max(2 % of the
/// range, 10 ns) and its wideband SNR within 1 dB of its own.
void srs_mux_expect_recovered(const CellConfig& cell, const std::vector<SrsMuxUe>& ues, float noise,
                              double max_nmse_db = -25.0) {
  const std::vector<SrsMuxOutcome> outcomes = srs_mux_estimate(cell, ues, noise);
  for (std::size_t u = 0; u < ues.size(); ++u) {
    const SrsMuxOutcome& outcome = outcomes[u];
    SCOPED_TRACE(testing::Message() << "UE " << u << " (n_cs " << ues[u].srs.cyclic_shift << ", "
                                    << ues[u].srs.num_ports << " ports), " << outcome.others.size()
                                    << " foreign ports");
    ASSERT_EQ(outcome.result.error, "");
    EXPECT_FALSE(outcome.others.empty());
    for (unsigned p = 0; p < ues[u].srs.num_ports; ++p) {
      EXPECT_LT(outcome.nmse_db[p], max_nmse_db) << "port " << p;
    }
    EXPECT_NEAR(outcome.result.delay_s, ues[u].delay_s, std::max(0.02 * outcome.range_s, 10e-9))
        << "range +-" << outcome.range_s;
    EXPECT_NEAR(outcome.result.wideband_snr_db, outcome.true_snr_db, 1.0)
        << "noise " << outcome.result.noise_variance << " rsrp " << outcome.result.rsrp;
  }
}

/// srs_test_config() on 48 PRBs of a 52-PRB carrier with n_SRS^cs \p cyclic_shift and RNTI
/// \p rnti.
SrsConfig srs_mux_config(const CellConfig& cell, unsigned comb, unsigned ports,
                         unsigned cyclic_shift, std::uint16_t rnti) {
  SrsConfig srs = srs_test_config(cell, 12, comb, ports);
  srs.cyclic_shift = cyclic_shift;
  srs.rnti = rnti;
  return srs;
}

TEST(SrsEstimatorMultiplexing, TwoOnePortUesOnCombTwoNeedEachOthersShift) {
  const CellConfig cell = srs_test_cell(52);
  // Equal power, random per-PRB channels, delays 270 ns apart: P = 2, +-4.2 us.
  const std::vector<SrsMuxUe> ues = {{srs_mux_config(cell, 2, 1, 0, 1), 150e-9, 1, 3},
                                     {srs_mux_config(cell, 2, 1, 4, 2), -120e-9, 1, 4}};
  const float noise = 1e-3F; // 30 dB per UE
  srs_mux_expect_recovered(cell, ues, noise);
  const std::vector<SrsMuxOutcome> told = srs_mux_estimate(cell, ues, noise);
  for (const SrsMuxOutcome& outcome : told) {
    ASSERT_EQ(outcome.others.size(), 1U);
    EXPECT_NEAR(outcome.result.noise_variance / noise, 1.0, 0.1);
    double mean_db = 0.0;
    for (unsigned prb = 0; prb < 48; ++prb) {
      mean_db += outcome.result.prb_snr(0, prb) / 48.0;
    }
    EXPECT_NEAR(mean_db, outcome.true_snr_db, 1.0);
  }

  // Without the foreign list the other UE is noise (second differences of an alternating sign:
  // 16 / 6 of its power), the SNR is some 30 dB off and the lag-1 timing mixes +|h_0|^2 with
  // -|h_4|^2 (here about 1 and 7 us off).
  const std::vector<SrsMuxOutcome> blind = srs_mux_estimate(cell, ues, noise, false);
  for (std::size_t u = 0; u < blind.size(); ++u) {
    const SrsEstimatorResult& result = blind[u].result;
    ASSERT_EQ(result.error, "");
    EXPECT_GT(result.noise_variance, 100.0F * noise) << "UE " << u;
    EXPECT_GT(std::abs(result.wideband_snr_db - blind[u].true_snr_db), 20.0) << "UE " << u;
    EXPECT_GT(std::abs(result.delay_s - ues[u].delay_s), 0.5e-6) << "UE " << u;
  }
}

TEST(SrsEstimatorMultiplexing, ThreeUesOnCombFourWithPeriodTwelve) {
  const CellConfig cell = srs_test_cell(52);
  // n_cs 0, 3, 7 of 12: P = 12, blocks of 4 PRBs, +-347 ns. Flat channels (the noise comes
  // from second differences along the whole symbol) and delays a few ns apart (a UE 15 ns off
  // the comb's mean leaks -30 dB of its power over a block of 12 REs).
  const std::vector<SrsMuxUe> ues = {{srs_mux_config(cell, 4, 1, 0, 1), 0.0, 52, 5},
                                     {srs_mux_config(cell, 4, 1, 3, 2), 15e-9, 52, 6},
                                     {srs_mux_config(cell, 4, 1, 7, 3), -12e-9, 52, 7}};
  srs_mux_expect_recovered(cell, ues, 1e-3F);
}

TEST(SrsEstimatorMultiplexing, TwoPortUeBesideOnePortUeOnCombTwo) {
  const CellConfig cell = srs_test_cell(52);
  // Shifts 0 and 4 (2-port UE) and 2: P = 4, blocks of 2 PRBs over which the channel is flat.
  const std::vector<SrsMuxUe> ues = {{srs_mux_config(cell, 2, 2, 0, 1), 20e-9, 2, 8},
                                     {srs_mux_config(cell, 2, 1, 2, 2), -25e-9, 2, 9}};
  srs_mux_expect_recovered(cell, ues, 1e-3F);
}

TEST(SrsEstimatorMultiplexing, SplitFourPortUeBesideAUeOnOneOfItsCombs) {
  const CellConfig cell = srs_test_cell(52);
  // n_cs 4 of 8 with 4 ports: ports 0 and 2 (n_cs 4, 0) on comb 0, 1 and 3 (6, 2) on comb 1. The
  // 1-port UE on comb 0 at n_cs 2 makes P = 4 there (blocks of 2 PRBs), comb 1 keeps P = 2.
  const std::vector<SrsMuxUe> ues = {{srs_mux_config(cell, 2, 4, 4, 1), 30e-9, 2, 10},
                                     {srs_mux_config(cell, 2, 1, 2, 2), -20e-9, 2, 11}};
  ASSERT_EQ(ues[0].srs.port_comb(1), 1U);
  srs_mux_expect_recovered(cell, ues, 1e-3F);
}

TEST(SrsEstimatorMultiplexing, PeriodsThreeAndSixOnCombFour) {
  const CellConfig cell = srs_test_cell(52);
  // n_cs 0 and 4 of 12: P = 3, blocks of 1 PRB, random per-PRB gains would break the second
  // differences along the symbol (3 PRBs), so flat ones.
  srs_mux_expect_recovered(cell,
                           {{srs_mux_config(cell, 4, 1, 0, 1), 40e-9, 52, 12},
                            {srs_mux_config(cell, 4, 1, 4, 2), -30e-9, 52, 13}},
                           1e-3F);
  // n_cs 1 and 3: P = 6, blocks of 2 PRBs.
  srs_mux_expect_recovered(cell,
                           {{srs_mux_config(cell, 4, 1, 1, 1), 20e-9, 52, 14},
                            {srs_mux_config(cell, 4, 1, 3, 2), -10e-9, 52, 15}},
                           1e-3F);
}

TEST(SrsEstimatorMultiplexing, FourPrbsOfCombFourTakeTheNoiseFromTheEmptyBins) {
  const CellConfig cell = srs_test_cell(52);
  // C_SRS 0: 4 PRBs, M = 12 REs per symbol; n_cs 0 and 2 of 12: P = 6 > M / 3, so the noise comes
  // from the 4 bins of no shift in each block of 6 REs (4 symbols for enough of them).
  std::vector<SrsMuxUe> ues;
  for (unsigned u = 0; u < 2; ++u) {
    SrsConfig srs = srs_test_config(cell, 0, 4, 1, 4);
    srs.frequency_shift = 20;
    srs.cyclic_shift = 2 * u;
    srs.rnti = static_cast<std::uint16_t>(u + 1);
    ues.push_back({srs, u == 0 ? 5e-9 : -5e-9, 52, 16 + u});
  }
  const float noise = 1e-2F; // 20 dB
  const std::vector<SrsMuxOutcome> outcomes = srs_mux_estimate(cell, ues, noise);
  for (const SrsMuxOutcome& outcome : outcomes) {
    ASSERT_EQ(outcome.result.error, "");
    EXPECT_NEAR(outcome.result.noise_variance / noise, 1.0, 0.25);
    EXPECT_NEAR(outcome.result.wideband_snr_db, outcome.true_snr_db, 1.5);
    EXPECT_LT(outcome.nmse_db[0], -15.0);
  }
}

TEST(SrsEstimatorMultiplexing, CoScheduledPortsListOnlyCyclicShiftsOfTheSameSrs) {
  const CellConfig cell = srs_test_cell(52);
  const SrsConfig own = srs_mux_config(cell, 2, 1, 0, 1);
  std::vector<SrsConfig> pdus(12, own);
  pdus[1].cyclic_shift = 4; // listed: (0, 4)
  pdus[2].num_ports = 2;    // n_cs 2, 6: listed (0, 2), (0, 6)
  pdus[2].cyclic_shift = 2;
  pdus[3].comb_offset = 1; // another comb
  pdus[3].cyclic_shift = 5;
  pdus[4].start_symbol = 12; // other symbols
  pdus[4].cyclic_shift = 1;
  pdus[5].frequency_shift = 4; // other PRBs
  pdus[5].cyclic_shift = 1;
  pdus[6].sequence_id = 322; // another base sequence
  pdus[6].cyclic_shift = 1;
  pdus[7].sequence_id = 321 + 30; // the same u = n_ID mod 30 without hopping: listed (0, 3)
  pdus[7].cyclic_shift = 3;
  pdus[8].num_ports = 2; // n_cs 0 (a collision: not listed) and 4 (listed already)
  pdus[9].num_ports = 4; // n_cs 5, 7, 1, 3 split over combs 0 and 1: listed (0, 5), (0, 1)
  pdus[9].cyclic_shift = 5;
  pdus[10].c_srs = 13 + 50; // invalid (272 PRBs in a BWP of 52)
  pdus[10].cyclic_shift = 7;
  // pdus[11] is a copy of own: every port collides.
  std::array<SrsForeignPort, SrsForeignPort::max_per_pdu> out{};
  const std::size_t found =
      srs_co_scheduled_ports(pdus[0], pdus, 14, srs_mux_sfn, srs_mux_slot, 20, cell, out);
  const std::vector<SrsForeignPort> expected = {{0, 4}, {0, 2}, {0, 6}, {0, 3}, {0, 5}, {0, 1}};
  ASSERT_EQ(found, expected.size());
  for (std::size_t i = 0; i < found; ++i) {
    EXPECT_EQ(out[i], expected[i]) << i << ": " << out[i].comb << ", " << out[i].cyclic_shift;
  }
  // The PDU itself by address; a span too short gets the first ports and the count.
  std::array<SrsForeignPort, 2> short_out{};
  EXPECT_EQ(srs_co_scheduled_ports(own, pdus, 14, srs_mux_sfn, srs_mux_slot, 20, cell, short_out),
            expected.size());
  EXPECT_EQ(short_out[1], expected[1]);
  EXPECT_EQ(srs_co_scheduled_ports(pdus[0], std::span(pdus).first(1), 14, srs_mux_sfn, srs_mux_slot,
                                   20, cell, out),
            0U);
  SrsConfig invalid = own;
  invalid.comb_size = 3;
  EXPECT_EQ(srs_co_scheduled_ports(invalid, pdus, 14, srs_mux_sfn, srs_mux_slot, 20, cell, out),
            0U);
  // The split 4-port PDU (combs 0 and 1) sees the 1-port PDU on comb 1 too.
  const std::vector<SrsForeignPort> split_expected = {{0, 0}, {0, 4}, {0, 2},
                                                      {0, 6}, {1, 5}, {0, 3}};
  ASSERT_EQ(srs_co_scheduled_ports(pdus[9], pdus, 14, srs_mux_sfn, srs_mux_slot, 20, cell, out),
            split_expected.size());
  for (std::size_t i = 0; i < split_expected.size(); ++i) {
    EXPECT_EQ(out[i], split_expected[i]) << i;
  }
}

TEST(SrsEstimatorMultiplexing, CoScheduledPortsFollowEachPdusOwnHoppingCounter) {
  const CellConfig cell = srs_test_cell(52);
  // Hops of 8 PRBs over 32, periodic every 5 slots from offsets 0 and 1: in slot 5 n_SRS is 1
  // and 0 (other PRBs), in slot 6 both 1.
  SrsConfig first = srs_test_config(cell, 9, 2, 1);
  first.b_srs = 2;
  first.hopping_bandwidth = 0;
  first.frequency_shift = 10;
  first.resource_type = SrsResourceType::periodic;
  first.periodicity = 5;
  SrsConfig second = first;
  second.slot_offset = 1;
  second.cyclic_shift = 4;
  ASSERT_EQ(second.validate(cell), "");
  const std::vector<SrsConfig> pdus = {first, second};
  std::array<SrsForeignPort, SrsForeignPort::max_per_pdu> out{};
  EXPECT_EQ(srs_co_scheduled_ports(pdus[0], pdus, 14, 0, 5, 20, cell, out), 0U);
  ASSERT_EQ(srs_co_scheduled_ports(pdus[0], pdus, 14, 0, 6, 20, cell, out), 1U);
  EXPECT_EQ(out[0], (SrsForeignPort{0, 4}));
}

TEST(SrsEstimatorMultiplexing, CollisionsAndOtherCombsChangeNothingAndBadPortsAreRefused) {
  const CellConfig cell = srs_test_cell(52);
  std::vector<SrsMuxUe> ues = {{srs_mux_config(cell, 2, 1, 0, 1), 0.0, 1, 20},
                               {srs_mux_config(cell, 2, 1, 0, 2), 0.0, 1, 21}};
  std::vector<SrsMuxChannel> channels = {srs_mux_channel(cell, ues[0]),
                                         srs_mux_channel(cell, ues[1])};
  const ResourceGrid rx = srs_mux_receive(cell, ues, channels, 1e-3F);
  SrsEstimator estimator(cell, srs_mux_num_rx);
  SrsEstimatorResult alone;
  estimator.process(rx, srs_mux_sfn, srs_mux_slot, ues[0].srs, alone);
  // Both UEs on n_cs 0: the estimate is the sum of their channels (the documented collision).
  const auto both = [&](unsigned r, unsigned p, unsigned k) {
    return channels[0](r, p, k) + channels[1](r, p, k);
  };
  EXPECT_LT(srs_port_nmse(cell, ues[0].srs, alone, both)[0], -25.0);
  for (const std::vector<SrsForeignPort>& others :
       {std::vector<SrsForeignPort>{{0, 0}}, std::vector<SrsForeignPort>{{1, 3}, {1, 4}}}) {
    SrsEstimatorResult told;
    estimator.process(rx, srs_mux_sfn, srs_mux_slot, ues[0].srs, told, others);
    ASSERT_EQ(told.error, "");
    EXPECT_EQ(told.channel, alone.channel);
    EXPECT_EQ(told.delay_s, alone.delay_s);
    EXPECT_EQ(told.noise_variance, alone.noise_variance);
    EXPECT_EQ(told.rsrp, alone.rsrp);
  }
  SrsEstimatorResult refused;
  estimator.process(rx, srs_mux_sfn, srs_mux_slot, ues[0].srs, refused, {{{0, 8}}});
  EXPECT_NE(refused.error.find("out of range for comb size 2"), std::string::npos) << refused.error;
  estimator.process(rx, srs_mux_sfn, srs_mux_slot, ues[0].srs, refused, {{{2, 1}}});
  EXPECT_NE(refused.error.find("comb 2"), std::string::npos) << refused.error;
}

TEST(SrsEstimatorMultiplexing, ProcessWithForeignPortsDoesNotAllocate) {
  const CellConfig cell = srs_test_cell(273);
  SrsConfig split = srs_test_config(cell, 63, 2, 4, 4); // 272 PRBs, 4 symbols, both combs
  split.cyclic_shift = 4;
  SrsConfig twelve = srs_test_config(cell, 63, 4, 1, 4);
  twelve.cyclic_shift = 3;
  const ResourceGrid tx = srs_transmit(cell, 0, 9, split);
  const ResourceGrid rx =
      srs_receive(tx, 4, [](unsigned, unsigned, unsigned) { return cf32(0.5F, 0.5F); });
  const std::array<SrsForeignPort, 3> split_others = {{{0, 2}, {1, 1}, {1, 0}}};
  const std::array<SrsForeignPort, 2> twelve_others = {{{0, 0}, {0, 7}}};
  SrsEstimator estimator(cell, 4);
  SrsEstimatorResult result;
  estimator.process(rx, 0, 9, split, result, split_others); // sizes result.channel for any PDU
  ASSERT_EQ(result.error, "");
  const long before = allocation_count();
  estimator.process(rx, 0, 9, split, result, split_others);
  estimator.process(rx, 0, 9, twelve, result, twelve_others);
  EXPECT_EQ(allocation_count(), before);
  EXPECT_EQ(result.error, "");
}

} // namespace
