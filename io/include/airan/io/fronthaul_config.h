/// \file
/// \brief Configuration of one O-RAN 7.2x fronthaul link as the DU ingest and the RU emulator
/// see it: what the M-plane would set (eAxC layout and ids, compression, MACs, VLAN, MTU), the
/// IQ scaling, and the reception timing (Ta4 window, slot deadline, slots in flight).
///
/// Read from an optional top-level `fronthaul:` section of a scenario YAML (configs/*.yaml);
/// every key is optional, unknown keys and bad values are errors naming the key path
/// (docs/FRONTHAUL.md, "Fronthaul configuration"):
/// \code
/// fronthaul:
///   mode: frequency_domain            # or time_domain (airan split-8 style IQ, FFT in the DU)
///   compression: bfp9                 # none (16-bit), bfp1 .. bfp16
///   dynamic_compression_header: false # udCompHdr in every section
///   eaxc_layout: [4, 4, 4, 4]         # DU port, band sector, CC, RU port bits (sum 16)
///   du_port: 0
///   band_sector: 0
///   cc: 0
///   ru_mac: "02:00:00:00:00:01"       # source of uplink U-plane frames
///   du_mac: "02:00:00:00:00:02"       # their destination
///   vlan: {id: 100, pcp: 7}           # absent: untagged frames
///   filter_by_address: true           # ingest only frames to du_mac, not tagged another VLAN
///   max_frame_size: 1500              # Ethernet payload (MTU) per frame
///   full_scale: 16.0                  # amplitude that maps to int16 32767
///   ta4_min_ns: 0
///   ta4_max_ns: 400000
///   slot_deadline_ns: 500000
///   max_slots_in_flight: 4
///   ru_tx_offset_ns: 10000            # RU emulator: send a symbol this long after its end
///   t1a_max_cp_ul_ns: 500000          # live DU: an uplink C-plane message leaves this long
///   t1a_min_cp_ul_ns: 285000          # .. this long before its first symbol (startSymbolId)
///   t2a_max_cp_ul_ns: 500000          # RU emulator: C-plane on time from this long before
///   t2a_min_cp_ul_ns: 125000          # to this long before its first symbol
///   prach_ru_port: 4                  # RU port of antenna 0's PRACH (>= the antenna count);
///                                     # absent: the antenna count
///   epoch_ns: learn                   # gps (O-RAN's GPS-time frame numbers), or an integer:
///                                     # CLOCK_REALTIME ns of frame 0's start, 0 .. 2^62
/// \endcode
#pragma once

#include "airan/io/ecpri.h"
#include "airan/io/oran_common.h"
#include "airan/phy/pusch_config.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace airan::io {

/// What the U-plane carries.
enum class FronthaulIngestMode : std::uint8_t {
  /// O-RAN 7.2x: frequency-domain PRBs of the resource grid (the RU ran the FFT).
  frequency_domain,
  /// airan split-8 style: time-domain samples of each symbol (CP included) in U-plane framing,
  /// 12 consecutive samples per "PRB" (docs/FRONTHAUL.md, "Time-domain format"); the DU runs
  /// the FFT.
  time_domain,
};

/// "frequency_domain" or "time_domain".
std::string_view to_string(FronthaulIngestMode mode);

