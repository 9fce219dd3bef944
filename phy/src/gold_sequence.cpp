#include "airan/phy/gold_sequence.h"

#include "airan/phy/gold_sequence_jump.h"

#include <array>
#include <cstring>

namespace airan::phy {
namespace {

constexpr unsigned chunk_bits = 24; // bits produced per step (at most 28 for these recurrences)

/// Lookup table: byte value -> eight bytes holding its bits 0..7 (one bit per byte, LSB first).
constexpr std::array<std::uint64_t, 256> make_unpack_table() {
  std::array<std::uint64_t, 256> table{};
  for (unsigned value = 0; value < 256; ++value) {
    std::uint64_t word = 0;
    for (unsigned bit = 0; bit < 8; ++bit) {
      word |= static_cast<std::uint64_t>((value >> bit) & 1U) << (8 * bit);
    }
    table[value] = word;
  }
  return table;
}
constexpr auto unpack_table = make_unpack_table();

/// Advances both m-sequences by \p k <= 28 steps at once. Each register holds x(n) .. x(n+30)
/// in bits 0..30; x1(n+31) = x1(n+3) + x1(n), x2(n+31) = x2(n+3) + x2(n+2) + x2(n+1) + x2(n).
/// The k new bits only depend on bits already in the register because k <= 28.
inline void advance_chunk(std::uint32_t& x1, std::uint32_t& x2, unsigned k) {
  const std::uint32_t mask = (1U << k) - 1U;
  const std::uint32_t new1 = ((x1 >> 3) ^ x1) & mask;
  const std::uint32_t new2 = ((x2 >> 3) ^ (x2 >> 2) ^ (x2 >> 1) ^ x2) & mask;
  x1 = (x1 >> k) | (new1 << (31 - k));
  x2 = (x2 >> k) | (new2 << (31 - k));
}

} // namespace

GoldSequenceGenerator::GoldSequenceGenerator(std::uint32_t c_init, std::uint32_t offset)
    : x2_(c_init & 0x7fffffffU) {
  advance(static_cast<std::uint64_t>(gold_nc) + offset);
}

void GoldSequenceGenerator::advance(std::uint64_t steps) {
  while (steps >= chunk_bits) {
    advance_chunk(x1_, x2_, chunk_bits);
    steps -= chunk_bits;
  }
  if (steps > 0) {
    advance_chunk(x1_, x2_, static_cast<unsigned>(steps));
  }
}

void GoldSequenceGenerator::generate(std::span<bit_t> out) {
  std::size_t done = 0;
  for (; done + chunk_bits <= out.size(); done += chunk_bits) {
    const std::uint32_t bits = x1_ ^ x2_;
    for (unsigned byte = 0; byte < chunk_bits / 8; ++byte) {
      std::memcpy(out.data() + done + std::size_t{8} * byte,
                  &unpack_table[(bits >> (8 * byte)) & 0xffU], 8);
    }
    advance_chunk(x1_, x2_, chunk_bits);
  }
  const auto rest = static_cast<unsigned>(out.size() - done);
  if (rest > 0) {
    const std::uint32_t bits = x1_ ^ x2_;
    for (unsigned i = 0; i < rest; ++i) {
      out[done + i] = static_cast<bit_t>((bits >> i) & 1U);
    }
    advance_chunk(x1_, x2_, rest);
  }
}

void GoldSequenceGenerator::apply(std::span<bit_t> bits) {
  std::size_t done = 0;
  for (; done + chunk_bits <= bits.size(); done += chunk_bits) {
    const std::uint32_t seq = x1_ ^ x2_;
    for (unsigned byte = 0; byte < chunk_bits / 8; ++byte) {
      std::uint64_t word = 0;
      std::memcpy(&word, bits.data() + done + std::size_t{8} * byte, 8);
      word ^= unpack_table[(seq >> (8 * byte)) & 0xffU];
      std::memcpy(bits.data() + done + std::size_t{8} * byte, &word, 8);
    }
    advance_chunk(x1_, x2_, chunk_bits);
  }
  const auto rest = static_cast<unsigned>(bits.size() - done);
  if (rest > 0) {
    const std::uint32_t seq = x1_ ^ x2_;
    for (unsigned i = 0; i < rest; ++i) {
      bits[done + i] ^= static_cast<bit_t>((seq >> i) & 1U);
    }
    advance_chunk(x1_, x2_, rest);
  }
}

std::uint32_t GoldSequenceGenerator::next_word24() {
  const std::uint32_t bits = (x1_ ^ x2_) & ((1U << chunk_bits) - 1U);
  advance_chunk(x1_, x2_, chunk_bits);
  return bits;
}

void gold_sequence(std::uint32_t c_init, std::span<bit_t> out, std::uint32_t offset) {
  GoldSequenceGenerator(c_init, offset).generate(out);
}

namespace {

/// Applies the matrix given by its 31 columns to \p x.
std::uint32_t apply_columns(const std::uint32_t* columns, std::uint32_t x) {
  std::uint32_t result = 0;
  for (unsigned j = 0; j < 31; ++j) {
    result ^= ((x >> j) & 1U) != 0 ? columns[j] : 0U;
  }
  return result;
}

/// Level 0 (one step of \p step) and its repeated squares.
template <typename Step> void fill_levels(std::uint32_t (*levels)[31], Step step) {
  for (unsigned j = 0; j < 31; ++j) {
    levels[0][j] = step(1U << j);
  }
  for (unsigned k = 1; k < gold_jump_levels; ++k) {
    for (unsigned j = 0; j < 31; ++j) {
      levels[k][j] = apply_columns(levels[k - 1], levels[k - 1][j]);
    }
  }
}

} // namespace

GoldJumpTable make_gold_jump_table() {
  GoldJumpTable table{};
  fill_levels(table.x1, gold_step_x1);
  fill_levels(table.x2, gold_step_x2);
  return table;
}

} // namespace airan::phy
