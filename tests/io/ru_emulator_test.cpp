// The RU emulator on its own (frame sizes, headers, sequence ids, transmit times, errors), the
// pcap export replayed through the assembler with a learned anchor, the Ta4 classification and
// the window checks of the assembler, and eCPRI concatenation.
#include "fronthaul_test_helpers.h"

#include "airan/io/pcap_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace {

using namespace airan::io;
namespace phy = airan::phy;
using airan::test::CapturedFrame;

constexpr std::int64_t emulator_epoch = 1'650'000'000'000'000'000;

struct EmulatorFixture {
  TestVectorReader reader{airan::test::committed_vector(airan::test::vector_2ue)};
  TestVectorSlot slot;
  EmulatorFixture() { reader.read_slot(0, slot); }
  const phy::CellConfig& cell() const { return reader.header().cell; }
  unsigned num_rx() const { return reader.header().num_rx_antennas; }
};

TEST(RuEmulator, FramesFitTheMtuAndCarryTheConfiguredHeaders) {
  EmulatorFixture f;
  FronthaulConfig config;
  config.vlan = VlanTag{5, false, 300};
  config.max_frame_size = 700;
  config.eaxc_layout = {4, 4, 4, 4};
  config.du_port = 2;
  config.band_sector = 1;
  config.cc = 3;
  config.ru_tx_offset_ns = 7000;
  RuEmulator emulator(f.cell(), f.num_rx(), config);
  EXPECT_EQ(emulator.units_per_frame(), (700U - 8 - 4 - 4) / 28);
  std::vector<CapturedFrame> frames;
  const std::int64_t absolute = 1230 + f.slot.slot;
  airan::test::capture_slot(emulator, f.slot, absolute, emulator_epoch, frames);
  const FronthaulLinkConfig link{config.eaxc_layout, {config.compression, false, 106}};
  const FronthaulSlotClock clock(0, phy::CyclicPrefix::normal);
  std::map<unsigned, unsigned> next_sequence;
  std::map<std::pair<unsigned, unsigned>, unsigned> prbs; // (rx, symbol) -> PRBs
  std::int64_t last_tx = 0;
  for (const auto& frame : frames) {
    EXPECT_LE(frame.bytes.size(), 18 + config.max_frame_size);
    const auto parsed = parse_fronthaul_frame(frame.bytes, link);
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    const auto& v = parsed.frame;
    EXPECT_EQ(v.ecpri.ethernet.source, config.ru_mac);
    EXPECT_EQ(v.ecpri.ethernet.destination, config.du_mac);
    EXPECT_EQ(v.ecpri.ethernet.vlan, config.vlan);
    EXPECT_EQ(v.eaxc.du_port, 2);
    EXPECT_EQ(v.eaxc.band_sector, 1);
    EXPECT_EQ(v.eaxc.cc, 3);
    const unsigned rx = v.eaxc.ru_port;
    ASSERT_LT(rx, f.num_rx());
    EXPECT_EQ(v.ecpri.message.header.sequence.sequence_id, next_sequence[rx]++ % 256);
    EXPECT_TRUE(v.ecpri.message.header.sequence.last_fragment);
    const auto& t = v.uplane.timing;
    EXPECT_EQ(t.direction, DataDirection::uplink);
    EXPECT_EQ(t.frame_id, 123);
    EXPECT_EQ(t.subframe_id, f.slot.slot);
    EXPECT_EQ(t.slot_id, 0);
    const std::int64_t symbol_end = clock.symbol_start_ns(emulator_epoch, absolute, t.symbol_id) +
                                    clock.symbol_duration_ns(f.slot.slot, t.symbol_id);
    EXPECT_EQ(frame.tx_ns, symbol_end + 7000);
    EXPECT_GE(frame.tx_ns, last_tx);
    last_tx = frame.tx_ns;
    for (const auto& section : v.uplane.sections) {
      unsigned& sent = prbs[std::make_pair(rx, unsigned{t.symbol_id})];
      EXPECT_EQ(section.header.start_prb, sent); // in order, no gaps
      sent += section.num_prbs;
    }
  }
  EXPECT_EQ(prbs.size(), f.num_rx() * 14U);
  for (const auto& [key, count] : prbs) {
    EXPECT_EQ(count, 106U);
  }
  // Sequence ids continue in the next slot.
  std::vector<CapturedFrame> more;
  airan::test::capture_slot(emulator, f.slot, absolute + 10, emulator_epoch, more);
  const auto parsed = parse_fronthaul_frame(more[0].bytes, link);
  EXPECT_EQ(parsed.frame.ecpri.message.header.sequence.sequence_id, next_sequence[0] % 256);
}

