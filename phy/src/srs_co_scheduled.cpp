/// \file
/// \brief srs_co_scheduled_ports(): the other UEs' SRS ports that are cyclic shifts of one PDU's
/// SRS (same REs, same base sequence on every symbol), for SrsEstimator::process().
#include "airan/phy/srs_estimator.h"

#include <array>
#include <cstdint>

namespace airan::phy {
namespace {

/// Where and what an SRS sends on each of its symbols: first CRB and sequence ids.
struct SrsSymbolResources {
  std::array<unsigned, SrsConfig::max_symbols> first_crb{};
  std::array<LowPaprSequenceId, SrsConfig::max_symbols> ids{};
};

SrsSymbolResources srs_symbol_resources(const SrsConfig& srs, unsigned symbols_per_slot,
                                        unsigned sfn, unsigned slot, unsigned slots_per_frame) {
  SrsSymbolResources resources;
  srs_sequence_ids(srs, symbols_per_slot, slot, resources.ids);
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    resources.first_crb[l] =
        srs_first_crb(srs, srs_hopping_counter(srs, slots_per_frame, sfn, slot, l));
  }
  return resources;
}

} // namespace

std::size_t srs_co_scheduled_ports(const SrsConfig& srs, std::span<const SrsConfig> slot_pdus,
                                   unsigned symbols_per_slot, unsigned sfn, unsigned slot,
                                   unsigned slots_per_frame, const CellConfig& cell,
                                   std::span<SrsForeignPort> out) {
  if (!srs.validate(cell).empty()) {
    return 0;
  }
  const SrsSymbolResources own =
      srs_symbol_resources(srs, symbols_per_slot, sfn, slot, slots_per_frame);
  // Per comb k_TC (bit n: cyclic shift n): this PDU's ports, and the ports listed so far.
  std::array<std::uint16_t, 4> own_shifts{};
  std::array<bool, 4> own_comb{};
  for (unsigned port = 0; port < srs.num_ports; ++port) {
    own_shifts[srs.port_comb(port)] |=
        static_cast<std::uint16_t>(1U << srs.port_cyclic_shift(port));
    own_comb[srs.port_comb(port)] = true;
  }
  std::array<std::uint16_t, 4> listed = own_shifts;
  std::size_t found = 0;
  for (const SrsConfig& other : slot_pdus) {
    // The cheap tests first: validate() only for PDUs on the same comb size and symbols.
    if (&other == &srs || other.comb_size != srs.comb_size ||
        other.start_symbol != srs.start_symbol || other.num_symbols != srs.num_symbols ||
        !other.validate(cell).empty() || other.sequence_length() != srs.sequence_length()) {
      continue;
    }
    const SrsSymbolResources resources =
        srs_symbol_resources(other, symbols_per_slot, sfn, slot, slots_per_frame);
    bool same = true;
    for (unsigned l = 0; l < srs.num_symbols; ++l) {
      same = same && resources.first_crb[l] == own.first_crb[l] && resources.ids[l] == own.ids[l];
    }
    if (!same) {
      continue;
    }
    for (unsigned port = 0; port < other.num_ports; ++port) {
      const unsigned comb = other.port_comb(port);
      const unsigned shift = other.port_cyclic_shift(port);
      const auto bit = static_cast<std::uint16_t>(1U << shift);
      if (!own_comb[comb] || (listed[comb] & bit) != 0) {
        continue; // another comb, a collision with one of ours, or listed already
      }
      listed[comb] |= bit;
      if (found < out.size()) {
        out[found] = SrsForeignPort{comb, shift};
      }
      ++found;
    }
  }
  return found;
}

} // namespace airan::phy
