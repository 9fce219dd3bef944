#include "dpdk_frame_link.h"

#include <thread>

namespace airan::cli {

DpdkFrameLink::DpdkFrameLink(io::DpdkPort& port)
    : port_(port), dropped_seen_(port.stats().tx_dropped) {}

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
