// PRACH receiver (TS 38.211 6.3.3, 5.3.2) on one occasion of a 273-PRB 30 kHz carrier (4096-point
// FFT, 122.88 MHz): PrachDemodulator::demodulate on every receive antenna (one FFT of the period,
// 98304 points for format 0, 4096 for B4 and A1, per period) and PrachDetector::detect (the 64
// preambles of TS 38.141-1's test configuration), for format 0 (N_CS 13) and the short formats B4
// and A1 at 30 kHz (N_CS 46), 2 and 4 Rx, with a preamble at -10 dB per PRACH subcarrier and
// antenna (near the TS 38.104 requirement points; at 0 dB the short formats' detector reports
// spurious preambles on other roots, whose delay refinement would dominate the figures). The
// same-process baseline is the FFTs alone: an FftPlan of the period's length executed as many
// times as the demodulator runs it (antennas x periods). The `vs_fft_baseline` counter is the
// median time of a call over the baseline's median, both measured in this process.
#include "airan/phy/awgn.h"
#include "airan/phy/fft_plan.h"
#include "airan/phy/prach_detector.h"
#include "airan/phy/prach_modulator.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <complex>
#include <cstddef>
#include <vector>

namespace {

using namespace airan::phy;

constexpr unsigned prach_bench_prbs = 273;
constexpr unsigned prach_bench_mu = 1;
constexpr float prach_bench_noise_variance = 10.0F; // -10 dB per PRACH subcarrier

Numerology prach_bench_numerology() {
  return Numerology::for_carrier(prach_bench_mu, CyclicPrefix::normal, prach_bench_prbs);
}

/// Format range(0) (PrachFormat numbering) with TS 38.141-1's test N_CS and root.
PrachConfig prach_bench_config(unsigned format) {
  PrachConfig config;
  config.format = static_cast<PrachFormat>(format);
  config.short_format_numerology = prach_bench_mu;
  const bool long_format = prach_is_long_format(config.format);
  config.cyclic_shift_length = long_format ? 13 : 46;
  config.root_sequence_index = long_format ? 22 : 0;
  config.first_prb = 10;
  return config;
}

/// The received occasion: preamble 32 (long) or 0 (short) at unit power per PRACH subcarrier
/// with a phase per antenna, plus noise ten times stronger, antenna after antenna.
std::vector<cf32> prach_bench_samples(const PrachConfig& config, unsigned antennas) {
  PrachModulator modulator(config, prach_bench_numerology(), prach_bench_prbs);
  const PrachOccasionLayout layout = modulator.layout(0);
  std::vector<cf32> preamble(layout.length());
  modulator.modulate(0, prach_is_long_format(config.format) ? 32 : 0, 1.0F, preamble);
  std::vector<cf32> samples(std::size_t{antennas} * layout.length());
  for (unsigned a = 0; a < antennas; ++a) {
    const cf32 phase = std::polar(1.0F, 0.7F * static_cast<float>(a + 1));
    std::transform(preamble.begin(), preamble.end(),
                   samples.begin() + std::ptrdiff_t{a} * layout.length(),
                   [phase](cf32 value) { return value * phase; });
  }
  AwgnGenerator(3).add(samples, prach_bench_noise_variance);
  return samples;
}

/// Median seconds of \p run over 21 calls (after a warm-up call).
template <typename Run> double prach_median_seconds(Run&& run) {
  run();
  std::vector<double> times;
  for (int i = 0; i < 21; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + 10, times.end());
  return times[10];
}

/// The baseline's work: the demodulator's FFTs alone (antennas x periods of the period length).
struct PrachFftBaseline {
  PrachFftBaseline(const PrachOccasionLayout& layout, unsigned antennas)
      : plan(layout.period_length, FftDirection::forward),
        executions(antennas * layout.repetitions) {
    std::fill(plan.input().begin(), plan.input().end(), cf32(0.5F, -0.25F));
  }
  void run() {
    for (unsigned i = 0; i < executions; ++i) {
      plan.execute();
      benchmark::DoNotOptimize(plan.output().data());
    }
  }
  FftPlan plan;
  unsigned executions;
};

double prach_fft_baseline_s(const PrachOccasionLayout& layout, unsigned antennas) {
  PrachFftBaseline baseline(layout, antennas);
  return prach_median_seconds([&] { baseline.run(); });
}

/// One receiver of the occasion: demodulator, buffer, detector and the received samples.
struct PrachBenchReceiver {
  PrachBenchReceiver(unsigned format, unsigned antennas)
      : config(prach_bench_config(format)), num_antennas(antennas),
        demodulator(config, prach_bench_numerology(), prach_bench_prbs),
        layout(demodulator.layout(0)), buffer(antennas, layout.repetitions, layout.sequence_length),
        detector(config, prach_bench_mu, antennas), samples(prach_bench_samples(config, antennas)) {
  }
  void demodulate() {
    const std::span<const cf32> all(samples);
    for (unsigned a = 0; a < num_antennas; ++a) {
      demodulator.demodulate(0, all.subspan(std::size_t{a} * layout.length(), layout.length()), a,
                             buffer);
    }
  }
  void detect() {
    detector.detect(buffer, result);
    benchmark::DoNotOptimize(result.preambles.data());
  }
  PrachConfig config;
  unsigned num_antennas;
  PrachDemodulator demodulator;
  PrachOccasionLayout layout;
  PrachBuffer buffer;
  PrachDetector detector;
  PrachDetectionResult result;
  std::vector<cf32> samples;
};

void prach_bench_counters(benchmark::State& state, const PrachBenchReceiver& receiver,
                          double seconds) {
  state.counters["vs_fft_baseline"] =
      seconds / prach_fft_baseline_s(receiver.layout, receiver.num_antennas);
  state.counters["period"] = receiver.layout.period_length;
  state.counters["detected"] = static_cast<double>(receiver.result.preambles.size());
  state.counters["occasions"] =
      benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_PrachDemodulateDetect(benchmark::State& state) {
  PrachBenchReceiver receiver(static_cast<unsigned>(state.range(0)),
                              static_cast<unsigned>(state.range(1)));
  const auto run = [&receiver] {
    receiver.demodulate();
    receiver.detect();
  };
  for (auto _ : state) {
    run();
  }
  prach_bench_counters(state, receiver, prach_median_seconds(run));
}
BENCHMARK(BM_PrachDemodulateDetect)
    ->ArgNames({"format", "antennas"}) // format: 0, 4 = A1, 10 = B4
    ->Args({0, 2})
    ->Args({0, 4})
    ->Args({10, 2})
    ->Args({10, 4})
    ->Args({4, 2})
    ->Args({4, 4})
    ->Unit(benchmark::kMicrosecond);

/// The detector alone on the demodulated occasion (its share of the receiver).
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_PrachDetectOnly(benchmark::State& state) {
  PrachBenchReceiver receiver(static_cast<unsigned>(state.range(0)),
                              static_cast<unsigned>(state.range(1)));
  receiver.demodulate();
  for (auto _ : state) {
    receiver.detect();
  }
  prach_bench_counters(state, receiver, prach_median_seconds([&receiver] { receiver.detect(); }));
}
BENCHMARK(BM_PrachDetectOnly)
    ->ArgNames({"format", "antennas"})
    ->Args({0, 2})
    ->Args({0, 4})
    ->Args({10, 2})
    ->Args({4, 2})
    ->Unit(benchmark::kMicrosecond);

/// Baseline: the demodulator's FFTs alone.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_PrachFftBaseline(benchmark::State& state) {
  const PrachConfig config = prach_bench_config(static_cast<unsigned>(state.range(0)));
  const PrachOccasionLayout layout =
      prach_occasion_layout(config, prach_bench_numerology(), prach_bench_prbs, 0);
  PrachFftBaseline baseline(layout, static_cast<unsigned>(state.range(1)));
  for (auto _ : state) {
    baseline.run();
  }
  state.counters["period"] = layout.period_length;
  state.counters["ffts"] = baseline.executions;
}
BENCHMARK(BM_PrachFftBaseline)
    ->ArgNames({"format", "antennas"})
    ->Args({0, 2})
    ->Args({0, 4})
    ->Args({10, 2})
    ->Args({10, 4})
    ->Args({4, 2})
    ->Args({4, 4})
    ->Unit(benchmark::kMicrosecond);

} // namespace
