/// \file
/// \brief LDPC base graphs BG1 and BG2 (TS 38.212 Tables 5.3.2-2 and 5.3.2-3) and the lifting
/// sizes Z with their set index i_LS (Table 5.3.2-1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace airan::phy {

/// The two LDPC base graphs of TS 38.212 5.3.2.
enum class LdpcBaseGraph { bg1, bg2 };

/// Rows of the base graph's parity-check matrix (46 or 42).
constexpr unsigned ldpc_num_rows(LdpcBaseGraph graph) {
  return graph == LdpcBaseGraph::bg1 ? 46 : 42;
}

/// Core rows of either base graph: the first 4, whose parity columns form the double diagonal;
/// every further row is an extension row with one parity column of its own.
inline constexpr unsigned ldpc_num_core_rows = 4;

/// Columns of the base graph (68 or 52), i.e. Z-bit blocks of the unpunctured codeword.
constexpr unsigned ldpc_num_columns(LdpcBaseGraph graph) {
  return graph == LdpcBaseGraph::bg1 ? 68 : 52;
}

/// Systematic columns (22 or 10): K = that many times Z.
constexpr unsigned ldpc_num_systematic_columns(LdpcBaseGraph graph) {
  return graph == LdpcBaseGraph::bg1 ? 22 : 10;
}

/// Largest code block K_cb (8448 or 3840) of TS 38.212 5.2.2.
constexpr unsigned ldpc_max_code_block_size(LdpcBaseGraph graph) {
  return graph == LdpcBaseGraph::bg1 ? 8448 : 3840;
}

/// Encoder output length N = 66 Z (BG1) or 50 Z (BG2): the codeword without its first 2Z bits.
constexpr unsigned ldpc_codeword_length(LdpcBaseGraph graph, unsigned lifting_size) {
  return (ldpc_num_columns(graph) - 2) * lifting_size;
}

/// K = 22 Z (BG1) or 10 Z (BG2): systematic bits including filler bits.
constexpr unsigned ldpc_systematic_length(LdpcBaseGraph graph, unsigned lifting_size) {
  return ldpc_num_systematic_columns(graph) * lifting_size;
}

/// Number of lifting-size sets (i_LS = 0..7).
inline constexpr unsigned ldpc_num_lifting_sets = 8;

/// One nonzero block of a base graph: the shift V_ij for every set index i_LS. The lifted block
/// for lifting size Z is the Z x Z identity cyclically shifted right by V_ij mod Z.
struct LdpcBaseGraphEntry {
  std::uint8_t row;
  std::uint8_t column;
  std::array<std::uint16_t, ldpc_num_lifting_sets> shift;
};

/// Every nonzero block of \p graph, sorted by row, then column (316 for BG1, 197 for BG2).
std::span<const LdpcBaseGraphEntry> ldpc_base_graph_entries(LdpcBaseGraph graph);

/// Entries a row of either base graph has at most, with room to spare (BG1's densest has 19):
/// what the decoders and the encoder size their per-row arrays for.
inline constexpr unsigned ldpc_max_row_degree = 32;

/// A base graph's entries indexed by row: row r's are entries[row_begin[r] .. row_begin[r + 1]).
struct LdpcGraphRows {
  std::span<const LdpcBaseGraphEntry> entries;
  std::array<unsigned, 47> row_begin{}; ///< 46 rows at most, and the end

  /// The entries of row \p r.
  [[nodiscard]] std::span<const LdpcBaseGraphEntry> row(unsigned r) const {
    return entries.subspan(row_begin[r], row_begin[r + 1] - row_begin[r]);
  }
};

/// \p graph's entries indexed by row.
inline LdpcGraphRows ldpc_graph_rows(LdpcBaseGraph graph) {
  LdpcGraphRows rows;
  rows.entries = ldpc_base_graph_entries(graph);
  for (const auto& entry : rows.entries) {
    ++rows.row_begin[entry.row + 1U];
  }
  for (unsigned r = 0; r < ldpc_num_rows(graph); ++r) {
    rows.row_begin[r + 1] += rows.row_begin[r];
  }
  return rows;
}

/// A lifting size Z and the index i_LS of the set that contains it.
struct LdpcLiftingSize {
  std::uint16_t z;
  std::uint8_t set_index;
};

/// Number of lifting sizes in Table 5.3.2-1.
inline constexpr unsigned ldpc_num_lifting_sizes = 51;

/// All 51 lifting sizes of Table 5.3.2-1, in increasing order of Z.
std::span<const LdpcLiftingSize, ldpc_num_lifting_sizes> ldpc_lifting_sizes();

/// Set index i_LS of \p z, or nothing when \p z is not a lifting size.
inline std::optional<unsigned> ldpc_lifting_set_index(unsigned z) {
  for (const auto& size : ldpc_lifting_sizes()) {
    if (size.z == z) {
      return size.set_index;
    }
  }
  return std::nullopt;
}

/// Smallest lifting size Z with Z >= \p min_z, or nothing when \p min_z exceeds 384.
inline std::optional<LdpcLiftingSize> ldpc_smallest_lifting_size(unsigned min_z) {
  for (const auto& size : ldpc_lifting_sizes()) {
    if (size.z >= min_z) {
      return size;
    }
  }
  return std::nullopt;
}

} // namespace airan::phy
