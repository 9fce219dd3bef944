// `airan ru-emulator`: an O-RU's uplink U-plane from an HDF5 test vector, written to a pcap or
// sent live on a DPDK port at the slot clock's times.
#include "airan/io/dpdk_config.h"
#include "airan/io/ecpri.h"
#include "airan/io/fronthaul_address_filter.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/pcap_file.h"
#include "airan/io/ru_emulator.h"
#include "airan/io/test_vector_file.h"
#include "commands.h"
#include "dpdk_frame_link.h"
#include "fronthaul_options.h"
#include "prepared_slot_queue.h"
#include "process_cpus.h"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace airan::cli {
namespace {

/// The most slots --ahead-slots may prepare (about 32 GB at 273 PRB, 4 antennas, 9-bit BFP).
constexpr unsigned max_ahead_slots = 65536;

struct RuEmulatorOptions {
  std::string vector;
  std::string pcap;
  std::string cplane;
  FronthaulOptions fronthaul;
  unsigned repeat = 1;
  double time_scale = 1.0;
  double lead_ms = 20.0;
  unsigned link_wait_ms = 10000; ///< DPDK: how long to wait for the port's link.
  /// DPDK: slots prepared ahead of the one being sent (the whole vector when it has no more:
  /// then every frame is ready before the first leaves). About 0.5 MB a slot at 273 PRB, 4
  /// antennas and 9-bit BFP.
  unsigned ahead_slots = 64;
  std::int64_t start_ns = 1'700'000'000'000'000'000;
};

void wait_until(std::int64_t time_ns) {
  for (;;) {
    const std::int64_t left = time_ns - io::realtime_ns();
    if (left <= 0) {
      return;
    }
    if (left > 200'000) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(left - 100'000));
    }
  }
}

/// The DU's C-plane requests per slot of the 256-frame cycle, read from a capture.
class CplaneRequests {
public:
  CplaneRequests(const std::string& path, const io::RuEmulator& emulator,
                 const io::FronthaulConfig& config)
      : slots_per_cycle_(emulator.clock().slots_per_cycle()),
        by_slot_(static_cast<std::size_t>(slots_per_cycle_)) {
    const io::FronthaulLinkConfig link = emulator.link_config();
    const io::RuCplaneScope scope = emulator.cplane_scope();
    io::PcapReader reader(path);
    reader.require_link_type(io::pcap_link_type_ethernet);
    io::PcapRecord record;
    io::RuRequestsBySlot frame_requests; // one frame's, then filed by cycle slot
    while (reader.next(record)) {
      // Another DU's C-plane, for its own O-RU (a capture of a shared segment): not ours.
      if (io::match_frame_address(record.data, config, io::FronthaulEnd::ru) !=
          io::FrameAddressMatch::ours) {
        ++other_links_;
        continue;
      }
      frame_requests.clear();
      tally_ += io::take_cplane_frame(record.data, link, scope, emulator.clock(), frame_requests);
      for (const auto& [cycle_slot, requests] : frame_requests) {
        auto& list = by_slot_[cycle_slot];
        num_slots_ += list.empty() ? 1 : 0;
        list.insert(list.end(), requests.begin(), requests.end());
      }
    }
  }
  /// The requests for absolute slot \p slot (empty when the DU asked for nothing).
  [[nodiscard]] std::span<const io::RuSectionRequest> for_slot(std::int64_t slot) const {
    // Floor modulo: a slot before the cycle's start (negative) has its place in the cycle too.
    const std::int64_t cycles = static_cast<std::int64_t>(slots_per_cycle_);
    return by_slot_[static_cast<std::size_t>(((slot % cycles) + cycles) % cycles)];
  }
  [[nodiscard]] const io::RuCplaneTally& tally() const { return tally_; }
  [[nodiscard]] std::size_t num_slots() const { return num_slots_; }
  /// Frames to another MAC address than ru_mac or with another VLAN id: skipped.
  [[nodiscard]] std::size_t other_links() const { return other_links_; }

private:
  std::size_t other_links_ = 0;
  std::int64_t slots_per_cycle_;
  std::vector<std::vector<io::RuSectionRequest>> by_slot_; ///< Indexed by cycle slot.
  std::size_t num_slots_ = 0;
  io::RuCplaneTally tally_;
};

