// FAPI PRACH PDU + CONFIG.request PRACH TLVs -> the PHY's PRACH occasions, and the detection ->
// RACH.indication PDU.
#include "airan/io/fapi_prach_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include <array>
#include <string>

namespace airan::io {
namespace {

phy::CellConfig prach_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 51;
  cell.numerology = 1;
  return cell;
}

std::string reason(const FapiError& error) {
  return std::string(error.reason());
}

/// A short-format PRACH at 30 kHz (N_CS 23, root 9, PRB 12) from \p start_symbol.
phy::PrachConfig short_prach(phy::PrachFormat format, unsigned start_symbol) {
  phy::PrachConfig prach;
  prach.format = format;
  prach.short_format_numerology = 1;
  prach.cyclic_shift_length = 23;
  prach.root_sequence_index = 9;
  prach.first_prb = 12;
  prach.start_symbol = start_symbol;
  return prach;
}

// prachFormat as 222.10.02 Table 3-45 numbers it: 8 B4, 9 C0, 10 C2, and 11 .. 13 the pairs
// A1/B1, A2/B2, A3/B3 whose last occasion in the slot is the B format (before: 8 .. 12 were read
// as B2, B3, B4, C0, C2 and 13 refused the whole request; a review found it).
TEST(FapiPrachConversion, PrachFormatNumbersAndThePairsOfTable3_45) {
  const phy::PrachConfig prach = short_prach(phy::PrachFormat::a1, 0);
  const FapiPrachConfig config = to_fapi_prach_config(prach);
  using phy::PrachFormat;
  const auto formats_of = [&](std::uint8_t value, unsigned occasions) {
    FapiPrachPdu pdu = to_fapi_prach_pdu(prach, 0, static_cast<std::uint8_t>(occasions), 1);
    pdu.prach_format = value;
    std::array<FapiPrachOccasion, 7> out{};
    std::size_t count = 0;
    const FapiError error = to_prach_occasions(pdu, config, prach_cell(), out, count);
    EXPECT_TRUE(error.ok()) << unsigned{value} << ": " << reason(error);
    std::vector<PrachFormat> formats;
    for (std::size_t i = 0; i < count; ++i) {
      formats.push_back(out[i].config.format);
    }
    return formats;
  };
  EXPECT_EQ(formats_of(8, 1), std::vector{PrachFormat::b4});
  EXPECT_EQ(formats_of(9, 2), std::vector(2, PrachFormat::c0));
  EXPECT_EQ(formats_of(10, 2), std::vector(2, PrachFormat::c2));
  EXPECT_EQ(formats_of(11, 3), (std::vector{PrachFormat::a1, PrachFormat::a1, PrachFormat::b1}));
  EXPECT_EQ(formats_of(12, 3), (std::vector{PrachFormat::a2, PrachFormat::a2, PrachFormat::b2}));
  EXPECT_EQ(formats_of(13, 2), (std::vector{PrachFormat::a3, PrachFormat::b3}));
  EXPECT_EQ(formats_of(13, 1), std::vector{PrachFormat::b3});
  // The test MAC's PDUs: B4 as 8, and B2 / B3 (one occasion) as the pairs.
  for (const auto& [format, value] : {std::pair{PrachFormat::b4, 8},
                                      {PrachFormat::c0, 9},
                                      {PrachFormat::c2, 10},
                                      {PrachFormat::b2, 12},
                                      {PrachFormat::b3, 13},
                                      {PrachFormat::b1, 7}}) {
    phy::PrachConfig asked = prach;
    asked.format = format;
    EXPECT_EQ(to_fapi_prach_pdu(asked, 0, 1, 1).prach_format, value)
        << phy::prach_format_name(format);
  }
}

TEST(FapiPrachConversion, OccasionsOfAPdu) {
  const phy::PrachConfig prach = short_prach(phy::PrachFormat::a2, 2);
  const FapiPrachConfig config = to_fapi_prach_config(prach);
  EXPECT_EQ(config.prach_sub_c_spacing, 1);
  EXPECT_EQ(config.prach_sequence_length, 1);
  EXPECT_EQ(config.fd_occasions[0].prach_zero_corr_conf, 11); // N_CS 23 in Table 6.3.3.1-7
  const FapiPrachPdu pdu = to_fapi_prach_pdu(prach, 0, 3, 7);
  std::array<FapiPrachOccasion, 7> out{};
  std::size_t count = 0;
  ASSERT_TRUE(to_prach_occasions(pdu, config, prach_cell(), out, count).ok());
  ASSERT_EQ(count, 3U);
  for (unsigned i = 0; i < 3; ++i) {
    phy::PrachConfig expected = prach;
    expected.start_symbol = 2 + 4 * i; // A2 lasts 4 symbols
    EXPECT_EQ(out[i].config, expected) << i;
    EXPECT_EQ(out[i].phys_cell_id, 7);
  }
  // A MAC that describes FD occasion 0 only: occasion 2 lies 2 * N_RB^RA (12 PRBs) higher.
  FapiPrachPdu third = pdu;
  third.num_ra = 2;
  FapiPrachConfig fdm = config;
  fdm.num_prach_fd_occasions = 4;
  ASSERT_TRUE(to_prach_occasions(third, fdm, prach_cell(), out, count).ok());
  EXPECT_EQ(out[0].config.first_prb, 12U + 2 * 12);
  EXPECT_EQ(out[0].num_ra, 2);
  // FAPIv3: NumFdRa 2 from numRa 1 is FD occasions 1 and 2, three TD occasions each.
  FapiPrachPdu two_fd = pdu;
  two_fd.num_ra = 1;
  two_fd.maintenance_v3 = FapiPrachMaintenanceV3{};
  two_fd.maintenance_v3->num_fd_ra = 2;
  ASSERT_TRUE(to_prach_occasions(two_fd, fdm, prach_cell(), out, count).ok());
  ASSERT_EQ(count, 6U);
  for (unsigned i = 0; i < 6; ++i) {
    EXPECT_EQ(out[i].num_ra, 1 + i / 3) << i;
    EXPECT_EQ(out[i].config.first_prb, 12U + (1 + i / 3) * 12) << i;
    EXPECT_EQ(out[i].config.start_symbol, 2U + 4 * (i % 3)) << i;
  }
  // FD occasions past the configured four, or more occasions than out holds: refused whole.
  std::array<FapiPrachOccasion, 12> wide{};
  FapiPrachConfig two_configured = fdm;
  two_configured.num_prach_fd_occasions = 2; // FD occasion 2 is not one
  const FapiError past = to_prach_occasions(two_fd, two_configured, prach_cell(), wide, count);
  EXPECT_NE(reason(past).find("numRa + NumFdRa - 1 has no FD occasion"), std::string::npos)
      << reason(past);
  two_fd.num_ra = 0;
  two_fd.maintenance_v3->num_fd_ra = 3; // FD occasions 0 .. 2: PRBs 12 .. 47 of 51
  EXPECT_FALSE(to_prach_occasions(two_fd, fdm, prach_cell(), out, count).ok()) << "9 > 7";
  ASSERT_TRUE(to_prach_occasions(two_fd, fdm, prach_cell(), wide, count).ok());
  EXPECT_EQ(count, 9U);
  EXPECT_EQ(wide[8].num_ra, 2);
  EXPECT_EQ(wide[8].config.first_prb, 36U);
}

TEST(FapiPrachConversion, RefusesWhatItCannotReceive) {
  const phy::PrachConfig prach; // format 0, N_CS 13
  const FapiPrachConfig config = to_fapi_prach_config(prach);
  const FapiPrachPdu pdu = to_fapi_prach_pdu(prach, 0, 1, 1);
  std::array<FapiPrachOccasion, 7> out{};
  std::size_t count = 0;
  const auto refused = [&](const FapiPrachPdu& p, const FapiPrachConfig& c, const char* text) {
    const FapiError error = to_prach_occasions(p, c, prach_cell(), out, count);
    EXPECT_FALSE(error.ok()) << text;
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err);
    EXPECT_NE(reason(error).find(text), std::string::npos) << reason(error);
  };
  refused(pdu, FapiPrachConfig{}, "no PRACH configuration");
  FapiPrachConfig restricted = config;
  restricted.restricted_set_config = 2;
  refused(pdu, restricted, "restricted sets");
  FapiPrachConfig short_length = config;
  short_length.prach_sequence_length = 1;
  refused(pdu, short_length, "prachSequenceLength");
  FapiPrachConfig spacing = config;
  spacing.prach_sub_c_spacing = 5; // 5 kHz is format 3's
  refused(pdu, spacing, "prachSubCSpacing");
  FapiPrachPdu far = pdu;
  far.num_ra = 1; // one FD occasion configured
  refused(far, config, "numRa");
  FapiPrachPdu two = pdu;
  two.num_prach_ocas = 2; // a long format has one occasion a slot
  refused(two, config, "NumPrachOcas");
  FapiPrachPdu ncs = pdu;
  ncs.num_cs = 14;
  refused(ncs, config, "N_CS 14");
  FapiPrachConfig edge = config;
  edge.fd_occasions[0].k1 = 50; // 3 PRBs from 50 overrun 51
  refused(pdu, edge, "exceed");
}

