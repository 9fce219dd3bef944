// The two ends of a fronthaul link between `airan testmac --l1` (the emulated O-RU) and
// `airan l1` (the DU) on DPDK ports: a net_memif pair on one machine, or NICs.
#pragma once

#include "airan/io/dpdk_port.h"
#include "airan/l1/fronthaul_sample_feeder.h"

#include <chrono>
#include <cstdint>

namespace airan::cli {

/// The O-RU end: frames transmitted on a port, the batch sent at the end of each slot; the
/// frames the DU sends (C-plane) received from it.
class DpdkFrameLink final : public l1::FronthaulFrameLink {
public:
  /// \p port (transmit queue 0) must outlive the link.
  explicit DpdkFrameLink(io::DpdkPort& port);
  bool send(std::span<const std::uint8_t> frame) override;
  std::uint64_t end_of_slot() override;
  /// One receive burst (what the far end sent: the L1's C-plane).
  unsigned receive(l1::FronthaulFrameHandler& handler) override;

private:
  io::DpdkPort& port_;
};

/// Waits up to \p timeout for \p port's link (a memif peer connected); true once it is up.
bool wait_for_link(const io::DpdkPort& port, std::chrono::milliseconds timeout);

} // namespace airan::cli
