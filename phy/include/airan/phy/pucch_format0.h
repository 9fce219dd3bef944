/// \file
/// \brief PUCCH format 0 (TS 38.211 6.3.2.3, TS 38.213 9.2.3 and 9.2.5): up to two HARQ-ACK bits
/// and an SR sent by choosing the cyclic shift m_cs of a 12-value low-PAPR sequence on 1 or 2
/// symbols; the transmitter and a non-coherent detector with DTX detection.
#pragma once

#include "airan/phy/pucch_config.h"
#include "airan/phy/pucch_detection.h"
#include "airan/phy/resource_grid.h"

#include <array>
#include <cstddef>
#include <optional>
#include <span>

namespace airan::phy {

/// m_cs for \p harq (0..2 bits, 1 = ACK) and the SR (TS 38.213 Tables 9.2.3-3, 9.2.3-4, 9.2.5-1,
/// 9.2.5-2); nothing when there is nothing to send (no HARQ-ACK bit and a negative SR).
std::optional<unsigned> pucch_format0_cyclic_shift(std::span<const bit_t> harq, bool positive_sr);

/// Writes a format 0 PUCCH carrying \p bits (harq: harq_bits values, sr: sr_bits values) on
/// antenna port \p port of \p grid (the cell's shape), unit power per RE; writes nothing for a
/// negative SR without HARQ-ACK. \throws std::invalid_argument for an invalid PUCCH or bit count.
void write_pucch_format0(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                         const PucchUciBits& bits, ResourceGrid& grid, unsigned port = 0);

/// Detects a format 0 PUCCH in all receive antennas of a grid: correlates each hop with every
/// cyclic shift that a HARQ-ACK / SR value maps to (one unknown channel gain per antenna and hop)
/// and takes the best, when it stands out from the energy outside the shifts of every PUCCH
/// multiplexed on the PRB (decide_pucch(): noise alone passes with probability
/// pucch_false_alarm_probability). Does not allocate.
class PucchFormat0Detector {
public:
  /// Fills \p result for pdus[index], which must be valid (PucchConfig::validate()) and of format
  /// 0; the other PDUs that share its resource (pucch_shares_resource()) are its neighbours.
  void detect(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
              std::span<const PucchConfig> pdus, std::size_t index, PucchResult& result);

private:
  PucchDtxThresholds thresholds_;
  /// Conjugated sequences [symbol][offset c][subcarrier].
  std::array<std::array<std::array<cf32, 12>, 12>, 2> reference_{};
};

} // namespace airan::phy
