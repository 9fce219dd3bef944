// cuBLAS and cuBLASLt are loaded when the CUDA ONNX executor first needs them, not at start-up
// (gpu/src/cublas_loader.h): a program linked with airan_gpu maps neither library until then, and
// then every entry point resolves to the toolkit's function. No device is needed: loading the
// libraries and asking cuBLAS for a status's name work without one.
#include <gtest/gtest.h>

#if AIRAN_HAVE_CUDA
#include "cublas_loader.h"

#include <fstream>
#include <string>

namespace airan::gpu::detail {
namespace {

/// True when a library whose path contains \p name is mapped into this process.
bool mapped(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find(name) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(CublasApi, LoadedOnFirstUseWithEveryEntryPoint) {
  // Before: not linked, so not mapped (the program linked airan_gpu like the CLI does).
  EXPECT_FALSE(cublas_api_loaded());
  EXPECT_FALSE(mapped(cublaslt_library_name()));
  EXPECT_FALSE(mapped(cublas_library_name()));

  const CublasApi& api = cublas_api();
  EXPECT_TRUE(cublas_api_loaded());
  EXPECT_TRUE(mapped(cublaslt_library_name()));
  EXPECT_TRUE(mapped(cublas_library_name()));
#define AIRAN_EXPECT_RESOLVED(function) EXPECT_NE(api.function, nullptr) << #function;
  AIRAN_CUBLAS_FUNCTIONS(AIRAN_EXPECT_RESOLVED)
  AIRAN_CUBLASLT_FUNCTIONS(AIRAN_EXPECT_RESOLVED)
#undef AIRAN_EXPECT_RESOLVED
  // The entries are the named functions: cuBLAS names its statuses without a device.
  EXPECT_STREQ(api.cublasGetStatusName(CUBLAS_STATUS_NOT_INITIALIZED),
               "CUBLAS_STATUS_NOT_INITIALIZED");
  EXPECT_STREQ(api.cublasGetStatusName(CUBLAS_STATUS_INVALID_VALUE), "CUBLAS_STATUS_INVALID_VALUE");
  EXPECT_NE(std::string(api.cublasGetStatusString(CUBLAS_STATUS_INVALID_VALUE)), "");
  EXPECT_EQ(&cublas_api(), &api); // loaded once
}

TEST(CublasApi, LibraryNamesFollowTheToolkitsMajorVersion) {
  EXPECT_EQ(cublas_library_name(), "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR));
  EXPECT_EQ(cublaslt_library_name(), "libcublasLt.so." + std::to_string(CUBLAS_VER_MAJOR));
}

} // namespace
} // namespace airan::gpu::detail

#else

TEST(CublasApi, LoadedOnFirstUseWithEveryEntryPoint) {
  GTEST_SKIP() << "built without CUDA";
}

#endif
