/// \file
/// \brief One input-shape plan of GpuOnnxExecutor (private): every value's shape and device
/// pointer, the device arena, pinned input staging and outputs, the kernel launches with their
/// streams and waits, and the CUDA graph that replays them.
#pragma once

#include "airan/gpu/cuda_graph.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/device_buffer.h"

#include "gpu_onnx_batching.h"
#include "gpu_onnx_fused_gemm.h"
#include "gpu_onnx_kernels.h"
#include "gpu_onnx_program.h"
#include "gpu_onnx_schedule.h"

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <vector>

namespace airan::gpu::detail {

/// What a plan needs from its executor.
struct PlanContext {
  const Program& program;
  /// Device pointer of every constant value (nullptr elsewhere).
  std::span<float* const> constant_pointers;
  /// Called after every device or pinned allocation (the executor's counter).
  std::function<void()> count_allocation;
  /// Streams the launches may spread over (1: one after another on the main stream).
  int max_streams = 1;
  /// Concat inputs written in place (gpu_onnx_layout.h).
  bool concat_in_place = true;
  /// The handles launches run with; with blas.lt, pointwise convolutions as FusedGemm (and
  /// planes of ones after their inputs).
  BlasContext blas;
  /// FusedGemm arithmetic: TF32 tensor cores.
  bool tf32 = false;
  /// The executor's stream: derived constants are copied on it, and it alone is waited for (no
  /// device-wide synchronisation, which other threads' graph captures would not survive).
  cudaStream_t stream = nullptr;
  /// Independent element-wise launches of one dependency level as one kernel
  /// (gpu_onnx_batching.h).
  bool batch_launches = true;
};

/// Everything a run at one set of input shapes uses.
struct Plan {
  const Program* program = nullptr; ///< The steps it runs (PlanContext::program).
  std::vector<phy::nn::TensorShape> input_shapes;
  std::vector<std::size_t> input_ids;       ///< Program::input_ids
  std::vector<std::size_t> output_ids;      ///< Program::output_ids
  std::vector<phy::nn::TensorShape> shapes; ///< Per value.
  std::vector<float*> pointers;             ///< Per value: device data.
  /// GpuOnnxExecutor::prepare_device()'s lists, made on its first call for this plan: per graph
  /// input and output, pointers[input_ids[i]] and pointers[output_ids[i]], shapes[output_ids[i]].
  std::vector<float*> device_inputs;
  std::vector<const float*> device_outputs;
  std::vector<phy::nn::TensorShape> device_output_shapes;
  DeviceBuffer<float> arena;
  std::vector<PinnedBuffer<float>> staging; ///< Per graph input (allocate_host_buffers()).
  std::vector<PinnedBuffer<float>> outputs; ///< Per graph output (allocate_host_buffers()).
  std::vector<Launch> launches;             ///< Model kernels, in order.
  std::vector<std::size_t> launch_steps;    ///< Per launch: its Program::steps index (a batch's
                                            ///< first member's).
  LaunchSchedule schedule;                  ///< Per launch: stream and waits.
  std::vector<DeviceBuffer<float>> derived; ///< Constants the launches derived (weights | bias).
  std::vector<std::unique_ptr<FusedGemm>> fused_gemms;
  DeviceBuffer<double> reduction_partials;   ///< SplitReduction::partials of every long mean.
  DeviceBuffer<unsigned> reduction_counters; ///< SplitReduction::counters (zero between runs).
  DeviceBuffer<BatchMember> batch_members;   ///< Every BatchLaunch's members, batch after batch.
  DeviceBuffer<int> batch_blocks;            ///< Every BatchLaunch's block -> member map.
  std::map<std::size_t, CudaEvent> done;     ///< Recorded after each launch that is waited for.
  CudaEvent fork{cudaEventDisableTiming};    ///< The side streams wait for the uploads.
  std::vector<CudaEvent> joins;              ///< Per side stream: the main stream waits for it.
  CudaGraph graph;                           ///< With the input uploads and output downloads.
  bool capture_tried = false;                ///< A failed capture is not retried at every run.
  CudaGraph device_graph;                    ///< Without them (device-resident inputs and outputs).
  bool device_capture_tried = false;
  std::uint64_t last_use = 0;         ///< The executor's plan lookups at its last one.
  cudaStream_t last_caller = nullptr; ///< The stream of its last device-resident run.

  /// Enqueues input uploads (with \p copies), the launches and output downloads (with
  /// \p copies) on \p stream, the launches spread over it and \p side_streams (at least
  /// schedule.num_streams - 1) as scheduled; blas.cublas is bound to \p stream. Every side stream
  /// joins \p stream again before the downloads, also when a launch throws.
  void enqueue(cudaStream_t stream, std::span<const cudaStream_t> side_streams,
               const BlasContext& blas, bool copies = true);
  /// Makes the pinned input staging and output buffers, once: runs from and to host memory need
  /// them, device-resident runs do not. Calls \p count_allocation after each allocation.
  void allocate_host_buffers(const std::function<void()>& count_allocation);
  /// Enqueues the copies of the staged inputs to the device.
  void enqueue_uploads(cudaStream_t stream);
  /// Enqueues the copies of the outputs to pinned host memory.
  void enqueue_downloads(cudaStream_t stream);
};

/// What \p launch runs, for profiles: "pointwise conv (cuBLAS)", "conv", "binary", ...
const char* launch_kind(const Launch& launch);

/// Infers every shape for \p input_shapes (an OnnxError naming the node when they do not fit),
/// lays out the arena and allocates the plan's buffers.
std::unique_ptr<Plan> make_plan(const PlanContext& context,
                                std::span<const phy::nn::TensorShape> input_shapes);

} // namespace airan::gpu::detail
