/// \file
/// \brief One input-shape plan of GpuOnnxExecutor (private): every value's shape and device
/// pointer, the device arena, pinned input staging and outputs, the kernel launches and the
/// CUDA graph that replays them.
#pragma once

#include "airan/gpu/cuda_graph.h"
#include "airan/gpu/device_buffer.h"

#include "gpu_onnx_kernels.h"
#include "gpu_onnx_program.h"

#include <cuda_runtime.h>

#include <cstddef>
#include <functional>
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
};

/// Everything a run at one set of input shapes uses.
struct Plan {
  std::vector<phy::nn::TensorShape> input_shapes;
  std::vector<std::size_t> input_ids;       ///< Program::input_ids
  std::vector<std::size_t> output_ids;      ///< Program::output_ids
  std::vector<phy::nn::TensorShape> shapes; ///< Per value.
  std::vector<float*> pointers;             ///< Per value: device data.
  DeviceBuffer<float> arena;
  std::vector<PinnedBuffer<float>> staging; ///< Per graph input.
  std::vector<PinnedBuffer<float>> outputs; ///< Per graph output.
  std::vector<Launch> launches;             ///< Model kernels, in order.
  std::vector<std::size_t> launch_steps;    ///< Per launch: its Program::steps index.
  CudaGraph graph;
  bool capture_tried = false; ///< A failed capture is not retried at every run.

  /// Enqueues input uploads, the launches and output downloads on \p stream.
  void enqueue(cudaStream_t stream, cublasHandle_t cublas);
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
