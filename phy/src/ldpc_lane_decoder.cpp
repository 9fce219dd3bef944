/// \file
/// \brief Host side of the lane-wise LDPC decoder: lifted graphs, lane codes, and the decoder run
/// with a loop over the lanes (the schedule of the CUDA kernel, one lane after another).
#include "airan/phy/ldpc_lane_decoder.h"

#include "airan/phy/ldpc_batch_decoder.h"

#include "airan/phy/ldpc_encoder.h"
#include "airan/phy/ldpc_sequential_items.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {

LdpcLiftedGraph ldpc_lift_graph(LdpcBaseGraph graph, unsigned lifting_size) {
  const auto set_index = ldpc_lifting_set_index(lifting_size);
  if (!set_index) {
    throw std::invalid_argument("LDPC: " + std::to_string(lifting_size) + " is not a lifting size");
  }
  LdpcLiftedGraph lifted;
  lifted.base_graph = graph;
  lifted.lifting_size = lifting_size;
  const auto entries = ldpc_base_graph_entries(graph);
  for (std::size_t e = 0; e < entries.size(); ++e) {
    lifted.edges[e] = ldpc_lifted_edge(entries[e].column,
                                       entries[e].shift[*set_index] % lifting_size, lifting_size);
    ++lifted.row_begin[entries[e].row + 1u];
  }
  for (unsigned r = 0; r < ldpc_num_rows(graph); ++r) {
    lifted.row_begin[r + 1] =
        static_cast<std::uint16_t>(lifted.row_begin[r + 1] + lifted.row_begin[r]);
  }
  return lifted;
}

LdpcLaneCode ldpc_lane_code(const LdpcDecoderConfig& config, unsigned num_llrs,
                            const std::uint16_t* row_begin, const LdpcLiftedEdge* edges,
                            const std::uint32_t* crc_contributions) {
  ldpc_check_decoder_arguments(config, num_llrs, config.num_info_bits);
  if (config.num_rows == 0) {
    throw std::invalid_argument("LDPC lane decoder: num_rows must be resolved (4 .. " +
                                std::to_string(ldpc_num_rows(config.base_graph)) + ")");
  }
  if (config.early_termination == LdpcEarlyTermination::crc_check && crc_contributions == nullptr) {
    throw std::invalid_argument("LDPC decoder: crc_check termination without a CRC check");
  }
  const unsigned z = config.lifting_size;
  const LdpcEncoderConfig encoder{config.base_graph, z, config.num_info_bits};
  LdpcLaneCode code;
  code.lifting_size = z;
  code.num_rows = config.num_rows;
  code.num_columns = ldpc_num_systematic_columns(config.base_graph) + config.num_rows;
  code.num_info_bits = config.num_info_bits;
  code.num_llrs = num_llrs;
  code.filler_begin = config.num_info_bits; // c_K': punctured filler bits (K' < 2Z) too
  code.filler_end = ldpc_filler_end(encoder) + 2 * z;
  code.max_iterations = config.max_iterations;
  code.parity_termination = config.early_termination == LdpcEarlyTermination::parity_check;
  code.crc_termination = config.early_termination == LdpcEarlyTermination::crc_check;
  code.crc_contributions = crc_contributions;
  code.rule.normalized = config.rule == LdpcMinSumRule::normalized;
  // The same Q15 factor as the CPU decoders.
  code.rule.factor_q15 =
      code.rule.normalized // only the normalized rule checks (and uses) its factor
          ? static_cast<int>(std::min(32767.0f, std::round(config.scaling_factor * 32768.0f)))
          : 0;
  code.rule.offset = static_cast<int>(config.offset);
  code.row_begin = row_begin;
  code.edges = edges;
  return code;
}

namespace {

/// Work items run one after another, lane by lane and part by part; the end of a loop is the
/// barrier. The parts of a check node are merged in part order (any order gives the same state).
struct SequentialLanes : LdpcSequentialItems {
  std::vector<LdpcCheckNodeState> merged; ///< Per lane, sized by the caller (Z).
  template <class F> std::uint32_t xor_items(unsigned z, F&& f) {
    std::uint32_t total = 0;
    for_each_item(z, [&](unsigned lane, unsigned part) { total ^= f(lane, part); });
    return total;
  }
  template <class F> bool any_item(unsigned z, F&& f) {
    bool any = false;
    for_each_item(z, [&](unsigned lane, unsigned part) {
      any = f(lane, part) || any; // every item runs, as on the GPU
    });
    return any;
  }
  /// check_nodes() with an LdpcKeptEdges per item (kept, sized by the caller: Z x parts).
  std::vector<LdpcKeptEdges> kept;
  template <class State, class Update>
  void check_nodes_kept(unsigned z, State&& state, Update&& update) {
    // Every lane's pass 1 before any pass 2, as the threads of a layer run them: the lanes of a
    // layer touch disjoint values, so this is the order the device may take too.
    for (unsigned lane = 0; lane < z; ++lane) {
      LdpcCheckNodeState node = state(lane, 0U, kept[std::size_t{lane} * num_parts]);
      for (unsigned part = 1; part < num_parts; ++part) {
        node = ldpc_merge_check_node_states(
            node, state(lane, part, kept[std::size_t{lane} * num_parts + part]));
      }
      merged[lane] = node;
    }
    for (unsigned lane = 0; lane < z; ++lane) {
      for (unsigned part = 0; part < num_parts; ++part) {
        update(lane, part, merged[lane], kept[std::size_t{lane} * num_parts + part]);
      }
    }
  }
  /// check_nodes_kept() without the kept edges.
  template <class State, class Update>
  void check_nodes(unsigned z, State&& state, Update&& update) {
    check_nodes_kept(
        z, [&](unsigned lane, unsigned part, LdpcKeptEdges&) { return state(lane, part); },
        [&](unsigned lane, unsigned part, const LdpcCheckNodeState& node, const LdpcKeptEdges&) {
          update(lane, part, node);
        });
  }
};

} // namespace

