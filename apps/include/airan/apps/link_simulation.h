/// \file
/// \brief One simulated uplink slot: random transport blocks -> PUSCH transmitter -> channel
/// model (AWGN or a TR 38.901 TDL, in the time or the frequency domain) -> AWGN -> received
/// grid (and IQ), with the true channel kept for a perfect-CSI receiver. Shared by `airan gen`
/// and `airan eval`, so vectors and sweeps go through the same code.
#pragma once
#include "airan/phy/antenna_correlation.h"
#include "airan/phy/awgn.h"
#include "airan/phy/cdl_channel.h"
#include "airan/phy/channel_response.h"
#include "airan/phy/numerology.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pucch_config.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/srs_config.h"
#include "airan/phy/tdl_channel.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace airan::apps {

/// Where the channel model is applied.
enum class ChannelDomain : std::uint8_t {
  time,      ///< To time-domain IQ at the carrier's sample rate (OFDM modulation and demodulation).
  frequency, ///< To the resource grid per RE (fast path for sweeps: no ICI, no OFDM).
};

/// \p name as the libraries spell it ("awgn", "TDL-C300", "CDL-C"; names are case-insensitive),
/// or unchanged when it names no model (validate_link() then says so).
std::string canonical_channel_model(std::string_view name);

/// The awgn model's channel from UE port \p port to receive antenna \p rx:
/// exp(-j 2 pi rx port / N), N = max(num_rx, num_tx). Every antenna sees every port at unit gain
/// (a layer's per-RE SNR per receive antenna is the phy/snr_definition.h one, as through a fading
/// model of unit average gain). With num_rx >= num_tx the ports' columns are orthogonal
/// (H^H H = num_rx I): L layers on R >= L antennas stay separable, and every unit-norm precoder
/// column arrives with the same total power, num_rx, over the antennas. With fewer antennas than
/// ports no fixed channel can do that: the rows are orthogonal instead, and a column may add up
/// coherently or cancel (one antenna, two ports: TPMI 2, [1; 1] / sqrt(2), arrives 3 dB above the
/// SNR, TPMI 3, [1; -1] / sqrt(2), not at all). One port: gain 1 everywhere.
phy::cf32 awgn_channel_gain(unsigned rx, unsigned port, unsigned num_rx, unsigned num_tx);

/// The propagation channel of a simulation.
struct ChannelSpec {
  /// "awgn" (a fixed channel, awgn_channel_gain(): every receive antenna sees every transmit
  /// port at unit gain, the ports' columns orthogonal), a TDL profile name
  /// of phy::make_tdl_profile() ("TDL-A" .. "TDL-E", "TDL-A30", "TDL-B100", "TDL-C300") or a CDL
  /// model of phy::cdl_channel.h ("CDL-A" .. "CDL-E": half-wavelength uniform linear arrays of
  /// the receive antennas and the UE's ports; no correlation matrix).
  std::string model = "awgn";
  double delay_spread_s = 0.0; ///< For TDL-A .. TDL-E and CDL-A .. CDL-E (required there).
  double max_doppler_hz = 0.0;
  phy::AntennaCorrelation correlation = phy::AntennaCorrelation::none;
  double cfo_hz = 0.0;
  /// 3 dB linewidth of the receiver oscillator's Wiener phase noise
  /// (phy::TdlChannelConfig::phase_noise_linewidth_hz; TDL and CDL models only; 0: none).
  double phase_noise_linewidth_hz = 0.0;
  double timing_offset_s = 0.0;
  ChannelDomain domain = ChannelDomain::frequency;
  /// CDL models: the base station's element pattern (the UE's elements are isotropic).
  phy::CdlElementPattern bs_antenna_pattern = phy::CdlElementPattern::omni;
  /// CDL models: the base station's polarisation (VH and cross: two antennas per position).
  phy::CdlPolarization bs_polarization = phy::CdlPolarization::vertical;
  /// CDL models: the UE's polarisation (VH and cross need an even number of antenna ports).
  phy::CdlPolarization ue_polarization = phy::CdlPolarization::vertical;
  /// A description such as "TDL-C300, 100 Hz Doppler, low correlation, phase noise 100 Hz
  /// linewidth, frequency domain".
  [[nodiscard]] std::string describe() const;
};

