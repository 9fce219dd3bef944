/// \file
/// \brief Plans of GpuOnnxExecutor: the layout (gpu_onnx_layout.h) in one device arena, the
/// launch records (gpu_onnx_launches.h), their streams and waits (gpu_onnx_schedule.h), and the
/// enqueueing of a plan (directly or into a CUDA graph).
#include "gpu_onnx_plan.h"

#include "airan/gpu/cuda_check.h"

#include "gpu_onnx_layout.h"

#include <array>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace airan::gpu::detail {

using phy::nn::shape_num_elements;

namespace {

/// The split reduction of \p launch when it is a long mean, else nullptr.
SplitReduction* split_of(Launch& launch) {
  if (auto* mean = std::get_if<ReduceMeanLaunch>(&launch)) {
    return reduction_splits(mean->geometry.reduced_count) > 0 ? &mean->split : nullptr;
  }
  if (auto* region = std::get_if<RegionLaunch>(&launch)) {
    const bool split = region->reduce && reduction_splits(region->geometry.reduced_count) > 0;
    return split ? &region->split : nullptr;
  }
  return nullptr;
}

/// Output elements and reduced elements per output element of a mean launch.
std::pair<int, int> mean_extent(const Launch& launch) {
  if (const auto* mean = std::get_if<ReduceMeanLaunch>(&launch)) {
    return {mean->count, mean->geometry.reduced_count};
  }
  const auto& region = std::get<RegionLaunch>(launch);
  return {region.count, region.geometry.reduced_count};
}

/// Gives every long mean of \p plan its own partials and counters (zeroed, on \p stream, which
/// is waited for), so that means on different streams never share scratch.
void allocate_split_reductions(Plan& plan, const PlanContext& context) {
  std::size_t partials = 0;
  std::size_t counters = 0;
  for (Launch& launch : plan.launches) {
    if (split_of(launch) != nullptr) {
      const auto [count, reduced] = mean_extent(launch);
      partials +=
          static_cast<std::size_t>(count) * static_cast<std::size_t>(reduction_splits(reduced));
      counters += static_cast<std::size_t>(count);
    }
  }
  if (counters == 0) {
    return;
  }
  plan.reduction_partials = DeviceBuffer<double>(partials);
  context.count_allocation();
  plan.reduction_counters = DeviceBuffer<unsigned>(counters);
  context.count_allocation();
  plan.reduction_counters.fill_zero(context.stream);
  AIRAN_CUDA_CHECK(cudaStreamSynchronize(context.stream));
  double* next_partials = plan.reduction_partials.data();
  unsigned* next_counter = plan.reduction_counters.data();
  for (Launch& launch : plan.launches) {
    if (SplitReduction* split = split_of(launch)) {
      const auto [count, reduced] = mean_extent(launch);
      split->splits = reduction_splits(reduced);
      split->partials = next_partials;
      split->counters = next_counter;
      next_partials += static_cast<std::ptrdiff_t>(count) * split->splits;
      next_counter += count;
    }
  }
}

/// Copies every BatchLaunch's members and block map to device memory (on \p context's stream,
/// which is waited for) and points the launches at them.
void upload_batches(Plan& plan, const PlanContext& context) {
  std::vector<BatchMember> members;
  std::vector<int> blocks;
  std::vector<std::pair<std::size_t, std::size_t>> offsets; // per batch: members, blocks
  for (Launch& launch : plan.launches) {
    if (auto* batch = std::get_if<BatchLaunch>(&launch)) {
      std::vector<int> block_members;
      lay_out_batch(*batch, block_members);
      offsets.emplace_back(members.size(), blocks.size());
      members.insert(members.end(), batch->members.begin(), batch->members.end());
      blocks.insert(blocks.end(), block_members.begin(), block_members.end());
    }
  }
  if (members.empty()) {
    return;
  }
  plan.batch_members = DeviceBuffer<BatchMember>(members.size());
  context.count_allocation();
  plan.batch_blocks = DeviceBuffer<int>(blocks.size());
  context.count_allocation();
  plan.batch_members.copy_from_host(members, context.stream);
  plan.batch_blocks.copy_from_host(blocks, context.stream);
  AIRAN_CUDA_CHECK(cudaStreamSynchronize(context.stream)); // before the host copies go
  std::size_t b = 0;
  for (Launch& launch : plan.launches) {
    if (auto* batch = std::get_if<BatchLaunch>(&launch)) {
      batch->device_members = plan.batch_members.data() + offsets[b].first;
      batch->device_block_members = plan.batch_blocks.data() + offsets[b].second;
      ++b;
    }
  }
}

} // namespace

