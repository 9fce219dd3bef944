/// \file
/// \brief ChannelResponse: the true frequency response of a channel over one slot,
/// H[rx][tx][symbol][subcarrier] on every subcarrier of the carrier (12 * num_prbs), as a channel
/// model produces it for a perfect-CSI receiver (see TdlChannel::frequency_response()).
#pragma once

#include "airan/phy/types.h"

#include <cstddef>
#include <span>
#include <vector>

namespace airan::phy {

/// Frequency response of one slot, stored contiguously rx-major, then tx, symbol, subcarrier:
/// element (r, t, l, k) is at index ((r * num_tx + t) * num_symbols + l) * num_subcarriers + k.
///
/// reshape() keeps the storage when the new shape fits in what is allocated, so one object sized
/// for the largest case is reused slot after slot without allocation.
class ChannelResponse {
public:
  ChannelResponse() = default;

  /// Zero-filled response of the given shape.
  ChannelResponse(unsigned num_rx, unsigned num_tx, unsigned num_symbols,
                  unsigned num_subcarriers) {
    reshape(num_rx, num_tx, num_symbols, num_subcarriers);
  }

  /// Changes the shape; reallocates only when the new shape needs more elements than are
  /// allocated. Contents are unspecified afterwards (zero when newly allocated).
  void reshape(unsigned num_rx, unsigned num_tx, unsigned num_symbols, unsigned num_subcarriers) {
    const std::size_t needed = std::size_t{num_rx} * num_tx * num_symbols * num_subcarriers;
    if (needed > values_.size()) {
      values_.resize(needed);
    }
    num_rx_ = num_rx;
    num_tx_ = num_tx;
    num_symbols_ = num_symbols;
    num_subcarriers_ = num_subcarriers;
  }

  /// Receive antennas.
  [[nodiscard]] unsigned num_rx() const { return num_rx_; }
  /// Transmit antennas (ports).
  [[nodiscard]] unsigned num_tx() const { return num_tx_; }
  /// OFDM symbols (of one slot).
  [[nodiscard]] unsigned num_symbols() const { return num_symbols_; }
  /// Subcarriers of the carrier, 12 * num_prbs.
  [[nodiscard]] unsigned num_subcarriers() const { return num_subcarriers_; }
  /// Elements of the current shape.
  [[nodiscard]] std::size_t size() const {
    return std::size_t{num_rx_} * num_tx_ * num_symbols_ * num_subcarriers_;
  }

  /// The num_subcarriers() values H(rx, tx, symbol, 0 .. num_subcarriers - 1); unchecked.
  [[nodiscard]] std::span<cf32> at(unsigned rx, unsigned tx, unsigned symbol) {
    return {values_.data() + offset(rx, tx, symbol), num_subcarriers_};
  }
  /// Read-only view of H(rx, tx, symbol, .); unchecked.
  [[nodiscard]] std::span<const cf32> at(unsigned rx, unsigned tx, unsigned symbol) const {
    return {values_.data() + offset(rx, tx, symbol), num_subcarriers_};
  }

  /// Every element of the current shape (rx-major, then tx, symbol, subcarrier).
  [[nodiscard]] std::span<const cf32> data() const { return {values_.data(), size()}; }
  /// Every element of the current shape, writable.
  [[nodiscard]] std::span<cf32> data() { return {values_.data(), size()}; }

private:
  [[nodiscard]] std::size_t offset(unsigned rx, unsigned tx, unsigned symbol) const {
    return ((std::size_t{rx} * num_tx_ + tx) * num_symbols_ + symbol) * num_subcarriers_;
  }

  unsigned num_rx_ = 0;
  unsigned num_tx_ = 0;
  unsigned num_symbols_ = 0;
  unsigned num_subcarriers_ = 0;
  std::vector<cf32> values_;
};

} // namespace airan::phy
