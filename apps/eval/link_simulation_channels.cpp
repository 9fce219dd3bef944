/// \file
/// \brief SlotSimulator's channel plumbing: a transmit grid through a UE's channel (a TDL/CDL
/// realisation, or the awgn model's fixed channel), in the frequency or the time domain, added up
/// at the receive antennas.
#include "airan/apps/link_simulation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace airan::apps {

phy::cf32 awgn_channel_gain(unsigned rx, unsigned port, unsigned num_rx, unsigned num_tx) {
  const unsigned n = std::max(num_rx, num_tx);
  const unsigned k = static_cast<unsigned>((std::uint64_t{rx} * port) % n);
  if ((4 * k) % n == 0) { // a quarter turn: exact
    constexpr std::array<phy::cf32, 4> quarter{phy::cf32(1.0F, 0.0F), phy::cf32(0.0F, -1.0F),
                                               phy::cf32(-1.0F, 0.0F), phy::cf32(0.0F, 1.0F)};
    return quarter[(4 * k) / n];
  }
  const double angle = -2.0 * std::numbers::pi * double(k) / double(n);
  return {static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))};
}

namespace {

/// out_r = (or +=) sum_p awgn_channel_gain(r, p) in_p, each port's and antenna's \p length values
/// after the previous one's.
void pass_awgn_channel(std::span<const phy::cf32> in, unsigned num_tx, std::span<phy::cf32> out,
                       unsigned num_rx, std::size_t length, bool add) {
  for (unsigned r = 0; r < num_rx; ++r) {
    phy::cf32* to = out.data() + r * length;
    if (!add) {
      std::fill(to, to + length, phy::cf32{});
    }
    for (unsigned p = 0; p < num_tx; ++p) {
      const phy::cf32 gain = awgn_channel_gain(r, p, num_rx, num_tx);
      const phy::cf32* from = in.data() + p * length;
      if (gain == phy::cf32(1.0F, 0.0F)) {
        for (std::size_t i = 0; i < length; ++i) {
          to[i] += from[i];
        }
      } else {
        for (std::size_t i = 0; i < length; ++i) {
          to[i] += gain * from[i];
        }
      }
    }
  }
}

} // namespace

void SlotSimulator::apply_awgn_channel_grid() {
  const std::size_t length = std::size_t{tx_grid_.num_symbols()} * tx_grid_.num_subcarriers();
  pass_awgn_channel(tx_grid_.elements(), tx_grid_.num_ports(), rx_grid_.elements(),
                    rx_grid_.num_ports(), length, false);
}

void SlotSimulator::apply_awgn_channel_iq(std::size_t samples) {
  pass_awgn_channel(std::span<const phy::cf32>(tx_iq_).first(samples * tx_grid_.num_ports()),
                    tx_grid_.num_ports(), rx_iq_, scenario_.num_rx_antennas, samples, false);
}

void SlotSimulator::clear_received() {
  if (scenario_.channel.domain == ChannelDomain::frequency) {
    if (ue_rx_grid_.capacity() == 0) {
      ue_rx_grid_ = phy::ResourceGrid(rx_grid_.num_ports(), rx_grid_.num_symbols(),
                                      rx_grid_.num_subcarriers());
    }
    rx_grid_.fill_zero();
  } else {
    rx_iq_.assign(slot_samples_ * scenario_.num_rx_antennas, phy::cf32{});
    ue_rx_iq_.resize(rx_iq_.size());
  }
}

void SlotSimulator::add_through_channel(phy::TdlChannel* fading, double slot_start) {
  const unsigned num_tx = tx_grid_.num_ports();
  if (scenario_.channel.domain == ChannelDomain::frequency) {
    if (fading != nullptr) {
      fading->apply_frequency_domain(tx_grid_, slot_start, slot_, ue_rx_grid_);
    } else {
      pass_awgn_channel(tx_grid_.elements(), num_tx, ue_rx_grid_.elements(),
                        ue_rx_grid_.num_ports(),
                        std::size_t{tx_grid_.num_symbols()} * tx_grid_.num_subcarriers(), false);
    }
    const auto from = ue_rx_grid_.elements();
    const auto to = rx_grid_.elements();
    for (std::size_t e = 0; e < to.size(); ++e) {
      to[e] += from[e];
    }
    return;
  }
  for (unsigned p = 0; p < num_tx; ++p) {
    modulator_.modulate_slot(tx_grid_, p, slot_,
                             std::span(tx_iq_).subspan(p * slot_samples_, slot_samples_));
  }
  if (fading != nullptr) {
    fading->apply_time_domain(std::span(tx_iq_).first(slot_samples_ * num_tx), slot_samples_,
                              slot_start, ue_rx_iq_);
  } else {
    pass_awgn_channel(std::span<const phy::cf32>(tx_iq_).first(slot_samples_ * num_tx), num_tx,
                      ue_rx_iq_, scenario_.num_rx_antennas, slot_samples_, false);
  }
  for (std::size_t e = 0; e < rx_iq_.size(); ++e) {
    rx_iq_[e] += ue_rx_iq_[e];
  }
}

} // namespace airan::apps
