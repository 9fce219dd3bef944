// `airan l1`'s summary at exit (l1_port_io.h).
#include "l1_port_io.h"

#include "airan/io/fronthaul_address_filter.h"

#include <iostream>
#include <string>

namespace airan::cli {

void print_l1_summary(const l1::FapiPhy& phy, const l1::FronthaulLinkReceiver& receiver,
                      const io::FapiTransport& transport, const io::DpdkPort& port) {
  const l1::L1Counters c = phy.counters();
  std::cout << "L1: slots processed " << c.slots_processed << ", PDUs decoded " << c.pdus_decoded
            << ", CRC ok " << c.crc_ok << ", CRC failed " << c.crc_failed << ", SLOT.indications "
            << c.slot_indications_sent << ", errors sent " << c.error_indications_sent
            << ", send failures " << c.send_failures << ", late samples " << c.late_samples
            << ", CONFIGs refused " << c.config_rejected << ", requests in the wrong state "
            << c.invalid_state << '\n';
  if (c.downlink_messages_ignored > 0) { // an uplink-only L1 beside a full-stack MAC
    std::cout << "downlink requests ignored (DL_TTI, UL_DCI, TX_DATA; the first of each session "
                 "answered MSG_INVALID_STATE): "
              << c.downlink_messages_ignored << '\n';
  }
  if (c.slots_passed_without_samples > 0) {
    std::cout << "slots passed without their samples (a later slot's came; stepped clock): "
              << c.slots_passed_without_samples << '\n';
  }
  if (c.start_refused_unsynchronised > 0) {
    std::cout << "STARTs refused, CLOCK_REALTIME before the epoch: "
              << c.start_refused_unsynchronised << '\n';
  }
  if (c.prach_occasions + c.prach_failed > 0) {
    std::cout << "PRACH: occasions " << c.prach_occasions << ", failed " << c.prach_failed
              << ", preambles " << c.prach_preambles << ", sections unmatched "
              << c.prach_sections_unmatched << '\n';
  }
  const auto& link = receiver.counters();
  const auto& a = receiver.fronthaul_counters();
  const io::DpdkPortStats p = port.stats();
  std::cout << "fronthaul: frames " << link.frames << " (DPDK missed " << p.rx_missed
            << ", no mbuf " << p.rx_no_mbuf << ", errors " << p.rx_errors << ", oversize "
            << p.rx_oversize << ", segmented " << p.rx_segmented << "), assembled " << a.packets
            << ", malformed " << a.malformed() << ", missing units " << a.missing_units
            << "; slots to the L1 " << link.slots_delivered << " (partial " << link.slots_partial
            << ", refused " << link.slots_refused << ", flushed after a quiet link "
            << link.quiet_flushes << ", dropped at STOP " << link.slots_dropped_at_reset << ")\n";
  if (link.frames_outside_session > 0) {
    std::cout << "fronthaul frames while no session ran (before START, after STOP; dropped): "
              << link.frames_outside_session << '\n';
  }
  std::cout << io::describe_other_links(a, receiver.config());
  if (link.cplane_frames + link.slots_empty + link.slots_lost > 0) {
    // Built: the frames the pacer held and dropped unsent are printed apart below.
    std::cout << "C-plane: frames built " << link.cplane_frames << " (the port dropped "
              << p.tx_dropped << "; sections " << link.cplane_sections << ", requested slots "
              << a.requested_slots << ", unserved " << a.requested_slots_unserved
              << "), slots asked nothing of " << link.slots_empty << ", lost " << link.slots_lost
              << '\n';
    if (link.prach_occasions + link.prach_dropped > 0) {
      std::cout << "PRACH over 7.2x: occasions to the L1 " << link.prach_occasions << " (dropped "
                << link.prach_dropped << ")\n";
    }
  }
  const io::FapiTransportCounters t = transport.counters();
  std::cout << "FAPI transport: received " << t.messages_received << " (dropped: malformed "
            << t.dropped_malformed << ", out of sequence " << t.dropped_out_of_sequence
            << ", foreign " << t.dropped_foreign << "; sequence gaps " << t.sequence_gaps
            << "), sent " << t.messages_sent << " (refused " << t.send_would_block << ")\n";
}

void print_cplane_out_summary(const l1::FronthaulCplaneSender& sender, const CplanePortSender& out,
                              const l1::UplinkCplaneTransmitWindow* window) {
  if (sender.slots_failed() + sender.prach_failed() > 0) {
    std::cout << "C-plane the L1 could not build (the O-RU was asked for nothing): slots "
              << sender.slots_failed() << ", PRACH occasions " << sender.prach_failed() << '\n';
  }
  if (out.refused() > 0) {
    std::cout << "C-plane frames the port refused: " << out.refused() << '\n';
  }
  if (window != nullptr) {
    const io::CplaneWindow& w = window->window();
    // Microseconds, with the nanoseconds after a point when there are any.
    const auto us = [](std::int64_t ns) {
      std::string text = std::to_string(ns / 1000);
      if (ns % 1000 != 0) {
        const std::string fraction = std::to_string(1000 + ns % 1000);
        text += "." + fraction.substr(1);
      }
      return text;
    };
    std::cout << "C-plane transmit window (T1a_max_cp_ul " << us(w.max_ns)
              << " us .. T1a_min_cp_ul " << us(w.min_ns)
              << " us before each message's first symbol, air time): messages sent on time "
              << window->messages_on_time() << ", late " << window->messages_late();
    if (window->messages_early() > 0) { // a pacer sends none before its window
      std::cout << ", early " << window->messages_early();
    }
    if (window->messages_unclassified() > 0) {
      std::cout << ", not classified " << window->messages_unclassified();
    }
    std::cout << '\n';
  }
  if (out.dropped_held() + out.dropped_queued() > 0) {
    std::cout << "C-plane frames dropped unsent (a session's end, a lost MAC, exit): held for "
                 "their window "
              << out.dropped_held() << ", queued " << out.dropped_queued() << '\n';
  }
}

} // namespace airan::cli
