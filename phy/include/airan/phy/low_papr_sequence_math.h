/// \file
/// \brief Per-element math of the low-PAPR base sequences of type 1 (TS 38.211 5.2.2), shared by
/// phy::generate_low_papr_sequence() and the CUDA front end's DMRS generation of a
/// transform-precoded PUSCH: the phase of any one element n in exact integer arithmetic (an
/// index times a constant in double), so that a thread computes its own values without a loop
/// over the ones before.
#pragma once

#include "airan/phy/host_device.h"

#include <cstdint>

namespace airan::phy {

/// Shortest length with a Zadoff-Chu based base sequence (3 N_sc^RB).
inline constexpr unsigned low_papr_zc_min_length = 36;
/// Shortest length with two base sequences per group, v = 0 and 1 (6 N_sc^RB).
inline constexpr unsigned low_papr_two_sequences_min_length = 72;
/// The only length between the phase tables and the Zadoff-Chu range.
inline constexpr unsigned low_papr_length_30 = 30;
/// Longest table-based length (TS 38.211 Table 5.2.2.2-4).
inline constexpr unsigned low_papr_max_table_length = 24;
/// pi in double (std::numbers::pi, spelled out for device code).
inline constexpr double low_papr_pi = 3.141592653589793238462643383279502884;

/// What the phase of element n of a base sequence rbar_{u,v} of length \p m_zc depends on.
struct LowPaprBase {
  unsigned m_zc = 0; ///< M_ZC
  unsigned n_zc = 0; ///< N_ZC, the largest prime below M_ZC (Zadoff-Chu lengths only).
  unsigned q = 0;    ///< Zadoff-Chu root (lengths from 36).
  unsigned u = 0;    ///< Group (length 30 and the tables).
};

/// q of TS 38.211 5.2.2.1 in integers: qbar = N (u + 1) / 31, q = floor(qbar + 1/2) +
/// v (-1)^floor(2 qbar), with floor(qbar + 1/2) = floor((2 N (u + 1) + 31) / 62).
AIRAN_HOST_DEVICE inline std::uint64_t low_papr_zc_root(std::uint64_t n_zc, unsigned u,
                                                        unsigned v) {
  const std::uint64_t twice_numerator = 2 * n_zc * (u + 1); // 31 * 2 qbar
  const std::uint64_t rounded = (twice_numerator + 31) / 62;
  const bool odd = ((twice_numerator / 31) % 2) != 0;
  return odd ? rounded - v : rounded + v;
}

/// The base of rbar_{u,v} of length \p m_zc, with \p n_zc its prime (low_papr_zc_prime(); read
/// only for lengths from 36).
AIRAN_HOST_DEVICE inline LowPaprBase low_papr_base(unsigned m_zc, unsigned n_zc, unsigned u,
                                                   unsigned v) {
  LowPaprBase base;
  base.m_zc = m_zc;
  base.u = u;
  if (m_zc >= low_papr_zc_min_length) {
    base.n_zc = n_zc;
    base.q = static_cast<unsigned>(low_papr_zc_root(n_zc, u, v));
  }
  return base;
}

/// Zadoff-Chu phase index t(n) = q n (n + 1) mod 2 N_ZC of x_q(n mod N_ZC) = e^{-j pi t / N_ZC}:
/// N_ZC is odd, so t has period N_ZC and n itself serves for the cyclic extension.
AIRAN_HOST_DEVICE inline std::uint64_t low_papr_zc_phase_index(std::uint64_t q, std::uint64_t n_zc,
                                                               std::uint64_t n) {
  const std::uint64_t period = 2 * n_zc;
  const std::uint64_t m = n % period;
  return (q % period) * ((m * (m + 1)) % period) % period;
}

/// Phase index of length 30, rbar(n) = e^{-j pi (u + 1) (n + 1) (n + 2) / 31}, mod 62.
AIRAN_HOST_DEVICE inline unsigned low_papr_length_30_phase_index(unsigned u, std::uint64_t n) {
  constexpr unsigned period = 62;
  const auto product = static_cast<unsigned>(((n + 1) * (n + 2)) % period);
  return ((u + 1) * product) % period;
}

/// Radians per phase index of a Zadoff-Chu length of prime \p n_zc.
AIRAN_HOST_DEVICE inline double low_papr_zc_radians_per_index(unsigned n_zc) {
  return -low_papr_pi / static_cast<double>(n_zc);
}
/// Radians per phase index of length 30.
AIRAN_HOST_DEVICE inline double low_papr_length_30_radians_per_index() {
  return -low_papr_pi / 31.0;
}
/// Radians per table phase phi(n) (TS 38.211 Tables 5.2.2.2-1 .. -4: rbar = e^{j phi pi / 4}).
AIRAN_HOST_DEVICE inline double low_papr_table_radians_per_index() {
  return low_papr_pi / 4.0;
}

/// The phase of rbar(n) in radians, within +-2 pi: \p table_phases is the group's row of its
/// phase table (read for lengths 6 .. 24 only).
AIRAN_HOST_DEVICE inline double low_papr_base_phase(const LowPaprBase& base,
                                                    const std::int8_t* table_phases, unsigned n) {
  if (base.m_zc >= low_papr_zc_min_length) {
    return low_papr_zc_radians_per_index(base.n_zc) *
           static_cast<double>(low_papr_zc_phase_index(base.q, base.n_zc, n));
  }
  if (base.m_zc == low_papr_length_30) {
    return low_papr_length_30_radians_per_index() *
           static_cast<double>(low_papr_length_30_phase_index(base.u, n));
  }
  return low_papr_table_radians_per_index() * static_cast<double>(table_phases[n]);
}

} // namespace airan::phy
