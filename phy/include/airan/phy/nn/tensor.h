/// \file
/// \brief Dense tensors of the neural-network runtime: shapes, owned constant tensors (ONNX
/// initializers and Constant nodes) and non-owning float32 views (run-time values).
///
/// Layout is C order (row-major, last dimension contiguous), as in ONNX and NumPy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace airan::phy::nn {

/// Dimensions of a tensor, outermost first (ONNX uses int64 dimensions).
using TensorShape = std::vector<std::int64_t>;

/// Most dimensions a run-time tensor may have (fixed-size index arithmetic on the hot path).
constexpr std::size_t max_tensor_rank = 8;

/// Most elements one tensor may have (2^28 floats, 1 GiB): larger initializers, constants and
/// inferred shapes are an OnnxError, so that a hostile file cannot make the runtime allocate
/// without bound or overflow its index arithmetic.
constexpr std::int64_t max_tensor_elements = std::int64_t{1} << 28;

/// Element count of \p shape (1 for a scalar, 0 if any dimension is 0).
std::int64_t shape_num_elements(std::span<const std::int64_t> shape);

/// Element count of \p shape, or -1 when a dimension is negative or the product of the non-zero
/// dimensions is above max_tensor_elements. Bounding the non-zero product (not just the count)
/// keeps every stride and partial product of an empty shape such as [0, 2^32, 2^32] in range.
std::int64_t bounded_num_elements(std::span<const std::int64_t> shape);

/// "[1, 8, 14, 24]".
std::string shape_to_string(std::span<const std::int64_t> shape);

/// Element types the runtime understands: float32 for computed values, int64 for constant shape
/// arguments (Reshape's shape, Slice's starts/ends/axes/steps, ReduceMean's axes).
enum class TensorDataType { float32, int64 };

/// Name of \p type ("float32", "int64").
const char* tensor_data_type_name(TensorDataType type);

/// An owned constant tensor; exactly one of floats / ints holds the elements (per data_type).
struct Tensor {
  std::string name;
  TensorDataType data_type = TensorDataType::float32;
  TensorShape shape;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;

  /// Product of the shape.
  [[nodiscard]] std::int64_t num_elements() const { return shape_num_elements(shape); }
};

/// Read-only float32 tensor view: data holds shape_num_elements(shape) elements.
struct ConstTensorView {
  std::span<const float> data;
  std::span<const std::int64_t> shape;
};

/// Writable float32 tensor view.
struct TensorView {
  std::span<float> data;
  std::span<const std::int64_t> shape;
};

} // namespace airan::phy::nn
