/// \file
/// \brief Data and control multiplexing on PUSCH (TS 38.212 6.2.7, without frequency hopping):
/// which data REs carry HARQ-ACK, CSI part 1, CSI part 2 and UL-SCH coded bits, and the
/// multiplexing (transmitter) and demultiplexing (receiver) of the codeword by that plan.
///
/// HARQ-ACK of more than 2 bits takes REs spread over the symbols from l(1) (the first symbol
/// after the first DMRS symbols) on; a HARQ-ACK of at most 2 bits instead punctures REs reserved
/// there for 2 bits, over UL-SCH or CSI part 2. CSI part 1 takes REs from the first symbol
/// without DMRS on, avoiding the reserved ones; CSI part 2 the REs left, reserved ones included;
/// the UL-SCH every RE left, DMRS symbols' data REs included. Each RE carries N_L Q_m
/// consecutive bits of the codeword. Without UL-SCH (sizes.ulsch 0, UCI only) the REs a short
/// HARQ-ACK punctures outside CSI part 2 are the HARQ-ACK's own, the data REs of DMRS symbols
/// carry nothing (CodedReOwner::none: zeros in the codeword, ignored when demultiplexing), and
/// no other RE may be left over.
#pragma once

#include "airan/phy/pusch_config.h"
#include "airan/phy/types.h"
#include "airan/phy/uci_coded_sizes.h"
#include "airan/phy/uci_short_block_code.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::phy {

struct PuschReMapping;

/// Which part of the codeword a data RE carries; none: no coded bit (a data RE of a DMRS symbol
/// on a PUSCH without UL-SCH, where UCI is never mapped: sent with zero power).
enum class CodedReOwner : std::uint8_t {
  ulsch = 0,
  harq_ack = 1,
  csi_part1 = 2,
  csi_part2 = 3,
  none = 4
};

/// The coded bits of each part of one PUSCH codeword (sizes of UciCodedSizes).
template <typename T> struct UciCodedParts {
  std::span<T> ulsch;
  std::span<T> harq_ack;
  std::span<T> csi_part1;
  std::span<T> csi_part2;
};

/// Plans and applies TS 38.212 6.2.7 for one PUSCH at a time. Sized at construction for the
/// largest PUSCH; plan() does not allocate.
class UlschUciMultiplexer {
public:
  /// \param max_data_res Most data REs of one layer of a PUSCH (12 x PRBs x symbols).
  explicit UlschUciMultiplexer(std::size_t max_data_res);

  /// Plans the data REs of \p mapping for the parts of \p sizes, for a HARQ-ACK of
  /// \p harq_ack_bits bits, N_L = \p num_layers and Q_m = \p qm.
  /// \throws std::invalid_argument when the PUSCH has more REs than the multiplexer was sized
  /// for, or the sizes do not fit its REs.
  void plan(const PuschReMapping& mapping, const UciCodedSizes& sizes, unsigned harq_ack_bits,
            unsigned num_layers, unsigned qm);

  /// The owner of each data RE of the last plan, in the order of the codeword.
  [[nodiscard]] std::span<const CodedReOwner> owners() const;
  /// True when a HARQ-ACK of at most 2 bits punctures data RE \p re of the last plan (then
  /// owners()[re] is the UL-SCH or CSI part 2, whose bits there are replaced).
  [[nodiscard]] bool punctured_by_harq_ack(std::size_t re) const { return punctured_[re] != 0; }
  /// Coded bits per RE, N_L Q_m, of the last plan.
  [[nodiscard]] unsigned bits_per_re() const { return bits_per_re_; }

  /// Writes the codeword (sizes.total bits) from the coded bits of each part (zeros on REs of no
  /// part, which the transmitter sends with zero power).
  /// \throws std::invalid_argument when the part sizes differ from the plan's.
  void multiplex(const UciCodedParts<const bit_t>& parts, std::span<bit_t> codeword) const;

  /// Splits the codeword's LLRs in place: the UL-SCH's LLRs move to the front of \p llrs
  /// (sizes.ulsch of them), with zeros (erasures) where a short HARQ-ACK punctures it. The LLRs
  /// of each UCI part CodedReOwner(p) either fold onto its short block (folded[p - 1], when its
  /// length is not 0) or, for a polar-coded part, are copied in order to coded[p - 1] (which then
  /// holds exactly the part's coded bits); a part with neither must have no coded bits. LLRs of
  /// a short HARQ-ACK's REs go to the HARQ-ACK, CSI part 2 gets no observation (0) there.
  /// \param scrambling_init When set, c_init of the codeword's scrambling: a part of 1 payload bit
  /// with Q_m > 1 (flagged in \p one_bit_parts, bit p for part CodedReOwner(p)) repeats the
  /// scrambled bit in its "y" placeholders, whose LLRs then become second observations of it.
  /// \param parts The parts to demultiplex, bit p for CodedReOwner(p) (all by default). Without
  /// the UL-SCH's bit \p llrs stay as they are, so that a later call (after a new plan, e.g. one
  /// that knows the size of CSI part 2 once CSI part 1 is decoded) can demultiplex the others;
  /// folded and coded of a part left out are neither checked nor touched.
  /// \throws std::invalid_argument when the sizes differ from the plan's.
  void demultiplex(std::span<float> llrs, std::array<UciFoldedLlrs, 3>& folded,
                   unsigned one_bit_parts = 0, std::uint32_t scrambling_init = 0,
                   const std::array<std::span<float>, 3>& coded = {},
                   unsigned parts = all_parts) const;

  /// Every part of demultiplex()'s \p parts.
  static constexpr unsigned all_parts = 0xFU;
  /// The bit of \p owner in demultiplex()'s \p parts.
  [[nodiscard]] static constexpr unsigned part_bit(CodedReOwner owner) {
    return 1U << static_cast<unsigned>(owner);
  }

private:
  std::size_t num_res_ = 0;
  unsigned bits_per_re_ = 0;
  unsigned qm_ = 0;
  UciCodedSizes sizes_;
  std::vector<CodedReOwner> owners_;
  std::vector<std::uint8_t> punctured_;
  std::vector<std::uint8_t> reserved_;    ///< Per RE of the current symbol.
  std::vector<std::uint32_t> candidates_; ///< RE indices of the current symbol.
};

} // namespace airan::phy
