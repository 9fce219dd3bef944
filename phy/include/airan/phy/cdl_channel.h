/// \file
/// \brief TR 38.901 clustered delay line (CDL) models, 7.7.1 CDL-A .. CDL-E, for the uplink: the
/// clusters' rays as plane waves between a UE's and a base station's antenna arrays, run by
/// TdlChannel (its TdlRaySource hook) in the time or the frequency domain.
///
/// Each realisation follows 7.7.1: every cluster n of the table becomes a tap at delay
/// tau_n x delay spread with power P_n (normalised to sum 1); its M = 20 rays take the cluster's
/// angles plus c_AS alpha_m (alpha_m the ray offsets of Table 7.5-3), coupled at random within the
/// cluster (independent random permutations of the UE-side azimuths, the base station's zeniths
/// and the UE's zeniths against the base station's azimuths), with a uniform initial phase per
/// ray. Uplink: the base station receives along the tables' departure angles (AOD, ZOD) and the
/// UE transmits along their arrival angles (AOA, ZOA). Arrays: uniform linear arrays along the
/// y axis (horizontal, broadside towards x), isotropic or with the TR 38.901 Table 7.3-1 pattern
/// facing +x (a ray's amplitude is then the square root of the element power gain towards it, at
/// each end). Polarisation (7.3.2, model 2: an element with slant angle zeta radiates
/// sqrt(A) (cos zeta, sin zeta) in (theta, phi)): vertical elements by default, so that only the
/// theta-theta term of eq. 7.5-22 remains and every antenna pair of isotropic elements has unit
/// average power; or horizontal elements, or dual-polarised arrays whose antennas 2k and 2k + 1
/// share position k (slants -45/+45 degrees, or 0/90, in Sionna's order). Polarised, each ray m
/// carries the four random phases of step 4 (Phi_theta-theta, theta-phi, phi-theta, phi-phi) and
/// the table's cross-polarisation ratio kappa (step 3), and the pair (r, t) sees F_BS,r^T [[e^{j
/// Phi_tt}, e^{j Phi_tp} / sqrt(kappa)], [e^{j Phi_pt} / sqrt(kappa), e^{j Phi_pp}]] F_UE,t (the
/// downlink's matrix transposed, which has the same distribution); the LOS ray sees F_BS,r^T
/// diag(1, -1) F_UE,t e^{j Phi} (eq. 7.5-29). A polarised pair's average power over the NLOS rays
/// is then cos^2 + sin^2 mixtures of 1 and 1/kappa: (1 + 1/kappa) / 2 for a slanted element against
/// a vertical one, 1/kappa between vertical and horizontal elements (the LOS ray has no 1/kappa
/// term: 1/2 and 0). A ray's phase at receive position r and transmit position t adds 2 pi (r d_rx
/// sin(theta_BS) sin(phi_BS) + t d_tx sin(theta_UE) sin(phi_UE)), d in wavelengths. The UE moves
/// horizontally in a direction of travel drawn uniformly per realisation (or fixed by the spec), so
/// a ray's Doppler shift is f_d sin(theta_UE) cos(phi_UE - phi_v). CDL-D and CDL-E start with the
/// specular LOS path: one ray at the cluster's angles (no offsets) with a random phase, its array
/// phases and its Doppler shift.
#pragma once

