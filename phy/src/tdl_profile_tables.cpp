// TDL power-delay profiles as published:
//  - TDL-A .. TDL-E: 3GPP TR 38.901 (V16) Tables 7.7.2-1 .. 7.7.2-5, delays normalised to an RMS
//    delay spread of 1, powers in dB. In TDL-D and TDL-E the first entry is the specular LOS
//    component and the second the Rayleigh part of the same (first) tap.
//  - TDL-A30, TDL-B100, TDL-C300: the fixed-delay conformance profiles of TS 38.101-4 Annex B.2.1
//    / TS 38.104 Annex G.2.1, delays in ns.
// The values are those of testvectors/conformance/channels/TDL-*.json (from NVIDIA Sionna,
// Apache-2.0; see testvectors/conformance/README.md); tdl_profile_test checks that they match.
#include "airan/phy/tdl_profile.h"

#include <array>

namespace airan::phy {
namespace {

constexpr double tdl_a_delays[] = {0.0,    0.3819, 0.4025, 0.5868, 0.4610, 0.5375, 0.6708, 0.5750,
                                   0.7618, 1.5375, 1.8978, 2.2242, 2.1718, 2.4942, 2.5119, 3.0582,
                                   4.0810, 4.4579, 4.5695, 4.7966, 5.0066, 5.3043, 9.6586};
constexpr double tdl_a_powers_db[] = {-13.4, 0.0,   -2.2,  -4.0,  -6.0,  -8.2,  -9.9,  -10.5,
                                      -7.5,  -15.9, -6.6,  -16.7, -12.4, -15.2, -10.8, -11.3,
                                      -12.7, -16.2, -18.3, -18.9, -16.6, -19.9, -29.7};

constexpr double tdl_b_delays[] = {0.0000, 0.1072, 0.2155, 0.2095, 0.2870, 0.2986, 0.3752, 0.5055,
                                   0.3681, 0.3697, 0.5700, 0.5283, 1.1021, 1.2756, 1.5474, 1.7842,
                                   2.0169, 2.8294, 3.0219, 3.6187, 4.1067, 4.2790, 4.7834};
constexpr double tdl_b_powers_db[] = {0.0,  -2.2,  -4.0, -3.2,  -9.8,  -1.2, -3.4, -5.2,
                                      -7.6, -3.0,  -8.9, -9.0,  -4.8,  -5.7, -7.5, -1.9,
                                      -7.6, -12.2, -9.8, -11.4, -14.9, -9.2, -11.3};

constexpr double tdl_c_delays[] = {0.0,    0.2099, 0.2219, 0.2329, 0.2176, 0.6366, 0.6448, 0.6560,
                                   0.6584, 0.7935, 0.8213, 0.9336, 1.2285, 1.3083, 2.1704, 2.7105,
                                   4.2589, 4.6003, 5.4902, 5.6077, 6.3065, 6.6374, 7.0427, 8.6523};
constexpr double tdl_c_powers_db[] = {-4.4,  -1.2,  -3.5,  -5.2,  -2.5,  0.0,   -2.2,  -3.9,
                                      -7.4,  -7.1,  -10.7, -11.1, -5.1,  -6.8,  -8.7,  -13.2,
                                      -13.9, -13.9, -15.8, -17.1, -16.0, -15.7, -21.6, -22.8};

constexpr double tdl_d_delays[] = {0.0,   0.0,   0.035, 0.612, 1.363, 1.405, 1.804,
                                   2.596, 1.775, 4.042, 7.937, 9.424, 9.708, 12.525};
constexpr double tdl_d_powers_db[] = {-0.2,  -13.5, -18.8, -21.0, -22.8, -17.9, -20.1,
                                      -21.9, -22.9, -27.8, -23.6, -24.8, -30.0, -27.7};

constexpr double tdl_e_delays[] = {0.0,    0.0,    0.5133, 0.5440, 0.5630, 0.5440,  0.7112, 1.9092,
                                   1.9293, 1.9589, 2.6426, 3.7136, 5.4524, 12.0034, 20.6519};
constexpr double tdl_e_powers_db[] = {-0.03, -22.03, -15.8, -18.1, -19.8, -22.9, -22.4, -18.6,
                                      -20.8, -22.6,  -22.3, -25.6, -20.2, -29.8, -29.2};

constexpr double tdl_a30_delays[] = {0.0,  10.0, 15.0,  20.0,  25.0,  50.0,
                                     65.0, 75.0, 105.0, 135.0, 150.0, 290.0};
constexpr double tdl_a30_powers_db[] = {-15.5, 0.0,   -5.1,  -5.1,  -9.6,  -8.2,
                                        -13.1, -11.5, -11.0, -16.2, -16.6, -26.2};

constexpr double tdl_b100_delays[] = {0.0,  10.0,  20.0,  30.0,  35.0,  45.0,
                                      55.0, 120.0, 170.0, 245.0, 330.0, 480.0};
constexpr double tdl_b100_powers_db[] = {0.0,  -2.2, -0.6, -0.6, -0.3, -1.2,
                                         -5.9, -2.2, -0.8, -6.3, -7.5, -7.1};

constexpr double tdl_c300_delays[] = {0.0,   65.0,  70.0,  190.0,  195.0,  200.0,
                                      240.0, 325.0, 520.0, 1045.0, 1510.0, 2595.0};
constexpr double tdl_c300_powers_db[] = {-6.9, 0.0,  -7.7, -2.5,  -2.4,  -9.9,
                                         -8.0, -6.6, -7.1, -13.0, -14.2, -16.0};

constexpr std::array<TdlTable, 8> tables = {{
    {"TDL-A", true, 0.0, false, tdl_a_delays, tdl_a_powers_db},
    {"TDL-B", true, 0.0, false, tdl_b_delays, tdl_b_powers_db},
    {"TDL-C", true, 0.0, false, tdl_c_delays, tdl_c_powers_db},
    {"TDL-D", true, 0.0, true, tdl_d_delays, tdl_d_powers_db},
    {"TDL-E", true, 0.0, true, tdl_e_delays, tdl_e_powers_db},
    {"TDL-A30", false, 30e-9, false, tdl_a30_delays, tdl_a30_powers_db},
    {"TDL-B100", false, 100e-9, false, tdl_b100_delays, tdl_b100_powers_db},
    {"TDL-C300", false, 300e-9, false, tdl_c300_delays, tdl_c300_powers_db},
}};

// Every table has one power per delay.
constexpr bool tables_consistent() {
  for (const TdlTable& table : tables) {
    if (table.delays.size() != table.powers_db.size() || table.delays.empty()) {
      return false;
    }
  }
  return true;
}
static_assert(tables_consistent(), "a TDL table has mismatched delay and power lists");

} // namespace

std::span<const TdlTable> tdl_tables() {
  return tables;
}

} // namespace airan::phy
