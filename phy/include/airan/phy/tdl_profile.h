/// \file
/// \brief Tapped-delay-line (TDL) power-delay profiles: TR 38.901 7.7.2 TDL-A .. TDL-E (delays
/// normalised to an RMS delay spread of 1, scaled by the wanted spread as in 7.7.3) and the
/// fixed-delay conformance profiles TDL-A30, TDL-B100 and TDL-C300 of TS 38.104 / TS 38.101-4
/// (delays in ns). The tables are compiled into the library (tdl_profile_tables.cpp).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace airan::phy {

/// One tap of a power-delay profile.
struct TdlTap {
  double delay_s;     ///< Delay in seconds.
  double power;       ///< Average power, linear; the taps of a profile sum to 1.
  bool line_of_sight; ///< Specular (fixed-amplitude) LOS component instead of a Rayleigh tap.
};

/// A power-delay profile: a name and its taps in table order.
struct TdlProfile {
  std::string name;
  std::vector<TdlTap> taps;
};

/// One published table as it is written in the specification (before scaling and
/// normalisation), for inspection and for the test that checks the compiled tables.
struct TdlTable {
  std::string_view name;             ///< Canonical name, e.g. "TDL-C300".
  bool scale_delays;                 ///< true: delays are normalised (times the delay spread).
  double nominal_delay_spread_s;     ///< Fixed-delay tables: their nominal spread; 0 otherwise.
  bool first_entry_is_los;           ///< Entry 0 is the LOS specular component (TDL-D, TDL-E).
  std::span<const double> delays;    ///< Normalised delays, or delays in ns.
  std::span<const double> powers_db; ///< Tap powers in dB (not normalised).
};

/// Every compiled table, in the order of tdl_profile_names().
std::span<const TdlTable> tdl_tables();

/// Canonical profile names: TDL-A .. TDL-E, TDL-A30, TDL-B100, TDL-C300.
std::vector<std::string> tdl_profile_names();

/// The profile \p name (case-insensitive) with powers normalised to sum 1 and delays in seconds.
///
/// TDL-A .. TDL-E: the normalised delays times \p delay_spread_s, which must be positive (and at
/// most 1 ms). TDL-A30 / TDL-B100 / TDL-C300: the tabulated delays in ns; \p delay_spread_s must
/// be 0 or the profile's nominal 30 / 100 / 300 ns. TDL-D and TDL-E: the first tap is the
/// specular LOS component (line_of_sight = true) at delay 0, followed by the Rayleigh part at
/// the same delay, as in TR 38.901 Tables 7.7.2-4 and 7.7.2-5.
/// \throws std::invalid_argument for an unknown name (the message lists the valid ones) or a
/// delay spread the profile does not accept.
TdlProfile make_tdl_profile(std::string_view name, double delay_spread_s = 0.0);

/// RMS delay spread of the profile's power-delay profile (LOS components included), in seconds:
/// sqrt(sum p tau^2 / sum p - (sum p tau / sum p)^2).
/// \throws std::invalid_argument when the profile has no power.
double rms_delay_spread_s(const TdlProfile& profile);

/// Mean delay sum p tau / sum p of the profile, in seconds.
/// \throws std::invalid_argument when the profile has no power.
double mean_delay_s(const TdlProfile& profile);

} // namespace airan::phy
