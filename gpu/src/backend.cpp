#include "airan/gpu/backend.h"

#include <stdexcept>

namespace airan::gpu {
namespace {

std::string describe(const DeviceInfo& device) {
  return "cuda device " + std::to_string(device.index) + " (" + device.name + ", sm_" +
         std::to_string(device.compute_major) + std::to_string(device.compute_minor) + ")";
}

} // namespace

std::string_view backend_name(Backend backend) {
  return backend == Backend::cuda ? "cuda" : "cpu";
}

BackendSelection select_backend(std::string_view request, const DeviceQueryResult& devices) {
  BackendSelection selection;
  if (request == "cpu") {
    selection.reason = "cpu (requested)";
    return selection;
  }
  if (request != "cuda" && request != "auto") {
    throw std::invalid_argument("unknown backend '" + std::string(request) +
                                "' (valid: cpu, cuda, auto)");
  }
  if (!devices.devices.empty()) {
    selection.backend = Backend::cuda;
    selection.device_index = devices.devices.front().index;
    selection.reason = describe(devices.devices.front()) +
                       (request == "auto" ? " (auto: a CUDA device is present)" : " (requested)");
    return selection;
  }
  const std::string why =
      devices.cuda_compiled
          ? "no CUDA device: " + devices.status
          : "built without CUDA" + (devices.status.empty() ? "" : " (" + devices.status + ")");
  if (request == "cuda") {
    throw std::invalid_argument("--backend cuda: " + why);
  }
  selection.reason = "cpu (auto: " + why + ")";
  return selection;
}

BackendSelection select_backend(std::string_view request) {
  return select_backend(request, query_devices());
}

} // namespace airan::gpu
