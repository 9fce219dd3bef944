/// \file
/// \brief RuPrachEmulator: type 3 PRACH requests and the carrier's time-domain IQ to the PRACH
/// U-plane frames of an emulated O-RU (see ru_prach_emulator.h and oran_prach.h).
#include "airan/io/ru_prach_emulator.h"

#include "airan/io/oran_prach_sizing.h"
#include "uplane_run_packetizer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace airan::io {
namespace {

constexpr unsigned re_per_prb = phy::subcarriers_per_prb;
constexpr unsigned max_prbs_per_section = 255; // numPrbu is 8 bits (0 would mean "all")

void check_arguments(const phy::CellConfig& cell, unsigned num_rx, const FronthaulConfig& config,
                     unsigned max_pending) {
  if (const auto error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("RuPrachEmulator: cell: " + error);
  }
  if (const auto error = config.validate(); !error.empty()) {
    throw std::invalid_argument("RuPrachEmulator: " + error);
  }
  if (num_rx < 1 || num_rx > 16) {
    throw std::invalid_argument("RuPrachEmulator: 1 .. 16 receive antennas");
  }
  if (const std::string error = config.check_prach_ru_ports_apart(num_rx); !error.empty()) {
    throw std::invalid_argument("RuPrachEmulator: " + error);
  }
  const std::size_t last_port = std::size_t{config.prach_first_ru_port(num_rx)} + num_rx - 1;
  if (last_port >= (std::size_t{1} << config.eaxc_layout.ru_port_bits)) {
    throw std::invalid_argument("RuPrachEmulator: the PRACH RU ports do not fit the RU port field");
  }
  if (max_pending == 0) {
    throw std::invalid_argument("RuPrachEmulator: max_pending must be at least 1");
  }
}

std::int64_t floor_mod(std::int64_t value, std::int64_t modulus) {
  return ((value % modulus) + modulus) % modulus;
}

} // namespace

/// A request waiting for the samples of its window.
struct RuPrachEmulator::Pending {
  bool active = false;
  std::int64_t slot = 0; ///< Absolute slot of its timing header.
  RuPrachRequest request;
  OranPrachWindow window;
  std::size_t plan = 0;              ///< Index of its period's FFT in plans_.
  std::int64_t next_slot = 0;        ///< The next slot it needs.
  std::uint64_t next_slot_start = 0; ///< Start of next_slot from the start of slot.
  std::vector<phy::cf32> samples;    ///< The window's periods, window_capacity_ allocated.
};

RuPrachEmulator::RuPrachEmulator(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                 const FronthaulConfig& config, unsigned max_pending)
    : cell_((check_arguments(cell, num_rx_antennas, config, max_pending), cell)),
      num_rx_(num_rx_antennas), config_(config), clock_(cell.numerology, cell.cyclic_prefix),
      numerology_(phy::carrier_numerology(cell)),
      prach_first_ru_port_(config.prach_first_ru_port(num_rx_antennas)),
      compressor_(create_iq_compressor()) {
  prb_bytes_ = *compressed_prb_size(config_.compression); // validate() checked the method
  section_header_bytes_ = config_.dynamic_compression_header
                              ? uplane_section_header_size_with_comp_hdr
                              : uplane_section_header_size;
  const std::size_t room = config_.max_frame_size - ecpri_common_header_size -
                           ecpri_transport_header_size - oran_timing_header_size -
                           section_header_bytes_;
  if (room < prb_bytes_) {
    throw std::invalid_argument("RuPrachEmulator: max_frame_size cannot hold one PRB");
  }
  const std::uint64_t rate =
      std::uint64_t{numerology_.fft_size()} * numerology_.subcarrier_spacing();
  // Room for the longest window a request may ask for (oran_prach_window(): 4 ms) where the
  // carrier can carry a long format; where it carries only short ones (120 kHz, say), for the
  // longest window they can have plus a slot, for a DU that places a window later than airan's
  // own requests do.
  const auto max_window =
      static_cast<std::size_t>(std::ceil(oran_prach_max_window_s * static_cast<double>(rate)));
  const OranPrachSizing sizing = oran_prach_sizing(cell, 0);
  const std::size_t slot_samples = numerology_.slot_length(0);
  window_capacity_ =
      sizing.long_formats
          ? max_window
          : std::clamp<std::size_t>(sizing.longest_window + slot_samples, 1, max_window);
  pending_.resize(max_pending);
  for (auto& pending : pending_) {
    pending.samples.assign(window_capacity_, {});
  }
  // The period lengths a PRACH of this carrier can have: 1.25 kHz, 5 kHz and the carrier's own
  // spacing (the short formats).
  for (const std::uint64_t spacing : {std::uint64_t{1250}, std::uint64_t{5000},
                                      std::uint64_t{numerology_.subcarrier_spacing()}}) {
    plans_.emplace_back(static_cast<unsigned>(rate / spacing), phy::FftDirection::forward);
  }
  res_.assign(std::size_t{max_prbs_per_section} * re_per_prb, {});
  EthernetHeader ethernet;
  ethernet.vlan = config_.vlan;
  frame_.assign(ethernet.size() + config_.max_frame_size, 0);
  sequence_ids_.assign(num_rx_, 0);
}

