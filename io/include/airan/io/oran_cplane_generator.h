/// \file
/// \brief The DU side of uplink C-plane: from one slot's uplink allocations (PRBs and symbols
/// per eAxC) to the section type 1 frames that ask the RU for that IQ data.
///
/// Allocations are grouped per eAxC and start symbol (one message has one startSymbolId);
/// each allocation becomes one section, or several when it spans more than 255 PRBs (numPrbc
/// is 8 bits) unless it covers the whole carrier (numPrbc = 0). A message holds at most 255
/// sections and as many as the frame size allows; ecpriSeqid counts per eAxC. Frames are
/// written back to back into a caller buffer and nothing is allocated per slot.
#pragma once

#include "airan/io/ecpri.h"
#include "airan/io/oran_common.h"
#include "airan/io/oran_cplane.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::io {

/// One uplink allocation of a slot on one eAxC (e.g. one PUSCH on one receive antenna).
struct UplinkAllocation {
  std::uint16_t eaxc_id = 0; ///< Packed PC_ID / RTC_ID (pack_eaxc_id()).
  std::uint16_t start_prb = 0;
  std::uint16_t num_prbs = 0;    ///< At least 1; start_prb + num_prbs within the carrier.
  std::uint8_t start_symbol = 0; ///< 0..13.
  std::uint8_t num_symbols = 0;  ///< 1..14, start_symbol + num_symbols <= 14.
  std::uint16_t beam_id = 0;     ///< 15 bits.
};

/// The link the DU sends C-plane on.
struct UplinkCplaneConfig {
  EthernetHeader ethernet;
  IqCompression compression{CompressionMethod::block_floating_point, 9}; ///< udCompHdr.
  std::uint16_t carrier_prbs = 273;  ///< 1..1023 (startPrbc is 10 bits).
  std::size_t max_frame_size = 1514; ///< Largest frame without FCS (1500-byte MTU + header).
  std::uint8_t filter_index = 0;
};

/// The slot the messages describe.
struct UplinkSlot {
  std::uint8_t frame_id = 0; ///< Frame number mod 256.
  std::uint8_t subframe_id = 0;
  std::uint8_t slot_id = 0; ///< Slot within the subframe.
};

enum class CplaneGenerationStatus : std::uint8_t {
  ok,
  invalid_allocation,   ///< See result.allocation_index.
  too_many_allocations, ///< More than the generator was built for.
  too_many_sections,    ///< Section ids (12 bits) of one eAxC exhausted within the slot.
  buffer_too_small,     ///< The frame buffer is full.
  too_many_frames,      ///< The frame list is full.
  /// The slot's subframeId or slotId, or the configured filterIndex, does not fit its field of
  /// the common header (4, 6 and 4 bits; subframeId also at most 9): nothing is written.
  invalid_timing,
};

struct CplaneGenerationResult {
  CplaneGenerationStatus status = CplaneGenerationStatus::ok;
  std::size_t num_frames = 0;       ///< Frames written (also when an error stopped the slot).
  std::size_t bytes_used = 0;       ///< Bytes of the buffer they take.
  std::size_t allocation_index = 0; ///< The offending allocation for invalid_allocation.
  [[nodiscard]] bool ok() const { return status == CplaneGenerationStatus::ok; }
};

/// Builds the uplink section type 1 frames of each slot.
class UplinkCplaneGenerator {
public:
  /// \throws std::invalid_argument when the configuration cannot carry one section.
  UplinkCplaneGenerator(const UplinkCplaneConfig& config, std::size_t max_allocations);

  /// Writes the slot's frames back to back into \p buffer and their views into \p frames.
  /// Section ids count from 0 in each slot and eAxC in the order sections are written
  /// (allocations sorted by eAxC, start symbol, start PRB); when \p first_section_ids is not empty
  /// (it must then hold allocations.size() entries) it receives each allocation's first section id.
  /// On an error the frames written before it are valid.
  CplaneGenerationResult generate(const UplinkSlot& slot,
                                  std::span<const UplinkAllocation> allocations,
                                  std::span<std::uint8_t> buffer,
                                  std::span<std::span<const std::uint8_t>> frames,
                                  std::span<std::uint16_t> first_section_ids = {});

  /// The sequence id the next C-plane frame of \p eaxc_id will carry.
  [[nodiscard]] std::uint8_t next_sequence_id(std::uint16_t eaxc_id) const {
    return sequence_ids_[eaxc_id];
  }

  /// Sections one frame carries at most.
  [[nodiscard]] std::size_t max_sections_per_frame() const { return max_sections_per_frame_; }

private:
  bool valid(const UplinkAllocation& allocation) const;

  UplinkCplaneConfig config_;
  std::size_t max_sections_per_frame_ = 0;
  std::vector<std::uint32_t> order_;       ///< Allocation indices, sorted per slot.
  std::vector<std::uint8_t> sequence_ids_; ///< Next ecpriSeqid per eAxC (65536 entries).
  std::vector<CplaneSection> sections_;    ///< Sections of the frame being built.
};

} // namespace airan::io
