/// \file
/// \brief Shared pieces of the slot assembler tests with the DU's own C-plane requests: two
/// allocations, a fixture that turns them into requests (UplinkCplaneGenerator, then
/// take_cplane_frame()) and into the O-RU's U-plane, and checks of an assembled slot's grid.
#pragma once

#include "fronthaul_test_helpers.h"

#include "airan/io/oran_cplane_generator.h"
#include "airan/io/ru_cplane_requests.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace airan::io::assembler_requests_test {

inline constexpr std::int64_t requests_epoch = 1'720'000'000'000'000'000;

/// PRBs [first_prb, first_prb + num_prbs) of symbols [first_symbol, first_symbol + num_symbols).
struct RequestsAllocation {
  std::uint16_t first_prb, num_prbs;
  std::uint8_t first_symbol, num_symbols;
  [[nodiscard]] bool covers(unsigned symbol, unsigned prb) const {
    return prb >= first_prb && prb < first_prb + num_prbs && symbol >= first_symbol &&
           symbol < first_symbol + num_symbols;
  }
};
inline constexpr RequestsAllocation requests_a{10, 24, 0, 14};
inline constexpr RequestsAllocation requests_b{100, 6, 2, 4};
inline constexpr RequestsAllocation requests_both[] = {requests_a, requests_b};

using RequestsPresent = std::function<bool(unsigned rx, unsigned symbol, unsigned prb)>;

/// The 2-UE vector's first slot (106 PRBs, 2 Rx), an RU emulator and an assembler for it (no
/// compression: values come back within half an int16 step), non-zero eAxC ids, a fixed epoch.
struct RequestsFixture {
  TestVectorReader reader{airan::test::committed_vector(airan::test::vector_2ue)};
  TestVectorSlot slot;
  FronthaulConfig config;
  std::unique_ptr<RuEmulator> emulator;
  std::unique_ptr<FronthaulSlotAssembler> assembler;
  std::int64_t absolute = 0; ///< Where the slot is sent (frame \p frame).

  explicit RequestsFixture(std::int64_t frame = 300) {
    reader.read_slot(0, slot);
    config.compression = {CompressionMethod::none, 16};
    config.epoch_ns = requests_epoch;
    config.du_port = 1;
    config.band_sector = 2;
    config.cc = 3;
    emulator = std::make_unique<RuEmulator>(cell(), num_rx(), config);
    assembler = std::make_unique<FronthaulSlotAssembler>(cell(), num_rx(), config);
    absolute = frame * clock().slots_per_frame() + slot.slot;
  }
  [[nodiscard]] const airan::phy::CellConfig& cell() const { return reader.header().cell; }
  [[nodiscard]] unsigned num_rx() const { return reader.header().num_rx_antennas; }
  [[nodiscard]] const FronthaulSlotClock& clock() const { return emulator->clock(); }
  [[nodiscard]] unsigned cycle_slot(std::int64_t at) const {
    return static_cast<unsigned>(at % clock().slots_per_cycle());
  }
  [[nodiscard]] unsigned own() const { return cycle_slot(absolute); }

