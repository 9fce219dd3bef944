#include "airan/phy/ldpc_rate_matcher.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace airan::phy {

namespace {

/// Checks a rate matching configuration and returns the filler range of d clipped to N_cb.
struct BufferLayout {
  unsigned n_cb;
  unsigned k0;
  unsigned filler_begin;
  unsigned filler_end;
};

BufferLayout buffer_layout(const LdpcRateMatchConfig& config) {
  const auto& code = config.code;
  const unsigned z = code.lifting_size;
  if (!ldpc_lifting_set_index(z)) {
    throw std::invalid_argument("rate matching: " + std::to_string(z) + " is not a lifting size");
  }
  const unsigned n = ldpc_codeword_length(code.base_graph, z);
  const unsigned k = ldpc_systematic_length(code.base_graph, z);
  if (config.n_cb == 0 || config.n_cb > n || code.num_info_bits == 0 || code.num_info_bits > k) {
    throw std::invalid_argument("rate matching: N_cb = " + std::to_string(config.n_cb) +
                                ", K' = " + std::to_string(code.num_info_bits) +
                                " for N = " + std::to_string(n) + ", K = " + std::to_string(k));
  }
  BufferLayout layout{};
  layout.n_cb = config.n_cb;
  layout.k0 = ldpc_rv_start_position(code.base_graph, z, config.n_cb, config.rv);
  layout.filler_begin = std::min(ldpc_filler_begin(code), config.n_cb);
  layout.filler_end = std::min(ldpc_filler_end(code), config.n_cb);
  if (layout.n_cb - (layout.filler_end - layout.filler_begin) == 0) {
    throw std::invalid_argument("rate matching: the circular buffer holds only filler bits");
  }
  return layout;
}

/// Calls copy(position, length) for the runs of d that bit selection reads, in order, until
/// \p e bits are selected: from k0 around the circular buffer of N_cb bits, skipping filler.
template <typename CopyRun>
void for_each_selected_run(const BufferLayout& layout, unsigned e, CopyRun&& copy) {
  unsigned position = layout.k0;
  unsigned selected = 0;
  while (selected < e) {
    if (position >= layout.n_cb) {
      position = 0;
    }
    if (position >= layout.filler_begin && position < layout.filler_end) {
      position = layout.filler_end;
      continue;
    }
    const unsigned run_end = position < layout.filler_begin ? layout.filler_begin : layout.n_cb;
    const unsigned length = std::min(run_end - position, e - selected);
    copy(position, length, selected);
    position += length;
    selected += length;
  }
}

/// f[j Qm + i] = e[i m + j] for j in [begin, m), i < Qm: the plain loop.
template <unsigned Qm>
void interleave_fixed(const bit_t* __restrict e, unsigned m, unsigned begin, bit_t* __restrict f) {
  for (unsigned j = begin; j < m; ++j) {
    for (unsigned i = 0; i < Qm; ++i) {
      f[j * Qm + i] = e[i * m + j];
    }
  }
}

#if defined(__SSE2__)
inline __m128i load16(const bit_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
inline void store16(bit_t* p, __m128i v) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
}

/// Interleaving for Q_m = 2, 4, 8: sixteen columns at a time with byte, 16-bit and 32-bit
/// unpacks (each level doubles the number of rows merged), the rest with the plain loop.
template <unsigned Qm>
void interleave_power_of_two(const bit_t* __restrict e, unsigned m, bit_t* __restrict f) {
  static_assert(Qm == 2 || Qm == 4 || Qm == 8);
  unsigned j = 0;
  for (; j + 16 <= m; j += 16) {
    __m128i level[8];
    for (unsigned i = 0; i < Qm; ++i) {
      level[i] = load16(e + std::size_t{i} * m + j);
    }
    // pairs[2 p], pairs[2 p + 1]: rows 2p and 2p+1 interleaved, columns 0-7 and 8-15.
    __m128i pairs[8];
    for (unsigned i = 0; i < Qm; i += 2) {
      pairs[i] = _mm_unpacklo_epi8(level[i], level[i + 1]);
      pairs[i + 1] = _mm_unpackhi_epi8(level[i], level[i + 1]);
    }
    if constexpr (Qm == 2) {
      store16(f + std::size_t{2} * j, pairs[0]);
      store16(f + std::size_t{2} * j + 16, pairs[1]);
    } else {
      // quads[4 g + t]: rows 4g .. 4g+3 interleaved, columns 4t .. 4t+3.
      __m128i quads[8];
      for (unsigned g = 0; g < Qm / 4; ++g) {
        const __m128i* a = pairs + std::size_t{4} * g;     // rows 4g, 4g+1: columns 0-7, 8-15
        const __m128i* b = a + 2;                          // rows 4g+2, 4g+3
        quads[4 * g + 0] = _mm_unpacklo_epi16(a[0], b[0]); // columns 0-3
        quads[4 * g + 1] = _mm_unpackhi_epi16(a[0], b[0]); // columns 4-7
        quads[4 * g + 2] = _mm_unpacklo_epi16(a[1], b[1]); // columns 8-11
        quads[4 * g + 3] = _mm_unpackhi_epi16(a[1], b[1]); // columns 12-15
      }
      if constexpr (Qm == 4) {
        for (unsigned t = 0; t < 4; ++t) {
          store16(f + std::size_t{4} * j + std::size_t{16} * t, quads[t]);
        }
      } else {
        for (unsigned t = 0; t < 4; ++t) { // columns 4t .. 4t+3, rows 0-3 then 4-7
          store16(f + std::size_t{8} * j + std::size_t{32} * t,
                  _mm_unpacklo_epi32(quads[t], quads[4 + t]));
          store16(f + std::size_t{8} * j + std::size_t{32} * t + 16,
                  _mm_unpackhi_epi32(quads[t], quads[4 + t]));
        }
      }
    }
  }
  interleave_fixed<Qm>(e, m, j, f);
}
#endif

/// Interleaving with a compile-time Q_m.
template <unsigned Qm> void interleave(const bit_t* e, unsigned m, bit_t* f) {
#if defined(__SSE2__)
  if constexpr (Qm == 2 || Qm == 4 || Qm == 8) {
    interleave_power_of_two<Qm>(e, m, f);
    return;
  }
#endif
  interleave_fixed<Qm>(e, m, 0, f);
}

} // namespace

