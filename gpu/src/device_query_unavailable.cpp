// Used when the project is built without nvcc: the CUDA backend is reported as not compiled in.
#include "airan/gpu/device_query.h"

namespace airan::gpu {

DeviceQueryResult query_devices() {
  DeviceQueryResult result;
  result.status = "airan was built without CUDA (nvcc not found at configure time)";
  return result;
}

std::string run_device_self_test(int /*device_index*/) {
  return "airan was built without CUDA";
}

} // namespace airan::gpu
