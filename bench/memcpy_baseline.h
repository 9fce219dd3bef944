// Benchmark support: the memcpy that CPU benchmarks report their stages against.
#pragma once

#include <benchmark/benchmark.h>

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

} // namespace airan::bench
