/// \file
/// \brief Decoding many LDPC code blocks in one call: the interface an offload decoder (the CUDA
/// GpuLdpcDecoder) implements, so that the UL-SCH decoder can hand it every code block of a
/// transport block at once. Every implementation gives the outputs of LdpcDecoder::decode bit
/// for bit (message bits, iteration counts, parity and CRC outcomes).
#pragma once

#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_decoder.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace airan::phy {

/// One code block of a batch.
struct LdpcBatchJob {
  LdpcDecoderConfig config;          ///< num_rows = 0 is resolved from the LLRs.
  std::span<const std::int8_t> llrs; ///< LLRs of d (ldpc_decoder.h).
  std::span<bit_t> message;          ///< Output: the K' hard-decided message bits.
  /// The CRC that ends the K' message bits (CRC24B for the code blocks of a segmented TB), for
  /// crc_ok and crc_check termination; none: no CRC.
  std::optional<CrcPolynomial> crc;
};

/// Decodes batches of code blocks of any codes. Not thread safe: one per thread.
class LdpcBatchDecoder {
public:
  virtual ~LdpcBatchDecoder() = default;

  /// Decodes \p jobs (at most max_code_blocks()), writing each job's message and its outcome to
  /// \p results (one per job). Returns when every output is written.
  /// \throws std::invalid_argument on a bad job (as LdpcDecoder::decode; crc_check termination
  /// needs a crc) or too many jobs; implementation errors (e.g. a device failure) as
  /// std::runtime_error.
  virtual void decode(std::span<const LdpcBatchJob> jobs, std::span<LdpcDecoderResult> results) = 0;

  /// Largest batch.
  [[nodiscard]] virtual unsigned max_code_blocks() const = 0;

  /// Where it runs, for reports ("host lanes", "cuda device 0").
  [[nodiscard]] virtual std::string description() const = 0;
};

/// Makes a batch decoder for batches of up to the given number of code blocks.
using LdpcBatchDecoderFactory =
    std::function<std::unique_ptr<LdpcBatchDecoder>(unsigned max_code_blocks)>;

/// The lane decoder of ldpc_lane_decoder.h on the host, one code block after another: the CUDA
/// kernel's algorithm on the CPU, as a reference and for tests of batch users.
/// \throws std::invalid_argument when \p max_code_blocks is 0.
std::unique_ptr<LdpcBatchDecoder> create_host_lane_ldpc_batch_decoder(unsigned max_code_blocks);

} // namespace airan::phy
