#include "airan/phy/pucch_format0.h"

#include "airan/phy/numerology.h"
#include "airan/phy/pucch_detection.h"
#include "airan/phy/pucch_sequence.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

constexpr unsigned subcarriers = pucch_num_cyclic_shifts;
constexpr unsigned max_hypotheses = 8;
constexpr unsigned max_symbols = 2;

/// One value the PUCCH can carry and the cyclic shift that sends it.
struct Format0Hypothesis {
  std::array<bit_t, 2> harq{};
  bool positive_sr = false;
  unsigned m_cs = 0;
};

struct Format0Hypotheses {
  std::array<Format0Hypothesis, max_hypotheses> items{};
  unsigned count = 0;
};

/// Every value a PUCCH of \p pucch can carry (a negative SR alone is silence, not a value).
Format0Hypotheses hypotheses_of(const PucchConfig& pucch) {
  Format0Hypotheses out;
  const unsigned harq_values = pucch.harq_bits == 0 ? 1U : 1U << pucch.harq_bits;
  for (const bool sr : {false, true}) {
    if (sr && pucch.sr_bits == 0) {
      continue;
    }
    for (unsigned value = 0; value < harq_values; ++value) {
      Format0Hypothesis h;
      h.harq = {static_cast<bit_t>((value >> 1) & 1U), static_cast<bit_t>(value & 1U)};
      if (pucch.harq_bits == 1) {
        h.harq = {static_cast<bit_t>(value), 0};
      }
      h.positive_sr = sr;
      const std::optional<unsigned> m_cs =
          pucch_format0_cyclic_shift(std::span(h.harq).first(pucch.harq_bits), sr);
      if (m_cs) {
        h.m_cs = *m_cs;
        out.items[out.count++] = h;
      }
    }
  }
  return out;
}

unsigned first_subcarrier(const CellConfig& cell, const PucchConfig& pucch, unsigned l) {
  return subcarriers * (pucch.first_crb_of(l) - cell.grid_start_crb);
}

} // namespace

std::optional<unsigned> pucch_format0_cyclic_shift(std::span<const bit_t> harq, bool positive_sr) {
  if (harq.empty()) {
    return positive_sr ? std::optional<unsigned>(0) : std::nullopt;
  }
  if (harq.size() == 1) {
    return (harq[0] != 0 ? 6U : 0U) + (positive_sr ? 3U : 0U);
  }
  if (harq.size() == 2) {
    // {0,0} -> 0, {0,1} -> 3, {1,1} -> 6, {1,0} -> 9; +1 with a positive SR.
    constexpr std::array<unsigned, 4> shifts = {0, 3, 9, 6}; // index 2 b0 + b1
    return shifts[(2U * (harq[0] & 1U)) + (harq[1] & 1U)] + (positive_sr ? 1U : 0U);
  }
  throw std::invalid_argument("pucch_format0_cyclic_shift: " + std::to_string(harq.size()) +
                              " HARQ-ACK bits (0..2)");
}

void write_pucch_format0(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                         const PucchUciBits& bits, ResourceGrid& grid, unsigned port) {
  if (std::string error = pucch.validate(cell); !error.empty()) {
    throw std::invalid_argument("write_pucch_format0: " + error);
  }
  if (pucch.format != PucchFormat::format0 || bits.harq.size() != pucch.harq_bits ||
      bits.sr.size() != pucch.sr_bits) {
    throw std::invalid_argument("write_pucch_format0: not a format 0 PUCCH, or bits that do not "
                                "match its HARQ-ACK and SR sizes");
  }
  const std::optional<unsigned> m_cs =
      pucch_format0_cyclic_shift(bits.harq, !bits.sr.empty() && bits.sr[0] != 0);
  if (!m_cs) {
    return;
  }
  const auto base = pucch_hop_base_sequences(pucch, slot);
  std::array<unsigned, max_symbols> shift0{};
  pucch_cyclic_shift_indices(pucch, symbols_per_slot(cell.cyclic_prefix), slot, shift0);
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    const unsigned cs = (shift0[l] + *m_cs) % subcarriers;
    apply_pucch_cyclic_shift(base[pucch.hop_of(l)], cs,
                             grid.symbol(port, pucch.start_symbol + l)
                                 .subspan(first_subcarrier(cell, pucch, l), subcarriers));
  }
}

