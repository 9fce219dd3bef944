/// \file
/// \brief The L1's uplink C-plane: when fronthaul is on, each accepted UL_TTI.request becomes the
/// O-RAN section type 1 messages that tell the RU which PRBs and symbols of which antenna to send
/// for that slot (one section per PUSCH or PUCCH allocation, hop and receive antenna).
#pragma once

#include "airan/io/fronthaul_config.h"
#include "airan/io/oran_cplane_generator.h"
#include "airan/phy/pucch_config.h"
#include "airan/phy/pusch_config.h"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace airan::l1 {

/// Receives the C-plane of each slot the L1 accepted work for.
class UplinkCplaneSender {
public:
  virtual ~UplinkCplaneSender() = default;
  /// The PUSCH and PUCCH PDUs of slot (\p sfn, \p slot) that the L1 will receive.
  virtual void send_slot(std::uint16_t sfn, std::uint16_t slot,
                         std::span<const phy::PuschConfig> pdus,
                         std::span<const phy::PucchConfig> pucch) = 0;
};

/// Builds the frames with io::UplinkCplaneGenerator and hands each to a callback (a DPDK port, a
/// pcap, or an RU emulator in the same process). Allocates only at construction.
class FronthaulCplaneSender final : public UplinkCplaneSender {
public:
  using FrameOut = std::function<void(std::span<const std::uint8_t> frame)>;

  /// \throws std::invalid_argument for an invalid configuration, or an eAxC RU port field too
  /// narrow for the receive antennas.
  FronthaulCplaneSender(const phy::CellConfig& cell, unsigned num_rx_antennas,
                        const io::FronthaulConfig& config, FrameOut out);

  /// PUCCHs that share PRBs and symbols (multiplexed UEs) share one section; a slot with more
  /// PDUs than the sender is sized for (32 PUSCH, 64 PUCCH) is counted in slots_failed().
  void send_slot(std::uint16_t sfn, std::uint16_t slot, std::span<const phy::PuschConfig> pdus,
                 std::span<const phy::PucchConfig> pucch) override;

  /// Frames sent, and slots whose C-plane could not be generated (counted, not thrown).
  [[nodiscard]] std::uint64_t frames_sent() const { return frames_sent_; }
  [[nodiscard]] std::uint64_t slots_failed() const { return slots_failed_; }

private:
  /// The sections of \p pucch's hops for antenna \p eaxc, unless an identical one is there.
  void add_pucch_sections(std::uint16_t eaxc, const phy::PucchConfig& pucch);

  phy::CellConfig cell_;
  unsigned num_rx_;
  io::FronthaulConfig config_;
  FrameOut out_;
  io::UplinkCplaneGenerator generator_;
  std::vector<io::UplinkAllocation> allocations_;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::span<const std::uint8_t>> frames_;
  std::uint64_t frames_sent_ = 0;
  std::uint64_t slots_failed_ = 0;
};

} // namespace airan::l1
