// libFuzzer target for the fronthaul protocol code: the first byte picks what the M-plane would
// have configured (eAxC field widths, static or dynamic U-plane compression and its width, the
// carrier's PRBs), the rest is an Ethernet frame parsed through eCPRI into a U-plane or C-plane
// message. Every parsed view must lie inside the input; every U-plane section is decompressed
// into a symbol by every IqCompressor implementation, which must agree bit for bit (the SIMD
// kernels fed arbitrary compressed bytes). The same bytes are also read as a bare eCPRI message
// chain (concatenation), as an emulated O-RU reads the DU's C-plane (take_cplane_frame, and the
// messages' arrival against its T2a window: tally_cplane_arrival), as a live DU times a C-plane
// frame (first_cplane_message_start) and,
// when they start with a pcap magic number, as a capture file whose records go through the same
// frame parser.
#include "airan/io/cplane_timing_window.h"
#include "airan/io/fronthaul_frame.h"
#include "airan/io/pcap_file.h"
#include "airan/io/ru_cplane_requests.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace {

using namespace airan::io;
using airan::phy::cf32;

constexpr std::array<EaxcIdLayout, 4> layouts = {
    {{4, 4, 4, 4}, {2, 6, 4, 4}, {1, 1, 1, 13}, {8, 0, 0, 8}}};
constexpr std::array<IqCompression, 8> compressions = {{
    {CompressionMethod::block_floating_point, 8},
    {CompressionMethod::block_floating_point, 9},
    {CompressionMethod::block_floating_point, 12},
    {CompressionMethod::block_floating_point, 14},
    {CompressionMethod::block_floating_point, 16},
    {CompressionMethod::none, 16},
    {CompressionMethod::block_floating_point, 1},
    {CompressionMethod::block_floating_point, 5},
}};
constexpr std::array<std::uint16_t, 4> carriers = {273, 106, 1023, 24};

/// Byte 0: bits 0-1 layout, 2-4 static compression, 5 dynamic udCompHdr, 6-7 carrier.
FronthaulLinkConfig config_from(std::uint8_t selector) {
  FronthaulLinkConfig config;
  config.eaxc_layout = layouts[selector & 3];
  config.uplane.compression = compressions[(selector >> 2) & 7];
  config.uplane.ud_comp_hdr_present = (selector & 0x20) != 0;
  config.uplane.carrier_prbs = carriers[selector >> 6];
  return config;
}

bool inside(std::span<const std::uint8_t> view, std::span<const std::uint8_t> whole) {
  return view.empty() ||
         (view.data() >= whole.data() && view.data() + view.size() <= whole.data() + whole.size());
}

void check(bool condition) {
  if (!condition) {
    __builtin_trap();
  }
}

struct Compressors {
  std::vector<std::unique_ptr<IqCompressor>> all;
  Compressors() {
    for (const BfpImpl impl : bfp_supported_impls()) {
      all.push_back(create_iq_compressor(impl));
    }
  }
};

bool decompressible(const IqCompression& c) {
  return (c.method == CompressionMethod::none && c.iq_width == 16) ||
         (c.method == CompressionMethod::block_floating_point && c.iq_width >= 1 &&
          c.iq_width <= 16);
}

