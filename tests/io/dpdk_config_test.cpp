// The `dpdk:` section of a scenario YAML: defaults, every key, and errors that name the key.
#include "airan/io/dpdk_config.h"
#include "airan/io/pusch_config_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace airan::io {
namespace {

std::string error_of(const std::string& yaml) {
  try {
    parse_dpdk_config(yaml, "test.yaml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

TEST(DpdkConfig, DefaultsWhenTheSectionIsAbsent) {
  const auto config = parse_dpdk_config("cell: {num_prbs: 24}\n", "test.yaml");
  EXPECT_EQ(config.eal.core_list, "0");
  EXPECT_TRUE(config.eal.no_huge);
  EXPECT_TRUE(config.eal.vdevs.empty());
  EXPECT_EQ(config.port.num_queues, 1U);
  EXPECT_EQ(config.port.burst_size, 32U);
  EXPECT_EQ(config.port.interrupt_turn_us, 1000U); // memif bursts hold the interrupt thread
}

TEST(DpdkConfig, ReadsEveryKey) {
  const auto config = parse_dpdk_config(R"(
dpdk:
  cores: "2-3"
  no_huge: false
  in_memory: true
  memory_mb: 1024
  pci: ["0000:3b:00.0", "0000:3b:00.1"]
  vdevs: net_af_packet0,iface=veth1
  file_prefix: du
  log_level: info
  port:
    device: "0000:3b:00.0"
    queues: 1
    rx_ring_size: 2048
    tx_ring_size: 0
    num_mbufs: 16383
    burst_size: 64
    mbuf_cache_size: 128
    mbuf_data_size: 9746
    mtu: 9600
    promiscuous: false
    rx_timestamps: false
    interrupt_turn_us: 250
)",
                                        "test.yaml");
  EXPECT_EQ(config.eal.core_list, "2-3");
  EXPECT_FALSE(config.eal.no_huge);
  EXPECT_TRUE(config.eal.in_memory);
  EXPECT_EQ(config.eal.memory_mb, 1024U);
  EXPECT_EQ(config.eal.pci_allow, (std::vector<std::string>{"0000:3b:00.0", "0000:3b:00.1"}));
  EXPECT_EQ(config.eal.vdevs, (std::vector<std::string>{"net_af_packet0,iface=veth1"}));
  EXPECT_EQ(config.eal.file_prefix, "du");
  EXPECT_EQ(config.eal.log_level, "info");
  EXPECT_EQ(config.port.device, "0000:3b:00.0");
  EXPECT_EQ(config.port.num_queues, 1U);
  EXPECT_EQ(config.port.mbuf_cache_size, 128U);
  EXPECT_EQ(config.port.mbuf_data_size, 9746U);
  EXPECT_EQ(config.port.mtu, 9600U);
  EXPECT_EQ(config.port.rx_ring_size, 2048U);
  EXPECT_EQ(config.port.tx_ring_size, 0U);
  EXPECT_EQ(config.port.num_mbufs, 16383U);
  EXPECT_EQ(config.port.burst_size, 64U);
  EXPECT_FALSE(config.port.promiscuous);
  EXPECT_FALSE(config.port.use_rx_timestamps);
  EXPECT_EQ(config.port.interrupt_turn_us, 250U);
  const auto args = dpdk_eal_arguments(config.eal);
  EXPECT_EQ(std::count(args.begin(), args.end(), "--no-pci"), 0);
  EXPECT_EQ(std::count(args.begin(), args.end(), "--in-memory"), 1);
}

TEST(DpdkConfig, ErrorsNameTheKey) {
  EXPECT_NE(error_of("dpdk: {cores: \"a-b\"}").find("core_list"), std::string::npos);
  EXPECT_NE(error_of("dpdk: {memory: 5}").find("dpdk: unknown key 'memory'"), std::string::npos)
      << error_of("dpdk: {memory: 5}");
  EXPECT_NE(error_of("dpdk: {port: {queues: 0}}").find("dpdk.port"), std::string::npos);
  EXPECT_NE(error_of("dpdk: {port: {burst_size: -1}}").find("dpdk.port.burst_size"),
            std::string::npos);
  EXPECT_NE(error_of("dpdk: {no_huge: true, in_memory: true}").find("in_memory"),
            std::string::npos);
  EXPECT_NE(error_of("dpdk: {vdevs: [[1]]}").find("dpdk.vdevs[0]"), std::string::npos);
  EXPECT_NE(error_of("dpdk: [1, 2]").find("dpdk"), std::string::npos);
  EXPECT_NE(error_of("dpdk: {port: {num_mbufs: 100}}").find("num_mbufs"), std::string::npos);
  EXPECT_NE(error_of("dpdk: {port: {interrupt_turn_us: 2000000}}").find("interrupt_turn_us"),
            std::string::npos);
  EXPECT_NE(error_of("{{{").find("not valid YAML"), std::string::npos);
}

TEST(DpdkConfig, AKeyTwiceIsRefused) {
  // yaml-cpp keeps both values and a lookup takes one: the section's own reader refuses the
  // pair as the scenario reader does.
  const auto inner = error_of("dpdk:\n  cores: \"1\"\n  cores: \"2\"\n");
  EXPECT_NE(inner.find("cores"), std::string::npos) << inner;
  EXPECT_NE(inner.find("duplicate key"), std::string::npos) << inner;
  const auto port = error_of("dpdk: {port: {burst_size: 8, burst_size: 16}}");
  EXPECT_NE(port.find("burst_size"), std::string::npos) << port;
  EXPECT_NE(error_of("dpdk: {}\ndpdk: {cores: \"3\"}\n"), "no error");
}

TEST(DpdkConfig, NoHugeIsRefusedWithAPciNic) {
  // no_huge is the default: a NIC needs hugepages for its DMA.
  const auto error = error_of("dpdk: {pci: [\"0000:3b:00.0\"]}");
  EXPECT_NE(error.find("no_huge cannot be used with a PCI NIC"), std::string::npos) << error;
  EXPECT_EQ(error_of("dpdk: {pci: [\"0000:3b:00.0\"], no_huge: false}"), "no error");
  DpdkEalConfig eal;
  eal.pci_allow = {"0000:3b:00.0"};
  EXPECT_THROW(dpdk_eal_arguments(eal), DpdkError);
}

TEST(DpdkConfig, OnePortQueue) {
  const auto error = error_of("dpdk: {port: {queues: 2}}");
  EXPECT_NE(error.find("dpdk.port"), std::string::npos) << error;
  EXPECT_NE(error.find("num_queues must be 1"), std::string::npos) << error;
}

TEST(DpdkPortConfig, PoolCoversRingsBurstsAndCaches) {
  DpdkPortConfig config; // rx 1024 + tx 1024 + 2 x 32 + 1.5 x 256 = 2496
  config.num_mbufs = 2495;
  EXPECT_NE(config.validate().find("at least 2496"), std::string::npos) << config.validate();
  config.num_mbufs = 2496;
  EXPECT_EQ(config.validate(), "");
  config.tx_ring_size = 0; // no TX ring: 1472
  config.num_mbufs = 1471;
  EXPECT_NE(config.validate().find("at least 1472"), std::string::npos) << config.validate();

  // rte_mempool's own rule, which DPDK reports as a bare "Invalid argument".
  config = {};
  config.rx_ring_size = 32;
  config.tx_ring_size = 0;
  config.burst_size = 8;
  config.num_mbufs = 300;
  EXPECT_NE(config.validate().find("1.5 x mbuf_cache_size"), std::string::npos)
      << config.validate();
  config.mbuf_cache_size = 128; // 32 + 16 + 192 mbufs
  EXPECT_EQ(config.validate(), "");
  // A burst some drivers' vector receive paths take nothing with (DPDK: divisible by 8).
  for (const unsigned burst : {1U, 4U, 12U, 520U}) {
    config.burst_size = burst;
    EXPECT_NE(config.validate().find("burst_size must be a multiple of 8"), std::string::npos)
        << burst;
  }
  config = {};
  config.mbuf_cache_size = 513;
  EXPECT_NE(config.validate().find("mbuf_cache_size must be at most 512"), std::string::npos);
}

TEST(DpdkPortConfig, MtuFitsOneMbufWithEthernetHeaderAndVlanTag) {
  DpdkPortConfig config; // data room 9344: 9216 bytes past the headroom
  config.mtu = 9198;
  EXPECT_EQ(config.validate(), "");
  config.mtu = 9199;
  EXPECT_NE(config.validate().find("must be 68 .. 9198"), std::string::npos) << config.validate();
  config.mtu = 9600; // fronthaul.max_frame_size's own limit
  EXPECT_NE(config.validate().find("fronthaul.max_frame_size"), std::string::npos);
  config.mtu = 4294967200U; // wrapped the unsigned sum to 50, under the limit
  EXPECT_NE(config.validate().find("must be 68 .. 9198"), std::string::npos) << config.validate();
  EXPECT_NE(error_of("dpdk: {port: {mtu: 65536}}").find("larger than 65535"), std::string::npos);
  config.mtu = 9600;
  config.mbuf_data_size = 9600 + 18 + 128;
  EXPECT_EQ(config.validate(), "");
  const auto error = error_of("dpdk: {port: {mtu: 9600}}");
  EXPECT_NE(error.find("dpdk.port"), std::string::npos) << error;
  EXPECT_NE(error.find("mbuf_data_size"), std::string::npos) << error;
}

TEST(DpdkConfig, LoadNamesAMissingFile) {
  try {
    load_dpdk_config("/nonexistent/x.yaml");
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/x.yaml"), std::string::npos);
  }
}

} // namespace
} // namespace airan::io
