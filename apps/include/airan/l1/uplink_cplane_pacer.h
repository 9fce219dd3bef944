/// \file
/// \brief Paces a live L1's uplink C-plane frame by frame: each frame (one C-plane message)
/// leaves when the transmit window of its first symbol opens (UplinkCplaneTransmitWindow), not
/// with the rest of its slot. A frame whose window has not opened yet is copied into a hold
/// buffer and sent by a later send_due(), which the port's thread calls as often as it polls.
///
/// Order: frames leave in the order they were offered among those due; a frame that is due
/// overtakes one that is not, of its eAxC too. ecpriSeqid is written as each frame leaves, per
/// eAxC (every message of an eCPRI concatenation chain, by its own eAxC), so that each eAxC's
/// sequence counts up by one on the wire whatever order the frames were built in: slots whose
/// UL_TTI.requests came out of slot order, PRACH occasions after type 1 sections of later
/// symbols. A frame that does not parse leaves as it was.
#pragma once

#include "airan/l1/uplink_cplane_transmit_window.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace airan::l1 {

/// Where paced C-plane frames go (a fronthaul port).
class CplaneFrameSink {
public:
  virtual ~CplaneFrameSink() = default;
  /// Queues \p frame to be sent; false when it was refused (it is not sent).
  virtual bool transmit(std::span<const std::uint8_t> frame) = 0;
  /// Sends what transmit() queued.
  virtual void flush() = 0;
};

/// Holds each C-plane frame until its transmit window opens (see the file comment). The hold
/// buffer is preallocated and reused: it grows only when more is held than ever before.
class UplinkCplanePacer {
public:
  /// Frames timed and counted by \p window, sent to \p sink; \p reserve_bytes and
  /// \p reserve_frames: the hold buffer's starting capacity.
  UplinkCplanePacer(UplinkCplaneTransmitWindow& window, CplaneFrameSink& sink,
                    std::size_t reserve_bytes = 64 * 1024, std::size_t reserve_frames = 256);

  /// Sends \p frame now (after the held frames that are due, without flushing the sink) when its
  /// window has opened or it has none (it did not parse: counted unclassified); else holds a
  /// copy of it.
  void offer(std::span<const std::uint8_t> frame);
  /// Sends the held frames whose windows have opened, in the order they were offered, and
  /// flushes the sink when it sent any; returns how many it gave the sink.
  std::size_t send_due();
  /// Drops the held frames (a session ended), counted in dropped_held().
  void clear();

  /// Frames held now.
  [[nodiscard]] std::size_t held() const { return held_.size(); }
  /// Frames the sink refused.
  [[nodiscard]] std::uint64_t refused() const { return refused_; }
  /// Held frames that clear() dropped.
  [[nodiscard]] std::uint64_t dropped_held() const { return dropped_held_; }

private:
  struct HeldFrame {
    std::size_t offset = 0; ///< Its bytes in bytes_.
    std::size_t size = 0;
    CplaneFrameWindow window;
    bool sent = false; ///< Sent by the send_held() under way; compact() drops it.
  };

  /// Sends the held frames due at air time \p air_ns, in order; returns how many.
  std::size_t send_held(std::int64_t air_ns);
  /// Gives \p frame to the sink, its ecpriSeqids written (see the file comment), and counts it
  /// against \p window at air time \p air_ns.
  void send(std::span<const std::uint8_t> frame, const std::optional<CplaneFrameWindow>& window,
            std::int64_t air_ns);
  /// Drops the sent frames, moving those still held to the front of the buffers (in order).
  void compact();

  UplinkCplaneTransmitWindow& window_;
  CplaneFrameSink& sink_;
  std::vector<std::uint8_t> bytes_;         ///< The held frames' bytes, in offer order.
  std::vector<HeldFrame> held_;             ///< The held frames, in offer order.
  std::vector<std::uint8_t> outgoing_;      ///< send(): the frame with its ecpriSeqids.
  std::vector<std::uint8_t> next_sequence_; ///< The next ecpriSeqid, by eAxC ID (65536).
  std::uint64_t refused_ = 0;
  std::uint64_t dropped_held_ = 0;
};

} // namespace airan::l1
