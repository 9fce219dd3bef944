#include "airan/phy/pucch_format34.h"

#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pucch_sequence.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

constexpr float format34_qpsk_amplitude = 0.70710678118654752F; // 1 / sqrt(2)
constexpr unsigned format4_max_spreading = 4;

std::string format34_tx_error(const std::string& what) {
  return "PUCCH format 3/4 transmitter: " + what;
}

/// Subcarriers M of the transform precoder: 12 N_PRB (format 4: 12).
unsigned format34_subcarriers(const PucchConfig& pucch) {
  return subcarriers_per_prb * pucch.num_prbs;
}

/// Modulation symbol i of the scrambled bits \p bits (TS 38.211 5.1.1, 5.1.3).
cf32 format34_symbol(std::span<const bit_t> bits, std::size_t i, bool pi2_bpsk) {
  if (!pi2_bpsk) {
    return {format34_qpsk_amplitude * (1.0F - 2.0F * static_cast<float>(bits[2 * i])),
            format34_qpsk_amplitude * (1.0F - 2.0F * static_cast<float>(bits[2 * i + 1]))};
  }
  // e^{j pi/2 (i mod 2)} ((1 - 2b) + j (1 - 2b)) / sqrt(2).
  const float value = format34_qpsk_amplitude * (1.0F - 2.0F * static_cast<float>(bits[i]));
  return i % 2 == 0 ? cf32(value, value) : cf32(-value, value);
}

void check_format34_tx(const CellConfig& cell, const PucchConfig& pucch, const ResourceGrid& grid,
                       unsigned port) {
  if (pucch.format != PucchFormat::format3 && pucch.format != PucchFormat::format4) {
    throw std::invalid_argument(format34_tx_error("not a format 3 or 4 PUCCH"));
  }
  if (std::string error = pucch.validate(cell); !error.empty()) {
    throw std::invalid_argument(format34_tx_error(error));
  }
  if (port >= grid.num_ports() || grid.num_subcarriers() != subcarriers_per_prb * cell.num_prbs ||
      std::size_t{pucch.start_symbol} + pucch.num_symbols > grid.num_symbols()) {
    throw std::invalid_argument(format34_tx_error("the grid does not hold the PUCCH's port or "
                                                  "symbols"));
  }
}

} // namespace

cf32 pucch_format4_cover(unsigned n_sf, unsigned n, unsigned k) {
  if ((n_sf != 2 && n_sf != format4_max_spreading) || n >= n_sf || k >= subcarriers_per_prb) {
    throw std::invalid_argument("pucch_format4_cover: N_SF 2 or 4, n < N_SF and k < 12");
  }
  // Tables 6.3.2.6.3-1/-2: blocks of 12 / N_SF subcarriers take the powers of a root of unity,
  // w_n(k) = e^{-j 2 pi n b / N_SF} for block b = k / (12 / N_SF) with N_SF = 4 (n = 1: +1, -j,
  // -1, +j), and (-1)^{n b} with N_SF = 2.
  const unsigned block = k / (subcarriers_per_prb / n_sf);
  const unsigned phase = (n * block) % n_sf; // in units of 2 pi / N_SF, negative direction
  if (n_sf == 2) {
    return phase == 0 ? cf32(1.0F, 0.0F) : cf32(-1.0F, 0.0F);
  }
  static constexpr std::array<cf32, format4_max_spreading> quarter_turns = {
      cf32(1.0F, 0.0F), cf32(0.0F, -1.0F), cf32(-1.0F, 0.0F), cf32(0.0F, 1.0F)};
  return quarter_turns[phase];
}

unsigned pucch_format34_dmrs_cyclic_shift(const PucchConfig& pucch) {
  if (pucch.format != PucchFormat::format4) {
    return 0;
  }
  // Table 6.4.1.3.3.1-1.
  static constexpr std::array<unsigned, format4_max_spreading> shifts_sf2 = {0, 6, 0, 0};
  static constexpr std::array<unsigned, format4_max_spreading> shifts_sf4 = {0, 6, 3, 9};
  const unsigned n = std::min(pucch.pre_dft_occ_index, format4_max_spreading - 1);
  return pucch.pre_dft_occ_length == format4_max_spreading ? shifts_sf4[n] : shifts_sf2[n];
}

void pucch_format34_dmrs(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                         unsigned l, std::span<cf32> out) {
  const unsigned m = format34_subcarriers(pucch);
  if (out.size() != m || l >= pucch.num_symbols) {
    throw std::invalid_argument("pucch_format34_dmrs: 12 N_PRB values of a PUCCH symbol");
  }
  const LowPaprSequenceId id =
      pucch_sequence_id(pucch.group_hopping, pucch.hopping_id, slot, pucch.hop_of(l), m);
  generate_low_papr_sequence(id.u, id.v, 0.0F, out);
  PucchConfig shifted = pucch;
  shifted.initial_cyclic_shift = pucch_format34_dmrs_cyclic_shift(pucch);
  const unsigned cs = pucch_cyclic_shift_index(shifted, symbols_per_slot(cell.cyclic_prefix), slot,
                                               pucch.start_symbol + l, 0);
  // e^{j 2 pi cs n / 12} repeats every 12 values.
  for (unsigned p = 0; p < pucch.num_prbs; ++p) {
    const std::span<cf32> prb =
        out.subspan(std::size_t{subcarriers_per_prb} * p, subcarriers_per_prb);
    std::array<cf32, subcarriers_per_prb> base{};
    std::copy(prb.begin(), prb.end(), base.begin());
    apply_pucch_cyclic_shift(base, cs, prb);
  }
}

void write_pucch_format34(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                          const PucchUciBits& bits, ResourceGrid& grid, unsigned port) {
  check_format34_tx(cell, pucch, grid, port);
  const unsigned e = pucch_format34_coded_bits(pucch);
  std::array<bit_t, pucch_max_uci_coded_bits> coded{};
  const std::span<bit_t> e_bits(coded.data(), e);
  encode_pucch_uci(pucch, bits, e_bits);

  const unsigned m = format34_subcarriers(pucch);
  const bool format4 = pucch.format == PucchFormat::format4;
  const unsigned n_sf = format4 ? pucch.pre_dft_occ_length : 1;
  const unsigned per_symbol = m / n_sf; // modulation symbols per OFDM symbol
  const std::uint16_t dmrs_mask = pucch_format34_dmrs_mask(pucch);
  TransformPrecoder precoder(pucch.num_prbs, TransformPrecodingDirection::precode);
  std::array<cf32, pucch_format34_max_subcarriers> block{};
  std::size_t next_symbol = 0;
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    const std::span<cf32> row = grid.symbol(port, pucch.start_symbol + l)
                                    .subspan(std::size_t{subcarriers_per_prb} *
                                                 (pucch.first_crb_of(l) - cell.grid_start_crb),
                                             m);
    if ((dmrs_mask >> l & 1U) != 0) {
      pucch_format34_dmrs(cell, slot, pucch, l, row);
      continue;
    }
    // Block-wise spreading (6.3.2.6.3), then transform precoding (6.3.2.6.4).
    const std::span<cf32> y(block.data(), m);
    for (unsigned k = 0; k < m; ++k) {
      const cf32 d = format34_symbol(e_bits, next_symbol + k % per_symbol, pucch.pi2_bpsk);
      y[k] = format4 ? pucch_format4_cover(n_sf, pucch.pre_dft_occ_index, k) * d : d;
    }
    next_symbol += per_symbol;
    precoder.transform(y, pucch.num_prbs);
    std::copy(y.begin(), y.end(), row.begin());
  }
}

} // namespace airan::phy
