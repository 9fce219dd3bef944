#include "airan/phy/layer_mapper.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

void check_sizes(std::size_t num_symbols, unsigned num_layers, std::size_t num_layer_symbols) {
  if (num_layers < 1 || num_layers > max_layers_per_codeword) {
    throw std::invalid_argument("layer mapping: " + std::to_string(num_layers) +
                                " layers, one codeword maps to 1..4");
  }
  if (num_symbols % num_layers != 0) {
    throw std::invalid_argument("layer mapping: " + std::to_string(num_symbols) +
                                " symbols do not divide into " + std::to_string(num_layers) +
                                " layers");
  }
  if (num_layer_symbols != num_symbols) {
    throw std::invalid_argument("layer mapping: input and output sizes differ");
  }
}

} // namespace

void map_layers(std::span<const cf32> symbols, unsigned num_layers, std::span<cf32> layers) {
  check_sizes(symbols.size(), num_layers, layers.size());
  if (num_layers == 1) {
    std::copy(symbols.begin(), symbols.end(), layers.begin());
    return;
  }
  const std::size_t per_layer = symbols.size() / num_layers;
  for (unsigned j = 0; j < num_layers; ++j) {
    cf32* out = layers.data() + j * per_layer;
    const cf32* in = symbols.data() + j;
    for (std::size_t i = 0; i < per_layer; ++i) {
      out[i] = in[i * num_layers];
    }
  }
}

void demap_layers(std::span<const cf32> layers, unsigned num_layers, std::span<cf32> symbols) {
  check_sizes(symbols.size(), num_layers, layers.size());
  const std::size_t per_layer = symbols.size() / num_layers;
  for (unsigned j = 0; j < num_layers; ++j) {
    const cf32* in = layers.data() + j * per_layer;
    for (std::size_t i = 0; i < per_layer; ++i) {
      symbols[i * num_layers + j] = in[i];
    }
  }
}

} // namespace airan::phy
