#include "airan/phy/pucch_format1.h"

#include "airan/phy/numerology.h"
#include "airan/phy/pucch_detection.h"
#include "airan/phy/pucch_sequence.h"

#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

constexpr unsigned subcarriers = pucch_num_cyclic_shifts;
constexpr unsigned max_hypotheses = 4;
constexpr float inv_sqrt2 = std::numbers::sqrt2_v<float> / 2.0F;

/// d(0) for \p harq (TS 38.211 5.1.2 BPSK, 5.1.3 QPSK); a positive SR alone sends b(0) = 0.
cf32 modulation_symbol(std::span<const bit_t> harq) {
  if (harq.empty()) {
    return {inv_sqrt2, inv_sqrt2};
  }
  const float b0 = harq[0] != 0 ? -inv_sqrt2 : inv_sqrt2;
  if (harq.size() == 1) {
    return {b0, b0};
  }
  return {b0, harq[1] != 0 ? -inv_sqrt2 : inv_sqrt2};
}

/// The cover value w_i(m) of PUCCH symbol \p l: m counts the symbols of its kind (DMRS on even
/// l, data on odd l) in its hop.
cf32 cover_of(const PucchConfig& pucch, unsigned l) {
  const unsigned hop = pucch.hop_of(l);
  const bool dmrs = l % 2 == 0;
  const unsigned first = hop == 0 ? 0 : pucch.first_hop_symbols();
  unsigned m = 0;
  for (unsigned j = first; j < l; ++j) {
    m += (j % 2 == 0) == dmrs ? 1U : 0U;
  }
  return pucch_format1_cover(pucch_format1_spreading_factor(pucch, hop, dmrs),
                             pucch.time_domain_occ, m);
}

unsigned first_subcarrier(const CellConfig& cell, const PucchConfig& pucch, unsigned l) {
  return subcarriers * (pucch.first_crb_of(l) - cell.grid_start_crb);
}

} // namespace

void write_pucch_format1(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                         const PucchUciBits& bits, ResourceGrid& grid, unsigned port) {
  if (std::string error = pucch.validate(cell); !error.empty()) {
    throw std::invalid_argument("write_pucch_format1: " + error);
  }
  if (pucch.format != PucchFormat::format1 || bits.harq.size() != pucch.harq_bits ||
      bits.sr.size() != pucch.sr_bits) {
    throw std::invalid_argument("write_pucch_format1: not a format 1 PUCCH, or bits that do not "
                                "match its HARQ-ACK and SR sizes");
  }
  if (bits.harq.empty() && (bits.sr.empty() || bits.sr[0] == 0)) {
    return;
  }
  const cf32 d = modulation_symbol(bits.harq);
  const auto base = pucch_hop_base_sequences(pucch, slot);
  std::array<unsigned, max_symbols_per_slot> shifts{};
  pucch_cyclic_shift_indices(pucch, symbols_per_slot(cell.cyclic_prefix), slot, shifts);
  std::array<cf32, subcarriers> sequence{};
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    apply_pucch_cyclic_shift(base[pucch.hop_of(l)], shifts[l], sequence);
    const cf32 scale = cover_of(pucch, l) * (l % 2 == 0 ? cf32(1.0F, 0.0F) : d);
    std::span<cf32> row = grid.symbol(port, pucch.start_symbol + l);
    const unsigned k0 = first_subcarrier(cell, pucch, l);
    for (unsigned n = 0; n < subcarriers; ++n) {
      row[k0 + n] = scale * sequence[n];
    }
  }
}

void PucchFormat1Detector::detect(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
                                  const PucchConfig& pucch, PucchResult& result) {
  // Hypotheses: every HARQ-ACK value (bit pattern = index), or the SR's b(0) = 0 alone.
  const unsigned num_hypotheses = 1U << pucch.harq_bits;
  std::array<cf32, max_hypotheses> symbols{};
  for (unsigned h = 0; h < num_hypotheses; ++h) {
    const std::array<bit_t, 2> harq = {static_cast<bit_t>(h & 1U), static_cast<bit_t>(h >> 1)};
    symbols[h] = modulation_symbol(std::span(harq).first(pucch.harq_bits));
  }
  // Despread sequences and covers once per symbol: the conjugate of what the UE sends, without d.
  std::array<std::array<cf32, subcarriers>, max_symbols_per_slot> reference{};
  const auto base = pucch_hop_base_sequences(pucch, slot);
  std::array<unsigned, max_symbols_per_slot> shifts{};
  pucch_cyclic_shift_indices(pucch, symbols_per_slot(cell.cyclic_prefix), slot, shifts);
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    apply_pucch_cyclic_shift(base[pucch.hop_of(l)], shifts[l], reference[l]);
    const cf32 cover = cover_of(pucch, l);
    for (cf32& value : reference[l]) {
      value = std::conj(value * cover);
    }
  }
  const unsigned hops = pucch.intra_slot_hopping ? 2 : 1;
  std::array<double, max_hypotheses> energy{};
  double total = 0.0;
  for (unsigned rx = 0; rx < grid.num_ports(); ++rx) {
    for (unsigned hop = 0; hop < hops; ++hop) {
      cf32 dmrs_sum(0.0F, 0.0F);
      cf32 data_sum(0.0F, 0.0F);
      unsigned hop_symbols = 0;
      for (unsigned l = 0; l < pucch.num_symbols; ++l) {
        if (pucch.hop_of(l) != hop) {
          continue;
        }
        ++hop_symbols;
        std::span<const cf32> row = grid.symbol(rx, pucch.start_symbol + l);
        const unsigned k0 = first_subcarrier(cell, pucch, l);
        cf32 sum(0.0F, 0.0F);
        for (unsigned n = 0; n < subcarriers; ++n) {
          total += std::norm(row[k0 + n]);
          sum += row[k0 + n] * reference[l][n];
        }
        (l % 2 == 0 ? dmrs_sum : data_sum) += sum;
      }
      for (unsigned h = 0; h < num_hypotheses; ++h) {
        energy[h] += std::norm(dmrs_sum + (std::conj(symbols[h]) * data_sum)) /
                     static_cast<double>(subcarriers * hop_symbols);
      }
    }
  }
  unsigned best = 0;
  for (unsigned h = 1; h < num_hypotheses; ++h) {
    best = energy[h] > energy[best] ? h : best;
  }
  const unsigned blocks = grid.num_ports() * hops;
  const unsigned res = grid.num_ports() * pucch.num_symbols * subcarriers;
  const double threshold = thresholds_.get(blocks, res - blocks, num_hypotheses);
  result = PucchResult{};
  result.num_harq_bits = pucch.harq_bits;
  result.num_sr_bits = pucch.sr_bits;
  result.detection_metric = total > 0.0 ? static_cast<float>(energy[best] / total) : 0.0F;
  result.detected = result.detection_metric > threshold;
  result.crc_ok = result.detected;
  result.sinr_db = pucch_sinr_db(energy[best], total, blocks, res);
  if (result.detected) {
    for (unsigned i = 0; i < pucch.harq_bits; ++i) {
      result.bits[i] = static_cast<bit_t>((best >> i) & 1U);
    }
    if (pucch.sr_bits != 0) {
      result.bits[pucch.harq_bits] = 1;
    }
  }
}

} // namespace airan::phy
