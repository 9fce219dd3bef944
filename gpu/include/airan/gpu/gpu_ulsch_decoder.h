/// \file
/// \brief GpuUlschDecoder: UL-SCH decoding after the LLRs on a CUDA device. Per transport block,
/// on one stream: rate recovery with HARQ combining in device memory and int8 quantisation
/// (one thread per circular-buffer position), done by each thread block of the batched LDPC
/// kernel of GpuLdpcDecoder for its code block before decoding it (or, to compare, as a kernel
/// of its own first), then the TB assembly (TB bytes and the TB CRC register,
/// a byte per thread; each code block's nonzero flag), whose bytes, register and per-block
/// outcomes go to pinned host memory, where acceptance and the result are decided with the CPU
/// decoder's own functions (phy/ulsch_code_block.h).
/// The per-position math is the CPU's (phy::ldpc_rate_recovery_gather, phy::quantize_ldpc_llr,
/// phy::ldpc_lane_decode), so results equal phy::create_ulsch_decoder()'s bit for bit, HARQ
/// retransmissions included.
///
/// The HARQ soft values live in device memory (GpuHarqSoftMemory), indexed by
/// phy::HarqSoftBuffer::index() of a pool built with phy::HarqStorage::external; the pool keeps
/// the bookkeeping. The LLRs come from the host (decode()) or from device memory
/// (decode_device(), e.g. what the CUDA front end left there). This header has no CUDA types;
/// without CUDA the constructors throw std::runtime_error.
#pragma once

#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/ulsch_decoder.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace airan::gpu {

/// Device memory for the soft values of a HARQ pool with phy::HarqStorage::external:
/// num_buffers buffers of soft_bits_per_buffer floats, allocated once. Shared by the decoders of
/// every receiver of one HARQ pool (phy::SharedHarqPool: the L1's receivers of each layer count),
/// each decoding distinct HARQ processes at a time.
class GpuHarqSoftMemory {
public:
  /// \throws std::runtime_error without CUDA, std::invalid_argument for an empty size,
  /// CudaError when the allocation fails.
  GpuHarqSoftMemory(unsigned num_buffers, std::size_t soft_bits_per_buffer, int device);
  ~GpuHarqSoftMemory();
  GpuHarqSoftMemory(const GpuHarqSoftMemory&) = delete;
  GpuHarqSoftMemory& operator=(const GpuHarqSoftMemory&) = delete;

  [[nodiscard]] unsigned num_buffers() const { return num_buffers_; }
  [[nodiscard]] std::size_t soft_bits_per_buffer() const { return soft_bits_per_buffer_; }
  [[nodiscard]] int device() const { return device_; }
  /// Device address of buffer \p index. \throws std::out_of_range past num_buffers().
  [[nodiscard]] float* buffer(unsigned index) const;
  /// Copies buffer \p index's first \p soft_bits.size() values to the host, after all work on
  /// the device (waits; for tests).
  void download(unsigned index, std::span<float> soft_bits) const;

private:
  unsigned num_buffers_;
  std::size_t soft_bits_per_buffer_;
  int device_;
  float* data_ = nullptr;
};

/// Device time of the last decoded TB's kernels (CUDA events), in microseconds.
struct GpuUlschTimes {
  /// Rate recovery, HARQ combining and quantisation as a kernel of their own (0 when they run in
  /// the LDPC kernel, the default: ldpc_us includes them then).
  float rate_recovery_us = 0.0F;
  float ldpc_us = 0.0F; ///< LDPC decoding of every code block and the TB assembly.
};

/// UL-SCH decoder on CUDA device `device`. Working memory for TBs of up to max_tbs bits and
/// codewords of up to max_coded_bits LLRs is allocated by the constructor; decoding allocates
/// nothing. Not thread safe: one per thread (its own stream).
class GpuUlschDecoder final : public phy::UlschDecoder {
public:
  /// Default max_coded_bits: 275 PRB x 12 x 14 symbols x 10 bits x 4 layers.
  static constexpr std::size_t default_max_coded_bits = std::size_t{275} * 12 * 14 * 10 * 4;

