/// \file
/// \brief PRACH occasions for tests: UEs' preambles through a delay (or a TDL channel) plus
/// complex Gaussian noise, demodulated into a PrachBuffer.
#pragma once

#include "airan/phy/prach_buffer.h"
#include "airan/phy/prach_modulator.h"
#include "airan/phy/tdl_channel.h"

#include <cmath>
#include <random>
#include <vector>

namespace airan::test {

/// One UE's preamble in an occasion.
struct PrachTestUe {
  unsigned preamble = 0;
  unsigned delay_samples = 0; ///< Round-trip delay, whole samples at the carrier's rate.
  float amplitude = 1.0F;     ///< Power amplitude^2 per PRACH subcarrier and antenna.
};

/// A carrier, a PRACH configuration and everything to simulate its occasions.
class PrachTestLink {
public:
  PrachTestLink(const phy::PrachConfig& config, unsigned mu, unsigned num_prbs,
                unsigned num_antennas, unsigned slot = 0)
      : numerology_(phy::Numerology::for_carrier(mu, phy::CyclicPrefix::normal, num_prbs)),
        num_prbs_(num_prbs), num_antennas_(num_antennas), slot_(slot),
        modulator_(config, numerology_, num_prbs), demodulator_(config, numerology_, num_prbs),
        layout_(modulator_.layout(slot)), tx_(layout_.length()), rx_(layout_.length()),
        buffer_(num_antennas, layout_.repetitions, layout_.sequence_length) {}

  [[nodiscard]] const phy::PrachOccasionLayout& layout() const { return layout_; }
  [[nodiscard]] const phy::Numerology& numerology() const { return numerology_; }
  [[nodiscard]] unsigned num_prbs() const { return num_prbs_; }
  [[nodiscard]] const phy::PrachBuffer& buffer() const { return buffer_; }

  /// An occasion with \p ues (each with a random phase per antenna, unit magnitude, and a
  /// frequency offset of \p cfo_hz) and noise of \p noise_power per PRACH subcarrier (0: none),
  /// demodulated into buffer().
  const phy::PrachBuffer& awgn_occasion(const std::vector<PrachTestUe>& ues, float noise_power,
                                        std::mt19937& rng, double cfo_hz = 0.0) {
    std::uniform_real_distribution<float> phase(0.0F, 6.2831853F);
    std::normal_distribution<float> gauss(0.0F, std::sqrt(noise_power / 2));
    for (unsigned a = 0; a < num_antennas_; ++a) {
      std::fill(rx_.begin(), rx_.end(), phy::cf32{});
      for (const auto& ue : ues) {
        modulator_.modulate(slot_, ue.preamble, ue.amplitude, tx_);
        const phy::cf32 gain = std::polar(1.0F, phase(rng));
        const double step = 2 * 3.14159265358979 * cfo_hz / layout_.sample_rate_hz;
        for (std::size_t n = ue.delay_samples; n < rx_.size(); ++n) {
          const auto rotation = std::polar(1.0, step * double(n));
          rx_[n] += tx_[n - ue.delay_samples] * gain *
                    phy::cf32(float(rotation.real()), float(rotation.imag()));
        }
      }
      if (noise_power > 0) {
        for (auto& sample : rx_) {
          sample += phy::cf32(gauss(rng), gauss(rng));
        }
      }
      demodulator_.demodulate(slot_, rx_, a, buffer_);
    }
    return buffer_;
  }

  /// One UE's preamble through \p channel (its num_rx must be the link's antennas, num_tx 1),
  /// the channel's realisation time starting at \p start_s, plus noise as awgn_occasion().
  const phy::PrachBuffer& tdl_occasion(unsigned preamble, phy::TdlChannel& channel, double start_s,
                                       float noise_power, std::mt19937& rng) {
    modulator_.modulate(slot_, preamble, 1.0F, tx_);
    faded_.resize(rx_.size() * num_antennas_);
    channel.apply_time_domain(tx_, tx_.size(), start_s, faded_);
    std::normal_distribution<float> gauss(0.0F, std::sqrt(noise_power / 2));
    for (unsigned a = 0; a < num_antennas_; ++a) {
      for (std::size_t n = 0; n < rx_.size(); ++n) {
        rx_[n] = faded_[a * rx_.size() + n] + phy::cf32(gauss(rng), gauss(rng));
      }
      demodulator_.demodulate(slot_, rx_, a, buffer_);
    }
    return buffer_;
  }

private:
  phy::Numerology numerology_;
  unsigned num_prbs_;
  unsigned num_antennas_;
  unsigned slot_;
  phy::PrachModulator modulator_;
  phy::PrachDemodulator demodulator_;
  phy::PrachOccasionLayout layout_;
  std::vector<phy::cf32> tx_;
  std::vector<phy::cf32> rx_;
  std::vector<phy::cf32> faded_;
  phy::PrachBuffer buffer_;
};

} // namespace airan::test
