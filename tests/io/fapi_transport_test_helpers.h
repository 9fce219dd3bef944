/// \file
/// \brief Traffic for the FAPI transport tests: unit i is a FAPI buffer holding one
/// RX_DATA.indication whose PDU handle is i and whose payload (the "TB") has a size and content
/// that depend on i: mostly 0 .. 3 kB, every 100th unit 20 .. 150 kB (fragmented over UDP, in a
/// payload buffer over shared memory).
#pragma once

#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_transport.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace airan::io::test {

inline constexpr unsigned traffic_units = 10000;

/// Payload bytes of unit \p index.
inline std::size_t traffic_payload_size(unsigned index) {
  return index % 100 == 0 ? 20000 + (index * 37U) % 130000 : (index * 7919U) % 3000;
}

/// Builds and checks traffic units; one per thread.
class TrafficGenerator {
public:
  TrafficGenerator() : pattern_(256 + 200000), buffer_(1 << 20) {
    for (std::size_t i = 0; i < pattern_.size(); ++i) {
      pattern_[i] = static_cast<std::uint8_t>(i);
    }
  }

  /// Unit \p index (valid until the next call).
  std::span<const std::uint8_t> unit(unsigned index) {
    indication_->sfn = static_cast<std::uint16_t>(index % 1024);
    indication_->slot = static_cast<std::uint16_t>(index % 160);
    indication_->num_pdus = 1;
    FapiRxData& pdu = indication_->pdus[0];
    pdu.handle = index;
    pdu.rnti = static_cast<std::uint16_t>(1 + index % 65535);
    pdu.payload = std::span(pattern_).subspan(index % 256, traffic_payload_size(index));
    std::size_t size = 0;
    if (!encode_single_message(*indication_, buffer_, size).ok()) {
      return {};
    }
    return std::span(buffer_).first(size);
  }

  /// Empty when \p bytes is unit \p index, otherwise what differs.
  std::string check(unsigned index, std::span<const std::uint8_t> bytes) {
    const FapiError error = decode_single_message(bytes, *message_);
    if (!error.ok()) {
      return "unit " + std::to_string(index) + " does not decode: " + std::string(error.reason());
    }
    const FapiRxDataIndication& rx = message_->rx_data_indication;
    if (message_->type != FapiMessageType::rx_data_indication || rx.num_pdus != 1) {
      return "unit " + std::to_string(index) + " is not a one-PDU RX_DATA.indication";
    }
    if (rx.pdus[0].handle != index) {
      return "expected unit " + std::to_string(index) + ", got " +
             std::to_string(rx.pdus[0].handle);
    }
    const auto expected = std::span(pattern_).subspan(index % 256, traffic_payload_size(index));
    if (!std::ranges::equal(rx.pdus[0].payload, expected)) {
      return "unit " + std::to_string(index) + " payload differs";
    }
    return {};
  }

private:
  std::vector<std::uint8_t> pattern_;
  std::vector<std::uint8_t> buffer_;
  std::unique_ptr<FapiRxDataIndication> indication_ = std::make_unique<FapiRxDataIndication>();
  std::unique_ptr<FapiMessage> message_ = std::make_unique<FapiMessage>();
};

/// Sends \p unit, retrying while the transport says would_block (up to \p patience).
inline FapiTransportStatus
send_with_retry(FapiTransport& transport, std::span<const std::uint8_t> unit,
                std::chrono::seconds patience = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  for (;;) {
    const FapiTransportStatus status = transport.send(unit);
    if (status != FapiTransportStatus::would_block || std::chrono::steady_clock::now() > deadline) {
      return status;
    }
    std::this_thread::yield();
  }
}

/// Receives \p count units on \p transport and checks them in order; "" or the first problem.
inline std::string receive_traffic(FapiTransport& transport, unsigned count,
                                   std::atomic<unsigned>* progress = nullptr) {
  TrafficGenerator generator;
  std::vector<std::uint8_t> buffer(transport.max_message_size());
  for (unsigned i = 0; i < count; ++i) {
    const FapiReceiveResult result = transport.receive(buffer, std::chrono::seconds(20));
    if (result.status != FapiTransportStatus::ok) {
      return "unit " + std::to_string(i) + ": receive " + fapi_transport_status_name(result.status);
    }
    if (std::string problem = generator.check(i, std::span(buffer).first(result.size));
        !problem.empty()) {
      return problem;
    }
    if (progress != nullptr) {
      progress->store(i + 1, std::memory_order_release);
    }
  }
  return {};
}

} // namespace airan::io::test
