#include "airan/io/line_plot.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using airan::io::LinePlotOptions;
using airan::io::PlotColor;
using airan::io::PlotGeometry;
using airan::io::PlotSeries;

constexpr PlotColor white{255, 255, 255};

/// A PNG file taken apart by this test's own reader, checks recorded rather than assumed.
struct DecodedPng {
  bool signature_ok = false;
  std::vector<std::string> chunk_types;
  bool all_crcs_ok = true;
  unsigned width = 0;
  unsigned height = 0;
  unsigned bit_depth = 0;
  unsigned colour_type = 0;
  unsigned compression = 0;
  unsigned filter_method = 0;
  unsigned interlace = 0;
  int inflate_status = Z_DATA_ERROR;
  std::size_t inflated_size = 0;
  std::vector<unsigned> row_filters;
  std::vector<std::uint8_t> rgb; ///< Unfiltered pixels, 3 bytes each, top row first.

  [[nodiscard]] PlotColor at(int x, int y) const {
    const auto i = (static_cast<std::size_t>(y) * width + static_cast<std::size_t>(x)) * 3;
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
  }
};

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

/// Parses chunks, verifies CRCs with zlib's crc32, inflates IDAT with zlib's uncompress and
/// undoes filters None (0) and Sub (1). Throws only when the file is truncated or uses another
/// filter type.
DecodedPng decode_png(const std::vector<std::uint8_t>& png) {
  static const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  DecodedPng out;
  out.signature_ok = png.size() >= 8 && std::memcmp(png.data(), signature, 8) == 0;
  std::vector<std::uint8_t> idat;
  std::size_t pos = 8;
  while (pos < png.size()) {
    if (pos + 12 > png.size() || pos + 12 + be32(&png[pos]) > png.size()) {
      throw std::runtime_error("truncated chunk at byte " + std::to_string(pos));
    }
    const std::uint32_t length = be32(&png[pos]);
    const std::string type(reinterpret_cast<const char*>(&png[pos + 4]), 4);
    const std::uint8_t* data = &png[pos + 8];
    const auto crc = crc32(crc32(0L, Z_NULL, 0), &png[pos + 4], length + 4);
    out.all_crcs_ok = out.all_crcs_ok && crc == be32(data + length);
    out.chunk_types.push_back(type);
    if (type == "IHDR" && length == 13) {
      out.width = be32(data);
      out.height = be32(data + 4);
      out.bit_depth = data[8];
      out.colour_type = data[9];
      out.compression = data[10];
      out.filter_method = data[11];
      out.interlace = data[12];
    } else if (type == "IDAT") {
      idat.insert(idat.end(), data, data + length);
    }
    pos += 12 + length;
  }
  const std::size_t stride = std::size_t{out.width} * 3;
  std::vector<std::uint8_t> raw(out.height * (stride + 1) + 64); // room to spot extra bytes
  uLongf raw_size = raw.size();
  out.inflate_status = uncompress(raw.data(), &raw_size, idat.data(), idat.size());
  out.inflated_size = raw_size;
  if (out.inflate_status != Z_OK || raw_size != out.height * (stride + 1)) {
    return out;
  }
  out.rgb.resize(out.height * stride);
  for (std::size_t y = 0; y < out.height; ++y) {
    const std::uint8_t* in = &raw[y * (stride + 1)];
    std::uint8_t* row = &out.rgb[y * stride];
    out.row_filters.push_back(in[0]);
    if (in[0] > 1) {
      throw std::runtime_error("unexpected filter type " + std::to_string(in[0]));
    }
    for (std::size_t i = 0; i < stride; ++i) {
      row[i] = static_cast<std::uint8_t>(in[1 + i] + (in[0] == 1 && i >= 3 ? row[i - 3] : 0));
    }
  }
  return out;
}

DecodedPng render(const std::vector<PlotSeries>& series, const LinePlotOptions& options) {
  return decode_png(airan::io::render_line_plot_png(series, options));
}

/// Three BLER waterfalls, points of different curves at least 0.15 decade apart (markers do
/// not overlap); the better receivers reach BLER 0 at the highest SNRs.
std::vector<PlotSeries> bler_curves() {
  const std::vector<double> snr = {-4, -2, 0, 2, 4, 6, 8, 10};
  std::vector<PlotSeries> curves = {
      {"ls-lin-lmmse", snr, {1.0, 0.95, 0.8, 0.55, 0.12, 0.011, 8e-4, 1.2e-4}},
      {"mmse-irc", snr, {0.6, 0.45, 0.3, 0.06, 4e-3, 3e-4, 0.0, 0.0}},
      {"perfect-csi", snr, {0.3, 0.2, 0.08, 5e-3, 2e-4, 0.0, 0.0, 0.0}}};
  return curves;
}

