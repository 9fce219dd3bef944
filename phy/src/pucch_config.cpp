#include "airan/phy/pucch_config.h"

#include "airan/phy/numerology.h"
#include "airan/phy/pucch_sequence.h"
#include "airan/phy/transform_precoder.h"
#include "airan/phy/uci_polar_code.h"
#include "airan/phy/uci_short_block_code.h"

#include <algorithm>
#include <array>
#include <bit>
#include <initializer_list>
#include <string>

namespace airan::phy {
namespace {

constexpr unsigned max_hopping_id = 1023;
constexpr unsigned max_scrambling_id = 1023;
constexpr unsigned num_cyclic_shifts = 12;
constexpr unsigned format1_min_symbols = 4;
constexpr unsigned format02_max_symbols = 2;

bool is_long_format(PucchFormat format) {
  return format == PucchFormat::format1 || format == PucchFormat::format3 ||
         format == PucchFormat::format4;
}

std::string str(unsigned value) {
  return std::to_string(value);
}

std::string validate_allocation(const CellConfig& cell, const PucchConfig& pucch) {
  // Sums in 64 bits: 32-bit fields near their maximum must not wrap past the checks.
  if (pucch.bwp_size == 0 || pucch.bwp_start < cell.grid_start_crb ||
      std::uint64_t{pucch.bwp_start} + pucch.bwp_size >
          std::uint64_t{cell.grid_start_crb} + cell.num_prbs) {
    return "BWP CRBs " + str(pucch.bwp_start) + "+" + str(pucch.bwp_size) +
           " do not fit the carrier CRBs " + str(cell.grid_start_crb) + "+" + str(cell.num_prbs);
  }
  unsigned max_prbs = 1;
  if (pucch.format == PucchFormat::format2) {
    max_prbs = PucchConfig::max_format2_prbs;
  } else if (pucch.format == PucchFormat::format3) {
    max_prbs = PucchConfig::max_format3_prbs;
  }
  if (pucch.num_prbs == 0 || pucch.num_prbs > max_prbs) {
    return "prbSize " + str(pucch.num_prbs) + " is not in 1.." + str(max_prbs) + " for format " +
           str(static_cast<unsigned>(pucch.format));
  }
  if (pucch.format == PucchFormat::format3 && !transform_precoding_prbs_allowed(pucch.num_prbs)) {
    return "prbSize " + str(pucch.num_prbs) +
           " is not 2^a 3^b 5^c, as transform precoding needs (format 3)";
  }
  if (std::uint64_t{pucch.prb_start} + pucch.num_prbs > pucch.bwp_size) {
    return "PRBs " + str(pucch.prb_start) + "+" + str(pucch.num_prbs) + " exceed the BWP of " +
           str(pucch.bwp_size) + " PRBs";
  }
  if (pucch.intra_slot_hopping &&
      std::uint64_t{pucch.second_hop_prb} + pucch.num_prbs > pucch.bwp_size) {
    return "second hop PRBs " + str(pucch.second_hop_prb) + "+" + str(pucch.num_prbs) +
           " exceed the BWP of " + str(pucch.bwp_size) + " PRBs";
  }
  const bool long_format = is_long_format(pucch.format);
  const unsigned min_symbols = long_format ? format1_min_symbols : 1;
  const unsigned max_symbols = long_format ? max_symbols_per_slot : format02_max_symbols;
  if (pucch.num_symbols < min_symbols || pucch.num_symbols > max_symbols) {
    return "NrOfSymbols " + str(pucch.num_symbols) + " is not in " + str(min_symbols) + ".." +
           str(max_symbols) + " for format " + str(static_cast<unsigned>(pucch.format));
  }
  const unsigned slot_symbols = symbols_per_slot(cell.cyclic_prefix);
  if (std::uint64_t{pucch.start_symbol} + pucch.num_symbols > slot_symbols) {
    return "symbols " + str(pucch.start_symbol) + "+" + str(pucch.num_symbols) +
           " exceed the slot of " + str(slot_symbols);
  }
  if (pucch.intra_slot_hopping && pucch.num_symbols < 2) {
    return "intra-slot frequency hopping needs 2 symbols or more";
  }
  return {};
}

std::string validate_sequences(const PucchConfig& pucch) {
  if (pucch.group_hopping > PucchGroupHopping::disable) {
    return "pucchGroupHopping " + str(static_cast<unsigned>(pucch.group_hopping)) +
           " is not 0 (neither), 1 (enable) or 2 (disable)";
  }
  if (pucch.hopping_id > max_hopping_id) {
    return "nIdPucchHopping " + str(pucch.hopping_id) + " is not in 0..1023";
  }
  // FAPI's range for every format (formats 2-4 do not use it).
  if (pucch.initial_cyclic_shift >= num_cyclic_shifts) {
    return "InitialCyclicShift " + str(pucch.initial_cyclic_shift) + " is not in 0..11";
  }
  if (pucch.format == PucchFormat::format4 &&
      ((pucch.pre_dft_occ_length != 2 && pucch.pre_dft_occ_length != 4) ||
       pucch.pre_dft_occ_index >= pucch.pre_dft_occ_length)) {
    return "PreDftOccLen " + str(pucch.pre_dft_occ_length) + " and PreDftOccIdx " +
           str(pucch.pre_dft_occ_index) + " are not a cover of length 2 or 4 and an index below it";
  }
  const bool format34 =
      pucch.format == PucchFormat::format3 || pucch.format == PucchFormat::format4;
  if (!format34 && (pucch.pi2_bpsk || pucch.additional_dmrs)) {
    return "pi/2-BPSK and additional DMRS are for formats 3 and 4";
  }
  if (pucch.format == PucchFormat::format1) {
    const unsigned n_sf = pucch_format1_min_spreading_factor(pucch);
    if (pucch.time_domain_occ >= n_sf) {
      return "TimeDomainOccIdx " + str(pucch.time_domain_occ) + " needs a spreading factor above " +
             str(n_sf) + " (TS 38.211 Table 6.3.2.4.1-1)";
    }
  }
  return {};
}

std::string validate_payload(const PucchConfig& pucch) {
  if (!pucch_carries_uci_payload(pucch.format)) {
    if (pucch.harq_bits > PucchConfig::format01_max_harq_bits || pucch.sr_bits > 1) {
      return "formats 0 and 1 carry up to 2 HARQ-ACK bits and one SR occasion, not " +
             str(pucch.harq_bits) + " and " + str(pucch.sr_bits);
    }
    if (pucch.csi_part1_bits != 0) {
      return "formats 0 and 1 carry no CSI";
    }
    if (pucch.harq_bits == 0 && pucch.sr_bits == 0) {
      return "the PUCCH carries neither HARQ-ACK nor SR";
    }
    return {};
  }
  if (pucch.scrambling_id > max_scrambling_id) {
    return "nIdPucchScrambling " + str(pucch.scrambling_id) + " is not in 0..1023";
  }
  if (pucch.sr_bits > PucchConfig::max_sr_bits) {
    return "SRBitLen " + str(pucch.sr_bits) + " is not in 0..4";
  }
  const unsigned a = pucch.payload_bits();
  if (a < 3 || a > PucchConfig::max_payload_bits) {
    return "format " + str(static_cast<unsigned>(pucch.format)) +
           " carries 3..1706 UCI bits, not " + str(a);
  }
  const unsigned e = pucch_uci_coded_bits(pucch);
  if (a < uci_polar_min_payload_bits && uci_short_block_rank(a, e) < a) {
    return str(a) + " UCI bits in " + str(e) + " coded bits cannot be decoded: the first " +
           str(std::min(e, 32U)) + " rows of the (32, " + str(a) +
           ") code (TS 38.212 Table 5.3.3.3-1) have rank " + str(uci_short_block_rank(a, e));
  }
  if (a >= uci_polar_min_payload_bits) {
    std::string error = uci_polar_size_error(a, e);
    if (!error.empty()) {
      return error;
    }
  }
  return {};
}

} // namespace

unsigned pucch_format2_coded_bits(const PucchConfig& pucch) {
  constexpr unsigned coded_bits_per_prb_symbol = 16; // 8 QPSK data REs
  return coded_bits_per_prb_symbol * pucch.num_prbs * pucch.num_symbols;
}

std::uint16_t pucch_format34_dmrs_mask(const PucchConfig& pucch) {
  // TS 38.211 Table 6.4.1.3.3.2-1, by length 4 .. 14: without additional DMRS, with it.
  struct DmrsRow {
    std::uint16_t plain;
    std::uint16_t additional;
  };
  constexpr auto bits = [](std::initializer_list<unsigned> symbols) {
    std::uint16_t mask = 0;
    for (const unsigned l : symbols) {
      mask = static_cast<std::uint16_t>(mask | (1U << l));
    }
    return mask;
  };
  constexpr unsigned shortest = 4;
  static constexpr std::array<DmrsRow, max_symbols_per_slot - shortest + 1> table = {{
      {bits({1}), bits({1})}, // 4 symbols without hopping (with hopping: 0 and 2)
      {bits({0, 3}), bits({0, 3})},
      {bits({1, 4}), bits({1, 4})},
      {bits({1, 4}), bits({1, 4})},
      {bits({1, 5}), bits({1, 5})},
      {bits({1, 6}), bits({1, 6})},
      {bits({2, 7}), bits({1, 3, 6, 8})},
      {bits({2, 7}), bits({1, 3, 6, 9})},
      {bits({2, 8}), bits({1, 4, 7, 10})},
      {bits({2, 9}), bits({1, 4, 7, 11})},
      {bits({3, 10}), bits({1, 5, 8, 12})},
  }};
  if (pucch.num_symbols < shortest || pucch.num_symbols > max_symbols_per_slot) {
    return 0;
  }
  if (pucch.num_symbols == shortest && pucch.intra_slot_hopping) {
    return bits({0, 2});
  }
  const DmrsRow& row = table[pucch.num_symbols - shortest];
  return pucch.additional_dmrs ? row.additional : row.plain;
}

unsigned pucch_format34_uci_symbols(const PucchConfig& pucch) {
  const auto dmrs = static_cast<unsigned>(std::popcount(pucch_format34_dmrs_mask(pucch)));
  return pucch.num_symbols > dmrs ? pucch.num_symbols - dmrs : 0;
}

unsigned pucch_format34_coded_bits(const PucchConfig& pucch) {
  const unsigned qm = pucch.pi2_bpsk ? 1 : 2;
  const unsigned per_symbol = pucch.format == PucchFormat::format4
                                  ? subcarriers_per_prb / std::max(pucch.pre_dft_occ_length, 1U)
                                  : subcarriers_per_prb * pucch.num_prbs;
  return pucch_format34_uci_symbols(pucch) * per_symbol * qm;
}

unsigned pucch_uci_coded_bits(const PucchConfig& pucch) {
  switch (pucch.format) {
  case PucchFormat::format2:
    return pucch_format2_coded_bits(pucch);
  case PucchFormat::format3:
  case PucchFormat::format4:
    return pucch_format34_coded_bits(pucch);
  default:
    return 0;
  }
}

std::string PucchConfig::validate(const CellConfig& cell) const {
  if (std::string error = cell.validate(); !error.empty()) {
    return "cell: " + error;
  }
  if (format > PucchFormat::format4) {
    return "PUCCH format " + str(static_cast<unsigned>(format)) + " is not in 0..4";
  }
  if (std::string error = validate_allocation(cell, *this); !error.empty()) {
    return error;
  }
  if (std::string error = validate_sequences(*this); !error.empty()) {
    return error;
  }
  return validate_payload(*this);
}

} // namespace airan::phy
