/// \file
/// \brief Private interface between OnnxExecutor and its operator kernels: the Kernel base
/// class (shape inference + computation of one node), the factories per operator family,
/// attribute checking helpers and the parallel-for wrapper.
#pragma once

#include "airan/phy/nn/onnx_gemm_kernel.h"
#include "airan/phy/nn/onnx_model.h"
#include "airan/phy/nn/onnx_shape_rules.h"
#include "airan/phy/nn/tensor.h"
#include "airan/phy/thread_pool.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace airan::phy::nn::detail {

/// Index-parallel loops on the executor's pool (or the caller's thread alone). Work is split
/// into items whose boundaries do not depend on the thread count, so results never do either.
class Parallel {
public:
  explicit Parallel(ThreadPool* pool) : pool_(pool) {}

  /// Calls fn(item) for item 0 .. num_items - 1, possibly concurrently. Does not allocate.
  template <typename F> void run(std::size_t num_items, const F& fn) const {
    if (pool_ == nullptr || pool_->num_lanes() == 1 || num_items <= 1) {
      for (std::size_t item = 0; item < num_items; ++item) {
        fn(item);
      }
      return;
    }
    // One reference capture: fits std::function's local storage, so nothing is allocated.
    const ThreadPool::ItemFunction item_function = [&fn](std::size_t item, unsigned) { fn(item); };
    pool_->parallel_for(num_items, item_function);
  }

private:
  ThreadPool* pool_;
};

/// What a kernel factory sees of its node.
struct NodeBuildContext {
  const OnnxNode& node;
  std::int64_t opset;
  /// Per node input: the constant (initializer or Constant node) it names, else nullptr
  /// (run-time value, or an omitted optional input).
  std::span<const Tensor* const> constants;
  /// Instruction set the convolution kernels may use.
  GemmIsa isa = GemmIsa::scalar;

  /// Whether input \p index is given (present and not the empty name).
  [[nodiscard]] bool has_input(std::size_t index) const {
    return index < node.inputs.size() && !node.inputs[index].empty();
  }
};

/// One prepared node. Its leading num_value_inputs() node inputs are run-time float32 values;
/// the remaining ones (weights, shape arguments) were consumed when the kernel was built.
class Kernel {
public:
  Kernel(const OnnxNode& node, std::size_t num_value_inputs)
      : description_(node.describe()), num_value_inputs_(num_value_inputs) {}
  virtual ~Kernel() = default;
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  [[nodiscard]] std::size_t num_value_inputs() const { return num_value_inputs_; }
  [[nodiscard]] const std::string& description() const { return description_; }

  /// Shape of the output for these input shapes. \throws OnnxError naming the node.
  [[nodiscard]] virtual TensorShape infer_shape(std::span<const TensorShape> inputs) const = 0;

  /// Computes the output (shaped as infer_shape() said). Must not allocate.
  virtual void run(std::span<const ConstTensorView> inputs, const TensorView& output,
                   const Parallel& parallel) const = 0;

  /// Asks the kernel to apply max(x, 0) to its output; false if it cannot.
  virtual bool fuse_relu() { return false; }

  /// \throws OnnxError "<node>: <what>".
  [[noreturn]] void fail(const std::string& what) const;

private:
  std::string description_;
  std::size_t num_value_inputs_;
};

/// Signature of the kernel factories; each checks the node's attributes and constant inputs.
using KernelFactory = std::unique_ptr<Kernel> (*)(const NodeBuildContext&);

std::unique_ptr<Kernel> create_conv_kernel(const NodeBuildContext& context);
std::unique_ptr<Kernel> create_binary_kernel(const NodeBuildContext& context);
std::unique_ptr<Kernel> create_unary_kernel(const NodeBuildContext& context);
std::unique_ptr<Kernel> create_concat_kernel(const NodeBuildContext& context);
std::unique_ptr<Kernel> create_reshape_kernel(const NodeBuildContext& context);
std::unique_ptr<Kernel> create_transpose_kernel(const NodeBuildContext& context);
std::unique_ptr<Kernel> create_slice_kernel(const NodeBuildContext& context);
std::unique_ptr<Kernel> create_reduce_mean_kernel(const NodeBuildContext& context);
std::unique_ptr<Kernel> create_gemm_kernel(const NodeBuildContext& context);
std::unique_ptr<Kernel> create_matmul_kernel(const NodeBuildContext& context);

// --- Attribute helpers (onnx_kernel_support.cpp) ------------------------------------------------

/// An attribute a node may carry.
struct AttributeSpec {
  const char* name;
  OnnxAttributeType type;
};

/// Checks that every attribute of the node is one of \p allowed with that type, and that the
/// node has \p min_inputs .. \p max_inputs inputs and exactly one output. \throws OnnxError.
void check_node(const NodeBuildContext& context, std::initializer_list<AttributeSpec> allowed,
                std::size_t min_inputs, std::size_t max_inputs);

std::int64_t attribute_int(const OnnxNode& node, const char* name, std::int64_t fallback);
float attribute_float(const OnnxNode& node, const char* name, float fallback);
std::string attribute_string(const OnnxNode& node, const char* name, const std::string& fallback);
/// The ints attribute, or \p fallback when absent.
std::vector<std::int64_t> attribute_ints(const OnnxNode& node, const char* name,
                                         std::vector<std::int64_t> fallback = {});

/// The int64 constant at node input \p index. \throws OnnxError if it is not a 0-D/1-D int64
/// constant.
std::vector<std::int64_t> constant_ints(const NodeBuildContext& context, std::size_t index);

/// Element count of \p shape, or -1 if a dimension is negative or the count exceeds
/// max_tensor_elements.
std::int64_t checked_num_elements(std::span<const std::int64_t> shape);

/// output[i...] = in[base + sum_d i_d * strides[d]] (Transpose, Slice).
void copy_with_strides(const float* in, std::int64_t base,
                       const std::array<std::int64_t, max_tensor_rank>& strides,
                       const TensorView& output, const Parallel& parallel);

} // namespace airan::phy::nn::detail
