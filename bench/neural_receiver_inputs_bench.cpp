// The host side of the CPU neural receiver around its model, on a full 273-PRB slot (4 receive
// antennas, 1 and 2 layers, DMRS type 1 on symbols 2 and 11): NeuralReceiverInputs::build (the
// DMRS estimator for the noise variance, then the rx_grid, ls_channel and side_info tensors) and
// the LLR gathering (neural_llr_positions and the gather into codeword order). On CUDA both run
// on the device (GpuNeuralPuschDetector); these are what the host-built arrangement spends per
// PDU before its copies. Baseline in the same process: a memcpy of the three input tensors.
#include "airan/phy/nn/neural_receiver_inputs.h"
#include "airan/phy/pusch_transmitter.h"

#include "memcpy_baseline.h"
#include "multipath_grid.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace {

using namespace airan::phy;

constexpr unsigned num_prbs = 273;
constexpr unsigned num_rx = 4;
constexpr unsigned slot_number = 3;

const airan::bench::MultipathSlot& scenario(unsigned layers) {
  static const airan::bench::MultipathSlot one =
      airan::bench::multipath_slot(num_prbs, 1, num_rx, slot_number);
  static const airan::bench::MultipathSlot two =
      airan::bench::multipath_slot(num_prbs, 2, num_rx, slot_number);
  return layers == 1 ? one : two;
}

void set_rates(benchmark::State& state) {
  state.counters["slots"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}

/// Baseline: a memcpy of the three input tensors (47 planes of 14 x 3276 floats).
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_MemcpyNeuralInputs(benchmark::State& state) {
  airan::bench::time_memcpy(state, std::size_t{47} * 14 * 12 * num_prbs * sizeof(float));
  set_rates(state);
}
BENCHMARK(BM_MemcpyNeuralInputs)->Unit(benchmark::kMicrosecond);

/// range(0): layers.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_NeuralReceiverInputs(benchmark::State& state) {
  const airan::bench::MultipathSlot& s = scenario(static_cast<unsigned>(state.range(0)));
  nn::NeuralReceiverInputs inputs(num_prbs);
  for (auto _ : state) {
    inputs.build(s.grid, s.cell, s.pusch, slot_number);
    benchmark::DoNotOptimize(inputs.ls_channel().data());
    benchmark::ClobberMemory();
  }
  set_rates(state);
}
BENCHMARK(BM_NeuralReceiverInputs)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

/// range(0): layers. The positions of every codeword bit, then the gather from an LLR tensor.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_NeuralLlrGathering(benchmark::State& state) {
  const airan::bench::MultipathSlot& s = scenario(static_cast<unsigned>(state.range(0)));
  const std::size_t g = pusch_coded_bits(s.cell, s.pusch);
  std::vector<std::uint32_t> positions(g);
  std::vector<float> tensor(std::size_t{nn::neural_llr_channels} * 14 * 12 * num_prbs, 0.5F);
  std::vector<float> llrs(g);
  for (auto _ : state) {
    nn::neural_llr_positions(s.cell, s.pusch, positions);
    for (std::size_t i = 0; i < g; ++i) {
      llrs[i] = tensor[positions[i]];
    }
    benchmark::DoNotOptimize(llrs.data());
    benchmark::ClobberMemory();
  }
  state.counters["bits"] =
      benchmark::Counter(static_cast<double>(g), benchmark::Counter::kIsIterationInvariantRate);
  set_rates(state);
}
BENCHMARK(BM_NeuralLlrGathering)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

} // namespace
