/// \file
/// \brief DPDK configuration without DPDK: validation, EAL arguments and the `dpdk:` YAML section.
#include "airan/io/dpdk_config.h"

#include "airan/io/yaml_fields.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace airan::io {

std::string DpdkEalConfig::validate() const {
  if (core_list.empty()) {
    return "dpdk core_list is empty";
  }
  if (core_list.find_first_not_of("0123456789,-") != std::string::npos) {
    return "dpdk core_list '" + core_list + "' is not a list of core numbers and ranges";
  }
  if (no_huge && in_memory) {
    return "dpdk no_huge and in_memory cannot both be set (DPDK refuses the pair)";
  }
  if (no_huge && !pci_allow.empty()) {
    return "dpdk no_huge cannot be used with a PCI NIC (pci: " + pci_allow.front() +
           "): without hugepages a NIC bound to igb_uio or vfio-noiommu has no physical "
           "addresses to DMA to; set no_huge: false on a machine with hugepages mounted";
  }
  if (no_huge && memory_mb == 0) {
    return "dpdk memory_mb must be set with no_huge";
  }
  for (const auto& vdev : vdevs) {
    if (vdev.empty() || vdev.find(' ') != std::string::npos) {
      return "dpdk vdev '" + vdev + "' is empty or contains a space";
    }
  }
  return {};
}

std::vector<std::string> dpdk_eal_arguments(const DpdkEalConfig& config) {
  if (const auto error = config.validate(); !error.empty()) {
    throw DpdkError(error);
  }
  std::vector<std::string> args{"airan", "-l", config.core_list};
  if (config.memory_mb > 0) {
    args.insert(args.end(), {"-m", std::to_string(config.memory_mb)});
  }
  if (config.no_huge) {
    args.insert(args.end(), {"--no-huge", "--no-shconf"});
  }
  if (config.in_memory) {
    args.emplace_back("--in-memory");
  }
  if (config.pci_allow.empty() && config.no_pci) {
    args.emplace_back("--no-pci");
  }
  for (const auto& pci : config.pci_allow) {
    args.insert(args.end(), {"-a", pci});
  }
  for (const auto& vdev : config.vdevs) {
    args.insert(args.end(), {"--vdev", vdev});
  }
  args.emplace_back("--file-prefix=" + (config.file_prefix.empty()
                                            ? "airan-" + std::to_string(::getpid())
                                            : config.file_prefix));
  args.emplace_back("--log-level=" + config.log_level);
  // No telemetry socket in the runtime directory (nothing here reads it; a killed process left
  // it behind).
  args.emplace_back("--no-telemetry");
  args.insert(args.end(), config.extra_args.begin(), config.extra_args.end());
  return args;
}

namespace {

/// Mbufs the port can hold at once: its rings full, a burst in hand and one pending for
/// transmission per queue, and each polling lcore's pool cache at its flush threshold.
std::uint64_t mbufs_needed(const DpdkPortConfig& port) {
  const std::uint64_t queues = port.num_queues;
  const std::uint64_t cache_threshold = port.mbuf_cache_size * 3ULL / 2; // rte_mempool's rule
  return queues *
         (port.rx_ring_size + port.tx_ring_size + 2ULL * port.burst_size + cache_threshold);
}

} // namespace

std::string DpdkPortConfig::validate() const {
  if (num_queues != 1) {
    return "dpdk port num_queues must be 1 (a port's burst buffers serve one polling thread and "
           "no RSS spreads frames over queues); " +
           std::to_string(num_queues) + " asked";
  }
  if (rx_ring_size < 32 || rx_ring_size > 16384) {
    return "dpdk port rx_ring_size must be 32 .. 16384";
  }
  if (tx_ring_size > 16384) {
    return "dpdk port tx_ring_size must be at most 16384";
  }
  // rte_eth_rx_burst(): some drivers' vector paths need a count divisible by 4 or 8 (and return
  // nothing otherwise); a multiple of 8 works with any driver.
  if (burst_size == 0 || burst_size % 8 != 0 || burst_size > 512) {
    return "dpdk port burst_size must be a multiple of 8 in 8 .. 512 (DPDK's vector receive "
           "paths need it)";
  }
  if (mbuf_cache_size > 512) {
    return "dpdk port mbuf_cache_size must be at most 512 (RTE_MEMPOOL_CACHE_MAX_SIZE)";
  }
  if (mbuf_cache_size * 3ULL / 2 > num_mbufs) {
    return "dpdk port num_mbufs (" + std::to_string(num_mbufs) + ") must be at least 1.5 x " +
           "mbuf_cache_size (" + std::to_string(mbuf_cache_size) +
           "), DPDK's rule for a pool's per-lcore cache";
  }
  if (const auto needed = mbufs_needed(*this); num_mbufs < needed) {
    return "dpdk port num_mbufs (" + std::to_string(num_mbufs) + ") must be at least " +
           std::to_string(needed) +
           " = num_queues x (rx_ring_size + tx_ring_size + 2 x burst_size + 1.5 x "
           "mbuf_cache_size): full rings, a burst received and one pending for transmission, "
           "and a polling lcore's cache";
  }
  if (mbuf_data_size < 2048 || mbuf_data_size > 65535) {
    return "dpdk port mbuf_data_size must be 2048 .. 65535";
  }
  // Summed in 64 bits: an mtu near 2^32 wrapped the unsigned sum below the limit.
  if (mtu != 0 && (mtu < 68 || std::uint64_t{mtu} + dpdk_frame_overhead + dpdk_mbuf_headroom >
                                   mbuf_data_size)) {
    return "dpdk port mtu " + std::to_string(mtu) + " (fronthaul.max_frame_size where the " +
           "fronthaul sets it) must be 68 .. " +
           std::to_string(mbuf_data_size - dpdk_frame_overhead - dpdk_mbuf_headroom) +
           ": a frame with its Ethernet header and VLAN tag must fit one mbuf (mbuf_data_size " +
           std::to_string(mbuf_data_size) + " less " + std::to_string(dpdk_mbuf_headroom) +
           " bytes of headroom)";
  }
  if (interrupt_turn_us > 1'000'000) {
    return "dpdk port interrupt_turn_us must be 0 (not held) .. 1000000";
  }
  return {};
}