TEST(FapiPrachConversion, SlotRequestKeepsAcceptedAndRefusedApart) {
  const phy::PrachConfig prach;
  const FapiPrachConfig config = to_fapi_prach_config(prach);
  FapiUlTtiRequest request;
  request.prach[0] = to_fapi_prach_pdu(prach, 0, 1, 1);
  request.prach[1] = to_fapi_prach_pdu(prach, 0, 1, 1);
  request.prach[1].num_cs = 14;
  request.num_prach = 2;
  FapiSlotRequest slot;
  to_slot_request(request, prach_cell(), slot);
  add_prach_pdus(request, config, prach_cell(), slot);
  ASSERT_EQ(slot.num_prach, 1U);
  EXPECT_EQ(slot.prach[0].prach_index, 0U);
  ASSERT_EQ(slot.num_rejected_prach, 1U);
  EXPECT_EQ(slot.rejected_prach[0].prach_index, 1U);
  // The next slot's request starts empty.
  to_slot_request(FapiUlTtiRequest{}, prach_cell(), slot);
  EXPECT_EQ(slot.num_prach, 0U);
  EXPECT_EQ(slot.num_rejected_prach, 0U);
}

TEST(FapiPrachConversion, RachPduFromADetection) {
  FapiPrachOccasion occasion;
  occasion.config.start_symbol = 0;
  occasion.phys_cell_id = 9;
  occasion.num_ra = 1;
  phy::PrachDetectionResult detection;
  detection.rssi = 0.5F; // -3.0 dB
  detection.preambles.push_back({3, 2e-6, 8, 0.001F, 6.0F, 2.0F});
  detection.preambles.push_back({4, 1e-6, 4, 0.0F, -2.0F, 1.5F});
  const FapiRachPdu pdu = to_rach_pdu(occasion, detection, 11, 1.0F);
  EXPECT_EQ(pdu.phys_cell_id, 9);
  EXPECT_EQ(pdu.slot_index, 11);
  EXPECT_EQ(pdu.freq_index, 1);
  EXPECT_EQ(pdu.avg_rssi, 122); // (-3.0 + 64) * 2
  EXPECT_EQ(pdu.avg_snr, 132);  // mean 2 dB: (2 + 64) * 2
  ASSERT_EQ(pdu.num_preambles, 2);
  EXPECT_EQ(pdu.preambles[0].preamble_index, 3);
  EXPECT_EQ(pdu.preambles[0].timing_advance, 8);
  // 0.001 over 839 subcarriers: -0.76 dB -> (140 - 0.76) * 1000.
  EXPECT_NEAR(double(pdu.preambles[0].preamble_power), 139238.0, 2.0);
  EXPECT_EQ(pdu.preambles[1].preamble_power, FapiRachPreamble::invalid_preamble_power);
  FapiPrachOccasion quiet = occasion;
  const FapiRachPdu empty = to_rach_pdu(quiet, phy::PrachDetectionResult{}, 11, 1.0F);
  EXPECT_EQ(empty.num_preambles, 0);
  EXPECT_EQ(empty.avg_snr, FapiRachPdu::invalid_u8);
}

} // namespace
} // namespace airan::io
