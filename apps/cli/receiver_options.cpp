#include "receiver_options.h"

#include "airan/gpu/gpu_ldpc_decoder.h"
#include "airan/gpu/gpu_neural_pusch_detector.h"
#include "airan/gpu/gpu_onnx_executor.h"
#include "airan/gpu/gpu_pusch_detector.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "airan/phy/nn/neural_pusch_detector.h"

#include <stdexcept>
#include <utility>

namespace airan::cli {

void add_receiver_options(CLI::App& app, ReceiverOptions& options) {
  app.add_option("--backend", options.backend,
                 "Where the receiver runs: cpu, cuda, or auto (CUDA when a device exists)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  app.add_option("--model", options.model,
                 "ONNX model of the neural receiver (docs/NEURAL_RECEIVER.md: inputs rx_grid, "
                 "ls_channel, side_info; output llr)")
      ->capture_default_str();
  app.add_option("--neural-math", options.neural_math,
                 "Arithmetic of the neural receiver's pointwise convolutions on CUDA: fp32, or "
                 "tf32 (tensor cores; faster, outputs within about 3e-3 of fp32)")
      ->check(CLI::IsMember({"fp32", "tf32"}))
      ->capture_default_str();
  app.add_flag("--neural-gemm-epilogue", options.neural_gemm_epilogue,
               "On CUDA, run the neural receiver's pointwise convolutions as cuBLASLt matmuls with "
               "bias, residual and Relu folded in (opt-in until measured)");
}

ReceiverPlacement place_receiver(const apps::ReceiverSpec& spec, const ReceiverOptions& options,
                                 const gpu::BackendSelection& selection,
                                 const phy::CellConfig& cell, bool transform_precoding) {
  const bool cuda = selection.backend == gpu::Backend::cuda;
  const bool explicit_cuda = options.backend == "cuda";
  if (spec.neural && transform_precoding) {
    throw std::invalid_argument("the neural receiver takes CP-OFDM PUSCH only, not transform "
                                "precoding (DFT-s-OFDM)");
  }
  const char* cpu_only = nullptr;
  if (spec.perfect_csi) {
    cpu_only = "perfect-csi";
  }
  if (cuda && cpu_only != nullptr && explicit_cuda) {
    throw std::invalid_argument(std::string(cpu_only) +
                                " runs on the CPU backend only so far: use --backend cpu or auto");
  }
  ReceiverPlacement placement;
  placement.where = "cpu";
  if (spec.neural) {
    // On CUDA the whole neural detection runs on the device (GpuPuschFrontEnd builds the model's
    // inputs, GpuOnnxExecutor runs it, the LLRs go to the device UL-SCH decoder); on the CPU,
    // NeuralPuschDetector with the CPU OnnxExecutor.
    const gpu::GpuOnnxMath math = gpu::parse_gpu_onnx_math(options.neural_math);
    if (!cuda && math != gpu::GpuOnnxMath::fp32 && options.backend == "cpu") {
      throw std::invalid_argument("--neural-math " + options.neural_math +
                                  " runs on the CUDA backend only: use --backend cuda or auto");
    }
    if (options.neural_gemm_epilogue && options.backend == "cpu") {
      throw std::invalid_argument(
          "--neural-gemm-epilogue runs on the CUDA backend only: use --backend cuda or auto");
    }
    auto model = phy::nn::load_neural_receiver_model(options.model);
    placement.max_layers = phy::nn::neural_receiver_max_layers(*model, options.model);
    if (cuda) {
      placement.detector =
          gpu::make_gpu_neural_detector_factory(cell, std::move(model),
                                                {.device = selection.device_index,
                                                 .math = math,
                                                 .gemm_epilogue = options.neural_gemm_epilogue});
      placement.ldpc = gpu::make_gpu_ldpc_batch_decoder_factory(selection.device_index);
      placement.ulsch = gpu::make_gpu_ulsch_decoder_factory(selection.device_index);
      placement.detector_takes_uci = true; // GpuNeuralPuschDetector downloads a UCI PDU's LLRs
      placement.where = "cuda device " + std::to_string(selection.device_index);
      if (math != gpu::GpuOnnxMath::fp32) {
        placement.where += std::string(", ") + gpu::to_string(math);
      }
      if (options.neural_gemm_epilogue) {
        placement.where += ", cuBLASLt epilogues";
      }
    } else {
      placement.detector = phy::nn::make_neural_detector_factory(std::move(model));
      if (math != gpu::GpuOnnxMath::fp32) {
        placement.where += " (fp32: " + options.neural_math + " applies to CUDA)";
      }
      if (options.neural_gemm_epilogue) {
        placement.where += " (cuBLASLt epilogues apply to CUDA)";
      }
    }
    placement.where += ", model " + options.model;
    return placement;
  }
  if (cuda && cpu_only == nullptr) {
    placement.detector =
        gpu::make_gpu_detector_factory(cell, spec.front_end, selection.device_index);
    placement.ldpc = gpu::make_gpu_ldpc_batch_decoder_factory(selection.device_index);
    placement.ulsch = gpu::make_gpu_ulsch_decoder_factory(selection.device_index);
    placement.where = "cuda device " + std::to_string(selection.device_index);
    // The detector is a device copy of the CPU front end that takes every PDU the CPU one takes
    // (DFT-s-OFDM deprecoded on the device, a UCI PDU's LLRs handed to the host for the
    // receiver's demultiplexing), the LDPC decoding on the device.
    placement.detector_mirrors_front_end = true;
    placement.detector_takes_uci = true;
  }
  return placement;
}

void check_receiver_layers(const std::string& receiver, const ReceiverPlacement& placement,
                           unsigned layers) {
  if (layers > placement.max_layers) {
    throw std::invalid_argument("receiver " + receiver + ": its model takes at most " +
                                std::to_string(placement.max_layers) + " layer(s) ('" +
                                phy::nn::neural_max_layers_key + "'), this run has " +
                                std::to_string(layers));
  }
}

void print_backend_choice(const ReceiverOptions& options, const gpu::BackendSelection& selection,
                          std::ostream& out) {
  if (options.backend == "auto") {
    out << "backend: " << selection.reason << '\n';
  }
}

} // namespace airan::cli
