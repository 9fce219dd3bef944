/// \file
/// \brief SRS configuration (TS 38.211 6.4.1.4): Table 6.4.1.4.3-1, validation against a cell,
/// the per-port cyclic shifts and combs, the hopping counter n_SRS, the frequency positions
/// (6.4.1.4.3) and the sequence group and number of every symbol (6.4.1.4.2).
#include "airan/phy/srs_config.h"

#include "airan/phy/gold_sequence.h"
#include "airan/phy/numerology.h"

#include <algorithm>
#include <array>
#include <numbers>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

constexpr unsigned srs_max_sequence_id = 1023;
constexpr unsigned srs_max_frequency_position = 67;
constexpr unsigned srs_max_frequency_shift = 268;
constexpr unsigned srs_max_bandwidth_index = 3;
constexpr unsigned srs_frames_per_hyperframe = 1024;
/// Shortest sequence with two base sequences (v = 0, 1): 6 N_sc^RB.
constexpr unsigned srs_sequence_hopping_min_length = 72;

/// TS 38.211 Table 6.4.1.4.3-1: m_SRS,b and N_b, b = 0 .. 3, for C_SRS = 0 .. 63.
constexpr std::array<SrsBandwidthRow, SrsConfig::max_c_srs + 1> srs_bandwidth_table = {{
    {{{4, 4, 4, 4}}, {{1, 1, 1, 1}}},       // 0
    {{{8, 4, 4, 4}}, {{1, 2, 1, 1}}},       // 1
    {{{12, 4, 4, 4}}, {{1, 3, 1, 1}}},      // 2
    {{{16, 4, 4, 4}}, {{1, 4, 1, 1}}},      // 3
    {{{16, 8, 4, 4}}, {{1, 2, 2, 1}}},      // 4
    {{{20, 4, 4, 4}}, {{1, 5, 1, 1}}},      // 5
    {{{24, 4, 4, 4}}, {{1, 6, 1, 1}}},      // 6
    {{{24, 12, 4, 4}}, {{1, 2, 3, 1}}},     // 7
    {{{28, 4, 4, 4}}, {{1, 7, 1, 1}}},      // 8
    {{{32, 16, 8, 4}}, {{1, 2, 2, 2}}},     // 9
    {{{36, 12, 4, 4}}, {{1, 3, 3, 1}}},     // 10
    {{{40, 20, 4, 4}}, {{1, 2, 5, 1}}},     // 11
    {{{48, 16, 8, 4}}, {{1, 3, 2, 2}}},     // 12
    {{{48, 24, 12, 4}}, {{1, 2, 2, 3}}},    // 13
    {{{52, 4, 4, 4}}, {{1, 13, 1, 1}}},     // 14
    {{{56, 28, 4, 4}}, {{1, 2, 7, 1}}},     // 15
    {{{60, 20, 4, 4}}, {{1, 3, 5, 1}}},     // 16
    {{{64, 32, 16, 4}}, {{1, 2, 2, 4}}},    // 17
    {{{72, 24, 12, 4}}, {{1, 3, 2, 3}}},    // 18
    {{{72, 36, 12, 4}}, {{1, 2, 3, 3}}},    // 19
    {{{76, 4, 4, 4}}, {{1, 19, 1, 1}}},     // 20
    {{{80, 40, 20, 4}}, {{1, 2, 2, 5}}},    // 21
    {{{88, 44, 4, 4}}, {{1, 2, 11, 1}}},    // 22
    {{{96, 32, 16, 4}}, {{1, 3, 2, 4}}},    // 23
    {{{96, 48, 24, 4}}, {{1, 2, 2, 6}}},    // 24
    {{{104, 52, 4, 4}}, {{1, 2, 13, 1}}},   // 25
    {{{112, 56, 28, 4}}, {{1, 2, 2, 7}}},   // 26
    {{{120, 60, 20, 4}}, {{1, 2, 3, 5}}},   // 27
    {{{120, 40, 8, 4}}, {{1, 3, 5, 2}}},    // 28
    {{{120, 24, 12, 4}}, {{1, 5, 2, 3}}},   // 29
    {{{128, 64, 32, 4}}, {{1, 2, 2, 8}}},   // 30
    {{{128, 64, 16, 4}}, {{1, 2, 4, 4}}},   // 31
    {{{128, 16, 8, 4}}, {{1, 8, 2, 2}}},    // 32
    {{{132, 44, 4, 4}}, {{1, 3, 11, 1}}},   // 33
    {{{136, 68, 4, 4}}, {{1, 2, 17, 1}}},   // 34
    {{{144, 72, 36, 4}}, {{1, 2, 2, 9}}},   // 35
    {{{144, 48, 24, 12}}, {{1, 3, 2, 2}}},  // 36
    {{{144, 48, 16, 4}}, {{1, 3, 3, 4}}},   // 37
    {{{144, 16, 8, 4}}, {{1, 9, 2, 2}}},    // 38
    {{{152, 76, 4, 4}}, {{1, 2, 19, 1}}},   // 39
    {{{160, 80, 40, 4}}, {{1, 2, 2, 10}}},  // 40
    {{{160, 80, 20, 4}}, {{1, 2, 4, 5}}},   // 41
    {{{160, 32, 16, 4}}, {{1, 5, 2, 4}}},   // 42
    {{{168, 84, 28, 4}}, {{1, 2, 3, 7}}},   // 43
    {{{176, 88, 44, 4}}, {{1, 2, 2, 11}}},  // 44
    {{{184, 92, 4, 4}}, {{1, 2, 23, 1}}},   // 45
    {{{192, 96, 48, 4}}, {{1, 2, 2, 12}}},  // 46
    {{{192, 96, 24, 4}}, {{1, 2, 4, 6}}},   // 47
    {{{192, 64, 16, 4}}, {{1, 3, 4, 4}}},   // 48
    {{{192, 24, 8, 4}}, {{1, 8, 3, 2}}},    // 49
    {{{208, 104, 52, 4}}, {{1, 2, 2, 13}}}, // 50
    {{{216, 108, 36, 4}}, {{1, 2, 3, 9}}},  // 51
    {{{224, 112, 56, 4}}, {{1, 2, 2, 14}}}, // 52
    {{{240, 120, 60, 4}}, {{1, 2, 2, 15}}}, // 53
    {{{240, 80, 20, 4}}, {{1, 3, 4, 5}}},   // 54
    {{{240, 48, 16, 8}}, {{1, 5, 3, 2}}},   // 55
    {{{240, 24, 12, 4}}, {{1, 10, 2, 3}}},  // 56
    {{{256, 128, 64, 4}}, {{1, 2, 2, 16}}}, // 57
    {{{256, 128, 32, 4}}, {{1, 2, 4, 8}}},  // 58
    {{{256, 16, 8, 4}}, {{1, 16, 2, 2}}},   // 59
    {{{264, 132, 44, 4}}, {{1, 2, 3, 11}}}, // 60
    {{{272, 136, 68, 4}}, {{1, 2, 2, 17}}}, // 61
    {{{272, 68, 4, 4}}, {{1, 4, 17, 1}}},   // 62
    {{{272, 16, 8, 4}}, {{1, 17, 2, 2}}},   // 63
}};

