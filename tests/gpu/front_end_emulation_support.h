// Test support for the host emulations of the GPU front end's kernels
// (dmrs_estimation_emulation_test, front_end_emulation_test, gpu_neural_input_emulation_test): a
// simulated PDU, the inputs
// GpuPuschFrontEnd gives the kernels (geometry, DMRS, MMSE filter banks), and the DMRS estimation
// kernels run on the host in their block and tile order. CUDA builds only (the structs hold CUDA
// vector types).
#pragma once

#if defined(AIRAN_HAVE_CUDA)
#include "airan/apps/link_simulation.h"
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/snr_definition.h"

#include "dmrs_despread_elements.h"
#include "dmrs_interpolation_elements.h"
#include "front_end_kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace emulation_test {

using namespace airan::phy;
using namespace airan::gpu::detail;
using namespace airan::gpu::detail::dmrs_estimation;
namespace apps = airan::apps;

struct EmulationCase {
  std::string name;
  unsigned prbs = 51;
  unsigned rx = 4;
  unsigned layers = 2;
  DmrsConfigType type = DmrsConfigType::type1;
  unsigned length = 1;
  unsigned additional_position = 1;
  std::string channel = "TDL-A30";
  apps::ChannelDomain domain = apps::ChannelDomain::time;
  float snr_db = 25.0F;
  FrequencyInterpolation frequency = FrequencyInterpolation::mmse;
  TimeInterpolation time = TimeInterpolation::linear;
  bool compensate_delay = true;
  unsigned mcs = 10;                                       ///< Table 1 (64-QAM) unless qam256.
  bool qam256 = false;                                     ///< MCS table 2.
  EqualizerAlgorithm equalizer = EqualizerAlgorithm::mmse; ///< MMSE or ZF (not IRC).
};

/// The device's filter-bank table ([prior row][SNR bin][position][tap]) as MmseBankTable
/// computes it for \p g.
inline std::vector<cf32> filter_banks(const PduGeometry& g,
                                      const DmrsChannelEstimatorOptions& options) {
  const unsigned rows = options.delay_spread_s > 0.0F ? 1 : num_prior_spreads;
  const std::size_t size =
      std::size_t{mmse_bank_positions(g.comb_period, g.mmse_window)} * g.mmse_window;
  std::vector<cf32> taps(size * rows * mmse_num_snr_bins);
  for (unsigned row = 0; row < rows; ++row) {
    MmseFilterKey key;
    key.spacing = g.comb_period;
    key.window = g.mmse_window;
    key.profile = options.delay_profile;
    key.subcarrier_spacing_hz = g.scs_hz;
    key.delay_spread_s =
        rows == 1 ? options.delay_spread_s
                  : prior_spread_from_exponent(min_prior_spread_exponent + static_cast<int>(row));
    for (int bin = 0; bin < mmse_num_snr_bins; ++bin) {
      key.snr_bin = bin;
      const std::size_t bank = std::size_t{row} * mmse_num_snr_bins + bin;
      compute_mmse_filter_bank(key, std::span<cf32>(taps.data() + bank * size, size));
    }
  }
  return taps;
}

struct Emulated {
  std::vector<float2> pilots;
  EstimatorState state;
  std::vector<float2> h;
};

/// The estimation kernels of one PDU, with \p blocks blocks for the de-spreading and noise.
inline Emulated emulate(const PduGeometry& g, const float2* grid, const float2* dmrs,
                        const float2* banks, unsigned blocks) {
  Emulated out;
  // delay_correlation_kernel: a block per (rx, layer, DMRS symbol).
  const unsigned items = g.num_rx * g.num_layers * g.num_dmrs_symbols;
  std::vector<float> delay_sums(2 * std::size_t{items});
  for (unsigned item = 0; item < items; ++item) {
    for (unsigned pair = 0; pair < 2 * (g.num_values / 2 - 1); ++pair) {
      const float2 term = delay_pair_term(g, grid, dmrs, item, pair);
      delay_sums[2 * std::size_t{item}] += term.x;
      delay_sums[2 * std::size_t{item} + 1] += term.y;
    }
  }
  // despread_noise_kernel: block b de-spreads its range tile by tile with the halo around it.
  const double phase = delay_phase(g, delay_sums.data());
  const double omega = delay_ramp_step(g, phase);
  record_delay(g, phase, &out.state);
  const std::size_t total = num_despread_pilots(g);
  out.pilots.assign(total, float2{std::numeric_limits<float>::quiet_NaN(), 0.0F});
  const DifferenceFilter filter = difference_filter(g.num_pilots);
  NoiseTerms sums;
  for (unsigned b = 0; b < blocks; ++b) {
    const PilotRange range = despread_range(total, blocks, b);
    NoiseTerms terms;
    for (std::size_t tile = range.begin; tile < range.end; tile += despread_threads) {
      const auto length =
          static_cast<unsigned>(std::min<std::size_t>(despread_threads, range.end - tile));
      float2 window[despread_threads + 1 + max_difference_order];
      std::fill(std::begin(window), std::end(window),
                float2{std::numeric_limits<float>::quiet_NaN(), 0.0F});
      for (unsigned j = 0; j < length + 1 + filter.order; ++j) {
        const std::size_t i = tile + j - 1;
        if (i < total) {
          window[j] = despread_pilot(g, grid, dmrs, omega, i);
          if (j >= 1 && j <= length) {
            EXPECT_TRUE(std::isnan(out.pilots[i].x)) << "pilot " << i << " written twice";
            out.pilots[i] = window[j];
          }
        }
      }
      for (unsigned t = 0; t < length; ++t) {
        add_noise_terms(terms, filter, window + 1 + t,
                        static_cast<unsigned>((tile + t) % g.num_pilots), g.num_pilots);
      }
    }
    sums.power += terms.power;
    sums.lag_re += terms.lag_re;
    sums.lag_im += terms.lag_im;
    sums.residual += terms.residual;
  }
  noise_measurements(g, sums, &out.state);
  // interpolate_kernel: a thread per (rx, layer, subcarrier).
  out.h.assign(std::size_t{g.num_rx} * g.num_layers * max_symbols * g.num_subcarriers,
               float2{0.0F, 0.0F});
  DmrsEstimationPdu p;
  p.g = g;
  p.pilots = out.pilots.data();
  p.banks = banks;
  p.state = &out.state;
  p.h = out.h.data();
  for (std::size_t index = 0; index < std::size_t{g.num_rx} * g.num_layers * g.num_subcarriers;
       ++index) {
    interpolate_subcarrier(p, index);
  }
  return out;
}

