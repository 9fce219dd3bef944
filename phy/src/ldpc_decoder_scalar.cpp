/// \file
/// \brief Portable layer kernels of the layered min-sum LDPC decoder. Written lane by lane in
/// plain C++ (loops the compiler may vectorise for the baseline instruction set); they are the
/// reference that the SIMD kernels must match bit for bit. The per-check-node arithmetic is that of
/// ldpc_check_node_math.h, which the CUDA decoder runs too.
#include "ldpc_decoder_layered.h"

#include "airan/phy/ldpc_check_node_math.h"

#include <algorithm>
#include <array>

namespace airan::phy::detail {

namespace {

constexpr unsigned max_lifting_size = 384;

/// The shared integer rule of one layer.
LdpcCheckNodeRule node_rule(const LdpcCheckRule& rule) {
  return {rule.normalized, rule.factor_q15, rule.offset};
}

void scalar_update_layer(const LdpcLayer& layer) {
  const unsigned z = layer.lifting_size;
  const LdpcCheckNodeRule rule = node_rule(layer.rule);
  // Check-node states as separate arrays (structure of arrays, so that the loops vectorise).
  std::array<ldpc_soft_t, max_lifting_size> min1;
  std::array<ldpc_soft_t, max_lifting_size> min2;
  std::array<ldpc_soft_t, max_lifting_size> sign_product;
  std::fill_n(min1.begin(), z, static_cast<ldpc_soft_t>(ldpc_message_max));
  std::fill_n(min2.begin(), z, static_cast<ldpc_soft_t>(ldpc_message_max));
  std::fill_n(sign_product.begin(), z, ldpc_soft_t{0});

  // Pass 1: every window is read before any column is rewritten.
  for (unsigned e = 0; e < layer.degree; ++e) {
    const ldpc_soft_t* __restrict app = layer.app_in[e];
    const ldpc_soft_t* __restrict message = layer.messages[e];
    ldpc_soft_t* __restrict q = layer.scratch + std::size_t{e} * layer.scratch_stride;
    for (unsigned i = 0; i < z; ++i) {
      q[i] = static_cast<ldpc_soft_t>(app[i] - message[i]);
      ldpc_accumulate_edge(min1[i], min2[i], sign_product[i], q[i]);
    }
  }
  std::array<ldpc_soft_t, max_lifting_size> scaled_min1;
  std::array<ldpc_soft_t, max_lifting_size> scaled_min2;
  for (unsigned i = 0; i < z; ++i) {
    scaled_min1[i] = static_cast<ldpc_soft_t>(ldpc_scale_magnitude(min1[i], rule));
    scaled_min2[i] = static_cast<ldpc_soft_t>(ldpc_scale_magnitude(min2[i], rule));
  }
  // Pass 2: messages, and each column's APP in the frame of its edge.
  for (unsigned e = 0; e < layer.degree; ++e) {
    const ldpc_soft_t* __restrict q = layer.scratch + std::size_t{e} * layer.scratch_stride;
    ldpc_soft_t* __restrict message = layer.messages[e];
    ldpc_soft_t* __restrict app = layer.app_out[e];
    for (unsigned i = 0; i < z; ++i) {
      const LdpcCheckNodeMagnitudes node{min1[i], scaled_min1[i], scaled_min2[i], sign_product[i]};
      const int new_message = ldpc_edge_message(node, q[i]);
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
    out[i] = static_cast<ldpc_soft_t>(ldpc_widen_llr(llrs[i]));
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
