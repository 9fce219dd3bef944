/// \file
/// \brief Plans of GpuOnnxExecutor: the layout (gpu_onnx_layout.h) in one device arena, one
/// launch record per step, their streams and waits (gpu_onnx_schedule.h), and the enqueueing of
/// a plan (directly or into a CUDA graph).
#include "gpu_onnx_plan.h"

#include "airan/gpu/cuda_check.h"

#include "gpu_onnx_layout.h"

#include <array>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace airan::gpu::detail {
namespace {

using phy::nn::shape_num_elements;
using phy::nn::TensorShape;

int count_of(const TensorShape& shape) {
  return static_cast<int>(shape_num_elements(shape));
}

Launch conv_launch(const Step& step, const Plan& plan, std::span<float* const> constants) {
  const ConvParameters& c = step.conv;
  const TensorShape& x = plan.shapes[step.inputs[0]];
  const TensorShape& y = plan.shapes[step.output];
  const float* bias = c.bias >= 0 ? constants[static_cast<std::size_t>(c.bias)] : nullptr;
  if (c.pointwise()) {
    PointwiseConvLaunch launch{static_cast<int>(x[0]),
                               static_cast<int>(c.out_channels),
                               static_cast<int>(x[1]),
                               static_cast<int>(x[2] * x[3]),
                               plan.pointers[step.inputs[0]],
                               constants[c.weights],
                               bias,
                               plan.pointers[step.output],
                               c.relu};
    if (c.residual) {
      launch.residual = plan.pointers[step.inputs[1]];
      launch.residual_map = onnx::make_broadcast_map(plan.shapes[step.inputs[1]], y);
    }
    return launch;
  }
  const auto pads = c.padding(x[2], x[3]);
  onnx::ConvGeometry g;
  g.in_channels = static_cast<int>(x[1]);
  g.in_h = static_cast<int>(x[2]);
  g.in_w = static_cast<int>(x[3]);
  g.out_channels = static_cast<int>(y[1]);
  g.out_h = static_cast<int>(y[2]);
  g.out_w = static_cast<int>(y[3]);
  g.group_in_channels = static_cast<int>(c.group_channels);
  g.group_out_channels = static_cast<int>(c.out_channels / c.group);
  g.kernel_h = static_cast<int>(c.kernel[0]);
  g.kernel_w = static_cast<int>(c.kernel[1]);
  g.stride_h = static_cast<int>(c.strides[0]);
  g.stride_w = static_cast<int>(c.strides[1]);
  g.dilation_h = static_cast<int>(c.dilations[0]);
  g.dilation_w = static_cast<int>(c.dilations[1]);
  g.pad_top = static_cast<int>(pads[0]);
  g.pad_left = static_cast<int>(pads[1]);
  g.relu = c.relu;
  return ConvLaunch{g,    plan.pointers[step.inputs[0]], constants[c.weights],
                    bias, plan.pointers[step.output],    count_of(y)};
}

Launch matmul_launch(const Step& step, const Plan& plan) {
  const TensorShape& a = plan.shapes[step.inputs[0]];
  const TensorShape& b = plan.shapes[step.inputs[1]];
  const TensorShape& out = plan.shapes[step.output];
  onnx::MatMulGeometry g;
  g.m = a.size() >= 2 ? static_cast<int>(a[a.size() - 2]) : 1;
  g.k = static_cast<int>(a.back());
  g.n = b.size() >= 2 ? static_cast<int>(b.back()) : 1;
  const std::size_t batch_rank = out.size() - (a.size() >= 2 ? 1 : 0) - (b.size() >= 2 ? 1 : 0);
  const std::size_t rank_a = a.size() >= 2 ? a.size() - 2 : 0;
  const std::size_t rank_b = b.size() >= 2 ? b.size() - 2 : 0;
  std::array<std::int64_t, onnx::max_rank> stride_a{};
  std::array<std::int64_t, onnx::max_rank> stride_b{};
  std::int64_t step_a = std::int64_t{g.m} * g.k;
  std::int64_t step_b = std::int64_t{g.k} * g.n;
  for (std::size_t d = batch_rank; d-- > 0;) {
    const std::size_t from_end = batch_rank - 1 - d;
    if (from_end < rank_a) {
      const std::int64_t dim = a[rank_a - 1 - from_end];
      stride_a[d] = dim == 1 ? 0 : step_a;
      step_a *= dim;
    }
    if (from_end < rank_b) {
      const std::int64_t dim = b[rank_b - 1 - from_end];
      stride_b[d] = dim == 1 ? 0 : step_b;
      step_b *= dim;
    }
  }
  const std::span<const std::int64_t> batch(out.data(), batch_rank);
  g.batch_a = onnx::make_strided_map(batch, 0, stride_a);
  g.batch_b = onnx::make_strided_map(batch, 0, stride_b);
  return MatMulLaunch{g, plan.pointers[step.inputs[0]], plan.pointers[step.inputs[1]],
                      plan.pointers[step.output], count_of(out)};
}

Launch gemm_launch(const Step& step, const Plan& plan) {
  const TensorShape& a = plan.shapes[step.inputs[0]];
  const TensorShape& out = plan.shapes[step.output];
  onnx::GemmGeometry g;
  g.m = static_cast<int>(out[0]);
  g.n = static_cast<int>(out[1]);
  g.k = static_cast<int>(step.trans_a ? a[0] : a[1]);
  g.trans_a = step.trans_a;
  g.trans_b = step.trans_b;
  g.alpha = step.alpha;
  g.beta = step.beta;
  const float* c = nullptr;
  if (step.inputs.size() == 3) {
    const TensorShape& cs = plan.shapes[step.inputs[2]];
    c = plan.pointers[step.inputs[2]];
    g.c_col_stride = !cs.empty() && cs.back() != 1 ? 1 : 0;
    g.c_row_stride = cs.size() == 2 && cs[0] != 1 ? static_cast<int>(cs[1]) : 0;
  }
  return GemmLaunch{g, plan.pointers[step.inputs[0]], plan.pointers[step.inputs[1]],
                    c, plan.pointers[step.output],    count_of(out)};
}

/// Appends the launches of \p step to the plan (none for the Concat inputs in \p in_place).
void add_launches(const Step& step, Plan& plan, std::span<float* const> constants,
                  const std::vector<bool>& in_place) {
  const TensorShape& out = plan.shapes[step.output];
  const int count = count_of(out);
  float* y = plan.pointers[step.output];
  const auto in = [&](std::size_t i) { return plan.pointers[step.inputs[i]]; };
  const auto in_shape = [&](std::size_t i) -> const TensorShape& {
    return plan.shapes[step.inputs[i]];
  };
  if (count == 0) {
    return;
  }
  switch (step.kind) {
  case StepKind::conv:
    plan.launches.push_back(conv_launch(step, plan, constants));
    return;
  case StepKind::unary:
    plan.launches.push_back(UnaryLaunch{step.unary, in(0), y, count});
    return;
  case StepKind::binary:
    plan.launches.push_back(BinaryLaunch{step.binary, step.binary_relu, in(0), in(1), y, count,
                                         onnx::make_broadcast_map(in_shape(0), out),
                                         onnx::make_broadcast_map(in_shape(1), out)});
    return;
  case StepKind::copy:
  case StepKind::reshape: {
    const std::size_t bytes = static_cast<std::size_t>(count) * sizeof(float);
    plan.launches.push_back(DeviceCopyLaunch{in(0), y, bytes, bytes, bytes, 1});
    return;
  }
  case StepKind::concat: {
    const std::size_t axis = static_cast<std::size_t>(
        step.axis < 0 ? step.axis + static_cast<std::int64_t>(out.size()) : step.axis);
    std::int64_t outer = 1;
    for (std::size_t d = 0; d < axis; ++d) {
      outer *= out[d];
    }
    const std::int64_t out_block = count / outer;
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < step.inputs.size(); ++i) {
      const std::int64_t block = shape_num_elements(in_shape(i)) / outer;
      if (block > 0 && !in_place[step.inputs[i]]) {
        plan.launches.push_back(DeviceCopyLaunch{
            in(i), y + offset, static_cast<std::size_t>(block) * sizeof(float),
            static_cast<std::size_t>(block) * sizeof(float),
            static_cast<std::size_t>(out_block) * sizeof(float), static_cast<std::size_t>(outer)});
      }
      offset += block;
    }
    return;
  }
  case StepKind::transpose: {
    const TensorShape& x = in_shape(0);
    const auto in_strides = row_major_strides(x);
    std::array<std::int64_t, onnx::max_rank> strides{};
    for (std::size_t d = 0; d < x.size(); ++d) {
      const std::int64_t source =
          step.perm.empty() ? static_cast<std::int64_t>(x.size() - 1 - d) : step.perm[d];
      strides[d] = in_strides[static_cast<std::size_t>(source)];
    }
    plan.launches.push_back(
        StridedCopyLaunch{in(0), y, count, onnx::make_strided_map(out, 0, strides)});
    return;
  }
  case StepKind::slice: {
    const TensorShape& x = in_shape(0);
    const phy::nn::SliceWindow starts = slice_window(step, x);
    const auto in_strides = row_major_strides(x);
    std::array<std::int64_t, onnx::max_rank> strides{};
    std::int64_t base = 0;
    for (std::size_t d = 0; d < x.size(); ++d) {
      base += starts.start[d] * in_strides[d];
      strides[d] = starts.step[d] * in_strides[d];
    }
    plan.launches.push_back(
        StridedCopyLaunch{in(0), y, count, onnx::make_strided_map(out, base, strides)});
    return;
  }
  case StepKind::reduce_mean: {
    const auto flags = reduced_axes(step, in_shape(0).size());
    plan.launches.push_back(ReduceMeanLaunch{
        onnx::make_reduce_geometry(in_shape(0), std::span(flags.data(), in_shape(0).size())), in(0),
        y, count});
    return;
  }
  case StepKind::gemm:
    plan.launches.push_back(gemm_launch(step, plan));
    return;
  case StepKind::matmul:
    plan.launches.push_back(matmul_launch(step, plan));
    return;
  }
}

} // namespace

