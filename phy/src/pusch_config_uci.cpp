/// \file
/// \brief PuschConfig::validate()'s UCI checks (see pusch_config_uci.h).
#include "pusch_config_uci.h"

#include "airan/phy/uci_coded_sizes.h"
#include "airan/phy/uci_polar_code.h"

#include <stdexcept>
#include <tuple>

namespace airan::phy::pusch_config_detail {

std::string validate_uci(const PuschUciConfig& uci) {
  const auto too_long = [](const char* part, unsigned bits) {
    return std::string(part) + " of " + str(bits) + " bits is longer than a UCI payload can be (" +
           str(PuschUciConfig::max_payload_bits) + " bits, TS 38.212 6.3.1.2.1)";
  };
  if (uci.harq_ack_bits > PuschUciConfig::max_payload_bits) {
    return too_long("HARQ-ACK", uci.harq_ack_bits);
  }
  if (uci.csi_part1_bits > PuschUciConfig::max_payload_bits) {
    return too_long("CSI part 1", uci.csi_part1_bits);
  }
  if (uci.csi_part2_bits > PuschUciConfig::max_payload_bits) {
    return too_long("CSI part 2", uci.csi_part2_bits);
  }
  if (uci.has_csi_part2() && uci.csi_part1_bits == 0) {
    return "CSI part 2 needs CSI part 1";
  }
  if (uci.csi_part2_sizing.num_reports > CsiPart2Sizing::max_reports) {
    return "CSI part 2 sized by more than " + str(CsiPart2Sizing::max_reports) + " reports";
  }
  for (const CsiPart2SizeRule& rule : uci.csi_part2_sizing.used_reports()) {
    if (rule.num_fields == 0 || rule.num_fields > CsiPart2SizeRule::max_fields) {
      return "a CSI report's part 2 is sized by 1 to 4 part 1 fields, not " + str(rule.num_fields);
    }
    for (const CsiPart1Field& field : rule.used_fields()) {
      if (field.bits == 0 || field.offset + field.bits > uci.csi_part1_bits) {
        return "a part 1 field that sizes CSI part 2 (bits " + str(field.offset) + ", " +
               str(field.bits) + " long) lies outside CSI part 1's " + str(uci.csi_part1_bits) +
               " bits";
      }
    }
  }
  if (uci.alpha_scaling >= uci_alpha_x20.size()) {
    return "UCI alpha scaling " + str(uci.alpha_scaling) + " is not in 0..3";
  }
  if (uci.beta_offset_harq_ack >= harq_ack_beta_offset_x8.size()) {
    return "HARQ-ACK beta offset index " + str(uci.beta_offset_harq_ack) + " is not in 0..15";
  }
  if (uci.beta_offset_csi1 >= csi_beta_offset_x8.size() ||
      uci.beta_offset_csi2 >= csi_beta_offset_x8.size()) {
    return "CSI beta offset indices must be 0..18";
  }
  return {};
}

std::string validate_uci_sizes(const CellConfig& cell, const PuschConfig& pusch,
                               std::uint32_t tbs) {
  if (!pusch.uci.present()) {
    return {};
  }
  UciCodedSizes sizes;
  try {
    sizes = pusch_coded_sizes(cell, pusch, tbs);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  const auto none_left = [](const char* part) {
    return std::string("no RE is left for ") + part + " on this PUSCH";
  };
  if (pusch.uci.harq_ack_bits != 0 && sizes.harq_ack == 0) {
    return none_left("HARQ-ACK (no symbol without DMRS after the first DMRS)");
  }
  if (pusch.uci.csi_part1_bits != 0 && sizes.csi_part1 == 0) {
    return none_left("CSI part 1");
  }
  if (pusch.uci.csi_part2_bits != 0 && sizes.csi_part2 == 0) {
    return none_left("CSI part 2");
  }
  if (!pusch.ulsch && pusch.uci.has_csi_part2() && pusch.uci.harq_ack_bits <= 2 &&
      sizes.csi_part2 <= sizes.harq_ack) {
    return none_left("CSI part 2 (it has only the reserved REs, which the HARQ-ACK punctures)");
  }
  if (pusch.ulsch && sizes.ulsch == 0) {
    return none_left("the UL-SCH");
  }
  // A polar-coded part needs at least K + n_PC coded bits per segment.
  for (const auto& [name, bits, coded] :
       {std::tuple{"HARQ-ACK", pusch.uci.harq_ack_bits, sizes.harq_ack},
        std::tuple{"CSI part 1", pusch.uci.csi_part1_bits, sizes.csi_part1},
        std::tuple{"CSI part 2", pusch.uci.csi_part2_bits, sizes.csi_part2}}) {
    if (PuschUciConfig::polar_coded(bits)) {
      if (std::string error = uci_polar_size_error(bits, coded); !error.empty()) {
        return std::string(name) + ": " + error + " (raise its beta offset)";
      }
    }
  }
  return {};
}

std::string validate_uci_only(const CellConfig& cell, const PuschConfig& pusch) {
  if (pusch.tb_size_bits != 0) {
    return "a PUSCH without UL-SCH has no TB (TB size " + str(pusch.tb_size_bits) + " given)";
  }
  if (pusch.uci.csi_part1_bits == 0) {
    return "a PUSCH without UL-SCH must carry CSI part 1 (TS 38.212 6.3.2.4: UCI only is a CSI "
           "report, with or without HARQ-ACK)";
  }
  return validate_uci_sizes(cell, pusch, 0);
}

} // namespace airan::phy::pusch_config_detail
