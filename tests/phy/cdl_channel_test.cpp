// CDL models (TR 38.901 7.7.1) through TdlChannel: the compiled tables against
// testvectors/conformance/channels/CDL-*.json, the normalised profile, argument checks, and the
// statistics of the rays over many realisations: unit average power per antenna pair, the
// spatial correlation at both ends and the time autocorrelation (Doppler) that the tables'
// angles, the ray offsets and the array geometry imply, computed here independently; each ray's
// phase step and Doppler drawn directly; and the constant-amplitude LOS path of CDL-D.
#include "airan/phy/cdl_channel.h"

#include "../support/tdl_test_helpers.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <set>
#include <string>

namespace {

using namespace airan::phy;
using airan::test::bessel_j0;
using airan::test::carrier;
using airan::test::two_pi;
using cd = std::complex<double>;
namespace fs = std::filesystem;
constexpr double degree = std::numbers::pi / 180.0;
/// TR 38.901 Table 7.5-3, the ray offsets (positive half).
constexpr double offsets[] = {0.0447, 0.1413, 0.2492, 0.3715, 0.5129,
                              0.6797, 0.8844, 1.1481, 1.5195, 2.1551};

/// The 20 ray angles of a cluster at \p centre_deg with spread \p c_deg, radians.
std::vector<double> ray_angles(double centre_deg, double c_deg, bool zenith) {
  std::vector<double> angles;
  for (const double a : offsets) {
    for (const double sign : {1.0, -1.0}) {
      double angle = centre_deg + sign * c_deg * a;
      if (zenith && angle > 180.0) {
        angle = 360.0 - angle;
      }
      angles.push_back(angle * degree);
    }
  }
  return angles;
}

TEST(CdlChannel, CompiledTablesEqualTheJsonTables) {
  const fs::path dir = fs::path(AIRAN_TESTVECTOR_DIR) / "channels";
  std::set<std::string> json_names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("CDL-", 0) == 0 && entry.path().extension() == ".json") {
      json_names.insert(entry.path().stem().string());
    }
  }
  const auto names = cdl_profile_names();
  EXPECT_EQ(json_names, std::set<std::string>(names.begin(), names.end()));
  for (const CdlTable& table : cdl_tables()) {
    const std::string name(table.name);
    std::ifstream file(dir / (name + ".json"));
    ASSERT_TRUE(file) << name;
    const auto json = nlohmann::json::parse(file);
    EXPECT_EQ(json.at("los").get<int>() == 1, table.first_entry_is_los) << name;
    EXPECT_EQ(json.at("cASD").get<double>(), table.c_asd_deg) << name;
    EXPECT_EQ(json.at("cASA").get<double>(), table.c_asa_deg) << name;
    EXPECT_EQ(json.at("cZSD").get<double>(), table.c_zsd_deg) << name;
    EXPECT_EQ(json.at("cZSA").get<double>(), table.c_zsa_deg) << name;
    EXPECT_EQ(json.at("xpr").get<double>(), table.xpr_db) << name;
    const std::pair<const char*, std::span<const double>> columns[] = {
        {"delays", table.delays}, {"powers", table.powers_db}, {"aod", table.aod_deg},
        {"aoa", table.aoa_deg},   {"zod", table.zod_deg},      {"zoa", table.zoa_deg}};
    for (const auto& [key, values] : columns) {
      const auto expected = json.at(key).get<std::vector<double>>();
      ASSERT_EQ(expected.size(), values.size()) << name << ' ' << key;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(expected[i], values[i]) << name << ' ' << key << ' ' << i;
      }
    }
  }
}

