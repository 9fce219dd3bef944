/// \file
/// \brief Per-thread functions of the OFDM demodulation kernels. The fused kernel
/// (ofdm_fused_kernels.cu): a mixed-radix Stockham FFT whose passes each thread runs one butterfly
/// of (radix 16 passes, then one of radix 2, 4, 8 or 16), its first pass reading the FFT window
/// straight from the slot's IQ (the CP skipped) and its last writing the carrier's subcarriers,
/// scaled, into the grid. The default path around cuFFT (ofdm_kernels.cu): CP removal into the FFT
/// work area and the scaled extraction of the carrier's subcarriers from it, one thread per value.
/// Host and device, so that CPU tests run whole slots with them against phy::OfdmDemodulator
/// (tests/gpu/ofdm_fused_emulation_test.cpp, tests/gpu/ofdm_cufft_path_emulation_test.cpp); the
/// kernels add the thread index, the fused kernel's shared-memory buffer and its barriers.
#pragma once

#include "airan/phy/host_device.h"
#include "front_end_kernels.h"

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace airan::gpu::detail {

/// Threads of a fused OFDM block: one butterfly each per pass.
inline constexpr unsigned fused_ofdm_threads = 256;
/// Largest FFT the fused kernel runs (its shared-memory buffer: 32 KB).
inline constexpr unsigned fused_ofdm_max_fft = 4096;

/// Where value i of a symbol lies in the kernel's shared-memory buffer: a gap after every 16
/// values, so that the first pass's writes (16 consecutive values per thread) and the others'
/// strided accesses spread over the memory banks.
AIRAN_HOST_DEVICE inline unsigned fft_shared_index(unsigned i) {
  return i + i / 16;
}
/// Values of that buffer for fused_ofdm_max_fft points.
inline constexpr unsigned fused_ofdm_shared_values = fused_ofdm_max_fft + fused_ofdm_max_fft / 16;

/// Whether the fused kernel runs FFTs of \p n points: powers of two from 128 to 4096 (every
/// pass then has at most fused_ofdm_threads butterflies).
AIRAN_HOST_DEVICE inline bool fused_ofdm_supports(unsigned n) {
  return n >= 128 && n <= fused_ofdm_max_fft && (n & (n - 1)) == 0;
}

/// The radices of the FFT's passes: 16 while at least 16 points are left, then the rest (so that
/// no pass has more butterflies than the radix-16 passes of 4096 points, 256).
struct FftPasses {
  unsigned count = 0;       ///< Passes.
  unsigned last_radix = 16; ///< Radix of the last pass; the others have 16.
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned radix(unsigned pass) const {
    return pass + 1 < count ? 16U : last_radix;
  }
};
AIRAN_HOST_DEVICE inline FftPasses fft_passes(unsigned n) {
  FftPasses passes;
  while (n > 16) {
    ++passes.count;
    n /= 16;
  }
  passes.last_radix = n; // 2, 4, 8 or 16 for a power of two from 32
  ++passes.count;
  return passes;
}

AIRAN_HOST_DEVICE inline float2 complex_multiply(float2 a, float2 b) {
  return make_float2(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

/// exp(-2 pi i m / 16) for m < 8 (a constant once the caller's loop is unrolled).
AIRAN_HOST_DEVICE inline float2 root_of_unity_16(unsigned m) {
  constexpr float c = 0.923879532511286756F; // cos(pi / 8)
  constexpr float s = 0.382683432365089772F; // sin(pi / 8)
  constexpr float h = 0.707106781186547524F; // cos(pi / 4)
  switch (m) {
  case 0:
    return make_float2(1.0F, 0.0F);
  case 1:
    return make_float2(c, -s);
  case 2:
    return make_float2(h, -h);
  case 3:
    return make_float2(s, -c);
  case 4:
    return make_float2(0.0F, -1.0F);
  case 5:
    return make_float2(-s, -c);
  case 6:
    return make_float2(-h, -h);
  default:
    return make_float2(-c, -s);
  }
}

/// In-register DFT of \p R (a power of two up to 16) values, natural order in and out:
/// radix-2 decimation in time, every index known at compile time.
template <unsigned R> AIRAN_HOST_DEVICE inline void register_dft(float2 (&v)[R]) {
  if constexpr (R > 1) {
    float2 even[R / 2];
    float2 odd[R / 2];
    AIRAN_UNROLL
    for (unsigned i = 0; i < R / 2; ++i) {
      even[i] = v[2 * i];
      odd[i] = v[2 * i + 1];
    }
    register_dft<R / 2>(even);
    register_dft<R / 2>(odd);
    AIRAN_UNROLL
    for (unsigned k = 0; k < R / 2; ++k) {
      const float2 t = complex_multiply(odd[k], root_of_unity_16(k * (16 / R)));
      v[k] = make_float2(even[k].x + t.x, even[k].y + t.y);
      v[k + R / 2] = make_float2(even[k].x - t.x, even[k].y - t.y);
    }
  }
}

/// Butterfly \p j (< n / R) of the pass of radix \p R after passes of \p ns points in all: its
/// inputs src[j + r n / R] (at fft_shared_index() of that when \p Padded), times the twiddles
/// exp(-2 pi i (j mod ns) r / (ns R)) from \p twiddles (exp(-2 pi i m / n), m < n), transformed
/// in place into \p v.
template <unsigned R, bool Padded>
AIRAN_HOST_DEVICE inline void load_butterfly(const float2* src, unsigned n, unsigned ns, unsigned j,
                                             const float2* twiddles, float2 (&v)[R]) {
  const unsigned stride = n / R;
  const unsigned step = (j % ns) * (n / (ns * R));
  AIRAN_UNROLL
  for (unsigned r = 0; r < R; ++r) {
    const unsigned i = j + r * stride;
    const float2 x = src[Padded ? fft_shared_index(i) : i];
    v[r] = (r == 0 || step == 0) ? x : complex_multiply(x, twiddles[r * step]);
  }
  register_dft<R>(v);
}

/// Where output \p r of butterfly \p j of that pass goes: (j / ns) ns R + j mod ns + r ns (after
/// the last pass, the FFT bin).
template <unsigned R>
AIRAN_HOST_DEVICE inline unsigned butterfly_output(unsigned ns, unsigned j, unsigned r) {
  return (j / ns) * ns * R + j % ns + r * ns;
}

/// The carrier subcarrier of FFT bin \p bin (negative frequencies first, as
/// phy::OfdmDemodulator extracts them), or -1 for a bin outside the carrier.
AIRAN_HOST_DEVICE inline int subcarrier_of_bin(unsigned bin, unsigned n, unsigned subcarriers) {
  const unsigned half = subcarriers / 2;
  if (bin >= n - half) {
    return static_cast<int>(bin - (n - half));
  }
  return bin < subcarriers - half ? static_cast<int>(bin + half) : -1;
}

/// The FFT bin of carrier subcarrier \p k (< num_subcarriers <= fft_size of \p g): the inverse
/// of subcarrier_of_bin() (the lower half of the carrier in the upper bins, negative
/// frequencies). It takes the geometry, not fft_size by value, so that the extraction kernel loads
/// fft_size for that half alone (by value it hoisted the load: 2 more registers on sm_90).
AIRAN_HOST_DEVICE inline unsigned bin_of_subcarrier(const OfdmGeometry& g, unsigned k) {
  const unsigned half = g.num_subcarriers / 2;
  return k < half ? g.fft_size - half + k : k - half;
}

/// Index of FFT input or output \p i of the window of (\p rx, \p symbol) in a slot's FFT work
/// area ([rx][symbol][fft_size], cuFFT's batches).
AIRAN_HOST_DEVICE inline std::size_t fft_window_index(const OfdmGeometry& g, unsigned rx,
                                                      unsigned symbol, unsigned i) {
  return (std::size_t{rx} * g.num_symbols + symbol) * g.fft_size + i;
}

/// Index in the slot's IQ ([rx][slot_length]) of FFT input \p n of (\p rx, \p symbol): sample
/// \p n of the symbol's FFT window, which starts after its cyclic prefix.
AIRAN_HOST_DEVICE inline std::size_t cp_removed_sample(const OfdmGeometry& g, unsigned rx,
                                                       unsigned symbol, unsigned n) {
  return std::size_t{rx} * g.slot_length + g.fft_start[symbol] + n;
}

/// Index of subcarrier \p k of (\p rx, \p symbol) in the grid ([rx][symbol][num_subcarriers]).
AIRAN_HOST_DEVICE inline std::size_t grid_index(const OfdmGeometry& g, unsigned rx, unsigned symbol,
                                                unsigned k) {
  return (std::size_t{rx} * g.num_symbols + symbol) * g.num_subcarriers + k;
}

/// Threads of a block of the CP removal and extraction kernels (ofdm_kernels.cu).
inline constexpr unsigned ofdm_row_threads = 256;

/// Blocks of those kernels for rows of \p width values per (antenna, symbol) of \p g.
AIRAN_HOST_DEVICE inline std::uint32_t ofdm_row_blocks(const OfdmGeometry& g, unsigned width) {
  return (width + ofdm_row_threads - 1) / ofdm_row_threads * g.num_symbols * g.num_rx;
}

/// A thread's value among rows of values per (antenna, symbol): its index in the row and the
/// row's antenna and symbol.
struct OfdmRowPosition {
  unsigned index;
  unsigned symbol;
  unsigned rx;
};
/// Thread \p thread of block \p block among rows of \p width values: block b covers values
/// [256 (b % blocks per row), ...) of row b / blocks per row = rx * symbols + symbol. The index
/// may reach past \p width in a row's last block.
AIRAN_HOST_DEVICE inline OfdmRowPosition ofdm_row_position(const OfdmGeometry& g, unsigned block,
                                                           unsigned thread, unsigned width) {
  const unsigned per_row = (width + ofdm_row_threads - 1) / ofdm_row_threads;
  const unsigned row = block / per_row;
  return {block % per_row * ofdm_row_threads + thread, row % g.num_symbols, row / g.num_symbols};
}

/// CP removal of FFT input \p n (< fft_size) of (\p rx, \p symbol): copies it from the slot's
/// IQ into its FFT work area.
AIRAN_HOST_DEVICE inline void remove_cp_sample(const OfdmSlot& p, unsigned rx, unsigned symbol,
                                               unsigned n) {
  p.fft[fft_window_index(p.g, rx, symbol, n)] = p.iq[cp_removed_sample(p.g, rx, symbol, n)];
}

/// Extraction of carrier subcarrier \p k (< num_subcarriers) of (\p rx, \p symbol): its bin of
/// the forward FFT (cuFFT's: unnormalised, exp(-2 pi i k n / N)) in the FFT work area, scaled by
/// 1 / sqrt(N), into the grid.
AIRAN_HOST_DEVICE inline void extract_subcarrier(const OfdmSlot& p, unsigned rx, unsigned symbol,
                                                 unsigned k) {
  const OfdmGeometry& g = p.g;
  const unsigned bin = bin_of_subcarrier(g, k);
  const float2 v = p.fft[fft_window_index(g, rx, symbol, bin)];
  p.grid[grid_index(g, rx, symbol, k)] = make_float2(v.x * g.scale, v.y * g.scale);
}

/// exp(-2 pi i m / n) for m < n, in double and then rounded: the fused kernel's twiddle table.
inline void fill_fft_twiddles(unsigned n, float2* out) {
  for (unsigned m = 0; m < n; ++m) {
    const double angle = -2.0 * 3.14159265358979323846 * static_cast<double>(m) / n;
    out[m] = make_float2(static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle)));
  }
}

} // namespace airan::gpu::detail
