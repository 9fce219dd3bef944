#include "airan/phy/tdl_profile.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// Largest delay spread a scalable profile accepts, 1 ms (TR 38.901 Table 7.7.3-1's examples
/// stop at 1 us; larger ones are taken, far beyond any cyclic prefix).
constexpr double max_scaled_delay_spread_s = 1e-3;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string valid_names() {
  std::string names;
  for (const TdlTable& table : tdl_tables()) {
    names += names.empty() ? "" : ", ";
    names += table.name;
  }
  return names;
}

struct PowerMoments {
  double total = 0.0;
  double first = 0.0;  // sum p tau
  double second = 0.0; // sum p tau^2
};

PowerMoments moments(const TdlProfile& profile) {
  PowerMoments m;
  for (const TdlTap& tap : profile.taps) {
    m.total += tap.power;
    m.first += tap.power * tap.delay_s;
    m.second += tap.power * tap.delay_s * tap.delay_s;
  }
  if (!(m.total > 0.0)) {
    throw std::invalid_argument("TDL profile '" + profile.name + "' has no power");
  }
  return m;
}

} // namespace

std::vector<std::string> tdl_profile_names() {
  std::vector<std::string> names;
  for (const TdlTable& table : tdl_tables()) {
    names.emplace_back(table.name);
  }
  return names;
}

namespace {

/// A time in seconds as nanoseconds for messages ("300 ns", "1e+12 ns").
std::string format_ns(double seconds) {
  std::ostringstream text;
  text << seconds * 1e9 << " ns";
  return text.str();
}

} // namespace

TdlProfile make_tdl_profile(std::string_view name, double delay_spread_s) {
  const TdlTable* found = nullptr;
  for (const TdlTable& table : tdl_tables()) {
    if (equal_ignoring_case(table.name, name)) {
      found = &table;
    }
  }
  if (found == nullptr) {
    throw std::invalid_argument("unknown TDL profile '" + std::string(name) +
                                "'; valid names: " + valid_names());
  }
  const TdlTable& table = *found;
  double delay_scale = 1e-9; // fixed tables are in ns
  if (table.scale_delays) {
    if (!(delay_spread_s > 0.0 && delay_spread_s <= max_scaled_delay_spread_s)) {
      throw std::invalid_argument(std::string(table.name) +
                                  " needs a delay spread in (0, 1 ms], got " +
                                  format_ns(delay_spread_s));
    }
    delay_scale = delay_spread_s;
  } else if (delay_spread_s != 0.0 && !(std::abs(delay_spread_s - table.nominal_delay_spread_s) <=
                                        1e-6 * table.nominal_delay_spread_s)) {
    throw std::invalid_argument(std::string(table.name) + " has fixed delays (nominal spread " +
                                format_ns(table.nominal_delay_spread_s) +
                                "); the delay spread must be 0 or that value, got " +
                                format_ns(delay_spread_s));
  }

  TdlProfile profile;
  profile.name = std::string(table.name);
  profile.taps.reserve(table.delays.size());
  double total = 0.0;
  for (std::size_t i = 0; i < table.delays.size(); ++i) {
    const double power = std::pow(10.0, table.powers_db[i] / 10.0);
    total += power;
    profile.taps.push_back(
        {table.delays[i] * delay_scale, power, table.first_entry_is_los && i == 0});
  }
  for (TdlTap& tap : profile.taps) {
    tap.power /= total;
  }
  return profile;
}

double mean_delay_s(const TdlProfile& profile) {
  const PowerMoments m = moments(profile);
  return m.first / m.total;
}

double rms_delay_spread_s(const TdlProfile& profile) {
  const PowerMoments m = moments(profile);
  const double mean = m.first / m.total;
  const double variance = m.second / m.total - mean * mean;
  return std::sqrt(std::max(variance, 0.0));
}

} // namespace airan::phy