/// SRS-PeriodicityAndOffset (TS 38.331): T_SRS in slots. Each divides the 10240 2^mu slots of a
/// hyperframe, so n_SRS counts on consistently across its wrap.
constexpr std::array<unsigned, 17> srs_periodicities = {1,  2,  4,  5,   8,   10,  16,   20,  32,
                                                        40, 64, 80, 160, 320, 640, 1280, 2560};

std::string srs_str(unsigned value) {
  return std::to_string(value);
}

/// The table row of \p srs, checking C_SRS and B_SRS (the functions below index it by b).
SrsBandwidthRow srs_checked_row(const SrsConfig& srs) {
  if (srs.b_srs > srs_max_bandwidth_index) {
    throw std::invalid_argument("SRS: B_SRS " + srs_str(srs.b_srs) + " is not in 0..3");
  }
  return srs_bandwidth_row(srs.c_srs);
}

bool srs_one_two_or_four(unsigned value) {
  return value == 1 || value == 2 || value == 4;
}

/// n_b of level \p b at hopping counter \p n_srs (TS 38.211 6.4.1.4.3), with F_b(n_SRS) for the
/// levels above b_hop when hopping; N_{b_hop} counts as 1 in F_b's products.
unsigned srs_position_index(const SrsConfig& srs, const SrsBandwidthRow& row, unsigned b,
                            unsigned n_srs) {
  const unsigned n_b = row.n[b];
  const unsigned fixed = 4 * srs.frequency_position / row.m_srs[b];
  if (!srs.frequency_hopping() || b <= srs.hopping_bandwidth) {
    return fixed % n_b;
  }
  unsigned below = 1; // prod_{b' = b_hop}^{b - 1} N_b'
  for (unsigned level = srs.hopping_bandwidth + 1; level < b; ++level) {
    below *= row.n[level];
  }
  const unsigned through = below * n_b; // prod_{b' = b_hop}^{b} N_b'
  unsigned f_b = 0;
  if (n_b % 2 == 0) {
    const unsigned phase = n_srs % through;
    f_b = (n_b / 2) * (phase / below) + phase / (2 * below);
  } else {
    f_b = (n_b / 2) * (n_srs / below);
  }
  return (f_b + fixed) % n_b;
}

