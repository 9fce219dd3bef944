/// \file
/// \brief GpuOnnxExecutor::Impl: the state behind GpuOnnxExecutor (program, constants on the
/// device, cuBLAS handles, streams and the cache of plans, one per set of input shapes).
#pragma once

#include "airan/gpu/cuda_graph.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/device_buffer.h"
#include "airan/gpu/gpu_onnx_executor.h"

#include "cublas_loader.h"
#include "gpu_onnx_kernels.h"
#include "gpu_onnx_plan.h"
#include "gpu_onnx_program.h"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace airan::gpu {
namespace detail {

/// Owner of a cuBLAS handle bound to one stream and workspace.
class CublasHandle {
public:
  CublasHandle() { check_cublas(cublas_api().cublasCreate(&handle_), "cublasCreate"); }
  ~CublasHandle() { cublas_api().cublasDestroy(handle_); }
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  [[nodiscard]] cublasHandle_t get() const { return handle_; }

private:
  cublasHandle_t handle_ = nullptr;
};

/// Owner of a cuBLASLt handle (created only for GpuOnnxExecutorOptions::gemm_epilogue).
class CublasLtHandle {
public:
  explicit CublasLtHandle(bool create) {
    if (create) {
      check_cublas(cublas_api().cublasLtCreate(&handle_), "cublasLtCreate");
    }
  }
  ~CublasLtHandle() {
    if (handle_ != nullptr) {
      cublas_api().cublasLtDestroy(handle_);
    }
  }
  CublasLtHandle(const CublasLtHandle&) = delete;
  CublasLtHandle& operator=(const CublasLtHandle&) = delete;
  [[nodiscard]] cublasLtHandle_t get() const { return handle_; }

private:
  cublasLtHandle_t handle_ = nullptr;
};

} // namespace detail

struct GpuOnnxExecutor::Impl {
  Impl(const phy::nn::OnnxModel& m, const GpuOnnxExecutorOptions& o);

  /// Packs the float constants of the program into one device buffer (constant_pointers).
  void upload_constants();
  /// A plan for \p shapes. Where a folded residual Add would broadcast its convolution's output
  /// (the shapes decide), the plan runs the program without that fusion.
  std::unique_ptr<detail::Plan> make_plan(std::span<const phy::nn::TensorShape> shapes);

  void check_inputs(std::span<const phy::nn::ConstTensorView> inputs, bool check_data = true) const;
  /// The plan of \p inputs' shapes (made if new; their data are not read).
  detail::Plan& plan_for(std::span<const phy::nn::ConstTensorView> inputs);
  /// The plan of \p inputs' shapes (made if new), with \p inputs copied into its staging.
  detail::Plan& staged_plan(std::span<const phy::nn::ConstTensorView> inputs);
  /// The plan of device-resident inputs of \p shapes (made if new).
  detail::Plan& device_plan(std::span<const phy::nn::TensorShape> shapes);
  /// Frees the plan used longest ago (options.max_plans reached), once nothing uses its memory.
  void evict_least_recently_used();

  [[noreturn]] void fail(const std::string& what) const {
    throw phy::nn::OnnxError("ONNX model '" + model.graph.name + "' (cuda): " + what);
  }

  phy::nn::OnnxModel model;
  GpuOnnxExecutorOptions options;
  std::string device_name;
  detail::Program program;
  std::optional<detail::Program> unfused; ///< Without residual fusion, made when a plan needs it.
  std::size_t allocations = 0;
  CudaStream stream;
  std::vector<CudaStream> side_streams; ///< The plans' other streams (no cuBLAS on them).
  std::vector<cudaStream_t> side_stream_handles;
  DeviceBuffer<std::byte> workspace; ///< cuBLAS's; outlives the handle
  detail::CublasHandle cublas;
  detail::CublasLtHandle lt{options.gemm_epilogue};
  detail::BlasContext blas;
  DeviceBuffer<float> constants;
  std::vector<float*> constant_pointers;
  std::vector<std::unique_ptr<detail::Plan>> plans;
  std::vector<phy::nn::ConstTensorView> device_views; ///< device_plan()'s, kept between calls.
  std::uint64_t uses = 0;                             ///< Plan lookups so far (Plan::last_use).
  detail::Plan* current = nullptr;
  CudaEvent start;
  CudaEvent stop;
  /// enqueue_device(): the executor's stream waits for the caller's, and the caller's for it.
  CudaEvent handoff_in{cudaEventDisableTiming};
  CudaEvent handoff_out{cudaEventDisableTiming};
  float last_ms = 0.0F;
  std::string capture_error; ///< Why the last failed graph capture failed.
};

} // namespace airan::gpu
