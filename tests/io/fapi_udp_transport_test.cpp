// FAPI over UDP on loopback: 10000 units of varied sizes between two threads, fragmentation,
// the framing header byte by byte, malformed and out-of-sequence datagrams, timeouts.
#include "airan/io/fapi_udp_transport.h"
#include "fapi_transport_test_helpers.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace {

using namespace airan::io;
using namespace airan::io::test;
using Bytes = std::vector<std::uint8_t>;

/// Two transports on loopback, each the other's remote.
struct UdpPair {
  explicit UdpPair(const FapiUdpConfig& config = {}) : mac(config), phy(config) {
    mac.set_remote("127.0.0.1", phy.local_port());
    phy.set_remote("127.0.0.1", mac.local_port());
  }
  FapiUdpTransport mac;
  FapiUdpTransport phy;
};

/// A plain UDP socket that sends hand-made datagrams to \p port.
class RawSender {
public:
  explicit RawSender(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    to_.sin_family = AF_INET;
    to_.sin_port = htons(port);
    to_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  ~RawSender() { ::close(fd_); }
  void send(const Bytes& datagram) const {
    ASSERT_EQ(::sendto(fd_, datagram.data(), datagram.size(), 0,
                       reinterpret_cast<const sockaddr*>(&to_), sizeof(to_)),
              static_cast<ssize_t>(datagram.size()));
  }

private:
  int fd_;
  sockaddr_in to_{};
};

/// A framed datagram: the documented 20-byte header, then \p payload.
Bytes framed(std::uint8_t flags, std::uint16_t fragment, std::uint32_t sequence,
             std::uint32_t unit_length, const Bytes& payload) {
  Bytes d = {0x46,
             0x41,
             0x50,
             0x49,                                             // 0: magic "FAPI"
             0x01,                                             // 4: version 1
             flags,                                            // 5: flags
             static_cast<std::uint8_t>(fragment),              // 6: fragment index
             static_cast<std::uint8_t>(fragment >> 8),         //
             static_cast<std::uint8_t>(sequence),              // 8: sequence number
             static_cast<std::uint8_t>(sequence >> 8),         //
             static_cast<std::uint8_t>(sequence >> 16),        //
             static_cast<std::uint8_t>(sequence >> 24),        //
             static_cast<std::uint8_t>(unit_length),           // 12: unit length
             static_cast<std::uint8_t>(unit_length >> 8),      //
             static_cast<std::uint8_t>(unit_length >> 16),     //
             static_cast<std::uint8_t>(unit_length >> 24),     //
             static_cast<std::uint8_t>(payload.size()),        // 16: payload length
             static_cast<std::uint8_t>(payload.size() >> 8),   //
             static_cast<std::uint8_t>(payload.size() >> 16),  //
             static_cast<std::uint8_t>(payload.size() >> 24)}; //
  for (std::uint8_t byte : payload) { // (insert of an empty range trips GCC 12's -Warray-bounds)
    d.push_back(byte);
  }
  return d;
}

constexpr std::uint8_t last = 1;
constexpr std::uint8_t start = 2;

/// Receives one unit within 2 s and returns it (empty on failure).
Bytes receive_one(FapiUdpTransport& transport) {
  Bytes buffer(transport.max_message_size());
  const FapiReceiveResult result = transport.receive(buffer, std::chrono::seconds(2));
  EXPECT_EQ(result.status, FapiTransportStatus::ok) << fapi_transport_status_name(result.status);
  buffer.resize(result.status == FapiTransportStatus::ok ? result.size : 0);
  return buffer;
}

TEST(FapiUdpTransport, TenThousandUnitsBetweenTwoThreadsWithoutLossInOrder) {
  UdpPair link;
  std::atomic<unsigned> received{0};
  std::string problem;
  std::thread receiver([&] { problem = receive_traffic(link.phy, traffic_units, &received); });
  TrafficGenerator generator;
  for (unsigned i = 0; i < traffic_units; ++i) {
    // UDP has no back-pressure: keep at most 32 units in flight so the socket buffer never
    // overflows on a loaded machine.
    while (i - received.load(std::memory_order_acquire) > 32) {
      std::this_thread::yield();
    }
    ASSERT_EQ(send_with_retry(link.mac, generator.unit(i)), FapiTransportStatus::ok) << i;
  }
  receiver.join();
  EXPECT_EQ(problem, "");
  const FapiTransportCounters sent = link.mac.counters();
  const FapiTransportCounters got = link.phy.counters();
  EXPECT_EQ(sent.messages_sent, traffic_units);
  EXPECT_EQ(got.messages_received, traffic_units);
  EXPECT_EQ(got.bytes_received, sent.bytes_sent);
  EXPECT_EQ(got.sequence_gaps, 0U);
  EXPECT_EQ(got.dropped_malformed + got.dropped_out_of_sequence + got.dropped_too_large, 0U);
}

/// A plain UDP socket on loopback that captures datagrams as sent.
class RawReceiver {
public:
  RawReceiver() : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length), 0);
    port_ = ntohs(addr.sin_port);
    const timeval two_seconds{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof(two_seconds));
  }
  ~RawReceiver() { ::close(fd_); }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  Bytes receive() const {
    Bytes datagram(1 << 16);
    const ssize_t size = ::recv(fd_, datagram.data(), datagram.size(), 0);
    datagram.resize(size > 0 ? static_cast<std::size_t>(size) : 0);
    return datagram;
  }

