/// \file
/// \brief ResourceGrid: complex resource elements indexed [port][symbol][subcarrier], stored
/// contiguously in that order (the layout of the conformance grids), allocated once.
#pragma once

#include "airan/phy/types.h"

#include <algorithm>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <vector>

namespace airan::phy {

/// Frequency-domain resource grid of one slot for several antenna ports (or layers).
///
/// Memory is allocated by the constructor for its shape; reshape() changes the shape without
/// allocating as long as it fits in that capacity, so a grid sized for the largest case can be
/// reused slot after slot. Element (p, l, k) is at index (p * num_symbols + l) * num_subcarriers
/// + k.
class ResourceGrid {
public:
  ResourceGrid() = default;

  /// Zero-filled grid of the given shape (its capacity).
  ResourceGrid(unsigned num_ports, unsigned num_symbols, unsigned num_subcarriers)
      : num_ports_(num_ports), num_symbols_(num_symbols), num_subcarriers_(num_subcarriers),
        elements_(std::size_t{num_ports} * num_symbols * num_subcarriers) {}

  [[nodiscard]] unsigned num_ports() const { return num_ports_; }
  [[nodiscard]] unsigned num_symbols() const { return num_symbols_; }
  [[nodiscard]] unsigned num_subcarriers() const { return num_subcarriers_; }
  /// Number of elements of the current shape.
  [[nodiscard]] std::size_t size() const {
    return std::size_t{num_ports_} * num_symbols_ * num_subcarriers_;
  }
  /// Elements allocated (the largest shape reshape() accepts).
  [[nodiscard]] std::size_t capacity() const { return elements_.size(); }

  /// Changes the shape, keeping the storage. Contents are unspecified afterwards.
  /// \throws std::length_error when the new shape needs more than capacity().
  void reshape(unsigned num_ports, unsigned num_symbols, unsigned num_subcarriers) {
    if (std::size_t{num_ports} * num_symbols * num_subcarriers > elements_.size()) {
      throw std::length_error("ResourceGrid::reshape: shape exceeds the allocated capacity");
    }
    num_ports_ = num_ports;
    num_symbols_ = num_symbols;
    num_subcarriers_ = num_subcarriers;
  }

  /// Sets every element of the current shape to zero.
  void fill_zero() { std::fill_n(elements_.begin(), size(), cf32(0.0F, 0.0F)); }

  /// All elements of the current shape, in [port][symbol][subcarrier] order.
  [[nodiscard]] std::span<cf32> elements() { return {elements_.data(), size()}; }
  [[nodiscard]] std::span<const cf32> elements() const { return {elements_.data(), size()}; }

  /// The num_symbols x num_subcarriers elements of port \p port.
  [[nodiscard]] std::span<cf32> port(unsigned port) {
    return {elements_.data() + offset(port, 0), std::size_t{num_symbols_} * num_subcarriers_};
  }
  [[nodiscard]] std::span<const cf32> port(unsigned port) const {
    return {elements_.data() + offset(port, 0), std::size_t{num_symbols_} * num_subcarriers_};
  }

  /// The subcarriers of symbol \p symbol of port \p port.
  [[nodiscard]] std::span<cf32> symbol(unsigned port, unsigned symbol) {
    return {elements_.data() + offset(port, symbol), num_subcarriers_};
  }
  [[nodiscard]] std::span<const cf32> symbol(unsigned port, unsigned symbol) const {
    return {elements_.data() + offset(port, symbol), num_subcarriers_};
  }

  /// Element (port, symbol, subcarrier), unchecked.
  [[nodiscard]] cf32& at(unsigned port, unsigned symbol, unsigned subcarrier) {
    return elements_[offset(port, symbol) + subcarrier];
  }
  [[nodiscard]] const cf32& at(unsigned port, unsigned symbol, unsigned subcarrier) const {
    return elements_[offset(port, symbol) + subcarrier];
  }

private:
  [[nodiscard]] std::size_t offset(unsigned port, unsigned symbol) const {
    return (std::size_t{port} * num_symbols_ + symbol) * num_subcarriers_;
  }

  unsigned num_ports_ = 0;
  unsigned num_symbols_ = 0;
  unsigned num_subcarriers_ = 0;
  std::vector<cf32> elements_;
};

} // namespace airan::phy
