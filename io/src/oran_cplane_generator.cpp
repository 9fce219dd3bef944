/// \file
/// \brief Uplink C-plane section type 1 frames from a slot's allocations.
#include "airan/io/oran_cplane_generator.h"

#include "airan/phy/numerology.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace airan::io {

namespace {

constexpr std::size_t max_prbs_per_section = 255;
constexpr std::uint32_t max_section_id = 0xFFF;

} // namespace

UplinkCplaneGenerator::UplinkCplaneGenerator(const UplinkCplaneConfig& config,
                                             std::size_t max_allocations)
    : config_(config), sequence_ids_(std::size_t{1} << 16, 0) {
  if (config.carrier_prbs == 0 || config.carrier_prbs > 0x3FF) {
    throw std::invalid_argument("uplink C-plane: carrier_prbs must be 1..1023");
  }
  if (!compressed_prb_size(config.compression)) {
    throw std::invalid_argument("uplink C-plane: unsupported udCompHdr");
  }
  const std::size_t overhead =
      ecpri_frame_header_size(config.ethernet) + cplane_message_size(CplaneSectionType::normal, 0);
  if (config.max_frame_size < overhead + cplane_type1_section_size) {
    throw std::invalid_argument("uplink C-plane: max_frame_size cannot hold one section");
  }
  max_sections_per_frame_ =
      std::min<std::size_t>(255, (config.max_frame_size - overhead) / cplane_type1_section_size);
  order_.reserve(max_allocations);
  sections_.reserve(max_sections_per_frame_);
}

bool UplinkCplaneGenerator::valid(const UplinkAllocation& a) const {
  return a.num_prbs >= 1 && a.start_prb + a.num_prbs <= config_.carrier_prbs &&
         a.num_symbols >= 1 && a.start_symbol + a.num_symbols <= phy::max_symbols_per_slot &&
         a.beam_id <= 0x7FFF;
}

CplaneGenerationResult UplinkCplaneGenerator::generate(
    const UplinkSlot& slot, std::span<const UplinkAllocation> allocations,
    std::span<std::uint8_t> buffer, std::span<std::span<const std::uint8_t>> frames,
    std::span<std::uint16_t> first_section_ids) {
  CplaneGenerationResult result;
  if (allocations.size() > order_.capacity()) {
    result.status = CplaneGenerationStatus::too_many_allocations;
    return result;
  }
  if (!first_section_ids.empty() && first_section_ids.size() < allocations.size()) {
    throw std::invalid_argument("uplink C-plane: first_section_ids is shorter than allocations");
  }
  for (std::size_t i = 0; i < allocations.size(); ++i) {
    if (!valid(allocations[i])) {
      result.status = CplaneGenerationStatus::invalid_allocation;
      result.allocation_index = i;
      return result;
    }
  }
  if (!fits_oran_timing_header({DataDirection::uplink, oran_payload_version, config_.filter_index,
                                slot.frame_id, slot.subframe_id, slot.slot_id, 0}) ||
      slot.subframe_id > 9) {
    result.status = CplaneGenerationStatus::invalid_timing;
    return result;
  }
  sections_.clear();
  order_.resize(allocations.size());
  for (std::size_t i = 0; i < order_.size(); ++i) {
    order_[i] = static_cast<std::uint32_t>(i);
  }
  const auto key = [&](std::uint32_t i) {
    const UplinkAllocation& a = allocations[i];
    return std::tuple(a.eaxc_id, a.start_symbol, a.start_prb, i);
  };
  std::sort(order_.begin(), order_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); });

  CplaneMessageHeader header;
  header.timing = {DataDirection::uplink,
                   oran_payload_version,
                   config_.filter_index,
                   slot.frame_id,
                   slot.subframe_id,
                   slot.slot_id,
                   0};
  header.section_type = CplaneSectionType::normal;
  header.compression = config_.compression;
  std::uint32_t next_section_id = 0;
  std::size_t offset = 0;

  // Writes sections_ as one frame of the given eAxC and start symbol.
  const auto emit = [&](std::uint16_t eaxc_id, std::uint8_t start_symbol) {
    header.timing.symbol_id = start_symbol;
    const std::size_t header_size = ecpri_frame_header_size(config_.ethernet);
    const std::size_t message_size = cplane_message_size(header.section_type, sections_.size());
    if (result.num_frames == frames.size()) {
      result.status = CplaneGenerationStatus::too_many_frames;
      return false;
    }
    if (buffer.size() - offset < header_size + message_size) {
      result.status = CplaneGenerationStatus::buffer_too_small;
      return false;
    }
    const auto frame = buffer.subspan(offset, header_size + message_size);
    if (write_cplane_message(frame.subspan(header_size), header, sections_) != message_size) {
      // Checked above (the timing) and by valid() (the sections): a frame left unwritten would
      // carry whatever the buffer held.
      result.status = CplaneGenerationStatus::invalid_allocation;
      return false;
    }
    EcpriMessageHeader ecpri;
    ecpri.type = EcpriMessageType::real_time_control;
    ecpri.eaxc_id = eaxc_id;
    ecpri.sequence = {sequence_ids_[eaxc_id]++, true, 0};
    write_ecpri_frame_header(frame, config_.ethernet, ecpri, message_size);
    frames[result.num_frames++] = frame;
    offset += frame.size();
    result.bytes_used = offset;
    sections_.clear();
    return true;
  };

  std::size_t run_begin = 0;
  while (run_begin < order_.size()) {
    const UplinkAllocation& first = allocations[order_[run_begin]];
    if (run_begin > 0 && allocations[order_[run_begin - 1]].eaxc_id != first.eaxc_id) {
      next_section_id = 0; // sectionId is unique per eAxC: each eAxC has its 4096
    }
    std::size_t run_end = run_begin;
    while (run_end < order_.size() && allocations[order_[run_end]].eaxc_id == first.eaxc_id &&
           allocations[order_[run_end]].start_symbol == first.start_symbol) {
      ++run_end;
    }
    for (std::size_t k = run_begin; k < run_end; ++k) {
      const UplinkAllocation& a = allocations[order_[k]];
      if (!first_section_ids.empty()) {
        first_section_ids[order_[k]] = static_cast<std::uint16_t>(next_section_id);
      }
      const bool whole_carrier = a.start_prb == 0 && a.num_prbs == config_.carrier_prbs &&
                                 config_.carrier_prbs > max_prbs_per_section;
      unsigned prb = a.start_prb;
      const unsigned end_prb = a.start_prb + a.num_prbs;
      while (prb < end_prb) {
        if (next_section_id > max_section_id) {
          result.status = CplaneGenerationStatus::too_many_sections;
          return result;
        }
        const unsigned count =
            whole_carrier ? 0 : std::min<unsigned>(end_prb - prb, max_prbs_per_section);
        CplaneSection section;
        section.section_id = static_cast<std::uint16_t>(next_section_id++);
        section.start_prb = static_cast<std::uint16_t>(prb);
        section.num_prbs = static_cast<std::uint8_t>(count);
        section.num_symbols = a.num_symbols;
        section.beam_id = a.beam_id;
        sections_.push_back(section);
        prb = whole_carrier ? end_prb : prb + count;
        if (sections_.size() == max_sections_per_frame_ &&
            !emit(first.eaxc_id, first.start_symbol)) {
          return result;
        }
      }
    }
    if (!sections_.empty() && !emit(first.eaxc_id, first.start_symbol)) {
      return result;
    }
    run_begin = run_end;
  }
  return result;
}

} // namespace airan::io
