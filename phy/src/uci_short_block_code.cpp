#include "airan/phy/uci_short_block_code.h"

#include "airan/phy/gold_sequence.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

constexpr unsigned rm_block_length = 32;

/// Row i of TS 38.212 Table 5.3.3.3-1 (the (32, O) basis): bit n is M_{i,n}.
constexpr std::array<std::uint16_t, rm_block_length> rm_basis_rows = {
    0x403, 0x607, 0x749, 0x50d, 0x48f, 0x5d3, 0x755, 0x599, 0x69b, 0x65d, 0x6e5,
    0x567, 0x7a9, 0x6ab, 0x4b1, 0x6f3, 0x277, 0x139, 0x0fb, 0x061, 0x445, 0x60b,
    0x591, 0x717, 0x3df, 0x4e3, 0x32d, 0x3af, 0x175, 0x1fd, 0x7ff, 0x001};

/// The 32 coded bits d_0 .. d_31 of the payload word \p c (bit n = c_n), bit i = d_i.
std::uint32_t rm_codeword(std::uint32_t c) {
  std::uint32_t d = 0;
  for (unsigned i = 0; i < rm_block_length; ++i) {
    d |= static_cast<std::uint32_t>(std::popcount(c & rm_basis_rows[i]) & 1) << i;
  }
  return d;
}

/// Bits 1 .. 5 of the basis rows take each of the 32 5-bit values once and bit 0 is set in every
/// row: c_0 .. c_5 span a first-order Reed-Muller code RM(1,5) with permuted coordinates. Row i
/// sits at position rm_position[i] of the Walsh-Hadamard order, v = bits 1 .. 5 of the row.
constexpr std::array<std::uint8_t, rm_block_length> rm_positions() {
  std::array<std::uint8_t, rm_block_length> positions{};
  for (unsigned i = 0; i < rm_block_length; ++i) {
    positions[i] = static_cast<std::uint8_t>((rm_basis_rows[i] >> 1) & 0x1FU);
  }
  return positions;
}
constexpr std::array<std::uint8_t, rm_block_length> rm_position = rm_positions();

/// The payload word of \p bits bits (bit n = c_n) whose codeword correlates best with
/// \p folded, and that correlation. For each value of c_6 .. c_10 the 64 words that differ in
/// c_0 .. c_5 take one 32-point fast Walsh-Hadamard transform: with v_i the Walsh index of row
/// i, sum_i (-1)^{<w, v_i>} g_i is entry w of the transform of g placed at v_i, and c_0 flips the
/// sign. 2^(O-6) transforms of 160 additions instead of 2^O correlations of 32.
double rm_maximum_likelihood(const std::array<double, rm_block_length>& folded, unsigned bits,
                             std::uint32_t& best_word) {
  const unsigned low_bits = std::min(bits, 6U);             // c_0 .. c_5
  const std::uint32_t walsh_words = 1U << (low_bits - 1);   // values of c_1 .. c_5 in use
  const std::uint32_t high_words = 1U << (bits - low_bits); // values of c_6 .. c_10
  double best = -1.0;
  best_word = 0;
  std::array<double, rm_block_length> t{};
  for (std::uint32_t high = 0; high < high_words; ++high) {
    const std::uint32_t high_word = high << 6;
    for (unsigned i = 0; i < rm_block_length; ++i) {
      const bool flip = (std::popcount(high_word & rm_basis_rows[i]) & 1) != 0;
      t[rm_position[i]] = flip ? -folded[i] : folded[i];
    }
    for (unsigned half = 1; half < rm_block_length; half *= 2) {
      for (unsigned start = 0; start < rm_block_length; start += 2 * half) {
        for (unsigned k = start; k < start + half; ++k) {
          const double a = t[k];
          const double b = t[k + half];
          t[k] = a + b;
          t[k + half] = a - b;
        }
      }
    }
    for (std::uint32_t w = 0; w < walsh_words; ++w) {
      const double corr = std::abs(t[w]);
      if (corr > best) {
        best = corr;
        best_word = high_word | (w << 1) | (t[w] < 0.0 ? 1U : 0U);
      }
    }
  }
  return best;
}

void check_sizes(std::size_t payload_bits, unsigned qm) {
  if (payload_bits == 0 || payload_bits > 11) {
    throw std::invalid_argument("UCI short block: " + std::to_string(payload_bits) +
                                " payload bits (1..11 take the small block codes)");
  }
  if (qm == 0 || qm > 10) {
    throw std::invalid_argument("UCI short block: modulation order " + std::to_string(qm));
  }
}

