#include "dpdk_frame_link.h"

#include <thread>

namespace airan::cli {

DpdkFrameLink::DpdkFrameLink(io::DpdkPort& port) : port_(port) {
  // memif's receiving end hands its ring's buffers to the sender only when it polls: until the
  // first poll the far end's first burst (the L1's C-plane of the first slot) finds no room.
  struct Discard final : io::DpdkFrameSink {
    void on_frame(std::span<const std::uint8_t> /*frame*/, std::int64_t /*arrival_ns*/) override {}
  } discard;
  port_.receive_burst(discard); // nothing of a session can have come yet
}

bool DpdkFrameLink::send(std::span<const std::uint8_t> frame) {
  return port_.transmit(frame); // a refusal is reported here
}

std::uint64_t DpdkFrameLink::end_of_slot() {
  // The flush's own count, not stats(): the receiving thread's counters feed those.
  return port_.flush_transmit();
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