TEST(CdlChannel, ProfileScalesDelaysAndNormalisesPowers) {
  CdlChannelSpec spec;
  spec.model = "cdl-d"; // case-insensitive
  spec.delay_spread_s = 300e-9;
  const TdlProfile profile = make_cdl_profile(spec);
  const CdlTable& table = find_cdl_table("CDL-D");
  ASSERT_EQ(profile.taps.size(), table.delays.size());
  double total = 0.0;
  for (std::size_t n = 0; n < profile.taps.size(); ++n) {
    EXPECT_DOUBLE_EQ(profile.taps[n].delay_s, table.delays[n] * 300e-9);
    EXPECT_EQ(profile.taps[n].line_of_sight, n == 0);
    total += profile.taps[n].power;
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  // Power ratios as in the table: the LOS path 13.3 dB above the first cluster.
  EXPECT_NEAR(10.0 * std::log10(profile.taps[0].power / profile.taps[1].power), 13.3, 1e-9);
  EXPECT_TRUE(is_cdl_model("CDL-E"));
  EXPECT_FALSE(is_cdl_model("TDL-C"));
}

TEST(CdlChannel, RefusesInvalidSpecs) {
  CdlChannelSpec spec;
  spec.delay_spread_s = 100e-9;
  EXPECT_NO_THROW(make_cdl_channel_config(spec));
  const auto refused = [](const CdlChannelSpec& bad) {
    EXPECT_THROW(make_cdl_channel_config(bad), std::invalid_argument);
  };
  CdlChannelSpec bad = spec;
  bad.model = "CDL-F";
  refused(bad);
  bad = spec;
  bad.delay_spread_s = 0.0; // the tables are normalised: a spread is required
  refused(bad);
  bad = spec;
  bad.num_rx = 17;
  refused(bad);
  bad = spec;
  bad.rx_spacing = 0.0;
  refused(bad);
  bad = spec;
  bad.tx_spacing = std::nan("");
  refused(bad);
  // The geometry correlates the antennas: a correlation matrix on top is refused; so is a
  // channel configured apart from its rays.
  TdlChannelConfig config = make_cdl_channel_config(spec);
  config.correlation = AntennaCorrelation::medium;
  EXPECT_THROW(TdlChannel(config, carrier(), 52, 1), std::invalid_argument);
  const auto mismatch_of = [&](const TdlChannelConfig& c) -> std::string {
    try {
      TdlChannel channel(c, carrier(), 52, 1);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  config = make_cdl_channel_config(spec);
  config.num_rx = 2;
  EXPECT_NE(mismatch_of(config).find("1 x 1 antennas"), std::string::npos) << mismatch_of(config);
  config = make_cdl_channel_config(spec);
  config.max_doppler_hz = 100.0;
  EXPECT_NE(mismatch_of(config).find("Doppler"), std::string::npos) << mismatch_of(config);
  CdlChannelSpec other = spec;
  other.model = "CDL-B"; // as many clusters as CDL-A
  config = make_cdl_channel_config(spec);
  config.profile = make_cdl_profile(other);
  EXPECT_NE(mismatch_of(config).find("not the rays' model"), std::string::npos);
  bad = spec;
  bad.travel_azimuth_deg = INFINITY;
  refused(bad);
}

/// Mean over \p seeds realisations of f(gains at t = 0) for \p spec.
template <typename Statistic>
cd mean_over_realisations(const CdlChannelSpec& spec, unsigned seeds, Statistic statistic) {
  const TdlChannelConfig config = make_cdl_channel_config(spec);
  TdlChannel channel(config, carrier(), 52, 0);
  const std::size_t taps = config.profile.taps.size();
  std::vector<cd> gains(taps * spec.num_rx * spec.num_tx);
  cd sum = 0.0;
  for (unsigned seed = 0; seed < seeds; ++seed) {
    channel.reseed(seed + 1);
    sum += statistic(channel, gains);
  }
  return sum / static_cast<double>(seeds);
}

TEST(CdlChannel, EveryAntennaPairHasUnitAveragePower) {
  for (const char* model : {"CDL-A", "CDL-C", "CDL-D"}) {
    CdlChannelSpec spec;
    spec.model = model;
    spec.delay_spread_s = 100e-9;
    spec.num_rx = 4;
    spec.num_tx = 2;
    const cd power = mean_over_realisations(spec, 600, [&](TdlChannel& ch, std::vector<cd>& g) {
      ch.tap_gains(0.0, g);
      double total = 0.0;
      for (const cd& v : g) {
        total += std::norm(v);
      }
      return cd(total / (spec.num_rx * spec.num_tx));
    });
    EXPECT_NEAR(power.real(), 1.0, 0.05) << model;
  }
}

// The correlation of two antennas d wavelengths apart at one end: over the random phases and
// couplings, sum_n P_n / M^2 sum_m sum_k exp(-j 2 pi d sin(zenith_k) sin(azimuth_m)), with the
// cluster's ray azimuths (centre + c_AS alpha_m) and zeniths (centre + c_ZS alpha_k): AOD/ZOD at
// the base station, AOA/ZOA at the UE.
cd expected_correlation(const CdlTable& table, double spacing, bool base_station,
                        bool tr38901_pattern = false) {
  double total = 0.0;
  for (const double db : table.powers_db) {
    total += std::pow(10.0, db / 10.0);
  }
  cd rho = 0.0;
  for (std::size_t n = 0; n < table.delays.size(); ++n) {
    const double p = std::pow(10.0, table.powers_db[n] / 10.0) / total;
    const bool los = n == 0 && table.first_entry_is_los;
    const auto azimuths = base_station
                              ? ray_angles(table.aod_deg[n], los ? 0.0 : table.c_asd_deg, false)
                              : ray_angles(table.aoa_deg[n], los ? 0.0 : table.c_asa_deg, false);
    const auto zeniths = base_station
                             ? ray_angles(table.zod_deg[n], los ? 0.0 : table.c_zsd_deg, true)
                             : ray_angles(table.zoa_deg[n], los ? 0.0 : table.c_zsa_deg, true);
    cd cluster = 0.0;
    for (const double a : azimuths) {
      for (const double z : zeniths) {
        const double gain = tr38901_pattern ? tr38901_element_power_gain(z, a) : 1.0;
        cluster += gain * std::polar(1.0, -two_pi * spacing * std::sin(z) * std::sin(a));
      }
    }
    rho += p * cluster / static_cast<double>(azimuths.size() * zeniths.size());
  }
  return rho;
}

cd expected_bs_correlation(const CdlTable& table, double spacing) {
  return expected_correlation(table, spacing, true);
}

/// Mean over 3000 realisations of sum_n g_n(antenna 0) conj(g_n(antenna 1)) for a spec with two
/// antennas at one end and one at the other (pairs 0 and 1 of each tap are then those two).
cd measured_pair_correlation(const CdlChannelSpec& spec) {
  return mean_over_realisations(spec, 3000, [](TdlChannel& ch, auto& g) {
    ch.tap_gains(0.0, g);
    cd product = 0.0;
    for (std::size_t n = 0; n < g.size() / 2; ++n) {
      product += g[2 * n] * std::conj(g[2 * n + 1]);
    }
    return product;
  });
}

TEST(CdlChannel, BaseStationCorrelationFollowsTheClusterAngles) {
  for (const char* model : {"CDL-A", "CDL-C"}) {
    for (const double spacing : {0.5, 2.0}) {
      CdlChannelSpec spec;
      spec.model = model;
      spec.delay_spread_s = 100e-9;
      spec.num_rx = 2;
      spec.rx_spacing = spacing;
      const cd measured = measured_pair_correlation(spec);
      const cd expected = expected_bs_correlation(find_cdl_table(model), spacing);
      EXPECT_LT(std::abs(measured - expected), 0.05)
          << model << " d " << spacing << ": measured " << measured << ", expected " << expected;
    }
  }
  // The geometry matters: CDL-C's narrow departure spread (c_ASD 2 degrees) keeps half-wavelength
  // neighbours far more correlated than 2-wavelength ones.
  const CdlTable& c = find_cdl_table("CDL-C");
  EXPECT_GT(std::abs(expected_bs_correlation(c, 0.5)), 0.3);
  EXPECT_LT(std::abs(expected_bs_correlation(c, 2.0)), std::abs(expected_bs_correlation(c, 0.5)));
}

TEST(CdlChannel, UeCorrelationFollowsTheArrivalAngles) {
  // The UE's two ports half a wavelength apart see the tables' AOA/ZOA clusters (uplink).
  for (const char* model : {"CDL-B", "CDL-C"}) {
    CdlChannelSpec spec;
    spec.model = model;
    spec.delay_spread_s = 100e-9;
    spec.num_tx = 2;
    const cd measured = measured_pair_correlation(spec);
    const cd expected = expected_correlation(find_cdl_table(model), 0.5, false);
    EXPECT_LT(std::abs(measured - expected), 0.05)
        << model << ": measured " << measured << ", expected " << expected;
    // The BS side's expectation is another number: the test tells the two ends apart.
    EXPECT_GT(std::abs(expected - expected_correlation(find_cdl_table(model), 0.5, true)), 0.15);
  }
}

TEST(CdlChannel, Tr38901ElementPattern) {
  const auto db = [](double zenith_deg, double azimuth_deg) {
    return 10.0 * std::log10(tr38901_element_power_gain(zenith_deg * degree, azimuth_deg * degree));
  };
  EXPECT_NEAR(db(90, 0), 8.0, 1e-12);   // boresight, +x
  EXPECT_NEAR(db(90, 65), -4.0, 1e-12); // 12 dB down at the beamwidth
  EXPECT_NEAR(db(90, -65), -4.0, 1e-12);
  EXPECT_NEAR(db(90, 180), -22.0, 1e-12); // 30 dB front-to-back
  EXPECT_NEAR(db(90, 540), -22.0, 1e-12); // azimuths wrap
  EXPECT_NEAR(db(0, 0), 8.0 - 12.0 * (90.0 / 65.0) * (90.0 / 65.0), 1e-12);
  EXPECT_NEAR(db(30, 120), -22.0, 1e-12); // the sum is capped at 30 dB too
  EXPECT_EQ(parse_cdl_element_pattern("38.901"), CdlElementPattern::tr38901);
  EXPECT_EQ(parse_cdl_element_pattern("omni"), CdlElementPattern::omni);
  EXPECT_THROW(parse_cdl_element_pattern("dipole"), std::invalid_argument);
}

// With the 38.901 pattern at the base station each ray is weighted by the element gain towards
// it: the average power becomes sum_n P_n / M^2 sum_m sum_k G(ZOD_k, AOD_m) and the antennas'
// correlation weights each ray's phase step by the same gain.
TEST(CdlChannel, TheBaseStationPatternWeightsEachRay) {
  for (const char* model : {"CDL-A", "CDL-C"}) {
    CdlChannelSpec spec;
    spec.model = model;
    spec.delay_spread_s = 100e-9;
    spec.num_rx = 2;
    spec.rx_pattern = CdlElementPattern::tr38901;
    const CdlTable& table = find_cdl_table(model);
    const double expected_power = expected_correlation(table, 0.0, true, true).real();
    const cd expected_rho = expected_correlation(table, 0.5, true, true);
    std::vector<cd> measured(2, 0.0);
    mean_over_realisations(spec, 3000, [&](TdlChannel& ch, auto& g) {
      ch.tap_gains(0.0, g);
      for (std::size_t n = 0; n < g.size() / 2; ++n) {
        measured[0] += std::norm(g[2 * n]) / 3000.0;
        measured[1] += g[2 * n] * std::conj(g[2 * n + 1]) / 3000.0;
      }
      return cd(0.0);
    });
    EXPECT_NEAR(measured[0].real(), expected_power, 0.06 * expected_power) << model;
    EXPECT_LT(std::abs(measured[1] - expected_rho), 0.06 * expected_power)
        << model << ": measured " << measured[1] << ", expected " << expected_rho;
    // Not the isotropic figures: the pattern matters.
    EXPECT_GT(std::abs(expected_power - 1.0), 0.3) << model;
  }
}

// Each ray, drawn directly: its phase step across the base station array is
// 2 pi d sin(ZOD_k) sin(AOD_m) for its own azimuth m and one of the cluster's zeniths k, and with
// the direction of travel fixed its Doppler is f_d sin(ZOA_k) cos(AOA_k' - phi_v) for one of the
// UE's zeniths and azimuths.
TEST(CdlChannel, EveryRayFollowsTheClusterGeometry) {
  CdlChannelSpec spec;
  spec.model = "CDL-D";
  spec.delay_spread_s = 100e-9;
  spec.max_doppler_hz = 300.0;
  spec.num_rx = 2;
  spec.rx_spacing = 0.7;
  spec.travel_azimuth_deg = 30.0;
  const CdlTable& table = find_cdl_table("CDL-D");
  const CdlRaySource rays(spec);
  const std::size_t m_count = cdl_rays_per_cluster;
  const std::size_t taps = table.delays.size();
  std::vector<double> omega(taps * 2 * m_count);
  std::vector<double> phase(omega.size());
  std::vector<double> amplitude(omega.size());
  rays.draw(42, omega, phase, amplitude);
  const auto wrapped = [](double x) { return std::remainder(x, two_pi); };
  for (std::size_t n = 0; n < taps; ++n) {
    const bool los = n == 0;
    const auto bs_azimuths = ray_angles(table.aod_deg[n], los ? 0.0 : table.c_asd_deg, false);
    const auto bs_zeniths = ray_angles(table.zod_deg[n], los ? 0.0 : table.c_zsd_deg, true);
    const auto ue_azimuths = ray_angles(table.aoa_deg[n], los ? 0.0 : table.c_asa_deg, false);
    const auto ue_zeniths = ray_angles(table.zoa_deg[n], los ? 0.0 : table.c_zsa_deg, true);
    for (std::size_t m = 0; m < (los ? 1 : m_count); ++m) {
      const double rx0 = phase[(n * 2 + 0) * m_count + m];
      const double rx1 = phase[(n * 2 + 1) * m_count + m];
      double best_phase = 10.0;
      for (const double z : bs_zeniths) {
        const double step = two_pi * 0.7 * std::sin(z) * std::sin(bs_azimuths[m]);
        best_phase = std::min(best_phase, std::abs(wrapped(rx1 - rx0 - step)));
      }
      EXPECT_LT(best_phase, 1e-9) << "tap " << n << " ray " << m;
      double best_doppler = 10.0;
      for (const double z : ue_zeniths) {
        for (const double a : ue_azimuths) {
          const double expected = two_pi * 300.0 * std::sin(z) * std::cos(a - 30.0 * degree);
          best_doppler = std::min(best_doppler, std::abs(omega[(n * 2) * m_count + m] - expected));
        }
      }
      EXPECT_LT(best_doppler, 1e-9) << "tap " << n << " ray " << m;
      EXPECT_EQ(omega[(n * 2) * m_count + m], omega[(n * 2 + 1) * m_count + m]); // per ray
    }
  }
  // The LOS ray exactly: AOA -180, ZOA 81.5 degrees against travel at 30 degrees.
  EXPECT_NEAR(omega[0], two_pi * 300.0 * std::sin(81.5 * degree) * std::cos(-210.0 * degree), 1e-9);
}

// Over the UE's random direction of travel a ray at UE zenith theta contributes
// J0(2 pi f_d sin(theta) tau) to the autocorrelation: sum_n P_n / M sum_k J0(...) with the
// cluster's UE zeniths ZOA + c_ZSA alpha_k.
TEST(CdlChannel, TimeCorrelationFollowsTheDopplerOfTheUeAngles) {
  const CdlTable& table = find_cdl_table("CDL-B");
  CdlChannelSpec spec;
  spec.model = "CDL-B";
  spec.delay_spread_s = 100e-9;
  spec.max_doppler_hz = 200.0;
  double total = 0.0;
  for (const double db : table.powers_db) {
    total += std::pow(10.0, db / 10.0);
  }
  for (const double tau : {0.5e-3, 1.0e-3, 2.0e-3}) {
    double expected = 0.0;
    for (std::size_t n = 0; n < table.delays.size(); ++n) {
      const auto zeniths = ray_angles(table.zoa_deg[n], table.c_zsa_deg, true);
      double sum = 0.0;
      for (const double z : zeniths) {
        sum += bessel_j0(two_pi * spec.max_doppler_hz * std::sin(z) * tau);
      }
      expected += std::pow(10.0, table.powers_db[n] / 10.0) / total * sum /
                  static_cast<double>(zeniths.size());
    }
    std::vector<cd> later;
    const cd measured = mean_over_realisations(spec, 2000, [&](TdlChannel& ch, auto& g) {
      later.resize(g.size());
      ch.tap_gains(0.0, g);
      ch.tap_gains(tau, later);
      cd product = 0.0;
      for (std::size_t i = 0; i < g.size(); ++i) {
        product += later[i] * std::conj(g[i]);
      }
      return product;
    });
    EXPECT_NEAR(measured.real(), expected, 0.05) << "tau " << tau;
    EXPECT_NEAR(measured.imag(), 0.0, 0.05) << "tau " << tau;
  }
}

TEST(CdlChannel, TheLosPathOfCdlDKeepsItsAmplitude) {
  CdlChannelSpec spec;
  spec.model = "CDL-D";
  spec.delay_spread_s = 30e-9;
  spec.max_doppler_hz = 100.0;
  spec.num_rx = 4;
  const TdlChannelConfig config = make_cdl_channel_config(spec);
  TdlChannel channel(config, carrier(), 52, 5);
  std::vector<cd> gains(config.profile.taps.size() * spec.num_rx);
  const double los_amplitude = std::sqrt(config.profile.taps[0].power);
  for (const double t : {0.0, 1e-3, 7e-3}) {
    channel.tap_gains(t, gains);
    for (unsigned r = 0; r < spec.num_rx; ++r) {
      EXPECT_NEAR(std::abs(gains[r]), los_amplitude, 1e-12) << t;
    }
    // The tables' LOS path leaves broadside (AOD 0 degrees): the same phase at every antenna.
    EXPECT_NEAR(std::abs(gains[3] - gains[0]), 0.0, 1e-9);
  }
}

} // namespace
