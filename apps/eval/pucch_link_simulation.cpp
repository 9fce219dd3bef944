/// \file
/// \brief SlotSimulator::simulate_pucch(): PUCCHs of any format (phy::write_pucch()) through the
/// UEs' channels, for the test MAC's UEs and PUCCH evaluations.
#include "airan/apps/link_simulation.h"

#include "airan/phy/pucch_receiver.h"

#include <stdexcept>

namespace airan::apps {

void SlotSimulator::simulate_pucch(std::span<const phy::PucchConfig> pdus,
                                   std::span<const phy::PucchUciBits> bits,
                                   std::uint64_t absolute_slot, std::uint64_t noise_seed,
                                   float noise_variance) {
  if (pdus.size() != bits.size()) {
    throw std::invalid_argument("simulate_pucch: " + std::to_string(pdus.size()) + " PUCCHs with " +
                                std::to_string(bits.size()) + " payloads");
  }
  const phy::Numerology& numerology = transmitter_.numerology();
  slot_ = static_cast<unsigned>(absolute_slot % numerology.slots_per_frame());
  const bool frequency_domain = scenario_.channel.domain == ChannelDomain::frequency;
  slot_samples_ = frequency_domain ? 0 : numerology.slot_length(slot_);
  noise_.reseed(noise_seed);
  const double slot_start = phy::slot_start_time_s(numerology, absolute_slot);
  clear_received();
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    tx_grid_.fill_zero();
    phy::write_pucch(scenario_.cell, slot_, pdus[i], bits[i], tx_grid_, 0);
    add_through_channel(fading_.empty() ? nullptr : &fading_of_pdu(i), slot_start);
  }
  add_noise(noise_variance);
}

} // namespace airan::apps
