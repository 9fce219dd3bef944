#include "airan/l1/uplink_cplane_transmit_window.h"

#include "airan/l1/slot_clock.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace airan::l1 {

UplinkCplaneTransmitWindow::UplinkCplaneTransmitWindow(unsigned mu, phy::CyclicPrefix cp,
                                                       const io::AirTimeline& timeline,
                                                       const io::FronthaulConfig& config,
                                                       WallClock now)
    : clock_(mu, cp),
      timeline_(timeline), window_{config.t1a_max_cp_ul_ns, config.t1a_min_cp_ul_ns},
      now_(std::move(now)) {
  if (const auto error = config.validate(); !error.empty()) {
    throw std::invalid_argument("fronthaul: " + error);
  }
  if (const auto error = timeline.validate(); !error.empty()) {
    throw std::invalid_argument(error);
  }
}

std::int64_t UplinkCplaneTransmitWindow::air_now() const {
  return timeline_.air_ns(now_());
}

std::int64_t UplinkCplaneTransmitWindow::slot_on_air(std::int64_t air_ns) const {
  return std::max<std::int64_t>(clock_.absolute_slot_at(timeline_.epoch_ns, air_ns), 0);
}

bool UplinkCplaneTransmitWindow::due(std::uint16_t sfn, std::uint16_t slot) {
  const std::int64_t now = air_now();
  const std::int64_t absolute =
      absolute_slot_near_air(clock_, timeline_.epoch_ns, now, {sfn, slot});
  return now >= window_.opens(clock_.symbol_start_ns(timeline_.epoch_ns, absolute, 0));
}

std::optional<CplaneFrameWindow>
UplinkCplaneTransmitWindow::frame_window(std::span<const std::uint8_t> frame) const {
  return frame_window(frame, air_now());
}

std::optional<CplaneFrameWindow>
UplinkCplaneTransmitWindow::frame_window(std::span<const std::uint8_t> frame,
                                         std::int64_t air_ns) const {
  const std::optional<io::CplaneMessageStart> start = io::first_cplane_message_start(frame, clock_);
  if (!start) {
    return std::nullopt;
  }
  CplaneFrameWindow w;
  w.absolute_slot = clock_.resolve(start->cycle_slot, slot_on_air(air_ns));
  w.symbol = start->symbol;
  w.eaxc_id = start->eaxc_id;
  w.symbol_start_ns = clock_.symbol_start_ns(timeline_.epoch_ns, w.absolute_slot, w.symbol);
  w.opens_ns = window_.opens(w.symbol_start_ns);
  w.closes_ns = window_.closes(w.symbol_start_ns);
  return w;
}

void UplinkCplaneTransmitWindow::count_sent(const std::optional<CplaneFrameWindow>& window) {
  count_sent(window, air_now());
}

void UplinkCplaneTransmitWindow::count_sent(const std::optional<CplaneFrameWindow>& window,
                                            std::int64_t air_ns) {
  if (!window) {
    ++unclassified_;
  } else if (air_ns > window->closes_ns) {
    ++late_;
  } else if (!window->opened(air_ns)) {
    ++early_;
  } else {
    ++on_time_;
  }
}

} // namespace airan::l1
