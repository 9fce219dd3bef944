/// \file
/// \brief One simulated PRACH occasion: a UE's preamble (phy::PrachModulator, unit power per PRACH
/// subcarrier) through a propagation channel applied to the time-domain samples at the carrier's
/// sample rate (phy::TdlChannel, whose timing offset is the UE's round-trip delay), complex white
/// noise, then the base station's phy::PrachDemodulator per receive antenna and phy::PrachDetector.
///
/// SNR: with the preamble at unit power per PRACH subcarrier and the demodulator's FFT scaled by
/// 1/sqrt(N), time-domain noise of variance v per sample is noise of variance v per PRACH
/// subcarrier, so 1 / v is the SNR per PRACH subcarrier and receive antenna (the channel's average
/// power gain is 1).
#pragma once

#include "airan/phy/awgn.h"
#include "airan/phy/numerology.h"
#include "airan/phy/prach_buffer.h"
#include "airan/phy/prach_config.h"
#include "airan/phy/prach_detector.h"
#include "airan/phy/prach_modulator.h"
#include "airan/phy/tdl_channel.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace airan::apps {

/// Propagation conditions of the PRACH requirements (TS 38.104 clause 8.4).
enum class PrachChannelModel : std::uint8_t {
  /// No fading: one line-of-sight path of unit gain and a random phase (one for every antenna),
  /// delayed by the round trip.
  awgn,
  /// TDLC300-100 (TDL-C300 taps, 100 Hz maximum Doppler, low antenna correlation).
  tdlc300_100,
};

/// Parses "awgn" or "TDLC300-100" (also "TDL-C300"; case-insensitive). \throws
/// std::invalid_argument naming the accepted values.
PrachChannelModel parse_prach_channel(std::string_view text);

/// "AWGN" or "TDLC300-100".
std::string_view prach_channel_name(PrachChannelModel model);

/// The carrier, the PRACH occasion, the receiver and the channel of a PRACH link.
struct PrachLinkConfig {
  phy::PrachConfig prach;       ///< The occasion (its format, N_CS, root, first PRB).
  unsigned numerology = 0;      ///< mu of the carrier (PUSCH subcarrier spacing).
  unsigned num_prbs = 25;       ///< PRBs of the carrier, which set its FFT size.
  unsigned num_rx_antennas = 2; ///< Receive antennas, 1 .. 16.
  PrachChannelModel channel = PrachChannelModel::awgn;
  double cfo_hz = 0.0; ///< Frequency offset of the received signal.
  phy::PrachDetectorOptions detector;
};

/// Empty when \p config can be simulated (the PRACH configuration against the carrier, antennas,
/// frequency offset, detector options), else every problem, one per line.
std::string validate_prach_link(const PrachLinkConfig& config);

/// What one occasion sends.
struct PrachOccasionInput {
  /// Preamble sent (0 .. 63), or nothing (noise only).
  std::optional<unsigned> preamble;
  double delay_s = 0.0; ///< Round-trip delay of the preamble (the channel's timing offset).
  std::uint64_t channel_seed = 0; ///< Channel realisation (fading, phase).
  std::uint64_t noise_seed = 0;   ///< Noise samples.
  float noise_variance = 1.0F;    ///< Per sample, and so per PRACH subcarrier.
};

/// Simulates PRACH occasions of one link. Allocates at construction, and a channel per new delay
/// (up to 16 kept; a random delay per occasion builds a channel each time). Not thread-safe: one
/// per thread.
class PrachLinkSimulator {
public:
  /// \throws std::invalid_argument when validate_prach_link() reports a problem.
  explicit PrachLinkSimulator(const PrachLinkConfig& config);
  ~PrachLinkSimulator();
  PrachLinkSimulator(const PrachLinkSimulator&) = delete;
  PrachLinkSimulator& operator=(const PrachLinkSimulator&) = delete;

  [[nodiscard]] const PrachLinkConfig& config() const { return config_; }
  /// The occasion's layout at the carrier's sample rate (slot 0).
  [[nodiscard]] const phy::PrachOccasionLayout& layout() const { return layout_; }

  /// Runs one occasion: the preamble through the channel, noise, demodulation and detection.
  /// The result stays valid until the next call.
  /// \throws std::invalid_argument for a preamble index over 63 or a delay the channel refuses.
  const phy::PrachDetectionResult& run_occasion(const PrachOccasionInput& input);

  /// Received samples of antenna \p antenna of the last occasion (layout().length() samples).
  [[nodiscard]] std::span<const phy::cf32> received(unsigned antenna) const;

private:
  phy::TdlChannel& channel_for(double delay_s);

  PrachLinkConfig config_;
  phy::Numerology numerology_;
  phy::PrachOccasionLayout layout_;
  phy::PrachModulator modulator_;
  phy::PrachDemodulator demodulator_;
  phy::PrachDetector detector_;
  phy::PrachBuffer buffer_;
  phy::PrachDetectionResult result_;
  phy::AwgnGenerator noise_;
  std::vector<phy::cf32> tx_;
  std::vector<phy::cf32> rx_;
  struct DelayedChannel {
    double delay_s;
    std::unique_ptr<phy::TdlChannel> channel;
  };
  std::vector<DelayedChannel> channels_;
};

} // namespace airan::apps
