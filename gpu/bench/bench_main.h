// Shared by the GPU benchmarks: their main(), which runs the benchmark and turns an exception
// (no device, a CUDA error, a bad argument) into a message and exit status 1.
#pragma once

#include <cstdio>
#include <exception>

namespace airan::bench {

/// Returns \p run()'s status, or 1 after printing "<name>: <what>" to stderr if it throws.
template <typename Run> int run_reporting_errors(const char* name, Run&& run) {
  try {
    return run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", name, error.what());
    return 1;
  }
}

} // namespace airan::bench
