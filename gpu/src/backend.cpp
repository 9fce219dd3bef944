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
  // The device with the most SMs among those the build's code runs on (the first of equals).
  const DeviceInfo* best = nullptr;
  std::string too_old;
  for (const DeviceInfo& device : devices.devices) {
    if (device.compute_major < min_compute_major) {
      too_old += (too_old.empty() ? "" : ", ") + describe(device);
    } else if (best == nullptr || device.multiprocessors > best->multiprocessors) {
      best = &device;
    }
  }
  if (best != nullptr) {
    selection.backend = Backend::cuda;
    selection.device_index = best->index;
    selection.reason = describe(*best) +
                       (request == "auto" ? " (auto: a CUDA device is present)" : " (requested)");
    if (devices.devices.size() > 1) {
      selection.reason += " of " + std::to_string(devices.devices.size()) + " (the most SMs)";
    }
    return selection;
  }
  std::string why;
  if (!too_old.empty()) {
    why = "no CUDA device of compute capability " + std::to_string(min_compute_major) +
          ".0 or later (the build's code is for sm_80 and sm_90): " + too_old;
  } else if (devices.cuda_compiled) {
    why = "no CUDA device: " + devices.status;
  } else {
    why = "built without CUDA" + (devices.status.empty() ? "" : " (" + devices.status + ")");
  }
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
