/// \file
/// \brief Shared pieces of the FronthaulPrachAssembler tests: real PRACH occasions (format 0 on a
/// 15 kHz 52-PRB carrier, B4 on a 30 kHz 106-PRB carrier), the DU's type 3 C-plane for them
/// (oran_prach_request + fill_prach_cplane) and hand-made PRACH U-plane frames of their values.
#pragma once

#include "airan/io/fronthaul_prach_assembler.h"
#include "airan/io/oran_prach.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace airan::test::prach {

using namespace airan::io;
using airan::phy::cf32;
using Bytes = std::vector<std::uint8_t>;

constexpr IqCompression none{CompressionMethod::none, 16};
constexpr IqCompression bfp9{CompressionMethod::block_floating_point, 9};
constexpr std::int64_t epoch = 1'700'000'000'000'000'000;

/// A carrier and its PRACH configuration.
struct PrachCarrier {
  airan::phy::CellConfig cell;
  unsigned num_rx = 2;
  FronthaulConfig config;
  airan::phy::PrachConfig prach;
  [[nodiscard]] airan::phy::Numerology numerology() const {
    return airan::phy::carrier_numerology(cell);
  }
  [[nodiscard]] FronthaulSlotClock clock() const { return {cell.numerology, cell.cyclic_prefix}; }
  [[nodiscard]] std::uint16_t eaxc(unsigned ru_port, std::uint16_t cc) const {
    return pack_eaxc_id(
        {config.du_port, config.band_sector, cc, static_cast<std::uint16_t>(ru_port)},
        config.eaxc_layout);
  }
  /// The packed eAxC of antenna \p antenna's PRACH stream.
  [[nodiscard]] std::uint16_t prach_eaxc(unsigned antenna) const {
    return eaxc(config.prach_first_ru_port(num_rx) + antenna, config.cc);
  }
};

inline PrachCarrier format0(unsigned num_rx, IqCompression compression) {
  PrachCarrier s;
  s.cell.num_prbs = 52;
  s.cell.numerology = 0;
  s.num_rx = num_rx;
  s.config.compression = compression;
  s.config.du_port = 1;
  s.config.cc = 2;
  s.prach.format = airan::phy::PrachFormat::f0;
  s.prach.first_prb = 10;
  return s;
}

inline PrachCarrier b4(unsigned num_rx, IqCompression compression) {
  PrachCarrier s;
  s.cell.num_prbs = 106;
  s.cell.numerology = 1;
  s.num_rx = num_rx;
  s.config.compression = compression;
  s.config.dynamic_compression_header = true;
  s.config.prach_ru_port = 8;
  s.prach.format = airan::phy::PrachFormat::b4;
  s.prach.short_format_numerology = 1;
  s.prach.first_prb = 20;
  s.prach.start_symbol = 2;
  return s;
}

/// One occasion of \p s in \p absolute_slot: its request, timing and the values the O-RU sends.
struct Occasion {
  PrachCarrier setup;
  OranPrachRequest request;
  OranTimingHeader timing; ///< frame, subframe and slot of the occasion; symbol 0.
  std::uint16_t section_id = 0;
  unsigned num_periods = 0;
  unsigned num_res = 0;
  std::vector<cf32> values; ///< [antenna][period][RE], on the int16 grid.

  Occasion(const PrachCarrier& s, std::int64_t absolute_slot, std::uint16_t id, unsigned seed = 1)
      : setup(s), section_id(id) {
    const FronthaulSlotClock clock = s.clock();
    timing = clock.timing_header(static_cast<std::uint64_t>(absolute_slot), 0);
    const auto result = oran_prach_request(s.prach, s.numerology(), s.cell.num_prbs,
                                           clock.slot_in_frame(absolute_slot));
    EXPECT_EQ(result.error, "");
    request = result.request;
    num_periods = request.num_symbols;
    num_res = 12U * request.num_prbs;
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> level(-20000, 20000);
    const float step = s.config.full_scale / 32768.0F;
    values.resize(std::size_t{s.num_rx} * num_periods * num_res);
    for (auto& x : values) {
      x = {static_cast<float>(level(rng)) * step, static_cast<float>(level(rng)) * step};
    }
  }

  /// The C-plane frame asking antenna \p antenna for this occasion; \p edit may change it.
  template <typename Edit> [[nodiscard]] Bytes cplane(unsigned antenna, Edit edit) const {
    CplaneMessageHeader header;
    header.timing = timing;
    CplaneSection section;
    fill_prach_cplane(request, setup.config.compression, section_id, header, section);
    std::uint16_t eaxc = setup.prach_eaxc(antenna);
    edit(header, section, eaxc);
    FronthaulFrameHeader frame;
    frame.ethernet = {setup.config.ru_mac, setup.config.du_mac, setup.config.vlan}; // DU to O-RU
    frame.eaxc_id = eaxc;
    Bytes bytes(256);
    bytes.resize(write_cplane_frame(bytes, frame, header, std::span(&section, 1)));
    EXPECT_FALSE(bytes.empty());
    return bytes;
  }
  [[nodiscard]] Bytes cplane(unsigned antenna) const {
    return cplane(antenna, [](auto&, auto&, auto&) {});
  }

