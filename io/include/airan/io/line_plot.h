/// \file
/// \brief Line plots (e.g. BLER against SNR) rendered straight to 8-bit RGB PNG images.
///
/// Self-contained: a built-in bitmap font and zlib are all it needs, so `airan eval` can draw
/// its curves without Python. Every series is a polyline with markers, in its own colour and
/// marker shape; the picture has a framed plot area with ticks, tick labels and gridlines, axis
/// labels, a title and a legend box placed in the corner of the plot area that hides the least
/// data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace airan::io {

/// One curve: the points (x[i], y[i]) joined in the order given.
struct PlotSeries {
  std::string label;     ///< Legend text (printable ASCII; anything else is drawn as '?').
  std::vector<double> x; ///< Abscissae, all finite.
  std::vector<double> y; ///< Ordinates, all finite; on a log axis points with y <= 0 are skipped
                         ///< (e.g. a BLER of 0) and the line is broken there.
};

/// What to draw around the curves and how to scale the axes.
struct LinePlotOptions {
  std::string title;   ///< Drawn above the plot area; shrunk, then cut with "...", if too wide.
  std::string x_label; ///< Drawn under the x tick labels.
  std::string y_label; ///< Drawn vertically left of the y tick labels.
  /// log10 y axis: gridlines at every decade (and at 2..9 x 10^k when there is room), labels
  /// "0.01", "0.1", "1" when every decade lies within 1e-2..1e2, "1e-4" .. "1" otherwise.
  bool log_y = false;
  /// Axis limits. Unset: from the data, widened to round ticks (1/2/5 x 10^n) on a linear axis
  /// and to whole decades on a log axis (1e-3 .. 1 when no y is positive).
  std::optional<double> y_min, y_max, x_min, x_max;
  unsigned width = 960;  ///< Image width in pixels, 200 .. 8192.
  unsigned height = 640; ///< Image height in pixels, 150 .. 8192.
};

/// An 8-bit sRGB colour.
struct PlotColor {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  friend bool operator==(const PlotColor&, const PlotColor&) = default;
};

/// Colour of series \p index: the colour-blind-friendly Okabe-Ito palette with its yellow
/// (too pale on white) replaced by brown; repeats after 8 series. Marker shapes repeat after 7, so
/// the first 56 series differ in colour or shape.
PlotColor plot_series_color(std::size_t index);

/// A rectangle of pixels; both bounds are inclusive.
struct PixelRect {
  int left = 0;
  int top = 0;
  int right = -1;
  int bottom = -1;
  /// Whether pixel (x, y) lies inside.
  [[nodiscard]] bool contains(int x, int y) const {
    return x >= left && x <= right && y >= top && y <= bottom;
  }
};

/// Where a plot lies in its image and how data coordinates map to pixels. Pixel centres are at
/// integer coordinates; column 0 is the left edge and row 0 the top edge of the image.
struct PlotGeometry {
  unsigned width = 0;  ///< Image width in pixels.
  unsigned height = 0; ///< Image height in pixels.
  PixelRect plot_area; ///< The axes frame; its 1-pixel border lines are the rectangle's edges.
  PixelRect legend;    ///< The legend box, border included (inside plot_area when it fits).
  double x_min = 0.0;  ///< Data x at plot_area.left.
  double x_max = 1.0;  ///< Data x at plot_area.right.
  double y_min = 0.0;  ///< Data y at plot_area.bottom.
  double y_max = 1.0;  ///< Data y at plot_area.top.
  bool log_y = false;  ///< y is mapped through log10.

  /// Column of data abscissa \p x (fractional; round to get the pixel).
  [[nodiscard]] double x_to_pixel(double x) const;
  /// Row of data ordinate \p y (fractional); \p y must be > 0 on a log axis.
  [[nodiscard]] double y_to_pixel(double y) const;
};

/// The geometry that render_line_plot_png() uses for these inputs.
/// \throws std::invalid_argument as render_line_plot_png() does.
PlotGeometry compute_line_plot_geometry(std::span<const PlotSeries> series,
                                        const LinePlotOptions& options);

/// Draws every series as a polyline with markers (distinct colour and marker shape per series,
/// colour-blind-friendly palette), axes with ticks, tick labels and gridlines, axis labels,
/// title, and a legend box; writes an 8-bit RGB PNG.
/// \throws std::invalid_argument for bad input (no series, x/y size mismatch, non-finite values,
///         size under 200x150 or over 8192x8192, non-finite limits, x_min >= x_max or
///         y_min >= y_max when both are given, a limit <= 0 on a log axis),
///         std::runtime_error when the file cannot be written (the message names the path).
void write_line_plot_png(const std::filesystem::path& path, std::span<const PlotSeries> series,
                         const LinePlotOptions& options);

/// Same as write_line_plot_png(), into memory: the bytes of the PNG file.
/// \throws std::invalid_argument for bad input, as write_line_plot_png().
std::vector<std::uint8_t> render_line_plot_png(std::span<const PlotSeries> series,
                                               const LinePlotOptions& options);

} // namespace airan::io
