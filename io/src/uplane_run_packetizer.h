/// \file
/// \brief How an emulated O-RU cuts a run of units (PRBs, or time-domain blocks) of one eAxC and
/// symbol into U-plane frames of at most max_frame_size bytes of Ethernet payload, each holding
/// as many sections of at most max_units_per_section units as fit (application-layer
/// fragmentation). Shared by RuEmulator (PUSCH grid, time-domain IQ) and RuPrachEmulator (PRACH
/// sections); private to io/src.
#pragma once

#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_frame.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace airan::io {

/// What every frame of a run shares.
struct UplaneRun {
  FronthaulFrameHeader header; ///< Ethernet and eAxC; the sequence is set per frame.
  OranTimingHeader timing;
  UplaneFormat format;
  IqCompression compression;
  std::size_t message_limit = 0;        ///< Bytes of O-RAN message a frame may carry.
  std::size_t section_header_bytes = 0; ///< A section header (with udCompHdr when dynamic).
  std::size_t unit_bytes = 0;           ///< One compressed unit.
  unsigned max_units_per_section = 255;
  std::uint16_t section_id = 0;   ///< The first section's; see count_section_ids.
  bool count_section_ids = false; ///< Each section takes the next id (section_id is left after).
};

/// What a run on \p config's link takes from it: the uplink Ethernet header (RU to DU), the eAxC
/// of RU port \p ru_port, the compression and the message size the MTU leaves.
inline UplaneRun uplane_run_on_link(const FronthaulConfig& config, unsigned ru_port) {
  UplaneRun run;
  run.header.ethernet.destination = config.du_mac;
  run.header.ethernet.source = config.ru_mac;
  run.header.ethernet.vlan = config.vlan;
  run.header.eaxc_id = pack_eaxc_id(
      {config.du_port, config.band_sector, config.cc, static_cast<std::uint16_t>(ru_port)},
      config.eaxc_layout);
  run.compression = config.compression;
  run.message_limit =
      config.max_frame_size - ecpri_common_header_size - ecpri_transport_header_size;
  return run;
}

/// Sends units [\p first, \p first + \p count) of \p run as frames built in \p buffer:
/// compress(first_unit, units, out) writes a section's compressed units, sink(frame) takes each
/// finished frame; \p sequence_id is the eAxC's ecpriSeqid, advanced per frame. Returns the
/// frames sent. \throws std::logic_error (naming \p who) when a unit cannot fit a frame.
template <typename Compress, typename Sink>
std::size_t packetize_uplane_run(std::span<std::uint8_t> buffer, UplaneRun& run,
                                 std::uint8_t& sequence_id, unsigned first, unsigned count,
                                 Compress&& compress, Sink&& sink, const char* who) {
  std::size_t frames = 0;
  unsigned unit = first;
  const unsigned end = first + count;
  while (unit < end) {
    run.header.sequence = {sequence_id++, true, 0};
    UplaneFrameWriter writer(buffer, run.header, run.timing, run.format);
    std::size_t used = oran_timing_header_size;
    while (unit < end) {
      const std::size_t fit =
          used + run.section_header_bytes < run.message_limit
              ? (run.message_limit - used - run.section_header_bytes) / run.unit_bytes
              : 0;
      const auto n = static_cast<unsigned>(
          std::min<std::size_t>({fit, end - unit, run.max_units_per_section}));
      if (n == 0) {
        break;
      }
      UplaneSectionHeader section;
      section.section_id = static_cast<std::uint16_t>(run.section_id & 0xFFF);
      section.start_prb = static_cast<std::uint16_t>(unit);
      section.num_prbs = static_cast<std::uint8_t>(n);
      const auto out = writer.add_section(section, run.compression);
      if (out.size() != n * run.unit_bytes) {
        throw std::logic_error(std::string(who) + ": U-plane section did not fit");
      }
      compress(unit, n, out);
      used += run.section_header_bytes + n * run.unit_bytes;
      unit += n;
      if (run.count_section_ids) {
        run.section_id = static_cast<std::uint16_t>(run.section_id + 1);
      }
    }
    const auto frame = writer.finish();
    if (frame.empty()) {
      throw std::logic_error(std::string(who) + ": U-plane frame could not be finished");
    }
    sink(frame);
    ++frames;
  }
  return frames;
}

} // namespace airan::io
