/// \file
/// \brief RuEmulator: a slot's grid or IQ to uplink U-plane frames; pcap export of a vector.
#include "airan/io/ru_emulator.h"

#include "uplane_run_packetizer.h"

#include "airan/io/pcap_file.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::io {
namespace {

constexpr unsigned re_per_unit = phy::subcarriers_per_prb;
constexpr unsigned max_units_per_section = 255; // numPrbu is 8 bits (0 would mean "all")

void check_arguments(const phy::CellConfig& cell, unsigned num_rx, const FronthaulConfig& config) {
  if (const auto error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("RuEmulator: cell: " + error);
  }
  if (const auto error = config.validate(); !error.empty()) {
    throw std::invalid_argument("RuEmulator: " + error);
  }
  if (const auto error = config.validate_carrier(cell); !error.empty()) {
    throw std::invalid_argument("RuEmulator: " + error);
  }
  if (num_rx < 1 || num_rx > 16) {
    throw std::invalid_argument("RuEmulator: 1 .. 16 receive antennas");
  }
  if ((std::size_t{1} << config.eaxc_layout.ru_port_bits) < num_rx) {
    throw std::invalid_argument("RuEmulator: the RU port field is too narrow for the antennas");
  }
}

unsigned ceil_units(std::size_t samples) {
  return static_cast<unsigned>((samples + re_per_unit - 1) / re_per_unit);
}

} // namespace

RuCplaneScope RuEmulator::cplane_scope() const {
  RuCplaneScope scope;
  scope.du_port = config_.du_port;
  scope.band_sector = config_.band_sector;
  scope.cc = config_.cc;
  scope.num_ru_ports = num_rx_;
  scope.carrier_prbs = cell_.num_prbs;
  scope.symbols_per_slot = clock_.symbols_per_slot();
  scope.prach_first_ru_port = config_.prach_first_ru_port(num_rx_);
  return scope;
}

FronthaulLinkConfig RuEmulator::link_config() const {
  FronthaulLinkConfig link;
  link.eaxc_layout = config_.eaxc_layout;
  link.uplane = format_;
  return link;
}

RuEmulator::RuEmulator(const phy::CellConfig& cell, unsigned num_rx_antennas,
                       const FronthaulConfig& config)
    : cell_((check_arguments(cell, num_rx_antennas, config), cell)), num_rx_(num_rx_antennas),
      config_(config), clock_(cell.numerology, cell.cyclic_prefix),
      numerology_(phy::carrier_numerology(cell)), compressor_(create_iq_compressor()) {
  unsigned max_units = cell.num_prbs;
  if (config_.mode == FronthaulIngestMode::time_domain) {
    max_units = 0;
    for (unsigned slot = 0; slot < std::min(4U, clock_.slots_per_frame()); ++slot) {
      for (unsigned l = 0; l < clock_.symbols_per_slot(); ++l) {
        max_units = std::max(max_units, ceil_units(numerology_.symbol_length(slot, l)));
      }
    }
  }
  format_.compression = config_.compression;
  format_.ud_comp_hdr_present = config_.dynamic_compression_header;
  format_.carrier_prbs = static_cast<std::uint16_t>(max_units);
  prb_bytes_ = *compressed_prb_size(config_.compression); // validate() checked the method
  section_header_bytes_ = config_.dynamic_compression_header
                              ? uplane_section_header_size_with_comp_hdr
                              : uplane_section_header_size;
  const std::size_t room = config_.max_frame_size - ecpri_common_header_size -
                           ecpri_transport_header_size - oran_timing_header_size -
                           section_header_bytes_;
  units_per_frame_ = static_cast<unsigned>(std::min<std::size_t>(room / prb_bytes_, max_units));
  if (units_per_frame_ == 0) {
    throw std::invalid_argument("RuEmulator: max_frame_size cannot hold one PRB");
  }
  EthernetHeader ethernet;
  ethernet.vlan = config_.vlan;
  frame_.assign(ethernet.size() + config_.max_frame_size, 0);
  sequence_ids_.assign(num_rx_, 0);
  next_section_id_.assign(num_rx_, 0);
  padded_block_.assign(re_per_unit, {});
}

