#include "airan/phy/crc_calculator.h"

#include "crc_calculator_simd.h"

#include <stdexcept>
#include <string>

namespace airan::phy {

namespace {

/// The fold multipliers x^(128 + 64 i) mod x^32 + aligned generator of CrcCalculator.
std::array<std::uint32_t, crc_fold_multiplier_count>
make_fold_multipliers(std::uint32_t aligned_generator) {
  std::array<std::uint32_t, crc_fold_multiplier_count> multipliers{};
  for (std::size_t i = 0; i < multipliers.size(); ++i) {
    multipliers[i] = crc_x_power_mod(static_cast<unsigned>(128 + 64 * i), aligned_generator);
  }
  return multipliers;
}

/// Feeds \p bits into \p reg in order: 32 bits per step, then whole bytes, then single bits.
std::uint32_t feed_bits(std::uint32_t reg, std::span<const bit_t> bits,
                        const std::uint32_t* slice_tables, std::uint32_t aligned_generator) {
  std::size_t i = 0;
  for (; i + 32 <= bits.size(); i += 32) {
    reg = crc_shift_word(reg, pack_32_bits(&bits[i]), slice_tables);
  }
  for (; i + 8 <= bits.size(); i += 8) {
    reg = crc_shift_byte(reg, pack_eight_bits(&bits[i]), slice_tables);
  }
  for (; i < bits.size(); ++i) {
    reg = crc_shift_bit(reg, bits[i] & 1u, aligned_generator);
  }
  return reg;
}

} // namespace

CrcCalculator::CrcCalculator(CrcPolynomial polynomial)
    : polynomial_(polynomial), length_(crc_length(polynomial)),
      aligned_generator_(crc_generator_bits(polynomial) << (32 - crc_length(polynomial))),
      tables_(make_crc_slice_tables(aligned_generator_)),
      fold_multipliers_(make_fold_multipliers(aligned_generator_)) {}

std::uint32_t CrcCalculator::compute(std::span<const bit_t> bits) const {
  return compute(bits, CrcImplementation::automatic);
}

bool CrcCalculator::implementation_available(CrcImplementation implementation) {
  return implementation != CrcImplementation::clmul || detail::crc_clmul_available();
}

std::uint32_t CrcCalculator::compute(std::span<const bit_t> bits,
                                     CrcImplementation implementation) const {
  if (implementation == CrcImplementation::automatic) {
    implementation =
        detail::crc_clmul_available() ? CrcImplementation::clmul : CrcImplementation::table;
  }
  std::uint32_t reg = 0;
  if (implementation == CrcImplementation::clmul) {
    if (!detail::crc_clmul_available()) {
      throw std::invalid_argument("CRC: this CPU or build has no carry-less multiplication");
    }
    const std::size_t num_blocks = bits.size() / detail::crc_clmul_block_bits;
    reg = detail::crc_fold_blocks_clmul(bits.data(), num_blocks, tables_.data(),
                                        fold_multipliers_.data());
    reg = feed_bits(reg, bits.subspan(num_blocks * detail::crc_clmul_block_bits), tables_.data(),
                    aligned_generator_);
    return reg >> (32 - length_);
  }
  // The register starts at zero, so the leading bits that do not fill a 32-bit word can go
  // first: single bits, then whole bytes; the rest goes 32 bits per step.
  const std::size_t num_single_bits = bits.size() % 8;
  const std::size_t words_begin = bits.size() % 32;
  std::size_t i = 0;
  for (; i < num_single_bits; ++i) {
    reg = crc_shift_bit(reg, bits[i] & 1u, aligned_generator_);
  }
  for (; i < words_begin; i += 8) {
    reg = crc_shift_byte(reg, pack_eight_bits(&bits[i]), tables_.data());
  }
  for (; i < bits.size(); i += 32) {
    reg = crc_shift_word(reg, pack_32_bits(&bits[i]), tables_.data());
  }
  return reg >> (32 - length_);
}

void CrcCalculator::compute_bits(std::span<const bit_t> bits, std::span<bit_t> parity) const {
  if (parity.size() != length_) {
    throw std::invalid_argument("CRC parity span holds " + std::to_string(parity.size()) +
                                " bits, expected " + std::to_string(length_));
  }
  const std::uint32_t remainder = compute(bits);
  for (unsigned i = 0; i < length_; ++i) {
    parity[i] = static_cast<bit_t>((remainder >> (length_ - 1 - i)) & 1u);
  }
}

void CrcCalculator::attach(std::span<bit_t> block) const {
  if (block.size() < length_) {
    throw std::invalid_argument("CRC block of " + std::to_string(block.size()) +
                                " bits cannot hold " + std::to_string(length_) + " parity bits");
  }
  const std::size_t message_length = block.size() - length_;
  compute_bits(block.first(message_length), block.subspan(message_length));
}

bool CrcCalculator::check(std::span<const bit_t> block_with_crc) const {
  return block_with_crc.size() >= length_ && compute(block_with_crc) == 0;
}

std::vector<std::uint32_t> CrcCalculator::bit_contributions(unsigned max_bits) const {
  std::vector<std::uint32_t> contributions(max_bits);
  std::uint32_t reg = crc_shift_bit(0, 1, aligned_generator_);
  for (unsigned p = 0; p < max_bits; ++p) {
    contributions[p] = reg;
    reg = crc_earlier_bit_contribution(reg, aligned_generator_);
  }
  return contributions;
}

} // namespace airan::phy
