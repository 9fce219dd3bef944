#include "airan/phy/tbs_calculator.h"

#include "airan/phy/dmrs_pusch.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

// TS 38.214 Table 5.1.3.2-1: TBS for N_info <= 3824.
constexpr std::array<std::uint16_t, 93> tbs_values = {
    24,   32,   40,   48,   56,   64,   72,   80,   88,   96,   104,  112,  120,  128,  136,  144,
    152,  160,  168,  176,  184,  192,  208,  224,  240,  256,  272,  288,  304,  320,  336,  352,
    368,  384,  408,  432,  456,  480,  504,  528,  552,  576,  608,  640,  672,  704,  736,  768,
    808,  848,  888,  928,  984,  1032, 1064, 1128, 1160, 1192, 1224, 1256, 1288, 1320, 1352, 1416,
    1480, 1544, 1608, 1672, 1736, 1800, 1864, 1928, 2024, 2088, 2152, 2216, 2280, 2408, 2472, 2536,
    2600, 2664, 2728, 2792, 2856, 2976, 3104, 3240, 3368, 3496, 3624, 3752, 3824};

/// Denominator of every quantity below: values are held as x * rate_scale (R = rate / 10240).
constexpr std::uint64_t rate_scale = 10240;

/// floor(log2(value / rate_scale)) for value >= rate_scale.
int floor_log2_scaled(std::uint64_t value) {
  int exponent = 0;
  while ((rate_scale << (exponent + 1)) <= value) {
    ++exponent;
  }
  return exponent;
}

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  return (a + b - 1) / b;
}

} // namespace

std::span<const std::uint16_t> tbs_table() {
  return tbs_values;
}

TbsResult compute_tbs(const TbsParams& params) {
  if (params.num_prbs == 0 || params.num_symbols == 0 || params.num_symbols > 14) {
    throw std::invalid_argument("TBS: need 1..14 symbols and at least one PRB");
  }
  if (params.code_rate_x10240 == 0 || params.code_rate_x10240 >= rate_scale) {
    throw std::invalid_argument("TBS: the target code rate must be in (0, 1)");
  }
  if (params.modulation_order == 0 || params.num_layers == 0) {
    throw std::invalid_argument("TBS: modulation order and layers must be positive");
  }
  // Far beyond NR (275 PRBs, Q_m 8, 4 layers), and inside what the arithmetic below holds.
  if (params.num_prbs > max_tbs_prbs || params.modulation_order > 10 || params.num_layers > 8 ||
      params.dmrs_res_per_prb > 168 || params.overhead_res_per_prb > 168) {
    throw std::invalid_argument("TBS: more than " + std::to_string(max_tbs_prbs) +
                                " PRBs, Q_m above 10, more than 8 layers or more than 168 DMRS "
                                "or overhead REs per PRB");
  }
  const int re_per_prb = static_cast<int>(subcarriers_per_prb * params.num_symbols) -
                         static_cast<int>(params.dmrs_res_per_prb) -
                         static_cast<int>(params.overhead_res_per_prb);
  if (re_per_prb <= 0) {
    throw std::invalid_argument("TBS: DMRS and overhead leave no resource element per PRB");
  }
  TbsResult result;
  result.num_res = static_cast<std::uint32_t>(std::min(156, re_per_prb)) * params.num_prbs;
  // N_info * rate_scale, exact.
  const std::uint64_t n_info = std::uint64_t{result.num_res} * params.code_rate_x10240 *
                               params.modulation_order * params.num_layers;
  result.n_info = static_cast<double>(n_info) / static_cast<double>(rate_scale);

  if (n_info <= 3824 * rate_scale) {
    const int log2_n_info = n_info < rate_scale ? -1 : floor_log2_scaled(n_info);
    const int n = std::max(3, log2_n_info - 6);
    const std::uint64_t step = std::uint64_t{1} << n;
    const std::uint64_t quantized =
        std::max<std::uint64_t>(24, step * (n_info / (rate_scale * step)));
    result.n_info_quantized = static_cast<std::uint32_t>(quantized);
    result.tbs = *std::lower_bound(tbs_values.begin(), tbs_values.end(), quantized);
    result.from_table = true;
    return result;
  }

  const std::uint64_t excess = n_info - 24 * rate_scale; // (N_info - 24) * rate_scale
  const int n = floor_log2_scaled(excess) - 5;
  const std::uint64_t step = std::uint64_t{1} << n;
  // round((N_info - 24) / 2^n), halves rounded up.
  const std::uint64_t rounded = (2 * excess + rate_scale * step) / (2 * rate_scale * step);
  const std::uint64_t quantized = std::max<std::uint64_t>(3840, step * rounded);
  result.n_info_quantized = static_cast<std::uint32_t>(quantized);
  std::uint64_t num_code_blocks = 1;
  if (std::uint64_t{params.code_rate_x10240} * 4 <= rate_scale) { // R <= 1/4
    num_code_blocks = ceil_div(quantized + 24, 3816);
  } else if (quantized > 8424) {
    num_code_blocks = ceil_div(quantized + 24, 8424);
  }
  result.tbs = static_cast<std::uint32_t>(
      8 * num_code_blocks * ceil_div(quantized + 24, 8 * num_code_blocks) - 24);
  return result;
}

unsigned dmrs_overhead_res_per_prb(unsigned num_dmrs_symbols, DmrsConfigType type,
                                   unsigned num_cdm_groups_no_data) {
  return num_dmrs_symbols * dmrs_res_per_prb(type) * num_cdm_groups_no_data;
}

TbsParams pusch_tbs_params(const CellConfig& cell, const PuschConfig& pusch) {
  TbsParams params;
  params.num_prbs = pusch.prb_size;
  params.num_symbols = pusch.num_symbols;
  params.dmrs_res_per_prb =
      dmrs_overhead_res_per_prb(pusch_dmrs_symbols(cell, pusch).count(), pusch.dmrs_config_type,
                                pusch.num_dmrs_cdm_groups_no_data);
  params.overhead_res_per_prb = pusch.x_overhead;
  params.code_rate_x10240 = pusch.code_rate_x10240();
  params.modulation_order = pusch.modulation_order();
  params.num_layers = pusch.num_layers;
  return params;
}

std::uint32_t compute_pusch_tbs(const CellConfig& cell, const PuschConfig& pusch) {
  return compute_tbs(pusch_tbs_params(cell, pusch)).tbs;
}

} // namespace airan::phy
