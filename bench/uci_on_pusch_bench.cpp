// UCI on PUSCH in the receiver: planning the RE owners (TS 38.212 6.2.7), demultiplexing a
// 273-PRB, 2-layer 64-QAM codeword's LLRs (UL-SCH moved forward, UCI folded onto its short
// blocks; a 1-bit HARQ-ACK also regenerates the scrambling sequence for its "y" placeholders),
// and maximum-likelihood decoding of short blocks of 1 to 11 bits; a memcpy of the codeword's
// LLRs is the same-process baseline. ulsch 0: the same PUSCH without UL-SCH (a CSI report: CSI
// part 2 takes every RE the others leave, every LLR folded onto a short block). A CSI part 2
// sized from part 1 costs the receiver a second plan and a second pass (BM_UciPlanAndDemultiplex).
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/tbs_calculator.h"
#include "airan/phy/uci_coded_sizes.h"
#include "airan/phy/uci_short_block_code.h"
#include "airan/phy/ulsch_uci_multiplexer.h"

#include "memcpy_baseline.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

struct Case {
  CellConfig cell;
  PuschConfig pusch;
  PuschReMapping mapping;
  UciCodedSizes sizes;
};

/// 273 PRBs, 2 layers of 64-QAM (MCS 20), DMRS on symbols 2 and 11, with a HARQ-ACK
/// of \p harq_ack_bits bits and CSI parts 1 and 2 of 11 bits, with the UL-SCH or (\p ulsch
/// false) without it.
Case make_case(unsigned harq_ack_bits, bool ulsch = true) {
  Case c;
  c.cell.num_prbs = 273;
  c.cell.num_antenna_ports = 2;
  c.pusch.num_layers = 2;
  c.pusch.dmrs_ports = 0x3;
  c.pusch.num_dmrs_cdm_groups_no_data = 2;
  c.pusch.mcs_index = 20;
  c.pusch.uci = {harq_ack_bits, 11, 11, 3, 9, 13, 13};
  c.pusch.ulsch = ulsch;
  c.mapping = make_pusch_re_mapping(c.cell, c.pusch);
  c.sizes = pusch_coded_sizes(c.cell, c.pusch, ulsch ? compute_pusch_tbs(c.cell, c.pusch) : 0);
  return c;
}

std::vector<float> random_llrs(std::size_t count) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0F, 4.0F);
  std::vector<float> llrs(count);
  for (float& v : llrs) {
    v = normal(rng);
  }
  return llrs;
}

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_UciPlan(benchmark::State& state) {
  const Case c = make_case(static_cast<unsigned>(state.range(0)), state.range(1) != 0);
  UlschUciMultiplexer mux(c.mapping.num_data_res());
  for (auto _ : state) {
    mux.plan(c.mapping, c.sizes, c.pusch.uci.harq_ack_bits, 2, 6);
    benchmark::DoNotOptimize(mux.owners().data());
  }
}
BENCHMARK(BM_UciPlan)
    ->ArgNames({"ack_bits", "ulsch"})
    ->Args({1, 1})
    ->Args({4, 1})
    ->Args({4, 0})
    ->Unit(benchmark::kMicrosecond);

/// Copies the codeword's LLRs into the work buffer, then demultiplexes them in place.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_UciDemultiplex(benchmark::State& state) {
  const Case c = make_case(static_cast<unsigned>(state.range(0)), state.range(1) != 0);
  UlschUciMultiplexer mux(c.mapping.num_data_res());
  mux.plan(c.mapping, c.sizes, c.pusch.uci.harq_ack_bits, 2, 6);
  const std::vector<float> source = random_llrs(c.sizes.total);
  std::vector<float> llrs(source.size());
  std::array<UciFoldedLlrs, 3> folded;
  folded[0].length = uci_short_block_length(c.pusch.uci.harq_ack_bits, 6);
  folded[1].length = 32;
  folded[2].length = 32;
  const unsigned one_bit = c.pusch.uci.harq_ack_bits == 1 ? 0x2U : 0U;
  for (auto _ : state) {
    std::copy(source.begin(), source.end(), llrs.begin());
    mux.demultiplex(llrs, folded, one_bit, 0x12345);
    benchmark::DoNotOptimize(folded.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * source.size() * sizeof(float)));
}
BENCHMARK(BM_UciDemultiplex)
    ->ArgNames({"ack_bits", "ulsch"})
    ->Args({1, 1})
    ->Args({4, 1})
    ->Args({4, 0})
    ->Unit(benchmark::kMicrosecond);

/// The receiver's whole UCI work before decoding (4-bit HARQ-ACK, with UL-SCH): a copy of the
/// LLRs, a plan and a pass (sized 0), or, for a CSI part 2 sized from part 1 (sized 1), a plan
/// without CSI part 2, a pass over HARQ-ACK and CSI part 1 leaving the LLRs in place, a plan with
/// the size part 1 gave and a pass over CSI part 2 and the UL-SCH.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_UciPlanAndDemultiplex(benchmark::State& state) {
  const Case c = make_case(4);
  PuschConfig without_part2 = c.pusch;
  without_part2.uci.csi_part2_bits = 0;
  const UciCodedSizes first =
      pusch_coded_sizes(c.cell, without_part2, compute_pusch_tbs(c.cell, c.pusch));
  UlschUciMultiplexer mux(c.mapping.num_data_res());
  const std::vector<float> source = random_llrs(c.sizes.total);
  std::vector<float> llrs(source.size());
  std::array<UciFoldedLlrs, 3> folded;
  folded[0].length = uci_short_block_length(4, 6);
  folded[1].length = 32;
  folded[2].length = 32;
  const auto part = [](CodedReOwner owner) { return UlschUciMultiplexer::part_bit(owner); };
  const bool sized = state.range(0) != 0;
  for (auto _ : state) {
    std::copy(source.begin(), source.end(), llrs.begin());
    if (sized) {
      mux.plan(c.mapping, first, 4, 2, 6);
      mux.demultiplex(llrs, folded, 0, 0x12345, {},
                      part(CodedReOwner::harq_ack) | part(CodedReOwner::csi_part1));
      mux.plan(c.mapping, c.sizes, 4, 2, 6);
      mux.demultiplex(llrs, folded, 0, 0x12345, {},
                      part(CodedReOwner::ulsch) | part(CodedReOwner::csi_part2));
    } else {
      mux.plan(c.mapping, c.sizes, 4, 2, 6);
      mux.demultiplex(llrs, folded, 0, 0x12345);
    }
    benchmark::DoNotOptimize(folded.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_UciPlanAndDemultiplex)
    ->ArgNames({"sized"})
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond);

/// Baseline: a memcpy of the codeword's LLRs.
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_MemcpyCodewordLlrs(benchmark::State& state) {
  airan::bench::time_memcpy(state, make_case(4).sizes.total * sizeof(float));
}
BENCHMARK(BM_MemcpyCodewordLlrs)->Unit(benchmark::kMicrosecond);

/// Decoding one short block of range(0) bits from 320 LLRs (64-QAM).
// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_UciShortBlockDecode(benchmark::State& state) {
  const auto bits = static_cast<unsigned>(state.range(0));
  const std::vector<float> llrs = random_llrs(320);
  BitVector payload(bits);
  for (auto _ : state) {
    benchmark::DoNotOptimize(decode_uci_short_block(llrs, 6, payload));
  }
}
BENCHMARK(BM_UciShortBlockDecode)
    ->ArgNames({"bits"})
    ->Arg(1)
    ->Arg(2)
    ->Arg(3)
    ->Arg(7)
    ->Arg(11)
    ->Unit(benchmark::kMicrosecond);

} // namespace
