// CUDA_DEVICE_MAX_CONNECTIONS: parsing, and request_device_connections() setting it only when the
// environment leaves it unset (runs on every machine; no CUDA call is made).
#include "airan/gpu/device_connections.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

using airan::gpu::device_connections_variable;
using airan::gpu::DeviceConnectionsSource;

/// Restores the variable as the test found it.
class DeviceConnectionsTest : public ::testing::Test {
protected:
  void SetUp() override {
    const char* value = std::getenv(device_connections_variable);
    had_value_ = value != nullptr;
    saved_ = had_value_ ? value : "";
    unsetenv(device_connections_variable);
  }
  void TearDown() override {
    if (had_value_) {
      setenv(device_connections_variable, saved_.c_str(), 1);
    } else {
      unsetenv(device_connections_variable);
    }
  }

private:
  bool had_value_ = false;
  std::string saved_;
};

TEST(DeviceConnectionsParse, AcceptsOneToThirtyTwoOnly) {
  EXPECT_EQ(airan::gpu::parse_device_connections("1"), 1U);
  EXPECT_EQ(airan::gpu::parse_device_connections("8"), 8U);
  EXPECT_EQ(airan::gpu::parse_device_connections("32"), 32U);
  EXPECT_EQ(airan::gpu::parse_device_connections("0"), std::nullopt);
  EXPECT_EQ(airan::gpu::parse_device_connections("33"), std::nullopt);
  EXPECT_EQ(airan::gpu::parse_device_connections("-4"), std::nullopt);
  EXPECT_EQ(airan::gpu::parse_device_connections(" 8"), std::nullopt);
  EXPECT_EQ(airan::gpu::parse_device_connections("8x"), std::nullopt);
  EXPECT_EQ(airan::gpu::parse_device_connections("100"), std::nullopt);
  EXPECT_EQ(airan::gpu::parse_device_connections(""), std::nullopt);
}

TEST_F(DeviceConnectionsTest, UnsetIsTheDriversDefault) {
  const auto now = airan::gpu::device_connections();
  EXPECT_EQ(now.connections, airan::gpu::default_device_connections);
  EXPECT_EQ(now.source, DeviceConnectionsSource::driver_default);
  EXPECT_NE(airan::gpu::describe(now).find("default"), std::string::npos);
}

TEST_F(DeviceConnectionsTest, RequestSetsTheVariableWhenUnset) {
  const auto asked = airan::gpu::request_device_connections();
  EXPECT_EQ(asked.connections, airan::gpu::max_device_connections);
  EXPECT_EQ(asked.source, DeviceConnectionsSource::airan);
  ASSERT_NE(std::getenv(device_connections_variable), nullptr);
  EXPECT_EQ(std::string(std::getenv(device_connections_variable)), "32");
  EXPECT_EQ(airan::gpu::describe(asked),
            "32 hardware work queues (CUDA_DEVICE_MAX_CONNECTIONS set by airan)");
  // Asking again keeps what is set (now as the environment's).
  const auto again = airan::gpu::request_device_connections(4);
  EXPECT_EQ(again.connections, 32U);
  EXPECT_EQ(again.source, DeviceConnectionsSource::environment);
}

TEST_F(DeviceConnectionsTest, RequestClampsToTheDriversRange) {
  EXPECT_EQ(airan::gpu::request_device_connections(100).connections, 32U);
  unsetenv(device_connections_variable);
  EXPECT_EQ(airan::gpu::request_device_connections(0).connections, 1U);
}

TEST_F(DeviceConnectionsTest, TheEnvironmentWins) {
  setenv(device_connections_variable, "8", 1);
  const auto kept = airan::gpu::request_device_connections();
  EXPECT_EQ(kept.connections, 8U);
  EXPECT_EQ(kept.source, DeviceConnectionsSource::environment);
  EXPECT_EQ(std::string(std::getenv(device_connections_variable)), "8");
}

TEST_F(DeviceConnectionsTest, AnInvalidValueIsReportedAndLeftAlone) {
  setenv(device_connections_variable, "many", 1);
  const auto kept = airan::gpu::request_device_connections();
  EXPECT_EQ(kept.invalid_value, "many");
  EXPECT_EQ(kept.source, DeviceConnectionsSource::environment);
  EXPECT_EQ(std::string(std::getenv(device_connections_variable)), "many");
  EXPECT_NE(airan::gpu::describe(kept).find("is not 1..32"), std::string::npos);
}

} // namespace
