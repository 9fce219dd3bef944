/// \file
/// \brief The lanes of phy::ldpc_pair_decode() on the host: every work item in turn, lane by
/// lane and part by part, the end of a loop standing for the CUDA pair kernel's barrier, and
/// every lane's pass 1 of a layer before any pass 2 (as the threads of a layer may run them).
/// phy::ldpc_decode_pair_on_host() and the pair kernel's host emulation
/// (tests/gpu/ldpc_pair_kernel_emulation.h) decode with them.
#pragma once

#include "airan/phy/ldpc_pair_decoder.h"
#include "airan/phy/ldpc_sequential_items.h"

#include <cstdint>
#include <vector>

namespace airan::phy {

/// Sequential lanes of the pair decoder (the Lanes concept of ldpc_pair_decode()).
struct LdpcSequentialPairLanes : LdpcSequentialItems {
  std::vector<LdpcPairNodeState> merged; ///< Per lane, sized by the caller (Z).
  template <class F> std::uint32_t or_items(unsigned z, F&& f) {
    std::uint32_t total = 0;
    for_each_item(z, [&](unsigned lane, unsigned part) { total |= f(lane, part); });
    return total;
  }
  template <class F> std::uint64_t xor_items_pair(unsigned z, F&& f) {
    std::uint64_t total = 0;
    for_each_item(z, [&](unsigned lane, unsigned part) { total ^= f(lane, part); });
    return total;
  }
  template <class State, class Update>
  void check_nodes(unsigned z, State&& state, Update&& update) {
    for (unsigned lane = 0; lane < z; ++lane) {
      LdpcPairNodeState node = state(lane, 0U);
      for (unsigned part = 1; part < num_parts; ++part) {
        node = ldpc_pair_merge_states(node, state(lane, part));
      }
      merged[lane] = node;
    }
    for (unsigned lane = 0; lane < z; ++lane) {
      for (unsigned part = 0; part < num_parts; ++part) {
        update(lane, part, merged[lane]);
      }
    }
  }
};

} // namespace airan::phy