/// Parses "time" or "frequency". \throws std::invalid_argument.
ChannelDomain parse_channel_domain(const std::string& text);

/// Cell, receive antennas and channel of a simulation.
struct LinkScenario {
  phy::CellConfig cell;
  unsigned num_rx_antennas = 1;
  ChannelSpec channel;
};

/// Checks a scenario and its PDUs before any work starts: the cell, every PDU against the cell,
/// layers <= receive antennas, layers <= UE antenna ports, the channel model's name and
/// parameters; a CSI part 2 sized from part 1 is refused (it needs the cell's size maps, which
/// only a FAPI CONFIG.request gives: airan testmac / airan l1). \return empty when valid, else
/// every problem found, one per line.
std::string validate_link(const LinkScenario& scenario, std::span<const phy::PuschConfig> pdus);

/// Derives independent 64-bit seeds from a base seed and indices (splitmix64 mixing), so that a
/// slot's random numbers depend on (seed, slot index, stream) and not on thread scheduling.
std::uint64_t derive_seed(std::uint64_t base, std::uint64_t a, std::uint64_t b = 0,
                          std::uint64_t c = 0);

/// Simulates slots of one scenario. Each PDU is one UE with the cell's antenna ports and a fading
/// channel of its own (independent realisations, seeded per PDU; through the awgn model every
/// PDU sees the same fixed channel); the UEs' signals add up at the receive antennas before one
/// noise is added. Allocates at construction, and once more the first time a slot has more PDUs
/// than any before (their channels); simulate() reuses its buffers. Not thread-safe: one per
/// thread.
/// The UCI payload bits one simulated PDU carried (PuschConfig::uci sizes).
struct SimulatedUci {
  phy::BitVector harq_ack;
  phy::BitVector csi_part1;
  phy::BitVector csi_part2;
  [[nodiscard]] phy::PuschUciPayload view() const { return {harq_ack, csi_part1, csi_part2}; }
};

class SlotSimulator {
public:
  /// \throws std::invalid_argument when validate_link() reports a problem for the cell.
  explicit SlotSimulator(const LinkScenario& scenario);
  ~SlotSimulator();
  SlotSimulator(const SlotSimulator&) = delete;
  SlotSimulator& operator=(const SlotSimulator&) = delete;

  [[nodiscard]] const LinkScenario& scenario() const { return scenario_; }
  [[nodiscard]] const phy::Numerology& numerology() const;

  /// Starts new channel realisations from \p seed (fading phases, LOS phase): PDU 0's from
  /// \p seed itself, PDU k's from channel_seed_of_pdu(seed, k); their time axes start at
  /// absolute slot 0.
  void reseed_channel(std::uint64_t seed);

  /// Seed of PDU \p pdu's channel realisation for reseed_channel(\p seed).
  [[nodiscard]] static std::uint64_t channel_seed_of_pdu(std::uint64_t seed, std::size_t pdu);

  /// Transmits \p pdus with random TBs drawn from \p data_seed in slot \p absolute_slot (slot
  /// number in the frame = absolute_slot mod slots per frame) through the channel, and adds
  /// noise of variance \p noise_variance per RE and receive antenna (from \p noise_seed). A PDU
  /// with UCI (PuschConfig::uci) carries random UCI payloads drawn from \p uci_seed.
  /// Results: tb_bits(i), uci_bits(i), received_grid(), received_iq() (time domain only),
  /// true_channel().
  void simulate(std::span<const phy::PuschConfig> pdus, std::uint64_t absolute_slot,
                std::uint64_t data_seed, std::uint64_t noise_seed, float noise_variance,
                std::uint64_t uci_seed = 0);

  /// Transmits the PUCCHs \p pdus, PDU i carrying \p bits[i] from the UE's port 0 through the
  /// channel of PDU i of simulate() (a UE's PUCCH and its PUSCH of one index meet the same
  /// fading), in slot \p absolute_slot, and adds noise as simulate() does. Results:
  /// received_grid(), received_iq() (time domain). \throws std::invalid_argument when the sizes
  /// differ or a PUCCH is invalid for the cell.
  void simulate_pucch(std::span<const phy::PucchConfig> pdus,
                      std::span<const phy::PucchUciBits> bits, std::uint64_t absolute_slot,
                      std::uint64_t noise_seed, float noise_variance);

