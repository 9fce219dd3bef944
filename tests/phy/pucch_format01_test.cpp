// PUCCH formats 0 and 1: transmit -> detect round trips, noise-only false alarms, detection in
// noise, multiplexed UEs and the receiver front door.
#include "../support/allocation_counter.h"

#include "airan/phy/awgn.h"
#include "airan/phy/pucch_receiver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

namespace airan::phy {
namespace {

const CellConfig pucch_cell{.num_prbs = 24, .numerology = 1, .n_cell_id = 301};

PucchConfig format0_pdu(unsigned harq_bits, unsigned sr_bits, unsigned symbols, bool hopping) {
  PucchConfig pucch;
  pucch.format = PucchFormat::format0;
  pucch.bwp_size = 24;
  pucch.prb_start = 3;
  pucch.start_symbol = 14 - symbols;
  pucch.num_symbols = symbols;
  pucch.intra_slot_hopping = hopping;
  pucch.second_hop_prb = 20;
  pucch.hopping_id = 301;
  pucch.group_hopping = PucchGroupHopping::enable;
  pucch.initial_cyclic_shift = 2;
  pucch.harq_bits = harq_bits;
  pucch.sr_bits = sr_bits;
  return pucch;
}

PucchConfig format1_pdu(unsigned harq_bits, unsigned sr_bits, unsigned symbols, bool hopping) {
  PucchConfig pucch = format0_pdu(harq_bits, sr_bits, 2, hopping);
  pucch.format = PucchFormat::format1;
  pucch.start_symbol = 14 - symbols;
  pucch.num_symbols = symbols;
  pucch.group_hopping = PucchGroupHopping::disable;
  pucch.time_domain_occ = 0;
  return pucch;
}

/// Transmits on port 0 of a one-port grid and copies it to \p rx antennas with random gains:
/// Rayleigh, or of unit magnitude and random phase.
ResourceGrid received(const PucchConfig& pucch, const PucchUciBits& bits, unsigned rx,
                      unsigned slot, std::mt19937_64& rng, bool rayleigh = true) {
  ResourceGrid tx(1, 14, 12 * pucch_cell.num_prbs);
  write_pucch(pucch_cell, slot, pucch, bits, tx);
  ResourceGrid grid(rx, 14, 12 * pucch_cell.num_prbs);
  std::normal_distribution<float> gauss(0.0F, std::sqrt(0.5F));
  for (unsigned r = 0; r < rx; ++r) {
    cf32 gain(gauss(rng), gauss(rng));
    gain = rayleigh ? gain : gain / std::abs(gain);
    for (std::size_t i = 0; i < tx.port(0).size(); ++i) {
      grid.port(r)[i] = gain * tx.port(0)[i];
    }
  }
  return grid;
}

struct HarqSrPayload {
  std::array<bit_t, 2> harq{};
  std::array<bit_t, 1> sr{};
  [[nodiscard]] PucchUciBits bits(const PucchConfig& pucch) const {
    return {std::span(harq).first(pucch.harq_bits), std::span(sr).first(pucch.sr_bits), {}};
  }
};

void expect_round_trip(const PucchConfig& pucch, unsigned rx, std::mt19937_64& rng) {
  PucchReceiver receiver(pucch_cell, rx);
  std::vector<PucchResult> results;
  for (unsigned value = 0; value < (1U << (pucch.harq_bits + pucch.sr_bits)); ++value) {
    HarqSrPayload payload;
    for (unsigned i = 0; i < pucch.harq_bits; ++i) {
      payload.harq[i] = static_cast<bit_t>((value >> i) & 1U);
    }
    payload.sr[0] = static_cast<bit_t>((value >> pucch.harq_bits) & 1U);
    const bool sent = pucch.harq_bits != 0 || payload.sr[0] != 0;
    const unsigned slot = value % 20;
    const ResourceGrid grid = received(pucch, payload.bits(pucch), rx, slot, rng);
    const std::array<PucchConfig, 1> pdus = {pucch};
    receiver.process_slot(grid, slot, pdus, results);
    ASSERT_EQ(results.size(), 1U);
    const PucchResult& result = results[0];
    EXPECT_EQ(result.error, "");
    EXPECT_EQ(result.detected, sent) << "value " << value;
    if (!sent) {
      continue;
    }
    EXPECT_TRUE(result.crc_ok);
    ASSERT_EQ(result.harq().size(), pucch.harq_bits);
    ASSERT_EQ(result.sr().size(), pucch.sr_bits);
    for (unsigned i = 0; i < pucch.harq_bits; ++i) {
      EXPECT_EQ(result.harq()[i], payload.harq[i]) << "value " << value << " bit " << i;
    }
    if (pucch.sr_bits != 0) {
      // Format 1 on an SR occasion is sent only for a positive SR: a detection says so.
      const bit_t sr = pucch.format == PucchFormat::format1 ? 1 : payload.sr[0];
      EXPECT_EQ(result.sr()[0], sr) << "value " << value;
    }
    EXPECT_GT(result.sinr_db, 40.0F);
  }
}

TEST(PucchFormat0Test, EveryValueRoundTripsWithoutNoise) {
  std::mt19937_64 rng(7);
  for (const unsigned symbols : {1U, 2U}) {
    for (const bool hopping : {false, true}) {
      if (hopping && symbols == 1) {
        continue;
      }
      for (const unsigned harq : {0U, 1U, 2U}) {
        for (const unsigned sr : {0U, 1U}) {
          if (harq + sr == 0) {
            continue;
          }
          for (const unsigned rx : {1U, 4U}) {
            SCOPED_TRACE(testing::Message() << "symbols " << symbols << " hopping " << hopping
                                            << " harq " << harq << " sr " << sr << " rx " << rx);
            expect_round_trip(format0_pdu(harq, sr, symbols, hopping), rx, rng);
          }
        }
      }
    }
  }
}

TEST(PucchFormat1Test, EveryValueRoundTripsWithoutNoise) {
  std::mt19937_64 rng(8);
  for (unsigned symbols = 4; symbols <= 14; ++symbols) {
    for (const bool hopping : {false, true}) {
      for (const unsigned harq : {0U, 1U, 2U}) {
        for (const unsigned rx : {1U, 2U}) {
          PucchConfig pucch = format1_pdu(harq, harq == 0 ? 1 : 0, symbols, hopping);
          pucch.time_domain_occ = symbols >= 8 ? 1 : 0;
          SCOPED_TRACE(testing::Message() << "symbols " << symbols << " hopping " << hopping
                                          << " harq " << harq << " rx " << rx);
          expect_round_trip(pucch, rx, rng);
        }
      }
    }
  }
}

/// Fraction of noise-only slots in which the receiver reports a PUCCH.
double false_alarm_rate(const PucchConfig& pucch, unsigned rx, unsigned trials) {
  PucchReceiver receiver(pucch_cell, rx);
  ResourceGrid grid(rx, 14, 12 * pucch_cell.num_prbs);
  AwgnGenerator noise(99);
  std::vector<PucchResult> results;
  const std::array<PucchConfig, 1> pdus = {pucch};
  unsigned alarms = 0;
  for (unsigned t = 0; t < trials; ++t) {
    // Noise on the PUCCH's REs only (the detector reads nothing else): fast enough for
    // thousands of trials under the sanitizers.
    for (unsigned r = 0; r < rx; ++r) {
      for (unsigned l = 0; l < pucch.num_symbols; ++l) {
        std::span<cf32> res = grid.symbol(r, pucch.start_symbol + l)
                                  .subspan(std::size_t{12} * pucch.first_crb_of(l), 12);
        std::fill(res.begin(), res.end(), cf32(0.0F, 0.0F));
        noise.add(res, 1.0F);
      }
    }
    receiver.process_slot(grid, t % 20, pdus, results);
    alarms += results[0].detected ? 1U : 0U;
  }
  return static_cast<double>(alarms) / trials;
}

TEST(PucchDtxTest, NoiseAloneIsReportedAsDtxAtMostOnePercentOfTheTime) {
  // 4000 trials: a rate of 1% has a standard deviation of 0.16%.
  constexpr unsigned trials = 4000;
  for (const unsigned rx : {1U, 2U}) {
    const double f0 = false_alarm_rate(format0_pdu(2, 1, 2, false), rx, trials);
    const double f0_sr = false_alarm_rate(format0_pdu(0, 1, 1, false), rx, trials);
    const double f1 = false_alarm_rate(format1_pdu(2, 0, 14, true), rx, trials);
    const double f1_sr = false_alarm_rate(format1_pdu(0, 1, 4, false), rx, trials);
    for (const double rate : {f0, f0_sr, f1, f1_sr}) {
      EXPECT_LE(rate, 0.015) << "rx " << rx;
    }
    // The union bound over hypotheses is not so loose that a single-hypothesis SR is far below.
    EXPECT_GE(f0_sr, 0.004) << "rx " << rx;
    EXPECT_GE(f1_sr, 0.004) << "rx " << rx;
  }
}

/// Fraction of slots with AWGN at \p snr_db per RE whose HARQ-ACK bits come back right.
double success_rate(const PucchConfig& pucch, unsigned rx, float snr_db, unsigned trials) {
  PucchReceiver receiver(pucch_cell, rx);
  AwgnGenerator noise(5);
  std::mt19937_64 rng(11);
  std::vector<PucchResult> results;
  const std::array<PucchConfig, 1> pdus = {pucch};
  unsigned good = 0;
  for (unsigned t = 0; t < trials; ++t) {
    HarqSrPayload payload;
    payload.harq = {static_cast<bit_t>(rng() & 1U), static_cast<bit_t>(rng() & 1U)};
    ResourceGrid grid = received(pucch, payload.bits(pucch), rx, t % 20, rng);
    noise.add(grid, std::pow(10.0F, -snr_db / 10.0F));
    receiver.process_slot(grid, t % 20, pdus, results);
    bool right = results[0].detected;
    for (unsigned i = 0; i < pucch.harq_bits; ++i) {
      right = right && results[0].harq()[i] == payload.harq[i];
    }
    good += right ? 1U : 0U;
  }
  return static_cast<double>(good) / trials;
}

TEST(PucchDetectionInNoiseTest, AckNackComesBackInRayleighFadingAtUsefulSnr) {
  // Flat Rayleigh fading per antenna (the received() gains), 2 receive antennas.
  EXPECT_GE(success_rate(format0_pdu(2, 0, 2, false), 2, 10.0F, 1000), 0.97);
  EXPECT_GE(success_rate(format1_pdu(2, 0, 14, false), 2, 0.0F, 1000), 0.97);
  // Far below the noise, the detector mostly says DTX rather than guessing.
  EXPECT_LE(success_rate(format1_pdu(2, 0, 14, false), 2, -25.0F, 1000), 0.1);
}

/// Two UEs on one PRB: each PDU must come back with its own UE's bits.
void expect_two_ues_told_apart(const PucchConfig& a, const PucchConfig& b) {
  std::mt19937_64 rng(21);
  PucchReceiver receiver(pucch_cell, 2);
  std::vector<PucchResult> results;
  const std::array<PucchConfig, 2> pdus = {a, b};
  for (unsigned trial = 0; trial < 16; ++trial) {
    HarqSrPayload pa;
    HarqSrPayload pb;
    pa.harq = {static_cast<bit_t>(trial & 1U), static_cast<bit_t>((trial >> 1) & 1U)};
    pb.harq = {static_cast<bit_t>((trial >> 2) & 1U), static_cast<bit_t>((trial >> 3) & 1U)};
    ResourceGrid grid = received(a, pa.bits(a), 2, trial, rng, false);
    const ResourceGrid other = received(b, pb.bits(b), 2, trial, rng, false);
    for (std::size_t i = 0; i < grid.elements().size(); ++i) {
      grid.elements()[i] += other.elements()[i];
    }
    receiver.process_slot(grid, trial, pdus, results);
    ASSERT_TRUE(results[0].detected && results[1].detected);
    for (unsigned i = 0; i < 2; ++i) {
      EXPECT_EQ(results[0].harq()[i], pa.harq[i]) << "trial " << trial;
      EXPECT_EQ(results[1].harq()[i], pb.harq[i]) << "trial " << trial;
    }
  }
}

TEST(PucchMultiplexingTest, Format1UesWithOtherCoversOrShiftsAreToldApart) {
  const PucchConfig a = format1_pdu(2, 0, 14, false);
  PucchConfig b = a;
  b.time_domain_occ = 3;
  expect_two_ues_told_apart(a, b);
  b = a;
  b.initial_cyclic_shift = a.initial_cyclic_shift + 6;
  expect_two_ues_told_apart(a, b);
}

TEST(PucchMultiplexingTest, Format0UesWithOtherInitialShiftsAreToldApart) {
  const PucchConfig a = format0_pdu(2, 0, 2, false);
  PucchConfig b = a;
  b.initial_cyclic_shift = a.initial_cyclic_shift + 1;
  expect_two_ues_told_apart(a, b);
}

/// Near-far: UE b, 20 dB stronger than UE a, shares a's resource. Returns the fraction of slots in
/// which a's bits come back (a transmitting at \p snr_db) and the fraction in which a is reported
/// although only b transmitted.
std::pair<double, double> weak_ue_rates(const PucchConfig& a, const PucchConfig& b, float snr_db,
                                        unsigned trials) {
  PucchReceiver receiver(pucch_cell, 2);
  AwgnGenerator noise(17);
  std::mt19937_64 rng(23);
  std::vector<PucchResult> results;
  const std::array<PucchConfig, 2> pdus = {a, b};
  const float strong = std::pow(10.0F, 1.0F); // +20 dB in power
  unsigned found = 0;
  unsigned false_alarms = 0;
  for (unsigned t = 0; t < trials; ++t) {
    for (const bool a_sends : {true, false}) {
      HarqSrPayload pa;
      HarqSrPayload pb;
      pa.harq = {static_cast<bit_t>(rng() & 1U), static_cast<bit_t>(rng() & 1U)};
      pb.harq = {static_cast<bit_t>(rng() & 1U), static_cast<bit_t>(rng() & 1U)};
      ResourceGrid grid = received(b, pb.bits(b), 2, t % 20, rng, false);
      for (cf32& value : grid.elements()) {
        value *= strong;
      }
      if (a_sends) {
        const ResourceGrid weak = received(a, pa.bits(a), 2, t % 20, rng, false);
        for (std::size_t i = 0; i < grid.elements().size(); ++i) {
          grid.elements()[i] += weak.elements()[i];
        }
      }
      noise.add(grid, std::pow(10.0F, -snr_db / 10.0F));
      receiver.process_slot(grid, t % 20, pdus, results);
      if (!a_sends) {
        false_alarms += results[0].detected ? 1U : 0U;
        continue;
      }
      bool right = results[0].detected;
      for (unsigned i = 0; i < a.harq_bits; ++i) {
        right = right && results[0].harq()[i] == pa.harq[i];
      }
      found += right ? 1U : 0U;
    }
  }
  return {static_cast<double>(found) / trials, static_cast<double>(false_alarms) / trials};
}

TEST(PucchMultiplexingTest, AStrongNeighbourNeitherHidesAWeakUeNorRaisesFalseAlarms) {
  // Format 1: another cover code on the same PRB and cyclic shift.
  const PucchConfig a = format1_pdu(2, 0, 14, false);
  PucchConfig b = a;
  b.time_domain_occ = 2;
  const auto [found1, false1] = weak_ue_rates(a, b, 0.0F, 1000);
  EXPECT_GE(found1, 0.97);
  EXPECT_LE(false1, 0.02);
  // Format 0: another initial cyclic shift.
  const PucchConfig a0 = format0_pdu(2, 0, 2, false);
  PucchConfig b0 = a0;
  b0.initial_cyclic_shift = a0.initial_cyclic_shift + 1;
  const auto [found0, false0] = weak_ue_rates(a0, b0, 10.0F, 1000);
  EXPECT_GE(found0, 0.97);
  EXPECT_LE(false0, 0.02);
  // The neighbour's PDU in a BWP that starts 2 PRBs later, on the same CRBs (it was taken for
  // noise: the weak UE found in none of the slots).
  for (PucchConfig* neighbour : {&b, &b0}) {
    neighbour->bwp_start = 2;
    neighbour->bwp_size = 22;
    neighbour->prb_start -= 2;
    neighbour->second_hop_prb -= 2;
  }
  EXPECT_GE(weak_ue_rates(a, b, 0.0F, 300).first, 0.97);
  EXPECT_GE(weak_ue_rates(a0, b0, 10.0F, 300).first, 0.97);
}

TEST(PucchMultiplexingTest, TwentyFourUesOnOnePrbAreAllDetected) {
  // Six cyclic shifts x four cover codes on one PRB, equal power, 10 dB.
  std::vector<PucchConfig> pdus;
  for (unsigned cs = 0; cs < 12; cs += 2) {
    for (unsigned occ = 0; occ < 4; ++occ) {
      PucchConfig pucch = format1_pdu(2, 0, 14, false);
      pucch.initial_cyclic_shift = cs;
      pucch.time_domain_occ = occ;
      pdus.push_back(pucch);
    }
  }
  PucchReceiver receiver(pucch_cell, 2);
  AwgnGenerator noise(29);
  std::mt19937_64 rng(31);
  std::vector<PucchResult> results;
  unsigned right = 0;
  constexpr unsigned slots = 20;
  for (unsigned t = 0; t < slots; ++t) {
    ResourceGrid grid(2, 14, 12 * pucch_cell.num_prbs);
    std::vector<HarqSrPayload> sent(pdus.size());
    for (std::size_t u = 0; u < pdus.size(); ++u) {
      sent[u].harq = {static_cast<bit_t>(rng() & 1U), static_cast<bit_t>(rng() & 1U)};
      const ResourceGrid ue = received(pdus[u], sent[u].bits(pdus[u]), 2, t, rng, false);
      for (std::size_t i = 0; i < grid.elements().size(); ++i) {
        grid.elements()[i] += ue.elements()[i];
      }
    }
    noise.add(grid, 0.1F);
    receiver.process_slot(grid, t, pdus, results);
    for (std::size_t u = 0; u < pdus.size(); ++u) {
      right += results[u].detected && results[u].harq()[0] == sent[u].harq[0] &&
                       results[u].harq()[1] == sent[u].harq[1]
                   ? 1U
                   : 0U;
    }
  }
  EXPECT_GE(right, (slots * pdus.size() * 99) / 100);
}

TEST(PucchDtxTest, SilentNeighboursKeepTheFalseAlarmRate) {
  // Twelve PDUs on one resource, nobody transmits: PDU 0 reported at most ~1% of the time.
  std::vector<PucchConfig> pdus;
  for (unsigned k = 0; k < 12; ++k) {
    PucchConfig pucch = format1_pdu(2, 0, 5, true);
    pucch.initial_cyclic_shift = k;
    pdus.push_back(pucch);
  }
  PucchReceiver receiver(pucch_cell, 2);
  ResourceGrid grid(2, 14, 12 * pucch_cell.num_prbs);
  AwgnGenerator noise(37);
  std::vector<PucchResult> results;
  unsigned alarms = 0;
  constexpr unsigned trials = 3000;
  for (unsigned t = 0; t < trials; ++t) {
    for (unsigned r = 0; r < 2; ++r) {
      for (unsigned l = 0; l < pdus[0].num_symbols; ++l) {
        std::span<cf32> res = grid.symbol(r, pdus[0].start_symbol + l)
                                  .subspan(std::size_t{12} * pdus[0].first_crb_of(l), 12);
        std::fill(res.begin(), res.end(), cf32(0.0F, 0.0F));
        noise.add(res, 1.0F);
      }
    }
    receiver.process_slot(grid, t % 20, pdus, results);
    alarms += results[0].detected ? 1U : 0U;
  }
  EXPECT_LE(static_cast<double>(alarms) / trials, 0.015);
}

TEST(PucchSinrTest, EstimateFollowsTheTrueSnr) {
  const PucchConfig pucch = format1_pdu(1, 0, 14, false);
  PucchReceiver receiver(pucch_cell, 4);
  AwgnGenerator noise(3);
  std::vector<PucchResult> results;
  const std::array<PucchConfig, 1> pdus = {pucch};
  const std::array<bit_t, 1> ack = {1};
  for (const float snr_db : {0.0F, 10.0F, 20.0F}) {
    double sum_db = 0.0;
    constexpr unsigned trials = 50;
    for (unsigned t = 0; t < trials; ++t) {
      ResourceGrid tx(1, 14, 12 * pucch_cell.num_prbs);
      write_pucch(pucch_cell, t, pucch, {ack, {}, {}}, tx);
      ResourceGrid grid(4, 14, 12 * pucch_cell.num_prbs);
      for (unsigned r = 0; r < 4; ++r) {
        std::copy(tx.port(0).begin(), tx.port(0).end(), grid.port(r).begin());
      }
      noise.add(grid, std::pow(10.0F, -snr_db / 10.0F));
      receiver.process_slot(grid, t, pdus, results);
      sum_db += results[0].sinr_db;
    }
    EXPECT_NEAR(sum_db / trials, snr_db, 1.0) << snr_db;
  }
}

TEST(PucchReceiverTest, ProcessingASlotDoesNotAllocate) {
  std::mt19937_64 rng(6);
  const std::array<bit_t, 2> ack = {1, 0};
  const std::array<PucchConfig, 3> pdus = {format0_pdu(2, 1, 2, true), format1_pdu(2, 0, 14, true),
                                           format1_pdu(1, 0, 10, false)};
  const ResourceGrid grid = received(pdus[1], {ack, {}, {}}, 2, 9, rng);
  PucchReceiver receiver(pucch_cell, 2);
  std::vector<PucchResult> results;
  receiver.process_slot(grid, 9, pdus, results); // sizes the results
  const long before = test::allocation_count();
  receiver.process_slot(grid, 9, pdus, results);
  EXPECT_EQ(test::allocation_count(), before);
  EXPECT_TRUE(results[1].detected);
}

TEST(PucchReceiverTest, AnInvalidPduGetsItsErrorAndTheOthersAreStillDetected) {
  std::mt19937_64 rng(4);
  const PucchConfig good = format1_pdu(1, 0, 14, false);
  PucchConfig bad = good;
  bad.format = PucchFormat::format4;
  const std::array<bit_t, 1> ack = {1};
  const ResourceGrid grid = received(good, {ack, {}, {}}, 1, 3, rng);
  PucchReceiver receiver(pucch_cell, 1);
  std::vector<PucchResult> results;
  const std::array<PucchConfig, 2> pdus = {bad, good};
  receiver.process_slot(grid, 3, pdus, results);
  ASSERT_EQ(results.size(), 2U);
  EXPECT_NE(results[0].error.find("format 4"), std::string::npos) << results[0].error;
  EXPECT_FALSE(results[0].detected);
  EXPECT_TRUE(results[1].detected);
  EXPECT_EQ(results[1].harq()[0], 1);
  const ResourceGrid wrong_shape(2, 14, 12 * pucch_cell.num_prbs);
  EXPECT_THROW(receiver.process_slot(wrong_shape, 3, pdus, results), std::invalid_argument);
  EXPECT_THROW(PucchReceiver(pucch_cell, 0), std::invalid_argument);
  ResourceGrid tx(1, 14, 12 * pucch_cell.num_prbs);
  EXPECT_THROW(write_pucch(pucch_cell, 0, bad, {ack, {}, {}}, tx), std::invalid_argument);
  EXPECT_THROW(write_pucch(pucch_cell, 0, good, {{}, {}, {}}, tx), std::invalid_argument);
}

} // namespace
} // namespace airan::phy
