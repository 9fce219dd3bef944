/// \file
/// \brief CRC of unpacked bits by carry-less multiplication (PCLMULQDQ), the bits packed with
/// AVX2 byte movemasks.
///
/// The message is a polynomial M(x), its first bit the highest coefficient; the left-aligned
/// register after it is M(x) x^32 mod P'(x), P' the generator shifted to degree 32. A 128-bit
/// block A = A_hi x^64 + A_lo followed by n more bits contributes A x^n, congruent to
/// A_hi (x^(n+64) mod P') + A_lo (x^n mod P'): two 64 x 32-bit carry-less products of under 96
/// bits. Four accumulators take every fourth block and are folded by x^512 per step; at the end
/// they fold into one 128-bit value congruent to the whole message, whose register the slicing
/// tables give in four steps. Congruence mod P' is all the register depends on, so the result
/// is bit for bit that of the table code.
#include "crc_calculator_simd.h"

#include "airan/phy/cpu_features.h"
#include "airan/phy/crc_calculator.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace airan::phy::detail {
namespace {

#define AIRAN_CRC_CLMUL __attribute__((target("pclmul,avx2")))

constexpr std::size_t blocks_in_flight = 4;

/// vpshufb indices that reverse the bytes of each 8-byte group, so that a movemask puts the
/// first of eight bits in the most significant bit of its mask byte.
AIRAN_CRC_CLMUL inline __m256i first_bit_high_shuffle() {
  return _mm256_setr_epi8(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1,
                          0, 15, 14, 13, 12, 11, 10, 9, 8);
}

/// Bit 0 of 32 bytes: byte g of the result holds bits 8 g .. 8 g + 7, the first one in its most
/// significant bit.
AIRAN_CRC_CLMUL inline std::uint64_t mask_32_bits(const bit_t* bits, __m256i shuffle) {
  const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bits));
  // Shifting the 16-bit lanes left by 7 moves bit 0 of every byte to its sign bit.
  const __m256i sign_bits = _mm256_slli_epi16(_mm256_shuffle_epi8(bytes, shuffle), 7);
  return static_cast<std::uint32_t>(_mm256_movemask_epi8(sign_bits));
}

/// 64 bits as an integer, the first one in the most significant bit.
AIRAN_CRC_CLMUL inline std::uint64_t pack_64_bits(const bit_t* bits, __m256i shuffle) {
  return __builtin_bswap64(mask_32_bits(bits, shuffle) | (mask_32_bits(bits + 32, shuffle) << 32));
}

/// 128 bits as a polynomial block: the first bit is the coefficient of x^127.
AIRAN_CRC_CLMUL inline __m128i pack_128_bits(const bit_t* bits, __m256i shuffle) {
  return _mm_set_epi64x(static_cast<long long>(pack_64_bits(bits, shuffle)),
                        static_cast<long long>(pack_64_bits(bits + 64, shuffle)));
}

/// A block followed by 128 * blocks more bits, reduced below 96 bits (congruent mod P').
/// \p multipliers holds x^(128 blocks + 64) mod P' in its high and x^(128 blocks) mod P' in
/// its low 64 bits.
AIRAN_CRC_CLMUL inline __m128i fold(__m128i block, __m128i multipliers) {
  return _mm_xor_si128(_mm_clmulepi64_si128(block, multipliers, 0x11),
                       _mm_clmulepi64_si128(block, multipliers, 0x00));
}

/// The multipliers of fold() for a shift by \p blocks blocks (1 to 4).
inline __m128i fold_multipliers_for(const std::uint32_t* fold_multipliers, std::size_t blocks) {
  return _mm_set_epi64x(fold_multipliers[2 * blocks - 1], fold_multipliers[2 * blocks - 2]);
}

} // namespace

bool crc_clmul_available() {
  return cpu_features().pclmul_avx2();
}

AIRAN_CRC_CLMUL std::uint32_t crc_fold_blocks_clmul(const bit_t* bits, std::size_t num_blocks,
                                                    const std::uint32_t* slice_tables,
                                                    const std::uint32_t* fold_multipliers) {
  if (num_blocks == 0) {
    return 0;
  }
  const __m256i shuffle = first_bit_high_shuffle();
  const auto block_bits = [bits](std::size_t block) { return bits + crc_clmul_block_bits * block; };
  __m128i accumulator;
  std::size_t block = 0;
  if (num_blocks >= blocks_in_flight) {
    __m128i lanes[blocks_in_flight];
    for (std::size_t lane = 0; lane < blocks_in_flight; ++lane) {
      lanes[lane] = pack_128_bits(block_bits(lane), shuffle);
    }
    const __m128i by_all_lanes = fold_multipliers_for(fold_multipliers, blocks_in_flight);
    for (block = blocks_in_flight; block + blocks_in_flight <= num_blocks;
         block += blocks_in_flight) {
      for (std::size_t lane = 0; lane < blocks_in_flight; ++lane) {
        lanes[lane] = _mm_xor_si128(fold(lanes[lane], by_all_lanes),
                                    pack_128_bits(block_bits(block + lane), shuffle));
      }
    }
    // Lane k is followed by blocks_in_flight - 1 - k blocks of the other lanes.
    accumulator = lanes[blocks_in_flight - 1];
    for (std::size_t lane = 0; lane + 1 < blocks_in_flight; ++lane) {
      accumulator = _mm_xor_si128(
          accumulator,
          fold(lanes[lane], fold_multipliers_for(fold_multipliers, blocks_in_flight - 1 - lane)));
    }
  } else {
    accumulator = pack_128_bits(bits, shuffle);
    block = 1;
  }
  const __m128i by_one_block = fold_multipliers_for(fold_multipliers, 1);
  for (; block < num_blocks; ++block) {
    accumulator =
        _mm_xor_si128(fold(accumulator, by_one_block), pack_128_bits(block_bits(block), shuffle));
  }
  // The register of the 128-bit message the accumulator is congruent to.
  const auto high = static_cast<std::uint64_t>(_mm_extract_epi64(accumulator, 1));
  const auto low = static_cast<std::uint64_t>(_mm_cvtsi128_si64(accumulator));
  std::uint32_t reg = crc_shift_word(0, static_cast<std::uint32_t>(high >> 32), slice_tables);
  reg = crc_shift_word(reg, static_cast<std::uint32_t>(high), slice_tables);
  reg = crc_shift_word(reg, static_cast<std::uint32_t>(low >> 32), slice_tables);
  return crc_shift_word(reg, static_cast<std::uint32_t>(low), slice_tables);
}

} // namespace airan::phy::detail

#else

namespace airan::phy::detail {

bool crc_clmul_available() {
  return false;
}

std::uint32_t crc_fold_blocks_clmul(const bit_t* /*bits*/, std::size_t /*num_blocks*/,
                                    const std::uint32_t* /*slice_tables*/,
                                    const std::uint32_t* /*fold_multipliers*/) {
  return 0;
}

} // namespace airan::phy::detail

#endif
