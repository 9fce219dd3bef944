/// \file
/// \brief The test MAC's PRACH UEs on the air: each preamble (phy::PrachModulator, at the
/// carrier's sample rate) through the UE's own realisation of the pattern's channel, applied in
/// the time domain with every path delayed by the UE's round-trip delay, added to the received
/// time-domain IQ of the slots the occasion covers. A long-format occasion (and any preamble
/// delayed past its slot's end) continues into the next slot(s): UplinkPrachSignal keeps those
/// samples in a carry-over buffer and adds them to the next slots it is given.
///
/// Power: the modulator's amplitude a gives a^2 per PRACH subcarrier after the base station's
/// demodulator, and time-domain noise of variance v per sample is v per PRACH subcarrier, as it
/// is per RE of the OFDM grid: a preamble of amplitude 1 has the SNR per subcarrier that a unit
/// PUSCH RE has (the channel's average power gain is 1).
#pragma once

#include "airan/apps/link_simulation.h"
#include "airan/phy/prach_config.h"
#include "airan/phy/prach_modulator.h"
#include "airan/phy/tdl_channel.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace airan::l1 {

/// One PRACH UE's preamble in an occasion that starts in the slot being generated.
struct PrachTransmission {
  std::size_t ue = 0;     ///< Index of the UE (its channel realisation and stream).
  unsigned occasion = 0;  ///< Index of the time-domain occasion in the slot.
  unsigned preamble = 0;  ///< 0 .. 63.
  double delay_s = 0.0;   ///< Round-trip delay.
  float amplitude = 1.0F; ///< sqrt of the power per PRACH subcarrier (a PUSCH RE has 1).
};

/// The channel a PRACH UE's preamble goes through: \p channel's model (TDL or CDL, its Doppler,
/// correlation, CFO and phase noise) between one UE antenna and \p num_rx_antennas, every path
/// delayed by \p delay_s (plus the channel's own timing offset); for "awgn", one line-of-sight
/// path of unit gain with a random phase per receive antenna.
/// \throws std::invalid_argument for a model the TDL/CDL tables do not know.
phy::TdlChannelConfig prach_channel_config(const apps::ChannelSpec& channel,
                                           unsigned num_rx_antennas, double delay_s);

/// Delay of the last path of prach_channel_config(\p channel, \p num_rx_antennas, 0), seconds
/// (the channel's own timing offset included; 0 for awgn). \throws std::invalid_argument as
/// prach_channel_config().
double prach_channel_spread_s(const apps::ChannelSpec& channel, unsigned num_rx_antennas);

/// PRACH preambles into slots of time-domain IQ, with the samples that run past a slot kept for
/// the next. Allocates at construction, when a UE's delay changes (its channel is rebuilt) and
/// when the carry-over grows. Not thread-safe.
class UplinkPrachSignal {
public:
  /// \p occasions: the time-domain occasions of a PRACH slot (index = PrachTransmission::
  /// occasion). \p seed: the channel realisations. \throws std::invalid_argument for an occasion
  /// the carrier cannot carry or a channel the PRACH cannot go through.
  UplinkPrachSignal(const phy::CellConfig& cell, unsigned num_rx_antennas,
                    const apps::ChannelSpec& channel, std::span<const phy::PrachConfig> occasions,
                    std::uint64_t seed);
  ~UplinkPrachSignal();
  UplinkPrachSignal(const UplinkPrachSignal&) = delete;
  UplinkPrachSignal& operator=(const UplinkPrachSignal&) = delete;

  /// Adds \p transmissions (occasions that start in absolute slot \p absolute_slot) to the
  /// carry-over, then the carry-over's first slot_length samples of each antenna to \p iq (the
  /// slot's IQ, antenna after antenna, numerology slot_length() each), which leave it.
  /// \throws std::invalid_argument for a bad occasion, preamble or IQ size.
  void add_slot(std::span<const PrachTransmission> transmissions, std::uint64_t absolute_slot,
                std::span<phy::cf32> iq);

  /// True while samples wait for the next slot: every slot must then go through add_slot().
  [[nodiscard]] bool pending() const { return carried_ > 0; }

  /// The occasions' layout in slot \p slot of the frame (occasion \p occasion).
  [[nodiscard]] phy::PrachOccasionLayout layout(unsigned occasion, unsigned slot) const;

private:
  struct UeChannel {
    double delay_s = -1.0;
    std::unique_ptr<phy::TdlChannel> channel;
  };
  phy::TdlChannel& channel_of(std::size_t ue, double delay_s);

  phy::CellConfig cell_;
  unsigned num_rx_;
  apps::ChannelSpec channel_;
  phy::Numerology numerology_;
  std::uint64_t seed_;
  std::vector<std::unique_ptr<phy::PrachModulator>> modulators_; ///< Per occasion.
  std::vector<UeChannel> channels_;                              ///< Per UE index.
  std::vector<phy::cf32> tx_;
  std::vector<phy::cf32> rx_;
  /// [antenna][sample from the next slot's start]: antenna a at a * carry_stride_.
  std::vector<phy::cf32> carry_;
  std::size_t carry_stride_ = 0;
  std::size_t carried_ = 0; ///< Samples per antenna in use.
};

} // namespace airan::l1
