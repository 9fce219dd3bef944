/// \file
/// \brief FronthaulSlotAssembler: construction, per-packet checks and the slot clock. The slot
/// pool and dispatch are in fronthaul_slot_pool.cpp, writing sections into a slot and the
/// AssembledSlot queries in fronthaul_slot_writer.cpp.
#include "airan/io/fronthaul_slot_assembler.h"

#include "airan/io/fronthaul_address_filter.h"

#include "fronthaul_slot_accounting.h"

#include <algorithm>
#include <stdexcept>

namespace airan::io {
namespace {

constexpr std::size_t extra_buffers = 2;

/// |a - b| without overflow (any two arrival times a caller may pass).
std::uint64_t distance(std::int64_t a, std::int64_t b) {
  const auto ua = static_cast<std::uint64_t>(a);
  const auto ub = static_cast<std::uint64_t>(b);
  return a > b ? ua - ub : ub - ua;
}

FronthaulLinkConfig make_link(const phy::CellConfig& cell, const FronthaulConfig& config,
                              unsigned max_units) {
  FronthaulLinkConfig link;
  link.eaxc_layout = config.eaxc_layout;
  link.uplane.compression = config.compression;
  link.uplane.ud_comp_hdr_present = config.dynamic_compression_header;
  link.uplane.carrier_prbs = static_cast<std::uint16_t>(
      config.mode == FronthaulIngestMode::frequency_domain ? cell.num_prbs : max_units);
  return link;
}

/// FronthaulSlotAssembler::reorder_window_slots(): the deadline's slots (rounded up) +
/// max_slots_in_flight + 3, at most half a frameId cycle (a slot further back resolves forward).
std::int64_t reorder_window(const FronthaulConfig& config, const FronthaulSlotClock& clock) {
  const std::int64_t slot_ns = clock.slot_duration_ns();
  const std::int64_t deadline_slots =
      config.slot_deadline_ns / slot_ns + (config.slot_deadline_ns % slot_ns != 0 ? 1 : 0);
  return std::min(deadline_slots + std::int64_t{config.max_slots_in_flight} + 3,
                  std::int64_t{clock.slots_per_cycle()} / 2);
}

void check_arguments(const phy::CellConfig& cell, unsigned num_rx, const FronthaulConfig& config) {
  if (const auto error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("FronthaulSlotAssembler: cell: " + error);
  }
  if (const auto error = config.validate(); !error.empty()) {
    throw std::invalid_argument("FronthaulSlotAssembler: " + error);
  }
  if (const auto error = config.validate_carrier(cell); !error.empty()) {
    throw std::invalid_argument("FronthaulSlotAssembler: " + error);
  }
  if (num_rx < 1 || num_rx > 16) {
    throw std::invalid_argument("FronthaulSlotAssembler: 1 .. 16 receive antennas");
  }
  if ((std::size_t{1} << config.eaxc_layout.ru_port_bits) < num_rx) {
    throw std::invalid_argument("FronthaulSlotAssembler: the RU port field is too narrow for the "
                                "receive antennas");
  }
}

} // namespace

FronthaulSlotAssembler::FronthaulSlotAssembler(const phy::CellConfig& cell,
                                               unsigned num_rx_antennas,
                                               const FronthaulConfig& config)
    : cell_((check_arguments(cell, num_rx_antennas, config), cell)), num_rx_(num_rx_antennas),
      config_(config), clock_(cell.numerology, cell.cyclic_prefix),
      numerology_(phy::carrier_numerology(cell)), compressor_(create_iq_compressor()),
      epoch_(config.epoch_ns), dispatched_(reorder_window(config, clock_)) {
  const unsigned symbols = clock_.symbols_per_slot();
  unsigned max_units = 0;
  std::size_t max_slot_samples = 0;
  for (unsigned slot = 0; slot < std::min(4U, clock_.slots_per_frame()); ++slot) {
    for (unsigned l = 0; l < symbols; ++l) {
      max_units = std::max(max_units, units_in_symbol(slot, l));
    }
    max_slot_samples = std::max<std::size_t>(max_slot_samples, numerology_.slot_length(slot));
  }
  link_ = make_link(cell_, config_, max_units);
  const bool time_domain = config_.mode == FronthaulIngestMode::time_domain;

  slots_.resize(config_.max_slots_in_flight + extra_buffers);
  for (auto& slot : slots_) {
    slot.mode = config_.mode;
    slot.num_rx_ = num_rx_;
    slot.num_symbols_ = symbols;
    slot.words_per_row_ = (max_units + 63) / 64;
    slot.units_per_symbol_.assign(symbols, 0);
    slot.symbol_sample_offset_.assign(symbols + 1, 0);
    slot.received_count_.assign(std::size_t{num_rx_} * symbols, 0);
    slot.received_bits_.assign(std::size_t{num_rx_} * symbols * slot.words_per_row_, 0);
    if (time_domain) {
      slot.iq.reserve(max_slot_samples * num_rx_);
      slot.iq.resize(max_slot_samples * num_rx_);
      slot.iq_fft_size = numerology_.fft_size();
    } else {
      slot.grid = phy::ResourceGrid(num_rx_, symbols, phy::subcarriers_per_prb * cell_.num_prbs);
    }
  }
  state_.assign(slots_.size(), BufferState::free);
  ready_queue_.assign(slots_.size(), 0);
  last_sequence_id_.assign(num_rx_, -1);
  scratch_.assign(phy::subcarriers_per_prb, {});
  allocate_requests(); // C-plane requests: frequency domain only
}

FronthaulSlotAssembler::~FronthaulSlotAssembler() = default;

unsigned FronthaulSlotAssembler::units_in_symbol(unsigned slot_in_frame, unsigned symbol) const {
  if (config_.mode == FronthaulIngestMode::frequency_domain) {
    return cell_.num_prbs;
  }
  const unsigned samples = numerology_.symbol_length(slot_in_frame, symbol);
  return (samples + phy::subcarriers_per_prb - 1) / phy::subcarriers_per_prb;
}

std::size_t FronthaulSlotAssembler::pending_slots() const {
  return static_cast<std::size_t>(std::count(state_.begin(), state_.end(), BufferState::pending));
}

bool FronthaulSlotAssembler::push(std::span<const std::uint8_t> ethernet_frame,
                                  std::int64_t arrival_ns) {
  ++counters_.packets;
  counters_.bytes += ethernet_frame.size();
  switch (match_frame_address(ethernet_frame, config_)) {
  case FrameAddressMatch::ours:
    break;
  case FrameAddressMatch::other_destination:
    ++counters_.other_destination;
    return false;
  case FrameAddressMatch::other_vlan:
    ++counters_.other_vlan;
    return false;
  }
  const auto parsed = parse_ecpri_frame(ethernet_frame);
  if (!parsed.ok()) {
    ++counters_.ecpri_malformed[static_cast<std::size_t>(parsed.status)];
    return false;
  }
  bool accepted = false;
  const EcpriChainWalk walk =
      for_each_ecpri_message(ethernet_frame, parsed.frame, [&](const EcpriMessageView& message) {
        accepted = handle_message(message, arrival_ns) || accepted;
      });
  // Every message a C bit announced, the one that could not be parsed included.
  const bool broken = walk.status != EcpriParseStatus::ok;
  counters_.concatenated_messages += walk.messages - 1 + (broken ? 1 : 0);
  if (broken) {
    ++counters_.ecpri_malformed[static_cast<std::size_t>(walk.status)];
  }
  return accepted;
}

bool FronthaulSlotAssembler::check_sections(const UplaneMessageView& message,
                                            unsigned slot_in_frame) {
  unsigned symbol = message.timing.symbol_id;
  for (const auto& section : message.sections) {
    symbol += section.header.symbol_increment ? 1 : 0;
    if (symbol >= clock_.symbols_per_slot()) {
      ++counters_.symbol_out_of_range;
      return false;
    }
    const auto& c = section.compression;
    const bool decodable = (c.method == CompressionMethod::none && c.iq_width == 16) ||
                           (c.method == CompressionMethod::block_floating_point &&
                            c.iq_width >= 1 && c.iq_width <= 16);
    if (!decodable) {
      ++counters_.unsupported_compression;
      return false;
    }
    const unsigned stride = section.header.every_other_prb ? 2 : 1;
    const unsigned last = section.header.start_prb + (section.num_prbs - 1) * stride;
    if (last >= units_in_symbol(slot_in_frame, symbol)) {
      ++counters_.units_outside_symbol; // time domain only: PRBs are checked by the parser
      return false;
    }
  }
  return true;
}

bool FronthaulSlotAssembler::is_outlier(std::int64_t arrival_ns) const {
  if (!arrival_clock_) {
    return false;
  }
  if (arrival_ns >= *arrival_clock_) {
    return distance(arrival_ns, *arrival_clock_) > std::uint64_t{arrival_outlier_ns};
  }
  // Back in time: up to arrival_reorder_ns (or what the slots being assembled span) is
  // reordering; further back is a broken timestamp or a clock stepped back.
  const std::int64_t back = std::max(
      arrival_reorder_ns, config_.slot_deadline_ns + std::int64_t{config_.max_slots_in_flight + 1} *
                                                         clock_.slot_duration_ns());
  return distance(arrival_ns, *arrival_clock_) > static_cast<std::uint64_t>(back);
}

std::int64_t FronthaulSlotAssembler::checked_arrival(std::int64_t arrival_ns, unsigned cycle_slot,
                                                     unsigned symbol) {
  if (!is_outlier(arrival_ns)) {
    outlier_run_ = 0;
    return arrival_ns;
  }
  // A run of outliers that agree with each other is the clock jumping (a capture spliced
  // from two, a sender's clock stepped): after resync_after frames of them the clock follows.
  // A frame's concatenated messages count once.
  if (outlier_run_ == 0 ||
      distance(arrival_ns, last_outlier_ns_) > std::uint64_t{arrival_outlier_ns}) {
    outlier_run_ = 1;
  } else if (outlier_frame_ != counters_.packets) {
    ++outlier_run_;
  }
  last_outlier_ns_ = arrival_ns;
  outlier_frame_ = counters_.packets;
  if (outlier_run_ >= resync_after) {
    ++counters_.clock_resyncs;
    outlier_run_ = 0;
    arrival_clock_ = arrival_ns;
    forget_timeline();
    return arrival_ns;
  }
  ++counters_.arrival_outliers;
  // Placed by its timing header in the slot nearest the running clock, at the clock's time, or
  // at its nominal arrival when that slot is ahead (the stream's next slot after a gap: up to
  // a frame and max_slots_in_flight ahead).
  const std::int64_t now = *arrival_clock_;
  const std::int64_t now_slot = clock_.absolute_slot_at(*epoch_, now);
  const std::int64_t slot = clock_.resolve(cycle_slot, now_slot);
  if (slot > now_slot && slot - now_slot <= std::int64_t{clock_.slots_per_frame()} +
                                                std::int64_t{config_.max_slots_in_flight}) {
    return std::max(now, clock_.symbol_start_ns(*epoch_, slot, symbol) +
                             (config_.ta4_min_ns + config_.ta4_max_ns) / 2);
  }
  return now;
}

void FronthaulSlotAssembler::forget_timeline() {
  // The slots being assembled belong to the old time line: dispatched as they are (their
  // missing packets are not coming), and the old slot numbers are no reason to refuse new ones.
  flush();
  dispatched_.clear();
}

bool FronthaulSlotAssembler::epoch_mismatch_confirmed(std::int64_t implied_epoch_ns) {
  // The run's messages must agree with its first on the epoch they imply (modulo the frameId
  // cycle; within the Ta4 window's spread plus a slot, as packets of one stream do), and a
  // frame's concatenated messages count once.
  const std::int64_t cycle_ns = clock_.slot_start_ns(0, clock_.slots_per_cycle());
  const std::int64_t apart =
      ((implied_epoch_ns - mismatch_epoch_ns_) % cycle_ns + cycle_ns) % cycle_ns;
  const std::int64_t slot_ns = clock_.slot_duration_ns();
  const std::int64_t tolerance =
      std::max(slot_ns, config_.ta4_max_ns - config_.ta4_min_ns) + slot_ns;
  if (epoch_mismatch_run_ == 0 || std::min(apart, cycle_ns - apart) > tolerance) {
    epoch_mismatch_run_ = 1;
    mismatch_epoch_ns_ = implied_epoch_ns;
  } else if (mismatch_frame_ != counters_.packets) {
    ++epoch_mismatch_run_;
  }
  mismatch_frame_ = counters_.packets;
  if (epoch_mismatch_run_ < resync_after) {
    return false;
  }
  epoch_mismatch_run_ = 0;
  return true;
}

void FronthaulSlotAssembler::discard_pending_slots() {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (state_[i] != BufferState::pending) {
      continue;
    }
    detail::uncount_dropped_slot(counters_, slots_[i].stats, &FronthaulCounters::epoch_mismatch);
    ++counters_.slots_discarded;
    state_[i] = BufferState::free;
  }
}

