/// \file
/// \brief The `dpdk:` section of a scenario YAML: how the EAL starts and which port the
/// fronthaul uses. Parsing needs no DPDK; DpdkEal and DpdkPort (dpdk_eal.h, dpdk_port.h) take
/// the result.
/// \code
/// dpdk:
///   cores: "0"              # -l
///   no_huge: true           # --no-huge (+ --no-shconf); false with hugepages (needed by pci)
///   in_memory: false        # --in-memory
///   memory_mb: 256          # -m
///   pci: []                 # -a addresses of NIC ports (empty: --no-pci)
///   vdevs: []               # --vdev arguments, e.g. "net_af_packet0,iface=veth1"
///   file_prefix: ""         # --file-prefix (default airan-<pid>)
///   log_level: error
///   port:
///     device: ""            # vdev name or PCI address (empty: the first port)
///     queues: 1             # the only value (one polling thread, no RSS)
///     rx_ring_size: 1024
///     tx_ring_size: 1024
///     num_mbufs: 8191       # >= rings + 2 bursts + 1.5 x mbuf_cache_size
///     mbuf_cache_size: 256
///     mbuf_data_size: 9344  # mtu + 18 (Ethernet header, VLAN tag) + 128 must fit
///     mtu: 0                # 0: DPDK's 1500; the fronthaul commands set max_frame_size
///     burst_size: 32
///     interrupt_turn_us: 1000 # net_memif: EAL interrupt thread's turns while bursts run
/// \endcode
#pragma once

#include "airan/io/dpdk_eal.h"
#include "airan/io/dpdk_port.h"

#include <filesystem>
#include <string>

namespace airan::io {

/// EAL and port of one fronthaul link.
struct DpdkConfig {
  DpdkEalConfig eal;
  DpdkPortConfig port;
};

/// Parses the `dpdk:` section of YAML text (defaults when absent; other top-level keys are
/// ignored). \throws ConfigError (pusch_config_file.h) naming the key, e.g. "dpdk.port.queues".
DpdkConfig parse_dpdk_config(const std::string& yaml_text, const std::string& name);

/// Reads a scenario file's `dpdk:` section. \throws ConfigError.
DpdkConfig load_dpdk_config(const std::filesystem::path& path);

} // namespace airan::io
