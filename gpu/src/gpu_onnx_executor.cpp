/// \file
/// \brief GpuOnnxExecutor: validation through the CPU executor, constants uploaded once, one
/// plan per set of input shapes (made, run directly and then captured in a CUDA graph on its
/// first run), and run(), which at known shapes only stages the inputs, launches and waits.
#include "airan/gpu/gpu_onnx_executor.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/cuda_graph.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/device_buffer.h"
#include "airan/phy/nn/onnx_executor.h"

#include "gpu_onnx_plan.h"
#include "gpu_onnx_program.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace airan::gpu {
namespace {

using phy::nn::ConstTensorView;
using phy::nn::OnnxError;
using phy::nn::OnnxModel;
using phy::nn::OnnxValueInfo;
using phy::nn::shape_to_string;

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

/// Owner of a cuBLAS handle bound to one stream and workspace.
class CublasHandle {
public:
  CublasHandle() { detail::check_cublas(cublasCreate(&handle_), "cublasCreate"); }
  ~CublasHandle() { cublasDestroy(handle_); }
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
      detail::check_cublas(cublasLtCreate(&handle_), "cublasLtCreate");
    }
  }
  ~CublasLtHandle() {
    if (handle_ != nullptr) {
      cublasLtDestroy(handle_);
    }
  }
  CublasLtHandle(const CublasLtHandle&) = delete;
  CublasLtHandle& operator=(const CublasLtHandle&) = delete;
  [[nodiscard]] cublasLtHandle_t get() const { return handle_; }

private:
  cublasLtHandle_t handle_ = nullptr;
};

} // namespace

struct GpuOnnxExecutor::Impl {
  Impl(const OnnxModel& m, const GpuOnnxExecutorOptions& o)
      : model(validated(m)), options(o), device_name(select_device(o.device)),
        program(detail::compile_program(
            model,
            {.relu = o.fuse_relu, .residual = o.fuse_residual, .regions = o.fuse_elementwise})) {
    options.use_cuda_graph = options.use_cuda_graph && cuda_graphs_enabled();
    workspace = DeviceBuffer<std::byte>(cublas_workspace_bytes);
    ++allocations;
    detail::check_cublas(cublasSetStream(cublas.get(), stream.get()), "cublasSetStream");
    detail::check_cublas(cublasSetWorkspace(cublas.get(), workspace.data(), workspace.bytes()),
                         "cublasSetWorkspace");
    // CUBLAS_DEFAULT_MATH keeps SGEMM in fp32; NVIDIA_TF32_OVERRIDE=0 in the environment turns
    // TF32 off even where it is asked for (description() says so).
    detail::check_cublas(cublasSetMathMode(cublas.get(), o.math == GpuOnnxMath::tf32
                                                             ? CUBLAS_TF32_TENSOR_OP_MATH
                                                             : CUBLAS_DEFAULT_MATH),
                         "cublasSetMathMode");
    upload_constants();
    blas = {cublas.get(), lt.get(), workspace.data(), workspace.bytes()};
  }

  void upload_constants() {
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

  /// A plan for \p shapes. Where a folded residual Add would broadcast its convolution's output
  /// (the shapes decide), the plan runs the program without that fusion.
  std::unique_ptr<detail::Plan> make_plan(std::span<const phy::nn::TensorShape> shapes) {
    const auto context = [&](const detail::Program& p) {
      return detail::PlanContext{p,
                                 constant_pointers,
                                 [this] { ++allocations; },
                                 std::max(1, options.max_streams),
                                 options.concat_in_place,
                                 blas,
                                 options.math == GpuOnnxMath::tf32,
                                 stream.get()};
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
          model,
          {.relu = options.fuse_relu, .residual = false, .regions = options.fuse_elementwise});
    }
    return detail::make_plan(context(*unfused), shapes);
  }

  void check_inputs(std::span<const ConstTensorView> inputs, bool check_data = true) const;
  /// The plan of \p inputs' shapes (made if new; their data are not read).
  detail::Plan& plan_for(std::span<const ConstTensorView> inputs);
  /// The plan of \p inputs' shapes (made if new), with \p inputs copied into its staging.
  detail::Plan& staged_plan(std::span<const ConstTensorView> inputs);
  /// The plan of device-resident inputs of \p shapes (made if new).
  detail::Plan& device_plan(std::span<const phy::nn::TensorShape> shapes);
  /// Frees the plan used longest ago (options.max_plans reached), once nothing uses its memory.
  void evict_least_recently_used();

  [[noreturn]] void fail(const std::string& what) const {
    throw OnnxError("ONNX model '" + model.graph.name + "' (cuda): " + what);
  }

