#include "airan/phy/pusch_precoder.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

/// A codebook entry element: 0, +-1 or +-j (the tables scale each matrix by a common factor).
struct Unit {
  signed char re;
  signed char im;
};
constexpr Unit O{0, 0};
constexpr Unit P{1, 0};
constexpr Unit N{-1, 0};
constexpr Unit J{0, 1};
constexpr Unit K{0, -1}; // -j

/// One codebook: num_ports x num_layers matrices written row by row (port by port).
struct Codebook {
  const char* table;
  unsigned num_ports;
  unsigned num_layers;
  std::vector<std::vector<Unit>> matrices;
  /// Scale factor of matrix tpmi.
  float (*scale)(unsigned tpmi);
};

// Table 6.3.1.5-1: one layer, two antenna ports. W = 1/sqrt(2) [.].
const Codebook one_layer_two_ports{
    "6.3.1.5-1", 2, 1, {{P, O}, {O, P}, {P, P}, {P, N}, {P, J}, {P, K}}, [](unsigned) {
      return 1.0F / std::sqrt(2.0F);
    }};

// Table 6.3.1.5-2: one layer, four antenna ports, transform precoding enabled. W = 1/2 [.].
const Codebook one_layer_four_ports_dft{
    "6.3.1.5-2",
    4,
    1,
    {{P, O, O, O}, {O, P, O, O}, {O, O, P, O}, {O, O, O, P}, {P, O, P, O}, {P, O, N, O},
     {P, O, J, O}, {P, O, K, O}, {O, P, O, P}, {O, P, O, N}, {O, P, O, J}, {O, P, O, K},
     {P, P, P, N}, {P, P, J, J}, {P, P, N, P}, {P, P, K, K}, {P, J, P, J}, {P, J, J, P},
     {P, J, N, K}, {P, J, K, N}, {P, N, P, P}, {P, N, J, K}, {P, N, N, N}, {P, N, K, J},
     {P, K, P, K}, {P, K, J, N}, {P, K, N, J}, {P, K, K, P}},
    [](unsigned) { return 0.5F; }};

// Table 6.3.1.5-3: one layer, four antenna ports, transform precoding disabled. W = 1/2 [.].
const Codebook one_layer_four_ports{
    "6.3.1.5-3",
    4,
    1,
    {{P, O, O, O}, {O, P, O, O}, {O, O, P, O}, {O, O, O, P}, {P, O, P, O}, {P, O, N, O},
     {P, O, J, O}, {P, O, K, O}, {O, P, O, P}, {O, P, O, N}, {O, P, O, J}, {O, P, O, K},
     {P, P, P, P}, {P, P, J, J}, {P, P, N, N}, {P, P, K, K}, {P, J, P, J}, {P, J, J, N},
     {P, J, N, K}, {P, J, K, P}, {P, N, P, N}, {P, N, J, K}, {P, N, N, P}, {P, N, K, J},
     {P, K, P, K}, {P, K, J, P}, {P, K, N, J}, {P, K, K, N}},
    [](unsigned) { return 0.5F; }};

// Table 6.3.1.5-4: two layers, two antenna ports. TPMI 0: 1/sqrt(2), TPMI 1-2: 1/2.
const Codebook two_layers_two_ports{
    "6.3.1.5-4", 2, 2, {{P, O, O, P}, {P, P, P, N}, {P, P, J, K}}, [](unsigned tpmi) {
      return tpmi == 0 ? 1.0F / std::sqrt(2.0F) : 0.5F;
    }};