/// Frames of a slot sent in symbol ranges [0, 5), [5, 9), [9, 14) by a fresh emulator.
std::vector<CapturedFrame> capture_in_pieces(const EmulatorFixture& f, std::int64_t absolute,
                                             std::span<const RuSectionRequest> requests) {
  RuEmulator emulator(f.cell(), f.num_rx(), FronthaulConfig{});
  std::vector<CapturedFrame> frames;
  const auto sink = [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
    frames.push_back({{frame.begin(), frame.end()}, tx_ns});
  };
  for (const auto& [first, end] : {std::pair{0U, 5U}, {5U, 9U}, {9U, 99U}}) {
    emulator.packetize_symbols(f.slot, absolute, emulator_epoch, sink, requests, first, end);
  }
  return frames;
}

TEST(RuEmulator, ASlotSentInSymbolRangesIsTheSlotSentWhole) {
  EmulatorFixture f;
  const std::int64_t absolute = 1230 + f.slot.slot;
  const auto same = [&](std::span<const RuSectionRequest> requests) {
    RuEmulator whole(f.cell(), f.num_rx(), FronthaulConfig{});
    std::vector<CapturedFrame> expected;
    airan::test::capture_slot(whole, f.slot, absolute, emulator_epoch, expected, requests);
    const auto pieces = capture_in_pieces(f, absolute, requests);
    ASSERT_EQ(pieces.size(), expected.size());
    ASSERT_FALSE(pieces.empty());
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      EXPECT_EQ(pieces[i].bytes, expected[i].bytes) << "frame " << i;
      EXPECT_EQ(pieces[i].tx_ns, expected[i].tx_ns) << "frame " << i;
    }
  };
  same({}); // every PRB: sectionIds count across the pieces
  // Sections that start in one piece and go on in the next, and one in the last piece only.
  std::vector<RuSectionRequest> requests;
  for (unsigned antenna = 0; antenna < f.num_rx(); ++antenna) {
    const auto rx = static_cast<std::uint16_t>(antenna);
    RuSectionRequest pusch{rx, 0, {}};
    pusch.section.section_id = 3;
    pusch.section.start_prb = 4;
    pusch.section.num_prbs = 20;
    pusch.section.num_symbols = 14;
    RuSectionRequest pucch{rx, 7, {}};
    pucch.section.section_id = 9;
    pucch.section.start_prb = 100;
    pucch.section.num_prbs = 1;
    pucch.section.num_symbols = 4;
    RuSectionRequest late{rx, 12, {}};
    late.section.section_id = 11;
    late.section.start_prb = 0;
    late.section.num_prbs = 2;
    late.section.num_symbols = 2;
    requests.insert(requests.end(), {pusch, pucch, late});
  }
  same(requests);
}