private:
  int fd_;
  std::uint16_t port_ = 0;
};

TEST(FapiUdpTransport, SentDatagramsCarryTheDocumentedHeaderAndFragments) {
  FapiUdpConfig config;
  config.max_datagram_payload = 5;
  FapiUdpTransport sender(config);
  RawReceiver capture;
  sender.set_remote("127.0.0.1", capture.port());
  const Bytes slot_indication = {1, 0, 0x82, 0, 4, 0, 0, 0, 0x23, 0x01, 7, 0};
  ASSERT_EQ(sender.send(Bytes{0xAB}), FapiTransportStatus::ok);
  EXPECT_EQ(capture.receive(), framed(last | start, 0, 0, 1, {0xAB}));
  ASSERT_EQ(sender.send(slot_indication), FapiTransportStatus::ok); // 12 bytes: 3 fragments
  EXPECT_EQ(capture.receive(), framed(0, 0, 1, 12, {1, 0, 0x82, 0, 4}));
  EXPECT_EQ(capture.receive(), framed(0, 1, 1, 12, {0, 0, 0, 0x23, 0x01}));
  EXPECT_EQ(capture.receive(), framed(last, 2, 1, 12, {7, 0}));
  ASSERT_EQ(sender.send(Bytes{}), FapiTransportStatus::ok); // an empty unit is one datagram
  EXPECT_EQ(capture.receive(), framed(last, 0, 2, 0, {}));
}

TEST(FapiUdpTransport, LargeUnitsAreReassembled) {
  FapiUdpConfig config;
  config.max_datagram_payload = 1000;
  UdpPair link(config);
  Bytes big(200000);
  for (std::size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<std::uint8_t>(i * 13);
  }
  ASSERT_EQ(link.mac.send(big), FapiTransportStatus::ok);
  EXPECT_EQ(receive_one(link.phy), big);
  EXPECT_EQ(link.phy.counters().messages_received, 1U);
  EXPECT_EQ(link.phy.counters().dropped_out_of_sequence, 0U);
}

TEST(FapiUdpTransport, HandMadeDatagramsFollowTheDocumentedHeader) {
  FapiUdpTransport receiver;
  RawSender raw(receiver.local_port());
  raw.send(framed(last | start, 0, 7, 3, {0xA, 0xB, 0xC}));
  EXPECT_EQ(receive_one(receiver), (Bytes{0xA, 0xB, 0xC}));
  // Two fragments of unit 8.
  raw.send(framed(0, 0, 8, 5, {1, 2}));
  raw.send(framed(last, 1, 8, 5, {3, 4, 5}));
  EXPECT_EQ(receive_one(receiver), (Bytes{1, 2, 3, 4, 5}));
  EXPECT_EQ(receiver.counters().dropped_malformed, 0U);
}

