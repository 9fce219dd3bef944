/// \file
/// \brief One DPDK Ethernet port: its mbuf pool, one RX queue (and one TX queue) per polling
/// lcore, burst receive that hands each frame to a sink without copying, burst transmit, and
/// the port's counters. Works on a NIC PMD, on `net_pcap`, `net_af_packet` and `net_memif`
/// alike (a memif port's bursts hold the EAL interrupt thread: DpdkPortConfig::interrupt_turn_us).
///
/// Arrival time of a frame: the PMD's Rx timestamp when it gives one (net_pcap stamps every
/// mbuf with the capture's time in microseconds), otherwise CLOCK_REALTIME read once per burst.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace airan::io {

/// Headroom DPDK keeps in front of a frame in each mbuf (RTE_PKTMBUF_HEADROOM).
constexpr unsigned dpdk_mbuf_headroom = 128;
/// Bytes of a frame around its Ethernet payload (the MTU) that an mbuf holds: the Ethernet
/// header and one 802.1Q tag (the FCS is not in the mbuf).
constexpr unsigned dpdk_frame_overhead = 14 + 4;

/// Receives the frames of a burst. The bytes are valid only during the call.
class DpdkFrameSink {
public:
  virtual ~DpdkFrameSink() = default;
  /// \p arrival_ns: nanoseconds since the Unix epoch (capture time for a replayed pcap).
  virtual void on_frame(std::span<const std::uint8_t> frame, std::int64_t arrival_ns) = 0;
};

/// Set-up of one port (the `dpdk.ports[]` entries of a fronthaul configuration).
struct DpdkPortConfig {
  /// DPDK device name: a vdev name ("net_pcap0", "net_af_packet0") or a PCI address
  /// ("0000:3b:00.0"); empty: the first available port.
  std::string device;
  /// RX and TX queues. 1: the port's burst buffers serve one polling thread and no RSS is
  /// configured, so validate() refuses more.
  unsigned num_queues = 1;
  unsigned rx_ring_size = 1024; ///< RX descriptors per queue.
  unsigned tx_ring_size = 1024; ///< TX descriptors per queue (0: no TX queue).
  /// Pool size (2^n - 1 is optimal for the ring): at least num_queues x (rx_ring_size +
  /// tx_ring_size + 2 x burst_size + 1.5 x mbuf_cache_size), checked by validate().
  unsigned num_mbufs = 8191;
  /// Per-lcore cache of the pool (at most 512, and 1.5 x it must not exceed num_mbufs).
  unsigned mbuf_cache_size = 256;
  unsigned mbuf_data_size = 9216 + 128; ///< Data room: a jumbo frame plus headroom.
  /// Largest Ethernet payload received and sent (rte_eth_conf rxmode.mtu); the fronthaul's
  /// max_frame_size where a command opens the port for it. 0: DPDK's default (1500). A frame
  /// of mtu + dpdk_frame_overhead bytes must fit one mbuf (mbuf_data_size - headroom).
  unsigned mtu = 0;
  unsigned burst_size = 32; ///< 8 .. 512, a multiple of 8 (rte_eth_rx_burst with any driver).
  bool promiscuous = true;
  /// Unicast destination addresses to receive besides the port's own, added to its MAC filter
  /// (the fronthaul's du_mac / ru_mac). A filter the PMD refuses is an error unless promiscuous
  /// mode is on; a PMD without a MAC filter (most vdevs) receives them anyway.
  std::vector<std::array<std::uint8_t, 6>> accepted_macs{};
  /// Use the PMD's Rx timestamps when it provides them (false: always CLOCK_REALTIME).
  bool use_rx_timestamps = true;
  /// net_memif only: the EAL interrupt thread, which handles the memif peer's connection and
  /// unmaps its shared memory when it leaves, is held while this port's bursts run and let go
  /// for a turn every this many microseconds (the shortest of all such ports'). 0: not held (a
  /// peer that leaves during a burst can crash the process). 1 .. 1000000.
  unsigned interrupt_turn_us = 1000;

