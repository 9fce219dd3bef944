#include "airan/phy/uci_coded_sizes.h"

#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/pusch_re_mapper.h"

#include <algorithm>

namespace airan::phy {
namespace {

/// ceil(num / den) for den > 0.
std::uint64_t ceil_div(std::uint64_t num, std::uint64_t den) {
  return (num + den - 1) / den;
}

/// CRC bits L of a UCI payload (TS 38.212 6.3.1.2.1): none up to 11 bits.
unsigned uci_crc_bits(unsigned payload_bits) {
  if (payload_bits <= 11) {
    return 0;
  }
  return payload_bits <= 19 ? 6 : 11;
}

/// The first term of Q' with UL-SCH: ceil((O + L) beta sum M_UCI / sum K_r).
std::uint64_t beta_term(unsigned payload_bits, std::uint16_t beta_x8, std::uint32_t uci_res,
                        std::uint64_t sum_code_block_bits) {
  const std::uint64_t bits = payload_bits + uci_crc_bits(payload_bits);
  return ceil_div(bits * beta_x8 * uci_res, 8 * sum_code_block_bits);
}

/// The first term of Q' without UL-SCH: ceil((O + L) beta / (R Q_m)), R = rate_x10240 / 10240.
std::uint64_t rate_term(unsigned payload_bits, std::uint16_t beta_x8,
                        std::uint32_t code_rate_x10240, unsigned qm) {
  const std::uint64_t bits = payload_bits + uci_crc_bits(payload_bits);
  return ceil_div(bits * beta_x8 * 10240, std::uint64_t{8} * code_rate_x10240 * qm);
}

/// ceil(alpha * res).
std::uint64_t alpha_cap(unsigned alpha_scaling, std::uint32_t res) {
  return ceil_div(std::uint64_t{uci_alpha_x20[alpha_scaling]} * res, 20);
}

/// Q'_ACK for \p harq_ack_bits bits (0 for none).
std::uint64_t harq_ack_symbols(const PuschUciConfig& uci, unsigned harq_ack_bits,
                               const UciResourceCounts& res, std::uint64_t sum_code_block_bits) {
  if (harq_ack_bits == 0) {
    return 0;
  }
  return std::min(beta_term(harq_ack_bits, harq_ack_beta_offset_x8[uci.beta_offset_harq_ack],
                            res.uci_res, sum_code_block_bits),
                  alpha_cap(uci.alpha_scaling, res.uci_res_from_l0));
}

} // namespace

UciResourceCounts uci_resource_counts(const PuschReMapping& mapping) {
  UciResourceCounts counts;
  counts.data_res = static_cast<std::uint32_t>(mapping.num_data_res());
  bool after_first_dmrs = false;
  bool seen_dmrs = false;
  for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
    if (mapping.dmrs_symbols.contains(l)) {
      seen_dmrs = true;
      continue;
    }
    after_first_dmrs = after_first_dmrs || seen_dmrs;
    const std::uint32_t m = mapping.num_data_res(l);
    counts.uci_res += m;
    if (after_first_dmrs) {
      counts.uci_res_from_l0 += m;
    }
  }
  return counts;
}

UciCodedSizes uci_coded_sizes(const PuschUciConfig& uci, const UciResourceCounts& res,
                              std::uint64_t sum_code_block_bits, unsigned num_layers, unsigned qm) {
  const std::uint32_t bits_per_re = num_layers * qm;
  UciCodedSizes sizes;
  sizes.total = res.data_res * bits_per_re;
  if (!uci.present() || sum_code_block_bits == 0) {
    sizes.ulsch = sizes.total;
    return sizes;
  }
  const std::uint64_t q_ack = harq_ack_symbols(uci, uci.harq_ack_bits, res, sum_code_block_bits);
  // A HARQ-ACK of at most 2 bits punctures REs reserved as if it had 2 (TS 38.212 6.2.7).
  const bool punctures = uci.harq_ack_bits <= 2;
  const std::uint64_t q_ack_reserved =
      punctures ? harq_ack_symbols(uci, 2, res, sum_code_block_bits) : 0;
  const std::uint64_t alpha_all = alpha_cap(uci.alpha_scaling, res.uci_res);
  std::uint64_t q_csi1 = 0;
  if (uci.csi_part1_bits != 0) {
    const std::uint64_t q_ack_before = punctures ? q_ack_reserved : q_ack;
    q_csi1 = std::min(beta_term(uci.csi_part1_bits, csi_beta_offset_x8[uci.beta_offset_csi1],
                                res.uci_res, sum_code_block_bits),
                      alpha_all - std::min(alpha_all, q_ack_before));
  }
  std::uint64_t q_csi2 = 0;
  if (uci.csi_part2_bits != 0) {
    // CSI part 2 may take the reserved REs (the HARQ-ACK then punctures it).
    const std::uint64_t taken = (punctures ? 0 : q_ack) + q_csi1;
    q_csi2 = std::min(beta_term(uci.csi_part2_bits, csi_beta_offset_x8[uci.beta_offset_csi2],
                                res.uci_res, sum_code_block_bits),
                      alpha_all - std::min(alpha_all, taken));
  }
  sizes.harq_ack = static_cast<std::uint32_t>(q_ack * bits_per_re);
  sizes.harq_ack_reserved = static_cast<std::uint32_t>(q_ack_reserved * bits_per_re);
  sizes.csi_part1 = static_cast<std::uint32_t>(q_csi1 * bits_per_re);
  sizes.csi_part2 = static_cast<std::uint32_t>(q_csi2 * bits_per_re);
  const std::uint32_t uci_bits =
      (punctures ? 0 : sizes.harq_ack) + sizes.csi_part1 + sizes.csi_part2;
  sizes.ulsch = sizes.total - std::min(sizes.total, uci_bits);
  return sizes;
}

