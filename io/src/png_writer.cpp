#include "png_writer.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace airan::io::detail {
namespace {

constexpr std::array<std::uint8_t, 8> png_signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

void append_u32_be(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

/// Appends one chunk: length, type, data, CRC-32 of type and data.
void append_chunk(std::vector<std::uint8_t>& out, const char (&type)[5],
                  const std::vector<std::uint8_t>& data) {
  append_u32_be(out, static_cast<std::uint32_t>(data.size()));
  const auto type_start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32_z(crc, out.data() + type_start, out.size() - type_start);
  append_u32_be(out, static_cast<std::uint32_t>(crc));
}

/// Cost of a filtered row for the filter heuristic: bytes read as signed, summed in magnitude.
unsigned long row_cost(const std::uint8_t* row, std::size_t size) {
  unsigned long cost = 0;
  for (std::size_t i = 0; i < size; ++i) {
    cost +=
        static_cast<unsigned long>(std::abs(static_cast<int>(static_cast<std::int8_t>(row[i]))));
  }
  return cost;
}

} // namespace

RgbImage::RgbImage(unsigned width, unsigned height, PlotColor background)
    : width_(width), height_(height), bytes_(static_cast<std::size_t>(width) * height * 3) {
  for (std::size_t i = 0; i < bytes_.size(); i += 3) {
    bytes_[i] = background.r;
    bytes_[i + 1] = background.g;
    bytes_[i + 2] = background.b;
  }
}

PlotColor RgbImage::at(int x, int y) const {
  const auto i = (static_cast<std::size_t>(y) * width_ + static_cast<std::size_t>(x)) * 3;
  return {bytes_[i], bytes_[i + 1], bytes_[i + 2]};
}

void RgbImage::set(int x, int y, PlotColor color) {
  if (!inside(x, y)) {
    return;
  }
  const auto i = (static_cast<std::size_t>(y) * width_ + static_cast<std::size_t>(x)) * 3;
  bytes_[i] = color.r;
  bytes_[i + 1] = color.g;
  bytes_[i + 2] = color.b;
}

void RgbImage::blend(int x, int y, PlotColor color, double alpha) {
  if (!inside(x, y) || !(alpha > 0.0)) {
    return;
  }
  if (alpha >= 1.0) {
    set(x, y, color);
    return;
  }
  const auto old = at(x, y);
  const auto mix = [alpha](std::uint8_t from, std::uint8_t to) {
    return static_cast<std::uint8_t>(std::lround(from + (to - from) * alpha));
  };
  set(x, y, {mix(old.r, color.r), mix(old.g, color.g), mix(old.b, color.b)});
}

void RgbImage::fill(const PixelRect& rect, PlotColor color) {
  const int x0 = std::max(rect.left, 0);
  const int y0 = std::max(rect.top, 0);
  const int x1 = std::min(rect.right, static_cast<int>(width_) - 1);
  const int y1 = std::min(rect.bottom, static_cast<int>(height_) - 1);
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      set(x, y, color);
    }
  }
}

void RgbImage::draw_segment(double x0, double y0, double x1, double y1, double half_width,
                            PlotColor color, const PixelRect& clip) {
  // Clip to the clip rectangle widened by the pen (Liang-Barsky), so that far-away end points
  // neither cost time nor lose precision.
  const double dx = x1 - x0;
  const double dy = y1 - y0;
  const double pen = half_width + 1.0;
  double t0 = 0.0;
  double t1 = 1.0;
  const auto keep = [&](double p, double q) {
    if (p == 0.0) {
      return q >= 0.0;
    }
    const double t = q / p;
    if (p < 0.0) {
      t0 = std::max(t0, t);
    } else {
      t1 = std::min(t1, t);
    }
    return t0 <= t1;
  };
  if (!keep(-dx, x0 - (clip.left - pen)) || !keep(dx, clip.right + pen - x0) ||
      !keep(-dy, y0 - (clip.top - pen)) || !keep(dy, clip.bottom + pen - y0)) {
    return;
  }
  const double ax = x0 + t0 * dx;
  const double ay = y0 + t0 * dy;
  const double bx = x0 + t1 * dx;
  const double by = y0 + t1 * dy;
  const double length2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay);
  const int left = std::max(clip.left, static_cast<int>(std::floor(std::min(ax, bx) - pen)));
  const int right = std::min(clip.right, static_cast<int>(std::ceil(std::max(ax, bx) + pen)));
  const int top = std::max(clip.top, static_cast<int>(std::floor(std::min(ay, by) - pen)));
  const int bottom = std::min(clip.bottom, static_cast<int>(std::ceil(std::max(ay, by) + pen)));
  for (int y = top; y <= bottom; ++y) {
    for (int x = left; x <= right; ++x) {
      double t = length2 > 0.0 ? ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / length2 : 0.0;
      t = std::clamp(t, 0.0, 1.0);
      const double distance = std::hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
      blend(x, y, color, std::clamp(half_width + 0.5 - distance, 0.0, 1.0));
    }
  }
}

