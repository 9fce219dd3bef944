// PUCCH format 2 (TS 38.211 6.3.2.5, TS 38.212 6.3.1): the CPU receiver (DMRS channel and
// noise estimation, maximal-ratio combining, QPSK LLRs, descrambling, decoding) on a grid at
// 3 dB per RE and antenna, for short blocks and polar codes over 1 to 16 PRBs and 1 to 4
// antennas, and the transmitter. The same-process baselines are the decoders alone on as many
// LLRs: decode_uci_short_block() for 3..11 bits and UciPolarDecoder (list of 8) above, so that
// receive / decode is what the front end adds.
#include "airan/phy/awgn.h"
#include "airan/phy/pucch_format2.h"

#include "pucch_uci_bench_support.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <span>
#include <vector>

namespace {

using namespace airan::phy;

constexpr unsigned bench_slot = 3;
constexpr float bench_noise_variance = 0.5F; // 3 dB

CellConfig bench_cell() {
  CellConfig cell;
  cell.num_prbs = 106;
  return cell;
}

PucchConfig bench_pucch(unsigned prbs, unsigned symbols, unsigned bits) {
  PucchConfig p;
  p.format = PucchFormat::format2;
  p.rnti = 0x1234;
  p.bwp_size = 106;
  p.prb_start = 20;
  p.num_prbs = prbs;
  p.start_symbol = 14 - symbols;
  p.num_symbols = symbols;
  p.intra_slot_hopping = symbols == 2;
  p.second_hop_prb = 80;
  p.scrambling_id = 99;
  p.dmrs_scrambling_id = 1234;
  p.harq_bits = 2;
  p.sr_bits = 1;
  p.csi_part1_bits = bits - 3;
  return p;
}

/// The PUCCH of range(0) PRBs, range(1) symbols and range(2) bits on range(3) antennas (the same
/// signal on each, independent noise).
ResourceGrid bench_grid(const CellConfig& cell, const PucchConfig& pucch, unsigned antennas) {
  ResourceGrid tx(1, 14, 12 * cell.num_prbs);
  const BitVector payload = airan::bench::pucch_bench_payload(pucch.payload_bits());
  write_pucch_format2(cell, bench_slot, pucch, airan::bench::pucch_bench_parts(pucch, payload), tx);
  ResourceGrid rx(antennas, 14, 12 * cell.num_prbs);
  for (unsigned a = 0; a < antennas; ++a) {
    std::copy(tx.port(0).begin(), tx.port(0).end(), rx.port(a).begin());
  }
  AwgnGenerator(7).add(rx, bench_noise_variance);
  return rx;
}

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_PucchFormat2Receive(benchmark::State& state) {
  const CellConfig cell = bench_cell();
  const PucchConfig pucch =
      bench_pucch(static_cast<unsigned>(state.range(0)), static_cast<unsigned>(state.range(1)),
                  static_cast<unsigned>(state.range(2)));
  const auto antennas = static_cast<unsigned>(state.range(3));
  const ResourceGrid grid = bench_grid(cell, pucch, antennas);
  PucchFormat2Receiver receiver(antennas);
  PucchResult result;
  for (auto _ : state) {
    receiver.receive(grid, cell, bench_slot, pucch, result);
    benchmark::DoNotOptimize(result.bits.data());
  }
  state.counters["crc_ok"] = result.crc_ok ? 1.0 : 0.0;
  state.counters["PUCCHs"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PucchFormat2Receive)
    ->ArgNames({"prbs", "symbols", "bits", "antennas"})
    ->Args({1, 2, 4, 2})
    ->Args({4, 2, 11, 2})
    ->Args({16, 2, 11, 4})
    ->Args({4, 2, 22, 2})
    ->Args({16, 2, 100, 4})
    ->Args({16, 2, 200, 4})
    ->Unit(benchmark::kMicrosecond);

/// Baseline: the short-block decoder alone on range(0) LLRs for range(1) bits.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_PucchFormat2ShortBlockDecodeOnly(benchmark::State& state) {
  airan::bench::run_short_block_decode_only(state);
}
BENCHMARK(BM_PucchFormat2ShortBlockDecodeOnly)
    ->ArgNames({"llrs", "bits"})
    ->Args({32, 4})
    ->Args({128, 11})
    ->Args({512, 11})
    ->Unit(benchmark::kMicrosecond);

/// Baseline: the polar decoder alone on the range(0) LLRs of a range(1)-bit part.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_PucchFormat2PolarDecodeOnly(benchmark::State& state) {
  airan::bench::run_polar_decode_only(state);
}
BENCHMARK(BM_PucchFormat2PolarDecodeOnly)
    ->ArgNames({"llrs", "bits"})
    ->Args({128, 22})
    ->Args({512, 100})
    ->Args({512, 200})
    ->Unit(benchmark::kMicrosecond);

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_WritePucchFormat2(benchmark::State& state) {
  const CellConfig cell = bench_cell();
  const PucchConfig pucch =
      bench_pucch(static_cast<unsigned>(state.range(0)), 2, static_cast<unsigned>(state.range(1)));
  const BitVector payload = airan::bench::pucch_bench_payload(pucch.payload_bits());
  ResourceGrid grid(1, 14, 12 * cell.num_prbs);
  for (auto _ : state) {
    write_pucch_format2(cell, bench_slot, pucch, airan::bench::pucch_bench_parts(pucch, payload),
                        grid);
    benchmark::DoNotOptimize(grid.elements().data());
  }
}
BENCHMARK(BM_WritePucchFormat2)
    ->ArgNames({"prbs", "bits"})
    ->Args({4, 11})
    ->Args({16, 100})
    ->Unit(benchmark::kMicrosecond);

} // namespace
