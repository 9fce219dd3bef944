/// \file
/// \brief Shape helpers of the neural-network runtime.
#include "airan/phy/nn/tensor.h"

namespace airan::phy::nn {

std::int64_t shape_num_elements(std::span<const std::int64_t> shape) {
  std::int64_t count = 1;
  for (const std::int64_t dim : shape) {
    count *= dim;
  }
  return count;
}

std::int64_t bounded_num_elements(std::span<const std::int64_t> shape) {
  std::int64_t nonzero = 1;
  bool empty = false;
  for (const std::int64_t dim : shape) {
    if (dim < 0) {
      return -1;
    }
    if (dim == 0) {
      empty = true;
    } else if (nonzero > max_tensor_elements / dim) {
      return -1;
    } else {
      nonzero *= dim;
    }
  }
  return empty ? 0 : nonzero;
}

std::string shape_to_string(std::span<const std::int64_t> shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) {
      text += ", ";
    }
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

const char* tensor_data_type_name(TensorDataType type) {
  switch (type) {
  case TensorDataType::float32:
    return "float32";
  case TensorDataType::int64:
    return "int64";
  }
  return "unknown";
}

} // namespace airan::phy::nn
