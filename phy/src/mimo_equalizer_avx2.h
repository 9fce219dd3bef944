/// \file
/// \brief AVX2 ZF/MMSE/MMSE-IRC equalization of 1-4 layers (mimo_equalizer_avx2.cpp), bit-exact
/// with the scalar per-RE kernel; used by the portable equalizer when the CPU has AVX2.
#pragma once

#include "airan/phy/complex_matrix.h"
#include "airan/phy/mimo_equalizer.h"

#include <cstddef>

namespace airan::phy::detail {

/// True when the CPU runs AVX2 (checked once per call site by the caller).
bool equalizer_avx2_available();

/// Equalizes the first floor(num_res / 8) * 8 REs of \p input (1-4 layers) with noise variance
/// \p noise, MMSE when \p mmse, writing RE-major symbols and noise variances as
/// MimoEqualizer::equalize(). \p whitening: null, or the lower-triangular whitening matrix of
/// MMSE-IRC (row stride max_equalizer_rx_antennas) applied to every RE first, as
/// whiten_resource_element(). Returns the REs done; the caller does the rest. Returns 0 without
/// AVX2 support in the build.
std::size_t equalize_rows_avx2(const EqualizerInput& input, float noise, bool mmse,
                               const cmat::Complex* whitening, cf32* symbols,
                               float* noise_variances);

} // namespace airan::phy::detail