void PucchFormat0Detector::detect(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
                                  std::span<const PucchConfig> pdus, std::size_t index,
                                  PucchResult& result) {
  const PucchConfig& pucch = pdus[index];
  const Format0Hypotheses hypotheses = hypotheses_of(pucch);
  // Offsets c = m_0 + m_cs (mod 12) that this PDU or a PDU multiplexed with it may send.
  std::array<bool, subcarriers> used{};
  for (std::size_t j = 0; j < pdus.size(); ++j) {
    if (j != index && !pucch_shares_resource(pucch, pdus[j])) {
      continue;
    }
    const Format0Hypotheses other = hypotheses_of(pdus[j]);
    for (unsigned h = 0; h < other.count; ++h) {
      used[(pdus[j].initial_cyclic_shift + other.items[h].m_cs) % subcarriers] = true;
    }
  }
  // The conjugated sequence of every used offset on every symbol: exp(j 2 pi (n_cs + c) n / 12)
  // rbar(n).
  const auto base = pucch_hop_base_sequences(pucch, slot);
  std::array<unsigned, max_symbols> shift{};
  pucch_cyclic_shift_indices(pucch, symbols_per_slot(cell.cyclic_prefix), slot, shift);
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    const unsigned n_cs = (shift[l] + subcarriers - pucch.initial_cyclic_shift) % subcarriers;
    for (unsigned c = 0; c < subcarriers; ++c) {
      if (used[c]) {
        apply_pucch_cyclic_shift(base[pucch.hop_of(l)], (n_cs + c) % subcarriers, reference_[l][c]);
        for (cf32& value : reference_[l][c]) {
          value = std::conj(value);
        }
      }
    }
  }
  const unsigned hops = pucch.intra_slot_hopping ? 2 : 1;
  std::array<double, subcarriers> energy{};
  double total = 0.0;
  for (unsigned rx = 0; rx < grid.num_ports(); ++rx) {
    for (unsigned hop = 0; hop < hops; ++hop) {
      std::array<cf32, subcarriers> projection{};
      for (unsigned l = 0; l < pucch.num_symbols; ++l) {
        if (pucch.hop_of(l) != hop) {
          continue;
        }
        const std::span<const cf32> row =
            grid.symbol(rx, pucch.start_symbol + l).subspan(first_subcarrier(cell, pucch, l));
        for (unsigned n = 0; n < subcarriers; ++n) {
          total += std::norm(row[n]);
        }
        for (unsigned c = 0; c < subcarriers; ++c) {
          for (unsigned n = 0; used[c] && n < subcarriers; ++n) {
            projection[c] += row[n] * reference_[l][c][n];
          }
        }
      }
      const unsigned hop_res =
          subcarriers *
          (hop == 0 ? pucch.first_hop_symbols() : pucch.num_symbols - pucch.first_hop_symbols());
      for (unsigned c = 0; c < subcarriers; ++c) {
        energy[c] += std::norm(projection[c]) / hop_res;
      }
    }
  }
  unsigned best = 0;
  const auto offset_of = [&](unsigned h) {
    return (pucch.initial_cyclic_shift + hypotheses.items[h].m_cs) % subcarriers;
  };
  for (unsigned h = 1; h < hypotheses.count; ++h) {
    best = energy[offset_of(h)] > energy[offset_of(best)] ? h : best;
  }
  PucchEnergyDecision decision;
  decision.blocks = grid.num_ports() * hops;
  decision.res = grid.num_ports() * pucch.num_symbols * subcarriers;
  decision.hypotheses = hypotheses.count;
  decision.best = energy[offset_of(best)];
  decision.complement = total;
  unsigned num_used = 0;
  for (unsigned c = 0; c < subcarriers; ++c) {
    decision.complement -= used[c] ? energy[c] : 0.0;
    num_used += used[c] ? 1U : 0U;
  }
  const unsigned dims_per_block = decision.res / decision.blocks;
  decision.noise_dims = decision.blocks * (dims_per_block - std::min(num_used, dims_per_block));
  if (decision.noise_dims == 0) {
    // Every shift of a 1-symbol hop taken: no dimension left for noise alone. The share of the
    // whole energy then decides (a strong neighbour can hide a weak UE).
    decision.complement = total - decision.best;
    decision.noise_dims = decision.res - decision.blocks;
  }
  decide_pucch(decision, pucch, thresholds_, result);
  if (result.detected) {
    const Format0Hypothesis& h = hypotheses.items[best];
    for (unsigned i = 0; i < pucch.harq_bits; ++i) {
      result.bits[i] = h.harq[i];
    }
    if (pucch.sr_bits != 0) {
      result.bits[pucch.harq_bits] = h.positive_sr ? 1 : 0;
    }
  }
}

} // namespace airan::phy
