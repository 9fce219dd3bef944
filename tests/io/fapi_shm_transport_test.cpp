// FAPI over POSIX shared memory: 10000 units of varied sizes each way between two threads and
// between two processes (fork), back-pressure of a full ring and an empty payload pool,
// timeouts, size limits, corrupt descriptors and producer indices, and the errors of attaching to a
// missing, foreign, other-version, wrongly sized or already used segment.
#include "airan/io/fapi_shm_transport.h"
#include "fapi_transport_test_helpers.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace {

using namespace airan::io;
using namespace airan::io::test;
using Bytes = std::vector<std::uint8_t>;

/// A segment name unique to this process and test.
std::string segment_name(const char* test) {
  return "/airan_fapi_" + std::string(test) + "_" + std::to_string(::getpid());
}

/// Sends traffic_units units, or returns the first problem.
std::string send_traffic(FapiTransport& transport) {
  TrafficGenerator generator;
  for (unsigned i = 0; i < traffic_units; ++i) {
    const FapiTransportStatus status = send_with_retry(transport, generator.unit(i));
    if (status != FapiTransportStatus::ok) {
      return "send " + std::to_string(i) + ": " + fapi_transport_status_name(status);
    }
  }
  return {};
}

TEST(FapiShmTransport, TenThousandUnitsEachWayBetweenTwoThreads) {
  const std::string name = segment_name("threads");
  auto phy = FapiShmTransport::create(name);
  auto mac = FapiShmTransport::attach(name);
  EXPECT_EQ(phy->role(), FapiShmRole::phy);
  EXPECT_EQ(mac->role(), FapiShmRole::mac);
  std::string mac_sent;
  std::string mac_received;
  std::string phy_sent;
  std::thread mac_sender([&] { mac_sent = send_traffic(*mac); });
  std::thread mac_receiver([&] { mac_received = receive_traffic(*mac, traffic_units); });
  std::thread phy_sender([&] { phy_sent = send_traffic(*phy); });
  const std::string phy_received = receive_traffic(*phy, traffic_units);
  mac_sender.join();
  mac_receiver.join();
  phy_sender.join();
  EXPECT_EQ(mac_sent, "");
  EXPECT_EQ(mac_received, "");
  EXPECT_EQ(phy_sent, "");
  EXPECT_EQ(phy_received, "");
  for (const FapiShmTransport* end : {phy.get(), mac.get()}) {
    const FapiTransportCounters c = end->counters();
    EXPECT_EQ(c.messages_sent, traffic_units);
    EXPECT_EQ(c.messages_received, traffic_units);
    EXPECT_EQ(c.dropped_malformed + c.dropped_too_large, 0U);
  }
  EXPECT_EQ(phy->counters().bytes_received, mac->counters().bytes_sent);
}

TEST(FapiShmTransport, TenThousandUnitsEachWayBetweenTwoProcesses) {
  const std::string name = segment_name("fork");
  auto phy = FapiShmTransport::create(name);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // MAC process: attach, send everything, then receive everything. No gtest here.
    int code = 0;
    try {
      auto mac = FapiShmTransport::attach(name);
      code = !send_traffic(*mac).empty()                     ? 2
             : !receive_traffic(*mac, traffic_units).empty() ? 3
                                                             : 0;
    } catch (const FapiTransportError&) {
      code = 1;
    }
    ::_exit(code);
  }
  EXPECT_EQ(receive_traffic(*phy, traffic_units), "");
  EXPECT_EQ(send_traffic(*phy), "");
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1 attach failed, 2 send failed, 3 receive failed";
  EXPECT_EQ(phy->counters().messages_received, traffic_units);
}

