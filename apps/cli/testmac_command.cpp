// `airan testmac --pattern FILE --transport udp|shm`: the test MAC against the L1 running on its
// own thread of this process, over UDP or shared memory; every indication checked.
#include "airan/io/dpdk_eal.h"
#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"
#include "commands.h"
#include "dpdk_frame_link.h"
#include "fronthaul_options.h"
#include "process_cpus.h"
#include "receiver_options.h"

#include "airan/apps/receiver_catalog.h"
#include "airan/gpu/backend.h"

#include <sched.h>

#include <algorithm>
#include <iostream>
#include <optional>
#include <string>

namespace airan::cli {
namespace {

struct TestMacCommandOptions {
  std::string pattern;
  std::string transport = "udp";
  std::string clock = "stepped";
  double period_scale = 1.0;
  std::optional<unsigned> slot_ahead; ///< nullopt: 2 with --l1 and real-time, else 0.
  bool quiet = false;
  double snr_db = 0.0;
  bool snr_given = false;
  unsigned slots = 0;
  double decode_error_budget_percent = 1.0; ///< --decode-error-budget.
  std::string fronthaul;                    ///< Empty: no fronthaul; else 7.2x or time-domain.
  std::string compression;                  ///< Empty: the fronthaul config's (bfp9 without one).
  bool cplane = false;
  std::string receiver; ///< Empty: the L1's default (the product receiver, on the CPU).
  ReceiverOptions placement;
  std::string l1; ///< Empty: the L1 in this process; else udp:A:P or shm:NAME.
  /// --fronthaul-config (its fronthaul: and dpdk: sections), --dpdk and --file-prefix of the
  /// link to an external L1.
  FronthaulOptions link;
  unsigned link_wait_ms = 10000; ///< How long to wait for that link to come up.
};

/// The session against `airan l1` in another process, over a DPDK link.
int run_external(const l1::LaunchPattern& pattern, l1::TestMacOptions& options,
                 const TestMacCommandOptions& o) {
  if (!o.receiver.empty() || o.placement.backend != "cpu") {
    std::cerr << "airan testmac: the receiver of an L1 in another process is its own "
                 "(airan l1 --receiver / --backend)\n";
    return 2;
  }
  if (!o.link.has_dpdk_device()) {
    std::cerr << "airan testmac: --l1 needs the fronthaul link's DPDK port (--dpdk)\n";
    return 2;
  }
  const l1::ExternalL1 l1 = l1::parse_external_l1(o.l1);
  l1::check_test_mac_external(pattern, options); // before the DPDK port comes up
  options.transport = l1.transport;
  io::DpdkConfig dpdk = resolve_dpdk_config(o.link);
  const cpu_set_t cpus = process_cpus(); // before the EAL pins this thread to its main lcore
  io::DpdkEal::initialize(dpdk.eal);
  // Back on every CPU the process had: the MAC, the paced O-RU sender and the live O-RU (threads
  // started from this one) would otherwise all share the EAL's one lcore, which on a small
  // machine is also the L1's (both EALs take lcore 0 by default), and send frames late.
  ::sched_setaffinity(0, sizeof(cpu_set_t), &cpus);
  io::DpdkPort port(dpdk.port);
  if (!wait_for_link(port, std::chrono::milliseconds(o.link_wait_ms))) {
    std::cerr << "airan testmac: the fronthaul link on DPDK port " << port.port_id()
              << " did not come up within " << o.link_wait_ms << " ms\n";
    return 1;
  }
  DpdkFrameLink link(port);
  const l1::TestMacReport report = l1::run_test_mac_external(pattern, options, l1, link);
  l1::print_test_mac_summary(report, pattern, options, std::cout);
  return report.passed() ? 0 : 1;
}

int run_testmac(const TestMacCommandOptions& o) {
  l1::LaunchPattern pattern = l1::load_launch_pattern(o.pattern);
  if (o.snr_given) {
    pattern.snr_db = o.snr_db;
  }
  if (o.slots != 0) {
    pattern.num_slots = o.slots;
  }
  l1::TestMacOptions options;
  options.transport = l1::parse_transport_kind(o.transport);
  options.clock = l1::parse_slot_clock_mode(o.clock.c_str());
  options.period_scale = o.period_scale;
  const bool live = !o.l1.empty() && options.clock == l1::SlotClockMode::real_time;
  options.slot_ahead = o.slot_ahead.value_or(live ? 2U : 0U);
  options.log = &std::cout;
  options.per_slot_lines = !o.quiet;
  options.decode_error_budget = o.decode_error_budget_percent / 100.0;
  if (!o.fronthaul.empty()) {
    // The O-RU end's link as the L1's config describes it (eAxC ids, VLAN, MACs, epoch, T2a
    // window), with --fronthaul and --comp over it.
    FronthaulOptions resolved = o.link;
    resolved.mode = o.fronthaul;
    resolved.compression = o.compression;
    options.fronthaul = resolve_fronthaul_config(resolved);
    options.fronthaul_cplane = o.cplane;
  } else if (o.cplane || !o.link.config.empty() || !o.compression.empty()) {
    std::cerr << "airan testmac: "
              << (o.cplane                 ? "--cplane"
                  : !o.link.config.empty() ? "--fronthaul-config"
                                           : "--comp")
              << " needs --fronthaul\n";
    return 2;
  }
  if (!o.l1.empty()) {
    if (live && options.fronthaul) {
      // The L1's real-time clock runs on the fronthaul's epoch (GPS time unless the config
      // names another): the O-RU sends each frame at its time on the same timeline.
      options.slot_timeline = io::AirTimeline{
          options.fronthaul->epoch_ns.value_or(io::gps_frame_epoch_ns), options.period_scale};
    }
    return run_external(pattern, options, o);
  }
  if (!o.receiver.empty() || o.placement.backend != "cpu") {
    const apps::ReceiverSpec& spec =
        apps::find_receiver(o.receiver.empty() ? "mmse-lmmse" : o.receiver);
    if (spec.perfect_csi) {
      std::cerr << "airan testmac: " << spec.name
                << " needs the true channel, which an L1 does not have\n";
      return 2;
    }
    const gpu::BackendSelection backend = gpu::select_backend(o.placement.backend);
    print_backend_choice(o.placement, backend, std::cout);
    const bool transform_precoding =
        std::any_of(pattern.ues.begin(), pattern.ues.end(),
                    [](const auto& ue) { return ue.pusch.transform_precoding; });
    ReceiverPlacement placement =
        place_receiver(spec, o.placement, backend, pattern.cell, transform_precoding);
    options.front_end = spec.front_end;
    options.detector = std::move(placement.detector);
    options.detector_mirrors_front_end = placement.detector_mirrors_front_end;
    options.detector_takes_uci = placement.detector_takes_uci;
    options.ldpc_decoder = std::move(placement.ldpc);
    options.ulsch_decoder = std::move(placement.ulsch);
    std::cout << "L1 receiver " << spec.name << " (" << placement.where << ")\n";
  }
  const l1::TestMacReport report = l1::run_test_mac_session(pattern, options);
  l1::print_test_mac_summary(report, pattern, options, std::cout);
  return report.passed() ? 0 : 1;
}

} // namespace

Command add_testmac_command(CLI::App& parent) {
  auto options = std::make_shared<TestMacCommandOptions>();
  CLI::App* app = parent.add_subcommand(
      "testmac", "Test MAC: drive the FAPI L1 (in-process thread) from a launch pattern over UDP "
                 "or shared memory and check every CRC / RX_DATA indication");
  app->add_option("--pattern", options->pattern, "launch pattern YAML (configs/patterns/)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--transport", options->transport, "FAPI transport: udp or shm")
      ->check(CLI::IsMember({"udp", "shm"}));
  app->add_option("--clock", options->clock,
                  "L1 slot clock: stepped (slot ends when its samples are in) or real-time; "
                  "with --l1, the clock `airan l1` runs (real-time: the emulated O-RU sends each "
                  "frame at its air time on the fronthaul's epoch, GPS time, at --period-scale)")
      ->check(CLI::IsMember({"stepped", "real-time"}));
  app->add_option("--period-scale", options->period_scale,
                  "real-time clock: slot period multiplier (e.g. 8 for a slow CPU receiver; "
                  "with --l1, the L1's; 1 .. 1000, as airan l1's)")
      ->check(finite_range(1.0, 1000.0));
  app->add_option_function<unsigned>(
         "--slot-ahead", [options](unsigned k) { options->slot_ahead = k; },
         "on the SLOT.indication of slot n, schedule slot n + K (its UL_TTI.request and "
         "samples), as real MACs do; real-time clock only, at most 8 (default: 2 with --l1 and "
         "--clock real-time, else 0)")
      ->check(CLI::Range(0U, 8U));
  app->add_option("--slots", options->slots,
                  "override the pattern's num_slots (1 .. 2^20, as the pattern's)")
      ->check(CLI::Range(1U, 1U << 20));
  app->add_option_function<double>(
         "--snr",
         [options](double snr) {
           options->snr_db = snr;
           options->snr_given = true;
         },
         "override the pattern's SNR (dB, -100 .. 100, as the pattern's)")
      ->check(finite_range(-100.0, 100.0));
  app->add_option("--decode-error-budget", options->decode_error_budget_percent,
                  "percent of a control channel's decoding outcomes (PUSCH UCI payloads, PUCCH "
                  "PDUs, preambles, SRS timing) that may be wrong before the run fails, as a "
                  "lost TB fails it (0 .. 100; 100 judges none)")
      ->check(finite_range(0.0, 100.0))
      ->capture_default_str();
  app->add_flag("--quiet", options->quiet, "no per-slot lines, only the summary");
  app->add_option("--fronthaul", options->fronthaul,
                  "send each slot through an emulated O-RU and the DU's slot assembler: 7.2x or "
                  "time-domain")
      ->check(CLI::IsMember({"7.2x", "time-domain"}));
  app->add_option("--comp", options->compression,
                  "fronthaul IQ compression: none or bfp1..bfp16 (default: --fronthaul-config's, "
                  "else bfp9)");
  app->add_option("--fronthaul-config", options->link.config,
                  "scenario YAML whose fronthaul: section the O-RU end uses (the L1's --config: "
                  "eAxC ids, VLAN, MACs, epoch, C-plane window) and, with --l1, whose dpdk: "
                  "section its port uses")
      ->check(CLI::ExistingFile);
  app->add_flag("--cplane", options->cplane,
                "the L1 sends uplink C-plane per UL_TTI.request; the RU sends only what it asks");
  app->add_option("--receiver", options->receiver,
                  "the L1's PUSCH receiver (airan eval's names but perfect-csi; default: the "
                  "product receiver, mmse-lmmse)");
  add_receiver_options(*app, options->placement);
  app->add_option("--l1", options->l1,
                  "an L1 in another process (airan l1): udp:ADDRESS:PORT or shm:NAME; the slots "
                  "go to it over --fronthaul on a DPDK port (--dpdk)");
  app->add_option("--dpdk", options->link.dpdk,
                  "with --l1: the fronthaul link's DPDK device, e.g. "
                  "net_memif0,role=client,socket=/tmp/fh.sock");
  app->add_option("--file-prefix", options->link.file_prefix,
                  "with --l1: DPDK --file-prefix (the L1's process needs another)");
  app->add_option("--link-wait-ms", options->link_wait_ms,
                  "with --l1: how long to wait for the fronthaul link to come up")
      ->capture_default_str();
  return {app, [options] { return run_testmac(*options); }};
}

} // namespace airan::cli
