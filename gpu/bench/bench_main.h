// Shared by the GPU benchmarks: their main(), which asks for airan's hardware work queues (as the
// airan CLI does), runs the benchmark and turns an exception (no device, a CUDA error, a bad
// argument) into a message and exit status 1.
#pragma once

#include "airan/gpu/backend.h"
#include "airan/gpu/device_connections.h"
#include "airan/gpu/device_query.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

namespace airan::bench {

/// Returns \p run()'s status, or 1 after printing "<name>: <what>" to stderr if it throws.
/// Before it, stdout is made line-buffered, CUDA_DEVICE_MAX_CONNECTIONS is set to 32 unless the
/// environment sets it, and what the contexts get is printed.
template <typename Run> int run_reporting_errors(const char* name, Run&& run) {
  // Line by line also into a file, so that a run stopped at gpu-check's time limit keeps the rows
  // it printed.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("%s: %s\n", name,
              airan::gpu::describe(airan::gpu::request_device_connections()).c_str());
  try {
    return run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", name, error.what());
    return 1;
  }
}

/// The device a benchmark runs on: the one `--backend cuda` takes (select_backend(): the most
/// SMs among devices of compute capability 8.0 or later), made the current device for the
/// benchmark's own CUDA calls, and printed as "device: <name> (CUDA device <index>)".
/// std::nullopt, after printing "<name>: no usable CUDA device (<why>); nothing measured", when
/// there is none (the benchmarks then exit 0).
/// \throws std::runtime_error when the device cannot be made current.
inline std::optional<gpu::DeviceInfo> bench_device(const char* name) {
  const gpu::DeviceQueryResult devices = gpu::query_devices();
  gpu::BackendSelection selection;
  try {
    selection = gpu::select_backend("cuda", devices);
  } catch (const std::invalid_argument& error) {
    std::printf("%s: no usable CUDA device (%s); nothing measured\n", name, error.what());
    return std::nullopt;
  }
  const auto chosen = std::find_if(
      devices.devices.begin(), devices.devices.end(),
      [&](const gpu::DeviceInfo& device) { return device.index == selection.device_index; });
  if (chosen == devices.devices.end() || cudaSetDevice(chosen->index) != cudaSuccess) {
    throw std::runtime_error("cannot use CUDA device " + std::to_string(selection.device_index));
  }
  std::printf("device: %s (CUDA device %d)\n", chosen->name.c_str(), chosen->index);
  return *chosen;
}

} // namespace airan::bench
