/// \file
/// \brief LDPC rate recovery: soft de-interleaving and de-selection with LLR accumulation,
/// mirroring the bit selection and interleaving of ldpc_rate_matcher.cpp. The scalar paths here
/// are the reference; where the CPU has AVX2 or AVX-512, recover_windows() drives the kernels of
/// ldpc_rate_recovery_simd.cpp, bit for bit the same.
#include "airan/phy/ldpc_rate_recovery.h"

#include "ldpc_rate_recovery_simd.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace airan::phy {

namespace {

using SelectionMap = LdpcSelectionMap;

SelectionMap make_selection_map_checked(const LdpcRateMatchConfig& config) {
  const auto& code = config.code;
  const unsigned z = code.lifting_size;
  if (!ldpc_lifting_set_index(z)) {
    throw std::invalid_argument("rate recovery: " + std::to_string(z) + " is not a lifting size");
  }
  const unsigned n = ldpc_codeword_length(code.base_graph, z);
  const unsigned k = ldpc_systematic_length(code.base_graph, z);
  if (config.n_cb == 0 || config.n_cb > n || code.num_info_bits == 0 || code.num_info_bits > k) {
    throw std::invalid_argument("rate recovery: N_cb = " + std::to_string(config.n_cb) +
                                ", K' = " + std::to_string(code.num_info_bits) +
                                " for N = " + std::to_string(n) + ", K = " + std::to_string(k));
  }
  SelectionMap map;
  map.n_cb = config.n_cb;
  map.filler_begin = std::min(ldpc_filler_begin(code), config.n_cb);
  const unsigned filler_end = std::min(ldpc_filler_end(code), config.n_cb);
  map.filler_count = filler_end - map.filler_begin;
  map.period = config.n_cb - map.filler_count;
  if (map.period == 0) {
    throw std::invalid_argument("rate recovery: the circular buffer holds only filler bits");
  }
  // A k0 inside the filler starts at the first bit after it, as bit selection skips the filler.
  const unsigned k0 = ldpc_rv_start_position(code.base_graph, z, config.n_cb, config.rv);
  const unsigned start = k0 < map.filler_begin ? k0
                         : k0 < filler_end     ? map.filler_begin
                                               : k0 - map.filler_count;
  map.start = start % map.period;
  return map;
}

/// soft[i] += llrs[i] for \p count values (a plain loop the compiler vectorises).
inline void add_llrs(const float* __restrict llrs, unsigned count, float* __restrict soft) {
  for (unsigned i = 0; i < count; ++i) {
    soft[i] += llrs[i];
  }
}

/// Adds the soft values of the selected bits k_begin .. k_begin + count - 1 (in selection order,
/// i.e. de-interleaved) from \p llrs to their positions in \p soft_buffer.
void accumulate_selected(const SelectionMap& map, const float* llrs, std::uint64_t k_begin,
                         unsigned count, float* soft_buffer) {
  auto u = static_cast<unsigned>((map.start + k_begin) % map.period);
  while (count > 0) {
    const unsigned segment_end = u < map.filler_begin ? map.filler_begin : map.period;
    const unsigned length = std::min(count, segment_end - u);
    add_llrs(llrs, length, soft_buffer + map.position(u));
    llrs += length;
    count -= length;
    u += length;
    if (u == map.period) {
      u = 0;
    }
  }
}

/// Columns of the interleaver matrix handled per tile (Q_m rows of this many values on the
/// stack).
constexpr unsigned tile_columns = 128;

/// De-interleaves and accumulates with a compile-time Q_m when no position receives two values
/// (E <= period): tiles of the Q_m x E/Q_m matrix whose columns are consecutive in f are
/// transposed on the stack, then each row segment (consecutive selected bits) is added to the
/// circular buffer.
template <unsigned Qm>
void recover_tiled(const SelectionMap& map, const float* f, unsigned e, float* soft) {
  const unsigned columns = e / Qm;
  std::array<float, std::size_t{Qm} * tile_columns> tile;
  for (unsigned j0 = 0; j0 < columns; j0 += tile_columns) {
    const unsigned width = std::min(tile_columns, columns - j0);
    const float* source = f + std::size_t{j0} * Qm;
    for (unsigned t = 0; t < width; ++t) {
      for (unsigned i = 0; i < Qm; ++i) {
        tile[i * tile_columns + t] = source[t * Qm + i];
      }
    }
    for (unsigned i = 0; i < Qm; ++i) {
      accumulate_selected(map, tile.data() + i * tile_columns, std::uint64_t{i} * columns + j0,
                          width, soft);
    }
  }
}

/// De-interleaves and accumulates row by row of the interleaver matrix: each row segment is
/// gathered from \p f with stride Q_m and added to the circular buffer, so the selected bits are
/// added in increasing k and a position that receives several values (repetition, E > period)
/// sums them in the order of ldpc_rate_recovery_gather(), bit for bit. (The tiled order would
/// add them in another order.)
void recover_row_by_row(const SelectionMap& map, const float* f, unsigned e, unsigned q_m,
                        float* soft) {
  const unsigned columns = e / q_m;
  std::array<float, tile_columns> row;
  for (unsigned i = 0; i < q_m; ++i) {
    for (unsigned j0 = 0; j0 < columns; j0 += tile_columns) {
      const unsigned width = std::min(tile_columns, columns - j0);
      const float* source = f + std::size_t{j0} * q_m + i;
      for (unsigned t = 0; t < width; ++t) {
        row[t] = source[std::size_t{t} * q_m];
      }
      accumulate_selected(map, row.data(), std::uint64_t{i} * columns + j0, width, soft);
    }
  }
}

/// De-interleaves and accumulates with a SIMD \p kernel, for any E: the selected bits are taken
/// in windows of consecutive k that reach each compressed index at most once (from the start to
/// the end of the period, then whole periods), in increasing k, so a position that receives
/// several values sums them in increasing k as recover_row_by_row() does. Inside a window the
/// columns of the Q_m x E/Q_m interleaver matrix are cut where a row enters or leaves the window
/// or crosses the filler; in each piece every row maps to consecutive positions. \p assign_first:
/// the first window writes 0 + value (its positions have received nothing yet) instead of
/// adding.
void recover_windows(const SelectionMap& map, const float* f, unsigned e, unsigned q_m, float* soft,
                     detail::RateRecoveryKernel kernel, bool assign_first) {
  const unsigned columns = e / q_m;
  detail::RateRecoveryBlock block;
  block.f = f;
  block.soft = soft;
  block.q_m = q_m;
  block.columns = columns;
  block.assign = assign_first;
  const auto clip = [columns](std::int64_t column) {
    return std::clamp<std::int64_t>(column, 0, columns);
  };
  std::int64_t begin = 0;           // first k of the window
  std::int64_t begin_u = map.start; // its compressed index
  while (begin < e) {
    const std::int64_t end = std::min<std::int64_t>(e, begin + (map.period - begin_u));
    // The k where the window reaches the filler (compressed index filler_begin), if it does.
    const bool crosses_filler = map.filler_count > 0 && map.filler_begin > begin_u &&
                                map.filler_begin < begin_u + (end - begin);
    const std::int64_t filler_k = begin + (map.filler_begin - begin_u);
    std::array<std::int64_t, 3 * detail::RateRecoveryBlock::max_rows + 2> cuts{};
    unsigned num_cuts = 0;
    cuts[num_cuts++] = 0;
    cuts[num_cuts++] = columns;
    for (unsigned i = 0; i < q_m; ++i) {
      const std::int64_t row_k = std::int64_t{i} * columns;
      cuts[num_cuts++] = clip(begin - row_k);
      cuts[num_cuts++] = clip(end - row_k);
      if (crosses_filler) {
        cuts[num_cuts++] = clip(filler_k - row_k);
      }
    }
    std::sort(cuts.begin(), cuts.begin() + num_cuts);
    for (unsigned c = 0; c + 1 < num_cuts; ++c) {
      if (cuts[c] == cuts[c + 1]) {
        continue;
      }
      block.j_begin = static_cast<unsigned>(cuts[c]);
      block.j_end = static_cast<unsigned>(cuts[c + 1]);
      block.active = 0;
      for (unsigned i = 0; i < q_m; ++i) {
        const std::int64_t k = std::int64_t{i} * columns + block.j_begin;
        if (k >= begin && k < end) {
          const auto u = static_cast<unsigned>(begin_u + (k - begin));
          block.row_offset[i] = std::ptrdiff_t{map.position(u)} - block.j_begin;
          block.active |= 1U << i;
        }
      }
      if (block.active != 0) {
        kernel(block);
      }
    }
    begin = end;
    begin_u = 0;
    block.assign = false;
  }
}

template <unsigned Qm>
void deinterleave_fixed(const float* __restrict f, unsigned columns, float* __restrict e) {
  for (unsigned j = 0; j < columns; ++j) {
    for (unsigned i = 0; i < Qm; ++i) {
      e[std::size_t{i} * columns + j] = f[std::size_t{j} * Qm + i];
    }
  }
}

} // namespace

