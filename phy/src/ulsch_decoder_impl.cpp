/// \file
/// \brief UL-SCH channel decoding (TS 38.212 6.2 in reverse): segmentation as at the transmitter,
/// per code block rate recovery into the circular buffer (scratch or HARQ buffer), int8
/// quantisation, LDPC decoding with CRC24B or parity-check early termination, desegmentation in
/// place and the TB CRC.
#include "airan/phy/ulsch_decoder.h"

#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_batch_decoder.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/ldpc_rate_recovery.h"
#include "airan/phy/thread_pool.h"
#include "airan/phy/ulsch_code_block.h"

#include "ldpc_rate_recovery_simd.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {

namespace {

using namespace ulsch;

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
  UlschDecoderImpl(std::uint32_t max_tbs, ThreadPool* code_block_pool,
                   const LdpcBatchDecoderFactory& batch_decoder);

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

  /// LDPC-decodes the received code blocks as one batch (batch_decoder_), then accepts them and
  /// stores their payloads, as decode_code_block does one at a time.
  void decode_batch(const TransportBlockLayout& layout, const UlschDecoderConfig& cfg,
                    const std::array<unsigned, ulsch_max_code_blocks>& received_lengths,
                    const std::array<bool, ulsch_max_code_blocks>& received,
                    std::array<unsigned, ulsch_max_code_blocks>& iterations,
                    std::array<bool, ulsch_max_code_blocks>& accepted);
  /// Quantised LLRs of code block \p r in the batch buffers (first \p count values).
  std::span<std::int8_t> batch_llrs(unsigned r, std::size_t count) {
    return std::span<std::int8_t>(batch_llrs_).subspan(std::size_t{r} * max_codeword_length, count);
  }
  /// Message bits of code block \p r in the batch buffers.
  std::span<bit_t> batch_message(unsigned r, const CodeBlockSegmentation& seg) {
    return std::span<bit_t>(batch_messages_).subspan(std::size_t{r} * 8448, seg.num_info_bits);
  }