TEST(FapiUdpTransport, MalformedDatagramsAreDroppedAndCounted) {
  FapiUdpTransport receiver;
  RawSender raw(receiver.local_port());
  raw.send({0xDE, 0xAD}); // shorter than the header
  Bytes bad_magic = framed(last | start, 0, 0, 1, {9});
  bad_magic[0] = 0x00;
  raw.send(bad_magic);
  Bytes bad_version = framed(last | start, 0, 0, 1, {9});
  bad_version[4] = 2;
  raw.send(bad_version);
  Bytes bad_payload = framed(last | start, 0, 0, 1, {9});
  bad_payload.push_back(0); // payload longer than announced
  raw.send(bad_payload);
  raw.send(framed(last | start, 0, 0, 5, {1, 2}));     // unit length != payload, unfragmented
  raw.send(framed(last | start, 0, 0, 1u << 30, {1})); // unit larger than max_message_size
  raw.send(framed(last | start, 0, 0, 2, {4, 2}));     // finally a good one
  EXPECT_EQ(receive_one(receiver), (Bytes{4, 2}));
  EXPECT_EQ(receiver.counters().dropped_malformed, 6U);
  EXPECT_EQ(receiver.counters().messages_received, 1U);
}

// A poll (zero timeout) reads on past datagrams that complete nothing - malformed ones, the
// fragments of a unit - to the unit behind them, instead of a timeout per datagram.
TEST(FapiUdpTransport, APollReadsPastDatagramsThatCompleteNoUnit) {
  FapiUdpTransport receiver;
  RawSender raw(receiver.local_port());
  raw.send({0xDE, 0xAD});
  raw.send(framed(last | start, 0, 0, 5, {1, 2})); // unit length != payload
  raw.send(framed(last | start, 0, 0, 2, {4, 2}));
  Bytes buffer(receiver.max_message_size());
  FapiReceiveResult polled = receiver.receive(buffer, std::chrono::microseconds(0));
  ASSERT_EQ(polled.status, FapiTransportStatus::ok); // loopback: sendto() queues at once
  EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + 2), (Bytes{4, 2}));
  EXPECT_EQ(receiver.counters().dropped_malformed, 2U);
  FapiUdpConfig config;
  config.max_datagram_payload = 1000;
  UdpPair link(config);
  ASSERT_EQ(link.mac.send(Bytes(20000, 7)), FapiTransportStatus::ok); // 20 fragments
  polled = link.phy.receive(buffer, std::chrono::microseconds(0));
  ASSERT_EQ(polled.status, FapiTransportStatus::ok);
  EXPECT_EQ(polled.size, 20000U);
  EXPECT_EQ(link.phy.counters().receive_timeouts, 0U);
  EXPECT_EQ(link.phy.receive(buffer, std::chrono::microseconds(0)).status,
            FapiTransportStatus::timeout);
  EXPECT_EQ(link.phy.counters().receive_timeouts, 1U);
}

