/// \file
/// \brief Per-element math of PT-RS phase tracking, shared by the CPU front end
/// (ptrs_phase_tracking.h, the DMRS estimator's occasion alignment, the equalizer's gather) and
/// the CUDA front end's kernels, so that both compute each step with the same operations: the
/// rotations that align the DMRS occasions, a symbol's phase from its PT-RS correlation, the
/// interpolation between anchor symbols and the rotation that takes a symbol's phase back out.
/// Transcendentals are evaluated in double and rounded once to float, so that the host's and
/// the device's libraries give the same float (their double results differ by an ulp at most).
#pragma once

#include "airan/phy/host_device.h"

#include <cmath>

namespace airan::phy {

/// The rotations that bring each of \p pairs + 1 DMRS occasions to the first one's phase, from
/// the correlations b conj(a) of consecutive occasions (c_re[o], c_im[o] between occasions o and
/// o + 1): rotation 0 is 1, rotation o + 1 is rotation o times conj(c_o) / |c_o| (accumulated in
/// double; a zero correlation leaves the rotation as it was). Written as float pairs to
/// \p rotation_re and \p rotation_im (pairs + 1 entries each).
AIRAN_HOST_DEVICE inline void occasion_alignment_rotations(const double* c_re, const double* c_im,
                                                           unsigned pairs, float* rotation_re,
                                                           float* rotation_im) {
  rotation_re[0] = 1.0F;
  rotation_im[0] = 0.0F;
  double total_re = 1.0;
  double total_im = 0.0;
  for (unsigned o = 0; o < pairs; ++o) {
    const double magnitude = hypot(c_re[o], c_im[o]);
    if (magnitude > 0.0) {
      const double u_re = c_re[o] / magnitude;
      const double u_im = -c_im[o] / magnitude;
      const double re = total_re * u_re - total_im * u_im;
      const double im = total_re * u_im + total_im * u_re;
      total_re = re;
      total_im = im;
    }
    rotation_re[o + 1] = static_cast<float>(total_re);
    rotation_im[o + 1] = static_cast<float>(total_im);
  }
}

/// The phase in radians an occasion had against the first one, from its alignment rotation
/// (re, im): minus the rotation's argument.
AIRAN_HOST_DEVICE inline float occasion_phase(float rotation_re, float rotation_im) {
  return -static_cast<float>(
      atan2(static_cast<double>(rotation_im), static_cast<double>(rotation_re)));
}

/// The common phase error of a PT-RS symbol from its correlation sum_r sum_k conj(h p) y
/// (ptrs_correlation_add(), summed over antennas in double): its argument, 0 for a zero sum.
AIRAN_HOST_DEVICE inline float ptrs_symbol_phase(double sum_re, double sum_im) {
  return sum_re == 0.0 && sum_im == 0.0 ? 0.0F : static_cast<float>(atan2(sum_im, sum_re));
}

/// Fills the symbols start_symbol .. start_symbol + num_symbols - 1 (below \p count) of
/// \p phases that are not in \p anchor_mask: linear interpolation between the nearest anchor
/// symbols before and after (their difference taken within (-pi, pi]), or the nearest one's
/// phase where only one side has one; every such phase 0 when there is no anchor.
AIRAN_HOST_DEVICE inline void interpolate_ptrs_phase_run(unsigned start_symbol,
                                                         unsigned num_symbols, unsigned anchor_mask,
                                                         float* phases, unsigned count) {
  constexpr float pi = 3.14159265358979323846F;
  const unsigned end = start_symbol + num_symbols < count ? start_symbol + num_symbols : count;
  int previous = -1;
  for (unsigned l = start_symbol; l < end; ++l) {
    if (((anchor_mask >> l) & 1U) != 0) {
      previous = static_cast<int>(l);
      continue;
    }
    unsigned next = l + 1;
    while (next < end && ((anchor_mask >> next) & 1U) == 0) {
      ++next;
    }
    if (previous < 0 && next >= end) {
      phases[l] = 0.0F;
    } else if (previous < 0) {
      phases[l] = phases[next];
    } else if (next >= end) {
      phases[l] = phases[static_cast<unsigned>(previous)];
    } else {
      const float before = phases[static_cast<unsigned>(previous)];
      float step = phases[next] - before;
      step -= 2.0F * pi * ceilf((step - pi) / (2.0F * pi));
      const float fraction = static_cast<float>(l - static_cast<unsigned>(previous)) /
                             static_cast<float>(next - static_cast<unsigned>(previous));
      phases[l] = before + fraction * step;
    }
  }
}

/// exp(-j \p phase) as (\p c, \p d): what a symbol's received values are multiplied by to take
/// its phase error out.
AIRAN_HOST_DEVICE inline void ptrs_derotation(float phase, float& c, float& d) {
  double s = 0.0;
  double co = 1.0;
  sincos(-static_cast<double>(phase), &s, &co);
  c = static_cast<float>(co);
  d = static_cast<float>(s);
}

/// (\p re + j \p im) (\p c + j \p d), the products written out (the CPU gather's and the CUDA
/// equalizer's order).
AIRAN_HOST_DEVICE inline void rotate_value(float re, float im, float c, float d, float& out_re,
                                           float& out_im) {
  out_re = re * c - im * d;
  out_im = re * d + im * c;
}

/// One PT-RS value component from the DMRS value \p dmrs_component that the same Gold bit
/// gave on the first DMRS symbol of the associated port (its weight's sign \p w_f, w_f(k') of
/// the value, since w_t(0) = 1 and beta_DMRS > 0): \p amplitude (beta_PT-RS / sqrt(2)) with the
/// bit's sign, so that a receiver that generated the DMRS reads the PT-RS from them exactly.
AIRAN_HOST_DEVICE inline float ptrs_component_from_dmrs(float dmrs_component, int w_f,
                                                        float amplitude) {
  return (dmrs_component > 0.0F) == (w_f > 0) ? amplitude : -amplitude;
}

} // namespace airan::phy
