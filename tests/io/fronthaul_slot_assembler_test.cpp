// RU emulator -> slot assembler round trips on the committed HDF5 vectors: both modes, none /
// BFP 9 / BFP 14, the assembled grid or IQ against the vector's within the compression's
// quantisation error, TBs decoded by the reference receiver, packets in any order, the pool,
// the frameId wrap and the per-packet allocation count; ecpriSeqid gaps and repeats.
#include "../support/allocation_counter.h"
#include "fronthaul_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace {

using namespace airan::io;
using airan::phy::cf32;
using airan::test::CapturedFrame;

constexpr std::int64_t epoch = 1'700'000'000'000'000'000;

FronthaulConfig config_with(FronthaulIngestMode mode, IqCompression compression) {
  FronthaulConfig config;
  config.mode = mode;
  config.compression = compression;
  config.epoch_ns = epoch;
  return config;
}

constexpr IqCompression none{CompressionMethod::none, 16};
constexpr IqCompression bfp9{CompressionMethod::block_floating_point, 9};
constexpr IqCompression bfp14{CompressionMethod::block_floating_point, 14};

/// Pushes \p frames at their transmit times and drains the assembler (after flush()).
std::vector<std::vector<cf32>> run(FronthaulSlotAssembler& assembler,
                                   const std::vector<CapturedFrame>& frames,
                                   std::vector<AssembledSlot>* slots = nullptr) {
  std::vector<std::vector<cf32>> out;
  for (const auto& frame : frames) {
    assembler.push(frame.bytes, frame.tx_ns);
  }
  assembler.flush();
  while (const AssembledSlot* slot = assembler.next_slot()) {
    if (slots != nullptr) {
      slots->push_back(*slot);
    }
    const auto& data =
        slot->mode == FronthaulIngestMode::frequency_domain
            ? std::vector<cf32>(slot->grid.elements().begin(), slot->grid.elements().end())
            : slot->iq;
    out.push_back(data);
    assembler.release(slot);
  }
  return out;
}

struct RoundTrip {
  double snr_db = 0.0;
  double max_error = 0.0;
  double peak = 0.0;
};

RoundTrip round_trip(const char* vector_name, FronthaulIngestMode mode, IqCompression compression,
                     bool decode) {
  const TestVectorReader reader(airan::test::committed_vector(vector_name));
  const auto& header = reader.header();
  const FronthaulConfig config = config_with(mode, compression);
  RuEmulator emulator(header.cell, header.num_rx_antennas, config);
  FronthaulSlotAssembler assembler(header.cell, header.num_rx_antennas, config);
  airan::test::SlotDecoder decoder(header.cell, header.num_rx_antennas);
  RoundTrip result{300.0, 0.0, 0.0};
  TestVectorSlot slot;
  for (std::size_t i = 0; i < reader.num_slots(); ++i) {
    reader.read_slot(i, slot);
    std::vector<CapturedFrame> frames;
    airan::test::capture_slot(emulator, slot, static_cast<std::int64_t>(slot.absolute_slot), epoch,
                              frames);
    for (const auto& frame : frames) {
      EXPECT_LE(frame.bytes.size(), 14 + config.max_frame_size);
    }
    std::vector<AssembledSlot> assembled;
    const auto data = run(assembler, frames, &assembled);
    EXPECT_EQ(data.size(), 1U);
    if (data.size() != 1) {
      continue;
    }
    const AssembledSlot& a = assembled[0];
    EXPECT_TRUE(a.complete());
    EXPECT_EQ(a.reason, SlotDispatchReason::complete);
    EXPECT_EQ(a.slot, slot.slot);
    EXPECT_EQ(a.absolute_slot, static_cast<std::int64_t>(slot.absolute_slot));
    EXPECT_EQ(a.stats.packets, frames.size());
    EXPECT_EQ(a.stats.on_time, frames.size()); // sent at symbol end + 10 us, window [0, 400 us]
    EXPECT_EQ(a.stats.missing_units, 0U);
    const std::span<const cf32> reference = mode == FronthaulIngestMode::frequency_domain
                                                ? slot.grid.elements()
                                                : std::span<const cf32>(slot.iq);
    EXPECT_EQ(data[0].size(), reference.size());
    if (data[0].size() != reference.size()) {
      continue;
    }
    result.snr_db = std::min(result.snr_db, airan::test::snr_db(reference, data[0]));
    for (std::size_t k = 0; k < reference.size(); ++k) {
      result.max_error = std::max<double>(result.max_error, std::abs(data[0][k] - reference[k]));
      result.peak = std::max<double>(
          result.peak, std::max(std::abs(reference[k].real()), std::abs(reference[k].imag())));
    }
    if (decode) {
      const auto ok = decoder.decode(a, slot);
      for (std::size_t p = 0; p < ok.size(); ++p) {
        EXPECT_TRUE(ok[p]) << vector_name << " slot " << i << " PDU " << p;
      }
    }
  }
  const auto& c = assembler.counters();
  EXPECT_EQ(c.malformed(), 0U);
  EXPECT_EQ(c.slots_complete, reader.num_slots());
  EXPECT_EQ(c.sequence_gaps, 0U);
  EXPECT_EQ(c.duplicate_units, 0U);
  EXPECT_EQ(c.missing_units, 0U);
  return result;
}

