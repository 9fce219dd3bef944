/// \file
/// \brief Block-wise LDPC encoder (TS 38.212 5.3.2).
///
/// Bits are kept one per byte and processed a Z-bit block at a time. Multiplying a block by the
/// lifted entry of shift P (identity cyclically shifted right by P) reads the block rotated left
/// by P; every block that is read rotated is stored twice in a row, so that the rotation is one
/// contiguous read and each edge of the base graph becomes a single vectorisable XOR loop.
///
/// Parity: the four core parity blocks (columns kb .. kb+3) follow from rows 0..3. In the sum of
/// those rows the double-diagonal columns kb+1..kb+3 cancel and column kb keeps only its odd
/// shift b, so p_0 = P_b^-1 (lambda_0 + .. + lambda_3); rows 0, 1, 2 then give p_1, p_2, p_3 one
/// after another. Each extension row r >= 4 has a single identity entry in its own parity column
/// and yields that block directly.
#include "airan/phy/ldpc_encoder.h"

#include "airan/phy/cpu_features.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {

namespace {

constexpr unsigned max_lifting_size = 384;
/// Upper bound of the number of nonzero blocks in one row (BG1 has at most 19+, BG2 14).

/// acc ^= src over z bytes.
inline void xor_block(bit_t* __restrict acc, const bit_t* __restrict src, unsigned z) {
  for (unsigned i = 0; i < z; ++i) {
    acc[i] ^= src[i];
  }
}

// The vector helpers are always inlined, so no 32-byte vector crosses a call boundary and the
// note about the ABI of AVX vectors in functions without AVX does not apply.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

/// Byte vectors of 16 (SSE2, NEON) and 32 (AVX2) bytes.
using Bytes16 = std::uint8_t __attribute__((vector_size(16)));
using Bytes32 = std::uint8_t __attribute__((vector_size(32)));

/// Unaligned load and store; memcpy compiles to one vector move.
template <typename Vector>
inline __attribute__((always_inline)) Vector load_vector(const bit_t* p) {
  Vector v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <typename Vector>
inline __attribute__((always_inline)) void store_vector(bit_t* p, const Vector& v) {
  std::memcpy(p, &v, sizeof(v));
}

/// out[0..z) = XOR of sources[e][0..z) over the \p num_sources sources (at least one), with
/// vectors of type \p Vector. Each chunk of four vectors stays in registers while every source
/// is added to it. Inlined into its caller, whose target attributes choose the instructions.
template <typename Vector>
inline __attribute__((always_inline)) void
xor_sum_vectors(const bit_t* const* sources, unsigned num_sources, unsigned z, bit_t* out) {
  constexpr std::size_t vector_bytes = sizeof(Vector);
  constexpr std::size_t chunk = 4 * vector_bytes;
  std::size_t offset = 0;
  for (; offset + chunk <= z; offset += chunk) {
    const bit_t* first = sources[0] + offset;
    Vector v0 = load_vector<Vector>(first);
    Vector v1 = load_vector<Vector>(first + vector_bytes);
    Vector v2 = load_vector<Vector>(first + 2 * vector_bytes);
    Vector v3 = load_vector<Vector>(first + 3 * vector_bytes);
    for (unsigned e = 1; e < num_sources; ++e) {
      const bit_t* source = sources[e] + offset;
      v0 ^= load_vector<Vector>(source);
      v1 ^= load_vector<Vector>(source + vector_bytes);
      v2 ^= load_vector<Vector>(source + 2 * vector_bytes);
      v3 ^= load_vector<Vector>(source + 3 * vector_bytes);
    }
    store_vector(out + offset, v0);
    store_vector(out + offset + vector_bytes, v1);
    store_vector(out + offset + 2 * vector_bytes, v2);
    store_vector(out + offset + 3 * vector_bytes, v3);
  }
  for (; offset + vector_bytes <= z; offset += vector_bytes) {
    Vector v = load_vector<Vector>(sources[0] + offset);
    for (unsigned e = 1; e < num_sources; ++e) {
      v ^= load_vector<Vector>(sources[e] + offset);
    }
    store_vector(out + offset, v);
  }
  for (; offset + 8 <= z; offset += 8) {
    auto word = load_vector<std::uint64_t>(sources[0] + offset);
    for (unsigned e = 1; e < num_sources; ++e) {
      word ^= load_vector<std::uint64_t>(sources[e] + offset);
    }
    store_vector(out + offset, word);
  }
  for (; offset < z; ++offset) {
    bit_t sum = sources[0][offset];
    for (unsigned e = 1; e < num_sources; ++e) {
      sum ^= sources[e][offset];
    }
    out[offset] = sum;
  }
}

using XorSumFunction = void (*)(const bit_t* const*, unsigned, unsigned, bit_t*);

/// 16-byte vectors: SSE2 on x86-64, NEON on AArch64 (32 bytes when the build enables AVX2).
void xor_sum_baseline(const bit_t* const* sources, unsigned num_sources, unsigned z, bit_t* out) {
#if defined(__AVX2__)
  xor_sum_vectors<Bytes32>(sources, num_sources, z, out);
#else
  xor_sum_vectors<Bytes16>(sources, num_sources, z, out);
#endif
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__AVX2__)
#define AIRAN_LDPC_AVX2_DISPATCH 1
/// 32-byte vectors, for CPUs with AVX2 in a build that does not assume it.
__attribute__((target("avx2"))) void xor_sum_avx2(const bit_t* const* sources, unsigned num_sources,
                                                  unsigned z, bit_t* out) {
  xor_sum_vectors<Bytes32>(sources, num_sources, z, out);
}
#endif

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// The widest kernel this CPU runs.
XorSumFunction select_xor_sum() {
#if defined(AIRAN_LDPC_AVX2_DISPATCH)
  if (cpu_features().avx2) {
    return xor_sum_avx2;
  }
#endif
  return xor_sum_baseline;
}

/// Checks the structure the encoder relies on; a table error is a programming error.
void check_graph_structure(LdpcBaseGraph graph, const LdpcGraphRows& rows) {
  const unsigned kb = ldpc_num_systematic_columns(graph);
  auto fail = [](const std::string& what) {
    throw std::logic_error("LDPC base graph table: " + what);
  };
  std::array<unsigned, ldpc_num_core_rows> core_column_count{};
  for (unsigned r = 0; r < ldpc_num_rows(graph); ++r) {
    if (rows.row(r).size() > ldpc_max_row_degree) {
      fail("row " + std::to_string(r) + " has more than " + std::to_string(ldpc_max_row_degree) +
           " entries");
    }
    for (const auto& entry : rows.row(r)) {
      const unsigned col = entry.column;
      // Double-diagonal core entries and extension parity entries are identities.
      const bool is_identity =
          (r < ldpc_num_core_rows && col > kb && col < kb + ldpc_num_core_rows) ||
          (r >= ldpc_num_core_rows && col == kb + r);
      if (is_identity &&
          std::any_of(entry.shift.begin(), entry.shift.end(), [](auto v) { return v != 0; })) {
        fail("row " + std::to_string(r) + ": identity entry with a nonzero shift");
      }
      if (r < ldpc_num_core_rows && col > kb + r + 1) {
        fail("core row " + std::to_string(r) + " reaches beyond its parity column");
      }
      if (r >= ldpc_num_core_rows && col >= kb + ldpc_num_core_rows && col != kb + r) {
        fail("extension row " + std::to_string(r) + " uses another extension column");
      }
      if (r < ldpc_num_core_rows && col >= kb) {
        ++core_column_count[col - kb];
      }
    }
  }
  if (core_column_count != std::array<unsigned, ldpc_num_core_rows>{3, 2, 2, 2}) {
    fail("core parity columns are not 3 + double diagonal");
  }
}

class LdpcEncoderImpl final : public LdpcEncoder {
public:
  LdpcEncoderImpl() {
    for (auto graph : {LdpcBaseGraph::bg1, LdpcBaseGraph::bg2}) {
      LdpcGraphRows& rows = graph_rows_[graph == LdpcBaseGraph::bg1 ? 0 : 1];
      rows = ldpc_graph_rows(graph);
      check_graph_structure(graph, rows);
    }
    // Systematic and core parity blocks of the largest graph, each stored twice.
    const unsigned max_blocks =
        ldpc_num_systematic_columns(LdpcBaseGraph::bg1) + ldpc_num_core_rows;
    doubled_blocks_.assign(static_cast<std::size_t>(max_blocks) * 2 * max_lifting_size, 0);
    core_sums_.assign(static_cast<std::size_t>(ldpc_num_core_rows + 1) * max_lifting_size, 0);
    const std::size_t max_entries = graph_rows_[0].entries.size();
    shifts_.reserve(max_entries);
    sources_.reserve(max_entries);
    row_num_sources_.reserve(ldpc_num_rows(LdpcBaseGraph::bg1));
  }

  void encode(std::span<const bit_t> message, const LdpcEncoderConfig& config,
              std::span<bit_t> codeword) override;

private:
  /// Start of the doubled copy of base-graph column \p col.
  bit_t* doubled(unsigned col) { return doubled_blocks_.data() + std::size_t{col} * 2 * z_; }

  /// Stores block \p col from \p src (z bytes) twice.
  void store_doubled(unsigned col, const bit_t* src) {
    bit_t* dst = doubled(col);
    std::memcpy(dst, src, z_);
    std::memcpy(dst + z_, src, z_);
  }

  /// Makes \p graph and \p z current: shifts V mod Z of every entry, recomputed only when the
  /// code changes.
  void select_code(LdpcBaseGraph graph, unsigned z, unsigned set_index);

  /// acc (Z bits) = sum of the rotated blocks of \p row: systematic columns for a core row,
  /// systematic and core parity columns for an extension row.
  void accumulate_row(unsigned row, bit_t* acc);

  /// Core parity blocks p_0 .. p_3 (columns kb .. kb+3), stored doubled.
  void encode_core_parity(unsigned kb);

  std::array<LdpcGraphRows, 2> graph_rows_;
  std::vector<bit_t> doubled_blocks_;
  std::vector<bit_t> core_sums_;      ///< lambda_0 .. lambda_3, then one scratch block.
  std::vector<std::uint16_t> shifts_; ///< V mod Z of each entry of the current graph.
  /// Per entry of the current graph (same order): its rotated block, read by accumulate_row.
  std::vector<const bit_t*> sources_;
  std::vector<unsigned> row_num_sources_; ///< Leading entries of each row that accumulate_row sums.
  unsigned graph_index_ = 0;
  unsigned z_ = 0;
  XorSumFunction xor_sum_ = select_xor_sum();
};

void LdpcEncoderImpl::accumulate_row(unsigned row, bit_t* acc) {
  const unsigned begin = graph_rows_[graph_index_].row_begin[row];
  const unsigned num_sources = row_num_sources_[row];
  if (num_sources == 0) {
    std::memset(acc, 0, z_);
    return;
  }
  xor_sum_(sources_.data() + begin, num_sources, z_, acc);
}

void LdpcEncoderImpl::select_code(LdpcBaseGraph graph, unsigned z, unsigned set_index) {
  const unsigned index = graph == LdpcBaseGraph::bg1 ? 0 : 1;
  if (index == graph_index_ && z == z_ && !shifts_.empty()) {
    return;
  }
  graph_index_ = index;
  z_ = z;
  const LdpcGraphRows& rows = graph_rows_[index];
  const unsigned kb = ldpc_num_systematic_columns(graph);
  shifts_.resize(rows.entries.size());
  sources_.resize(rows.entries.size());
  row_num_sources_.resize(ldpc_num_rows(graph));
  for (unsigned r = 0; r < ldpc_num_rows(graph); ++r) {
    // Core rows sum the systematic blocks; extension rows the systematic and core blocks.
    const unsigned column_end = r < ldpc_num_core_rows ? kb : kb + ldpc_num_core_rows;
    row_num_sources_[r] = 0;
    for (unsigned i = rows.row_begin[r]; i < rows.row_begin[r + 1]; ++i) {
      const unsigned column = rows.entries[i].column;
      shifts_[i] = static_cast<std::uint16_t>(rows.entries[i].shift[set_index] % z);
      sources_[i] = column < column_end ? doubled(column) + shifts_[i] : nullptr;
      row_num_sources_[r] += column < column_end ? 1 : 0;
    }
  }
}

void LdpcEncoderImpl::encode_core_parity(unsigned kb) {
  const LdpcGraphRows& rows = graph_rows_[graph_index_];
  bit_t* lambda = core_sums_.data();
  bit_t* sum = core_sums_.data() + std::size_t{ldpc_num_core_rows} * z_;
  std::array<unsigned, 3> first_column_shifts{};
  unsigned num_first_column = 0;
  std::memset(sum, 0, z_);
  for (unsigned r = 0; r < ldpc_num_core_rows; ++r) {
    accumulate_row(r, lambda + std::size_t{r} * z_);
    xor_block(sum, lambda + std::size_t{r} * z_, z_);
    for (unsigned i = rows.row_begin[r]; i < rows.row_begin[r + 1]; ++i) {
      if (rows.entries[i].column == kb) {
        first_column_shifts[num_first_column++] = shifts_[i];
      }
    }
  }
  // Two of the three shifts of column kb are equal and cancel in the sum of the core rows.
  const auto [s0, s1, s2] = first_column_shifts;
  const unsigned odd_shift = s0 == s1 ? s2 : (s0 == s2 ? s1 : s0);
  // P_b p_0 = sum  <=>  p_0[j] = sum[(j - b) mod Z]: a rotation by Z - b.
  const unsigned inverse = (z_ - odd_shift) % z_;
  bit_t* p0 = doubled(kb);
  std::memcpy(p0, sum + inverse, z_ - inverse);
  std::memcpy(p0 + (z_ - inverse), sum, inverse);
  std::memcpy(p0 + z_, p0, z_);
  // Row t (t = 0, 1, 2): p_{t+1} = lambda_t + the known core blocks of that row.
  bit_t* next = sum; // the sum is no longer needed
  for (unsigned t = 0; t + 1 < ldpc_num_core_rows; ++t) {
    std::memcpy(next, lambda + std::size_t{t} * z_, z_);
    for (unsigned i = rows.row_begin[t]; i < rows.row_begin[t + 1]; ++i) {
      const unsigned column = rows.entries[i].column;
      if (column >= kb && column <= kb + t) {
        xor_block(next, doubled(column) + shifts_[i], z_);
      }
    }
    store_doubled(kb + t + 1, next);
  }
}

void LdpcEncoderImpl::encode(std::span<const bit_t> message, const LdpcEncoderConfig& config,
                             std::span<bit_t> codeword) {
  const auto set_index = ldpc_lifting_set_index(config.lifting_size);
  if (!set_index) {
    throw std::invalid_argument("LDPC: " + std::to_string(config.lifting_size) +
                                " is not a lifting size");
  }
  const LdpcBaseGraph graph = config.base_graph;
  const unsigned z = config.lifting_size;
  const unsigned kb = ldpc_num_systematic_columns(graph);
  const unsigned k = kb * z;
  const unsigned n = ldpc_codeword_length(graph, z);
  const unsigned k_prime = config.num_info_bits;
  if (k_prime == 0 || k_prime > k) {
    throw std::invalid_argument("LDPC: K' = " + std::to_string(k_prime) + " outside 1.." +
                                std::to_string(k));
  }
  if (message.size() != k_prime || codeword.size() > n) {
    throw std::invalid_argument("LDPC: message of " + std::to_string(message.size()) +
                                " bits (expected " + std::to_string(k_prime) + "), output of " +
                                std::to_string(codeword.size()) + " bits (at most " +
                                std::to_string(n) + ")");
  }
  select_code(graph, z, *set_index);
  const unsigned out_length = static_cast<unsigned>(codeword.size());

  // Systematic part of d: c_{2Z} .. c_{K-1}, filler bits marked.
  const unsigned filler_begin = ldpc_filler_begin(config);
  const unsigned filler_end = ldpc_filler_end(config);
  const unsigned copied = std::min(filler_begin, out_length);
  if (copied > 0) {
    std::memcpy(codeword.data(), message.data() + std::size_t{2} * z, copied);
  }
  if (out_length > filler_begin) {
    std::memset(codeword.data() + filler_begin, ldpc_filler_bit,
                std::min(filler_end, out_length) - filler_begin);
  }
  if (out_length <= filler_end) {
    return;
  }

  // Systematic blocks, filler bits as zeros, each stored twice.
  for (unsigned col = 0; col < kb; ++col) {
    const unsigned begin = col * z;
    const unsigned present = begin < k_prime ? std::min(z, k_prime - begin) : 0;
    bit_t* dst = doubled(col);
    if (present > 0) {
      std::memcpy(dst, message.data() + begin, present);
    }
    std::memset(dst + present, 0, z - present);
    std::memcpy(dst + z, dst, z);
  }

  encode_core_parity(kb);
  for (unsigned t = 0; t < ldpc_num_core_rows; ++t) {
    const unsigned position = (kb + t - 2) * z;
    if (position >= out_length) {
      return;
    }
    std::memcpy(codeword.data() + position, doubled(kb + t), std::min(z, out_length - position));
  }

  // Extension rows: parity block of column kb + r from the systematic and core blocks.
  bit_t* scratch = core_sums_.data() + std::size_t{ldpc_num_core_rows} * z;
  for (unsigned r = ldpc_num_core_rows; r < ldpc_num_rows(graph); ++r) {
    const unsigned position = (kb + r - 2) * z;
    if (position >= out_length) {
      return;
    }
    const unsigned length = std::min(z, out_length - position);
    bit_t* acc = length == z ? codeword.data() + position : scratch;
    accumulate_row(r, acc);
    if (acc == scratch) {
      std::memcpy(codeword.data() + position, scratch, length);
    }
  }
}

} // namespace

std::unique_ptr<LdpcEncoder> create_ldpc_encoder() {
  return std::make_unique<LdpcEncoderImpl>();
}

} // namespace airan::phy