UciCodedSizes uci_only_coded_sizes(const PuschUciConfig& uci, const UciResourceCounts& res,
                                   std::uint32_t code_rate_x10240, unsigned num_layers,
                                   unsigned qm) {
  const std::uint32_t bits_per_re = num_layers * qm;
  UciCodedSizes sizes;
  sizes.total = res.data_res * bits_per_re;
  if (!uci.present() || code_rate_x10240 == 0 || qm == 0) {
    return sizes;
  }
  const auto ack_symbols = [&](unsigned bits) -> std::uint64_t {
    if (bits == 0) {
      return 0;
    }
    return std::min(
        rate_term(bits, harq_ack_beta_offset_x8[uci.beta_offset_harq_ack], code_rate_x10240, qm),
        alpha_cap(uci.alpha_scaling, res.uci_res_from_l0));
  };
  const std::uint64_t q_ack = ack_symbols(uci.harq_ack_bits);
  const bool punctures = uci.harq_ack_bits <= 2;
  const std::uint64_t q_ack_reserved = punctures ? ack_symbols(2) : 0;
  const std::uint64_t all = res.uci_res;
  std::uint64_t q_csi1 = 0;
  if (uci.csi_part1_bits != 0) {
    const std::uint64_t left = all - std::min(all, punctures ? q_ack_reserved : q_ack);
    q_csi1 = !uci.has_csi_part2()
                 ? left
                 : std::min(rate_term(uci.csi_part1_bits, csi_beta_offset_x8[uci.beta_offset_csi1],
                                      code_rate_x10240, qm),
                            left);
  }
  std::uint64_t q_csi2 = 0;
  if (uci.has_csi_part2()) {
    // Every RE left (whatever O_CSI-2, which a size from part 1 leaves unknown here), the reserved
    // ones included (a short HARQ-ACK then punctures it).
    q_csi2 = all - std::min(all, (punctures ? 0 : q_ack) + q_csi1);
  }
  sizes.harq_ack = static_cast<std::uint32_t>(q_ack * bits_per_re);
  sizes.harq_ack_reserved = static_cast<std::uint32_t>(q_ack_reserved * bits_per_re);
  sizes.csi_part1 = static_cast<std::uint32_t>(q_csi1 * bits_per_re);
  sizes.csi_part2 = static_cast<std::uint32_t>(q_csi2 * bits_per_re);
  return sizes;
}

PuschUciConfig coded_uci_config(const PuschConfig& pusch) {
  PuschUciConfig uci = pusch.uci;
  if (!pusch.ulsch && uci.csi_part1_bits != 0 && !uci.has_csi_part2()) {
    uci.harq_ack_bits = std::max(uci.harq_ack_bits, 2U);
  }
  return uci;
}

UciCodedSizes pusch_coded_sizes(const CellConfig& cell, const PuschConfig& pusch,
                                std::uint32_t tbs) {
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  const UciResourceCounts res = uci_resource_counts(mapping);
  if (!pusch.ulsch) {
    return uci_only_coded_sizes(coded_uci_config(pusch), res, pusch.code_rate_x10240(),
                                pusch.num_layers, pusch.modulation_order());
  }
  std::uint64_t sum_k = 0;
  if (pusch.uci.present()) {
    const CrcPolynomial crc = transport_block_crc_polynomial(tbs);
    const CodeBlockSegmentation seg =
        segment_code_blocks(tbs + crc_length(crc), pusch_ldpc_base_graph(pusch, tbs));
    sum_k = std::uint64_t{seg.num_code_blocks} * seg.num_systematic_bits;
  }
  return uci_coded_sizes(pusch.uci, res, sum_k, pusch.num_layers, pusch.modulation_order());
}

} // namespace airan::phy
