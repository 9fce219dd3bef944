/// \file
/// \brief Layer mapping of one codeword onto 1..4 layers (TS 38.211 6.3.1.3, Table 7.3.1.3-1):
/// x^(j)(i) = d(v i + j), M_symb^layer = M_symb / v.
#pragma once

#include "airan/phy/types.h"

#include <span>

namespace airan::phy {

/// Most layers one codeword maps to.
constexpr unsigned max_layers_per_codeword = 4;

/// Maps \p symbols onto \p num_layers layers, written layer-major into \p layers:
/// layers[j * M + i] = symbols[num_layers * i + j], M = symbols.size() / num_layers.
/// \throws std::invalid_argument when num_layers is not 1..4, symbols.size() is not a multiple
/// of it, or layers.size() != symbols.size().
void map_layers(std::span<const cf32> symbols, unsigned num_layers, std::span<cf32> layers);

/// Inverse of map_layers(): symbols[num_layers * i + j] = layers[j * M + i].
/// \throws std::invalid_argument like map_layers().
void demap_layers(std::span<const cf32> layers, unsigned num_layers, std::span<cf32> symbols);

} // namespace airan::phy