TEST(FapiUdpTransport, OutOfSequenceDatagramsAreDroppedAndGapsCounted) {
  FapiUdpTransport receiver;
  RawSender raw(receiver.local_port());
  raw.send(framed(last | start, 0, 10, 1, {10}));
  EXPECT_EQ(receive_one(receiver), Bytes{10});
  raw.send(framed(last, 0, 10, 1, {10})); // duplicate
  raw.send(framed(last, 0, 13, 1, {13})); // 11 and 12 lost
  EXPECT_EQ(receive_one(receiver), Bytes{13});
  raw.send(framed(last, 0, 11, 1, {11}));   // late
  raw.send(framed(0, 0, 14, 4, {1, 2}));    // unit 14: fragment 0 ...
  raw.send(framed(last, 2, 14, 4, {3}));    // ... fragment 1 lost: 14 is abandoned
  raw.send(framed(last, 1, 14, 4, {3, 4})); // too late for 14
  raw.send(framed(last, 0, 15, 1, {15}));
  EXPECT_EQ(receive_one(receiver), Bytes{15});
  const FapiTransportCounters c = receiver.counters();
  EXPECT_EQ(c.dropped_out_of_sequence, 4U); // duplicate 10, late 11, fragment 2, late fragment 1
  EXPECT_EQ(c.sequence_gaps, 3U);           // 11, 12 and the abandoned 14
  EXPECT_EQ(c.messages_received, 3U);
  // A restarted sender (stream-start flag) resynchronises the receiver.
  raw.send(framed(last | start, 0, 0, 1, {0}));
  EXPECT_EQ(receive_one(receiver), Bytes{0});
}

TEST(FapiUdpTransport, NewSenderOnTheSamePeerIsAcceptedFromSequenceZero) {
  FapiUdpTransport receiver;
  FapiUdpConfig peer; // the restarted sender binds the port of the first one
  for (int generation = 0; generation < 2; ++generation) {
    FapiUdpTransport sender(peer);
    peer.local_port = sender.local_port();
    sender.set_remote("127.0.0.1", receiver.local_port());
    for (std::uint8_t i = 0; i < 3; ++i) {
      ASSERT_EQ(sender.send(Bytes{i}), FapiTransportStatus::ok);
      EXPECT_EQ(receive_one(receiver), Bytes{i});
    }
  }
  EXPECT_EQ(receiver.counters().dropped_out_of_sequence, 0U);
  EXPECT_EQ(receiver.counters().sequence_gaps, 0U);
}

TEST(FapiUdpTransport, DatagramsFromAnotherPortThanThePeerAreDroppedAndCounted) {
  UdpPair link;
  for (std::uint8_t i = 0; i < 5; ++i) {
    ASSERT_EQ(link.mac.send(Bytes{i}), FapiTransportStatus::ok);
    EXPECT_EQ(receive_one(link.phy), Bytes{i});
  }
  // Well-framed strays from another socket: far ahead, restarting, or the very next unit.
  RawSender stray(link.phy.local_port());
  stray.send(framed(last, 0, 0x40000000, 1, {0xAB}));
  stray.send(framed(last | start, 0, 0x40000000, 1, {0xAB}));
  stray.send(framed(last, 0, 5, 1, {0xAB}));
  Bytes buffer(link.phy.max_message_size());
  EXPECT_EQ(link.phy.receive(buffer, std::chrono::milliseconds(50)).status,
            FapiTransportStatus::timeout);
  for (std::uint8_t i = 5; i < 25; ++i) {
    ASSERT_EQ(link.mac.send(Bytes{i}), FapiTransportStatus::ok);
    EXPECT_EQ(receive_one(link.phy), Bytes{i});
  }
  const FapiTransportCounters c = link.phy.counters();
  EXPECT_EQ(c.dropped_foreign, 3U);
  EXPECT_EQ(c.messages_received, 25U);
  EXPECT_EQ(c.dropped_malformed + c.dropped_out_of_sequence + c.sequence_gaps, 0U);
}

TEST(FapiUdpTransport, WithoutARemoteTheFirstWellFramedSenderIsPinned) {
  FapiUdpTransport receiver;
  RawSender peer(receiver.local_port());
  RawSender stray(receiver.local_port());
  peer.send({0xDE, 0xAD}); // garbage does not pin its sender
  stray.send({0xDE, 0xAD});
  peer.send(framed(last | start, 0, 0, 1, {0}));
  EXPECT_EQ(receive_one(receiver), Bytes{0});
  stray.send(framed(last | start, 0, 0x40000000, 1, {0xAB}));
  stray.send(framed(last, 0, 0x40000001, 1, {0xAB}));
  peer.send(framed(last, 0, 1, 1, {1}));
  EXPECT_EQ(receive_one(receiver), Bytes{1});
  const FapiTransportCounters c = receiver.counters();
  EXPECT_EQ(c.dropped_foreign, 2U);
  EXPECT_EQ(c.dropped_malformed, 2U); // the two pieces of garbage
  EXPECT_EQ(c.messages_received, 2U);
  EXPECT_EQ(c.dropped_out_of_sequence + c.sequence_gaps, 0U);
}

