/// \file
/// \brief LDPC rate recovery: soft de-interleaving and de-selection with LLR accumulation,
/// mirroring the bit selection and interleaving of ldpc_rate_matcher.cpp.
#include "airan/phy/ldpc_rate_recovery.h"

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
  if (e == 0) {
    return 0;
  }
  float* soft = soft_buffer.data();
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
  // The last bit selected is at compressed index start + E - 1, or the whole buffer was read.
  const std::uint64_t last = std::uint64_t{map.start} + e - 1;
  const unsigned last_compressed =
      last >= map.period ? map.period - 1 : static_cast<unsigned>(last);
  return map.position(last_compressed) + 1;
}

} // namespace airan::phy
