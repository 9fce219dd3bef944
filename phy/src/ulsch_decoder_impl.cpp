/// \file
/// \brief UL-SCH channel decoding (TS 38.212 6.2 in reverse): segmentation as at the transmitter,
/// per code block rate recovery into the circular buffer (scratch or HARQ buffer), int8
/// quantisation, LDPC decoding with CRC24B or parity-check early termination, desegmentation in
/// place and the TB CRC.
#include "airan/phy/ulsch_decoder.h"

#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/ldpc_rate_recovery.h"
#include "airan/phy/thread_pool.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {

namespace {

/// Largest encoder output N (BG1, Z = 384): the size of one code block's circular buffer.
constexpr unsigned max_codeword_length = 66 * 384;

/// Largest TBS whose segmentation has at most ulsch_max_code_blocks blocks of the largest size.
constexpr std::uint32_t max_supported_tbs = ulsch_max_code_blocks * (8448 - 24) - 24;

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("UL-SCH decoder: " + what);
}

/// Everything about a transport block that follows from its configuration.
struct TransportBlockLayout {
  CodeBlockSegmentation seg;
  LdpcRateMatchConfig rate_match; ///< Shared by all code blocks.
  CrcPolynomial tb_crc = CrcPolynomial::crc16;
};

TransportBlockLayout layout_transport_block(const UlschCodingConfig& coding) {
  TransportBlockLayout layout;
  layout.tb_crc = transport_block_crc_polynomial(coding.tbs);
  const LdpcBaseGraph graph = select_ldpc_base_graph(coding.tbs, coding.target_code_rate);
  layout.seg = segment_code_blocks(coding.tbs + crc_length(layout.tb_crc), graph);
  if (layout.seg.num_code_blocks > ulsch_max_code_blocks) {
    fail(std::to_string(layout.seg.num_code_blocks) + " code blocks exceed " +
         std::to_string(ulsch_max_code_blocks));
  }
  const unsigned z = layout.seg.lifting_size;
  layout.rate_match.code = {graph, z, layout.seg.num_info_bits};
  layout.rate_match.n_cb =
      ldpc_circular_buffer_length(graph, z, layout.seg.num_code_blocks, coding.tbs_lbrm);
  layout.rate_match.rv = coding.rv;
  layout.rate_match.modulation_order = coding.modulation_order;
  return layout;
}

/// Working memory of one thread decoding code blocks.
struct CodeBlockLane {
  CodeBlockLane() : circular_buffer(max_codeword_length), llrs(max_codeword_length), message(8448) {
    crc_check = [this](std::span<const bit_t> bits) { return crc24b.check(bits); };
  }
  CodeBlockLane(const CodeBlockLane&) = delete;
  CodeBlockLane& operator=(const CodeBlockLane&) = delete;

  std::unique_ptr<LdpcDecoder> ldpc = create_ldpc_decoder();
  CrcCalculator crc24b{CrcPolynomial::crc24b};
  LdpcCrcCheck crc_check;             ///< Code block CRC check given to the LDPC decoder.
  std::vector<float> circular_buffer; ///< One code block's soft values without HARQ.
  std::vector<std::int8_t> llrs;      ///< One code block's quantised soft values.
  BitVector message;                  ///< K' decoded bits of one code block.
};

class UlschDecoderImpl final : public UlschDecoder {
public:
  UlschDecoderImpl(std::uint32_t max_tbs, ThreadPool* code_block_pool);