LinePlotOptions bler_options() {
  LinePlotOptions options;
  options.title = "TDL-C 300 ns, 273 PRB, 4 Rx, 2 layers, MCS 27";
  options.x_label = "SNR per RE and Rx antenna (dB)";
  options.y_label = "BLER";
  options.log_y = true;
  return options;
}

/// Checks that every drawable point of every series shows its series' colour at its pixel,
/// apart from points that the legend box may cover; returns how many points were checked.
int check_point_colours(const DecodedPng& png, const PlotGeometry& g,
                        const std::vector<PlotSeries>& series) {
  int checked = 0;
  for (std::size_t s = 0; s < series.size(); ++s) {
    for (std::size_t i = 0; i < series[s].x.size(); ++i) {
      if (g.log_y && series[s].y[i] <= 0.0) {
        continue;
      }
      const auto x = static_cast<int>(std::lround(g.x_to_pixel(series[s].x[i])));
      const auto y = static_cast<int>(std::lround(g.y_to_pixel(series[s].y[i])));
      const auto& box = g.legend;
      if (x >= box.left - 8 && x <= box.right + 8 && y >= box.top - 8 && y <= box.bottom + 8) {
        continue;
      }
      EXPECT_EQ(png.at(x, y), airan::io::plot_series_color(s))
          << "series " << s << " point " << i << " at pixel (" << x << ", " << y << ")";
      ++checked;
    }
  }
  return checked;
}

bool rect_has_colour(const DecodedPng& png, const airan::io::PixelRect& r, PlotColor colour) {
  for (int y = r.top; y <= r.bottom; ++y) {
    for (int x = r.left; x <= r.right; ++x) {
      if (png.at(x, y) == colour) {
        return true;
      }
    }
  }
  return false;
}

bool rect_has_dark_pixel(const DecodedPng& png, const airan::io::PixelRect& r) {
  for (int y = r.top; y <= r.bottom; ++y) {
    for (int x = r.left; x <= r.right; ++x) {
      const auto c = png.at(x, y);
      if (c.r < 80 && c.g < 80 && c.b < 80) {
        return true;
      }
    }
  }
  return false;
}

TEST(LinePlot, PngIsValidRgb8) {
  auto options = bler_options();
  options.width = 701; // odd sizes: no accidental alignment
  options.height = 433;
  const auto png = render(bler_curves(), options);
  EXPECT_TRUE(png.signature_ok);
  ASSERT_GE(png.chunk_types.size(), 3U);
  EXPECT_EQ(png.chunk_types.front(), "IHDR");
  EXPECT_EQ(png.chunk_types.back(), "IEND");
  EXPECT_TRUE(png.all_crcs_ok);
  EXPECT_EQ(png.width, 701U);
  EXPECT_EQ(png.height, 433U);
  EXPECT_EQ(png.bit_depth, 8U);
  EXPECT_EQ(png.colour_type, 2U); // truecolour RGB
  EXPECT_EQ(png.compression, 0U);
  EXPECT_EQ(png.filter_method, 0U);
  EXPECT_EQ(png.interlace, 0U);
  EXPECT_EQ(png.inflate_status, Z_OK);
  EXPECT_EQ(png.inflated_size, 433U * (1 + 3 * 701U));
  EXPECT_EQ(png.rgb.size(), 433U * 701U * 3U);
  EXPECT_EQ(png.row_filters.size(), 433U);
}

TEST(LinePlot, SeriesColoursAtTheirPoints) {
  std::vector<PlotSeries> series(2);
  for (int i = 0; i <= 10; ++i) {
    series[0].x.push_back(i);
    series[0].y.push_back(10.0 + i);
    series[1].x.push_back(i + 0.5);
    series[1].y.push_back(-10.0 - 0.5 * i);
  }
  series[0].label = "rising";
  series[1].label = "falling";
  LinePlotOptions options;
  options.title = "Linear axes";
  const auto g = airan::io::compute_line_plot_geometry(series, options);
  EXPECT_LE(g.x_min, 0.0);
  EXPECT_GE(g.x_max, 10.5);
  EXPECT_LE(g.y_min, -15.0);
  EXPECT_GE(g.y_max, 20.0);
  const auto png = render(series, options);
  EXPECT_GE(check_point_colours(png, g, series), 18);
}

