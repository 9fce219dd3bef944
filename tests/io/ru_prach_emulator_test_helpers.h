/// \file
/// \brief Shared pieces of the RuPrachEmulator tests: real PRACH occasions (phy::PrachModulator
/// on a carrier's slots of IQ), the DU's type 3 C-plane for them, an emulator fed with both, and
/// the U-plane frames parsed back into REs and checked against phy::PrachDemodulator.
#pragma once

#include "fronthaul_test_helpers.h"

#include "airan/io/oran_prach.h"
#include "airan/io/ru_prach_emulator.h"
#include "airan/phy/prach_buffer.h"
#include "airan/phy/prach_modulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace airan::io::ru_prach_test {

using namespace airan;
using namespace airan::io;
using phy::cf32;
using phy::PrachFormat;

constexpr std::int64_t epoch = 1'000'000'000;
constexpr IqCompression uncompressed{CompressionMethod::none, 16};
constexpr IqCompression bfp9{CompressionMethod::block_floating_point, 9};

inline FronthaulConfig fronthaul(IqCompression compression, unsigned max_frame_size = 1500) {
  FronthaulConfig config;
  config.compression = compression;
  config.du_port = 1;
  config.band_sector = 2;
  config.cc = 3;
  config.max_frame_size = max_frame_size;
  config.vlan = VlanTag{3, false, 77};
  config.ru_tx_offset_ns = 5000;
  return config;
}

inline phy::PrachConfig prach(PrachFormat format, unsigned first_prb, unsigned start_symbol = 0,
                              unsigned short_numerology = 0) {
  phy::PrachConfig config;
  config.format = format;
  config.short_format_numerology = short_numerology;
  config.root_sequence_index = 22;
  config.cyclic_shift_length = 13;
  config.first_prb = first_prb;
  config.start_symbol = start_symbol;
  return config;
}

/// A C-plane frame of \p sections on RU port \p ru_port of \p config's carrier.
inline std::vector<std::uint8_t> cplane_frame(const FronthaulConfig& config, unsigned ru_port,
                                              const CplaneMessageHeader& message,
                                              std::span<const CplaneSection> sections) {
  FronthaulFrameHeader header;
  header.eaxc_id = pack_eaxc_id(
      {config.du_port, config.band_sector, config.cc, static_cast<std::uint16_t>(ru_port)},
      config.eaxc_layout);
  std::vector<std::uint8_t> bytes(256);
  bytes.resize(write_cplane_frame(bytes, header, message, sections));
  EXPECT_FALSE(bytes.empty());
  return bytes;
}

