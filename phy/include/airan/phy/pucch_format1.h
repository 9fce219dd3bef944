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

/// What a format 1 PUCCH's directions hold in a received grid: per block (receive antenna x hop,
/// block = rx * hops + hop) the despread DMRS and data sums, and the energies.
struct PucchFormat1Correlation {
  std::vector<cf32> dmrs;             ///< sum over DMRS REs of y conj(sequence cover)
  std::vector<cf32> data;             ///< the same over the data REs
  std::array<unsigned, 2> dmrs_res{}; ///< DMRS REs per hop (per antenna)
  std::array<unsigned, 2> data_res{}; ///< data REs per hop (per antenna)
  double total = 0.0;                 ///< energy of the PUCCH's REs
  double subspace = 0.0;              ///< energy on its unit DMRS and data directions, all blocks
  /// Sizes the sums for \p num_rx_antennas so that correlate() does not allocate.
  void reserve(unsigned num_rx_antennas);
};

/// Detects format 1 PUCCHs in all receive antennas of a grid, in two steps per slot: correlate()
/// despreads each PDU's DMRS and data per antenna and hop once; decide() tests every BPSK/QPSK
/// value d(0) of a PDU with one unknown channel gain per antenna and hop (the channel taken as
/// flat over the PRB and the hop) and takes the best, when it stands out from the energy outside
/// the DMRS and data directions of every PUCCH multiplexed on the resource (each distinct cyclic
/// shift and cover once; decide_pucch(): noise alone passes with probability
/// pucch_false_alarm_probability). On a PDU with an SR occasion, a detection is a positive SR. The
/// work grows linearly with the PDUs of a slot. Does not allocate once the correlations are
/// reserved.
class PucchFormat1Detector {
public:
  /// Fills \p out for \p pucch (valid, format 1).
  void correlate(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
                 const PucchConfig& pucch, PucchFormat1Correlation& out) const;

  /// Fills \p result for pdus[index] from correlations[index]; the other format 1 PDUs that share
  /// its resource (pucch_shares_resource()) are its neighbours (their correlations must be
  /// there too; entries of other formats are ignored).
  void decide(std::span<const PucchConfig> pdus,
              std::span<const PucchFormat1Correlation> correlations, std::size_t index,
              PucchResult& result);

private:
  PucchDtxThresholds thresholds_;
};

} // namespace airan::phy
