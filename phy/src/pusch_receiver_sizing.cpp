/// \file
/// \brief Sizes a PUSCH receiver allocates for: the largest TBS of an allocation and the HARQ
/// soft values that any TB up to it needs.
#include "airan/phy/pusch_receiver_sizing.h"

#include "airan/phy/ldpc_base_graph.h"

#include <algorithm>

namespace airan::phy {
namespace {

/// Soft values (C N_cb, no LBRM) of a TB of \p tbs bits coded with \p graph (TS 38.212 5.2.2
/// segmentation, rounded up for sizes that are not valid TBS values).
std::size_t soft_buffer_bound(LdpcBaseGraph graph, std::uint32_t tbs) {
  const bool bg1 = graph == LdpcBaseGraph::bg1;
  const std::uint64_t b = tbs + (tbs > 3824 ? 24 : 16);
  const std::uint64_t k_cb = bg1 ? 8448 : 3840;
  const std::uint64_t c = b <= k_cb ? 1 : (b + k_cb - 24 - 1) / (k_cb - 24);
  const std::uint64_t k_prime = (b + (c > 1 ? 24 * c : 0) + c - 1) / c;
  const unsigned k_b = bg1 ? 22 : (b > 640 ? 10 : b > 560 ? 9 : b > 192 ? 8 : 6);
  const auto lifting = ldpc_smallest_lifting_size(static_cast<unsigned>((k_prime + k_b - 1) / k_b));
  const unsigned z = lifting ? lifting->z : 384;
  return static_cast<std::size_t>(c * ldpc_codeword_length(graph, z));
}

} // namespace

std::uint32_t pusch_largest_tbs(unsigned num_prbs, unsigned layers) {
  const double n_info = 156.0 * num_prbs * layers * 8.0 * 948.0 / 1024.0;
  return static_cast<std::uint32_t>(n_info * 1.05) + 1024;
}

std::size_t pusch_harq_buffer_length(std::uint32_t max_tbs, std::uint32_t max_qpsk_bits) {
  const std::uint32_t bg2_tbs =
      std::min(max_tbs, std::max<std::uint32_t>(3824, max_qpsk_bits / 4 + 1024));
  return std::max(soft_buffer_bound(LdpcBaseGraph::bg1, max_tbs),
                  soft_buffer_bound(LdpcBaseGraph::bg2, bg2_tbs));
}

} // namespace airan::phy