/// One fronthaul link: one carrier (du_port, band_sector, cc) whose RU ports are the receive
/// antennas (RU port r = receive antenna r).
struct FronthaulConfig {
  FronthaulIngestMode mode = FronthaulIngestMode::frequency_domain;
  /// udCompHdr of the U-plane data: none (width 16) or block floating point (width 1 .. 16).
  IqCompression compression{CompressionMethod::block_floating_point, 9};
  /// Every section carries udCompHdr (dynamic compression); otherwise it is static.
  bool dynamic_compression_header = false;
  EaxcIdLayout eaxc_layout;
  std::uint16_t du_port = 0;     ///< DU port id of this carrier (fits eaxc_layout).
  std::uint16_t band_sector = 0; ///< Band sector id.
  std::uint16_t cc = 0;          ///< Component carrier id.
  MacAddress ru_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}; ///< Uplink source address.
  MacAddress du_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}; ///< Uplink destination address.
  /// 802.1Q tag (VLAN id and PCP; DEI 0) of every frame; none: untagged.
  std::optional<VlanTag> vlan;
  /// Ingest: drop (and count) frames whose destination is not du_mac, and, with a vlan, frames
  /// tagged with another VLAN id, as a NIC's MAC and VLAN filters would: a promiscuous port or a
  /// capture also sees other links' traffic, which may reuse this carrier's eAxC ids. Untagged
  /// frames pass (a NIC or a capture on a VLAN interface may have stripped the tag), as do
  /// priority-tagged ones (VLAN id 0). false:
  /// every frame, whatever its addresses (a capture of an O-RU whose addresses are not known).
  bool filter_by_address = true;
  /// Largest Ethernet payload (the MTU: eCPRI headers + O-RAN message, without the Ethernet
  /// header, VLAN tag and FCS). The RU emulator splits a symbol into as many U-plane messages
  /// and sections as it takes (application-layer fragmentation); the assembler accepts any
  /// split. 128 .. 9600.
  unsigned max_frame_size = 1500;
  /// Amplitude of the grid (or IQ) value that maps to int16 full scale before compression
  /// (bfp_compression.h), 2^-60 .. 2^60. The default leaves room for faded peaks of unit-power
  /// grids and IQ.
  float full_scale = 16.0F;

  /// Reception window (O-RAN Ta4 style): a packet of symbol l arriving at t is on time when
  /// ta4_min_ns <= t - start(l) <= ta4_max_ns, where start(l) is the nominal start of symbol l
  /// (the start of its cyclic prefix) at the air interface on the slot clock; early below,
  /// late above. Early and late packets are still used while their slot is pending.
  std::int64_t ta4_min_ns = 0;
  std::int64_t ta4_max_ns = 400'000;
  /// A slot not complete by its nominal end + slot_deadline_ns is dispatched partial by
  /// advance(); packets for it after that are counted too late and dropped.
  std::int64_t slot_deadline_ns = 500'000;
  /// Slots assembled at once (1 .. 64); a packet of a further slot dispatches the oldest.
  unsigned max_slots_in_flight = 4;
  /// RU emulator: nominal transmit time of a symbol's frames = end of the symbol + this.
  std::int64_t ru_tx_offset_ns = 10'000;
  /// The DU's uplink C-plane transmit window (O-RAN T1a_max_cp_ul / T1a_min_cp_ul), before the
  /// air time of the first symbol a message is for (its startSymbolId): a live L1 sends each
  /// message t1a_max_cp_ul_ns before that (at once when the UL_TTI.request came later), and
  /// counts a message sent later than t1a_min_cp_ul_ns before it as late. 0 <= min <= max <= 1 s.
  std::int64_t t1a_max_cp_ul_ns = 500'000;
  std::int64_t t1a_min_cp_ul_ns = 285'000;
  /// RU emulator: its C-plane reception window (O-RAN T2a_max_cp_ul / T2a_min_cp_ul, the DU's
  /// window less the transport delay), before the air time of each message's first symbol. A
  /// live O-RU counts each message on time, early or late against it (and still serves it), and
  /// takes symbol l's C-plane as final t2a_min_cp_ul_ns before symbol l starts.
  /// 0 <= min <= max <= 1 s.
  std::int64_t t2a_max_cp_ul_ns = 500'000;
  std::int64_t t2a_min_cp_ul_ns = 125'000;
  /// RU port of receive antenna 0's PRACH stream (section type 3 C-plane, filterIndex != 0
  /// U-plane); antenna r's is prach_ru_port + r. nullopt: the ports right after the PUSCH ones
  /// (the antenna count). See prach_first_ru_port().
  std::optional<std::uint16_t> prach_ru_port;
  /// Slot clock anchor: CLOCK_REALTIME-style ns at which frame 0 of a 256-frame cycle starts
  /// (cycles repeat every 2.56 s from it). nullopt: learned from the first valid packet, which
  /// is taken to have arrived in the middle of its Ta4 window (replay).
  std::optional<std::int64_t> epoch_ns;

  /// Empty when valid, otherwise the first problem (naming the field).
  [[nodiscard]] std::string validate() const;
  /// Empty when this fronthaul can carry \p cell, otherwise why not: in time domain, startPrbu's
  /// 10 bits number at most 1024 blocks of 12 samples per symbol (an FFT of about 11,400 points
  /// at most, CellConfig::fft_size).
  [[nodiscard]] std::string validate_carrier(const phy::CellConfig& cell) const;

  /// RU port of antenna 0's PRACH stream for \p num_rx_antennas receive antennas.
  [[nodiscard]] unsigned prach_first_ru_port(unsigned num_rx_antennas) const {
    return prach_ru_port ? *prach_ru_port : num_rx_antennas;
  }
  /// Empty when the PRACH RU ports of \p num_rx_antennas antennas stay clear of their PUSCH ports
  /// (0 .. num_rx_antennas - 1: one eAxC, one ecpriSeqid sequence and one sectionId space per
  /// stream), otherwise why not.
  [[nodiscard]] std::string check_prach_ru_ports_apart(unsigned num_rx_antennas) const {
    if (prach_first_ru_port(num_rx_antennas) < num_rx_antennas) {
      return "prach_ru_port " + std::to_string(prach_first_ru_port(num_rx_antennas)) +
             " overlaps the PUSCH RU ports 0 .. " + std::to_string(num_rx_antennas - 1) +
             " of the " + std::to_string(num_rx_antennas) + " receive antennas";
    }
    return {};
  }
};

/// "none" (16-bit, uncompressed) or "bfpN" (block floating point, N = 1 .. 16); nullopt
/// otherwise.
std::optional<IqCompression> parse_compression_name(std::string_view name);

/// Parses the `fronthaul:` section of a scenario in YAML text (the whole scenario, or a file
/// holding only that section); defaults when the section is absent. Other sections of a
/// scenario or launch pattern are left to their parsers; a top-level key none of them has (a
/// misspelled "fronthual:") is refused. \p name is used in error messages.
/// \throws ConfigError (pusch_config_file.h) naming the key path, e.g. "fronthaul.vlan.id".
FronthaulConfig parse_fronthaul_config(const std::string& yaml_text, const std::string& name);

/// Reads a scenario file and parses its `fronthaul:` section. \throws ConfigError.
FronthaulConfig load_fronthaul_config(const std::filesystem::path& path);

} // namespace airan::io
