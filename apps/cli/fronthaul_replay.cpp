#include "fronthaul_replay.h"

#include "dpdk_pcap_path.h"

#include "airan/io/fronthaul_address_filter.h"

#include "airan/apps/receiver_catalog.h"
#include "airan/io/dpdk_fronthaul_ingest.h"
#include "airan/io/fronthaul_slot_assembler.h"
#include "airan/io/pcap_file.h"
#include "airan/io/pusch_config_file.h"
#include "airan/io/test_vector_file.h"
#include "airan/phy/pusch_frequency_hopping.h"
#include "airan/phy/pusch_receiver.h"
#include "fapi_only_scenarios.h"
#include "receiver_options.h"
#include "vector_uci_check.h"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

namespace airan::cli {
namespace {

/// TB tallies of a replay.
struct ReplayTotals {
  std::uint64_t slots = 0, partial_slots = 0, tbs = 0, decoded = 0, damaged = 0;
  std::uint64_t expected = 0, expected_decoded = 0, unknown_slots = 0;
  /// The vector's (readable) slots, and how many of them a slot of the capture matched.
  std::uint64_t vector_slots = 0, vector_slots_seen = 0;
  /// Reads of the vector's slots that failed (a damaged vector: bad input, exit 2).
  std::uint64_t vector_slots_unreadable = 0;
  /// UCI payloads of undamaged PDUs the vector expects right (expected_uci_ok), and how many were.
  std::uint64_t uci_expected = 0, uci_expected_right = 0;
  double receiver_us = 0.0;
};

/// Receiver side of a replay: PDUs per slot (from the vector or the scenario) and checks.
class SlotChecker {
public:
  SlotChecker(const FronthaulReplayOptions& o, const io::SlotScenario& scenario,
              const io::TestVectorReader* vector, unsigned num_rx, unsigned slots_per_cycle)
      : options_(o), scenario_(scenario), vector_(vector), slots_per_cycle_(slots_per_cycle) {
    const auto& spec = apps::find_receiver(o.receiver);
    if (spec.perfect_csi) {
      throw io::ConfigError("--receiver perfect-csi needs the true channel: not over fronthaul");
    }
    phy::PuschReceiverConfig config;
    config.num_rx_antennas = num_rx;
    config.num_threads = std::max(1U, o.threads);
    config.front_end = spec.front_end;
    const gpu::BackendSelection backend = gpu::select_backend(o.options.backend);
    const bool transform_precoding =
        std::any_of(scenario.pusch.begin(), scenario.pusch.end(),
                    [](const phy::PuschConfig& p) { return p.transform_precoding; });
    ReceiverPlacement placement =
        place_receiver(spec, o.options, backend, scenario.cell, transform_precoding);
    config.detector = std::move(placement.detector);
    config.ldpc_batch_decoder = std::move(placement.ldpc);
    config.ulsch_decoder = std::move(placement.ulsch);
    if (!o.quiet) {
      print_backend_choice(o.options, backend, std::cout);
      std::cout << "receiver " << spec.name << ": " << placement.where << '\n';
    }
    receiver_ = std::make_unique<phy::PuschReceiver>(scenario.cell, config);
    if (vector_ != nullptr) {
      io::TestVectorSlot slot;
      for (std::size_t i = 0; i < vector_->num_slots(); ++i) {
        // An unreadable vector slot is reported; the capture's slot it describes is then "not
        // in the vector", counted, and fails the replay; the other slots still run.
        try {
          vector_->read_slot(i, slot, io::TestVectorSlotParts::pdus_only());
        } catch (const io::TestVectorError& error) {
          std::cerr << "airan replay: vector slot " << i << " skipped: " << error.what() << '\n';
          ++totals_.vector_slots_unreadable;
          continue;
        }
        by_cycle_slot_[cycle_slot(static_cast<std::int64_t>(slot.absolute_slot))] = i;
      }
      totals_.vector_slots = by_cycle_slot_.size();
      seen_.assign(vector_->num_slots(), false);
    }
  }

