/// \file
/// \brief Private to airan_io: a 5x7 bitmap font (with 2-row descenders) for printable ASCII,
/// drawn at an integer scale into an RgbImage, horizontally or rotated for vertical labels.
#pragma once

#include "png_writer.h"

#include <string>
#include <string_view>

namespace airan::io::detail {

/// Font metrics in font pixels (multiply by the scale for image pixels).
inline constexpr int glyph_columns = 5; ///< Width of a glyph's bitmap.
inline constexpr int glyph_rows = 9;    ///< Cap height 7 plus 2 rows of descender.
inline constexpr int glyph_advance = 6; ///< Distance from one glyph to the next.
inline constexpr int glyph_cap_height = 7;

/// \p text as the font draws it: printable ASCII kept, any other character (a UTF-8 sequence
/// counting as one) replaced with '?'.
std::string printable_text(std::string_view text);

/// Width in image pixels of \p text drawn at \p scale (no trailing gap).
int text_width(std::string_view text, int scale);

/// Height in image pixels of a line of text at \p scale, descenders included.
inline int text_height(int scale) {
  return glyph_rows * scale;
}

/// \p text shortened with "..." so that it is at most \p max_width pixels wide at \p scale.
std::string fit_text(std::string_view text, int scale, int max_width);

/// Draws \p text with the top-left corner of its first glyph cell at (x, y).
void draw_text(RgbImage& image, int x, int y, std::string_view text, int scale, PlotColor color);

/// Draws \p text rotated a quarter turn counter-clockwise (reading upwards), the first glyph's
/// cell having its bottom-left corner at (x, y); the text occupies columns x .. x +
/// text_height(scale) - 1 and rows y - text_width(text, scale) + 1 .. y.
void draw_text_upwards(RgbImage& image, int x, int y, std::string_view text, int scale,
                       PlotColor color);

} // namespace airan::io::detail