LdpcLaneResult ldpc_decode_lanes_on_host(std::span<const std::int8_t> llrs,
                                         const LdpcDecoderConfig& config, std::span<bit_t> message,
                                         std::optional<CrcPolynomial> crc, unsigned parts,
                                         bool keep_extrinsics) {
  ldpc_check_decoder_arguments(config, llrs.size(), message.size());
  if (parts != 1 && parts != 2 && parts != 4) {
    throw std::invalid_argument("ldpc_decode_lanes_on_host: " + std::to_string(parts) +
                                " parts per check node (1, 2 or 4)");
  }
  std::vector<std::uint32_t> contributions;
  if (crc) {
    contributions = CrcCalculator(*crc).bit_contributions(config.num_info_bits);
  }
  const LdpcLiftedGraph graph = ldpc_lift_graph(config.base_graph, config.lifting_size);
  LdpcDecoderConfig resolved = config;
  if (resolved.num_rows == 0) {
    resolved.num_rows = ldpc_rows_for_llrs(config.base_graph, config.lifting_size, llrs);
  }
  LdpcLaneCode code =
      ldpc_lane_code(resolved, static_cast<unsigned>(llrs.size()), graph.row_begin.data(),
                     graph.edges.data(), crc ? contributions.data() : nullptr);
  code.keep_extrinsics = keep_extrinsics;
  return ldpc_decode_lane_code_on_host(code, llrs, message, parts);
}

LdpcLaneResult ldpc_decode_lane_code_on_host(const LdpcLaneCode& code,
                                             std::span<const std::int8_t> llrs,
                                             std::span<bit_t> message, unsigned parts) {
  if (parts != 1 && parts != 2 && parts != 4) {
    throw std::invalid_argument("ldpc_decode_lane_code_on_host: " + std::to_string(parts) +
                                " parts per check node (1, 2 or 4)");
  }
  if (llrs.size() < code.num_llrs || message.size() < code.num_info_bits) {
    throw std::invalid_argument("ldpc_decode_lane_code_on_host: " + std::to_string(llrs.size()) +
                                " LLRs and " + std::to_string(message.size()) + " bits for " +
                                std::to_string(code.num_llrs) + " and " +
                                std::to_string(code.num_info_bits));
  }
  std::vector<std::int16_t> app(std::size_t{code.num_columns} * code.lifting_size);
  // Not zeroed, as on the device: the decoder must write every message before it reads it.
  std::vector<std::int8_t> messages(std::size_t{code.row_begin[code.num_rows]} * code.lifting_size,
                                    ldpc_unwritten_message);
  SequentialLanes lanes{{parts},
                        std::vector<LdpcCheckNodeState>(code.lifting_size),
                        std::vector<LdpcKeptEdges>(std::size_t{code.lifting_size} * parts)};
  return ldpc_lane_decode(lanes, code, llrs.data(), app.data(), messages.data(), message.data());
}

namespace {

/// ldpc_decode_lanes_on_host() for each job in turn.
class HostLaneBatchDecoder final : public LdpcBatchDecoder {
public:
  explicit HostLaneBatchDecoder(unsigned max_code_blocks) : max_code_blocks_(max_code_blocks) {
    if (max_code_blocks == 0) {
      throw std::invalid_argument("LDPC batch decoder: max_code_blocks must be at least 1");
    }
  }

  void decode(std::span<const LdpcBatchJob> jobs, std::span<LdpcDecoderResult> results) override {
    if (jobs.size() > max_code_blocks_ || results.size() != jobs.size()) {
      throw std::invalid_argument("LDPC batch decoder: " + std::to_string(jobs.size()) + " jobs, " +
                                  std::to_string(results.size()) + " results, at most " +
                                  std::to_string(max_code_blocks_));
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const LdpcLaneResult lane =
          ldpc_decode_lanes_on_host(jobs[i].llrs, jobs[i].config, jobs[i].message, jobs[i].crc);
      results[i] = {lane.iterations, lane.parity_ok, lane.crc_ok};
    }
  }

  [[nodiscard]] unsigned max_code_blocks() const override { return max_code_blocks_; }
  [[nodiscard]] std::string description() const override { return "host lanes"; }

private:
  unsigned max_code_blocks_;
};

} // namespace

std::unique_ptr<LdpcBatchDecoder> create_host_lane_ldpc_batch_decoder(unsigned max_code_blocks) {
  return std::make_unique<HostLaneBatchDecoder>(max_code_blocks);
}

} // namespace airan::phy
