// The O-RU side of 7.2x PRACH on real occasions: type 3 requests written as the DU writes them
// (oran_prach_request, fill_prach_cplane), taken by take_cplane_frame, the carrier's IQ fed slot
// by slot, and the U-plane frames parsed back: their headers, and REs equal to what
// phy::PrachDemodulator makes of the same samples, also split at a small MTU. Refusals, lost
// occasions, allocation and the PRACH part of take_cplane_frame: ru_prach_emulator_refusals_test.
#include "ru_prach_emulator_test_helpers.h"

namespace airan::io::ru_prach_test {
namespace {

TEST(RuPrachEmulator, LongAndShortFormatsOn15kHzMatchTheDemodulator) {
  struct Case {
    phy::PrachConfig config;
    std::int64_t slot;
    std::uint8_t filter_index;
    unsigned frames_per_period; // 16-bit PRBs of 48 bytes, 30 to a 1500-byte frame
  };
  const Case cases[] = {
      {prach(PrachFormat::f0, 4), 3006, 1, 3},
      {prach(PrachFormat::f1, 10), 25598, 1, 3},   // 3 slots, frame 255 into frame 0
      {prach(PrachFormat::f2, 0), 3006, 1, 3},     // 4 periods over 4 slots
      {prach(PrachFormat::f3, 1), 3007, 2, 3},     // 5 kHz
      {prach(PrachFormat::a1, 13, 7), 3001, 3, 1}, // meets the half-subframe boundary
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(phy::prach_format_name(c.config.format));
    const Occasion occasion(c.config, 0, 25, 2, c.slot);
    EXPECT_EQ(occasion.request().filter_index, c.filter_index);
    check_occasion(occasion, fronthaul(uncompressed), c.frames_per_period, 1e-3, 60.0);
  }
}

TEST(RuPrachEmulator, LongAndShortFormatsOn30kHzMatchTheDemodulatorUnderBfp9) {
  auto config = fronthaul(bfp9);
  config.prach_ru_port = 8; // ports 8 .. 11
  config.dynamic_compression_header = true;
  const phy::PrachConfig configs[] = {prach(PrachFormat::f0, 20),        // 2 slots
                                      prach(PrachFormat::a1, 30, 0, 1),  // 2 periods
                                      prach(PrachFormat::b4, 39, 2, 1)}; // symbols 2 .. 13
  for (const auto& prach_config : configs) {
    SCOPED_TRACE(phy::prach_format_name(prach_config.format));
    const Occasion occasion(prach_config, 1, 51, 4, 20 * 77 + 13);
    const bool long_format = phy::prach_is_long_format(prach_config.format);
    // 52 BFP9 PRBs of 28 bytes to a frame (6-byte section headers): 72 PRBs take 2, 12 take 1.
    check_occasion(occasion, config, long_format ? 2 : 1, 0.02, 40.0);
  }
}

TEST(RuPrachEmulator, SplitsASectionAtTheMtu) {
  const Occasion occasion(prach(PrachFormat::f0, 4), 0, 25, 1, 3006);
  // 256 - 8 (eCPRI) - 4 (timing) - 4 (section header) = 240 bytes: 8 BFP9 PRBs, 5 16-bit PRBs.
  const auto split = check_occasion(occasion, fronthaul(bfp9, 256), 9, 0.02, 40.0);
  for (const auto& frame : split.frames) {
    const auto parsed = parse_fronthaul_frame(frame.bytes, {EaxcIdLayout{}, {bfp9, false, 72}});
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.frame.uplane.num_sections, 1U);
  }
  check_occasion(occasion, fronthaul(uncompressed, 256), 15, 1e-3, 60.0);
}

} // namespace
} // namespace airan::io::ru_prach_test
