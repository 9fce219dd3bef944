/// \file
/// \brief Modulation mapper (TS 38.211 5.1): pi/2-BPSK, QPSK, 16/64/256/1024-QAM with unit
/// average power. The per-symbol mapping is inline and AIRAN_HOST_DEVICE so CUDA kernels use the
/// same arithmetic as the host.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/types.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::phy {

/// Modulation schemes of TS 38.211 5.1; the value is the modulation order Q_m.
enum class Modulation : std::uint8_t {
  pi2_bpsk = 1, ///< pi/2-BPSK (5.1.2), PUSCH with transform precoding only.
  qpsk = 2,     ///< 5.1.3
  qam16 = 4,    ///< 5.1.4
  qam64 = 6,    ///< 5.1.5
  qam256 = 8,   ///< 5.1.6
  qam1024 = 10, ///< 5.1.7
};

/// Bits per modulation symbol, Q_m.
constexpr unsigned bits_per_symbol(Modulation modulation) {
  return static_cast<unsigned>(modulation);
}

/// Modulation of order \p modulation_order (1 = pi/2-BPSK, 2, 4, 6, 8, 10).
/// \throws std::invalid_argument for another order.
Modulation modulation_from_order(unsigned modulation_order);

/// Normalisation 1 / sqrt(2 (M - 1) / 3) of square M-QAM with M = 2^qm (qm even): 1/sqrt(2),
/// 1/sqrt(10), 1/sqrt(42), 1/sqrt(170), 1/sqrt(682).
AIRAN_HOST_DEVICE inline float qam_scale(unsigned qm) {
  switch (qm) {
  case 2:
    return 0.70710678118654752F;
  case 4:
    return 0.31622776601683793F;
  case 6:
    return 0.15430334996209191F;
  case 8:
    return 0.07669649888473704F;
  default: // 10
    return 0.03829197153966713F;
  }
}

/// Unnormalised amplitude of one axis of square QAM from its qm / 2 bits b[0], b[stride], ...:
/// (1-2b0)[2^(m-1) - (1-2b2)[2^(m-2) - ... - (1-2b_{2(m-1)})]] in TS 38.211 5.1 notation, where
/// the real axis takes the even bits (stride 2 from b0) and the imaginary axis the odd bits.
AIRAN_HOST_DEVICE inline float qam_axis_amplitude(const bit_t* bits, unsigned bits_per_axis) {
  float amplitude = 1.0F - 2.0F * bits[2 * (bits_per_axis - 1)];
  for (int j = static_cast<int>(bits_per_axis) - 2; j >= 0; --j) {
    const float sign = 1.0F - 2.0F * bits[2 * j];
    amplitude = sign * (static_cast<float>(1U << (bits_per_axis - 1 - j)) - amplitude);
  }
  return amplitude;
}

/// Maps the \p qm bits at \p bits (qm even: QPSK .. 1024-QAM) to one unit-power symbol.
AIRAN_HOST_DEVICE inline void qam_symbol(const bit_t* bits, unsigned qm, float& re, float& im) {
  const float scale = qam_scale(qm);
  re = scale * qam_axis_amplitude(bits, qm / 2);
  im = scale * qam_axis_amplitude(bits + 1, qm / 2);
}

/// pi/2-BPSK symbol i of bit b: e^{j pi (i mod 2) / 2} ((1 - 2b) + j (1 - 2b)) / sqrt(2).
AIRAN_HOST_DEVICE inline void pi2_bpsk_symbol(bit_t bit, std::size_t index, float& re, float& im) {
  const float a = (1.0F - 2.0F * bit) * 0.70710678118654752F;
  if (index % 2 == 0) {
    re = a;
    im = a;
  } else { // multiplied by j
    re = -a;
    im = a;
  }
}

/// Maps \p bits (one bit per byte, bits.size() == symbols.size() * Q_m) to \p symbols.
/// \throws std::invalid_argument on a size mismatch.
void modulate(std::span<const bit_t> bits, Modulation modulation, std::span<cf32> symbols);

} // namespace airan::phy