/// Packetizes \p slot: with C-plane, only what the DU requested (nothing for a slot without
/// requests, as an O-RU would); otherwise the whole carrier.
std::size_t packetize(io::RuEmulator& emulator, const io::TestVectorSlot& slot,
                      std::int64_t absolute, std::int64_t epoch, const CplaneRequests* cplane,
                      const io::FronthaulFrameSink& sink) {
  if (cplane == nullptr) {
    return emulator.packetize_slot(slot, absolute, epoch, sink, {});
  }
  const auto requests = cplane->for_slot(absolute);
  return requests.empty() ? 0 : emulator.packetize_slot(slot, absolute, epoch, sink, requests);
}

/// How late the bursts left against their (scaled) transmit times, measured after each flush.
class SendLateness {
public:
  /// Late by more than this counts as late: about the timer's and the burst's own jitter.
  static constexpr std::int64_t tolerance_ns = 20'000;
  void add(std::int64_t late_ns) {
    ++bursts_;
    late_ += late_ns > tolerance_ns ? 1 : 0;
    worst_ns_ = std::max(worst_ns_, late_ns);
  }
  void print(std::ostream& out) const {
    out << "ru-emulator: " << late_ << " of " << bursts_ << " symbol burst(s) left more than "
        << tolerance_ns / 1000 << " us after their time; the latest " << std::fixed
        << std::setprecision(1) << double(worst_ns_) * 1e-3 << " us after\n";
  }

private:
  std::uint64_t bursts_ = 0;
  std::uint64_t late_ = 0;
  std::int64_t worst_ns_ = 0;
};

/// Stops and joins the thread that prepares slots, however the sending ends.
class PreparingThread {
public:
  PreparingThread(PreparedSlotQueue& queue, std::thread thread)
      : queue_(queue), thread_(std::move(thread)) {}
  ~PreparingThread() {
    queue_.cancel();
    thread_.join();
  }
  PreparingThread(const PreparingThread&) = delete;
  PreparingThread& operator=(const PreparingThread&) = delete;

private:
  PreparedSlotQueue& queue_;
  std::thread thread_;
};

/// The epoch of the live timeline whose absolute slot \p base (the vector's first) starts at
/// \p first_start_ns or later. Without a configured epoch, exactly then; with one (`epoch_ns`,
/// `gps`: the DU numbers frames on the same clock) that epoch moved on by whole 256-frame cycles,
/// so that the frames keep the vector's frameIds (the frames' bytes and a DU's checks by cycle
/// slot stay the same). The configured epoch itself put the vector's slots 0, 1, ... at 1970 or
/// 1980: every frame left at once.
std::int64_t timeline_epoch(const io::FronthaulSlotClock& clock,
                            std::optional<std::int64_t> configured, std::int64_t base,
                            std::int64_t first_start_ns) {
  const std::int64_t base_offset_ns = base * clock.slot_duration_ns();
  if (!configured) {
    return first_start_ns - base_offset_ns;
  }
  const std::int64_t cycle_ns = std::int64_t{clock.slots_per_cycle()} * clock.slot_duration_ns();
  const std::int64_t behind = first_start_ns - (*configured + base_offset_ns);
  const std::int64_t cycles = behind <= 0 ? 0 : (behind + cycle_ns - 1) / cycle_ns;
  return *configured + cycles * cycle_ns;
}

