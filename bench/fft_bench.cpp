// FFT used by OFDM (de)modulation: airan's FftPlan (FFTW, measured plan) against liquid-dsp's
// own fft_execute and a memcpy of the same bytes, at the NR FFT sizes.
#include "airan/phy/fft_plan.h"

#include <benchmark/benchmark.h>

#include <complex>
#include <cstring>
#include <liquid/liquid.h>
#include <vector>

namespace {

using airan::phy::cf32;

void fill(std::span<cf32> values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = cf32(static_cast<float>(i % 7) - 3.0F, static_cast<float>(i % 5) - 2.0F);
  }
}

void BM_FftwPlan(benchmark::State& state) {
  airan::phy::FftPlan plan(static_cast<unsigned>(state.range(0)),
                           airan::phy::FftDirection::forward);
  fill(plan.input());
  for (auto _ : state) {
    plan.execute();
    benchmark::DoNotOptimize(plan.output().data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0) * sizeof(cf32));
}

void BM_LiquidFft(benchmark::State& state) {
  const auto n = static_cast<unsigned>(state.range(0));
  std::vector<cf32> in(n), out(n);
  fill(in);
  fftplan plan = fft_create_plan(n, in.data(), out.data(), LIQUID_FFT_FORWARD, 0);
  for (auto _ : state) {
    fft_execute(plan);
    benchmark::DoNotOptimize(out.data());
  }
  fft_destroy_plan(plan);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0) * sizeof(cf32));
}

void BM_MemcpyBaseline(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<cf32> in(n), out(n);
  fill(in);
  for (auto _ : state) {
    std::memcpy(out.data(), in.data(), n * sizeof(cf32));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0) * sizeof(cf32));
}

} // namespace

BENCHMARK(BM_MemcpyBaseline)->Arg(1024)->Arg(2048)->Arg(4096);
BENCHMARK(BM_FftwPlan)->Arg(1024)->Arg(2048)->Arg(4096);
BENCHMARK(BM_LiquidFft)->Arg(1024)->Arg(2048)->Arg(4096);
