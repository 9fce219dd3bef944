#include "airan/phy/ulsch_uci_multiplexer.h"

#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_re_mapper.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// How a part spreads over \p available REs of a symbol when it still needs \p left REs
/// (TS 38.212 6.2.7): every d-th RE, m of them.
struct Spread {
  std::size_t d = 1;
  std::size_t m = 0;
};

Spread spread(std::size_t available, std::uint32_t left) {
  if (left >= available) {
    return {1, available};
  }
  return {available / left, left};
}

/// c(i) of one scrambling sequence at increasing indices, word by word: steps forward over short
/// gaps and jumps ahead (gold_sequence_jump.h) over long ones, so that the few REs of a 1-bit UCI
/// part cost their words only, whatever the codeword's length.
class ScramblingWords {
public:
  explicit ScramblingWords(std::uint32_t c_init) : c_init_(c_init) {}
  /// c(i), for indices that do not go back by more than the current word.
  [[nodiscard]] std::uint32_t bit(std::size_t i) { return (word(i / 32) >> (i % 32)) & 1U; }

private:
  static constexpr std::size_t max_step_words = 64; ///< Further ahead: jump.
  std::uint32_t word(std::size_t w) {
    if (have_word_ && w == word_index_) {
      return word_;
    }
    if (!have_word_ || w < next_index_ || w - next_index_ > max_step_words) {
      static const GoldJumpTable table = make_gold_jump_table();
      cursor_ = gold_word_cursor(table, c_init_, static_cast<std::uint32_t>(32 * w));
      next_index_ = w;
    }
    while (next_index_ <= w) {
      word_ = cursor_.next_word();
      word_index_ = next_index_++;
    }
    have_word_ = true;
    return word_;
  }
  std::uint32_t c_init_;
  GoldWordCursor cursor_;
  std::size_t next_index_ = 0; ///< Index of the word cursor_ gives next.
  std::size_t word_index_ = 0;
  std::uint32_t word_ = 0;
  bool have_word_ = false;
};

std::string size_error(const char* part, std::size_t got, std::size_t planned) {
  return std::string("UL-SCH/UCI multiplexing: ") + part + " has " + std::to_string(got) +
         " coded bits, the plan " + std::to_string(planned);
}

} // namespace

UlschUciMultiplexer::UlschUciMultiplexer(std::size_t max_data_res)
    : owners_(max_data_res), punctured_(max_data_res), reserved_(max_data_res),
      candidates_(max_data_res) {}

std::span<const CodedReOwner> UlschUciMultiplexer::owners() const {
  return {owners_.data(), num_res_};
}