  OnnxModel model;
  GpuOnnxExecutorOptions options;
  std::string device_name;
  detail::Program program;
  std::optional<detail::Program> unfused; ///< Without residual fusion, made when a plan needs it.
  std::size_t allocations = 0;
  CudaStream stream;
  std::vector<CudaStream> side_streams; ///< The plans' other streams (no cuBLAS on them).
  std::vector<cudaStream_t> side_stream_handles;
  DeviceBuffer<std::byte> workspace; ///< cuBLAS's; outlives the handle
  CublasHandle cublas;
  CublasLtHandle lt{options.gemm_epilogue};
  detail::BlasContext blas;
  DeviceBuffer<float> constants;
  std::vector<float*> constant_pointers;
  std::vector<std::unique_ptr<detail::Plan>> plans;
  std::uint64_t uses = 0; ///< Plan lookups so far (Plan::last_use).
  detail::Plan* current = nullptr;
  CudaEvent start;
  CudaEvent stop;
  /// enqueue_device(): the executor's stream waits for the caller's, and the caller's for it.
  CudaEvent handoff_in{cudaEventDisableTiming};
  CudaEvent handoff_out{cudaEventDisableTiming};
  float last_ms = 0.0F;
  std::string capture_error; ///< Why the last failed graph capture failed.
};

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
  std::vector<ConstTensorView> views;
  views.reserve(shapes.size());
  for (const phy::nn::TensorShape& shape : shapes) {
    views.push_back({{}, shape});
  }
  check_inputs(views, false);
  return plan_for(views);
}

