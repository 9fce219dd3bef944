#include "airan/phy/pucch_config.h"

#include "airan/phy/numerology.h"
#include "airan/phy/pucch_sequence.h"
#include "airan/phy/uci_polar_code.h"

#include <algorithm>
#include <string>

namespace airan::phy {
namespace {

constexpr unsigned max_hopping_id = 1023;
constexpr unsigned max_scrambling_id = 1023;
constexpr unsigned num_cyclic_shifts = 12;
constexpr unsigned format1_min_symbols = 4;
constexpr unsigned format02_max_symbols = 2;

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
  const unsigned max_prbs =
      pucch.format == PucchFormat::format2 ? PucchConfig::max_format2_prbs : 1;
  if (pucch.num_prbs == 0 || pucch.num_prbs > max_prbs) {
    return "prbSize " + str(pucch.num_prbs) + " is not in 1.." + str(max_prbs) + " for format " +
           str(static_cast<unsigned>(pucch.format));
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
  const bool long_format = pucch.format == PucchFormat::format1;
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
  if (pucch.initial_cyclic_shift >= num_cyclic_shifts) {
    return "InitialCyclicShift " + str(pucch.initial_cyclic_shift) + " is not in 0..11";
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
  if (pucch.format != PucchFormat::format2) {
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
    return "format 2 carries 3..1706 UCI bits, not " + str(a);
  }
  constexpr unsigned ambiguous_payload_bits = 11;
  constexpr unsigned smallest_coded_bits = 16;
  if (a == ambiguous_payload_bits && pucch_format2_coded_bits(pucch) == smallest_coded_bits) {
    return "11 UCI bits in the 16 coded bits of 1 PRB and 1 symbol cannot be decoded: the first "
           "16 rows of the (32, 11) code (TS 38.212 Table 5.3.3.3-1) have rank 10";
  }
  if (a >= uci_polar_min_payload_bits) {
    std::string error = uci_polar_size_error(a, pucch_format2_coded_bits(pucch));
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

std::string PucchConfig::validate(const CellConfig& cell) const {
  if (std::string error = cell.validate(); !error.empty()) {
    return "cell: " + error;
  }
  if (format == PucchFormat::format3 || format == PucchFormat::format4) {
    return "PUCCH format " + str(static_cast<unsigned>(format)) + " is not supported (0, 1, 2)";
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
