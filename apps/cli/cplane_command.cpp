// `airan cplane --vector FILE.h5 --pcap OUT`: the uplink C-plane (section type 1) that a DU
// sends ahead of each slot of a test vector, from the slot's PUSCH allocations on every receive
// antenna's eAxC, written to a capture that `airan ru-emulator --cplane` consumes. Each frame is
// stamped when a live DU sends it: t1a_max_cp_ul_ns (the fronthaul config's) before the air
// time of its message's first symbol, as UplinkCplanePacer does.
#include "airan/io/cplane_timing_window.h"
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
};

int run_cplane(const CplaneOptions& o) {
  if (same_file(o.pcap, o.vector) || same_file(o.pcap, o.fronthaul.config)) {
    std::cerr << "airan cplane: --pcap " << o.pcap << " is one of the inputs\n";
    return 2;
  }
  const auto fh = resolve_fronthaul_config(o.fronthaul);
  // A pcap timestamp is 32-bit seconds; the first C-plane leaves T1a_max before the start.
  if (o.start_ns < fh.t1a_max_cp_ul_ns || o.start_ns > max_pcap_start_ns) {
    std::cerr << "airan cplane: --start-ns must be in " << fh.t1a_max_cp_ul_ns << " .. "
              << max_pcap_start_ns << " (pcap timestamps are 32-bit seconds)\n";
    return 2;
  }
  const io::TestVectorReader reader(o.vector);
  const auto& header = reader.header();
  const io::FronthaulSlotClock clock(header.cell.numerology, header.cell.cyclic_prefix);
  PartialOutput output(o.pcap);
  io::PcapWriter writer(output.path());
  // Slots count from the first one's place in its frame (symbol lengths follow it), on a clock
  // whose epoch puts that slot's start at --start-ns.
  std::int64_t epoch_ns = 0;
  std::int64_t slot_on_clock = 0;
  // The same C-plane the FAPI L1 sends for an accepted UL_TTI.request, each frame stamped
  // T1a_max before its first symbol.
  l1::FronthaulCplaneSender sender(
      header.cell, header.num_rx_antennas, fh, [&](std::span<const std::uint8_t> frame) {
        const auto start = io::first_cplane_message_start(frame, clock);
        const unsigned symbol = start ? start->symbol : 0;
        const std::int64_t stamp_ns =
            clock.symbol_start_ns(epoch_ns, slot_on_clock, symbol) - fh.t1a_max_cp_ul_ns;
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
      epoch_ns = o.start_ns - clock.slot_start_ns(0, first_slot % clock.slots_per_frame());
    }
    pdus.clear();
    for (const auto& pdu : slot.pdus) {
      pdus.push_back(pdu.config);
    }
    slot_on_clock = absolute - first_slot + first_slot % clock.slots_per_frame();
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
