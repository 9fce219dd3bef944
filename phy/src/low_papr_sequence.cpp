/// \file
/// \brief Low-PAPR sequences of type 1 (TS 38.211 5.2.2) and the DMRS group and sequence hopping
/// of a transform-precoded PUSCH (TS 38.211 6.4.1.1.1.2).
#include "airan/phy/low_papr_sequence.h"

#include "low_papr_sequence_tables.h"

#include "airan/phy/gold_sequence.h"
#include "airan/phy/low_papr_sequence_math.h"

#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

bool is_prime_number(unsigned value) {
  if (value < 2) {
    return false;
  }
  if (value % 2 == 0) {
    return value == 2;
  }
  for (unsigned divisor = 3; divisor <= value / divisor; divisor += 2) {
    if (value % divisor == 0) {
      return false;
    }
  }
  return true;
}

/// e^{j (phase + alpha n)}, stored as cf32. \p phase is within +-2 pi: without a cyclic shift
/// (the DMRS) single-precision sine and cosine of it are as exact as the float result (and an
/// order of magnitude faster than double ones); a shift's alpha n may grow large and is taken in
/// double precision.
inline cf32 low_papr_phasor(double phase, double alpha, std::size_t n) {
  if (alpha == 0.0) {
    const auto angle = static_cast<float>(phase);
    return {std::cos(angle), std::sin(angle)};
  }
  const std::complex<double> value = std::polar(1.0, phase + alpha * static_cast<double>(n));
  return {static_cast<float>(value.real()), static_cast<float>(value.imag())};
}

/// rbar(n) = x_q(n mod N_ZC), x_q(m) = e^{-j pi q m (m + 1) / N_ZC}. The phase index
/// t(n) = q n (n + 1) mod 2 N_ZC is updated by additions modulo 2 N_ZC only
/// (t(n + 1) = t(n) + 2 q (n + 1)), so it stays exact for every length. As N_ZC is odd, t(n) has
/// period N_ZC and equals the index of n mod N_ZC: the cyclic extension needs no special case.
void generate_zc(unsigned m_zc, unsigned u, unsigned v, double alpha, std::span<cf32> out) {
  const std::uint64_t n_zc = low_papr_zc_prime(m_zc);
  const std::uint64_t period = 2 * n_zc;
  const std::uint64_t step_increment = (2 * low_papr_zc_root(n_zc, u, v)) % period;
  const double radians_per_index = low_papr_zc_radians_per_index(static_cast<unsigned>(n_zc));
  std::uint64_t index = 0;             // q n (n + 1) mod 2 N_ZC
  std::uint64_t step = step_increment; // 2 q (n + 1) mod 2 N_ZC
  for (std::size_t n = 0; n < out.size(); ++n) {
    out[n] = low_papr_phasor(radians_per_index * static_cast<double>(index), alpha, n);
    // Both terms are below the period: one conditional subtraction reduces each sum.
    index += step;
    index -= index >= period ? period : 0;
    step += step_increment;
    step -= step >= period ? period : 0;
  }
}

/// Length 30 and the table lengths, element by element (low_papr_base_phase()): rbar(n) =
/// e^{-j pi (u + 1) (n + 1) (n + 2) / 31}, or e^{j phi(n) pi / 4} from TS 38.211 Tables
/// 5.2.2.2-1 .. -4 (\p table_phases, empty for length 30).
void generate_short(unsigned u, std::span<const std::int8_t> table_phases, double alpha,
                    std::span<cf32> out) {
  const LowPaprBase base = low_papr_base(static_cast<unsigned>(out.size()), 0, u, 0);
  for (std::size_t n = 0; n < out.size(); ++n) {
    out[n] = low_papr_phasor(
        low_papr_base_phase(base, table_phases.data(), static_cast<unsigned>(n)), alpha, n);
  }
}

