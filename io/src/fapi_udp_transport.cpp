#include "airan/io/fapi_udp_transport.h"

#include "fapi_transport_counters.h"
#include "fapi_udp_reassembly.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

namespace airan::io {

using fapi_detail::AtomicTransportCounters;

namespace {

/// Largest UDP payload over IPv4 (65535 - 20 IP - 8 UDP).
constexpr std::size_t max_udp_payload = 65507;
/// Datagrams that complete no unit read after a receive's deadline before it gives up: a unit of
/// up to 256 fragments already queued is delivered by one zero-timeout call.
constexpr unsigned max_datagrams_past_deadline = 256;

sockaddr_in make_address(const std::string& address, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    throw FapiTransportError("FAPI UDP: '" + address + "' is not an IPv4 address");
  }
  return addr;
}

[[noreturn]] void fail(const std::string& what) {
  throw FapiTransportError("FAPI UDP: " + what + ": " + std::strerror(errno));
}

void set_buffer_size(int fd, int forced_option, int option, int bytes) {
  // The *FORCE variants pass the system limit with CAP_NET_ADMIN; otherwise the kernel caps.
  if (setsockopt(fd, SOL_SOCKET, forced_option, &bytes, sizeof(bytes)) != 0) {
    (void)setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof(bytes));
  }
}

} // namespace

struct FapiUdpTransport::Impl {
  explicit Impl(const FapiUdpConfig& c)
      : config(c), datagram(max_udp_payload + 1), reassembler(c.max_message_size, counters) {}

  FapiUdpConfig config;
  /// Whether a datagram from \p from may be taken: it comes from the peer (the remote set, or
  /// else the sender of the first well-framed datagram, which this pins as the peer).
  bool from_peer(const sockaddr_in& from, std::span<const std::uint8_t> datagram);

  int fd = -1;
  sockaddr_in remote{};
  bool have_remote = false;
  /// Guards the learned peer and the send state (receive() may pin a peer while another thread
  /// sends).
  std::mutex peer_mutex;
  sockaddr_in learned_peer{}; ///< Without a remote: the first well-framed datagram's sender.
  bool have_learned_peer = false;
  std::atomic<std::uint64_t> dropped_foreign{0};
  std::uint32_t next_sequence = 0;
  bool stream_start = true;
  std::vector<std::uint8_t> datagram;
  AtomicTransportCounters counters;
  fapi_detail::UdpReassembler reassembler;
};

bool FapiUdpTransport::Impl::from_peer(const sockaddr_in& from,
                                       std::span<const std::uint8_t> datagram) {
  const auto same = [&](const sockaddr_in& peer) {
    return from.sin_family == AF_INET && from.sin_port == peer.sin_port &&
           (peer.sin_addr.s_addr == htonl(INADDR_ANY) ||
            from.sin_addr.s_addr == peer.sin_addr.s_addr);
  };
  if (have_remote) {
    return same(remote);
  }
  const std::lock_guard lock(peer_mutex);
  fapi_detail::UdpFrameHeader header;
  const bool framed = from.sin_family == AF_INET && fapi_detail::parse_udp_header(datagram, header);
  if (have_learned_peer && same(learned_peer)) {
    return true;
  }
  // A new peer: the first one, or (a server's next MAC) one whose stream starts afresh, its
  // first unit's first fragment with sequence 0 and the stream-start flag. Our own stream
  // starts afresh towards it.
  const bool fresh_stream = framed && (header.flags & fapi_detail::udp_flag_stream_start) != 0 &&
                            header.sequence == 0 && header.fragment_index == 0;
  if (!have_learned_peer ? framed : fresh_stream) {
    learned_peer = from;
    have_learned_peer = true;
    next_sequence = 0;
    stream_start = true;
    return true;
  }
  return !have_learned_peer; // not pinned by garbage: the reassembler drops and counts it
}