/// The DMRS of \p pusch as launch_dmrs_generation() writes them for \p g: [layer][DMRS symbol of
/// g][value].
inline std::vector<float2> device_dmrs(const CellConfig& cell, const PuschConfig& pusch,
                                       unsigned slot, const PduGeometry& g) {
  const PuschDmrsParams params = make_pusch_dmrs_params(cell, pusch, slot);
  std::vector<float2> dmrs(std::size_t{4} * max_symbols * g.num_values);
  std::vector<cf32> values(g.num_values);
  for (unsigned layer = 0; layer < pusch.num_layers; ++layer) {
    for (unsigned s = 0; s < g.num_dmrs_symbols; ++s) {
      generate_pusch_dmrs(params, pusch.dmrs_port_of_layer(layer), g.dmrs_symbols[s], values);
      for (unsigned v = 0; v < g.num_values; ++v) {
        dmrs[(std::size_t{layer} * max_symbols + s) * g.num_values + v] =
            float2{values[v].real(), values[v].imag()};
      }
    }
  }
  return dmrs;
}

/// A simulated slot of one PDU of case \p c and the kernels' inputs for it.
struct EmulatedPdu {
  apps::LinkScenario scenario;
  PuschConfig pusch;
  std::unique_ptr<apps::SlotSimulator> simulator;
  unsigned slot = 0;
  PuschFrontEndOptions options;
  PduGeometry g;
  std::vector<float2> dmrs; ///< [layer][DMRS symbol of g][value], as the device holds them.
  std::vector<cf32> banks;  ///< The MMSE filter-bank table.

  explicit EmulatedPdu(const EmulationCase& c) {
    scenario.cell.num_prbs = c.prbs;
    scenario.cell.num_antenna_ports = c.layers;
    scenario.num_rx_antennas = c.rx;
    scenario.channel.model = c.channel;
    scenario.channel.domain = c.domain;
    scenario.channel.max_doppler_hz = c.channel == "awgn" ? 0.0 : 50.0;
    pusch.bwp_size = c.prbs;
    pusch.prb_size = c.prbs;
    pusch.num_layers = c.layers;
    pusch.dmrs_ports = static_cast<std::uint16_t>((1U << c.layers) - 1);
    pusch.dmrs_config_type = c.type;
    pusch.dmrs_length = c.length;
    pusch.dmrs_additional_position = c.additional_position;
    pusch.num_dmrs_cdm_groups_no_data = 2;
    pusch.mcs_index = c.mcs;
    pusch.mcs_table = c.qam256 ? McsTable::qam256 : McsTable::qam64;
    pusch.rnti = 0x4601;
    EXPECT_EQ(apps::validate_link(scenario, std::span(&pusch, 1)), "");
    simulator = std::make_unique<apps::SlotSimulator>(scenario);
    simulator->simulate(std::span(&pusch, 1), 3, 11, 12, noise_variance_from_snr_db(c.snr_db));
    slot = simulator->slot_number();
    options.estimator.frequency_interpolation = c.frequency;
    options.estimator.time_interpolation = c.time;
    options.estimator.compensate_delay = c.compensate_delay;
    options.equalizer = c.equalizer;
    DmrsGeneration generation;
    g = make_pdu_geometry(scenario.cell, c.rx, grid().num_symbols(), pusch, slot, options,
                          generation);
    dmrs = device_dmrs(scenario.cell, pusch, slot, g);
    banks = filter_banks(g, options.estimator);
  }
  [[nodiscard]] const ResourceGrid& grid() const { return simulator->received_grid(); }
  /// The grid as the kernels read it.
  [[nodiscard]] const float2* device_grid() const {
    return reinterpret_cast<const float2*>(grid().elements().data());
  }
  [[nodiscard]] const float2* device_banks() const {
    return reinterpret_cast<const float2*>(banks.data());
  }
};

} // namespace emulation_test
#endif
