/// \file
/// \brief Batched layered min-sum LDPC decoding on a CUDA device: one thread block per code
/// block, one thread per check node of a layer, the a-posteriori LLRs in shared memory and int8
/// check-to-variable messages in device memory. It runs the lane decoder of
/// ldpc_lane_decoder.h, so its outputs (message bits, iteration counts, parity outcomes) equal
/// the CPU decoders' bit for bit, early termination on parity checks or on a CRC included.
#pragma once

#include "airan/phy/ldpc_batch_decoder.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace airan::gpu {

/// One code block of a batch (phy::LdpcBatchJob).
using GpuLdpcJob = phy::LdpcBatchJob;

/// When the kernel keeps each layer's edges (extrinsic values, variable positions) from the
/// layer's first pass for its second (phy::LdpcLaneCode::keep_extrinsics): fewer instructions
/// per edge, but more registers, so one thread block of 768 threads per SM instead of two. The
/// results are the same bit for bit.
enum class GpuLdpcEdgeKeeping {
  automatic, ///< When a launch has at most one thread block per SM (the default).
  always,
  never, ///< The baseline.
};

/// Device memory and buffers for batches of up to max_code_blocks code blocks of any code
/// (sized for BG1 at Z = 384), allocated once; decode() allocates nothing.
class GpuLdpcDecoder final : public phy::LdpcBatchDecoder {
public:
  /// \p threads_per_check_node: 0 for the kernel's choice (2), or 1 or 2 (1 is the baseline
  /// the benchmark compares with; the results are the same bit for bit).
  /// \throws std::runtime_error without CUDA or a device, CudaError on allocation failure,
  /// std::invalid_argument when \p max_code_blocks is 0 or \p threads_per_check_node above 2.
  GpuLdpcDecoder(unsigned max_code_blocks, int device, unsigned threads_per_check_node = 0);
  ~GpuLdpcDecoder() override;
  GpuLdpcDecoder(GpuLdpcDecoder&&) noexcept;
  GpuLdpcDecoder& operator=(GpuLdpcDecoder&&) noexcept;

  /// Decodes \p jobs (at most max_code_blocks) with one kernel launch: uploads the LLRs, decodes,
  /// downloads the bits into each job's message and the outcomes into \p results. Blocks until
  /// done.
  /// \throws std::invalid_argument on a bad job (as LdpcDecoder::decode; crc_check termination
  /// needs a crc) or too many jobs, CudaError on a device failure.
  void decode(std::span<const GpuLdpcJob> jobs, std::span<phy::LdpcDecoderResult> results) override;

  /// When decode() keeps each layer's edges from its first pass for its second (the benchmark
  /// compares the three).
  void set_edge_keeping(GpuLdpcEdgeKeeping keeping);

  /// Whether decode() runs two code blocks of one code per thread block, their values in the
  /// two halves of each word (phy::ldpc_pair_decode(): one address computation, load and SIMD
  /// instruction for both; single add.u16x2 / min.s16x2 / max.s16x2 instructions on sm_90, which
  /// older architectures emulate). Consecutive jobs pair when their codes do
  /// (phy::ldpc_lane_codes_pair(); the rows may differ), any other block pairs with itself. The
  /// results are the same bit for bit; off by default until measured (bench_gpu_ldpc prints
  /// both). The first call with true allocates the pairs' message memory (max_code_blocks pairs).
  /// \throws CudaError when that allocation fails; std::invalid_argument for true on a device
  /// whose blocks cannot have the 103 KB of shared memory a pair of the largest blocks needs
  /// (sm_86, sm_89).
  void set_code_block_pairs(bool pairs);

  /// Device time of the last decode()'s kernel alone (CUDA events), in microseconds.
  [[nodiscard]] float last_kernel_us() const;

  /// Largest batch.
  [[nodiscard]] unsigned max_code_blocks() const override;

  /// "cuda device N".
  [[nodiscard]] std::string description() const override;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A phy::LdpcBatchDecoderFactory of GpuLdpcDecoders on CUDA device \p device (what
/// `--backend cuda` gives the UL-SCH decoders). The factory throws as the constructor.
phy::LdpcBatchDecoderFactory make_gpu_ldpc_batch_decoder_factory(int device);

} // namespace airan::gpu
