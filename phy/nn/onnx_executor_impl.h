/// \file
/// \brief Private state of OnnxExecutor, shared by its building/planning and running halves.
#pragma once

#include "airan/phy/nn/onnx_executor.h"

#include "onnx_kernels.h"

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace airan::phy::nn {

struct OnnxExecutor::Impl {
  /// Where a value comes from.
  struct Value {
    const Tensor* constant = nullptr; ///< Initializer or Constant node output.
    std::ptrdiff_t step = -1;         ///< Producing step (computed values).
    std::ptrdiff_t input = -1;        ///< Graph input index.
  };
  struct Step {
    std::unique_ptr<detail::Kernel> kernel;
    std::string op_type;
    std::vector<std::size_t> inputs; ///< Value inputs only.
    std::size_t output = 0;
    bool removed = false; ///< Folded into the previous step (Conv + Relu).
  };
  struct Plan {
    std::vector<TensorShape> input_shapes;
    std::vector<TensorShape> shapes;   ///< Per value.
    std::vector<std::int64_t> offsets; ///< Per value: arena offset, -1 if not in the arena.
    std::vector<std::int64_t> sizes;   ///< Per value: elements.
    std::vector<float> arena;
    float* base = nullptr;      ///< Aligned start of the arena.
    std::uint64_t last_run = 0; ///< run() count when it last ran (the oldest is freed first).
  };

  Impl(OnnxModel m, const OnnxExecutorOptions& options);
  void add_node(const OnnxNode& node);
  void fuse_relu();
  std::unique_ptr<Plan> make_plan(std::span<const ConstTensorView> inputs) const;
  void check_inputs(std::span<const ConstTensorView> inputs) const;

  [[noreturn]] void fail(const std::string& what) const {
    throw OnnxError("ONNX model '" + model.graph.name + "': " + what);
  }

  OnnxModel model;
  OnnxExecutorOptions options;
  std::deque<Tensor> constant_nodes;
  std::vector<Value> values;
  std::unordered_map<std::string, std::size_t> ids;
  std::vector<Step> steps;
  std::vector<std::size_t> input_ids;
  std::vector<std::size_t> output_ids;
  std::int64_t num_parameters = 0;
  std::unique_ptr<ThreadPool> pool;
  detail::Parallel parallel{nullptr};
  std::vector<std::unique_ptr<Plan>> plans; ///< At most options.max_plans.
  std::uint64_t runs = 0;
  const Plan* current = nullptr;
  std::vector<const float*> data;       ///< Per value, for the current run.
  std::vector<ConstTensorView> scratch; ///< Input views of one step.
};

} // namespace airan::phy::nn
