// Launch patterns of the FAPI L1: every committed pattern parses, one of them to the values it
// holds, and each error message names the key at fault (unknown keys, lists, ranges, non-finite
// numbers, CDL channels and their polarisations, what a FAPI PUSCH PDU cannot carry).
#include "airan/l1/launch_pattern.h"

#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace airan::l1 {
namespace {

TEST(LaunchPattern, EveryCommittedPatternParses) {
  unsigned count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(airan::test::repo_root() / "configs/patterns")) {
    if (entry.path().extension() == ".yaml") {
      EXPECT_NO_THROW(load_launch_pattern(entry.path())) << entry.path();
      ++count;
    }
  }
  EXPECT_GE(count, 3U);
  // A 1-layer UE cannot be a dual-polarised pair: the error names the UE.
  std::string text;
  {
    std::ifstream file(airan::test::repo_root() / "configs/patterns/cdl_cross_polarized.yaml");
    text.assign(std::istreambuf_iterator<char>(file), {});
  }
  const std::string two_layers = "num_layers: 2\n      dmrs_ports: [0, 1]";
  const auto layers = text.find(two_layers);
  ASSERT_NE(layers, std::string::npos);
  text.replace(layers, two_layers.size(), "num_layers: 1\n      dmrs_ports: [0]");
  const auto error_of = [](const std::string& yaml) -> std::string {
    try {
      (void)parse_launch_pattern(yaml, "p.yaml");
    } catch (const PatternError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_NE(error_of(text).find("p.yaml: ues[0].pusch.num_layers: a dual-polarised UE"),
            std::string::npos)
      << error_of(text);
  // With a TDL model the polarisation itself is the error, not the layers.
  const auto cdl = text.find("model: CDL-C");
  ASSERT_NE(cdl, std::string::npos);
  text.replace(cdl, 12, "model: TDL-C");
  EXPECT_NE(error_of(text).find("polarisation other than V needs a CDL model"), std::string::npos)
      << error_of(text);
}

TEST(LaunchPattern, CommittedPatternParses) {
  const auto pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/four_ue_harq.yaml");
  EXPECT_EQ(pattern.name, "four_ue_harq");
  EXPECT_EQ(pattern.cell.num_prbs, 24U);
  EXPECT_EQ(pattern.num_rx_antennas, 2U);
  ASSERT_EQ(pattern.ues.size(), 4U);
  EXPECT_EQ(pattern.ues[2].rnti, 0x4603);
  EXPECT_EQ(pattern.ues[2].pusch.rnti, 0x4603);
  EXPECT_EQ(pattern.ues[2].pusch.prb_start, 12U);
  EXPECT_EQ(pattern.ues[2].pusch.bwp_size, 24U); // defaulted to the carrier
  EXPECT_EQ(pattern.harq.rv_sequence, (std::vector<unsigned>{0, 2, 3, 1}));
  EXPECT_EQ(pattern.channel.model, "TDL-C");
}

// A carrier that starts above CRB 0, or with the extended cyclic prefix, is a cell like any
// other (its check once ran through a placeholder PUSCH at CRB 0 over 14 symbols, refused with
// an error about a pusch[0] nobody wrote); a UE's BWP defaults to the carrier.
TEST(LaunchPattern, CarriersAboveCrbZeroAndWithExtendedCp) {
  const std::string ue = "ues: [{rnti: 1, pusch: {prb_size: 4}}]\n";
  const auto shifted =
      parse_launch_pattern("cell: {num_prbs: 24, numerology: 1, grid_start_crb: 10}\n" + ue, "p");
  EXPECT_EQ(shifted.cell.grid_start_crb, 10U);
  EXPECT_EQ(shifted.ues[0].pusch.bwp_start, 10U);
  EXPECT_EQ(shifted.ues[0].pusch.bwp_size, 24U);
  const auto extended =
      parse_launch_pattern("cell: {num_prbs: 24, numerology: 2, cyclic_prefix: extended}\n"
                           "ues: [{rnti: 1, pusch: {prb_size: 4, num_symbols: 12}}]\n",
                           "p");
  EXPECT_EQ(extended.cell.cyclic_prefix, phy::CyclicPrefix::extended);
  // airan l1 --config reads the carrier the same way.
  const auto path = airan::test::scratch_dir("carrier") / "carrier.yaml";
  std::ofstream(path) << "cell: {num_prbs: 24, numerology: 2, cyclic_prefix: extended, "
                         "grid_start_crb: 3}\n";
  const CarrierFile carrier = load_carrier_file(path);
  EXPECT_EQ(carrier.cell.grid_start_crb, 3U);
  EXPECT_EQ(carrier.cell.cyclic_prefix, phy::CyclicPrefix::extended);
}

TEST(LaunchPattern, ErrorsNameTheKey) {
  const auto error_of = [](const std::string& text) {
    try {
      (void)parse_launch_pattern(text, "p.yaml");
    } catch (const PatternError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string cell = "cell: {num_prbs: 24, numerology: 1}\n";
  const std::string ue = "ues: [{rnti: 1, pusch: {prb_size: 4}}]\n";
  EXPECT_EQ(error_of(cell + ue + "snr: 3\n"), "p.yaml: pattern: unknown key 'snr'");
  // The fronthaul's sections are its readers' (one file for airan l1 --config and testmac).
  EXPECT_EQ(error_of(cell + ue + "fronthaul: {compression: bfp9}\ndpdk: {}\n"), "no error");
  EXPECT_EQ(error_of(ue), "p.yaml: cell: missing (the cell the MAC configures)");
  EXPECT_EQ(error_of(cell), "p.yaml: ues: expected a non-empty list of UEs");
  EXPECT_EQ(error_of(cell + "harq: {rv_sequence: [0, 4]}\n" + ue),
            "p.yaml: harq.rv_sequence: 4 is outside 0 .. 3");
  EXPECT_EQ(error_of(cell + "ues: [{rnti: 1, pusch: {prb_size: 4}}, {rnti: 1, pusch: {}}]\n"),
            "p.yaml: ues[1].rnti: RNTI used by another UE");
  EXPECT_NE(error_of(cell + "ues: [{rnti: 1, pusch: {prb_start: 20, prb_size: 8}}]\n")
                .find("p.yaml: ues[0].pusch"),
            std::string::npos);
  EXPECT_NE(error_of(cell + "channel: {model: TDL-Q}\n" + ue).find("p.yaml: channel"),
            std::string::npos);
  EXPECT_EQ(error_of(cell +
                     "ues: [{rnti: 1, pusch: {prb_size: 4, num_layers: 2, dmrs_ports: [0, 1]}}]\n"),
            "p.yaml: ues[0].pusch.num_layers: more layers than receive antennas");
  // Real-valued keys must be finite numbers inside their ranges (nan reached the noise level).
  EXPECT_EQ(error_of(cell + ue + "snr_db: nan\n"), "p.yaml: snr_db: 'nan' is not a finite number");
  EXPECT_EQ(error_of(cell + ue + "snr_db: .inf\n"),
            "p.yaml: snr_db: '.inf' is not a finite number");
  EXPECT_EQ(error_of(cell + ue + "snr_db: 101\n"), "p.yaml: snr_db: 101 is outside -100 .. 100");
  EXPECT_EQ(error_of(cell + ue + "channel: {delay_spread_ns: -5}\n"),
            "p.yaml: channel.delay_spread_ns: -5 is outside 0 .. 1e+06");
  EXPECT_EQ(error_of(cell + ue + "channel: {model: TDL-A, max_doppler_hz: inf}\n"),
            "p.yaml: channel.max_doppler_hz: 'inf' is not a finite number");
  EXPECT_EQ(error_of(cell + ue + "snr_db: -100\n"), "no error");
  // All UEs may transmit in one slot: at most 64 PUSCH (or PUCCH) UEs, what a UL_TTI.request
  // holds (65 wrote past the request's PDU arrays).
  std::string many = cell + "ues:\n";
  for (int rnti = 1; rnti <= 65; ++rnti) {
    many += "  - {rnti: " + std::to_string(rnti) + ", pusch: {prb_size: 2}}\n";
  }
  EXPECT_EQ(error_of(many),
            "p.yaml: ues[64].pusch: more PUSCH UEs than a UL_TTI.request holds (64)");
  many = cell + "ues:\n";
  for (int rnti = 1; rnti <= 65; ++rnti) {
    many += "  - {rnti: " + std::to_string(rnti) + ", pucch: {format: 1, harq_bits: 1}}\n";
  }
  EXPECT_NE(error_of(many).find("more PUCCH UEs than a UL_TTI.request holds"), std::string::npos)
      << error_of(many);
  // A key twice: refused (the pattern read the first copy, the scenario parser the last).
  EXPECT_EQ(error_of(cell + ue + "snr_db: 20\nsnr_db: 5\n"),
            "p.yaml: top level: duplicate key 'snr_db'");
  // An alias: refused (`&x [*x]` is a cycle the duplicate-key walk followed without end).
  EXPECT_NE(error_of(cell + ue + "loop: &x [*x]\n").find("aliases (*name) are not supported"),
            std::string::npos)
      << error_of(cell + ue + "loop: &x [*x]\n");
  // CDL channels, with the base station's element pattern.
  EXPECT_EQ(error_of(cell + ue +
                     "channel: {model: cdl-c, delay_spread_ns: 100, bs_antenna_pattern: 38.901}\n"),
            "no error");
  EXPECT_NE(error_of(cell + ue +
                     "channel: {model: CDL-C, delay_spread_ns: 100, "
                     "bs_antenna_pattern: dipole}\n")
                .find("p.yaml: channel.bs_antenna_pattern: "),
            std::string::npos);
  EXPECT_NE(error_of(cell + ue + "channel: {model: CDL-C}\n").find("delay spread"),
            std::string::npos);
  // And the arrays' polarisation.
  EXPECT_EQ(error_of(cell + ue +
                     "channel: {model: CDL-C, delay_spread_ns: 100, bs_polarization: H, "
                     "ue_polarization: V}\n"),
            "no error");
  EXPECT_NE(
      error_of(cell + ue + "channel: {model: CDL-C, delay_spread_ns: 100, ue_polarization: dual}\n")
          .find("p.yaml: channel.ue_polarization: "),
      std::string::npos);
  EXPECT_NE(
      error_of(cell + ue + "channel: {model: CDL-C, delay_spread_ns: 100, bs_polarization: VH}\n")
          .find("even number of antennas"),
      std::string::npos); // the pattern's single receive antenna
  // DFT-s-OFDM UEs: what a FAPI PUSCH PDU carries loads (DMRS hopping in the FAPIv3
  // maintenance part); codebook precoding, which it cannot carry, is refused at load (not at the
  // first slot that schedules the UE).
  const std::string dfts = "ues: [{rnti: 1, pusch: {prb_size: 4, transform_precoding: true, "
                           "num_dmrs_cdm_groups_no_data: 2";
  EXPECT_EQ(error_of(cell + dfts + "}}]\n"), "no error");
  EXPECT_EQ(error_of(cell + dfts + ", dmrs_hopping: group}}]\n"), "no error");
  EXPECT_EQ(error_of(cell + "ues: [{rnti: 1, pusch: {prb_size: 4, precoding: codebook}}]\n"),
            "p.yaml: ues[0].pusch: not expressible in a FAPI PUSCH PDU: the PUSCH PDU carries no "
            "TPMI");
}

} // namespace
} // namespace airan::l1