void UlschUciMultiplexer::plan(const PuschReMapping& mapping, const UciCodedSizes& sizes,
                               unsigned harq_ack_bits, unsigned num_layers, unsigned qm) {
  const std::size_t num_res = mapping.num_data_res();
  if (num_res > owners_.size()) {
    throw std::invalid_argument("UL-SCH/UCI multiplexing: " + std::to_string(num_res) +
                                " data REs exceed the " + std::to_string(owners_.size()) +
                                " it was sized for");
  }
  const unsigned b = num_layers * qm;
  if (b == 0) {
    throw std::invalid_argument("UL-SCH/UCI multiplexing: no layer or no bit per symbol");
  }
  if (sizes.total != num_res * b || sizes.harq_ack % b != 0 || sizes.harq_ack_reserved % b != 0 ||
      sizes.csi_part1 % b != 0 || sizes.csi_part2 % b != 0 || sizes.ulsch % b != 0) {
    throw std::invalid_argument("UL-SCH/UCI multiplexing: the sizes are not whole REs of " +
                                std::to_string(b) + " bits on " + std::to_string(num_res) +
                                " data REs");
  }
  bits_per_re_ = b;
  qm_ = qm;
  num_res_ = 0; // no plan until this one is complete
  sizes_ = sizes;
  std::fill_n(owners_.begin(), num_res, CodedReOwner::ulsch);
  std::fill_n(punctured_.begin(), num_res, std::uint8_t{0});

  const bool short_ack = harq_ack_bits <= 2;
  std::uint32_t reserved_left = sizes.harq_ack_reserved / bits_per_re_;
  std::uint32_t ack_left = sizes.harq_ack / bits_per_re_;
  std::uint32_t csi1_left = sizes.csi_part1 / bits_per_re_;
  std::uint32_t csi2_left = sizes.csi_part2 / bits_per_re_;

  std::size_t base = 0; // first RE of the symbol
  bool seen_dmrs = false;
  for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
    const std::size_t m_sc = mapping.num_data_res(l);
    if (mapping.dmrs_symbols.contains(l)) {
      seen_dmrs = true;
      if (sizes.ulsch == 0) { // UCI is never mapped here: without UL-SCH, nothing is
        std::fill_n(owners_.begin() + static_cast<std::ptrdiff_t>(base), m_sc, CodedReOwner::none);
      }
      base += m_sc; // UL-SCH only
      continue;
    }
    // Every symbol without DMRS is at or after l_CSI; after a DMRS symbol also at or after l(1).
    const bool from_l1 = seen_dmrs;
    std::uint8_t* reserved = reserved_.data();
    std::fill_n(reserved, m_sc, std::uint8_t{0});
    CodedReOwner* owner = owners_.data() + base;

    // Step 1: REs reserved for a HARQ-ACK of at most 2 bits.
    std::size_t num_reserved = 0;
    if (from_l1 && reserved_left > 0 && m_sc > 0) {
      const Spread s = spread(m_sc, reserved_left);
      for (std::size_t j = 0; j < s.m; ++j) {
        reserved[j * s.d] = 1;
      }
      num_reserved = s.m;
      reserved_left -= static_cast<std::uint32_t>(s.m);
    }
    // Step 2: a HARQ-ACK of more than 2 bits.
    if (!short_ack && from_l1 && ack_left > 0 && m_sc > 0) {
      const Spread s = spread(m_sc, ack_left);
      for (std::size_t j = 0; j < s.m; ++j) {
        owner[j * s.d] = CodedReOwner::harq_ack;
      }
      ack_left -= static_cast<std::uint32_t>(s.m);
    }
    // Step 3: CSI part 1 on free REs that are not reserved, then CSI part 2 on free REs.
    const auto place = [&](std::uint32_t& left, bool avoid_reserved, CodedReOwner part) {
      if (left == 0) {
        return;
      }
      std::size_t count = 0;
      for (std::size_t k = 0; k < m_sc; ++k) {
        if (owner[k] == CodedReOwner::ulsch && (!avoid_reserved || reserved[k] == 0)) {
          candidates_[count++] = static_cast<std::uint32_t>(k);
        }
      }
      if (count == 0) {
        return;
      }
      const Spread s = spread(count, left);
      for (std::size_t j = 0; j < s.m; ++j) {
        owner[candidates_[j * s.d]] = part;
      }
      left -= static_cast<std::uint32_t>(s.m);
    };
    place(csi1_left, true, CodedReOwner::csi_part1);
    place(csi2_left, false, CodedReOwner::csi_part2);
    // Step 5: a HARQ-ACK of at most 2 bits punctures reserved REs.
    if (short_ack && ack_left > 0 && num_reserved > 0) {
      std::size_t count = 0;
      for (std::size_t k = 0; k < m_sc; ++k) {
        if (reserved[k] != 0) {
          candidates_[count++] = static_cast<std::uint32_t>(k);
        }
      }
      const Spread s = spread(count, ack_left);
      for (std::size_t j = 0; j < s.m; ++j) {
        punctured_[base + candidates_[j * s.d]] = 1;
      }
      ack_left -= static_cast<std::uint32_t>(s.m);
    }
    base += m_sc;
  }
  if (reserved_left != 0 || ack_left != 0 || csi1_left != 0 || csi2_left != 0) {
    throw std::invalid_argument("UL-SCH/UCI multiplexing: the UCI does not fit the PUSCH's REs");
  }
  if (sizes.ulsch == 0) {
    // Without UL-SCH (and CSI part 2), the reserved REs that a short HARQ-ACK punctures carry
    // only it: they are the HARQ-ACK's, in the same order.
    for (std::size_t re = 0; re < num_res; ++re) {
      if (owners_[re] == CodedReOwner::ulsch && punctured_[re] != 0) {
        owners_[re] = CodedReOwner::harq_ack;
        punctured_[re] = 0;
      }
    }
  }
  const auto ulsch_res = static_cast<std::size_t>(
      std::count(owners_.begin(), owners_.begin() + static_cast<std::ptrdiff_t>(num_res),
                 CodedReOwner::ulsch));
  if (ulsch_res * b != sizes.ulsch) {
    throw std::invalid_argument("UL-SCH/UCI multiplexing: " + std::to_string(ulsch_res) +
                                " REs are left to the UL-SCH, not the " +
                                std::to_string(sizes.ulsch / b) + " its size says");
  }
  num_res_ = num_res;
}

