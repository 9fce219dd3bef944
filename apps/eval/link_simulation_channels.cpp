/// \file
/// \brief SlotSimulator's channel plumbing: a transmit grid through a UE's channel (a TDL/CDL
/// realisation, or the awgn model's unit channel), in the frequency or the time domain, added up
/// at the receive antennas.
#include "airan/apps/link_simulation.h"

#include <algorithm>

namespace airan::apps {

void SlotSimulator::apply_awgn_channel_grid() {
  const unsigned num_tx = tx_grid_.num_ports();
  for (unsigned r = 0; r < rx_grid_.num_ports(); ++r) {
    const auto in = tx_grid_.port(r % num_tx);
    std::copy(in.begin(), in.end(), rx_grid_.port(r).begin());
  }
}

void SlotSimulator::apply_awgn_channel_iq(std::size_t samples) {
  const unsigned num_tx = tx_grid_.num_ports();
  for (unsigned r = 0; r < rx_grid_.num_ports(); ++r) {
    const auto* in = tx_iq_.data() + (r % num_tx) * samples;
    std::copy(in, in + samples, rx_iq_.data() + r * samples);
  }
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
      for (unsigned r = 0; r < ue_rx_grid_.num_ports(); ++r) {
        const auto in = tx_grid_.port(r % num_tx);
        std::copy(in.begin(), in.end(), ue_rx_grid_.port(r).begin());
      }
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
    for (unsigned r = 0; r < scenario_.num_rx_antennas; ++r) {
      const auto* in = tx_iq_.data() + (r % num_tx) * slot_samples_;
      std::copy(in, in + slot_samples_, ue_rx_iq_.data() + r * slot_samples_);
    }
  }
  for (std::size_t e = 0; e < rx_iq_.size(); ++e) {
    rx_iq_[e] += ue_rx_iq_[e];
  }
}

} // namespace airan::apps
