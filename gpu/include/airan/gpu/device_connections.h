/// \file
/// \brief The hardware work queues ("connections") of a CUDA context: the driver opens
/// CUDA_DEVICE_MAX_CONNECTIONS of them per context (8 when it is unset, at most 32) and maps the
/// streams onto them, so that beyond that many streams independent work of two streams can wait
/// behind each other in one queue. GpuCellGroup runs a stream per cell and slot in flight (24
/// cells: 24 to 96 streams with the front ends' branches), so airan's programs ask for 32 before
/// their first CUDA call. No CUDA types; the same in builds without CUDA.
#pragma once

#include <optional>
#include <string>

namespace airan::gpu {

/// The environment variable the CUDA driver reads when it creates a context.
inline constexpr const char* device_connections_variable = "CUDA_DEVICE_MAX_CONNECTIONS";
/// The driver's number when the variable is unset.
inline constexpr unsigned default_device_connections = 8;
/// The most the driver opens, and what airan's programs ask for.
inline constexpr unsigned max_device_connections = 32;

/// Who chose the number.
enum class DeviceConnectionsSource {
  driver_default, ///< The variable is unset.
  environment,    ///< Set before this process asked (a user's choice, kept as it was).
  airan,          ///< Set by request_device_connections().
};

/// What CUDA contexts created from now on get.
struct DeviceConnections {
  unsigned connections = default_device_connections;
  DeviceConnectionsSource source = DeviceConnectionsSource::driver_default;
  /// The variable's text when it is not a number from 1 to 32 (the driver then decides).
  std::string invalid_value;
};

/// \p text as a number of connections (1..32), or nothing.
std::optional<unsigned> parse_device_connections(const std::string& text);

/// What the environment asks for now.
DeviceConnections device_connections();

/// Sets CUDA_DEVICE_MAX_CONNECTIONS to \p connections (clamped to 1..32) unless the environment
/// sets it already; call it before the process's first CUDA call (the driver reads the variable
/// once, when it creates the context). Not thread safe (setenv). \returns what is now asked for.
DeviceConnections request_device_connections(unsigned connections = max_device_connections);

/// One line for logs: "32 hardware work queues (CUDA_DEVICE_MAX_CONNECTIONS, set by airan)".
std::string describe(const DeviceConnections& connections);

} // namespace airan::gpu
