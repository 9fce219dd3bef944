/// \file
/// \brief How FAPI buffers travel between the MAC (L2) and the PHY (L1): the FapiTransport
/// interface, its counters, and the error its set-up raises.
///
/// A transport moves opaque units of bytes, each one FAPI buffer (PHY API header + messages, see
/// fapi_codec.h), whole and in order, or not at all. Two implementations exist:
/// FapiUdpTransport (datagrams, loopback by default) and FapiShmTransport (POSIX shared memory,
/// lock-free rings). send() never blocks; receive() waits at most its timeout. Neither allocates
/// once constructed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

namespace airan::io {

/// Outcome of a send() or receive().
enum class FapiTransportStatus : std::uint8_t {
  ok,
  would_block, ///< send(): no room now (ring, buffer pool or socket buffer full); nothing sent.
  timeout,     ///< receive(): nothing arrived within the timeout.
  too_large,   ///< send(): larger than max_message_size(); receive(): a unit larger than the
               ///< caller's buffer arrived and was dropped (counted in dropped_too_large).
  error,       ///< The operating system refused (socket error); see errno.
};

/// Name of \p status ("would_block").
const char* fapi_transport_status_name(FapiTransportStatus status);

/// Per-transport statistics since construction (a snapshot; safe to read from any thread).
struct FapiTransportCounters {
  std::uint64_t messages_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t send_would_block = 0; ///< send() calls refused for lack of room.
  std::uint64_t messages_received = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t receive_timeouts = 0;
  /// Units dropped on arrival because their framing was invalid: a datagram with a bad magic,
  /// version or length, a shared-memory descriptor pointing outside its pool, or a
  /// shared-memory producer index more than a ring away from the consumer's (skipped).
  std::uint64_t dropped_malformed = 0;
  /// UDP: datagrams dropped because they were older than the next expected one (duplicates,
  /// reordering) or a fragment that did not follow the previous one.
  std::uint64_t dropped_out_of_sequence = 0;
  /// UDP: messages never received, seen as jumps in the sequence numbers.
  std::uint64_t sequence_gaps = 0;
  std::uint64_t dropped_too_large = 0; ///< Units larger than the receive buffer given.
  /// UDP: datagrams dropped unread because they came from another address or port than the
  /// peer's (the remote set, or else the sender of the first well-framed datagram).
  std::uint64_t dropped_foreign = 0;
  /// Shared memory: units a previous peer left in the ring, dropped unread (a MAC attaching
  /// after one that died; the PHY end's discard_received()).
  std::uint64_t dropped_stale = 0;
};

/// Result of receive(): the status and, when ok, the bytes written to the caller's buffer.
struct FapiReceiveResult {
  FapiTransportStatus status = FapiTransportStatus::timeout;
  std::size_t size = 0;
};

/// Raised when a transport cannot be set up (socket, bind, missing or incompatible segment).
class FapiTransportError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// One end of a FAPI link. A transport has one sending thread and one receiving thread at most
/// (which may be the same); counters() may be called from anywhere.
class FapiTransport {
public:
  virtual ~FapiTransport() = default;

  /// Sends \p unit (one FAPI buffer) to the peer; never blocks.
  virtual FapiTransportStatus send(std::span<const std::uint8_t> unit) = 0;

  /// Waits up to \p timeout for the next unit and copies it into \p buffer. A zero timeout
  /// polls once.
  virtual FapiReceiveResult receive(std::span<std::uint8_t> buffer,
                                    std::chrono::microseconds timeout) = 0;

  /// Largest unit send() accepts (size receive buffers to this).
  [[nodiscard]] virtual std::size_t max_message_size() const = 0;

  [[nodiscard]] virtual FapiTransportCounters counters() const = 0;
};

} // namespace airan::io
