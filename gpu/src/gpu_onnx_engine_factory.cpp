/// \file
/// \brief make_gpu_inference_engine_factory and the GpuOnnxMath names (CUDA and host-only
/// builds alike).
#include "airan/gpu/gpu_onnx_executor.h"

#include <stdexcept>

namespace airan::gpu {

const char* to_string(GpuOnnxMath math) {
  return math == GpuOnnxMath::tf32 ? "tf32" : "fp32";
}

GpuOnnxMath parse_gpu_onnx_math(const std::string& name) {
  if (name == "fp32") {
    return GpuOnnxMath::fp32;
  }
  if (name == "tf32") {
    return GpuOnnxMath::tf32;
  }
  throw std::invalid_argument("neural receiver math '" + name + "': expected fp32 or tf32");
}

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
