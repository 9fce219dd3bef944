// `airan l1`'s uplink C-plane out on its DPDK port (cplane_port_sender.h).
#include "cplane_port_sender.h"

namespace airan::cli {

CplanePortSender::CplanePortSender(io::DpdkPort& port, l1::FronthaulLinkReceiver& receiver,
                                   l1::UplinkCplaneTransmitWindow* window)
    : port_(port), receiver_(receiver), sink_(port) {
  if (window != nullptr) {
    pacer_.emplace(*window, sink_);
  }
}

void CplanePortSender::on_frame(std::span<const std::uint8_t> frame) {
  receiver_.on_cplane_frame(frame); // what the O-RU will send, before it can
  if (pacer_) {
    pacer_->offer(frame);
  } else {
    refused_ += sink_.transmit(frame) ? 0 : 1;
  }
}

void CplanePortSender::on_slot_done(std::uint16_t sfn, std::uint16_t slot) {
  sink_.flush(); // what the slot's frames sent at once leaves in one burst
  receiver_.on_cplane_slot_done(sfn, slot);
}

std::size_t CplanePortSender::send_due() {
  return pacer_ ? pacer_->send_due() : 0;
}

void CplanePortSender::drop_unsent(l1::CplaneFrameQueue& queue) {
  dropped_queued_ += queue.clear();
  if (pacer_) {
    pacer_->clear();
  }
}

std::uint64_t CplanePortSender::refused() const {
  return refused_ + sink_.ring_refused() + (pacer_ ? pacer_->refused() : 0);
}

std::uint64_t CplanePortSender::dropped_held() const {
  return pacer_ ? pacer_->dropped_held() : 0;
}

} // namespace airan::cli
