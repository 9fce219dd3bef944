// CSI part 2 sized from CSI part 1 through the test MAC: the launch pattern carries each UE's size
// maps (indices from 0 per UE), the UE sends the part 2 size its random part 1 gives, and the
// L1, configured with every UE's maps (CONFIG.request, numbered UE after UE), reports each part 2
// with that length, which varies with part 1.
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"
#include "airan/l1/uplink_signal.h"
#include "airan/phy/pusch_receiver.h"

#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

namespace airan::l1 {
namespace {

LaunchPattern load_uci_pattern_for_csi_part2() {
  return load_launch_pattern(airan::test::repo_root() / "configs/patterns/uci_on_pusch.yaml");
}

std::string csi_part2_pattern_error(const std::string& yaml) {
  try {
    parse_launch_pattern(yaml, "sized_pattern.yaml");
  } catch (const PatternError& e) {
    return e.what();
  }
  return {};
}

/// A pattern of \p num_ues UEs, each with \p reports CSI reports whose part 2 is sized from one
/// bit of its 8-bit CSI part 1.
std::string csi_part2_pattern_with_reports(unsigned num_ues, unsigned reports) {
  std::string yaml = "cell: {num_prbs: 24, numerology: 1, n_cell_id: 5}\nues:\n";
  for (unsigned u = 0; u < num_ues; ++u) {
    yaml += "  - {rnti: " + std::to_string(0x4700 + u) +
            ", pusch: {prb_size: 4, mcs_index: 5, uci: {csi_part1_bits: 8, "
            "csi_part2_from_part1: [";
    for (unsigned r = 0; r < reports; ++r) {
      yaml += std::string(r == 0 ? "" : ", ") + "{fields: [[" + std::to_string(r) +
              ", 1]], part2_bits: [1, 2]}";
    }
    yaml += "]}}}\n";
  }
  return yaml;
}

/// \p num_ues UEs with one CSI report each, sized by a 12-bit field of part 1 (4096 sizes: a map
/// of 8194 bytes in TLV 0x1036).
std::string csi_part2_pattern_with_wide_maps(unsigned num_ues) {
  std::string sizes = "1";
  for (int i = 1; i < 4096; ++i) {
    sizes += ", 1";
  }
  std::string yaml = "cell: {num_prbs: 24, numerology: 1, n_cell_id: 5}\nues:\n";
  for (unsigned u = 0; u < num_ues; ++u) {
    yaml += "  - {rnti: " + std::to_string(0x4700 + u) +
            ", pusch: {prb_size: 4, mcs_index: 5, uci: {csi_part1_bits: 12, "
            "csi_part2_from_part1: [{fields: [[0, 12]], part2_bits: [" +
            sizes + "]}]}}}\n";
  }
  return yaml;
}

TEST(LaunchPatternCsiPart2, EachUeCarriesItsOwnMapsFromIndexZero) {
  const LaunchPattern pattern = load_uci_pattern_for_csi_part2();
  ASSERT_EQ(pattern.ues.size(), 5U);
  for (const std::size_t u : {std::size_t{1}, std::size_t{4}}) {
    const PatternUe& ue = pattern.ues[u];
    ASSERT_EQ(ue.csi_part2_size_maps.size(), 1U) << u;
    ASSERT_EQ(ue.pusch.uci.csi_part2_sizing.num_reports, 1U) << u;
    EXPECT_EQ(ue.pusch.uci.csi_part2_sizing.reports[0].map_index, 0U) << u;
    EXPECT_EQ(ue.pusch.uci.csi_part2_bits, 0U) << u;
  }
  EXPECT_EQ(pattern.ues[1].csi_part2_size_maps[0].field_bits, (std::vector<std::uint8_t>{2}));
  EXPECT_EQ(pattern.ues[1].csi_part2_size_maps[0].part2_bits,
            (std::vector<std::uint16_t>{6, 24, 18, 30}));
  EXPECT_EQ(pattern.ues[4].csi_part2_size_maps[0].field_bits, (std::vector<std::uint8_t>{1, 1}));
  for (const std::size_t u : {std::size_t{0}, std::size_t{2}, std::size_t{3}}) {
    EXPECT_TRUE(pattern.ues[u].csi_part2_size_maps.empty()) << u;
  }
}

TEST(LaunchPatternCsiPart2, ErrorsNameTheUesKey) {
  std::string error = csi_part2_pattern_error(R"(
cell: {num_prbs: 24, numerology: 1, n_cell_id: 5}
ues:
  - {rnti: 0x4701, pusch: {prb_size: 4, uci: {csi_part1_bits: 4,
     csi_part2_from_part1: [{fields: [[3, 2]], part2_bits: [1, 2, 3, 4]}]}}}
)");
  EXPECT_NE(error.find("sized_pattern.yaml: ues[0].pusch.uci.csi_part2_from_part1: "),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("beyond CSI part 1's 4 bits"), std::string::npos) << error;
  // 8 UEs of 8 maps fill a CONFIG.request; a ninth UE's are too many.
  EXPECT_EQ(csi_part2_pattern_error(csi_part2_pattern_with_reports(8, 8)), "");
  error = csi_part2_pattern_error(csi_part2_pattern_with_reports(9, 8));
  EXPECT_NE(error.find("ues[8].pusch.uci.csi_part2_from_part1: "), std::string::npos) << error;
  EXPECT_NE(error.find("72 CSI part 2 size maps of "), std::string::npos) << error;
  EXPECT_NE(error.find("more than a CONFIG.request carries (64 maps, 65535 bytes)"),
            std::string::npos)
      << error;
  // 7 maps of 12 index bits fit TLV 0x1036's 65535 bytes (57360), an eighth does not (65554).
  EXPECT_EQ(csi_part2_pattern_error(csi_part2_pattern_with_wide_maps(7)), "");
  error = csi_part2_pattern_error(csi_part2_pattern_with_wide_maps(8));
  EXPECT_NE(error.find("ues[7].pusch.uci.csi_part2_from_part1: "), std::string::npos) << error;
  EXPECT_NE(error.find("8 CSI part 2 size maps of 65554 bytes"), std::string::npos) << error;
}

TEST(UplinkSignalCsiPart2, TheUeSendsThePart2SizeItsDrawnPart1Gives) {
  const LaunchPattern pattern = load_uci_pattern_for_csi_part2();
  const PatternUe& ue = pattern.ues[1];
  const unsigned layers = ue.pusch.num_layers;
  UplinkSignalGenerator generator(pattern.cell, pattern.num_rx_antennas, pattern.channel,
                                  std::span(&layers, 1), 20.0, 7);
  std::set<unsigned> sizes;
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    UeTransmission tx;
    tx.pusch = ue.pusch;
    tx.tb_seed = seed;
    tx.uci_seed = seed * 977;
    tx.csi_part2_size_maps = ue.csi_part2_size_maps;
    const phy::PuschConfig sent = sized_ue_pusch(tx.pusch, ue.csi_part2_size_maps, tx.uci_seed);
    EXPECT_EQ(sent.uci.csi_part2_sizing, ue.pusch.uci.csi_part2_sizing);
    generator.generate(std::span(&tx, 1), seed);
    const apps::SimulatedUci& uci = generator.uci_bits(0);
    EXPECT_EQ(uci.csi_part2.size(), sent.uci.csi_part2_bits);
    EXPECT_EQ(phy::csi_part2_bits_from_part1(uci.csi_part1, ue.pusch.uci.csi_part2_sizing,
                                             ue.csi_part2_size_maps),
              sent.uci.csi_part2_bits);
    sizes.insert(sent.uci.csi_part2_bits);
  }
  EXPECT_EQ(sizes, (std::set<unsigned>{6, 18, 24, 30}));
  // Without sizing the PUSCH is sent as it is; sizing without its maps is refused.
  EXPECT_EQ(sized_ue_pusch(pattern.ues[0].pusch, {}, 1).uci, pattern.ues[0].pusch.uci);
  EXPECT_THROW((void)sized_ue_pusch(ue.pusch, {}, 1), std::invalid_argument);
}

// What the test MAC sends, without the L1 around it: the UE's sized PUSCH, as its UL_TTI PDU says
// it (csiPart2BitLength 0xFFFF) and received with the UE's maps, decodes to the part 2 sent.
TEST(UplinkSignalCsiPart2, ThePduWithoutThePart2SizeDecodesWithTheMaps) {
  LaunchPattern pattern = load_uci_pattern_for_csi_part2();
  const PatternUe& ue = pattern.ues[1];
  pattern.channel = apps::ChannelSpec{}; // AWGN
  pattern.channel.domain = apps::ChannelDomain::frequency;
  const unsigned layers = ue.pusch.num_layers;
  UplinkSignalGenerator generator(pattern.cell, pattern.num_rx_antennas, pattern.channel,
                                  std::span(&layers, 1), 25.0, 3);
  phy::CellConfig ue_cell = pattern.cell;
  ue_cell.num_antenna_ports = layers;
  phy::PuschReceiverConfig config;
  config.num_rx_antennas = pattern.num_rx_antennas;
  config.max_layers = layers;
  config.csi_part2_size_maps = ue.csi_part2_size_maps;
  phy::PuschReceiver receiver(ue_cell, config);
  std::vector<phy::PuschPduResult> results;
  std::set<std::size_t> sizes;
  for (unsigned slot = 0; slot < 12; ++slot) {
    UeTransmission tx;
    tx.pusch = ue.pusch;
    tx.pusch.handle = slot;
    tx.tb_seed = slot + 1;
    tx.uci_seed = 31 * slot + 5;
    tx.csi_part2_size_maps = ue.csi_part2_size_maps;
    generator.generate(std::span(&tx, 1), slot);
    io::FapiPuschPdu pdu;
    ASSERT_TRUE(io::to_fapi_pusch_pdu(tx.pusch, ue_cell, pdu).ok());
    ASSERT_TRUE(pdu.uci.has_value());
    EXPECT_EQ(pdu.uci->csi_part2_bit_length, io::fapi_csi_part2_from_part1);
    phy::PuschConfig received;
    ASSERT_TRUE(io::to_pusch_config(pdu, ue_cell, received).ok());
    receiver.process_slot(generator.grid(), slot, std::span(&received, 1), results);
    ASSERT_EQ(results.size(), 1U);
    EXPECT_EQ(results[0].error, "") << slot;
    EXPECT_TRUE(results[0].tb_crc_ok) << slot;
    EXPECT_EQ(results[0].uci.csi_part1, generator.uci_bits(0).csi_part1) << slot;
    EXPECT_EQ(results[0].uci.csi_part2, generator.uci_bits(0).csi_part2) << slot;
    sizes.insert(results[0].uci.csi_part2.size());
  }
  EXPECT_GE(sizes.size(), 3U);
}

// The UEs of the UCI pattern with sized CSI part 2 alone (one with UL-SCH, one UCI only, each
// with a map of its own: CONFIG.request numbers the second UE's map 1), through AWGN: every
// payload is right and the part 2 lengths reported follow each part 1.
TEST(TestMacCsiPart2, ReportedPart2LengthsFollowEachPart1) {
  LaunchPattern pattern = load_uci_pattern_for_csi_part2();
  pattern.ues = {pattern.ues[1], pattern.ues[4]};
  pattern.channel = apps::ChannelSpec{}; // AWGN
  pattern.channel.domain = apps::ChannelDomain::frequency;
  pattern.snr_db = 20.0;
  pattern.num_slots = 24;
  const TestMacReport report = run_test_mac_session(pattern, {});
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.error_indications, 0U);
  EXPECT_EQ(report.uci_reports, report.pdus_sent);
  EXPECT_EQ(report.uci_payloads_wrong + report.uci_payloads_failed, 0U);
  // HARQ-ACK, CSI part 1 and CSI part 2 of every PDU.
  EXPECT_EQ(report.uci_payloads_ok, 3 * report.pdus_sent);
  std::uint64_t sized = 0;
  for (const auto& [bits, count] : report.csi_part2_sized_lengths) {
    sized += count;
  }
  EXPECT_EQ(sized, report.uci_reports);
  // Lengths of both UEs' maps (6, 18, 24, 30 and 8, 12, 20, 30 bits): more than one each.
  EXPECT_GE(report.csi_part2_sized_lengths.size(), 5U);
  for (const auto& [bits, count] : report.csi_part2_sized_lengths) {
    EXPECT_TRUE(std::set<unsigned>({6, 8, 12, 18, 20, 24, 30}).contains(bits)) << bits;
  }
}

} // namespace
} // namespace airan::l1