LdpcSelectionMap ldpc_selection_map(const LdpcRateMatchConfig& config) {
  return make_selection_map_checked(config);
}

void ldpc_deinterleave_llrs(std::span<const float> f, unsigned modulation_order,
                            std::span<float> e) {
  const std::size_t length = f.size();
  if (modulation_order == 0 || length % modulation_order != 0 || e.size() != length) {
    throw std::invalid_argument("bit de-interleaving: E = " + std::to_string(length) + ", output " +
                                std::to_string(e.size()) +
                                ", Q_m = " + std::to_string(modulation_order));
  }
  const auto columns = static_cast<unsigned>(length / modulation_order);
  switch (modulation_order) {
  case 1:
    std::copy(f.begin(), f.end(), e.begin());
    return;
  case 2:
    return deinterleave_fixed<2>(f.data(), columns, e.data());
  case 4:
    return deinterleave_fixed<4>(f.data(), columns, e.data());
  case 6:
    return deinterleave_fixed<6>(f.data(), columns, e.data());
  case 8:
    return deinterleave_fixed<8>(f.data(), columns, e.data());
  case 10:
    return deinterleave_fixed<10>(f.data(), columns, e.data());
  default:
    for (unsigned j = 0; j < columns; ++j) {
      for (unsigned i = 0; i < modulation_order; ++i) {
        e[std::size_t{i} * columns + j] = f[std::size_t{j} * modulation_order + i];
      }
    }
  }
}

