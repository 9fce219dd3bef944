// The DMRS estimator's interpolation kernel runs on the host: interpolate_subcarrier() (what each
// thread of dmrs_interpolation_kernels.cu does) over every (antenna, layer, subcarrier) of PDUs
// of several DMRS shapes, against the CPU estimator's own steps: its linear frequency
// interpolation (phy::detail::interpolate_linear) or the MMSE taps summed in double, then its time
// interpolation (phy::detail::interpolate_time) of the same occasion rows (linear, average, or
// with the same random Wiener weights). So the kernel's indexing (pilot rows, filter bank,
// occasion rows, held and interpolated symbols, averaging, weights) is
// checked in CI without a GPU (CUDA builds: the structs hold CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "../../phy/src/dmrs_estimation_steps.h"
#include "../../phy/src/frequency_interpolator.h"
#include "airan/phy/channel_estimate.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_re_mapper.h"

#include "dmrs_interpolation_elements.h"
#include "front_end_kernels.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::gpu::detail;
using airan::gpu::detail::dmrs_estimation::interpolate_subcarrier;

struct InterpolationCase {
  std::string name;
  DmrsConfigType type = DmrsConfigType::type1;
  unsigned length = 1;              ///< DMRS symbols per occasion.
  unsigned additional_position = 1; ///< 1 + this many occasions (fewer for short PDUs).
  unsigned layers = 2;
  FrequencyInterpolation frequency = FrequencyInterpolation::mmse;
  TimeInterpolation time = TimeInterpolation::linear;
  bool compensate_delay = true;
  unsigned start_symbol = 0; ///< Mapping type B when not 0.
  unsigned num_symbols = 14;
};

std::vector<InterpolationCase> interpolation_cases() {
  using F = FrequencyInterpolation;
  using T = TimeInterpolation;
  return {
      {"Type1Pos1MmseLinear", DmrsConfigType::type1, 1, 1, 2, F::mmse, T::linear, true},
      {"Type1Pos3LinearLinear", DmrsConfigType::type1, 1, 3, 1, F::linear, T::linear, false},
      {"Type1Pos2LinearRampLinear", DmrsConfigType::type1, 1, 2, 4, F::linear, T::linear, true},
      {"Type1DoublePos1MmseLinear", DmrsConfigType::type1, 2, 1, 2, F::mmse, T::linear, true},
      {"Type2DoublePos1MmseAverage", DmrsConfigType::type2, 2, 1, 2, F::mmse, T::average, true},
      {"Type1Pos0LinearHeld", DmrsConfigType::type1, 1, 0, 2, F::linear, T::linear, true},
      {"Type2Pos3MmseLinear4Layers", DmrsConfigType::type2, 1, 3, 4, F::mmse, T::linear, true},
      {"TypeBSymbols3To10MmseLinear", DmrsConfigType::type1, 1, 1, 2, F::mmse, T::linear, true, 3,
       8},
      {"TypeBSymbols3To10LinearAverage", DmrsConfigType::type1, 1, 1, 1, F::linear, T::average,
       false, 3, 8},
      {"Type1Pos3MmseWiener", DmrsConfigType::type1, 1, 3, 2, F::mmse, T::wiener, true},
      {"Type2DoublePos1LinearWiener", DmrsConfigType::type2, 2, 1, 1, F::linear, T::wiener, true},
      {"TypeBSymbols3To10MmseWiener", DmrsConfigType::type1, 1, 1, 2, F::mmse, T::wiener, false, 3,
       8},
  };
}

cf32 as_complex(float2 v) {
  return {v.x, v.y};
}

/// Largest |h| over a row, at least a tiny floor (tolerances relative to the row's scale).
float row_scale(const cf32* row, unsigned n) {
  float scale = 1e-30F;
  for (unsigned k = 0; k < n; ++k) {
    scale = std::max(scale, std::abs(row[k]));
  }
  return scale;
}

