/// \file
/// \brief Choice of the compute backend from `--backend cpu|cuda|auto`. Works in CPU-only
/// builds (where `cuda` is an error naming the reason).
#pragma once

#include "airan/gpu/device_query.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace airan::gpu {

/// Where the receive stages run.
enum class Backend : std::uint8_t {
  cpu,  ///< The CPU reference receiver (airan_phy).
  cuda, ///< The CUDA stages of airan_gpu on device_index.
};

/// The chosen backend and why.
struct BackendSelection {
  Backend backend = Backend::cpu;
  int device_index = -1; ///< CUDA device used; -1 for the CPU.
  /// One line for the user: which backend and device, or why the CPU was chosen.
  std::string reason;
};

/// Name of \p backend: "cpu" or "cuda".
std::string_view backend_name(Backend backend);

/// Chooses the backend for \p request ("cpu", "cuda" or "auto") given \p devices (normally
/// query_devices()). "auto" takes CUDA device 0 when there is one, the CPU otherwise, and says
/// which in reason.
/// \throws std::invalid_argument for another request, or for "cuda" when the build has no CUDA
/// ("built without CUDA") or no device is usable ("no CUDA device: <status>").
BackendSelection select_backend(std::string_view request, const DeviceQueryResult& devices);

/// select_backend() with this machine's query_devices().
BackendSelection select_backend(std::string_view request);

} // namespace airan::gpu