// No compression: 16-bit values of step full_scale / 32768, so every value is within half a
// step (plus float rounding) and nothing saturates (the vectors' peaks stay below full_scale).
TEST(FronthaulSlotAssembler, UncompressedRoundTripIsExactToHalfAnInt16Step) {
  const float step = FronthaulConfig{}.full_scale / 32768.0F;
  for (const auto mode :
       {FronthaulIngestMode::frequency_domain, FronthaulIngestMode::time_domain}) {
    const auto r = round_trip(airan::test::vector_2ue, mode, none, true);
    EXPECT_LT(r.peak, FronthaulConfig{}.full_scale);
    EXPECT_LE(r.max_error, step * 0.5 * std::sqrt(2.0) * 1.001) << to_string(mode);
    std::printf("none, %s: SNR %.1f dB, max error %.2e, peak %.2f\n",
                std::string(to_string(mode)).c_str(), r.snr_db, r.max_error, r.peak);
  }
  const auto r =
      round_trip(airan::test::vector_273prb, FronthaulIngestMode::frequency_domain, none, false);
  EXPECT_LE(r.max_error, step * 0.5 * std::sqrt(2.0) * 1.001);
  EXPECT_LT(r.peak, FronthaulConfig{}.full_scale);
}

// BFP: per PRB the step is 2^e with e = max(0, b - w) (docs/FRONTHAUL.md); the quantisation SNR
// of a PRB of uniform values is 6.02 w - 2.50 dB. Grid and IQ values are Gaussian-like (a
// PRB's peak is ~2.5 rms rather than 1.73), which costs up to ~6 dB against that figure. Where
// e = 0 (values below 2^(w-1) int16 steps: most PRBs at 14 bits with full_scale 16) the step is
// the int16 step, so BFP 14 is bounded by the uncompressed SNR instead.
TEST(FronthaulSlotAssembler, BfpRoundTripIsWithinTheQuantisationBoundAndDecodes) {
  double snr9 = 0.0;
  for (const auto mode :
       {FronthaulIngestMode::frequency_domain, FronthaulIngestMode::time_domain}) {
    const auto r16 = round_trip(airan::test::vector_2ue, mode, none, false);
    const auto r9 = round_trip(airan::test::vector_2ue, mode, bfp9, true);
    const auto r14 = round_trip(airan::test::vector_2ue, mode, bfp14, true);
    std::printf("%s: BFP9 SNR %.1f dB, BFP14 SNR %.1f dB\n", std::string(to_string(mode)).c_str(),
                r9.snr_db, r14.snr_db);
    EXPECT_GE(r9.snr_db, 6.02 * 9 - 2.5 - 6.0) << to_string(mode);
    EXPECT_LE(r9.snr_db, 6.02 * 9 - 2.5 + 6.0) << to_string(mode); // it is really compressed
    EXPECT_GE(r14.snr_db, std::min(6.02 * 14 - 2.5 - 6.0, r16.snr_db - 0.5)) << to_string(mode);
    EXPECT_LE(r14.snr_db, r16.snr_db + 0.5) << to_string(mode);
    EXPECT_GE(r14.snr_db, r9.snr_db + 20.0) << to_string(mode);
    snr9 = r9.snr_db;
  }
  // 273 PRB, 4 Rx, 2 layers of 256-QAM at 32 dB: BFP 9 (~50 dB) still decodes.
  const auto r =
      round_trip(airan::test::vector_273prb, FronthaulIngestMode::frequency_domain, bfp9, true);
  EXPECT_GE(r.snr_db, 6.02 * 9 - 2.5 - 6.0);
  EXPECT_GT(snr9, 0.0);
}