void fuzz_frame(std::span<const std::uint8_t> frame, const FronthaulLinkConfig& config) {
  static const Compressors compressors;
  static std::vector<cf32> reference(1023 * 12);
  static std::vector<cf32> symbol(1023 * 12);
  const auto result = parse_fronthaul_frame(frame, config);
  if (!result.ok()) {
    check(!result.error().empty());
    return;
  }
  const auto& message = result.frame.ecpri.message;
  check(inside(message.application_payload, frame) && inside(message.rest, frame));
  if (result.frame.plane == FronthaulPlane::uplane) {
    unsigned count = 0;
    for (const auto& section : result.frame.uplane.sections) {
      ++count;
      check(inside(section.prbs, frame));
      check(section.prbs.size() == section.num_prbs * *compressed_prb_size(section.compression));
      if (!decompressible(section.compression)) {
        continue;
      }
      const std::size_t carrier_res = config.uplane.carrier_prbs * std::size_t{12};
      for (std::size_t i = 0; i < compressors.all.size(); ++i) {
        auto& out = i == 0 ? reference : symbol;
        std::memset(out.data(), 0, carrier_res * sizeof(cf32));
        decompress_section(section, *compressors.all[i], 1.0F, std::span(out).first(carrier_res));
        if (i > 0) {
          // Bit for bit (the values are finite: integers times 2^-15).
          check(std::memcmp(reference.data(), symbol.data(), carrier_res * sizeof(cf32)) == 0);
        }
      }
    }
    check(count == result.frame.uplane.num_sections && count > 0);
  } else {
    unsigned count = 0;
    for (const auto& view : result.frame.cplane.sections) {
      ++count;
      check(inside(view.extensions, frame));
      check(view.section.has_extensions || view.extensions.empty());
    }
    check(count == result.frame.cplane.header.num_sections);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  const FronthaulLinkConfig config = config_from(data[0]);
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  fuzz_frame(bytes, config);

  // The same bytes as a chain of concatenated eCPRI messages (4-byte aligned).
  auto message = parse_ecpri_message(bytes);
  for (unsigned i = 1; message.ok() && i < ecpri_max_concatenated_messages; ++i) {
    check(inside(message.message.application_payload, bytes) &&
          inside(message.message.rest, bytes));
    if (!message.message.header.concatenated) {
      break;
    }
    message = next_concatenated_message(bytes, message.message);
  }

  // The frame as an emulated O-RU reads the DU's C-plane: every request it keeps lies inside
  // the carrier and the slot, and the tally accounts for each section kept.
  {
    RuCplaneScope scope;
    scope.num_ru_ports = 4;
    scope.carrier_prbs = config.uplane.carrier_prbs;
    const FronthaulSlotClock clock(data[0] & 3, airan::phy::CyclicPrefix::normal);
    scope.symbols_per_slot = clock.symbols_per_slot();
    RuRequestsBySlot requests;
    const RuCplaneTally tally = take_cplane_frame(bytes, config, scope, clock, requests);
    check(tally.messages_ignored <= tally.messages && tally.messages <= 256);
    check(tally.messages_without_room <= tally.messages_ignored);
    std::size_t kept = 0;
    for (const auto& [slot, list] : requests) {
      check(slot < clock.slots_per_cycle() && !list.empty());
      for (const auto& request : list) {
        const CplaneSection& section = request.section;
        const unsigned prbs = section.num_prbs == 0 ? scope.carrier_prbs : section.num_prbs;
        check(request.ru_port < scope.num_ru_ports);
        check(section.start_prb + prbs <= scope.carrier_prbs);
        check(section.num_symbols >= 1 &&
              request.start_symbol + section.num_symbols <= scope.symbols_per_slot);
        check(!section.every_other_prb && !section.has_extensions && section.re_mask == 0xFFF);
      }
      kept += list.size();
    }
    check(kept == tally.sections_taken);
    // A live O-RU's count of the same frame against its T2a window: each C-plane message the
    // O-RU took or ignored above counted once, classified or not (a chain cut short included).
    const CplaneArrivalTally arrival = tally_cplane_arrival(
        bytes, clock, 1'000'000'000, 1'000'000'000 + 37'000'000, CplaneWindow{500'000, 125'000});
    check(arrival.total() == tally.messages);
    // Where a live DU times the frame (its first C-plane message): a slot and symbol of the
    // clock, and then that message was classified against its window.
    if (const auto start = first_cplane_message_start(bytes, clock)) {
      check(start->cycle_slot < clock.slots_per_cycle());
      check(start->symbol < clock.symbols_per_slot());
      check(arrival.on_time + arrival.early + arrival.late >= 1);
    }
  }

  // A capture file of frames.
  if (bytes.size() >= 4) {
    std::uint32_t magic = 0;
    std::memcpy(&magic, bytes.data(), 4);
    if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D || magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1) {
      try {
        auto reader = PcapReader::from_bytes(bytes, "fuzz");
        PcapRecord record;
        while (reader.next(record)) {
          // At most the snaplen (a longer record is cut to it, as libpcap does) and 64 MiB; the
          // original length may be below the captured one (kept, as libpcap does).
          check(record.data.size() <= (std::size_t{1} << 26));
          check(reader.snaplen() == 0 || record.data.size() <= reader.snaplen());
          fuzz_frame(record.data, config);
        }
      } catch (const PcapError&) {
      }
    }
  }
  return 0;
}
