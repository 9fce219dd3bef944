/// \file
/// \brief Discovery of CUDA devices, used by `airan info` and by backend selection.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace airan::gpu {

/// Properties of one CUDA device.
struct DeviceInfo {
  int index = 0;
  std::string name;
  int compute_major = 0;
  int compute_minor = 0;
  std::size_t global_memory_bytes = 0;
  int multiprocessors = 0;
};

/// What the CUDA runtime reports on this machine.
struct DeviceQueryResult {
  bool cuda_compiled = false;      ///< The CUDA backend was compiled into this binary.
  int runtime_version = 0;         ///< CUDA runtime version (e.g. 13000), 0 if not compiled.
  int driver_version = 0;          ///< Driver's CUDA version, 0 when no driver is present.
  std::vector<DeviceInfo> devices; ///< Empty when no usable device exists.
  std::string status;              ///< Human-readable reason when no device is usable.
};

/// Queries the CUDA runtime. Never throws; absence of a driver or device is reported in status.
DeviceQueryResult query_devices();

/// A self-test kernel: adds two vectors on device \p device_index and checks the result on the
/// host. Returns an empty string on success, else the reason for failure.
std::string run_device_self_test(int device_index);

} // namespace airan::gpu