// Every packet of six slots (two vector slots at three frame numbers) shuffled and split into
// 200-byte-payload frames (several messages per symbol); dynamic udCompHdr, VLAN, other eAxC
// ids. Each slot still assembles completely and every TB decodes, in both modes.
TEST(FronthaulSlotAssembler, ShuffledPacketsOfSeveralSlotsStillDecode) {
  const TestVectorReader reader(airan::test::committed_vector(airan::test::vector_2ue));
  const auto& header = reader.header();
  for (const auto mode :
       {FronthaulIngestMode::frequency_domain, FronthaulIngestMode::time_domain}) {
    FronthaulConfig config = config_with(mode, bfp9);
    config.max_frame_size = 200;
    config.dynamic_compression_header = true;
    config.vlan = VlanTag{3, false, 77};
    config.eaxc_layout = {2, 6, 4, 4};
    config.du_port = 1;
    config.band_sector = 33;
    config.cc = 2;
    config.epoch_ns.reset(); // learned from the first packet
    config.slot_deadline_ns = 100'000'000;
    config.max_slots_in_flight = 6; // all six are open at once
    RuEmulator emulator(header.cell, header.num_rx_antennas, config);
    FronthaulSlotAssembler assembler(header.cell, header.num_rx_antennas, config);
    std::vector<TestVectorSlot> slots(reader.num_slots());
    std::vector<CapturedFrame> frames;
    for (std::int64_t frame = 0; frame < 3; ++frame) {
      for (std::size_t i = 0; i < slots.size(); ++i) {
        reader.read_slot(i, slots[i]);
        airan::test::capture_slot(emulator, slots[i], frame * 10 + slots[i].slot, epoch, frames);
      }
    }
    std::mt19937 rng(7);
    std::shuffle(frames.begin(), frames.end(), rng);
    std::vector<AssembledSlot> assembled;
    run(assembler, frames, &assembled);
    ASSERT_EQ(assembled.size(), 3 * slots.size()) << to_string(assembler.counters());
    airan::test::SlotDecoder decoder(header.cell, header.num_rx_antennas);
    for (const auto& a : assembled) {
      EXPECT_TRUE(a.complete());
      const auto& slot = a.slot == slots[0].slot ? slots[0] : slots[1];
      for (const bool ok : decoder.decode(a, slot)) {
        EXPECT_TRUE(ok) << to_string(mode) << " slot " << a.absolute_slot;
      }
    }
    const auto& c = assembler.counters();
    EXPECT_EQ(c.slots_complete, 6U);
    EXPECT_EQ(c.malformed(), 0U);
    EXPECT_GT(c.sequence_gaps, 0U); // reordered
    EXPECT_EQ(c.early + c.on_time + c.late, frames.size());
  }
}