std::unique_ptr<Plan> make_plan(const PlanContext& context,
                                std::span<const phy::nn::TensorShape> input_shapes) {
  const Program& program = context.program;
  const PlanLayout layout = layout_plan(program, input_shapes, context.concat_in_place);
  auto plan = std::make_unique<Plan>();
  plan->program = &program;
  plan->input_shapes.assign(input_shapes.begin(), input_shapes.end());
  plan->input_ids = program.input_ids;
  plan->output_ids = program.output_ids;
  plan->shapes = layout.shapes;
  plan->arena = DeviceBuffer<float>(static_cast<std::size_t>(layout.arena_size));
  context.count_allocation();
  plan->pointers.assign(program.values.size(), nullptr);
  for (std::size_t v = 0; v < program.values.size(); ++v) {
    plan->pointers[v] = layout.offsets[v] >= 0 ? plan->arena.data() + layout.offsets[v]
                                               : context.constant_pointers[v];
  }
  for (const std::size_t v : program.input_ids) {
    plan->staging.emplace_back(static_cast<std::size_t>(shape_num_elements(plan->shapes[v])));
    context.count_allocation();
  }
  for (const std::size_t v : program.output_ids) {
    plan->outputs.emplace_back(static_cast<std::size_t>(shape_num_elements(plan->shapes[v])));
    context.count_allocation();
  }
  for (std::size_t s = 0; s < program.steps.size(); ++s) {
    if (!program.steps[s].removed) {
      add_launches(program.steps[s], *plan, context.constant_pointers, layout.in_place);
      plan->launch_steps.resize(plan->launches.size(), s);
    }
  }
  const std::vector<LaunchAccess> accesses = launch_accesses(program, layout);
  if (accesses.size() != plan->launches.size()) {
    throw std::logic_error("GPU ONNX plan: " + std::to_string(accesses.size()) +
                           " launch accesses for " + std::to_string(plan->launches.size()) +
                           " launches");
  }
  plan->schedule = schedule_launches(accesses, context.max_streams);
  for (std::size_t i = 0; i < plan->launches.size(); ++i) {
    if (plan->schedule.waited_on[i]) {
      plan->done.emplace(i, CudaEvent(cudaEventDisableTiming));
    }
  }
  for (int k = 1; k < plan->schedule.num_streams; ++k) {
    plan->joins.emplace_back(cudaEventDisableTiming);
  }
  return plan;
}

