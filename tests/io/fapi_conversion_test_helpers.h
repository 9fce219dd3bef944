/// \file
/// \brief Helpers shared by the FAPI <-> PHY conversion tests of PUCCH and UCI: the 52-PRB cell
/// they convert against and a hand-made phy::PucchResult.
#pragma once

#include "airan/phy/pucch_config.h"
#include "airan/phy/pusch_config.h"

#include <cstddef>
#include <initializer_list>

namespace airan::io::test {

/// A 52-PRB cell at 30 kHz (numerology 1), cell ID 500.
inline phy::CellConfig make_52_prb_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 52;
  cell.numerology = 1;
  cell.n_cell_id = 500;
  return cell;
}

/// A result whose payload is \p harq, then \p sr, then \p csi; CRC good when \p detected.
inline phy::PucchResult make_pucch_result(bool detected, std::initializer_list<phy::bit_t> harq,
                                          std::initializer_list<phy::bit_t> sr,
                                          std::initializer_list<phy::bit_t> csi = {}) {
  phy::PucchResult result;
  result.detected = detected;
  result.crc_ok = detected;
  std::size_t n = 0;
  for (const auto& part : {harq, sr, csi}) {
    for (const phy::bit_t bit : part) {
      result.bits[n++] = bit;
    }
  }
  result.num_harq_bits = static_cast<unsigned>(harq.size());
  result.num_sr_bits = static_cast<unsigned>(sr.size());
  result.num_csi_part1_bits = static_cast<unsigned>(csi.size());
  result.sinr_db = 10.0F;
  return result;
}

} // namespace airan::io::test
