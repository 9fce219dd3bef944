/// \file
/// \brief The launch pattern's `ues:` list: each UE's RNTI, period and one of PUSCH, PUCCH, PRACH
/// or SRS, checked against the pattern's cell, antennas and channel (launch_pattern_reader.h).
#include "airan/io/fapi_p5_messages.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/pucch_config_file.h"
#include "airan/io/pusch_config_file.h"
#include "airan/io/srs_config_file.h"

#include "launch_pattern_reader.h"
#include "test_mac_prach_pattern.h"

#include <set>

namespace airan::l1::pattern_detail {
namespace {

/// The UE's PUSCH through the scenario parser (same keys, same checks), on the cell with the
/// UE's antenna ports = layers: a scenario of that one PUSCH (and its CSI part 2 size maps).
io::SlotScenario parse_ue_pusch(const YAML::Node& cell_node, const YAML::Node& pusch_node,
                                const phy::CellConfig& carrier, const std::string& where,
                                const Reader& in) {
  if (!pusch_node.IsMap()) {
    in.fail(where, "expected a mapping of PUSCH keys");
  }
  YAML::Node pusch = YAML::Clone(pusch_node);
  if (!pusch["bwp_start"]) { // the BWP defaults to the carrier
    pusch["bwp_start"] = carrier.grid_start_crb;
  }
  if (!pusch["bwp_size"]) {
    pusch["bwp_size"] = carrier.num_prbs;
  }
  YAML::Node cell = YAML::Clone(cell_node);
  // A copy: the same node in two places is emitted as an anchor and an alias, which the
  // scenario reader refuses.
  cell["num_antenna_ports"] =
      pusch["num_layers"] ? YAML::Clone(pusch["num_layers"]) : YAML::Node(1);
  YAML::Node scenario;
  scenario["cell"] = cell;
  scenario["pusch"].push_back(pusch);
  YAML::Emitter text;
  text << scenario;
  try {
    return io::parse_slot_scenario(text.c_str(), in.name());
  } catch (const io::ConfigError& e) {
    std::string message = e.what();
    const std::string prefix = in.name() + ": pusch[0]";
    if (message.starts_with(prefix)) {
      message = in.name() + ": " + where + message.substr(prefix.size());
    }
    throw PatternError(message);
  }
}

} // namespace

void parse_pattern_ues(const YAML::Node& root, LaunchPattern& pattern, const Reader& in) {
  const auto ues = root["ues"];
  if (!ues || !ues.IsSequence() || ues.size() == 0) {
    in.fail("ues", "expected a non-empty list of UEs");
  }
  std::set<std::uint16_t> rntis;
  std::size_t srs_ues = 0;             // all may send in one slot
  std::size_t pucch_ues = 0;           // likewise
  std::size_t pusch_ues = 0;           // likewise
  std::size_t csi_part2_maps = 0;      // of the UEs so far: CONFIG.request carries them all
  std::size_t csi_part2_map_bytes = 2; // numUci2Maps, then each map
  for (std::size_t i = 0; i < ues.size(); ++i) {
    const std::string where = "ues[" + std::to_string(i) + "]";
    in.only_keys(ues[i], where,
                 {"rnti", "period_slots", "offset_slots", "pusch", "pucch", "prach", "srs"});
    PatternUe ue;
    if (!ues[i]["rnti"]) {
      in.fail(where + ".rnti", "missing");
    }
    ue.rnti = static_cast<std::uint16_t>(in.integer(ues[i]["rnti"], where + ".rnti", 1, 65519));
    if (!rntis.insert(ue.rnti).second) {
      in.fail(where + ".rnti", "RNTI used by another UE");
    }
    if (ues[i]["period_slots"]) {
      ue.period_slots = static_cast<unsigned>(
          in.integer(ues[i]["period_slots"], where + ".period_slots", 1, 10240));
    }
    if (ues[i]["offset_slots"]) {
      ue.offset_slots = static_cast<unsigned>(
          in.integer(ues[i]["offset_slots"], where + ".offset_slots", 0, ue.period_slots - 1));
    }
    if (ues[i]["prach"]) {
      if (ues[i]["pusch"] || ues[i]["pucch"] || ues[i]["srs"]) {
        in.fail(where, "a PRACH UE has no pusch, pucch or srs");
      }
      if (!pattern.prach) {
        in.fail(where + ".prach", "a PRACH UE needs the pattern's prach block (the cell's PRACH)");
      }
      ue.prach = prach_pattern_detail::parse_pattern_prach_ue(ues[i]["prach"], where + ".prach",
                                                              *pattern.prach, in.context());
      ue.pusch.rnti = ue.rnti;
      pattern.ues.push_back(ue);
      continue;
    }
    if (ues[i]["srs"]) {
      if (ues[i]["pusch"] || ues[i]["pucch"] || ues[i]["prach"]) {
        in.fail(where, "an SRS UE has no pusch, pucch or prach");
      }
      ue.srs = io::parse_srs_config(ues[i]["srs"], where + ".srs", pattern.cell, ue.period_slots,
                                    in.context());
      ue.srs->rnti = ue.rnti;
      if (ue.srs->num_ports > pattern.num_rx_antennas) {
        in.fail(where + ".srs.num_ports", "more SRS ports than receive antennas");
      }
      if (phy::is_dual_polarized(pattern.channel.ue_polarization) &&
          phy::names_cdl_family(pattern.channel.model) && ue.srs->num_ports % 2 != 0) {
        in.fail(where + ".srs.num_ports",
                "a dual-polarised UE (channel.ue_polarization " +
                    std::string(phy::cdl_polarization_name(pattern.channel.ue_polarization)) +
                    ") needs an even number of antenna ports, got " +
                    std::to_string(ue.srs->num_ports));
      }
      if (++srs_ues > io::fapi_max_srs_pdus) {
        in.fail(where + ".srs", "more SRS UEs than a UL_TTI.request holds (" +
                                    std::to_string(io::fapi_max_srs_pdus) + ")");
      }
      ue.pusch.rnti = ue.rnti;
      pattern.ues.push_back(ue);
      continue;
    }
    if (ues[i]["pucch"]) {
      if (ues[i]["pusch"]) {
        in.fail(where, "a UE has a pusch or a pucch, not both");
      }
      ue.pucch =
          io::parse_pucch_config(ues[i]["pucch"], where + ".pucch", pattern.cell, in.context());
      ue.pucch->rnti = ue.rnti;
      if (++pucch_ues > io::fapi_max_pucch_pdus) {
        in.fail(where + ".pucch", "more PUCCH UEs than a UL_TTI.request holds (" +
                                      std::to_string(io::fapi_max_pucch_pdus) + ")");
      }
      pattern.ues.push_back(ue);
      continue;
    }
    if (!ues[i]["pusch"]) {
      in.fail(where + ".pusch", "missing (or a pucch, a prach or an srs)");
    }
    if (++pusch_ues > io::fapi_max_pusch_pdus) { // 65 wrote past the request's 64 PDUs
      in.fail(where + ".pusch", "more PUSCH UEs than a UL_TTI.request holds (" +
                                    std::to_string(io::fapi_max_pusch_pdus) + ")");
    }
    io::SlotScenario ue_scenario =
        parse_ue_pusch(root["cell"], ues[i]["pusch"], pattern.cell, where + ".pusch", in);
    ue.pusch = ue_scenario.pusch.front();
    ue.pusch.rnti = ue.rnti;
    ue.csi_part2_size_maps = std::move(ue_scenario.csi_part2_size_maps);
    csi_part2_maps += ue.csi_part2_size_maps.size();
    for (const phy::CsiPart2SizeMap& map : ue.csi_part2_size_maps) { // TLV 0x1036's bytes
      csi_part2_map_bytes += 1 + map.field_bits.size() + 2 * map.part2_bits.size();
    }
    if (csi_part2_maps > io::fapi_max_uci_part2_maps || csi_part2_map_bytes > 0xFFFF) {
      in.fail(where + ".pusch.uci.csi_part2_from_part1",
              "the UEs' CSI reports need " + std::to_string(csi_part2_maps) + " CSI part 2 size " +
                  "maps of " + std::to_string(csi_part2_map_bytes) + " bytes together, more " +
                  "than a CONFIG.request carries (" + std::to_string(io::fapi_max_uci_part2_maps) +
                  " maps, 65535 bytes)");
    }
    {
      // The test MAC sends it as a FAPI PUSCH PDU: what FAPI cannot carry (DMRS hopping, a
      // TPMI, TBS_LBRM) is refused here rather than at the first slot that schedules the UE.
      phy::CellConfig ue_cell = pattern.cell;
      ue_cell.num_antenna_ports = ue.pusch.num_layers;
      io::FapiPuschPdu pdu;
      if (const io::FapiError error = io::to_fapi_pusch_pdu(ue.pusch, ue_cell, pdu); !error.ok()) {
        std::string what = "not expressible in a FAPI PUSCH PDU: ";
        what += error.reason();
        in.fail(where + ".pusch", what);
      }
    }
    if (ue.pusch.num_layers > pattern.num_rx_antennas) {
      in.fail(where + ".pusch.num_layers", "more layers than receive antennas");
    }
    if (phy::is_dual_polarized(pattern.channel.ue_polarization) &&
        phy::names_cdl_family(pattern.channel.model) && ue.pusch.num_layers % 2 != 0) {
      in.fail(where + ".pusch.num_layers",
              "a dual-polarised UE (channel.ue_polarization " +
                  std::string(phy::cdl_polarization_name(pattern.channel.ue_polarization)) +
                  ") needs an even number of layers (one antenna port per layer), got " +
                  std::to_string(ue.pusch.num_layers));
    }
    pattern.ues.push_back(ue);
  }
}

} // namespace airan::l1::pattern_detail
