#include "plot_axis.h"

#include "bitmap_font.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace airan::io::detail {
namespace {

constexpr int text_scale = plot_text_scale;
constexpr int min_label_spacing = plot_min_label_spacing;

[[noreturn]] void bad_input(const std::string& what) {
  throw std::invalid_argument("line plot: " + what);
}

} // namespace

/// The round step (1, 2 or 5 x 10^n) at or above \p raw.
double nice_step(double raw) {
  const double base = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / base;
  return (f <= 1.0 + 1e-9 ? 1.0 : f <= 2.0 + 1e-9 ? 2.0 : f <= 5.0 + 1e-9 ? 5.0 : 10.0) * base;
}

std::string format_number(double value, int decimals) {
  std::array<char, 64> text{};
  if (decimals > 6 || std::abs(value) >= 1e7) {
    std::snprintf(text.data(), text.size(), "%g", value);
  } else {
    std::snprintf(text.data(), text.size(), "%.*f", decimals, value);
  }
  const std::string out = text.data();
  const bool negative_zero = out[0] == '-' && out.find_first_not_of("-0.") == std::string::npos;
  return negative_zero ? out.substr(1) : out;
}

/// A linear axis with about one tick per \p spacing pixels, fewer when the labels would crowd
/// (closer than the widest label plus 16 pixels across, min_label_spacing pixels down); unset
/// limits are rounded to the ticks.
Axis linear_axis(Extent data, std::optional<double> lo_opt, std::optional<double> hi_opt,
                 int pixels, int spacing, bool horizontal) {
  double lo = lo_opt.value_or(data.empty() ? 0.0 : data.lo);
  double hi = hi_opt.value_or(data.empty() ? 1.0 : data.hi);
  // A range within rounding noise of its values (1e-12 relative: thousands of ULPs) counts as
  // one value: its ticks would need more digits than a double has.
  const bool unresolvable = hi - lo <= 1e-12 * std::max(std::abs(lo), std::abs(hi));
  if (unresolvable && lo_opt && hi_opt) {
    bad_input("axis limits " + std::to_string(lo) + " and " + std::to_string(hi) +
              " are too close to resolve");
  }
  if (unresolvable) { // one limit given beyond the data, or all data at one value
    const auto pad = [](double v) { return v == 0.0 ? 1.0 : std::abs(v) * 0.1; };
    if (hi_opt) {
      lo = hi - pad(hi);
    } else if (lo_opt) {
      hi = lo + pad(lo);
    } else {
      const double p = pad(lo);
      lo -= p;
      hi += p;
    }
  }
  if (!std::isfinite(hi - lo)) {
    bad_input("axis range is too large");
  }
  double step = nice_step((hi - lo) / std::max(2, pixels / spacing));
  Axis axis;
  for (int attempt = 0; attempt < 64; ++attempt, step = nice_step(step * 1.5)) {
    axis.lo = lo_opt ? lo : std::floor(lo / step) * step;
    axis.hi = hi_opt ? hi : std::ceil(hi / step) * step;
    if (!std::isfinite(axis.hi - axis.lo)) { // the limits rounded out to whole steps
      bad_input("axis range is too large");
    }
    axis.ticks.clear();
    axis.labels.clear();
    const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
    int widest = 0;
    const double first = std::ceil(axis.lo / step - 1e-9);
    const double last = std::floor(axis.hi / step + 1e-9);
    // Counted, not accumulated: first + 1 must differ from first (checked above), and a few
    // hundred ticks at most fit any plot.
    for (int n = 0; n <= last - first && n < 1000; ++n) {
      const double k = first + n;
      axis.ticks.push_back(k * step);
      axis.labels.push_back(format_number(k * step, decimals));
      widest = std::max(widest, text_width(axis.labels.back(), text_scale));
    }
    const double step_px = step / (axis.hi - axis.lo) * pixels;
    const int needed = horizontal ? widest + 16 : min_label_spacing;
    if (step_px >= needed || axis.ticks.size() <= 2 || 2.0 * step > hi - lo) {
      break;
    }
  }
  return axis;
}

std::string decade_label(int exponent, bool decimal) {
  if (exponent == 0) {
    return "1";
  }
  if (!decimal) {
    return "1e" + std::to_string(exponent);
  }
  return format_number(std::pow(10.0, exponent), std::max(0, -exponent));
}

/// A log10 axis: \p data holds the positive values only.
Axis log_axis(Extent data, std::optional<double> lo_opt, std::optional<double> hi_opt, int pixels) {
  Axis axis;
  axis.lo = data.empty() ? 1e-3 : std::pow(10.0, std::floor(std::log10(data.lo)));
  axis.hi = data.empty() ? 1.0 : std::pow(10.0, std::ceil(std::log10(data.hi)));
  if (axis.hi <= axis.lo) {
    axis.lo = axis.hi / 10.0;
  }
  axis.lo = lo_opt.value_or(axis.lo);
  axis.hi = hi_opt.value_or(axis.hi);
  if (axis.hi <= axis.lo) {
    (hi_opt ? axis.lo : axis.hi) = hi_opt ? axis.hi / 10.0 : axis.lo * 10.0;
  }
  const double l0 = std::log10(axis.lo);
  const double l1 = std::log10(axis.hi);
  const double decade_px = pixels / (l1 - l0);
  const auto pixel = [&](double v) { return (std::log10(v) - l0) * decade_px; };
  const int e0 = static_cast<int>(std::floor(l0));
  const int e1 = static_cast<int>(std::ceil(l1));
  const int first = static_cast<int>(std::ceil(l0 - 1e-9));
  const int last = static_cast<int>(std::floor(l1 + 1e-9));
  if (last - first + 1 >= 2) { // labelled decades
    const bool decimal = first >= -2 && last <= 2;
    const int every = std::max(1, static_cast<int>(std::ceil(min_label_spacing / decade_px)));
    for (int e = first; e <= last; ++e) {
      axis.ticks.push_back(std::pow(10.0, e));
      axis.labels.push_back(((e % every) + every) % every == 0 ? decade_label(e, decimal) : "");
    }
    if (decade_px >= 40.0) {
      for (int e = e0; e <= e1; ++e) {
        for (int m = 2; m <= 9; ++m) {
          const double v = m * std::pow(10.0, e);
          if (v > axis.lo && v < axis.hi) {
            axis.minor.push_back(v);
          }
        }
      }
    }
    return axis;
  }
  // Under two decades in view: label 1..9 x 10^e where there is room.
  double last_labelled = -1e9;
  for (int e = e0; e <= e1; ++e) {
    for (int m = 1; m <= 9; ++m) {
      const double v = m * std::pow(10.0, e);
      if (v < axis.lo * (1 - 1e-9) || v > axis.hi * (1 + 1e-9)) {
        continue;
      }
      const bool room = pixel(v) - last_labelled >= min_label_spacing;
      axis.ticks.push_back(v);
      axis.labels.push_back(room ? format_number(v, std::max(0, -e)) : "");
      last_labelled = room ? pixel(v) : last_labelled;
    }
  }
  return axis;
}

} // namespace airan::io::detail