// Table 6.3.1.5-5: two layers, four antenna ports. TPMI 0-13: 1/2, 14-21: 1/(2 sqrt(2)).
const Codebook two_layers_four_ports{
    "6.3.1.5-5",
    4,
    2,
    {{P, O, O, P, O, O, O, O}, {P, O, O, O, O, P, O, O}, {P, O, O, O, O, O, O, P},
     {O, O, P, O, O, P, O, O}, {O, O, P, O, O, O, O, P}, {O, O, O, O, P, O, O, P},
     {P, O, O, P, P, O, O, K}, {P, O, O, P, P, O, O, J}, {P, O, O, P, K, O, O, P},
     {P, O, O, P, K, O, O, N}, {P, O, O, P, N, O, O, K}, {P, O, O, P, N, O, O, J},
     {P, O, O, P, J, O, O, P}, {P, O, O, P, J, O, O, N}, {P, P, P, P, P, N, P, N},
     {P, P, P, P, J, K, J, K}, {P, P, J, J, P, N, J, K}, {P, P, J, J, J, K, N, P},
     {P, P, N, N, P, N, N, P}, {P, P, N, N, J, K, K, J}, {P, P, K, K, P, N, K, J},
     {P, P, K, K, J, K, P, N}},
    [](unsigned tpmi) { return tpmi <= 13 ? 0.5F : 1.0F / (2.0F * std::sqrt(2.0F)); }};

// Table 6.3.1.5-6: three layers, four antenna ports. TPMI 0-2: 1/2, 3-6: 1/(2 sqrt(3)).
const Codebook three_layers_four_ports{
    "6.3.1.5-6",
    4,
    3,
    {{P, O, O, O, P, O, O, O, P, O, O, O},
     {P, O, O, O, P, O, P, O, O, O, O, P},
     {P, O, O, O, P, O, N, O, O, O, O, P},
     {P, P, P, P, N, P, P, P, N, P, N, N},
     {P, P, P, P, N, P, J, J, K, J, K, K},
     {P, P, P, N, P, N, P, P, N, N, P, P},
     {P, P, P, N, P, N, J, J, K, K, J, J}},
    [](unsigned tpmi) { return tpmi <= 2 ? 0.5F : 1.0F / (2.0F * std::sqrt(3.0F)); }};

// Table 6.3.1.5-7: four layers, four antenna ports. TPMI 0: 1/2, 1-2: 1/(2 sqrt(2)), 3-4: 1/4.
const Codebook four_layers_four_ports{
    "6.3.1.5-7",
    4,
    4,
    {{P, O, O, O, O, P, O, O, O, O, P, O, O, O, O, P},
     {P, P, O, O, O, O, P, P, P, N, O, O, O, O, P, N},
     {P, P, O, O, O, O, P, P, J, K, O, O, O, O, J, K},
     {P, P, P, P, P, N, P, N, P, P, N, N, P, N, N, P},
     {P, P, P, P, P, N, P, N, J, J, K, K, J, K, K, J}},
    [](unsigned tpmi) {
      return tpmi == 0 ? 0.5F : (tpmi <= 2 ? 1.0F / (2.0F * std::sqrt(2.0F)) : 0.25F);
    }};

const Codebook* find_codebook(unsigned num_layers, unsigned num_ports, bool transform_precoding) {
  if (num_ports == 2) {
    return num_layers == 1 ? &one_layer_two_ports
                           : (num_layers == 2 ? &two_layers_two_ports : nullptr);
  }
  if (num_ports == 4) {
    switch (num_layers) {
    case 1:
      return transform_precoding ? &one_layer_four_ports_dft : &one_layer_four_ports;
    case 2:
      return &two_layers_four_ports;
    case 3:
      return &three_layers_four_ports;
    case 4:
      return &four_layers_four_ports;
    default:
      return nullptr;
    }
  }
  return nullptr;
}

} // namespace

PrecodingMatrix::PrecodingMatrix(unsigned num_ports, unsigned num_layers)
    : num_ports_(num_ports), num_layers_(num_layers) {
  if (num_ports < 1 || num_ports > max_precoding_ports || num_layers < 1 ||
      num_layers > max_precoding_ports) {
    throw std::invalid_argument("precoding matrix size must be 1..4 ports x 1..4 layers");
  }
  weights_.fill(cf32(0.0F, 0.0F));
}

PrecodingMatrix PrecodingMatrix::identity(unsigned num_layers) {
  PrecodingMatrix w(num_layers, num_layers);
  for (unsigned i = 0; i < num_layers; ++i) {
    w(i, i) = cf32(1.0F, 0.0F);
  }
  return w;
}

