#include "dpdk_port_setup.h"

#include "airan/io/dpdk_eal.h"
#include "airan/io/ecpri.h"

#include <rte_errno.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cerrno>
#include <optional>

namespace airan::io {

void check_result(int result, const char* call, std::uint16_t port) {
  if (result < 0) {
    throw DpdkError(std::string(call) + " on port " + std::to_string(port) +
                    " failed: " + rte_strerror(-result));
  }
}

std::string device_name(std::uint16_t port) {
  std::array<char, RTE_ETH_NAME_MAX_LEN> name{};
  if (rte_eth_dev_get_name_by_port(port, name.data()) != 0) {
    return "port " + std::to_string(port);
  }
  std::string text(1, '\''); // built by appends: GCC 12 warns (-Wrestrict) at "'" + string
  text.append(name.data()).append("' (port ").append(std::to_string(port)).append(")");
  return text;
}

namespace {

/// What a frame adds to the MTU on \p info's device, as rte_eth_dev_configure() computes it.
std::uint32_t frame_overhead(const rte_eth_dev_info& info) {
  return info.max_mtu != UINT16_MAX && info.max_rx_pktlen > info.max_mtu
             ? info.max_rx_pktlen - info.max_mtu
             : RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
}

} // namespace

std::optional<std::uint32_t> dpdk_largest_mtu(std::uint16_t max_mtu, std::uint32_t max_rx_pktlen) {
  if (max_mtu == UINT16_MAX && max_rx_pktlen == RTE_ETHER_MAX_LEN) {
    return std::nullopt; // the defaults: the PMD did not say
  }
  rte_eth_dev_info info{};
  info.max_mtu = max_mtu;
  info.max_rx_pktlen = max_rx_pktlen;
  const std::uint32_t overhead = frame_overhead(info);
  return std::min<std::uint32_t>(max_mtu, max_rx_pktlen > overhead ? max_rx_pktlen - overhead : 0);
}

void configure_mtu(const DpdkPortConfig& config, std::uint16_t port, const rte_eth_dev_info& info,
                   rte_eth_conf& conf) {
  if (config.mtu == 0) {
    return;
  }
  const std::optional<std::uint32_t> limit = dpdk_largest_mtu(info.max_mtu, info.max_rx_pktlen);
  if (!limit && config.mtu > RTE_ETHER_MTU) {
    return; // a device that does not say its limit: its frame buffers decide (see the header)
  }
  const std::uint32_t overhead = frame_overhead(info);
  const std::uint32_t largest = limit.value_or(RTE_ETHER_MTU);
  if (config.mtu > largest || config.mtu < info.min_mtu) {
    throw DpdkError("DPDK device " + device_name(port) + " takes an MTU of " +
                    std::to_string(info.min_mtu) + " .. " + std::to_string(largest) + " (max_mtu " +
                    std::to_string(info.max_mtu) + ", max_rx_pktlen " +
                    std::to_string(info.max_rx_pktlen) + "); the port asks for " +
                    std::to_string(config.mtu) + " (dpdk.port.mtu or fronthaul.max_frame_size)");
  }
  conf.rxmode.mtu = config.mtu;
  const std::uint32_t rx_buffer = config.mbuf_data_size - RTE_PKTMBUF_HEADROOM;
  if (config.mtu + overhead > rx_buffer &&
      (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) != 0) {
    conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER; // receive_burst() linearises
  }
}

void add_accepted_macs(const DpdkPortConfig& config, std::uint16_t port, bool promiscuous) {
  rte_ether_addr own{};
  check_result(rte_eth_macaddr_get(port, &own), "rte_eth_macaddr_get", port);
  for (const auto& mac : config.accepted_macs) {
    rte_ether_addr address{};
    std::copy(mac.begin(), mac.end(), address.addr_bytes);
    if (rte_is_same_ether_addr(&address, &own)) {
      continue;
    }
    const int result = rte_eth_dev_mac_addr_add(port, &address, 0);
    // -ENOTSUP: the PMD has no MAC filter (a vdev such as memif or null): it passes every frame.
    if (result == 0 || result == -ENOTSUP || promiscuous) {
      continue;
    }
    throw DpdkError("DPDK device " + device_name(port) + " refused destination MAC " +
                    mac_to_string(mac) + " (rte_eth_dev_mac_addr_add: " + rte_strerror(-result) +
                    ") and is not promiscuous (" +
                    (config.promiscuous ? "the PMD refused it" : "dpdk.port.promiscuous false") +
                    "): frames to that address would be filtered out");
  }
}

} // namespace airan::io
