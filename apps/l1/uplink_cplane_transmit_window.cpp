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

std::pair<std::int64_t, std::int64_t>
UplinkCplaneTransmitWindow::now_and_slot_start(std::uint16_t sfn, std::uint16_t slot) const {
  const std::int64_t air_now = timeline_.air_ns(now_());
  const std::int64_t on_air =
      std::max<std::int64_t>(clock_.absolute_slot_at(timeline_.epoch_ns, air_now), 0);
  const auto absolute = static_cast<std::int64_t>(nearest_absolute_slot(
      static_cast<std::uint64_t>(on_air), {sfn, slot}, clock_.slots_per_frame()));
  return {air_now, clock_.slot_start_ns(timeline_.epoch_ns, absolute)};
}

bool UplinkCplaneTransmitWindow::due(std::uint16_t sfn, std::uint16_t slot) {
  const auto [air_now, start] = now_and_slot_start(sfn, slot);
  return window_.classify(air_now, start) != io::CplaneTiming::early;
}

void UplinkCplaneTransmitWindow::count_sent(std::uint16_t sfn, std::uint16_t slot) {
  const auto [air_now, start] = now_and_slot_start(sfn, slot);
  ++(window_.classify(air_now, start) == io::CplaneTiming::late ? late_ : on_time_);
}

} // namespace airan::l1