TEST(FapiShmTransport, FullRingAndEmptyPoolPushBack) {
  const std::string name = segment_name("pressure");
  FapiShmConfig config;
  config.ring_capacity = 4;
  config.message_slot_size = 64;
  config.payload_buffer_count = 2;
  config.payload_buffer_size = 4096;
  auto phy = FapiShmTransport::create(name, config);
  auto mac = FapiShmTransport::attach(name);
  EXPECT_EQ(mac->config().ring_capacity, 4U);
  EXPECT_EQ(mac->max_message_size(), 4096U);
  Bytes buffer(4096);
  for (std::uint8_t i = 0; i < 4; ++i) {
    ASSERT_EQ(mac->send(Bytes(10, i)), FapiTransportStatus::ok);
  }
  EXPECT_EQ(mac->send(Bytes(10, 4)), FapiTransportStatus::would_block); // ring full
  ASSERT_EQ(phy->receive(buffer, std::chrono::seconds(1)).status, FapiTransportStatus::ok);
  EXPECT_EQ(buffer[0], 0);
  ASSERT_EQ(mac->send(Bytes(10, 4)), FapiTransportStatus::ok); // room again
  for (std::uint8_t i = 1; i <= 4; ++i) {
    const FapiReceiveResult r = phy->receive(buffer, std::chrono::seconds(1));
    ASSERT_EQ(r.status, FapiTransportStatus::ok);
    EXPECT_EQ(r.size, 10U);
    EXPECT_EQ(buffer[0], i); // in order
  }
  // Large units take payload buffers: two fit, the third waits for one to come back although
  // the ring has room.
  ASSERT_EQ(mac->send(Bytes(3000, 0xA)), FapiTransportStatus::ok);
  ASSERT_EQ(mac->send(Bytes(3000, 0xB)), FapiTransportStatus::ok);
  EXPECT_EQ(mac->send(Bytes(3000, 0xC)), FapiTransportStatus::would_block);
  ASSERT_EQ(mac->send(Bytes(20, 0xD)), FapiTransportStatus::ok); // small units still pass
  ASSERT_EQ(phy->receive(buffer, std::chrono::seconds(1)).size, 3000U);
  EXPECT_EQ(buffer[2999], 0xA);
  ASSERT_EQ(mac->send(Bytes(3000, 0xC)), FapiTransportStatus::ok);
  for (std::uint8_t expected : {0xB, 0xD, 0xC}) {
    ASSERT_EQ(phy->receive(buffer, std::chrono::seconds(1)).status, FapiTransportStatus::ok);
    EXPECT_EQ(buffer[0], expected);
  }
  EXPECT_EQ(mac->counters().send_would_block, 2U);
  EXPECT_EQ(mac->send(Bytes(4097)), FapiTransportStatus::too_large);
}

TEST(FapiShmTransport, TimeoutsAndTooSmallReceiveBuffers) {
  const std::string name = segment_name("timeout");
  auto phy = FapiShmTransport::create(name);
  auto mac = FapiShmTransport::attach(name);
  Bytes buffer(100);
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(mac->receive(buffer, std::chrono::milliseconds(30)).status,
            FapiTransportStatus::timeout);
  const auto waited = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(waited, std::chrono::milliseconds(30));
  EXPECT_LT(waited, std::chrono::seconds(2));
  EXPECT_EQ(mac->receive(buffer, std::chrono::microseconds(0)).status,
            FapiTransportStatus::timeout);
  EXPECT_EQ(mac->counters().receive_timeouts, 2U);
  ASSERT_EQ(phy->send(Bytes(101, 1)), FapiTransportStatus::ok);
  ASSERT_EQ(phy->send(Bytes(5, 2)), FapiTransportStatus::ok);
  EXPECT_EQ(mac->receive(buffer, std::chrono::seconds(1)).status, FapiTransportStatus::too_large);
  const FapiReceiveResult next = mac->receive(buffer, std::chrono::seconds(1));
  EXPECT_EQ(next.status, FapiTransportStatus::ok);
  EXPECT_EQ(next.size, 5U);
  EXPECT_EQ(mac->counters().dropped_too_large, 1U);
}

/// Maps segment \p name read-write for poking at it (the layout of docs/FAPI.md).
std::uint8_t* map_raw(const std::string& name, std::size_t size) {
  const int fd = ::shm_open(name.c_str(), O_RDWR, 0);
  EXPECT_GE(fd, 0);
  void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  return static_cast<std::uint8_t*>(memory);
}