  std::uint32_t max_tbs_;
  ThreadPool* code_block_pool_; ///< Decodes code blocks in parallel when set.
  /// When set, decodes the code blocks of a TB in one batch (e.g. on a GPU).
  std::unique_ptr<LdpcBatchDecoder> batch_decoder_;
  std::vector<std::int8_t> batch_llrs_;          ///< Per code block: max_codeword_length.
  BitVector batch_messages_;                     ///< Per code block: 8448 bits.
  std::vector<LdpcBatchJob> batch_jobs_;         ///< Capacity: every code block.
  std::vector<LdpcDecoderResult> batch_results_; ///< One per code block.
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

UlschDecoderImpl::UlschDecoderImpl(std::uint32_t max_tbs, ThreadPool* code_block_pool,
                                   const LdpcBatchDecoderFactory& batch_decoder)
    : max_tbs_(checked_max_tbs(max_tbs)), code_block_pool_(code_block_pool),
      tb_with_crc_(std::size_t{max_tbs} + 48) {
  if (batch_decoder) {
    const unsigned max_cbs = max_code_blocks_of(max_tbs);
    batch_decoder_ = batch_decoder(max_cbs);
    if (!batch_decoder_ || batch_decoder_->max_code_blocks() < max_cbs) {
      fail("the LDPC batch decoder takes fewer than " + std::to_string(max_cbs) + " code blocks");
    }
    batch_llrs_.resize(std::size_t{max_cbs} * max_codeword_length);
    batch_messages_.resize(std::size_t{max_cbs} * 8448);
    batch_jobs_.reserve(max_cbs);
    batch_results_.resize(max_cbs);
  }
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
  return check_decoding(llrs.size(), cfg, tb_bits.size(), max_tbs_);
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
  if (!quantize_code_block(soft_values, cfg.llr_scale, llrs)) {
    // All-zero soft values decode to the all-zero word, whose CRCs hold: report a failure.
    std::fill(message.begin(), message.end(), bit_t{0});
    store_payload();
    accepted = false;
    return 0;
  }
  const bool has_cb_crc = seg.num_code_blocks > 1;
  const LdpcDecoderResult decoded =
      lane.ldpc->decode(llrs, code_block_ldpc_config(layout, cfg, received_length), message,
                        has_cb_crc ? lane.crc_check : LdpcCrcCheck{});
  accepted = accept_code_block(message, decoded, has_cb_crc);
  store_payload();
  return decoded.iterations;
}

void UlschDecoderImpl::decode_batch(
    const TransportBlockLayout& layout, const UlschDecoderConfig& cfg,
    const std::array<unsigned, ulsch_max_code_blocks>& received_lengths,
    const std::array<bool, ulsch_max_code_blocks>& received,
    std::array<unsigned, ulsch_max_code_blocks>& iterations,
    std::array<bool, ulsch_max_code_blocks>& accepted) {
  const CodeBlockSegmentation& seg = layout.seg;
  const bool has_cb_crc = seg.num_code_blocks > 1;
  batch_jobs_.clear(); // capacity for every code block: no allocation
  for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
    if (received[r]) {
      batch_jobs_.push_back({code_block_ldpc_config(layout, cfg, received_lengths[r]),
                             batch_llrs(r, received_lengths[r]), batch_message(r, seg),
                             has_cb_crc ? std::optional(CrcPolynomial::crc24b) : std::nullopt});
    }
  }
  const std::span<LdpcDecoderResult> results =
      std::span<LdpcDecoderResult>(batch_results_).first(batch_jobs_.size());
  batch_decoder_->decode(batch_jobs_, results);
  std::size_t job = 0;
  for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
    const std::span<bit_t> message = batch_message(r, seg);
    if (!received[r]) {
      // As in decode_code_block: nothing received is a failure, whatever the CRCs say.
      std::fill(message.begin(), message.end(), bit_t{0});
      accepted[r] = false;
      iterations[r] = 0;
    } else {
      accepted[r] = accept_code_block(message, results[job], has_cb_crc);
      iterations[r] = results[job].iterations;
      ++job;
    }
    std::memcpy(tb_with_crc_.data() + std::size_t{r} * seg.num_payload_bits(), message.data(),
                seg.num_payload_bits());
  }
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
  const auto for_each_code_block = [&](const auto& step) {
    if (code_block_pool_ != nullptr && num_cbs > 1) {
      // One captured pointer: std::function does not allocate (the step's captures would).
      code_block_pool_->parallel_for(num_cbs,
                                     [p = &step](std::size_t r, unsigned lane) { (*p)(r, lane); });
    } else {
      for (unsigned r = 0; r < num_cbs; ++r) {
        step(r, 0);
      }
    }
  };
  if (batch_decoder_ == nullptr) {
    for_each_code_block([&](std::size_t r, unsigned lane_index) {
      CodeBlockLane& lane = *lanes_[lane_index];
      const std::span<const float> soft_values =
          recover(static_cast<unsigned>(r), lane, llrs.subspan(offsets[r], lengths[r]));
      iterations[r] =
          decode_code_block(soft_values, layout, cfg, static_cast<unsigned>(r), lane, accepted[r]);
    });
  } else {
    // Rate recovery and quantisation of every code block (on the pool), one batch for the LDPC
    // decoder, then acceptance and payloads.
    std::array<unsigned, ulsch_max_code_blocks> received_lengths{};
    std::array<bool, ulsch_max_code_blocks> received{};
    for_each_code_block([&](std::size_t r, unsigned lane_index) {
      const std::span<const float> soft_values = recover(
          static_cast<unsigned>(r), *lanes_[lane_index], llrs.subspan(offsets[r], lengths[r]));
      received_lengths[r] = static_cast<unsigned>(soft_values.size());
      received[r] = quantize_code_block(soft_values, cfg.llr_scale,
                                        batch_llrs(static_cast<unsigned>(r), soft_values.size()));
    });
    decode_batch(layout, cfg, received_lengths, received, iterations, accepted);
  }
  const CrcCalculator& tb_crc = layout.tb_crc == CrcPolynomial::crc24a ? crc24a_ : crc16_;
  return finish_transport_block(layout, std::span<const unsigned>(iterations).first(num_cbs),
                                std::span<const bool>(accepted).first(num_cbs), tb_with_crc_,
                                tb_crc, tb_bits);
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
        // Clearing the received part and rate recovery in one pass.
        const unsigned received = detail::ldpc_rate_recover_cleared(
            code_block_llrs, layout.rate_match, circular_buffer, detail::llr_simd_best());
        return std::span<const float>(circular_buffer.first(received));
      });
}

