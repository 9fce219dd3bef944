/// \file
/// \brief UL-SCH transport-block channel decoding, the receive side of TS 38.212 6.2: code block
/// segmentation as at the transmitter, per code block rate recovery (de-interleaving,
/// de-selection into the circular buffer) with HARQ soft combining, LDPC decoding with early
/// termination, code block CRC24B, desegmentation and the TB CRC (CRC24A or CRC16).
///
/// Soft values: the input LLRs are real, positive for bit 0 (log P(0)/P(1)), as a max-log
/// demapper writes them after dividing by the noise variance, and already descrambled
/// (descramble_llrs()). They are combined in float, then scaled by UlschDecoderConfig::llr_scale
/// and saturated to the LDPC decoder's int8 range with quantize_ldpc_llrs().
#pragma once

#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/ldpc_batch_decoder.h"
#include "airan/phy/ldpc_decoder.h"
#include "airan/phy/types.h"
#include "airan/phy/ulsch_encoder.h"

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

namespace airan::phy {

/// Most code blocks a decoded transport block may have (C <= 256 covers every UL-SCH TBS).
inline constexpr unsigned ulsch_max_code_blocks = 256;

/// Coding and decoding parameters of one UL-SCH transport block transmission.
struct UlschDecoderConfig {
  UlschCodingConfig coding;    ///< The transmitter's parameters (TBS, R, Q_m, N_L, rv, G, LBRM).
  unsigned max_iterations = 6; ///< LDPC iterations per code block at most.
  /// Offset min-sum is the default: 0.3 dB better than normalized 0.75 at rate 1/2 and equal at
  /// rate 0.9 (docs/LDPC_DECODER.md).
  LdpcMinSumRule min_sum_rule = LdpcMinSumRule::offset;
  float min_sum_scaling_factor = 0.75f; ///< Normalized min-sum factor in (0, 1].
  unsigned min_sum_offset = 2;          ///< Offset min-sum offset (decoder LLR units).
  /// Stop decoding a code block early: when its CRC24B holds (C > 1) or when every parity check
  /// holds (C = 1, whose only CRC is the TB CRC). Without it every block runs max_iterations.
  bool early_termination = true;
  /// Decoder LLR = round(llr_scale * LLR) saturated to +-127. Min-sum does not depend on a common
  /// scale, so this only sets resolution (1/llr_scale) against the saturation point
  /// (127/llr_scale); 4 resolves a quarter unit and saturates at |LLR| ~ 32, which suits LLRs of
  /// max-log demappers divided by the noise variance at the SNRs where rates 1/3 to 0.93 decode.
  float llr_scale = 4.0f;
};

/// Outcome of decoding one transport block.
struct UlschDecoderResult {
  /// The TB CRC holds and, when C > 1, so does every code block CRC. False means the output bits
  /// must not be used.
  bool tb_crc_ok = false;
  unsigned num_code_blocks = 0;    ///< C.
  unsigned num_code_blocks_ok = 0; ///< Code blocks whose CRC24B holds (C = 1: TB CRC result).
  float mean_ldpc_iterations = 0;  ///< Over the code blocks decoded.
  unsigned max_ldpc_iterations = 0;
  /// Bit r: code block r passed its CRC (C = 1: the TB CRC). A block whose soft values were all
  /// zero (nothing received) is not decoded and fails; a block decoded to the all-zero message,
  /// on which every CRC holds, passes only if it also satisfies the LDPC parity checks.
  std::bitset<ulsch_max_code_blocks> code_block_crc_ok;
  unsigned num_transmissions = 1; ///< Transmissions combined into this result (HARQ).
};

/// Soft values one transport block needs in a HARQ buffer: C N_cb (the circular buffers of its
/// code blocks, N_cb with limited buffer rate matching when tbs_lbrm is set).
/// \throws std::invalid_argument for a TBS that cannot be segmented.
std::size_t ulsch_soft_buffer_length(const UlschCodingConfig& cfg);

/// LLRs in an accelerator's memory (e.g. a CUDA device pointer), held there by the stage that
/// computed them (PuschDetector::device_llrs()) so that a decoder on the same device reads them
/// without a copy to the host.
struct DeviceLlrs {
  const float* data = nullptr; ///< Device address; not dereferenceable on the host.
  std::size_t size = 0;        ///< Number of LLRs (G).
  int device = -1;             ///< The device whose memory holds them.
  /// A queue of that device (e.g. a cudaStream_t) whose work already enqueued completes the
  /// LLRs: a decoder on the device enqueues its own work behind it, so no host synchronisation
  /// separates the two stages. Null: the LLRs are complete when handed over.
  void* stream = nullptr;
};

/// Decodes UL-SCH transport blocks. Keeps its working memory between calls (sized at creation
/// for the largest TB, so decoding does not allocate); not thread safe: one decoder per thread.
class UlschDecoder {
public:
  virtual ~UlschDecoder() = default;

