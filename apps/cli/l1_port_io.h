/// \file
/// \brief `airan l1`'s port side: the frames a DPDK port receives into the link receiver, the
/// L1's C-plane out on the port (cplane_port_sender.h), and the summary printed at the end.
#pragma once

#include "cplane_port_sender.h"

#include "airan/io/dpdk_port.h"
#include "airan/io/fapi_transport.h"
#include "airan/l1/fapi_phy.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/uplink_cplane_sender.h"
#include "airan/l1/uplink_cplane_transmit_window.h"

#include <cstdint>
#include <span>

namespace airan::cli {

/// Hands each received frame to the link receiver.
class ReceiverSink final : public io::DpdkFrameSink {
public:
  explicit ReceiverSink(l1::FronthaulLinkReceiver& receiver) : receiver_(receiver) {}
  void on_frame(std::span<const std::uint8_t> frame, std::int64_t arrival_ns) override {
    receiver_.on_frame(frame, arrival_ns); // the burst's CLOCK_REALTIME time (live link)
  }

private:
  l1::FronthaulLinkReceiver& receiver_;
};

/// What the C-plane sender counted, as `airan l1` prints it at exit: slots and PRACH occasions
/// whose C-plane \p sender could not build, frames the port refused, and with \p window (live)
/// the messages sent within T1a's window and late, and the held frames dropped at a session's
/// end.
void print_cplane_out_summary(const l1::FronthaulCplaneSender& sender, const CplanePortSender& out,
                              const l1::UplinkCplaneTransmitWindow* window);

/// The L1's, the link's and the transport's counters, as `airan l1` prints them at exit.
void print_l1_summary(const l1::FapiPhy& phy, const l1::FronthaulLinkReceiver& receiver,
                      const io::FapiTransport& transport, const io::DpdkPort& port);

} // namespace airan::cli
