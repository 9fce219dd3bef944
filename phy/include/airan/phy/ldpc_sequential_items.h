/// \file
/// \brief The work items of the LDPC lane decoders run one after another on the host (lane by
/// lane, part by part; the end of a loop is the barrier): the common part of the host lanes of
/// ldpc_lane_decode() and ldpc_pair_decode().
#pragma once

namespace airan::phy {

/// Items (lane, part) for every lane 0 .. z-1 and part 0 .. num_parts-1, in that order.
struct LdpcSequentialItems {
  unsigned num_parts = 1; ///< Threads per check node (1, 2 or 4).
  [[nodiscard]] unsigned parts() const { return num_parts; }
  template <class F> void for_each_item(unsigned z, F&& f) {
    for (unsigned lane = 0; lane < z; ++lane) {
      for (unsigned part = 0; part < num_parts; ++part) {
        f(lane, part);
      }
    }
  }
};

} // namespace airan::phy
