#include "airan/io/dpdk_port.h"

#include "airan/io/dpdk_eal.h"
#include "airan/io/fronthaul_timing.h"
#include "dpdk_interrupt_thread_gate.h"
#include "dpdk_port_setup.h"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <functional>
#include <vector>

namespace airan::io {
namespace {

constexpr std::size_t linear_buffer_size = 16384;
/// transmit() and flush_transmit() run on the L1's receive thread: a full ring gets this many
/// tries (a software PMD such as af_packet may take a burst in parts), the rest is dropped.
constexpr int tx_burst_attempts = 4;

static_assert(RTE_PKTMBUF_HEADROOM == dpdk_mbuf_headroom, "DpdkPortConfig's mbuf sizing");

/// Runs \p step on the EAL interrupt thread through \p gate when there is one (a memif port's
/// start, stop and close open and close descriptors that thread polls), otherwise here.
void run_control_step(DpdkInterruptThreadGate* gate, const std::function<void()>& step) {
  if (gate != nullptr) {
    gate->run_on_interrupt_thread(step);
  } else {
    step();
  }
}

std::atomic<unsigned> pool_counter{0};

/// Frees a burst's mbufs from next on when the sink throws.
class BurstMbufs {
public:
  BurstMbufs(rte_mbuf** mbufs, std::uint16_t count) : mbufs_(mbufs), count_(count) {}
  BurstMbufs(const BurstMbufs&) = delete;
  BurstMbufs& operator=(const BurstMbufs&) = delete;
  ~BurstMbufs() {
    for (; next < count_; ++next) {
      rte_pktmbuf_free(mbufs_[next]);
    }
  }
  std::uint16_t next = 0; ///< The first mbuf not freed yet.

private:
  rte_mbuf** mbufs_;
  std::uint16_t count_;
};

void count(std::atomic<std::uint64_t>& counter, std::uint64_t amount = 1) {
  counter.fetch_add(amount, std::memory_order_relaxed);
}

} // namespace

struct DpdkPort::Impl {
  DpdkPortConfig config;
  std::uint16_t port = 0;
  rte_mempool* pool = nullptr;
  /// A net_memif port's start, stop and close run through it (null for other PMDs).
  DpdkInterruptThreadGate* gate = nullptr;
  /// Held around the bursts (a memif port with interrupt_turn_us > 0), else null.
  DpdkInterruptThreadGate* burst_gate = nullptr;
  bool started = false;
  bool promiscuous = false;
  int timestamp_offset = -1;
  std::uint64_t timestamp_flag = 0;
  std::vector<rte_mbuf*> rx_burst;
  std::vector<std::vector<rte_mbuf*>> tx_pending;
  /// Per TX queue: frames the ring did not take at transmit()'s own flushes since the last
  /// flush_transmit() (which reports them).
  std::vector<std::size_t> tx_dropped_unreported;
  std::vector<std::uint8_t> linear;
  /// The port's own counters: written by the receiving and the transmitting thread, read by
  /// stats() on any.
  struct OwnCounters {
    std::atomic<std::uint64_t> rx_segmented{0};
    std::atomic<std::uint64_t> rx_oversize{0};
    std::atomic<std::uint64_t> tx_dropped{0};
  } own;

