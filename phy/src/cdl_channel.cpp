// CDL models: table lookup, the normalised profile and the rays of each realisation (TR 38.901
// 7.7.1 steps 1-4 for uniform linear arrays of single or dual-polarised elements; see
// cdl_channel.h).
#include "airan/phy/cdl_channel.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <stdexcept>

namespace airan::phy {
namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;
constexpr double degree = std::numbers::pi / 180.0;

/// Ray offset angles alpha_m of TR 38.901 Table 7.5-3 (for a unit cluster angle spread).
constexpr std::array<double, cdl_rays_per_cluster> ray_offsets = {
    0.0447, -0.0447, 0.1413, -0.1413, 0.2492, -0.2492, 0.3715, -0.3715, 0.5129, -0.5129,
    0.6797, -0.6797, 0.8844, -0.8844, 1.1481, -1.1481, 1.5195, -1.5195, 2.1551, -2.1551};

/// Uniform in [0, 1) from the top 53 bits: the same on every platform (no std distributions).
double uniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

/// A uniformly random permutation of 0 .. M-1 (Fisher-Yates on uniform()).
std::array<unsigned, cdl_rays_per_cluster> random_permutation(std::mt19937_64& rng) {
  std::array<unsigned, cdl_rays_per_cluster> order{};
  for (unsigned m = 0; m < cdl_rays_per_cluster; ++m) {
    order[m] = m;
  }
  for (unsigned m = cdl_rays_per_cluster - 1; m > 0; --m) {
    const auto j = static_cast<unsigned>(uniform(rng) * (m + 1));
    std::swap(order[m], order[std::min(j, m)]);
  }
  return order;
}

/// A zenith angle folded into [0, 180] degrees (TR 38.901 7.5 step 7).
double folded_zenith_deg(double zenith) {
  zenith = std::fmod(zenith, 360.0);
  if (zenith < 0.0) {
    zenith += 360.0;
  }
  return zenith > 180.0 ? 360.0 - zenith : zenith;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

[[noreturn]] void invalid(const std::string& what) {
  throw std::invalid_argument("CDL channel: " + what);
}

/// Seed of the cross-polarisation phases' own stream (so that vertically polarised arrays draw
/// exactly what they drew before polarisation existed): \p seed through SplitMix64's mixer.
std::uint64_t polarization_seed(std::uint64_t seed) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

/// The elements of one array: position index and the (cos, sin) of the slant angle.
struct ArrayElements {
  std::array<unsigned, tdl_max_antennas> position{};
  std::array<double, tdl_max_antennas> cos_slant{};
  std::array<double, tdl_max_antennas> sin_slant{};
};

ArrayElements array_elements(CdlPolarization polarization, unsigned count) {
  ArrayElements elements;
  for (unsigned i = 0; i < count; ++i) {
    elements.position[i] = is_dual_polarized(polarization) ? i / 2 : i;
    const double zeta = cdl_slant_angle(polarization, i);
    elements.cos_slant[i] = std::cos(zeta);
    elements.sin_slant[i] = std::sin(zeta);
  }
  return elements;
}

/// The four cross-polarisation phases of one ray (TR 38.901 7.5 step 10, 7.7.1 step 4).
struct RayPolarizationPhases {
  std::complex<double> theta_theta, theta_phi, phi_theta, phi_phi;
};

/// F_BS^T M F_UE for slants (rc, rs) and (tc, ts): eq. 7.5-22's matrix for an NLOS ray,
/// diag(1, -1) e^{j phi_tt} for the LOS ray (eq. 7.5-29).
std::complex<double> polarization_coupling(const RayPolarizationPhases& phases, bool los,
                                           double inverse_sqrt_xpr, double rc, double rs, double tc,
                                           double ts) {
  if (los) {
    return (rc * tc - rs * ts) * phases.theta_theta;
  }
  return rc * tc * phases.theta_theta +
         inverse_sqrt_xpr * (rc * ts * phases.theta_phi + rs * tc * phases.phi_theta) +
         rs * ts * phases.phi_phi;
}

} // namespace

CdlPolarization parse_cdl_polarization(std::string_view text) {
  const std::string word = upper(text);
  for (const auto p : {CdlPolarization::vertical, CdlPolarization::horizontal, CdlPolarization::vh,
                       CdlPolarization::cross}) {
    if (word == upper(cdl_polarization_name(p))) {
      return p;
    }
  }
  invalid("polarisation '" + std::string(text) + "' (V, H, VH or cross)");
}

std::string_view cdl_polarization_name(CdlPolarization polarization) {
  switch (polarization) {
  case CdlPolarization::horizontal:
    return "H";
  case CdlPolarization::vh:
    return "VH";
  case CdlPolarization::cross:
    return "cross";
  case CdlPolarization::vertical:
    break;
  }
  return "V";
}

double cdl_slant_angle(CdlPolarization polarization, unsigned element) {
  const bool second = element % 2 == 1;
  switch (polarization) {
  case CdlPolarization::horizontal:
    return std::numbers::pi / 2.0;
  case CdlPolarization::vh:
    return second ? std::numbers::pi / 2.0 : 0.0;
  case CdlPolarization::cross:
    return second ? std::numbers::pi / 4.0 : -std::numbers::pi / 4.0; // Sionna's order
  case CdlPolarization::vertical:
    break;
  }
  return 0.0;
}

CdlElementPattern parse_cdl_element_pattern(std::string_view text) {
  if (text == "omni") {
    return CdlElementPattern::omni;
  }
  if (text == "38.901") {
    return CdlElementPattern::tr38901;
  }
  invalid("element pattern '" + std::string(text) + "' (omni or 38.901)");
}

double tr38901_element_power_gain(double zenith_rad, double azimuth_rad) {
  constexpr double beamwidth_deg = 65.0;
  constexpr double max_attenuation_db = 30.0;
  constexpr double max_gain_dbi = 8.0;
  const double theta = zenith_rad / degree;
  const double phi = std::remainder(azimuth_rad / degree, 360.0); // [-180, 180]
  const double vertical =
      std::min(12.0 * std::pow((theta - 90.0) / beamwidth_deg, 2), max_attenuation_db);
  const double horizontal = std::min(12.0 * std::pow(phi / beamwidth_deg, 2), max_attenuation_db);
  const double attenuation = std::min(vertical + horizontal, max_attenuation_db);
  return std::pow(10.0, (max_gain_dbi - attenuation) / 10.0);
}

std::vector<std::string> cdl_profile_names() {
  std::vector<std::string> names;
  for (const CdlTable& table : cdl_tables()) {
    names.emplace_back(table.name);
  }
  return names;
}

bool is_cdl_model(std::string_view name) {
  const std::string wanted = upper(name);
  return std::ranges::any_of(cdl_tables(),
                             [&](const CdlTable& table) { return table.name == wanted; });
}

bool names_cdl_family(std::string_view name) {
  return upper(name).rfind("CDL", 0) == 0;
}

const CdlTable& find_cdl_table(std::string_view name) {
  const std::string wanted = upper(name);
  for (const CdlTable& table : cdl_tables()) {
    if (table.name == wanted) {
      return table;
    }
  }
  std::string known;
  for (const auto& candidate : cdl_profile_names()) {
    known += (known.empty() ? "" : ", ") + candidate;
  }
  invalid("unknown model '" + std::string(name) + "' (" + known + ")");
}

TdlProfile make_cdl_profile(const CdlChannelSpec& spec) {
  const CdlTable& table = find_cdl_table(spec.model);
  if (!std::isfinite(spec.delay_spread_s) || spec.delay_spread_s <= 0.0 ||
      spec.delay_spread_s > 1e-3) {
    invalid(std::string(table.name) + " needs a delay spread in (0, 1 ms], got " +
            std::to_string(spec.delay_spread_s * 1e9) + " ns");
  }
  TdlProfile profile;
  profile.name = std::string(table.name);
  double total = 0.0;
  for (const double db : table.powers_db) {
    total += std::pow(10.0, db / 10.0);
  }
  for (std::size_t n = 0; n < table.delays.size(); ++n) {
    profile.taps.push_back({table.delays[n] * spec.delay_spread_s,
                            std::pow(10.0, table.powers_db[n] / 10.0) / total,
                            n == 0 && table.first_entry_is_los});
  }
  return profile;
}

CdlRaySource::CdlRaySource(const CdlChannelSpec& spec)
    : table_(&find_cdl_table(spec.model)), spec_(spec) {
  if (spec.num_rx == 0 || spec.num_rx > tdl_max_antennas || spec.num_tx == 0 ||
      spec.num_tx > tdl_max_antennas) {
    invalid("1.." + std::to_string(tdl_max_antennas) + " antennas at each end");
  }
  const auto spacing_ok = [](double d) { return std::isfinite(d) && d > 0.0 && d <= 100.0; };
  if (!spacing_ok(spec.rx_spacing) || !spacing_ok(spec.tx_spacing)) {
    invalid("element spacings must be in (0, 100] wavelengths");
  }
  if (!std::isfinite(spec.max_doppler_hz) || spec.max_doppler_hz < 0.0) {
    invalid("the Doppler frequency must be finite and non-negative");
  }
  if (std::isinf(spec.travel_azimuth_deg)) {
    invalid("the direction of travel must be finite (or NaN: random)");
  }
  const auto check_pairs = [](const char* end, CdlPolarization polarization, unsigned count) {
    if (is_dual_polarized(polarization) && count % 2 != 0) {
      invalid(std::string("the ") + end + "'s " + std::string(cdl_polarization_name(polarization)) +
              " array is dual-polarised: it needs an even number of antennas, got " +
              std::to_string(count));
    }
  };
  check_pairs("base station", spec.rx_polarization, spec.num_rx);
  check_pairs("UE", spec.tx_polarization, spec.num_tx);
}

std::string CdlRaySource::mismatch(const TdlChannelConfig& config) const {
  if (config.profile.name != table_->name || config.profile.taps.size() != table_->delays.size()) {
    return "the profile '" + config.profile.name + "' is not the rays' model " +
           std::string(table_->name);
  }
  if (config.num_rx != spec_.num_rx || config.num_tx != spec_.num_tx) {
    return "the rays are for " + std::to_string(spec_.num_rx) + " x " +
           std::to_string(spec_.num_tx) + " antennas, the channel has " +
           std::to_string(config.num_rx) + " x " + std::to_string(config.num_tx);
  }
  if (config.max_doppler_hz != spec_.max_doppler_hz) {
    return "the rays' Doppler (" + std::to_string(spec_.max_doppler_hz) +
           " Hz) is not the channel's (" + std::to_string(config.max_doppler_hz) + " Hz)";
  }
  return {};
}

void CdlRaySource::draw(std::uint64_t seed, std::span<double> omega, std::span<double> phase,
                        std::span<double> amplitude) const {
  const CdlTable& t = *table_;
  const std::size_t taps = t.delays.size();
  const unsigned num_rx = spec_.num_rx;
  const unsigned num_tx = spec_.num_tx;
  const std::size_t per_tap = std::size_t{num_rx} * num_tx * cdl_rays_per_cluster;
  if (omega.size() != taps * per_tap || phase.size() != taps * per_tap ||
      amplitude.size() != taps * per_tap) {
    invalid("the ray arrays do not match the model's taps and antennas");
  }
  std::mt19937_64 rng(seed);
  std::mt19937_64 polarization_rng(polarization_seed(seed));
  const bool polarised = spec_.rx_polarization != CdlPolarization::vertical ||
                         spec_.tx_polarization != CdlPolarization::vertical;
  const double inverse_sqrt_xpr = std::pow(10.0, -t.xpr_db / 20.0);
  const ArrayElements bs = array_elements(spec_.rx_polarization, num_rx);
  const ArrayElements ue = array_elements(spec_.tx_polarization, num_tx);
  const double drawn_azimuth = two_pi * uniform(rng); // drawn always: the same draws follow
  const double travel_azimuth =
      std::isnan(spec_.travel_azimuth_deg) ? drawn_azimuth : spec_.travel_azimuth_deg * degree;
  const double omega_d = two_pi * spec_.max_doppler_hz;
  for (std::size_t n = 0; n < taps; ++n) {
    const bool los = n == 0 && t.first_entry_is_los;
    // Step 2, random coupling: the UE azimuths and both zeniths against the base station's
    // azimuths.
    const auto ue_azimuth_order = random_permutation(rng);
    const auto bs_zenith_order = random_permutation(rng);
    const auto ue_zenith_order = random_permutation(rng);
    for (unsigned m = 0; m < cdl_rays_per_cluster; ++m) {
      const double initial_phase = two_pi * uniform(rng);
      RayPolarizationPhases phases{std::polar(1.0, initial_phase), {}, {}, {}};
      if (polarised) {
        phases.theta_phi = std::polar(1.0, two_pi * uniform(polarization_rng));
        phases.phi_theta = std::polar(1.0, two_pi * uniform(polarization_rng));
        phases.phi_phi = std::polar(1.0, two_pi * uniform(polarization_rng));
      }
      const unsigned rays_here = los ? 1 : cdl_rays_per_cluster;
      const double spread = m < rays_here && !los ? 1.0 : 0.0; // the LOS path has no offsets
      const double bs_azimuth = (t.aod_deg[n] + spread * t.c_asd_deg * ray_offsets[m]) * degree;
      const double bs_zenith =
          folded_zenith_deg(t.zod_deg[n] + spread * t.c_zsd_deg * ray_offsets[bs_zenith_order[m]]) *
          degree;
      const double ue_azimuth =
          (t.aoa_deg[n] + spread * t.c_asa_deg * ray_offsets[ue_azimuth_order[m]]) * degree;
      const double ue_zenith =
          folded_zenith_deg(t.zoa_deg[n] + spread * t.c_zsa_deg * ray_offsets[ue_zenith_order[m]]) *
          degree;
      const double ray_omega =
          m < rays_here ? omega_d * std::sin(ue_zenith) * std::cos(ue_azimuth - travel_azimuth)
                        : 0.0;
      // Phase per antenna along each array (y axis): 2 pi d sin(zenith) sin(azimuth) per element.
      const double bs_step = two_pi * spec_.rx_spacing * std::sin(bs_zenith) * std::sin(bs_azimuth);
      const double ue_step = two_pi * spec_.tx_spacing * std::sin(ue_zenith) * std::sin(ue_azimuth);
      // Field patterns: the square root of each end's element power gain towards the ray.
      double ray_amplitude = 1.0;
      if (spec_.rx_pattern == CdlElementPattern::tr38901) {
        ray_amplitude *= std::sqrt(tr38901_element_power_gain(bs_zenith, bs_azimuth));
      }
      if (spec_.tx_pattern == CdlElementPattern::tr38901) {
        ray_amplitude *= std::sqrt(tr38901_element_power_gain(ue_zenith, ue_azimuth));
      }
      for (unsigned r = 0; r < num_rx; ++r) {
        for (unsigned x = 0; x < num_tx; ++x) {
          const std::size_t i =
              n * per_tap + (std::size_t{r} * num_tx + x) * cdl_rays_per_cluster + m;
          omega[i] = ray_omega;
          if (m >= rays_here) {
            phase[i] = 0.0;
            amplitude[i] = 0.0;
            continue;
          }
          double pair_phase = initial_phase; // vertical at both ends: the theta-theta term only
          double pair_amplitude = ray_amplitude;
          if (polarised) {
            const std::complex<double> coupling =
                polarization_coupling(phases, los, inverse_sqrt_xpr, bs.cos_slant[r],
                                      bs.sin_slant[r], ue.cos_slant[x], ue.sin_slant[x]);
            pair_phase = std::arg(coupling);
            pair_amplitude *= std::abs(coupling);
          }
          phase[i] =
              std::fmod(pair_phase + bs.position[r] * bs_step + ue.position[x] * ue_step, two_pi);
          amplitude[i] = pair_amplitude;
        }
      }
    }
  }
}

TdlChannelConfig make_cdl_channel_config(const CdlChannelSpec& spec) {
  TdlChannelConfig config;
  config.profile = make_cdl_profile(spec);
  config.max_doppler_hz = spec.max_doppler_hz;
  config.num_rx = spec.num_rx;
  config.num_tx = spec.num_tx;
  config.rays = std::make_shared<CdlRaySource>(spec);
  return config;
}

} // namespace airan::phy
