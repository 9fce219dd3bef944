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

constexpr unsigned f1_subcarriers = pucch_num_cyclic_shifts;
constexpr unsigned f1_max_hypotheses = 4;
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

unsigned f1_first_subcarrier(const CellConfig& cell, const PucchConfig& pucch, unsigned l) {
  return f1_subcarriers * (pucch.first_crb_of(l) - cell.grid_start_crb);
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
  std::array<cf32, f1_subcarriers> sequence{};
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    apply_pucch_cyclic_shift(base[pucch.hop_of(l)], shifts[l], sequence);
    const cf32 scale = cover_of(pucch, l) * (l % 2 == 0 ? cf32(1.0F, 0.0F) : d);
    std::span<cf32> row = grid.symbol(port, pucch.start_symbol + l);
    const unsigned k0 = f1_first_subcarrier(cell, pucch, l);
    for (unsigned n = 0; n < f1_subcarriers; ++n) {
      row[k0 + n] = scale * sequence[n];
    }
  }
}

namespace {

/// The conjugate of what \p pucch sends on each symbol without d: sequence times cover.
void prepare_reference(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                       std::array<std::array<cf32, f1_subcarriers>, max_symbols_per_slot>& out) {
  const auto base = pucch_hop_base_sequences(pucch, slot);
  std::array<unsigned, max_symbols_per_slot> shifts{};
  pucch_cyclic_shift_indices(pucch, symbols_per_slot(cell.cyclic_prefix), slot, shifts);
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    apply_pucch_cyclic_shift(base[pucch.hop_of(l)], shifts[l], out[l]);
    const cf32 cover = cover_of(pucch, l);
    for (cf32& value : out[l]) {
      value = std::conj(value * cover);
    }
  }
}

/// The key of a format 1 PUCCH's directions on its resource: its cyclic shift and cover.
unsigned direction_key(const PucchConfig& pucch) {
  return (pucch.initial_cyclic_shift * 8U) + pucch.time_domain_occ;
}

} // namespace

void PucchFormat1Correlation::reserve(unsigned num_rx_antennas) {
  dmrs.reserve(std::size_t{2} * num_rx_antennas);
  data.reserve(std::size_t{2} * num_rx_antennas);
}

void PucchFormat1Detector::correlate(const ResourceGrid& grid, const CellConfig& cell,
                                     unsigned slot, const PucchConfig& pucch,
                                     PucchFormat1Correlation& out) const {
  std::array<std::array<cf32, f1_subcarriers>, max_symbols_per_slot> reference{};
  prepare_reference(cell, slot, pucch, reference);
  const unsigned hops = pucch.intra_slot_hopping ? 2 : 1;
  out.dmrs.assign(std::size_t{hops} * grid.num_ports(), cf32(0.0F, 0.0F));
  out.data.assign(out.dmrs.size(), cf32(0.0F, 0.0F));
  out.dmrs_res = {};
  out.data_res = {};
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    (l % 2 == 0 ? out.dmrs_res : out.data_res)[pucch.hop_of(l)] += f1_subcarriers;
  }
  out.total = 0.0;
  for (unsigned rx = 0; rx < grid.num_ports(); ++rx) {
    for (unsigned l = 0; l < pucch.num_symbols; ++l) {
      const std::span<const cf32> row =
          grid.symbol(rx, pucch.start_symbol + l).subspan(f1_first_subcarrier(cell, pucch, l));
      cf32 sum(0.0F, 0.0F);
      for (unsigned n = 0; n < f1_subcarriers; ++n) {
        out.total += std::norm(row[n]);
        sum += row[n] * reference[l][n];
      }
      const std::size_t block = (std::size_t{rx} * hops) + pucch.hop_of(l);
      (l % 2 == 0 ? out.dmrs : out.data)[block] += sum;
    }
  }
  out.subspace = 0.0;
  for (std::size_t block = 0; block < out.dmrs.size(); ++block) {
    const unsigned hop = static_cast<unsigned>(block % hops);
    out.subspace += (std::norm(out.dmrs[block]) / out.dmrs_res[hop]) +
                    (std::norm(out.data[block]) / out.data_res[hop]);
  }
}

void PucchFormat1Detector::decide(std::span<const PucchConfig> pdus,
                                  std::span<const PucchFormat1Correlation> correlations,
                                  std::size_t index, PucchResult& result) {
  const PucchConfig& pucch = pdus[index];
  const PucchFormat1Correlation& own = correlations[index];
  // Hypotheses: every HARQ-ACK value (bit pattern = index), or the SR's b(0) = 0 alone.
  const unsigned num_hypotheses = 1U << pucch.harq_bits;
  std::array<double, f1_max_hypotheses> energy{};
  const unsigned hops = pucch.intra_slot_hopping ? 2 : 1;
  for (unsigned h = 0; h < num_hypotheses; ++h) {
    const std::array<bit_t, 2> harq = {static_cast<bit_t>(h & 1U), static_cast<bit_t>(h >> 1)};
    const cf32 d = modulation_symbol(std::span(harq).first(pucch.harq_bits));
    for (std::size_t block = 0; block < own.dmrs.size(); ++block) {
      const unsigned hop = static_cast<unsigned>(block % hops);
      energy[h] += std::norm(own.dmrs[block] + (std::conj(d) * own.data[block])) /
                   static_cast<double>(own.dmrs_res[hop] + own.data_res[hop]);
    }
  }
  unsigned best = 0;
  for (unsigned h = 1; h < num_hypotheses; ++h) {
    best = energy[h] > energy[best] ? h : best;
  }
  // The neighbours' directions, each distinct (cyclic shift, cover) once.
  std::array<bool, std::size_t{pucch_num_cyclic_shifts} * 8> seen{};
  seen[direction_key(pucch)] = true;
  double multiplexed = own.subspace;
  unsigned directions = 1;
  for (std::size_t j = 0; j < pdus.size(); ++j) {
    if (j == index || pdus[j].format != PucchFormat::format1 ||
        !pucch_shares_resource(pucch, pdus[j]) || seen[direction_key(pdus[j])]) {
      continue;
    }
    seen[direction_key(pdus[j])] = true;
    multiplexed += correlations[j].subspace;
    ++directions;
  }
  PucchEnergyDecision decision;
  decision.blocks = static_cast<unsigned>(own.dmrs.size());
  decision.res = decision.blocks / hops * pucch.num_symbols * f1_subcarriers;
  decision.hypotheses = num_hypotheses;
  decision.best = energy[best];
  // Two directions (DMRS, data) per PUCCH and block.
  const unsigned taken = 2 * directions * decision.blocks;
  if (taken < decision.res) {
    decision.complement = own.total - multiplexed;
    decision.noise_dims = decision.res - taken;
  } else { // more PUCCHs than dimensions: the share of the whole energy decides
    decision.complement = own.total - decision.best;
    decision.noise_dims = decision.res - decision.blocks;
  }
  decide_pucch(decision, pucch, thresholds_, result);
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
