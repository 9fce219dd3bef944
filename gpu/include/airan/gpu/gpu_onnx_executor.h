/// \file
/// \brief GpuOnnxExecutor: the CUDA inference engine of the neural receiver. Runs the ONNX
/// models the CPU OnnxExecutor runs (same operators, same load-time validation) in float32 on
/// one device, behind phy::nn::InferenceEngine.
///
/// Construction validates every node (through a CPU OnnxExecutor, so an unsupported operator,
/// attribute or tensor type is the same OnnxError naming the node) and uploads every float
/// initializer and Constant once. The first run() at a set of input shapes infers every shape,
/// allocates one device arena (inputs and intermediate values, reused as values die), pinned
/// input staging and pinned output buffers, records the kernels and, by default, captures them
/// in a CUDA graph. Later runs at those shapes allocate nothing: the inputs are copied into
/// pinned memory, the graph is launched, and the host waits once, for the outputs.
///
/// Kernels: pointwise 1x1 Conv is a cuBLAS SGEMM (fp32 FMA, or TF32 tensor cores with
/// GpuOnnxMath::tf32) plus a bias/Relu pass; every other Conv
/// (depthwise KxK, grouped, padded, strided, dilated) is one thread per output element; a Relu
/// that only reads a Conv or an element-wise Add/Sub/Mul/Div runs inside that kernel. Element-wise
/// operators broadcast by index maps; Transpose and Slice are strided copies; Concat, Reshape and
/// Identity are device copies; ReduceMean sums in double (one thread, or one block for long
/// reductions, per output element). The per-element math is in onnx_device_math.h.
///
/// This header has no CUDA types; without CUDA the constructor throws std::runtime_error.
#pragma once

#include "airan/phy/nn/inference_engine.h"
#include "airan/phy/nn/onnx_model.h"
#include "airan/phy/nn/tensor.h"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace airan::gpu {

/// Arithmetic of the pointwise convolutions (the GEMMs that hold almost all of a separable
/// network's multiply-adds).
enum class GpuOnnxMath {
  /// IEEE fp32 multiply-adds: the CPU executor's results within 1e-4 (the I/O contract's
  /// tolerance).
  fp32,
  /// TF32 tensor cores (sm_80 and later): the GEMM inputs are rounded to a 10-bit mantissa and
  /// accumulated in fp32. Faster; the outputs move by about 1e-3 of their largest magnitude
  /// (docs/NEURAL_RECEIVER.md), so this is an opt-in trade of accuracy for speed.
  tf32
};

/// "fp32" or "tf32".
const char* to_string(GpuOnnxMath math);
/// GpuOnnxMath of "fp32" or "tf32". \throws std::invalid_argument for another name.
GpuOnnxMath parse_gpu_onnx_math(const std::string& name);

/// Device time of one kernel or copy of a plan, from GpuOnnxExecutor::profile().
struct GpuOnnxLaunchTime {
  std::string node;   ///< The ONNX node it belongs to ("Conv '/blocks.0/first/pointwise/Conv'").
  std::string kernel; ///< What ran: "pointwise conv (cuBLAS)", "conv", "binary", ...
  float device_us = 0.0F;
};

/// GpuOnnxExecutor construction options.
struct GpuOnnxExecutorOptions {
  /// CUDA device index.
  int device = 0;
  /// Capture each input-shape plan in a CUDA graph (false: launch the kernels one by one on
  /// every run; same results, for comparisons). AIRAN_CUDA_GRAPHS=0 in the environment turns it
  /// off, as for the other CUDA stages.
  bool use_cuda_graph = true;
  /// Apply a Relu that is the only reader of a Conv or of an element-wise Add, Sub, Mul or Div
  /// inside that node's kernel (one pass over device memory less).
  bool fuse_relu = true;
  /// Add the skip connection of a residual block (an Add whose operand is a pointwise Conv it
  /// alone reads) in that convolution's bias/Relu pass (one pass over device memory less).
  bool fuse_residual = true;
  /// Evaluate an element-wise node (and the Slices it reads through) inside the element-wise node
  /// or ReduceMean that alone reads it: one kernel per chain (fused regions).
  bool fuse_elementwise = true;
  /// Arithmetic of the pointwise convolutions.
  GpuOnnxMath math = GpuOnnxMath::fp32;
  /// Run each pointwise convolution as one cuBLASLt matmul with its bias (an input channel of
  /// ones written by the depthwise Conv before it), residual and Relu folded in, instead of a
  /// cuBLAS GEMM and an epilogue kernel (where cuBLASLt cannot take one, that one keeps the
  /// GEMM and the kernel). Off by default until measured on a GPU; the results agree within the
  /// GEMM's rounding.
  bool gemm_epilogue = false;
  /// Streams a plan's launches may spread over, so that independent branches of the model run
  /// side by side (each launch waits, by events, only for the launches whose memory it shares);
  /// 1 runs them one after another. Same results either way.
  int max_streams = 8;
  /// Input-shape plans kept at once (each holds a device arena sized for its shapes and a CUDA
  /// graph): a new shape beyond this many frees the plan used longest ago, after waiting for
  /// its work (and, for a device-resident plan, for its last caller's stream).
  std::size_t max_plans = 16;
  /// A computed value that a Concat (along an axis with only size-1 dimensions before it) reads,
  /// and that nothing reads after the Concat, is written by its producer straight into the
  /// Concat's output, which then copies nothing for it. Same results either way.
  bool concat_in_place = true;
  /// Run the element-wise launches (element-wise nodes, fused regions, short means, direct
  /// convolutions) that no dependency orders, those at the same depth of the plan's dependency
  /// graph, as one kernel whose blocks each run a block of one of them, instead of one short
  /// kernel each. Same results either way.
  bool batch_launches = true;
};

