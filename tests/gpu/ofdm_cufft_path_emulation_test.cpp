// The default OFDM path of GpuPuschFrontEnd runs on the host: CP removal and carrier extraction
// with the per-thread functions of ofdm_fft_elements.h in the kernels' thread order
// (ofdm_kernels.cu), and between them a host FFT with cuFFT's forward C2C convention
// (unnormalised, exp(-2 pi i k n / N)), over whole slots of random IQ for several numerologies,
// FFT sizes (powers of two and multiples of 128 such as 1536), CP types, carrier widths and
// antenna counts, against phy::OfdmDemodulator. So the window offsets, the work area's layout,
// the bin mapping and the scaling are checked in CI without a GPU (CUDA builds: the structs hold
// CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/phy/fft_plan.h"
#include "airan/phy/numerology.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/resource_grid.h"

#include "front_end_kernels.h"
#include "ofdm_emulation_support.h"
#include "ofdm_fft_elements.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <span>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::gpu::detail;

/// Every thread of a CP removal or extraction launch for rows of \p width values per (antenna,
/// symbol), in the kernel's block and thread order: \p element(rx, symbol, index) for those
/// within the row, as the kernels' bounds checks let them.
template <typename Element>
void emulate_rows(const OfdmGeometry& g, unsigned width, Element element) {
  for (unsigned block = 0; block < ofdm_row_blocks(g, width); ++block) {
    for (unsigned thread = 0; thread < ofdm_row_threads; ++thread) {
      const OfdmRowPosition at = ofdm_row_position(g, block, thread, width);
      if (at.index < width) {
        element(at.rx, at.symbol, at.index);
      }
    }
  }
}

/// The cuFFT stage: every window of \p p's work area transformed in place, forward and
/// unnormalised, as the batched plan (cufft_plan.h: batches of fft_size, distance fft_size) does.
void host_fft(const OfdmSlot& p, FftPlan& plan) {
  const OfdmGeometry& g = p.g;
  for (std::size_t w = 0; w < std::size_t{g.num_rx} * g.num_symbols; ++w) {
    float2* window = p.fft + w * g.fft_size;
    std::transform(window, window + g.fft_size, plan.input().begin(),
                   [](float2 v) { return cf32(v.x, v.y); });
    plan.execute();
    std::transform(plan.output().begin(), plan.output().end(), window, [](cf32 v) {
      return float2{v.real(), v.imag()};
    });
  }
}

/// The slot's geometry as GpuPuschFrontEnd fills it.
OfdmGeometry slot_geometry(const Numerology& numerology, unsigned prbs, unsigned rx,
                           unsigned slot) {
  OfdmGeometry g;
  g.num_rx = rx;
  g.num_symbols = numerology.symbols_per_slot();
  g.fft_size = numerology.fft_size();
  g.num_subcarriers = 12 * prbs;
  g.slot_length = numerology.slot_length(slot);
  g.scale = 1.0F / std::sqrt(static_cast<float>(g.fft_size));
  unsigned offset = 0;
  for (unsigned l = 0; l < g.num_symbols; ++l) {
    g.fft_start[l] = offset + numerology.cp_length(slot, l);
    offset += numerology.symbol_length(slot, l);
  }
  return g;
}

TEST(OfdmCufftPathEmulation, BinOfSubcarrierInvertsSubcarrierOfBin) {
  for (unsigned n = 128; n <= 8192; n *= 2) {
    std::vector<unsigned> widths{1, 2, 3, n - 1, n};
    for (unsigned prbs = 1; 12 * prbs <= n; ++prbs) {
      widths.push_back(12 * prbs);
    }
    for (const unsigned width : widths) {
      SCOPED_TRACE(testing::Message() << n << " bins, " << width << " subcarriers");
      OfdmGeometry g;
      g.fft_size = n;
      g.num_subcarriers = width;
      unsigned mapped = 0;
      for (unsigned bin = 0; bin < n; ++bin) {
        const int k = subcarrier_of_bin(bin, n, width);
        if (k >= 0) {
          ASSERT_LT(static_cast<unsigned>(k), width) << "bin " << bin;
          ASSERT_EQ(bin_of_subcarrier(g, static_cast<unsigned>(k)), bin);
          ++mapped;
        }
      }
      ASSERT_EQ(mapped, width);
      for (unsigned k = 0; k < width; ++k) {
        const unsigned bin = bin_of_subcarrier(g, k);
        ASSERT_LT(bin, n) << "subcarrier " << k;
        ASSERT_EQ(subcarrier_of_bin(bin, n, width), static_cast<int>(k));
      }
    }
  }
}