int run_live(const RuEmulatorOptions& o, const io::TestVectorReader& reader,
             const io::FronthaulConfig& fh, const CplaneRequests* cplane) {
  const auto dpdk = resolve_dpdk_config(o.fronthaul);
  process_cpus(); // before the EAL pins this thread: the preparing thread runs on all of them
  io::DpdkEal::initialize(dpdk.eal);
  io::DpdkPort port(dpdk.port);
  // The epoch (and --lead-ms) count from a link that is up: a NIC's autonegotiation or a memif
  // peer's connection can take longer than the lead, and frames sent before are lost.
  if (!wait_for_link(port, std::chrono::milliseconds(o.link_wait_ms))) {
    std::cerr << "ru-emulator: the link of DPDK port " << port.port_id()
              << " did not come up within " << o.link_wait_ms << " ms\n";
    return 1;
  }
  const auto& header = reader.header();
  io::RuEmulator emulator(header.cell, header.num_rx_antennas, fh);
  const auto& clock = emulator.clock();
  // The vector's slots keep their slot numbers: repeats move by whole frames.
  io::TestVectorSlot first;
  reader.read_slot(0, first, io::TestVectorSlotParts::pdus_only());
  const auto base = static_cast<std::int64_t>(first.absolute_slot);
  const std::int64_t span_slots =
      static_cast<std::int64_t>(reader.num_slots()) + clock.slots_per_frame();
  const std::int64_t pass_slots = span_slots - span_slots % clock.slots_per_frame();

  // Slots are read and packetized on their own thread, at times relative to an epoch of 0 (the
  // frames' bytes do not depend on it), while this one sends them at their times.
  const std::size_t total_slots = std::size_t{o.repeat} * reader.num_slots();
  PreparedSlotQueue queue(std::min<std::size_t>(o.ahead_slots, total_slots));
  const PreparingThread preparing(
      queue, std::thread([&] {
        // Not on the sender's lcore, where it would take turns with the sender's spinning.
        ::sched_setaffinity(0, sizeof(cpu_set_t), &process_cpus());
        try {
          io::TestVectorSlot slot;
          for (unsigned pass = 0; pass < o.repeat; ++pass) {
            for (std::size_t i = 0; i < reader.num_slots(); ++i) {
              PreparedSlot* prepared = queue.begin_fill();
              if (prepared == nullptr) {
                return; // the sender stopped
              }
              reader.read_slot(i, slot, emulator.vector_parts());
              const std::int64_t absolute =
                  static_cast<std::int64_t>(slot.absolute_slot) + pass * pass_slots;
              packetize(emulator, slot, absolute, 0, cplane,
                        [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
                          prepared->add(frame.data(), frame.size(), tx_ns);
                        });
              queue.end_fill();
            }
          }
          queue.finish();
        } catch (...) {
          queue.finish(std::current_exception());
        }
      }));
  // The timeline starts once the ring is full (the whole vector when it fits): frame 0 of the
  // cycle such that the first slot starts lead_ms from then.
  queue.wait_prepared(o.ahead_slots);
  const std::int64_t epoch = timeline_epoch(
      clock, fh.epoch_ns, base, io::realtime_ns() + static_cast<std::int64_t>(o.lead_ms * 1e6));
  const std::int64_t start = io::realtime_ns();
  std::uint64_t sent = 0;
  SendLateness lateness;
  while (PreparedSlot* prepared = queue.begin_take()) {
    const std::vector<TimedFrame>& frames = prepared->frames;
    const std::size_t used = prepared->used;
    for (std::size_t f = 0; f < used; ++f) {
      const auto& frame = frames[f];
      // --time-scale stretches the timeline from the start (a slow receiver keeps up).
      // (Clamped: a configured epoch up to 2^62 ns ahead, stretched, would overflow.)
      const std::int64_t due =
          start + static_cast<std::int64_t>(std::clamp(
                      double(epoch + frame.tx_ns - start) * o.time_scale, -0x1p62, 0x1p62));
      wait_until(due);
      port.transmit(frame.bytes);
      if (f + 1 == used || frames[f + 1].tx_ns != frame.tx_ns) {
        port.flush_transmit();
        lateness.add(io::realtime_ns() - due);
      }
    }
    sent += used;
    queue.end_take();
  }
  port.flush_transmit();
  const auto stats = port.stats();
  std::cout << "ru-emulator: sent " << stats.tx_packets << " of " << sent << " frame(s) ("
            << stats.tx_bytes << " bytes, " << stats.tx_dropped << " dropped) on DPDK port "
            << port.port_id() << ", " << o.repeat << " pass(es) of " << reader.num_slots()
            << " slot(s)\n";
  lateness.print(std::cout);
  return stats.tx_dropped == 0 ? 0 : 1;
}