// Absolute slots across the 256-frame wrap (frameId 255 -> 0) with a configured epoch.
TEST(FronthaulSlotAssembler, SlotsAcrossTheFrameIdWrapKeepTheirAbsoluteNumbers) {
  const TestVectorReader reader(airan::test::committed_vector(airan::test::vector_2ue));
  const auto& header = reader.header();
  const FronthaulConfig config = config_with(FronthaulIngestMode::frequency_domain, bfp9);
  RuEmulator emulator(header.cell, header.num_rx_antennas, config);
  FronthaulSlotAssembler assembler(header.cell, header.num_rx_antennas, config);
  TestVectorSlot slot;
  reader.read_slot(0, slot);
  const std::int64_t cycle = 2560; // slots per 256 frames at mu 0
  std::vector<CapturedFrame> frames;
  for (const std::int64_t absolute : {3 * cycle - 20, 3 * cycle - 10, 3 * cycle, 3 * cycle + 10}) {
    airan::test::capture_slot(emulator, slot, absolute + slot.slot, epoch, frames);
  }
  std::vector<AssembledSlot> assembled;
  run(assembler, frames, &assembled);
  ASSERT_EQ(assembled.size(), 4U);
  EXPECT_EQ(assembled[0].absolute_slot, 3 * cycle - 20 + slot.slot);
  EXPECT_EQ(assembled[0].frame_id, 254);
  EXPECT_EQ(assembled[1].frame_id, 255);
  EXPECT_EQ(assembled[2].frame_id, 0);
  EXPECT_EQ(assembled[2].absolute_slot, 3 * cycle + slot.slot);
  EXPECT_EQ(assembled[3].frame_id, 1);
  EXPECT_EQ(assembled[3].absolute_slot, 3 * cycle + 10 + slot.slot);
  EXPECT_EQ(assembled[3].subframe_id, slot.slot);
  EXPECT_EQ(assembler.counters().slots_complete, 4U);
}

// max_slots_in_flight 1 with two slots interleaved: the older one is dispatched partial by pool
// pressure; late packets of it are then too late; and push() allocates nothing.
TEST(FronthaulSlotAssembler, PoolPressureDispatchesTheOldestAndNothingAllocatesPerPacket) {
  const TestVectorReader reader(airan::test::committed_vector(airan::test::vector_2ue));
  const auto& header = reader.header();
  FronthaulConfig config = config_with(FronthaulIngestMode::frequency_domain, bfp9);
  config.max_slots_in_flight = 1;
  RuEmulator emulator(header.cell, header.num_rx_antennas, config);
  FronthaulSlotAssembler assembler(header.cell, header.num_rx_antennas, config);
  TestVectorSlot slot;
  reader.read_slot(0, slot);
  std::vector<CapturedFrame> a;
  std::vector<CapturedFrame> b;
  airan::test::capture_slot(emulator, slot, slot.slot, epoch, a);
  airan::test::capture_slot(emulator, slot, 10 + slot.slot, epoch, b);
  const long before = airan::test::allocation_count();
  assembler.push(a[0].bytes, a[0].tx_ns);
  assembler.push(b[0].bytes, b[0].tx_ns); // slot b opens: slot a leaves partial
  assembler.push(a[1].bytes, a[1].tx_ns); // too late now
  for (std::size_t i = 1; i < b.size(); ++i) {
    assembler.push(b[i].bytes, b[i].tx_ns);
  }
  const AssembledSlot* first = assembler.next_slot();
  const AssembledSlot* second = assembler.next_slot();
  EXPECT_EQ(airan::test::allocation_count(), before);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->reason, SlotDispatchReason::pool_pressure);
  EXPECT_FALSE(first->complete());
  EXPECT_EQ(first->stats.packets, 1U);
  EXPECT_EQ(second->reason, SlotDispatchReason::complete);
  const auto& c = assembler.counters();
  EXPECT_EQ(c.slots_pool_pressure, 1U);
  EXPECT_EQ(c.too_late, 1U);
  EXPECT_EQ(c.slots_complete, 1U);
  assembler.release(first);
  assembler.release(second);
  EXPECT_EQ(assembler.next_slot(), nullptr);
  // The missing units of the partial slot are zero.
  EXPECT_EQ(c.missing_units, std::uint64_t{header.num_rx_antennas} * 14 * 106 - 53);
}

