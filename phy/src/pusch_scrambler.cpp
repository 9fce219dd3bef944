#include "airan/phy/pusch_scrambler.h"

namespace airan::phy {

void scramble_bits(std::span<bit_t> bits, std::uint32_t c_init) {
  GoldSequenceGenerator(c_init).apply(bits);
}

} // namespace airan::phy