/// Where a device-resident run (GpuOnnxExecutor::enqueue_device()) reads its inputs and leaves
/// its outputs: device memory of one input-shape plan, and the lists themselves the plan's, so
/// that asking for them allocates nothing; valid while the plan is kept.
struct GpuOnnxDeviceIo {
  std::span<float* const> inputs;                      ///< Per GpuOnnxExecutor::inputs().
  std::span<const float* const> outputs;               ///< Per GpuOnnxExecutor::outputs().
  std::span<const phy::nn::TensorShape> output_shapes; ///< Per output.
};

/// Runs one ONNX model on a CUDA device. Not thread-safe: one run() at a time per executor.
class GpuOnnxExecutor final : public phy::nn::InferenceEngine {
public:
  /// Validates \p model, selects the device, creates the stream and the cuBLAS handle and
  /// uploads the constants. \throws phy::nn::OnnxError naming an unsupported node,
  /// std::runtime_error without CUDA ("built without CUDA"), CudaError when CUDA fails.
  explicit GpuOnnxExecutor(const phy::nn::OnnxModel& model,
                           const GpuOnnxExecutorOptions& options = {});
  ~GpuOnnxExecutor() override;
  GpuOnnxExecutor(const GpuOnnxExecutor&) = delete;
  GpuOnnxExecutor& operator=(const GpuOnnxExecutor&) = delete;

  /// Run-time inputs in the order run() takes them.
  [[nodiscard]] const std::vector<phy::nn::OnnxValueInfo>& inputs() const override;
  /// Graph outputs in the order output() indexes them.
  [[nodiscard]] const std::vector<phy::nn::OnnxValueInfo>& outputs() const;

  /// Runs the model on host \p inputs (one per inputs(), same order) and waits for the outputs.
  /// \throws phy::nn::OnnxError on a wrong input count or shape, or a node whose input shapes
  /// it cannot take (naming the node); CudaError when CUDA fails.
  void run(std::span<const phy::nn::ConstTensorView> inputs) override;

  /// Output \p index of the last run(), in pinned host memory; valid until the next run().
  /// \throws std::out_of_range.
  [[nodiscard]] phy::nn::ConstTensorView output(std::size_t index) const override;

  /// The device memory of the plan for inputs of \p shapes (one per inputs(), same order; the
  /// plan is made on first use, allocating as run() does): a producer on the device writes the
  /// inputs there and enqueue_device() leaves the outputs there. Valid until the plan is freed
  /// (GpuOnnxExecutorOptions::max_plans), so ask again before each enqueue_device(). Allocates
  /// nothing at shapes it has a plan for.
  /// \throws phy::nn::OnnxError as run() for shapes the model cannot take; CudaError.
  GpuOnnxDeviceIo prepare_device(std::span<const phy::nn::TensorShape> shapes);
  /// Enqueues the model on the inputs in prepare_device(\p shapes)'s memory, after the work
  /// already enqueued on \p stream (a cudaStream_t of this device, e.g. the one whose kernels
  /// write the inputs) and before any work enqueued on it later (e.g. kernels that read the
  /// outputs): no copies and no host synchronisation. The first run of a plan launches its
  /// kernels directly and waits once, then captures them in a CUDA graph (unless
  /// use_cuda_graph is off) that later runs launch. \p stream must stay valid while the plan is
  /// kept: before a plan is freed (max_plans) its last caller's stream is waited for, so that
  /// nothing still reads its outputs. output() and last_run_device_ms() keep the
  /// last run()'s. \throws as prepare_device(); std::logic_error for a null stream or one
  /// being captured into a CUDA graph.
  void enqueue_device(std::span<const phy::nn::TensorShape> shapes, void* stream);
  /// Runs the model like run() (same outputs) from a CUDA graph of its own with an event after
  /// every kernel and copy, and returns each one's device time in plan order (input uploads and
  /// output downloads not included). For finding where a model's time
  /// goes; slower than run(), and last_run_device_ms() keeps the last run()'s time.
  /// \throws as run().
  std::vector<GpuOnnxLaunchTime> profile(std::span<const phy::nn::ConstTensorView> inputs);

  /// "cuda (device 0, NVIDIA H200, fp32)" (or tf32).
  [[nodiscard]] std::string description() const override;

  /// Input-shape plans made so far.
  [[nodiscard]] std::size_t num_plans() const;
  /// Pointwise convolutions of the last run()'s plan that run as one cuBLASLt matmul each
  /// (gemm_epilogue); 0 before a run or without gemm_epilogue.
  [[nodiscard]] std::size_t num_fused_gemms() const;
  /// Device and pinned-host allocations this executor has made since construction (constants,
  /// cuBLAS workspace, and per plan: arena, input staging, outputs). A run at known shapes
  /// does not change it.
  [[nodiscard]] std::size_t num_allocations() const;
  /// Device time of the last run() (input upload, model, output download), from CUDA events.
  [[nodiscard]] float last_run_device_ms() const;
  /// Empty, or why the last CUDA graph capture of a plan failed (that plan then launches its
  /// kernels directly on every run, with the same results).
  [[nodiscard]] const std::string& capture_error() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A factory that builds a GpuOnnxExecutor on CUDA device \p device (which overrides
/// options.device) for each model; the thread count is ignored. The factory itself does not
/// touch CUDA; each engine it builds throws as the constructor does.
phy::nn::InferenceEngineFactory
make_gpu_inference_engine_factory(int device, const GpuOnnxExecutorOptions& options = {});

} // namespace airan::gpu
