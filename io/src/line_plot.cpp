#include "airan/io/line_plot.h"

#include "bitmap_font.h"
#include "plot_axis.h"
#include "png_writer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace airan::io {
namespace {

using detail::Axis;
using detail::Extent;
using detail::linear_axis;
using detail::log_axis;
using detail::RgbImage;
using detail::text_height;
using detail::text_width;

constexpr PlotColor white{255, 255, 255};
constexpr PlotColor ink{34, 34, 34};
constexpr PlotColor grid_major{205, 205, 205};
constexpr PlotColor grid_minor{235, 235, 235};
constexpr int text_scale = detail::plot_text_scale;
constexpr int margin = 12;     // between the image edge and anything drawn
constexpr int tick_length = 5; // outward from the frame
constexpr int tick_gap = 6;    // between a tick and its label
constexpr double line_half_width = 1.1;
constexpr double marker_radius = 5.0;
constexpr unsigned max_side = 8192;

struct Point {
  double x = 0.0;
  double y = 0.0;
};

/// Where everything goes: geometry, axes, texts as drawn, and the data points in pixels.
struct Layout {
  PlotGeometry geometry;
  Axis x_axis;
  Axis y_axis;
  std::string title;
  int title_scale = 3;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> legend_labels;
  std::vector<std::vector<std::optional<Point>>> points; // pixels; nullopt: skipped (y <= 0)
};

[[noreturn]] void bad_input(const std::string& what) {
  throw std::invalid_argument("line plot: " + what);
}

void check_inputs(std::span<const PlotSeries> series, const LinePlotOptions& options) {
  if (series.empty()) {
    bad_input("no series to draw");
  }
  if (options.width < 200 || options.height < 150 || options.width > max_side ||
      options.height > max_side) {
    bad_input("image size " + std::to_string(options.width) + "x" + std::to_string(options.height) +
              " is outside 200x150 .. 8192x8192");
  }
  for (const auto& s : series) {
    if (s.x.size() != s.y.size()) {
      bad_input("series '" + s.label + "' has " + std::to_string(s.x.size()) + " x values and " +
                std::to_string(s.y.size()) + " y values");
    }
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        bad_input("series '" + s.label + "' has a non-finite value at point " + std::to_string(i));
      }
    }
  }
  const auto check_pair = [&](const std::optional<double>& lo, const std::optional<double>& hi,
                              const char* axis, bool log) {
    for (const auto* limit : {&lo, &hi}) {
      if (*limit && (!std::isfinite(**limit) || (log && **limit <= 0.0))) {
        bad_input(std::string(axis) + " limit " + std::to_string(**limit) +
                  (log ? " is not finite and positive (log axis)" : " is not finite"));
      }
    }
    if (lo && hi && *lo >= *hi) {
      bad_input(std::string(axis) + "_min must be below " + axis + "_max");
    }
  };
  check_pair(options.x_min, options.x_max, "x", false);
  check_pair(options.y_min, options.y_max, "y", options.log_y);
}

int widest(const std::vector<std::string>& labels) {
  int widest = 0;
  for (const auto& label : labels) {
    widest = std::max(widest, text_width(label, text_scale));
  }
  return widest;
}

/// How much of the data (line samples and markers) a legend at \p box would hide.
std::size_t legend_overlap(const Layout& layout, const PixelRect& box) {
  const double reach = marker_radius + 2.0;
  const auto hidden = [&](Point p) {
    return p.x >= box.left - reach && p.x <= box.right + reach && p.y >= box.top - reach &&
           p.y <= box.bottom + reach;
  };
  std::size_t count = 0;
  for (const auto& points : layout.points) {
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!points[i]) {
        continue;
      }
      count += hidden(*points[i]) ? 4 : 0;
      if (i + 1 < points.size() && points[i + 1]) {
        const Point a = *points[i];
        const Point b = *points[i + 1];
        const int samples =
            static_cast<int>(std::min(4000.0, std::ceil(std::hypot(b.x - a.x, b.y - a.y) / 2.0)));
        for (int k = 1; k < samples; ++k) {
          const double t = static_cast<double>(k) / samples;
          count += hidden({a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)}) ? 1 : 0;
        }
      }
    }
  }
  return count;
}

