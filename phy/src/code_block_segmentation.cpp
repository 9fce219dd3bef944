#include "airan/phy/code_block_segmentation.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace airan::phy {

CodeBlockSegmentation segment_code_blocks(std::uint32_t input_length, LdpcBaseGraph base_graph) {
  if (input_length == 0) {
    throw std::invalid_argument("code block segmentation: empty input");
  }
  CodeBlockSegmentation seg;
  seg.base_graph = base_graph;
  seg.input_length = input_length;
  const std::uint32_t max_cb = ldpc_max_code_block_size(base_graph);
  std::uint64_t total_length = input_length; // B'
  if (input_length <= max_cb) {
    seg.num_code_blocks = 1;
    seg.cb_crc_length = 0;
  } else {
    seg.cb_crc_length = crc_length(CrcPolynomial::crc24b);
    seg.num_code_blocks =
        (input_length + (max_cb - seg.cb_crc_length) - 1) / (max_cb - seg.cb_crc_length);
    total_length += std::uint64_t{seg.num_code_blocks} * seg.cb_crc_length;
  }
  if (total_length % seg.num_code_blocks != 0) {
    throw std::invalid_argument("code block segmentation: B' = " + std::to_string(total_length) +
                                " is not a multiple of C = " + std::to_string(seg.num_code_blocks));
  }
  seg.num_info_bits = static_cast<unsigned>(total_length / seg.num_code_blocks);

  if (base_graph == LdpcBaseGraph::bg1) {
    seg.num_systematic_columns = 22;
  } else if (input_length > 640) {
    seg.num_systematic_columns = 10;
  } else if (input_length > 560) {
    seg.num_systematic_columns = 9;
  } else if (input_length > 192) {
    seg.num_systematic_columns = 8;
  } else {
    seg.num_systematic_columns = 6;
  }
  const unsigned min_z =
      (seg.num_info_bits + seg.num_systematic_columns - 1) / seg.num_systematic_columns;
  const auto lifting = ldpc_smallest_lifting_size(min_z);
  if (!lifting) {
    throw std::invalid_argument(
        "code block segmentation: K' = " + std::to_string(seg.num_info_bits) + " needs Z > 384");
  }
  seg.lifting_size = lifting->z;
  seg.lifting_set_index = lifting->set_index;
  seg.num_systematic_bits = ldpc_systematic_length(base_graph, seg.lifting_size);
  return seg;
}

void extract_code_block(std::span<const bit_t> tb_with_crc, const CodeBlockSegmentation& seg,
                        unsigned r, std::span<bit_t> code_block) {
  if (tb_with_crc.size() != seg.input_length || code_block.size() != seg.num_info_bits ||
      r >= seg.num_code_blocks) {
    throw std::invalid_argument(
        "extract_code_block: input of " + std::to_string(tb_with_crc.size()) + " bits, block of " +
        std::to_string(code_block.size()) + " bits, r = " + std::to_string(r) +
        " do not match the segmentation");
  }
  const unsigned payload = seg.num_payload_bits();
  std::memcpy(code_block.data(), tb_with_crc.data() + std::size_t{r} * payload, payload);
  if (seg.cb_crc_length > 0) {
    static const CrcCalculator crc24b(CrcPolynomial::crc24b);
    crc24b.attach(code_block);
  }
}

} // namespace airan::phy