TEST(FapiShmTransport, CorruptDescriptorsAreDroppedNotFollowed) {
  const std::string name = segment_name("corrupt");
  auto phy = FapiShmTransport::create(name);
  auto mac = FapiShmTransport::attach(name);
  ASSERT_EQ(phy->send(Bytes(8, 1)), FapiTransportStatus::ok);
  ASSERT_EQ(phy->send(Bytes(8, 2)), FapiTransportStatus::ok);
  std::uint8_t* raw = map_raw(name, phy->segment_size());
  std::uint64_t direction0 = 0; // header offset 40: direction_offset[0] (PHY -> MAC)
  std::memcpy(&direction0, raw + 40, sizeof(direction0));
  // Descriptor 0 sits after the four 64-byte index lines: length 0xFFFFFFF0 in its slot.
  const std::uint32_t huge = 0xFFFFFFF0;
  std::memcpy(raw + direction0 + 256, &huge, sizeof(huge));
  Bytes buffer(mac->max_message_size());
  const FapiReceiveResult r = mac->receive(buffer, std::chrono::seconds(1));
  ASSERT_EQ(r.status, FapiTransportStatus::ok);
  EXPECT_EQ(buffer[0], 2); // the corrupt one was skipped
  EXPECT_EQ(mac->counters().dropped_malformed, 1U);
  // A poll (zero timeout) skips a corrupt descriptor too and returns the unit behind it, not a
  // timeout that leaves it for the next poll.
  ASSERT_EQ(phy->send(Bytes(8, 3)), FapiTransportStatus::ok);
  ASSERT_EQ(phy->send(Bytes(8, 4)), FapiTransportStatus::ok);
  std::memcpy(raw + direction0 + 256 + 2 * std::size_t{8}, &huge, sizeof(huge)); // descriptor 2
  const FapiReceiveResult polled = mac->receive(buffer, std::chrono::microseconds(0));
  ASSERT_EQ(polled.status, FapiTransportStatus::ok);
  EXPECT_EQ(buffer[0], 4);
  EXPECT_EQ(mac->counters().dropped_malformed, 2U);
  EXPECT_EQ(mac->counters().receive_timeouts, 0U);
  ::munmap(raw, phy->segment_size());
}

// A peer that rewinds (or overwrites) its producer head: the consumer neither replays the
// descriptors between nor loops on them; it skips to that head, counts it malformed once, and
// the units sent after it arrive. discard_received() returns too.
TEST(FapiShmTransport, AProducerHeadOutsideOneRingIsSkippedTo) {
  const std::string name = segment_name("head");
  auto phy = FapiShmTransport::create(name, FapiShmConfig{8, 64, 0, 0});
  auto mac = FapiShmTransport::attach(name);
  Bytes buffer(phy->max_message_size());
  for (std::uint8_t i = 0; i < 3; ++i) {
    ASSERT_EQ(mac->send(Bytes(8, i)), FapiTransportStatus::ok);
    ASSERT_EQ(phy->receive(buffer, std::chrono::microseconds(0)).status, FapiTransportStatus::ok);
  }
  std::uint8_t* raw = map_raw(name, phy->segment_size());
  std::uint64_t direction1 = 0; // header offset 48: direction_offset[1] (MAC -> PHY)
  std::memcpy(&direction1, raw + 48, sizeof(direction1));
  const std::uint64_t rewound = 0; // head at offset 0 of the direction; the PHY's tail is 3
  std::memcpy(raw + direction1, &rewound, sizeof(rewound));
  EXPECT_EQ(phy->receive(buffer, std::chrono::microseconds(0)).status,
            FapiTransportStatus::timeout);
  EXPECT_EQ(phy->counters().dropped_malformed, 1U);
  EXPECT_EQ(phy->counters().messages_received, 3U);
  const std::uint64_t garbage = 1000; // then a head far ahead: skipped to as well, not read
  std::memcpy(raw + direction1, &garbage, sizeof(garbage));
  EXPECT_EQ(phy->discard_received(), 1U);
  EXPECT_EQ(phy->counters().dropped_malformed, 1U); // discard counts it stale, not malformed
  EXPECT_EQ(phy->receive(buffer, std::chrono::microseconds(0)).status,
            FapiTransportStatus::timeout);
  ::munmap(raw, phy->segment_size());
}

