/// \file
/// \brief The L1's uplink C-plane: when fronthaul is on, each accepted UL_TTI.request becomes the
/// O-RAN section type 1 messages that tell the RU which PRBs and symbols of which antenna to send
/// for that slot (one section per PUSCH, PUCCH or SRS allocation, hop and receive antenna), and one
/// section type 3 message per PRACH occasion and PRACH eAxC (io/oran_prach.h).
#pragma once

#include "airan/io/fapi_prach_conversion.h"
#include "airan/io/fronthaul_config.h"
#include "airan/io/oran_cplane_generator.h"
#include "airan/io/oran_prach.h"
#include "airan/phy/pucch_config.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/srs_config.h"

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

namespace airan::l1 {

/// Receives the C-plane of each slot the L1 accepted work for.
class UplinkCplaneSender {
public:
  virtual ~UplinkCplaneSender() = default;
  /// The PUSCH, PUCCH and SRS PDUs and PRACH occasions of slot (\p sfn, \p slot) that the L1
  /// will receive (called for every accepted UL_TTI.request, even one without PDUs).
  virtual void send_slot(std::uint16_t sfn, std::uint16_t slot,
                         std::span<const phy::PuschConfig> pdus,
                         std::span<const phy::PucchConfig> pucch,
                         std::span<const io::FapiPrachOccasion> prach = {},
                         std::span<const phy::SrsConfig> srs = {}) = 0;
};

/// Builds the frames with io::UplinkCplaneGenerator and hands each to a callback (a DPDK port, a
/// pcap, or an RU emulator in the same process). Allocates only at construction.
class FronthaulCplaneSender final : public UplinkCplaneSender {
public:
  using FrameOut = std::function<void(std::span<const std::uint8_t> frame)>;
  /// Told after each send_slot() that the slot's C-plane is complete (even with no frame).
  using SlotDone = std::function<void(std::uint16_t sfn, std::uint16_t slot)>;

  /// \throws std::invalid_argument for an invalid configuration, an eAxC RU port field too
  /// narrow for the receive antennas, or PRACH RU ports that overlap the PUSCH ones.
  FronthaulCplaneSender(const phy::CellConfig& cell, unsigned num_rx_antennas,
                        const io::FronthaulConfig& config, FrameOut out);

  /// PUCCHs that share PRBs and symbols (multiplexed UEs) share one section, as do SRSs (UEs
  /// on other combs or cyclic shifts of the same PRBs); an SRS gets a section per run of
  /// symbols on the same PRBs (a hop). A slot with more PDUs than a UL_TTI.request holds (64
  /// PUSCH, 64 PUCCH, 64 SRS), or whose sections do not fit, is counted in slots_failed(), and a
  /// PRACH occasion without a 7.2x request (oran_prach_request()) in prach_failed().
  void send_slot(std::uint16_t sfn, std::uint16_t slot, std::span<const phy::PuschConfig> pdus,
                 std::span<const phy::PucchConfig> pucch,
                 std::span<const io::FapiPrachOccasion> prach = {},
                 std::span<const phy::SrsConfig> srs = {}) override;

  /// Sets the callback told when a slot's C-plane is complete.
  void on_slot_done(SlotDone done) { slot_done_ = std::move(done); }

  /// Frames sent, and slots whose C-plane could not be generated (counted, not thrown).
  [[nodiscard]] std::uint64_t frames_sent() const { return frames_sent_; }
  [[nodiscard]] std::uint64_t slots_failed() const { return slots_failed_; }
  [[nodiscard]] std::uint64_t prach_failed() const { return prach_failed_; }

private:
  /// The sections of \p pucch's hops for antenna \p eaxc, unless an identical one is there.
  void add_pucch_sections(std::uint16_t eaxc, const phy::PucchConfig& pucch);
  /// The sections of \p srs's symbols in slot (\p sfn, \p slot) for antenna \p eaxc, unless an
  /// identical one is there.
  void add_srs_sections(std::uint16_t eaxc, std::uint16_t sfn, std::uint16_t slot,
                        const phy::SrsConfig& srs);
  /// The type 1 messages of the slot's PUSCH, PUCCH and SRS allocations.
  void send_sections(std::uint16_t sfn, std::uint16_t slot, std::span<const phy::PuschConfig> pdus,
                     std::span<const phy::PucchConfig> pucch, std::span<const phy::SrsConfig> srs);
  /// Adds \p section unless an identical one is there (multiplexed UEs).
  void add_section_once(const io::UplinkAllocation& section);
  /// The type 3 messages of the slot's PRACH occasions, one frame per occasion and antenna.
  void send_prach(std::uint16_t sfn, std::uint16_t slot,
                  std::span<const io::FapiPrachOccasion> prach);

  phy::CellConfig cell_;
  unsigned num_rx_;
  io::FronthaulConfig config_;
  FrameOut out_;
  io::UplinkCplaneGenerator generator_;
  std::vector<io::UplinkAllocation> allocations_;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::span<const std::uint8_t>> frames_;
  SlotDone slot_done_;
  phy::Numerology numerology_;
  std::vector<std::uint8_t> prach_frame_;
  std::vector<std::uint8_t> prach_sequence_ids_; ///< Next ecpriSeqid per PRACH eAxC.
  /// A slot's PRACH requests with their occasion's index, in start-symbol order.
  std::vector<std::pair<std::size_t, io::OranPrachRequest>> prach_order_;
  std::uint64_t frames_sent_ = 0;
  std::uint64_t slots_failed_ = 0;
  std::uint64_t prach_failed_ = 0;
};

} // namespace airan::l1
