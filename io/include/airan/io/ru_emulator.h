/// \file
/// \brief RU emulator packetizer: a slot's received grid (7.2x) or time-domain IQ (airan
/// split-8 style format), as stored in HDF5 test vectors, to every uplink U-plane Ethernet frame
/// an O-RU would send for it, each with its nominal transmit time on the slot clock.
///
/// Per antenna (RU port r = receive antenna r) and symbol, the symbol's units (PRBs, or blocks
/// of 12 time-domain samples) are cut into U-plane messages of at most max_frame_size bytes of
/// Ethernet payload, each holding as many sections of at most 255 units as fit (application-
/// layer fragmentation). ecpriSeqid counts per eAxC across slots; sectionIds count from 0 per
/// antenna and slot (or are the C-plane's). Frames of a symbol are sent at the symbol's nominal
/// end + ru_tx_offset_ns. Nothing is allocated per slot after construction.
#pragma once

#include "airan/io/bfp_compression.h"
#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_frame.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/ru_cplane_requests.h"
#include "airan/io/test_vector_file.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace airan::io {

/// Receives each frame (valid only during the call) and its nominal transmit time in ns.
using FronthaulFrameSink =
    std::function<void(std::span<const std::uint8_t> frame, std::int64_t tx_ns)>;

/// Packetizes slots of one cell and carrier (see the file comment).
class RuEmulator {
public:
  /// \throws std::invalid_argument for an invalid cell or configuration, 0 or more than 16
  /// antennas, an RU port field too narrow for them, or a max_frame_size that cannot hold one
  /// unit.
  RuEmulator(const phy::CellConfig& cell, unsigned num_rx_antennas, const FronthaulConfig& config);
  ~RuEmulator();
  RuEmulator(const RuEmulator&) = delete;
  RuEmulator& operator=(const RuEmulator&) = delete;

  /// Sends every U-plane frame of \p slot as absolute slot \p absolute_slot of the clock
  /// anchored at \p epoch_ns (frameId = absolute frame mod 256): the grid in frequency-domain
  /// mode, the IQ in time-domain mode. With \p requests (frequency domain), only the requested
  /// PRBs and symbols of each RU port are sent, with the requested sectionIds; otherwise every
  /// PRB of every antenna and symbol. Frames leave symbol by symbol (all antennas of symbol l
  /// before symbol l + 1); returns the number of frames.
  /// \throws std::invalid_argument when absolute_slot's slot number in the frame is not
  /// slot.slot, the grid or IQ is missing or has the wrong shape (time domain: IQ at another
  /// FFT size than phy::carrier_numerology()'s), or requests are given in time-domain mode.
  std::size_t packetize_slot(const TestVectorSlot& slot, std::int64_t absolute_slot,
                             std::int64_t epoch_ns, const FronthaulFrameSink& sink,
                             std::span<const RuSectionRequest> requests = {}) {
    return packetize_symbols(slot, absolute_slot, epoch_ns, sink, requests, 0,
                             clock_.symbols_per_slot());
  }

  /// As packetize_slot(), symbols [\p first_symbol, \p end_symbol) only (clamped to the slot):
  /// how an O-RU that takes each symbol's C-plane as it becomes final sends a slot in pieces.
  /// Calls for consecutive ranges send what one packetize_slot() call would (sectionIds count
  /// across them when no requests are given; they restart at symbol 0).
  std::size_t packetize_symbols(const TestVectorSlot& slot, std::int64_t absolute_slot,
                                std::int64_t epoch_ns, const FronthaulFrameSink& sink,
                                std::span<const RuSectionRequest> requests, unsigned first_symbol,
                                unsigned end_symbol);

  /// As above, as slot.absolute_slot.
  std::size_t packetize_slot(const TestVectorSlot& slot, std::int64_t epoch_ns,
                             const FronthaulFrameSink& sink) {
    return packetize_slot(slot, static_cast<std::int64_t>(slot.absolute_slot), epoch_ns, sink);
  }

  /// The datasets of a vector slot that packetize_slot() sends: the grid in frequency-domain
  /// mode, the IQ in time-domain mode (for TestVectorReader::read_slot()).
  [[nodiscard]] TestVectorSlotParts vector_parts() const {
    const bool time_domain = config_.mode == FronthaulIngestMode::time_domain;
    return {.grid = !time_domain, .iq = time_domain, .true_channel = false};
  }

  /// The largest number of units one frame carries.
  [[nodiscard]] unsigned units_per_frame() const { return units_per_frame_; }
  [[nodiscard]] const FronthaulSlotClock& clock() const { return clock_; }
  [[nodiscard]] const FronthaulConfig& config() const { return config_; }
  /// The carrier this O-RU serves, for reading the DU's C-plane (take_cplane_frame()).
  [[nodiscard]] RuCplaneScope cplane_scope() const;
  /// The link as this O-RU's U-plane frames use it (eAxC layout, U-plane format).
  [[nodiscard]] FronthaulLinkConfig link_config() const;

private:
  std::size_t send_units(unsigned rx, std::int64_t absolute_slot, unsigned symbol,
                         std::span<const phy::cf32> samples, unsigned first_unit,
                         unsigned num_units, std::uint16_t section_id, bool count_section_ids,
                         std::int64_t tx_ns, const FronthaulFrameSink& sink);
  void compress_units(std::span<const phy::cf32> samples, unsigned first_unit, unsigned num_units,
                      std::span<std::uint8_t> out);

  phy::CellConfig cell_;
  unsigned num_rx_;
  FronthaulConfig config_;
  FronthaulSlotClock clock_;
  phy::Numerology numerology_;
  UplaneFormat format_;
  std::unique_ptr<IqCompressor> compressor_;
  unsigned units_per_frame_ = 0;
  std::size_t prb_bytes_ = 0;
  std::size_t section_header_bytes_ = 0;
  std::vector<std::uint16_t> next_section_id_; ///< Per RU port, within the slot.
  std::vector<std::uint8_t> frame_;            ///< One frame being built.
  std::vector<std::uint8_t> sequence_ids_;     ///< Next ecpriSeqid per RU port.
  std::vector<phy::cf32> padded_block_;        ///< Last, partial time-domain block.
};

/// Writes every slot of \p vector as U-plane frames to a nanosecond pcap at \p path: slot i at
/// absolute slot vector slot i's absolute_slot, the clock anchored so that the first slot
/// starts at \p start_ns; each record's timestamp is the frame's nominal transmit time.
/// Returns the number of frames. \throws TestVectorError, std::invalid_argument,
/// std::runtime_error (pcap errors) as the parts do.
std::size_t write_vector_to_pcap(const TestVectorReader& vector, const FronthaulConfig& config,
                                 const std::filesystem::path& path, std::int64_t start_ns);

} // namespace airan::io
