/// \file
/// \brief Wiener time interpolation weights (dmrs_time_wiener.h): the shared per-symbol math of
/// airan/phy/dmrs_time_wiener_math.h over a PDU's symbols.
#include "dmrs_time_wiener.h"

namespace airan::phy::detail {

void time_wiener_weights(std::span<const double> occasion_times_s,
                         std::span<const double> symbol_times_s, unsigned first, unsigned end,
                         double doppler_hz, double cfo_hz, double noise_ratio,
                         TimeWienerWeights& out) {
  const auto n = static_cast<unsigned>(occasion_times_s.size());
  out.occasions = n;
  const TimeWienerModel model{doppler_hz, cfo_hz, noise_ratio};
  for (unsigned l = first; l < end; ++l) {
    float re[max_dmrs_occasions] = {};
    float im[max_dmrs_occasions] = {};
    time_wiener_symbol_weights(occasion_times_s.data(), n, symbol_times_s[l], model, re, im);
    for (unsigned o = 0; o < n; ++o) {
      out.weights[l][o] = cf32(re[o], im[o]);
    }
  }
}

} // namespace airan::phy::detail
