/// \file
/// \brief UlSlotProcessor's PRACH side: the slot's PRACH occasions registered with the PRACH
/// receiver, every slot's time-domain samples fed to it while occasions wait, and the
/// RACH.indications of the occasions that completed (an occasion that lost its samples, or that
/// the receiver could not hold, is reported without preambles so that the MAC hears back).
#include "airan/l1/ul_slot_processor.h"

#include "airan/io/fronthaul_timing.h"
#include "airan/io/oran_prach.h"
#include "airan/l1/slot_clock.h"

#include <algorithm>

namespace airan::l1 {

unsigned UlSlotProcessor::add_prach_occasions(const io::FapiSlotRequest& request,
                                              std::uint64_t absolute_slot) {
  unsigned refused = 0;
  std::uint16_t index = 0; // the sectionId the C-plane sender gives the occasion
  for (const io::FapiPrachOccasion& occasion : request.prach_occasions()) {
    const std::uint16_t section_id = index++;
    auto free = std::find_if(prach_entries_.begin(), prach_entries_.end(),
                             [](const PrachEntry& entry) { return !entry.used; });
    const std::uint64_t tag = next_prach_tag_++;
    const unsigned slots_per_frame = phy::slots_per_frame(cell_.numerology);
    // From 7.2x sections: the occasion must have a C-plane request (whose freqOffset the
    // section echoes).
    io::OranPrachRequestResult request;
    if (prach_from_sections_) {
      request =
          io::oran_prach_request(occasion.config, phy::carrier_numerology(cell_), cell_.num_prbs,
                                 static_cast<unsigned>(absolute_slot % slots_per_frame));
    }
    const std::string error =
        free == prach_entries_.end() ? std::string("no room")
        : !request.error.empty()
            ? "no 7.2x PRACH request: " + request.error
            : prach_receiver_.add_occasion(occasion.config, absolute_slot, tag);
    if (!error.empty()) {
      // Reported by the next process_prach() as an occasion without preambles.
      phy::PrachOccasionResult result;
      result.tag = tag;
      result.start_slot = absolute_slot;
      result.config = occasion.config;
      result.error = error;
      if (prach_refused_.size() < prach_refused_.capacity()) {
        prach_refused_.push_back({result, occasion});
      }
      ++refused;
      continue;
    }
    *free =
        PrachEntry{tag,
                   true,
                   occasion,
                   static_cast<unsigned>(absolute_slot % (std::uint64_t{io::oran_frames_per_cycle} *
                                                          slots_per_frame)),
                   section_id,
                   request.request.frequency_offset};
  }
  return refused;
}

void UlSlotProcessor::reset_prach() {
  prach_receiver_.reset();
  for (PrachEntry& entry : prach_entries_) {
    entry.used = false;
  }
  prach_refused_.clear();
}

bool UlSlotProcessor::prach_pending() const {
  return prach_receiver_.num_pending() > 0 || !prach_refused_.empty();
}

std::span<const io::FapiRachIndication> UlSlotProcessor::process_prach(std::uint64_t absolute_slot,
                                                                       const ReceivedSlot& samples,
                                                                       PrachOutcome& outcome) {
  prach_receiver_.recycle(prach_completed_); // the last call's results, their buffers kept
  if (prach_from_sections_) {
    take_prach_sections(absolute_slot, samples, outcome);
  } else if (prach_receiver_.num_pending() > 0) {
    // Only time-domain IQ holds the PRACH (a grid has the PUSCH numerology's subcarriers).
    const std::span<const phy::cf32> iq =
        samples.grid == nullptr ? samples.iq : std::span<const phy::cf32>{};
    prach_receiver_.process_slot(absolute_slot, iq, prach_completed_);
  }
  num_rach_ = 0;
  const unsigned slots_per_frame = phy::slots_per_frame(cell_.numerology);
  const auto report = [&](const phy::PrachOccasionResult& result,
                          const io::FapiPrachOccasion& occasion) {
    const FapiSlotAddress start = to_slot_address(result.start_slot, slots_per_frame);
    io::FapiRachIndication* target = nullptr;
    for (std::size_t i = 0; i < num_rach_; ++i) {
      if (rach_[i].sfn == start.sfn && rach_[i].slot == start.slot) {
        target = &rach_[i];
      }
    }
    if (target == nullptr) {
      if (num_rach_ == rach_.size()) {
        rach_.emplace_back(); // occasions of three start slots at once: not on the steady path
      }
      target = &rach_[num_rach_++];
      target->sfn = start.sfn;
      target->slot = start.slot;
      target->num_pdus = 0;
    }
    if (target->num_pdus < target->pdus.size()) {
      target->pdus[target->num_pdus++] = io::to_rach_pdu(
          occasion, result.detection, static_cast<std::uint8_t>(start.slot), rssi_scale_);
    }
    if (result.error.empty()) {
      ++outcome.num_occasions;
      outcome.num_preambles += static_cast<unsigned>(result.detection.preambles.size());
    } else {
      ++outcome.num_failed;
    }
  };
  for (const phy::PrachOccasionResult& result : prach_completed_) {
    auto entry = std::find_if(prach_entries_.begin(), prach_entries_.end(),
                              [&](const PrachEntry& e) { return e.used && e.tag == result.tag; });
    if (entry == prach_entries_.end()) {
      continue;
    }
    entry->used = false;
    report(result, entry->occasion);
  }
  for (const auto& [result, occasion] : prach_refused_) {
    report(result, occasion);
  }
  prach_refused_.clear();
  if (!report_rssi_) {
    for (std::size_t i = 0; i < num_rach_; ++i) {
      for (std::size_t p = 0; p < rach_[i].num_pdus; ++p) {
        rach_[i].pdus[p].avg_rssi = io::FapiRachPdu::invalid_u8;
      }
    }
  }
  return {rach_.data(), num_rach_};
}

void UlSlotProcessor::take_prach_sections(std::uint64_t absolute_slot, const ReceivedSlot& samples,
                                          PrachOutcome& outcome) {
  for (const ReceivedPrach& section : samples.prach) {
    const auto entry = std::find_if(prach_entries_.begin(), prach_entries_.end(), [&](auto& e) {
      return e.used && e.cycle_slot == section.cycle_slot && e.section_id == section.section_id &&
             e.occasion.config.start_symbol == section.start_symbol &&
             e.frequency_offset == section.frequency_offset;
    });
    if (entry == prach_entries_.end() ||
        !prach_receiver_.process_subcarriers(entry->tag, section.section, prach_completed_)) {
      ++outcome.num_unmatched_sections;
    }
  }
  if (absolute_slot > prach_section_grace_slots_) {
    prach_receiver_.fail_ended_before(absolute_slot - prach_section_grace_slots_,
                                      "the fronthaul did not deliver the occasion's PRACH section",
                                      prach_completed_);
  }
}

} // namespace airan::l1
