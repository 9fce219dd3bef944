// The O-RAN 7.2x PRACH request (section type 3) of an occasion, through the C-plane codec, and
// the window an O-RU reads back from it, against the occasion's own layout.
#include "airan/io/oran_prach.h"

#include "airan/phy/prach_format.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace airan::io {
namespace {

using phy::CyclicPrefix;
using phy::Numerology;
using phy::PrachConfig;
using phy::PrachFormat;

struct Carrier {
  unsigned mu;
  unsigned num_prbs;
};

/// Writes the request as a type 3 message and parses it back, as an O-RU would read it.
CplaneMessageView prach_round_trip(const OranPrachRequest& request,
                                   std::vector<std::uint8_t>& bytes) {
  CplaneMessageHeader header;
  CplaneSection section;
  fill_prach_cplane(request, IqCompression{CompressionMethod::block_floating_point, 9}, 5, header,
                    section);
  header.timing.frame_id = 17;
  header.timing.subframe_id = 3;
  bytes.assign(cplane_message_size(CplaneSectionType::prach_mixed_numerology, 1), 0);
  EXPECT_EQ(write_cplane_message(bytes, header, std::span(&section, 1)), bytes.size());
  const auto parsed = parse_cplane_message(bytes);
  EXPECT_TRUE(parsed.ok());
  return parsed.message;
}

TEST(OranPrach, FilterIndexAndSpacingCodes) {
  const auto filter = [](PrachFormat format, unsigned mu = 1) {
    PrachConfig config;
    config.format = format;
    config.short_format_numerology = mu;
    return oran_prach_filter_index(config);
  };
  EXPECT_EQ(filter(PrachFormat::f0), 1);
  EXPECT_EQ(filter(PrachFormat::f2), 1);
  EXPECT_EQ(filter(PrachFormat::f3), 2);
  EXPECT_EQ(filter(PrachFormat::a1), 3);
  EXPECT_EQ(filter(PrachFormat::b4, 0), 3);
  EXPECT_EQ(filter(PrachFormat::c0, 0), 6);
  EXPECT_EQ(filter(PrachFormat::c2, 1), 7);
  EXPECT_EQ(filter(PrachFormat::c2, 3), 3);
  for (const std::uint32_t hz : {1250U, 3750U, 5000U, 7500U, 15000U, 30000U, 120000U, 480000U}) {
    const auto code = oran_scs_code(hz);
    ASSERT_TRUE(code.has_value()) << hz;
    EXPECT_EQ(oran_scs_hz(*code), hz);
  }
  EXPECT_EQ(oran_scs_code(1250), 12);
  EXPECT_EQ(oran_scs_code(30000), 1);
  EXPECT_FALSE(oran_scs_code(2500).has_value());
  EXPECT_EQ(oran_scs_hz(6), 0U);
  EXPECT_EQ(oran_scs_hz(11), 0U);
}

// Every format on carriers of 15 and 30 kHz: the window read back from the C-plane is the
// occasion's layout (first period's start, period, periods, the sequence k-bar REs into the
// section), in every slot of a subframe.
TEST(OranPrach, WindowReadBackIsTheOccasionsLayout) {
  const std::array carriers = {Carrier{0, 52}, Carrier{1, 106}, Carrier{1, 273}, Carrier{2, 66}};
  const std::array formats = {PrachFormat::f0, PrachFormat::f1, PrachFormat::f2, PrachFormat::f3,
                              PrachFormat::a1, PrachFormat::a3, PrachFormat::b4, PrachFormat::c2};
  unsigned checked = 0;
  for (const Carrier& carrier : carriers) {
    const auto numerology =
        Numerology::for_carrier(carrier.mu, CyclicPrefix::normal, carrier.num_prbs);
    for (const PrachFormat format : formats) {
      PrachConfig config;
      config.format = format;
      config.short_format_numerology = carrier.mu;
      config.first_prb = 7;
      config.start_symbol = phy::prach_is_long_format(format) ? 0 : 2;
      config.cyclic_shift_length = phy::prach_is_long_format(format) ? 13 : 2;
      for (unsigned slot = 0; slot < numerology.slots_per_subframe(); ++slot) {
        const auto result = oran_prach_request(config, numerology, carrier.num_prbs, slot);
        ASSERT_TRUE(result.error.empty()) << result.error;
        const auto layout = phy::prach_occasion_layout(config, numerology, carrier.num_prbs, slot);
        const OranPrachRequest& request = result.request;
        // 2 PUSCH PRBs of 48 PRACH PRBs for formats 0-2 on 60 kHz.
        const unsigned long_prbs = carrier.mu == 2 && format != PrachFormat::f3 ? 96 : 72;
        EXPECT_EQ(request.num_prbs, phy::prach_is_long_format(format) ? long_prbs : 12);
        EXPECT_GE(12U * request.num_prbs, request.sequence_offset + layout.sequence_length);
        std::vector<std::uint8_t> bytes;
        const CplaneMessageView message = prach_round_trip(request, bytes);
        EXPECT_EQ(message.header.timing.filter_index, oran_prach_filter_index(config));
        EXPECT_EQ(message.header.timing.symbol_id, config.start_symbol);
        EXPECT_EQ(message.header.cp_length, 0);
        const CplaneSection section = (*message.sections.begin()).section;
        const auto window =
            oran_prach_window(numerology, carrier.num_prbs, message.header, section);
        ASSERT_TRUE(window.error.empty()) << window.error;
        EXPECT_EQ(window.window.start, layout.start + layout.cyclic_prefix);
        EXPECT_EQ(window.window.period_length, layout.period_length);
        EXPECT_EQ(window.window.num_periods, layout.repetitions);
        EXPECT_EQ(window.window.first_bin + static_cast<int>(request.sequence_offset),
                  layout.first_bin);
        EXPECT_EQ(window.window.num_res, 12U * request.num_prbs);
        EXPECT_EQ(window.window.end(), std::uint64_t{layout.start} + layout.length());
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 72U); // 8 formats x (1 + 2 + 2 + 4) slots
}

// The numbers for one occasion, worked by hand: format 0 on a 52-PRB 15 kHz carrier, PRB 0.
TEST(OranPrach, FormatZeroAtTheCarriersLowerEdge) {
  const auto numerology = Numerology::for_carrier(0, CyclicPrefix::normal, 52); // FFT 1024
  PrachConfig config;
  const auto result = oran_prach_request(config, numerology, 52, 0);
  ASSERT_TRUE(result.error.empty()) << result.error;
  // k_1 = -6 x 52 = -312 PUSCH subcarriers = -3744 PRACH subcarriers: freqOffset -7488 half
  // subcarriers; the CP of 3168 kappa is 3168 Ts; 1.25 kHz is code 12; FFT 1024 is code 10.
  EXPECT_EQ(result.request.frequency_offset, -7488);
  EXPECT_EQ(result.request.time_offset, 3168);
  EXPECT_EQ(result.request.scs_code, 12);
  EXPECT_EQ(result.request.fft_size_code, 10);
  EXPECT_EQ(result.request.num_symbols, 1);
  EXPECT_EQ(result.request.sequence_offset, 7U);
}

TEST(OranPrach, BadRequestsAreRefusedWithAReason) {
  const auto numerology = Numerology::for_carrier(1, CyclicPrefix::normal, 106);
  PrachConfig config;
  config.first_prb = 10;
  const auto request = oran_prach_request(config, numerology, 106, 0);
  ASSERT_TRUE(request.error.empty());
  CplaneMessageHeader header;
  CplaneSection section;
  fill_prach_cplane(request.request, IqCompression{}, 0, header, section);
  ASSERT_TRUE(oran_prach_window(numerology, 106, header, section).error.empty());

  const auto refused = [&](auto change, const char* why) {
    CplaneMessageHeader h = header;
    CplaneSection s = section;
    change(h, s);
    const auto result = oran_prach_window(numerology, 106, h, s);
    EXPECT_NE(result.error.find(why), std::string::npos) << why << ": " << result.error;
  };
  refused([](auto& h, auto&) { h.timing.filter_index = 0; }, "not a PRACH request");
  refused([](auto& h, auto&) { h.section_type = CplaneSectionType::normal; },
          "not a PRACH request");
  refused([](auto& h, auto&) { h.subcarrier_spacing = 7; }, "reserved");
  refused([](auto&, auto& s) { s.frequency_offset += 1; }, "whole PRACH subcarrier");
  refused([](auto&, auto& s) { s.num_prbs = 0; }, "must not be 0");
  refused([](auto&, auto& s) { s.num_symbols = 0; }, "must not be 0");
  refused([](auto&, auto& s) { s.start_prb = 1; }, "starts at PRB 0");
  refused([](auto&, auto& s) { s.frequency_offset = -2 * 6 * 106 * 24 - 2; }, "leave the carrier");
  refused([](auto&, auto& s) { s.frequency_offset = 2 * (6 * 106 * 24 - 100); },
          "leave the carrier");
  refused([](auto&, auto& s) { s.num_symbols = 15; }, "longer than 4 ms");
  // 61.44 MHz: 1 Ts is 2 samples, always whole; a 15 kHz 25-PRB carrier (FFT 512, 7.68 MHz)
  // has a quarter sample per Ts.
  const auto narrow = Numerology::for_carrier(0, CyclicPrefix::normal, 25);
  CplaneMessageHeader h = header;
  h.time_offset = 3;
  section.frequency_offset = -2 * 6 * 25 * 12;
  EXPECT_NE(oran_prach_window(narrow, 25, h, section).error.find("whole number of samples"),
            std::string::npos);

  // A DU that points timeOffset at the CP start and gives cpLength asks for the same window:
  // format 0's CP of 3168 Ts is 6336 Ts x 2^-1 on this 30 kHz carrier.
  CplaneMessageHeader with_cp = header;
  with_cp.time_offset = static_cast<std::uint16_t>(header.time_offset - 3168);
  with_cp.cp_length = 6336;
  const auto read = oran_prach_window(numerology, 106, with_cp, section);
  ASSERT_TRUE(read.error.empty()) << read.error;
  EXPECT_EQ(read.window.start, oran_prach_window(numerology, 106, header, section).window.start);

  PrachConfig invalid;
  invalid.first_prb = 104; // 6 PUSCH PRBs past PRB 103 leave the 106-PRB carrier
  EXPECT_FALSE(oran_prach_request(invalid, numerology, 106, 0).error.empty());
}

} // namespace
} // namespace airan::io