TEST(RuEmulator, RejectsSlotsItCannotSend) {
  EmulatorFixture f;
  FronthaulConfig config;
  RuEmulator emulator(f.cell(), f.num_rx(), config);
  const auto sink = [](std::span<const std::uint8_t>, std::int64_t) {};
  EXPECT_THROW(emulator.packetize_slot(f.slot, f.slot.slot + 1, emulator_epoch, sink),
               std::invalid_argument); // slot number mismatch
  TestVectorSlot wrong = f.slot;
  wrong.grid = phy::ResourceGrid(1, 14, 12 * 106);
  EXPECT_THROW(emulator.packetize_slot(wrong, f.slot.slot, emulator_epoch, sink),
               std::invalid_argument);
  config.mode = FronthaulIngestMode::time_domain;
  RuEmulator time(f.cell(), f.num_rx(), config);
  wrong = f.slot;
  wrong.iq.resize(wrong.iq.size() - 1);
  EXPECT_THROW(time.packetize_slot(wrong, f.slot.slot, emulator_epoch, sink),
               std::invalid_argument);
  const RuSectionRequest request{};
  EXPECT_THROW(
      time.packetize_slot(f.slot, f.slot.slot, emulator_epoch, sink, std::span(&request, 1)),
      std::invalid_argument);
  config.eaxc_layout = {6, 6, 3, 1};
  EXPECT_THROW(RuEmulator(f.cell(), 4, config), std::invalid_argument); // 1 RU port bit
  config = {};
  config.compression = {CompressionMethod::none, 8};
  EXPECT_THROW(RuEmulator(f.cell(), 2, config), std::invalid_argument);
  EXPECT_THROW(FronthaulSlotAssembler(f.cell(), 2, config), std::invalid_argument);
  EXPECT_THROW(FronthaulSlotAssembler(f.cell(), 0, FronthaulConfig{}), std::invalid_argument);
}

