// `airan l1 --config FILE --dpdk DEVICE --transport udp|shm [--cplane] [--clock real-time]`:
// the FAPI L1 as a process of its own. It serves one MAC over UDP or shared memory and takes its
// samples from an O-RU's U-plane on a DPDK port (FronthaulLinkReceiver), the same receiver the
// test MAC runs in-process; with --cplane it sends the O-RU its uplink C-plane on the same port;
// with --clock real-time its slots run on the wall clock, numbered from GPS time.
#include "airan/io/dpdk_eal.h"
#include "airan/io/fapi_shm_transport.h"
#include "airan/io/fapi_udp_transport.h"
#include "airan/io/oran_prach_sizing.h"
#include "airan/io/pusch_config_file.h"
#include "airan/l1/cplane_frame_queue.h"
#include "airan/l1/fapi_phy.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"
#include "airan/phy/numerology.h"
#include "commands.h"
#include "fronthaul_options.h"
#include "l1_phy_runner.h"
#include "l1_port_io.h"
#include "receiver_options.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

namespace airan::cli {
namespace {

struct L1CommandOptions {
  FronthaulOptions fronthaul; ///< fronthaul.config is --config.
  std::string transport = "udp";
  std::string bind = "127.0.0.1:0";
  std::string shm_name = "/airan_l1";
  std::string receiver;
  ReceiverOptions placement;
  unsigned max_layers = 2;
  unsigned threads = 1;
  bool exit_on_stop = false;
  unsigned mac_timeout_ms = 10000;
  bool cplane = false;
  std::string clock = "stepped";
  double period_scale = 1.0;
};

std::atomic<bool> interrupted{false};

extern "C" void on_signal(int /*signal*/) {
  interrupted.store(true);
}

/// "ADDRESS:PORT" of --bind. \throws io::ConfigError.
std::pair<std::string, std::uint16_t> parse_bind(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon != std::string::npos && colon > 0) {
    try {
      std::size_t used = 0;
      const unsigned long port = std::stoul(text.substr(colon + 1), &used);
      if (used == text.size() - colon - 1 && port < 65536) {
        return {text.substr(0, colon), static_cast<std::uint16_t>(port)};
      }
    } catch (const std::exception&) {
    }
  }
  throw io::ConfigError("--bind '" + text + "': expected ADDRESS:PORT, e.g. 127.0.0.1:50000");
}

/// The live link's timeline (--clock real-time): the fronthaul's epoch (GPS time unless the
/// config names one) at --period-scale; nullopt when stepped.
std::optional<io::AirTimeline> live_timeline(const L1CommandOptions& o,
                                             const io::FronthaulConfig& fronthaul) {
  if (l1::parse_slot_clock_mode(o.clock.c_str()) == l1::SlotClockMode::stepped) {
    if (o.period_scale != 1.0) {
      throw io::ConfigError("--period-scale applies to --clock real-time only");
    }
    return std::nullopt;
  }
  return io::AirTimeline{fronthaul.epoch_ns.value_or(io::gps_frame_epoch_ns), o.period_scale};
}

/// How long the receive loop waits for the PHY to free an entry of the sample source before it
/// refuses a slot: live, 50 us of air time (2 ms of wall time at --period-scale 40), short beside
/// the 215 us the default C-plane window is wide, so that a PHY running behind does not hold the
/// loop's C-plane (and reception) back past its windows; stepped, 100 ms.
std::chrono::microseconds source_push_timeout(const std::optional<io::AirTimeline>& timeline) {
  if (!timeline) {
    return std::chrono::milliseconds(100);
  }
  return std::chrono::microseconds(std::llround(50.0 * timeline->scale));
}

/// The receiver the L1 builds for each CONFIG.request.
l1::FapiPhyConfig phy_config(const L1CommandOptions& o, const l1::CarrierFile& carrier,
                             const io::FronthaulConfig& fronthaul,
                             const std::optional<io::AirTimeline>& timeline) {
  l1::FapiPhyConfig config;
  // Stepped: the O-RU's slots step the clock. Live: the wall clock on the fronthaul's timeline.
  if (timeline) {
    config.clock_mode = l1::SlotClockMode::real_time;
    config.period_scale = timeline->scale;
    config.slot_timeline = timeline;
    config.workless_sample_wait_slots =
        l1::live_workless_wait_slots(fronthaul, carrier.cell.numerology);
    // A slot with work waits at least as long for its samples as one without.
    config.sample_wait_slots =
        std::max(config.sample_wait_slots, config.workless_sample_wait_slots + 1);
  } else {
    config.clock_mode = l1::SlotClockMode::stepped;
  }
  config.receiver.max_layers = o.max_layers;
  config.receiver.num_threads = o.threads;
  config.receiver.full_scale = fronthaul.full_scale;
  config.carrier = l1::FapiCarrier{carrier.cell.num_prbs, carrier.cell.numerology,
                                   carrier.cell.cyclic_prefix, carrier.num_rx_antennas};
  config.ofdm_fft_size = carrier.cell.fft_size;
  if (!o.receiver.empty() || o.placement.backend != "cpu") {
    const apps::ReceiverSpec& spec =
        apps::find_receiver(o.receiver.empty() ? "mmse-lmmse" : o.receiver);
    if (spec.perfect_csi) {
      throw std::invalid_argument(spec.name + " needs the true channel, which an L1 lacks");
    }
    const gpu::BackendSelection backend = gpu::select_backend(o.placement.backend);
    print_backend_choice(o.placement, backend, std::cout);
    ReceiverPlacement placement = place_receiver(spec, o.placement, backend, carrier.cell);
    config.receiver.front_end = spec.front_end;
    config.receiver.detector = std::move(placement.detector);
    config.receiver.detector_mirrors_front_end = placement.detector_mirrors_front_end;
    config.receiver.detector_takes_uci = placement.detector_takes_uci;
    config.receiver.ldpc_batch_decoder = std::move(placement.ldpc);
    config.receiver.ulsch_decoder = std::move(placement.ulsch);
    std::cout << "receiver " << spec.name << " (" << placement.where << ")\n";
  }
  return config;
}

/// Receives from \p port until it has been quiet for 2 ms, for \p limit at most.
void drain(io::DpdkPort& port, io::DpdkFrameSink& sink, std::chrono::milliseconds limit) {
  const auto end = l1::SteadyClock::now() + limit;
  auto quiet_since = l1::SteadyClock::now();
  while (!interrupted.load() && l1::SteadyClock::now() < end &&
         l1::SteadyClock::now() - quiet_since < std::chrono::milliseconds(2)) {
    if (port.receive_burst(sink) > 0) {
      quiet_since = l1::SteadyClock::now();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }
}

int run_l1(const L1CommandOptions& o) {
  process_cpus(); // before the EAL pins this thread
  const l1::CarrierFile carrier = l1::load_carrier_file(o.fronthaul.config);
  const io::FronthaulConfig fronthaul = resolve_fronthaul_config(o.fronthaul);
  if (!o.fronthaul.has_dpdk_device()) {
    std::cerr << "airan l1: the L1 takes its samples from an O-RU: give its DPDK port (--dpdk, "
                 "--vdev or --pci)\n";
    return 2;
  }
  io::DpdkConfig dpdk = resolve_dpdk_config(o.fronthaul);
  const auto numerology = phy::carrier_numerology(carrier.cell);
  l1::InMemoryIqSourceConfig source_config;
  source_config.num_rx_antennas = carrier.num_rx_antennas;
  source_config.symbols_per_slot = numerology.symbols_per_slot();
  source_config.num_subcarriers = 12 * carrier.cell.num_prbs;
  const std::optional<io::AirTimeline> timeline = live_timeline(o, fronthaul);
  if (timeline) {
    // The slots a slot with work may wait for its samples (sample_wait_slots, at least a
    // workless one's wait), and room to spare: slots close in order, so while one waits the
    // later slots' samples must find room, or the receive loop drops them and each of those
    // slots waits in turn, a loss that never ends when every slot has work.
    source_config.num_entries =
        std::max(source_config.num_entries,
                 phy_config(o, carrier, fronthaul, timeline).sample_wait_slots + 3);
  } else {
    // Stepped: every slot the MAC may have asked for ahead of the one on air (with C-plane the
    // empty ones go over in a burst), that one and the one closing, so that a slow slot never
    // makes the receive loop's push time out and lose a slot the clock then waits for.
    source_config.num_entries =
        std::max(source_config.num_entries, l1::FapiPhyConfig{}.max_advance_slots + 2);
  }
  if (fronthaul.mode == io::FronthaulIngestMode::time_domain) {
    std::size_t longest = 0;
    for (unsigned s = 0; s < numerology.slots_per_frame(); ++s) {
      longest = std::max<std::size_t>(longest, numerology.slot_length(s));
    }
    source_config.max_iq_samples = longest * carrier.num_rx_antennas;
  } else if (o.cplane) {
    // The 7.2x PRACH occasions that go with one slot: room for the link's whole queue of them,
    // their values twice what one slot of the carrier's formats can hold (occasions of an
    // earlier slot may come with a later one), never more than every occasion at its largest.
    source_config.max_prach_sections = l1::FronthaulLinkReceiver::max_prach_occasions;
    const io::OranPrachSizing prach =
        io::oran_prach_sizing(carrier.cell, l1::FronthaulLinkReceiver::prach_cplane_lead_slots);
    source_config.max_prach_values =
        std::min(2 * prach.prb_periods_per_slot * phy::subcarriers_per_prb,
                 std::size_t{source_config.max_prach_sections} *
                     l1::FronthaulLinkReceiver::max_prach_values_per_antenna) *
        carrier.num_rx_antennas;
  }
  l1::InMemoryIqSource samples(source_config);
  // A short push timeout: the receive loop must not stall on a source nobody empties.
  l1::FronthaulLinkReceiver receiver(carrier.cell, carrier.num_rx_antennas, fronthaul, samples,
                                     source_push_timeout(timeline), std::chrono::milliseconds(200),
                                     timeline);
  if (o.cplane && fronthaul.mode == io::FronthaulIngestMode::frequency_domain) {
    receiver.expect_prach(); // the occasions the C-plane's type 3 requests ask for
  }
  l1::FapiPhyConfig config = phy_config(o, carrier, fronthaul, timeline);
  // With C-plane the O-RU sends the PRACH occasions the type 3 requests ask for.
  config.receiver.prach_from_sections = o.cplane;
  // With C-plane the PHY's thread queues each UL_TTI.request's C-plane; the receive loop sends it.
  l1::CplaneFrameQueue cplane_queue;
  std::optional<l1::FronthaulCplaneSender> cplane;
  if (o.cplane) {
    if (fronthaul.mode != io::FronthaulIngestMode::frequency_domain) {
      std::cerr << "airan l1: --cplane needs the 7.2x fronthaul (frequency domain)\n";
      return 2;
    }
    cplane.emplace(carrier.cell, carrier.num_rx_antennas, fronthaul,
                   [&](std::span<const std::uint8_t> frame) { cplane_queue.add_frame(frame); });
    cplane->on_slot_done(
        [&](std::uint16_t sfn, std::uint16_t slot) { cplane_queue.add_slot_done(sfn, slot); });
    config.cplane = &*cplane;
  }
  std::optional<l1::UplinkCplaneTransmitWindow> cplane_window; // live: sent in T1a's window
  if (o.cplane && timeline) {
    cplane_window.emplace(carrier.cell.numerology, carrier.cell.cyclic_prefix, *timeline,
                          fronthaul);
  }

  SessionEndHandshake session_end;
  config.on_session_stopped = [&session_end] { session_end.session_stopped(); };

  std::unique_ptr<io::FapiTransport> transport;
  std::string where;
  if (l1::parse_transport_kind(o.transport) == l1::TransportKind::udp) {
    io::FapiUdpConfig udp;
    std::tie(udp.local_address, udp.local_port) = parse_bind(o.bind);
    auto bound = std::make_unique<io::FapiUdpTransport>(udp);
    where = "udp:" + udp.local_address + ":" + std::to_string(bound->local_port());
    transport = std::move(bound);
  } else {
    transport = io::FapiShmTransport::create(o.shm_name);
    where = "shm:" + o.shm_name;
  }
  std::optional<PhyRunner> phy;
  phy.emplace(*transport, samples, config);
  // Frames while no session runs (before START, after STOP) are no session's: a stale one of the
  // last session would fix the next one's slot count.
  receiver.set_session_gate([&phy] { return phy->phy.state() == l1::PhyState::running; });
  std::optional<io::DpdkPort> port;
  io::DpdkEal::initialize(dpdk.eal);
  port.emplace(dpdk.port);
  ReceiverSink sink(receiver);
  CplanePortSender cplane_out(*port, receiver, cplane_window ? &*cplane_window : nullptr);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::cout << "airan l1: " << carrier.cell.num_prbs << " PRB, mu " << carrier.cell.numerology
            << ", FFT " << numerology.fft_size() << " (" << numerology.sample_rate_hz() / 1e6
            << " MHz), " << carrier.num_rx_antennas << " Rx, fronthaul "
            << io::to_string(fronthaul.mode) << " on DPDK port " << port->port_id()
            << "; serving the MAC on " << where << std::endl;
  if (timeline && io::realtime_ns() < timeline->epoch_ns) {
    std::cout << "airan l1: warning: CLOCK_REALTIME is before the fronthaul's epoch (not "
                 "synchronised?): START.requests get SFN_OUT_OF_SYNC until it is"
              << std::endl;
  }
  if (timeline) {
    std::cout << "airan l1: live clock, slots from "
              << (timeline->epoch_ns == io::gps_frame_epoch_ns
                      ? std::string("GPS time")
                      : "epoch " + std::to_string(timeline->epoch_ns) + " ns")
              << " on CLOCK_REALTIME" << (timeline->scale != 1.0 ? ", slowed x" : "")
              << (timeline->scale != 1.0 ? std::to_string(timeline->scale) : "") << std::endl;
  }
  bool ran = false;
  unsigned sessions = 0;
  unsigned macs_lost = 0;
  const auto mac_timeout = std::chrono::milliseconds(o.mac_timeout_ms);
  std::uint64_t last_messages = 0;
  std::uint64_t last_frames = 0;
  auto last_activity = l1::SteadyClock::now();
  auto next_check = last_activity;
  while (!interrupted.load()) {
    if (cplane_window) {
      cplane_queue.take_due(cplane_out, *cplane_window); // each slot from its symbol 0's window
      cplane_out.send_due(); // each frame when its own first symbol's window opens
    } else {
      cplane_queue.take_all(cplane_out);
    }
    const bool idle = port->receive_burst(sink) == 0;
    if (receiver.live()) {
      // Slots past their deadline leave partial while a session runs; after its STOP, a slot
      // the O-RU had begun is dropped at the reset instead.
      if (phy->phy.state() == l1::PhyState::running) {
        receiver.poll(io::realtime_ns());
      }
    } else if (idle) {
      receiver.flush_if_quiet(l1::SteadyClock::now()); // a slot that lost frames must not stall
    }
    if (idle) {
      std::this_thread::sleep_for(std::chrono::microseconds(receiver.live() ? 5 : 20));
    }
    if (session_end.pending()) {
      // A MAC stopped the L1 (its thread waits here): the next one starts again (stepped: at
      // SFN 0).
      ran = false;
      drain(*port, sink, std::chrono::milliseconds(50)); // the O-RU's frames from before STOP
      cplane_out.drop_unsent(cplane_queue);
      receiver.reset();
      session_end.handled();
      ++sessions;
      std::cout << "airan l1: session " << sessions << " ended (STOP.request)" << std::endl;
      if (o.exit_on_stop) {
        break;
      }
    } else if (phy->phy.state() == l1::PhyState::running) {
      ran = true;
    }
    // A MAC that vanished while the L1 ran (no message, no frame for mac_timeout) would leave it
    // waiting for a slot that never comes: it starts afresh, IDLE, for the next MAC.
    const auto now = l1::SteadyClock::now();
    if (ran && now >= next_check) {
      next_check = now + std::chrono::milliseconds(10);
      const std::uint64_t messages = phy->phy.counters().messages_received;
      // Another link's frames on the port are no sign of this link's O-RU.
      const std::uint64_t frames =
          receiver.counters().frames - receiver.counters().frames_for_other_links;
      if (messages != last_messages || frames != last_frames) {
        last_messages = messages;
        last_frames = frames;
        last_activity = now;
      } else if (now - last_activity > mac_timeout) {
        std::cout << "airan l1: nothing from the MAC for " << o.mac_timeout_ms
                  << " ms while running: the L1 starts afresh for the next one" << std::endl;
        phy.reset();
        if (auto* shm = dynamic_cast<io::FapiShmTransport*>(transport.get())) {
          shm->discard_received(); // the lost MAC's last requests
        }
        samples.clear();
        cplane_out.drop_unsent(cplane_queue);
        receiver.reset();
        phy.emplace(*transport, samples, config);
        ran = false;
        last_messages = 0;
        ++macs_lost;
      }
    }
  }
  receiver.flush();
  cplane_out.drop_unsent(cplane_queue); // interrupted: what was not sent is counted
  phy->stop();
  std::cout << "sessions " << sessions << ", MACs lost " << macs_lost << '\n';
  print_l1_summary(phy->phy, receiver, *transport, *port);
  if (cplane) {
    print_cplane_out_summary(*cplane, cplane_out, cplane_window ? &*cplane_window : nullptr);
  }
  return 0;
}

} // namespace

Command add_l1_command(CLI::App& parent) {
  auto options = std::make_shared<L1CommandOptions>();
  CLI::App* app = parent.add_subcommand(
      "l1", "The FAPI L1 as its own process: serves a MAC over UDP or shared memory, receives "
            "the O-RU's U-plane on a DPDK port (stepped by its slots, or live on the wall clock)");
  app->add_option("--config", options->fronthaul.config,
                  "YAML with the carrier (cell:, num_rx_antennas:) and optional fronthaul:/dpdk: "
                  "sections; a launch pattern or scenario file does")
      ->required()
      ->check(CLI::ExistingFile);
  add_fronthaul_options(*app, options->fronthaul);
  app->add_option("--transport", options->transport, "FAPI transport: udp or shm")
      ->check(CLI::IsMember({"udp", "shm"}))
      ->capture_default_str();
  app->add_option("--bind", options->bind, "UDP: ADDRESS:PORT to serve on (port 0: any free)")
      ->capture_default_str();
  app->add_option("--shm", options->shm_name, "shared memory: the segment to create")
      ->capture_default_str();
  app->add_option("--receiver", options->receiver,
                  "the PUSCH receiver (airan eval's names but perfect-csi; default mmse-lmmse)");
  add_receiver_options(*app, options->placement);
  app->add_option("--max-layers", options->max_layers, "largest nrOfLayers decoded (1, 2 or 4)")
      ->check(CLI::IsMember({1U, 2U, 4U}))
      ->capture_default_str();
  app->add_option("--threads", options->threads, "receiver threads")
      ->check(CLI::Range(1U, 64U))
      ->capture_default_str();
  app->add_option("--mac-timeout-ms", options->mac_timeout_ms,
                  "while running: start afresh for the next MAC after this long without a "
                  "message or a frame")
      ->check(CLI::Range(100U, 3600000U))
      ->capture_default_str();
  app->add_flag("--cplane", options->cplane,
                "7.2x: send the O-RU uplink C-plane (section types 1 and 3) per UL_TTI.request on "
                "the same port; it then sends only what was asked for, and a slot asked nothing "
                "of is taken as empty (a stepped MAC sends a UL_TTI.request every slot)");
  app->add_option("--clock", options->clock,
                  "stepped (the O-RU's slots step the L1's clock) or real-time (live: slots on "
                  "CLOCK_REALTIME, PTP-disciplined, numbered from the fronthaul's epoch_ns, GPS "
                  "time unless set; frames against the Ta4 window, partial slots at their "
                  "deadline)")
      ->check(CLI::IsMember({"stepped", "real-time"}))
      ->capture_default_str();
  app->add_option("--period-scale", options->period_scale,
                  "real-time: run the air interface this many times slower than the wall clock "
                  "(both ends of the link must agree)")
      ->check(finite_range(1.0, 1000.0))
      ->capture_default_str();
  app->add_flag("--exit-on-stop", options->exit_on_stop,
                "exit once a MAC has started and stopped the L1 (else: until SIGINT/SIGTERM)");
  return {app, [options] { return run_l1(*options); }};
}

} // namespace airan::cli
