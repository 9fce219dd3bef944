#include "airan/phy/gold_sequence.h"

namespace airan::phy {
namespace {

constexpr unsigned gold_nc = 1600; // N_C, TS 38.211 5.2.1

/// Advances both m-sequences by one step; each register holds x(n) .. x(n+30) in bits 0..30.
inline void step(std::uint32_t& x1, std::uint32_t& x2) {
  const std::uint32_t n1 = ((x1 >> 3) ^ x1) & 1U;
  const std::uint32_t n2 = ((x2 >> 3) ^ (x2 >> 2) ^ (x2 >> 1) ^ x2) & 1U;
  x1 = (x1 >> 1) | (n1 << 30);
  x2 = (x2 >> 1) | (n2 << 30);
}

} // namespace

GoldSequenceGenerator::GoldSequenceGenerator(std::uint32_t c_init, std::uint32_t offset)
    : x2_(c_init & 0x7fffffffU) {
  advance(static_cast<std::uint64_t>(gold_nc) + offset);
}

void GoldSequenceGenerator::advance(std::uint64_t steps) {
  for (std::uint64_t n = 0; n < steps; ++n) {
    step(x1_, x2_);
  }
}

void GoldSequenceGenerator::generate(std::span<bit_t> out) {
  for (auto& bit : out) {
    bit = static_cast<bit_t>((x1_ ^ x2_) & 1U);
    step(x1_, x2_);
  }
}

void GoldSequenceGenerator::apply(std::span<bit_t> bits) {
  for (auto& bit : bits) {
    bit ^= static_cast<bit_t>((x1_ ^ x2_) & 1U);
    step(x1_, x2_);
  }
}

void gold_sequence(std::uint32_t c_init, std::span<bit_t> out, std::uint32_t offset) {
  GoldSequenceGenerator(c_init, offset).generate(out);
}

} // namespace airan::phy
