/// \file
/// \brief Host side of the paired LDPC decoder: the pair run with a loop over the lanes (the
/// schedule of the CUDA pair kernel, one lane after another).
#include "airan/phy/ldpc_pair_decoder.h"
#include "airan/phy/ldpc_pair_host_lanes.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {

void ldpc_decode_pair_on_host(const std::span<const std::int8_t> llrs[2],
                              const LdpcDecoderConfig configs[2],
                              const std::span<bit_t> messages[2], LdpcLaneResult results[2],
                              std::optional<CrcPolynomial> crc, unsigned parts,
                              bool parity_only_for_zero_message) {
  if (parts != 1 && parts != 2 && parts != 4) {
    throw std::invalid_argument("ldpc_decode_pair_on_host: " + std::to_string(parts) +
                                " parts per check node (1, 2 or 4)");
  }
  std::vector<std::uint32_t> contributions;
  if (crc) {
    contributions = CrcCalculator(*crc).bit_contributions(configs[0].num_info_bits);
  }
  const LdpcLiftedGraph graph = ldpc_lift_graph(configs[0].base_graph, configs[0].lifting_size);
  LdpcLaneCode codes[2];
  for (unsigned h = 0; h < 2; ++h) {
    ldpc_check_decoder_arguments(configs[h], llrs[h].size(), messages[h].size());
    LdpcDecoderConfig resolved = configs[h];
    if (resolved.num_rows == 0) {
      resolved.num_rows = ldpc_rows_for_llrs(resolved.base_graph, resolved.lifting_size, llrs[h]);
    }
    codes[h] =
        ldpc_lane_code(resolved, static_cast<unsigned>(llrs[h].size()), graph.row_begin.data(),
                       graph.edges.data(), crc ? contributions.data() : nullptr);
    codes[h].parity_only_for_zero_message = parity_only_for_zero_message;
  }
  if (configs[1].base_graph != configs[0].base_graph || !ldpc_lane_codes_pair(codes[0], codes[1])) {
    throw std::invalid_argument("ldpc_decode_pair_on_host: the two codes do not pair");
  }
  const LdpcPairCode pair = ldpc_pair_code(codes[0], codes[1]);
  std::vector<Int16Pair> app(std::size_t{pair.num_columns} * pair.half[0].lifting_size);
  // Not zeroed, as on the device: the decoder must write every message before it reads it.
  std::vector<std::uint16_t> message_pairs(
      std::size_t{graph.row_begin[pair.num_rows]} * pair.half[0].lifting_size,
      static_cast<std::uint16_t>(0x0101U * static_cast<std::uint8_t>(ldpc_unwritten_message)));
  LdpcSequentialPairLanes lanes{{parts}, std::vector<LdpcPairNodeState>(pair.half[0].lifting_size)};
  const std::int8_t* const llr_pointers[2] = {llrs[0].data(), llrs[1].data()};
  std::uint8_t* const bit_pointers[2] = {messages[0].data(), messages[1].data()};
  ldpc_pair_decode(lanes, pair, llr_pointers, app.data(), message_pairs.data(), bit_pointers,
                   results);
}

} // namespace airan::phy