  /// \p harq: the device memory of the HARQ pool whose buffers decode() combines into (null:
  /// only single transmissions, decode() without a buffer).
  /// \throws std::runtime_error without CUDA, std::invalid_argument for a max_tbs out of range
  /// or HARQ memory on another device, CudaError on allocation failure.
  GpuUlschDecoder(std::uint32_t max_tbs, std::shared_ptr<GpuHarqSoftMemory> harq, int device,
                  std::size_t max_coded_bits = default_max_coded_bits);
  ~GpuUlschDecoder() override;
  GpuUlschDecoder(GpuUlschDecoder&&) noexcept;
  GpuUlschDecoder& operator=(GpuUlschDecoder&&) noexcept;

  /// A single transmission from host LLRs (copied to the device first).
  phy::UlschDecoderResult decode(std::span<const float> llrs, const phy::UlschDecoderConfig& cfg,
                                 std::span<phy::bit_t> tb_bits) override;
  /// Host LLRs combined into \p harq_buffer's device memory. \throws std::invalid_argument as
  /// phy::UlschDecoder::decode(), and for a buffer that is not in this decoder's HARQ memory
  /// (an index or capacity it does not have).
  phy::UlschDecoderResult decode(std::span<const float> llrs, const phy::UlschDecoderConfig& cfg,
                                 phy::HarqSoftBuffer& harq_buffer,
                                 std::span<phy::bit_t> tb_bits) override;
  /// The device this decoder runs on.
  [[nodiscard]] int llr_device() const override;
  /// LLRs already in this device's memory: no copy. With \p llrs.stream (a cudaStream_t whose
  /// work writes them), the decoder's work is enqueued on that stream behind it (as
  /// enqueue_device()), so no host synchronisation comes between the two; then it waits.
  phy::UlschDecoderResult decode_device(const phy::DeviceLlrs& llrs,
                                        const phy::UlschDecoderConfig& cfg,
                                        phy::HarqSoftBuffer& harq_buffer,
                                        std::span<phy::bit_t> tb_bits) override;

  /// decode_device() without waiting: checks, HARQ bookkeeping and everything on the device are
  /// enqueued on \p stream (a cudaStream_t, e.g. GpuPuschFrontEnd::native_stream(), whose earlier
  /// work writes the LLRs; null: the decoder's own stream), then finish() waits and returns the
  /// result. Until finish(), the decoder, \p tb_bits and \p harq_buffer must be left alone (the
  /// LLRs may be overwritten by later work on the same stream). One TB at a time.
  /// \throws as decode_device(), std::logic_error while a TB is enqueued.
  void enqueue_device(const phy::DeviceLlrs& llrs, const phy::UlschDecoderConfig& cfg,
                      phy::HarqSoftBuffer& harq_buffer, std::span<phy::bit_t> tb_bits,
                      void* stream);
  /// enqueue_device() with the TB as bytes, MSB first (TBS / 8 of them; valid when the TB CRC
  /// holds): only these bytes cross the bus, not the code blocks' bits.
  void enqueue_device_bytes(const phy::DeviceLlrs& llrs, const phy::UlschDecoderConfig& cfg,
                            phy::HarqSoftBuffer& harq_buffer, std::span<std::uint8_t> tb_bytes,
                            void* stream);
  /// enqueue_device_bytes() without the device work: the checks, the HARQ bookkeeping and the
  /// plan of the TB's launches. enqueue_prepared() then enqueues the prepared TBs of several
  /// decoders together (a launch per stage for all of them), and finish() completes each, or
  /// cancel() drops it. \throws as enqueue_device_bytes().
  void prepare_device_bytes(const phy::DeviceLlrs& llrs, const phy::UlschDecoderConfig& cfg,
                            phy::HarqSoftBuffer& harq_buffer, std::span<std::uint8_t> tb_bytes);
  /// Copies \p llrs (device memory) into the decoder's own LLR buffer on \p stream (a
  /// cudaStream_t, behind the work that writes them) and returns the copy: for a TB prepared now
  /// and enqueued later (enqueue_prepared()), when later work would overwrite \p llrs first (a
  /// front end's next PDU). \throws std::invalid_argument for more LLRs than the decoder was
  /// built for or another device; CudaError when the copy fails.
  phy::DeviceLlrs keep_device_llrs(const phy::DeviceLlrs& llrs, void* stream);
  /// Enqueues the prepared TBs of \p decoders (one device, the same set_rate_recovery_in_ldpc()
  /// and set_code_block_pairs())
  /// on \p stream (a cudaStream_t; its earlier work writes their LLRs), as GpuCellGroup does
  /// with the TBs of a slot's cells: one LDPC kernel over every code block of up to 32 TBs (each
  /// thread block with its code block's rate recovery), one TB assembly kernel, and one kernel
  /// that writes every TB's outputs into its pinned host memory, where one TB alone has a copy
  /// of its own. Each decoder's finish() then gives its result as after enqueue_device_bytes();
  /// the kernel times (last_times()) are the whole batch's, taken with the first decoder's
  /// events, so that decoder may not enqueue again before all of them are finished (their
  /// finish() then throws std::logic_error and drops the TB).
  /// \throws std::logic_error for a decoder without a prepared TB or a mix of devices or
  /// settings; CudaError when a launch fails (the TBs are cancelled then, none is enqueued).
  static void enqueue_prepared(std::span<GpuUlschDecoder* const> decoders, void* stream);
  /// Whether a TB is enqueued or prepared (finish() or cancel() it).
  [[nodiscard]] bool has_enqueued_tb() const;
  /// Completes the TB of enqueue_device(). \throws std::logic_error without one.
  phy::UlschDecoderResult finish();
  /// Drops the TB of enqueue_device() or prepare_device_bytes() when its device work was never
  /// launched (enqueued into a
  /// CUDA graph capture that failed, or whose graph was not launched): no result and no HARQ
  /// bookkeeping, so the buffer stays as it was. Does nothing without an enqueued TB.
  void cancel();

