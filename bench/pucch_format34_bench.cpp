// PUCCH formats 3 and 4 (TS 38.211 6.3.2.6, TS 38.212 6.3.1): the CPU receiver (DMRS channel and
// noise estimation, combining, the inverse transform precoding, the format 4 cover, LLRs,
// descrambling, decoding) on a grid at 0 dB per RE and antenna, for short blocks and polar codes
// over 1 to 16 PRBs and 2 to 4 antennas, and the transmitter. The same-process baselines are the
// decoders alone on as many LLRs (decode_uci_short_block() for 3..11 bits, UciPolarDecoder with
// a list of 8 above) on the E_tot of the receiver rows, so that receive / decode is what the
// front end adds.
#include "airan/phy/awgn.h"
#include "airan/phy/pucch_format34.h"

#include "pucch_uci_bench_support.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <span>
#include <vector>

namespace {

using namespace airan::phy;

constexpr unsigned f34_bench_slot = 3;
constexpr float f34_bench_noise_variance = 1.0F; // 0 dB

CellConfig f34_bench_cell() {
  CellConfig cell;
  cell.num_prbs = 106;
  return cell;
}

/// Format 3 on range(0) PRBs, or format 4 (N_SF 2) when range(0) is 0; 14 symbols, hopping.
PucchConfig f34_bench_pucch(unsigned prbs, unsigned bits) {
  PucchConfig p;
  p.format = prbs == 0 ? PucchFormat::format4 : PucchFormat::format3;
  p.rnti = 0x1234;
  p.bwp_size = 106;
  p.prb_start = 20;
  p.num_prbs = std::max(prbs, 1U);
  p.start_symbol = 0;
  p.num_symbols = 14;
  p.intra_slot_hopping = true;
  p.second_hop_prb = 80;
  p.group_hopping = PucchGroupHopping::enable;
  p.hopping_id = 77;
  p.scrambling_id = 99;
  p.harq_bits = 2;
  p.sr_bits = 1;
  p.csi_part1_bits = bits - 3;
  return p;
}

ResourceGrid f34_bench_grid(const CellConfig& cell, const PucchConfig& pucch, unsigned antennas) {
  ResourceGrid tx(1, 14, 12 * cell.num_prbs);
  const BitVector payload = airan::bench::pucch_bench_payload(pucch.payload_bits());
  write_pucch_format34(cell, f34_bench_slot, pucch, airan::bench::pucch_bench_parts(pucch, payload),
                       tx);
  ResourceGrid rx(antennas, 14, 12 * cell.num_prbs);
  for (unsigned a = 0; a < antennas; ++a) {
    std::copy(tx.port(0).begin(), tx.port(0).end(), rx.port(a).begin());
  }
  AwgnGenerator(7).add(rx, f34_bench_noise_variance);
  return rx;
}

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_PucchFormat34Receive(benchmark::State& state) {
  const CellConfig cell = f34_bench_cell();
  const PucchConfig pucch =
      f34_bench_pucch(static_cast<unsigned>(state.range(0)), static_cast<unsigned>(state.range(1)));
  const auto antennas = static_cast<unsigned>(state.range(2));
  const ResourceGrid grid = f34_bench_grid(cell, pucch, antennas);
  PucchFormat34Receiver receiver(antennas);
  PucchResult result;
  for (auto _ : state) {
    receiver.receive(grid, cell, f34_bench_slot, pucch, result);
    benchmark::DoNotOptimize(result.bits.data());
  }
  state.counters["crc_ok"] = result.crc_ok ? 1.0 : 0.0;
  state.counters["E"] = pucch_format34_coded_bits(pucch);
  state.counters["PUCCHs"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PucchFormat34Receive)
    ->ArgNames({"prbs", "bits", "antennas"}) // prbs 0: format 4
    ->Args({0, 11, 2})
    ->Args({0, 22, 2})
    ->Args({1, 11, 2})
    ->Args({1, 22, 2})
    ->Args({4, 100, 4})
    ->Args({16, 200, 4})
    ->Unit(benchmark::kMicrosecond);

/// Baseline: the short-block decoder alone on range(0) LLRs for range(1) bits.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_PucchFormat34ShortBlockDecodeOnly(benchmark::State& state) {
  airan::bench::run_short_block_decode_only(state);
}
BENCHMARK(BM_PucchFormat34ShortBlockDecodeOnly)
    ->ArgNames({"llrs", "bits"})
    ->Args({144, 11})
    ->Args({288, 11})
    ->Unit(benchmark::kMicrosecond);

/// Baseline: the polar decoder alone on the range(0) LLRs of a range(1)-bit part.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_PucchFormat34PolarDecodeOnly(benchmark::State& state) {
  airan::bench::run_polar_decode_only(state);
}
BENCHMARK(BM_PucchFormat34PolarDecodeOnly)
    ->ArgNames({"llrs", "bits"})
    ->Args({144, 22})
    ->Args({288, 22})
    ->Args({1152, 100})
    ->Args({4608, 200})
    ->Unit(benchmark::kMicrosecond);

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_WritePucchFormat34(benchmark::State& state) {
  const CellConfig cell = f34_bench_cell();
  const PucchConfig pucch =
      f34_bench_pucch(static_cast<unsigned>(state.range(0)), static_cast<unsigned>(state.range(1)));
  const BitVector payload = airan::bench::pucch_bench_payload(pucch.payload_bits());
  ResourceGrid grid(1, 14, 12 * cell.num_prbs);
  for (auto _ : state) {
    write_pucch_format34(cell, f34_bench_slot, pucch,
                         airan::bench::pucch_bench_parts(pucch, payload), grid);
    benchmark::DoNotOptimize(grid.elements().data());
  }
}
BENCHMARK(BM_WritePucchFormat34)
    ->ArgNames({"prbs", "bits"})
    ->Args({0, 22})
    ->Args({16, 200})
    ->Unit(benchmark::kMicrosecond);

} // namespace