  /// The DU's C-plane for \p allocations on every antenna in slot \p at (UplinkCplaneGenerator),
  /// as the O-RU reads it (take_cplane_frame()): that slot's requests.
  std::vector<RuSectionRequest> requests(std::span<const RequestsAllocation> allocations,
                                         std::int64_t at) const {
    UplinkCplaneConfig c;
    c.ethernet.source = config.du_mac;
    c.ethernet.destination = config.ru_mac;
    c.compression = config.compression;
    c.carrier_prbs = static_cast<std::uint16_t>(cell().num_prbs);
    UplinkCplaneGenerator generator(c, 16);
    std::vector<UplinkAllocation> list;
    for (unsigned rx = 0; rx < num_rx(); ++rx) {
      const EaxcId eaxc{config.du_port, config.band_sector, config.cc,
                        static_cast<std::uint16_t>(rx)};
      for (const auto& a : allocations) {
        list.push_back({pack_eaxc_id(eaxc, config.eaxc_layout), a.first_prb, a.num_prbs,
                        a.first_symbol, a.num_symbols, 0});
      }
    }
    const auto timing = clock().timing_header(static_cast<std::uint64_t>(at), 0);
    std::vector<std::uint8_t> buffer(16384);
    std::vector<std::span<const std::uint8_t>> frames(16);
    const auto result = generator.generate({timing.frame_id, timing.subframe_id, timing.slot_id},
                                           list, buffer, frames);
    EXPECT_TRUE(result.ok());
    RuRequestsBySlot by_slot;
    for (std::size_t i = 0; i < result.num_frames; ++i) {
      const auto tally = take_cplane_frame(frames[i], emulator->link_config(),
                                           emulator->cplane_scope(), clock(), by_slot);
      EXPECT_EQ(tally.messages_ignored, 0U);
      EXPECT_EQ(tally.sections_ignored, 0U);
    }
    EXPECT_EQ(by_slot.size(), 1U);
    const auto requests = by_slot.find(cycle_slot(at));
    EXPECT_EQ(requests.size(), allocations.size() * num_rx());
    return {requests.begin(), requests.end()};
  }
  /// The O-RU's U-plane of the slot at \p at (every PRB without \p requests).
  std::vector<airan::test::CapturedFrame> uplane(std::span<const RuSectionRequest> requests,
                                                 std::int64_t at) {
    std::vector<airan::test::CapturedFrame> frames;
    airan::test::capture_slot(*emulator, slot, at, requests_epoch, frames, requests);
    return frames;
  }
  /// Pushes frames [begin, end) of \p frames at their transmit times.
  void push(const std::vector<airan::test::CapturedFrame>& frames, std::size_t begin = 0,
            std::size_t end = SIZE_MAX) {
    for (std::size_t i = begin; i < std::min(end, frames.size()); ++i) {
      assembler->push(frames[i].bytes, frames[i].tx_ns);
    }
  }
  /// Sends the whole carrier as the slot one frame earlier and releases it, so that the next
  /// slot reuses a buffer full of stale values (what is not written must be zeroed).
  void prime() {
    push(uplane({}, absolute - clock().slots_per_frame()));
    const AssembledSlot* full = assembler->next_slot();
    ASSERT_NE(full, nullptr);
    EXPECT_TRUE(full->complete());
    EXPECT_FALSE(full->requested());
    assembler->release(full);
    assembler->reset_counters();
  }
  /// Whether frame \p frame is the U-plane of (rx, symbol) starting at PRB \p start_prb.
  [[nodiscard]] bool frame_is(const airan::test::CapturedFrame& frame, unsigned rx, unsigned symbol,
                              unsigned start_prb) const {
    const auto parsed = parse_fronthaul_frame(frame.bytes, emulator->link_config());
    EXPECT_TRUE(parsed.ok());
    const auto& v = parsed.frame;
    for (const auto& section : v.uplane.sections) { // the first one
      return v.eaxc.ru_port == rx && v.uplane.timing.symbol_id == symbol &&
             section.header.start_prb == start_prb;
    }
    return false;
  }
  /// PRBs of \p a that are wrong: where \p present, not received or the 12 values not within
  /// half an int16 step of the vector's grid; elsewhere, received or not exactly zero; and
  /// unit_expected() not \p expected.
  [[nodiscard]] unsigned mismatches(const AssembledSlot& a, const RequestsPresent& present,
                                    const RequestsPresent& expected) const {
    const double tolerance = config.full_scale / 32768.0 * 0.5 * std::sqrt(2.0) * 1.001;
    unsigned wrong = 0;
    for (unsigned rx = 0; rx < num_rx(); ++rx) {
      for (unsigned l = 0; l < 14; ++l) {
        for (unsigned prb = 0; prb < cell().num_prbs; ++prb) {
          const bool here = present(rx, l, prb);
          bool ok = a.unit_received(rx, l, prb) == here &&
                    a.unit_expected(rx, l, prb) == expected(rx, l, prb);
          for (unsigned k = 12 * prb; k < 12 * prb + 12; ++k) {
            const auto got = a.grid.at(rx, l, k);
            ok = ok && (here ? std::abs(got - slot.grid.at(rx, l, k)) <= tolerance
                             : got == airan::phy::cf32{});
          }
          wrong += ok ? 0 : 1;
        }
      }
    }
    return wrong;
  }
};

/// The next dispatched slot, copied and released.
inline std::optional<AssembledSlot> requests_next(FronthaulSlotAssembler& as) {
  const AssembledSlot* slot = as.next_slot();
  if (slot == nullptr) {
    return std::nullopt;
  }
  AssembledSlot copy = *slot;
  as.release(slot);
  return copy;
}

inline RuSectionRequest requests_section(unsigned ru_port, unsigned start_symbol,
                                         unsigned num_symbols, unsigned start_prb,
                                         unsigned num_prbs) {
  RuSectionRequest r;
  r.ru_port = static_cast<std::uint16_t>(ru_port);
  r.start_symbol = static_cast<std::uint8_t>(start_symbol);
  r.section.start_prb = static_cast<std::uint16_t>(start_prb);
  r.section.num_prbs = static_cast<std::uint8_t>(num_prbs);
  r.section.num_symbols = static_cast<std::uint8_t>(num_symbols);
  return r;
}

/// Whether A or B covers (symbol, prb), on any antenna.
inline bool requests_asked(unsigned /*rx*/, unsigned symbol, unsigned prb) {
  return requests_a.covers(symbol, prb) || requests_b.covers(symbol, prb);
}

} // namespace airan::io::assembler_requests_test
