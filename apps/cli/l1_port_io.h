/// \file
/// \brief `airan l1`'s port side: the frames a DPDK port receives into the link receiver, the
/// L1's C-plane out on the port, and the summary printed at the end.
#pragma once

#include "airan/io/dpdk_port.h"
#include "airan/io/fapi_transport.h"
#include "airan/l1/cplane_frame_queue.h"
#include "airan/l1/fapi_phy.h"
#include "airan/l1/fronthaul_link_receiver.h"
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

/// The L1's C-plane, queued by the PHY's thread, out on the port and into the link receiver;
/// with a transmit window (live), each slot that had frames counted on time or late there.
class CplanePortSender final : public l1::CplaneQueueVisitor {
public:
  CplanePortSender(io::DpdkPort& port, l1::FronthaulLinkReceiver& receiver,
                   l1::UplinkCplaneTransmitWindow* window = nullptr)
      : port_(port), receiver_(receiver), window_(window) {}
  void on_frame(std::span<const std::uint8_t> frame) override {
    receiver_.on_cplane_frame(frame); // what the O-RU will send, before it can
    refused_ += port_.transmit(frame) ? 0 : 1;
    ++frames_in_slot_;
  }
  void on_slot_done(std::uint16_t sfn, std::uint16_t slot) override {
    port_.flush_transmit(); // the slot's C-plane leaves in one burst
    if (window_ != nullptr && frames_in_slot_ > 0) {
      window_->count_sent(sfn, slot);
    }
    frames_in_slot_ = 0;
    receiver_.on_cplane_slot_done(sfn, slot);
  }
  /// Frames the port refused.
  [[nodiscard]] std::uint64_t refused() const { return refused_; }

private:
  io::DpdkPort& port_;
  l1::FronthaulLinkReceiver& receiver_;
  l1::UplinkCplaneTransmitWindow* window_;
  std::uint64_t refused_ = 0;
  std::uint64_t frames_in_slot_ = 0;
};

/// What the C-plane sender counted, as `airan l1` prints it at exit: frames the port refused,
/// and with \p window (live) the slots sent within T1a's window and late.
void print_cplane_out_summary(const CplanePortSender& out,
                              const l1::UplinkCplaneTransmitWindow* window);

/// The L1's, the link's and the transport's counters, as `airan l1` prints them at exit.
void print_l1_summary(const l1::FapiPhy& phy, const l1::FronthaulLinkReceiver& receiver,
                      const io::FapiTransport& transport, const io::DpdkPort& port);

} // namespace airan::cli
