/// \file
/// \brief Run-time choice of the LDPC decoder implementation (CPU feature checks) and the related
/// queries (the LLR quantiser is in ldpc_llr_quantizer.cpp).
#include "airan/phy/ldpc_decoder.h"

#include "airan/phy/cpu_features.h"

#include "ldpc_decoder_layered.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::phy {

std::string_view to_string(LdpcDecoderImpl impl) {
  switch (impl) {
  case LdpcDecoderImpl::automatic:
    return "automatic";
  case LdpcDecoderImpl::scalar:
    return "scalar";
  case LdpcDecoderImpl::avx2:
    return "avx2";
  case LdpcDecoderImpl::avx512:
    return "avx512";
  }
  return "unknown";
}

bool ldpc_decoder_impl_supported(LdpcDecoderImpl impl) {
  switch (impl) {
  case LdpcDecoderImpl::avx2:
    return detail::ldpc_avx2_layer_kernels() != nullptr && cpu_features().avx2;
  case LdpcDecoderImpl::avx512:
    return detail::ldpc_avx512_layer_kernels() != nullptr && cpu_features().avx512_bw();
  default:
    return true;
  }
}

std::vector<LdpcDecoderImpl> ldpc_decoder_supported_impls() {
  std::vector<LdpcDecoderImpl> impls;
  for (auto impl : {LdpcDecoderImpl::scalar, LdpcDecoderImpl::avx2, LdpcDecoderImpl::avx512}) {
    if (ldpc_decoder_impl_supported(impl)) {
      impls.push_back(impl);
    }
  }
  return impls;
}

unsigned ldpc_rows_for_received_length(LdpcBaseGraph graph, unsigned lifting_size,
                                       unsigned received_length) {
  if (!ldpc_lifting_set_index(lifting_size)) {
    throw std::invalid_argument("LDPC: " + std::to_string(lifting_size) + " is not a lifting size");
  }
  const unsigned kb = ldpc_num_systematic_columns(graph);
  unsigned rows = ldpc_num_core_rows;
  // Extension row r's parity column kb + r starts at d position (kb + r - 2) Z.
  while (rows < ldpc_num_rows(graph) && (kb + rows - 2) * lifting_size < received_length) {
    ++rows;
  }
  return rows;
}

unsigned ldpc_rows_for_llrs(LdpcBaseGraph graph, unsigned lifting_size,
                            std::span<const std::int8_t> llrs) {
  if (!ldpc_lifting_set_index(lifting_size)) {
    throw std::invalid_argument("LDPC: " + std::to_string(lifting_size) + " is not a lifting size");
  }
  const unsigned kb = ldpc_num_systematic_columns(graph);
  // Position in d of the first bit of extension row r's parity column kb + r.
  for (unsigned r = ldpc_num_rows(graph); r-- > ldpc_num_core_rows;) {
    const std::size_t begin = std::size_t{kb + r - 2} * lifting_size;
    if (begin >= llrs.size()) {
      continue;
    }
    const auto column =
        llrs.subspan(begin, std::min<std::size_t>(lifting_size, llrs.size() - begin));
    // An OR over the bytes (vectorises) rather than a search that stops early.
    std::int8_t any = 0;
    for (const std::int8_t llr : column) {
      any = static_cast<std::int8_t>(any | llr);
    }
    if (any != 0) {
      return r + 1;
    }
  }
  return ldpc_num_core_rows;
}

void ldpc_check_decoder_arguments(const LdpcDecoderConfig& config, std::size_t num_llrs,
                                  std::size_t message_size) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("LDPC decoder: " + what); };
  if (!ldpc_lifting_set_index(config.lifting_size)) {
    fail(std::to_string(config.lifting_size) + " is not a lifting size");
  }
  const unsigned k = ldpc_systematic_length(config.base_graph, config.lifting_size);
  if (config.num_info_bits == 0 || config.num_info_bits > k) {
    fail("K' = " + std::to_string(config.num_info_bits) + " outside 1.." + std::to_string(k));
  }
  if (message_size != config.num_info_bits) {
    fail("message holds " + std::to_string(message_size) +
         " bits, K' = " + std::to_string(config.num_info_bits));
  }
  if (num_llrs > ldpc_codeword_length(config.base_graph, config.lifting_size)) {
    fail(std::to_string(num_llrs) + " LLRs exceed N");
  }
  if (config.max_iterations == 0) {
    fail("max_iterations must be at least 1");
  }
  if (config.num_rows != 0 && (config.num_rows < ldpc_num_core_rows ||
                               config.num_rows > ldpc_num_rows(config.base_graph))) {
    fail("num_rows = " + std::to_string(config.num_rows) + " out of range");
  }
  if (config.rule == LdpcMinSumRule::normalized &&
      !(config.scaling_factor > 0.0f && config.scaling_factor <= 1.0f)) {
    fail("scaling factor must lie in (0, 1]");
  }
  if (config.rule == LdpcMinSumRule::offset && config.offset > ldpc_llr_max) {
    fail("offset must lie in 0..127");
  }
}

std::unique_ptr<LdpcDecoder> create_ldpc_decoder(LdpcDecoderImpl impl) {
  if (impl == LdpcDecoderImpl::automatic) {
    const auto supported = ldpc_decoder_supported_impls();
    impl = supported.back();
  }
  if (!ldpc_decoder_impl_supported(impl)) {
    throw std::invalid_argument("LDPC decoder: this CPU cannot run " +
                                std::string(to_string(impl)));
  }
  switch (impl) {
  case LdpcDecoderImpl::avx2:
    return detail::make_layered_min_sum_decoder(*detail::ldpc_avx2_layer_kernels());
  case LdpcDecoderImpl::avx512:
    return detail::make_layered_min_sum_decoder(*detail::ldpc_avx512_layer_kernels());
  default:
    return detail::make_layered_min_sum_decoder(detail::ldpc_scalar_layer_kernels());
  }
}

} // namespace airan::phy
