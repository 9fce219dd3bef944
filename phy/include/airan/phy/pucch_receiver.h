/// \file
/// \brief PucchReceiver: the PUCCH PDUs of one slot of a cell, from its received grid, on the CPU
/// (all formats); and write_pucch(), the UE side.
#pragma once

#include "airan/phy/pucch_config.h"
#include "airan/phy/pucch_format0.h"
#include "airan/phy/pucch_format1.h"
#include "airan/phy/pucch_format2.h"
#include "airan/phy/pucch_format34.h"
#include "airan/phy/resource_grid.h"

#include <span>
#include <vector>

namespace airan::phy {

/// Writes the PUCCH of \p pucch carrying \p bits on port \p port of \p grid (any supported
/// format). \throws std::invalid_argument for an invalid PUCCH or bit count.
void write_pucch(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                 const PucchUciBits& bits, ResourceGrid& grid, unsigned port = 0);

/// Receives the PUCCH PDUs of a cell. Allocates at construction; process_slot() does not
/// allocate once \p results has reached its size (up to 64 PDUs a slot). Format 0 and 1 PDUs on
/// one resource (pucch_shares_resource()) are detected as multiplexed UEs.
class PucchReceiver {
public:
  /// \throws std::invalid_argument for an invalid cell or no receive antenna.
  PucchReceiver(const CellConfig& cell, unsigned num_rx_antennas);

  [[nodiscard]] const CellConfig& cell() const { return cell_; }

  /// Detects and decodes every PDU of \p pdus in \p grid ([rx antenna][symbol][subcarrier], the
  /// cell's shape); result i belongs to pdus[i]. An invalid PDU gets its error text and nothing
  /// detected; the others are still processed.
  /// \throws std::invalid_argument when the grid does not have the cell's shape.
  void process_slot(const ResourceGrid& grid, unsigned slot, std::span<const PucchConfig> pdus,
                    std::vector<PucchResult>& results);

private:
  /// Mean |y|^2 over the PUCCH's REs on every antenna.
  [[nodiscard]] float received_power(const ResourceGrid& grid, const PucchConfig& pucch) const;

  CellConfig cell_;
  unsigned num_rx_antennas_;
  PucchFormat0Detector format0_;
  PucchFormat1Detector format1_;
  PucchFormat2Receiver format2_;
  PucchFormat34Receiver format34_;
  static constexpr std::size_t max_pdus_per_slot = 64; ///< Sized for without allocating.
  std::vector<PucchConfig> valid_pdus_;
  std::vector<std::size_t> valid_index_; ///< valid_pdus_[v] is pdus[valid_index_[v]].
  std::vector<PucchFormat1Correlation> format1_correlations_; ///< Per valid PDU (format 1).
};

} // namespace airan::phy