  /// Empty when valid, otherwise what is wrong.
  [[nodiscard]] std::string validate() const;
};

/// Counters of the port (rte_eth_stats) plus what this class counted itself.
struct DpdkPortStats {
  std::uint64_t rx_packets = 0;
  std::uint64_t rx_bytes = 0;
  std::uint64_t rx_missed = 0;    ///< Dropped by the NIC: RX ring full (imissed).
  std::uint64_t rx_errors = 0;    ///< Erroneous frames (ierrors).
  std::uint64_t rx_no_mbuf = 0;   ///< Mbuf allocation failures (rx_nombuf).
  std::uint64_t rx_segmented = 0; ///< Multi-segment frames linearised by a copy.
  std::uint64_t rx_oversize = 0;  ///< Frames too long for the linearising buffer, dropped.
  std::uint64_t tx_packets = 0;
  std::uint64_t tx_bytes = 0;
  std::uint64_t tx_dropped = 0; ///< Frames the TX ring did not take (or too long).
};

/// The largest MTU a device takes, from its rte_eth_dev_info \p max_mtu and \p max_rx_pktlen as
/// rte_eth_dev_configure() computes it, or none when the device does not say: max_mtu unset
/// (UINT16_MAX) and max_rx_pktlen at its 1518-byte default (net_af_packet, net_tap, net_af_xdp
/// report that whatever their frame buffers carry). A port asking such a device for an MTU above
/// 1500 leaves its MTU at DPDK's default: the device's own buffers decide what it carries.
[[nodiscard]] std::optional<std::uint32_t> dpdk_largest_mtu(std::uint16_t max_mtu,
                                                            std::uint32_t max_rx_pktlen);

/// A started port. Needs a running EAL (DpdkEal::initialize()). Destruction stops and closes
/// the device, which cannot be opened again in the same process.
class DpdkPort {
public:
  /// Finds, configures and starts the port; allocates its mbuf pool.
  /// \throws DpdkError when the device is unknown or a DPDK call fails (names the call).
  explicit DpdkPort(const DpdkPortConfig& config);
  ~DpdkPort();
  DpdkPort(const DpdkPort&) = delete;
  DpdkPort& operator=(const DpdkPort&) = delete;

  [[nodiscard]] std::uint16_t port_id() const;
  [[nodiscard]] const DpdkPortConfig& config() const;
  /// The port's MAC address.
  [[nodiscard]] std::array<std::uint8_t, 6> mac_address() const;

  /// Receives one burst from \p queue and calls \p sink for each frame; returns the frames.
  unsigned receive_burst(DpdkFrameSink& sink, unsigned queue = 0);

  /// Copies \p frame into an mbuf and adds it to \p queue's pending burst, which is sent when
  /// it reaches burst_size or at flush_transmit(). Returns false when the frame is too long or
  /// no mbuf is free (counted as tx_dropped).
  bool transmit(std::span<const std::uint8_t> frame, unsigned queue = 0);

  /// Sends \p queue's pending frames; what the ring does not take is freed and counted as
  /// tx_dropped. Returns how many the ring refused here and at transmit()'s own flushes (every
  /// burst_size frames) since the last call: the queue's own count, so that a thread that only
  /// transmits need not read stats(), which the receiving thread's counts feed.
  std::size_t flush_transmit(unsigned queue = 0);

  /// Port counters, read from the device now.
  [[nodiscard]] DpdkPortStats stats() const;

  /// The MTU the device runs with (rte_eth_dev_get_mtu).
  [[nodiscard]] unsigned mtu() const;

  /// Whether promiscuous mode was asked for and the PMD turned it on.
  [[nodiscard]] bool promiscuous_enabled() const;

  /// Mbufs free in the port's pool now (per-lcore caches included).
  [[nodiscard]] unsigned free_mbufs() const;

  /// Whether the link is up now (a memif or af_packet peer connected, a cable in).
  [[nodiscard]] bool link_up() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::io