TEST(FapiUdpTransport, WithoutARemoteSendAnswersThePinnedPeerAndRefusesBeforeOne) {
  FapiUdpTransport server;
  const Bytes unit{1, 2, 3};
  EXPECT_EQ(server.send(unit), FapiTransportStatus::error); // nobody to answer yet
  FapiUdpTransport client;
  client.set_remote("127.0.0.1", server.local_port());
  ASSERT_EQ(client.send(unit), FapiTransportStatus::ok);
  EXPECT_EQ(receive_one(server), unit);
  ASSERT_EQ(server.send(Bytes{9}), FapiTransportStatus::ok);
  EXPECT_EQ(receive_one(client), Bytes{9});
}

TEST(FapiUdpTransport, WithoutARemoteANewSendersFreshStreamTakesOverThePeer) {
  // A server's next MAC: the first one is gone (or was refused); the next one's stream starts
  // at sequence 0 with the stream-start flag, and the server answers it from a fresh stream.
  FapiUdpTransport server;
  for (int session = 0; session < 2; ++session) {
    FapiUdpTransport client;
    client.set_remote("127.0.0.1", server.local_port());
    ASSERT_EQ(client.send(Bytes{static_cast<std::uint8_t>(session)}), FapiTransportStatus::ok);
    EXPECT_EQ(receive_one(server), Bytes{static_cast<std::uint8_t>(session)});
    for (std::uint8_t unit = 0; unit < 3; ++unit) {
      ASSERT_EQ(server.send(Bytes{unit}), FapiTransportStatus::ok);
      EXPECT_EQ(receive_one(client), Bytes{unit}) << "session " << session;
    }
    EXPECT_EQ(client.counters().sequence_gaps + client.counters().dropped_malformed, 0U);
  }
  // A stray sender whose unit is not the start of a stream does not take over.
  RawSender stray(server.local_port());
  stray.send(framed(last | start, 0, 7, 1, {0xAB}));
  stray.send(framed(last, 0, 0, 1, {0xAB}));
  std::vector<std::uint8_t> buffer(64);
  EXPECT_EQ(server.receive(buffer, std::chrono::milliseconds(100)).status,
            FapiTransportStatus::timeout);
  EXPECT_EQ(server.counters().dropped_foreign, 2U);
}

TEST(FapiUdpTransport, FarAheadSequenceNumberFromThePeerIsMalformedAndTheStreamGoesOn) {
  FapiUdpTransport receiver;
  RawSender raw(receiver.local_port());
  raw.send(framed(last | start, 0, 0, 1, {0}));
  EXPECT_EQ(receive_one(receiver), Bytes{0});
  raw.send(framed(last, 0, 1U << 30, 1, {0xAB}));    // 2^30 ahead, no stream-start flag
  raw.send(framed(0, 0, 1, 3, {1}));                 // unit 1, fragment 0 ...
  raw.send(framed(last, 0, 0x80000001U, 1, {0xAB})); // 2^31 away: neither ahead nor behind
  raw.send(framed(last, 1, 1, 3, {2, 3}));           // ... fragment 1 still completes unit 1
  EXPECT_EQ(receive_one(receiver), (Bytes{1, 2, 3}));
  for (std::uint8_t i = 2; i < 22; ++i) {
    raw.send(framed(last, 0, i, 1, {i}));
    EXPECT_EQ(receive_one(receiver), Bytes{i});
  }
  const FapiTransportCounters c = receiver.counters();
  EXPECT_EQ(c.dropped_malformed, 1U);
  EXPECT_EQ(c.dropped_out_of_sequence, 1U); // 2^31 away counts as behind
  EXPECT_EQ(c.sequence_gaps, 0U);
  EXPECT_EQ(c.messages_received, 22U);
}