/// c(offset) .. c(offset + N - 1) of the Gold sequence as an integer, bit m = c(offset + m).
template <std::size_t N> unsigned gold_bits(std::uint32_t c_init, std::uint64_t offset) {
  static_assert(N <= 8 * sizeof(unsigned));
  if (offset > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("low-PAPR hopping: slot and symbol index out of range");
  }
  std::array<bit_t, N> bits{};
  gold_sequence(c_init, bits, static_cast<std::uint32_t>(offset));
  unsigned value = 0;
  for (std::size_t m = 0; m < N; ++m) {
    value |= static_cast<unsigned>(bits[m] & 1U) << m;
  }
  return value;
}

} // namespace

bool low_papr_length_supported(unsigned m_zc) {
  switch (m_zc) {
  case 6:
  case 12:
  case 18:
  case 24:
  case low_papr_length_30:
    return true;
  default:
    return m_zc >= low_papr_zc_min_length && m_zc % 6 == 0;
  }
}

unsigned low_papr_zc_prime(unsigned m_zc) {
  if (m_zc < 3) {
    throw std::invalid_argument("low-PAPR sequence: no prime below M_ZC = " + std::to_string(m_zc));
  }
  unsigned candidate = m_zc - 1;
  while (!is_prime_number(candidate)) {
    --candidate;
  }
  return candidate;
}

void generate_low_papr_sequence(unsigned u, unsigned v, float alpha, std::span<cf32> out) {
  if (out.size() > std::numeric_limits<unsigned>::max() ||
      !low_papr_length_supported(static_cast<unsigned>(out.size()))) {
    throw std::invalid_argument("low-PAPR sequence: length " + std::to_string(out.size()) +
                                " is not supported (6, 12, 18, 24, 30 or a multiple of 6 from 36)");
  }
  const auto m_zc = static_cast<unsigned>(out.size());
  if (u >= low_papr_num_groups) {
    throw std::invalid_argument("low-PAPR sequence: group u = " + std::to_string(u) +
                                " is out of range 0 .. 29");
  }
  if (v > 1 || (v == 1 && m_zc < low_papr_two_sequences_min_length)) {
    throw std::invalid_argument("low-PAPR sequence: base sequence v = " + std::to_string(v) +
                                " does not exist for M_ZC = " + std::to_string(m_zc) +
                                " (v = 1 needs M_ZC >= 72)");
  }
  const double shift = alpha;
  if (m_zc >= low_papr_zc_min_length) {
    generate_zc(m_zc, u, v, shift, out);
  } else {
    generate_short(u, detail::low_papr_phase_row(m_zc, u), shift, out);
  }
}

std::span<const std::int8_t> low_papr_table_phases(unsigned m_zc, unsigned u) {
  return detail::low_papr_phase_row(m_zc, u);
}

LowPaprSequenceId pusch_low_papr_sequence_id(LowPaprHopping hopping, std::uint16_t n_id_rs,
                                             unsigned symbols_per_slot, unsigned slot,
                                             unsigned symbol, unsigned m_zc) {
  // Index of the symbol in the frame-wide hopping pattern: N_symb^slot n_s + l.
  const std::uint64_t symbol_index =
      static_cast<std::uint64_t>(symbols_per_slot) * slot + static_cast<std::uint64_t>(symbol);
  LowPaprSequenceId id;
  id.u = n_id_rs % low_papr_num_groups;
  switch (hopping) {
  case LowPaprHopping::none:
    break;
  case LowPaprHopping::group: {
    // f_gh = (sum_m 2^m c(8 (N_symb^slot n_s + l) + m)) mod 30, c_init = floor(n_ID^RS / 30).
    const unsigned f_gh =
        gold_bits<8>(n_id_rs / low_papr_num_groups, 8 * symbol_index) % low_papr_num_groups;
    id.u = (f_gh + n_id_rs) % low_papr_num_groups;
    break;
  }
  case LowPaprHopping::sequence:
    // v = c(N_symb^slot n_s + l), c_init = n_ID^RS, for the lengths with two base sequences.
    if (m_zc >= low_papr_two_sequences_min_length) {
      id.v = gold_bits<1>(n_id_rs, symbol_index);
    }
    break;
  default:
    throw std::invalid_argument("low-PAPR hopping: unknown mode");
  }
  return id;
}

} // namespace airan::phy
