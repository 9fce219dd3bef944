/// \file
/// \brief make_gpu_inference_engine_factory (CUDA and host-only builds alike).
#include "airan/gpu/gpu_onnx_executor.h"

namespace airan::gpu {

phy::nn::InferenceEngineFactory
make_gpu_inference_engine_factory(int device, const GpuOnnxExecutorOptions& options) {
  GpuOnnxExecutorOptions chosen = options;
  chosen.device = device;
  return [chosen](const phy::nn::OnnxModel& model,
                  unsigned) -> std::unique_ptr<phy::nn::InferenceEngine> {
    return std::make_unique<GpuOnnxExecutor>(model, chosen);
  };
}

} // namespace airan::gpu
