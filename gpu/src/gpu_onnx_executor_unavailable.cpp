/// \file
/// \brief GpuOnnxExecutor in a build without CUDA: the constructor says so; nothing else is
/// reachable.
#include "airan/gpu/gpu_onnx_executor.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuOnnxExecutor::Impl {};

namespace {
[[noreturn]] void unavailable() {
  throw std::runtime_error("GpuOnnxExecutor: airan was built without CUDA");
}
} // namespace

GpuOnnxExecutor::GpuOnnxExecutor(const phy::nn::OnnxModel&, const GpuOnnxExecutorOptions&) {
  unavailable();
}
GpuOnnxExecutor::~GpuOnnxExecutor() = default;
const std::vector<phy::nn::OnnxValueInfo>& GpuOnnxExecutor::inputs() const {
  unavailable();
}
const std::vector<phy::nn::OnnxValueInfo>& GpuOnnxExecutor::outputs() const {
  unavailable();
}
void GpuOnnxExecutor::run(std::span<const phy::nn::ConstTensorView>) {
  unavailable();
}
GpuOnnxDeviceIo GpuOnnxExecutor::prepare_device(std::span<const phy::nn::TensorShape>) {
  unavailable();
}
void GpuOnnxExecutor::enqueue_device(std::span<const phy::nn::TensorShape>, void*) {
  unavailable();
}
phy::nn::ConstTensorView GpuOnnxExecutor::output(std::size_t) const {
  unavailable();
}
std::vector<GpuOnnxLaunchTime> GpuOnnxExecutor::profile(std::span<const phy::nn::ConstTensorView>) {
  unavailable();
}
std::string GpuOnnxExecutor::description() const {
  unavailable();
}
std::size_t GpuOnnxExecutor::num_plans() const {
  unavailable();
}
std::size_t GpuOnnxExecutor::num_fused_gemms() const {
  unavailable();
}
std::size_t GpuOnnxExecutor::num_allocations() const {
  unavailable();
}
float GpuOnnxExecutor::last_run_device_ms() const {
  unavailable();
}
const std::string& GpuOnnxExecutor::capture_error() const {
  unavailable();
}

} // namespace airan::gpu