TEST(LinePlot, LogAxisSkipsNonPositivePoints) {
  const auto curves = bler_curves();
  const auto options = bler_options();
  const auto g = airan::io::compute_line_plot_geometry(curves, options);
  EXPECT_TRUE(g.log_y);
  EXPECT_DOUBLE_EQ(g.y_min, 1e-4); // whole decades around 1.2e-4 .. 1
  EXPECT_DOUBLE_EQ(g.y_max, 1.0);
  EXPECT_DOUBLE_EQ(g.y_to_pixel(1e-2), (g.plot_area.top + g.plot_area.bottom) / 2.0);
  DecodedPng png;
  ASSERT_NO_THROW(png = render(curves, options));
  EXPECT_GE(check_point_colours(png, g, curves), 16);

  // Nothing positive at all: still a plot, on the default 1e-3 .. 1 axis.
  const std::vector<PlotSeries> zeros = {{"no errors", {0, 1, 2}, {0.0, 0.0, 0.0}}};
  const auto empty = airan::io::compute_line_plot_geometry(zeros, options);
  EXPECT_DOUBLE_EQ(empty.y_min, 1e-3);
  EXPECT_DOUBLE_EQ(empty.y_max, 1.0);
  EXPECT_NO_THROW(render(zeros, options));
}

TEST(LinePlot, GeometryHonoursGivenLimits) {
  auto options = bler_options();
  options.x_min = -5.0;
  options.x_max = 15.0;
  options.y_min = 1e-5;
  options.y_max = 1.0;
  const auto g = airan::io::compute_line_plot_geometry(bler_curves(), options);
  EXPECT_EQ(g.width, options.width);
  EXPECT_EQ(g.height, options.height);
  EXPECT_DOUBLE_EQ(g.x_to_pixel(-5.0), g.plot_area.left);
  EXPECT_DOUBLE_EQ(g.x_to_pixel(15.0), g.plot_area.right);
  EXPECT_DOUBLE_EQ(g.x_to_pixel(5.0), (g.plot_area.left + g.plot_area.right) / 2.0);
  EXPECT_DOUBLE_EQ(g.y_to_pixel(1e-5), g.plot_area.bottom);
  EXPECT_NEAR(g.y_to_pixel(1.0), g.plot_area.top, 1e-9);
  EXPECT_GT(g.plot_area.right - g.plot_area.left, 600);
  EXPECT_GT(g.plot_area.bottom - g.plot_area.top, 400);
  EXPECT_GE(g.plot_area.left, 0);
  EXPECT_LT(g.plot_area.right, static_cast<int>(options.width));
  EXPECT_LT(g.plot_area.bottom, static_cast<int>(options.height));
}

TEST(LinePlot, BackgroundIsWhiteOutsideThePlot) {
  const auto options = bler_options();
  const auto g = airan::io::compute_line_plot_geometry(bler_curves(), options);
  const auto png = render(bler_curves(), options);
  const int w = static_cast<int>(png.width);
  const int h = static_cast<int>(png.height);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const bool border = x < 8 || y < 8 || x >= w - 8 || y >= h - 8;
      const bool right_of_plot = x > g.plot_area.right + 8 && y >= g.plot_area.top - 2 &&
                                 y <= g.plot_area.bottom - 12; // clear of the tick labels
      if (border || right_of_plot) {
        ASSERT_EQ(png.at(x, y), white) << "pixel (" << x << ", " << y << ")";
      }
    }
  }
}

TEST(LinePlot, LegendShowsEachSeriesColour) {
  const auto curves = bler_curves();
  const auto options = bler_options();
  const auto g = airan::io::compute_line_plot_geometry(curves, options);
  const auto png = render(curves, options);
  EXPECT_TRUE(g.plot_area.contains(g.legend.left, g.legend.top));
  EXPECT_TRUE(g.plot_area.contains(g.legend.right, g.legend.bottom));
  for (std::size_t s = 0; s < curves.size(); ++s) {
    EXPECT_TRUE(rect_has_colour(png, g.legend, airan::io::plot_series_color(s))) << "series " << s;
  }
  EXPECT_TRUE(rect_has_dark_pixel(png, g.legend)); // border and labels
  EXPECT_FALSE(rect_has_colour(png, g.legend, airan::io::plot_series_color(3)));
}

TEST(LinePlot, DrawsTextAroundThePlot) {
  const auto options = bler_options();
  const auto g = airan::io::compute_line_plot_geometry(bler_curves(), options);
  const auto png = render(bler_curves(), options);
  const int w = static_cast<int>(png.width);
  const int h = static_cast<int>(png.height);
  EXPECT_TRUE(rect_has_dark_pixel(png, {0, 0, w - 1, g.plot_area.top - 2}));        // title
  EXPECT_TRUE(rect_has_dark_pixel(png, {0, 0, g.plot_area.left - 7, h - 1}));       // y labels
  EXPECT_TRUE(rect_has_dark_pixel(png, {0, g.plot_area.bottom + 7, w - 1, h - 1})); // x labels
}