RuEmulator::~RuEmulator() = default;

void RuEmulator::compress_units(std::span<const phy::cf32> samples, unsigned first_unit,
                                unsigned num_units, std::span<std::uint8_t> out) {
  const std::size_t begin = std::size_t{first_unit} * re_per_unit;
  const std::size_t whole =
      std::min<std::size_t>(num_units, (samples.size() - begin) / re_per_unit);
  if (whole > 0) {
    compressor_->compress(samples.subspan(begin, whole * re_per_unit), config_.compression,
                          config_.full_scale, out.first(whole * prb_bytes_));
  }
  if (whole < num_units) { // a symbol's last, partial time-domain block: zero-padded
    const auto tail = samples.subspan(begin + whole * re_per_unit);
    std::fill(padded_block_.begin(), padded_block_.end(), phy::cf32{});
    std::copy(tail.begin(), tail.end(), padded_block_.begin());
    compressor_->compress(padded_block_, config_.compression, config_.full_scale,
                          out.subspan(whole * prb_bytes_, prb_bytes_));
  }
}

std::size_t RuEmulator::send_units(unsigned rx, std::int64_t absolute_slot, unsigned symbol,
                                   std::span<const phy::cf32> samples, unsigned first_unit,
                                   unsigned num_units, std::uint16_t section_id,
                                   bool count_section_ids, std::int64_t tx_ns,
                                   const FronthaulFrameSink& sink) {
  const std::int64_t cycle = clock_.slots_per_cycle();
  const auto in_cycle = static_cast<std::uint64_t>(((absolute_slot % cycle) + cycle) % cycle);
  const OranTimingHeader timing = clock_.timing_header(in_cycle, symbol);
  UplaneRun run = uplane_run_on_link(config_, rx);
  run.timing = timing;
  run.format = format_;
  run.section_header_bytes = section_header_bytes_;
  run.unit_bytes = prb_bytes_;
  run.max_units_per_section = max_units_per_section;
  run.section_id = section_id;
  run.count_section_ids = count_section_ids;
  const std::size_t frames = packetize_uplane_run(
      frame_, run, sequence_ids_[rx], first_unit, num_units,
      [&](unsigned unit, unsigned n, std::span<std::uint8_t> out) {
        compress_units(samples, unit, n, out);
      },
      [&](std::span<const std::uint8_t> frame) { sink(frame, tx_ns); }, "RuEmulator");
  if (count_section_ids) {
    next_section_id_[rx] = run.section_id;
  }
  return frames;
}

