/// \file
/// \brief UplinkPrachSignal: the test MAC's PRACH preambles through their channels into the
/// slots' time-domain IQ, with a carry-over for the samples past a slot's end.
#include "airan/l1/uplink_prach.h"

#include "airan/phy/cdl_channel.h"
#include "airan/phy/tdl_profile.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::l1 {
namespace {

/// Stream of the per-transmission channel seeds (apps::derive_seed's last index).
constexpr std::uint64_t uplink_prach_channel_stream = 0x9AC4;

bool prach_names_awgn(const std::string& model) {
  return model == "awgn" || model == "AWGN";
}

} // namespace

phy::TdlChannelConfig prach_channel_config(const apps::ChannelSpec& channel,
                                           unsigned num_rx_antennas, double delay_s) {
  phy::TdlChannelConfig config;
  if (prach_names_awgn(channel.model)) {
    // The PUSCH's awgn model is a fixed channel without delay; a preamble needs its delay: one
    // path of unit gain (a LOS tap: one random phase for every antenna; the detector is
    // non-coherent).
    config.profile = {"AWGN", {{0.0, 1.0, true}}};
    config.num_rx = num_rx_antennas;
    config.num_tx = 1;
    config.timing_offset_s = delay_s;
    return config;
  }
  if (phy::names_cdl_family(channel.model)) {
    phy::CdlChannelSpec cdl;
    cdl.model = channel.model;
    cdl.delay_spread_s = channel.delay_spread_s;
    cdl.max_doppler_hz = channel.max_doppler_hz;
    cdl.num_rx = num_rx_antennas;
    cdl.num_tx = 1;
    cdl.rx_pattern = channel.bs_antenna_pattern;
    cdl.rx_polarization = channel.bs_polarization;
    cdl.tx_polarization = channel.ue_polarization;
    config = phy::make_cdl_channel_config(cdl);
  } else {
    config.profile = phy::make_tdl_profile(channel.model, channel.delay_spread_s);
    config.max_doppler_hz = channel.max_doppler_hz;
    config.num_rx = num_rx_antennas;
    config.num_tx = 1;
  }
  config.correlation = channel.correlation;
  config.cfo_hz = channel.cfo_hz;
  config.phase_noise_linewidth_hz = channel.phase_noise_linewidth_hz;
  config.timing_offset_s = channel.timing_offset_s + delay_s;
  return config;
}

double prach_channel_spread_s(const apps::ChannelSpec& channel, unsigned num_rx_antennas) {
  const phy::TdlChannelConfig config = prach_channel_config(channel, num_rx_antennas, 0.0);
  double last = 0.0;
  for (const phy::TdlTap& tap : config.profile.taps) {
    last = std::max(last, tap.delay_s);
  }
  return std::max(0.0, last + config.timing_offset_s);
}

UplinkPrachSignal::UplinkPrachSignal(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                     const apps::ChannelSpec& channel,
                                     std::span<const phy::PrachConfig> occasions,
                                     std::uint64_t seed)
    : cell_(cell), num_rx_(num_rx_antennas), channel_(channel),
      numerology_(phy::carrier_numerology(cell)), seed_(seed) {
  if (channel.domain != apps::ChannelDomain::time) {
    throw std::invalid_argument("PRACH: the channel must run in the time domain (channel.domain: "
                                "time): a preamble's subcarriers are not the grid's");
  }
  if (occasions.empty()) {
    throw std::invalid_argument("PRACH: no occasion");
  }
  for (const phy::PrachConfig& occasion : occasions) {
    modulators_.push_back(
        std::make_unique<phy::PrachModulator>(occasion, numerology_, cell.num_prbs));
  }
  (void)channel_of(0, 0.0); // the channel is checked here, not at the first preamble
}

UplinkPrachSignal::~UplinkPrachSignal() = default;

phy::PrachOccasionLayout UplinkPrachSignal::layout(unsigned occasion, unsigned slot) const {
  return modulators_.at(occasion)->layout(slot);
}

