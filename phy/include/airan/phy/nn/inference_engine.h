/// \file
/// \brief The interface a neural-network runtime implements for the neural receiver: run an ONNX
/// model on host float32 tensors and hand back host outputs. The CPU engine wraps OnnxExecutor;
/// the CUDA engine (gpu/include/airan/gpu/gpu_onnx_executor.h) runs the same models on a device.
#pragma once

#include "airan/phy/nn/onnx_model.h"
#include "airan/phy/nn/tensor.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace airan::phy::nn {

/// One model prepared for inference. Not thread-safe: one run() at a time per engine.
class InferenceEngine {
public:
  virtual ~InferenceEngine() = default;

  /// Run-time inputs in the order run() takes them.
  [[nodiscard]] virtual const std::vector<OnnxValueInfo>& inputs() const = 0;
  /// Runs the model on host \p inputs (one per inputs(), same order). \throws OnnxError.
  virtual void run(std::span<const ConstTensorView> inputs) = 0;
  /// Output \p index of the last run(), in host memory; valid until the next run().
  [[nodiscard]] virtual ConstTensorView output(std::size_t index) const = 0;
  /// Where the engine computes, for logs: "cpu (4 threads, AVX2)", "cuda (NVIDIA H100, fp32)".
  [[nodiscard]] virtual std::string description() const = 0;
};

/// Builds an engine for \p model with \p num_threads host threads (engines that compute on a
/// device may ignore the thread count). \throws OnnxError naming the node it cannot run.
using InferenceEngineFactory =
    std::function<std::unique_ptr<InferenceEngine>(const OnnxModel& model, unsigned num_threads)>;

/// The CPU engine (OnnxExecutor with its SIMD kernels and \p num_threads threads).
std::unique_ptr<InferenceEngine> make_cpu_inference_engine(const OnnxModel& model,
                                                           unsigned num_threads);

} // namespace airan::phy::nn
