/// \file
/// \brief GpuOnnxExecutor::Impl: set-up (validation through the CPU executor, constants
/// uploaded once) and the plan cache (a plan per set of input shapes, the least recently used
/// one evicted when options.max_plans are held).
#include "gpu_onnx_executor_impl.h"

#include "airan/gpu/cuda_check.h"
#include "airan/phy/nn/onnx_executor.h"

#include <algorithm>
#include <cstring>

namespace airan::gpu {
namespace {

using phy::nn::ConstTensorView;
using phy::nn::OnnxError;
using phy::nn::OnnxModel;

constexpr std::size_t cublas_workspace_bytes = std::size_t{32} << 20; // Hopper's recommendation
constexpr std::size_t constant_alignment = 64;                        // floats

/// Validates \p model as the CPU executor does (OnnxError naming the node) and returns it.
const OnnxModel& validated(const OnnxModel& model) {
  const phy::nn::OnnxExecutor validator(model, {.num_threads = 1, .use_simd = false});
  return model;
}

/// Selects \p device and returns its name.
std::string select_device(int device) {
  AIRAN_CUDA_CHECK(cudaSetDevice(device));
  cudaDeviceProp properties{};
  AIRAN_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
  return properties.name;
}

} // namespace

GpuOnnxExecutor::Impl::Impl(const OnnxModel& m, const GpuOnnxExecutorOptions& o)
    : model(validated(m)), options(o), device_name(select_device(o.device)),
      program(detail::compile_program(
          model,
          {.relu = o.fuse_relu, .residual = o.fuse_residual, .regions = o.fuse_elementwise})) {
  options.use_cuda_graph = options.use_cuda_graph && cuda_graphs_enabled();
  workspace = DeviceBuffer<std::byte>(cublas_workspace_bytes);
  ++allocations;
  detail::check_cublas(detail::cublas_api().cublasSetStream(cublas.get(), stream.get()),
                       "cublasSetStream");
  detail::check_cublas(
      detail::cublas_api().cublasSetWorkspace(cublas.get(), workspace.data(), workspace.bytes()),
      "cublasSetWorkspace");
  // CUBLAS_DEFAULT_MATH keeps SGEMM in fp32; NVIDIA_TF32_OVERRIDE=0 in the environment turns
  // TF32 off even where it is asked for (description() says so).
  detail::check_cublas(detail::cublas_api().cublasSetMathMode(
                           cublas.get(), o.math == GpuOnnxMath::tf32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                                                     : CUBLAS_DEFAULT_MATH),
                       "cublasSetMathMode");
  upload_constants();
  blas = {cublas.get(), lt.get(), workspace.data(), workspace.bytes()};
}

void GpuOnnxExecutor::Impl::upload_constants() {
  std::vector<std::size_t> offsets(program.values.size(), 0);
  std::size_t total = 0;
  for (std::size_t v = 0; v < program.values.size(); ++v) {
    const phy::nn::Tensor* constant = program.values[v].constant;
    if (constant != nullptr && constant->data_type == phy::nn::TensorDataType::float32) {
      offsets[v] = total;
      total += (constant->floats.size() + constant_alignment - 1) / constant_alignment *
               constant_alignment;
    }
  }
  std::vector<float> packed(total, 0.0F);
  constant_pointers.assign(program.values.size(), nullptr);
  constants = DeviceBuffer<float>(total);
  ++allocations;
  for (std::size_t v = 0; v < program.values.size(); ++v) {
    const phy::nn::Tensor* constant = program.values[v].constant;
    if (constant != nullptr && constant->data_type == phy::nn::TensorDataType::float32) {
      std::copy(constant->floats.begin(), constant->floats.end(), packed.begin() + offsets[v]);
      constant_pointers[v] = constants.data() + offsets[v];
    }
  }
  constants.copy_from_host(packed, stream.get());
  stream.synchronize();
}

std::unique_ptr<detail::Plan>
GpuOnnxExecutor::Impl::make_plan(std::span<const phy::nn::TensorShape> shapes) {
  const auto context = [&](const detail::Program& p) {
    return detail::PlanContext{p,
                               constant_pointers,
                               [this] { ++allocations; },
                               std::max(1, options.max_streams),
                               options.concat_in_place,
                               blas,
                               options.math == GpuOnnxMath::tf32,
                               stream.get(),
                               options.batch_launches};
  };
  try {
    return detail::make_plan(context(program), shapes);
  } catch (const OnnxError&) {
    if (!options.fuse_residual) {
      throw;
    }
  }
  if (!unfused) {
    // Same values (constants included) as program: only the steps differ.
    unfused = detail::compile_program(
        model, {.relu = options.fuse_relu, .residual = false, .regions = options.fuse_elementwise});
  }
  return detail::make_plan(context(*unfused), shapes);
}

void GpuOnnxExecutor::Impl::check_inputs(std::span<const ConstTensorView> inputs,
                                         bool check_data) const {
  if (auto what = phy::nn::input_mismatch(model.graph, inputs, check_data)) {
    fail(*what);
  }
}

detail::Plan& GpuOnnxExecutor::Impl::staged_plan(std::span<const ConstTensorView> inputs) {
  AIRAN_CUDA_CHECK(cudaSetDevice(options.device));
  check_inputs(inputs);
  current = nullptr;
  detail::Plan& found = plan_for(inputs);
  found.allocate_host_buffers([this] { ++allocations; });
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].data.empty()) {
      std::memcpy(found.staging[i].data(), inputs[i].data.data(), inputs[i].data.size_bytes());
    }
  }
  return found;
}