/// One PRACH occasion in absolute slot \p slot: every slot it spans and one more as the
/// carrier's time-domain IQ (a preamble per antenna over noise), and the demodulator's view.
class Occasion {
public:
  Occasion(const phy::PrachConfig& config, unsigned mu, unsigned num_prbs, unsigned num_rx,
           std::int64_t slot)
      : num_prbs_(num_prbs), num_rx_(num_rx), slot_(slot),
        numerology_(phy::Numerology::for_carrier(mu, phy::CyclicPrefix::normal, num_prbs)),
        clock_(mu, phy::CyclicPrefix::normal) {
    const unsigned in_frame = clock_.slot_in_frame(slot);
    layout_ = phy::prach_occasion_layout(config, numerology_, num_prbs, in_frame);
    const auto result = oran_prach_request(config, numerology_, num_prbs, in_frame);
    EXPECT_EQ(result.error, "");
    request_ = result.request;
    slot_starts_.push_back(0);
    while (slot_starts_.size() < 3 || slot_starts_[slot_starts_.size() - 2] < window_end()) {
      const auto next = slot + static_cast<std::int64_t>(slot_starts_.size()) - 1;
      slot_starts_.push_back(slot_starts_.back() +
                             numerology_.slot_length(clock_.slot_in_frame(next)));
    }
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.0F, 0.1F);
    phy::PrachModulator modulator(config, numerology_, num_prbs);
    phy::PrachDemodulator demodulator(config, numerology_, num_prbs);
    reference_ = phy::PrachBuffer(num_rx, layout_.repetitions, layout_.sequence_length);
    std::vector<cf32> preamble(layout_.length());
    streams_.resize(num_rx);
    for (unsigned a = 0; a < num_rx; ++a) {
      auto& stream = streams_[a];
      stream.resize(slot_starts_.back());
      for (auto& sample : stream) {
        sample = {noise(rng), noise(rng)};
      }
      modulator.modulate(in_frame, 3 + 9 * a, 1.0F, preamble);
      const cf32 gain = std::polar(1.0F, 0.3F + 0.7F * static_cast<float>(a));
      for (std::size_t n = 0; n < preamble.size(); ++n) {
        stream[layout_.start + n] += preamble[n] * gain;
      }
      demodulator.demodulate(in_frame, std::span(stream).subspan(layout_.start, layout_.length()),
                             a, reference_);
    }
  }

  [[nodiscard]] std::int64_t slot() const { return slot_; }
  [[nodiscard]] unsigned num_rx() const { return num_rx_; }
  [[nodiscard]] const FronthaulSlotClock& clock() const { return clock_; }
  [[nodiscard]] const phy::PrachOccasionLayout& layout() const { return layout_; }
  [[nodiscard]] const OranPrachRequest& request() const { return request_; }
  [[nodiscard]] const phy::PrachBuffer& reference() const { return reference_; }
  [[nodiscard]] unsigned num_slots() const { return unsigned(slot_starts_.size()) - 1; }
  [[nodiscard]] std::size_t slot_start(unsigned n) const { return slot_starts_[n]; }
  [[nodiscard]] phy::CellConfig cell() const {
    phy::CellConfig cell;
    cell.num_prbs = num_prbs_;
    cell.numerology = numerology_.mu();
    return cell;
  }
  /// One past the window's last sample, from the occasion slot's start.
  [[nodiscard]] std::size_t window_end() const { return layout_.start + layout_.length(); }

  /// Slot n of the occasion's, antenna after antenna.
  [[nodiscard]] std::vector<cf32> slot_iq(unsigned n) const {
    std::vector<cf32> iq;
    for (const auto& stream : streams_) {
      iq.insert(iq.end(), stream.begin() + std::ptrdiff_t(slot_starts_[n]),
                stream.begin() + std::ptrdiff_t(slot_starts_[n + 1]));
    }
    return iq;
  }

  /// The request as take_cplane_frame() gives it (antenna 0).
  [[nodiscard]] RuPrachRequest prach_request(const FronthaulConfig& config,
                                             std::uint16_t section_id) const {
    RuPrachRequest request;
    fill_prach_cplane(request_, config.compression, section_id, request.header, request.section);
    const auto timing = clock_.timing_header(static_cast<std::uint64_t>(slot_), 0);
    request.header.timing.frame_id = timing.frame_id;
    request.header.timing.subframe_id = timing.subframe_id;
    request.header.timing.slot_id = timing.slot_id;
    return request;
  }

  /// Bin \p bin of period \p period of antenna \p antenna by a direct DFT, scaled 1/sqrt(N).
  [[nodiscard]] cf32 dft(unsigned antenna, unsigned period, int bin) const {
    const unsigned size = layout_.period_length;
    const std::size_t begin = layout_.start + layout_.cyclic_prefix + std::size_t{period} * size;
    std::complex<double> sum;
    for (unsigned n = 0; n < size; ++n) {
      const double phase = -2 * std::numbers::pi * double((std::int64_t{bin} * n) % size) / size;
      sum += std::complex<double>(streams_[antenna][begin + n]) * std::polar(1.0, phase);
    }
    sum /= std::sqrt(double(size));
    return {float(sum.real()), float(sum.imag())};
  }

private:
  unsigned num_prbs_;
  unsigned num_rx_;
  std::int64_t slot_;
  phy::Numerology numerology_;
  FronthaulSlotClock clock_;
  phy::PrachOccasionLayout layout_;
  OranPrachRequest request_;
  phy::PrachBuffer reference_;
  std::vector<std::size_t> slot_starts_;
  std::vector<std::vector<cf32>> streams_;
};

struct Served {
  std::vector<airan::test::CapturedFrame> frames;
  std::vector<std::size_t> frames_per_slot;
};