  UlschDecoderResult decode(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                            std::span<bit_t> tb_bits) override;
  UlschDecoderResult decode(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                            HarqSoftBuffer& harq_buffer, std::span<bit_t> tb_bits) override;

private:
  /// Checks every argument, so that nothing fails once buffers are being modified.
  TransportBlockLayout check_and_layout(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                                        std::span<bit_t> tb_bits) const;
  /// Rate recovery (by \p recover), LDPC decoding and CRCs of every code block of a TB.
  template <typename RecoverCodeBlock>
  UlschDecoderResult decode_code_blocks(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                                        const TransportBlockLayout& layout,
                                        std::span<bit_t> tb_bits, RecoverCodeBlock&& recover);
  /// Quantises and decodes code block \p r from its received soft values (the leading part of
  /// its circular buffer) with \p lane's memory, writing its payload bits at their place in
  /// tb_with_crc_ and whether they are accepted to \p accepted. Code blocks may run on several
  /// lanes at once: each writes only its own payload bits.
  /// \return The LDPC iterations run, 0 when nothing was received.
  unsigned decode_code_block(std::span<const float> soft_values, const TransportBlockLayout& layout,
                             const UlschDecoderConfig& cfg, unsigned r, CodeBlockLane& lane,
                             bool& accepted);

  std::uint32_t max_tbs_;
  ThreadPool* code_block_pool_; ///< Decodes code blocks in parallel when set.
  CrcCalculator crc16_{CrcPolynomial::crc16};
  CrcCalculator crc24a_{CrcPolynomial::crc24a};
  /// B TB bits with their CRC (the concatenated code block payloads).
  BitVector tb_with_crc_;
  std::vector<std::unique_ptr<CodeBlockLane>> lanes_; ///< One per thread of the pool.
};

/// \p max_tbs when the decoder supports it (checked before anything is sized from it).
std::uint32_t checked_max_tbs(std::uint32_t max_tbs) {
  if (max_tbs == 0 || max_tbs > max_supported_tbs) {
    fail("maximum TBS " + std::to_string(max_tbs) + " outside 1.." +
         std::to_string(max_supported_tbs));
  }
  return max_tbs;
}

UlschDecoderImpl::UlschDecoderImpl(std::uint32_t max_tbs, ThreadPool* code_block_pool)
    : max_tbs_(checked_max_tbs(max_tbs)), code_block_pool_(code_block_pool),
      tb_with_crc_(std::size_t{max_tbs} + 48) {
  const unsigned num_lanes = code_block_pool != nullptr ? code_block_pool->num_lanes() : 1;
  // One pass over the largest code lets each LDPC decoder size its working memory now.
  LdpcDecoderConfig largest;
  largest.base_graph = LdpcBaseGraph::bg1;
  largest.lifting_size = 384;
  largest.num_info_bits = 8448;
  largest.max_iterations = 1;
  largest.early_termination = LdpcEarlyTermination::none;
  largest.num_rows = ldpc_num_rows(LdpcBaseGraph::bg1);
  for (unsigned i = 0; i < num_lanes; ++i) {
    lanes_.push_back(std::make_unique<CodeBlockLane>());
    CodeBlockLane& lane = *lanes_.back();
    lane.ldpc->decode(lane.llrs, largest, lane.message);
  }
}

TransportBlockLayout UlschDecoderImpl::check_and_layout(std::span<const float> llrs,
                                                        const UlschDecoderConfig& cfg,
                                                        std::span<bit_t> tb_bits) const {
  const UlschCodingConfig& coding = cfg.coding;
  if (coding.tbs == 0 || coding.tbs > max_tbs_ || tb_bits.size() != coding.tbs) {
    fail("TBS " + std::to_string(coding.tbs) + " (maximum " + std::to_string(max_tbs_) +
         ") with an output of " + std::to_string(tb_bits.size()) + " bits");
  }
  if (coding.g == 0 || llrs.size() != coding.g) {
    fail("G = " + std::to_string(coding.g) + " with " + std::to_string(llrs.size()) + " LLRs");
  }
  if (coding.modulation_order == 0 || coding.modulation_order > 10 || coding.num_layers == 0 ||
      coding.num_layers > 4 || coding.g % (coding.modulation_order * coding.num_layers) != 0) {
    fail("Q_m = " + std::to_string(coding.modulation_order) +
         ", N_L = " + std::to_string(coding.num_layers) + " with G = " + std::to_string(coding.g));
  }
  if (coding.rv > 3) {
    fail("redundancy version " + std::to_string(coding.rv));
  }
  if (cfg.max_iterations == 0 ||
      !(cfg.min_sum_scaling_factor > 0.0f && cfg.min_sum_scaling_factor <= 1.0f) ||
      cfg.min_sum_offset > static_cast<unsigned>(ldpc_llr_max) ||
      !(cfg.llr_scale > 0.0f && std::isfinite(cfg.llr_scale))) {
    fail("max_iterations " + std::to_string(cfg.max_iterations) + ", min-sum factor " +
         std::to_string(cfg.min_sum_scaling_factor) + ", offset " +
         std::to_string(cfg.min_sum_offset) + ", LLR scale " + std::to_string(cfg.llr_scale));
  }
  return layout_transport_block(coding);
}

