// DPDK EAL and port on the net_pcap PMD: frames and capture times of a pcap come through burst
// receive unchanged, transmitted frames land in a TX capture, counters add up. The EAL runs once
// per process, so every vdev is declared up front by the environment below.
#include "airan/io/dpdk_eal.h"
#include "airan/io/dpdk_port.h"
#include "airan/io/pcap_file.h"

#include "../support/dpdk_pcap_environment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

namespace airan::io {
namespace {

struct CapturedFrame {
  std::vector<std::uint8_t> bytes;
  std::uint64_t timestamp_ns = 0;
};

/// Frames of assorted lengths (60 .. 9000 bytes, a jumbo one among them) with distinct times.
std::vector<CapturedFrame> make_frames() {
  std::mt19937 rng(7);
  std::vector<CapturedFrame> frames;
  for (std::size_t i = 0; i < 300; ++i) {
    const std::size_t length = i == 17 ? 9000 : 60 + rng() % 1400;
    CapturedFrame frame;
    frame.bytes.resize(length);
    for (auto& byte : frame.bytes) {
      byte = static_cast<std::uint8_t>(rng());
    }
    frame.timestamp_ns = 1'700'000'000'000'000'000ULL + i * 35'677'000ULL; // whole microseconds
    frames.push_back(std::move(frame));
  }
  return frames;
}

const std::vector<CapturedFrame>& input_frames() {
  static const auto frames = make_frames();
  return frames;
}

auto& environment = airan::test::add_dpdk_pcap_environment(
    new airan::test::DpdkPcapEnvironment("dpdk_port_test", [](const std::filesystem::path& dir) {
      PcapWriter writer(dir / "in.pcap");
      for (const auto& frame : input_frames()) {
        writer.write(frame.bytes, frame.timestamp_ns);
      }
      const auto in = (dir / "in.pcap").string();
      return std::vector<std::string>{
          "net_pcap0,rx_pcap=" + in,
          "net_pcap1,rx_pcap=" + in + ",tx_pcap=" + (dir / "out.pcap").string(),
          "net_pcap2,rx_pcap=" + in,
          "net_pcap3,rx_pcap=" + in + ",tx_pcap=" + (dir / "out_vlan.pcap").string(),
          "net_null0",
          "net_ring0"};
    }));

class CollectingSink : public DpdkFrameSink {
public:
  void on_frame(std::span<const std::uint8_t> frame, std::int64_t arrival_ns) override {
    frames.push_back({{frame.begin(), frame.end()}, static_cast<std::uint64_t>(arrival_ns)});
  }
  std::vector<CapturedFrame> frames;
};

void require_eal() {
  if (!environment.eal_error().empty()) {
    FAIL() << "EAL did not start: " << environment.eal_error();
  }
}

TEST(DpdkEalArguments, FollowTheConfiguration) {
  DpdkEalConfig config;
  config.core_list = "2-3";
  config.memory_mb = 512;
  config.vdevs = {"net_pcap0,rx_pcap=a.pcap"};
  config.file_prefix = "x";
  const auto args = dpdk_eal_arguments(config);
  const std::vector<std::string> expected{"airan",
                                          "-l",
                                          "2-3",
                                          "-m",
                                          "512",
                                          "--no-huge",
                                          "--no-shconf",
                                          "--no-pci",
                                          "--vdev",
                                          "net_pcap0,rx_pcap=a.pcap",
                                          "--file-prefix=x",
                                          "--log-level=error",
                                          "--no-telemetry"};
  EXPECT_EQ(args, expected);

  config.pci_allow = {"0000:3b:00.0"};
  config.no_huge = false;
  config.in_memory = true;
  const auto pci_args = dpdk_eal_arguments(config);
  EXPECT_EQ(std::count(pci_args.begin(), pci_args.end(), "--no-pci"), 0);
  EXPECT_EQ(std::count(pci_args.begin(), pci_args.end(), "--in-memory"), 1);
  EXPECT_EQ(std::count(pci_args.begin(), pci_args.end(), "0000:3b:00.0"), 1);
}

TEST(DpdkEalArguments, RejectInvalidConfigurations) {
  DpdkEalConfig config;
  config.in_memory = true; // with no_huge
  EXPECT_THROW(dpdk_eal_arguments(config), DpdkError);
  config = {};
  config.core_list = "zero";
  EXPECT_THROW(dpdk_eal_arguments(config), DpdkError);
  config = {};
  config.vdevs = {"net pcap"};
  EXPECT_THROW(dpdk_eal_arguments(config), DpdkError);
}

TEST(DpdkEal, SecondInitializationMustMatch) {
  require_eal();
  DpdkEalConfig other;
  other.core_list = "1";
  EXPECT_THROW(DpdkEal::initialize(other), DpdkError);
  EXPECT_GE(DpdkEal::initialize(DpdkEal::instance().config()).num_ports(), 2U)
      << DpdkEal::version();
}

TEST(DpdkPort, UnknownDeviceIsAClearError) {
  require_eal();
  DpdkPortConfig config;
  config.device = "net_pcap9";
  try {
    DpdkPort port(config);
    FAIL() << "expected DpdkError";
  } catch (const DpdkError& error) {
    EXPECT_NE(std::string(error.what()).find("net_pcap9"), std::string::npos) << error.what();
  }
}

TEST(DpdkPort, PcapReplayDeliversEveryFrameWithItsCaptureTime) {
  require_eal();
  DpdkPortConfig config;
  config.device = "net_pcap0";
  config.tx_ring_size = 0;
  DpdkPort port(config);
  CollectingSink sink;
  // net_pcap returns 0 once the file is exhausted; poll a while past that.
  for (int idle = 0; idle < 1000;) {
    idle = port.receive_burst(sink) == 0 ? idle + 1 : 0;
  }
  const auto& expected = input_frames();
  ASSERT_EQ(sink.frames.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(sink.frames[i].bytes, expected[i].bytes) << "frame " << i;
    EXPECT_EQ(sink.frames[i].timestamp_ns, expected[i].timestamp_ns) << "frame " << i;
  }
  const auto stats = port.stats();
  EXPECT_EQ(stats.rx_packets, expected.size());
  EXPECT_EQ(stats.rx_missed + stats.rx_errors + stats.rx_oversize, 0U);
  EXPECT_EQ(stats.rx_segmented, 0U); // the 9000-byte frame fits the jumbo data room
}

TEST(DpdkPort, TransmittedFramesReachTheTxCapture) {
  require_eal();
  DpdkPortConfig config;
  config.device = "net_pcap1";
  config.burst_size = 8;
  {
    DpdkPort port(config);
    const auto& frames = input_frames();
    for (std::size_t i = 0; i < 100; ++i) {
      ASSERT_TRUE(port.transmit(frames[i].bytes));
    }
    port.flush_transmit();
    const auto stats = port.stats();
    EXPECT_EQ(stats.tx_packets, 100U);
    EXPECT_EQ(stats.tx_dropped, 0U);
    std::vector<std::uint8_t> too_long(70000);
    EXPECT_FALSE(port.transmit(too_long));
    EXPECT_EQ(port.stats().tx_dropped, 1U);
  }
  // The pcap PMD flushes its dumper per burst; read the capture back.
  PcapReader reader(environment.dir() / "out.pcap");
  PcapRecord record;
  std::size_t count = 0;
  while (reader.next(record)) {
    ASSERT_LT(count, 100U);
    EXPECT_TRUE(std::equal(record.data.begin(), record.data.end(),
                           input_frames()[count].bytes.begin(), input_frames()[count].bytes.end()))
        << "frame " << count;
    ++count;
  }
  EXPECT_EQ(count, 100U);
}

class ThrowingSink : public DpdkFrameSink {
public:
  void on_frame(std::span<const std::uint8_t> /*frame*/, std::int64_t /*arrival_ns*/) override {
    throw std::runtime_error("sink failed");
  }
};

TEST(DpdkPort, ASinkThatThrowsLeavesNoMbufBehind) {
  require_eal();
  DpdkPortConfig config;
  config.device = "net_pcap2";
  config.tx_ring_size = 0;
  config.num_mbufs = 2047;
  DpdkPort port(config);
  ThrowingSink sink;
  EXPECT_THROW(port.receive_burst(sink), std::runtime_error);
  EXPECT_EQ(port.free_mbufs(), config.num_mbufs); // net_pcap keeps none between bursts
}

TEST(DpdkPort, MtuIsSetOnThePort) {
  require_eal();
  DpdkPortConfig config;
  config.device = "net_null0";
  config.num_mbufs = 4095;
  config.mtu = 9000;
  const DpdkPort port(config);
  EXPECT_EQ(port.mtu(), 9000U); // DPDK's default, 1500, without rxmode.mtu
}

// A device that leaves max_mtu and max_rx_pktlen at DPDK's defaults (af_packet, tap, af_xdp)
// does not say its limit: such a port gets no MTU above 1500 instead of a refusal (its frame
// buffers carried jumbo frames before ports had an MTU). Others: as rte_eth_dev_configure().
TEST(DpdkPortMtu, ADeviceAtTheDefaultLimitsHasNoKnownLargestMtu) {
  constexpr std::uint16_t unset = UINT16_MAX;
  EXPECT_FALSE(dpdk_largest_mtu(unset, 1518).has_value());
  EXPECT_EQ(dpdk_largest_mtu(unset, 9618), 9600U);
  EXPECT_EQ(dpdk_largest_mtu(9000, 9022), 9000U); // an overhead of 22: a VLAN tag and the CRC
  EXPECT_EQ(dpdk_largest_mtu(1500, 1518), 1500U); // a NIC that says 1500 is held to it
}

TEST(DpdkPort, FullSizeVlanFrameIsTransmitted) {
  require_eal();
  DpdkPortConfig config;
  config.device = "net_pcap3";
  config.num_mbufs = 4095;
  config.mtu = config.mbuf_data_size - dpdk_mbuf_headroom - dpdk_frame_overhead; // 9198
  std::vector<std::uint8_t> frame(config.mtu + dpdk_frame_overhead);
  for (std::size_t i = 0; i < frame.size(); ++i) {
    frame[i] = static_cast<std::uint8_t>(i * 7);
  }
  frame[12] = 0x81; // 802.1Q tag, then eCPRI
  frame[13] = 0x00;
  frame[16] = 0xAE;
  frame[17] = 0xFE;
  {
    DpdkPort port(config);
    EXPECT_EQ(port.mtu(), config.mtu);
    ASSERT_TRUE(port.transmit(frame));
    EXPECT_EQ(port.flush_transmit(), 0U);
    EXPECT_EQ(port.stats().tx_packets, 1U);
  }
  PcapReader reader(environment.dir() / "out_vlan.pcap");
  PcapRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_TRUE(std::equal(record.data.begin(), record.data.end(), frame.begin(), frame.end()));
  EXPECT_FALSE(reader.next(record));
}

TEST(DpdkPort, AcceptedMacsAreAddedWithoutPromiscuousMode) {
  // A vdev filters nothing and keeps one address: this checks the set-up path only (a refused
  // filter, the error, needs a NIC).
  require_eal();
  DpdkPortConfig config;
  config.device = "net_ring0";
  config.num_mbufs = 4095;
  config.promiscuous = false;
  config.accepted_macs = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
  const DpdkPort port(config);
  EXPECT_FALSE(port.promiscuous_enabled());
}

} // namespace
} // namespace airan::io