std::size_t RuEmulator::packetize_symbols(const TestVectorSlot& slot, std::int64_t absolute_slot,
                                          std::int64_t epoch_ns, const FronthaulFrameSink& sink,
                                          std::span<const RuSectionRequest> requests,
                                          unsigned first_symbol, unsigned end_symbol) {
  const unsigned in_frame = clock_.slot_in_frame(absolute_slot);
  if (in_frame != slot.slot) {
    throw std::invalid_argument("RuEmulator: absolute slot " + std::to_string(absolute_slot) +
                                " is slot " + std::to_string(in_frame) +
                                " of its frame, the vector slot is " + std::to_string(slot.slot));
  }
  const unsigned symbols = clock_.symbols_per_slot();
  const bool time_domain = config_.mode == FronthaulIngestMode::time_domain;
  const std::size_t slot_samples = numerology_.slot_length(in_frame);
  if (time_domain) {
    if (!requests.empty()) {
      throw std::invalid_argument(
          "RuEmulator: C-plane section requests need frequency-domain mode");
    }
    if (slot.iq.size() != slot_samples * num_rx_ ||
        (slot.iq_fft_size != 0 && slot.iq_fft_size != numerology_.fft_size())) {
      throw std::invalid_argument("RuEmulator: time-domain mode needs the slot's IQ at FFT size " +
                                  std::to_string(numerology_.fft_size()) + " (" +
                                  std::to_string(slot_samples) + " samples per antenna)");
    }
  } else if (slot.grid.num_ports() != num_rx_ || slot.grid.num_symbols() != symbols ||
             slot.grid.num_subcarriers() != re_per_unit * cell_.num_prbs) {
    throw std::invalid_argument("RuEmulator: the slot's grid does not have the cell's shape");
  }
  if (first_symbol == 0) {
    std::fill(next_section_id_.begin(), next_section_id_.end(), 0);
  }
  end_symbol = std::min(end_symbol, symbols);
  std::size_t frames = 0;
  std::size_t symbol_begin = 0;
  for (unsigned l = 0; l < end_symbol; ++l) {
    if (l < first_symbol) {
      symbol_begin += numerology_.symbol_length(in_frame, l);
      continue;
    }
    const std::int64_t tx_ns = clock_.symbol_start_ns(epoch_ns, absolute_slot, l) +
                               clock_.symbol_duration_ns(in_frame, l) + config_.ru_tx_offset_ns;
    const std::size_t symbol_samples = numerology_.symbol_length(in_frame, l);
    for (unsigned rx = 0; rx < num_rx_; ++rx) {
      if (time_domain) {
        const auto samples =
            std::span(slot.iq).subspan(rx * slot_samples + symbol_begin, symbol_samples);
        frames += send_units(rx, absolute_slot, l, samples, 0, ceil_units(symbol_samples),
                             next_section_id_[rx], true, tx_ns, sink);
      } else if (requests.empty()) {
        frames += send_units(rx, absolute_slot, l, slot.grid.symbol(rx, l), 0, cell_.num_prbs,
                             next_section_id_[rx], true, tx_ns, sink);
      } else {
        for (const auto& request : requests) {
          const CplaneSection& s = request.section;
          const unsigned first_symbol = request.start_symbol;
          if (request.ru_port != rx || l < first_symbol || l >= first_symbol + s.num_symbols) {
            continue;
          }
          if (s.every_other_prb) {
            throw std::invalid_argument("RuEmulator: rb (every other PRB) requests unsupported");
          }
          const unsigned count = s.num_prbs == 0 ? cell_.num_prbs : s.num_prbs;
          if (s.start_prb + count > cell_.num_prbs) {
            throw std::invalid_argument("RuEmulator: a requested section leaves the carrier");
          }
          frames += send_units(rx, absolute_slot, l, slot.grid.symbol(rx, l), s.start_prb, count,
                               s.section_id, false, tx_ns, sink);
        }
      }
    }
    symbol_begin += symbol_samples;
  }
  return frames;
}

std::size_t write_vector_to_pcap(const TestVectorReader& vector, const FronthaulConfig& config,
                                 const std::filesystem::path& path, std::int64_t start_ns) {
  const TestVectorHeader& header = vector.header();
  RuEmulator emulator(header.cell, header.num_rx_antennas, config);
  PcapWriter writer(path, PcapTimestampResolution::nanoseconds,
                    static_cast<std::uint32_t>(config.max_frame_size + 64));
  TestVectorSlot slot;
  std::size_t frames = 0;
  std::int64_t epoch_ns = start_ns;
  for (std::size_t i = 0; i < vector.num_slots(); ++i) {
    vector.read_slot(i, slot, emulator.vector_parts());
    const auto absolute = static_cast<std::int64_t>(slot.absolute_slot);
    if (i == 0) {
      epoch_ns = start_ns - emulator.clock().slot_start_ns(0, absolute);
    }
    frames += emulator.packetize_slot(
        slot, absolute, epoch_ns, [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
          writer.write(frame, static_cast<std::uint64_t>(std::max<std::int64_t>(tx_ns, 0)));
        });
  }
  writer.flush();
  return frames;
}

} // namespace airan::io