unsigned UlschDecoderImpl::decode_code_block(std::span<const float> soft_values,
                                             const TransportBlockLayout& layout,
                                             const UlschDecoderConfig& cfg, unsigned r,
                                             CodeBlockLane& lane, bool& accepted) {
  const CodeBlockSegmentation& seg = layout.seg;
  const std::span<bit_t> message = std::span<bit_t>(lane.message).first(seg.num_info_bits);
  const auto store_payload = [&] {
    std::memcpy(tb_with_crc_.data() + std::size_t{r} * seg.num_payload_bits(), message.data(),
                seg.num_payload_bits());
  };
  const auto received_length = static_cast<unsigned>(soft_values.size());
  const std::span<std::int8_t> llrs = std::span<std::int8_t>(lane.llrs).first(received_length);
  quantize_ldpc_llrs(soft_values, cfg.llr_scale, llrs);
  const bool anything_received =
      std::any_of(llrs.begin(), llrs.end(), [](std::int8_t llr) { return llr != 0; });
  if (!anything_received) {
    // All-zero soft values decode to the all-zero word, whose CRCs hold: report a failure.
    std::fill(message.begin(), message.end(), bit_t{0});
    store_payload();
    accepted = false;
    return 0;
  }

  LdpcDecoderConfig ldpc;
  ldpc.base_graph = seg.base_graph;
  ldpc.lifting_size = seg.lifting_size;
  ldpc.num_info_bits = seg.num_info_bits;
  ldpc.max_iterations = cfg.max_iterations;
  ldpc.rule = cfg.min_sum_rule;
  ldpc.scaling_factor = cfg.min_sum_scaling_factor;
  ldpc.offset = cfg.min_sum_offset;
  ldpc.num_rows = ldpc_rows_for_received_length(seg.base_graph, seg.lifting_size, received_length);
  const bool has_cb_crc = seg.num_code_blocks > 1;
  if (!cfg.early_termination) {
    ldpc.early_termination = LdpcEarlyTermination::none;
  } else {
    ldpc.early_termination =
        has_cb_crc ? LdpcEarlyTermination::crc_check : LdpcEarlyTermination::parity_check;
  }
  const LdpcDecoderResult decoded =
      lane.ldpc->decode(llrs, ldpc, message, has_cb_crc ? lane.crc_check : LdpcCrcCheck{});
  // Every CRC holds on the all-zero word (the registers start at zero), which is also what the
  // decoder outputs where the APPs stay 0, e.g. when no systematic bit was received: accept an
  // all-zero message only when it is an LDPC codeword consistent with the received bits.
  const bool all_zero =
      std::none_of(message.begin(), message.end(), [](bit_t bit) { return bit != 0; });
  accepted = (!has_cb_crc || decoded.crc_ok) && (!all_zero || decoded.parity_ok);
  store_payload();
  return decoded.iterations;
}