int run_ru_emulator(const RuEmulatorOptions& o) {
  const io::TestVectorReader reader(o.vector);
  const auto fh = resolve_fronthaul_config(o.fronthaul);
  const bool live = o.fronthaul.has_dpdk_device();
  if (same_file(o.pcap, o.vector) || same_file(o.pcap, o.cplane) ||
      same_file(o.pcap, o.fronthaul.config)) {
    std::cerr << "airan ru-emulator: --pcap " << o.pcap << " is one of the inputs\n";
    return 2;
  }
  if (live == !o.pcap.empty()) {
    std::cerr << "airan ru-emulator: give exactly one of --pcap FILE or a DPDK device "
                 "(--dpdk/--vdev/--pci)\n";
    return 2;
  }
  // NaN passed a "< 1" check and reached the timeline's float-to-int conversions.
  if (o.repeat == 0 || !(o.time_scale >= 1.0 && o.time_scale <= 1000.0) ||
      !(o.lead_ms >= 0.0 && o.lead_ms <= 10'000.0) || o.ahead_slots == 0 ||
      o.ahead_slots > max_ahead_slots) {
    std::cerr << "airan ru-emulator: --repeat must be >= 1, --time-scale 1 .. 1000, --lead-ms "
                 "0 .. 10000 and --ahead-slots 1 .. "
              << max_ahead_slots << '\n';
    return 2;
  }
  if (live && fh.epoch_ns && o.time_scale != 1.0) {
    // Frames on a configured clock (the DU's too) cannot also run on a stretched one.
    std::cerr << "airan ru-emulator: --time-scale with the fronthaul's epoch_ns: the frames keep "
                 "that clock's times; leave epoch_ns out (learned) to stretch the timeline\n";
    return 2;
  }
  std::cout << "ru-emulator " << o.vector << ": " << reader.num_slots() << " slot(s), "
            << reader.header().num_rx_antennas << " antenna(s), " << io::to_string(fh.mode)
            << ", compression "
            << (fh.compression.method == io::CompressionMethod::none
                    ? std::string("none")
                    : "bfp" + std::to_string(fh.compression.iq_width))
            << '\n';
  if (!o.cplane.empty() && fh.mode != io::FronthaulIngestMode::frequency_domain) {
    std::cerr << "airan ru-emulator: --cplane needs 7.2x (--mode 7.2x): time-domain "
                 "IQ has no PRBs for the requests to select\n";
    return 2;
  }
  if (!o.cplane.empty() && o.repeat > 1) {
    std::cerr << "airan ru-emulator: --repeat above 1 with --cplane: the capture's requests are "
                 "for the vector's slots of one pass\n";
    return 2;
  }
  const auto& header = reader.header();
  std::unique_ptr<CplaneRequests> cplane;
  io::RuEmulator emulator(header.cell, header.num_rx_antennas, fh);
  const io::FronthaulSlotClock& clock = emulator.clock();
  if (!o.cplane.empty()) {
    cplane = std::make_unique<CplaneRequests>(o.cplane, emulator, fh);
    const io::RuCplaneTally& t = cplane->tally();
    std::cout << "C-plane " << o.cplane << ": requests for " << cplane->num_slots() << " slot(s); "
              << t.messages << " message(s), " << t.messages_ignored
              << " ignored (not this carrier's uplink type-1 data, or malformed); "
              << t.sections_taken << " section(s) taken, " << t.sections_ignored
              << " ignored (rb, ef, partial reMask, beyond the carrier or slot)\n";
    if (cplane->other_links() > 0) {
      std::cout << "C-plane: " << cplane->other_links()
                << " frame(s) of other links skipped (to another MAC address than "
                << io::mac_to_string(fh.ru_mac) << ", fronthaul.ru_mac, or another VLAN id; "
                << "fronthaul.filter_by_address: false takes every frame)\n";
    }
    if (cplane->num_slots() == 0) {
      // Asked for nothing, the O-RU would send nothing: an empty capture is no result.
      std::cerr << "airan ru-emulator: --cplane " << o.cplane
                << ": no uplink C-plane request for this carrier (a U-plane capture, or the "
                   "DU's C-plane for another O-RU?)\n";
      return 2;
    }
  }
  if (live) {
    return run_live(o, reader, fh, cplane.get());
  }
  if (o.start_ns < 0 || o.start_ns > max_pcap_start_ns) {
    std::cerr << "airan ru-emulator: --start-ns must be in 0 .. " << max_pcap_start_ns
              << " (pcap timestamps are 32-bit seconds)\n";
    return 2;
  }
  PartialOutput output(o.pcap);
  io::PcapWriter writer(output.path());
  io::TestVectorSlot slot;
  std::size_t frames = 0;
  std::int64_t epoch = 0;
  for (std::size_t i = 0; i < reader.num_slots(); ++i) {
    reader.read_slot(i, slot, emulator.vector_parts());
    const auto absolute = static_cast<std::int64_t>(slot.absolute_slot);
    if (i == 0) {
      epoch = o.start_ns - absolute * clock.slot_duration_ns();
    }
    frames += packetize(emulator, slot, absolute, epoch, cplane.get(),
                        [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
                          writer.write(frame, static_cast<std::uint64_t>(tx_ns));
                        });
  }
  writer.flush();
  output.commit();
  std::cout << "wrote " << o.pcap << ": " << frames << " frame(s)\n";
  return 0;
}

} // namespace

