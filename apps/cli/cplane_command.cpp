// `airan cplane --vector FILE.h5 --pcap OUT`: the uplink C-plane (section type 1) that a DU
// sends ahead of each slot of a test vector, from the slot's PUSCH allocations on every receive
// antenna's eAxC, written to a capture that `airan ru-emulator --cplane` consumes.
#include "airan/io/fronthaul_frame.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/oran_cplane_generator.h"
#include "airan/io/pcap_file.h"
#include "airan/io/test_vector_file.h"
#include "commands.h"
#include "fronthaul_options.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace airan::cli {
namespace {

struct CplaneOptions {
  std::string vector;
  std::string pcap;
  FronthaulOptions fronthaul;
  std::int64_t start_ns = 1'700'000'000'000'000'000;
  std::int64_t advance_ns = 250'000; ///< C-plane leaves this long before its slot starts.
};

int run_cplane(const CplaneOptions& o) {
  const io::TestVectorReader reader(o.vector);
  const auto fh = resolve_fronthaul_config(o.fronthaul);
  const auto& header = reader.header();
  io::UplinkCplaneConfig link;
  link.ethernet.source = fh.du_mac;
  link.ethernet.destination = fh.ru_mac;
  link.ethernet.vlan = fh.vlan;
  link.compression = fh.compression;
  link.carrier_prbs = static_cast<std::uint16_t>(header.cell.num_prbs);
  link.max_frame_size = fh.max_frame_size + link.ethernet.size();
  const std::size_t max_allocations = 64 * std::size_t{header.num_rx_antennas};
  io::UplinkCplaneGenerator generator(link, max_allocations);
  const io::FronthaulSlotClock clock(header.cell.numerology, header.cell.cyclic_prefix);
  io::PcapWriter writer(o.pcap);
  std::vector<std::uint8_t> buffer(1 << 20);
  std::vector<std::span<const std::uint8_t>> frames(4096);
  std::vector<io::UplinkAllocation> allocations;
  io::TestVectorSlot slot;
  std::size_t total = 0;
  std::int64_t first_slot = 0;
  for (std::size_t i = 0; i < reader.num_slots(); ++i) {
    reader.read_slot(i, slot);
    if (i == 0) {
      first_slot = static_cast<std::int64_t>(slot.absolute_slot);
    }
    allocations.clear();
    for (unsigned rx = 0; rx < header.num_rx_antennas; ++rx) {
      const auto eaxc = io::pack_eaxc_id(
          {fh.du_port, fh.band_sector, fh.cc, static_cast<std::uint16_t>(rx)}, fh.eaxc_layout);
      for (const auto& pdu : slot.pdus) {
        const auto& p = pdu.config;
        allocations.push_back(
            {eaxc,
             static_cast<std::uint16_t>(p.bwp_start - header.cell.grid_start_crb + p.prb_start),
             static_cast<std::uint16_t>(p.prb_size), static_cast<std::uint8_t>(p.start_symbol),
             static_cast<std::uint8_t>(p.num_symbols), 0});
      }
    }
    const auto timing = clock.timing_header(slot.absolute_slot, 0);
    const auto result = generator.generate({timing.frame_id, timing.subframe_id, timing.slot_id},
                                           allocations, buffer, frames);
    if (!result.ok()) {
      std::cerr << "airan cplane: slot " << slot.absolute_slot
                << ": C-plane generation failed (status " << int(result.status) << ")\n";
      return 1;
    }
    const std::int64_t slot_start =
        o.start_ns +
        (static_cast<std::int64_t>(slot.absolute_slot) - first_slot) * clock.slot_duration_ns();
    for (std::size_t f = 0; f < result.num_frames; ++f) {
      writer.write(frames[f], static_cast<std::uint64_t>(slot_start - o.advance_ns));
    }
    total += result.num_frames;
  }
  writer.flush();
  std::cout << "wrote " << o.pcap << ": " << total << " C-plane frame(s) for " << reader.num_slots()
            << " slot(s)\n";
  return 0;
}

} // namespace

Command add_cplane_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "cplane", "Write the uplink C-plane a DU sends for each slot of a test vector (pcap)");
  auto o = std::make_shared<CplaneOptions>();
  app->add_option("--vector", o->vector, "HDF5 test vector (airan gen)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--config", o->fronthaul.config, "Scenario YAML with a fronthaul: section")
      ->check(CLI::ExistingFile);
  app->add_option("--comp", o->fronthaul.compression, "udCompHdr to request: none or bfpN");
  app->add_option("--pcap", o->pcap, "Output capture")->required();
  app->add_option("--start-ns", o->start_ns, "Time of the first slot's start (ns)")
      ->capture_default_str();
  return {app, [o] { return run_cplane(*o); }};
}

} // namespace airan::cli
