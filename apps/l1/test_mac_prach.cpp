/// \file
/// \brief The test MAC's PRACH: the PRACH PDU of each PRACH slot with its UEs' preambles (a
/// preamble, an occasion and a delay per UE, drawn where the pattern says random, never a preamble
/// another UE sends in that occasion), and the checks of each RACH.indication: every PDU answers
/// an occasion asked for (cell, slot, symbol, FD occasion), each reported preamble is scored
/// detected, wrong TA or false, and each preamble sent but not reported is missed.
#include "test_mac_run.h"

#include "airan/io/fapi_prach_conversion.h"

#include <bitset>
#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>

namespace airan::l1::test_mac_detail {
namespace {

/// Stream of the PRACH draws of a slot (apps::derive_seed's last index).
constexpr std::uint64_t prach_draw_stream = 0x9ACC;

/// The \p k-th preamble (from 0) not in \p taken.
unsigned prach_free_preamble(const std::bitset<phy::prach_preambles_per_occasion>& taken,
                             std::uint64_t k) {
  for (unsigned p = 0; p < phy::prach_preambles_per_occasion; ++p) {
    if (!taken[p] && k-- == 0) {
      return p;
    }
  }
  throw std::logic_error("test MAC: no free PRACH preamble"); // the pattern has at most 64 UEs
}

} // namespace

void TestMacRun::schedule_prach(std::uint64_t absolute_slot, std::uint64_t pattern_slot) {
  prach_tx_.clear();
  // The PRACH slots are the pattern's (its UEs' slots and the PRB checks use the same count);
  // the occasions' layouts in the slot follow the slot's number in its frame (the generator's
  // and the L1's absolute_slot).
  if (!pattern_.prach || pattern_slot >= pattern_.num_slots ||
      !pattern_.prach->prach_slot(pattern_slot)) {
    return;
  }
  const PatternPrach& prach = *pattern_.prach;
  const unsigned occasions = prach.occasions_per_slot;
  ul_tti_->prach[0] = io::to_fapi_prach_pdu(prach.config, 0, static_cast<std::uint8_t>(occasions),
                                            pattern_.cell.n_cell_id);
  ul_tti_->num_prach = 1;
  ++report_.prach_pdus;
  report_.prach_occasions += occasions;
  for (unsigned i = 0; i < occasions; ++i) {
    rach_occasions_[{absolute_slot, prach.occasion(i).start_symbol}] = {};
  }
  prach_iq_end_ = std::max(prach_iq_end_, absolute_slot + prach.span_slots);
  std::mt19937_64 rng(apps::derive_seed(pattern_.seed, pattern_slot, prach_draw_stream));
  std::vector<std::bitset<phy::prach_preambles_per_occasion>> taken(occasions);
  // The fixed preambles first (the pattern keeps them apart), then the random ones around them.
  for (const bool fixed : {true, false}) {
    for (std::size_t u = 0; u < pattern_.ues.size(); ++u) {
      const PatternUe& ue = pattern_.ues[u];
      if (!ue.prach || ue.prach->preamble.has_value() != fixed ||
          (pattern_slot + ue.period_slots - ue.offset_slots) % ue.period_slots != 0) {
        continue;
      }
      PrachTransmission tx;
      tx.ue = u;
      tx.occasion =
          ue.prach->occasion ? *ue.prach->occasion : static_cast<unsigned>(rng() % occasions);
      auto& used = taken[tx.occasion];
      tx.preamble = fixed ? *ue.prach->preamble
                          : prach_free_preamble(used, rng() % (used.size() - used.count()));
      used.set(tx.preamble);
      tx.delay_s = ue.prach->delay_s
                       ? *ue.prach->delay_s
                       : std::uniform_real_distribution<double>(0.0, prach.max_delay_s)(rng);
      tx.amplitude = static_cast<float>(std::pow(10.0, ue.prach->power_db / 20.0));
      prach_tx_.push_back(tx);
      rach_occasions_[{absolute_slot, prach.occasion(tx.occasion).start_symbol}]
          .preambles.push_back({u, tx.preamble, tx.delay_s});
      ++report_.preambles_sent;
    }
  }
}

void TestMacRun::on_rach(const io::FapiRachIndication& indication) {
  const std::uint64_t slot = absolute_of(indication.sfn, indication.slot);
  const double unit = prach_timing_advance_unit_s(pattern_.cell.numerology);
  const double spread = pattern_.prach ? pattern_.prach->channel_spread_s : 0.0;
  std::ostringstream line;
  char head[64];
  std::snprintf(head, sizeof(head),
                "slot %6llu (SFN %4u.%-2u) RACH:", static_cast<unsigned long long>(slot),
                indication.sfn, indication.slot);
  line << head;
  for (const io::FapiRachPdu& pdu : indication.entries()) {
    const std::string where = "RACH.indication of slot " + std::to_string(slot) + " symbol " +
                              std::to_string(pdu.symbol_index);
    const auto found = rach_occasions_.find({slot, pdu.symbol_index});
    if (found == rach_occasions_.end()) {
      mismatch(where + ": no PRACH occasion was asked for there (or it was reported twice)");
      continue;
    }
    const ExpectedRachOccasion expected = std::move(found->second);
    rach_occasions_.erase(found);
    ++report_.prach_reports;
    if (pdu.phys_cell_id != pattern_.cell.n_cell_id || pdu.slot_index != indication.slot ||
        pdu.freq_index != 0) {
      mismatch(where + ": physCellID " + std::to_string(pdu.phys_cell_id) + ", SlotIndex " +
               std::to_string(pdu.slot_index) + ", FreqIndex " + std::to_string(pdu.freq_index) +
               ", expected " + std::to_string(pattern_.cell.n_cell_id) + ", " +
               std::to_string(indication.slot) + ", 0");
    }
    line << " sym " << unsigned{pdu.symbol_index} << ':';
    std::vector<bool> matched(expected.preambles.size(), false);
    for (const io::FapiRachPreamble& reported : pdu.preamble_entries()) {
      std::size_t i = 0;
      while (i < expected.preambles.size() &&
             (matched[i] || expected.preambles[i].preamble != reported.preamble_index)) {
        ++i;
      }
      if (i == expected.preambles.size()) {
        ++report_.preambles_false;
        line << " #" << unsigned{reported.preamble_index} << " FALSE";
        continue;
      }
      matched[i] = true;
      const double delay = expected.preambles[i].delay_s;
      const double ta = reported.timing_advance;
      const bool valid = reported.timing_advance != io::FapiRachPreamble::invalid_timing_advance;
      if (valid) {
        report_.prach_ta_error_max =
            std::max(report_.prach_ta_error_max, std::abs(ta - delay / unit));
      }
      const bool right = valid && ta >= delay / unit - 1.0 && ta <= (delay + spread) / unit + 1.0;
      (right ? report_.preambles_detected : report_.preambles_wrong_ta) += 1;
      char entry[64];
      std::snprintf(entry, sizeof(entry), " #%u TA %u (%.1f)%s", unsigned{reported.preamble_index},
                    unsigned{reported.timing_advance}, delay / unit, right ? "" : " WRONG-TA");
      line << entry;
    }
    for (std::size_t i = 0; i < expected.preambles.size(); ++i) {
      if (!matched[i]) {
        ++report_.preambles_missed;
        line << " #" << expected.preambles[i].preamble << " MISSED";
      }
    }
  }
  expire_rach(slot);
  if (options_.log != nullptr && options_.per_slot_lines) {
    *options_.log << line.str() << '\n';
  }
}

void TestMacRun::expire_rach(std::uint64_t slot) {
  for (auto it = rach_occasions_.begin(); it != rach_occasions_.end() && it->first.first < slot;) {
    mismatch("no RACH.indication PDU for the PRACH occasion of slot " +
             std::to_string(it->first.first) + " symbol " + std::to_string(it->first.second));
    report_.preambles_missed += it->second.preambles.size();
    it = rach_occasions_.erase(it);
  }
}

} // namespace airan::l1::test_mac_detail