detail::Plan& GpuOnnxExecutor::Impl::plan_for(std::span<const ConstTensorView> inputs) {
  detail::Plan* found = nullptr;
  for (const auto& plan : plans) {
    bool same = true;
    for (std::size_t i = 0; same && i < inputs.size(); ++i) {
      same = std::equal(inputs[i].shape.begin(), inputs[i].shape.end(),
                        plan->input_shapes[i].begin(), plan->input_shapes[i].end());
    }
    if (same) {
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

GpuOnnxExecutor::GpuOnnxExecutor(const OnnxModel& model, const GpuOnnxExecutorOptions& options)
    : impl_(std::make_unique<Impl>(model, options)) {}

GpuOnnxExecutor::~GpuOnnxExecutor() = default;

const std::vector<OnnxValueInfo>& GpuOnnxExecutor::inputs() const {
  return impl_->model.graph.inputs;
}

const std::vector<OnnxValueInfo>& GpuOnnxExecutor::outputs() const {
  return impl_->model.graph.outputs;
}

void GpuOnnxExecutor::run(std::span<const ConstTensorView> inputs) {
  Impl& s = *impl_;
  detail::Plan& plan = s.staged_plan(inputs);
  const bool direct = !plan.graph.ready();
  s.start.record(s.stream.get());
  if (direct) {
    plan.enqueue(s.stream.get(), s.side_stream_handles, s.blas);
  } else {
    plan.graph.launch(s.stream.get());
  }
  s.stop.record(s.stream.get());
  s.stop.synchronize();
  s.last_ms = s.stop.elapsed_ms_since(s.start);
  if (direct && s.options.use_cuda_graph && !plan.capture_tried) {
    plan.capture_tried = true;
    // Captured after a direct run, so that cuBLAS and the kernels are loaded outside capture.
    // The outputs above are valid either way: a plan whose capture fails keeps launching
    // directly, and capture_error() says why.
    try {
      plan.graph.capture(s.stream.get(),
                         [&] { plan.enqueue(s.stream.get(), s.side_stream_handles, s.blas); });
    } catch (const std::exception& error) {
      s.capture_error = error.what();
      (void)cudaGetLastError(); // the failed call's error is not the next launch's
    }
  }
  s.current = &plan;
}

GpuOnnxDeviceIo GpuOnnxExecutor::prepare_device(std::span<const phy::nn::TensorShape> shapes) {
  Impl& s = *impl_;
  const detail::Plan& plan = s.device_plan(shapes);
  GpuOnnxDeviceIo io;
  for (const std::size_t v : plan.input_ids) {
    io.inputs.push_back(plan.pointers[v]);
  }
  for (const std::size_t v : plan.output_ids) {
    io.outputs.push_back(plan.pointers[v]);
    io.output_shapes.push_back(plan.shapes[v]);
  }
  return io;
}

void GpuOnnxExecutor::enqueue_device(std::span<const phy::nn::TensorShape> shapes, void* stream) {
  Impl& s = *impl_;
  detail::Plan& plan = s.device_plan(shapes);
  const auto caller = static_cast<cudaStream_t>(stream);
  const cudaStream_t own = s.stream.get();
  if (caller == nullptr || stream_is_capturing(caller)) {
    throw std::logic_error("GPU ONNX executor: enqueue_device() needs a stream that is not being "
                           "captured");
  }
  // The plan runs on the executor's stream (cuBLAS is bound to it), between two event waits.
  s.handoff_in.record(caller);
  AIRAN_CUDA_CHECK(cudaStreamWaitEvent(own, s.handoff_in.get(), 0));
  plan.last_caller = caller;
  const bool direct = !plan.device_graph.ready();
  try {
    if (direct) {
      plan.enqueue(own, s.side_stream_handles, s.blas, false);
    } else {
      plan.device_graph.launch(own);
    }
  } catch (...) {
    // Whatever was enqueued stays ordered before the caller's later work.
    (void)cudaEventRecord(s.handoff_out.get(), own);
    (void)cudaStreamWaitEvent(caller, s.handoff_out.get(), 0);
    throw;
  }
  s.handoff_out.record(own);
  AIRAN_CUDA_CHECK(cudaStreamWaitEvent(caller, s.handoff_out.get(), 0));
  if (direct && s.options.use_cuda_graph && !plan.device_capture_tried) {
    plan.device_capture_tried = true;
    // As in run(): captured after a direct run has loaded cuBLAS and the kernels, and after it
    // has finished (once per plan), so the capture does not overlap it.
    s.stream.synchronize();
    try {
      plan.device_graph.capture(own,
                                [&] { plan.enqueue(own, s.side_stream_handles, s.blas, false); });
    } catch (const std::exception& error) {
      s.capture_error = error.what();
      (void)cudaGetLastError();
    }
  }
}

std::vector<GpuOnnxLaunchTime> GpuOnnxExecutor::profile(std::span<const ConstTensorView> inputs) {
  Impl& s = *impl_;
  detail::Plan& plan = s.staged_plan(inputs);
  const cudaStream_t stream = s.stream.get();
  if (!plan.graph.ready()) {
    // As in run(): a direct run first loads cuBLAS and the kernels outside any capture.
    plan.enqueue(stream, s.side_stream_handles, s.blas);
    s.stream.synchronize();
  }
  // The launches with an event after each, captured into a graph of their own, so that the
  // device runs them back to back (launched one by one, short kernels would be timed with the
  // host's launch gaps) and every launch of the graph records the events.
  std::vector<CudaEvent> events(plan.launches.size() + 1);
  CudaGraph timed;
  timed.capture(stream, [&] {
    plan.enqueue_uploads(stream);
    events.front().record(stream);
    for (std::size_t i = 0; i < plan.launches.size(); ++i) {
      detail::enqueue(plan.launches[i], stream, s.blas);
      events[i + 1].record(stream);
    }
    plan.enqueue_downloads(stream);
  });
  timed.launch(stream); // warm-up
  timed.launch(stream);
  s.stream.synchronize();
  std::vector<GpuOnnxLaunchTime> times;
  times.reserve(plan.launches.size());
  for (std::size_t i = 0; i < plan.launches.size(); ++i) {
    times.push_back({plan.program->steps[plan.launch_steps[i]].description,
                     detail::launch_kind(plan.launches[i]),
                     1e3F * events[i + 1].elapsed_ms_since(events[i])});
  }
  s.current = &plan;
  return times;
}

ConstTensorView GpuOnnxExecutor::output(std::size_t index) const {
  const Impl& s = *impl_;
  if (index >= s.program.output_ids.size()) {
    throw std::out_of_range("GPU ONNX executor: output " + std::to_string(index) + " of " +
                            std::to_string(s.program.output_ids.size()));
  }
  if (s.current == nullptr) {
    throw std::out_of_range("GPU ONNX executor: no successful run() yet");
  }
  const auto& buffer = s.current->outputs[index];
  return ConstTensorView{std::span<const float>(buffer.data(), buffer.size()),
                         s.current->shapes[s.program.output_ids[index]]};
}

std::string GpuOnnxExecutor::description() const {
  const char* override_tf32 = std::getenv("NVIDIA_TF32_OVERRIDE");
  const bool tf32_off = impl_->options.math == GpuOnnxMath::tf32 && override_tf32 != nullptr &&
                        std::string_view(override_tf32) == "0";
  return "cuda (device " + std::to_string(impl_->options.device) + ", " + impl_->device_name +
         ", " + to_string(impl_->options.math) +
         (tf32_off ? " turned off by NVIDIA_TF32_OVERRIDE=0" : "") + ")";
}

std::size_t GpuOnnxExecutor::num_fused_gemms() const {
  return impl_->current != nullptr ? impl_->current->fused_gemms.size() : 0;
}

std::size_t GpuOnnxExecutor::num_plans() const {
  return impl_->plans.size();
}

std::size_t GpuOnnxExecutor::num_allocations() const {
  return impl_->allocations;
}

const std::string& GpuOnnxExecutor::capture_error() const {
  return impl_->capture_error;
}

float GpuOnnxExecutor::last_run_device_ms() const {
  return impl_->last_ms;
}

} // namespace airan::gpu