// A C-plane request for part of the carrier: only those PRBs are sent, with their sectionIds.
TEST(FronthaulSlotAssembler, CplaneRequestsLimitWhatTheEmulatorSends) {
  const TestVectorReader reader(airan::test::committed_vector(airan::test::vector_2ue));
  const auto& header = reader.header();
  const FronthaulConfig config = config_with(FronthaulIngestMode::frequency_domain, bfp9);
  RuEmulator emulator(header.cell, header.num_rx_antennas, config);
  TestVectorSlot slot;
  reader.read_slot(0, slot);
  // One C-plane frame per RU port: section 7, PRBs 10..29, symbols 2..5.
  std::vector<RuSectionRequest> requests;
  for (std::uint16_t rx = 0; rx < header.num_rx_antennas; ++rx) {
    FronthaulFrameHeader fh;
    fh.eaxc_id = pack_eaxc_id({0, 0, 0, rx}, config.eaxc_layout);
    CplaneMessageHeader message;
    message.timing.symbol_id = 2;
    CplaneSection section;
    section.section_id = 7;
    section.start_prb = 10;
    section.num_prbs = 20;
    section.num_symbols = 4;
    std::vector<std::uint8_t> bytes(256);
    bytes.resize(write_cplane_frame(bytes, fh, message, std::span(&section, 1)));
    const auto parsed = parse_fronthaul_frame(bytes, {config.eaxc_layout, {}});
    ASSERT_TRUE(parsed.ok());
    const RuCplaneTally tally =
        append_section_requests(parsed.frame, emulator.cplane_scope(), requests);
    ASSERT_EQ(tally.sections_taken, 1U);
    ASSERT_EQ(tally.messages_ignored + tally.sections_ignored, 0U);
  }
  std::vector<CapturedFrame> frames;
  airan::test::capture_slot(emulator, slot, slot.slot, epoch, frames, requests);
  ASSERT_EQ(frames.size(), header.num_rx_antennas * 4U);
  FronthaulSlotAssembler assembler(header.cell, header.num_rx_antennas, config);
  std::vector<AssembledSlot> assembled;
  run(assembler, frames, &assembled);
  ASSERT_EQ(assembled.size(), 1U);
  EXPECT_EQ(assembled[0].reason, SlotDispatchReason::flush);
  EXPECT_TRUE(assembled[0].allocation_received(10, 20, 2, 4));
  EXPECT_FALSE(assembled[0].allocation_received(9, 20, 2, 4));
  EXPECT_FALSE(assembled[0].allocation_received(10, 20, 1, 4));
  for (const auto& frame : frames) {
    const auto parsed = parse_fronthaul_frame(frame.bytes, {config.eaxc_layout, {}});
    ASSERT_TRUE(parsed.ok());
    for (const auto& section : parsed.frame.uplane.sections) {
      EXPECT_EQ(section.header.section_id, 7);
    }
  }
}

