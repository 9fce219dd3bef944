/// \file
/// \brief The counters of a FapiTransport as relaxed atomics: bumped by the sending and the
/// receiving thread, read from anywhere through snapshot().
#pragma once

#include "airan/io/fapi_transport.h"

#include <atomic>
#include <cstdint>

namespace airan::io::fapi_detail {

struct AtomicTransportCounters {
  std::atomic<std::uint64_t> messages_sent{0};
  std::atomic<std::uint64_t> bytes_sent{0};
  std::atomic<std::uint64_t> send_would_block{0};
  std::atomic<std::uint64_t> messages_received{0};
  std::atomic<std::uint64_t> bytes_received{0};
  std::atomic<std::uint64_t> receive_timeouts{0};
  std::atomic<std::uint64_t> dropped_malformed{0};
  std::atomic<std::uint64_t> dropped_out_of_sequence{0};
  std::atomic<std::uint64_t> sequence_gaps{0};
  std::atomic<std::uint64_t> dropped_too_large{0};
  std::atomic<std::uint64_t> dropped_stale{0};

  static void add(std::atomic<std::uint64_t>& counter, std::uint64_t value = 1) {
    counter.fetch_add(value, std::memory_order_relaxed);
  }

  [[nodiscard]] FapiTransportCounters snapshot() const {
    const auto get = [](const std::atomic<std::uint64_t>& c) {
      return c.load(std::memory_order_relaxed);
    };
    FapiTransportCounters c;
    c.messages_sent = get(messages_sent);
    c.bytes_sent = get(bytes_sent);
    c.send_would_block = get(send_would_block);
    c.messages_received = get(messages_received);
    c.bytes_received = get(bytes_received);
    c.receive_timeouts = get(receive_timeouts);
    c.dropped_malformed = get(dropped_malformed);
    c.dropped_out_of_sequence = get(dropped_out_of_sequence);
    c.sequence_gaps = get(sequence_gaps);
    c.dropped_too_large = get(dropped_too_large);
    c.dropped_stale = get(dropped_stale);
    return c;
  }
};

} // namespace airan::io::fapi_detail
