#include "airan/phy/pucch_format2.h"

#include "airan/phy/gold_sequence.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pucch_uci_coding.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

constexpr float format2_qpsk_amplitude = 0.70710678118654752F; // 1 / sqrt(2)

std::string format2_tx_error(const std::string& what) {
  return "PUCCH format 2 transmitter: " + what;
}

void check_format2_tx(const CellConfig& cell, const PucchConfig& pucch, const ResourceGrid& grid,
                      unsigned port) {
  if (pucch.num_prbs == 0 || pucch.num_prbs > PucchConfig::max_format2_prbs ||
      pucch.num_symbols == 0 || pucch.num_symbols > pucch_format2_max_symbols ||
      (pucch.intra_slot_hopping && pucch.num_symbols != 2)) {
    throw std::invalid_argument(format2_tx_error("1..16 PRBs and 1..2 symbols (2 with hopping)"));
  }
  if (port >= grid.num_ports() || grid.num_subcarriers() != subcarriers_per_prb * cell.num_prbs ||
      std::size_t{pucch.start_symbol} + pucch.num_symbols > grid.num_symbols()) {
    throw std::invalid_argument(format2_tx_error("the grid does not hold the PUCCH's port or "
                                                 "symbols"));
  }
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    const unsigned crb = pucch.first_crb_of(l);
    if (crb < cell.grid_start_crb ||
        std::size_t{crb} - cell.grid_start_crb + pucch.num_prbs > cell.num_prbs) {
      throw std::invalid_argument(format2_tx_error("PRBs outside the carrier"));
    }
  }
}

} // namespace

void pucch_format2_dmrs(unsigned symbols_per_slot, unsigned slot, unsigned symbol,
                        std::uint16_t n_id0, unsigned first_crb, std::span<cf32> out) {
  // TS 38.211 6.4.1.3.2.2 maps r_l(m) to k = 3m + 1 with k counted from subcarrier 0 of common
  // resource block 0, so the values of CRB n are m = 4n .. 4n + 3, in each hop. srsRAN
  // (dmrs_pucch_processor_format2_impl: the generator advanced by 8 (bwp_start + starting_prb)
  // bits, per hop) and OpenAirInterface (merge request 3421, "Fix DMRS for PUCCH format 2", which
  // added bwp_start and was checked against a commercial UE) read it the same way.
  GoldSequenceGenerator sequence(pucch_format2_dmrs_init(symbols_per_slot, slot, symbol, n_id0),
                                 2 * pucch_format2_dmrs_res_per_prb * first_crb);
  constexpr std::size_t chunk_values = 64;
  std::array<bit_t, 2 * chunk_values> c{};
  for (std::size_t done = 0; done < out.size(); done += chunk_values) {
    const std::size_t count = std::min(chunk_values, out.size() - done);
    sequence.generate(std::span<bit_t>(c.data(), 2 * count));
    for (std::size_t i = 0; i < count; ++i) {
      out[done + i] = cf32(format2_qpsk_amplitude * (1.0F - 2.0F * c[2 * i]),
                           format2_qpsk_amplitude * (1.0F - 2.0F * c[2 * i + 1]));
    }
  }
}

void write_pucch_format2(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                         const PucchUciBits& bits, ResourceGrid& grid, unsigned port) {
  check_format2_tx(cell, pucch, grid, port);
  std::array<bit_t, pucch_format2_max_coded_bits> coded{};
  encode_pucch_uci(pucch, bits, std::span<bit_t>(coded.data(), pucch_format2_coded_bits(pucch)));

  const unsigned symbols = symbols_per_slot(cell.cyclic_prefix);
  std::array<cf32, std::size_t{PucchConfig::max_format2_prbs} * pucch_format2_dmrs_res_per_prb>
      dmrs{};
  std::size_t bit = 0;
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    const unsigned symbol = pucch.start_symbol + l;
    const unsigned crb = pucch.first_crb_of(l);
    pucch_format2_dmrs(symbols, slot, symbol, pucch.dmrs_scrambling_id, crb,
                       std::span<cf32>(dmrs.data(), std::size_t{4} * pucch.num_prbs));
    const std::span<cf32> row =
        grid.symbol(port, symbol)
            .subspan(std::size_t{subcarriers_per_prb} * (crb - cell.grid_start_crb),
                     std::size_t{subcarriers_per_prb} * pucch.num_prbs);
    // Frequency first within the symbol, DMRS on k mod 3 = 1 (TS 38.211 6.3.2.5.3).
    for (std::size_t k = 0; k < row.size(); ++k) {
      if (k % 3 == 1) {
        row[k] = dmrs[k / 3];
      } else {
        row[k] = cf32(format2_qpsk_amplitude * (1.0F - 2.0F * coded[bit]),
                      format2_qpsk_amplitude * (1.0F - 2.0F * coded[bit + 1]));
        bit += 2;
      }
    }
  }
}

} // namespace airan::phy
