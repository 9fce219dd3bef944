#include "airan/phy/pucch_uci_coding.h"

#include "airan/phy/gold_sequence.h"
#include "airan/phy/uci_short_block_code.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// False-alarm probability of the DMRS gate ahead of a decoder that tells noise itself.
constexpr double uci_dmrs_gate_false_alarm = 0.1;
constexpr unsigned uci_min_payload_bits = 3;

std::string uci_coding_error(const std::string& what) {
  return "PUCCH UCI coding: " + what;
}

void check_uci_sizes(unsigned a, std::size_t e) {
  if (a < uci_min_payload_bits || a > PucchConfig::max_payload_bits) {
    throw std::invalid_argument(
        uci_coding_error("formats 2-4 carry 3..1706 bits, not " + std::to_string(a)));
  }
  // A short block of rank below A (PucchConfig::validate() refuses it) is still coded and
  // decoded: one of the payloads that share the coded bits comes back.
  if (a >= uci_polar_min_payload_bits) {
    if (std::string error = uci_polar_size_error(a, e); !error.empty()) {
      throw std::invalid_argument(uci_coding_error(error));
    }
  }
  if (e == 0) {
    throw std::invalid_argument(uci_coding_error("no coded bits"));
  }
}

} // namespace

void encode_pucch_uci(const PucchConfig& pucch, const PucchUciBits& bits, std::span<bit_t> coded) {
  if (bits.harq.size() != pucch.harq_bits || bits.sr.size() != pucch.sr_bits ||
      bits.csi_part1.size() != pucch.csi_part1_bits) {
    throw std::invalid_argument(uci_coding_error("the UCI parts do not have the PDU's sizes"));
  }
  const unsigned a = pucch.payload_bits();
  check_uci_sizes(a, coded.size());
  // a = HARQ-ACK, SR, CSI part 1 (TS 38.212 6.3.1.1).
  std::array<bit_t, PucchConfig::max_payload_bits> payload{};
  auto next = std::copy(bits.harq.begin(), bits.harq.end(), payload.begin());
  next = std::copy(bits.sr.begin(), bits.sr.end(), next);
  std::copy(bits.csi_part1.begin(), bits.csi_part1.end(), next);
  const std::span<const bit_t> a_bits(payload.data(), a);
  if (a < uci_polar_min_payload_bits) {
    encode_uci_short_block(a_bits, 2, coded); // 3..11 bits: no placeholders, Q_m unused
  } else {
    encode_uci_polar(a_bits, coded);
  }
  GoldSequenceGenerator(pucch_uci_scrambling_init(pucch.rnti, pucch.scrambling_id)).apply(coded);
}

void PucchUciDecoder::decode(const PucchConfig& pucch, std::span<float> llrs,
                             const PucchDmrsEvidence& dmrs, float sinr_db, PucchResult& result) {
  const unsigned a = pucch.payload_bits();
  const std::size_t e = llrs.size();
  if (e != pucch_uci_coded_bits(pucch) || e > scrambling_.size()) {
    throw std::invalid_argument(uci_coding_error("the LLRs are not the PDU's E_tot"));
  }
  check_uci_sizes(a, e);
  const std::span<bit_t> c(scrambling_.data(), e);
  GoldSequenceGenerator(pucch_uci_scrambling_init(pucch.rnti, pucch.scrambling_id)).generate(c);
  bool any_energy = false;
  for (std::size_t i = 0; i < e; ++i) {
    llrs[i] = c[i] != 0 ? -llrs[i] : llrs[i];
    any_energy = any_energy || llrs[i] != 0.0F;
  }

  result.error.clear();
  result.num_harq_bits = pucch.harq_bits;
  result.num_sr_bits = pucch.sr_bits;
  result.num_csi_part1_bits = pucch.csi_part1_bits;
  result.sinr_db = sinr_db;
  const std::span<bit_t> payload(result.bits.data(), a);
  // A short block that decoding cannot tell from noise (uci_short_block_detected() always true)
  // relies on the gate alone, at pucch_false_alarm_probability.
  const bool gate_only = a < uci_polar_min_payload_bits && uci_short_block_detected(a, e, 0.0);
  const bool dmrs_present =
      dmrs.groups > 0 && dmrs.residual_dimensions > 0 &&
      dmrs.share >
          thresholds_.get(dmrs.groups, dmrs.residual_dimensions, std::max(dmrs.hypotheses, 1U),
                          gate_only ? pucch_false_alarm_probability : uci_dmrs_gate_false_alarm);
  if (a < uci_polar_min_payload_bits) {
    const double correlation = decode_uci_short_block(llrs, 2, payload);
    result.detected = any_energy && dmrs_present && uci_short_block_detected(a, e, correlation);
    result.crc_ok = result.detected;
    result.detection_metric = static_cast<float>(correlation);
  } else {
    // An all-zero input would decode to the all-zero block, whose CRC holds.
    result.crc_ok = any_energy && dmrs_present && polar_decoder_.decode(llrs, payload);
    result.detected = result.crc_ok;
    result.detection_metric = result.crc_ok ? 1.0F : 0.0F;
  }
}

} // namespace airan::phy
