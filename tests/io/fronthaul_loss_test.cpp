// Lossy, reordered, polluted fronthaul: 5 % of the frames of 24 slots dropped at random, the
// rest shuffled within batches of four slots, malformed / truncated / oversize / foreign frames
// and duplicates mixed in. Every slot is still dispatched, the counters account for exactly
// what was dropped and injected, and every PDU whose PRBs and symbols all arrived decodes.
#include "fronthaul_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <tuple>

namespace {

using namespace airan::io;
namespace phy = airan::phy;
using airan::test::CapturedFrame;

constexpr std::int64_t loss_epoch = 1'600'000'000'000'000'000;
constexpr std::size_t eth = 14; // untagged frames: eCPRI header at 14, O-RAN message at 22

struct Injected {
  std::vector<std::vector<std::uint8_t>> frames;
  FronthaulCounters expected; ///< Only the counters the injected frames move.
};

void set_be16(std::vector<std::uint8_t>& f, std::size_t at, unsigned value) {
  f[at] = static_cast<std::uint8_t>(value >> 8);
  f[at + 1] = static_cast<std::uint8_t>(value);
}

unsigned be16(const std::vector<std::uint8_t>& f, std::size_t at) {
  return (unsigned{f[at]} << 8) | f[at + 1];
}

/// Three broken copies of \p good per malformed or foreign case.
Injected make_bad_frames(const std::vector<std::uint8_t>& good) {
  Injected out;
  auto& e = out.expected;
  const auto add = [&](std::vector<std::uint8_t> f) { out.frames.push_back(std::move(f)); };
  for (int copy = 0; copy < 3; ++copy) {
    add({good.begin(), good.begin() + 10});
    ++e.ecpri_malformed[static_cast<std::size_t>(EcpriParseStatus::truncated_ethernet_header)];
    auto f = good;
    set_be16(f, 12, 0x0800); // IPv4
    add(f);
    ++e.ecpri_malformed[static_cast<std::size_t>(EcpriParseStatus::not_ecpri)];
    f = good;
    f[eth] = static_cast<std::uint8_t>((2 << 4) | (f[eth] & 0x0F));
    add(f);
    ++e.ecpri_malformed[static_cast<std::size_t>(EcpriParseStatus::bad_revision)];
    f = good;
    set_be16(f, eth + 2, be16(f, eth + 2) + 100); // claims more than the frame holds
    add(f);
    ++e.ecpri_malformed[static_cast<std::size_t>(EcpriParseStatus::payload_size_exceeds_frame)];
    f = good;
    f.resize(f.size() - 5); // cut inside the last PRB, eCPRI size adjusted
    set_be16(f, eth + 2, be16(f, eth + 2) - 5);
    add(f);
    ++e.uplane_malformed[static_cast<std::size_t>(UplaneParseStatus::truncated_prbs)];
    f = good;
    f[27] = static_cast<std::uint8_t>((f[27] & 0xFC) | 0x01); // startPrbu += 256: oversize
    add(f);
    ++e.uplane_malformed[static_cast<std::size_t>(UplaneParseStatus::prbs_outside_carrier)];
    f = good;
    f[eth + 8] |= 0x80; // dataDirection downlink
    add(f);
    ++e.wrong_direction;
    f = good;
    f[eth + 4] = static_cast<std::uint8_t>(0x30 | (f[eth + 4] & 0x0F)); // DU port 3
    add(f);
    ++e.unknown_eaxc;
    f = good;
    f[eth + 10] = static_cast<std::uint8_t>((12 << 4) | (f[eth + 10] & 0x0F)); // subframe 12
    add(f);
    ++e.bad_timing_fields;
    f = good;
    f[eth + 7] = 0x00; // E bit 0, subsequence 0: first of several transport fragments
    add(f);
    ++e.fragmented_unsupported;
    f = good;
    f[5] ^= 0x40; // to another DU's MAC address: the filter drops it unparsed
    add(f);
    ++e.other_destination;
    f = good;
    f[eth + 1] = 2; // real-time control: parsed as a C-plane message (malformed one)
    add(f);
  }
  return out;
}

struct LossRun {
  std::size_t undamaged_pdus = 0;
  std::size_t damaged_pdus = 0;
  std::size_t damaged_decoded = 0;
};

LossRun run_lossy(FronthaulIngestMode mode) {
  const TestVectorReader reader(airan::test::committed_vector(airan::test::vector_2ue));
  const auto& header = reader.header();
  const unsigned num_rx = header.num_rx_antennas;
  FronthaulConfig config;
  config.mode = mode;
  config.max_frame_size = 9000; // one frame per PDU (or per symbol) and antenna
  config.epoch_ns = loss_epoch;
  RuEmulator emulator(header.cell, num_rx, config);
  FronthaulSlotAssembler assembler(header.cell, num_rx, config);
  airan::test::SlotDecoder decoder(header.cell, num_rx);
  const auto numerology = phy::carrier_numerology(header.cell);
  std::vector<TestVectorSlot> vector_slots(reader.num_slots());
  for (std::size_t i = 0; i < vector_slots.size(); ++i) {
    reader.read_slot(i, vector_slots[i]);
  }

  std::mt19937 rng(2024);
  std::bernoulli_distribution lose(0.05);
  std::uniform_int_distribution<std::int64_t> jitter(0, 50'000);
  const FronthaulLinkConfig link{config.eaxc_layout,
                                 {config.compression, false, 65535}}; // any unit count
  std::uint64_t expected_units = 0;
  std::uint64_t delivered_units = 0;
  std::map<std::tuple<std::int64_t, unsigned, unsigned>, unsigned> delivered_per_row;
  FronthaulCounters expected_bad;
  std::size_t injected = 0;
  std::size_t duplicates = 0;
  std::size_t lost = 0;
  LossRun result;
  std::vector<AssembledSlot> assembled;

  constexpr unsigned num_slots = 24;
  constexpr unsigned batch = 4;
  for (unsigned first = 0; first < num_slots; first += batch) {
    std::vector<CapturedFrame> frames;
    std::vector<bool> duplicate; // pushed twice in a row
    for (unsigned s = first; s < first + batch; ++s) {
      const TestVectorSlot& slot = vector_slots[s % vector_slots.size()];
      const std::int64_t absolute = std::int64_t{s / 2} * 10 + slot.slot;
      std::vector<RuSectionRequest> requests;
      if (mode == FronthaulIngestMode::frequency_domain) {
        for (std::size_t p = 0; p < slot.pdus.size(); ++p) {
          const auto& pdu = slot.pdus[p].config;
          for (std::uint16_t rx = 0; rx < num_rx; ++rx) {
            CplaneSection section;
            section.section_id = static_cast<std::uint16_t>(p + 1);
            section.start_prb = static_cast<std::uint16_t>(pdu.bwp_start + pdu.prb_start);
            section.num_prbs = static_cast<std::uint8_t>(pdu.prb_size);
            section.num_symbols = static_cast<std::uint8_t>(pdu.num_symbols);
            requests.push_back({rx, static_cast<std::uint8_t>(pdu.start_symbol), section});
          }
        }
      }
      std::vector<CapturedFrame> slot_frames;
      airan::test::capture_slot(emulator, slot, absolute, loss_epoch, slot_frames, requests);
      for (unsigned l = 0; l < 14; ++l) {
        const unsigned units = mode == FronthaulIngestMode::frequency_domain
                                   ? header.cell.num_prbs
                                   : (numerology.symbol_length(slot.slot, l) + 11) / 12;
        expected_units += std::uint64_t{units} * num_rx;
      }
      for (auto& frame : slot_frames) {
        const auto parsed = parse_fronthaul_frame(frame.bytes, link);
        EXPECT_TRUE(parsed.ok());
        unsigned units = 0;
        for (const auto& section : parsed.frame.uplane.sections) {
          units += section.num_prbs;
        }
        if (lose(rng)) {
          ++lost;
          continue;
        }
        delivered_units += units;
        delivered_per_row[{absolute, parsed.frame.eaxc.ru_port,
                           parsed.frame.uplane.timing.symbol_id}] += units;
        frame.tx_ns += jitter(rng);
        frames.push_back(frame);
        duplicate.push_back(frames.size() % 97 == 0);
        duplicates += duplicate.back() ? 1 : 0;
      }
    }
    auto bad = make_bad_frames(frames[frames.size() / 2].bytes);
    for (std::size_t i = 0; i < bad.expected.ecpri_malformed.size(); ++i) {
      expected_bad.ecpri_malformed[i] += bad.expected.ecpri_malformed[i];
    }
    for (std::size_t i = 0; i < bad.expected.uplane_malformed.size(); ++i) {
      expected_bad.uplane_malformed[i] += bad.expected.uplane_malformed[i];
    }
    expected_bad.wrong_direction += bad.expected.wrong_direction;
    expected_bad.unknown_eaxc += bad.expected.unknown_eaxc;
    expected_bad.other_destination += bad.expected.other_destination;
    expected_bad.bad_timing_fields += bad.expected.bad_timing_fields;
    expected_bad.fragmented_unsupported += bad.expected.fragmented_unsupported;
    injected += bad.frames.size();
    // Shuffle the batch's good frames (a duplicate right behind its original) and put the bad
    // ones in between.
    std::vector<std::size_t> order(frames.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    std::shuffle(order.begin(), order.end(), rng);
    std::int64_t last_arrival = 0;
    std::size_t next_bad = 0;
    for (const std::size_t i : order) {
      assembler.push(frames[i].bytes, frames[i].tx_ns);
      if (duplicate[i]) {
        assembler.push(frames[i].bytes, frames[i].tx_ns);
      }
      if (next_bad < bad.frames.size() && i % 5 == 0) {
        assembler.push(bad.frames[next_bad++], frames[i].tx_ns);
      }
      last_arrival = std::max(last_arrival, frames[i].tx_ns);
    }
    for (; next_bad < bad.frames.size(); ++next_bad) {
      assembler.push(bad.frames[next_bad], last_arrival);
    }
    assembler.advance(last_arrival + config.slot_deadline_ns + 1'000'000);
    while (const AssembledSlot* slot = assembler.next_slot()) {
      assembled.push_back(*slot);
      assembler.release(slot);
    }
  }
  assembler.flush();
  EXPECT_EQ(assembler.next_slot(), nullptr); // advance() already dispatched everything

  const FronthaulCounters& c = assembler.counters();
  SCOPED_TRACE(to_string(c));
  EXPECT_EQ(assembled.size(), num_slots);
  EXPECT_EQ(c.slots_complete + c.slots_deadline, num_slots);
  EXPECT_EQ(c.slots_pool_pressure + c.slots_flushed + c.slots_overrun, 0U);
  EXPECT_GT(lost, 0U);
  // Loss: every unit that was not delivered is missing, row by row.
  EXPECT_EQ(c.missing_units, expected_units - delivered_units);
  EXPECT_EQ(c.units, delivered_units);
  std::uint64_t incomplete_rows = 0;
  std::uint64_t stats_missing = 0;
  std::uint64_t nonzero_missing = 0; // samples of units that never arrived but are not zero
  for (const auto& a : assembled) {
    stats_missing += a.stats.missing_units;
    for (unsigned rx = 0; rx < num_rx; ++rx) {
      for (unsigned l = 0; l < 14; ++l) {
        const auto it = delivered_per_row.find({a.absolute_slot, rx, l});
        const unsigned delivered = it == delivered_per_row.end() ? 0 : it->second;
        EXPECT_EQ(a.units_received(rx, l), delivered);
        incomplete_rows += delivered < a.units_per_symbol(l) ? 1 : 0;
        // What never arrived is zero (the buffers held earlier slots' data before).
        std::size_t symbol_begin = 0;
        for (unsigned k = 0; k < l && mode == FronthaulIngestMode::time_domain; ++k) {
          symbol_begin += numerology.symbol_length(a.slot, k);
        }
        for (unsigned u = 0; u < a.units_per_symbol(l); ++u) {
          if (a.unit_received(rx, l, u)) {
            continue;
          }
          for (unsigned k = 0; k < 12; ++k) {
            const auto value = mode == FronthaulIngestMode::frequency_domain
                                   ? a.grid.at(rx, l, 12 * u + k)
                                   : (12 * u + k < numerology.symbol_length(a.slot, l)
                                          ? a.iq[rx * a.iq_samples_per_antenna + symbol_begin +
                                                 std::size_t{12} * u + k]
                                          : phy::cf32{});
            nonzero_missing += value == phy::cf32{} ? 0 : 1;
          }
        }
      }
    }
  }
  EXPECT_EQ(stats_missing, c.missing_units);
  EXPECT_EQ(nonzero_missing, 0U);
  EXPECT_EQ(c.incomplete_symbols, incomplete_rows);
  // Malformed and foreign frames, each counted under its reason.
  EXPECT_EQ(c.ecpri_malformed, expected_bad.ecpri_malformed);
  EXPECT_EQ(c.uplane_malformed, expected_bad.uplane_malformed);
  EXPECT_EQ(c.wrong_direction, expected_bad.wrong_direction);
  EXPECT_EQ(c.unknown_eaxc, expected_bad.unknown_eaxc);
  EXPECT_EQ(c.bad_timing_fields, expected_bad.bad_timing_fields);
  EXPECT_EQ(c.fragmented_unsupported, expected_bad.fragmented_unsupported);
  EXPECT_EQ(c.other_destination, expected_bad.other_destination);
  EXPECT_EQ(c.cplane, injected / 12); // one C-plane frame per 12 injected
  // Duplicates: a copy of a frame that completed its slot is too late instead.
  EXPECT_GT(duplicates, 0U);
  EXPECT_EQ(c.duplicate_packets + c.too_late, duplicates);
  EXPECT_EQ(c.early + c.on_time + c.late + c.malformed() + c.other_destination + c.cplane +
                c.wrong_direction + c.unknown_eaxc + c.fragmented_unsupported + c.too_late,
            c.packets);
  EXPECT_GT(c.sequence_gaps, 0U);

  for (const auto& a : assembled) {
    const TestVectorSlot& slot = vector_slots[a.slot == vector_slots[0].slot ? 0 : 1];
    const auto ok = decoder.decode(a, slot);
    for (std::size_t p = 0; p < ok.size(); ++p) {
      const auto& pdu = slot.pdus[p].config;
      if (a.allocation_received(pdu.bwp_start + pdu.prb_start, pdu.prb_size, pdu.start_symbol,
                                pdu.num_symbols)) {
        ++result.undamaged_pdus;
        EXPECT_TRUE(ok[p]) << "slot " << a.absolute_slot << " PDU " << p;
      } else {
        ++result.damaged_pdus;
        result.damaged_decoded += ok[p] ? 1 : 0;
      }
    }
  }
  EXPECT_GT(result.undamaged_pdus, 0U);
  EXPECT_GT(result.damaged_pdus, 0U);
  std::printf("%s: %zu frames lost, %zu undamaged PDUs (all decoded), %zu of %zu damaged PDUs "
              "decoded anyway\n",
              std::string(to_string(mode)).c_str(), lost, result.undamaged_pdus,
              result.damaged_decoded, result.damaged_pdus);
  return result;
}

TEST(FronthaulLoss, FrequencyDomainSurvivesLossReorderingAndGarbage) {
  run_lossy(FronthaulIngestMode::frequency_domain);
}

TEST(FronthaulLoss, TimeDomainSurvivesLossReorderingAndGarbage) {
  run_lossy(FronthaulIngestMode::time_domain);
}

} // namespace
