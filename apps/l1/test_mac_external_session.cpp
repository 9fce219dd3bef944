/// \file
/// \brief The test MAC against an L1 in another process (`airan testmac --l1`): FAPI over UDP or
/// shared memory to it, the slots' samples over a fronthaul link as an O-RU would send them.
#include "airan/io/fapi_shm_transport.h"
#include "airan/io/fapi_udp_transport.h"
#include "airan/l1/test_mac.h"

#include <charconv>
#include <memory>
#include <stdexcept>
#include <string>

namespace airan::l1 {

ExternalL1 parse_external_l1(const std::string& text) {
  ExternalL1 l1;
  if (text.starts_with("shm:") && text.size() > 4) {
    l1.transport = TransportKind::shm;
    l1.shm_name = text.substr(4);
    return l1;
  }
  const auto colon = text.rfind(':');
  if (text.starts_with("udp:") && colon != std::string::npos && colon > 4) {
    l1.address = text.substr(4, colon - 4);
    const std::string port = text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error == std::errc() && end == port.data() + port.size() && value > 0 && value < 65536) {
      l1.transport = TransportKind::udp;
      l1.port = static_cast<std::uint16_t>(value);
      return l1;
    }
  }
  throw std::invalid_argument("L1 address '" + text +
                              "': expected udp:ADDRESS:PORT (e.g. udp:127.0.0.1:50000) or "
                              "shm:NAME (the segment `airan l1 --transport shm` created)");
}

void check_test_mac_external(const LaunchPattern& pattern, const TestMacOptions& options) {
  check_slot_ahead(options);
  if (options.slot_timeline && !options.slot_timeline->validate().empty()) {
    throw std::invalid_argument("fronthaul: " + options.slot_timeline->validate());
  }
  if (!options.fronthaul) {
    throw std::invalid_argument("an L1 in another process gets its samples over the fronthaul: "
                                "--fronthaul 7.2x or time-domain");
  }
  const bool oran_72x = options.fronthaul->mode == io::FronthaulIngestMode::frequency_domain;
  if (options.fronthaul_cplane && !oran_72x) {
    throw std::invalid_argument("C-plane needs --fronthaul 7.2x");
  }
  if (pattern.prach && oran_72x && !options.fronthaul_cplane) {
    throw std::invalid_argument("PRACH over 7.2x needs --cplane: the L1's section type 3 "
                                "requests tell the O-RU which occasions to send");
  }
}

TestMacReport run_test_mac_external(const LaunchPattern& pattern, const TestMacOptions& options,
                                    const ExternalL1& l1, FronthaulFrameLink& link) {
  check_test_mac_external(pattern, options);
  std::unique_ptr<io::FapiTransport> transport;
  if (l1.transport == TransportKind::udp) {
    io::FapiUdpConfig local;
    local.local_address = "0.0.0.0"; // the route to the L1 picks the source address
    auto udp = std::make_unique<io::FapiUdpTransport>(local);
    udp->set_remote(l1.address, l1.port);
    transport = std::move(udp);
  } else {
    transport = io::FapiShmTransport::attach(l1.shm_name);
  }
  // PRACH occasions in flight over 7.2x: a slot's, for the slots one long occasion spans.
  const unsigned prach_occasions =
      pattern.prach && options.fronthaul_cplane
          ? pattern.prach->occasions_per_slot * (pattern.prach->span_slots + 1)
          : 0;
  FronthaulSampleFeeder feeder(pattern.cell, pattern.num_rx_antennas, *options.fronthaul, link,
                               options.fronthaul_cplane, prach_occasions, options.slot_timeline);
  TestMacOptions run_options = options;
  run_options.ul_tti_every_slot = options.fronthaul_cplane;
  TestMacReport report = run_test_mac(pattern, *transport, feeder, run_options);
  feeder.finish(); // a paced O-RU's last frames are on the link before the counts
  report.external_l1 = true;
  report.mac_transport = transport->counters();
  report.fronthaul = feeder.counters();
  judge_external_counters(report);
  return report;
}

} // namespace airan::l1
