/// \file
/// \brief Axis computation of the line plot (private to io/): limits, round major ticks with
/// their labels, and minor gridlines, for linear and log10 axes.
#pragma once

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace airan::io::detail {

/// Scale of tick labels, axis labels and legend text (the font's 5x7 glyphs drawn 2x).
constexpr int plot_text_scale = 2;
/// Vertical pixels between two y tick labels at least.
constexpr int plot_min_label_spacing = 26;

/// An axis: limits, major ticks (gridline, tick mark, label; an empty label is not drawn)
/// and minor gridlines.
struct Axis {
  double lo = 0.0;
  double hi = 1.0;
  std::vector<double> ticks;
  std::vector<std::string> labels;
  std::vector<double> minor;
};

/// Range of the data seen so far (empty until the first add()).
struct Extent {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  [[nodiscard]] bool empty() const { return lo > hi; }
};

/// A linear axis with about one tick per \p spacing pixels, fewer when the labels would crowd
/// (closer than the widest label plus 16 pixels across, plot_min_label_spacing pixels down);
/// unset limits are rounded to the ticks. \throws std::invalid_argument for a range too large.
Axis linear_axis(Extent data, std::optional<double> lo_opt, std::optional<double> hi_opt,
                 int pixels, int spacing, bool horizontal);

/// A log10 axis: \p data holds the positive values only; whole decades unless limits are given.
Axis log_axis(Extent data, std::optional<double> lo_opt, std::optional<double> hi_opt, int pixels);

/// Number text with \p decimals decimals.
std::string format_number(double value, int decimals);

} // namespace airan::io::detail