namespace {

using namespace yaml_fields;

DpdkPortConfig parse_port(const YAML::Node& node, const std::string& where, const Context& ctx) {
  DpdkPortConfig port;
  const std::map<std::string, KeyHandler> handlers = {
      {"device", [&](auto& n, auto& w) { port.device = read_word(n, w, ctx); }},
      {"queues", [&](auto& n, auto& w) { port.num_queues = read_unsigned<unsigned>(n, w, ctx); }},
      {"rx_ring_size",
       [&](auto& n, auto& w) { port.rx_ring_size = read_unsigned<unsigned>(n, w, ctx); }},
      {"tx_ring_size",
       [&](auto& n, auto& w) { port.tx_ring_size = read_unsigned<unsigned>(n, w, ctx); }},
      {"num_mbufs", [&](auto& n, auto& w) { port.num_mbufs = read_unsigned<unsigned>(n, w, ctx); }},
      {"burst_size",
       [&](auto& n, auto& w) { port.burst_size = read_unsigned<unsigned>(n, w, ctx); }},
      {"mbuf_cache_size",
       [&](auto& n, auto& w) { port.mbuf_cache_size = read_unsigned<unsigned>(n, w, ctx); }},
      {"mbuf_data_size",
       [&](auto& n, auto& w) { port.mbuf_data_size = read_unsigned<unsigned>(n, w, ctx); }},
      {"mtu", [&](auto& n, auto& w) { port.mtu = read_unsigned<unsigned>(n, w, ctx, 65535); }},
      {"promiscuous", [&](auto& n, auto& w) { port.promiscuous = read_bool(n, w, ctx); }},
      {"rx_timestamps", [&](auto& n, auto& w) { port.use_rx_timestamps = read_bool(n, w, ctx); }},
      {"interrupt_turn_us",
       [&](auto& n, auto& w) { port.interrupt_turn_us = read_unsigned<unsigned>(n, w, ctx); }},
  };
  for_each_key(node, where, handlers, ctx);
  if (const auto error = port.validate(); !error.empty()) {
    ctx.fail(where, error);
  }
  return port;
}

} // namespace

static DpdkConfig parse_dpdk_config_unguarded(const std::string& yaml_text,
                                              const std::string& name) {
  const Context ctx(name);
  const YAML::Node root = load_yaml(yaml_text, name);
  reject_duplicate_keys(root, ctx); // yaml-cpp keeps both values; a lookup takes one quietly
  DpdkConfig config;
  if (!root.IsMap() || !root["dpdk"]) {
    return config;
  }
  auto& eal = config.eal;
  const std::map<std::string, KeyHandler> handlers = {
      {"cores", [&](auto& n, auto& w) { eal.core_list = read_word(n, w, ctx); }},
      {"no_huge", [&](auto& n, auto& w) { eal.no_huge = read_bool(n, w, ctx); }},
      {"in_memory", [&](auto& n, auto& w) { eal.in_memory = read_bool(n, w, ctx); }},
      {"memory_mb",
       [&](auto& n, auto& w) { eal.memory_mb = read_unsigned<unsigned>(n, w, ctx, 1U << 20); }},
      {"pci", [&](auto& n, auto& w) { eal.pci_allow = read_word_list(n, w, ctx); }},
      {"vdevs", [&](auto& n, auto& w) { eal.vdevs = read_word_list(n, w, ctx); }},
      {"file_prefix", [&](auto& n, auto& w) { eal.file_prefix = read_word(n, w, ctx); }},
      {"log_level", [&](auto& n, auto& w) { eal.log_level = read_word(n, w, ctx); }},
      {"port", [&](auto& n, auto& w) { config.port = parse_port(n, w, ctx); }},
  };
  for_each_key(root["dpdk"], "dpdk", handlers, ctx);
  if (const auto error = eal.validate(); !error.empty()) {
    ctx.fail("dpdk", error);
  }
  return config;
}

DpdkConfig parse_dpdk_config(const std::string& yaml_text, const std::string& name) {
  return yaml_fields::guard_yaml(name,
                                 [&] { return parse_dpdk_config_unguarded(yaml_text, name); });
}

DpdkConfig load_dpdk_config(const std::filesystem::path& path) {
  return parse_dpdk_config(read_config_text(path), path.string());
}

} // namespace airan::io