Layout make_layout(std::span<const PlotSeries> series, const LinePlotOptions& options) {
  check_inputs(series, options);
  Layout layout;
  auto& g = layout.geometry;
  g.width = options.width;
  g.height = options.height;
  g.log_y = options.log_y;
  const int width = static_cast<int>(options.width);
  const int height = static_cast<int>(options.height);
  const int line = text_height(text_scale);

  layout.title_scale = text_width(options.title, 3) <= width - 2 * margin ? 3 : 2;
  layout.title = detail::fit_text(options.title, layout.title_scale, width - 2 * margin);
  g.plot_area.top = margin + (layout.title.empty() ? 8 : text_height(layout.title_scale) + 10);
  g.plot_area.bottom = height - 1 - margin - tick_length - tick_gap - line -
                       (options.x_label.empty() ? 0 : 8 + line);

  Extent x_data;
  Extent y_data;
  for (const auto& s : series) {
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      x_data.add(s.x[i]);
      if (!options.log_y || s.y[i] > 0.0) {
        y_data.add(s.y[i]);
      }
    }
  }
  const int plot_h = g.plot_area.bottom - g.plot_area.top;
  layout.y_axis = options.log_y ? log_axis(y_data, options.y_min, options.y_max, plot_h)
                                : linear_axis(y_data, options.y_min, options.y_max, plot_h,
                                              detail::plot_min_label_spacing * 2, false);
  g.plot_area.left = margin + (options.y_label.empty() ? 0 : line + 10) +
                     widest(layout.y_axis.labels) + tick_gap + tick_length;
  int right_margin = margin + 8;
  for (int pass = 0; pass < 2; ++pass) {
    g.plot_area.right = width - 1 - right_margin;
    layout.x_axis = linear_axis(x_data, options.x_min, options.x_max,
                                g.plot_area.right - g.plot_area.left, 90, true);
    right_margin = std::max(right_margin, widest(layout.x_axis.labels) / 2 + 6);
  }
  const int plot_w = g.plot_area.right - g.plot_area.left;
  if (plot_w < 40 || plot_h < 30) {
    bad_input("image too small for its labels");
  }
  g.x_min = layout.x_axis.lo;
  g.x_max = layout.x_axis.hi;
  g.y_min = layout.y_axis.lo;
  g.y_max = layout.y_axis.hi;
  layout.x_label = detail::fit_text(options.x_label, text_scale, plot_w);
  layout.y_label = detail::fit_text(options.y_label, text_scale, plot_h);

  for (const auto& s : series) {
    layout.legend_labels.push_back(detail::fit_text(s.label, text_scale, plot_w / 2));
    auto& points = layout.points.emplace_back();
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (options.log_y && s.y[i] <= 0.0) {
        points.emplace_back();
      } else {
        points.push_back(Point{g.x_to_pixel(s.x[i]), g.y_to_pixel(s.y[i])});
      }
    }
  }
  // Legend: the corner of the plot area that hides the least data (ties: the earlier corner).
  // Each row: 36-pixel line sample with marker, label; 8 pixels of padding.
  const int legend_w = 8 + 36 + 8 + widest(layout.legend_labels) + 8;
  const int legend_h = 8 + static_cast<int>(series.size()) * (line + 4) - 4 + 8;
  const int inset = 8;
  const int l = g.plot_area.left + inset;
  const int r = std::max(l, g.plot_area.right - inset - legend_w + 1);
  const int t = g.plot_area.top + inset;
  const int b = std::max(t, g.plot_area.bottom - inset - legend_h + 1);
  std::size_t best = std::numeric_limits<std::size_t>::max();
  for (const auto& [x, y] : {std::array<int, 2>{r, t}, {l, b}, {l, t}, {r, b}}) {
    const PixelRect box{x, y, x + legend_w - 1, y + legend_h - 1};
    const auto overlap = legend_overlap(layout, box);
    if (overlap < best) {
      best = overlap;
      g.legend = box;
    }
  }
  return layout;
}

void draw_marker(RgbImage& image, std::size_t series_index, Point at) {
  image.draw_marker(static_cast<detail::MarkerShape>(series_index % detail::num_marker_shapes),
                    at.x, at.y, marker_radius, plot_series_color(series_index));
}

void draw_grid_and_ticks(RgbImage& image, const Layout& layout) {
  const auto& g = layout.geometry;
  const auto& area = g.plot_area;
  const int line = text_height(text_scale);
  const auto vertical = [&](double v, PlotColor color) {
    const int x = static_cast<int>(std::lround(g.x_to_pixel(v)));
    if (x > area.left && x < area.right) {
      image.fill({x, area.top + 1, x, area.bottom - 1}, color);
    }
  };
  const auto horizontal = [&](double v, PlotColor color) {
    const int y = static_cast<int>(std::lround(g.y_to_pixel(v)));
    if (y > area.top && y < area.bottom) {
      image.fill({area.left + 1, y, area.right - 1, y}, color);
    }
  };
  for (const double v : layout.x_axis.minor) {
    vertical(v, grid_minor);
  }
  for (const double v : layout.y_axis.minor) {
    horizontal(v, grid_minor);
  }
  for (const double v : layout.x_axis.ticks) {
    vertical(v, grid_major);
  }
  for (const double v : layout.y_axis.ticks) {
    horizontal(v, grid_major);
  }
  for (std::size_t i = 0; i < layout.x_axis.ticks.size(); ++i) {
    const int x = static_cast<int>(std::lround(g.x_to_pixel(layout.x_axis.ticks[i])));
    image.fill({x, area.bottom + 1, x, area.bottom + tick_length}, ink);
    const auto& label = layout.x_axis.labels[i];
    detail::draw_text(image, x - text_width(label, text_scale) / 2,
                      area.bottom + tick_length + tick_gap, label, text_scale, ink);
  }
  for (std::size_t i = 0; i < layout.y_axis.ticks.size(); ++i) {
    const int y = static_cast<int>(std::lround(g.y_to_pixel(layout.y_axis.ticks[i])));
    image.fill({area.left - tick_length, y, area.left - 1, y}, ink);
    const auto& label = layout.y_axis.labels[i];
    detail::draw_text(image, area.left - tick_length - tick_gap - text_width(label, text_scale),
                      y - detail::glyph_cap_height * text_scale / 2, label, text_scale, ink);
  }
  if (!layout.x_label.empty()) {
    const int w = text_width(layout.x_label, text_scale);
    detail::draw_text(image, (area.left + area.right - w) / 2,
                      area.bottom + tick_length + tick_gap + line + 8, layout.x_label, text_scale,
                      ink);
  }
  if (!layout.y_label.empty()) {
    const int w = text_width(layout.y_label, text_scale);
    detail::draw_text_upwards(image, margin, (area.top + area.bottom + w) / 2, layout.y_label,
                              text_scale, ink);
  }
}

