/// \file
/// \brief Random LDPC decoding cases for tests that compare decoders bit for bit: encoded random
/// messages of random codes (both base graphs, random Z and K', rates from 1/3 to 0.95; half of
/// them end with a CRC24B), QPSK AWGN LLRs around the decoding threshold, both min-sum rules and
/// every termination mode; partners of a case: other blocks of its code (the paired decoder
/// decodes two at once); and a case turned into the all-zero codeword.
#pragma once

#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_decoder.h"
#include "airan/phy/ldpc_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <vector>

namespace airan::test {

/// One decoding case: the decoder input and configuration, and the transmitted message.
struct LdpcTestCase {
  phy::LdpcDecoderConfig config;
  std::vector<std::int8_t> llrs;
  phy::BitVector message;
  /// CRC24B attached to the end of the message (as in the code blocks of a segmented TB), or
  /// none.
  std::optional<phy::CrcPolynomial> crc;

  /// A CRC check of the message bits for LdpcDecoder::decode (empty without a CRC).
  [[nodiscard]] phy::LdpcCrcCheck crc_check() const {
    if (!crc) {
      return {};
    }
    return [calculator = phy::CrcCalculator(*crc)](std::span<const phy::bit_t> bits) {
      return calculator.check(bits);
    };
  }
};

/// Case \p index of a reproducible sequence (seeded by \p seed).
inline LdpcTestCase make_ldpc_test_case(unsigned seed, unsigned index) {
  using namespace airan::phy;
  std::mt19937 rng(seed * 7919u + index);
  LdpcTestCase c;
  const auto graph = (rng() & 1u) != 0 ? LdpcBaseGraph::bg1 : LdpcBaseGraph::bg2;
  const auto sizes = ldpc_lifting_sizes();
  // Every fourth case at Z = 384, the largest block.
  const unsigned z = index % 4 == 0 ? 384 : sizes[rng() % sizes.size()].z;
  const unsigned k = ldpc_systematic_length(graph, z);
  const unsigned k_prime = k - static_cast<unsigned>(rng() % (k / 4 + 1)); // some filler bits
  c.message.resize(k_prime);
  for (auto& bit : c.message) {
    bit = static_cast<bit_t>(rng() & 1u);
  }
  if (k_prime > 48 && (rng() & 1u) != 0) {
    c.crc = CrcPolynomial::crc24b;
    CrcCalculator(*c.crc).attach(c.message);
  }
  BitVector d(ldpc_codeword_length(graph, z));
  const LdpcEncoderConfig code{graph, z, k_prime};
  create_ldpc_encoder()->encode(c.message, code, d);

  // Rate k'/E between about 1/3 and 0.95; QPSK Es/N0 a little above the threshold of the rate,
  // so that some blocks need many iterations and some fail.
  const double rate = std::uniform_real_distribution<double>(0.34, 0.95)(rng);
  const auto received =
      static_cast<unsigned>(std::min<double>(d.size(), std::ceil(k_prime / rate)));
  const double threshold_db = 10.0 * std::log10(std::pow(2.0, 2.0 * rate) - 1.0);
  const double snr_db = threshold_db + std::uniform_real_distribution<double>(1.0, 6.0)(rng);
  const double n0 = std::pow(10.0, -snr_db / 10.0);
  std::normal_distribution<double> normal(0.0, std::sqrt(n0 / 2));
  std::vector<float> soft(received, 0.0f);
  for (unsigned j = 0; j < received; ++j) {
    if (d[j] != ldpc_filler_bit) {
      const double y = (d[j] != 0 ? -1.0 : 1.0) / std::sqrt(2.0) + normal(rng);
      soft[j] = static_cast<float>(2.0 * std::sqrt(2.0) * y / n0);
    }
  }
  c.llrs.resize(received);
  quantize_ldpc_llrs(soft, 4.0f, c.llrs);

  c.config.base_graph = graph;
  c.config.lifting_size = z;
  c.config.num_info_bits = k_prime;
  c.config.max_iterations = 3 + rng() % 14;
  c.config.rule = (rng() % 3) == 0 ? LdpcMinSumRule::normalized : LdpcMinSumRule::offset;
  c.config.scaling_factor = 0.625f + 0.125f * static_cast<float>(rng() % 3);
  c.config.offset = rng() % 4;
  const unsigned termination = rng() % 3;
  c.config.early_termination = termination == 0   ? LdpcEarlyTermination::none
                               : termination == 1 ? LdpcEarlyTermination::parity_check
                               : c.crc            ? LdpcEarlyTermination::crc_check
                                                  : LdpcEarlyTermination::parity_check;
  // Half the cases name their rows, the others let the decoder derive them from the LLRs.
  c.config.num_rows = (rng() & 1u) != 0 ? ldpc_rows_for_received_length(graph, z, received) : 0;
  return c;
}

/// A second code block of \p c's code: another message (with its CRC), other noise and a received
/// length that differs by up to 1.5 Z either way, so that its rows may differ.
inline LdpcTestCase make_ldpc_partner_case(const LdpcTestCase& c, unsigned index) {
  using namespace airan::phy;
  std::mt19937 rng(977U * index + 3U);
  LdpcTestCase p = c;
  for (std::size_t i = 0; i + (c.crc ? 24U : 0U) < p.message.size(); ++i) {
    p.message[i] = static_cast<bit_t>(rng() & 1U);
  }
  if (c.crc) {
    CrcCalculator(*c.crc).attach(p.message); // over the bits before its last 24
  }
  const LdpcDecoderConfig& config = c.config;
  BitVector d(ldpc_codeword_length(config.base_graph, config.lifting_size));
  create_ldpc_encoder()->encode(p.message,
                                {config.base_graph, config.lifting_size, config.num_info_bits}, d);
  const auto z = static_cast<int>(config.lifting_size);
  const int shift = static_cast<int>(rng() % (3 * z + 1)) - 3 * z / 2;
  const int minimum = static_cast<int>(config.num_info_bits) + 2 * z; // a rate below one
  const int received =
      std::clamp(static_cast<int>(c.llrs.size()) + shift, minimum, static_cast<int>(d.size()));
  const double snr_db = std::uniform_real_distribution<double>(-1.0, 8.0)(rng);
  const double n0 = std::pow(10.0, -snr_db / 10.0);
  std::normal_distribution<double> normal(0.0, std::sqrt(n0 / 2));
  std::vector<float> soft(static_cast<std::size_t>(received), 0.0f);
  for (std::size_t j = 0; j < soft.size(); ++j) {
    if (d[j] != ldpc_filler_bit) {
      const double y = (d[j] != 0 ? -1.0 : 1.0) / std::sqrt(2.0) + normal(rng);
      soft[j] = static_cast<float>(2.0 * std::sqrt(2.0) * y / n0);
    }
  }
  p.llrs.resize(soft.size());
  quantize_ldpc_llrs(soft, 4.0f, p.llrs);
  if (config.num_rows != 0) {
    p.config.num_rows = ldpc_rows_for_received_length(config.base_graph, config.lifting_size,
                                                      static_cast<unsigned>(received));
  }
  return p;
}

/// \p c as the all-zero codeword with the same noise magnitudes: the LLR of each one of its
/// codeword negated, its message cleared (with a CRC24B, whose checksum of zeros is 0, still a
/// valid one).
inline void make_zero_codeword(LdpcTestCase& c) {
  using namespace airan::phy;
  BitVector d(ldpc_codeword_length(c.config.base_graph, c.config.lifting_size));
  create_ldpc_encoder()->encode(
      c.message, {c.config.base_graph, c.config.lifting_size, c.config.num_info_bits}, d);
  for (std::size_t j = 0; j < c.llrs.size(); ++j) {
    c.llrs[j] = d[j] == 1 ? static_cast<std::int8_t>(-c.llrs[j]) : c.llrs[j];
  }
  std::fill(c.message.begin(), c.message.end(), bit_t{0});
}

} // namespace airan::test
