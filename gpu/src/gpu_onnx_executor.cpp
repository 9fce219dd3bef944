/// \file
/// \brief GpuOnnxExecutor: validation through the CPU executor, constants uploaded once, one
/// plan per set of input shapes (made, run directly and then captured in a CUDA graph on its
/// first run), and run(), which at known shapes only stages the inputs, launches and waits.
#include "airan/gpu/gpu_onnx_executor.h"

#include "airan/gpu/cuda_check.h"

#include "gpu_onnx_executor_impl.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace airan::gpu {
namespace {

using phy::nn::ConstTensorView;
using phy::nn::OnnxError;
using phy::nn::OnnxModel;
using phy::nn::OnnxValueInfo;
using phy::nn::shape_to_string;

} // namespace

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
  detail::Plan& plan = s.device_plan(shapes);
  if (plan.device_inputs.size() != plan.input_ids.size()) { // once per plan
    plan.device_inputs.clear();                             // (after a throw part-way through)
    plan.device_outputs.clear();
    plan.device_output_shapes.clear();
    for (const std::size_t v : plan.input_ids) {
      plan.device_inputs.push_back(plan.pointers[v]);
    }
    for (const std::size_t v : plan.output_ids) {
      plan.device_outputs.push_back(plan.pointers[v]);
      plan.device_output_shapes.push_back(plan.shapes[v]);
    }
  }
  return {plan.device_inputs, plan.device_outputs, plan.device_output_shapes};
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
  s.handoff_in.order_before(own);
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
  s.handoff_out.order_before(caller);
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
    std::string node = plan.program->steps[plan.launch_steps[i]].description;
    if (const auto* batch = std::get_if<detail::BatchLaunch>(&plan.launches[i])) {
      node += " and " + std::to_string(batch->members.size() - 1) + " more";
    }
    times.push_back({std::move(node), detail::launch_kind(plan.launches[i]),
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
