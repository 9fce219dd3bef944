// Polar-coded UCI (TS 38.212 5.3.1, 5.4.1, 6.3.2): encoding a part, and decoding it with the
// CRC-aided list decoder at list sizes 1 (successive cancellation, the same-process baseline),
// 4 and 8. Parts: 16 bits into 120 (CRC6 and parity checks, N = 128), 60 bits into 400 (CRC11,
// N = 512) and 1706 bits into 4000 (two segments of 864 bits, N = 1024 each). LLRs are those of
// the coded bits at 2 dB (BPSK), so the list works as it does on air.
#include "airan/phy/uci_polar_code.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

using namespace airan::phy;

struct Part {
  BitVector payload;
  BitVector coded;
  std::vector<float> llrs;
};

Part make_part(unsigned payload_bits, unsigned coded_bits) {
  std::mt19937_64 rng(payload_bits);
  Part p;
  p.payload.resize(payload_bits);
  for (auto& b : p.payload) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  p.coded.resize(coded_bits);
  encode_uci_polar(p.payload, p.coded);
  const float n0 = 0.631F;                              // 2 dB
  std::normal_distribution<float> noise(0.0F, 0.5617F); // sqrt(n0 / 2)
  p.llrs.resize(coded_bits);
  for (unsigned i = 0; i < coded_bits; ++i) {
    p.llrs[i] = 4.0F * ((p.coded[i] != 0 ? -1.0F : 1.0F) + noise(rng)) / n0;
  }
  return p;
}

// NOLINTNEXTLINE(readability-identifier-naming): BM_ names are the reported benchmark names
void BM_UciPolarEncode(benchmark::State& state) {
  Part p = make_part(static_cast<unsigned>(state.range(0)), static_cast<unsigned>(state.range(1)));
  for (auto _ : state) {
    encode_uci_polar(p.payload, p.coded);
    benchmark::DoNotOptimize(p.coded.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// NOLINTNEXTLINE(readability-identifier-naming)
void BM_UciPolarDecode(benchmark::State& state) {
  const Part p =
      make_part(static_cast<unsigned>(state.range(0)), static_cast<unsigned>(state.range(1)));
  UciPolarDecoder decoder(static_cast<unsigned>(state.range(2)));
  BitVector got(p.payload.size());
  bool ok = decoder.decode(p.llrs, got); // builds the code once
  for (auto _ : state) {
    ok = decoder.decode(p.llrs, got);
    benchmark::DoNotOptimize(got.data());
  }
  if (!ok || got != p.payload) {
    state.SkipWithError("the part did not decode");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_UciPolarEncode)->Args({16, 120})->Args({60, 400})->Args({1706, 4000});
BENCHMARK(BM_UciPolarDecode)
    ->ArgsProduct({{16}, {120}, {1, 4, 8}})
    ->ArgsProduct({{60}, {400}, {1, 4, 8}})
    ->ArgsProduct({{1706}, {4000}, {1, 4, 8}});

} // namespace
