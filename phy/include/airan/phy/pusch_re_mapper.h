/// \file
/// \brief PUSCH mapping to virtual resource blocks and then physical resource blocks (TS 38.211
/// 6.3.1.6, non-interleaved VRB-to-PRB mapping): layer symbols fill the allocation frequency
/// first, then symbol by symbol, skipping every RE that is not for data: all REs of the DMRS CDM
/// groups without data on DMRS symbols (which stay empty unless DMRS is written there) and the
/// PT-RS subcarriers of PT-RS symbols on every layer (ptrs_pusch.h).
#pragma once

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/ptrs_pusch.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <array>
#include <cstddef>
#include <span>

namespace airan::phy {

/// Where one PUSCH lies in the carrier grid and which of its REs carry data.
struct PuschReMapping {
  unsigned first_subcarrier = 0; ///< First allocated subcarrier in the carrier grid.
  /// Intra-slot hopping: symbols from second_hop_symbol on start at second_hop_first_subcarrier
  /// (max_symbols_per_slot: no second hop).
  unsigned second_hop_symbol = max_symbols_per_slot;
  unsigned second_hop_first_subcarrier = 0;
  unsigned num_prbs = 0; ///< Allocated PRBs (contiguous).
  unsigned start_symbol = 0;
  unsigned num_symbols = 0;
  DmrsSymbols dmrs_symbols;
  /// For DMRS symbols: data_on_dmrs_symbol[k] is true when subcarrier k of every PRB carries
  /// data (its CDM group is not among the groups without data).
  std::array<bool, subcarriers_per_prb> data_on_dmrs_symbol{};
  PtrsPattern ptrs; ///< PT-RS REs (none unless the PUSCH enables PT-RS).

  /// First allocated subcarrier of slot symbol \p symbol's hop in the carrier grid.
  [[nodiscard]] unsigned first_subcarrier_of(unsigned symbol) const {
    return symbol >= second_hop_symbol ? second_hop_first_subcarrier : first_subcarrier;
  }
  /// Allocated subcarriers, 12 * num_prbs.
  [[nodiscard]] unsigned num_subcarriers() const { return subcarriers_per_prb * num_prbs; }
  /// Data REs of one layer on slot symbol \p symbol (0 outside the allocation).
  [[nodiscard]] unsigned num_data_res(unsigned symbol) const;
  /// Data REs of one layer in the slot, G / (Q_m v).
  [[nodiscard]] std::size_t num_data_res() const;
  /// True when subcarrier \p k (relative to first_subcarrier) of slot symbol \p symbol carries
  /// data.
  [[nodiscard]] bool is_data_re(unsigned symbol, unsigned k) const;
};

/// A range [first, end) of codeword-order values (data REs times layers).
struct ValueRange {
  std::size_t first = 0;
  std::size_t end = 0;
};

/// The values of a PUSCH that were sent empty: without UL-SCH (\p ulsch false) the data REs of
/// DMRS symbols carry no coded bit (CodedReOwner::none), one range per such symbol of
/// \p mapping, in codeword order for \p num_layers layers, written to \p out (room for
/// max_symbols_per_slot). Returns how many; none with UL-SCH.
unsigned pusch_empty_value_ranges(const PuschReMapping& mapping, bool ulsch, unsigned num_layers,
                                  std::span<ValueRange> out);

/// RE mapping of \p pusch on \p cell. \throws std::invalid_argument for an invalid DMRS setup.
PuschReMapping make_pusch_re_mapping(const CellConfig& cell, const PuschConfig& pusch);

/// Writes the layer symbols of the allocation into grid ports 0 .. num_layers - 1: data REs take
/// layer_symbols[layer * num_data_res() + n] in frequency-first order; the other allocated REs of
/// DMRS symbols and PT-RS REs are set to zero. REs outside the allocation are not touched.
/// \throws std::invalid_argument when sizes do not match.
void map_pusch_data(const PuschReMapping& mapping, std::span<const cf32> layer_symbols,
                    unsigned num_layers, ResourceGrid& grid);

/// Inverse of map_pusch_data(): reads the data REs of grid ports 0 .. num_layers - 1 into
/// layer_symbols (layer-major). \throws std::invalid_argument when sizes do not match.
void extract_pusch_data(const PuschReMapping& mapping, const ResourceGrid& grid,
                        unsigned num_layers, std::span<cf32> layer_symbols);

} // namespace airan::phy