void UlschUciMultiplexer::multiplex(const UciCodedParts<const bit_t>& parts,
                                    std::span<bit_t> codeword) const {
  const std::array<std::span<const bit_t>, 4> streams = {parts.ulsch, parts.harq_ack,
                                                         parts.csi_part1, parts.csi_part2};
  const std::array<std::uint32_t, 4> planned = {sizes_.ulsch, sizes_.harq_ack, sizes_.csi_part1,
                                                sizes_.csi_part2};
  static constexpr std::array<const char*, 4> names = {"the UL-SCH", "HARQ-ACK", "CSI part 1",
                                                       "CSI part 2"};
  for (std::size_t p = 0; p < streams.size(); ++p) {
    if (streams[p].size() != planned[p]) {
      throw std::invalid_argument(size_error(names[p], streams[p].size(), planned[p]));
    }
  }
  if (codeword.size() != num_res_ * bits_per_re_) {
    throw std::invalid_argument(
        size_error("the codeword", codeword.size(), num_res_ * bits_per_re_));
  }
  std::array<std::size_t, 4> next{};
  const std::size_t b = bits_per_re_;
  for (std::size_t re = 0; re < num_res_; ++re) {
    bit_t* out = codeword.data() + re * b;
    if (owners_[re] == CodedReOwner::none) {
      std::fill_n(out, b, bit_t{0});
      continue;
    }
    const auto p = static_cast<std::size_t>(owners_[re]);
    std::copy_n(streams[p].data() + next[p], b, out);
    next[p] += b;
    if (punctured_[re] != 0) {
      std::copy_n(streams[1].data() + next[1], b, out);
      next[1] += b;
    }
  }
}