bool FronthaulSlotAssembler::check_learned_epoch(unsigned cycle_slot, std::int64_t arrival_ns,
                                                 bool time_replaced, std::int64_t implied_epoch,
                                                 std::int64_t& absolute) {
  // A learned epoch is only as good as the packet it came from (a stray first packet with a
  // wrong frameId would put every good one far in the past): a message far from its arrival
  // time's slot (beyond what the pool allows, with 2 slots to spare, or the reorder window
  // behind it) is dropped, and resync_after frames in a row that agree on another epoch replace it.
  const std::int64_t reference = clock_.absolute_slot_at(*epoch_, arrival_ns);
  const std::int64_t ahead = std::int64_t{config_.max_slots_in_flight} + 2;
  if (absolute - reference <= ahead && reference - absolute <= reorder_window_slots()) {
    epoch_mismatch_run_ = 0;
    return true;
  }
  if (time_replaced) {
    // Its time was an outlier and replaced by the clock's: it says nothing about the epoch
    // (and must not help re-learn one from the clock's time).
    epoch_mismatch_run_ = 0;
    ++counters_.epoch_mismatch;
    return false;
  }
  if (!epoch_mismatch_confirmed(implied_epoch)) {
    ++counters_.epoch_mismatch;
    return false;
  }
  ++counters_.epoch_relearns;
  discard_pending_slots(); // assembled on the rejected epoch
  dispatched_.clear();
  epoch_ = implied_epoch;
  absolute = clock_.resolve(cycle_slot, clock_.absolute_slot_at(*epoch_, arrival_ns));
  return true;
}

