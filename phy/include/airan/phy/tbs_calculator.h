/// \file
/// \brief Transport block size determination, TS 38.214 5.1.3.2 (used for PUSCH by 6.1.4.2).
///
/// Computed in exact integer arithmetic: R is carried as R * 10240 (the FAPI unit), so N_info,
/// its logarithm, floor and rounding steps are exact for every table entry.
#pragma once

#include "airan/phy/pusch_config.h"

#include <cstdint>
#include <span>

namespace airan::phy {

/// Inputs of TS 38.214 5.1.3.2 for one transport block.
struct TbsParams {
  unsigned num_prbs = 0;              ///< n_PRB: allocated PRBs.
  unsigned num_symbols = 0;           ///< N_symb^sh: allocated OFDM symbols.
  unsigned dmrs_res_per_prb = 0;      ///< N_DMRS^PRB: DMRS REs per PRB incl. CDM groups w/o data.
  unsigned overhead_res_per_prb = 0;  ///< N_oh^PRB: xOverhead (0, 6, 12, 18).
  std::uint32_t code_rate_x10240 = 0; ///< R * 1024 * 10.
  unsigned modulation_order = 0;      ///< Q_m.
  unsigned num_layers = 1;            ///< v.
};

/// Result of the TBS determination with its intermediate values.
struct TbsResult {
  std::uint32_t tbs = 0;              ///< Transport block size in bits.
  std::uint32_t num_res = 0;          ///< N_RE = min(156, N'_RE) * n_PRB.
  double n_info = 0.0;                ///< N_info = N_RE * R * Q_m * v (for information).
  std::uint32_t n_info_quantized = 0; ///< N'_info.
  bool from_table = false;            ///< True when TBS came from Table 5.1.3.2-1 (N_info <= 3824).
};

/// Table 5.1.3.2-1: the 93 TBS values for N_info <= 3824.
std::span<const std::uint16_t> tbs_table();

/// Most PRBs compute_tbs() takes (the largest FFT's worth, numerology.h's max_fft_size / 12).
constexpr unsigned max_tbs_prbs = 5461;

/// TBS of TS 38.214 5.1.3.2. \throws std::invalid_argument when N_RE or R is 0, or a parameter
/// is out of range (above max_tbs_prbs PRBs, Q_m 10, 8 layers, 168 REs per PRB).
TbsResult compute_tbs(const TbsParams& params);

/// N_DMRS^PRB: DMRS symbols x REs per PRB of the CDM groups without data (6 per group for type
/// 1, 4 per group for type 2).
unsigned dmrs_overhead_res_per_prb(unsigned num_dmrs_symbols, DmrsConfigType type,
                                   unsigned num_cdm_groups_no_data);

/// TBS parameters of \p pusch on \p cell (DMRS overhead derived from its DMRS symbols).
/// \throws std::invalid_argument when the DMRS configuration is invalid.
TbsParams pusch_tbs_params(const CellConfig& cell, const PuschConfig& pusch);

/// TBS of \p pusch derived with TS 38.214 5.1.3.2 (ignores pusch.tb_size_bits).
std::uint32_t compute_pusch_tbs(const CellConfig& cell, const PuschConfig& pusch);

} // namespace airan::phy