TEST(FapiUdpTransport, LossesBeyondTheWindowAndUnflaggedRestartsResynchroniseOnConfirmation) {
  FapiUdpTransport receiver;
  RawSender raw(receiver.local_port());
  raw.send(framed(last | start, 0, 0, 1, {0}));
  EXPECT_EQ(receive_one(receiver), Bytes{0});
  raw.send(framed(last, 0, 10, 1, {10})); // 9 lost, within the window: taken at once
  EXPECT_EQ(receive_one(receiver), Bytes{10});
  EXPECT_EQ(receiver.counters().sequence_gaps, 9U);
  raw.send(framed(last, 0, 1000, 1, {100})); // 989 lost: dropped until confirmed ...
  raw.send(framed(last, 0, 1001, 1, {101})); // ... by the next one
  EXPECT_EQ(receive_one(receiver), Bytes{101});
  EXPECT_EQ(receiver.counters().dropped_malformed, 1U);
  EXPECT_EQ(receiver.counters().sequence_gaps, 9U + 990U); // 11..999 and the dropped 1000
  // A sender restarted without its stream-start unit arriving: far behind, confirmed likewise.
  raw.send(framed(last, 0, 1, 1, {1}));
  raw.send(framed(last, 0, 2, 1, {2}));
  EXPECT_EQ(receive_one(receiver), Bytes{2});
  raw.send(framed(last, 0, 3, 1, {3}));
  EXPECT_EQ(receive_one(receiver), Bytes{3});
  const FapiTransportCounters c = receiver.counters();
  EXPECT_EQ(c.dropped_out_of_sequence, 1U);
  EXPECT_EQ(c.dropped_malformed, 1U);
  EXPECT_EQ(c.messages_received, 5U);
}

TEST(FapiUdpTransport, TimeoutsAndSizeLimits) {
  FapiUdpConfig config;
  config.max_message_size = 1000;
  UdpPair link(config);
  Bytes buffer(1000);
  const auto begin = std::chrono::steady_clock::now();
  const FapiReceiveResult result = link.phy.receive(buffer, std::chrono::milliseconds(30));
  const auto waited = std::chrono::steady_clock::now() - begin;
  EXPECT_EQ(result.status, FapiTransportStatus::timeout);
  EXPECT_GE(waited, std::chrono::milliseconds(30));
  EXPECT_LT(waited, std::chrono::seconds(2));
  EXPECT_EQ(link.phy.receive(buffer, std::chrono::microseconds(0)).status,
            FapiTransportStatus::timeout);
  EXPECT_EQ(link.phy.counters().receive_timeouts, 2U);

  EXPECT_EQ(link.mac.send(Bytes(1001)), FapiTransportStatus::too_large);
  ASSERT_EQ(link.mac.send(Bytes(600, 1)), FapiTransportStatus::ok);
  ASSERT_EQ(link.mac.send(Bytes(3, 2)), FapiTransportStatus::ok);
  Bytes small(100);
  EXPECT_EQ(link.phy.receive(small, std::chrono::seconds(2)).status,
            FapiTransportStatus::too_large);
  EXPECT_EQ(link.phy.counters().dropped_too_large, 1U);
  EXPECT_EQ(receive_one(link.phy), Bytes(3, 2)); // the next unit is unaffected

  FapiUdpTransport unconnected;
  EXPECT_EQ(unconnected.send(Bytes{1}), FapiTransportStatus::error);
  EXPECT_THROW(FapiUdpTransport(FapiUdpConfig{"not-an-address"}), FapiTransportError);
  FapiUdpConfig taken;
  taken.local_port = link.phy.local_port();
  EXPECT_THROW((FapiUdpTransport(taken)), FapiTransportError);
}

} // namespace