/// The coded bit (index into c_0, c_1, c_2) that position \p k of a 2-bit block carries, or -1
/// for an "x" placeholder.
int two_bit_position(unsigned k, unsigned qm) {
  if (qm == 1) {
    return static_cast<int>(k);
  }
  const unsigned group = k / qm;
  const unsigned offset = k % qm;
  if (offset >= 2) {
    return -1;
  }
  // Groups of Q_m: [c0 c1 x..], [c2 c0 x..], [c1 c2 x..].
  static constexpr std::array<std::array<int, 2>, 3> carried = {{{0, 1}, {2, 0}, {1, 2}}};
  return carried[group][offset];
}

} // namespace

unsigned uci_short_block_length(unsigned payload_bits, unsigned qm) {
  check_sizes(payload_bits, qm);
  if (payload_bits == 1) {
    return qm;
  }
  return payload_bits == 2 ? 3 * qm : rm_block_length;
}

void encode_uci_short_block(std::span<const bit_t> payload, unsigned qm, std::span<bit_t> coded) {
  const unsigned n = uci_short_block_length(static_cast<unsigned>(payload.size()), qm);
  std::array<bit_t, rm_block_length> block{};
  if (payload.size() == 1) {
    std::fill_n(block.begin(), n, uci_placeholder_x);
    block[0] = payload[0] & 1U;
    if (qm > 1) {
      block[1] = uci_placeholder_y;
    }
  } else if (payload.size() == 2) {
    const std::array<bit_t, 3> c = {static_cast<bit_t>(payload[0] & 1U),
                                    static_cast<bit_t>(payload[1] & 1U),
                                    static_cast<bit_t>((payload[0] ^ payload[1]) & 1U)};
    for (unsigned k = 0; k < n; ++k) {
      const int j = two_bit_position(k, qm);
      block[k] = j < 0 ? uci_placeholder_x : c[j];
    }
  } else {
    std::uint32_t word = 0;
    for (std::size_t i = 0; i < payload.size(); ++i) {
      word |= static_cast<std::uint32_t>(payload[i] & 1U) << i;
    }
    const std::uint32_t d = rm_codeword(word);
    for (unsigned i = 0; i < n; ++i) {
      block[i] = static_cast<bit_t>((d >> i) & 1U);
    }
  }
  for (std::size_t k = 0; k < coded.size(); ++k) {
    coded[k] = block[k % n];
  }
}

double decode_uci_short_block(std::span<const float> llrs, unsigned qm, std::span<bit_t> payload) {
  UciFoldedLlrs folded;
  folded.length = uci_short_block_length(static_cast<unsigned>(payload.size()), qm);
  for (std::size_t k = 0; k < llrs.size(); ++k) {
    folded.sum[k % folded.length] += llrs[k];
  }
  return decode_uci_short_block(folded, qm, payload);
}

double decode_uci_short_block(const UciFoldedLlrs& block, unsigned qm, std::span<bit_t> payload) {
  const unsigned n = uci_short_block_length(static_cast<unsigned>(payload.size()), qm);
  if (block.length != n) {
    throw std::invalid_argument("UCI short block: folded onto " + std::to_string(block.length) +
                                " values instead of " + std::to_string(n));
  }
  const std::array<double, rm_block_length>& folded = block.sum;
  double best = 0.0;
  double energy = 0.0;
  if (payload.size() == 1) {
    const double sum = folded[0] + (qm > 1 ? folded[1] : 0.0);
    payload[0] = sum < 0.0 ? 1 : 0;
    best = sum;
    energy = std::abs(folded[0]) + (qm > 1 ? std::abs(folded[1]) : 0.0);
  } else if (payload.size() == 2) {
    std::array<double, 3> c{};
    for (unsigned k = 0; k < n; ++k) {
      const int j = two_bit_position(k, qm);
      if (j >= 0) {
        c[j] += folded[k];
        energy += std::abs(folded[k]);
      }
    }
    best = -1.0;
    for (unsigned word = 0; word < 4; ++word) {
      const unsigned c0 = word & 1U;
      const unsigned c1 = word >> 1;
      const double corr =
          (c0 != 0 ? -c[0] : c[0]) + (c1 != 0 ? -c[1] : c[1]) + ((c0 ^ c1) != 0 ? -c[2] : c[2]);
      if (word == 0 || corr > best) {
        best = corr;
        payload[0] = static_cast<bit_t>(c0);
        payload[1] = static_cast<bit_t>(c1);
      }
    }
  } else {
    std::uint32_t best_word = 0;
    best = rm_maximum_likelihood(folded, static_cast<unsigned>(payload.size()), best_word);
    for (std::size_t i = 0; i < payload.size(); ++i) {
      payload[i] = static_cast<bit_t>((best_word >> i) & 1U);
    }
    for (const double f : folded) {
      energy += std::abs(f);
    }
  }
  if (energy <= 0.0) {
    return 0.0;
  }
  return std::clamp(std::abs(best) / energy, 0.0, 1.0);
}

