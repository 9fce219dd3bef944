#include "dpdk_frame_link.h"

#include <thread>

namespace airan::cli {

DpdkFrameLink::DpdkFrameLink(io::DpdkPort& port)
    : port_(port), dropped_seen_(port.stats().tx_dropped) {
  // memif's receiving end hands its ring's buffers to the sender only when it polls: until the
  // first poll the far end's first burst (the L1's C-plane of the first slot) finds no room.
  struct Discard final : io::DpdkFrameSink {
    void on_frame(std::span<const std::uint8_t> /*frame*/, std::int64_t /*arrival_ns*/) override {}
  } discard;
  port_.receive_burst(discard); // nothing of a session can have come yet
}

bool DpdkFrameLink::send(std::span<const std::uint8_t> frame) {
  if (port_.transmit(frame)) {
    return true;
  }
  ++refused_in_slot_;
  return false;
}

std::uint64_t DpdkFrameLink::end_of_slot() {
  port_.flush_transmit();
  const std::uint64_t dropped = port_.stats().tx_dropped;
  // transmit() refusals are in the port's count too, and were reported by send().
  const std::uint64_t at_flush = dropped - dropped_seen_ - refused_in_slot_;
  dropped_seen_ = dropped;
  refused_in_slot_ = 0;
  return at_flush;
}

namespace {

/// Forwards a port's frames to a link's handler.
class HandlerSink final : public io::DpdkFrameSink {
public:
  explicit HandlerSink(l1::FronthaulFrameHandler& handler) : handler_(handler) {}
  void on_frame(std::span<const std::uint8_t> frame, std::int64_t /*arrival_ns*/) override {
    handler_.on_frame(frame);
  }

private:
  l1::FronthaulFrameHandler& handler_;
};

} // namespace

unsigned DpdkFrameLink::receive(l1::FronthaulFrameHandler& handler) {
  HandlerSink sink(handler);
  return port_.receive_burst(sink);
}

bool wait_for_link(const io::DpdkPort& port, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!port.link_up()) {
    if (std::chrono::steady_clock::now() > end) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

} // namespace airan::cli
