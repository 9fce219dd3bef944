// select_backend(): cpu, cuda and auto with and without devices (runs on every machine).
#include "airan/gpu/backend.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

namespace {

using airan::gpu::Backend;
using airan::gpu::DeviceQueryResult;
using airan::gpu::select_backend;

airan::gpu::DeviceInfo device_of(int index, std::string name, int major, int minor = 0,
                                 int multiprocessors = 0) {
  airan::gpu::DeviceInfo device;
  device.index = index;
  device.name = std::move(name);
  device.compute_major = major;
  device.compute_minor = minor;
  device.multiprocessors = multiprocessors;
  return device;
}

DeviceQueryResult with_device() {
  DeviceQueryResult result;
  result.cuda_compiled = true;
  result.devices.push_back(device_of(0, "Test GPU", 9));
  return result;
}

DeviceQueryResult no_device(bool compiled) {
  DeviceQueryResult result;
  result.cuda_compiled = compiled;
  result.status = compiled ? "cudaGetDeviceCount: no CUDA-capable device is detected"
                           : "airan was built without CUDA";
  return result;
}

std::string error_of(std::string_view request, const DeviceQueryResult& devices) {
  try {
    select_backend(request, devices);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

TEST(Backend, CpuIsAlwaysTheCpu) {
  for (const auto& devices : {with_device(), no_device(true), no_device(false)}) {
    const auto selection = select_backend("cpu", devices);
    EXPECT_EQ(selection.backend, Backend::cpu);
    EXPECT_EQ(selection.device_index, -1);
  }
}

TEST(Backend, AutoPicksCudaWhenADeviceExistsAndSaysWhich) {
  const auto selection = select_backend("auto", with_device());
  EXPECT_EQ(selection.backend, Backend::cuda);
  EXPECT_EQ(selection.device_index, 0);
  EXPECT_NE(selection.reason.find("Test GPU"), std::string::npos) << selection.reason;
}

TEST(Backend, AutoFallsBackToTheCpuWithTheReason) {
  const auto without_device = select_backend("auto", no_device(true));
  EXPECT_EQ(without_device.backend, Backend::cpu);
  EXPECT_NE(without_device.reason.find("no CUDA device"), std::string::npos);
  const auto without_cuda = select_backend("auto", no_device(false));
  EXPECT_EQ(without_cuda.backend, Backend::cpu);
  EXPECT_NE(without_cuda.reason.find("built without CUDA"), std::string::npos);
}

TEST(Backend, CudaWithoutADeviceIsAClearError) {
  EXPECT_NE(error_of("cuda", no_device(true)).find("no CUDA device: cudaGetDeviceCount"),
            std::string::npos);
  EXPECT_NE(error_of("cuda", no_device(false)).find("built without CUDA"), std::string::npos);
  EXPECT_EQ(select_backend("cuda", with_device()).backend, Backend::cuda);
}

// A device older than the build's code (sm_75) is never chosen: "auto" falls back to the CPU,
// "cuda" is a clear error; among several devices the one with the most SMs is taken.
TEST(Backend, OnlyDevicesTheBuildRunsOnAreChosenTheLargestFirst) {
  DeviceQueryResult devices;
  devices.cuda_compiled = true;
  devices.devices.push_back(device_of(0, "Old GPU", 7, 5, 200));
  const auto fallback = select_backend("auto", devices);
  EXPECT_EQ(fallback.backend, Backend::cpu);
  EXPECT_NE(fallback.reason.find("compute capability 8.0 or later"), std::string::npos)
      << fallback.reason;
  EXPECT_NE(fallback.reason.find("Old GPU, sm_75"), std::string::npos) << fallback.reason;
  EXPECT_NE(error_of("cuda", devices).find("compute capability 8.0"), std::string::npos);
  for (const auto& [index, sms, major] :
       {std::tuple{1, 58, 8}, std::tuple{2, 132, 9}, std::tuple{3, 132, 9}, std::tuple{4, 24, 8}}) {
    devices.devices.push_back(device_of(index, "GPU " + std::to_string(index), major, 0, sms));
  }
  for (const char* request : {"auto", "cuda"}) {
    const auto selection = select_backend(request, devices);
    EXPECT_EQ(selection.backend, Backend::cuda);
    EXPECT_EQ(selection.device_index, 2) << selection.reason;
    EXPECT_NE(selection.reason.find("of 5 (the most SMs)"), std::string::npos) << selection.reason;
  }
}

TEST(Backend, UnknownNamesAreRejected) {
  EXPECT_NE(error_of("gpu", with_device()).find("valid: cpu, cuda, auto"), std::string::npos);
  EXPECT_EQ(airan::gpu::backend_name(Backend::cuda), "cuda");
  EXPECT_EQ(airan::gpu::backend_name(Backend::cpu), "cpu");
}

TEST(Backend, ThisMachineResolvesAuto) {
  const auto selection = select_backend("auto");
  EXPECT_FALSE(selection.reason.empty());
}

} // namespace
