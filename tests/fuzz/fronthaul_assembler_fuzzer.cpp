// libFuzzer target for the fronthaul slot assembler: the first byte picks the configuration
// (frequency or time domain, compression, static or dynamic udCompHdr, slots in flight with or
// without the MAC and VLAN filter, a given or learned clock anchor), the rest is a sequence of
// records [u16 length][u8 time step][frame] pushed at a clock that advances by step * 7 us (step
// 255: no frame; the clock advances by 254 * 7 us, or with a non-zero length jumps by (signed
// 16-bit length) ms, back or forward up to 32 s, so that outliers, resyncs and epoch relearns are
// reached; then advance() runs). At the end flush() and every slot is drained. Checked: every
// dispatched slot's coverage is consistent (received units <= units per symbol, missing counts add
// up), the counters account for every packet exactly once (a packet of a slot discarded by an epoch
// relearn moves to epoch_mismatch), the timing-repair counters are bounded by the messages that
// drive them, and nothing crashes.
//
// Every frame also goes to a FronthaulPrachAssembler, first as the DU's C-plane
// (expect_cplane_frame), then as received U-plane (push); advance records advance it too, and it
// is flushed and drained at the end (max_occasions 1: a new expectation pushes the one before
// out, partial, once an advance record passed the end of its window, and is refused (no_room)
// before, so the pool paths are reached). So that its U-plane paths are reachable,
// each run first registers one valid expectation: a format 0 occasion in cycle slot 40,
// sectionId 0, antenna 0's PRACH eAxC (RU port 2). Checked: every occasion's shape, and that
// each expectation left exactly once (complete or partial) or was counted refused, the missing
// PRBs adding up.
//
// Seeds: with AIRAN_FUZZ_WRITE_SEEDS=DIR the binary writes RU-emulator captures (two slots, a
// few configurations) and one PRACH occasion (its C-plane and U-plane) in the record format to
// DIR (tests/fuzz/seeds/fronthaul_assembler).
#include "airan/io/fronthaul_prach_assembler.h"
#include "airan/io/fronthaul_slot_assembler.h"
#include "airan/io/oran_prach.h"
#include "airan/io/ru_emulator.h"

#include "fuzz_seeds.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::io;
using airan::phy::cf32;

airan::phy::CellConfig fuzz_cell() {
  airan::phy::CellConfig cell;
  cell.num_prbs = 12;
  cell.numerology = 1;
  return cell;
}

constexpr unsigned num_rx = 2;

FronthaulConfig config_from(std::uint8_t selector) {
  FronthaulConfig config;
  config.mode = (selector & 1) != 0 ? FronthaulIngestMode::time_domain
                                    : FronthaulIngestMode::frequency_domain;
  constexpr IqCompression compressions[4] = {{CompressionMethod::block_floating_point, 9},
                                             {CompressionMethod::none, 16},
                                             {CompressionMethod::block_floating_point, 14},
                                             {CompressionMethod::block_floating_point, 5}};
  config.compression = compressions[(selector >> 1) & 3];
  config.dynamic_compression_header = (selector & 8) != 0;
  config.max_slots_in_flight = 1 + ((selector >> 4) & 3);
  if ((selector & 0x40) != 0) {
    config.epoch_ns = 0;
  }
  config.max_frame_size = (selector & 0x80) != 0 ? 300 : 1500;
  // The MAC and VLAN filter with 4 slots in flight only (none of the seeds): frames to other
  // addresses reach the parsers otherwise.
  config.filter_by_address = (selector & 0x30) == 0x30;
  if (config.filter_by_address) {
    config.vlan = VlanTag{7, false, 100};
  }
  return config;
}

void check(bool condition) {
  if (!condition) {
    __builtin_trap();
  }
}

void check_slot(const AssembledSlot& slot) {
  unsigned missing = 0;
  unsigned incomplete = 0;
  for (unsigned rx = 0; rx < slot.num_rx_antennas(); ++rx) {
    for (unsigned l = 0; l < slot.num_symbols(); ++l) {
      const unsigned received = slot.units_received(rx, l);
      check(received <= slot.units_per_symbol(l));
      missing += slot.units_per_symbol(l) - received;
      incomplete += received < slot.units_per_symbol(l) ? 1 : 0;
    }
  }
  check(missing == slot.stats.missing_units);
  check(incomplete == slot.stats.incomplete_symbols);
  check(slot.complete() == (missing == 0));
  check(slot.stats.early + slot.stats.on_time + slot.stats.late == slot.stats.packets);
}

/// The occasion every run expects first (see the file comment): its request, timing and the
/// C-plane frame that asks for it.
struct FuzzPrachOccasion {
  OranPrachRequest request;
  OranTimingHeader timing;
  std::vector<std::uint8_t> cplane;
};