const char* launch_kind(const Launch& launch) {
  static constexpr std::array<const char*, std::variant_size_v<Launch>> names{
      "unary",       "binary",      "strided copy",
      "device copy", "direct conv", "pointwise conv (cuBLAS)",
      "reduce mean", "gemm",        "matmul"};
  static_assert(std::is_same_v<std::variant_alternative_t<4, Launch>, ConvLaunch> &&
                std::is_same_v<std::variant_alternative_t<5, Launch>, PointwiseConvLaunch>);
  return names.at(launch.index());
}

void Plan::enqueue(cudaStream_t stream, std::span<const cudaStream_t> side_streams,
                   cublasHandle_t cublas) {
  enqueue_uploads(stream);
  const auto lanes = static_cast<std::size_t>(schedule.num_streams);
  if (side_streams.size() + 1 < lanes) {
    throw std::logic_error("GPU ONNX plan: " + std::to_string(lanes) + " streams scheduled, " +
                           std::to_string(side_streams.size() + 1) + " given");
  }
  const auto lane = [&](int k) {
    return k == 0 ? stream : side_streams[static_cast<std::size_t>(k - 1)];
  };
  // Every side stream forks from the main stream and joins it again, also when a launch throws
  // (inside a capture, an unjoined stream would leave the capture unfinishable).
  if (lanes > 1) {
    AIRAN_CUDA_CHECK(cudaEventRecord(fork.get(), stream));
    for (std::size_t k = 1; k < lanes; ++k) {
      AIRAN_CUDA_CHECK(cudaStreamWaitEvent(side_streams[k - 1], fork.get(), 0));
    }
  }
  const auto join = [&] {
    cudaError_t first = cudaSuccess;
    for (std::size_t k = 1; k < lanes; ++k) {
      const cudaError_t recorded = cudaEventRecord(joins[k - 1].get(), side_streams[k - 1]);
      const cudaError_t waited = cudaStreamWaitEvent(stream, joins[k - 1].get(), 0);
      first = first != cudaSuccess ? first : (recorded != cudaSuccess ? recorded : waited);
    }
    return first;
  };
  try {
    for (std::size_t i = 0; i < launches.size(); ++i) {
      const cudaStream_t target = lane(schedule.stream[i]);
      for (const std::size_t waited : schedule.waits[i]) {
        AIRAN_CUDA_CHECK(cudaStreamWaitEvent(target, done.at(waited).get(), 0));
      }
      detail::enqueue(launches[i], target, cublas);
      if (schedule.waited_on[i]) {
        AIRAN_CUDA_CHECK(cudaEventRecord(done.at(i).get(), target));
      }
    }
  } catch (...) {
    join();
    throw;
  }
  AIRAN_CUDA_CHECK(join());
  enqueue_downloads(stream);
}

void Plan::enqueue_uploads(cudaStream_t stream) {
  for (std::size_t i = 0; i < input_ids.size(); ++i) {
    if (staging[i].size() != 0) {
      AIRAN_CUDA_CHECK(cudaMemcpyAsync(pointers[input_ids[i]], staging[i].data(),
                                       staging[i].size() * sizeof(float), cudaMemcpyHostToDevice,
                                       stream));
    }
  }
}

void Plan::enqueue_downloads(cudaStream_t stream) {
  for (std::size_t o = 0; o < output_ids.size(); ++o) {
    if (outputs[o].size() != 0) {
      AIRAN_CUDA_CHECK(cudaMemcpyAsync(outputs[o].data(), pointers[output_ids[o]],
                                       outputs[o].size() * sizeof(float), cudaMemcpyDeviceToHost,
                                       stream));
    }
  }
}

} // namespace airan::gpu::detail