#include "airan/phy/tdl_channel.h"
#include "airan/phy/tdl_profile.h"

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace airan::phy {

/// One CDL table as published (TR 38.901 Tables 7.7.1-1 .. 7.7.1-5), compiled into the library.
struct CdlTable {
  std::string_view name;          ///< "CDL-A" .. "CDL-E".
  bool first_entry_is_los;        ///< Entry 0 is the specular LOS path (CDL-D, CDL-E).
  double c_asd_deg;               ///< Cluster azimuth spread of departure (base station), degrees.
  double c_asa_deg;               ///< Cluster azimuth spread of arrival (UE).
  double c_zsd_deg;               ///< Cluster zenith spread of departure.
  double c_zsa_deg;               ///< Cluster zenith spread of arrival.
  double xpr_db;                  ///< Cross-polarisation power ratio.
  std::span<const double> delays; ///< Normalised delays.
  std::span<const double> powers_db; ///< Cluster powers, dB (not normalised).
  std::span<const double> aod_deg;   ///< Cluster angles, degrees.
  std::span<const double> aoa_deg;
  std::span<const double> zod_deg;
  std::span<const double> zoa_deg;
};

/// Every compiled table, CDL-A .. CDL-E.
std::span<const CdlTable> cdl_tables();

/// Canonical model names, CDL-A .. CDL-E.
std::vector<std::string> cdl_profile_names();

/// True when \p name (case-insensitive) is one of cdl_profile_names().
bool is_cdl_model(std::string_view name);

/// Rays per cluster (TR 38.901 Table 7.5-3).
constexpr unsigned cdl_rays_per_cluster = 20;

/// Radiation pattern of an array's elements (vertically polarised).
enum class CdlElementPattern : std::uint8_t {
  omni,    ///< Isotropic, 0 dBi.
  tr38901, ///< TR 38.901 Table 7.3-1: 65-degree beams, 30 dB front-to-back, 8 dBi, facing +x.
};

/// Parses "omni" or "38.901". \throws std::invalid_argument.
CdlElementPattern parse_cdl_element_pattern(std::string_view text);

/// Polarisation of an array's elements (TR 38.901 7.3.2, model 2), named as in Sionna's
/// PanelArray polarization_type.
enum class CdlPolarization : std::uint8_t {
  vertical,   ///< "V": single, slant 0 (theta only).
  horizontal, ///< "H": single, slant 90 degrees (phi only).
  vh,         ///< "VH": dual, antennas 2k and 2k + 1 at position k with slants 0 and 90 degrees.
  cross,      ///< "cross": dual, antennas 2k and 2k + 1 at position k, slants -45 and +45.
};

/// Parses "V", "H", "VH" or "cross" (case-insensitive). \throws std::invalid_argument.
CdlPolarization parse_cdl_polarization(std::string_view text);

/// The canonical spelling of \p polarization ("V", "H", "VH", "cross").
std::string_view cdl_polarization_name(CdlPolarization polarization);

/// True for VH and cross: two elements per array position.
constexpr bool is_dual_polarized(CdlPolarization polarization) {
  return polarization == CdlPolarization::vh || polarization == CdlPolarization::cross;
}

/// Slant angle zeta (radians) of antenna \p element of an array with \p polarization.
double cdl_slant_angle(CdlPolarization polarization, unsigned element);

/// Power gain (linear) of a TR 38.901 Table 7.3-1 element facing +x (zenith 90, azimuth 0
/// degrees) towards zenith \p zenith_rad and azimuth \p azimuth_rad: 10^((8 dBi - min(12
/// ((theta - 90) / 65)^2 + 12 (phi / 65)^2 (each capped at 30), 30)) / 10), angles in degrees in
/// the formula, phi wrapped into [-180, 180).
double tr38901_element_power_gain(double zenith_rad, double azimuth_rad);

/// An uplink CDL link.
struct CdlChannelSpec {
  std::string model = "CDL-C"; ///< CDL-A .. CDL-E, case-insensitive.
  double delay_spread_s = 0.0; ///< RMS delay spread the delays scale to, (0, 1 ms].
  double max_doppler_hz = 0.0; ///< UE speed / wavelength.
  unsigned num_rx = 1;         ///< Base station antennas, 1 .. 16.
  unsigned num_tx = 1;         ///< UE antennas, 1 .. 16.
  double rx_spacing = 0.5;     ///< Base station position spacing, wavelengths, (0, 100].
  double tx_spacing = 0.5;     ///< UE position spacing, wavelengths, (0, 100].
  CdlElementPattern rx_pattern = CdlElementPattern::omni; ///< Base station elements.
  CdlElementPattern tx_pattern = CdlElementPattern::omni; ///< UE elements.
  /// Base station elements' polarisation; dual needs an even num_rx (num_rx / 2 positions).
  CdlPolarization rx_polarization = CdlPolarization::vertical;
  /// UE elements' polarisation; dual needs an even num_tx.
  CdlPolarization tx_polarization = CdlPolarization::vertical;
  /// The UE's direction of travel (azimuth, degrees, horizontal); NaN: drawn uniformly per
  /// realisation.
  double travel_azimuth_deg = std::numeric_limits<double>::quiet_NaN();
};

/// True when \p name (case-insensitive) starts with "CDL": a CDL model, known or not.
bool names_cdl_family(std::string_view name);

/// The table \p name (case-insensitive).
/// \throws std::invalid_argument for an unknown name (the message lists the valid ones).
const CdlTable& find_cdl_table(std::string_view name);

/// The taps of \p spec's model: delays times the delay spread, powers normalised to sum 1, the
/// LOS path (CDL-D, CDL-E) flagged line_of_sight.
/// \throws std::invalid_argument for an unknown model or a delay spread outside (0, 1 ms].
TdlProfile make_cdl_profile(const CdlChannelSpec& spec);

/// The rays of a CDL model (see the file comment), for TdlChannelConfig::rays.
class CdlRaySource final : public TdlRaySource {
public:
  /// \throws std::invalid_argument for an invalid spec (model, antennas, spacings).
  explicit CdlRaySource(const CdlChannelSpec& spec);

  [[nodiscard]] unsigned rays_per_tap() const override { return cdl_rays_per_cluster; }
  [[nodiscard]] std::string mismatch(const TdlChannelConfig& config) const override;
  void draw(std::uint64_t seed, std::span<double> omega, std::span<double> phase,
            std::span<double> amplitude) const override;

private:
  const CdlTable* table_;
  CdlChannelSpec spec_;
};

/// A TdlChannelConfig that runs \p spec: make_cdl_profile() taps, CdlRaySource rays, the Doppler
/// and antenna counts of the spec, no correlation matrix. CFO and timing offset stay 0 (set them
/// on the result).
/// \throws std::invalid_argument for an invalid spec.
TdlChannelConfig make_cdl_channel_config(const CdlChannelSpec& spec);

} // namespace airan::phy