/// Takes the occasion's C-plane (one message per antenna) and feeds every slot.
inline Served serve(RuPrachEmulator& emulator, const Occasion& occasion,
                    const FronthaulConfig& config, std::uint16_t section_id) {
  const RuCplaneScope scope = emulator.cplane_scope();
  const FronthaulLinkConfig link{config.eaxc_layout, {}};
  RuRequestsBySlot pusch;
  RuPrachRequestsBySlot prach;
  for (unsigned a = 0; a < occasion.num_rx(); ++a) {
    const auto request = occasion.prach_request(config, section_id);
    const auto frame = cplane_frame(config, scope.prach_first_ru_port + a, request.header,
                                    std::span(&request.section, 1));
    const auto tally = take_cplane_frame(frame, link, scope, occasion.clock(), pusch, &prach);
    EXPECT_EQ(tally.messages_ignored, 0U);
    EXPECT_EQ(tally.sections_taken, 1U);
  }
  EXPECT_TRUE(pusch.empty());
  EXPECT_EQ(prach.size(), 1U);
  for (const auto& [cycle_slot, requests] : prach) {
    const std::int64_t absolute = occasion.clock().resolve(cycle_slot, occasion.slot());
    EXPECT_EQ(absolute, occasion.slot());
    for (const auto& request : requests) {
      EXPECT_EQ(emulator.add_request(absolute, request), "");
    }
  }
  Served served;
  const FronthaulFrameSink sink = [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
    served.frames.push_back({{frame.begin(), frame.end()}, tx_ns});
  };
  for (unsigned n = 0; n < occasion.num_slots(); ++n) {
    served.frames_per_slot.push_back(
        emulator.add_slot(occasion.slot() + n, epoch, occasion.slot_iq(n), sink));
  }
  return served;
}

/// The REs of every antenna and period (index antenna * periods + period) in \p frames, after
/// checking each frame's headers against the occasion's request.
inline std::vector<std::vector<cf32>> received_res(const Served& served, const Occasion& occasion,
                                                   const FronthaulConfig& config,
                                                   unsigned prach_port, std::uint16_t section_id) {
  const OranPrachRequest& request = occasion.request();
  const unsigned periods = request.num_symbols;
  const FronthaulLinkConfig link{
      config.eaxc_layout,
      {config.compression, config.dynamic_compression_header, request.num_prbs}};
  const auto timing = occasion.clock().timing_header(std::uint64_t(occasion.slot()), 0);
  const auto& layout = occasion.layout();
  const std::int64_t tx_ns =
      occasion.clock().slot_start_ns(epoch, occasion.slot()) +
      std::llround(double(occasion.window_end()) * 1e9 / layout.sample_rate_hz) + 5000;
  const auto compressor = create_iq_compressor();
  std::vector<std::vector<cf32>> res(std::size_t{occasion.num_rx()} * periods,
                                     std::vector<cf32>(std::size_t{12} * request.num_prbs));
  std::vector<unsigned> prbs(res.size(), 0);
  std::vector<unsigned> sequence(occasion.num_rx(), 0);
  for (const auto& frame : served.frames) {
    EXPECT_LE(frame.bytes.size(), 18 + config.max_frame_size);
    EXPECT_EQ(frame.tx_ns, tx_ns);
    const auto parsed = parse_fronthaul_frame(frame.bytes, link);
    EXPECT_TRUE(parsed.ok()) << parsed.error();
    const auto& v = parsed.frame;
    EXPECT_EQ(v.plane, FronthaulPlane::uplane);
    EXPECT_EQ(v.ecpri.ethernet.vlan, config.vlan);
    EXPECT_EQ(v.ecpri.ethernet.source, config.ru_mac);
    EXPECT_EQ(v.eaxc, (EaxcId{1, 2, 3, v.eaxc.ru_port}));
    const unsigned antenna = v.eaxc.ru_port - prach_port;
    const auto& t = v.uplane.timing;
    EXPECT_EQ(t.direction, DataDirection::uplink);
    EXPECT_EQ(t.filter_index, request.filter_index);
    EXPECT_EQ(t.frame_id, timing.frame_id);
    EXPECT_EQ(t.subframe_id, timing.subframe_id);
    EXPECT_EQ(t.slot_id, timing.slot_id);
    const unsigned period = t.symbol_id - request.start_symbol;
    if (!parsed.ok() || antenna >= occasion.num_rx() || period >= periods) {
      ADD_FAILURE() << "RU port " << v.eaxc.ru_port << ", symbol " << unsigned{t.symbol_id};
      continue;
    }
    EXPECT_EQ(v.ecpri.message.header.sequence.sequence_id, sequence[antenna]++ % 256);
    const unsigned k = antenna * periods + period;
    for (const auto& section : v.uplane.sections) {
      EXPECT_EQ(section.header.section_id, section_id);
      EXPECT_EQ(section.header.start_prb, prbs[k]); // in order, no gaps
      EXPECT_FALSE(section.header.every_other_prb);
      decompress_section(section, *compressor, config.full_scale, res[k]);
      prbs[k] += section.num_prbs;
    }
  }
  for (std::size_t k = 0; k < res.size(); ++k) {
    EXPECT_EQ(prbs[k], request.num_prbs) << "antenna, period " << k;
  }
  return res;
}

