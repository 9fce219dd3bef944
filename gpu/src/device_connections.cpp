/// \file
/// \brief CUDA_DEVICE_MAX_CONNECTIONS: read, parsed and set before the first CUDA call.
#include "airan/gpu/device_connections.h"

#include <algorithm>
#include <cstdlib>

namespace airan::gpu {

namespace {

/// The value request_device_connections() set in this process ("" when it set none).
std::string& value_set_here() {
  static std::string value;
  return value;
}

} // namespace

std::optional<unsigned> parse_device_connections(const std::string& text) {
  if (text.empty() || text.size() > 2 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const unsigned value = static_cast<unsigned>(std::stoul(text));
  if (value < 1 || value > max_device_connections) {
    return std::nullopt;
  }
  return value;
}

DeviceConnections device_connections() {
  DeviceConnections result;
  const char* value = std::getenv(device_connections_variable);
  if (value == nullptr) {
    return result;
  }
  result.source = !value_set_here().empty() && value_set_here() == value
                      ? DeviceConnectionsSource::airan
                      : DeviceConnectionsSource::environment;
  if (const auto parsed = parse_device_connections(value)) {
    result.connections = *parsed;
  } else {
    result.invalid_value = value;
  }
  return result;
}

DeviceConnections request_device_connections(unsigned connections) {
  if (std::getenv(device_connections_variable) == nullptr) {
    const unsigned asked = std::clamp(connections, 1U, max_device_connections);
    value_set_here() = std::to_string(asked);
    // NOLINTNEXTLINE(concurrency-mt-unsafe): called at program start, before any thread.
    (void)setenv(device_connections_variable, value_set_here().c_str(), 0);
    return device_connections();
  }
  DeviceConnections result = device_connections();
  if (result.source == DeviceConnectionsSource::airan) {
    result.source = DeviceConnectionsSource::environment; // set by an earlier request: kept
  }
  return result;
}

std::string describe(const DeviceConnections& connections) {
  if (!connections.invalid_value.empty()) {
    return std::string(device_connections_variable) + "=\"" + connections.invalid_value +
           "\" is not 1..32: the driver decides the hardware work queues";
  }
  const char* source = connections.source == DeviceConnectionsSource::driver_default
                           ? " unset: the driver's default)"
                       : connections.source == DeviceConnectionsSource::environment
                           ? " from the environment)"
                           : " set by airan)";
  return std::to_string(connections.connections) + " hardware work queues (" +
         device_connections_variable + source;
}

} // namespace airan::gpu