bool FronthaulSlotAssembler::handle_message(const EcpriMessageView& message,
                                            std::int64_t packet_arrival_ns) {
  if (message.header.type == EcpriMessageType::real_time_control) {
    ++counters_.cplane;
    return false;
  }
  if (!message.header.sequence.last_fragment || message.header.sequence.subsequence_id != 0) {
    ++counters_.fragmented_unsupported;
    return false;
  }
  // PRACH and other filtered streams (filterIndex != 0) are not grid data, whatever their RU
  // port: FronthaulPrachAssembler takes PRACH. Checked before the parse, which sizes sections
  // by the carrier's PRBs, not the PRACH section's.
  if (message.application_payload.size() >= oran_timing_header_size &&
      read_oran_timing_header(message.application_payload.data()).filter_index != 0) {
    ++counters_.filtered_messages;
    return false;
  }
  const auto uplane = parse_uplane_message(message.application_payload, link_.uplane);
  if (!uplane.ok()) {
    ++counters_.uplane_malformed[static_cast<std::size_t>(uplane.status)];
    return false;
  }
  const OranTimingHeader& timing = uplane.message.timing;
  if (timing.direction != DataDirection::uplink) {
    ++counters_.wrong_direction;
    return false;
  }
  const EaxcId eaxc = unpack_eaxc_id(message.header.eaxc_id, link_.eaxc_layout);
  if (eaxc.du_port != config_.du_port || eaxc.band_sector != config_.band_sector ||
      eaxc.cc != config_.cc || eaxc.ru_port >= num_rx_) {
    ++counters_.unknown_eaxc;
    return false;
  }
  const auto cycle_slot = clock_.cycle_slot(timing);
  if (!cycle_slot) {
    ++counters_.bad_timing_fields;
    return false;
  }
  if (!check_sections(uplane.message, *cycle_slot % clock_.slots_per_frame())) {
    return false;
  }
  const unsigned rx = eaxc.ru_port;
  const std::uint8_t sequence_id = message.header.sequence.sequence_id;
  bool ahead = true;
  if (last_sequence_id_[rx] >= 0) {
    const auto expected = static_cast<std::uint8_t>(last_sequence_id_[rx] + 1);
    const auto skipped = static_cast<std::uint8_t>(sequence_id - expected);
    // Half the id space ahead: ids lost (or overtaken); else behind the last one: a repeat, or
    // one that was overtaken, which leaves the eAxC's sequence where it is.
    ahead = skipped < 128;
    if (sequence_id != expected && ahead) {
      ++counters_.sequence_gaps;
      counters_.sequence_ids_skipped += skipped;
    } else if (!ahead) {
      ++counters_.sequence_ids_behind;
    }
  }
  if (ahead) {
    last_sequence_id_[rx] = sequence_id;
  }

  const std::int64_t arrival_ns = checked_arrival(packet_arrival_ns, *cycle_slot, timing.symbol_id);
  // The epoch this message implies (its symbol started a mid-window Ta4 before its arrival).
  const std::int64_t implied_epoch = clock_.epoch_for(
      *cycle_slot, timing.symbol_id, arrival_ns - (config_.ta4_min_ns + config_.ta4_max_ns) / 2);
  if (!epoch_) {
    epoch_ = implied_epoch;
  }
  std::int64_t absolute = clock_.resolve(*cycle_slot, clock_.absolute_slot_at(*epoch_, arrival_ns));
  if (!config_.epoch_ns &&
      !check_learned_epoch(*cycle_slot, arrival_ns, arrival_ns != packet_arrival_ns, implied_epoch,
                           absolute)) {
    return false;
  }
  AssembledSlot* slot = find_or_open_slot(absolute, arrival_ns);
  if (slot == nullptr) {
    return false;
  }
  // The running clock trusts only times that agree with the packet's slot: a packet of a slot
  // still being assembled is taken even far past its deadline (late), but its time is not.
  if (arrival_ns == packet_arrival_ns && arrival_ns <= deadline_ns(absolute) &&
      absolute - clock_.absolute_slot_at(*epoch_, arrival_ns) <=
          std::int64_t{config_.max_slots_in_flight}) {
    arrival_clock_ = std::max(arrival_clock_.value_or(arrival_ns), arrival_ns);
  }
  const std::int64_t delay =
      arrival_ns - clock_.symbol_start_ns(*epoch_, absolute, timing.symbol_id);
  ++slot->stats.packets;
  if (delay < config_.ta4_min_ns) {
    ++counters_.early;
    ++slot->stats.early;
  } else if (delay > config_.ta4_max_ns) {
    ++counters_.late;
    ++slot->stats.late;
  } else {
    ++counters_.on_time;
    ++slot->stats.on_time;
  }
  unsigned symbol = timing.symbol_id;
  unsigned new_units = 0;
  for (const auto& section : uplane.message.sections) {
    symbol += section.header.symbol_increment ? 1 : 0;
    new_units += write_section(*slot, rx, symbol, section);
    ++counters_.sections;
  }
  if (new_units == 0) {
    ++counters_.duplicate_packets;
  }
  if (slot->complete()) {
    dispatch(static_cast<std::size_t>(slot - slots_.data()), SlotDispatchReason::complete);
  }
  return true;
}

} // namespace airan::io
