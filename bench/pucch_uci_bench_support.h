/// \file
/// \brief What the PUCCH format 2 and format 3/4 benchmarks share: their payloads, and the
/// same-process baselines (the UCI decoders alone on as many LLRs as the receiver produces).
#pragma once

#include "airan/phy/pucch_config.h"
#include "airan/phy/types.h"
#include "airan/phy/uci_polar_code.h"
#include "airan/phy/uci_short_block_code.h"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <random>
#include <span>
#include <vector>

namespace airan::bench {

/// \p bits random payload bits, seeded by their count.
inline phy::BitVector pucch_bench_payload(unsigned bits) {
  std::mt19937_64 rng(bits);
  phy::BitVector payload(bits);
  for (auto& b : payload) {
    b = static_cast<phy::bit_t>(rng() & 1U);
  }
  return payload;
}

/// The UCI parts of \p pucch taken from \p payload (HARQ-ACK, SR, CSI part 1).
inline phy::PucchUciBits pucch_bench_parts(const phy::PucchConfig& pucch,
                                           const phy::BitVector& payload) {
  const std::span<const phy::bit_t> all(payload);
  return {all.first(pucch.harq_bits), all.subspan(pucch.harq_bits, pucch.sr_bits),
          all.subspan(pucch.harq_bits + pucch.sr_bits, pucch.csi_part1_bits)};
}

/// Baseline: the short-block decoder alone on range(0) Gaussian LLRs for range(1) bits.
inline void run_short_block_decode_only(benchmark::State& state) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(2.0F, 2.0F);
  std::vector<float> llrs(static_cast<std::size_t>(state.range(0)));
  for (float& v : llrs) {
    v = normal(rng);
  }
  phy::BitVector payload(static_cast<std::size_t>(state.range(1)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(phy::decode_uci_short_block(llrs, 2, payload));
  }
}

/// Baseline: the polar decoder (list of 8) alone on the range(0) LLRs of a range(1)-bit part.
inline void run_polar_decode_only(benchmark::State& state) {
  const auto e = static_cast<std::size_t>(state.range(0));
  const auto a = static_cast<unsigned>(state.range(1));
  const phy::BitVector payload = pucch_bench_payload(a);
  phy::BitVector coded(e);
  phy::encode_uci_polar(payload, coded);
  std::vector<float> llrs(e);
  for (std::size_t i = 0; i < e; ++i) {
    llrs[i] = coded[i] != 0 ? -4.0F : 4.0F;
  }
  phy::UciPolarDecoder decoder(8);
  phy::BitVector decoded(a);
  for (auto _ : state) {
    benchmark::DoNotOptimize(decoder.decode(llrs, decoded));
  }
}

} // namespace airan::bench
