/// \file
/// \brief PrachBuffer: the frequency-domain PRACH of one occasion, L_RA subcarriers per receive
/// antenna and sequence period, as the demodulator (or an O-RAN RU's section type 3 stream)
/// delivers it to the detector.
#pragma once

#include "airan/phy/types.h"

#include <cstddef>
#include <span>
#include <stdexcept>
#include <vector>

namespace airan::phy {

/// PRACH subcarriers [antenna][period][subcarrier], allocated once and reused per occasion.
class PrachBuffer {
public:
  PrachBuffer() = default;
  /// \throws std::invalid_argument when a dimension is 0.
  PrachBuffer(unsigned num_antennas, unsigned num_periods, unsigned sequence_length)
      : num_antennas_(num_antennas), num_periods_(num_periods), sequence_length_(sequence_length),
        values_(std::size_t{num_antennas} * num_periods * sequence_length) {
    if (values_.empty()) {
      throw std::invalid_argument("a PRACH buffer needs antennas, periods and subcarriers");
    }
  }

  [[nodiscard]] unsigned num_antennas() const { return num_antennas_; }
  [[nodiscard]] unsigned num_periods() const { return num_periods_; }
  [[nodiscard]] unsigned sequence_length() const { return sequence_length_; }

  /// The L_RA subcarriers of \p antenna in period \p period (no bounds check beyond debug use).
  [[nodiscard]] std::span<cf32> at(unsigned antenna, unsigned period) {
    return {values_.data() + offset(antenna, period), sequence_length_};
  }
  [[nodiscard]] std::span<const cf32> at(unsigned antenna, unsigned period) const {
    return {values_.data() + offset(antenna, period), sequence_length_};
  }

private:
  [[nodiscard]] std::size_t offset(unsigned antenna, unsigned period) const {
    return (std::size_t{antenna} * num_periods_ + period) * sequence_length_;
  }
  unsigned num_antennas_ = 0;
  unsigned num_periods_ = 0;
  unsigned sequence_length_ = 0;
  std::vector<cf32> values_;
};

} // namespace airan::phy
