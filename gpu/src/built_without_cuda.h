/// \file
/// \brief What every entry point of a GPU class throws in a build without CUDA.
#pragma once

#include <stdexcept>
#include <string>

namespace airan::gpu::detail {

/// Throws "<\p gpu_class>: airan was built without CUDA".
[[noreturn]] inline void throw_built_without_cuda(const char* gpu_class) {
  throw std::runtime_error(std::string(gpu_class) + ": airan was built without CUDA");
}

} // namespace airan::gpu::detail