  /// A piece of a row: antenna, period, PRBs.
  struct Piece {
    unsigned antenna = 0;
    unsigned period = 0;
    unsigned first_prb = 0;
    unsigned num_prbs = 0;
  };
  /// The U-plane frame of \p pieces (one antenna; periods in order, symInc between periods).
  [[nodiscard]] Bytes uplane(const std::vector<Piece>& pieces, std::uint16_t eaxc,
                             OranTimingHeader frame_timing) const {
    static const auto compressor = create_iq_compressor();
    frame_timing.filter_index = request.filter_index;
    frame_timing.symbol_id = static_cast<std::uint8_t>(request.start_symbol + pieces[0].period);
    FronthaulFrameHeader frame;
    frame.ethernet = {setup.config.du_mac, setup.config.ru_mac, setup.config.vlan}; // O-RU to DU
    frame.eaxc_id = eaxc;
    const UplaneFormat format{setup.config.compression, setup.config.dynamic_compression_header,
                              255};
    Bytes bytes(70000);
    UplaneFrameWriter writer(bytes, frame, frame_timing, format);
    unsigned period = pieces[0].period;
    for (const Piece& p : pieces) {
      UplaneSectionHeader header;
      header.section_id = section_id;
      header.symbol_increment = p.period != period;
      period = p.period;
      header.start_prb = static_cast<std::uint16_t>(p.first_prb);
      header.num_prbs = static_cast<std::uint8_t>(p.num_prbs);
      const auto out = writer.add_section(header, setup.config.compression);
      EXPECT_FALSE(out.empty());
      const std::size_t row = (std::size_t{p.antenna} * num_periods + p.period) * num_res;
      const std::size_t first = 12 * std::size_t{p.first_prb};
      const std::size_t count =
          12 * std::size_t{std::min(p.num_prbs, request.num_prbs - p.first_prb)};
      std::vector<cf32> res(12 * std::size_t{p.num_prbs}); // PRBs past the section: zero
      std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(row + first), count, res.begin());
      compressor->compress(res, setup.config.compression, setup.config.full_scale, out);
    }
    const auto finished = writer.finish();
    EXPECT_FALSE(finished.empty());
    return {finished.begin(), finished.end()};
  }
  [[nodiscard]] Bytes uplane(const std::vector<Piece>& pieces) const {
    return uplane(pieces, setup.prach_eaxc(pieces[0].antenna), timing);
  }

  /// Every row of every antenna, each split into \p splits pieces, \p per_message pieces
  /// (of one antenna) per frame.
  [[nodiscard]] std::vector<Bytes> all_frames(unsigned splits, unsigned per_message) const {
    std::vector<Bytes> frames;
    for (unsigned a = 0; a < setup.num_rx; ++a) {
      std::vector<Piece> pieces;
      for (unsigned p = 0; p < num_periods; ++p) {
        for (unsigned k = 0; k < splits; ++k) {
          const unsigned first = request.num_prbs * k / splits;
          pieces.push_back({a, p, first, request.num_prbs * (k + 1) / splits - first});
        }
      }
      for (std::size_t i = 0; i < pieces.size(); i += per_message) {
        const auto end = std::min(pieces.size(), i + per_message);
        frames.push_back(uplane({pieces.begin() + static_cast<std::ptrdiff_t>(i),
                                 pieces.begin() + static_cast<std::ptrdiff_t>(end)}));
      }
    }
    return frames;
  }

  /// The values as the assembler decompresses them (the compression's own round trip).
  [[nodiscard]] std::vector<cf32> expected() const {
    const auto compressor = create_iq_compressor();
    const auto& c = setup.config.compression;
    std::vector<std::uint8_t> packed(values.size() / 12 * *compressed_prb_size(c));
    compressor->compress(values, c, setup.config.full_scale, packed);
    std::vector<cf32> out(values.size());
    compressor->decompress(packed, c, setup.config.full_scale, out);
    return out;
  }
};

inline FronthaulPrachAssembler make(const PrachCarrier& s, unsigned max_occasions = 16) {
  return {s.cell, s.num_rx, s.config, max_occasions};
}

/// Every dispatched occasion, copied (values included) and released.
struct Taken {
  AssembledPrach occasion;
  std::vector<cf32> values;
};
inline std::vector<Taken> drain(FronthaulPrachAssembler& assembler) {
  std::vector<Taken> out;
  while (const AssembledPrach* o = assembler.next_occasion()) {
    out.push_back({*o, {o->values.begin(), o->values.end()}});
    assembler.release(o);
  }
  return out;
}

} // namespace airan::test::prach
