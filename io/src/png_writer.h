/// \file
/// \brief Private to airan_io: an RGB raster with the few drawing operations the plots need,
/// and its encoding as a PNG file (8-bit RGB, zlib deflate, per-row filter None or Sub).
#pragma once

#include "airan/io/line_plot.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace airan::io::detail {

/// Marker shapes for plot points.
enum class MarkerShape { circle, square, triangle_up, diamond, triangle_down, plus, cross };

/// Number of MarkerShape values.
inline constexpr std::size_t num_marker_shapes = 7;

/// A width x height image of 8-bit RGB pixels, row-major, top row first. Writes outside the
/// image are ignored, so callers may draw shapes that cross its edges.
class RgbImage {
public:
  /// An image filled with \p background.
  RgbImage(unsigned width, unsigned height, PlotColor background);

  [[nodiscard]] unsigned width() const { return width_; }
  [[nodiscard]] unsigned height() const { return height_; }
  /// The RGB bytes, 3 * width * height of them.
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return bytes_; }

  /// Colour of pixel (x, y); (x, y) must lie inside the image.
  [[nodiscard]] PlotColor at(int x, int y) const;
  /// Sets pixel (x, y) to \p color.
  void set(int x, int y, PlotColor color);
  /// Mixes \p color into pixel (x, y) with weight \p alpha in [0, 1] (1: replace).
  void blend(int x, int y, PlotColor color, double alpha);
  /// Sets every pixel of \p rect (bounds inclusive) to \p color.
  void fill(const PixelRect& rect, PlotColor color);

  /// Draws the segment (x0, y0) - (x1, y1) anti-aliased, \p half_width pixels either side of
  /// it with round ends, touching only pixels inside \p clip.
  void draw_segment(double x0, double y0, double x1, double y1, double half_width, PlotColor color,
                    const PixelRect& clip);

  /// Draws a filled marker of \p shape about 2 * \p radius across, centred on (cx, cy),
  /// anti-aliased by 4 x 4 samples per pixel. The pixel nearest to (cx, cy) gets exactly
  /// \p color when \p radius is 3 or more.
  void draw_marker(MarkerShape shape, double cx, double cy, double radius, PlotColor color);

  /// Draws the 1-pixel border of \p rect (bounds inclusive).
  void outline(const PixelRect& rect, PlotColor color);

private:
  [[nodiscard]] bool inside(int x, int y) const {
    return x >= 0 && y >= 0 && static_cast<unsigned>(x) < width_ &&
           static_cast<unsigned>(y) < height_;
  }
  unsigned width_;
  unsigned height_;
  std::vector<std::uint8_t> bytes_;
};

/// The bytes of a PNG file holding \p image: signature, IHDR (8-bit RGB, no interlace), one
/// IDAT compressed with zlib and IEND. Each row uses filter None or Sub, whichever leaves the
/// smaller sum of absolute byte values. \throws std::runtime_error if zlib fails.
std::vector<std::uint8_t> encode_png(const RgbImage& image);

} // namespace airan::io::detail
