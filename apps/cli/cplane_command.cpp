// `airan cplane --vector FILE.h5 --pcap OUT`: the uplink C-plane (section type 1) that a DU
// sends ahead of each slot of a test vector, from the slot's PUSCH allocations on every receive
// antenna's eAxC, written to a capture that `airan ru-emulator --cplane` consumes.
#include "airan/io/fronthaul_frame.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/pcap_file.h"
#include "airan/io/test_vector_file.h"
#include "airan/l1/uplink_cplane_sender.h"
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
  if (same_file(o.pcap, o.vector) || same_file(o.pcap, o.fronthaul.config)) {
    std::cerr << "airan cplane: --pcap " << o.pcap << " is one of the inputs\n";
    return 2;
  }
  // A pcap timestamp is 32-bit seconds; the first C-plane leaves advance_ns before the start.
  if (o.start_ns < o.advance_ns || o.start_ns > max_pcap_start_ns) {
    std::cerr << "airan cplane: --start-ns must be in " << o.advance_ns << " .. "
              << max_pcap_start_ns << " (pcap timestamps are 32-bit seconds)\n";
    return 2;
  }
  const io::TestVectorReader reader(o.vector);
  const auto fh = resolve_fronthaul_config(o.fronthaul);
  const auto& header = reader.header();
  const io::FronthaulSlotClock clock(header.cell.numerology, header.cell.cyclic_prefix);
  PartialOutput output(o.pcap);
  io::PcapWriter writer(output.path());
  std::int64_t stamp_ns = 0; // C-plane leaves advance_ns before its slot starts
  // The same C-plane the FAPI L1 sends for an accepted UL_TTI.request.
  l1::FronthaulCplaneSender sender(header.cell, header.num_rx_antennas, fh,
                                   [&](std::span<const std::uint8_t> frame) {
                                     writer.write(frame, static_cast<std::uint64_t>(stamp_ns));
                                   });
  io::TestVectorSlot slot;
  std::vector<phy::PuschConfig> pdus;
  std::int64_t first_slot = 0;
  for (std::size_t i = 0; i < reader.num_slots(); ++i) {
    reader.read_slot(i, slot, io::TestVectorSlotParts::pdus_only());
    const auto absolute = static_cast<std::int64_t>(slot.absolute_slot);
    if (i == 0) {
      first_slot = absolute;
    }
    pdus.clear();
    for (const auto& pdu : slot.pdus) {
      pdus.push_back(pdu.config);
    }
    stamp_ns = o.start_ns + (absolute - first_slot) * clock.slot_duration_ns() - o.advance_ns;
    const auto sfn = static_cast<std::uint16_t>((absolute / clock.slots_per_frame()) % 1024);
    sender.send_slot(sfn, static_cast<std::uint16_t>(slot.slot), pdus, {});
  }
  writer.flush();
  if (sender.slots_failed() > 0) {
    std::cerr << "airan cplane: C-plane generation failed for " << sender.slots_failed()
              << " slot(s); " << o.pcap << " not written\n";
    return 1;
  }
  output.commit();
  std::cout << "wrote " << o.pcap << ": " << sender.frames_sent() << " C-plane frame(s) for "
            << reader.num_slots() << " slot(s)\n";
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