TEST(LinePlot, ClipsToThePlotArea) {
  // Only the middle point lies inside the given limits; the rest of the line leaves the axes.
  const std::vector<PlotSeries> series = {{"wide", {-100.0, 0.0, 100.0}, {-50.0, 0.5, 80.0}}};
  LinePlotOptions options;
  options.x_min = -1.0;
  options.x_max = 1.0;
  options.y_min = 0.0;
  options.y_max = 1.0;
  const auto g = airan::io::compute_line_plot_geometry(series, options);
  const auto png = render(series, options);
  const auto colour = airan::io::plot_series_color(0);
  int inside = 0;
  for (int y = 0; y < static_cast<int>(png.height); ++y) {
    for (int x = 0; x < static_cast<int>(png.width); ++x) {
      if (png.at(x, y) == colour) {
        ASSERT_TRUE(g.plot_area.contains(x, y)) << "pixel (" << x << ", " << y << ")";
        ++inside;
      }
    }
  }
  EXPECT_GT(inside, 100);
  EXPECT_EQ(png.at(static_cast<int>(std::lround(g.x_to_pixel(0.0))),
                   static_cast<int>(std::lround(g.y_to_pixel(0.5)))),
            colour);
}

TEST(LinePlot, ManySeriesGetDistinctStylesAndRenderDeterministically) {
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_NE(airan::io::plot_series_color(i), white);
    for (std::size_t j = 0; j < i; ++j) {
      EXPECT_NE(airan::io::plot_series_color(i), airan::io::plot_series_color(j));
    }
  }
  std::vector<PlotSeries> series(12);
  for (std::size_t s = 0; s < series.size(); ++s) {
    series[s].label = "series " + std::to_string(s);
    for (int i = 0; i < 5; ++i) {
      series[s].x.push_back(i);
      series[s].y.push_back(static_cast<double>(s) + 0.1 * i);
    }
  }
  series.push_back({"no points", {}, {}});
  LinePlotOptions options;
  const auto first = airan::io::render_line_plot_png(series, options);
  EXPECT_EQ(first, airan::io::render_line_plot_png(series, options));
  EXPECT_EQ(decode_png(first).inflate_status, Z_OK);
}

TEST(LinePlot, RejectsBadInput) {
  const auto good = bler_curves();
  const auto options = bler_options();
  const auto rejects = [](const std::vector<PlotSeries>& series, const LinePlotOptions& o) {
    EXPECT_THROW(airan::io::render_line_plot_png(series, o), std::invalid_argument);
    EXPECT_THROW(airan::io::compute_line_plot_geometry(series, o), std::invalid_argument);
  };
  rejects({}, options);
  auto mismatch = good;
  mismatch[1].y.pop_back();
  rejects(mismatch, options);
  auto nan_x = good;
  nan_x[0].x[2] = std::numeric_limits<double>::quiet_NaN();
  rejects(nan_x, options);
  auto inf_y = good;
  inf_y[2].y[0] = std::numeric_limits<double>::infinity();
  rejects(inf_y, options);
  const std::vector<PlotSeries> huge = {{"huge", {-1e308, 1e308}, {0.5, 0.5}}};
  rejects(huge, options);

  auto o = options;
  o.width = 199;
  rejects(good, o);
  o = options;
  o.height = 149;
  rejects(good, o);
  o = options;
  o.width = 9000;
  rejects(good, o);
  o = options;
  o.x_min = 5.0;
  o.x_max = 5.0;
  rejects(good, o);
  o = options;
  o.y_min = 0.0; // not on a log axis
  rejects(good, o);
  o = options;
  o.x_max = std::numeric_limits<double>::quiet_NaN();
  rejects(good, o);
  o = options;
  o.width = 200;
  o.height = 150;
  EXPECT_NO_THROW(airan::io::render_line_plot_png(good, o)); // the smallest size is fine
}

TEST(LinePlot, UnwritablePathThrowsNamingIt) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("airan_line_plot_missing_" + std::to_string(::getpid())) / "plot.png";
  try {
    airan::io::write_line_plot_png(path, bler_curves(), bler_options());
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(LinePlot, WritesTheBytesItRenders) {
  // Left in the temp directory on purpose, to be looked at: three BLER curves on a log axis.
  const auto path = std::filesystem::temp_directory_path() / "airan_line_plot_sample.png";
  airan::io::write_line_plot_png(path, bler_curves(), bler_options());
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> written((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
  EXPECT_EQ(written, airan::io::render_line_plot_png(bler_curves(), bler_options()));
}

} // namespace
