/// \file
/// \brief Portable layer kernels of the layered min-sum LDPC decoder. Written lane by lane in
/// plain C++ (loops the compiler may vectorise for the baseline instruction set); they are the
/// reference that the SIMD kernels must match bit for bit.
#include "ldpc_decoder_layered.h"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace airan::phy::detail {

namespace {

constexpr unsigned max_lifting_size = 384;

/// Check-node magnitude rule applied to one minimum (0..127).
inline ldpc_soft_t scale_magnitude(int magnitude, const LdpcCheckRule& rule) {
  if (rule.normalized) {
    return static_cast<ldpc_soft_t>((magnitude * rule.factor_q15 + (1 << 14)) >> 15);
  }
  return static_cast<ldpc_soft_t>(std::max(magnitude - rule.offset, 0));
}

void scalar_update_layer(const LdpcLayer& layer) {
  const unsigned z = layer.lifting_size;
  std::array<ldpc_soft_t, max_lifting_size> min1;
  std::array<ldpc_soft_t, max_lifting_size> min2;
  std::array<ldpc_soft_t, max_lifting_size> sign_product;
  std::fill_n(min1.begin(), z, static_cast<ldpc_soft_t>(ldpc_llr_max));
  std::fill_n(min2.begin(), z, static_cast<ldpc_soft_t>(ldpc_llr_max));
  std::fill_n(sign_product.begin(), z, ldpc_soft_t{0});

  // Pass 1: every window is read before any column is rewritten.
  for (unsigned e = 0; e < layer.degree; ++e) {
    const ldpc_soft_t* __restrict app = layer.app_in[e];
    const ldpc_soft_t* __restrict message = layer.messages[e];
    ldpc_soft_t* __restrict q = layer.scratch + e * layer.scratch_stride;
    for (unsigned i = 0; i < z; ++i) {
      q[i] = static_cast<ldpc_soft_t>(app[i] - message[i]);
      sign_product[i] = static_cast<ldpc_soft_t>(sign_product[i] ^ q[i]);
      const auto magnitude = static_cast<ldpc_soft_t>(std::abs(q[i]));
      min2[i] = std::min(min2[i], std::max(min1[i], magnitude));
      min1[i] = std::min(min1[i], magnitude);
    }
  }
  std::array<ldpc_soft_t, max_lifting_size> scaled_min1;
  std::array<ldpc_soft_t, max_lifting_size> scaled_min2;
  for (unsigned i = 0; i < z; ++i) {
    scaled_min1[i] = scale_magnitude(min1[i], layer.rule);
    scaled_min2[i] = scale_magnitude(min2[i], layer.rule);
  }
  // Pass 2: messages, and each column's APP in the frame of its edge.
  for (unsigned e = 0; e < layer.degree; ++e) {
    const ldpc_soft_t* __restrict q = layer.scratch + e * layer.scratch_stride;
    ldpc_soft_t* __restrict message = layer.messages[e];
    ldpc_soft_t* __restrict app = layer.app_out[e];
    // Branch free (masks of all ones or zeros) so that the compiler vectorises the loop.
    for (unsigned i = 0; i < z; ++i) {
      const int is_min_edge = -static_cast<int>(std::abs(q[i]) == min1[i]);
      const int magnitude = scaled_min1[i] ^ ((scaled_min1[i] ^ scaled_min2[i]) & is_min_edge);
      const int negative = (sign_product[i] ^ q[i]) >> 15; // -1 where the sign is negative
      const int new_message = (magnitude ^ negative) - negative;
      message[i] = static_cast<ldpc_soft_t>(new_message);
      app[i] = static_cast<ldpc_soft_t>(q[i] + new_message);
      app[z + i] = static_cast<ldpc_soft_t>(q[i] + new_message);
    }
  }
}

bool scalar_layer_parity_ok(const LdpcLayer& layer) {
  const unsigned z = layer.lifting_size;
  std::array<ldpc_soft_t, max_lifting_size> parity{};
  for (unsigned e = 0; e < layer.degree; ++e) {
    const ldpc_soft_t* app = layer.app_in[e];
    for (unsigned i = 0; i < z; ++i) {
      parity[i] = static_cast<ldpc_soft_t>(parity[i] ^ app[i]);
    }
  }
  return std::none_of(parity.begin(), parity.begin() + z, [](ldpc_soft_t p) { return p < 0; });
}

void scalar_widen_llrs(const std::int8_t* llrs, ldpc_soft_t* out, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    out[i] = static_cast<ldpc_soft_t>(std::max<int>(llrs[i], -ldpc_llr_max));
  }
}

void scalar_hard_decide(const ldpc_soft_t* app, std::uint8_t* bits, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    bits[i] = app[i] < 0 ? 1 : 0;
  }
}

const LdpcLayerKernels scalar_kernels{LdpcDecoderImpl::scalar, scalar_update_layer,
                                      scalar_layer_parity_ok,  scalar_widen_llrs,
                                      scalar_hard_decide,      ldpc_vector_lanes};

} // namespace

const LdpcLayerKernels& ldpc_scalar_layer_kernels() {
  return scalar_kernels;
}

} // namespace airan::phy::detail