unsigned ldpc_circular_buffer_length(LdpcBaseGraph graph, unsigned lifting_size,
                                     unsigned num_code_blocks, std::uint32_t tbs_lbrm) {
  const unsigned n = ldpc_codeword_length(graph, lifting_size);
  if (tbs_lbrm == 0) {
    return n;
  }
  if (num_code_blocks == 0) {
    throw std::invalid_argument("circular buffer length: C = 0");
  }
  // N_ref = floor(TBS_LBRM / (C * 2/3)) = floor(3 TBS_LBRM / (2 C)).
  const std::uint64_t n_ref = (std::uint64_t{3} * tbs_lbrm) / (std::uint64_t{2} * num_code_blocks);
  return static_cast<unsigned>(std::min<std::uint64_t>(n, n_ref));
}

unsigned ldpc_rv_start_position(LdpcBaseGraph graph, unsigned lifting_size, unsigned n_cb,
                                unsigned rv) {
  // Numerators of Table 5.4.2.1-2 for rv 0..3; the denominator is the number of columns of d.
  static constexpr unsigned bg1_numerator[4] = {0, 17, 33, 56};
  static constexpr unsigned bg2_numerator[4] = {0, 13, 25, 43};
  if (rv > 3) {
    throw std::invalid_argument("redundancy version " + std::to_string(rv) + " outside 0..3");
  }
  const bool bg1 = graph == LdpcBaseGraph::bg1;
  const std::uint64_t numerator = bg1 ? bg1_numerator[rv] : bg2_numerator[rv];
  const std::uint64_t denominator = (bg1 ? 66u : 50u) * std::uint64_t{lifting_size};
  return static_cast<unsigned>((numerator * n_cb) / denominator) * lifting_size;
}