  void on_slot(const io::AssembledSlot& slot) {
    ++totals_.slots;
    totals_.partial_slots += slot.complete() ? 0 : 1;
    if (options_.ingest_only) {
      return;
    }
    pdus_.clear();
    const io::TestVectorSlot* expected = nullptr;
    if (vector_ != nullptr) {
      const auto found = by_cycle_slot_.find(cycle_slot(slot.absolute_slot));
      if (found == by_cycle_slot_.end()) {
        ++totals_.unknown_slots;
        print_slot_header(slot);
        std::cout << " | not in the vector\n";
        return;
      }
      if (!seen_[found->second]) {
        seen_[found->second] = true;
        ++totals_.vector_slots_seen;
      }
      try {
        vector_->read_slot(found->second, vector_slot_, io::TestVectorSlotParts::pdus_only());
      } catch (const io::TestVectorError& error) {
        ++totals_.unknown_slots;
        ++totals_.vector_slots_unreadable;
        print_slot_header(slot);
        std::cout << " | vector slot unreadable: " << error.what() << '\n';
        return;
      }
      expected = &vector_slot_;
      for (const auto& pdu : vector_slot_.pdus) {
        pdus_.push_back(pdu.config);
      }
    } else {
      pdus_ = scenario_.pusch;
    }
    const auto start = std::chrono::steady_clock::now();
    if (slot.mode == io::FronthaulIngestMode::time_domain) {
      receiver_->process_slot_iq(slot.iq, slot.slot, pdus_, results_);
    } else {
      receiver_->process_slot(slot.grid, slot.slot, pdus_, results_);
    }
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    totals_.receiver_us += us;
    print_slot_header(slot);
    for (std::size_t p = 0; p < results_.size(); ++p) {
      const auto& r = results_[p];
      const auto& pdu = pdus_[p];
      // Every hop's PRBs over its symbols (intra-slot frequency hopping: two).
      const phy::PuschHops hops = phy::pusch_hops(pdu);
      bool intact = true;
      for (unsigned h = 0; h < hops.count; ++h) {
        const phy::PuschHop& hop = hops.hops[h];
        const unsigned first_prb = pdu.bwp_start - scenario_.cell.grid_start_crb + hop.prb_start;
        intact = intact && slot.allocation_received(first_prb, pdu.prb_size, hop.start_symbol,
                                                    hop.num_symbols);
      }
      if (expected != nullptr && intact && pdu.uci.present() && expected->pdus[p].expected_uci_ok) {
        check_uci_payloads(r, expected->pdus[p], [&](bool right) {
          ++totals_.uci_expected;
          totals_.uci_expected_right += right ? 1 : 0;
        });
      }
      if (!pdu.ulsch) { // UCI only: no TB to count
        if (!options_.quiet) {
          std::cout << " | rnti " << r.rnti << " UCI only" << (intact ? "" : " (damaged)")
                    << (r.error.empty() ? "" : " error: " + r.error);
        }
        continue;
      }
      const bool good =
          r.tb_crc_ok && (expected == nullptr || r.tb_bits == expected->pdus[p].tb_bits);
      const bool expect = expected == nullptr || expected->pdus[p].expected_crc_ok;
      ++totals_.tbs;
      totals_.decoded += good ? 1 : 0;
      totals_.damaged += intact ? 0 : 1;
      if (intact && expect) {
        ++totals_.expected;
        totals_.expected_decoded += good ? 1 : 0;
      }
      if (!options_.quiet) {
        std::cout << " | rnti " << r.rnti << ' '
                  << (good ? "CRC ok" : (r.tb_crc_ok ? "WRONG BITS" : "CRC fail"))
                  << (intact ? "" : " (damaged)");
      }
    }
    if (!options_.quiet) {
      std::cout << std::fixed << std::setprecision(0) << "  " << us << " us\n";
    }
  }

  [[nodiscard]] const ReplayTotals& totals() const { return totals_; }

private:
  /// The slot in the frameId cycle: a floor modulo (absolute slots before the epoch are
  /// negative).
  [[nodiscard]] std::size_t cycle_slot(std::int64_t absolute_slot) const {
    const auto cycle = static_cast<std::int64_t>(slots_per_cycle_);
    return static_cast<std::size_t>(((absolute_slot % cycle) + cycle) % cycle);
  }