bool PrecodingMatrix::is_identity() const {
  if (num_ports_ != num_layers_) {
    return false;
  }
  for (unsigned p = 0; p < num_ports_; ++p) {
    for (unsigned l = 0; l < num_layers_; ++l) {
      if ((*this)(p, l) != cf32(p == l ? 1.0F : 0.0F, 0.0F)) {
        return false;
      }
    }
  }
  return true;
}

unsigned num_tpmi(unsigned num_layers, unsigned num_ports) {
  if (num_ports == 1) {
    return num_layers == 1 ? 1U : 0U;
  }
  const Codebook* codebook = find_codebook(num_layers, num_ports, false);
  return codebook == nullptr ? 0U : static_cast<unsigned>(codebook->matrices.size());
}

PrecodingMatrix pusch_codebook_matrix(unsigned num_layers, unsigned num_ports, unsigned tpmi,
                                      bool transform_precoding) {
  if (num_ports == 1 && num_layers == 1) {
    if (tpmi != 0) {
      throw std::invalid_argument("TPMI " + std::to_string(tpmi) +
                                  " is invalid for one layer on one antenna port (only 0)");
    }
    return PrecodingMatrix::identity(1);
  }
  const Codebook* codebook = find_codebook(num_layers, num_ports, transform_precoding);
  if (codebook == nullptr) {
    throw std::invalid_argument("TS 38.211 6.3.1.5 has no codebook for " +
                                std::to_string(num_layers) + " layer(s) on " +
                                std::to_string(num_ports) + " antenna port(s)");
  }
  if (tpmi >= codebook->matrices.size()) {
    throw std::invalid_argument(
        "TPMI " + std::to_string(tpmi) + " is invalid for " + std::to_string(num_layers) +
        " layer(s) on " + std::to_string(num_ports) + " antenna ports: TS 38.211 Table " +
        codebook->table + " has TPMI 0.." + std::to_string(codebook->matrices.size() - 1));
  }
  const float scale = codebook->scale(tpmi);
  const auto& entries = codebook->matrices[tpmi];
  PrecodingMatrix w(num_ports, num_layers);
  for (unsigned p = 0; p < num_ports; ++p) {
    for (unsigned l = 0; l < num_layers; ++l) {
      const Unit u = entries[p * num_layers + l];
      w(p, l) = cf32(scale * u.re, scale * u.im);
    }
  }
  return w;
}

void precode_rows(const PrecodingMatrix& w, std::span<const cf32* const> layer_rows,
                  std::span<cf32* const> port_rows, std::size_t num_res) {
  const unsigned num_layers = w.num_layers();
  const unsigned num_ports = w.num_ports();
  if (layer_rows.size() < num_layers || port_rows.size() < num_ports) {
    throw std::invalid_argument("precode: fewer rows than layers or antenna ports");
  }
  for (unsigned p = 0; p < num_ports; ++p) {
    cf32* out = port_rows[p];
    std::fill_n(out, num_res, cf32(0.0F, 0.0F));
    for (unsigned l = 0; l < num_layers; ++l) {
      const cf32 weight = w(p, l);
      if (weight == cf32(0.0F, 0.0F)) {
        continue;
      }
      const cf32* in = layer_rows[l];
      for (std::size_t i = 0; i < num_res; ++i) {
        out[i] += weight * in[i];
      }
    }
  }
}

void precode(const PrecodingMatrix& w, std::span<const cf32> layers, std::span<cf32> ports,
             std::size_t num_res) {
  const unsigned num_layers = w.num_layers();
  const unsigned num_ports = w.num_ports();
  if (layers.size() < num_layers * num_res || ports.size() < num_ports * num_res) {
    throw std::invalid_argument("precode: layer or port buffer too small");
  }
  std::array<const cf32*, max_precoding_ports> layer_rows{};
  std::array<cf32*, max_precoding_ports> port_rows{};
  for (unsigned l = 0; l < num_layers; ++l) {
    layer_rows[l] = layers.data() + l * num_res;
  }
  for (unsigned p = 0; p < num_ports; ++p) {
    port_rows[p] = ports.data() + p * num_res;
  }
  precode_rows(w, layer_rows, port_rows, num_res);
}

} // namespace airan::phy
