/// \file
/// \brief A scripted L1 for the test MAC's verdict tests: the MAC's FAPI transport and sample
/// sink in one object, with no receiver behind it. It answers PARAM, CONFIG and STOP, sends its
/// script of SLOT.indications at START (all at once, in order), and hands each UL_TTI.request
/// to the test, which queues whatever indications it wants the MAC to judge.
#pragma once

#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_transport.h"
#include "airan/l1/iq_source.h"
#include "airan/l1/slot_clock.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace airan::l1::scripted_l1 {

/// Plays the L1 for run_test_mac() on the test's thread (see the file comment). Samples pushed
/// are taken and dropped.
class ScriptedL1 final : public io::FapiTransport, public SlotSampleWriter {
public:
  /// The SLOT.indications sent at START, in order.
  std::vector<FapiSlotAddress> slots;
  /// Called with each UL_TTI.request the MAC sends (queue() its indications).
  std::function<void(const io::FapiUlTtiRequest&)> on_ul_tti;

  /// Queues \p message for the MAC, as the L1 would send it.
  template <typename Message> void queue(const Message& message) {
    std::vector<std::uint8_t> unit(max_message_size());
    std::size_t size = 0;
    const io::FapiError error = io::encode_single_message(message, unit, size);
    ASSERT_TRUE(error.ok()) << error.reason();
    unit.resize(size);
    inbound_.push_back(std::move(unit));
  }

  io::FapiTransportStatus send(std::span<const std::uint8_t> unit) override {
    const io::FapiError error = io::decode_single_message(unit, *message_);
    EXPECT_TRUE(error.ok()) << error.reason();
    switch (message_->type) {
    case io::FapiMessageType::param_request:
      queue(io::FapiParamResponse{});
      break;
    case io::FapiMessageType::config_request:
      queue(io::FapiConfigResponse{});
      break;
    case io::FapiMessageType::start_request:
      for (const FapiSlotAddress& slot : slots) {
        queue(io::FapiSlotIndication{slot.sfn, slot.slot});
      }
      break;
    case io::FapiMessageType::ul_tti_request:
      if (on_ul_tti) {
        on_ul_tti(message_->ul_tti_request);
      }
      break;
    case io::FapiMessageType::stop_request:
      queue(io::FapiStopIndication{});
      break;
    default:
      ADD_FAILURE() << "the MAC sent " << io::fapi_message_type_name(message_->type);
    }
    return io::FapiTransportStatus::ok;
  }
  io::FapiReceiveResult receive(std::span<std::uint8_t> buffer,
                                std::chrono::microseconds /*timeout*/) override {
    if (inbound_.empty()) {
      return {};
    }
    const std::vector<std::uint8_t> unit = std::move(inbound_.front());
    inbound_.pop_front();
    std::copy(unit.begin(), unit.end(), buffer.begin());
    return {io::FapiTransportStatus::ok, unit.size()};
  }
  [[nodiscard]] std::size_t max_message_size() const override { return 1U << 18; }
  [[nodiscard]] io::FapiTransportCounters counters() const override { return {}; }

  bool push_grid(std::uint16_t /*sfn*/, std::uint16_t /*slot*/, const phy::ResourceGrid& /*grid*/,
                 std::chrono::microseconds /*timeout*/) override {
    return true;
  }
  bool push_iq(std::uint16_t /*sfn*/, std::uint16_t /*slot*/, std::span<const phy::cf32> /*iq*/,
               std::chrono::microseconds /*timeout*/) override {
    return true;
  }
  bool push_empty(std::uint16_t /*sfn*/, std::uint16_t /*slot*/,
                  std::chrono::microseconds /*timeout*/) override {
    return true;
  }

private:
  std::unique_ptr<io::FapiMessage> message_ = std::make_unique<io::FapiMessage>();
  std::deque<std::vector<std::uint8_t>> inbound_;
};

/// \p count SLOT.indications in order from (\p sfn, \p slot), \p slots_per_frame a frame, across
/// the SFN wrap.
inline std::vector<FapiSlotAddress> consecutive_slots(FapiSlotAddress from, unsigned count,
                                                      unsigned slots_per_frame) {
  std::vector<FapiSlotAddress> slots;
  const std::uint64_t first = std::uint64_t{from.sfn} * slots_per_frame + from.slot;
  for (unsigned i = 0; i < count; ++i) {
    slots.push_back(to_slot_address(first + i, slots_per_frame));
  }
  return slots;
}

} // namespace airan::l1::scripted_l1