  /// Decodes a single transmission, without HARQ memory.
  /// \param llrs   The G descrambled LLRs of the codeword (cfg.coding.g values).
  /// \param cfg    Coding and decoding parameters.
  /// \param tb_bits Output: cfg.coding.tbs transport block bits (valid when tb_crc_ok).
  /// \throws std::invalid_argument when sizes or parameters are inconsistent, or the TBS exceeds
  ///         the decoder's maximum.
  virtual UlschDecoderResult decode(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                                    std::span<bit_t> tb_bits) = 0;

  /// Adds the transmission's LLRs into \p harq_buffer (reset beforehand for new data), then
  /// decodes the combined soft values. The buffer's state records the TB; a retransmission must
  /// have the same TBS, code rate (base graph) and LBRM setting, any rv.
  /// \throws std::invalid_argument as decode(), when the buffer is too small for the TB
  ///         (ulsch_soft_buffer_length()) or when a retransmission does not match the TB held;
  ///         the buffer is then unchanged.
  virtual UlschDecoderResult decode(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                                    HarqSoftBuffer& harq_buffer, std::span<bit_t> tb_bits) = 0;

  /// The device whose memory decode_device() reads LLRs from; -1 (the default): none.
  [[nodiscard]] virtual int llr_device() const { return -1; }

  /// decode() with HARQ of LLRs in device memory (\p llrs.device == llr_device(), written
  /// completely before the call), e.g. those a GPU detector left there.
  /// \throws std::logic_error for a decoder that reads no device (the default),
  ///         std::invalid_argument as decode() or for LLRs on another device.
  virtual UlschDecoderResult decode_device(const DeviceLlrs& llrs, const UlschDecoderConfig& cfg,
                                           HarqSoftBuffer& harq_buffer, std::span<bit_t> tb_bits);
};

/// Makes UL-SCH decoders for TBs of up to max_tbs bits that combine HARQ transmissions into
/// \p harq's buffers (e.g. gpu::make_gpu_ulsch_decoder_factory: everything after the LLRs on a
/// GPU, the soft values in device memory). PuschReceiver calls it for each of its decoders.
struct UlschDecoderFactory {
  std::function<std::unique_ptr<UlschDecoder>(std::uint32_t max_tbs, const HarqBufferPool& harq)>
      make;
  /// Where the receiver's HARQ pool keeps the soft values: external when the decoders keep them
  /// (then indexed by HarqSoftBuffer::index()).
  HarqStorage harq_storage = HarqStorage::host;
  explicit operator bool() const { return static_cast<bool>(make); }
};

class ThreadPool;

/// Creates the default UL-SCH decoder for transport blocks of up to \p max_tbs bits. With
/// \p code_block_pool, the code blocks of a TB are decoded in parallel on that pool (which must
/// not be running another job when decode() is called, and outlive the decoder); the results
/// are identical to sequential decoding. With \p batch_decoder, the decoder makes one
/// LdpcBatchDecoder for the most code blocks a TB of max_tbs can have and LDPC-decodes all code
/// blocks of a TB in one batch (e.g. on a GPU: gpu::make_gpu_ldpc_batch_decoder_factory); rate
/// recovery, HARQ and CRCs stay here, and the results are again identical.
/// \throws std::invalid_argument when \p max_tbs is 0 or above what C <= ulsch_max_code_blocks
///         allows.
std::unique_ptr<UlschDecoder>
create_ulsch_decoder(std::uint32_t max_tbs, ThreadPool* code_block_pool = nullptr,
                     const LdpcBatchDecoderFactory& batch_decoder = {});

/// One HARQ transmission through a pool: acquires the buffer of \p key (reset when \p new_data),
/// combines and decodes, and releases the buffer when the TB CRC passes. A failed TB keeps its
/// buffer for the next retransmission; the caller releases it when it gives the process up. A
/// retransmission into a buffer that holds earlier ones is decoded with their LDPC base graph
/// (TS 38.212 6.2.2), whatever \p cfg's code rate gives.
/// \throws HarqPoolExhaustedError when no buffer is free (nothing decoded); std::invalid_argument
///         as UlschDecoder::decode(), refused before combining (a buffer acquired for this call
///         alone is released again, one with earlier transmissions kept); anything else the
///         decoder throws (a batch decoder's std::runtime_error), the buffer then released,
///         earlier transmissions and all, since part of this one may be in it.
UlschDecoderResult decode_ulsch_with_harq(UlschDecoder& decoder, std::span<const float> llrs,
                                          const UlschDecoderConfig& cfg, HarqBufferPool& pool,
                                          const HarqProcessKey& key, bool new_data,
                                          std::span<bit_t> tb_bits);

} // namespace airan::phy
