/// \file
/// \brief Flooding sum-product LDPC decoder in single precision. Check node i of a row with an
/// edge of shift P reads bit (i + P) mod Z of the column.
///
/// Check rule: R_e = 2 atanh(prod_{e' != e} tanh(q_e' / 2)) with q_e = total - R_e (the
/// variable-to-check message); the leave-one-out products come from prefix and suffix products
/// (no division). tanh(a / 2) = (1 - e^-a) / (1 + e^-a) and 2 atanh(p) = log((1 + p) / (1 - p))
/// use the exp/log below, written as plain arithmetic so that the compiler vectorises the loops.
/// |q| is clipped at 30 and |p| at 1 - 2^-22 (|R| <= 15.9).
#include "airan/phy/ldpc_sum_product_decoder.h"

#include "airan/phy/ldpc_encoder.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace airan::phy {

namespace {

constexpr float max_llr = 30.0f;
constexpr float max_product = 1.0f - 0x1.0p-22f;
constexpr float filler_llr = 1000.0f; ///< Known zeros.

/// min(a, limit) for non-negative floats, compared as integers (their bit patterns are ordered
/// like the values): no floating-point comparison, which would keep loops from vectorising.
inline float min_nonnegative(float a, float limit) {
  const auto bits = std::bit_cast<std::int32_t>(a);
  const auto limit_bits = std::bit_cast<std::int32_t>(limit);
  return std::bit_cast<float>(bits < limit_bits ? bits : limit_bits);
}

/// e^-a for 0 <= a <= 87: 2^y, y = -a log2(e), split into 2^n (exponent bits), n = y rounded
/// towards zero, and 2^f, f = y - n in (-1, 0], by its Taylor polynomial of degree 8 (relative
/// error < 1e-5). Branch free, so that loops calling it vectorise.
inline float exp_negative(float a) {
  const float y = -a * 1.44269504f;
  const auto n = static_cast<std::int32_t>(y);
  const float f = (y - static_cast<float>(n)) * 0.693147181f; // 2^f = e^(f ln 2)
  const float power =
      1.0f +
      f * (1.0f + f * (1.0f / 2 +
                       f * (1.0f / 6 +
                            f * (1.0f / 24 +
                                 f * (1.0f / 120 + f * (1.0f / 720 + f * (1.0f / 5040 +
                                                                          f * (1.0f / 40320))))))));
  return power * std::bit_cast<float>((n + 127) << 23);
}

/// Natural logarithm of a normal positive float: exponent times ln 2 plus log(m) for the
/// mantissa m in [sqrt(1/2), sqrt(2)) by the atanh series 2 (s + s^3/3 + ... + s^11/11),
/// s = (m - 1) / (m + 1), |s| < 0.172 (absolute error < 1e-5). Branch free.
inline float natural_log(float x) {
  const auto bits = std::bit_cast<std::int32_t>(x);
  const std::int32_t fraction = bits & 0x7FFFFF;
  const std::int32_t halve = fraction > 0x3504F3 ? 1 : 0; // mantissa above sqrt(2)
  const std::int32_t exponent = ((bits >> 23) & 0xFF) - 127 + halve;
  const float mantissa = std::bit_cast<float>(fraction | ((127 - halve) << 23));
  const float s = (mantissa - 1.0f) / (mantissa + 1.0f);
  const float s2 = s * s;
  const float series =
      1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9 + s2 / 11))));
  return static_cast<float>(exponent) * 0.693147181f + 2.0f * s * series;
}

/// destination[i] += source[i] for i < count.
inline void add_to(const float* __restrict source, float* __restrict destination, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    destination[i] += source[i];
  }
}

/// parity[i] ^= (llrs[i] < 0) for i < count.
inline void add_hard_decisions(const float* __restrict llrs, std::uint8_t* __restrict parity,
                               unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    parity[i] ^= std::signbit(llrs[i]) ? 1 : 0;
  }
}

} // namespace

