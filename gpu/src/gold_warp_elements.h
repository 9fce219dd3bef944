/// \file
/// \brief Per-lane code of the Gold sequence's warp-shared jump (gold_warp.cuh): host and device,
/// with the warp's cross-lane XOR reduction a parameter (on the device __reduce_xor_sync, on the
/// host an emulated warp of 32 lanes, tests/gpu/front_end_emulation_warp.h), so that a CPU test
/// runs each lane's code against phy's sequential Gold sequence
/// (tests/gpu/gold_warp_emulation_test.cpp). The kernels add the lane index and the reduction.
#pragma once

#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/host_device.h"

#include <cstdint>

namespace airan::gpu::detail {

/// Lanes of a warp.
inline constexpr unsigned warp_lanes = 32;

/// Lane \p lane's share of one jump matrix (31 column words \p columns) applied to the register
/// \p x: column \p lane where bit \p lane of \p x is set, else 0 (lane 31 has no column). The XOR
/// of the 32 lanes' shares is the product.
AIRAN_HOST_DEVICE inline std::uint32_t gold_jump_column_share(const std::uint32_t* columns,
                                                              std::uint32_t x, unsigned lane) {
  return lane < 31 && ((x >> lane) & 1U) != 0 ? columns[lane] : 0U;
}

/// The cursor of lane \p lane at c(n + 32 lane) of the sequence of \p c_init (\p n and \p c_init
/// the same in every lane; every lane of the warp must call it): phy::gold_word_cursor(table,
/// c_init, n + 32 lane). The warp jumps both registers to c(n) together (gold_jump() level by
/// level, the two chains interleaved; \p warp_xor(share) returns the XOR of the 32 lanes' shares,
/// gold_jump_column_share()), then the lane runs on \p lane words.
template <typename WarpXor>
AIRAN_HOST_DEVICE inline phy::GoldWordCursor
warp_gold_word_cursor(const phy::GoldJumpTable& table, std::uint32_t c_init, std::uint32_t n,
                      unsigned lane, WarpXor&& warp_xor) {
  phy::GoldWordCursor cursor;
  cursor.x2 = c_init & 0x7fffffffU;
  std::uint64_t steps = std::uint64_t{phy::gold_nc} + n;
  for (unsigned k = 0; k < phy::gold_jump_levels && steps != 0; ++k, steps >>= 1) {
    if ((steps & 1U) != 0) {
      const std::uint32_t x1 = warp_xor(gold_jump_column_share(table.x1[k], cursor.x1, lane));
      cursor.x2 = warp_xor(gold_jump_column_share(table.x2[k], cursor.x2, lane));
      cursor.x1 = x1;
    }
  }
  for (unsigned word = 0; word < lane; ++word) {
    cursor.step16();
    cursor.step16();
  }
  return cursor;
}

} // namespace airan::gpu::detail
