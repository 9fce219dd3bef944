/// \file
/// \brief Multi-antenna correlation of the conformance channel models (TS 38.104 Annex G for the
/// uplink, the same matrix forms as TS 38.101-4 Annex B): uniform linear arrays at the gNB and the
/// UE, a real correlation matrix per side, and the spatial correlation R_tx (x) R_rx per tap.
///
/// Per side, with coefficient c (alpha at the gNB, beta at the UE) and n antennas, element (i, j)
/// is c^(((i - j) / (n - 1))^2): for 2 antennas [1 c; c 1], for 4 antennas the first row is
/// 1, c^(1/9), c^(4/9), c, for 8 antennas the exponents are (d / 7)^2. The same rule is used for
/// any n up to 16. Levels (TS 38.104 Table G.2.3.2-1, uplink: the gNB receives):
///
/// | level  | alpha (gNB) | beta (UE) |
/// |--------|-------------|-----------|
/// | low    | 0           | 0         |
/// | medium | 0.9         | 0.3       |
/// | high   | 0.9         | 0.9       |
///
/// `none` is not a 3GPP level: the antennas are independent (identity), exactly like `low`.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace airan::phy {

/// Correlation level between the antennas of each side.
enum class AntennaCorrelation : std::uint8_t { none, low, medium, high };

/// Largest array size the correlation functions accept.
constexpr unsigned max_correlated_antennas = 16;

/// Regularisation of the square root: (R + a I) / (1 + a) with this a, the value TS 36.141 /
/// TS 38.104 use to keep the high-correlation matrices positive definite. Applied when the
/// coefficient is non-zero and the array has more than 2 antennas (the exact matrices are
/// numerically singular from 8 antennas on).
constexpr double correlation_regularisation = 1e-4;

/// Parses "none", "low", "medium" or "high" (case-insensitive).
/// \throws std::invalid_argument for anything else.
AntennaCorrelation parse_antenna_correlation(std::string_view text);

/// The level's name, as parse_antenna_correlation() accepts it.
std::string_view to_string(AntennaCorrelation level);

/// Correlation coefficient of one side: alpha for the gNB (is_gnb = true), beta for the UE.
double antenna_correlation_coefficient(AntennaCorrelation level, bool is_gnb);

/// The num_antennas x num_antennas correlation matrix (row-major, real, symmetric, unit diagonal)
/// of the gNB receive side (is_gnb = true) or the UE transmit side, exactly as defined (no
/// regularisation).
/// \throws std::invalid_argument when num_antennas is 0 or above max_correlated_antennas.
std::vector<double> antenna_correlation_matrix(AntennaCorrelation level, unsigned num_antennas,
                                               bool is_gnb);

/// Lower-triangular L (row-major) with L L^T = the regularised matrix (see
/// correlation_regularisation); unit diagonal of L L^T. This is what TdlChannel applies to the
/// independent fading processes: H = L_rx G L_tx^T, whose vectorisation has the covariance
/// R_tx (x) R_rx.
/// \throws std::invalid_argument as antenna_correlation_matrix(), std::runtime_error if the
/// factorisation fails (it does not for the defined levels).
std::vector<double> antenna_correlation_sqrt(AntennaCorrelation level, unsigned num_antennas,
                                             bool is_gnb);

/// Kronecker product R_tx (x) R_rx of the UE (transmit) and gNB (receive) matrices, row-major,
/// (num_tx * num_rx) square: element (t * num_rx + r, t' * num_rx + r') = R_tx(t, t') R_rx(r, r').
/// \throws std::invalid_argument as antenna_correlation_matrix().
std::vector<double> spatial_correlation_matrix(AntennaCorrelation level, unsigned num_rx,
                                               unsigned num_tx);

} // namespace airan::phy