const FuzzPrachOccasion& fuzz_prach_occasion() {
  static const FuzzPrachOccasion occasion = [] {
    const auto cell = fuzz_cell();
    const auto numerology = airan::phy::carrier_numerology(cell);
    const FronthaulSlotClock clock(cell.numerology, cell.cyclic_prefix);
    constexpr unsigned cycle_slot = 40;
    airan::phy::PrachConfig prach;
    prach.format = airan::phy::PrachFormat::f0;
    const auto request =
        oran_prach_request(prach, numerology, cell.num_prbs, clock.slot_in_frame(cycle_slot));
    check(request.error.empty());
    FuzzPrachOccasion o;
    o.request = request.request;
    o.timing = clock.timing_header(cycle_slot, 0);
    CplaneMessageHeader header;
    header.timing = o.timing;
    CplaneSection section;
    fill_prach_cplane(o.request, {}, 0, header, section);
    FronthaulFrameHeader frame_header;
    frame_header.eaxc_id = pack_eaxc_id({0, 0, 0, num_rx}, EaxcIdLayout{});
    o.cplane.resize(256);
    o.cplane.resize(write_cplane_frame(o.cplane, frame_header, header, std::span(&section, 1)));
    check(!o.cplane.empty());
    return o;
  }();
  return occasion;
}

/// The shapes FronthaulPrachAssembler promises (its header): numPrbc 1..96, numSymbol 1..12 and
/// numPrbc x numSymbol up to 384.
void check_occasion(const AssembledPrach& occasion) {
  constexpr unsigned max_prbs = 96;
  constexpr unsigned max_periods = 12;
  constexpr unsigned max_prb_periods = 384;
  check(occasion.num_antennas == num_rx);
  check(occasion.num_periods >= 1 && occasion.num_periods <= max_periods);
  check(occasion.num_res >= 12 && occasion.num_res <= 12 * max_prbs && occasion.num_res % 12 == 0);
  check(occasion.num_periods * (occasion.num_res / 12) <= max_prb_periods);
  check(occasion.values.size() ==
        std::size_t{occasion.num_antennas} * occasion.num_periods * occasion.num_res);
  check(occasion.missing_prbs <= num_rx * occasion.num_periods * occasion.num_res / 12);
}

void drain_prach(FronthaulPrachAssembler& prach, std::uint64_t& missing) {
  while (const AssembledPrach* occasion = prach.next_occasion()) {
    check_occasion(*occasion);
    missing += occasion->missing_prbs;
    prach.release(occasion);
  }
}

