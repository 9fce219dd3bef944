// The fused OFDM demodulation kernel runs on the host: the per-thread functions of
// ofdm_fft_elements.h in the kernel's pass order (each pass's butterflies all read before any
// writes, as the block's barriers order them) over whole slots of random IQ, for every FFT size
// the kernel takes and two CP configurations, against phy::OfdmDemodulator. So the Stockham
// passes' indexing, twiddles, bin mapping and scaling are checked in CI without a GPU (CUDA
// builds: the structs hold CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/phy/numerology.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/resource_grid.h"

#include "front_end_kernels.h"
#include "ofdm_emulation_support.h"
#include "ofdm_fft_elements.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::gpu::detail;

/// One pass of radix R over every butterfly of a block, as fused_fft_pass() runs it.
template <unsigned R>
void emulate_pass(const OfdmSlot& p, const float2* src, std::vector<float2>& data, float2* row,
                  unsigned ns, bool last) {
  const unsigned n = p.g.fft_size;
  std::vector<std::array<float2, R>> outputs(n / R);
  for (unsigned j = 0; j < n / R; ++j) {
    float2 v[R];
    if (src == data.data()) {
      load_butterfly<R, true>(src, n, ns, j, p.twiddles, v);
    } else { // the first pass, from the IQ
      load_butterfly<R, false>(src, n, ns, j, p.twiddles, v);
    }
    std::copy(std::begin(v), std::end(v), outputs[j].begin());
  }
  for (unsigned j = 0; j < n / R; ++j) { // after the barrier
    for (unsigned r = 0; r < R; ++r) {
      const unsigned out = butterfly_output<R>(ns, j, r);
      if (!last) {
        data[fft_shared_index(out)] = outputs[j][r];
      } else if (const int k = subcarrier_of_bin(out, n, p.g.num_subcarriers); k >= 0) {
        row[k] = float2{outputs[j][r].x * p.g.scale, outputs[j][r].y * p.g.scale};
      }
    }
  }
}

/// Every block of the fused kernel for \p p.
void emulate_slot(const OfdmSlot& p) {
  const OfdmGeometry& g = p.g;
  std::vector<float2> data(fused_ofdm_shared_values, float2{std::nanf(""), 0.0F});
  for (unsigned block = 0; block < g.num_rx * g.num_symbols; ++block) {
    const unsigned symbol = block % g.num_symbols;
    const unsigned rx = block / g.num_symbols;
    const float2* window = p.iq + std::size_t{rx} * g.slot_length + g.fft_start[symbol];
    float2* row = p.grid + (std::size_t{rx} * g.num_symbols + symbol) * g.num_subcarriers;
    const FftPasses passes = fft_passes(g.fft_size);
    unsigned ns = 1;
    for (unsigned pass = 0; pass < passes.count; ++pass) {
      const float2* src = pass == 0 ? window : data.data();
      const bool last = pass + 1 == passes.count;
      switch (passes.radix(pass)) {
      case 16:
        emulate_pass<16>(p, src, data, row, ns, last);
        break;
      case 8:
        emulate_pass<8>(p, src, data, row, ns, last);
        break;
      case 4:
        emulate_pass<4>(p, src, data, row, ns, last);
        break;
      default:
        emulate_pass<2>(p, src, data, row, ns, last);
        break;
      }
      ns *= passes.radix(pass);
    }
  }
}

TEST(OfdmFusedEmulation, PassPlans) {
  EXPECT_FALSE(fused_ofdm_supports(64));
  EXPECT_FALSE(fused_ofdm_supports(1536));
  EXPECT_FALSE(fused_ofdm_supports(8192));
  for (unsigned n = 128; n <= 4096; n *= 2) {
    ASSERT_TRUE(fused_ofdm_supports(n));
    const FftPasses passes = fft_passes(n);
    unsigned product = 1;
    for (unsigned pass = 0; pass < passes.count; ++pass) {
      product *= passes.radix(pass);
      EXPECT_LE(n / passes.radix(pass), fused_ofdm_threads) << n << " pass " << pass;
    }
    EXPECT_EQ(product, n);
  }
}

TEST(OfdmFusedEmulation, SlotsMatchTheCpuDemodulator) {
  struct Shape {
    unsigned mu;
    CyclicPrefix cp;
    unsigned fft_size;
    unsigned prbs;
    unsigned slot;
  };
  const Shape shapes[] = {
      {1, CyclicPrefix::normal, 128, 8, 0},    {0, CyclicPrefix::normal, 256, 15, 3},
      {1, CyclicPrefix::normal, 512, 32, 1},   {2, CyclicPrefix::extended, 1024, 66, 2},
      {1, CyclicPrefix::normal, 2048, 133, 0}, {1, CyclicPrefix::normal, 4096, 273, 1},
      {3, CyclicPrefix::normal, 4096, 264, 4},
  };
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  for (const Shape& shape : shapes) {
    SCOPED_TRACE(testing::Message() << "FFT " << shape.fft_size << ", mu " << shape.mu);
    const Numerology numerology(shape.mu, shape.cp, shape.fft_size);
    constexpr unsigned rx = 2;
    const unsigned symbols = numerology.symbols_per_slot();
    const unsigned length = numerology.slot_length(shape.slot);
    std::vector<cf32> iq(std::size_t{rx} * length);
    for (cf32& x : iq) {
      x = cf32(normal(rng), normal(rng));
    }
    OfdmDemodulator demodulator(numerology, shape.prbs);
    ResourceGrid expected(rx, symbols, 12 * shape.prbs);
    for (unsigned r = 0; r < rx; ++r) {
      demodulator.demodulate_slot(std::span(iq).subspan(std::size_t{r} * length, length),
                                  shape.slot, expected, r);
    }

    OfdmSlot p;
    OfdmGeometry& g = p.g;
    g.num_rx = rx;
    g.num_symbols = symbols;
    g.fft_size = shape.fft_size;
    g.num_subcarriers = 12 * shape.prbs;
    g.slot_length = length;
    g.scale = 1.0F / std::sqrt(static_cast<float>(g.fft_size));
    unsigned offset = 0;
    for (unsigned l = 0; l < symbols; ++l) {
      g.fft_start[l] = offset + numerology.cp_length(shape.slot, l);
      offset += numerology.symbol_length(shape.slot, l);
    }
    std::vector<float2> twiddles(g.fft_size);
    fill_fft_twiddles(g.fft_size, twiddles.data());
    std::vector<float2> grid(std::size_t{rx} * symbols * g.num_subcarriers,
                             float2{std::nanf(""), 0.0F});
    p.iq = reinterpret_cast<const float2*>(iq.data());
    p.grid = grid.data();
    p.twiddles = twiddles.data();
    emulate_slot(p);

    const airan::gpu::test::GridErrors errors =
        airan::gpu::test::grid_errors(grid, expected.elements());
    EXPECT_LT(errors.relative_rms, 1e-5) << "relative RMS error";
    EXPECT_LT(errors.largest_over_rms, 1e-5) << "largest error over the RMS";
  }
}

} // namespace
#else
TEST(OfdmFusedEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