void RgbImage::draw_marker(MarkerShape shape, double cx, double cy, double radius,
                           PlotColor color) {
  const double r = radius;
  const auto bar = [r](double u, double v) {
    return std::min(std::abs(u), std::abs(v)) <= 0.3 * r && std::max(std::abs(u), std::abs(v)) <= r;
  };
  const auto inside = [&](double dx, double dy) {
    switch (shape) {
    case MarkerShape::circle:
      return dx * dx + dy * dy <= r * r;
    case MarkerShape::square:
      return std::abs(dx) <= 0.85 * r && std::abs(dy) <= 0.85 * r;
    case MarkerShape::triangle_up:
      return dy <= 0.75 * r && std::abs(dx) <= (dy + r) * 0.62;
    case MarkerShape::diamond:
      return std::abs(dx) + std::abs(dy) <= 1.2 * r;
    case MarkerShape::triangle_down:
      return -dy <= 0.75 * r && std::abs(dx) <= (r - dy) * 0.62;
    case MarkerShape::plus:
      return bar(dx, dy);
    case MarkerShape::cross:
      return bar((dx + dy) * 0.75, (dx - dy) * 0.75);
    }
    return false;
  };
  const auto x0 = static_cast<int>(std::floor(cx - 1.2 * r - 1.0));
  const auto y0 = static_cast<int>(std::floor(cy - 1.2 * r - 1.0));
  const auto x1 = static_cast<int>(std::ceil(cx + 1.2 * r + 1.0));
  const auto y1 = static_cast<int>(std::ceil(cy + 1.2 * r + 1.0));
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      int covered = 0;
      for (int sy = 0; sy < 4; ++sy) {
        for (int sx = 0; sx < 4; ++sx) {
          covered += inside(x - 0.375 + 0.25 * sx - cx, y - 0.375 + 0.25 * sy - cy) ? 1 : 0;
        }
      }
      blend(x, y, color, covered / 16.0);
    }
  }
}

void RgbImage::outline(const PixelRect& rect, PlotColor color) {
  fill({rect.left, rect.top, rect.right, rect.top}, color);
  fill({rect.left, rect.bottom, rect.right, rect.bottom}, color);
  fill({rect.left, rect.top, rect.left, rect.bottom}, color);
  fill({rect.right, rect.top, rect.right, rect.bottom}, color);
}

std::vector<std::uint8_t> encode_png(const RgbImage& image) {
  const std::size_t stride = static_cast<std::size_t>(image.width()) * 3;
  const auto& pixels = image.bytes();

  // Filtered scanlines: one filter-type byte, then the row (None) or its byte differences
  // to the pixel on the left (Sub).
  std::vector<std::uint8_t> filtered(image.height() * (stride + 1));
  std::vector<std::uint8_t> sub(stride);
  for (std::size_t y = 0; y < image.height(); ++y) {
    const std::uint8_t* row = pixels.data() + y * stride;
    for (std::size_t i = 0; i < stride; ++i) {
      sub[i] = static_cast<std::uint8_t>(row[i] - (i >= 3 ? row[i - 3] : 0));
    }
    std::uint8_t* out = filtered.data() + y * (stride + 1);
    const bool use_sub = row_cost(sub.data(), stride) < row_cost(row, stride);
    out[0] = use_sub ? 1 : 0;
    std::copy_n(use_sub ? sub.data() : row, stride, out + 1);
  }

  uLongf compressed_size = compressBound(static_cast<uLong>(filtered.size()));
  std::vector<std::uint8_t> idat(compressed_size);
  const int status = compress2(idat.data(), &compressed_size, filtered.data(),
                               static_cast<uLong>(filtered.size()), Z_DEFAULT_COMPRESSION);
  if (status != Z_OK) {
    throw std::runtime_error("PNG encoder: zlib compress2 failed with status " +
                             std::to_string(status));
  }
  idat.resize(compressed_size);

  std::vector<std::uint8_t> ihdr;
  append_u32_be(ihdr, image.width());
  append_u32_be(ihdr, image.height());
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0}); // bit depth 8, colour type RGB, deflate, filter
                                            // method 0, no interlace

  std::vector<std::uint8_t> png(png_signature.begin(), png_signature.end());
  append_chunk(png, "IHDR", ihdr);
  append_chunk(png, "IDAT", idat);
  append_chunk(png, "IEND", {});
  return png;
}

} // namespace airan::io::detail