/// The sequence REs (k-bar on) against the demodulator, within \p max_error of the reference's
/// RMS and above \p min_snr_db, and the section's first and last RE against a direct DFT.
inline void expect_demodulator_res(const std::vector<std::vector<cf32>>& res,
                                   const Occasion& occasion, double max_error, double min_snr_db) {
  const unsigned periods = occasion.layout().repetitions;
  const int first_bin = occasion.request().frequency_offset / 2;
  for (unsigned a = 0; a < occasion.num_rx(); ++a) {
    for (unsigned r = 0; r < periods; ++r) {
      const auto reference = occasion.reference().at(a, r);
      const auto& section = res[a * periods + r];
      const auto sequence =
          std::span(section).subspan(occasion.request().sequence_offset, reference.size());
      double power = 0;
      double worst = 0;
      for (std::size_t k = 0; k < reference.size(); ++k) {
        power += std::norm(reference[k]);
        worst = std::max(worst, double(std::abs(sequence[k] - reference[k])));
      }
      const double rms = std::sqrt(power / double(reference.size()));
      EXPECT_LT(worst, max_error * rms) << "antenna " << a << ", period " << r;
      EXPECT_GT(airan::test::snr_db(reference, sequence), min_snr_db) << "antenna " << a;
      for (const std::size_t re : {std::size_t{0}, section.size() - 1}) {
        const cf32 expected = occasion.dft(a, r, first_bin + int(re));
        EXPECT_LT(std::abs(section[re] - expected), max_error * rms) << re;
      }
    }
  }
}

/// The occasion slot (from the first) whose end completes the window.
inline unsigned completing_slot(const Occasion& occasion) {
  unsigned n = 0;
  while (occasion.slot_start(n + 1) < occasion.window_end()) {
    ++n;
  }
  return n;
}

/// Serves \p occasion and checks every frame and RE; returns the frames.
inline Served check_occasion(const Occasion& occasion, const FronthaulConfig& config,
                             unsigned frames_per_period, double max_error, double min_snr_db) {
  RuPrachEmulator emulator(occasion.cell(), occasion.num_rx(), config, 8);
  Served served = serve(emulator, occasion, config, 0x5A5);
  const unsigned periods = occasion.request().num_symbols;
  const std::size_t total = std::size_t{occasion.num_rx()} * periods * frames_per_period;
  EXPECT_EQ(served.frames.size(), total);
  for (unsigned n = 0; n < occasion.num_slots(); ++n) {
    EXPECT_EQ(served.frames_per_slot[n], n == completing_slot(occasion) ? total : 0U) << n;
  }
  EXPECT_EQ(emulator.counters().requests, occasion.num_rx());
  EXPECT_EQ(emulator.counters().occasions_sent, occasion.num_rx());
  EXPECT_EQ(emulator.counters().frames, total);
  EXPECT_EQ(emulator.num_pending(), 0U);
  const auto res =
      received_res(served, occasion, config, config.prach_first_ru_port(occasion.num_rx()), 0x5A5);
  expect_demodulator_res(res, occasion, max_error, min_snr_db);
  return served;
}

} // namespace airan::io::ru_prach_test