phy::TdlChannel& UplinkPrachSignal::channel_of(std::size_t ue, double delay_s) {
  if (channels_.size() <= ue) {
    channels_.resize(ue + 1);
  }
  UeChannel& entry = channels_[ue];
  if (entry.channel == nullptr || entry.delay_s != delay_s) {
    entry.channel = std::make_unique<phy::TdlChannel>(
        prach_channel_config(channel_, num_rx_, delay_s), numerology_, cell_.num_prbs, 0);
    entry.delay_s = delay_s;
  }
  return *entry.channel;
}

void UplinkPrachSignal::add_slot(std::span<const PrachTransmission> transmissions,
                                 std::uint64_t absolute_slot, std::span<phy::cf32> iq) {
  const auto slot = static_cast<unsigned>(absolute_slot % numerology_.slots_per_frame());
  const std::size_t slot_length = numerology_.slot_length(slot);
  if (iq.size() != slot_length * num_rx_) {
    throw std::invalid_argument("PRACH: the slot's IQ has " + std::to_string(iq.size()) +
                                " samples, not " + std::to_string(slot_length * num_rx_));
  }
  for (const PrachTransmission& transmission : transmissions) {
    if (transmission.occasion >= modulators_.size()) {
      throw std::invalid_argument("PRACH: no occasion " + std::to_string(transmission.occasion));
    }
    phy::PrachModulator& modulator = *modulators_[transmission.occasion];
    const phy::PrachOccasionLayout layout = modulator.layout(slot);
    phy::TdlChannel& channel = channel_of(transmission.ue, transmission.delay_s);
    // Room after the preamble for its delayed paths and the interpolators' reach.
    double last_path = 0.0;
    for (const double delay : channel.tap_delays_s()) {
      last_path = std::max(last_path, delay);
    }
    const std::size_t length =
        layout.length() + static_cast<std::size_t>(std::ceil(last_path * layout.sample_rate_hz)) +
        channel.interpolator_length() + 1;
    tx_.assign(length, phy::cf32{});
    modulator.modulate(slot, transmission.preamble, transmission.amplitude,
                       std::span(tx_).first(layout.length()));
    rx_.resize(length * num_rx_);
    channel.reseed(
        apps::derive_seed(seed_, transmission.ue, absolute_slot, uplink_prach_channel_stream));
    channel.apply_time_domain(tx_, length, 0.0, rx_);
    const std::size_t end = layout.start + length;
    if (end > carry_stride_) {
      // Grow the carry-over, keeping what it holds.
      std::vector<phy::cf32> grown(end * num_rx_);
      for (unsigned r = 0; r < num_rx_; ++r) {
        std::copy_n(carry_.begin() + static_cast<std::ptrdiff_t>(r * carry_stride_), carried_,
                    grown.begin() + static_cast<std::ptrdiff_t>(r * end));
      }
      carry_ = std::move(grown);
      carry_stride_ = end;
    }
    for (unsigned r = 0; r < num_rx_; ++r) {
      phy::cf32* to = carry_.data() + r * carry_stride_ + layout.start;
      const phy::cf32* from = rx_.data() + r * length;
      for (std::size_t n = 0; n < length; ++n) {
        to[n] += from[n];
      }
    }
    carried_ = std::max(carried_, end);
  }
  const std::size_t taken = std::min(slot_length, carried_);
  for (unsigned r = 0; r < num_rx_; ++r) {
    phy::cf32* antenna = carry_.data() + r * carry_stride_;
    phy::cf32* out = iq.data() + r * slot_length;
    for (std::size_t n = 0; n < taken; ++n) {
      out[n] += antenna[n];
    }
    // What is left moves to the front; the rest of the used part is cleared for the next adds.
    std::copy(antenna + taken, antenna + carried_, antenna);
    std::fill(antenna + (carried_ - taken), antenna + carried_, phy::cf32{});
  }
  carried_ -= taken;
}

} // namespace airan::l1
