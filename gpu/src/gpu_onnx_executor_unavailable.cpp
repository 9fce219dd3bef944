/// \file
/// \brief GpuOnnxExecutor in a build without CUDA: the constructor says so; nothing else is
/// reachable.
#include "airan/gpu/gpu_onnx_executor.h"
#include "built_without_cuda.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuOnnxExecutor::Impl {};

GpuOnnxExecutor::GpuOnnxExecutor(const phy::nn::OnnxModel&, const GpuOnnxExecutorOptions&) {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
GpuOnnxExecutor::~GpuOnnxExecutor() = default;
const std::vector<phy::nn::OnnxValueInfo>& GpuOnnxExecutor::inputs() const {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
const std::vector<phy::nn::OnnxValueInfo>& GpuOnnxExecutor::outputs() const {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
void GpuOnnxExecutor::run(std::span<const phy::nn::ConstTensorView>) {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
GpuOnnxDeviceIo GpuOnnxExecutor::prepare_device(std::span<const phy::nn::TensorShape>) {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
void GpuOnnxExecutor::enqueue_device(std::span<const phy::nn::TensorShape>, void*) {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
phy::nn::ConstTensorView GpuOnnxExecutor::output(std::size_t) const {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
std::vector<GpuOnnxLaunchTime> GpuOnnxExecutor::profile(std::span<const phy::nn::ConstTensorView>) {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
std::string GpuOnnxExecutor::description() const {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
std::size_t GpuOnnxExecutor::num_plans() const {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
std::size_t GpuOnnxExecutor::num_fused_gemms() const {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
std::size_t GpuOnnxExecutor::num_allocations() const {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
float GpuOnnxExecutor::last_run_device_ms() const {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}
const std::string& GpuOnnxExecutor::capture_error() const {
  detail::throw_built_without_cuda("GpuOnnxExecutor");
}

} // namespace airan::gpu
