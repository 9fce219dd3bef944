// Layer mapping (TS 38.211 6.3.1.3): x^(j)(i) = d(v i + j) and its inverse.
#include "airan/phy/layer_mapper.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <stdexcept>
#include <vector>

namespace airan::phy {
namespace {

std::vector<cf32> ramp(std::size_t n) {
  std::vector<cf32> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = cf32(static_cast<float>(i), -static_cast<float>(i));
  }
  return v;
}

TEST(LayerMapper, SpecOrderForEachLayerCount) {
  for (unsigned layers = 1; layers <= 4; ++layers) {
    const auto d = ramp(std::size_t{12} * layers);
    std::vector<cf32> x(d.size());
    map_layers(d, layers, x);
    const std::size_t per_layer = d.size() / layers;
    for (unsigned j = 0; j < layers; ++j) {
      for (std::size_t i = 0; i < per_layer; ++i) {
        ASSERT_EQ(x[j * per_layer + i], d[layers * i + j]) << layers << " layers";
      }
    }
  }
}

TEST(LayerMapper, ThreeLayerExample) {
  const auto d = ramp(6); // d(0..5)
  std::vector<cf32> x(6);
  map_layers(d, 3, x);
  // Layer 0: d0 d3, layer 1: d1 d4, layer 2: d2 d5.
  EXPECT_EQ(x[0], d[0]);
  EXPECT_EQ(x[1], d[3]);
  EXPECT_EQ(x[2], d[1]);
  EXPECT_EQ(x[3], d[4]);
  EXPECT_EQ(x[4], d[2]);
  EXPECT_EQ(x[5], d[5]);
}

TEST(LayerMapper, DemapInvertsMap) {
  for (unsigned layers = 1; layers <= 4; ++layers) {
    const auto d = ramp(std::size_t{24} * layers);
    std::vector<cf32> x(d.size());
    std::vector<cf32> back(d.size());
    map_layers(d, layers, x);
    demap_layers(x, layers, back);
    EXPECT_EQ(back, d) << layers << " layers";
  }
}

TEST(LayerMapper, RejectsBadArguments) {
  const auto d = ramp(10);
  std::vector<cf32> x(10);
  EXPECT_THROW(map_layers(d, 0, x), std::invalid_argument);
  EXPECT_THROW(map_layers(d, 5, x), std::invalid_argument);
  EXPECT_THROW(map_layers(d, 3, x), std::invalid_argument); // 10 is not a multiple of 3
  std::vector<cf32> short_out(8);
  EXPECT_THROW(map_layers(d, 2, short_out), std::invalid_argument);
  EXPECT_THROW(demap_layers(x, 4, short_out), std::invalid_argument);
}

} // namespace
} // namespace airan::phy