Command add_ru_emulator_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "ru-emulator", "Emulate an O-RU: a test vector's uplink as U-plane packets (pcap or DPDK)");
  auto o = std::make_shared<RuEmulatorOptions>();
  app->add_option("--vector", o->vector, "HDF5 test vector (airan gen)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--config", o->fronthaul.config,
                  "Scenario YAML whose fronthaul:/dpdk: sections set the link")
      ->check(CLI::ExistingFile);
  add_fronthaul_options(*app, o->fronthaul);
  app->add_option("--pcap", o->pcap, "Write the frames to this capture file");
  app->add_option("--cplane", o->cplane,
                  "Capture of the DU's C-plane (airan cplane): send only the requested sections")
      ->check(CLI::ExistingFile);
  app->add_option("--start-ns", o->start_ns, "pcap: time of the first slot's start (ns)")
      ->capture_default_str();
  app->add_option("--repeat", o->repeat, "DPDK: passes over the vector")->capture_default_str();
  app->add_option("--time-scale", o->time_scale,
                  "DPDK: stretch the slot timeline by this factor (1 .. 1000)")
      ->capture_default_str();
  app->add_option("--lead-ms", o->lead_ms,
                  "DPDK: first slot starts this long after the link is up (0 .. 10000)")
      ->capture_default_str();
  app->add_option("--link-wait-ms", o->link_wait_ms, "DPDK: how long to wait for the port's link")
      ->capture_default_str();
  app->add_option("--ahead-slots", o->ahead_slots,
                  "DPDK: slots read and packetized ahead of the one being sent; the timeline "
                  "starts once they are (a vector of no more is sent from memory)")
      ->capture_default_str();
  return {app, [o] { return run_ru_emulator(*o); }};
}

} // namespace airan::cli
