#include "airan/gpu/device_query.h"

#include <gtest/gtest.h>

namespace {

TEST(DeviceQuery, ReportsAReasonWhenNoDeviceIsUsable) {
  const auto result = airan::gpu::query_devices();
  if (result.devices.empty()) {
    EXPECT_FALSE(result.status.empty());
  } else {
    EXPECT_TRUE(result.cuda_compiled);
  }
}

TEST(DeviceQuery, SelfTestKernelComputesOnEveryDevice) {
  const auto result = airan::gpu::query_devices();
  if (result.devices.empty()) {
    GTEST_SKIP() << "no CUDA device: " << result.status;
  }
  for (const auto& device : result.devices) {
    EXPECT_EQ(airan::gpu::run_device_self_test(device.index), "") << device.name;
  }
}

TEST(DeviceQuery, SelfTestFailsCleanlyForAnInvalidDevice) {
  EXPECT_NE(airan::gpu::run_device_self_test(1 << 20), "");
}

} // namespace
