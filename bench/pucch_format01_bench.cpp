// PUCCH formats 0 and 1 (TS 38.211 6.3.2.3, 6.3.2.4): detecting one PUCCH in a 4-antenna grid
// (all HARQ-ACK / SR hypotheses, DTX threshold, SINR), against writing the same PUCCH (the UE
// side: the same sequences, hopping and covers, the same-process baseline). Format 0 with 2
// HARQ-ACK bits and an SR occasion on 2 symbols with hopping (8 hypotheses); format 1 with 2
// HARQ-ACK bits on 14 symbols with hopping (4 hypotheses). And a slot of 64 format 1 PUCCHs, each
// on its own PRB or eight multiplexed per PRB (the neighbours' energies enter each decision).
#include "airan/phy/awgn.h"
#include "airan/phy/pucch_receiver.h"

#include <benchmark/benchmark.h>

#include <array>
#include <vector>

namespace {

using namespace airan::phy;

const CellConfig bench_cell{.num_prbs = 106, .numerology = 1, .n_cell_id = 12};
constexpr unsigned bench_rx = 4;

PucchConfig bench_pucch(PucchFormat format) {
  PucchConfig pucch;
  pucch.format = format;
  pucch.bwp_size = bench_cell.num_prbs;
  pucch.prb_start = 1;
  pucch.intra_slot_hopping = true;
  pucch.second_hop_prb = 104;
  pucch.group_hopping = PucchGroupHopping::enable;
  pucch.hopping_id = 12;
  pucch.harq_bits = 2;
  pucch.sr_bits = format == PucchFormat::format0 ? 1 : 0;
  pucch.start_symbol = format == PucchFormat::format0 ? 12 : 0;
  pucch.num_symbols = format == PucchFormat::format0 ? 2 : 14;
  return pucch;
}

const std::array<bit_t, 2> bench_harq = {1, 0};
const std::array<bit_t, 1> bench_sr = {1};

PucchUciBits bench_bits(const PucchConfig& pucch) {
  return {bench_harq, std::span(bench_sr).first(pucch.sr_bits), {}};
}

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_PucchWrite(benchmark::State& state) {
  const PucchConfig pucch = bench_pucch(static_cast<PucchFormat>(state.range(0)));
  ResourceGrid grid(1, 14, 12 * bench_cell.num_prbs);
  unsigned slot = 0;
  for (auto _ : state) {
    write_pucch(bench_cell, slot, pucch, bench_bits(pucch), grid);
    benchmark::DoNotOptimize(grid.elements().data());
    slot = (slot + 1) % 20;
  }
  state.SetItemsProcessed(state.iterations());
}

// NOLINTNEXTLINE(readability-identifier-naming)
void BM_PucchDetect(benchmark::State& state) {
  const PucchConfig pucch = bench_pucch(static_cast<PucchFormat>(state.range(0)));
  ResourceGrid tx(1, 14, 12 * bench_cell.num_prbs);
  write_pucch(bench_cell, 3, pucch, bench_bits(pucch), tx);
  ResourceGrid grid(bench_rx, 14, 12 * bench_cell.num_prbs);
  for (unsigned r = 0; r < bench_rx; ++r) {
    std::copy(tx.port(0).begin(), tx.port(0).end(), grid.port(r).begin());
  }
  AwgnGenerator noise(1);
  noise.add(grid, 0.1F);
  PucchReceiver receiver(bench_cell, bench_rx);
  std::vector<PucchResult> results;
  const std::array<PucchConfig, 1> pdus = {pucch};
  for (auto _ : state) {
    receiver.process_slot(grid, 3, pdus, results);
    benchmark::DoNotOptimize(results.data());
  }
  if (!results[0].detected || results[0].harq()[0] != 1) {
    state.SkipWithError("the PUCCH was not detected");
  }
  state.SetItemsProcessed(state.iterations());
}

/// A slot of 64 format 1 PUCCHs (14 symbols, hopping, 4 Rx): range(0) per PRB (1: every PUCCH
/// on its own PRB, the baseline; 8: eight multiplexed UEs per PRB, cyclic shifts 0, 3, 6, 9 and
/// two covers).
// NOLINTNEXTLINE(readability-identifier-naming)
void BM_PucchSlotOf64Format1(benchmark::State& state) {
  const auto per_prb = static_cast<unsigned>(state.range(0));
  std::vector<PucchConfig> pdus;
  for (unsigned u = 0; u < 64; ++u) {
    PucchConfig pucch = bench_pucch(PucchFormat::format1);
    const unsigned resource = u / per_prb;
    const unsigned within = u % per_prb;
    pucch.prb_start = resource;
    pucch.second_hop_prb = bench_cell.num_prbs - 1 - resource;
    pucch.initial_cyclic_shift = 3 * (within % 4);
    pucch.time_domain_occ = within / 4;
    pdus.push_back(pucch);
  }
  ResourceGrid grid(bench_rx, 14, 12 * bench_cell.num_prbs);
  AwgnGenerator noise(2);
  noise.add(grid, 1.0F);
  PucchReceiver receiver(bench_cell, bench_rx);
  std::vector<PucchResult> results;
  for (auto _ : state) {
    receiver.process_slot(grid, 3, pdus, results);
    benchmark::DoNotOptimize(results.data());
  }
  state.SetItemsProcessed(state.iterations() * 64);
}

} // namespace

BENCHMARK(BM_PucchWrite)->Arg(0)->Arg(1);
BENCHMARK(BM_PucchDetect)->Arg(0)->Arg(1);
BENCHMARK(BM_PucchSlotOf64Format1)->Arg(1)->Arg(8);