RuPrachEmulator::~RuPrachEmulator() = default;

RuCplaneScope RuPrachEmulator::cplane_scope() const {
  RuCplaneScope scope;
  scope.du_port = config_.du_port;
  scope.band_sector = config_.band_sector;
  scope.cc = config_.cc;
  scope.num_ru_ports = num_rx_;
  scope.carrier_prbs = cell_.num_prbs;
  scope.symbols_per_slot = clock_.symbols_per_slot();
  scope.prach_first_ru_port = prach_first_ru_port_;
  return scope;
}

std::size_t RuPrachEmulator::num_pending() const {
  return static_cast<std::size_t>(std::count_if(
      pending_.begin(), pending_.end(), [](const Pending& pending) { return pending.active; }));
}

std::string RuPrachEmulator::add_request(std::int64_t absolute_slot,
                                         const RuPrachRequest& request) {
  const auto refuse = [&](const std::string& why) {
    ++counters_.requests_refused;
    return "RuPrachEmulator: " + why;
  };
  const auto result =
      oran_prach_window(numerology_, cell_.num_prbs, request.header, request.section);
  if (!result.error.empty()) {
    return refuse(std::string(result.error));
  }
  const OranPrachWindow& window = result.window;
  if (request.antenna >= num_rx_) {
    return refuse("antenna " + std::to_string(request.antenna) + " of " + std::to_string(num_rx_));
  }
  const OranTimingHeader& timing = request.header.timing;
  const OranTimingHeader expected = clock_.timing_header(
      static_cast<std::uint64_t>(floor_mod(absolute_slot, clock_.slots_per_cycle())), 0);
  if (timing.frame_id != expected.frame_id || timing.subframe_id != expected.subframe_id ||
      timing.slot_id != expected.slot_id) {
    return refuse("the timing header is not absolute slot " + std::to_string(absolute_slot));
  }
  if (!fits_oran_timing_header(timing) || timing.symbol_id >= clock_.symbols_per_slot()) {
    return refuse("startSymbolId " + std::to_string(timing.symbol_id) +
                  " is not a symbol of the slot, or a timing field does not fit");
  }
  if (fed_ && absolute_slot <= newest_slot_) {
    return refuse("slot " + std::to_string(absolute_slot) + " is not after the last slot fed, " +
                  std::to_string(newest_slot_));
  }
  if (window.end() > window_capacity_ || window.num_res > res_.size()) {
    return refuse("the window does not fit the O-RU's buffers");
  }
  const auto plan = std::find_if(plans_.begin(), plans_.end(), [&](const phy::FftPlan& p) {
    return p.size() == window.period_length;
  });
  if (plan == plans_.end()) {
    return refuse("no FFT of " + std::to_string(window.period_length) +
                  " samples for this carrier");
  }
  const auto free = std::find_if(pending_.begin(), pending_.end(),
                                 [](const Pending& pending) { return !pending.active; });
  if (free == pending_.end()) {
    return refuse("no room: " + std::to_string(pending_.size()) + " requests pending");
  }
  free->active = true;
  free->slot = absolute_slot;
  free->request = request;
  free->window = window;
  free->plan = static_cast<std::size_t>(plan - plans_.begin());
  free->next_slot = absolute_slot;
  free->next_slot_start = 0;
  ++counters_.requests;
  return {};
}

bool RuPrachEmulator::skip_to(Pending& pending, std::int64_t absolute_slot) const {
  const std::uint64_t window_start = pending.window.start;
  const std::uint64_t window_end = pending.window.end();
  while (pending.next_slot < absolute_slot) {
    const std::uint64_t end =
        pending.next_slot_start + numerology_.slot_length(clock_.slot_in_frame(pending.next_slot));
    if (end > window_start && pending.next_slot_start < window_end) {
      return false; // the skipped slot held samples of the window
    }
    pending.next_slot_start = end;
    ++pending.next_slot;
  }
  return true;
}

