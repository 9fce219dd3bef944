/// \file
/// \brief Helpers shared by the FAPI <-> PHY conversion tests: the 52-PRB cell the PUCCH and UCI
/// tests convert against, a hand-made phy::PucchResult, and the cell and PUSCH the PUSCH and
/// indication tests convert.
#pragma once

#include "airan/phy/pucch_config.h"
#include "airan/phy/pusch_config.h"

#include <cstddef>
#include <cstdint>
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

/// A cell of \p num_prbs PRBs at 30 kHz (numerology 1), cell ID 500.
inline phy::CellConfig make_cell(unsigned num_prbs = 273) {
  phy::CellConfig cell;
  cell.num_prbs = num_prbs;
  cell.numerology = 1;
  cell.n_cell_id = 500;
  return cell;
}

/// A PUSCH of \p layers layers (DMRS ports 0 .. layers - 1) on PRBs 20..119 of a 273-PRB BWP,
/// MCS 20, RNTI 0x4601, handle 77, HARQ process 9, scrambling IDs 500.
inline phy::PuschConfig make_pusch(unsigned layers = 1) {
  phy::PuschConfig pusch;
  pusch.rnti = 0x4601;
  pusch.handle = 77;
  pusch.bwp_size = 273;
  pusch.prb_start = 20;
  pusch.prb_size = 100;
  pusch.num_layers = layers;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1U);
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 20;
  pusch.harq_process_id = 9;
  pusch.data_scrambling_id = 500;
  pusch.dmrs_scrambling_id = 500;
  return pusch;
}

} // namespace airan::io::test
