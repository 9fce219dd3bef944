/// \file
/// \brief LDPC conformance suite: ldpc/k{K}_n{N}_G.npy generator matrices (Sionna
/// LDPC5GEncoder(k, n): TS 38.212 base graph and lifting size, filler bits, 2Z punctured bits,
/// rv 0 bit selection of n bits, no interleaving).
///
/// The encoder and rate matcher are linear, so encoding every unit vector and comparing with the
/// rows of G checks them completely; a few random messages (c = u G mod 2) are checked as well.
#include "airan/apps/conformance.h"
#include "airan/io/npy.h"
#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/ldpc_encoder.h"
#include "airan/phy/ldpc_rate_matcher.h"

#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::apps {

namespace {

constexpr unsigned num_random_messages = 4;

/// Ones of G grouped by row (info bit): CSR layout, 0-based output positions.
struct SparseGenerator {
  std::vector<std::uint32_t> row_begin;
  std::vector<std::uint32_t> columns;
};

SparseGenerator read_generator(const std::filesystem::path& path, unsigned k, unsigned n) {
  std::vector<std::size_t> shape;
  const auto values = io::read_npy_u16(path, &shape);
  if (shape.size() != 2 || shape[0] != 2) {
    throw std::runtime_error("generator file must have shape [2][nnz]");
  }
  const std::size_t nnz = shape[1];
  SparseGenerator g;
  g.row_begin.assign(k + 1, 0);
  for (std::size_t i = 0; i < nnz; ++i) {
    const unsigned row = values[i];
    const unsigned col = values[nnz + i];
    if (row < 1 || row > k || col < 1 || col > n) {
      throw std::runtime_error("entry " + std::to_string(i) + " = (" + std::to_string(row) + ", " +
                               std::to_string(col) + ") outside the " + std::to_string(k) + " x " +
                               std::to_string(n) + " matrix");
    }
    ++g.row_begin[row];
  }
  for (unsigned r = 0; r < k; ++r) {
    g.row_begin[r + 1] += g.row_begin[r];
  }
  g.columns.resize(nnz);
  std::vector<std::uint32_t> fill(g.row_begin.begin(), g.row_begin.end() - 1);
  for (std::size_t i = 0; i < nnz; ++i) {
    g.columns[fill[values[i] - 1]++] = values[nnz + i] - 1u;
  }
  return g;
}

/// Parses "k{K}_n{N}": K information bits of one code block (at most BG1's 8448) and N coded
/// bits (at most 2^20), bounded before anything is sized from them (a file name is not trusted:
/// "k-1" would read as 2^32 - 1).
std::pair<unsigned, unsigned> parse_case_name(const std::string& name) {
  constexpr unsigned most_coded_bits = 1U << 20;
  unsigned k = 0;
  unsigned n = 0;
  char tail = 0;
  if (name.find('-') != std::string::npos ||
      std::sscanf(name.c_str(), "k%u_n%u%c", &k, &n, &tail) != 2 || k == 0 || n == 0) {
    throw std::runtime_error("case name " + name + " is not k{K}_n{N}");
  }
  if (k > phy::ldpc_max_code_block_size(phy::LdpcBaseGraph::bg1) || n > most_coded_bits) {
    throw std::runtime_error(
        "case name " + name + ": K " + std::to_string(k) + " or N " + std::to_string(n) +
        " beyond one code block (K <= 8448, N <= " + std::to_string(most_coded_bits) + ")");
  }
  return {k, n};
}

CaseResult run_ldpc_case(const ConformanceCase& conformance_case) {
  const auto [k, n] = parse_case_name(conformance_case.name);
  const SparseGenerator generator = read_generator(conformance_case.path, k, n);

  // Sionna's LDPC5GEncoder picks the base graph with the TS 38.212 rule applied to k and k/n,
  // and the lifting size as code block segmentation does for one code block of k bits.
  const auto graph = phy::select_ldpc_base_graph(k, static_cast<double>(k) / n);
  const auto seg = phy::segment_code_blocks(k, graph);
  if (seg.num_code_blocks != 1) {
    throw std::runtime_error("k = " + std::to_string(k) + " does not fit one code block");
  }
  phy::LdpcRateMatchConfig rm_config;
  rm_config.code = {graph, seg.lifting_size, k};
  rm_config.n_cb = phy::ldpc_codeword_length(graph, seg.lifting_size);
  rm_config.rv = 0;
  rm_config.modulation_order = 1;

  auto encoder = phy::create_ldpc_encoder();
  phy::LdpcRateMatcher rate_matcher;
  phy::BitVector encoded(phy::ldpc_rate_match_input_length(rm_config, n));
  phy::BitVector output(n);
  phy::BitVector expected(n, 0);
  phy::BitVector message(k, 0);
  auto encode = [&] {
    encoder->encode(message, rm_config.code, encoded);
    rate_matcher.rate_match(encoded, rm_config, output);
  };

  std::size_t mismatches = 0;
  unsigned failed_rows = 0;
  // Every unit vector: the output must be row r of G.
  for (unsigned r = 0; r < k; ++r) {
    message[r] = 1;
    encode();
    message[r] = 0;
    for (auto i = generator.row_begin[r]; i < generator.row_begin[r + 1]; ++i) {
      expected[generator.columns[i]] = 1;
    }
    const std::size_t row_mismatches = count_bit_mismatches(output, expected);
    mismatches += row_mismatches;
    failed_rows += row_mismatches != 0 ? 1 : 0;
    for (auto i = generator.row_begin[r]; i < generator.row_begin[r + 1]; ++i) {
      expected[generator.columns[i]] = 0;
    }
  }
  // Random messages: c = u G (mod 2).
  std::mt19937 rng(k * 7919u + n);
  std::bernoulli_distribution coin(0.5);
  unsigned failed_random = 0;
  for (unsigned trial = 0; trial < num_random_messages; ++trial) {
    std::fill(expected.begin(), expected.end(), 0);
    for (unsigned r = 0; r < k; ++r) {
      message[r] = coin(rng) ? 1 : 0;
      if (message[r] != 0) {
        for (auto i = generator.row_begin[r]; i < generator.row_begin[r + 1]; ++i) {
          expected[generator.columns[i]] ^= 1;
        }
      }
    }
    encode();
    const std::size_t random_mismatches = count_bit_mismatches(output, expected);
    mismatches += random_mismatches;
    failed_random += random_mismatches != 0 ? 1 : 0;
  }

  CaseResult result;
  result.passed = mismatches == 0;
  result.worst_error = static_cast<double>(mismatches);
  result.detail = std::string(graph == phy::LdpcBaseGraph::bg1 ? "BG1" : "BG2") +
                  " Z=" + std::to_string(seg.lifting_size) +
                  " filler=" + std::to_string(seg.num_filler_bits()) + ": " + std::to_string(k) +
                  " unit vectors (" + std::to_string(failed_rows) + " wrong), " +
                  std::to_string(num_random_messages) + " random messages (" +
                  std::to_string(failed_random) + " wrong)";
  return result;
}

} // namespace

SuiteResult run_ldpc_conformance(const std::filesystem::path& dir, std::ostream* out) {
  return run_cases(list_case_files(dir, "_G.npy"), run_ldpc_case, out);
}

} // namespace airan::apps
