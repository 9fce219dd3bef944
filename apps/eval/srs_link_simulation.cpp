/// \file
/// \brief SlotSimulator::simulate_srs(): sounding reference signals (phy::write_srs()) through
/// the UEs' channels, for the test MAC's UEs and SRS evaluations.
#include "airan/apps/link_simulation.h"

#include "airan/phy/srs_estimator.h"

#include <stdexcept>
#include <string>

namespace airan::apps {

void SlotSimulator::simulate_srs(std::span<const phy::SrsConfig> pdus, std::uint64_t absolute_slot,
                                 unsigned sfn, std::uint64_t noise_seed, float noise_variance) {
  const phy::Numerology& numerology = transmitter_.numerology();
  slot_ = static_cast<unsigned>(absolute_slot % numerology.slots_per_frame());
  const bool frequency_domain = scenario_.channel.domain == ChannelDomain::frequency;
  slot_samples_ = frequency_domain ? 0 : numerology.slot_length(slot_);
  noise_.reseed(noise_seed);
  const double slot_start = phy::slot_start_time_s(numerology, absolute_slot);
  clear_received();
  if (!fading_.empty() && !pdus.empty()) {
    // PDU 0's channel, as simulate() gives it for one PDU (the awgn model's is fixed).
    fading_of_pdu(0).frequency_response(slot_start, slot_, true_channel_);
  }
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    if (pdus[i].num_ports > tx_grid_.num_ports()) {
      throw std::invalid_argument("simulate_srs: an SRS of " + std::to_string(pdus[i].num_ports) +
                                  " ports from a UE of " + std::to_string(tx_grid_.num_ports()));
    }
    tx_grid_.fill_zero();
    phy::write_srs(scenario_.cell, sfn, slot_, pdus[i], tx_grid_, 0);
    add_through_channel(fading_.empty() ? nullptr : &fading_of_pdu(i), slot_start);
  }
  add_noise(noise_variance);
}

} // namespace airan::apps
