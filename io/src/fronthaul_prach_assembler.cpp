/// \file
/// \brief FronthaulPrachAssembler: construction, and the O-RU's PRACH U-plane messages into the
/// occasions the C-plane asked for (coverage, duplicates, complete dispatch). The expectations,
/// the entry pool, deadlines and the consumer queue are in fronthaul_prach_expectations.cpp.
#include "airan/io/fronthaul_address_filter.h"

#include "fronthaul_prach_entry.h"

#include <stdexcept>

namespace airan::io {
namespace {

/// Entries beyond max_occasions: room for dispatched occasions the consumer has not taken.
constexpr std::size_t prach_extra_entries = 2;

void check_prach_arguments(const phy::CellConfig& cell, unsigned num_rx,
                           const FronthaulConfig& config, unsigned max_occasions) {
  if (const auto error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("FronthaulPrachAssembler: cell: " + error);
  }
  if (const auto error = config.validate(); !error.empty()) {
    throw std::invalid_argument("FronthaulPrachAssembler: " + error);
  }
  if (num_rx < 1 || num_rx > 16) {
    throw std::invalid_argument("FronthaulPrachAssembler: 1 .. 16 receive antennas");
  }
  if (const std::string error = config.check_prach_ru_ports_apart(num_rx); !error.empty()) {
    throw std::invalid_argument("FronthaulPrachAssembler: " + error);
  }
  if (max_occasions < 1) {
    throw std::invalid_argument("FronthaulPrachAssembler: max_occasions must be at least 1");
  }
  if (std::size_t{config.prach_first_ru_port(num_rx)} + num_rx >
      (std::size_t{1} << config.eaxc_layout.ru_port_bits)) {
    throw std::invalid_argument("FronthaulPrachAssembler: the PRACH RU ports do not fit the RU "
                                "port field");
  }
}

/// Whether this code decodes \p compression (IqCompressor: none at width 16, BFP 1 .. 16).
bool prach_decodable(const IqCompression& compression) {
  return (compression.method == CompressionMethod::none && compression.iq_width == 16) ||
         (compression.method == CompressionMethod::block_floating_point &&
          compression.iq_width >= 1 && compression.iq_width <= 16);
}

/// The filterIndex of the IQ-data message a frame that did not parse starts with, when the
/// Ethernet header, the eCPRI headers and the message's timing header are all there (a PRACH
/// frame cut short is still recognised); nullopt otherwise.
std::optional<std::uint8_t> unparsed_frame_filter_index(std::span<const std::uint8_t> frame) {
  constexpr std::size_t ethertype_offset = 12;
  constexpr std::uint16_t vlan_tpid = 0x8100;
  constexpr std::uint16_t ecpri_ethertype = 0xAEFE;
  const auto be16 = [&](std::size_t offset) {
    return static_cast<std::uint16_t>((frame[offset] << 8) | frame[offset + 1]);
  };
  std::size_t offset = ethertype_offset;
  if (frame.size() < offset + 2) {
    return std::nullopt;
  }
  if (be16(offset) == vlan_tpid) {
    offset += 4;
    if (frame.size() < offset + 2) {
      return std::nullopt;
    }
  }
  if (be16(offset) != ecpri_ethertype) {
    return std::nullopt;
  }
  const std::size_t ecpri = offset + 2;
  const std::size_t timing = ecpri + ecpri_common_header_size + ecpri_transport_header_size;
  if (frame.size() < timing + oran_timing_header_size ||
      (frame[ecpri] >> 4) != ecpri_protocol_revision ||
      frame[ecpri + 1] != static_cast<std::uint8_t>(EcpriMessageType::iq_data)) {
    return std::nullopt;
  }
  return read_oran_timing_header(frame.data() + timing).filter_index;
}

} // namespace

FronthaulPrachAssembler::FronthaulPrachAssembler(const phy::CellConfig& cell,
                                                 unsigned num_rx_antennas,
                                                 const FronthaulConfig& config,
                                                 unsigned max_occasions,
                                                 std::size_t max_prb_periods)
    : cell_((check_prach_arguments(cell, num_rx_antennas, config, max_occasions), cell)),
      num_rx_(num_rx_antennas), config_(config), clock_(cell.numerology, cell.cyclic_prefix),
      numerology_(phy::carrier_numerology(cell)), compressor_(create_iq_compressor()),
      max_occasions_(max_occasions) {
  entries_.resize(max_occasions + prach_extra_entries);
  for (Entry& entry : entries_) {
    entry.received.assign(std::size_t{num_rx_} * prach_max_periods * prach_coverage_words, 0);
  }
  // The pending occasions' PRB-periods, and the largest occasion for each extra entry.
  arena_units_ = (max_prb_periods == 0 ? std::size_t{max_occasions} * prach_max_prb_periods
                                       : max_prb_periods) +
                 prach_extra_entries * prach_max_prb_periods;
  arena_.assign(arena_units_ * num_rx_ * phy::subcarriers_per_prb, phy::cf32{});
  arena_used_.assign((arena_units_ + 63) / 64, 0);
  ready_queue_.assign(entries_.size(), 0);
}

FronthaulPrachAssembler::~FronthaulPrachAssembler() = default;

bool FronthaulPrachAssembler::push(std::span<const std::uint8_t> ethernet_frame,
                                   std::int64_t /*arrival_ns*/) {
  if (match_frame_address(ethernet_frame, config_) != FrameAddressMatch::ours) {
    return false; // FronthaulSlotAssembler counts it
  }
  const auto parsed = parse_ecpri_frame(ethernet_frame);
  if (!parsed.ok()) {
    if (const auto filter = unparsed_frame_filter_index(ethernet_frame); filter && *filter != 0) {
      ++counters_.messages;
      ++counters_.malformed;
    }
    return false;
  }
  // A broken chain's rest is not known to be PRACH: FronthaulSlotAssembler counts it.
  bool prach = false;
  for_each_ecpri_message(ethernet_frame, parsed.frame, [&](const EcpriMessageView& message) {
    prach = handle_message(message) || prach;
  });
  return prach;
}

bool FronthaulPrachAssembler::handle_message(const EcpriMessageView& message) {
  const std::span<const std::uint8_t> payload = message.application_payload;
  if (message.header.type != EcpriMessageType::iq_data ||
      payload.size() < oran_timing_header_size) {
    return false; // C-plane, or too short to tell: FronthaulSlotAssembler's
  }
  const OranTimingHeader timing = read_oran_timing_header(payload.data());
  if (timing.filter_index == 0) {
    return false; // PUSCH data
  }
  ++counters_.messages;
  if (!message.header.sequence.last_fragment || message.header.sequence.subsequence_id != 0) {
    ++counters_.malformed; // transport-layer fragments are not reassembled
    return false;
  }
  const auto antenna = prach_antenna(message.header.eaxc_id);
  if (!antenna) {
    ++counters_.unknown_eaxc;
    return false;
  }
  // The slot of the occasion: symbolId = startSymbolId + period may pass the slot's symbols.
  OranTimingHeader slot_timing = timing;
  slot_timing.symbol_id = 0;
  const auto cycle_slot = clock_.cycle_slot(slot_timing);
  if (!cycle_slot) {
    ++counters_.malformed;
    return false;
  }
  // numPrbu 0 stands for the section's numPrbc: the "carrier" of a PRACH section is its
  // request, known from the first section's sectionId (the most there can be when unknown).
  UplaneFormat format;
  format.compression = config_.compression;
  format.ud_comp_hdr_present = config_.dynamic_compression_header;
  format.carrier_prbs = prach_max_section_prbs;
  if (payload.size() >= oran_timing_header_size + 2) {
    const auto first_id = static_cast<std::uint16_t>((payload[oran_timing_header_size] << 4) |
                                                     (payload[oran_timing_header_size + 1] >> 4));
    if (const Entry* entry = find_pending(*cycle_slot, first_id); entry != nullptr) {
      format.carrier_prbs = entry->num_prbs;
    }
  }
  const auto uplane = parse_uplane_message(payload, format);
  if (uplane.status == UplaneParseStatus::prbs_outside_carrier) {
    ++counters_.outside_section; // PRBs past the section's numPrbc
    return false;
  }
  if (!uplane.ok()) {
    ++counters_.malformed;
    return false;
  }
  if (timing.direction != DataDirection::uplink) {
    counters_.unexpected += uplane.message.num_sections; // no occasion is downlink
    return false;
  }
  for (const auto& section : uplane.message.sections) {
    if (!prach_decodable(section.compression)) {
      ++counters_.malformed;
      return false;
    }
  }
  bool written = false;
  unsigned symbol = timing.symbol_id;
  for (const auto& section : uplane.message.sections) {
    symbol += section.header.symbol_increment ? 1 : 0;
    written = write_section(*cycle_slot, *antenna, symbol, timing.filter_index, section) || written;
  }
  return written;
}

bool FronthaulPrachAssembler::write_section(unsigned cycle_slot, unsigned antenna, unsigned symbol,
                                            std::uint8_t filter_index,
                                            const UplaneSectionView& section) {
  Entry* entry = find_pending(cycle_slot, section.header.section_id);
  if (entry == nullptr || entry->occasion.filter_index != filter_index) {
    ++counters_.unexpected;
    return false;
  }
  AssembledPrach& occasion = entry->occasion;
  const unsigned stride = section.header.every_other_prb ? 2 : 1;
  const unsigned start = section.header.start_prb;
  const unsigned last = start + (section.num_prbs - 1) * stride;
  if ((entry->antennas & (1U << antenna)) == 0 || symbol < occasion.start_symbol ||
      symbol - occasion.start_symbol >= occasion.num_periods || last >= entry->num_prbs) {
    ++counters_.outside_section;
    return false;
  }
  const unsigned period = symbol - occasion.start_symbol;
  phy::cf32* row =
      entry->values + (std::size_t{antenna} * occasion.num_periods + period) * occasion.num_res;
  constexpr unsigned res_per_prb = phy::subcarriers_per_prb;
  if (stride == 1) {
    compressor_->decompress(section.prbs, section.compression, config_.full_scale,
                            std::span(row + std::size_t{start} * res_per_prb,
                                      std::size_t{section.num_prbs} * res_per_prb));
  } else {
    const std::size_t prb_bytes = section.prbs.size() / section.num_prbs;
    for (unsigned k = 0; k < section.num_prbs; ++k) {
      compressor_->decompress(
          section.prbs.subspan(k * prb_bytes, prb_bytes), section.compression, config_.full_scale,
          std::span(row + std::size_t{start + k * stride} * res_per_prb, std::size_t{res_per_prb}));
    }
  }
  std::uint64_t* bits = entry->coverage(antenna, period);
  unsigned fresh = 0;
  for (unsigned k = 0; k < section.num_prbs; ++k) {
    const unsigned prb = start + k * stride;
    const std::uint64_t mask = std::uint64_t{1} << (prb % 64);
    if ((bits[prb / 64] & mask) == 0) {
      bits[prb / 64] |= mask;
      ++fresh;
    }
  }
  entry->prbs_received += fresh;
  counters_.prbs += fresh;
  counters_.duplicate_prbs += section.num_prbs - fresh;
  if (entry->prbs_received == entry->expected_prbs()) {
    dispatch(*entry);
  }
  return true;
}

} // namespace airan::io