unsigned uci_short_block_rank(unsigned payload_bits, std::size_t num_coded_bits) {
  constexpr unsigned smallest = 3;
  constexpr unsigned largest = 11;
  if (payload_bits < smallest || payload_bits > largest) {
    return 0;
  }
  // Gaussian elimination on the rows, each an O-bit word (the code's generator transposed: the
  // rank of the rows is the rank of the O x E generator).
  const std::uint16_t columns = static_cast<std::uint16_t>((1U << payload_bits) - 1U);
  std::array<std::uint16_t, rm_block_length> rows{};
  const std::size_t num_rows = std::min<std::size_t>(num_coded_bits, rm_block_length);
  for (std::size_t i = 0; i < num_rows; ++i) {
    rows[i] = static_cast<std::uint16_t>(rm_basis_rows[i] & columns);
  }
  unsigned rank = 0;
  for (unsigned bit = 0; bit < payload_bits && rank < num_rows; ++bit) {
    const std::uint16_t mask = static_cast<std::uint16_t>(1U << bit);
    std::size_t pivot = rank;
    while (pivot < num_rows && (rows[pivot] & mask) == 0) {
      ++pivot;
    }
    if (pivot == num_rows) {
      continue;
    }
    std::swap(rows[rank], rows[pivot]);
    for (std::size_t i = 0; i < num_rows; ++i) {
      if (i != rank && (rows[i] & mask) != 0) {
        rows[i] ^= rows[rank];
      }
    }
    ++rank;
  }
  return rank;
}

bool uci_short_block_detected(unsigned payload_bits, std::size_t num_coded_bits,
                              double correlation) {
  // 99th percentile of the agreement of i.i.d. Gaussian folded values with the best of the
  // 2^O codewords (O = 3 .. 11), over the first n = 16, 20, 24, 28, 32 coded bits (100,000 noise
  // blocks each). A block of E coded bits takes the row of the largest n <= E.
  static constexpr std::array<std::array<double, 9>, 5> noise_p99 = {{
      {0.8532, 0.8863, 0.9218, 0.9464, 0.9682, 0.9851, 0.9966, 1.0, 1.0},
      {0.7830, 0.8178, 0.8524, 0.8815, 0.9100, 0.9327, 0.9511, 0.9671, 0.9801},
      {0.7251, 0.7624, 0.7958, 0.8260, 0.8551, 0.8800, 0.9014, 0.9208, 0.9389},
      {0.6767, 0.7126, 0.7486, 0.7781, 0.8079, 0.8328, 0.8574, 0.8789, 0.8964},
      {0.6402, 0.6781, 0.7077, 0.7372, 0.7679, 0.7912, 0.8175, 0.8395, 0.8587},
  }};
  constexpr std::size_t shortest = 16;
  if (payload_bits < 3 || payload_bits > 11 || num_coded_bits < shortest) {
    return true;
  }
  const std::size_t row = (std::min<std::size_t>(num_coded_bits, rm_block_length) - shortest) / 4;
  const double threshold = noise_p99[row][payload_bits - 3];
  return threshold >= 1.0 || correlation >= threshold;
}

void scramble_bits_with_placeholders(std::span<bit_t> bits, std::uint32_t c_init) {
  GoldSequenceGenerator generator(c_init);
  std::array<bit_t, 256> c{};
  bit_t previous = 0;
  for (std::size_t start = 0; start < bits.size(); start += c.size()) {
    const std::size_t count = std::min(c.size(), bits.size() - start);
    generator.generate(std::span<bit_t>(c.data(), count));
    for (std::size_t i = 0; i < count; ++i) {
      bit_t& b = bits[start + i];
      if (b == uci_placeholder_x) {
        b = 1;
      } else if (b == uci_placeholder_y) {
        b = previous;
      } else {
        b = static_cast<bit_t>((b ^ c[i]) & 1U);
      }
      previous = b;
    }
  }
}

} // namespace airan::phy
