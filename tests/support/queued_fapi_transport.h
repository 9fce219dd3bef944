/// \file
/// \brief A FapiTransport for tests and fuzzers that drive an L1 from the test's thread: the
/// MAC's units wait in a queue for the L1's receive(); what the L1 sends is the subclass's.
#pragma once

#include "airan/io/fapi_transport.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace airan::test {

/// Units queued in `inbound` come out of receive() one per call, in order (a unit larger than
/// the receiver's buffer is dropped); max_message_size() is the one given.
class QueuedFapiTransport : public io::FapiTransport {
public:
  explicit QueuedFapiTransport(std::size_t max_message_size) : max_size_(max_message_size) {}

  io::FapiReceiveResult receive(std::span<std::uint8_t> buffer,
                                std::chrono::microseconds /*timeout*/) override {
    if (inbound.empty()) {
      return {};
    }
    const std::vector<std::uint8_t> unit = std::move(inbound.front());
    inbound.pop_front();
    if (unit.size() > buffer.size()) {
      return {};
    }
    std::copy(unit.begin(), unit.end(), buffer.begin());
    return {io::FapiTransportStatus::ok, unit.size()};
  }
  [[nodiscard]] std::size_t max_message_size() const override { return max_size_; }
  [[nodiscard]] io::FapiTransportCounters counters() const override { return {}; }

  std::deque<std::vector<std::uint8_t>> inbound{};

private:
  std::size_t max_size_;
};

} // namespace airan::test
