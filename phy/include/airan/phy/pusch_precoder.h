/// \file
/// \brief PUSCH precoding (TS 38.211 6.3.1.5): z = W y per resource element, with W the identity
/// (non-codebook) or a codebook matrix of Tables 6.3.1.5-1 .. 6.3.1.5-7 selected by the TPMI.
#pragma once

#include "airan/phy/types.h"

#include <array>
#include <cstddef>
#include <span>

namespace airan::phy {

/// Most antenna ports and layers a PUSCH precoding matrix has here.
constexpr unsigned max_precoding_ports = 4;

/// A num_ports x num_layers precoding matrix W (rows: antenna ports, columns: layers).
class PrecodingMatrix {
public:
  PrecodingMatrix() = default;
  /// Zero matrix of the given size. \throws std::invalid_argument outside 1..4.
  PrecodingMatrix(unsigned num_ports, unsigned num_layers);

  /// num_layers x num_layers identity: layer i on antenna port i (non-codebook transmission).
  static PrecodingMatrix identity(unsigned num_layers);

  [[nodiscard]] unsigned num_ports() const { return num_ports_; }
  [[nodiscard]] unsigned num_layers() const { return num_layers_; }
  [[nodiscard]] cf32 operator()(unsigned port, unsigned layer) const {
    return weights_[port * max_precoding_ports + layer];
  }
  cf32& operator()(unsigned port, unsigned layer) {
    return weights_[port * max_precoding_ports + layer];
  }
  /// True when W is the identity (precoding is a copy).
  [[nodiscard]] bool is_identity() const;

private:
  unsigned num_ports_ = 1;
  unsigned num_layers_ = 1;
  std::array<cf32, max_precoding_ports * max_precoding_ports> weights_{cf32(1.0F, 0.0F)};
};

/// Number of TPMI values of the codebook for \p num_layers on \p num_ports, or 0 when TS 38.211
/// defines none (e.g. 3 layers on 2 ports). 1 port, 1 layer: one value (W = 1).
unsigned num_tpmi(unsigned num_layers, unsigned num_ports);

/// Codebook matrix W of TS 38.211 Tables 6.3.1.5-1 .. -7.
/// \param transform_precoding Selects Table 6.3.1.5-2 instead of -3 for one layer on 4 ports.
/// \throws std::invalid_argument, naming the table and its TPMI range, for an invalid
/// layer / port / TPMI combination.
PrecodingMatrix pusch_codebook_matrix(unsigned num_layers, unsigned num_ports, unsigned tpmi,
                                      bool transform_precoding = false);

/// Precodes \p num_res resource elements: ports[p * num_res + i] = sum_l W(p, l) layers[l *
/// num_res + i] (both layer-major / port-major contiguous).
/// \throws std::invalid_argument when a span is too small.
void precode(const PrecodingMatrix& w, std::span<const cf32> layers, std::span<cf32> ports,
             std::size_t num_res);

/// precode() for rows that are not contiguous with each other: layer_rows[l] and port_rows[p]
/// each point at \p num_res elements (e.g. one symbol of a ResourceGrid per layer / port).
/// \throws std::invalid_argument when fewer rows than layers / ports are given.
void precode_rows(const PrecodingMatrix& w, std::span<const cf32* const> layer_rows,
                  std::span<cf32* const> port_rows, std::size_t num_res);

} // namespace airan::phy
