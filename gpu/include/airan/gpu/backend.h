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
/// Oldest compute capability (major) the build's device code runs on: it has sm_80 and sm_90
/// code and compute_80/compute_90 PTX (8.x and 9.x run it, later ones JIT the PTX), and uses
/// sm_80 instructions (__reduce_xor_sync).
inline constexpr int min_compute_major = 8;

struct BackendSelection {
  Backend backend = Backend::cpu;
  int device_index = -1; ///< CUDA device used; -1 for the CPU.
  /// One line for the user: which backend and device, or why the CPU was chosen.
  std::string reason;
};

/// Name of \p backend: "cpu" or "cuda".
std::string_view backend_name(Backend backend);

/// Chooses the backend for \p request ("cpu", "cuda" or "auto") given \p devices (normally
/// query_devices()). "auto" and "cuda" take the CUDA device with the most SMs among those of
/// compute capability min_compute_major.0 or later (the first of equals); "auto" takes the CPU
/// when there is none, and reason says which and why.
/// \throws std::invalid_argument for another request, or for "cuda" when the build has no CUDA
/// ("built without CUDA"), no device is usable ("no CUDA device: <status>") or every device is
/// older ("no CUDA device of compute capability 8.0 or later ...").
BackendSelection select_backend(std::string_view request, const DeviceQueryResult& devices);

/// select_backend() with this machine's query_devices().
BackendSelection select_backend(std::string_view request);

} // namespace airan::gpu
