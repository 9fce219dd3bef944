/// \file
/// \brief PrachLinkSimulator: one PRACH occasion from the UE's preamble to the detector's result.
#include "airan/apps/prach_link_simulation.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::apps {
namespace {

/// Channels a simulator keeps, one per delay (the conformance delays cycle through 9 or 10).
constexpr std::size_t prach_cached_channels = 16;
/// The carrier widths NR allows.
constexpr unsigned prach_link_max_prbs = 275;

std::string prach_lower_alnum(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

phy::Numerology prach_link_numerology(const PrachLinkConfig& config) {
  return phy::Numerology::for_carrier(config.numerology, phy::CyclicPrefix::normal,
                                      config.num_prbs);
}

const PrachLinkConfig& checked_prach_link(const PrachLinkConfig& config) {
  if (const std::string problems = validate_prach_link(config); !problems.empty()) {
    throw std::invalid_argument(problems);
  }
  return config;
}

/// The channel of \p config with every path delayed by \p delay_s.
phy::TdlChannelConfig prach_channel_config(const PrachLinkConfig& config, double delay_s) {
  phy::TdlChannelConfig channel;
  if (config.channel == PrachChannelModel::awgn) {
    channel.profile = {"AWGN", {{0.0, 1.0, true}}}; // one LOS path: unit gain, random phase
  } else {
    channel.profile = phy::make_tdl_profile("TDL-C300");
    channel.max_doppler_hz = 100.0;
    channel.correlation = phy::AntennaCorrelation::low;
  }
  channel.num_rx = config.num_rx_antennas;
  channel.num_tx = 1;
  channel.cfo_hz = config.cfo_hz;
  channel.timing_offset_s = delay_s;
  return channel;
}

} // namespace

PrachChannelModel parse_prach_channel(std::string_view text) {
  const std::string name = prach_lower_alnum(text);
  if (name == "awgn") {
    return PrachChannelModel::awgn;
  }
  if (name == "tdlc300100" || name == "tdlc300") {
    return PrachChannelModel::tdlc300_100;
  }
  throw std::invalid_argument("PRACH channel '" + std::string(text) +
                              "' is not awgn or TDLC300-100");
}

std::string_view prach_channel_name(PrachChannelModel model) {
  return model == PrachChannelModel::awgn ? "AWGN" : "TDLC300-100";
}

std::string validate_prach_link(const PrachLinkConfig& config) {
  std::string problems;
  if (config.numerology > 4 || config.num_prbs == 0 || config.num_prbs > prach_link_max_prbs) {
    problems += "the carrier needs numerology 0 .. 4 and 1 .. " +
                std::to_string(prach_link_max_prbs) + " PRBs\n";
  } else {
    const phy::Numerology numerology = prach_link_numerology(config);
    if (const std::string error =
            phy::validate_prach_config(config.prach, numerology, config.num_prbs);
        !error.empty()) {
      problems += "PRACH: " + error + "\n";
    }
  }
  if (config.num_rx_antennas == 0 || config.num_rx_antennas > phy::tdl_max_antennas) {
    problems += "receive antennas must be 1 .. " + std::to_string(phy::tdl_max_antennas) + "\n";
  }
  if (!std::isfinite(config.cfo_hz) || std::abs(config.cfo_hz) > 1e5) {
    problems += "the frequency offset must be finite and within +-100 kHz\n";
  }
  const double pfa = config.detector.false_alarm_probability;
  if (!(pfa > 0.0 && pfa < 1.0)) {
    problems += "the detector's false-alarm target must be in (0, 1)\n";
  }
  return problems;
}

PrachLinkSimulator::PrachLinkSimulator(const PrachLinkConfig& config)
    : config_(checked_prach_link(config)), numerology_(prach_link_numerology(config)),
      layout_(phy::prach_occasion_layout(config.prach, numerology_, config.num_prbs, 0)),
      modulator_(config.prach, numerology_, config.num_prbs),
      demodulator_(config.prach, numerology_, config.num_prbs),
      detector_(config.prach, config.numerology, config.num_rx_antennas, config.detector),
      buffer_(config.num_rx_antennas, layout_.repetitions, layout_.sequence_length), noise_(0),
      tx_(layout_.length()), rx_(std::size_t{config.num_rx_antennas} * layout_.length()) {
  result_.preambles.reserve(phy::prach_preambles_per_occasion);
}

PrachLinkSimulator::~PrachLinkSimulator() = default;

phy::TdlChannel& PrachLinkSimulator::channel_for(double delay_s) {
  for (const DelayedChannel& cached : channels_) {
    if (cached.delay_s == delay_s) {
      return *cached.channel;
    }
  }
  auto channel = std::make_unique<phy::TdlChannel>(prach_channel_config(config_, delay_s),
                                                   numerology_, config_.num_prbs, 0);
  if (channels_.size() < prach_cached_channels) {
    channels_.push_back({delay_s, std::move(channel)});
    return *channels_.back().channel;
  }
  // Full (random delays): replace the oldest, keeping the order of arrival.
  std::rotate(channels_.begin(), channels_.begin() + 1, channels_.end());
  channels_.back() = {delay_s, std::move(channel)};
  return *channels_.back().channel;
}

const phy::PrachDetectionResult& PrachLinkSimulator::run_occasion(const PrachOccasionInput& input) {
  const std::size_t length = layout_.length();
  if (input.preamble) {
    modulator_.modulate(0, *input.preamble, 1.0F, tx_);
    phy::TdlChannel& channel = channel_for(input.delay_s);
    channel.reseed(input.channel_seed);
    channel.apply_time_domain(tx_, length, 0.0, rx_);
  } else {
    std::fill(rx_.begin(), rx_.end(), phy::cf32{});
  }
  noise_.reseed(input.noise_seed);
  noise_.add(rx_, input.noise_variance);
  for (unsigned a = 0; a < config_.num_rx_antennas; ++a) {
    demodulator_.demodulate(0, received(a), a, buffer_);
  }
  detector_.detect(buffer_, result_);
  return result_;
}

std::span<const phy::cf32> PrachLinkSimulator::received(unsigned antenna) const {
  const std::size_t length = layout_.length();
  return std::span<const phy::cf32>(rx_).subspan(antenna * length, length);
}

} // namespace airan::apps