TEST(DmrsInterpolationEmulation, KernelThreadsReproduceTheCpuEstimatorSteps) {
  constexpr unsigned rx = 2;
  CellConfig cell;
  cell.num_prbs = 51;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  for (const InterpolationCase& c : interpolation_cases()) {
    SCOPED_TRACE(c.name);
    PuschConfig pusch;
    pusch.bwp_size = 51;
    pusch.prb_size = 48;
    pusch.prb_start = 2;
    pusch.num_layers = c.layers;
    pusch.dmrs_ports = static_cast<std::uint16_t>((1U << c.layers) - 1);
    pusch.dmrs_config_type = c.type;
    pusch.dmrs_length = c.length;
    pusch.dmrs_additional_position = c.additional_position;
    pusch.num_dmrs_cdm_groups_no_data = c.type == DmrsConfigType::type1 ? 2 : 3;
    if (c.start_symbol != 0) {
      pusch.mapping_type = PuschMappingType::type_b;
      pusch.start_symbol = c.start_symbol;
      pusch.num_symbols = c.num_symbols;
    }
    PuschFrontEndOptions options;
    options.estimator.frequency_interpolation = c.frequency;
    options.estimator.time_interpolation = c.time;
    options.estimator.compensate_delay = c.compensate_delay;
    DmrsGeneration generation;
    const PduGeometry g = make_pdu_geometry(cell, rx, 14, pusch, 0, options, generation);
    ASSERT_GT(g.num_occasions, 0U);
    ASSERT_LE(g.num_occasions, dmrs_estimation::max_occasions);
    const unsigned width = g.num_subcarriers;
    const unsigned rows = rx * g.num_layers;

    // Random pilots, filter banks (bank 1 of 2 selected) and delay ramp step.
    std::vector<float2> pilots(std::size_t{rows} * g.num_occasions * g.num_pilots);
    for (float2& p : pilots) {
      p = float2{normal(rng), normal(rng)};
    }
    std::vector<float2> banks(std::size_t{2} * g.bank_positions * g.mmse_window);
    for (float2& t : banks) {
      t = float2{0.2F * normal(rng), 0.2F * normal(rng)};
    }
    // Random Wiener weights [symbol][occasion], the same for the CPU's time step.
    std::vector<float2> weights(std::size_t{max_symbols} * max_dmrs_occasions);
    detail::TimeWienerWeights cpu_weights;
    cpu_weights.occasions = g.num_occasions;
    for (unsigned l = 0; l < max_symbols; ++l) {
      for (unsigned o = 0; o < max_dmrs_occasions; ++o) {
        const float2 w{0.5F * normal(rng), 0.5F * normal(rng)};
        weights[std::size_t{l} * max_dmrs_occasions + o] = w;
        cpu_weights.weights[l][o] = as_complex(w);
      }
    }
    EstimatorState state;
    state.omega = c.compensate_delay ? 0.0123 : 0.0;
    state.bank = 1;
    std::vector<float2> h(std::size_t{rows} * max_symbols * width,
                          float2{std::numeric_limits<float>::quiet_NaN(), 0.0F});
    DmrsEstimationPdu p;
    p.g = g;
    p.pilots = pilots.data();
    p.banks = banks.data();
    p.state = &state;
    p.h = h.data();
    p.time_weights = weights.data();
    for (std::size_t index = 0; index < std::size_t{rows} * width; ++index) {
      interpolate_subcarrier(p, index);
    }
    const auto emulated = [&](unsigned rx_layer, unsigned l) {
      return reinterpret_cast<const cf32*>(h.data()) +
             (std::size_t{rx_layer} * max_symbols + l) * width;
    };

    const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
    ChannelEstimate estimate(rx, 4, cell.num_prbs);
    estimate.reshape(rx, g.num_layers, pusch.prb_size);
    std::vector<cf32> ramp(width);
    for (unsigned k = 0; k < width; ++k) {
      ramp[k] = cf32(std::polar(1.0, state.omega * k));
    }
    std::vector<cf32> expected(width);
    std::vector<cf32> scratch_row(std::size_t{max_dmrs_occasions} * width); // Wiener: a row each
    for (unsigned r = 0; r < rx; ++r) {
      for (unsigned layer = 0; layer < g.num_layers; ++layer) {
        const unsigned rx_layer = r * g.num_layers + layer;
        // Frequency: each occasion's row against the CPU's linear interpolation, or the MMSE
        // taps of the selected bank summed in double.
        for (unsigned o = 0; o < g.num_occasions; ++o) {
          const auto* row_pilots = reinterpret_cast<const cf32*>(pilots.data()) +
                                   (std::size_t{rx_layer} * g.num_occasions + o) * g.num_pilots;
          if (c.frequency == FrequencyInterpolation::linear) {
            const detail::PilotComb comb{0.5F * static_cast<float>(g.twice_first[layer]),
                                         g.comb_period, g.num_pilots};
            detail::interpolate_linear(row_pilots, comb, expected.data(), width,
                                       c.compensate_delay ? ramp.data() : nullptr);
          } else {
            for (unsigned k = 0; k < width; ++k) {
              const MmsePlacement placement = mmse_placement(
                  2 * static_cast<int>(k) - g.twice_first[layer], static_cast<int>(g.comb_period),
                  static_cast<int>(g.mmse_window), static_cast<int>(g.num_pilots));
              const auto* taps =
                  reinterpret_cast<const cf32*>(banks.data()) +
                  (std::size_t{1} * g.bank_positions + placement.position) * g.mmse_window;
              std::complex<double> sum = 0.0;
              for (unsigned t = 0; t < g.mmse_window; ++t) {
                sum += std::complex<double>(taps[t]) *
                       std::complex<double>(row_pilots[placement.start + t]);
              }
              expected[k] = cf32(sum * std::conj(std::polar(1.0, state.omega * k)));
            }
          }
          const unsigned symbol = g.dmrs_symbols[std::size_t{o} * g.symbols_per_occasion];
          const cf32* got = emulated(rx_layer, symbol);
          const float tolerance = 1e-5F * row_scale(expected.data(), width);
          if (c.time == TimeInterpolation::linear) { // averaging and Wiener replace the row
            for (unsigned k = 0; k < width; ++k) {
              ASSERT_LE(std::abs(got[k] - expected[k]), tolerance)
                  << "rx " << r << " layer " << layer << " occasion " << o << " k " << k;
            }
          }
          // The time step's reference starts from the frequency values as computed by the
          // thread (the same for averaging, whose rows are overwritten).
          auto row = estimate.channel(r, layer, symbol);
          for (unsigned k = 0; k < width; ++k) {
            const float2 v = dmrs_estimation::frequency_value(
                g, pilots.data() + (std::size_t{rx_layer} * g.num_occasions + o) * g.num_pilots,
                banks.data(), 1, layer, k);
            const cf32 conj_ramp = std::conj(as_complex(dmrs_estimation::ramp(state.omega, k)));
            row[k] = c.compensate_delay ? as_complex(v) * conj_ramp : as_complex(v);
          }
        }
        detail::interpolate_time(estimate, mapping, c.time,
                                 std::span(g.dmrs_symbols, g.num_dmrs_symbols), g.num_occasions, r,
                                 layer, scratch_row.data(), &cpu_weights);
        // Time: every symbol of the PDU as the CPU fills it; the slot's other symbols untouched.
        for (unsigned l = 0; l < max_symbols; ++l) {
          const cf32* got = emulated(rx_layer, l);
          if (l < g.start_symbol || l >= g.end_symbol) {
            for (unsigned k = 0; k < width; ++k) {
              ASSERT_TRUE(std::isnan(got[k].real())) << "symbol " << l << " outside the PDU";
            }
            continue;
          }
          const auto want = estimate.channel(r, layer, l);
          const float tolerance = 2e-6F * row_scale(want.data(), width);
          for (unsigned k = 0; k < width; ++k) {
            ASSERT_LE(std::abs(got[k] - want[k]), tolerance)
                << "rx " << r << " layer " << layer << " symbol " << l << " k " << k;
          }
        }
      }
    }
  }
}

} // namespace
#else
TEST(DmrsInterpolationEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