UlschDecoderResult UlschDecoderImpl::decode(std::span<const float> llrs,
                                            const UlschDecoderConfig& cfg,
                                            HarqSoftBuffer& harq_buffer, std::span<bit_t> tb_bits) {
  const TransportBlockLayout layout = check_and_layout(llrs, cfg, tb_bits);
  const unsigned n_cb = layout.rate_match.n_cb;
  const std::span<float> soft_bits = harq_buffer.soft_bits();
  if (soft_bits.size() < harq_buffer.capacity()) {
    fail("the HARQ buffer's soft values are not in host memory (HarqStorage::external)");
  }
  const HarqCombining combining = begin_harq_combining(harq_buffer, layout, cfg.coding);
  const unsigned previous_length = combining.previous_length;
  const unsigned received_length = combining.received_length;
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
  result.num_transmissions = end_harq_combining(harq_buffer, combining);
  return result;
}

} // namespace

UlschDecoderResult UlschDecoder::decode_device(const DeviceLlrs& /*llrs*/,
                                               const UlschDecoderConfig& /*cfg*/,
                                               HarqSoftBuffer& /*harq_buffer*/,
                                               std::span<bit_t> /*tb_bits*/) {
  throw std::logic_error("UL-SCH decoder: this decoder reads no device memory");
}

std::size_t ulsch_soft_buffer_length(const UlschCodingConfig& cfg) {
  if (cfg.tbs == 0) {
    fail("TBS 0");
  }
  const TransportBlockLayout layout = layout_transport_block(cfg);
  return std::size_t{layout.seg.num_code_blocks} * layout.rate_match.n_cb;
}

std::unique_ptr<UlschDecoder> create_ulsch_decoder(std::uint32_t max_tbs,
                                                   ThreadPool* code_block_pool,
                                                   const LdpcBatchDecoderFactory& batch_decoder) {
  return std::make_unique<UlschDecoderImpl>(max_tbs, code_block_pool, batch_decoder);
}

UlschDecoderResult decode_ulsch_with_harq(UlschDecoder& decoder, std::span<const float> llrs,
                                          const UlschDecoderConfig& cfg, HarqBufferPool& pool,
                                          const HarqProcessKey& key, bool new_data,
                                          std::span<bit_t> tb_bits) {
  HarqSoftBuffer& buffer = pool.acquire(key, new_data);
  UlschDecoderConfig kept = cfg;
  if (buffer.state().num_transmissions > 0) { // TS 38.212 6.2.2: the first transmission's graph
    kept.coding.base_graph = buffer.state().base_graph;
  }
  UlschDecoderResult result;
  try {
    result = decoder.decode(llrs, kept, buffer, tb_bits);
  } catch (const std::invalid_argument&) {
    // Refused before anything was combined (a retransmission of another TB, say): a buffer that
    // holds earlier transmissions stays as it was; one taken for this call is given back.
    if (buffer.state().num_transmissions == 0) {
      pool.release(key);
    }
    throw;
  } catch (...) {
    // Failed while combining or decoding (a batch decoder's device error): part of this
    // transmission may be in the soft values, which the state does not say; given back.
    pool.release(key);
    throw;
  }
  if (result.tb_crc_ok) {
    pool.release(key);
  }
  return result;
}

} // namespace airan::phy
