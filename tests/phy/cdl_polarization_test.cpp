// Polarised CDL arrays (TR 38.901 7.3.2 model 2, eq. 7.5-22 and 7.5-29): the names, the slant
// angles and the refusal of odd dual-polarised arrays; vertical elements of a VH array draw
// exactly the rays of a vertical array; over many realisations the pair powers and correlations
// that the table's cross-polarisation ratio implies, computed here from the slants; and the LOS
// ray's diag(1, -1) coupling, drawn directly.
#include "airan/phy/cdl_channel.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace {

using namespace airan::phy;
using airan::test::carrier;
using airan::test::two_pi;
using cd = std::complex<double>;

/// The rays of realisation \p seed: omega, phase and amplitude laid out [tap][pair][ray].
struct Rays {
  std::vector<double> omega, phase, amplitude;
};

Rays draw_rays(const CdlChannelSpec& spec, std::uint64_t seed) {
  const std::size_t size =
      find_cdl_table(spec.model).delays.size() * spec.num_rx * spec.num_tx * cdl_rays_per_cluster;
  Rays rays{std::vector<double>(size), std::vector<double>(size), std::vector<double>(size)};
  CdlRaySource(spec).draw(seed, rays.omega, rays.phase, rays.amplitude);
  return rays;
}

/// Mean over \p seeds realisations of sum_n g_n(pair a) conj(g_n(pair b)) at t = 0, for every
/// (a, b): a [pairs][pairs] matrix, row-major.
std::vector<cd> pair_covariance(const CdlChannelSpec& spec, unsigned seeds) {
  const TdlChannelConfig config = make_cdl_channel_config(spec);
  TdlChannel channel(config, carrier(), 52, 0);
  const std::size_t pairs = std::size_t{spec.num_rx} * spec.num_tx;
  const std::size_t taps = config.profile.taps.size();
  std::vector<cd> gains(taps * pairs);
  std::vector<cd> covariance(pairs * pairs, 0.0);
  for (unsigned seed = 1; seed <= seeds; ++seed) {
    channel.reseed(seed);
    channel.tap_gains(0.0, gains);
    for (std::size_t n = 0; n < taps; ++n) {
      for (std::size_t a = 0; a < pairs; ++a) {
        for (std::size_t b = 0; b < pairs; ++b) {
          covariance[a * pairs + b] +=
              gains[n * pairs + a] * std::conj(gains[n * pairs + b]) / static_cast<double>(seeds);
        }
      }
    }
  }
  return covariance;
}

/// A \p model link, 100 ns, \p rx x \p tx antennas polarised \p bs and \p ue.
CdlChannelSpec polarised_spec(const char* model, unsigned rx, CdlPolarization bs, unsigned tx,
                              CdlPolarization ue) {
  CdlChannelSpec spec;
  spec.model = model;
  spec.delay_spread_s = 100e-9;
  spec.num_rx = rx;
  spec.num_tx = tx;
  spec.rx_polarization = bs;
  spec.tx_polarization = ue;
  return spec;
}

double xpr_linear(const char* model) {
  return std::pow(10.0, find_cdl_table(model).xpr_db / 10.0);
}