template <typename RecoverCodeBlock>
UlschDecoderResult
UlschDecoderImpl::decode_code_blocks(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                                     const TransportBlockLayout& layout, std::span<bit_t> tb_bits,
                                     RecoverCodeBlock&& recover) {
  const UlschCodingConfig& coding = cfg.coding;
  const unsigned num_cbs = layout.seg.num_code_blocks;
  std::array<std::uint32_t, ulsch_max_code_blocks> offsets{};
  std::array<unsigned, ulsch_max_code_blocks> lengths{};
  std::uint32_t offset = 0;
  for (unsigned r = 0; r < num_cbs; ++r) {
    offsets[r] = offset;
    lengths[r] =
        ldpc_rate_matched_length(r, num_cbs, coding.g, coding.num_layers, coding.modulation_order);
    offset += lengths[r];
  }
  std::array<unsigned, ulsch_max_code_blocks> iterations{};
  std::array<bool, ulsch_max_code_blocks> accepted{};
  const auto decode_one = [&](std::size_t r, unsigned lane_index) {
    CodeBlockLane& lane = *lanes_[lane_index];
    const std::span<const float> soft_values =
        recover(static_cast<unsigned>(r), lane, llrs.subspan(offsets[r], lengths[r]));
    iterations[r] =
        decode_code_block(soft_values, layout, cfg, static_cast<unsigned>(r), lane, accepted[r]);
  };
  if (code_block_pool_ != nullptr && num_cbs > 1) {
    code_block_pool_->parallel_for(num_cbs, decode_one);
  } else {
    for (unsigned r = 0; r < num_cbs; ++r) {
      decode_one(r, 0);
    }
  }
  UlschDecoderResult result;
  unsigned decoded_blocks = 0;
  unsigned total_iterations = 0;
  for (unsigned r = 0; r < num_cbs; ++r) {
    result.code_block_crc_ok.set(r, accepted[r]); // C = 1: completed by the TB CRC below
    result.max_ldpc_iterations = std::max(result.max_ldpc_iterations, iterations[r]);
    decoded_blocks += iterations[r] > 0 ? 1 : 0;
    total_iterations += iterations[r];
  }
  const CodeBlockSegmentation& seg = layout.seg;
  const CrcCalculator& tb_crc = layout.tb_crc == CrcPolynomial::crc24a ? crc24a_ : crc16_;
  const bool tb_crc_holds =
      tb_crc.check(std::span<const bit_t>(tb_with_crc_).first(seg.input_length));
  if (num_cbs == 1) {
    result.code_block_crc_ok.set(0, tb_crc_holds && result.code_block_crc_ok.test(0));
  }
  result.num_code_blocks = num_cbs;
  result.num_code_blocks_ok = static_cast<unsigned>(result.code_block_crc_ok.count());
  result.tb_crc_ok = tb_crc_holds && result.num_code_blocks_ok == num_cbs;
  result.mean_ldpc_iterations = decoded_blocks == 0 ? 0.0f
                                                    : static_cast<float>(total_iterations) /
                                                          static_cast<float>(decoded_blocks);
  std::memcpy(tb_bits.data(), tb_with_crc_.data(), tb_bits.size());
  return result;
}

UlschDecoderResult UlschDecoderImpl::decode(std::span<const float> llrs,
                                            const UlschDecoderConfig& cfg,
                                            std::span<bit_t> tb_bits) {
  const TransportBlockLayout layout = check_and_layout(llrs, cfg, tb_bits);
  return decode_code_blocks(
      llrs, cfg, layout, tb_bits,
      [&](unsigned, CodeBlockLane& lane, std::span<const float> code_block_llrs) {
        const std::span<float> circular_buffer =
            std::span<float>(lane.circular_buffer).first(layout.rate_match.n_cb);
        const auto e = static_cast<unsigned>(code_block_llrs.size());
        const unsigned received = e == 0 ? 0 : ldpc_rate_match_input_length(layout.rate_match, e);
        std::fill_n(circular_buffer.begin(), received, 0.0f);
        ldpc_rate_recover(code_block_llrs, layout.rate_match, circular_buffer);
        return std::span<const float>(circular_buffer.first(received));
      });
}

