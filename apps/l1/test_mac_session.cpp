#include "airan/io/fapi_shm_transport.h"
#include "airan/io/fapi_udp_transport.h"
#include "airan/io/oran_prach.h"
#include "airan/l1/fapi_phy.h"
#include "airan/l1/test_mac.h"
#include "airan/phy/numerology.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>

#include <unistd.h>

namespace airan::l1 {
namespace {

/// The two ends of a FAPI link inside one process.
struct TransportPair {
  std::unique_ptr<io::FapiTransport> phy;
  std::unique_ptr<io::FapiTransport> mac;
};

TransportPair make_transports(TransportKind kind) {
  TransportPair pair;
  if (kind == TransportKind::udp) {
    auto phy = std::make_unique<io::FapiUdpTransport>();
    auto mac = std::make_unique<io::FapiUdpTransport>();
    phy->set_remote("127.0.0.1", mac->local_port());
    mac->set_remote("127.0.0.1", phy->local_port());
    pair.phy = std::move(phy);
    pair.mac = std::move(mac);
    return pair;
  }
  static std::atomic<unsigned> counter{0};
  const std::string name =
      "/airan_testmac_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  io::FapiShmConfig config;
  config.payload_buffer_count = 8;
  pair.phy = io::FapiShmTransport::create(name, config);
  pair.mac = io::FapiShmTransport::attach(name);
  return pair;
}

} // namespace

TestMacReport run_test_mac_session(const LaunchPattern& pattern, const TestMacOptions& options) {
  check_slot_ahead(options);
  if (options.slot_timeline && (options.clock != SlotClockMode::real_time ||
                                options.slot_timeline->scale != options.period_scale)) {
    throw std::invalid_argument(
        "test MAC: a slot timeline needs the real-time clock, with the timeline's scale (" +
        std::to_string(options.slot_timeline->scale) + ") as the period scale (" +
        std::to_string(options.period_scale) + ")");
  }
  const bool oran_72x =
      options.fronthaul && options.fronthaul->mode == io::FronthaulIngestMode::frequency_domain;
  if (pattern.prach && oran_72x && !options.fronthaul_cplane) {
    throw std::invalid_argument("PRACH over --fronthaul 7.2x needs --cplane: the L1's section "
                                "type 3 messages tell the O-RU where the occasions are");
  }
  if (pattern.prach && options.fronthaul && !oran_72x && options.fronthaul_cplane) {
    throw std::invalid_argument("PRACH with time-domain fronthaul and C-plane: C-plane section "
                                "requests need 7.2x (the time-domain O-RU sends whole symbols)");
  }
  TransportPair link = make_transports(options.transport);
  const auto numerology = phy::carrier_numerology(pattern.cell);
  InMemoryIqSourceConfig source_config;
  // The slots scheduled ahead wait in the source beside the one on air and the one closing.
  source_config.num_entries = std::max(source_config.num_entries, options.slot_ahead + 4);
  source_config.num_rx_antennas = pattern.num_rx_antennas;
  source_config.symbols_per_slot = numerology.symbols_per_slot();
  source_config.num_subcarriers = 12 * pattern.cell.num_prbs;
  const bool time_domain_fronthaul =
      options.fronthaul && options.fronthaul->mode == io::FronthaulIngestMode::time_domain;
  if (pattern.channel.domain == apps::ChannelDomain::time || time_domain_fronthaul) {
    std::size_t longest = 0;
    for (unsigned s = 0; s < numerology.slots_per_frame(); ++s) {
      longest = std::max<std::size_t>(longest, numerology.slot_length(s));
    }
    source_config.max_iq_samples = longest * pattern.num_rx_antennas;
  }
  if (pattern.prach && oran_72x) {
    // Room for the 7.2x PRACH sections that complete in one slot: a slot's occasions, twice.
    const auto request =
        io::oran_prach_request(pattern.prach->occasion(0), numerology, pattern.cell.num_prbs, 0);
    if (!request.error.empty()) {
      throw std::invalid_argument("PRACH over 7.2x: " + request.error);
    }
    source_config.max_prach_sections = 2 * pattern.prach->occasions_per_slot;
    source_config.max_prach_values = std::size_t{source_config.max_prach_sections} *
                                     pattern.num_rx_antennas * request.request.num_symbols * 12 *
                                     request.request.num_prbs;
  }
  InMemoryIqSource samples(source_config);

  FapiPhyConfig phy_config;
  phy_config.clock_mode = options.clock;
  phy_config.period_scale = options.period_scale;
  phy_config.slot_timeline = options.slot_timeline;
  phy_config.ofdm_fft_size = pattern.cell.fft_size; // the UEs' (and the O-RU's) sample rate
  phy_config.receiver.max_layers = pattern.l1.max_layers;
  phy_config.receiver.num_threads = pattern.l1.receiver_threads;
  phy_config.receiver.front_end = options.front_end;
  phy_config.receiver.detector = options.detector;
  phy_config.receiver.detector_mirrors_front_end = options.detector_mirrors_front_end;
  phy_config.receiver.detector_takes_uci = options.detector_takes_uci;
  phy_config.receiver.ldpc_batch_decoder = options.ldpc_decoder;
  phy_config.receiver.ulsch_decoder = options.ulsch_decoder;
  std::unique_ptr<FronthaulSampleFeeder> feeder;
  std::unique_ptr<FronthaulCplaneSender> cplane;
  if (options.fronthaul) {
    phy_config.receiver.full_scale = options.fronthaul->full_scale; // RSSI in the RU's dBFS
    phy_config.receiver.prach_from_sections = oran_72x;             // the O-RU's PRACH stream
    // PRACH occasions in flight over 7.2x: a slot's, for the slots one long occasion spans.
    const unsigned prach_occasions =
        pattern.prach ? pattern.prach->occasions_per_slot * (pattern.prach->span_slots + 1) : 0;
    feeder = std::make_unique<FronthaulSampleFeeder>(pattern.cell, pattern.num_rx_antennas,
                                                     *options.fronthaul, options.fronthaul_cplane,
                                                     samples, prach_occasions);
    if (options.fronthaul_cplane) {
      cplane = std::make_unique<FronthaulCplaneSender>(
          pattern.cell, pattern.num_rx_antennas, *options.fronthaul,
          [f = feeder.get()](std::span<const std::uint8_t> frame) { f->on_cplane_frame(frame); });
      cplane->on_slot_done([f = feeder.get()](std::uint16_t sfn, std::uint16_t slot) {
        f->on_cplane_slot_done(sfn, slot);
      });
      phy_config.cplane = cplane.get();
    }
  }
  SlotSampleWriter& writer = feeder ? static_cast<SlotSampleWriter&>(*feeder) : samples;
  FapiPhy phy(*link.phy, samples, phy_config);
  std::thread phy_thread([&] { phy.run(); });

  TestMacReport report;
  try {
    report = run_test_mac(pattern, *link.mac, writer, options);
  } catch (...) {
    phy.request_stop();
    phy_thread.join();
    throw;
  }
  phy.request_stop();
  phy_thread.join();
  report.l1 = phy.counters();
  report.l1_transport = link.phy->counters();
  report.mac_transport = link.mac->counters();
  if (feeder) {
    report.fronthaul = feeder->counters();
    report.fronthaul_ingest = feeder->fronthaul_counters();
  }
  if (cplane) {
    report.cplane_frames_sent = cplane->frames_sent();
    report.cplane_build_failures = cplane->slots_failed() + cplane->prach_failed();
  }
  judge_session_counters(report);
  const auto latencies = phy.latencies_us();
  report.l1_latency = summarize_latency(latencies);
  return report;
}

namespace {

/// The end of the summary of a run against an L1 in another process (whose counters, latency
/// and fronthaul ingest are in its own summary).
/// One end's FAPI transport counters, after \p end ("L1", "; MAC").
void print_transport(std::ostream& out, const char* end, const io::FapiTransportCounters& t) {
  out << end << " received " << t.messages_received << " (dropped: malformed "
      << t.dropped_malformed << ", out of sequence " << t.dropped_out_of_sequence << ", too large "
      << t.dropped_too_large << ", foreign " << t.dropped_foreign << "; sequence gaps "
      << t.sequence_gaps << "), sent " << t.messages_sent << " (refused " << t.send_would_block
      << ")";
}

/// The summary's last lines: the MAC's latency, the mismatches and the verdict.
void print_verdict(const TestMacReport& report, std::ostream& out) {
  out << "latency MAC (last sample -> CRC.indication received): "
      << format_latency(report.mac_latency) << '\n';
  for (const auto& detail : report.mismatch_details) {
    out << "  mismatch: " << detail << '\n';
  }
  for (const auto& shortfall : report.decode_shortfalls) {
    out << "  decoding: " << shortfall << '\n';
  }
  out << (report.passed() ? "PASS" : "FAIL") << ": " << report.mismatches << " mismatch(es)";
  if (!report.decode_shortfalls.empty()) {
    out << ", " << report.decode_shortfalls.size() << " channel(s) over the decoding error budget";
  }
  out << '\n';
}

/// The end of the summary of a run against an L1 in another process (whose counters, latency
/// and fronthaul ingest are in its own summary).
void print_external_summary(const TestMacReport& report, const TestMacOptions& options,
                            std::ostream& out) {
  out << "L1: in another process (its counters are in its own summary)\n";
  const auto& f = report.fronthaul;
  out << "fronthaul " << io::to_string(options.fronthaul->mode) << " to the L1's process: slots "
      << f.slots << ", U-plane frames sent " << f.uplane_frames << " (dropped by the link "
      << f.link_dropped;
  if (options.slot_timeline) {
    out << ", sent after their time " << f.uplane_sent_late << ", discarded at STOP "
        << f.discarded_at_stop;
  }
  out << ")";
  if (options.fronthaul_cplane) {
    out << ", C-plane frames received " << f.cplane_frames << " (ignored " << f.cplane_ignored
        << ", slots without " << f.cplane_missing;
    if (f.cplane_other_links > 0) {
      out << "; other links' frames dropped " << f.cplane_other_links;
    }
    out << ")";
    if (options.slot_timeline) { // a live O-RU: against its reception window (T2a)
      out << ", messages on time " << f.cplane_on_time << ", early " << f.cplane_early << ", late "
          << f.cplane_late << ", unclassified " << f.cplane_unclassified
          << "; slots the O-RU dropped at STOP " << f.slots_discarded_at_stop << ", refused "
          << f.slots_refused;
    }
  }
  if (f.prach_frames + f.prach_refused > 0) {
    out << ", PRACH U-plane frames sent " << f.prach_frames << " (requests refused "
        << f.prach_refused << ")";
  }
  out << '\n';
  out << "FAPI transport: ";
  print_transport(out, "MAC", report.mac_transport);
  out << '\n';
  print_verdict(report, out);
}

} // namespace

void print_test_mac_summary(const TestMacReport& report, const LaunchPattern& pattern,
                            const TestMacOptions& options, std::ostream& out) {
  out << "pattern " << pattern.name << ": " << pattern.ues.size() << " UEs, "
      << pattern.cell.num_prbs << " PRBs, " << pattern.num_rx_antennas << " rx, "
      << pattern.channel.describe() << ", SNR " << pattern.snr_db << " dB, transport "
      << transport_kind_name(options.transport) << '\n';
  out << "slots " << report.slots;
  if (report.first_slot) {
    out << " from SFN " << report.first_slot->sfn << '.' << report.first_slot->slot;
  }
  if (options.slot_ahead > 0) {
    out << " (each scheduled " << options.slot_ahead << " ahead)";
  }
  out << ", SLOT.indications out of sequence " << report.slot_indications_out_of_sequence
      << ", PDUs " << report.pdus_sent << " (new TBs " << report.new_tbs << ", retransmissions "
      << report.retransmissions;
  if (report.uci_only_sent > 0) {
    out << ", UCI only " << report.uci_only_sent;
  }
  out << ")\n";
  out << "CRC ok " << report.crc_ok << ", CRC failed " << report.crc_failed
      << ", first transmissions failed " << report.first_transmissions_failed
      << ", recovered by HARQ " << report.recovered_by_harq << '\n';
  if (report.uci_reports > 0) {
    out << "UCI reports " << report.uci_reports << ": payloads right " << report.uci_payloads_ok
        << ", wrong " << report.uci_payloads_wrong << ", not decoded " << report.uci_payloads_failed
        << '\n';
  }
  if (!report.csi_part2_sized_lengths.empty()) {
    out << "CSI part 2 sized from part 1, lengths reported as sent:";
    for (const auto& [bits, count] : report.csi_part2_sized_lengths) {
      out << ' ' << bits << " bits x" << count;
    }
    out << '\n';
  }
  if (report.pucch_sent > 0) {
    out << "PUCCH sent " << report.pucch_sent << ", reported " << report.pucch_reports << ": right "
        << report.pucch_ok << ", missed " << report.pucch_missed << ", wrong "
        << report.pucch_wrong;
    if (!report.external_l1) {
      out << " (L1: " << report.l1.pucch_processed << " received, " << report.l1.pucch_dtx
          << " DTX)";
    }
    out << '\n';
  }
  if (report.srs_sent > 0) {
    std::array<char, 64> figures{};
    std::snprintf(figures.data(), figures.size(), "mean WideBandSNR %.1f dB, TA error up to %.0f",
                  report.mean_srs_snr_db(), report.srs_ta_error_max);
    out << "SRS sent " << report.srs_sent << ", reported " << report.srs_reports << ": "
        << figures.data() << " units, wrong TA " << report.srs_wrong_ta;
    if (!report.external_l1) {
      out << " (L1: " << report.l1.srs_processed << " measured, " << report.l1.srs_reports_sent
          << " SRS.indication PDUs)";
    }
    out << '\n';
  }
  if (pattern.prach) {
    std::array<char, 16> ta_error{};
    std::snprintf(ta_error.data(), ta_error.size(), "%.2f", report.prach_ta_error_max);
    out << "PRACH PDUs " << report.prach_pdus << " (" << report.prach_occasions
        << " occasions, reported " << report.prach_reports << "): preambles sent "
        << report.preambles_sent << ", detected " << report.preambles_detected << ", missed "
        << report.preambles_missed << ", wrong TA " << report.preambles_wrong_ta << ", false "
        << report.preambles_false << ", TA error up to " << ta_error.data() << " units";
    if (!report.external_l1) {
      out << " (L1: " << report.l1.prach_occasions << " occasions, " << report.l1.prach_failed
          << " failed, " << report.l1.prach_preambles << " preambles)";
    }
    out << '\n';
  }
  out << "TBs delivered " << report.tbs_delivered << ", lost " << report.tbs_lost << ", unfinished "
      << report.tbs_unfinished << ", ERROR.indications " << report.error_indications
      << ", mean RSSI " << report.mean_rssi_db() << " dBFS (" << report.rssi_at_ceiling << " of "
      << report.rssi_reports << " at the 0 dBFS ceiling)\n";
  if (report.external_l1) {
    print_external_summary(report, options, out);
    return;
  }
  const auto& c = report.l1;
  out << "L1: slots processed " << c.slots_processed << ", PDUs decoded " << c.pdus_decoded
      << ", SLOT.indications " << c.slot_indications_sent << ", errors sent "
      << c.error_indications_sent << ", send failures " << c.send_failures << " (TBs undelivered "
      << c.tbs_undelivered << "), late samples " << c.late_samples << ", PDUs of unsupported types "
      << c.pdus_unsupported << ", HARQ buffers expired " << c.harq_buffers_expired
      << ", TBs refused for want of a HARQ buffer " << c.harq_pool_exhausted << '\n';
  if (c.slots_passed_without_samples > 0) {
    out << "slots passed without their samples (a later slot's came): "
        << c.slots_passed_without_samples << '\n';
  }
  if (options.fronthaul) {
    const auto& f = report.fronthaul;
    const auto& a = report.fronthaul_ingest;
    out << "fronthaul " << io::to_string(options.fronthaul->mode) << ": slots " << f.slots
        << ", U-plane frames " << f.uplane_frames << " (assembled " << a.packets << ", malformed "
        << a.malformed() << ", missing units " << a.missing_units << ")";
    if (options.fronthaul_cplane) {
      out << ", C-plane frames sent " << report.cplane_frames_sent << " received "
          << f.cplane_frames << " (ignored " << f.cplane_ignored << ", slots without "
          << f.cplane_missing << ")";
    }
    if (f.prach_frames + f.prach_sections + f.prach_refused > 0) {
      out << ", PRACH U-plane frames " << f.prach_frames << " (sections to the L1 "
          << f.prach_sections << ", requests refused " << f.prach_refused << ")";
    }
    out << '\n';
  }
  out << "FAPI transport: ";
  print_transport(out, "L1", report.l1_transport);
  print_transport(out, "; MAC", report.mac_transport);
  out << '\n';
  out << "latency L1 (last sample -> CRC.indication sent): " << format_latency(report.l1_latency)
      << '\n';
  print_verdict(report, out);
}

} // namespace airan::l1