unsigned ldpc_rate_matched_length(unsigned r, unsigned num_code_blocks, std::uint32_t g,
                                  unsigned num_layers, unsigned modulation_order) {
  const std::uint32_t per_symbol = num_layers * modulation_order;
  if (num_code_blocks == 0 || r >= num_code_blocks || per_symbol == 0 || g % per_symbol != 0) {
    throw std::invalid_argument("rate matched length: r = " + std::to_string(r) + ", C = " +
                                std::to_string(num_code_blocks) + ", G = " + std::to_string(g) +
                                " with N_L Q_m = " + std::to_string(per_symbol));
  }
  const std::uint32_t symbols = g / per_symbol;
  const std::uint32_t num_short = num_code_blocks - symbols % num_code_blocks;
  const std::uint32_t short_symbols = symbols / num_code_blocks;
  return per_symbol * (r < num_short ? short_symbols : short_symbols + 1);
}

std::uint32_t ldpc_code_block_offset(unsigned r, unsigned num_code_blocks, std::uint32_t g,
                                     unsigned num_layers, unsigned modulation_order) {
  if (r == 0) {
    return 0;
  }
  const unsigned short_length =
      ldpc_rate_matched_length(0, num_code_blocks, g, num_layers, modulation_order);
  const std::uint32_t per_symbol = num_layers * modulation_order;
  const std::uint32_t num_short = num_code_blocks - (g / per_symbol) % num_code_blocks;
  if (r <= num_short) {
    return r * short_length;
  }
  return num_short * short_length + (r - num_short) * (short_length + per_symbol);
}

unsigned ldpc_rate_match_input_length(const LdpcRateMatchConfig& config, unsigned e) {
  const BufferLayout layout = buffer_layout(config);
  unsigned end = 0;
  for_each_selected_run(layout, e, [&end](unsigned position, unsigned length, unsigned) {
    end = std::max(end, position + length);
  });
  return end;
}

void LdpcRateMatcher::rate_match(std::span<const bit_t> d, const LdpcRateMatchConfig& config,
                                 std::span<bit_t> output) {
  const BufferLayout layout = buffer_layout(config);
  const unsigned e = static_cast<unsigned>(output.size());
  const unsigned q_m = config.modulation_order;
  if (q_m == 0 || e % q_m != 0) {
    throw std::invalid_argument("rate matching: E = " + std::to_string(e) +
                                " is not a multiple of Q_m = " + std::to_string(q_m));
  }
  bit_t* selected = output.data();
  if (q_m > 1) {
    if (selected_.size() < e) {
      selected_.resize(e);
    }
    selected = selected_.data();
  }
  const bit_t* input = d.data();
  const std::size_t available = d.size();
  for_each_selected_run(layout, e, [&](unsigned position, unsigned length, unsigned offset) {
    if (position + length > available) {
      throw std::invalid_argument("rate matching: selection reads d up to " +
                                  std::to_string(position + length) + " but d has " +
                                  std::to_string(available) + " bits");
    }
    std::memcpy(selected + offset, input + position, length);
  });
  if (q_m > 1) {
    ldpc_interleave_bits(std::span<const bit_t>(selected, e), q_m, output);
  }
}

void ldpc_interleave_bits(std::span<const bit_t> e, unsigned modulation_order, std::span<bit_t> f) {
  const std::size_t length = e.size();
  if (modulation_order == 0 || length % modulation_order != 0 || f.size() != length) {
    throw std::invalid_argument("bit interleaving: E = " + std::to_string(length) + ", output " +
                                std::to_string(f.size()) +
                                ", Q_m = " + std::to_string(modulation_order));
  }
  const unsigned rows = modulation_order;
  const unsigned bits_per_row = static_cast<unsigned>(length / rows);
  switch (rows) {
  case 1:
    std::memcpy(f.data(), e.data(), length);
    return;
  case 2:
    return interleave<2>(e.data(), bits_per_row, f.data());
  case 4:
    return interleave<4>(e.data(), bits_per_row, f.data());
  case 6:
    return interleave<6>(e.data(), bits_per_row, f.data());
  case 8:
    return interleave<8>(e.data(), bits_per_row, f.data());
  case 10:
    return interleave<10>(e.data(), bits_per_row, f.data());
  default:
    for (unsigned j = 0; j < bits_per_row; ++j) {
      for (unsigned i = 0; i < rows; ++i) {
        f[std::size_t{j} * rows + i] = e[std::size_t{i} * bits_per_row + j];
      }
    }
  }
}

} // namespace airan::phy
