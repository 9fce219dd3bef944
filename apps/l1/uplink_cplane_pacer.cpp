#include "airan/l1/uplink_cplane_pacer.h"

#include <algorithm>
#include <cstring>

namespace airan::l1 {

UplinkCplanePacer::UplinkCplanePacer(UplinkCplaneTransmitWindow& window, CplaneFrameSink& sink,
                                     std::size_t reserve_bytes, std::size_t reserve_frames)
    : window_(window), sink_(sink) {
  bytes_.reserve(reserve_bytes);
  held_.reserve(reserve_frames);
  waiting_eaxcs_.reserve(reserve_frames);
}

void UplinkCplanePacer::offer(std::span<const std::uint8_t> frame) {
  const std::int64_t now = window_.air_now();
  const std::optional<CplaneFrameWindow> frame_window = window_.frame_window(frame, now);
  if (!frame_window || frame_window->opened(now)) {
    send_held(now); // what became due before it goes first: the offer order among those due
    const bool behind = frame_window && std::ranges::any_of(held_, [&](const HeldFrame& held) {
                          return held.window.eaxc_id == frame_window->eaxc_id;
                        });
    if (!behind) {
      send(frame, frame_window, now);
      return;
    }
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
  waiting_eaxcs_.clear();
  for (HeldFrame& held : held_) {
    const std::uint16_t eaxc = held.window.eaxc_id;
    const bool behind = std::ranges::find(waiting_eaxcs_, eaxc) != waiting_eaxcs_.end();
    if (behind || !held.window.opened(air_ns)) {
      if (!behind) {
        waiting_eaxcs_.push_back(eaxc); // its later frames wait behind it
      }
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
