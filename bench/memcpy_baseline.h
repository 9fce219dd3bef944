// Benchmark support: the memcpy that CPU benchmarks report their stages against.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

namespace airan::bench {

/// Times a memcpy of \p bytes per iteration of \p state (the same-process baseline).
inline void time_memcpy(benchmark::State& state, std::size_t bytes) {
  std::vector<char> source(bytes, 1);
  std::vector<char> destination(bytes);
  for (auto _ : state) {
    std::memcpy(destination.data(), source.data(), bytes);
    benchmark::DoNotOptimize(destination.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

/// Mean ns of one memcpy pass over \p frames (each copied after the other into one buffer of
/// \p bytes, their total), over \p reps passes: the baseline of per-packet ingest stages.
inline double frames_memcpy_ns(const std::vector<std::vector<std::uint8_t>>& frames,
                               std::size_t bytes, int reps = 2000) {
  std::vector<std::uint8_t> sink(bytes);
  const auto start = std::chrono::steady_clock::now();
  for (int rep = 0; rep < reps; ++rep) {
    std::size_t offset = 0;
    for (const auto& frame : frames) {
      std::memcpy(sink.data() + offset, frame.data(), frame.size());
      offset += frame.size();
    }
    benchmark::DoNotOptimize(sink.data());
    benchmark::ClobberMemory();
  }
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
             .count() /
         reps;
}

} // namespace airan::bench