// The host FFT stands in for cuFFT's CUFFT_FORWARD: a tone exp(+2 pi i m t / N) lands, unscaled,
// in bin m alone.
TEST(OfdmCufftPathEmulation, HostFftHasCufftForwardConvention) {
  constexpr unsigned n = 256;
  constexpr unsigned m = 37;
  FftPlan plan(n, FftDirection::forward);
  for (unsigned t = 0; t < n; ++t) {
    plan.input()[t] = std::polar(1.0F, static_cast<float>(2.0 * std::numbers::pi * m * t / n));
  }
  plan.execute();
  for (unsigned bin = 0; bin < n; ++bin) {
    EXPECT_LT(std::abs(plan.output()[bin] - cf32(bin == m ? n : 0.0F, 0.0F)), 1e-5 * n)
        << "bin " << bin;
  }
}

TEST(OfdmCufftPathEmulation, SlotsMatchTheCpuDemodulator) {
  struct Shape {
    unsigned mu;
    CyclicPrefix cp;
    unsigned fft_size;
    unsigned prbs;
    unsigned rx;
    unsigned slot;
  };
  const Shape shapes[] = {
      {0, CyclicPrefix::normal, 128, 6, 1, 0},
      {0, CyclicPrefix::normal, 256, 15, 2, 3},
      {1, CyclicPrefix::normal, 512, 24, 2, 1},
      {2, CyclicPrefix::extended, 1024, 66, 2, 3},
      {2, CyclicPrefix::normal, 1024, 79, 3, 1},
      {1, CyclicPrefix::normal, 2048, 106, 4, 0},
      {1, CyclicPrefix::normal, 4096, 273, 4, 0},
      {3, CyclicPrefix::normal, 4096, 264, 2, 4},
      {0, CyclicPrefix::normal, 8192, 270, 1, 0},
      // Cells at a radio's rate (CellConfig::fft_size, cuFFT's mixed radices): 23.04 and
      // 46.08 MHz, 11.52 MHz at 60 kHz with the extended CP, 92.16 MHz.
      {0, CyclicPrefix::normal, 1536, 106, 2, 0},
      {1, CyclicPrefix::normal, 1536, 106, 4, 1},
      {2, CyclicPrefix::extended, 768, 24, 2, 3},
      {1, CyclicPrefix::normal, 3072, 245, 2, 0},
  };
  std::mt19937 rng(23);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  for (const Shape& shape : shapes) {
    SCOPED_TRACE(testing::Message() << "FFT " << shape.fft_size << ", mu " << shape.mu << ", "
                                    << shape.prbs << " PRBs, " << shape.rx << " Rx");
    const Numerology numerology(shape.mu, shape.cp, shape.fft_size);
    const unsigned symbols = numerology.symbols_per_slot();
    const unsigned length = numerology.slot_length(shape.slot);
    std::vector<cf32> iq(std::size_t{shape.rx} * length);
    for (cf32& x : iq) {
      x = cf32(normal(rng), normal(rng));
    }
    OfdmDemodulator demodulator(numerology, shape.prbs);
    ResourceGrid expected(shape.rx, symbols, 12 * shape.prbs);
    for (unsigned r = 0; r < shape.rx; ++r) {
      demodulator.demodulate_slot(std::span(iq).subspan(std::size_t{r} * length, length),
                                  shape.slot, expected, r);
    }

    OfdmSlot p;
    p.g = slot_geometry(numerology, shape.prbs, shape.rx, shape.slot);
    const OfdmGeometry& g = p.g;
    const float2 unset{std::nanf(""), 0.0F};
    std::vector<float2> fft(std::size_t{g.num_rx} * g.num_symbols * g.fft_size, unset);
    std::vector<float2> grid(std::size_t{g.num_rx} * g.num_symbols * g.num_subcarriers, unset);
    p.iq = reinterpret_cast<const float2*>(iq.data());
    p.fft = fft.data();
    p.grid = grid.data();

    std::vector<unsigned> writes(fft.size());
    emulate_rows(g, g.fft_size, [&](unsigned rx, unsigned symbol, unsigned n) {
      remove_cp_sample(p, rx, symbol, n);
      ++writes[fft_window_index(g, rx, symbol, n)];
    });
    ASSERT_TRUE(std::all_of(writes.begin(), writes.end(), [](unsigned w) { return w == 1; }))
        << "CP removal writes every FFT input once";
    FftPlan plan(g.fft_size, FftDirection::forward);
    host_fft(p, plan);
    writes.assign(grid.size(), 0);
    emulate_rows(g, g.num_subcarriers, [&](unsigned rx, unsigned symbol, unsigned k) {
      extract_subcarrier(p, rx, symbol, k);
      ++writes[grid_index(g, rx, symbol, k)];
    });
    ASSERT_TRUE(std::all_of(writes.begin(), writes.end(), [](unsigned w) { return w == 1; }))
        << "extraction writes every grid value once";

    const airan::gpu::test::GridErrors errors =
        airan::gpu::test::grid_errors(grid, expected.elements());
    EXPECT_LT(errors.relative_rms, 1e-4) << "relative RMS error";
    EXPECT_LT(errors.largest_over_rms, 1e-4) << "largest error over the RMS";
  }
}

} // namespace
#else
TEST(OfdmCufftPathEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