TEST(CdlPolarization, NamesSlantsAndArraySizes) {
  EXPECT_EQ(parse_cdl_polarization("V"), CdlPolarization::vertical);
  EXPECT_EQ(parse_cdl_polarization("h"), CdlPolarization::horizontal);
  EXPECT_EQ(parse_cdl_polarization("vh"), CdlPolarization::vh);
  EXPECT_EQ(parse_cdl_polarization("Cross"), CdlPolarization::cross);
  EXPECT_THROW(parse_cdl_polarization("dual"), std::invalid_argument);
  for (const auto p : {CdlPolarization::vertical, CdlPolarization::horizontal, CdlPolarization::vh,
                       CdlPolarization::cross}) {
    EXPECT_EQ(parse_cdl_polarization(cdl_polarization_name(p)), p);
  }
  const double quarter = std::numbers::pi / 4.0;
  EXPECT_EQ(cdl_slant_angle(CdlPolarization::vertical, 3), 0.0);
  EXPECT_EQ(cdl_slant_angle(CdlPolarization::horizontal, 0), 2.0 * quarter);
  EXPECT_EQ(cdl_slant_angle(CdlPolarization::vh, 0), 0.0);
  EXPECT_EQ(cdl_slant_angle(CdlPolarization::vh, 1), 2.0 * quarter);
  EXPECT_EQ(cdl_slant_angle(CdlPolarization::cross, 2), -quarter); // Sionna's order
  EXPECT_EQ(cdl_slant_angle(CdlPolarization::cross, 3), quarter);

  CdlChannelSpec spec;
  spec.delay_spread_s = 100e-9;
  spec.num_rx = 3;
  spec.rx_polarization = CdlPolarization::cross;
  EXPECT_THROW(make_cdl_channel_config(spec), std::invalid_argument); // pairs of elements
  spec.num_rx = 4;
  spec.num_tx = 1;
  spec.tx_polarization = CdlPolarization::vh;
  EXPECT_THROW(make_cdl_channel_config(spec), std::invalid_argument);
  spec.tx_polarization = CdlPolarization::horizontal; // single: any count
  EXPECT_NO_THROW(make_cdl_channel_config(spec));
}

// A VH base station array of 4 antennas has its vertical elements 0 and 2 at positions 0 and 1:
// with a vertical UE they see the rays of a 2-antenna vertical array (to rounding: their
// coupling goes through polar/abs/arg; the cross-polarisation phases come from a stream of their
// own, so the main stream's draws are the same).
TEST(CdlPolarization, VerticalElementsOfAVhArrayDrawTheVerticalArraysRays) {
  for (const char* model : {"CDL-B", "CDL-E"}) {
    CdlChannelSpec vertical;
    vertical.model = model;
    vertical.delay_spread_s = 100e-9;
    vertical.max_doppler_hz = 50.0;
    vertical.num_rx = 2;
    vertical.rx_spacing = 0.7;
    CdlChannelSpec vh = vertical;
    vh.num_rx = 4;
    vh.rx_polarization = CdlPolarization::vh;
    const Rays expected = draw_rays(vertical, 11);
    const Rays actual = draw_rays(vh, 11);
    const std::size_t m_count = cdl_rays_per_cluster;
    const std::size_t taps = find_cdl_table(model).delays.size();
    for (std::size_t n = 0; n < taps; ++n) {
      for (std::size_t position = 0; position < 2; ++position) {
        for (std::size_t m = 0; m < m_count; ++m) {
          const std::size_t e = (n * 2 + position) * m_count + m;
          const std::size_t a = (n * 4 + 2 * position) * m_count + m;
          EXPECT_EQ(actual.omega[a], expected.omega[e]);
          EXPECT_NEAR(actual.amplitude[a], expected.amplitude[e], 1e-12);
          EXPECT_NEAR(std::remainder(actual.phase[a] - expected.phase[e], two_pi), 0.0, 1e-9)
              << model << " tap " << n << " position " << position << " ray " << m;
        }
      }
    }
  }
}

// VH at both ends, one position each: the co-polarised pairs (V-V, H-H) keep unit power, the
// cross-polarised ones (V-H, H-V) get 1/kappa, and no two pairs are correlated (independent
// phases per polarisation combination).
TEST(CdlPolarization, CrossPolarisedPairsGetOneOverTheXpr) {
  for (const char* model : {"CDL-A", "CDL-C"}) {
    const CdlChannelSpec spec =
        polarised_spec(model, 2, CdlPolarization::vh, 2, CdlPolarization::vh);
    const auto covariance = pair_covariance(spec, 3000);
    const double kappa = xpr_linear(model);
    // Pairs r * 2 + t: (V,V), (V,H), (H,V), (H,H).
    const double expected[] = {1.0, 1.0 / kappa, 1.0 / kappa, 1.0};
    for (std::size_t a = 0; a < 4; ++a) {
      EXPECT_NEAR(covariance[a * 4 + a].real(), expected[a], 0.06 * std::max(expected[a], 0.5))
          << model << " pair " << a;
      for (std::size_t b = a + 1; b < 4; ++b) {
        EXPECT_LT(std::abs(covariance[a * 4 + b]), 0.05) << model << " pairs " << a << ", " << b;
      }
    }
  }
}

