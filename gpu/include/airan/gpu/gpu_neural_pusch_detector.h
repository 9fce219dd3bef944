/// \file
/// \brief The neural receiver entirely on a CUDA device: a phy::PuschDetector whose slot never
/// leaves the device. The received grid (uploaded, or OFDM-demodulated there from the slot's IQ)
/// goes through the DMRS estimator and one kernel into the model's input tensors, which live in
/// the GpuOnnxExecutor's device memory (GpuOnnxExecutor::prepare_device); the model runs behind
/// that kernel on the device (enqueue_device), and one kernel gathers its LLR tensor into
/// codeword order, where the LLRs are descrambled and, with a GpuUlschDecoder on the same device,
/// decoded without a copy or a host wait. The tensors are those of
/// phy::nn::NeuralReceiverInputs and the LLR order that of phy::nn::neural_llr_positions
/// (shared per-element math, phy/nn/neural_input_math.h), so the results are those of
/// phy::nn::NeuralPuschDetector on the CPU within the executors' agreement.
#pragma once

#include "airan/gpu/gpu_onnx_executor.h"
#include "airan/phy/nn/onnx_model.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_detector.h"

#include <memory>

namespace airan::gpu {

/// A PuschReceiverConfig::detector factory: each detector owns a GpuPuschFrontEnd for \p cell
/// and a GpuOnnxExecutor of \p model (a model that passed phy::nn::check_neural_receiver_model)
/// with \p options, on CUDA device options.device. Up to 4 receive antennas and 4 layers.
/// The measurements are the CPU neural detector's: the DMRS estimate's and the post-equalization
/// SINR that MMSE reaches on the model's inputs (no EVM). The detectors' constructors throw
/// std::invalid_argument for larger limits, std::runtime_error without CUDA or a device,
/// phy::nn::OnnxError for a model the executor cannot run.
phy::PuschDetectorFactory
make_gpu_neural_detector_factory(const phy::CellConfig& cell,
                                 std::shared_ptr<const phy::nn::OnnxModel> model,
                                 const GpuOnnxExecutorOptions& options = {});

} // namespace airan::gpu