  ~Impl() {
    for (auto& pending : tx_pending) {
      for (auto* mbuf : pending) {
        rte_pktmbuf_free(mbuf);
      }
    }
    if (started) {
      // Closed before its mbuf pool is freed (the queues hold mbufs). A closed device cannot
      // be configured again in this process: one DpdkPort per device per process.
      run_control_step(gate, [&] {
        rte_eth_dev_stop(port);
        rte_eth_dev_close(port);
      });
    }
    if (pool != nullptr) {
      rte_mempool_free(pool);
    }
  }
};

DpdkPort::DpdkPort(const DpdkPortConfig& config) : impl_(std::make_unique<Impl>()) {
  if (!DpdkEal::initialized()) {
    throw DpdkError("DpdkPort needs a running EAL (DpdkEal::initialize)");
  }
  if (const auto error = config.validate(); !error.empty()) {
    throw DpdkError(error);
  }
  auto& s = *impl_;
  s.config = config;
  if (config.device.empty()) {
    const auto first = rte_eth_find_next(0);
    if (first >= RTE_MAX_ETHPORTS) {
      throw DpdkError("no DPDK Ethernet port is available (give a vdev or a PCI device)");
    }
    s.port = static_cast<std::uint16_t>(first);
  } else if (rte_eth_dev_get_port_by_name(config.device.c_str(), &s.port) != 0 &&
             rte_eth_dev_get_port_by_name(("0000:" + config.device).c_str(), &s.port) != 0) {
    // (A PCI address without its domain, "3b:00.0", is probed as "0000:3b:00.0".)
    throw DpdkError("DPDK device '" + config.device + "' is not probed (check the vdev/PCI list)");
  }
  const auto pool_name = "airan_pool" + std::to_string(pool_counter++);
  s.pool = rte_pktmbuf_pool_create(pool_name.c_str(), config.num_mbufs, config.mbuf_cache_size, 0,
                                   static_cast<std::uint16_t>(config.mbuf_data_size),
                                   rte_eth_dev_socket_id(s.port));
  if (s.pool == nullptr) {
    throw DpdkError("rte_pktmbuf_pool_create failed: " + std::string(rte_strerror(rte_errno)));
  }
  rte_eth_dev_info info{};
  check_result(rte_eth_dev_info_get(s.port, &info), "rte_eth_dev_info_get", s.port);
  if (is_net_memif(s.port)) {
    s.gate = &DpdkInterruptThreadGate::instance();
    if (config.interrupt_turn_us > 0) {
      s.burst_gate = s.gate;
      s.gate->ask_for_period(std::chrono::microseconds(config.interrupt_turn_us));
    }
  }
  const auto queues = static_cast<std::uint16_t>(config.num_queues);
  if (queues > info.max_rx_queues) {
    throw DpdkError("device '" + config.device + "' has " + std::to_string(info.max_rx_queues) +
                    " RX queues, " + std::to_string(queues) + " asked");
  }
  const std::uint16_t tx_queues = config.tx_ring_size > 0 ? queues : 0;
  rte_eth_conf conf{};
  if (!is_net_memif(s.port)) {
    // net_memif reports 1518-byte frames at most but carries longer ones in chained buffers.
    configure_mtu(config, s.port, info, conf);
  }
  check_result(rte_eth_dev_configure(s.port, queues, tx_queues, &conf), "rte_eth_dev_configure",
               s.port);
  auto rx_desc = static_cast<std::uint16_t>(config.rx_ring_size);
  auto tx_desc = static_cast<std::uint16_t>(config.tx_ring_size);
  check_result(rte_eth_dev_adjust_nb_rx_tx_desc(s.port, &rx_desc, &tx_desc),
               "rte_eth_dev_adjust_nb_rx_tx_desc", s.port);
  const auto socket = static_cast<unsigned>(rte_eth_dev_socket_id(s.port));
  for (std::uint16_t q = 0; q < queues; ++q) {
    check_result(rte_eth_rx_queue_setup(s.port, q, rx_desc, socket, nullptr, s.pool),
                 "rte_eth_rx_queue_setup", s.port);
  }
  for (std::uint16_t q = 0; q < tx_queues; ++q) {
    check_result(rte_eth_tx_queue_setup(s.port, q, tx_desc, socket, nullptr),
                 "rte_eth_tx_queue_setup", s.port);
  }
  run_control_step(s.gate,
                   [&] { check_result(rte_eth_dev_start(s.port), "rte_eth_dev_start", s.port); });
  s.started = true;
  if (config.promiscuous) {
    const int result = rte_eth_promiscuous_enable(s.port);
    s.promiscuous = result == 0;
    // -ENOTSUP: a vdev without the mode (memif, null), which filters nothing anyway.
    if (result != 0 && result != -ENOTSUP) {
      std::fprintf(stderr,
                   "airan: warning: DPDK device %s refused promiscuous mode (%s): only frames to "
                   "its own and the accepted MAC addresses arrive\n",
                   device_name(s.port).c_str(), rte_strerror(-result));
    }
  }
  add_accepted_macs(config, s.port, s.promiscuous);
  if (config.use_rx_timestamps) {
    s.timestamp_offset = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
    const int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
    s.timestamp_flag = bit >= 0 ? (std::uint64_t{1} << bit) : 0;
  }
  s.rx_burst.resize(config.burst_size);
  s.tx_pending.resize(tx_queues);
  s.tx_dropped_unreported.assign(tx_queues, 0);
  for (auto& pending : s.tx_pending) {
    pending.reserve(config.burst_size);
  }
  s.linear.resize(linear_buffer_size);
}

DpdkPort::~DpdkPort() = default;

std::uint16_t DpdkPort::port_id() const {
  return impl_->port;
}

const DpdkPortConfig& DpdkPort::config() const {
  return impl_->config;
}

std::array<std::uint8_t, 6> DpdkPort::mac_address() const {
  rte_ether_addr address{};
  rte_eth_macaddr_get(impl_->port, &address);
  std::array<std::uint8_t, 6> mac{};
  for (std::size_t i = 0; i < mac.size(); ++i) {
    mac[i] = address.addr_bytes[i];
  }
  return mac;
}

unsigned DpdkPort::receive_burst(DpdkFrameSink& sink, unsigned queue) {
  auto& s = *impl_;
  std::uint16_t received = 0;
  {
    // The mbufs are copies (a memif server never maps them from the peer): only the burst
    // itself reads the PMD's shared memory.
    const DpdkInterruptThreadPass pass(s.burst_gate);
    received = rte_eth_rx_burst(s.port, static_cast<std::uint16_t>(queue), s.rx_burst.data(),
                                static_cast<std::uint16_t>(s.rx_burst.size()));
  }
  if (received == 0) {
    return 0;
  }
  const std::int64_t burst_time = realtime_ns();
  BurstMbufs burst{s.rx_burst.data(), received};
  while (burst.next < received) {
    rte_mbuf* mbuf = s.rx_burst[burst.next];
    std::int64_t arrival = burst_time;
    if (s.timestamp_offset >= 0 && (mbuf->ol_flags & s.timestamp_flag) != 0) {
      // net_pcap stamps microseconds (libpcap opens the file at microsecond precision).
      const auto stamp = *RTE_MBUF_DYNFIELD(mbuf, s.timestamp_offset, rte_mbuf_timestamp_t*);
      arrival = static_cast<std::int64_t>(stamp) * 1000;
    }
    const std::uint32_t length = rte_pktmbuf_pkt_len(mbuf);
    if (mbuf->nb_segs == 1) {
      sink.on_frame({rte_pktmbuf_mtod(mbuf, const std::uint8_t*), length}, arrival);
    } else if (length <= s.linear.size()) {
      count(s.own.rx_segmented);
      const void* bytes = rte_pktmbuf_read(mbuf, 0, length, s.linear.data());
      sink.on_frame({static_cast<const std::uint8_t*>(bytes), length}, arrival);
    } else {
      count(s.own.rx_oversize);
    }
    ++burst.next; // freed here; a sink that throws leaves this one and the rest to the guard
    rte_pktmbuf_free(mbuf);
  }
  return received;
}

bool DpdkPort::transmit(std::span<const std::uint8_t> frame, unsigned queue) {
  auto& s = *impl_;
  if (queue >= s.tx_pending.size()) {
    throw DpdkError("DpdkPort::transmit: queue " + std::to_string(queue) + " has no TX queue");
  }
  rte_mbuf* mbuf = rte_pktmbuf_alloc(s.pool);
  if (mbuf == nullptr) {
    count(s.own.tx_dropped);
    return false;
  }
  auto* data = rte_pktmbuf_append(mbuf, static_cast<std::uint16_t>(frame.size()));
  if (data == nullptr || frame.size() > 0xFFFF) {
    rte_pktmbuf_free(mbuf);
    count(s.own.tx_dropped);
    return false;
  }
  std::copy(frame.begin(), frame.end(), reinterpret_cast<std::uint8_t*>(data));
  auto& pending = s.tx_pending[queue];
  pending.push_back(mbuf);
  if (pending.size() >= s.config.burst_size) {
    const std::size_t dropped = flush_transmit(queue);
    s.tx_dropped_unreported[queue] = dropped; // flush_transmit() reset it: the caller's next one
  }
  return true;
}

std::size_t DpdkPort::flush_transmit(unsigned queue) {
  auto& s = *impl_;
  if (queue >= s.tx_pending.size()) {
    return 0;
  }
  auto& pending = s.tx_pending[queue];
  std::size_t sent = 0;
  // A few tries (tx_burst_attempts), each its own pass, so that a full ring does not keep a
  // turn waiting; what a full ring still refuses is dropped rather than waited for.
  for (int attempt = 0; attempt < tx_burst_attempts && sent < pending.size(); ++attempt) {
    const DpdkInterruptThreadPass pass(s.burst_gate);
    sent += rte_eth_tx_burst(s.port, static_cast<std::uint16_t>(queue), pending.data() + sent,
                             static_cast<std::uint16_t>(pending.size() - sent));
  }
  const std::size_t dropped = pending.size() - sent;
  for (std::size_t i = sent; i < pending.size(); ++i) {
    rte_pktmbuf_free(pending[i]);
  }
  count(s.own.tx_dropped, dropped);
  pending.clear();
  // With what transmit()'s own flushes dropped since the last call.
  const std::size_t reported = dropped + s.tx_dropped_unreported[queue];
  s.tx_dropped_unreported[queue] = 0;
  return reported;
}

unsigned DpdkPort::mtu() const {
  std::uint16_t mtu = 0;
  check_result(rte_eth_dev_get_mtu(impl_->port, &mtu), "rte_eth_dev_get_mtu", impl_->port);
  return mtu;
}

bool DpdkPort::promiscuous_enabled() const {
  return impl_->promiscuous;
}

unsigned DpdkPort::free_mbufs() const {
  return rte_mempool_avail_count(impl_->pool);
}

bool DpdkPort::link_up() const {
  rte_eth_link link{};
  return rte_eth_link_get_nowait(impl_->port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
}

DpdkPortStats DpdkPort::stats() const {
  const auto& s = *impl_;
  rte_eth_stats eth{};
  DpdkPortStats out;
  out.rx_segmented = s.own.rx_segmented.load(std::memory_order_relaxed);
  out.rx_oversize = s.own.rx_oversize.load(std::memory_order_relaxed);
  out.tx_dropped = s.own.tx_dropped.load(std::memory_order_relaxed);
  if (rte_eth_stats_get(s.port, &eth) == 0) {
    out.rx_packets = eth.ipackets;
    out.rx_bytes = eth.ibytes;
    out.rx_missed = eth.imissed;
    out.rx_errors = eth.ierrors;
    out.rx_no_mbuf = eth.rx_nombuf;
    out.tx_packets = eth.opackets;
    out.tx_bytes = eth.obytes;
    out.tx_dropped += eth.oerrors;
  }
  return out;
}

} // namespace airan::io
