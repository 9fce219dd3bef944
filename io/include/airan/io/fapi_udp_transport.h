/// \file
/// \brief FAPI over UDP (IPv4), on loopback by default: each unit (one FAPI buffer, usually one
/// message or one slot's messages) goes in one datagram, or in several fragments when it is
/// larger than a datagram (an RX_DATA.indication with big TBs).
///
/// Every datagram starts with a 20-byte little-endian framing header (docs/FAPI.md):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic 0x49504146 (the bytes "FAPI") |
/// | 4 | 1 | version, 1 |
/// | 5 | 1 | flags: bit 0 last fragment, bit 1 first unit the sender sent (resynchronises) |
/// | 6 | 2 | fragment index within the unit, from 0 |
/// | 8 | 4 | sequence number of the unit (fragments share it; +1 per unit, wraps) |
/// | 12 | 4 | unit length, bytes |
/// | 16 | 4 | payload length, bytes after this header in this datagram |
///
/// One peer per transport: the receiver takes datagrams only from the remote set (address and
/// port; or, before one is set, from the sender of the first well-framed datagram, then pinned)
/// and drops and counts the others unread (dropped_foreign). It drops and counts datagrams with a
/// bad header or inconsistent lengths, or a sequence number more than 64 units (the window)
/// ahead of the next expected one without the stream-start flag (dropped_malformed; the
/// receiver moves there only when the next datagram agrees, so a stray datagram cannot derail
/// it), datagrams older than the next expected sequence number or fragments that do not follow
/// the previous one (dropped_out_of_sequence), and counts missing units (sequence_gaps). UDP has
/// no back-pressure: a receiver that falls behind loses datagrams in its socket buffer, seen as
/// gaps.
#pragma once

#include "airan/io/fapi_transport.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace airan::io {

/// Bytes of the UDP framing header.
inline constexpr std::size_t fapi_udp_header_size = 20;
/// Framing magic: "FAPI" as little-endian bytes.
inline constexpr std::uint32_t fapi_udp_magic = 0x49504146;
inline constexpr std::uint8_t fapi_udp_version = 1;

/// Addresses and sizes of a FapiUdpTransport.
struct FapiUdpConfig {
  std::string local_address = "127.0.0.1";  ///< IPv4 address to bind.
  std::uint16_t local_port = 0;             ///< 0: any free port (see local_port()).
  std::string remote_address = "127.0.0.1"; ///< Where send() goes.
  /// Where send() goes and the only sender receive() takes. 0: not yet known (set_remote();
  /// until then receive() pins the first well-framed datagram's sender, and send() answers it:
  /// a server such as `airan l1` serves whichever MAC speaks first).
  std::uint16_t remote_port = 0;
  std::size_t max_message_size = 1 << 20; ///< Largest unit sent or reassembled.
  /// Payload bytes per datagram (a unit above it is fragmented); at most 65507 - 20.
  std::size_t max_datagram_payload = 65000;
  int socket_buffer_bytes = 4 << 20; ///< SO_RCVBUF / SO_SNDBUF asked for (the kernel may cap).
};

/// FAPI over UDP. Construction binds the socket; \throws FapiTransportError on failure.
class FapiUdpTransport final : public FapiTransport {
public:
  explicit FapiUdpTransport(const FapiUdpConfig& config = {});
  ~FapiUdpTransport() override;
  FapiUdpTransport(const FapiUdpTransport&) = delete;
  FapiUdpTransport& operator=(const FapiUdpTransport&) = delete;

  /// The bound port (the one chosen when local_port was 0).
  [[nodiscard]] std::uint16_t local_port() const;
  /// Sets the peer: where send() goes, and the only sender whose datagrams receive() takes
  /// (0.0.0.0: any address, this port). \throws FapiTransportError for an invalid address.
  void set_remote(const std::string& address, std::uint16_t port);

  FapiTransportStatus send(std::span<const std::uint8_t> unit) override;
  FapiReceiveResult receive(std::span<std::uint8_t> buffer,
                            std::chrono::microseconds timeout) override;
  [[nodiscard]] std::size_t max_message_size() const override;
  [[nodiscard]] FapiTransportCounters counters() const override;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::io
