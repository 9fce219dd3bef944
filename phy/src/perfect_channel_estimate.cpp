#include "airan/phy/perfect_channel_estimate.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/pusch_precoder.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {

void fill_perfect_channel_estimate(ChannelEstimate& estimate, const ChannelResponse& true_channel,
                                   const CellConfig& cell, const PuschConfig& pusch,
                                   float noise_variance) {
  const unsigned num_rx = true_channel.num_rx();
  const unsigned num_layers = pusch.num_layers;
  const bool codebook = pusch.precoding == PuschPrecoding::codebook;
  const PrecodingMatrix w = codebook ? pusch_codebook_matrix(num_layers, cell.num_antenna_ports,
                                                             pusch.tpmi, pusch.transform_precoding)
                                     : PrecodingMatrix::identity(num_layers);
  const unsigned symbols = symbols_per_slot(cell.cyclic_prefix);
  if (true_channel.num_tx() < w.num_ports() || true_channel.num_symbols() != symbols ||
      true_channel.num_subcarriers() != subcarriers_per_prb * cell.num_prbs) {
    throw std::invalid_argument(
        "perfect CSI: the true channel (" + std::to_string(true_channel.num_rx()) + " x " +
        std::to_string(true_channel.num_tx()) + " x " + std::to_string(true_channel.num_symbols()) +
        " x " + std::to_string(true_channel.num_subcarriers()) +
        ") does not fit the cell and PDU (" + std::to_string(w.num_ports()) + " ports, " +
        std::to_string(symbols) + " symbols, " +
        std::to_string(subcarriers_per_prb * cell.num_prbs) + " subcarriers)");
  }
  // Each hop of an intra-slot hopping PDU on its own PRBs.
  for (const unsigned first_crb :
       {pusch.first_crb_of_symbol(0), pusch.first_crb_of_symbol(max_symbols_per_slot)}) {
    if (first_crb < cell.grid_start_crb ||
        first_crb + pusch.prb_size > cell.grid_start_crb + cell.num_prbs) {
      throw std::invalid_argument("perfect CSI: the allocation is outside the carrier");
    }
  }
  estimate.reshape(num_rx, num_layers, pusch.prb_size);

  double power = 0.0;
  for (unsigned rx = 0; rx < num_rx; ++rx) {
    for (unsigned layer = 0; layer < num_layers; ++layer) {
      for (unsigned l = 0; l < symbols; ++l) {
        const std::span<cf32> out = estimate.channel(rx, layer, l);
        std::fill(out.begin(), out.end(), cf32{});
        for (unsigned port = 0; port < w.num_ports(); ++port) {
          const cf32 weight = w(port, layer);
          if (weight == cf32{}) {
            continue;
          }
          const unsigned first_subcarrier =
              subcarriers_per_prb * (pusch.first_crb_of_symbol(l) - cell.grid_start_crb);
          const auto h = true_channel.at(rx, port, l).subspan(first_subcarrier, out.size());
          for (std::size_t k = 0; k < out.size(); ++k) {
            out[k] += h[k] * weight;
          }
        }
        if (l >= pusch.start_symbol && l < pusch.start_symbol + pusch.num_symbols) {
          for (const cf32 value : out) {
            power += std::norm(value);
          }
        }
      }
    }
  }
  const double count = double(num_rx) * num_layers * pusch.num_symbols * estimate.num_subcarriers();
  const double mean_power = count > 0 ? power / count : 0.0;
  const float beta = dmrs_amplitude(pusch.num_dmrs_cdm_groups_no_data);

  DmrsMeasurements& m = estimate.measurements;
  m = {};
  m.noise_variance = noise_variance;
  m.rsrp = static_cast<float>(beta * beta * mean_power);
  m.sinr_db =
      noise_variance > 0.0F
          ? static_cast<float>(std::min(100.0, 10.0 * std::log10(mean_power / noise_variance)))
          : 100.0F;
  estimate.set_covariance_groups(0);
  const std::span<cf32> covariance = estimate.covariance(0);
  std::fill(covariance.begin(), covariance.end(), cf32{});
  for (unsigned r = 0; r < num_rx; ++r) {
    covariance[r * num_rx + r] = cf32(noise_variance, 0.0F);
  }
}

} // namespace airan::phy
