// Test support for the host emulations of the GPU front end's kernels
// (dmrs_estimation_emulation_test, front_end_emulation_test, gpu_neural_input_emulation_test): a
// simulated PDU, the inputs GpuPuschFrontEnd gives the kernels (geometry, DMRS, MMSE filter
// banks), the DMRS estimation and CFO kernels and the post-equalization quality kernels run on the
// host in their block, tile and thread order, their sums added in the device's order. CUDA builds
// only (the structs hold CUDA vector types).
#pragma once

#if defined(AIRAN_HAVE_CUDA)
#include "airan/apps/link_simulation.h"
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/snr_definition.h"

#include "cfo_elements.h"
#include "dmrs_despread_elements.h"
#include "dmrs_interpolation_elements.h"
#include "dmrs_noise_elements.h"
#include "front_end_kernels.h"
#include "quality_elements.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
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
  double cfo_hz = 0.0; ///< Carrier frequency offset of the channel (a TDL model only).
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
  std::vector<double> partials; ///< Each block's noise sums, as the blocks write them.
  NoiseTerms noise_sums;        ///< The sums of the partials noise_measurements() is given.
  /// Each occasion pair's CFO correlation (re, im) as the CFO kernel's thread 0 has it.
  std::array<double, max_dmrs_occasions - 1> cfo_re{};
  std::array<double, max_dmrs_occasions - 1> cfo_im{};
};

/// cfo_kernel (cfo_kernels.cu) of one PDU on its de-spread \p pilots: per occasion pair each of
/// the block's cfo_threads threads' correlation, their sums in the shared-memory tree's order,
/// then record_cfo() into \p state. Writes the pairs' correlations to \p re and \p im.
inline void emulate_cfo(const PduGeometry& g, const float2* pilots, EstimatorState* state,
                        double* re, double* im) {
  std::vector<double> thread_re(cfo_threads);
  std::vector<double> thread_im(cfo_threads);
  for (unsigned pair = 0; pair < g.num_occasion_pairs; ++pair) {
    for (unsigned t = 0; t < cfo_threads; ++t) {
      cfo_thread_correlation(g, pilots, pair, t, cfo_threads, thread_re[t], thread_im[t]);
    }
    re[pair] = cfo_block_sum(thread_re.data());
    im[pair] = cfo_block_sum(thread_im.data());
  }
  record_cfo(g, re, im, state);
}

/// The quality kernels' results for one PDU: each block's partial and their total.
struct EmulatedQuality {
  std::vector<QualitySums> partials;
  QualitySums total;
};

/// quality_kernel and quality_total_kernel (quality_kernels.cu) of \p count equalized \p symbols
/// of Q_m \p qm and their \p noise variances: each of quality_blocks blocks' quality_threads
/// threads' sums, added in the block's tree order into its partial, then the partials as the
/// total's warp adds them.
inline EmulatedQuality emulate_quality(const float2* symbols, const float* noise, std::size_t count,
                                       unsigned qm) {
  const AxisGrid axis = axis_grid(qm);
  EmulatedQuality out;
  out.partials.resize(quality_blocks);
  std::vector<QualityTerms> thread_terms(quality_threads);
  for (unsigned b = 0; b < quality_blocks; ++b) {
    for (unsigned t = 0; t < quality_threads; ++t) {
      thread_terms[t] =
          quality_thread_terms(symbols, noise, count, axis, b, quality_blocks, t, quality_threads);
    }
    out.partials[b] = quality_block_sums(thread_terms.data());
  }
  out.total = quality_total_from_partials(out.partials.data());
  return out;
}

/// The estimation kernels of one PDU, with \p blocks blocks for the de-spreading and noise, then
/// the CFO kernel on the pilots they wrote.
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
  // despread_noise_kernel: block b de-spreads its range tile by tile, the tile's window with the
  // halo around it filled by threads t, t + 256, ... (an entry read before it is filled is NaN
  // here and spoils the sums), then each thread adds its pilot's noise terms; the threads' sums
  // and then the blocks' partials are added in the device's order (dmrs_noise_elements.h).
  const double phase = delay_phase(g, delay_sums.data());
  const double omega = delay_ramp_step(g, phase);
  record_delay(g, phase, &out.state);
  const std::size_t total = num_despread_pilots(g);
  out.pilots.assign(total, float2{std::numeric_limits<float>::quiet_NaN(), 0.0F});
  out.h.assign(std::size_t{g.num_rx} * g.num_layers * max_symbols * g.num_subcarriers,
               float2{0.0F, 0.0F});
  DmrsEstimationPdu p;
  p.g = g;
  p.grid = grid;
  p.dmrs = dmrs;
  p.pilots = out.pilots.data();
  p.banks = banks;
  p.state = &out.state;
  p.h = out.h.data();
  const DifferenceFilter filter = difference_filter(g.num_pilots);
  std::vector<unsigned> writes(total); // of each pilot to p.pilots
  out.partials.assign(4 * std::size_t{blocks}, std::numeric_limits<double>::quiet_NaN());
  for (unsigned b = 0; b < blocks; ++b) {
    const PilotRange range = despread_range(total, blocks, b);
    std::vector<NoiseTerms> thread_terms(despread_threads);
    for (std::size_t tile = range.begin; tile < range.end; tile += despread_threads) {
      const unsigned length = noise_tile_length(tile, range.end);
      float2 window[noise_window_capacity];
      std::fill(std::begin(window), std::end(window),
                float2{std::numeric_limits<float>::quiet_NaN(), 0.0F});
      for (unsigned t = 0; t < despread_threads; ++t) {
        for (unsigned j = t; j < noise_window_length(length, filter); j += despread_threads) {
          if (fill_noise_window_entry(p, omega, total, tile, length, j, window)) {
            ++writes[tile + j - 1];
          }
        }
      }
      for (unsigned t = 0; t < despread_threads; ++t) {
        add_tile_noise_terms(thread_terms[t], filter, window, tile, length, t, g.num_pilots);
      }
    }
    write_noise_partials(out.partials.data(), b,
                         block_noise_sums(thread_terms.data(), despread_threads));
  }
  const auto not_once = static_cast<std::size_t>(
      std::find_if(writes.begin(), writes.end(), [](unsigned n) { return n != 1; }) -
      writes.begin());
  EXPECT_EQ(not_once, total) << "pilot " << not_once << " not written exactly once";
  out.noise_sums = noise_terms_from_partials(out.partials.data(), blocks);
  noise_measurements(g, out.noise_sums, &out.state);
  // interpolate_kernel: a thread per (rx, layer, subcarrier).
  for (std::size_t index = 0; index < std::size_t{g.num_rx} * g.num_layers * g.num_subcarriers;
       ++index) {
    interpolate_subcarrier(p, index);
  }
  // cfo_kernel, on the pilots the estimation wrote.
  emulate_cfo(g, out.pilots.data(), &out.state, out.cfo_re.data(), out.cfo_im.data());
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
    scenario.channel.cfo_hz = c.cfo_hz;
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