std::string validate_srs_resource(const CellConfig& cell, const SrsConfig& srs) {
  if (!srs_one_two_or_four(srs.num_ports)) {
    return "numAntPorts " + srs_str(srs.num_ports) + " is not 1, 2 or 4 ports";
  }
  if (!srs_one_two_or_four(srs.num_symbols)) {
    return "numSymbols " + srs_str(srs.num_symbols) + " is not 1, 2 or 4 symbols";
  }
  if (!srs_one_two_or_four(srs.repetition) || srs.repetition > srs.num_symbols) {
    return "numRepetitions " + srs_str(srs.repetition) + " is not 1, 2 or 4 and at most the " +
           srs_str(srs.num_symbols) + " symbols";
  }
  const unsigned slot_symbols = symbols_per_slot(cell.cyclic_prefix);
  if (std::uint64_t{srs.start_symbol} + srs.num_symbols > slot_symbols) {
    return "symbols " + srs_str(srs.start_symbol) + "+" + srs_str(srs.num_symbols) +
           " exceed the slot of " + srs_str(slot_symbols);
  }
  if (srs.comb_size != 2 && srs.comb_size != 4) {
    return "combSize " + srs_str(srs.comb_size) + " is not 2 or 4 (comb 8 is not supported)";
  }
  if (srs.comb_offset >= srs.comb_size) {
    return "combOffset " + srs_str(srs.comb_offset) + " is not below the comb size " +
           srs_str(srs.comb_size);
  }
  if (srs.cyclic_shift >= srs.max_cyclic_shifts()) {
    return "cyclicShift " + srs_str(srs.cyclic_shift) +
           " is not below n_SRS^cs,max = " + srs_str(srs.max_cyclic_shifts()) + " of comb " +
           srs_str(srs.comb_size);
  }
  if (srs.sequence_id > srs_max_sequence_id) {
    return "sequenceId " + srs_str(srs.sequence_id) + " is not in 0..1023";
  }
  if (srs.group_or_sequence_hopping > SrsHopping::sequence) {
    return "groupOrSequenceHopping " +
           srs_str(static_cast<unsigned>(srs.group_or_sequence_hopping)) +
           " is not 0 (neither), 1 (group) or 2 (sequence)";
  }
  return {};
}

std::string validate_srs_timing(const SrsConfig& srs) {
  if (srs.resource_type > SrsResourceType::periodic) {
    return "resourceType " + srs_str(static_cast<unsigned>(srs.resource_type)) +
           " is not 0 (aperiodic), 1 (semi-persistent) or 2 (periodic)";
  }
  if (srs.resource_type == SrsResourceType::aperiodic) {
    return {};
  }
  if (std::find(srs_periodicities.begin(), srs_periodicities.end(), srs.periodicity) ==
      srs_periodicities.end()) {
    return "Tsrs " + srs_str(srs.periodicity) +
           " is not an SRS periodicity (1, 2, 4, 5, 8, 10, 16, 20, 32, 40, 64, 80, 160, 320, "
           "640, 1280 or 2560 slots)";
  }
  if (srs.slot_offset >= srs.periodicity) {
    return "Toffset " + srs_str(srs.slot_offset) + " is not below Tsrs " + srs_str(srs.periodicity);
  }
  return {};
}

