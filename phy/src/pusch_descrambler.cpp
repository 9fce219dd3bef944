/// \file
/// \brief LLR descrambling with a word-wise Gold sequence generator.
#include "airan/phy/pusch_descrambler.h"

#include "airan/phy/cpu_features.h"
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/thread_pool.h"

#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace airan::phy {

namespace {

/// Gold sequence c(n) of TS 38.211 5.2.1, 32 bits per call.
///
/// Each m-sequence register holds x(n) .. x(n+30) in bits 0..30. The recursions
/// x1(n+31) = x1(n+3) + x1(n) and x2(n+31) = x2(n+3) + x2(n+2) + x2(n+1) + x2(n) give the next 16
/// values x(n+31) .. x(n+46) from x(n) .. x(n+18) only, all of which the register already holds,
/// so one shift-and-XOR computes 16 new values at once.
class GoldWordGenerator {
public:
  /// The sequence of \p c_init from c(first_index) on.
  GoldWordGenerator(std::uint32_t c_init, std::uint32_t first_index) {
    static_assert(gold_nc % 16 == 0);
    if (first_index == 0) {
      cursor_.x2 = c_init & 0x7fffffffU;
      for (unsigned n = 0; n < gold_nc; n += 16) {
        cursor_.step16();
      }
      return;
    }
    static const GoldJumpTable table = make_gold_jump_table();
    cursor_ = gold_word_cursor(table, c_init, first_index);
  }

  /// The next 32 values c(n) .. c(n+31), c(n) in bit 0.
  std::uint32_t next_word() { return cursor_.next_word(); }

private:
  GoldWordCursor cursor_; ///< gold_sequence_jump.h: the registers and their 16-step update
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

#if defined(__x86_64__) || defined(__i386__)
/// The whole words of descramble_llrs() eight LLRs per AVX2 step: lane k's sign mask is bit k
/// of the sequence byte shifted into bit 31 (the same XOR of the sign bit as flip_signs_32).
__attribute__((target("avx2"))) void flip_words_avx2(float* data, std::size_t words,
                                                     GoldWordGenerator& sequence) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (std::size_t w = 0; w < words; ++w) {
    const std::uint32_t word = sequence.next_word();
    float* llrs = data + std::size_t{32} * w;
    for (unsigned group = 0; group < 4; ++group) {
      const __m256i bits = _mm256_set1_epi32(static_cast<int>(word >> (8 * group)));
      const __m256i mask = _mm256_slli_epi32(_mm256_srlv_epi32(bits, lanes), 31);
      float* eight = llrs + std::size_t{8} * group;
      _mm256_storeu_ps(eight, _mm256_xor_ps(_mm256_loadu_ps(eight), _mm256_castsi256_ps(mask)));
    }
  }
}

bool avx2_available() {
  return cpu_features().avx2;
}
#endif

} // namespace

void descramble_llrs(std::span<float> llrs, std::uint32_t c_init) {
  descramble_llrs(llrs, c_init, 0);
}

void descramble_llrs(std::span<float> llrs, std::uint32_t c_init, std::uint32_t first_index) {
  static_assert(sizeof(float) == sizeof(std::uint32_t));
  if (first_index % 32 != 0) {
    throw std::invalid_argument("descrambling: first index " + std::to_string(first_index) +
                                " is not a multiple of 32");
  }
  GoldWordGenerator sequence(c_init, first_index);
  const std::size_t whole_words = llrs.size() / 32;
  float* data = llrs.data();
#if defined(__x86_64__) || defined(__i386__)
  if (avx2_available()) {
    flip_words_avx2(data, whole_words, sequence);
  } else {
    for (std::size_t w = 0; w < whole_words; ++w) {
      flip_signs_32(data + std::size_t{32} * w, sequence.next_word());
    }
  }
#else
  for (std::size_t w = 0; w < whole_words; ++w) {
    flip_signs_32(data + std::size_t{32} * w, sequence.next_word());
  }
#endif
  const auto rest = static_cast<unsigned>(llrs.size() % 32);
  if (rest != 0) {
    flip_signs(data + 32 * whole_words, rest, sequence.next_word());
  }
}

void descramble_llrs(std::span<float> llrs, std::uint32_t c_init, ThreadPool& pool) {
  const unsigned lanes = pool.num_lanes();
  // Whole words per part, at least 64 KB of LLRs each (a jump costs about 1000 operations).
  constexpr std::size_t min_part = 16384;
  const std::size_t words = (llrs.size() + 31) / 32;
  const std::size_t parts =
      std::min<std::size_t>(lanes, std::max<std::size_t>(1, llrs.size() / min_part));
  if (parts <= 1) {
    descramble_llrs(llrs, c_init, 0);
    return;
  }
  // One pointer captured: the std::function of parallel_for stays in its small buffer (no
  // allocation per call).
  const struct {
    std::span<float> llrs;
    std::uint32_t c_init;
    std::size_t part_length;
  } work{llrs, c_init, (words + parts - 1) / parts * 32};
  pool.parallel_for(parts, [w = &work](std::size_t part, unsigned) {
    const std::size_t begin = std::min(w->llrs.size(), part * w->part_length);
    const std::size_t end = std::min(w->llrs.size(), (part + 1) * w->part_length);
    descramble_llrs(w->llrs.subspan(begin, end - begin), w->c_init,
                    static_cast<std::uint32_t>(begin));
  });
}

} // namespace airan::phy
