/// \file
/// \brief PUCCH format 1 (TS 38.211 6.3.2.4 and 6.4.1.3.1): one BPSK or QPSK symbol carrying up to
/// two HARQ-ACK bits (or a positive SR), multiplied by a cyclically shifted low-PAPR sequence and
/// spread over the odd symbols by a time-domain orthogonal cover code, the DMRS on the even
/// symbols; the transmitter and a detector with DTX detection.
#pragma once

#include "airan/phy/pucch_config.h"
#include "airan/phy/pucch_detection.h"
#include "airan/phy/resource_grid.h"

#include <array>
#include <cstddef>
#include <span>
#include <vector>

namespace airan::phy {

/// Writes a format 1 PUCCH carrying \p bits on antenna port \p port of \p grid, unit power per
/// RE: d(0) from the HARQ-ACK bits, or b(0) = 0 for a positive SR alone (TS 38.213 9.2.4);
/// nothing for a negative SR without HARQ-ACK. On a PDU with an SR occasion and HARQ-ACK bits
/// (the SR resource) the caller writes it only for a positive SR.
/// \throws std::invalid_argument for an invalid PUCCH or bit count.
void write_pucch_format1(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                         const PucchUciBits& bits, ResourceGrid& grid, unsigned port = 0);

/// Detects a format 1 PUCCH in all receive antennas of a grid: despreads DMRS and data of each
/// hop, tests every BPSK/QPSK value d(0) with one unknown channel gain per antenna and hop (the
/// channel taken as flat over the PRB and the hop) and takes the best, when it stands out from
/// the energy outside the DMRS and data directions of every PUCCH multiplexed on the resource
/// (decide_pucch(): noise alone passes with probability pucch_false_alarm_probability). On a PDU
/// with an SR occasion, a detection is a positive SR. Does not allocate for up to 64 PUCCHs on
/// one resource.
class PucchFormat1Detector {
public:
  PucchFormat1Detector();

  /// Fills \p result for pdus[index], which must be valid (PucchConfig::validate()) and of format
  /// 1; the other PDUs that share its resource (pucch_shares_resource()) are its neighbours.
  void detect(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
              std::span<const PucchConfig> pdus, std::size_t index, PucchResult& result);

private:
  static constexpr std::size_t max_multiplexed = 64;
  /// Conjugated sequence times cover, [symbol][subcarrier].
  using SymbolReferences = std::array<std::array<cf32, 12>, 14>;
  static void prepare_reference(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                                SymbolReferences& out);

  PucchDtxThresholds thresholds_;
  std::vector<SymbolReferences> references_; ///< The PDU's, then its neighbours'.
};

} // namespace airan::phy