void write_seeds(const std::string& dir) {
  const auto cell = fuzz_cell();
  std::mt19937 rng(1);
  std::normal_distribution<float> gauss(0.0F, 0.5F);
  for (const std::uint8_t selector : {0x00, 0x01, 0x0A, 0x43, 0x84, 0x25}) {
    const FronthaulConfig config = config_from(selector);
    RuEmulator emulator(cell, num_rx, config);
    std::vector<std::uint8_t> out{selector};
    std::int64_t clock = 10'000'000; // where the fuzzer's clock starts
    for (std::int64_t absolute = 40; absolute < 42; ++absolute) {
      TestVectorSlot slot;
      slot.slot = static_cast<unsigned>(absolute % 20);
      slot.grid = airan::phy::ResourceGrid(num_rx, 14, 12 * cell.num_prbs);
      const auto numerology =
          airan::phy::Numerology::for_carrier(1, cell.cyclic_prefix, cell.num_prbs);
      slot.iq.resize(std::size_t{num_rx} * numerology.slot_length(slot.slot));
      for (auto& x : slot.grid.elements()) {
        x = {gauss(rng), gauss(rng)};
      }
      for (auto& x : slot.iq) {
        x = {gauss(rng), gauss(rng)};
      }
      emulator.packetize_slot(
          slot, absolute, 0, [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
            while (tx_ns - clock > 254 * 7000) { // an advance record
              out.insert(out.end(), {0, 0, 255});
              clock += 254 * 7000;
            }
            const auto step = static_cast<std::uint8_t>(
                std::min<std::int64_t>(std::max<std::int64_t>((tx_ns - clock) / 7000, 0), 254));
            clock += std::int64_t{step} * 7000;
            out.push_back(static_cast<std::uint8_t>(frame.size() >> 8));
            out.push_back(static_cast<std::uint8_t>(frame.size()));
            out.push_back(step);
            out.insert(out.end(), frame.begin(), frame.end());
          });
    }
    airan::fuzz::write_seed_file(dir + "/seed_" + std::to_string(selector), out);
  } // PRACH: the expected occasion's C-plane, then the O-RU's answer on antenna 0 (complete).
  const FuzzPrachOccasion& occasion = fuzz_prach_occasion();
  std::vector<std::uint8_t> out{0x40};
  const auto append = [&](std::span<const std::uint8_t> frame) {
    out.insert(out.end(), {static_cast<std::uint8_t>(frame.size() >> 8),
                           static_cast<std::uint8_t>(frame.size()), 0});
    out.insert(out.end(), frame.begin(), frame.end());
  };
  append(occasion.cplane);
  const FronthaulConfig config = config_from(0x40);
  FronthaulFrameHeader header;
  header.eaxc_id = pack_eaxc_id({0, 0, 0, num_rx}, config.eaxc_layout);
  OranTimingHeader timing = occasion.timing;
  timing.filter_index = occasion.request.filter_index;
  timing.symbol_id = occasion.request.start_symbol;
  std::vector<std::uint8_t> bytes(8192);
  UplaneFrameWriter writer(bytes, header, timing, {config.compression, false, 255});
  UplaneSectionHeader section;
  section.num_prbs = occasion.request.num_prbs;
  const auto prbs = writer.add_section(section, config.compression);
  std::vector<cf32> values(std::size_t{12} * section.num_prbs);
  for (auto& x : values) {
    x = {gauss(rng), gauss(rng)};
  }
  create_iq_compressor()->compress(values, config.compression, config.full_scale, prbs);
  append(writer.finish());
  airan::fuzz::write_seed_file(dir + "/seed_prach", out);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  airan::fuzz::write_seeds_when_asked(write_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  const FronthaulConfig config = config_from(data[0]);
  FronthaulSlotAssembler assembler(fuzz_cell(), num_rx, config);
  FronthaulPrachAssembler prach(fuzz_cell(), num_rx, config, 1);
  check(prach.expect_cplane_frame(fuzz_prach_occasion().cplane) == 1);
  std::uint64_t prach_missing = 0;
  std::span<const std::uint8_t> rest(data + 1, size - 1);
  // The first packet's time: 20 slots in, so that a given epoch (0) is in range.
  std::int64_t now = 10'000'000;
  std::uint64_t pushed = 0;
  while (rest.size() >= 3) {
    const std::size_t length = (std::size_t{rest[0]} << 8) | rest[1];
    const std::uint8_t step = rest[2];
    rest = rest.subspan(3);
    if (step == 255) {
      now += length == 0 ? 254 * 7000 : std::int64_t{static_cast<std::int16_t>(length)} * 1'000'000;
      assembler.advance(now);
      prach.advance(now, assembler.epoch_ns().value_or(0));
      drain_prach(prach, prach_missing);
      continue;
    }
    now += std::int64_t{step} * 7000;
    const std::size_t n = std::min(length, rest.size());
    assembler.push(rest.first(n), now);
    prach.expect_cplane_frame(rest.first(n));
    prach.push(rest.first(n), now);
    drain_prach(prach, prach_missing);
    ++pushed;
    rest = rest.subspan(n);
    while (const AssembledSlot* slot = assembler.next_slot()) {
      check_slot(*slot);
      assembler.release(slot);
    }
  }
  assembler.flush();
  while (const AssembledSlot* slot = assembler.next_slot()) {
    check_slot(*slot);
    assembler.release(slot);
  }
  prach.flush();
  drain_prach(prach, prach_missing);
  const FronthaulPrachCounters& p = prach.counters();
  check(prach.pending() == 0);
  check(p.complete + p.partial == p.expected); // dropped ones were dispatched first
  check(p.dropped <= p.complete + p.partial);
  check(p.no_room <= p.expect_refused); // refused for room: never expected, never dispatched
  check(p.missing_prbs >= prach_missing && (p.partial == 0) == (p.missing_prbs == 0));
  check(p.malformed + p.unknown_eaxc <= p.messages);
  const FronthaulCounters& c = assembler.counters();
  check(c.packets == pushed);
  check(c.early + c.on_time + c.late + c.malformed() + c.other_destination + c.other_vlan +
            c.cplane + c.wrong_direction + c.unknown_eaxc + c.filtered_messages +
            c.fragmented_unsupported + c.too_late + c.too_early + c.epoch_mismatch + c.no_buffer ==
        c.packets + c.concatenated_messages);
  // Outlying arrival times are counted in addition to their outcome; a resync or a relearn
  // follows resync_after - 1 counted messages.
  constexpr unsigned run = FronthaulSlotAssembler::resync_after - 1;
  check(c.arrival_outliers + c.clock_resyncs <= c.packets + c.concatenated_messages);
  check(c.clock_resyncs * run <= c.arrival_outliers);
  check(c.epoch_relearns * run <= c.epoch_mismatch);
  check(c.slots_discarded == 0 || c.epoch_relearns > 0);
  return 0;
}
