/// \file
/// \brief Raw LS, delay correlation, compensation ramp and de-spreading kernels of the DMRS
/// channel estimator (dmrs_estimation_steps.h). The LS values are kept in planes (real and
/// imaginary parts of the first and of the second RE of each OCC pair), so that the loops run
/// over contiguous arrays; every value is computed with the same operations in the same order as
/// the per-RE formulas they replace, so the results are bit-identical.
#include "dmrs_estimation_steps.h"

#include <cmath>
#include <complex>

namespace airan::phy::detail {

void compute_ls_planes(const cf32* y, const cf32* x, unsigned period, unsigned pair_offset,
                       unsigned num_pilots, float* planes) {
  const std::size_t stride = 2 * std::size_t{period};
  for (unsigned t = 0; t < 2; ++t) {
    // RE t of pair n: subcarrier period n + t pair_offset, DMRS value 2 n + t.
    const float* __restrict yt = reinterpret_cast<const float*>(y + std::size_t{t} * pair_offset);
    const float* __restrict xt = reinterpret_cast<const float*>(x + t);
    float* __restrict re = planes + std::size_t{2} * t * num_pilots;
    float* __restrict im = re + num_pilots;
    for (std::size_t n = 0; n < num_pilots; ++n) {
      const float y_re = yt[stride * n];
      const float y_im = yt[stride * n + 1];
      const float x_re = xt[4 * n];
      const float x_im = xt[4 * n + 1];
      re[n] = y_re * x_re + y_im * x_im;
      im[n] = y_im * x_re - y_re * x_im;
    }
  }
}

namespace {

/// Adds z(n + 1, t) conj(z(n, t)) of one plane set to (sum_re, sum_im) for pilot n, t = 0, 1.
inline void add_lag_pair(const float* z, unsigned num_pilots, unsigned n, float& sum_re,
                         float& sum_im) {
  for (unsigned t = 0; t < 2; ++t) {
    const float* re = z + std::size_t{2} * t * num_pilots;
    const float* im = re + num_pilots;
    const float z0_re = re[n];
    const float z0_im = im[n];
    const float z1_re = re[n + 1];
    const float z1_im = im[n + 1];
    sum_re += z1_re * z0_re + z1_im * z0_im;
    sum_im += z1_im * z0_re - z1_re * z0_im;
  }
}

} // namespace

void correlate_ls_planes(const float* planes, std::size_t symbol_stride, unsigned num_symbols,
                         unsigned num_pilots, float* sums) {
  // Two symbols at a time: their sums are independent chains that the CPU overlaps.
  unsigned s = 0;
  for (; s + 1 < num_symbols; s += 2) {
    const float* a = planes + s * symbol_stride;
    const float* b = a + symbol_stride;
    float a_re = 0.0F;
    float a_im = 0.0F;
    float b_re = 0.0F;
    float b_im = 0.0F;
    for (unsigned n = 0; n + 1 < num_pilots; ++n) {
      add_lag_pair(a, num_pilots, n, a_re, a_im);
      add_lag_pair(b, num_pilots, n, b_re, b_im);
    }
    sums[std::size_t{2} * s] = a_re;
    sums[std::size_t{2} * s + 1] = a_im;
    sums[std::size_t{2} * s + 2] = b_re;
    sums[std::size_t{2} * s + 3] = b_im;
  }
  if (s < num_symbols) {
    const float* a = planes + s * symbol_stride;
    float a_re = 0.0F;
    float a_im = 0.0F;
    for (unsigned n = 0; n + 1 < num_pilots; ++n) {
      add_lag_pair(a, num_pilots, n, a_re, a_im);
    }
    sums[std::size_t{2} * s] = a_re;
    sums[std::size_t{2} * s + 1] = a_im;
  }
}

void fill_delay_ramp(double omega, unsigned num_subcarriers, cf32* ramp) {
  // exp(+j omega k) by a rotation recurrence, re-anchored every 64 subcarriers. The blocks of 64
  // are independent recurrences: four at a time, so that their multiplications overlap.
  constexpr unsigned block = 64;
  constexpr unsigned lanes = 4;
  const std::complex<double> step = std::polar(1.0, omega);
  auto* out = reinterpret_cast<float*>(ramp);
  const unsigned num_blocks = (num_subcarriers + block - 1) / block;
  for (unsigned first = 0; first < num_blocks; first += lanes) {
    std::complex<double> phasor[lanes];
    for (unsigned b = 0; b < lanes; ++b) {
      phasor[b] = std::polar(1.0, omega * ((first + b) * block));
    }
    const unsigned count = num_blocks - first < lanes ? num_blocks - first : lanes;
    if (count == lanes && (first + lanes) * block <= num_subcarriers) {
      for (unsigned j = 0; j < block; ++j) {
        for (unsigned b = 0; b < lanes; ++b) {
          const unsigned k = (first + b) * block + j;
          out[std::size_t{2} * k] = static_cast<float>(phasor[b].real());
          out[std::size_t{2} * k + 1] = static_cast<float>(phasor[b].imag());
          phasor[b] *= step;
        }
      }
      continue;
    }
    for (unsigned b = 0; b < count; ++b) {
      for (unsigned k = (first + b) * block; k < (first + b + 1) * block && k < num_subcarriers;
           ++k) {
        out[std::size_t{2} * k] = static_cast<float>(phasor[b].real());
        out[std::size_t{2} * k + 1] = static_cast<float>(phasor[b].imag());
        phasor[b] *= step;
      }
    }
  }
}

void gather_ramp_planes(const cf32* ramp, unsigned period, unsigned pair_offset,
                        unsigned num_pilots, float* planes) {
  const auto* r = reinterpret_cast<const float*>(ramp);
  for (unsigned t = 0; t < 2; ++t) {
    float* re = planes + std::size_t{2} * t * num_pilots;
    float* im = re + num_pilots;
    for (unsigned n = 0; n < num_pilots; ++n) {
      const unsigned k = period * n + t * pair_offset;
      re[n] = r[std::size_t{2} * k];
      im[n] = r[std::size_t{2} * k + 1];
    }
  }
}

void despread_planes(const float* z, const float* ramp, float inverse, bool first,
                     unsigned num_pilots, cf32* pilots) {
  const float* __restrict z0_re = z;
  const float* __restrict z0_im = z + num_pilots;
  const float* __restrict z1_re = z + std::size_t{2} * num_pilots;
  const float* __restrict z1_im = z + std::size_t{3} * num_pilots;
  const float* __restrict r0_re = ramp;
  const float* __restrict r0_im = ramp + num_pilots;
  const float* __restrict r1_re = ramp + std::size_t{2} * num_pilots;
  const float* __restrict r1_im = ramp + std::size_t{3} * num_pilots;
  auto* __restrict out = reinterpret_cast<float*>(pilots);
  // The sum of the ramp-rotated z of each pair (first plus second RE, from zero).
  const auto rotated_sum = [&](std::size_t n, float& sum_re, float& sum_im) {
    sum_re = 0.0F;
    sum_im = 0.0F;
    sum_re += z0_re[n] * r0_re[n] - z0_im[n] * r0_im[n];
    sum_im += z0_re[n] * r0_im[n] + z0_im[n] * r0_re[n];
    sum_re += z1_re[n] * r1_re[n] - z1_im[n] * r1_im[n];
    sum_im += z1_re[n] * r1_im[n] + z1_im[n] * r1_re[n];
  };
  float sum_re = 0.0F;
  float sum_im = 0.0F;
  if (first) {
    for (std::size_t n = 0; n < num_pilots; ++n) {
      rotated_sum(n, sum_re, sum_im);
      out[2 * n] = sum_re * inverse;
      out[2 * n + 1] = sum_im * inverse;
    }
    return;
  }
  for (std::size_t n = 0; n < num_pilots; ++n) {
    rotated_sum(n, sum_re, sum_im);
    out[2 * n] += sum_re * inverse;
    out[2 * n + 1] += sum_im * inverse;
  }
}

void multiply_by_conjugate(cf32* h, const cf32* ramp, unsigned num_subcarriers, DmrsSimd simd) {
  auto* __restrict hf = reinterpret_cast<float*>(h);
  const auto* __restrict r = reinterpret_cast<const float*>(ramp);
  for (std::size_t k = multiply_by_conjugate_simd(simd, hf, r, num_subcarriers);
       k < num_subcarriers; ++k) {
    const float re = hf[2 * k] * r[2 * k] + hf[2 * k + 1] * r[2 * k + 1];
    const float im = hf[2 * k + 1] * r[2 * k] - hf[2 * k] * r[2 * k + 1];
    hf[2 * k] = re;
    hf[2 * k + 1] = im;
  }
}

} // namespace airan::phy::detail