detail::Plan& GpuOnnxExecutor::Impl::device_plan(std::span<const phy::nn::TensorShape> shapes) {
  AIRAN_CUDA_CHECK(cudaSetDevice(options.device));
  device_views.clear(); // kept: no allocation once it has held as many inputs
  for (const phy::nn::TensorShape& shape : shapes) {
    device_views.push_back({{}, shape});
  }
  check_inputs(device_views, false);
  return plan_for(device_views);
}

detail::Plan& GpuOnnxExecutor::Impl::plan_for(std::span<const ConstTensorView> inputs) {
  detail::Plan* found = nullptr;
  for (const auto& plan : plans) {
    if (phy::nn::input_shapes_equal(inputs, plan->input_shapes)) {
      found = plan.get();
      break;
    }
  }
  if (found == nullptr) {
    std::vector<phy::nn::TensorShape> shapes;
    for (const ConstTensorView& input : inputs) {
      shapes.emplace_back(input.shape.begin(), input.shape.end());
    }
    if (plans.size() >= std::max<std::size_t>(options.max_plans, 1)) {
      evict_least_recently_used();
    }
    plans.push_back(make_plan(shapes));
    found = plans.back().get();
    while (side_streams.size() + 1 < static_cast<std::size_t>(found->schedule.num_streams)) {
      side_streams.emplace_back();
      side_stream_handles.push_back(side_streams.back().get());
    }
  }
  found->last_use = ++uses;
  return *found;
}

void GpuOnnxExecutor::Impl::evict_least_recently_used() {
  const auto oldest =
      std::min_element(plans.begin(), plans.end(),
                       [](const auto& a, const auto& b) { return a->last_use < b->last_use; });
  // Nothing may still read or write its memory: its runs on the executor's stream, and the
  // caller's work after its last device-resident run (e.g. kernels reading its outputs).
  stream.synchronize();
  if ((*oldest)->last_caller != nullptr) {
    AIRAN_CUDA_CHECK(cudaStreamSynchronize((*oldest)->last_caller));
  }
  if (current == oldest->get()) {
    current = nullptr;
  }
  plans.erase(oldest);
}

} // namespace airan::gpu
