/// \file
/// \brief UL-SCH transport blocks for decoder agreement tests (CPU formulations, CUDA): one and
/// many code blocks, short and long E_r, repetition (E > N_cb), LBRM, a code block that receives
/// nothing, both base graphs, Q_m 1 (pi/2-BPSK) to 8; each with an SNR (BPSK, noisy_llrs.h) at
/// which HARQ combining matters.
#pragma once

#include "airan/phy/ulsch_encoder.h"

#include <array>
#include <cstdint>

namespace airan::test {

struct UlschTestCase {
  std::uint32_t tbs;
  double rate;
  unsigned q_m;
  unsigned layers;
  std::uint32_t g;
  std::uint32_t tbs_lbrm;
  float snr_db;

  /// The coding configuration with redundancy version \p rv.
  [[nodiscard]] phy::UlschCodingConfig coding(unsigned rv) const {
    return {tbs, rate, q_m, layers, rv, g, tbs_lbrm};
  }
};

inline constexpr std::array<UlschTestCase, 9> ulsch_test_cases{{
    {200, 0.1, 2, 1, 6000, 0, -6.5F},       // BG2, repetition: E > N_cb
    {1672, 0.5, 4, 1, 3600, 0, 1.0F},       // one code block
    {9992, 0.75, 6, 2, 13332, 0, 2.3F},     // two code blocks, short and long E_r
    {24576, 0.9, 8, 2, 27776, 0, 4.5F},     // three code blocks
    {30000, 0.6, 6, 4, 49944, 24000, 1.5F}, // LBRM: N_cb < N
    {10000, 0.9, 2, 1, 2, 0, 3.0F},         // code block 0 receives nothing (E_0 = 0)
    {3000, 0.3, 2, 3, 10200, 0, -2.0F},     // BG2 at low rate
    {1001, 0.5, 2, 1, 2400, 0, 0.5F},       // a TBS that is not a whole number of bytes
    {500, 0.3, 1, 1, 1700, 0, -1.0F},       // pi/2-BPSK (Q_m 1, DFT-s-OFDM)
}};

} // namespace airan::test
