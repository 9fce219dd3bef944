// Line plots of series whose range is within rounding noise of their values, or whose limits
// round out past the largest double: a padded axis or a clear error, never a loop that fills
// memory or a curve lost to NaN pixels.
#include "airan/io/line_plot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace {

using airan::io::LinePlotOptions;
using airan::io::PlotSeries;

// 0.1 + 0.2 is 0.30000000000000004: a flat metric curve with rounding noise. Its y axis is
// padded as one value's would be (10 % each way), and the image renders.
TEST(LinePlotLimits, ARangeWithinRoundingNoiseIsOneValue) {
  const std::vector<PlotSeries> flat = {{"flat", {0.0, 1.0}, {0.3, 0.1 + 0.2}}};
  const LinePlotOptions options;
  const auto g = airan::io::compute_line_plot_geometry(flat, options);
  EXPECT_LE(g.y_min, 0.27 + 1e-12);
  EXPECT_GE(g.y_max, 0.33 - 1e-12);
  EXPECT_LT(g.y_max - g.y_min, 0.2);
  EXPECT_FALSE(airan::io::render_line_plot_png(flat, options).empty());
  // The same for x: two points 1 ULP apart.
  const std::vector<PlotSeries> narrow = {{"narrow", {10.0, std::nextafter(10.0, 11.0)}, {1, 2}}};
  const auto gx = airan::io::compute_line_plot_geometry(narrow, options);
  EXPECT_LE(gx.x_min, 9.0 + 1e-9);
  EXPECT_GE(gx.x_max, 11.0 - 1e-9);
}

TEST(LinePlotLimits, LimitsTooCloseToResolveAreAnError) {
  const std::vector<PlotSeries> series = {{"s", {10.0, 11.0}, {1.0, 2.0}}};
  LinePlotOptions options;
  options.x_min = 10.0;
  options.x_max = std::nextafter(10.0, 11.0);
  try {
    (void)airan::io::render_line_plot_png(series, options);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("too close to resolve"), std::string::npos) << e.what();
  }
  // A narrow range that a double resolves is drawn: 1e-6 of the value.
  options.x_max = 10.00001;
  const auto g = airan::io::compute_line_plot_geometry(series, options);
  EXPECT_DOUBLE_EQ(g.x_max, 10.00001);
}

// The data's range is finite, but rounding the limits out to whole ticks is not.
TEST(LinePlotLimits, LimitsThatRoundPastTheLargestDoubleAreAnError) {
  const std::vector<PlotSeries> wide = {{"wide", {-8.9e307, 8.9e307}, {0.5, 0.6}}};
  EXPECT_THROW((void)airan::io::render_line_plot_png(wide, LinePlotOptions{}),
               std::invalid_argument);
  const std::vector<PlotSeries> tall = {{"tall", {0.0, 1.0}, {-8.9e307, 8.9e307}}};
  EXPECT_THROW((void)airan::io::compute_line_plot_geometry(tall, LinePlotOptions{}),
               std::invalid_argument);
}

} // namespace