void UlschUciMultiplexer::demultiplex(std::span<float> llrs, std::array<UciFoldedLlrs, 3>& folded,
                                      unsigned one_bit_parts, std::uint32_t scrambling_init,
                                      const std::array<std::span<float>, 3>& coded,
                                      unsigned parts) const {
  const std::size_t b = bits_per_re_;
  const auto wanted = [parts](std::size_t p) { return ((parts >> p) & 1U) != 0; };
  if (llrs.size() != num_res_ * b) {
    throw std::invalid_argument(size_error("the codeword", llrs.size(), num_res_ * b));
  }
  const std::array<std::uint32_t, 4> planned = {sizes_.ulsch, sizes_.harq_ack, sizes_.csi_part1,
                                                sizes_.csi_part2};
  for (std::size_t p = 1; p < planned.size(); ++p) {
    if (!wanted(p)) {
      continue;
    }
    const bool short_block = folded[p - 1].length != 0;
    const bool polar = !coded[p - 1].empty();
    if (short_block && polar) {
      throw std::invalid_argument("UL-SCH/UCI demultiplexing: a UCI part with both a short "
                                  "block and polar-coded LLRs");
    }
    if (polar && coded[p - 1].size() != planned[p]) {
      throw std::invalid_argument(
          size_error("a polar-coded UCI part", coded[p - 1].size(), planned[p]));
    }
    if (!short_block && !polar && planned[p] != 0) {
      throw std::invalid_argument(
          "UL-SCH/UCI demultiplexing: no short block or LLRs for a planned UCI part");
    }
    if (short_block && planned[p] == 0) {
      throw std::invalid_argument(
          "UL-SCH/UCI demultiplexing: a short block for a UCI part without coded bits");
    }
    folded[p - 1].sum.fill(0.0);
  }
  const unsigned repeated = qm_ > 1 ? (one_bit_parts & 0xEU) : 0U; // UCI parts with "y"
  ScramblingWords scrambling(scrambling_init);
  std::array<std::size_t, 4> next{};
  std::size_t ulsch_end = 0; // the UL-SCH's LLRs written so far
  // Folds the LLRs of RE re into UCI part p.
  const auto fold = [&](std::size_t p, std::size_t re) {
    const float* in = llrs.data() + re * b;
    if (!coded[p - 1].empty()) {
      std::copy_n(in, b, coded[p - 1].data() + next[p]);
      next[p] += b;
      return;
    }
    UciFoldedLlrs& f = folded[p - 1];
    const bool with_y = ((repeated >> p) & 1U) != 0;
    std::size_t k = next[p] % f.length;
    for (std::size_t i = 0; i < b; ++i) {
      float v = in[i];
      if (with_y && i % qm_ == 1) {
        const std::size_t at = re * b + i;
        v = flip_llr_sign(v, scrambling.bit(at - 1) ^ scrambling.bit(at));
      }
      f.sum[k] += v;
      k = k + 1 == f.length ? 0 : k + 1;
    }
    next[p] += b;
  };
  // Folds the LLRs of \p count consecutive REs of part p from RE re, a part without "y": a
  // polar part's copied at once, a short block's added in runs of its period (the same sums in
  // the same order as fold(), without a branch per LLR).
  const auto fold_run = [&](std::size_t p, std::size_t re, std::size_t count) {
    const float* in = llrs.data() + re * b;
    const std::size_t n = count * b;
    if (!coded[p - 1].empty()) {
      std::copy_n(in, n, coded[p - 1].data() + next[p]);
      next[p] += n;
      return;
    }
    UciFoldedLlrs& f = folded[p - 1];
    std::size_t k = next[p] % f.length;
    for (std::size_t i = 0; i < n;) {
      const std::size_t chunk = std::min(n - i, f.length - k);
      for (std::size_t j = 0; j < chunk; ++j) {
        f.sum[k + j] += in[i + j];
      }
      i += chunk;
      k = k + chunk == f.length ? 0 : k + chunk;
    }
    next[p] += n;
  };
  for (std::size_t re = 0; re < num_res_; ++re) {
    const float* in = llrs.data() + re * b;
    if (owners_[re] == CodedReOwner::none) {
      continue; // nothing was sent here
    }
    const auto p = static_cast<std::size_t>(owners_[re]);
    if (punctured_[re] != 0) {
      if (wanted(1)) {
        fold(1, re); // before the UL-SCH's zeros may overwrite these LLRs
      }
      if (!wanted(p)) {
        continue;
      }
      if (p == 0) {
        std::fill_n(llrs.data() + ulsch_end, b, 0.0F);
        ulsch_end += b;
      } else {
        if (!coded[p - 1].empty()) {
          std::fill_n(coded[p - 1].data() + next[p], b, 0.0F);
        }
        next[p] += b; // CSI part 2 observes nothing here
      }
    } else if (!wanted(p)) {
      continue;
    } else if (p == 0) {
      // The run of UL-SCH REs that starts here moves at once (forward, towards the front).
      std::size_t end = re + 1;
      while (end < num_res_ && owners_[end] == CodedReOwner::ulsch && punctured_[end] == 0) {
        ++end;
      }
      const std::size_t count = (end - re) * b;
      if (ulsch_end != re * b) {
        std::memmove(llrs.data() + ulsch_end, in, count * sizeof(float));
      }
      ulsch_end += count;
      re = end - 1;
    } else if (((repeated >> p) & 1U) != 0) {
      fold(p, re); // "y" placeholders: per LLR
    } else {
      // The run of this part's REs that starts here (a UCI-only PUSCH's CSI is mostly runs).
      std::size_t end = re + 1;
      while (end < num_res_ && owners_[end] == owners_[re] && punctured_[end] == 0) {
        ++end;
      }
      fold_run(p, re, end - re);
      re = end - 1;
    }
  }
  if (wanted(0) && ulsch_end != planned[0]) {
    throw std::logic_error("UL-SCH/UCI demultiplexing: the plan gave the UL-SCH " +
                           std::to_string(ulsch_end) + " LLRs instead of " +
                           std::to_string(planned[0]));
  }
}

} // namespace airan::phy