UlschDecoderResult UlschDecoderImpl::decode(std::span<const float> llrs,
                                            const UlschDecoderConfig& cfg,
                                            HarqSoftBuffer& harq_buffer, std::span<bit_t> tb_bits) {
  const TransportBlockLayout layout = check_and_layout(llrs, cfg, tb_bits);
  const UlschCodingConfig& coding = cfg.coding;
  const CodeBlockSegmentation& seg = layout.seg;
  const unsigned num_cbs = seg.num_code_blocks;
  const unsigned n_cb = layout.rate_match.n_cb;
  const std::span<float> soft_bits = harq_buffer.soft_bits();
  if (std::size_t{num_cbs} * n_cb > soft_bits.size()) {
    fail("the TB needs " + std::to_string(std::size_t{num_cbs} * n_cb) +
         " soft values, the HARQ buffer holds " + std::to_string(soft_bits.size()));
  }
  HarqSoftBuffer::State& state = harq_buffer.state();
  if (state.num_transmissions > 0 &&
      (state.tbs != coding.tbs || state.base_graph != seg.base_graph ||
       state.lifting_size != seg.lifting_size || state.num_code_blocks != num_cbs ||
       state.circular_buffer_length != n_cb)) {
    fail("retransmission of TBS " + std::to_string(coding.tbs) + ", N_cb " + std::to_string(n_cb) +
         " into a HARQ buffer holding TBS " + std::to_string(state.tbs) + ", N_cb " +
         std::to_string(state.circular_buffer_length));
  }
  if (state.num_transmissions == 0) {
    state =
        HarqSoftBuffer::State{0, coding.tbs, seg.base_graph, seg.lifting_size, num_cbs, n_cb, 0};
  }

  // Every code block is decoded over the longest received length; clear what it newly covers.
  unsigned received_length = state.received_length;
  for (unsigned r = 0; r < num_cbs; ++r) {
    const unsigned e =
        ldpc_rate_matched_length(r, num_cbs, coding.g, coding.num_layers, coding.modulation_order);
    if (e != 0) {
      received_length =
          std::max(received_length, ldpc_rate_match_input_length(layout.rate_match, e));
    }
  }
  const unsigned previous_length = state.received_length;
  UlschDecoderResult result =
      decode_code_blocks(llrs, cfg, layout, tb_bits,
                         [&](unsigned r, CodeBlockLane&, std::span<const float> code_block_llrs) {
                           const std::span<float> circular_buffer =
                               soft_bits.subspan(std::size_t{r} * n_cb, n_cb);
                           std::fill(circular_buffer.begin() + previous_length,
                                     circular_buffer.begin() + received_length, 0.0f);
                           ldpc_rate_recover(code_block_llrs, layout.rate_match, circular_buffer);
                           return std::span<const float>(circular_buffer.first(received_length));
                         });
  state.received_length = received_length;
  ++state.num_transmissions;
  result.num_transmissions = state.num_transmissions;
  return result;
}

} // namespace

std::size_t ulsch_soft_buffer_length(const UlschCodingConfig& cfg) {
  if (cfg.tbs == 0) {
    fail("TBS 0");
  }
  const TransportBlockLayout layout = layout_transport_block(cfg);
  return std::size_t{layout.seg.num_code_blocks} * layout.rate_match.n_cb;
}

std::unique_ptr<UlschDecoder> create_ulsch_decoder(std::uint32_t max_tbs,
                                                   ThreadPool* code_block_pool) {
  return std::make_unique<UlschDecoderImpl>(max_tbs, code_block_pool);
}

UlschDecoderResult decode_ulsch_with_harq(UlschDecoder& decoder, std::span<const float> llrs,
                                          const UlschDecoderConfig& cfg, HarqBufferPool& pool,
                                          const HarqProcessKey& key, bool new_data,
                                          std::span<bit_t> tb_bits) {
  HarqSoftBuffer& buffer = pool.acquire(key, new_data);
  UlschDecoderResult result;
  try {
    result = decoder.decode(llrs, cfg, buffer, tb_bits);
  } catch (...) {
    if (buffer.state().num_transmissions == 0) {
      pool.release(key);
    }
    throw;
  }
  if (result.tb_crc_ok) {
    pool.release(key);
  }
  return result;
}

} // namespace airan::phy
