/// \file
/// \brief `airan l1`'s uplink C-plane out on its DPDK port: each frame the PHY's thread queued
/// goes to the link receiver at once (it must know what the O-RU was asked for before the
/// U-plane can arrive) and out on the port; live, each frame leaves only when the transmit
/// window of its first symbol opens (l1::UplinkCplanePacer), stepped at once.
#pragma once

#include "airan/io/dpdk_port.h"
#include "airan/l1/cplane_frame_queue.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/uplink_cplane_pacer.h"
#include "airan/l1/uplink_cplane_transmit_window.h"

#include <cstdint>
#include <optional>
#include <span>

namespace airan::cli {

/// A DPDK port as the pacer's sink. A frame transmit() accepted may still be refused by the
/// ring when the burst is flushed: flush() counts those (ring_refused()).
class DpdkCplaneSink final : public l1::CplaneFrameSink {
public:
  explicit DpdkCplaneSink(io::DpdkPort& port) : port_(port) {}
  bool transmit(std::span<const std::uint8_t> frame) override { return port_.transmit(frame); }
  void flush() override { ring_refused_ += port_.flush_transmit(); }
  /// Frames accepted by transmit() that the ring then refused.
  [[nodiscard]] std::uint64_t ring_refused() const { return ring_refused_; }

private:
  io::DpdkPort& port_;
  std::uint64_t ring_refused_ = 0;
};

/// The L1's C-plane, queued by the PHY's thread (l1::CplaneFrameQueue), out on the port and into
/// the link receiver (see the file comment). With a transmit window (live) the frames are paced
/// and counted per message in the window; the port's thread calls send_due() as it polls.
class CplanePortSender final : public l1::CplaneQueueVisitor {
public:
  /// Frames out on \p port and into \p receiver; with \p window (live: it must outlive this)
  /// each frame waits for its transmit window.
  CplanePortSender(io::DpdkPort& port, l1::FronthaulLinkReceiver& receiver,
                   l1::UplinkCplaneTransmitWindow* window = nullptr);
  CplanePortSender(const CplanePortSender&) = delete;
  CplanePortSender& operator=(const CplanePortSender&) = delete;

  /// Gives \p frame to the receiver, then sends it (live: when its window opens).
  void on_frame(std::span<const std::uint8_t> frame) override;
  /// Flushes what the slot's frames left pending on the port and tells the receiver the slot's
  /// C-plane is complete.
  void on_slot_done(std::uint16_t sfn, std::uint16_t slot) override;

  /// Sends the held frames whose windows have opened (nothing without a window); returns how
  /// many.
  std::size_t send_due();
  /// Drops what was not sent (a session ended, a MAC was lost, exit): the frames \p queue still
  /// holds and those the pacer holds for their window, each counted.
  void drop_unsent(l1::CplaneFrameQueue& queue);

  /// Frames the port refused: at transmit() (no mbuf) or when the ring did not take its burst
  /// (those were counted in the transmit window as sent).
  [[nodiscard]] std::uint64_t refused() const;
  /// Frames the pacer held for their window and drop_unsent() dropped.
  [[nodiscard]] std::uint64_t dropped_held() const;
  /// Frames still queued (not handed to this sender yet) that drop_unsent() dropped.
  [[nodiscard]] std::uint64_t dropped_queued() const { return dropped_queued_; }

private:
  io::DpdkPort& port_;
  l1::FronthaulLinkReceiver& receiver_;
  DpdkCplaneSink sink_;
  std::optional<l1::UplinkCplanePacer> pacer_; ///< Live only.
  std::uint64_t refused_ = 0;                  ///< Without a pacer.
  std::uint64_t dropped_queued_ = 0;
};

} // namespace airan::cli