void expect_attach_error(const std::string& name, const std::string& fragment) {
  try {
    auto mac = FapiShmTransport::attach(name);
    ADD_FAILURE() << "attach succeeded; expected an error containing '" << fragment << "'";
  } catch (const FapiTransportError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

// attach() takes the directions' offsets only where create() puts them: a header whose first
// offset is 0 (the rings on top of the header) or anything else is a size mismatch, not a
// pointer followed.
TEST(FapiShmTransport, AttachRefusesDirectionOffsetsCreateNeverWrites) {
  const std::string name = segment_name("offsets");
  auto phy = FapiShmTransport::create(name);
  std::uint8_t* raw = map_raw(name, phy->segment_size());
  std::uint64_t offsets[2] = {};
  std::memcpy(offsets, raw + 40, sizeof(offsets));
  const std::uint64_t direction = offsets[1] - offsets[0];
  for (const std::uint64_t first : {std::uint64_t{0}, offsets[0] + 64, ~std::uint64_t{0} - 63}) {
    const std::uint64_t changed[2] = {first, first + direction};
    std::memcpy(raw + 40, changed, sizeof(changed));
    expect_attach_error(name, "size mismatch");
  }
  std::memcpy(raw + 40, offsets, sizeof(offsets));
  EXPECT_NO_THROW(FapiShmTransport::attach(name));
  ::munmap(raw, phy->segment_size());
}

TEST(FapiShmTransport, AttachErrorsAreClear) {
  const std::string name = segment_name("errors");
  expect_attach_error(name, "does not exist");

  // A foreign segment, then one too small for a header.
  int fd = ::shm_open(name.c_str(), O_CREAT | O_RDWR, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 4096), 0);
  ::close(fd);
  expect_attach_error(name, "not an airan FAPI segment");
  fd = ::shm_open(name.c_str(), O_RDWR, 0);
  ASSERT_EQ(::ftruncate(fd, 16), 0);
  ::close(fd);
  expect_attach_error(name, "smaller than its header");
  ::shm_unlink(name.c_str());

  auto phy = FapiShmTransport::create(name);
  {
    auto first = FapiShmTransport::attach(name);
    expect_attach_error(name, "already has a MAC attached");
    // The refused attach must not have released the first MAC's claim on its way out.
    expect_attach_error(name, "already has a MAC attached");
  }
  EXPECT_NO_THROW(FapiShmTransport::attach(name)); // the first MAC detached

  std::uint8_t* raw = map_raw(name, phy->segment_size());
  std::uint32_t version = 0; // header offset 8
  std::memcpy(&version, raw + 8, sizeof(version));
  const std::uint32_t other = version + 1;
  std::memcpy(raw + 8, &other, sizeof(other));
  expect_attach_error(name, "layout version");
  std::memcpy(raw + 8, &version, sizeof(version));
  ::munmap(raw, phy->segment_size());
  fd = ::shm_open(name.c_str(), O_RDWR, 0);
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(phy->segment_size() + 4096)), 0);
  ::close(fd);
  expect_attach_error(name, "size mismatch");

  EXPECT_THROW(FapiShmTransport::create(name, FapiShmConfig{3, 64, 0, 0}), FapiTransportError);
}

TEST(FapiShmTransport, CreatorUnlinksTheSegment) {
  const std::string name = segment_name("unlink");
  { auto phy = FapiShmTransport::create(name); }
  expect_attach_error(name, "does not exist");
}

TEST(FapiShmTransport, ASecondPhyCannotTakeALivePhysSegment) {
  // A second PHY on the name refused while the first serves it (it unlinked the first's
  // segment and started, and the first one's exit then unlinked the second's): MACs reach the
  // first one still.
  const std::string name = segment_name("twophys");
  auto first = FapiShmTransport::create(name);
  try {
    auto second = FapiShmTransport::create(name);
    ADD_FAILURE() << "a second PHY created a served segment";
  } catch (const FapiTransportError& e) {
    EXPECT_NE(std::string(e.what()).find("a running PHY serves this segment"), std::string::npos)
        << e.what();
  }
  { auto mac = FapiShmTransport::attach(name); }
  first.reset();
  expect_attach_error(name, "does not exist");

  // A segment no PHY serves (left by one that died) is replaced.
  int fd = ::shm_open(name.c_str(), O_CREAT | O_RDWR, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 4096), 0);
  ::close(fd);
  auto replacing = FapiShmTransport::create(name);
  EXPECT_NO_THROW(FapiShmTransport::attach(name));
  replacing.reset();
  expect_attach_error(name, "does not exist");
}

} // namespace