std::string validate_srs_frequency(const CellConfig& cell, const SrsConfig& srs) {
  // Sums in 64 bits: 32-bit fields near their maximum must not wrap past the checks.
  if (srs.bwp_size == 0 || srs.bwp_start < cell.grid_start_crb ||
      std::uint64_t{srs.bwp_start} + srs.bwp_size >
          std::uint64_t{cell.grid_start_crb} + cell.num_prbs) {
    return "BWP CRBs " + srs_str(srs.bwp_start) + "+" + srs_str(srs.bwp_size) +
           " do not fit the carrier CRBs " + srs_str(cell.grid_start_crb) + "+" +
           srs_str(cell.num_prbs);
  }
  if (srs.c_srs > SrsConfig::max_c_srs) {
    return "configIndex " + srs_str(srs.c_srs) + " is not in 0..63";
  }
  if (srs.b_srs > srs_max_bandwidth_index) {
    return "bandwidthIndex " + srs_str(srs.b_srs) + " is not in 0..3";
  }
  if (srs.hopping_bandwidth > srs_max_bandwidth_index) {
    return "frequencyHopping " + srs_str(srs.hopping_bandwidth) + " is not in 0..3";
  }
  if (srs.frequency_position > srs_max_frequency_position) {
    return "frequencyPosition " + srs_str(srs.frequency_position) + " is not in 0..67";
  }
  if (srs.frequency_shift > srs_max_frequency_shift) {
    return "frequencyShift " + srs_str(srs.frequency_shift) + " is not in 0..268";
  }
  // Every hop (the positions repeat after one hopping period) inside the BWP, hence the carrier.
  const unsigned prbs = srs.num_prbs();
  const unsigned period = srs_hopping_period(srs);
  for (unsigned n_srs = 0; n_srs < period; ++n_srs) {
    const unsigned first = srs_first_crb(srs, n_srs);
    if (first < srs.bwp_start ||
        std::uint64_t{first} + prbs > std::uint64_t{srs.bwp_start} + srs.bwp_size) {
      const std::string hop = period > 1 ? " at hop n_SRS = " + srs_str(n_srs) : "";
      return "SRS CRBs " + srs_str(first) + "+" + srs_str(prbs) + hop +
             " do not fit the BWP CRBs " + srs_str(srs.bwp_start) + "+" + srs_str(srs.bwp_size);
    }
  }
  return {};
}

} // namespace

SrsBandwidthRow srs_bandwidth_row(unsigned c_srs) {
  if (c_srs > SrsConfig::max_c_srs) {
    throw std::invalid_argument("SRS bandwidth configuration: C_SRS " + srs_str(c_srs) +
                                " is not in 0..63");
  }
  return srs_bandwidth_table[c_srs];
}

std::string SrsConfig::validate(const CellConfig& cell) const {
  if (std::string error = cell.validate(); !error.empty()) {
    return "cell: " + error;
  }
  if (std::string error = validate_srs_resource(cell, *this); !error.empty()) {
    return error;
  }
  if (std::string error = validate_srs_timing(*this); !error.empty()) {
    return error;
  }
  return validate_srs_frequency(cell, *this);
}

unsigned SrsConfig::num_prbs() const {
  return srs_checked_row(*this).m_srs[b_srs];
}

unsigned SrsConfig::port_cyclic_shift(unsigned port) const {
  const unsigned n_max = max_cyclic_shifts();
  return (cyclic_shift + n_max * port / num_ports) % n_max;
}

float SrsConfig::port_alpha(unsigned port) const {
  return static_cast<float>(2.0 * std::numbers::pi * port_cyclic_shift(port) / max_cyclic_shifts());
}

unsigned SrsConfig::port_comb(unsigned port) const {
  const bool upper_half = cyclic_shift >= max_cyclic_shifts() / 2;
  if (num_ports == 4 && upper_half && (port == 1 || port == 3)) {
    return (comb_offset + comb_size / 2) % comb_size;
  }
  return comb_offset;
}