// PRACH / filtered U-plane messages (filterIndex != 0) are not grid data, on any RU port (a
// PUSCH port too) and of any size (72 PRACH PRBs on a 52-PRB carrier): counted as
// filtered_messages, no slot opened, the running clock not moved; PUSCH data still goes in.
TEST(FronthaulSlotAssembler, FilteredMessagesAreCountedAndSkipped) {
  airan::phy::CellConfig cell;
  cell.num_prbs = 52;
  cell.numerology = 0;
  constexpr unsigned num_rx = 2;
  const FronthaulConfig config = config_with(FronthaulIngestMode::frequency_domain, none);
  FronthaulSlotAssembler assembler(cell, num_rx, config);
  const FronthaulSlotClock& clock = assembler.clock();
  const std::int64_t absolute_slot = 3 * clock.slots_per_cycle() + 17;
  const std::int64_t arrival = clock.symbol_start_ns(epoch, absolute_slot, 1) + 50'000;
  const auto frame = [&](unsigned ru_port, std::uint8_t filter_index, std::uint8_t num_prbs) {
    FronthaulFrameHeader header;
    header.ethernet.destination = config.du_mac;
    header.eaxc_id =
        pack_eaxc_id({0, 0, 0, static_cast<std::uint16_t>(ru_port)}, config.eaxc_layout);
    OranTimingHeader timing = clock.timing_header(static_cast<std::uint64_t>(absolute_slot), 0);
    timing.filter_index = filter_index;
    std::vector<std::uint8_t> bytes(8000);
    UplaneFrameWriter writer(bytes, header, timing, {none, false, 255});
    UplaneSectionHeader section;
    section.num_prbs = num_prbs;
    const auto prbs = writer.add_section(section, none);
    std::fill(prbs.begin(), prbs.end(), std::uint8_t{1});
    const auto finished = writer.finish();
    EXPECT_FALSE(finished.empty());
    return std::vector<std::uint8_t>(finished.begin(), finished.end());
  };
  EXPECT_FALSE(assembler.push(frame(0, 1, 52), arrival));      // a PUSCH port
  EXPECT_FALSE(assembler.push(frame(num_rx, 1, 72), arrival)); // the first PRACH port
  EXPECT_FALSE(assembler.push(frame(num_rx + 1, 2, 72), arrival));
  const FronthaulCounters& c = assembler.counters();
  EXPECT_EQ(c.filtered_messages, 3U);
  EXPECT_EQ(c.malformed() + c.unknown_eaxc + c.early + c.on_time + c.late, 0U);
  EXPECT_EQ(assembler.pending_slots(), 0U);
  EXPECT_FALSE(assembler.arrival_clock_ns().has_value());
  EXPECT_NE(to_string(c).find("filtered_messages 3"), std::string::npos);
  EXPECT_TRUE(assembler.push(frame(0, 0, 52), arrival));
  EXPECT_EQ(assembler.pending_slots(), 1U);
  EXPECT_EQ(c.on_time, 1U);
  EXPECT_EQ(assembler.arrival_clock_ns(), arrival);
}

// ecpriSeqid per eAxC: a message ahead of the next id counts a gap and the ids it skipped; a
// repeat or an overtaken message is behind, counted apart, and leaves the sequence where it was,
// so the next message in order counts no gap.
TEST(FronthaulSlotAssembler, SequenceIdsBehindAreNotGaps) {
  airan::phy::CellConfig cell;
  cell.num_prbs = 52;
  cell.numerology = 0;
  const FronthaulConfig config = config_with(FronthaulIngestMode::frequency_domain, none);
  FronthaulSlotAssembler assembler(cell, 1, config);
  const FronthaulSlotClock& clock = assembler.clock();
  const std::int64_t absolute_slot = 3 * clock.slots_per_cycle() + 17;
  const std::int64_t arrival = clock.symbol_start_ns(epoch, absolute_slot, 1) + 50'000;
  const auto frame = [&](std::uint8_t sequence_id, unsigned symbol) {
    FronthaulFrameHeader header;
    header.ethernet.destination = config.du_mac;
    header.sequence.sequence_id = sequence_id;
    const OranTimingHeader timing =
        clock.timing_header(static_cast<std::uint64_t>(absolute_slot), symbol);
    std::vector<std::uint8_t> bytes(8000);
    UplaneFrameWriter writer(bytes, header, timing, {none, false, 255});
    UplaneSectionHeader section;
    section.num_prbs = 52;
    const auto prbs = writer.add_section(section, none);
    std::fill(prbs.begin(), prbs.end(), std::uint8_t{1});
    const auto finished = writer.finish();
    return std::vector<std::uint8_t>(finished.begin(), finished.end());
  };
  // 250, 251, 251 (repeat), 250 (overtaken), 252, 255 (253, 254 lost), 0 (the wrap), 1.
  unsigned symbol = 0;
  for (const std::uint8_t id : {250, 251, 251, 250, 252, 255, 0, 1}) {
    (void)assembler.push(frame(id, symbol++ % 14), arrival);
  }
  const FronthaulCounters& c = assembler.counters();
  EXPECT_EQ(c.sequence_gaps, 1U);
  EXPECT_EQ(c.sequence_ids_skipped, 2U);
  EXPECT_EQ(c.sequence_ids_behind, 2U);
  EXPECT_NE(to_string(c).find("sequence_ids_behind 2"), std::string::npos);
}

} // namespace