  /// Transmits the SRSs \p pdus (phy::write_srs(): SRS port i from the UE's port i), PDU i
  /// through the channel of PDU i of simulate(), in slot \p absolute_slot (the channel's time;
  /// the slot in the frame from it) of frame \p sfn (the SRS's hopping counter), and adds noise
  /// as simulate() does. Results: received_grid(), received_iq() (time domain), true_channel()
  /// (PDU 0's). \throws std::invalid_argument when an SRS is invalid for the cell or has more
  /// ports than the UE.
  void simulate_srs(std::span<const phy::SrsConfig> pdus, std::uint64_t absolute_slot, unsigned sfn,
                    std::uint64_t noise_seed, float noise_variance);

  [[nodiscard]] unsigned slot_number() const { return slot_; }
  [[nodiscard]] const phy::BitVector& tb_bits(std::size_t pdu) const { return tbs_[pdu]; }
  /// The UCI payloads PDU \p pdu carried (empty parts without UCI).
  [[nodiscard]] const SimulatedUci& uci_bits(std::size_t pdu) const { return ucis_[pdu]; }
  [[nodiscard]] const phy::ResourceGrid& received_grid() const { return rx_grid_; }
  /// Received IQ, antenna after antenna (empty in the frequency domain).
  [[nodiscard]] std::span<const phy::cf32> received_iq() const { return rx_iq_; }
  [[nodiscard]] std::size_t iq_samples_per_antenna() const { return slot_samples_; }
  /// The true channel H[rx][tx port][symbol][subcarrier] of the last slot, per subcarrier that of
  /// the UE whose PDU occupies it (the PDU listed last where allocations overlap; PDU 0's
  /// outside every allocation): what a perfect-CSI receiver needs for PDUs on separate PRBs.
  [[nodiscard]] const phy::ChannelResponse& true_channel() const { return true_channel_; }

private:
  void apply_awgn_channel_grid();
  void apply_awgn_channel_iq(std::size_t samples);
  /// PDU \p pdu's channel, created (and seeded) the first time a slot has that many PDUs.
  phy::TdlChannel& fading_of_pdu(std::size_t pdu);
  /// The slot's PDUs through one channel each (fading, more than one PDU), summed into rx_grid_
  /// or rx_iq_; true_channel_ per subcarrier from the PDU occupying it.
  void simulate_separate_channels(std::span<const phy::PuschConfig> pdus, double slot_start);
  /// Zeroes rx_grid_ (frequency domain) or rx_iq_ (time) before UEs are added up.
  void clear_received();
  /// Adds tx_grid_ through \p fading (nullptr: the awgn model's fixed channel) to rx_grid_ or
  /// rx_iq_.
  void add_through_channel(phy::TdlChannel* fading, double slot_start);
  /// Adds the receiver noise; in the time domain, demodulates rx_iq_ into rx_grid_.
  void add_noise(float noise_variance);

  LinkScenario scenario_;
  phy::PuschTransmitter transmitter_;
  std::vector<std::unique_ptr<phy::TdlChannel>> fading_; ///< Per PDU; empty for "awgn".
  std::uint64_t channel_seed_ = 0;
  phy::AwgnGenerator noise_;
  phy::OfdmModulator modulator_;
  phy::OfdmDemodulator demodulator_;
  phy::ResourceGrid tx_grid_;
  phy::ResourceGrid rx_grid_;
  phy::ChannelResponse true_channel_;
  phy::ResourceGrid ue_rx_grid_;    ///< One UE's received grid (several PDUs, frequency).
  phy::ChannelResponse ue_channel_; ///< One UE's channel (several PDUs).
  std::vector<phy::BitVector> tbs_;
  std::vector<SimulatedUci> ucis_;
  std::vector<phy::cf32> tx_iq_;
  std::vector<phy::cf32> rx_iq_;
  std::vector<phy::cf32> ue_rx_iq_; ///< One UE's received IQ (several PDUs, time domain).
  std::size_t slot_samples_ = 0;
  unsigned slot_ = 0;
};

} // namespace airan::apps
