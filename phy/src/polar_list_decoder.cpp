#include "airan/phy/polar_list_decoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// LLR of the XOR of two bits (min-sum).
float check_node(float a, float b) {
  const float magnitude = std::min(std::fabs(a), std::fabs(b));
  return (a < 0.0F) != (b < 0.0F) ? -magnitude : magnitude;
}

/// Path metric increase of deciding \p u where the LLR is \p llr.
float penalty(float llr, bit_t u) {
  return (u != 0) == (llr < 0.0F) ? 0.0F : std::fabs(llr);
}

} // namespace

PolarListDecoder::PolarListDecoder(unsigned list_size)
    : list_size_(list_size), alpha_offset_(11, 0),
      alpha_(std::size_t{list_size} * polar_max_code_length),
      partial_(std::size_t{list_size} * 2 * polar_max_code_length),
      decided_(std::size_t{list_size} * polar_max_code_length), paths_(list_size),
      candidate_metrics_(2 * std::size_t{list_size}) {
  if (list_size == 0 || list_size > max_list_size) {
    throw std::invalid_argument("polar list decoder: list size " + std::to_string(list_size) +
                                " is not in 1..32");
  }
}

void PolarListDecoder::compute_leaf(unsigned path, unsigned i) {
  const unsigned n = log2_n_;
  unsigned depth = 1;
  if (i != 0) {
    // The node at depth n - ctz(i) turns from a left child into its right sibling.
    depth = n - static_cast<unsigned>(std::countr_zero(i));
    const unsigned size = 1U << (n - depth);
    const float* parent = depth == 1 ? channel_.data() : alpha(path, depth - 1);
    const bit_t* left = partial(path, depth, 0);
    float* out = alpha(path, depth);
    for (unsigned j = 0; j < size; ++j) {
      out[j] = left[j] != 0 ? parent[j + size] - parent[j] : parent[j + size] + parent[j];
    }
    ++depth;
  }
  for (; depth <= n; ++depth) {
    const unsigned size = 1U << (n - depth);
    const float* parent = depth == 1 ? channel_.data() : alpha(path, depth - 1);
    float* out = alpha(path, depth);
    for (unsigned j = 0; j < size; ++j) {
      out[j] = check_node(parent[j], parent[j + size]);
    }
  }
}

void PolarListDecoder::store_bit(unsigned path, unsigned i, bit_t u) {
  const unsigned n = log2_n_;
  partial(path, n, i & 1U)[0] = u;
  unsigned node = i;
  // A completed right child completes its parent: [left ^ right, right].
  for (unsigned depth = n; depth > 1 && (node & 1U) != 0; --depth) {
    const unsigned size = 1U << (n - depth);
    const bit_t* left = partial(path, depth, 0);
    const bit_t* right = partial(path, depth, 1);
    node >>= 1;
    bit_t* parent = partial(path, depth - 1, node & 1U);
    for (unsigned j = 0; j < size; ++j) {
      parent[j] = left[j] ^ right[j];
      parent[j + size] = right[j];
    }
  }
}

void PolarListDecoder::copy_path(unsigned from, unsigned to, unsigned i, unsigned decided_bits) {
  // Only what decoding from bit i on reads: the node LLRs of depths whose path goes on to a left
  // child (their right child is computed from them later) and the leaf's (for the metric of bit
  // i), and the left siblings' partial sums of depths whose path sits at a right child
  // (combined when it completes).
  const unsigned n = log2_n_;
  for (unsigned depth = 1; depth < n; ++depth) {
    if (((i >> (n - depth - 1)) & 1U) == 0) {
      std::copy_n(alpha(from, depth), std::size_t{1} << (n - depth), alpha(to, depth));
    }
  }
  *alpha(to, n) = *alpha(from, n); // the leaf
  for (unsigned depth = 1; depth <= n; ++depth) {
    if (((i >> (n - depth)) & 1U) != 0) {
      std::copy_n(partial(from, depth, 0), std::size_t{1} << (n - depth), partial(to, depth, 0));
    }
  }
  std::copy_n(decided_.data() + std::size_t{from} * polar_max_code_length, decided_bits,
              decided_.data() + std::size_t{to} * polar_max_code_length);
  paths_[to] = paths_[from];
}