std::unique_ptr<Plan> make_plan(const PlanContext& context,
                                std::span<const phy::nn::TensorShape> input_shapes) {
  const Program& program = context.program;
  const PlanLayout layout =
      layout_plan(program, input_shapes, context.concat_in_place, context.blas.lt != nullptr);
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
  // Derived constants (a pointwise Conv's [weights | bias]) go to the device once, now, on the
  // executor's stream, which is waited for before the host copy is freed: a copy from pageable
  // memory may return before the data have left it.
  const DerivedConstantStore store = [&](std::vector<float> values) -> const float* {
    DeviceBuffer<float>& buffer = plan->derived.emplace_back(values.size());
    context.count_allocation();
    buffer.copy_from_host(values, context.stream);
    AIRAN_CUDA_CHECK(cudaStreamSynchronize(context.stream));
    return buffer.data();
  };
  plan->launches = build_launches(program, layout, plan->arena.data(), context.constant_pointers,
                                  plan->launch_steps, store);
  if (context.blas.lt != nullptr) {
    for (Launch& launch : plan->launches) {
      if (auto* pointwise = std::get_if<PointwiseConvLaunch>(&launch)) {
        if (auto gemm = FusedGemm::make(*pointwise, context.blas, context.tf32)) {
          pointwise->fused_gemm = gemm.get();
          plan->fused_gemms.push_back(std::move(gemm));
        }
      }
    }
  }
  allocate_split_reductions(*plan, context);
  const std::vector<LaunchAccess> accesses = launch_accesses(program, layout);
  if (accesses.size() != plan->launches.size()) {
    throw std::logic_error("GPU ONNX plan: " + std::to_string(accesses.size()) +
                           " launch accesses for " + std::to_string(plan->launches.size()) +
                           " launches");
  }
  BatchedLaunches batched = batch_launches(std::move(plan->launches), plan->launch_steps, accesses,
                                           context.batch_launches);
  plan->launches = std::move(batched.launches);
  plan->launch_steps = std::move(batched.steps);
  upload_batches(*plan, context);
  plan->schedule =
      schedule_dependencies(batched.dependencies, batched.main_stream_only, context.max_streams);
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
      "unary",
      "binary",
      "strided copy",
      "device copy",
      "direct conv",
      "pointwise conv (cuBLAS)",
      "reduce mean",
      "gemm",
      "matmul",
      "fused region",
      "batch (independent element-wise launches)"};
  static_assert(std::is_same_v<std::variant_alternative_t<4, Launch>, ConvLaunch> &&
                std::is_same_v<std::variant_alternative_t<5, Launch>, PointwiseConvLaunch>);
  return names.at(launch.index());
}

void Plan::enqueue(cudaStream_t stream, std::span<const cudaStream_t> side_streams,
                   const BlasContext& blas, bool copies) {
  const auto lanes = static_cast<std::size_t>(schedule.num_streams);
  if (side_streams.size() + 1 < lanes) {
    throw std::logic_error("GPU ONNX plan: " + std::to_string(lanes) + " streams scheduled, " +
                           std::to_string(side_streams.size() + 1) + " given");
  }
  if (copies) {
    enqueue_uploads(stream);
  }
  const auto lane = [&](int k) {
    return k == 0 ? stream : side_streams[static_cast<std::size_t>(k - 1)];
  };
  // Every side stream forks from the main stream and joins it again, also when a launch throws
  // (inside a capture, an unjoined stream would leave the capture unfinishable).
  std::size_t forked = 1;
  const auto join = [&] {
    cudaError_t first = cudaSuccess;
    for (std::size_t k = 1; k < forked; ++k) {
      const cudaError_t recorded = cudaEventRecord(joins[k - 1].get(), side_streams[k - 1]);
      const cudaError_t waited = cudaStreamWaitEvent(stream, joins[k - 1].get(), 0);
      first = first != cudaSuccess ? first : (recorded != cudaSuccess ? recorded : waited);
    }
    return first;
  };
  try {
    if (lanes > 1) {
      AIRAN_CUDA_CHECK(cudaEventRecord(fork.get(), stream));
      for (; forked < lanes; ++forked) {
        AIRAN_CUDA_CHECK(cudaStreamWaitEvent(side_streams[forked - 1], fork.get(), 0));
      }
    }
    for (std::size_t i = 0; i < launches.size(); ++i) {
      const cudaStream_t target = lane(schedule.stream[i]);
      // cuBLAS runs on the handle's stream, the main one: its launches are scheduled there.
      if (std::holds_alternative<PointwiseConvLaunch>(launches[i]) && schedule.stream[i] != 0) {
        throw std::logic_error("GPU ONNX plan: a cuBLAS launch scheduled off the main stream");
      }
      for (const std::size_t waited : schedule.waits[i]) {
        AIRAN_CUDA_CHECK(cudaStreamWaitEvent(target, done.at(waited).get(), 0));
      }
      detail::enqueue(launches[i], target, blas);
      if (schedule.waited_on[i]) {
        AIRAN_CUDA_CHECK(cudaEventRecord(done.at(i).get(), target));
      }
    }
  } catch (...) {
    join();
    throw;
  }
  AIRAN_CUDA_CHECK(join());
  if (copies) {
    enqueue_downloads(stream);
  }
}

void Plan::allocate_host_buffers(const std::function<void()>& count_allocation) {
  if (staging.size() == input_ids.size() && outputs.size() == output_ids.size()) {
    return;
  }
  staging.clear();
  outputs.clear();
  for (const std::size_t v : input_ids) {
    staging.emplace_back(static_cast<std::size_t>(shape_num_elements(shapes[v])));
    count_allocation();
  }
  for (const std::size_t v : output_ids) {
    outputs.emplace_back(static_cast<std::size_t>(shape_num_elements(shapes[v])));
    count_allocation();
  }
}

void Plan::enqueue_uploads(cudaStream_t stream) {
  for (std::size_t i = 0; i < staging.size(); ++i) {
    if (staging[i].size() != 0) {
      AIRAN_CUDA_CHECK(cudaMemcpyAsync(pointers[input_ids[i]], staging[i].data(),
                                       staging[i].size() * sizeof(float), cudaMemcpyHostToDevice,
                                       stream));
    }
  }
}

void Plan::enqueue_downloads(cudaStream_t stream) {
  for (std::size_t o = 0; o < outputs.size(); ++o) {
    if (outputs[o].size() != 0) {
      AIRAN_CUDA_CHECK(cudaMemcpyAsync(outputs[o].data(), pointers[output_ids[o]],
                                       outputs[o].size() * sizeof(float), cudaMemcpyDeviceToHost,
                                       stream));
    }
  }
}

} // namespace airan::gpu::detail