unsigned ldpc_rate_recover(std::span<const float> llrs, const LdpcRateMatchConfig& config,
                           std::span<float> soft_buffer) {
  return detail::ldpc_rate_recover(llrs, config, soft_buffer, detail::llr_simd_best());
}

namespace {

/// Rate recovery with the implementation \p level; \p cleared: as if the received part of the
/// buffer were set to zero first (see detail::ldpc_rate_recover_cleared()).
unsigned recover(std::span<const float> llrs, const LdpcRateMatchConfig& config,
                 std::span<float> soft_buffer, detail::LlrSimd level, bool cleared) {
  using detail::LlrSimd;
  const SelectionMap map = make_selection_map_checked(config);
  const auto e = static_cast<unsigned>(llrs.size());
  const unsigned q_m = config.modulation_order;
  if (q_m == 0 || q_m > 10 || e % q_m != 0) {
    throw std::invalid_argument("rate recovery: E = " + std::to_string(e) +
                                " with Q_m = " + std::to_string(q_m));
  }
  if (soft_buffer.size() < map.n_cb) {
    throw std::invalid_argument("rate recovery: soft buffer of " +
                                std::to_string(soft_buffer.size()) +
                                " values for N_cb = " + std::to_string(map.n_cb));
  }
  if (level != LlrSimd::scalar && level != detail::llr_simd_best() &&
      !detail::llr_simd_supported(level)) {
    throw std::invalid_argument("rate recovery: this CPU cannot run the requested SIMD path");
  }
  if (e == 0) {
    return 0;
  }
  // The last bit selected is at compressed index start + E - 1, or the whole buffer was read.
  const std::uint64_t last = std::uint64_t{map.start} + e - 1;
  const unsigned last_compressed =
      last >= map.period ? map.period - 1 : static_cast<unsigned>(last);
  const unsigned received = map.position(last_compressed) + 1;
  float* soft = soft_buffer.data();
  const detail::RateRecoveryKernel kernel =
      level == LlrSimd::avx512 ? detail::rate_recovery_kernel_avx512(q_m)
      : level == LlrSimd::avx2 ? detail::rate_recovery_kernel_avx2(q_m)
                               : nullptr;
  if (kernel != nullptr) {
    if (cleared) {
      // The first window (from the start) writes 0 + value at its positions; what it does not
      // reach is cleared here: the positions before the start (the second window, if any, adds
      // to them) and the filler.
      std::fill_n(soft, map.position(map.start), 0.0F);
      const unsigned filler_end = std::min(map.filler_begin + map.filler_count, received);
      if (map.filler_begin < filler_end) {
        std::fill(soft + map.filler_begin, soft + filler_end, 0.0F);
      }
    }
    recover_windows(map, llrs.data(), e, q_m, soft, kernel, cleared);
    return received;
  }
  if (cleared) {
    std::fill_n(soft, received, 0.0F);
  }
  if (q_m == 1) {
    accumulate_selected(map, llrs.data(), 0, e, soft);
  } else if (e > map.period) {
    recover_row_by_row(map, llrs.data(), e, q_m, soft);
  } else {
    switch (q_m) {
    case 2:
      recover_tiled<2>(map, llrs.data(), e, soft);
      break;
    case 4:
      recover_tiled<4>(map, llrs.data(), e, soft);
      break;
    case 6:
      recover_tiled<6>(map, llrs.data(), e, soft);
      break;
    case 8:
      recover_tiled<8>(map, llrs.data(), e, soft);
      break;
    default: // Q_m 3, 5, 7, 9, 10
      recover_row_by_row(map, llrs.data(), e, q_m, soft);
      break;
    }
  }
  return received;
}

} // namespace

unsigned detail::ldpc_rate_recover(std::span<const float> llrs, const LdpcRateMatchConfig& config,
                                   std::span<float> soft_buffer, LlrSimd level) {
  return recover(llrs, config, soft_buffer, level, false);
}

unsigned detail::ldpc_rate_recover_cleared(std::span<const float> llrs,
                                           const LdpcRateMatchConfig& config,
                                           std::span<float> soft_buffer, LlrSimd level) {
  return recover(llrs, config, soft_buffer, level, true);
}

} // namespace airan::phy
