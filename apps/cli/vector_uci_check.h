/// \file
/// \brief The UCI payloads of a test vector's PDU against what a receiver decoded (the replays').
#pragma once

#include "airan/io/test_vector_file.h"
#include "airan/phy/pusch_receiver.h"

#include <tuple>

namespace airan::cli {

/// Calls \p count(right) for each UCI part \p sent carried (its payload in the vector not
/// empty): right when \p result detected it with the vector's bits.
template <typename Count>
void check_uci_payloads(const phy::PuschPduResult& result, const io::TestVectorPdu& sent,
                        Count&& count) {
  const phy::PuschUciResult& u = result.uci;
  for (const auto& [got, want, detected] :
       {std::tuple{&u.harq_ack, &sent.harq_ack_bits, u.harq_ack_detected},
        std::tuple{&u.csi_part1, &sent.csi_part1_bits, u.csi_part1_detected},
        std::tuple{&u.csi_part2, &sent.csi_part2_bits, u.csi_part2_detected}}) {
    if (!want->empty()) {
      count(detected && *got == *want);
    }
  }
}

} // namespace airan::cli
