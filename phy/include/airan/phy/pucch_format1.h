/// \file
/// \brief PUCCH format 1 (TS 38.211 6.3.2.4 and 6.4.1.3.1): one BPSK or QPSK symbol carrying up to
/// two HARQ-ACK bits (or a positive SR), multiplied by a cyclically shifted low-PAPR sequence and
/// spread over the odd symbols by a time-domain orthogonal cover code, the DMRS on the even
/// symbols; the transmitter and a detector with DTX detection.
#pragma once

#include "airan/phy/pucch_config.h"
#include "airan/phy/pucch_detection.h"
#include "airan/phy/resource_grid.h"

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
/// channel taken as flat over the PRB and the hop) and takes the best, when the share of the
/// received energy it explains exceeds what noise alone reaches with probability
/// pucch_false_alarm_probability. On a PDU with an SR occasion, a detection is a positive SR.
/// Does not allocate.
class PucchFormat1Detector {
public:
  /// Fills \p result; the PUCCH must be valid (PucchConfig::validate()) and of format 1.
  void detect(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
              const PucchConfig& pucch, PucchResult& result);

private:
  PucchDtxThresholds thresholds_;
};

} // namespace airan::phy
