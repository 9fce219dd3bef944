/// \file
/// \brief The FapiPhy request tests' bench: the PHY on an in-memory transport (what the MAC
/// queued, what the PHY sent), polled from the test thread.
#pragma once

#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_transport.h"
#include "airan/l1/fapi_phy.h"
#include "airan/l1/iq_source.h"

#include "../support/queued_fapi_transport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace airan::l1::requests_bench {

using io::FapiMessageType;

/// A transport in memory: the MAC's units queued for the PHY, and what the PHY sent.
class MemoryTransport final : public airan::test::QueuedFapiTransport {
public:
  explicit MemoryTransport(std::size_t max_message_size = std::size_t{1} << 20)
      : QueuedFapiTransport(max_message_size) {}
  io::FapiTransportStatus send(std::span<const std::uint8_t> unit) override {
    ++attempts;
    if (would_block > 0) {
      --would_block;
      return io::FapiTransportStatus::would_block;
    }
    sent.emplace_back(unit.begin(), unit.end());
    return io::FapiTransportStatus::ok;
  }

  std::vector<std::vector<std::uint8_t>> sent{};
  unsigned would_block = 0; ///< The next this many sends report would_block.
  unsigned attempts = 0;    ///< send() calls.
};

/// A FapiPhy (stepped clock unless asked otherwise, 1 layer, 2 rx) on a MemoryTransport, polled
/// from the test.
class RequestsBench {
public:
  static constexpr unsigned rx = 2;

  /// \p period_scale > 0: the real-time clock that much slower than the air interface.
  /// \p max_message_size: the transport's largest unit. \p cplane: the C-plane's receiver (not
  /// owned), or none. \p on_session_stopped: FapiPhyConfig's.
  explicit RequestsBench(unsigned send_retries = 20, double period_scale = 0.0,
                         std::size_t max_message_size = std::size_t{1} << 20,
                         UplinkCplaneSender* cplane = nullptr,
                         std::function<void()> on_session_stopped = {})
      : transport_(max_message_size), samples_(InMemoryIqSourceConfig{4, rx, 14, 12 * 24, 0}),
        message_(std::make_unique<io::FapiMessage>()) {
    cell_.num_prbs = 24;
    cell_.numerology = 1;
    cell_.n_cell_id = 3;
    FapiPhyConfig config;
    config.receiver.max_layers = 1;
    config.send_retries = send_retries;
    config.cplane = cplane;
    config.on_session_stopped = std::move(on_session_stopped);
    if (period_scale > 0.0) {
      config.clock_mode = SlotClockMode::real_time;
      config.period_scale = period_scale;
    }
    phy_ = std::make_unique<FapiPhy>(transport_, samples_, config);
  }

  template <typename Message> std::vector<std::uint8_t> encode(const Message& message) {
    std::vector<std::uint8_t> unit(1 << 20);
    std::size_t size = 0;
    EXPECT_TRUE(io::encode_single_message(message, unit, size).ok());
    unit.resize(size);
    return unit;
  }
  io::FapiConfigRequest config_request() const { return io::to_fapi_config_request(cell_, rx); }
  const phy::CellConfig& cell() const { return cell_; }
  /// Queues \p unit for the PHY and polls once.
  void deliver(std::vector<std::uint8_t> unit) {
    transport_.inbound.push_back(std::move(unit));
    phy_->poll_once();
  }
  /// CONFIG and START; clears what was sent.
  void start() {
    deliver(encode(config_request()));
    deliver(encode(io::FapiStartRequest{}));
    ASSERT_EQ(phy_->state(), PhyState::running);
    transport_.sent.clear();
  }
  /// Decodes sent unit \p i (one message each) into the returned message.
  const io::FapiMessage& sent(std::size_t i) {
    EXPECT_TRUE(io::decode_single_message(transport_.sent.at(i), *message_).ok());
    return *message_;
  }
  /// The types of every unit sent so far.
  std::vector<FapiMessageType> sent_types() {
    std::vector<FapiMessageType> types;
    for (std::size_t i = 0; i < transport_.sent.size(); ++i) {
      types.push_back(sent(i).type);
    }
    return types;
  }

  FapiPhy& phy() { return *phy_; }
  MemoryTransport& transport() { return transport_; }
  InMemoryIqSource& samples() { return samples_; }

private:
  phy::CellConfig cell_;
  MemoryTransport transport_;
  InMemoryIqSource samples_;
  std::unique_ptr<FapiPhy> phy_;
  std::unique_ptr<io::FapiMessage> message_;
};

} // namespace airan::l1::requests_bench
