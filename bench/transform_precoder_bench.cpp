// DFT-s-OFDM at the receiver: the transform deprecoding of one slot (12 data symbols of one
// layer, MMSE weights, IDFT, post-IDFT variance) for 25, 100 and 270 PRBs, against a memcpy of
// its input; the DMRS of one 270-PRB symbol, the low-PAPR (Zadoff-Chu) sequence against the
// Gold one; and the whole CPU front end (estimation, equalization, deprecoding, demapping) of a
// 270-PRB 2-antenna PDU with transform precoding against the same PDU in CP-OFDM, in one process.
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/transform_precoder.h"

#include "memcpy_baseline.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

using namespace airan::phy;

constexpr unsigned data_symbols = 12;

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_TransformDeprecodeSlot(benchmark::State& state) {
  const auto prbs = static_cast<unsigned>(state.range(0));
  const std::size_t count = std::size_t{12} * prbs * data_symbols;
  std::mt19937 rng(prbs);
  std::normal_distribution<float> normal(0.0F, 0.7F);
  std::uniform_real_distribution<float> variance(0.01F, 0.2F);
  std::vector<cf32> source(count);
  std::vector<float> source_variances(count);
  for (std::size_t i = 0; i < count; ++i) {
    source[i] = {normal(rng), normal(rng)};
    source_variances[i] = variance(rng);
  }
  std::vector<cf32> values(count);
  std::vector<float> variances(count);
  TransformPrecoder deprecoder(prbs, TransformPrecodingDirection::deprecode);
  for (auto _ : state) {
    state.PauseTiming();
    values = source;
    variances = source_variances;
    state.ResumeTiming();
    deprecoder.deprecode_equalized(values, variances, prbs);
    benchmark::DoNotOptimize(values.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * count));
}
BENCHMARK(BM_TransformDeprecodeSlot)
    ->ArgNames({"prbs"})
    ->Arg(25)
    ->Arg(100)
    ->Arg(270)
    ->Unit(benchmark::kMicrosecond);

/// Baseline: a memcpy of the deprecoding's input for 270 PRBs (values and variances).
// NOLINTNEXTLINE(readability-identifier-naming)
void BM_MemcpyDeprecodeInput(benchmark::State& state) {
  airan::bench::time_memcpy(state,
                            std::size_t{12} * 270 * data_symbols * (sizeof(cf32) + sizeof(float)));
}
BENCHMARK(BM_MemcpyDeprecodeInput)->Unit(benchmark::kMicrosecond);

CellConfig carrier_270() {
  CellConfig cell;
  cell.num_prbs = 270;
  return cell;
}

/// QPSK (MCS 5) over the 270-PRB carrier, DFT-s-OFDM or CP-OFDM, no data on DMRS symbols.
PuschConfig whole_carrier_pusch(bool transform_precoding) {
  PuschConfig pusch;
  pusch.bwp_size = 270;
  pusch.prb_size = 270;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 5;
  pusch.transform_precoding = transform_precoding;
  pusch.mcs_table = transform_precoding ? McsTable::transform_precoding_qam64 : McsTable::qam64;
  return pusch;
}

/// range(0): 1 low-PAPR (transform precoding), 0 Gold; one DMRS symbol of 270 PRBs.
// NOLINTNEXTLINE(readability-identifier-naming)
void BM_DmrsSymbol(benchmark::State& state) {
  const CellConfig cell = carrier_270();
  const PuschConfig pusch = whole_carrier_pusch(state.range(0) != 0);
  const PuschDmrsParams params = make_pusch_dmrs_params(cell, pusch, 0);
  std::vector<cf32> values(params.values_per_symbol());
  for (auto _ : state) {
    generate_pusch_dmrs(params, 0, 2, values);
    benchmark::DoNotOptimize(values.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * values.size()));
}
BENCHMARK(BM_DmrsSymbol)->ArgNames({"low_papr"})->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

/// range(0): 1 transform precoding, 0 CP-OFDM; the same 270-PRB QPSK PDU on 2 antennas.
// NOLINTNEXTLINE(readability-identifier-naming)
void BM_FrontEndPdu(benchmark::State& state) {
  const CellConfig cell = carrier_270();
  const PuschConfig pusch = whole_carrier_pusch(state.range(0) != 0);
  PuschTransmitter transmitter(cell);
  std::mt19937_64 rng(1);
  BitVector tb(transmitter.transport_block_size(pusch));
  for (auto& b : tb) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  auto tx = transmitter.make_grid();
  transmitter.transmit(tb, pusch, 0, tx);
  ResourceGrid grid(2, tx.num_symbols(), tx.num_subcarriers());
  std::normal_distribution<float> noise(0.0F, 0.1F);
  for (unsigned r = 0; r < 2; ++r) {
    for (unsigned l = 0; l < tx.num_symbols(); ++l) {
      for (std::size_t k = 0; k < tx.num_subcarriers(); ++k) {
        grid.symbol(r, l)[k] = tx.symbol(0, l)[k] + cf32(noise(rng), noise(rng));
      }
    }
  }
  PuschFrontEnd front_end({2, 1, 270});
  std::vector<float> llrs(pusch_coded_bits(cell, pusch));
  const PuschFrontEndOptions options;
  for (auto _ : state) {
    benchmark::DoNotOptimize(front_end.process(grid, cell, pusch, 0, options, llrs));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * llrs.size()));
}
BENCHMARK(BM_FrontEndPdu)->ArgNames({"dfts"})->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

} // namespace
