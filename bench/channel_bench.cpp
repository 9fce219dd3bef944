// TR 38.901 TDL channel per slot: TDL-C300, 106 PRB at 30 kHz (2048-point FFT, 61.44 MHz),
// 1 tx -> 4 rx antennas, 100 Hz Doppler; with the model argument 1, CDL-C at 300 ns (24 clusters
// of 20 rays between the UE and a 4-antenna array instead of 24 taps of 16 Jakes sinusoids).
// Frequency-domain path, true response (perfect CSI), time-domain path (and the same at 15
// kHz, 30.72 MHz), against same-process baselines: a per-RE complex multiply of the grid by a
// stored channel (the least a frequency-domain channel can do) and a memcpy of the received slot's
// IQ. The `vs_baseline` counter is the median time of a call over the baseline's median, both
// measured in this process.
#include "airan/phy/awgn.h"
#include "airan/phy/cdl_channel.h"
#include "airan/phy/tdl_channel.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

namespace {

using namespace airan::phy;

constexpr unsigned num_prbs = 106;
constexpr unsigned num_rx = 4;

/// TDL-C300, or (\p cdl) CDL-C at 300 ns.
TdlChannelConfig bench_config(bool cdl = false) {
  if (cdl) {
    CdlChannelSpec spec;
    spec.model = "CDL-C";
    spec.delay_spread_s = 300e-9;
    spec.max_doppler_hz = 100.0;
    spec.num_rx = num_rx;
    return make_cdl_channel_config(spec);
  }
  TdlChannelConfig config;
  config.profile = make_tdl_profile("TDL-C300");
  config.max_doppler_hz = 100.0;
  config.num_rx = num_rx;
  config.num_tx = 1;
  return config;
}

ResourceGrid random_grid(unsigned ports, unsigned symbols) {
  ResourceGrid grid(ports, symbols, 12 * num_prbs);
  AwgnGenerator noise(1);
  grid.fill_zero();
  noise.add(grid, 1.0F);
  return grid;
}

/// Median seconds of \p run over 51 calls (after a warm-up call).
template <typename Run> double median_seconds(Run&& run) {
  run();
  std::vector<double> times;
  for (int i = 0; i < 51; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + 25, times.end());
  return times[25];
}

/// rx[r] = H[r] x per RE with a stored H: the frequency-domain baseline.
void multiply_grid(const ResourceGrid& tx, const ResourceGrid& channel, ResourceGrid& rx) {
  for (unsigned r = 0; r < rx.num_ports(); ++r) {
    for (unsigned l = 0; l < rx.num_symbols(); ++l) {
      const cf32* x = tx.symbol(0, l).data();
      const cf32* h = channel.symbol(r, l).data();
      cf32* y = rx.symbol(r, l).data();
      for (unsigned k = 0; k < rx.num_subcarriers(); ++k) {
        y[k] = cf32(h[k].real() * x[k].real() - h[k].imag() * x[k].imag(),
                    h[k].real() * x[k].imag() + h[k].imag() * x[k].real());
      }
    }
  }
}

double grid_multiply_baseline_s() {
  static const double seconds = [] {
    const ResourceGrid tx = random_grid(1, 14);
    const ResourceGrid channel = random_grid(num_rx, 14);
    ResourceGrid rx(num_rx, 14, 12 * num_prbs);
    return median_seconds([&] {
      multiply_grid(tx, channel, rx);
      benchmark::DoNotOptimize(rx.elements().data());
    });
  }();
  return seconds;
}

double iq_memcpy_baseline_s(std::size_t samples) {
  std::vector<cf32> in(samples, cf32(1.0F, 0.5F));
  std::vector<cf32> out(samples);
  return median_seconds([&] {
    std::memcpy(out.data(), in.data(), samples * sizeof(cf32));
    benchmark::DoNotOptimize(out.data());
  });
}

/// Reports `vs_baseline`: the median time of one more call of \p run (51 calls, measured here like
/// the baseline) over the baseline's median.
template <typename Run> void set_ratio(benchmark::State& state, double baseline_s, Run&& run) {
  state.counters["vs_baseline"] = median_seconds(run) / baseline_s;
}

void BM_GridMultiplyBaseline(benchmark::State& state) {
  const ResourceGrid tx = random_grid(1, 14);
  const ResourceGrid channel = random_grid(num_rx, 14);
  ResourceGrid rx(num_rx, 14, 12 * num_prbs);
  auto run = [&] {
    multiply_grid(tx, channel, rx);
    benchmark::DoNotOptimize(rx.elements().data());
  };
  for (auto _ : state) {
    run();
  }
  set_ratio(state, grid_multiply_baseline_s(), run);
}

void BM_FrequencyDomain(benchmark::State& state) {
  const Numerology numerology = Numerology::for_carrier(1, CyclicPrefix::normal, num_prbs);
  TdlChannel channel(bench_config(state.range(0) == 1), numerology, num_prbs, 1);
  const ResourceGrid tx = random_grid(1, 14);
  ResourceGrid rx(num_rx, 14, 12 * num_prbs);
  std::uint64_t slot = 0;
  auto run = [&] {
    channel.apply_frequency_domain(tx, slot_start_time_s(numerology, slot), slot % 20, rx);
    benchmark::DoNotOptimize(rx.elements().data());
    ++slot;
  };
  for (auto _ : state) {
    run();
  }
  set_ratio(state, grid_multiply_baseline_s(), run);
}

// A sweep's pattern: a new realisation every slot, then the frequency-domain path.
void BM_FrequencyDomainWithReseed(benchmark::State& state) {
  const Numerology numerology = Numerology::for_carrier(1, CyclicPrefix::normal, num_prbs);
  TdlChannel channel(bench_config(state.range(0) == 1), numerology, num_prbs, 1);
  const ResourceGrid tx = random_grid(1, 14);
  ResourceGrid rx(num_rx, 14, 12 * num_prbs);
  std::uint64_t seed = 0;
  auto run = [&] {
    channel.reseed(++seed);
    channel.apply_frequency_domain(tx, 0.0, 0, rx);
    benchmark::DoNotOptimize(rx.elements().data());
  };
  for (auto _ : state) {
    run();
  }
  set_ratio(state, grid_multiply_baseline_s(), run);
}

void BM_FrequencyResponse(benchmark::State& state) {
  const Numerology numerology = Numerology::for_carrier(1, CyclicPrefix::normal, num_prbs);
  TdlChannel channel(bench_config(state.range(0) == 1), numerology, num_prbs, 1);
  ChannelResponse response(num_rx, 1, 14, 12 * num_prbs);
  std::uint64_t slot = 0;
  auto run = [&] {
    channel.frequency_response(slot_start_time_s(numerology, slot), slot % 20, response);
    benchmark::DoNotOptimize(response.data().data());
    ++slot;
  };
  for (auto _ : state) {
    run();
  }
  set_ratio(state, grid_multiply_baseline_s(), run);
}

// state.range(0): numerology mu (1: 30 kHz, 61.44 MHz; 0: 15 kHz, 30.72 MHz); range(1): 1 for
// CDL-C.
void BM_TimeDomain(benchmark::State& state) {
  const auto mu = static_cast<unsigned>(state.range(0));
  const Numerology numerology = Numerology::for_carrier(mu, CyclicPrefix::normal, num_prbs);
  TdlChannel channel(bench_config(state.range(1) == 1), numerology, num_prbs, 1);
  const std::size_t samples = numerology.slot_length(1);
  std::vector<cf32> tx(samples);
  AwgnGenerator noise(2);
  noise.add(tx, 1.0F);
  std::vector<cf32> rx(num_rx * samples);
  std::uint64_t slot = 1;
  auto run = [&] {
    channel.apply_time_domain(tx, samples, slot_start_time_s(numerology, slot), rx);
    benchmark::DoNotOptimize(rx.data());
    slot += numerology.slots_per_subframe(); // slots of the same length
  };
  for (auto _ : state) {
    run();
  }
  state.counters["interpolator"] = channel.interpolator_length();
  state.counters["gain_block"] = channel.gain_block_length();
  set_ratio(state, iq_memcpy_baseline_s(num_rx * samples), run);
}

void BM_IqMemcpyBaseline(benchmark::State& state) {
  const auto mu = static_cast<unsigned>(state.range(0));
  const Numerology numerology = Numerology::for_carrier(mu, CyclicPrefix::normal, num_prbs);
  const std::size_t samples = num_rx * std::size_t{numerology.slot_length(1)};
  std::vector<cf32> in(samples, cf32(1.0F, 0.5F));
  std::vector<cf32> out(samples);
  auto run = [&] {
    std::memcpy(out.data(), in.data(), samples * sizeof(cf32));
    benchmark::DoNotOptimize(out.data());
  };
  for (auto _ : state) {
    run();
  }
  set_ratio(state, iq_memcpy_baseline_s(samples), run);
}

} // namespace

BENCHMARK(BM_GridMultiplyBaseline)->Unit(benchmark::kMicrosecond);
// Argument (last for the time domain): 0 TDL-C300, 1 CDL-C 300 ns.
BENCHMARK(BM_FrequencyDomain)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FrequencyDomainWithReseed)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FrequencyResponse)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_IqMemcpyBaseline)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TimeDomain)->Args({1, 0})->Args({0, 0})->Args({1, 1})->Unit(benchmark::kMicrosecond);