FapiUdpTransport::FapiUdpTransport(const FapiUdpConfig& config)
    : impl_(std::make_unique<Impl>(config)) {
  if (config.max_datagram_payload < 1 ||
      config.max_datagram_payload > max_udp_payload - fapi_udp_header_size) {
    throw FapiTransportError("FAPI UDP: max_datagram_payload must be 1.." +
                             std::to_string(max_udp_payload - fapi_udp_header_size));
  }
  if (config.max_message_size < 1 || config.max_message_size > 0xFFFFFFFFU) {
    throw FapiTransportError("FAPI UDP: max_message_size must be 1..2^32-1");
  }
  const sockaddr_in local = make_address(config.local_address, config.local_port);
  if (config.remote_port != 0) {
    set_remote(config.remote_address, config.remote_port);
  }
  impl_->fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (impl_->fd < 0) {
    fail("socket");
  }
  set_buffer_size(impl_->fd, SO_RCVBUFFORCE, SO_RCVBUF, config.socket_buffer_bytes);
  set_buffer_size(impl_->fd, SO_SNDBUFFORCE, SO_SNDBUF, config.socket_buffer_bytes);
  if (::bind(impl_->fd, reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0) {
    const int saved = errno;
    ::close(impl_->fd);
    errno = saved;
    fail("bind " + config.local_address + ":" + std::to_string(config.local_port));
  }
}

FapiUdpTransport::~FapiUdpTransport() {
  if (impl_->fd >= 0) {
    ::close(impl_->fd);
  }
}

std::uint16_t FapiUdpTransport::local_port() const {
  sockaddr_in addr{};
  socklen_t length = sizeof(addr);
  if (::getsockname(impl_->fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    return 0;
  }
  return ntohs(addr.sin_port);
}

void FapiUdpTransport::set_remote(const std::string& address, std::uint16_t port) {
  impl_->remote = make_address(address, port);
  impl_->have_remote = true;
}

std::size_t FapiUdpTransport::max_message_size() const {
  return impl_->config.max_message_size;
}

FapiTransportCounters FapiUdpTransport::counters() const {
  FapiTransportCounters c = impl_->counters.snapshot();
  c.dropped_foreign = impl_->dropped_foreign.load(std::memory_order_relaxed);
  return c;
}

FapiTransportStatus FapiUdpTransport::send(std::span<const std::uint8_t> unit) {
  Impl& s = *impl_;
  if (unit.size() > s.config.max_message_size) {
    return FapiTransportStatus::too_large;
  }
  // The remote set, or else the peer the first well-framed datagram pinned (a server's MAC).
  const std::lock_guard lock(s.peer_mutex);
  sockaddr_in* const peer = s.have_remote         ? &s.remote
                            : s.have_learned_peer ? &s.learned_peer
                                                  : nullptr;
  if (peer == nullptr) {
    errno = EDESTADDRREQ;
    return FapiTransportStatus::error;
  }
  const std::size_t chunk = s.config.max_datagram_payload;
  const std::size_t fragments = std::max<std::size_t>(1, (unit.size() + chunk - 1) / chunk);
  if (fragments > 0xFFFF) {
    return FapiTransportStatus::too_large;
  }
  for (std::size_t i = 0; i < fragments; ++i) {
    const std::span<const std::uint8_t> part =
        unit.subspan(i * chunk, std::min(chunk, unit.size() - i * chunk));
    fapi_detail::UdpFrameHeader header;
    header.flags =
        static_cast<std::uint8_t>((i + 1 == fragments ? fapi_detail::udp_flag_last_fragment : 0) |
                                  (s.stream_start ? fapi_detail::udp_flag_stream_start : 0));
    header.fragment_index = static_cast<std::uint16_t>(i);
    header.sequence = s.next_sequence;
    header.unit_length = static_cast<std::uint32_t>(unit.size());
    header.payload_length = static_cast<std::uint32_t>(part.size());
    std::array<std::uint8_t, fapi_udp_header_size> header_bytes{};
    fapi_detail::write_udp_header(header_bytes, header);
    std::array<iovec, 2> iov = {iovec{header_bytes.data(), header_bytes.size()},
                                iovec{const_cast<std::uint8_t*>(part.data()), part.size()}};
    msghdr message{};
    message.msg_name = peer;
    message.msg_namelen = sizeof(*peer);
    message.msg_iov = iov.data();
    message.msg_iovlen = part.empty() ? 1 : 2;
    if (::sendmsg(s.fd, &message, MSG_DONTWAIT) < 0) {
      const bool full = errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS;
      if (i > 0) {
        ++s.next_sequence; // fragments already left: the peer will see this unit as lost
        s.stream_start = false;
      }
      if (full) {
        AtomicTransportCounters::add(s.counters.send_would_block);
        return FapiTransportStatus::would_block;
      }
      return FapiTransportStatus::error;
    }
  }
  ++s.next_sequence;
  s.stream_start = false;
  AtomicTransportCounters::add(s.counters.messages_sent);
  AtomicTransportCounters::add(s.counters.bytes_sent, unit.size());
  return FapiTransportStatus::ok;
}

FapiReceiveResult FapiUdpTransport::receive(std::span<std::uint8_t> buffer,
                                            std::chrono::microseconds timeout) {
  Impl& s = *impl_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Datagrams already queued are read on past the deadline (a zero timeout included), so that a
  // foreign or malformed datagram, or one fragment of a unit, does not leave the units behind it
  // for the next call; bounded, so that a flood still returns.
  unsigned read_past_deadline = 0;
  for (;;) {
    sockaddr_in from{};
    socklen_t from_length = sizeof(from);
    const ssize_t size = ::recvfrom(s.fd, s.datagram.data(), s.datagram.size(), MSG_TRUNC,
                                    reinterpret_cast<sockaddr*>(&from), &from_length);
    if (size >= 0) {
      bool complete = false;
      std::span<const std::uint8_t> unit;
      const std::span<const std::uint8_t> received =
          std::span(s.datagram).first(std::min(static_cast<std::size_t>(size), s.datagram.size()));
      if (!s.from_peer(from, received)) {
        AtomicTransportCounters::add(s.dropped_foreign); // not from the peer: never looked at
      } else if (static_cast<std::size_t>(size) > s.datagram.size()) {
        AtomicTransportCounters::add(s.counters.dropped_malformed); // cannot be one of ours
      } else {
        unit = s.reassembler.accept(received, complete);
      }
      if (!complete) {
        if (std::chrono::steady_clock::now() >= deadline &&
            ++read_past_deadline > max_datagrams_past_deadline) { // a stream of unusable ones
          AtomicTransportCounters::add(s.counters.receive_timeouts);
          return {FapiTransportStatus::timeout, 0};
        }
        continue;
      }
      if (unit.size() > buffer.size()) {
        AtomicTransportCounters::add(s.counters.dropped_too_large);
        return {FapiTransportStatus::too_large, unit.size()};
      }
      if (!unit.empty()) {
        std::memcpy(buffer.data(), unit.data(), unit.size());
      }
      AtomicTransportCounters::add(s.counters.messages_received);
      AtomicTransportCounters::add(s.counters.bytes_received, unit.size());
      return {FapiTransportStatus::ok, unit.size()};
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return {FapiTransportStatus::error, 0};
    }
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      AtomicTransportCounters::add(s.counters.receive_timeouts);
      return {FapiTransportStatus::timeout, 0};
    }
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec wait{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    pollfd poll_fd{s.fd, POLLIN, 0};
    if (::ppoll(&poll_fd, 1, &wait, nullptr) < 0 && errno != EINTR) {
      return {FapiTransportStatus::error, 0};
    }
  }
}

} // namespace airan::io