bool PolarListDecoder::decode(const PolarCode& code, std::span<const float> coded_llrs,
                              const CrcCalculator& crc, std::span<bit_t> bits,
                              unsigned known_zero_bits, unsigned crc_candidates) {
  if (code.n > polar_max_code_length || coded_llrs.size() != code.n || bits.size() != code.k ||
      code.k < crc.length() || code.bit_types.size() != code.n) {
    throw std::invalid_argument(
        "polar list decoder: " + std::to_string(coded_llrs.size()) + " LLRs and " +
        std::to_string(bits.size()) + " bits for a code of N " + std::to_string(code.n) + ", K " +
        std::to_string(code.k) + " with a " + std::to_string(crc.length()) + "-bit CRC");
  }
  log2_n_ = code.log2_n;
  channel_ = coded_llrs;
  unsigned offset = 0;
  for (unsigned depth = 1; depth <= log2_n_; ++depth) {
    alpha_offset_[depth] = offset;
    offset += 1U << (log2_n_ - depth);
  }
  for (Path& p : paths_) {
    p = Path{};
  }
  paths_[0].active = true;
  unsigned decided = 0; // information bits decided on every path
  for (unsigned i = 0; i < code.n; ++i) {
    PolarBitType type = code.bit_types[i];
    if (type == PolarBitType::information && decided < known_zero_bits) {
      type = PolarBitType::frozen; // a filler bit: known 0, still one of the K bits
    }
    for (unsigned l = 0; l < list_size_; ++l) {
      Path& p = paths_[l];
      if (!p.active) {
        continue;
      }
      compute_leaf(l, i);
      p.reg = static_cast<std::uint8_t>(((p.reg >> 1) | (p.reg << 4)) & 0x1FU);
    }
    if (type != PolarBitType::information) {
      for (unsigned l = 0; l < list_size_; ++l) {
        Path& p = paths_[l];
        if (!p.active) {
          continue;
        }
        const bit_t u = type == PolarBitType::parity_check ? static_cast<bit_t>(p.reg & 1U) : 0;
        p.metric += penalty(alpha(l, log2_n_)[0], u); // frozen and PC bits leave the register
        store_bit(l, i, u);
      }
      if (code.bit_types[i] == PolarBitType::information) {
        for (unsigned l = 0; l < list_size_; ++l) {
          decided_[l * std::size_t{polar_max_code_length} + decided] = 0;
        }
        ++decided;
      }
      continue;
    }
    // Every path tries both values; the list_size most likely of them go on.
    std::size_t count = 0;
    for (unsigned l = 0; l < list_size_; ++l) {
      if (paths_[l].active) {
        const float llr = alpha(l, log2_n_)[0];
        candidate_metrics_[count++] = paths_[l].metric + penalty(llr, 0);
        candidate_metrics_[count++] = paths_[l].metric + penalty(llr, 1);
      }
    }
    float threshold = std::numeric_limits<float>::infinity();
    std::size_t kept_at_threshold = list_size_; // ties at the threshold that may go on
    if (count > list_size_) {
      std::nth_element(candidate_metrics_.begin(), candidate_metrics_.begin() + (list_size_ - 1),
                       candidate_metrics_.begin() + static_cast<std::ptrdiff_t>(count));
      threshold = candidate_metrics_[list_size_ - 1];
      kept_at_threshold = static_cast<std::size_t>(std::count(
          candidate_metrics_.begin(), candidate_metrics_.begin() + list_size_, threshold));
    }
    std::array<std::uint8_t, max_list_size> keep{}; // bit 0: u = 0 goes on, bit 1: u = 1 goes on
    for (unsigned l = 0; l < list_size_; ++l) {
      if (!paths_[l].active) {
        continue;
      }
      const float llr = alpha(l, log2_n_)[0];
      for (bit_t u = 0; u < 2; ++u) {
        const float m = paths_[l].metric + penalty(llr, u);
        if (m < threshold || (m == threshold && kept_at_threshold > 0)) {
          kept_at_threshold -= m == threshold ? 1 : 0;
          keep[l] = static_cast<std::uint8_t>(keep[l] | (1U << u));
        }
      }
      paths_[l].active = keep[l] != 0;
    }
    unsigned free_slot = 0;
    for (unsigned l = 0; l < list_size_; ++l) {
      if (keep[l] == 3) {
        while (paths_[free_slot].active || keep[free_slot] != 0) {
          ++free_slot;
        }
        copy_path(l, free_slot, i, decided);
        keep[free_slot] = 2;
        keep[l] = 1;
        paths_[free_slot].active = true;
      }
    }
    for (unsigned l = 0; l < list_size_; ++l) {
      if (keep[l] == 0) {
        continue;
      }
      Path& p = paths_[l];
      const bit_t u = keep[l] == 2 ? 1 : 0;
      p.metric += penalty(alpha(l, log2_n_)[0], u);
      p.reg ^= u;
      store_bit(l, i, u);
      decided_[l * std::size_t{polar_max_code_length} + decided] = u;
    }
    ++decided;
  }
  // The most likely candidate whose CRC holds, else the most likely path.
  std::array<unsigned, max_list_size> order{};
  unsigned active = 0;
  for (unsigned l = 0; l < list_size_; ++l) {
    if (paths_[l].active) {
      order[active++] = l;
    }
  }
  std::sort(order.begin(), order.begin() + active,
            [&](unsigned a, unsigned b) { return paths_[a].metric < paths_[b].metric; });
  for (unsigned r = 0; r < std::min(active, std::max(crc_candidates, 1U)); ++r) {
    const std::span<const bit_t> candidate(
        decided_.data() + order[r] * std::size_t{polar_max_code_length}, code.k);
    if (crc.check(candidate)) {
      std::copy(candidate.begin(), candidate.end(), bits.begin());
      return true;
    }
  }
  std::copy_n(decided_.data() + order[0] * std::size_t{polar_max_code_length}, code.k,
              bits.begin());
  return false;
}

} // namespace airan::phy
