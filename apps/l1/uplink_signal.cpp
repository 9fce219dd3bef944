#include "airan/l1/uplink_signal.h"

#include "airan/phy/snr_definition.h"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

namespace airan::l1 {

UplinkSignalGenerator::UplinkSignalGenerator(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                             const apps::ChannelSpec& channel,
                                             std::span<const unsigned> ue_layers, double snr_db,
                                             std::uint64_t seed,
                                             std::span<const phy::PrachConfig> prach_occasions)
    : noise_(seed), noise_variance_(phy::noise_variance_from_snr_db(snr_db)), seed_(seed),
      time_domain_(channel.domain == apps::ChannelDomain::time) {
  for (std::size_t u = 0; u < ue_layers.size(); ++u) {
    apps::LinkScenario scenario;
    scenario.cell = cell;
    scenario.cell.num_antenna_ports = ue_layers[u];
    scenario.num_rx_antennas = num_rx_antennas;
    scenario.channel = channel;
    auto simulator = std::make_unique<apps::SlotSimulator>(scenario);
    simulator->reseed_channel(apps::derive_seed(seed, u, 0xC4A7));
    simulators_.push_back(std::move(simulator));
  }
  if (simulators_.empty()) {
    throw std::invalid_argument("uplink signal: no UE");
  }
  const auto& shape = simulators_.front()->received_grid();
  grid_ = phy::ResourceGrid(shape.num_ports(), shape.num_symbols(), shape.num_subcarriers());
  tbs_.reserve(64);
  if (!prach_occasions.empty()) {
    prach_ = std::make_unique<UplinkPrachSignal>(cell, num_rx_antennas, channel, prach_occasions,
                                                 apps::derive_seed(seed, 0x9AC4));
  }
}

UplinkSignalGenerator::~UplinkSignalGenerator() = default;

phy::PuschConfig sized_ue_pusch(const phy::PuschConfig& pusch,
                                std::span<const phy::CsiPart2SizeMap> maps,
                                std::uint64_t uci_seed) {
  const phy::PuschUciConfig& uci = pusch.uci;
  if (uci.csi_part2_sizing.empty()) {
    return pusch;
  }
  if (const std::string error =
          phy::validate_csi_part2_sizing(uci.csi_part2_sizing, maps, uci.csi_part1_bits);
      !error.empty()) {
    throw std::invalid_argument("uplink signal: RNTI " + std::to_string(pusch.rnti) + ": " + error);
  }
  // The draws of apps::SlotSimulator::simulate() for one PDU: HARQ-ACK first, then CSI part 1.
  std::mt19937_64 rng(uci_seed);
  rng.discard(uci.harq_ack_bits);
  phy::BitVector part1(uci.csi_part1_bits);
  for (auto& bit : part1) {
    bit = static_cast<phy::bit_t>(rng() & 1U);
  }
  phy::PuschConfig sized = pusch;
  sized.uci.csi_part2_bits = phy::csi_part2_bits_from_part1(part1, uci.csi_part2_sizing, maps);
  return sized;
}

SimulatedPucch draw_pucch_bits(const phy::PucchConfig& pucch, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  SimulatedPucch out;
  for (auto [part, size] :
       {std::pair{&out.harq, pucch.harq_bits}, std::pair{&out.sr, pucch.sr_bits},
        std::pair{&out.csi_part1, pucch.csi_part1_bits}}) {
    part->resize(size);
    for (auto& bit : *part) {
      bit = static_cast<phy::bit_t>(rng() & 1U);
    }
  }
  const bool positive_sr = !out.sr.empty() && out.sr[0] != 0;
  // Formats 2-4 carry their SR bits in the payload; formats 0 and 1 signal it by being sent.
  const bool sr_resource = !phy::pucch_carries_uci_payload(pucch.format) && pucch.sr_bits != 0 &&
                           (pucch.harq_bits == 0 || pucch.format == phy::PucchFormat::format1);
  out.sent = !sr_resource || positive_sr;
  return out;
}

void UplinkSignalGenerator::generate(std::span<const UeTransmission> transmissions,
                                     std::span<const PrachTransmission> prach,
                                     std::uint64_t absolute_slot) {
  if (!prach.empty() && prach_ == nullptr) {
    throw std::invalid_argument("uplink signal: PRACH preambles without PRACH occasions");
  }
  grid_.fill_zero();
  iq_.clear();
  tbs_.resize(transmissions.size());
  ucis_.resize(transmissions.size());
  pucchs_.resize(transmissions.size());
  for (std::size_t i = 0; i < transmissions.size(); ++i) {
    const UeTransmission& tx = transmissions[i];
    if (tx.ue >= simulators_.size()) {
      throw std::invalid_argument("uplink signal: no UE " + std::to_string(tx.ue));
    }
    apps::SlotSimulator& simulator = *simulators_[tx.ue];
    // Noise-free: the UEs add up at the antennas, then the receiver noise is added once.
    if (tx.srs) {
      tbs_[i].clear();
      ucis_[i] = {};
      pucchs_[i] = {};
      simulator.simulate_srs(std::span(&*tx.srs, 1), absolute_slot, tx.sfn, 0, 0.0F);
    } else if (tx.pucch) {
      tbs_[i].clear();
      ucis_[i] = {};
      pucchs_[i] = draw_pucch_bits(*tx.pucch, tx.uci_seed);
      if (!pucchs_[i].sent) {
        continue;
      }
      const phy::PucchUciBits bits = pucchs_[i].view();
      simulator.simulate_pucch(std::span(&*tx.pucch, 1), std::span(&bits, 1), absolute_slot, 0,
                               0.0F);
    } else {
      const phy::PuschConfig sent = sized_ue_pusch(tx.pusch, tx.csi_part2_size_maps, tx.uci_seed);
      simulator.simulate(std::span(&sent, 1), absolute_slot, tx.tb_seed, 0, 0.0F, tx.uci_seed);
      tbs_[i] = simulator.tb_bits(0);
      ucis_[i] = simulator.uci_bits(0);
      if (!sent.uci.csi_part2_sizing.empty() &&
          phy::csi_part2_bits_from_part1(ucis_[i].csi_part1, sent.uci.csi_part2_sizing,
                                         tx.csi_part2_size_maps) != sent.uci.csi_part2_bits) {
        throw std::logic_error("uplink signal: the simulator drew another CSI part 1 than the one "
                               "that sized CSI part 2");
      }
    }
    if (time_domain_) {
      const auto received = simulator.received_iq();
      if (iq_.empty()) {
        iq_.assign(received.begin(), received.end());
      } else {
        std::transform(iq_.begin(), iq_.end(), received.begin(), iq_.begin(),
                       [](phy::cf32 a, phy::cf32 b) { return a + b; });
      }
    } else {
      const auto received = simulator.received_grid().elements();
      auto sum = grid_.elements();
      std::transform(sum.begin(), sum.end(), received.begin(), sum.begin(),
                     [](phy::cf32 a, phy::cf32 b) { return a + b; });
    }
  }
  noise_.reseed(apps::derive_seed(seed_, absolute_slot, 0x40153));
  if (time_domain_) {
    if (iq_.empty()) {
      // No PUSCH, PUCCH or SRS: a slot of the right length per antenna.
      const auto& numerology = simulators_.front()->numerology();
      const std::size_t samples = numerology.slot_length(
          static_cast<unsigned>(absolute_slot % numerology.slots_per_frame()));
      iq_.assign(samples * grid_.num_ports(), phy::cf32(0.0F, 0.0F));
    }
    if (prach_ != nullptr) {
      prach_->add_slot(prach, absolute_slot, iq_);
    }
    noise_.add(iq_, noise_variance_);
  } else {
    noise_.add(grid_, noise_variance_);
  }
}

} // namespace airan::l1