std::size_t RuPrachEmulator::add_slot(std::int64_t absolute_slot, std::int64_t epoch_ns,
                                      std::span<const phy::cf32> iq,
                                      const FronthaulFrameSink& sink) {
  const std::size_t slot_samples = numerology_.slot_length(clock_.slot_in_frame(absolute_slot));
  if (iq.size() != slot_samples * num_rx_) {
    throw std::invalid_argument("RuPrachEmulator: slot " + std::to_string(absolute_slot) +
                                " needs " + std::to_string(slot_samples) +
                                " samples per antenna, got " + std::to_string(iq.size()));
  }
  if (fed_ && absolute_slot <= newest_slot_) {
    throw std::invalid_argument("RuPrachEmulator: slot " + std::to_string(absolute_slot) +
                                " is not after the last slot fed, " + std::to_string(newest_slot_));
  }
  fed_ = true;
  newest_slot_ = absolute_slot;
  std::size_t frames = 0;
  for (auto& pending : pending_) {
    if (!pending.active || absolute_slot < pending.slot) {
      continue;
    }
    if (!skip_to(pending, absolute_slot)) {
      pending.active = false;
      ++counters_.occasions_lost;
      continue;
    }
    // The part of the window in this slot, in samples from the request slot's start.
    const std::uint64_t slot_begin = pending.next_slot_start;
    const std::uint64_t slot_end = slot_begin + slot_samples;
    const std::uint64_t window_begin = pending.window.start;
    const std::uint64_t window_end = pending.window.end();
    const std::uint64_t from = std::max(slot_begin, window_begin);
    const std::uint64_t to = std::min(slot_end, window_end);
    if (from < to) {
      const auto source =
          iq.subspan(pending.request.antenna * slot_samples + (from - slot_begin), to - from);
      std::copy(source.begin(), source.end(),
                pending.samples.begin() + static_cast<std::ptrdiff_t>(from - window_begin));
    }
    pending.next_slot = absolute_slot + 1;
    pending.next_slot_start = slot_end;
    if (slot_end >= window_end) {
      frames += send(pending, epoch_ns, sink);
      pending.active = false;
      ++counters_.occasions_sent;
    }
  }
  counters_.frames += frames;
  return frames;
}

std::size_t RuPrachEmulator::send(Pending& pending, std::int64_t epoch_ns,
                                  const FronthaulFrameSink& sink) {
  const OranPrachWindow& window = pending.window;
  phy::FftPlan& fft = plans_[pending.plan];
  const unsigned size = window.period_length;
  const float scale = 1.0F / std::sqrt(static_cast<float>(size));
  const auto bin_zero = static_cast<unsigned>(floor_mod(window.first_bin, size));
  const auto end_ns = static_cast<std::int64_t>(
      std::llround(static_cast<double>(window.end()) * 1e9 / numerology_.sample_rate_hz()));
  const std::int64_t tx_ns =
      clock_.slot_start_ns(epoch_ns, pending.slot) + end_ns + config_.ru_tx_offset_ns;
  std::size_t frames = 0;
  for (unsigned period = 0; period < window.num_periods; ++period) {
    const auto samples = std::span(pending.samples).subspan(std::size_t{period} * size, size);
    std::copy(samples.begin(), samples.end(), fft.input().begin());
    fft.execute();
    const auto spectrum = fft.output();
    unsigned bin = bin_zero;
    for (unsigned re = 0; re < window.num_res; ++re) {
      res_[re] = spectrum[bin] * scale;
      bin = bin + 1 == size ? 0 : bin + 1;
    }
    frames += send_period(pending, period, tx_ns, sink);
  }
  return frames;
}

std::size_t RuPrachEmulator::send_period(const Pending& pending, unsigned period,
                                         std::int64_t tx_ns, const FronthaulFrameSink& sink) {
  const unsigned antenna = pending.request.antenna;
  const unsigned num_prbs = pending.window.num_res / re_per_prb;
  OranTimingHeader timing = pending.request.header.timing;
  timing.direction = DataDirection::uplink;
  timing.payload_version = oran_payload_version;
  timing.symbol_id = static_cast<std::uint8_t>(timing.symbol_id + period);
  UplaneFormat format;
  format.compression = config_.compression;
  format.ud_comp_hdr_present = config_.dynamic_compression_header;
  format.carrier_prbs = static_cast<std::uint16_t>(num_prbs);
  UplaneRun run = uplane_run_on_link(config_, prach_first_ru_port_ + antenna);
  run.timing = timing;
  run.format = format;
  run.section_header_bytes = section_header_bytes_;
  run.unit_bytes = prb_bytes_;
  run.max_units_per_section = max_prbs_per_section;
  run.section_id = pending.request.section.section_id; // every section of the request's id
  run.count_section_ids = false;
  return packetize_uplane_run(
      frame_, run, sequence_ids_[antenna], 0, num_prbs,
      [&](unsigned prb, unsigned n, std::span<std::uint8_t> out) {
        compressor_->compress(
            std::span(res_).subspan(std::size_t{prb} * re_per_prb, std::size_t{n} * re_per_prb),
            config_.compression, config_.full_scale, out);
      },
      [&](std::span<const std::uint8_t> frame) { sink(frame, tx_ns); }, "RuPrachEmulator");
}

} // namespace airan::io
