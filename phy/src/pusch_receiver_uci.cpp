// PuschReceiver's UCI on PUSCH: demultiplexing the descrambled LLRs by the UlschUciMultiplexer's
// plan and decoding each UCI part; a CSI part 2 sized from CSI part 1 in two passes.
#include "pusch_receiver_impl.h"

#include <algorithm>
#include <utility>

namespace airan::phy::pusch_receiver_detail {
namespace {

constexpr unsigned ulsch_part = UlschUciMultiplexer::part_bit(CodedReOwner::ulsch);
constexpr unsigned harq_ack_part = UlschUciMultiplexer::part_bit(CodedReOwner::harq_ack);
constexpr unsigned csi_part1_part = UlschUciMultiplexer::part_bit(CodedReOwner::csi_part1);
constexpr unsigned csi_part2_part = UlschUciMultiplexer::part_bit(CodedReOwner::csi_part2);

/// Demultiplexes the UCI parts of \p parts (UlschUciMultiplexer::demultiplex()) from the
/// descrambled \p llrs of \p pdu by the lane multiplexer's plan for \p sizes, and decodes them
/// into \p uci as \p cfg codes them.
void demultiplex_parts(const PuschConfig& pdu, const PuschUciConfig& cfg,
                       const UciCodedSizes& sizes, std::span<float> llrs, Lane& lane,
                       PuschUciResult& uci, unsigned parts) {
  const unsigned qm = pdu.modulation_order();
  const std::array<std::uint32_t, 3> coded = {sizes.harq_ack, sizes.csi_part1, sizes.csi_part2};
  // A part without coded bits is not sent (a HARQ-ACK padded to 2 bits without room for it).
  const std::array<unsigned, 3> bits = {coded[0] != 0 ? cfg.harq_ack_bits : 0U,
                                        coded[1] != 0 ? cfg.csi_part1_bits : 0U,
                                        coded[2] != 0 ? cfg.csi_part2_bits : 0U};
  const auto wanted = [parts](std::size_t p) {
    return (parts & UlschUciMultiplexer::part_bit(static_cast<CodedReOwner>(p + 1))) != 0;
  };
  std::array<UciFoldedLlrs, 3> folded;
  std::array<std::span<float>, 3> polar_llrs;
  unsigned one_bit_parts = 0;
  std::size_t polar_used = 0;
  for (std::size_t p = 0; p < bits.size(); ++p) {
    if (!wanted(p)) {
      continue;
    }
    if (PuschUciConfig::polar_coded(bits[p])) {
      polar_llrs[p] = std::span<float>(lane.uci_llrs).subspan(polar_used, coded[p]);
      polar_used += coded[p];
    } else {
      folded[p].length = bits[p] != 0 ? uci_short_block_length(bits[p], qm) : 0;
    }
    if (bits[p] == 1) {
      one_bit_parts |= 1U << (p + 1);
    }
  }
  lane.multiplexer.demultiplex(llrs, folded, one_bit_parts,
                               pusch_scrambling_init(pdu.rnti, pdu.data_scrambling_id), polar_llrs,
                               parts);
  const std::array<BitVector*, 3> payloads = {&uci.harq_ack, &uci.csi_part1, &uci.csi_part2};
  const std::array<double*, 3> correlations = {
      &uci.harq_ack_correlation, &uci.csi_part1_correlation, &uci.csi_part2_correlation};
  const std::array<bool*, 3> detected = {&uci.harq_ack_detected, &uci.csi_part1_detected,
                                         &uci.csi_part2_detected};
  for (std::size_t p = 0; p < bits.size(); ++p) {
    if (!wanted(p)) {
      continue;
    }
    uci.ambiguous_parts &= ~(1U << p);
    payloads[p]->resize(bits[p]);
    *correlations[p] = 0.0;
    if (bits[p] == 0) {
      *detected[p] = false;
    } else if (PuschUciConfig::polar_coded(bits[p])) {
      *detected[p] = lane.uci_decoder.decode(polar_llrs[p], *payloads[p]); // every CRC holds
    } else {
      *correlations[p] = decode_uci_short_block(folded[p], qm, *payloads[p]);
      const bool ambiguous = bits[p] >= 3 && uci_short_block_rank(bits[p], coded[p]) < bits[p];
      *detected[p] = !ambiguous && uci_short_block_detected(bits[p], coded[p], *correlations[p]);
      uci.ambiguous_parts |= ambiguous ? 1U << p : 0U;
    }
  }
}

/// One plan and one pass, every part's size known; returns the UL-SCH's LLRs.
std::span<const float> demultiplex_known(const CellConfig& cell, const PuschConfig& pdu,
                                         std::uint32_t tbs, std::span<float> llrs, Lane& lane,
                                         PuschUciResult& uci) {
  const PuschUciConfig cfg = coded_uci_config(pdu); // a padded HARQ-ACK decoded as coded
  const UciCodedSizes sizes = pusch_coded_sizes(cell, pdu, tbs);
  lane.multiplexer.plan(make_pusch_re_mapping(cell, pdu), sizes, cfg.harq_ack_bits, pdu.num_layers,
                        pdu.modulation_order());
  demultiplex_parts(pdu, cfg, sizes, llrs, lane, uci, UlschUciMultiplexer::all_parts);
  if (cfg.harq_ack_bits != pdu.uci.harq_ack_bits) {
    // The padding bits are not the UE's: report its own bits (none: nothing detected).
    uci.harq_ack.resize(pdu.uci.harq_ack_bits);
    uci.harq_ack_detected = uci.harq_ack_detected && pdu.uci.harq_ack_bits != 0;
    uci.harq_ack_correlation = pdu.uci.harq_ack_bits != 0 ? uci.harq_ack_correlation : 0.0;
  }
  uci.decoded = true;
  return llrs.first(sizes.ulsch);
}

/// True when the bits of \p uci's CSI part 1 are the UE's as far as the receiver can tell: a
/// polar-coded part whose CRCs hold, or a short block (its ML decision; "detected" only says
/// whether it stands out of noise).
bool csi_part1_usable(const PuschUciResult& uci) {
  return uci.csi_part1_detected ||
         (!uci.csi_part1.empty() && (uci.ambiguous_parts & 2U) == 0 &&
          !PuschUciConfig::polar_coded(static_cast<unsigned>(uci.csi_part1.size())));
}

/// The least O_CSI-2 that \p sizing can give with \p maps.
unsigned least_part2_bits(const CsiPart2Sizing& sizing, std::span<const CsiPart2SizeMap> maps) {
  unsigned least = 0;
  for (const CsiPart2SizeRule& rule : sizing.used_reports()) {
    least += std::ranges::min(maps[rule.map_index].part2_bits);
  }
  return least;
}

void clear_csi_part2(PuschUciResult& uci) {
  uci.ambiguous_parts &= ~4U;
  uci.csi_part2.clear();
  uci.csi_part2_detected = false;
  uci.csi_part2_correlation = 0.0;
}

/// CSI part 2 sized from part 1 (csi_part2_sizing.h): HARQ-ACK and CSI part 1 first, then CSI
/// part 2 and the UL-SCH with the size part 1 gives.
UciDemultiplexed demultiplex_sized(const CellConfig& cell, const PuschConfig& pdu,
                                   std::uint32_t tbs, std::span<float> llrs, Lane& lane,
                                   std::span<const CsiPart2SizeMap> maps, PuschUciResult& uci) {
  const CsiPart2Sizing& sizing = pdu.uci.csi_part2_sizing;
  const PuschUciConfig cfg = coded_uci_config(pdu); // with CSI part 2: a HARQ-ACK as it is
  const unsigned qm = pdu.modulation_order();
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pdu);
  // With CSI part 2 present, HARQ-ACK and CSI part 1 take the same REs whatever its size (TS
  // 38.212 6.3.2.4, 6.2.7): they come first, with the LLRs left in place.
  PuschConfig sized = pdu;
  sized.uci.csi_part2_bits = 0;
  UciCodedSizes sizes = pusch_coded_sizes(cell, sized, tbs);
  lane.multiplexer.plan(mapping, sizes, cfg.harq_ack_bits, pdu.num_layers, qm);
  demultiplex_parts(sized, cfg, sizes, llrs, lane, uci, harq_ack_part | csi_part1_part);
  uci.decoded = true;
  const bool usable = csi_part1_usable(uci);
  const unsigned part2 = usable ? csi_part2_bits_from_part1(uci.csi_part1, sizing, maps) : 0;
  const bool present_holds = usable && part2 != 0;
  if (!pdu.ulsch && least_part2_bits(sizing, maps) == 0) {
    // Without UL-SCH, a UE whose part 1 asks for no part 2 has none, and then gave CSI part 1
    // every RE (a short HARQ-ACK padded to 2 bits): decode that too and keep what holds (for
    // short blocks both may seem to: the one whose part 1 agrees better with its LLRs).
    PuschConfig alone = pdu;
    alone.uci.csi_part2_sizing = {};
    PuschUciResult& other = lane.other_uci;
    demultiplex_known(cell, alone, 0, llrs, lane, other);
    const bool absent_holds =
        csi_part1_usable(other) && csi_part2_bits_from_part1(other.csi_part1, sizing, maps) == 0;
    if (absent_holds &&
        (!present_holds || (!PuschUciConfig::polar_coded(pdu.uci.csi_part1_bits) &&
                            other.csi_part1_correlation > uci.csi_part1_correlation))) {
      std::swap(uci, other);
      clear_csi_part2(uci);
      return {};
    }
  }
  if (!usable || (!pdu.ulsch && part2 == 0)) {
    // Part 2's size is unknown (part 1 failed), or part 1 contradicts itself (it asks for no part
    // 2, yet was not sent as a part 1 without one): no part 2 to report.
    uci.csi_part1_detected = false;
    clear_csi_part2(uci);
    if (!pdu.ulsch) {
      return {};
    }
    // The UL-SCH's rate matching is known only when every part 2 size leaves it the same (the
    // alpha cap taken, say); otherwise its TB is not decoded.
    sized.uci.csi_part2_bits = least_part2_bits(sizing, maps);
    const UciCodedSizes least = pusch_coded_sizes(cell, sized, tbs);
    unsigned most_bits = 0;
    for (const CsiPart2SizeRule& rule : sizing.used_reports()) {
      most_bits += std::ranges::max(maps[rule.map_index].part2_bits);
    }
    sized.uci.csi_part2_bits = most_bits;
    if (pusch_coded_sizes(cell, sized, tbs).ulsch != least.ulsch || least.ulsch == 0) {
      return {.ulsch_llrs = {}, .ulsch_known = false};
    }
    lane.multiplexer.plan(mapping, least, cfg.harq_ack_bits, pdu.num_layers, qm);
    demultiplex_parts(sized, cfg, least, llrs, lane, uci, ulsch_part);
    return {.ulsch_llrs = llrs.first(least.ulsch), .ulsch_known = true};
  }
  sized.uci.csi_part2_bits = part2;
  sizes = pusch_coded_sizes(cell, sized, tbs);
  if (pdu.ulsch && sizes.ulsch == 0) {
    clear_csi_part2(uci); // a part 2 that leaves the UL-SCH nothing: no valid transmission
    return {.ulsch_llrs = {}, .ulsch_known = false};
  }
  lane.multiplexer.plan(mapping, sizes, cfg.harq_ack_bits, pdu.num_layers, qm);
  PuschUciConfig part2_cfg = cfg;
  part2_cfg.csi_part2_bits = part2;
  const bool decodable =
      sizes.csi_part2 != 0 &&
      (!PuschUciConfig::polar_coded(part2) || uci_polar_size_error(part2, sizes.csi_part2).empty());
  demultiplex_parts(sized, part2_cfg, sizes, llrs, lane, uci,
                    ulsch_part | (decodable ? csi_part2_part : 0U));
  if (!decodable) {
    clear_csi_part2(uci); // no room for the part 2 that part 1 asks for: the UE sent none
  }
  return {.ulsch_llrs = llrs.first(sizes.ulsch), .ulsch_known = true};
}

} // namespace

UciDemultiplexed demultiplex_uci(const CellConfig& cell, const PuschConfig& pdu, std::uint32_t tbs,
                                 std::span<float> llrs, Lane& lane,
                                 std::span<const CsiPart2SizeMap> maps, PuschUciResult& uci) {
  uci.ambiguous_parts = 0;
  if (!pdu.uci.csi_part2_sizing.empty()) {
    return demultiplex_sized(cell, pdu, tbs, llrs, lane, maps, uci);
  }
  return {.ulsch_llrs = demultiplex_known(cell, pdu, tbs, llrs, lane, uci), .ulsch_known = true};
}

} // namespace airan::phy::pusch_receiver_detail
