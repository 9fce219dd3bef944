// Shared by the GPU benchmarks: their main(), which asks for airan's hardware work queues (as the
// airan CLI does), runs the benchmark and turns an exception (no device, a CUDA error, a bad
// argument) into a message and exit status 1.
#pragma once

#include "airan/gpu/device_connections.h"

#include <cstdio>
#include <exception>

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

} // namespace airan::bench
