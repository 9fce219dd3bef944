// PUCCH evaluation (apps/pucch_evaluation.h, `airan pucch-eval`): the counts add up, a noise-free
// point misses nothing, noise alone is taken for a PUCCH about 1% of the time, formats 3 and 4
// report their UCI BLER as format 2 does, results do not depend on the thread count, bad
// configurations are refused with a reason; and one requirement point per format of TS 38.104
// clause 8.3 (2 Rx, TDLC300-100 Low, 15 kHz SCS) is met (formats 3 and 4: UCI BLER).
#include "../support/run_airan.h"
#include "airan/apps/pucch_evaluation.h"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

namespace {

using namespace airan;
using airan::test::run_airan;
using airan::test::scratch_dir;

/// The test conditions of TS 38.104 8.3: 1 Tx, 2 Rx, TDLC300-100 Low, 15 kHz SCS (106 PRB),
/// the PUCCH from PRB 0 (and hopping to the carrier's last PRBs), nothing hopping in sequence,
/// n_ID 0, cyclic shift 0, OCC 0.
apps::PucchEvaluationConfig ts38104_config(phy::PucchFormat format, unsigned num_prbs,
                                           unsigned num_symbols, bool hopping) {
  constexpr unsigned carrier_prbs = 106;
  apps::PucchEvaluationConfig config;
  config.scenario.cell.num_prbs = carrier_prbs;
  config.scenario.cell.numerology = 0;
  config.scenario.cell.n_cell_id = 0;
  config.scenario.cell.num_antenna_ports = 1;
  config.scenario.num_rx_antennas = 2;
  config.scenario.channel.model = "TDL-C300";
  config.scenario.channel.max_doppler_hz = 100.0;
  config.scenario.channel.correlation = phy::AntennaCorrelation::low;
  config.scenario.channel.domain = apps::ChannelDomain::frequency;
  phy::PucchConfig& p = config.pucch;
  p.format = format;
  p.bwp_size = carrier_prbs;
  p.num_prbs = num_prbs;
  p.num_symbols = num_symbols;
  const bool short_format =
      format == phy::PucchFormat::format0 || format == phy::PucchFormat::format2;
  p.start_symbol = short_format ? 14 - num_symbols : 0;
  p.intra_slot_hopping = hopping;
  p.second_hop_prb = carrier_prbs - num_prbs;
  config.num_threads = 2;
  return config;
}

apps::PucchEvaluationConfig small_pucch_config(phy::PucchFormat format) {
  apps::PucchEvaluationConfig config =
      ts38104_config(format, 1, format == phy::PucchFormat::format1 ? 14 : 2, true);
  config.scenario.cell.num_prbs = 24;
  config.pucch.bwp_size = 24;
  config.pucch.second_hop_prb = 23;
  config.pucch.harq_bits = format == phy::PucchFormat::format2 ? 4 : 2;
  config.slots = 60;
  config.dtx_slots = 40;
  config.snr_db = {0.0, 10.0};
  return config;
}

apps::PucchEvaluationPoint run_one_point(const apps::PucchEvaluationConfig& config) {
  const auto points = apps::run_pucch_evaluation(config);
  EXPECT_EQ(points.size(), 1U);
  return points.front();
}

TEST(PucchEvaluationTest, CountsAddUp) {
  for (const auto format :
       {phy::PucchFormat::format0, phy::PucchFormat::format1, phy::PucchFormat::format2}) {
    apps::PucchEvaluationConfig config = small_pucch_config(format);
    if (format == phy::PucchFormat::format0) {
      config.pucch.sr_bits = 1;
    }
    if (format == phy::PucchFormat::format2) {
      config.pucch.csi_part1_bits = 5;
    }
    const auto points = apps::run_pucch_evaluation(config);
    ASSERT_EQ(points.size(), 2U);
    for (const auto& p : points) {
      const unsigned harq = config.pucch.harq_bits;
      EXPECT_EQ(p.slots, config.slots);
      EXPECT_EQ(p.dtx_slots, config.dtx_slots);
      EXPECT_EQ(p.ack_missed.trials + p.nack_to_ack.trials, harq * config.slots);
      EXPECT_GT(p.ack_missed.trials, 0U); // random HARQ-ACK: both values sent
      EXPECT_GT(p.nack_to_ack.trials, 0U);
      EXPECT_EQ(p.missed.trials, config.slots);
      EXPECT_EQ(p.dtx_detected.trials, config.dtx_slots);
      EXPECT_EQ(p.dtx_to_ack.trials, harq * config.dtx_slots);
      EXPECT_LE(p.dtx_to_ack.errors, harq * p.dtx_detected.errors);
      const bool format2 = format == phy::PucchFormat::format2;
      EXPECT_EQ(p.uci_block.trials, format2 ? config.slots : 0U);
      EXPECT_EQ(p.sr_missed.trials + p.sr_false.trials,
                format == phy::PucchFormat::format0 ? config.slots : 0U);
      if (format2) { // a PUCCH not detected is a block error, and each of its ACKs is missed
        EXPECT_GE(p.uci_block.errors, p.missed.errors);
      }
    }
    EXPECT_EQ(points[0].snr_db, 0.0);
    EXPECT_EQ(points[1].snr_db, 10.0);
  }
}

TEST(PucchEvaluationTest, NoiseFreePointMissesNothing) {
  for (const auto format :
       {phy::PucchFormat::format0, phy::PucchFormat::format1, phy::PucchFormat::format2}) {
    apps::PucchEvaluationConfig config = small_pucch_config(format);
    config.snr_db = {100.0};
    config.dtx_slots = 0;
    if (format == phy::PucchFormat::format2) {
      config.pucch.num_prbs = 2;
      config.pucch.second_hop_prb = 22;
      config.pucch.csi_part1_bits = 20; // 24 bits: polar coded
    }
    const apps::PucchEvaluationPoint p = run_one_point(config);
    EXPECT_EQ(p.missed.errors, 0U) << "format " << static_cast<int>(format);
    EXPECT_EQ(p.ack_missed.errors, 0U);
    EXPECT_EQ(p.nack_to_ack.errors, 0U);
    EXPECT_EQ(p.uci_block.errors, 0U);
    EXPECT_EQ(p.dtx_detected.trials, 0U);
  }
}

// Formats 3 and 4 are scored as format 2: one UCI block per PUCCH slot (polar and short-block
// payloads, QPSK and pi/2-BPSK, with and without additional DMRS, the format 4 covers). Nothing
// is lost without noise, nearly everything 30 dB below it, and noise alone is rarely taken for a
// PUCCH.
TEST(PucchEvaluationTest, Formats3And4ReportTheirUciBler) {
  struct Case {
    phy::PucchFormat format;
    unsigned prbs;
    unsigned symbols;
    unsigned harq_bits;
    unsigned csi_bits;
    bool pi2_bpsk;
    bool additional_dmrs;
    unsigned occ_length;
    unsigned occ_index;
  };
  constexpr std::array<Case, 4> cases = {{
      {phy::PucchFormat::format3, 2, 14, 0, 16, false, false, 2, 0}, // polar, CRC6
      {phy::PucchFormat::format3, 1, 10, 4, 2, true, true, 2, 0},    // short block
      {phy::PucchFormat::format4, 1, 14, 0, 22, false, true, 4, 2},  // polar, CRC11
      {phy::PucchFormat::format4, 1, 12, 5, 0, true, false, 2, 1},   // short block
  }};
  for (const Case& c : cases) {
    apps::PucchEvaluationConfig config = ts38104_config(c.format, c.prbs, c.symbols, true);
    config.scenario.cell.num_prbs = 24;
    config.pucch.bwp_size = 24;
    config.pucch.second_hop_prb = 24 - c.prbs;
    config.pucch.harq_bits = c.harq_bits;
    config.pucch.csi_part1_bits = c.csi_bits;
    config.pucch.pi2_bpsk = c.pi2_bpsk;
    config.pucch.additional_dmrs = c.additional_dmrs;
    config.pucch.pre_dft_occ_length = c.occ_length;
    config.pucch.pre_dft_occ_index = c.occ_index;
    config.slots = 40;
    config.dtx_slots = 40;
    config.snr_db = {-30.0, 40.0};
    const std::string name = "format " + std::to_string(static_cast<unsigned>(c.format)) + ", " +
                             std::to_string(c.harq_bits + c.csi_bits) + " bits";
    ASSERT_EQ(apps::validate_pucch_evaluation(config), "") << name;
    const auto points = apps::run_pucch_evaluation(config);
    ASSERT_EQ(points.size(), 2U) << name;
    for (const auto& p : points) {
      EXPECT_EQ(p.uci_block.trials, config.slots) << name;
      EXPECT_EQ(p.missed.trials, config.slots) << name;
      EXPECT_GE(p.uci_block.errors, p.missed.errors) << name;
      EXPECT_EQ(p.ack_missed.trials + p.nack_to_ack.trials, c.harq_bits * config.slots) << name;
      EXPECT_EQ(p.dtx_to_ack.trials, c.harq_bits * config.dtx_slots) << name;
      EXPECT_EQ(p.sr_missed.trials + p.sr_false.trials, 0U) << name;
      EXPECT_EQ(p.dtx_detected.trials, config.dtx_slots) << name;
    }
    EXPECT_GE(points[0].uci_block.rate(), 0.9) << name;
    EXPECT_EQ(points[1].uci_block.errors, 0U) << name;
    EXPECT_EQ(points[1].ack_missed.errors + points[1].nack_to_ack.errors, 0U) << name;
    // DTX: a 1% false alarm for short blocks, far less for polar codes (80 noise-only slots).
    EXPECT_LE(points[0].dtx_detected.errors + points[1].dtx_detected.errors, 4U) << name;
  }
}

TEST(PucchEvaluationTest, NoiseAloneIsTakenForAPucchAboutOnePercentOfTheTime) {
  apps::PucchEvaluationConfig config = small_pucch_config(phy::PucchFormat::format1);
  config.slots = 1;
  config.dtx_slots = 4000;
  config.snr_db = {0.0};
  const apps::PucchEvaluationPoint p = run_one_point(config);
  ASSERT_EQ(p.dtx_detected.trials, 4000U);
  // The detector's threshold is set for 1%: 40 expected, sd about 6.3.
  EXPECT_GE(p.dtx_detected.errors, 15U);
  EXPECT_LE(p.dtx_detected.errors, 65U);
  EXPECT_LE(p.dtx_to_ack.rate(), 0.01);
}

TEST(PucchEvaluationTest, ResultsDoNotDependOnTheThreadCount) {
  apps::PucchEvaluationConfig config = small_pucch_config(phy::PucchFormat::format0);
  config.snr_db = {0.0};
  config.num_threads = 1;
  const auto one = apps::run_pucch_evaluation(config);
  config.num_threads = 3;
  EXPECT_EQ(apps::run_pucch_evaluation(config), one);
}

TEST(PucchEvaluationTest, BadConfigurationsAreRefusedWithAReason) {
  const auto problems = [](const apps::PucchEvaluationConfig& config) {
    return apps::validate_pucch_evaluation(config);
  };
  EXPECT_EQ(problems(small_pucch_config(phy::PucchFormat::format1)), "");
  auto config = small_pucch_config(phy::PucchFormat::format1);
  config.pucch.format = phy::PucchFormat::format3; // 14 symbols, hopping, 4 HARQ-ACK bits
  config.pucch.harq_bits = 4;
  EXPECT_EQ(problems(config), "");
  config.pucch.num_prbs = 7;
  EXPECT_NE(problems(config).find("PUCCH: prbSize 7 is not 2^a 3^b 5^c"), std::string::npos)
      << problems(config);
  config = small_pucch_config(phy::PucchFormat::format1);
  config.pucch.sr_bits = 1;
  EXPECT_NE(problems(config).find("SR resource"), std::string::npos);
  config = small_pucch_config(phy::PucchFormat::format1);
  config.snr_db = {3.0, 1.0};
  EXPECT_NE(problems(config).find("rise strictly"), std::string::npos);
  config.snr_db = {};
  EXPECT_NE(problems(config).find("no SNR point"), std::string::npos);
  config = small_pucch_config(phy::PucchFormat::format1);
  config.slots = 0;
  EXPECT_NE(problems(config).find("slots per point must be positive"), std::string::npos);
  config.slots = std::numeric_limits<std::uint64_t>::max(); // the sum would wrap to 0: no slot
  config.dtx_slots = 1;
  EXPECT_NE(problems(config).find("exceed 2^64 - 1"), std::string::npos) << problems(config);
  config = small_pucch_config(phy::PucchFormat::format1);
  config.scenario.cell.num_antenna_ports = 2;
  EXPECT_NE(problems(config).find("one antenna port"), std::string::npos);
  config = small_pucch_config(phy::PucchFormat::format1);
  config.pucch.harq_bits = 0;
  config.pucch.sr_bits = 1;
  config.harq = apps::HarqPayload::ack;
  EXPECT_NE(problems(config).find("needs HARQ-ACK bits"), std::string::npos);
  config.harq = apps::HarqPayload::random;
  EXPECT_EQ(problems(config), ""); // an SR occasion alone
  config.slots = 0;
  EXPECT_THROW((void)apps::run_pucch_evaluation(config), std::invalid_argument);
  EXPECT_THROW((void)apps::parse_harq_payload("maybe"), std::invalid_argument);
}

// TS 38.104 Table 8.3.2.2-1 (format 0, 15 kHz SCS, 2 Rx, TDLC300-100 Low, 2 symbols, 1 bit,
// intra-slot hopping): ACK missed detection at most 1% at 3.3 dB; 8.3.1: DTX to ACK at most 1%.
TEST(PucchEvaluationTest, Ts38104Format0AckMissedDetectionAt3Point3Db) {
  apps::PucchEvaluationConfig config =
      ts38104_config(phy::PucchFormat::format0, 1, 2, /*hopping=*/true);
  config.pucch.harq_bits = 1;
  config.harq = apps::HarqPayload::ack;
  config.snr_db = {3.3};
  const apps::PucchEvaluationPoint p = run_one_point(config);
  EXPECT_EQ(p.ack_missed.trials, 1000U);
  EXPECT_LE(p.ack_missed.rate(), 0.01) << p.ack_missed.errors;
  EXPECT_LE(p.dtx_to_ack.rate(), 0.01) << p.dtx_to_ack.errors;
}

// TS 38.104 Tables 8.3.3.1.2-1 and 8.3.3.2.2-1 (format 1, 15 kHz SCS, 2 Rx, TDLC300-100 Low, 14
// symbols, 2 bits, intra-slot hopping): NACK to ACK at most 0.1% at -3.6 dB, ACK missed detection
// at most 1% at -5.0 dB.
TEST(PucchEvaluationTest, Ts38104Format1NackToAckAndAckMissedDetection) {
  apps::PucchEvaluationConfig config =
      ts38104_config(phy::PucchFormat::format1, 1, 14, /*hopping=*/true);
  config.pucch.harq_bits = 2;
  config.harq = apps::HarqPayload::nack;
  config.slots = 2000;
  config.dtx_slots = 0;
  config.snr_db = {-3.6};
  const apps::PucchEvaluationPoint nack = run_one_point(config);
  EXPECT_EQ(nack.nack_to_ack.trials, 4000U);
  EXPECT_LE(nack.nack_to_ack.rate(), 0.001) << nack.nack_to_ack.errors;
  config.harq = apps::HarqPayload::ack;
  config.slots = 1000;
  config.dtx_slots = 1000;
  config.snr_db = {-5.0};
  const apps::PucchEvaluationPoint ack = run_one_point(config);
  EXPECT_EQ(ack.ack_missed.trials, 2000U);
  EXPECT_LE(ack.ack_missed.rate(), 0.01) << ack.ack_missed.errors;
  EXPECT_LE(ack.dtx_to_ack.rate(), 0.01) << ack.dtx_to_ack.errors;
}

// TS 38.104 Tables 8.3.4.1.2-1 (format 2, 4 UCI bits on 4 PRBs and 1 symbol: ACK missed
// detection at most 1% at 5.9 dB) and 8.3.4.2.2-1 (22 UCI bits on 9 PRBs and 2 symbols with
// intra-slot hopping: UCI block error probability at most 1% at 1.2 dB); 15 kHz SCS, 2 Rx,
// TDLC300-100 Low.
TEST(PucchEvaluationTest, Ts38104Format2AckMissedDetectionAndUciBler) {
  apps::PucchEvaluationConfig config =
      ts38104_config(phy::PucchFormat::format2, 4, 1, /*hopping=*/false);
  config.pucch.harq_bits = 4;
  config.harq = apps::HarqPayload::ack;
  config.snr_db = {5.9};
  const apps::PucchEvaluationPoint ack = run_one_point(config);
  EXPECT_EQ(ack.ack_missed.trials, 4000U);
  EXPECT_LE(ack.ack_missed.rate(), 0.01) << ack.ack_missed.errors;
  EXPECT_LE(ack.dtx_to_ack.rate(), 0.01) << ack.dtx_to_ack.errors;
  config = ts38104_config(phy::PucchFormat::format2, 9, 2, /*hopping=*/true);
  config.pucch.csi_part1_bits = 22;
  config.dtx_slots = 0;
  config.snr_db = {1.2};
  const apps::PucchEvaluationPoint uci = run_one_point(config);
  EXPECT_EQ(uci.uci_block.trials, 1000U);
  EXPECT_LE(uci.uci_block.rate(), 0.01) << uci.uci_block.errors;
}

// TS 38.104 Tables 8.3.5.2-1 (format 3 Test 1: 16 UCI bits on 1 PRB and 14 symbols with
// intra-slot hopping, no additional DMRS: UCI block error probability at most 1% at 0.3 dB) and
// 8.3.6.2-1 (format 4: 22 UCI bits on 1 PRB and 14 symbols with hopping, N_SF 2, cover 0, no
// additional DMRS: at most 1% at 2.2 dB); 15 kHz SCS, 2 Rx, TDLC300-100 Low. The values as the
// Aerial cuPHY (format 3) and ocudu-matlab (formats 3 and 4) conformance harnesses list them.
TEST(PucchEvaluationTest, Ts38104Format3And4UciBler) {
  apps::PucchEvaluationConfig config =
      ts38104_config(phy::PucchFormat::format3, 1, 14, /*hopping=*/true);
  config.pucch.csi_part1_bits = 16;
  config.dtx_slots = 0;
  config.snr_db = {0.3};
  const apps::PucchEvaluationPoint format3 = run_one_point(config);
  EXPECT_EQ(format3.uci_block.trials, 1000U);
  EXPECT_LE(format3.uci_block.rate(), 0.01) << format3.uci_block.errors;
  config = ts38104_config(phy::PucchFormat::format4, 1, 14, /*hopping=*/true);
  config.pucch.csi_part1_bits = 22;
  config.pucch.pre_dft_occ_length = 2;
  config.pucch.pre_dft_occ_index = 0;
  config.dtx_slots = 0;
  config.snr_db = {2.2};
  const apps::PucchEvaluationPoint format4 = run_one_point(config);
  EXPECT_EQ(format4.uci_block.trials, 1000U);
  EXPECT_LE(format4.uci_block.rate(), 0.01) << format4.uci_block.errors;
}

std::string read_pucch_csv(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(PucchEvaluationCli, PrintsATableAndWritesCsv) {
  const auto csv = scratch_dir("pucch-eval") / "pucch.csv";
  const auto run = run_airan("pucch-eval --format 0 --hopping --prb 24 --snr 0,20 --slots 40 "
                             "--dtx-slots 30 --threads 2 --csv " +
                             csv.string());
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("PUCCH format 0, PRBs 0+1 hopping to PRB 23 at symbol 13"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("ACK missed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("DTX->ACK"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("/30)"), std::string::npos) << run.output; // DTX slots counted
  const std::string text = read_pucch_csv(csv);
  EXPECT_EQ(text.rfind("snr_db,slots,dtx_slots,ack_missed_errors,", 0), 0U) << text;
  EXPECT_NE(text.find("\n20,40,30,"), std::string::npos) << text;
}

TEST(PucchEvaluationCli, Format4PrintsItsUciBler) {
  const auto run = run_airan("pucch-eval --format 4 --hopping --additional-dmrs --prb 24 --snr 40 "
                             "--slots 20 --dtx-slots 10 --threads 2");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("PUCCH format 4, PRBs 0+1 hopping to PRB 23 at symbol 7, symbols 0+14, "
                            "22 CSI part 1 bits in 120 coded bits, QPSK, additional DMRS, "
                            "pre-DFT OCC 0 of length 2"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("UCI BLER"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("0.00% (0/20)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("PUCCH detected"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("ACK missed"), std::string::npos) << run.output; // no HARQ-ACK bit
}

TEST(PucchEvaluationCli, RefusesBadArgumentsWithAReason) {
  const auto format = run_airan("pucch-eval --format 5 --slots 10");
  EXPECT_EQ(format.status, 2);
  EXPECT_NE(format.output.find("PUCCH format 5 is not in 0..4"), std::string::npos)
      << format.output;
  const auto prbs = run_airan("pucch-eval --format 3 --pucch-prbs 7 --slots 10");
  EXPECT_EQ(prbs.status, 2);
  EXPECT_NE(prbs.output.find("prbSize 7 is not 2^a 3^b 5^c"), std::string::npos) << prbs.output;
  const auto cover = run_airan("pucch-eval --format 4 --pre-dft-occ-index 2 --slots 10");
  EXPECT_EQ(cover.status, 2);
  EXPECT_NE(cover.output.find("PreDftOccLen 2 and PreDftOccIdx 2"), std::string::npos)
      << cover.output;
  const auto snr = run_airan("pucch-eval --snr 3,1 --slots 10");
  EXPECT_EQ(snr.status, 2);
  EXPECT_NE(snr.output.find("must rise strictly"), std::string::npos) << snr.output;
  const auto harq = run_airan("pucch-eval --harq maybe --slots 10");
  EXPECT_EQ(harq.status, 2);
  EXPECT_NE(harq.output.find("'maybe' is not random, ack or nack"), std::string::npos)
      << harq.output;
  const auto sr = run_airan("pucch-eval --format 1 --sr-bits 1 --harq-bits 2 --slots 10");
  EXPECT_EQ(sr.status, 2);
  EXPECT_NE(sr.output.find("SR resource"), std::string::npos) << sr.output;
}

} // namespace