  void print_slot_header(const io::AssembledSlot& slot) const {
    if (options_.quiet) {
      return;
    }
    std::cout << "slot " << std::setw(3) << unsigned(slot.frame_id) << '.'
              << unsigned(slot.subframe_id) << '.' << std::setw(2) << unsigned(slot.slot_id) << " ("
              << std::setw(2) << slot.slot << ") " << (slot.complete() ? "complete" : "partial ")
              << " missing " << slot.stats.missing_units << " unit(s), " << slot.stats.packets
              << " pkt (" << slot.stats.late << " late)";
  }

  const FronthaulReplayOptions& options_;
  const io::SlotScenario& scenario_;
  const io::TestVectorReader* vector_;
  std::size_t slots_per_cycle_;
  std::map<std::size_t, std::size_t> by_cycle_slot_;
  std::vector<bool> seen_; ///< Per vector slot: a slot of the capture matched it.
  std::unique_ptr<phy::PuschReceiver> receiver_;
  io::TestVectorSlot vector_slot_;
  std::vector<phy::PuschConfig> pdus_;
  std::vector<phy::PuschPduResult> results_;
  ReplayTotals totals_;
};

/// The records of a capture that read cleanly (as libpcap reads them).
struct CaptureRecords {
  std::uint64_t records = 0;
  std::size_t cut_to_snaplen = 0; ///< Records longer than the snaplen, cut to it.
};

/// Counts the records of \p path; \p error gets the reader's complaint about the rest (a
/// truncated or inconsistent record), if any. \throws io::PcapError when the file is no
/// Ethernet capture.
CaptureRecords count_records(const std::string& path, std::string& error) {
  io::PcapReader reader(path);
  reader.require_link_type(io::pcap_link_type_ethernet);
  io::PcapRecord record;
  CaptureRecords count;
  try {
    while (reader.next(record)) {
      ++count.records;
    }
  } catch (const io::PcapError& e) {
    error = e.what();
  }
  count.cut_to_snaplen = reader.num_cut_to_snaplen();
  return count;
}

} // namespace

int run_fronthaul_replay(const FronthaulReplayOptions& o) {
  if (o.fronthaul.config.empty()) {
    std::cerr << "airan replay: a capture or live ingest needs --config (cell and fronthaul)\n";
    return 2;
  }
  const auto scenario = load_scenario_outside_fapi(o.fronthaul.config, "airan replay");
  const auto fh = resolve_fronthaul_config(o.fronthaul);
  std::optional<io::TestVectorReader> vector;
  if (!o.vector.empty()) {
    vector.emplace(o.vector);
  }
  const unsigned num_rx = vector ? vector->header().num_rx_antennas : scenario.num_rx_antennas;
  const phy::CellConfig cell = vector ? vector->header().cell : scenario.cell;
  io::SlotScenario effective = scenario;
  effective.cell = cell;
  io::FronthaulSlotAssembler assembler(cell, num_rx, fh);
  SlotChecker checker(o, effective, vector ? &*vector : nullptr, num_rx,
                      assembler.clock().slots_per_cycle());
  const std::string source = o.capture.empty() ? "live DPDK port" : o.capture;
  std::cout << "replay " << source << ": " << cell.num_prbs << " PRB, mu " << cell.numerology
            << ", " << num_rx << " Rx, " << io::to_string(fh.mode) << ", receiver " << o.receiver
            << (o.no_dpdk ? ", pcap reader" : ", DPDK") << '\n';

  auto start = std::chrono::steady_clock::now();
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
  std::string capture_error;                    ///< The capture is damaged after its good records.
  std::optional<std::uint64_t> capture_records; ///< DPDK replay: records the reader could read.
  std::size_t cut_to_snaplen = 0;               ///< Capture records cut to the snaplen.
  std::uint64_t slot_errors = 0;
  if (o.no_dpdk) {
    if (o.capture.empty()) {
      std::cerr << "airan replay: --no-dpdk needs a capture file\n";
      return 2;
    }
    io::PcapReader reader(o.capture);
    reader.require_link_type(io::pcap_link_type_ethernet);
    io::PcapRecord record;
    const auto drain = [&] {
      while (const auto* slot = assembler.next_slot()) {
        checker.on_slot(*slot);
        assembler.release(slot);
      }
    };
    try {
      while (reader.next(record)) {
        ++frames;
        bytes += record.data.size();
        // Deadlines follow the time of frames that went into a slot only (a rejected frame's
        // or an outlying timestamp must not pass every pending slot's deadline).
        if (assembler.push(record.data, static_cast<std::int64_t>(record.timestamp_ns))) {
          assembler.advance(*assembler.arrival_clock_ns());
        }
        drain();
      }
    } catch (const io::PcapError& error) {
      // What was read so far is still assembled, checked and reported; the run fails.
      capture_error = error.what();
    }
    cut_to_snaplen = reader.num_cut_to_snaplen();
    assembler.flush();
    drain();
  } else {
    auto dpdk = resolve_dpdk_config(o.fronthaul);
    std::optional<DpdkPcapPath> pcap_path; // until the EAL probed the capture
    if (!o.capture.empty()) {
      // net_pcap stops quietly at a damaged record: count the readable records first.
      const CaptureRecords count = count_records(o.capture, capture_error);
      capture_records = count.records;
      cut_to_snaplen = count.cut_to_snaplen;
      // A path with a ',', '=' or space goes in through a link with a plain name.
      pcap_path.emplace(o.capture);
      dpdk.eal.vdevs = {"net_pcap0,rx_pcap=" + pcap_path->path()};
      dpdk.eal.pci_allow.clear();
      dpdk.port.device = "net_pcap0";
      dpdk.port.tx_ring_size = 0;
    }
    io::DpdkEal::initialize(dpdk.eal);
    io::DpdkPort port(dpdk.port);
    if (o.capture.empty()) {
      // A live sender may start now (tests wait for this line).
      std::cout << "receiving on DPDK port " << port.port_id() << std::endl;
    }
    start = std::chrono::steady_clock::now(); // EAL and port set-up excluded
    io::DpdkFronthaulIngest ingest(port, assembler,
                                   o.capture.empty() ? io::IngestClock::realtime
                                                     : io::IngestClock::capture_time,
                                   [&](const io::AssembledSlot& slot) { checker.on_slot(slot); });
    if (o.capture.empty()) {
      const auto deadline = start + std::chrono::duration<double>(o.timeout_s);
      ingest.run_until([&] {
        return (o.max_slots > 0 && checker.totals().slots >= o.max_slots) ||
               std::chrono::steady_clock::now() > deadline;
      });
    } else {
      ingest.run_until_idle();
    }
    frames = ingest.stats().frames;
    bytes = ingest.stats().bytes;
    if (ingest.stats().handler_errors > 0) {
      slot_errors = ingest.stats().handler_errors;
      std::cerr << "airan replay: " << slot_errors
                << " slot(s) failed in the receiver, the first: " << ingest.first_handler_error()
                << '\n';
    }
    if (capture_records && frames != *capture_records) {
      std::cerr << "airan replay: the DPDK port delivered " << frames << " of the capture's "
                << *capture_records << " readable record(s)\n";
    }
    const auto port_stats = port.stats();
    if (port_stats.rx_missed + port_stats.rx_no_mbuf + port_stats.rx_errors +
            port_stats.rx_oversize + port_stats.rx_segmented >
        0) {
      std::cout << "DPDK port: " << port_stats.rx_missed << " missed, " << port_stats.rx_no_mbuf
                << " without mbuf, " << port_stats.rx_errors << " erroneous, "
                << port_stats.rx_oversize << " oversize (dropped), " << port_stats.rx_segmented
                << " segmented\n";
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& t = checker.totals();
  const auto& c = assembler.counters();
  std::cout << "fronthaul: " << frames << " frame(s), " << c.malformed() << " malformed, "
            << c.missing_units << " missing unit(s), " << c.sequence_gaps << " sequence gap(s), "
            << c.duplicate_packets << " duplicate(s)\n";
  if (!o.quiet) {
    std::cout << io::to_string(c);
  }
  std::cout << io::describe_other_links(c, fh);
  if (cut_to_snaplen > 0) {
    std::cout << "capture: " << cut_to_snaplen
              << " record(s) longer than the file's snaplen, cut to it (as libpcap reads them)\n";
  }
  const bool capture_ok =
      capture_error.empty() && (!capture_records || *capture_records == frames) && slot_errors == 0;
  if (!capture_error.empty()) {
    std::cout << "capture damaged after " << (capture_records ? *capture_records : frames)
              << " record(s): " << capture_error << " -> FAIL\n";
  }
  if (o.ingest_only) {
    std::cout << std::fixed << std::setprecision(0) << "ingest: " << t.slots << " slot(s) ("
              << t.partial_slots << " partial), " << frames << " frame(s) in "
              << std::setprecision(3) << seconds << " s: " << std::setprecision(0)
              << double(frames) / seconds << " frames/s, " << std::setprecision(2)
              << double(bytes) * 8e-9 / seconds << " Gbit/s\n";
    return !capture_error.empty() ? 2 : t.slots > 0 && t.partial_slots == 0 && capture_ok ? 0 : 1;
  }
  // Nothing checked proves nothing: no TB at all, or every expected-good TB damaged by loss.
  const bool nothing_checked =
      t.expected == 0 && t.uci_expected == 0 && (t.tbs == 0 || t.damaged > 0);
  if (nothing_checked) {
    std::cout << "no undamaged expected-good TB or UCI payload was checked -> FAIL\n";
  }
  // A live run that ended at its timeout before its --slots, or a capture without some of the
  // vector's slots (ru-emulator writes them all): TBs that never came.
  const bool live_short = o.capture.empty() && o.max_slots > 0 && t.slots < o.max_slots;
  if (live_short) {
    std::cout << "timed out after " << t.slots << " of " << o.max_slots << " slot(s) -> FAIL\n";
  }
  const bool slots_missing = !o.capture.empty() && t.vector_slots_seen < t.vector_slots;
  if (slots_missing) {
    std::cout << t.vector_slots - t.vector_slots_seen << " of the vector's " << t.vector_slots
              << " slot(s) are not in the capture -> FAIL\n";
  }
  if (t.vector_slots_unreadable > 0) {
    std::cout << t.vector_slots_unreadable << " read(s) of the vector's slots failed (a damaged "
              << "vector) -> FAIL\n";
  }
  const bool pass = t.expected_decoded == t.expected && t.uci_expected_right == t.uci_expected &&
                    t.slots > 0 && t.unknown_slots == 0 && capture_ok && !nothing_checked &&
                    !live_short && !slots_missing && t.vector_slots_unreadable == 0;
  std::cout << std::fixed << std::setprecision(1) << "total: " << t.slots << " slot(s) ("
            << t.partial_slots << " partial), " << t.decoded << "/" << t.tbs << " TBs decoded, "
            << t.damaged << " damaged by fronthaul loss; " << t.expected_decoded << "/"
            << t.expected << " expected-good undamaged TBs decoded; "
            << (t.uci_expected > 0 ? "UCI payloads right " + std::to_string(t.uci_expected_right) +
                                         "/" + std::to_string(t.uci_expected) + "; "
                                   : std::string{})
            << double(frames) / std::max(seconds, 1e-9) << " frames/s with the receiver -> "
            << (pass ? "PASS" : "FAIL") << '\n';
  // Exit 2 for a damaged capture or vector (bad input, as for an HDF5 vector with unreadable
  // slots), after the totals of what came before the damage; 1 for TBs the receiver missed.
  if (!capture_error.empty() || t.vector_slots_unreadable > 0) {
    return 2;
  }
  return pass ? 0 : 1;
}

} // namespace airan::cli
