/// \file
/// \brief What an emulated O-RU takes from the DU's uplink C-plane: the section requests of
/// every message addressed to its carrier's PUSCH data, and a count of everything else.
///
/// A message is served only when it is an uplink section type 1 message with filterIndex 0 (the
/// standard channel filter, not PRACH's) for this carrier's eAxC (DU port, band sector, CC) and
/// one of its RU ports (the receive antennas). Each section's symbols follow O-RAN CUS symInc:
/// the current symbol starts at startSymbolId and a section with symInc = 1 first moves it on by
/// one. A section is ignored (and counted) when the O-RU cannot serve it as asked: every other PRB
/// (rb), section extensions (ef), a partial reMask, PRBs beyond the carrier, or symbols beyond
/// the slot. Concatenated eCPRI messages of one frame are each taken.
///
/// With a PRACH request list, uplink section type 3 messages with filterIndex != 0 on one of the
/// carrier's PRACH RU ports (RuCplaneScope::prach_first_ru_port + antenna) are taken too, one
/// RuPrachRequest per section (oran_prach.h; whether the O-RU can serve it is
/// RuPrachEmulator::add_request()'s business).
#pragma once

#include "airan/io/fronthaul_frame.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/oran_cplane.h"
#include "airan/io/requests_by_slot.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::io {

/// What the DU asked for in the C-plane, one section per entry (frequency domain only).
struct RuSectionRequest {
  std::uint16_t ru_port = 0;
  std::uint8_t start_symbol = 0; ///< The section's first symbol (startSymbolId, after symInc).
  CplaneSection section;         ///< sectionId, startPrbc, numPrbc (0: all), numSymbol.
};

/// The carrier an emulated O-RU serves.
struct RuCplaneScope {
  std::uint16_t du_port = 0;
  std::uint16_t band_sector = 0;
  std::uint16_t cc = 0;
  unsigned num_ru_ports = 1; ///< RU ports 0 .. num_ru_ports - 1 (the receive antennas).
  unsigned carrier_prbs = 0;
  unsigned symbols_per_slot = 14;
  /// RU port of antenna 0's PRACH stream (FronthaulConfig::prach_first_ru_port()); antennas
  /// 0 .. num_ru_ports - 1 have PRACH ports prach_first_ru_port + antenna.
  unsigned prach_first_ru_port = 1;
};

/// A PRACH section the DU asked for (section type 3).
struct RuPrachRequest {
  unsigned antenna = 0;       ///< RU port - prach_first_ru_port.
  CplaneMessageHeader header; ///< Timing fields, timeOffset, frameStructure, udCompHdr.
  CplaneSection section;      ///< sectionId, numPrbc, numSymbol, freqOffset.
};

/// PRACH requests by slot of the 256-frame cycle.
using RuPrachRequestsBySlot = RequestsBySlot<RuPrachRequest>;

/// What an O-RU made of C-plane messages.
struct RuCplaneTally {
  std::size_t messages = 0;              ///< C-plane messages seen (concatenated ones included).
  std::size_t messages_ignored = 0;      ///< Malformed, downlink, not type 1, filterIndex != 0,
                                         ///< another carrier, an RU port beyond the antennas, or a
                                         ///< timing header outside the frame cycle (type 3 PRACH
                                         ///< messages are taken when a PRACH list is given), or no
                                         ///< room (messages_without_room).
  std::size_t messages_without_room = 0; ///< For this carrier, but their slot was not held and
                                         ///< the request list held its max_slots() others
                                         ///< (their sections are not looked at, nor counted).
  std::size_t sections_taken = 0;
  std::size_t sections_ignored = 0; ///< rb, ef, a partial reMask, beyond the carrier or slot.

  RuCplaneTally& operator+=(const RuCplaneTally& other);
};

/// Appends the sections of one parsed C-plane message that the O-RU serves to \p requests.
RuCplaneTally append_section_requests(const FronthaulFrameView& message, const RuCplaneScope& scope,
                                      std::vector<RuSectionRequest>& requests);

/// Requests by slot of the 256-frame cycle (FronthaulSlotClock::cycle_slot()).
using RuRequestsBySlot = RequestsBySlot<RuSectionRequest>;

/// Takes every C-plane message of an Ethernet frame (the eCPRI concatenation chain, each message
/// 4-byte aligned from the first) into \p requests under its slot, and with \p prach the type 3
/// PRACH sections into it (counted in sections_taken). A frame that does not parse counts as one
/// ignored message; U-plane messages are not counted. A message for a slot its list has no room for
/// is ignored (messages_without_room). Allocates nothing once the lists' slots have
/// grown to the largest slot they held (RequestsBySlot).
RuCplaneTally take_cplane_frame(std::span<const std::uint8_t> frame,
                                const FronthaulLinkConfig& link, const RuCplaneScope& scope,
                                const FronthaulSlotClock& clock, RuRequestsBySlot& requests,
                                RuPrachRequestsBySlot* prach = nullptr);

} // namespace airan::io
