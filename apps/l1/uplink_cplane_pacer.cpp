#include "airan/l1/uplink_cplane_pacer.h"

#include "airan/io/ecpri.h"

#include <cstring>

namespace airan::l1 {
namespace {

/// send()'s frame copy starts this large: a standard Ethernet frame (jumbo ones grow it once).
constexpr std::size_t pacer_outgoing_reserve = 1536;

} // namespace

UplinkCplanePacer::UplinkCplanePacer(UplinkCplaneTransmitWindow& window, CplaneFrameSink& sink,
                                     std::size_t reserve_bytes, std::size_t reserve_frames)
    : window_(window), sink_(sink) {
  bytes_.reserve(reserve_bytes);
  held_.reserve(reserve_frames);
  outgoing_.reserve(pacer_outgoing_reserve);
  next_sequence_.assign(std::size_t{1} << 16, 0);
}

void UplinkCplanePacer::offer(std::span<const std::uint8_t> frame) {
  const std::int64_t now = window_.air_now();
  const std::optional<CplaneFrameWindow> frame_window = window_.frame_window(frame, now);
  if (!frame_window || frame_window->opened(now)) {
    send_held(now); // what became due before it goes first: the offer order among those due
    send(frame, frame_window, now);
    return;
  }
  HeldFrame held;
  held.offset = bytes_.size();
  held.size = frame.size();
  held.window = *frame_window;
  bytes_.insert(bytes_.end(), frame.begin(), frame.end()); // within capacity once warmed up
  held_.push_back(held);
}

std::size_t UplinkCplanePacer::send_due() {
  if (held_.empty()) {
    return 0; // the common case, every poll: no clock read
  }
  const std::size_t sent = send_held(window_.air_now());
  if (sent > 0) {
    sink_.flush();
  }
  return sent;
}

void UplinkCplanePacer::clear() {
  dropped_held_ += held_.size();
  held_.clear();
  bytes_.clear();
}

std::size_t UplinkCplanePacer::send_held(std::int64_t air_ns) {
  std::size_t sent = 0;
  for (HeldFrame& held : held_) {
    if (!held.window.opened(air_ns)) {
      continue;
    }
    send(std::span<const std::uint8_t>(bytes_).subspan(held.offset, held.size), held.window,
         air_ns);
    held.sent = true;
    ++sent;
  }
  if (sent > 0) {
    compact();
  }
  return sent;
}

void UplinkCplanePacer::send(std::span<const std::uint8_t> frame,
                             const std::optional<CplaneFrameWindow>& window, std::int64_t air_ns) {
  if (window) { // it parsed: each message's ecpriSeqid, of its eAxC, as it leaves
    outgoing_.assign(frame.begin(), frame.end()); // within capacity but for jumbo frames
    const std::span<const std::uint8_t> copy(outgoing_);
    const io::EcpriFrameParseResult parsed = io::parse_ecpri_frame(copy);
    if (parsed.ok()) {
      io::for_each_ecpri_message(copy, parsed.frame, [&](const io::EcpriMessageView& message) {
        if (message.header.type != io::EcpriMessageType::real_time_control) {
          return;
        }
        // SEQ_ID's first byte, two before the application payload (PC_ID/RTC_ID, SEQ_ID).
        const auto at =
            static_cast<std::size_t>(message.application_payload.data() - copy.data()) - 2;
        outgoing_[at] = next_sequence_[message.header.eaxc_id]++;
      });
      frame = copy;
    }
  }
  if (sink_.transmit(frame)) {
    window_.count_sent(window, air_ns);
  } else {
    ++refused_;
  }
}

void UplinkCplanePacer::compact() {
  std::size_t kept = 0;
  std::size_t kept_bytes = 0;
  for (const HeldFrame& held : held_) {
    if (held.sent) {
      continue;
    }
    if (held.offset != kept_bytes) { // moves towards the front: memmove for the overlap
      std::memmove(bytes_.data() + kept_bytes, bytes_.data() + held.offset, held.size);
    }
    held_[kept] = held;
    held_[kept].offset = kept_bytes;
    kept_bytes += held.size;
    ++kept;
  }
  held_.resize(kept);
  bytes_.resize(kept_bytes);
}

} // namespace airan::l1