// A cross-polarised base station (-45/+45 at one position) against a vertical UE element: each
// element gets (1 + 1/kappa) / 2 and the two are correlated by (1 - 1/kappa) / 2, because the
// UE's vertical field projects onto both slants; a VH base station's two elements are
// uncorrelated.
TEST(CdlPolarization, SlantedElementsShareTheVerticalField) {
  for (const char* model : {"CDL-A", "CDL-D"}) {
    CdlChannelSpec spec =
        polarised_spec(model, 2, CdlPolarization::cross, 1, CdlPolarization::vertical);
    const double kappa = xpr_linear(model);
    const bool los = find_cdl_table(model).first_entry_is_los;
    // The LOS ray has no cross-polarised term: it adds its power P_0 without the 1/kappa part.
    const double los_power = los ? make_cdl_profile(spec).taps[0].power : 0.0;
    const double expected_power = los_power / 2.0 + (1.0 - los_power) * (1.0 + 1.0 / kappa) / 2.0;
    const double expected_rho = los_power / 2.0 + (1.0 - los_power) * (1.0 - 1.0 / kappa) / 2.0;
    const auto cross = pair_covariance(spec, 3000);
    EXPECT_NEAR(cross[0].real(), expected_power, 0.04) << model;
    EXPECT_NEAR(cross[3].real(), expected_power, 0.04) << model;
    EXPECT_NEAR(cross[1].real(), expected_rho, 0.04) << model;
    EXPECT_NEAR(cross[1].imag(), 0.0, 0.04) << model;

    spec.rx_polarization = CdlPolarization::vh;
    const auto vh = pair_covariance(spec, 3000);
    const double expected_h = (1.0 - los_power) / kappa; // the LOS ray: H sees nothing
    EXPECT_NEAR(vh[0].real(), 1.0, 0.06) << model;
    EXPECT_NEAR(vh[3].real(), expected_h, 0.03) << model;
    EXPECT_LT(std::abs(vh[1]), 0.03) << model;
  }
}

// The LOS ray of CDL-D, drawn: coupling F_BS^T diag(1, -1) F_UE e^{j Phi}, so V-V and H-H have
// unit amplitude with opposite signs, V-H none; -45 against -45 cancels (cos 90 degrees), -45
// against +45 has unit amplitude.
TEST(CdlPolarization, TheLosRayCouplesThroughDiagOneMinusOne) {
  CdlChannelSpec spec = polarised_spec("CDL-D", 2, CdlPolarization::vh, 2, CdlPolarization::vh);
  spec.delay_spread_s = 30e-9;
  const std::size_t m_count = cdl_rays_per_cluster;
  const Rays vh = draw_rays(spec, 3);
  // Tap 0, pairs (V,V), (V,H), (H,V), (H,H), ray 0.
  EXPECT_NEAR(vh.amplitude[0 * m_count], 1.0, 1e-12);
  EXPECT_NEAR(vh.amplitude[1 * m_count], 0.0, 1e-12);
  EXPECT_NEAR(vh.amplitude[2 * m_count], 0.0, 1e-12);
  EXPECT_NEAR(vh.amplitude[3 * m_count], 1.0, 1e-12);
  EXPECT_NEAR(std::abs(std::remainder(vh.phase[3 * m_count] - vh.phase[0], two_pi)),
              std::numbers::pi, 1e-9);
  for (std::size_t m = 1; m < m_count; ++m) { // one ray only
    EXPECT_EQ(vh.amplitude[m], 0.0);
  }

  spec.rx_polarization = CdlPolarization::cross;
  spec.tx_polarization = CdlPolarization::cross;
  const Rays cross = draw_rays(spec, 3);
  // Pairs (-45,-45), (-45,+45), (+45,-45), (+45,+45).
  EXPECT_NEAR(cross.amplitude[0 * m_count], 0.0, 1e-12);
  EXPECT_NEAR(cross.amplitude[1 * m_count], 1.0, 1e-12);
  EXPECT_NEAR(cross.amplitude[2 * m_count], 1.0, 1e-12);
  EXPECT_NEAR(cross.amplitude[3 * m_count], 0.0, 1e-12);
}

} // namespace
