// Whole PUSCH transmit chain for a full 273-PRB slot (30 kHz, 14 symbols, 256-QAM MCS 27 of
// Table 5.1.3.1-2, DMRS type 1 on symbols 2 and 11 with 2 CDM groups without data), 1 and 2
// layers, to the frequency-domain grid and on to time-domain IQ. The same-process baseline is a
// memcpy of the output grid's bytes, so figures can be quoted as ratios.
//
// bytes_per_second is the rate of transport-block bits (one bit per byte); "slots" counts
// transmitted slots per second (real time at 30 kHz is 2000 slots/s).
#include "airan/phy/pusch_transmitter.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <vector>

using namespace airan::phy;

namespace {

constexpr unsigned num_prbs = 273;
constexpr unsigned slot_number = 3;

CellConfig make_cell(unsigned layers) {
  CellConfig cell;
  cell.num_prbs = num_prbs;
  cell.numerology = 1;
  cell.n_cell_id = 500;
  cell.num_antenna_ports = layers;
  return cell;
}

PuschConfig make_pusch(unsigned layers) {
  PuschConfig pusch;
  pusch.rnti = 17921;
  pusch.bwp_size = pusch.prb_size = num_prbs;
  pusch.num_layers = layers;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1U);
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_scrambling_id = 500;
  pusch.mcs_table = McsTable::qam256;
  pusch.mcs_index = 27;
  pusch.data_scrambling_id = 500;
  return pusch;
}

BitVector random_bits(std::size_t size) {
  std::mt19937 rng(42);
  BitVector bits(size);
  for (auto& bit : bits) {
    bit = static_cast<bit_t>(rng() & 1U);
  }
  return bits;
}

void set_rates(benchmark::State& state, std::size_t tb_bits) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * tb_bits));
  state.counters["slots"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["tbs"] = static_cast<double>(tb_bits);
}

/// Baseline: memcpy of one output grid (layers x 14 x 3276 complex floats).
void BM_MemcpyGridBaseline(benchmark::State& state) {
  const auto layers = static_cast<unsigned>(state.range(0));
  PuschTransmitter transmitter(make_cell(layers));
  const ResourceGrid source = transmitter.make_grid();
  ResourceGrid destination = transmitter.make_grid();
  const std::size_t bytes = source.size() * sizeof(cf32);
  for (auto _ : state) {
    std::memcpy(destination.elements().data(), source.elements().data(), bytes);
    benchmark::DoNotOptimize(destination.elements().data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_MemcpyGridBaseline)->ArgName("layers")->Arg(1)->Arg(2);

/// TB bits to the frequency-domain grid of every antenna port.
void BM_PuschTransmitGrid(benchmark::State& state) {
  const auto layers = static_cast<unsigned>(state.range(0));
  const PuschConfig pusch = make_pusch(layers);
  PuschTransmitter transmitter(make_cell(layers));
  const BitVector tb = random_bits(transmitter.transport_block_size(pusch));
  ResourceGrid grid = transmitter.make_grid();
  for (auto _ : state) {
    transmitter.transmit(tb, pusch, slot_number, grid);
    benchmark::DoNotOptimize(grid.elements().data());
    benchmark::ClobberMemory();
  }
  set_rates(state, tb.size());
}
BENCHMARK(BM_PuschTransmitGrid)->ArgName("layers")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

/// TB bits to time-domain IQ (4096-point FFT, 122.88 Msps) of every antenna port.
void BM_PuschTransmitIq(benchmark::State& state) {
  const auto layers = static_cast<unsigned>(state.range(0));
  const PuschConfig pusch = make_pusch(layers);
  PuschTransmitter transmitter(make_cell(layers));
  const BitVector tb = random_bits(transmitter.transport_block_size(pusch));
  ResourceGrid grid = transmitter.make_grid();
  std::vector<cf32> iq(std::size_t{layers} * transmitter.numerology().slot_length(slot_number));
  for (auto _ : state) {
    transmitter.transmit(tb, pusch, slot_number, grid, iq);
    benchmark::DoNotOptimize(iq.data());
    benchmark::ClobberMemory();
  }
  set_rates(state, tb.size());
}
BENCHMARK(BM_PuschTransmitIq)->ArgName("layers")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

} // namespace
