/// \file
/// \brief Steps of DpdkPort's set-up that check a device's limits and program its filters: the
/// MTU (and scattered RX), the MAC addresses to accept, and the error helpers they share.
#pragma once

#include "airan/io/dpdk_port.h"

#include <rte_ethdev.h>

#include <array>
#include <cstdint>
#include <string>

namespace airan::io {

/// \throws DpdkError naming \p call and DPDK's reason when \p result is negative.
void check_result(int result, const char* call, std::uint16_t port);

/// "'net_pcap0' (port 1)", or "port 1" when the name is unknown.
std::string device_name(std::uint16_t port);

/// Sets \p conf's MTU (and scattered RX where one mbuf cannot hold a frame and the PMD can
/// scatter) when \p config asks for one. A device that does not say its limit
/// (dpdk_largest_mtu()) gets the MTU only up to 1500 (DPDK's default): beyond it, its own frame
/// buffers decide what it carries, as before ports had an MTU. \throws DpdkError when the device
/// cannot take it.
void configure_mtu(const DpdkPortConfig& config, std::uint16_t port, const rte_eth_dev_info& info,
                   rte_eth_conf& conf);

/// Adds \p config's accepted_macs other than the port's own address to its MAC filter.
/// \throws DpdkError when the PMD refuses one and \p promiscuous (the mode is on) is false.
void add_accepted_macs(const DpdkPortConfig& config, std::uint16_t port, bool promiscuous);

} // namespace airan::io
