#include "airan/phy/uci_polar_code.h"

#include <algorithm>
#include <stdexcept>

namespace airan::phy {
namespace {

constexpr std::size_t max_cached_codes = 6;

void check_payload(unsigned payload_bits, std::size_t coded_bits) {
  if (const std::string error = uci_polar_size_error(payload_bits, coded_bits); !error.empty()) {
    throw std::invalid_argument(error);
  }
}

PolarCode make_code(const UciPolarLayout& layout) {
  return make_polar_code(layout.block_bits, layout.rate_matched, layout.n_pc, layout.n_pc_weight);
}

} // namespace

UciPolarLayout uci_polar_layout(unsigned payload_bits, std::size_t coded_bits) {
  UciPolarLayout layout;
  const unsigned a = payload_bits;
  layout.num_segments = a >= 1013 || (a >= 360 && coded_bits >= 1088) ? 2U : 1U;
  const unsigned c = layout.num_segments;
  layout.filler_bits = (c - a % c) % c;
  layout.crc_bits = a <= 19 ? 6U : 11U;
  layout.block_bits = (a + layout.filler_bits) / c + layout.crc_bits;
  layout.rate_matched = static_cast<unsigned>(coded_bits / c);
  if (layout.crc_bits == 6) {
    layout.n_pc = 3;
    layout.n_pc_weight = polar_uci_pc_weight_bits(layout.block_bits, layout.rate_matched);
  }
  return layout;
}

std::string uci_polar_size_error(unsigned payload_bits, std::size_t coded_bits) {
  if (payload_bits < uci_polar_min_payload_bits || payload_bits > uci_polar_max_payload_bits) {
    return "a polar-coded UCI payload has 12 to 1706 bits, not " + std::to_string(payload_bits);
  }
  const UciPolarLayout layout = uci_polar_layout(payload_bits, coded_bits);
  if (std::size_t{layout.block_bits} + layout.n_pc > layout.rate_matched) {
    return "a UCI payload of " + std::to_string(payload_bits) + " bits needs at least " +
           std::to_string(std::size_t{layout.num_segments} * (layout.block_bits + layout.n_pc)) +
           " coded bits, not " + std::to_string(coded_bits);
  }
  return {};
}

void encode_uci_polar(std::span<const bit_t> payload, std::span<bit_t> coded) {
  check_payload(static_cast<unsigned>(payload.size()), coded.size());
  const UciPolarLayout layout =
      uci_polar_layout(static_cast<unsigned>(payload.size()), coded.size());
  const PolarCode code = make_code(layout);
  const CrcCalculator crc(layout.crc());
  std::vector<bit_t> block(layout.block_bits);
  std::vector<bit_t> mother(code.n);
  const unsigned per_segment = layout.block_bits - layout.crc_bits;
  std::size_t next = 0;
  for (unsigned r = 0; r < layout.num_segments; ++r) {
    // a'_i: the filler bits (0) lead the first segment.
    const unsigned filler = r == 0 ? layout.filler_bits : 0U;
    std::fill_n(block.begin(), filler, bit_t{0});
    std::copy_n(payload.begin() + static_cast<std::ptrdiff_t>(next), per_segment - filler,
                block.begin() + filler);
    next += per_segment - filler;
    crc.attach(block);
    polar_encode(code, block, mother);
    polar_rate_match(code, mother,
                     coded.subspan(std::size_t{r} * layout.rate_matched, layout.rate_matched));
  }
  const std::size_t used = std::size_t{layout.num_segments} * layout.rate_matched;
  std::fill(coded.begin() + static_cast<std::ptrdiff_t>(used), coded.end(), bit_t{0});
}

UciPolarDecoder::UciPolarDecoder(unsigned list_size)
    : decoder_(list_size), crc6_(CrcPolynomial::crc6), crc11_(CrcPolynomial::crc11),
      coded_llrs_(polar_max_code_length), block_(uci_polar_max_payload_bits + 11) {
  codes_.reserve(max_cached_codes);
}

const PolarCode& UciPolarDecoder::code_for(const UciPolarLayout& layout) {
  // n_PC^wm follows from K and E, so (K, E, n_PC) names the code.
  auto it = std::find_if(codes_.begin(), codes_.end(), [&](const PolarCode& c) {
    return c.k == layout.block_bits && c.e == layout.rate_matched && c.n_pc == layout.n_pc;
  });
  if (it == codes_.end()) {
    if (codes_.size() < max_cached_codes) {
      codes_.emplace_back();
      reserve_code(codes_.back());
    } else {
      std::rotate(codes_.begin(), codes_.begin() + 1, codes_.end()); // the oldest, last
    }
    // Into the oldest code's storage (no allocation once it has held a code this large).
    try {
      build_polar_code(layout.block_bits, layout.rate_matched, layout.n_pc, layout.n_pc_weight,
                       codes_.back(), scratch_);
    } catch (...) {
      codes_.back().k = 0; // half built: never found for a size
      throw;
    }
    // Every kept code's storage holds the largest code met so far: whichever is rebuilt next
    // (each in turn, with more sizes in rotation than kept) needs no allocation.
    if (codes_.back().n > reserved_n_ || codes_.back().e > reserved_e_) {
      reserved_n_ = std::max(reserved_n_, codes_.back().n);
      reserved_e_ = std::max(reserved_e_, codes_.back().e);
      for (PolarCode& code : codes_) {
        reserve_code(code);
      }
    }
    return codes_.back();
  }
  std::rotate(it, it + 1, codes_.end());
  return codes_.back();
}

void UciPolarDecoder::reserve_code(PolarCode& code) const {
  code.bit_types.reserve(reserved_n_);
  code.interleaver.reserve(reserved_n_);
  code.channel_interleaver.reserve(reserved_e_);
}

bool UciPolarDecoder::decode(std::span<const float> llrs, std::span<bit_t> payload) {
  check_payload(static_cast<unsigned>(payload.size()), llrs.size());
  const UciPolarLayout layout =
      uci_polar_layout(static_cast<unsigned>(payload.size()), llrs.size());
  const PolarCode& code = code_for(layout);
  const CrcCalculator& crc = layout.crc_bits == 6 ? crc6_ : crc11_;
  const std::span<bit_t> block(block_.data(), layout.block_bits);
  const std::span<float> coded(coded_llrs_.data(), code.n);
  const unsigned per_segment = layout.block_bits - layout.crc_bits;
  bool ok = true;
  std::size_t next = 0;
  for (unsigned r = 0; r < layout.num_segments; ++r) {
    polar_rate_recover(
        code, llrs.subspan(std::size_t{r} * layout.rate_matched, layout.rate_matched), coded);
    const unsigned filler = r == 0 ? layout.filler_bits : 0U;
    // CRC6 codes (with parity checks steering the list) keep their CRC for error detection: only
    // the most likely path is checked, so noise passes 1 in 64 instead of about 8 in 64. CRC11
    // selects among the list (noise passes about 8 in 2048).
    const unsigned candidates = layout.crc_bits == 6 ? 1U : decoder_.list_size();
    ok = decoder_.decode(code, coded, crc, block, filler, candidates) && ok;
    std::copy_n(block.begin() + filler, per_segment - filler,
                payload.begin() + static_cast<std::ptrdiff_t>(next));
    next += per_segment - filler;
  }
  return ok;
}

} // namespace airan::phy