  /// Kernel times of the last decoded TB.
  [[nodiscard]] GpuUlschTimes last_times() const;

  /// Whether each code block's rate recovery (with HARQ combining and quantisation) runs in the
  /// LDPC kernel's thread block that decodes it, before decoding (true, the default: one kernel
  /// fewer on the TB's chain; its time then counts in GpuUlschTimes::ldpc_us), or as a kernel of
  /// its own over every code block first (false). The results are the same either way.
  /// \throws std::logic_error while a TB is enqueued.
  void set_rate_recovery_in_ldpc(bool in_ldpc);
  /// Whether the LDPC kernel decodes two code blocks of the TB per thread block (2p and 2p + 1,
  /// the last with itself when their number is odd), their values in the two halves of each
  /// word (phy::ldpc_pair_decode(); GpuLdpcDecoder::set_code_block_pairs()), or one (false, the
  /// default until measured). The results are the same either way. In enqueue_prepared() every
  /// decoder must have the same setting. \throws std::logic_error while a TB is enqueued;
  /// std::invalid_argument for true on a device whose blocks cannot have the 103 KB of shared
  /// memory a pair of the largest code blocks needs (sm_86, sm_89).
  void set_code_block_pairs(bool pairs);
  /// Whether the LDPC kernel and the TB assembly write the code blocks' results and the TB's
  /// bytes straight into this decoder's pinned host buffer through its mapped device address
  /// (true, the default: no copy on the TB's chain), or into device memory, copied to the host
  /// after them (false; in enqueue_prepared(), one copy kernel for the batch). The results are
  /// the same either way. \throws std::logic_error while a TB is enqueued.
  void set_outputs_in_host_memory(bool in_host);
  /// Whether the TB's kernels are timed with CUDA events (true, the default); without, three
  /// event nodes fewer on the TB's chain in a graph, and last_times() gives zeros.
  void set_stage_timing(bool timing);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A phy::UlschDecoderFactory of GpuUlschDecoders on device \p device with the HARQ soft values
/// in device memory (harq_storage = external): the first decoder made for a pool allocates a
/// GpuHarqSoftMemory of the pool's size, which every decoder made for that pool shares.
phy::UlschDecoderFactory make_gpu_ulsch_decoder_factory(int device);

} // namespace airan::gpu
