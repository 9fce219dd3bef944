/// \file
/// \brief LLR descrambling with a word-wise Gold sequence generator.
#include "airan/phy/pusch_descrambler.h"

#include <array>
#include <bit>

namespace airan::phy {

namespace {

constexpr unsigned gold_nc = 1600; // N_C, TS 38.211 5.2.1

/// Gold sequence c(n) of TS 38.211 5.2.1, 32 bits per call.
///
/// Each m-sequence register holds x(n) .. x(n+30) in bits 0..30. The recursions
/// x1(n+31) = x1(n+3) + x1(n) and x2(n+31) = x2(n+3) + x2(n+2) + x2(n+1) + x2(n) give the next 16
/// values x(n+31) .. x(n+46) from x(n) .. x(n+18) only, all of which the register already holds,
/// so one shift-and-XOR computes 16 new values at once.
class GoldWordGenerator {
public:
  explicit GoldWordGenerator(std::uint32_t c_init) : x2_(c_init & 0x7fffffffU) {
    static_assert(gold_nc % 16 == 0);
    for (unsigned n = 0; n < gold_nc; n += 16) {
      step16();
    }
  }

  /// The next 32 values c(n) .. c(n+31), c(n) in bit 0.
  std::uint32_t next_word() {
    const std::uint32_t low = (x1_ ^ x2_) & 0xffffU;
    step16();
    const std::uint32_t high = (x1_ ^ x2_) & 0xffffU;
    step16();
    return low | (high << 16);
  }

private:
  void step16() {
    const std::uint32_t new_x1 = ((x1_ >> 3) ^ x1_) & 0xffffU;
    const std::uint32_t new_x2 = ((x2_ >> 3) ^ (x2_ >> 2) ^ (x2_ >> 1) ^ x2_) & 0xffffU;
    x1_ = (x1_ >> 16) | (new_x1 << 15);
    x2_ = (x2_ >> 16) | (new_x2 << 15);
  }

  std::uint32_t x1_ = 1;
  std::uint32_t x2_;
};

/// Sign masks of four consecutive LLRs for each 4-bit group of the sequence (bit 0 first).
constexpr std::array<std::array<std::uint32_t, 4>, 16> make_nibble_sign_masks() {
  std::array<std::array<std::uint32_t, 4>, 16> masks{};
  for (unsigned nibble = 0; nibble < 16; ++nibble) {
    for (unsigned k = 0; k < 4; ++k) {
      masks[nibble][k] = ((nibble >> k) & 1U) << 31;
    }
  }
  return masks;
}

constexpr auto nibble_sign_masks = make_nibble_sign_masks();

/// Flips the signs of \p count <= 32 LLRs where \p sequence has ones (bit k for llrs[k]).
inline void flip_signs(float* llrs, unsigned count, std::uint32_t sequence) {
  for (unsigned k = 0; k < count; ++k) {
    const std::uint32_t mask = nibble_sign_masks[(sequence >> (k & ~3U)) & 0xfU][k & 3U];
    llrs[k] = std::bit_cast<float>(std::bit_cast<std::uint32_t>(llrs[k]) ^ mask);
  }
}

/// Flips the signs of 32 LLRs, four per table entry.
inline void flip_signs_32(float* llrs, std::uint32_t sequence) {
  for (unsigned group = 0; group < 8; ++group) {
    const auto& mask = nibble_sign_masks[(sequence >> (4 * group)) & 0xfU];
    for (unsigned k = 0; k < 4; ++k) {
      float& llr = llrs[4 * group + k];
      llr = std::bit_cast<float>(std::bit_cast<std::uint32_t>(llr) ^ mask[k]);
    }
  }
}

} // namespace

void descramble_llrs(std::span<float> llrs, std::uint32_t c_init) {
  static_assert(sizeof(float) == sizeof(std::uint32_t));
  GoldWordGenerator sequence(c_init);
  const std::size_t whole_words = llrs.size() / 32;
  float* data = llrs.data();
  for (std::size_t w = 0; w < whole_words; ++w) {
    flip_signs_32(data + 32 * w, sequence.next_word());
  }
  const auto rest = static_cast<unsigned>(llrs.size() % 32);
  if (rest != 0) {
    flip_signs(data + 32 * whole_words, rest, sequence.next_word());
  }
}

} // namespace airan::phy