// The pcap export replayed: records in time order, and the assembler learns its anchor from the
// first packet and rebuilds both slots exactly as sent (none: within half an int16 step).
TEST(RuEmulator, PcapExportReplaysThroughTheAssemblerWithALearnedAnchor) {
  EmulatorFixture f;
  FronthaulConfig config;
  config.mode = FronthaulIngestMode::time_domain;
  const auto path = std::filesystem::temp_directory_path() / "airan_ru_emulator_test.pcap";
  const std::int64_t start = 1'764'000'000'000'000'000;
  const std::size_t frames = write_vector_to_pcap(f.reader, config, path, start);
  PcapReader pcap(path);
  FronthaulSlotAssembler assembler(f.cell(), f.num_rx(), config);
  PcapRecord record;
  std::size_t records = 0;
  std::uint64_t last = 0;
  std::vector<AssembledSlot> slots;
  while (pcap.next(record)) {
    ++records;
    EXPECT_GE(record.timestamp_ns, last);
    last = record.timestamp_ns;
    assembler.push(record.data, static_cast<std::int64_t>(record.timestamp_ns));
    assembler.advance(static_cast<std::int64_t>(record.timestamp_ns));
    while (const AssembledSlot* slot = assembler.next_slot()) {
      slots.push_back(*slot);
      assembler.release(slot);
    }
  }
  std::filesystem::remove(path);
  EXPECT_EQ(records, frames);
  ASSERT_TRUE(assembler.epoch_ns().has_value());
  ASSERT_EQ(slots.size(), f.reader.num_slots());
  TestVectorSlot slot;
  airan::test::SlotDecoder decoder(f.cell(), f.num_rx());
  for (std::size_t i = 0; i < slots.size(); ++i) {
    f.reader.read_slot(i, slot);
    EXPECT_TRUE(slots[i].complete());
    EXPECT_EQ(slots[i].slot, slot.slot);
    EXPECT_EQ(slots[i].stats.on_time, slots[i].stats.packets);
    EXPECT_GT(airan::test::snr_db(slot.iq, slots[i].iq), 45.0);
    for (const bool ok : decoder.decode(slots[i], slot)) {
      EXPECT_TRUE(ok);
    }
  }
  // The learned anchor puts the first slot's start where the pcap says it is, to within the
  // difference between the assumed (mid-window) and the real delay.
  const std::int64_t learned_start = slots[0].nominal_start_ns;
  EXPECT_NEAR(static_cast<double>(learned_start), static_cast<double>(start), 200'000.0);
}

TEST(FronthaulSlotAssembler, Ta4WindowAndSlotWindow) {
  EmulatorFixture f;
  FronthaulConfig config;
  config.epoch_ns = emulator_epoch;
  config.ta4_min_ns = 50'000;
  config.ta4_max_ns = 150'000;
  RuEmulator emulator(f.cell(), f.num_rx(), config);
  std::vector<CapturedFrame> frames;
  const std::int64_t absolute = 500 + f.slot.slot;
  airan::test::capture_slot(emulator, f.slot, absolute, emulator_epoch, frames);
  FronthaulSlotAssembler assembler(f.cell(), f.num_rx(), config);
  const FronthaulSlotClock& clock = assembler.clock();
  // frames[0] is symbol 0 of antenna 0: early, on time at both edges, late.
  const std::int64_t s0 = clock.symbol_start_ns(emulator_epoch, absolute, 0);
  assembler.push(frames[0].bytes, s0 + 49'999);
  assembler.push(frames[0].bytes, s0 + 50'000);
  assembler.push(frames[0].bytes, s0 + 150'000);
  assembler.push(frames[0].bytes, s0 + 150'001);
  auto c = assembler.counters();
  EXPECT_EQ(c.early, 1U);
  EXPECT_EQ(c.on_time, 2U);
  EXPECT_EQ(c.late, 1U);
  EXPECT_EQ(c.duplicate_packets, 3U);
  EXPECT_EQ(c.sequence_gaps, 0U); // the same id again: behind the last, not a gap
  EXPECT_EQ(c.sequence_ids_behind, 3U);
  // Deadline: advance() just before leaves it pending, just after dispatches it.
  const std::int64_t deadline =
      clock.slot_start_ns(emulator_epoch, absolute + 1) + config.slot_deadline_ns;
  assembler.advance(deadline);
  EXPECT_EQ(assembler.next_slot(), nullptr);
  assembler.advance(deadline + 1);
  const AssembledSlot* slot = assembler.next_slot();
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(slot->reason, SlotDispatchReason::deadline);
  EXPECT_EQ(slot->stats.packets, 4U);
  EXPECT_EQ(slot->stats.empty_symbols, f.num_rx() * 14U - 1);
  assembler.release(slot);
  // After the deadline: too late; a slot 10 slots ahead of the arrival time: too early.
  std::vector<CapturedFrame> later;
  airan::test::capture_slot(emulator, f.slot, absolute + 10, emulator_epoch, later);
  assembler.push(frames[1].bytes, deadline + 1);
  assembler.push(later[0].bytes, s0);
  c = assembler.counters();
  EXPECT_EQ(c.too_late, 1U);
  EXPECT_EQ(c.too_early, 1U);
  EXPECT_EQ(c.slots_deadline, 1U);
  EXPECT_NE(to_string(c).find("too_early 1\n"), std::string::npos);
  EXPECT_EQ(to_string(c).find("no_buffer"), std::string::npos);
}

// Two U-plane messages in one frame (eCPRI C bit, 4-byte aligned) both land in the slot.
TEST(FronthaulSlotAssembler, ConcatenatedEcpriMessagesAreEachHandled) {
  EmulatorFixture f;
  FronthaulConfig config;
  config.epoch_ns = emulator_epoch;
  RuEmulator emulator(f.cell(), f.num_rx(), config);
  std::vector<CapturedFrame> frames;
  airan::test::capture_slot(emulator, f.slot, f.slot.slot, emulator_epoch, frames);
  // frames[0] and frames[1]: symbol 0 of antenna 0, PRBs 0..52 and 53..105.
  std::vector<std::uint8_t> joined = frames[0].bytes;
  joined[14] |= 0x01; // C bit
  while ((joined.size() - 14) % 4 != 0) {
    joined.push_back(0);
  }
  joined.insert(joined.end(), frames[1].bytes.begin() + 14, frames[1].bytes.end());
  FronthaulSlotAssembler assembler(f.cell(), f.num_rx(), config);
  assembler.push(joined, frames[0].tx_ns);
  assembler.flush();
  const AssembledSlot* slot = assembler.next_slot();
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(slot->units_received(0, 0), 106U);
  EXPECT_EQ(assembler.counters().concatenated_messages, 1U);
  EXPECT_EQ(assembler.counters().on_time, 2U);
  EXPECT_EQ(assembler.counters().packets, 1U);
  assembler.release(slot);
}

} // namespace