unsigned srs_hopping_counter(const SrsConfig& srs, unsigned slots_per_frame, unsigned sfn,
                             unsigned slot, unsigned l) {
  if (srs.repetition == 0 ||
      (srs.resource_type != SrsResourceType::aperiodic && srs.periodicity == 0)) {
    throw std::invalid_argument("srs_hopping_counter: repetition and periodicity must not be 0");
  }
  const unsigned within = l / srs.repetition;
  if (srs.resource_type == SrsResourceType::aperiodic) {
    return within;
  }
  // Slots since T_offset, modulo the hyperframe (which T_SRS divides).
  const std::uint64_t hyperframe = std::uint64_t{srs_frames_per_hyperframe} * slots_per_frame;
  const std::uint64_t now = std::uint64_t{sfn % srs_frames_per_hyperframe} * slots_per_frame + slot;
  const std::uint64_t since = (now + hyperframe - srs.slot_offset % hyperframe) % hyperframe;
  const std::uint64_t occasions = since / srs.periodicity;
  return static_cast<unsigned>(occasions * (srs.num_symbols / srs.repetition) + within);
}

unsigned srs_hopping_period(const SrsConfig& srs) {
  if (!srs.frequency_hopping()) {
    return 1;
  }
  const SrsBandwidthRow row = srs_checked_row(srs);
  unsigned period = 1;
  for (unsigned b = srs.hopping_bandwidth + 1; b <= srs.b_srs; ++b) {
    period *= row.n[b];
  }
  return period;
}

unsigned srs_first_crb(const SrsConfig& srs, unsigned n_srs) {
  const SrsBandwidthRow row = srs_checked_row(srs);
  // Reference point: CRB 0 when N_BWP^start <= n_shift, else the lowest subcarrier of the BWP.
  unsigned crb = (srs.bwp_start <= srs.frequency_shift ? 0U : srs.bwp_start) + srs.frequency_shift;
  for (unsigned b = 0; b <= srs.b_srs; ++b) {
    crb += row.m_srs[b] * srs_position_index(srs, row, b, n_srs);
  }
  return crb;
}

unsigned srs_first_subcarrier(const SrsConfig& srs, const CellConfig& cell, unsigned port,
                              unsigned n_srs) {
  const unsigned crb = srs_first_crb(srs, n_srs);
  if (crb < cell.grid_start_crb) {
    throw std::invalid_argument("SRS: first CRB " + srs_str(crb) + " is below the carrier start " +
                                srs_str(cell.grid_start_crb));
  }
  return subcarriers_per_prb * (crb - cell.grid_start_crb) + srs.port_comb(port);
}

void srs_sequence_ids(const SrsConfig& srs, unsigned symbols_per_slot, unsigned slot,
                      std::span<LowPaprSequenceId> ids) {
  if (ids.size() < srs.num_symbols || srs.num_symbols > SrsConfig::max_symbols) {
    throw std::invalid_argument("srs_sequence_ids: room for " + std::to_string(ids.size()) +
                                " symbols, not " + srs_str(srs.num_symbols));
  }
  // Index of the first SRS symbol in the frame: n_s,f N_symb^slot + l0.
  const std::uint32_t first = slot * symbols_per_slot + srs.start_symbol;
  const unsigned u = srs.sequence_id % low_papr_num_groups;
  std::array<bit_t, std::size_t{8} * SrsConfig::max_symbols> bits{};
  switch (srs.group_or_sequence_hopping) {
  case SrsHopping::group: {
    // f_gh(l') = sum_m c(8 (first + l') + m) 2^m mod 30: the symbols' bytes follow each other.
    const std::span<bit_t> used(bits.data(), std::size_t{8} * srs.num_symbols);
    gold_sequence(srs.sequence_id, used, 8 * first);
    for (unsigned l = 0; l < srs.num_symbols; ++l) {
      unsigned f_gh = 0;
      for (unsigned m = 0; m < 8; ++m) {
        f_gh |= static_cast<unsigned>(bits[8 * l + m] & 1U) << m;
      }
      ids[l] = {(f_gh % low_papr_num_groups + srs.sequence_id) % low_papr_num_groups, 0};
    }
    return;
  }
  case SrsHopping::sequence: {
    const bool two_sequences = srs.sequence_length() >= srs_sequence_hopping_min_length;
    const std::span<bit_t> used(bits.data(), srs.num_symbols);
    gold_sequence(srs.sequence_id, used, first);
    for (unsigned l = 0; l < srs.num_symbols; ++l) {
      ids[l] = {u, two_sequences ? static_cast<unsigned>(bits[l] & 1U) : 0U};
    }
    return;
  }
  default:
    std::fill_n(ids.begin(), srs.num_symbols, LowPaprSequenceId{u, 0});
    return;
  }
}

} // namespace airan::phy