void draw_legend(RgbImage& image, const Layout& layout) {
  const auto& box = layout.geometry.legend;
  image.fill(box, white);
  image.outline(box, ink);
  for (std::size_t i = 0; i < layout.legend_labels.size(); ++i) {
    const int top = box.top + 8 + static_cast<int>(i) * (text_height(text_scale) + 4);
    const double y = top + detail::glyph_cap_height * text_scale / 2.0 - 0.5;
    const double x = box.left + 8;
    image.draw_segment(x, y, x + 36, y, line_half_width, plot_series_color(i), box);
    draw_marker(image, i, {x + 18, y});
    detail::draw_text(image, box.left + 8 + 36 + 8, top, layout.legend_labels[i], text_scale, ink);
  }
}

RgbImage draw(const Layout& layout) {
  const auto& g = layout.geometry;
  const auto& area = g.plot_area;
  RgbImage image(g.width, g.height, white);
  draw_grid_and_ticks(image, layout);
  for (std::size_t s = 0; s < layout.points.size(); ++s) {
    const auto& points = layout.points[s];
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
      if (points[i] && points[i + 1]) {
        image.draw_segment(points[i]->x, points[i]->y, points[i + 1]->x, points[i + 1]->y,
                           line_half_width, plot_series_color(s), area);
      }
    }
  }
  image.outline(area, ink);
  for (std::size_t s = 0; s < layout.points.size(); ++s) {
    for (const auto& p : layout.points[s]) {
      if (p && p->x >= area.left - 0.5 && p->x <= area.right + 0.5 && p->y >= area.top - 0.5 &&
          p->y <= area.bottom + 0.5) {
        draw_marker(image, s, *p);
      }
    }
  }
  if (!layout.title.empty()) {
    const int w = text_width(layout.title, layout.title_scale);
    const int x = std::clamp((area.left + area.right - w) / 2, margin,
                             static_cast<int>(g.width) - margin - w);
    detail::draw_text(image, x, margin, layout.title, layout.title_scale, ink);
  }
  draw_legend(image, layout);
  return image;
}

} // namespace

PlotColor plot_series_color(std::size_t index) {
  static constexpr std::array<PlotColor, 8> palette = {{{0, 114, 178},   // blue
                                                        {213, 94, 0},    // vermillion
                                                        {0, 158, 115},   // bluish green
                                                        {204, 121, 167}, // reddish purple
                                                        {230, 159, 0},   // orange
                                                        {86, 180, 233},  // sky blue
                                                        {0, 0, 0},       // black
                                                        {140, 86, 75}}}; // brown
  return palette[index % palette.size()];
}

double PlotGeometry::x_to_pixel(double x) const {
  return plot_area.left + (x - x_min) / (x_max - x_min) * (plot_area.right - plot_area.left);
}

double PlotGeometry::y_to_pixel(double y) const {
  const double f =
      log_y ? (std::log10(y) - std::log10(y_min)) / (std::log10(y_max) - std::log10(y_min))
            : (y - y_min) / (y_max - y_min);
  return plot_area.bottom - f * (plot_area.bottom - plot_area.top);
}

PlotGeometry compute_line_plot_geometry(std::span<const PlotSeries> series,
                                        const LinePlotOptions& options) {
  return make_layout(series, options).geometry;
}

std::vector<std::uint8_t> render_line_plot_png(std::span<const PlotSeries> series,
                                               const LinePlotOptions& options) {
  return detail::encode_png(draw(make_layout(series, options)));
}

void write_line_plot_png(const std::filesystem::path& path, std::span<const PlotSeries> series,
                         const LinePlotOptions& options) {
  const auto png = render_line_plot_png(series, options);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) {
    out.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    out.close();
  }
  if (!out) {
    throw std::runtime_error("line plot: cannot write '" + path.string() + "'");
  }
}

} // namespace airan::io
