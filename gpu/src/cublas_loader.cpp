// cuBLAS and cuBLASLt entry points resolved with dlopen/dlsym on first use (cublas_loader.h).
#include "cublas_loader.h"

#include "airan/gpu/cuda_check.h"

#include <dlfcn.h>

#include <atomic>
#include <string>

namespace airan::gpu::detail {
namespace {

// The symbol a function's name stands for once cublas_v2.h's macros have applied
// (cublasCreate -> "cublasCreate_v2").
#define AIRAN_CUBLAS_SYMBOL_OF(function) #function
#define AIRAN_CUBLAS_SYMBOL(function) AIRAN_CUBLAS_SYMBOL_OF(function)

std::atomic<bool> loaded{false};

void* open_library(const std::string& name) {
  if (void* handle = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    return handle;
  }
  const std::string first_error = ::dlerror();
  const std::string in_toolkit = std::string(AIRAN_CUDA_LIBRARY_DIR) + "/" + name;
  if (void* handle = ::dlopen(in_toolkit.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    return handle;
  }
  const std::string second_error = ::dlerror();
  throw CudaError("cannot load " + name + " (the CUDA toolkit's cuBLAS, needed by the CUDA " +
                  "ONNX executor): " + first_error + "; from the folder airan was built with: " +
                  second_error + " (add the toolkit's library folder to LD_LIBRARY_PATH)");
}

template <typename Function>
void resolve(void* library, const std::string& library_name, const char* symbol, Function& entry) {
  void* address = ::dlsym(library, symbol);
  if (address == nullptr) {
    throw CudaError(library_name + " has no function " + symbol +
                    " (a cuBLAS other than the one airan was built with?)");
  }
  entry = reinterpret_cast<Function>(address);
}

CublasApi load() {
  CublasApi api;
  const std::string blas_name = cublas_library_name();
  const std::string lt_name = cublaslt_library_name();
  // Handles stay open for the life of the process (the executor's handles outlive any scope).
  void* lt = open_library(lt_name);
  void* blas = open_library(blas_name);
#define AIRAN_CUBLAS_RESOLVE(function)                                                             \
  resolve(blas, blas_name, AIRAN_CUBLAS_SYMBOL(function), api.function);
#define AIRAN_CUBLASLT_RESOLVE(function)                                                           \
  resolve(lt, lt_name, AIRAN_CUBLAS_SYMBOL(function), api.function);
  AIRAN_CUBLAS_FUNCTIONS(AIRAN_CUBLAS_RESOLVE)
  AIRAN_CUBLASLT_FUNCTIONS(AIRAN_CUBLASLT_RESOLVE)
#undef AIRAN_CUBLAS_RESOLVE
#undef AIRAN_CUBLASLT_RESOLVE
  return api;
}

} // namespace

std::string cublas_library_name() {
  return "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
}

std::string cublaslt_library_name() {
  return "libcublasLt.so." + std::to_string(CUBLAS_VER_MAJOR);
}

const CublasApi& cublas_api() {
  // A failed load throws out of the initialiser: the next call tries again.
  static const CublasApi api = [] {
    CublasApi loaded_api = load();
    loaded.store(true);
    return loaded_api;
  }();
  return api;
}

bool cublas_api_loaded() {
  return loaded.load();
}

} // namespace airan::gpu::detail
