/// \file
/// \brief What the gNB antennas receive in a slot where several UEs transmit: each UE through
/// its own apps::SlotSimulator (transmitter + its own channel realisation), summed, plus AWGN.
/// The test MAC feeds the result to the L1's IqSource. With PRACH occasions (time domain only),
/// the PRACH UEs' preambles go through UplinkPrachSignal (uplink_prach.h) into the same IQ, the
/// samples of an occasion that runs past a slot carried over into the next.
///
/// A UE's TB is drawn from a seed the caller gives (the same seed gives the same TB: that is how
/// a HARQ retransmission carries the TB of its first transmission). A PUSCH whose CSI part 2 is
/// sized from CSI part 1 is sent with the part 2 size its random part 1 gives.
#pragma once

#include "airan/apps/link_simulation.h"
#include "airan/l1/uplink_prach.h"
#include "airan/phy/awgn.h"
#include "airan/phy/csi_part2_sizing.h"
#include "airan/phy/pucch_config.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/srs_config.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace airan::l1 {

/// One UE's transmission in a slot: a PUSCH, a PUCCH or an SRS.
struct UeTransmission {
  std::size_t ue = 0;         ///< Index of the UE (its channel).
  phy::PuschConfig pusch;     ///< Layers must equal the UE's antenna ports.
  std::uint64_t tb_seed = 0;  ///< The TB's bits come from this seed.
  std::uint64_t uci_seed = 0; ///< The UCI payload bits (pusch.uci, or the PUCCH's) from this one.
  /// A PUCCH instead of the PUSCH (pusch and tb_seed unused), from the UE's port 0.
  std::optional<phy::PucchConfig> pucch;
  /// An SRS instead of the PUSCH (pusch and the seeds unused), SRS port i from the UE's port i.
  std::optional<phy::SrsConfig> srs;
  /// The SFN the L1 numbers the slot in (an SRS's hopping counter depends on it).
  unsigned sfn = 0;
  /// The maps that pusch.uci.csi_part2_sizing's map_index count in, when it is not empty: the UE
  /// then sends the CSI part 2 size that its drawn part 1 gives (sized_ue_pusch()).
  std::span<const phy::CsiPart2SizeMap> csi_part2_size_maps;
};

/// \p pusch as the UE sends it with the UCI payloads drawn from \p uci_seed (as
/// apps::SlotSimulator::simulate() draws those of one PDU: HARQ-ACK, CSI part 1, then CSI part 2,
/// one bit per number of a std::mt19937_64 seeded with it): with a CSI part 2 sized from part 1
/// (pusch.uci.csi_part2_sizing), csi_part2_bits is the size that part 1 gives by \p maps (the
/// sizing kept: the transmitter sends csi_part2_bits); otherwise \p pusch itself.
/// \throws std::invalid_argument when the sizing's maps are not in \p maps or do not fit part 1.
phy::PuschConfig sized_ue_pusch(const phy::PuschConfig& pusch,
                                std::span<const phy::CsiPart2SizeMap> maps, std::uint64_t uci_seed);

/// The UCI bits a simulated PUCCH carried, and whether the UE sent it at all: a format 0 or 1
/// SR occasion alone, or a format 1 on the SR resource (SR and HARQ-ACK bits), is sent only for
/// a positive SR (TS 38.213 9.2.4, 9.2.5.1).
struct SimulatedPucch {
  phy::BitVector harq;
  phy::BitVector sr;
  phy::BitVector csi_part1;
  bool sent = false;
  [[nodiscard]] phy::PucchUciBits view() const { return {harq, sr, csi_part1}; }
};

/// The bits of a PUCCH drawn from \p seed, and whether the UE sends it (SimulatedPucch).
SimulatedPucch draw_pucch_bits(const phy::PucchConfig& pucch, std::uint64_t seed);

/// Generates received slots. Allocates at construction (one simulator per UE).
class UplinkSignalGenerator {
public:
  /// \param ue_layers layers (= antenna ports) of each UE. \param seed channel realisations and
  /// noise. \param prach_occasions the time-domain PRACH occasions of a PRACH slot (none: no
  /// PRACH). \throws std::invalid_argument for an invalid scenario, or PRACH occasions on a
  /// channel that does not run in the time domain.
  UplinkSignalGenerator(const phy::CellConfig& cell, unsigned num_rx_antennas,
                        const apps::ChannelSpec& channel, std::span<const unsigned> ue_layers,
                        double snr_db, std::uint64_t seed,
                        std::span<const phy::PrachConfig> prach_occasions = {});
  ~UplinkSignalGenerator();

  /// Simulates absolute slot \p absolute_slot with \p transmissions (possibly none: noise only).
  void generate(std::span<const UeTransmission> transmissions, std::uint64_t absolute_slot) {
    generate(transmissions, {}, absolute_slot);
  }
  /// The same, with the PRACH preambles \p prach of occasions that start in this slot, and what
  /// earlier occasions carried over into it. \throws std::invalid_argument for PRACH without
  /// PRACH occasions at construction.
  void generate(std::span<const UeTransmission> transmissions,
                std::span<const PrachTransmission> prach, std::uint64_t absolute_slot);
  /// True while PRACH samples wait for the next slot: that slot must be generated (its IQ holds
  /// them), not left empty.
  [[nodiscard]] bool prach_pending() const { return prach_ != nullptr && prach_->pending(); }

  /// TB bits of transmission \p i of the last generate().
  [[nodiscard]] const phy::BitVector& tb_bits(std::size_t i) const { return tbs_[i]; }
  /// UCI payload bits of transmission \p i of the last generate().
  [[nodiscard]] const apps::SimulatedUci& uci_bits(std::size_t i) const { return ucis_[i]; }
  /// PUCCH bits of transmission \p i (a PUCCH) of the last generate().
  [[nodiscard]] const SimulatedPucch& pucch_bits(std::size_t i) const { return pucchs_[i]; }
  /// True when the channel runs in the time domain (iq() is valid), else grid() is.
  [[nodiscard]] bool time_domain() const { return time_domain_; }
  [[nodiscard]] const phy::ResourceGrid& grid() const { return grid_; }
  [[nodiscard]] std::span<const phy::cf32> iq() const { return iq_; }
  [[nodiscard]] float noise_variance() const { return noise_variance_; }

private:
  std::vector<std::unique_ptr<apps::SlotSimulator>> simulators_;
  std::vector<phy::BitVector> tbs_;
  std::vector<apps::SimulatedUci> ucis_;
  std::vector<SimulatedPucch> pucchs_;
  phy::ResourceGrid grid_;
  std::vector<phy::cf32> iq_;
  std::unique_ptr<UplinkPrachSignal> prach_; ///< With PRACH occasions only.
  phy::AwgnGenerator noise_;
  float noise_variance_ = 0;
  std::uint64_t seed_ = 0;
  bool time_domain_ = false;
};

} // namespace airan::l1
