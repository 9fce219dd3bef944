// Receiver selection shared by `airan eval`, `airan replay`, `airan bench pusch` and the
// fronthaul replay: --backend cpu|cuda|auto and --model (the neural receiver's ONNX file), and
// the PuschReceiver detector they imply for a receiver.
#pragma once

#include "airan/apps/receiver_catalog.h"
#include "airan/gpu/backend.h"
#include "airan/phy/ldpc_batch_decoder.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_detector.h"
#include "airan/phy/ulsch_decoder.h"

#include <CLI/CLI.hpp>

#include <ostream>
#include <string>

namespace airan::cli {

/// Default model of the `neural` receiver, relative to the working directory (the repository
/// root in the README's commands).
inline constexpr const char* default_neural_model = "models/neural_receiver.onnx";

/// --backend and --model values.
struct ReceiverOptions {
  std::string backend = "cpu"; ///< "cpu", "cuda" or "auto".
  std::string model = default_neural_model;
  std::string neural_math = "fp32";  ///< GpuOnnxMath of the neural receiver on CUDA.
  bool neural_gemm_epilogue = false; ///< GpuOnnxExecutorOptions::gemm_epilogue.
};

/// Adds --backend, --model and --neural-math to \p app.
void add_receiver_options(CLI::App& app, ReceiverOptions& options);

/// How one receiver runs.
struct ReceiverPlacement {
  /// Empty: the CPU front end; else the detector PuschReceiver runs instead (CUDA front end or
  /// neural receiver).
  phy::PuschDetectorFactory detector;
  /// Empty: LDPC on the CPU; else the batch decoder of every UL-SCH decoder (CUDA).
  phy::LdpcBatchDecoderFactory ldpc;
  /// Empty: UL-SCH decoding on the CPU; else the UL-SCH decoders (CUDA: rate recovery, HARQ
  /// combining in device memory, LDPC; the CUDA front end's LLRs stay on the device). Takes
  /// precedence over ldpc where a receiver gets both.
  phy::UlschDecoderFactory ulsch;
  /// "cpu", "cuda device 0 (NVIDIA H200)", ...: for the command's report.
  std::string where;
  /// Most layers the receiver takes: 4, or a neural model's phy::nn::neural_receiver_max_layers().
  unsigned max_layers = 4;
  /// The detector is the CUDA front end, a device copy of the CPU one
  /// (phy::PuschDetector::mirrors_cpu_front_end()), taking every PDU the CPU one takes.
  bool detector_mirrors_front_end = false;
  /// The detector hands a UCI PDU's LLRs to the host although it leaves the others on the device
  /// (phy::PuschDetector::takes_uci_on_pusch(): the CUDA front end and the CUDA neural receiver).
  bool detector_takes_uci = false;
};

/// \throws std::invalid_argument naming \p receiver when a run of \p layers layers is more than
/// \p placement takes (a neural model trained on fewer layers).
void check_receiver_layers(const std::string& receiver, const ReceiverPlacement& placement,
                           unsigned layers);

/// Where \p spec runs given \p selection (select_backend() of options.backend): the CPU backend
/// runs every receiver on the CPU; CUDA runs the classical receivers' front end on the device and
/// the neural receiver's model on GpuOnnxExecutor, and UL-SCH decoding on the device for both.
/// Perfect-csi runs on the CPU only: with `auto` it stays on the CPU, with an explicit `cuda` it
/// is an error. `--neural-math
/// tf32` applies to the neural receiver on CUDA: with an explicit `cpu` it is an error, with `auto`
/// on a machine without a device the CPU runs fp32 and `where` says so. \p transform_precoding: the
/// receiver will see DFT-s-OFDM PUSCHs, which the classical receivers take on either backend
/// (the CUDA front end deprecodes them on the device) and the neural receiver refuses (an
/// error). \throws std::invalid_argument for such a combination,
/// phy::nn::OnnxError for a neural model that is missing or breaks the contract.
ReceiverPlacement place_receiver(const apps::ReceiverSpec& spec, const ReceiverOptions& options,
                                 const gpu::BackendSelection& selection,
                                 const phy::CellConfig& cell, bool transform_precoding = false);

/// With `--backend auto`, writes "backend: " and \p selection's reason (the device taken, or why
/// the CPU runs: no device, a build without CUDA, devices too old) as a line to \p out; with an
/// explicit backend, nothing.
void print_backend_choice(const ReceiverOptions& options, const gpu::BackendSelection& selection,
                          std::ostream& out);

} // namespace airan::cli