LdpcDecoderResult LdpcSumProductDecoder::decode(std::span<const float> llrs,
                                                const LdpcSumProductConfig& config,
                                                std::span<bit_t> message) {
  const auto set_index = ldpc_lifting_set_index(config.lifting_size);
  const LdpcBaseGraph graph = config.base_graph;
  if (!set_index) {
    throw std::invalid_argument("LDPC SP: " + std::to_string(config.lifting_size) +
                                " is not a lifting size");
  }
  const unsigned z = config.lifting_size;
  const unsigned kb = ldpc_num_systematic_columns(graph);
  if (config.num_info_bits == 0 || config.num_info_bits > kb * z ||
      message.size() != config.num_info_bits || llrs.size() > ldpc_codeword_length(graph, z) ||
      (config.num_rows != 0 &&
       (config.num_rows < ldpc_num_core_rows || config.num_rows > ldpc_num_rows(graph)))) {
    throw std::invalid_argument("LDPC SP: inconsistent sizes or parameters");
  }
  z_ = z;
  set_index_ = *set_index;
  entries_ = ldpc_base_graph_entries(graph);
  row_begin_.assign(ldpc_num_rows(graph) + 1, 0);
  for (const auto& entry : entries_) {
    ++row_begin_[entry.row + 1];
  }
  for (unsigned r = 0; r < ldpc_num_rows(graph); ++r) {
    row_begin_[r + 1] += row_begin_[r];
  }
  num_rows_ = config.num_rows;
  if (num_rows_ == 0) {
    unsigned last_received = 0; // one past the last nonzero LLR
    for (std::size_t j = llrs.size(); j > 0; --j) {
      if (llrs[j - 1] != 0.0f) {
        last_received = static_cast<unsigned>(j);
        break;
      }
    }
    num_rows_ = ldpc_rows_for_received_length(graph, z, last_received);
  }

  const unsigned num_bits = (kb + num_rows_) * z;
  const LdpcEncoderConfig code{graph, z, config.num_info_bits};
  // Filler bits c_K' .. c_{K-1} in codeword positions: known zeros, punctured ones too (K' < 2Z).
  const unsigned filler_begin = config.num_info_bits;
  const unsigned filler_end = ldpc_filler_end(code) + 2 * z;
  channel_.assign(num_bits, 0.0f);
  for (unsigned position = 0; position < num_bits; ++position) {
    if (position >= filler_begin && position < filler_end) {
      channel_[position] = filler_llr;
    } else if (position >= 2 * z && position - 2 * z < llrs.size()) {
      channel_[position] = llrs[position - 2 * z];
    }
  }
  total_ = channel_;
  messages_.assign(std::size_t{row_begin_[num_rows_]} * z, 0.0f);

  LdpcDecoderResult result;
  for (unsigned iteration = 1; iteration <= config.max_iterations; ++iteration) {
    next_total_ = channel_;
    for (unsigned row = 0; row < num_rows_; ++row) {
      update_row(row_begin_[row], row_begin_[row + 1] - row_begin_[row]);
    }
    total_.swap(next_total_);
    result.iterations = iteration;
    result.parity_ok = all_checks_hold();
    if (result.parity_ok && config.stop_on_parity) {
      break;
    }
  }
  for (std::size_t k = 0; k < message.size(); ++k) {
    message[k] = total_[k] < 0.0f ? 1 : 0;
  }
  return result;
}

void LdpcSumProductDecoder::update_row(unsigned first_edge, unsigned degree) {
  const unsigned z = z_;
  tanh_half_.resize(std::size_t{degree} * z);
  product_.resize(std::size_t{degree} * z);
  window_.resize(z);
  running_.assign(z, 1.0f);
  float* __restrict running = running_.data();
  float* __restrict window = window_.data();
  for (unsigned e = 0; e < degree; ++e) {
    const LdpcBaseGraphEntry& entry = entries_[first_edge + e];
    const unsigned shift = entry.shift[set_index_] % z;
    const float* total = total_.data() + std::size_t{entry.column} * z;
    std::copy(total + shift, total + z, window); // lane i holds bit (i + shift) mod Z
    std::copy(total, total + shift, window + (z - shift));
    const float* __restrict message = messages_.data() + std::size_t{first_edge + e} * z;
    float* __restrict t = tanh_half_.data() + std::size_t{e} * z;
    float* __restrict prefix = product_.data() + std::size_t{e} * z;
    for (unsigned i = 0; i < z; ++i) {
      const float q = window[i] - message[i];
      const float decay = exp_negative(min_nonnegative(std::fabs(q), max_llr));
      t[i] = std::copysign((1.0f - decay) / (1.0f + decay), q);
      prefix[i] = running[i];
      running[i] *= t[i];
    }
  }
  std::fill(running_.begin(), running_.end(), 1.0f);
  for (unsigned e = degree; e-- > 0;) {
    const LdpcBaseGraphEntry& entry = entries_[first_edge + e];
    const unsigned shift = entry.shift[set_index_] % z;
    float* __restrict message = messages_.data() + std::size_t{first_edge + e} * z;
    const float* __restrict t = tanh_half_.data() + std::size_t{e} * z;
    const float* __restrict prefix = product_.data() + std::size_t{e} * z;
    for (unsigned i = 0; i < z; ++i) {
      const float p = prefix[i] * running[i];
      const float magnitude = min_nonnegative(std::fabs(p), max_product);
      running[i] *= t[i];
      message[i] = std::copysign(natural_log((1.0f + magnitude) / (1.0f - magnitude)), p);
    }
    // Lane i goes back to bit (i + shift) mod Z.
    float* __restrict next_total = next_total_.data() + std::size_t{entry.column} * z;
    add_to(message, next_total + shift, z - shift);
    add_to(message + (z - shift), next_total, shift);
  }
}

bool LdpcSumProductDecoder::all_checks_hold() {
  const unsigned z = z_;
  parity_.resize(z);
  for (unsigned row = 0; row < num_rows_; ++row) {
    std::fill(parity_.begin(), parity_.end(), 0);
    for (unsigned e = row_begin_[row]; e < row_begin_[row + 1]; ++e) {
      const unsigned shift = entries_[e].shift[set_index_] % z;
      const float* total = total_.data() + std::size_t{entries_[e].column} * z;
      add_hard_decisions(total + shift, parity_.data(), z - shift);
      add_hard_decisions(total, parity_.data() + (z - shift), shift);
    }
    if (std::any_of(parity_.begin(), parity_.end(), [](std::uint8_t p) { return p != 0; })) {
      return false;
    }
  }
  return true;
}

} // namespace airan::phy
