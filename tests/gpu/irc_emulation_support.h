// Test support for irc_covariance_emulation_test: a simulated PDU with a rank-one coloured
// interferer and the inputs GpuPuschFrontEnd gives the kernels for MMSE-IRC, the covariance kernel
// (irc_covariance_kernels.cu) run on the host block by block and thread by thread with its
// per-thread functions (irc_covariance_elements.h), and the residual sums in the CPU estimator's
// order in double. CUDA builds only (the structs hold CUDA vector types).
#pragma once

#if defined(AIRAN_HAVE_CUDA)
#include "airan/apps/link_simulation.h"
#include "airan/phy/irc_whitening.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/snr_definition.h"

#include "front_end_emulation_support.h"
#include "irc_covariance_elements.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace irc_emulation_test {

using namespace emulation_test;
namespace irc = airan::gpu::detail::irc_covariance;

inline constexpr float quiet_nan = std::numeric_limits<float>::quiet_NaN();

struct IrcCase {
  std::string name;
  unsigned prbs = 24;
  unsigned rx = 4;
  unsigned layers = 2;
  DmrsConfigType type = DmrsConfigType::type1;
  unsigned length = 1;
  unsigned additional_position = 1;
  unsigned group_prbs = 4; ///< 0: one group for the allocation.
  unsigned mcs = 10;
  float snr_db = 25.0F;
  float interference = 0.5F; ///< Interferer power per RE (signal about 1 per antenna).
  /// False where a group's covariance has a condition number of 1e5 or more (16 antennas of 16
  /// to 24 residual vectors): the equalized values are not compared, the LLR signs are.
  bool well_conditioned = true;
};

/// A simulated slot of case \p c with a rank-one interferer (one spatial signature, a new complex
/// Gaussian value on every RE) added to the received grid, and the kernels' inputs for it.
struct IrcPdu {
  apps::LinkScenario scenario;
  PuschConfig pusch;
  std::unique_ptr<apps::SlotSimulator> simulator;
  ResourceGrid grid;
  unsigned slot = 0;
  PuschFrontEndOptions options;
  PduGeometry g;
  std::vector<float2> dmrs;
  std::vector<cf32> banks;

  explicit IrcPdu(const IrcCase& c) {
    scenario.cell.num_prbs = c.prbs;
    scenario.cell.num_antenna_ports = c.layers;
    scenario.num_rx_antennas = c.rx;
    scenario.channel.model = "TDL-A30";
    scenario.channel.domain = apps::ChannelDomain::frequency;
    scenario.channel.max_doppler_hz = 10.0;
    pusch.bwp_size = c.prbs;
    pusch.prb_size = c.prbs;
    pusch.num_layers = c.layers;
    pusch.dmrs_ports = static_cast<std::uint16_t>((1U << c.layers) - 1);
    pusch.dmrs_config_type = c.type;
    pusch.dmrs_length = c.length;
    pusch.dmrs_additional_position = c.additional_position;
    pusch.num_dmrs_cdm_groups_no_data = 2;
    pusch.mcs_index = c.mcs;
    pusch.mcs_table = McsTable::qam64;
    pusch.rnti = 0x4601;
    EXPECT_EQ(apps::validate_link(scenario, std::span(&pusch, 1)), "");
    simulator = std::make_unique<apps::SlotSimulator>(scenario);
    simulator->simulate(std::span(&pusch, 1), 3, 21, 22, noise_variance_from_snr_db(c.snr_db));
    slot = simulator->slot_number();
    grid = simulator->received_grid();
    std::mt19937 rng(31 + c.rx);
    std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
    std::vector<cf32> signature(c.rx);
    for (cf32& s : signature) {
      s = {normal(rng), normal(rng)};
    }
    const float amplitude = std::sqrt(c.interference);
    for (unsigned l = 0; l < grid.num_symbols(); ++l) {
      for (unsigned k = 0; k < grid.num_subcarriers(); ++k) {
        const cf32 interferer = amplitude * cf32(normal(rng), normal(rng));
        for (unsigned r = 0; r < c.rx; ++r) {
          grid.at(r, l, k) += signature[r] * interferer;
        }
      }
    }
    options.equalizer = EqualizerAlgorithm::mmse_irc;
    options.estimator.covariance_group_prbs = c.group_prbs;
    DmrsGeneration generation;
    g = make_pdu_geometry(scenario.cell, c.rx, grid.num_symbols(), pusch, slot, options,
                          generation);
    dmrs = device_dmrs(scenario.cell, pusch, slot, g);
    banks = filter_banks(g, options.estimator);
  }
  [[nodiscard]] const float2* device_grid() const {
    return reinterpret_cast<const float2*>(grid.elements().data());
  }
  [[nodiscard]] const float2* device_banks() const {
    return reinterpret_cast<const float2*>(banks.data());
  }
};

/// What the covariance kernel writes for one PDU, and each group's sums before thread 0's step.
struct EmulatedIrc {
  std::vector<float> sums;        ///< [group][rx][rx] interleaved, upper triangle (NaN below).
  std::vector<float> covariances; ///< [group][rx][rx] interleaved.
  std::vector<cmat::Complex> whitening; ///< [group][rx][rx].
};

/// The covariance kernel's blocks (one per group) and threads on the de-spread \p pilots: per
/// chunk every thread's residual staged (the stage NaN-filled first, so that reading an entry
/// the chunk did not write spoils the sums), then every thread's terms; the slices' partials
/// summed by threads 0 .. rx^2 - 1, then thread 0's finishing step.
inline EmulatedIrc emulate_irc_covariance(const PduGeometry& g, const float2* pilots,
                                          const EstimatorState& state) {
  const unsigned elements = g.num_rx * g.num_rx;
  EmulatedIrc out;
  out.sums.assign(2 * std::size_t{elements} * g.num_covariance_groups, quiet_nan);
  out.covariances.assign(out.sums.size(), quiet_nan);
  out.whitening.assign(std::size_t{elements} * g.num_covariance_groups,
                       cmat::Complex{quiet_nan, quiet_nan});
  const DifferenceFilter filter = difference_filter(g.num_pilots);
  std::vector<cmat::Complex> factor(irc_factor_scratch_size);
  for (unsigned group = 0; group < g.num_covariance_groups; ++group) {
    const irc::GroupSampling s = irc::group_sampling(g, filter, group);
    std::vector<irc::ThreadElement> threads(irc::block_size);
    for (unsigned t = 0; t < irc::block_size; ++t) {
      threads[t] = irc::thread_element(s, g.num_rx, t);
    }
    std::vector<cmat::Complex> sum(irc::block_size, cmat::Complex{0.0F, 0.0F});
    std::vector<cmat::Complex> residuals(irc::block_size);
    for (unsigned first = 0; first < s.samples; first += s.chunk) {
      std::fill(residuals.begin(), residuals.end(), cmat::Complex{quiet_nan, quiet_nan});
      for (unsigned t = 0; t < irc::block_size; ++t) {
        cmat::Complex residual;
        if (irc::chunk_residual(g, filter, s, pilots, first, t, residual)) {
          residuals[t] = residual;
        }
      }
      for (unsigned t = 0; t < irc::block_size; ++t) {
        if (threads[t].accumulates) {
          irc::add_chunk_terms(s, g.num_rx, threads[t], residuals.data(), first, sum[t]);
        }
      }
    }
    const std::vector<cmat::Complex>& partial = sum; // partial[threadIdx.x] = sum
    std::vector<float> sums(2 * irc::max_rx * irc::max_rx, quiet_nan);
    for (unsigned t = 0; t < elements; ++t) {
      if (threads[t].b >= threads[t].a) {
        irc::sum_slices(partial.data(), elements, s.slices, threads[t].element, sums.data());
      }
    }
    std::copy_n(sums.begin(), 2 * elements, out.sums.begin() + 2 * std::size_t{elements} * group);
    irc::finish_group(g, filter, s, &state, group, sums.data(), out.covariances.data(),
                      out.whitening.data(), factor.data());
  }
  return out;
}

/// The residual sums of covariance group \p group in the CPU estimator's order (layer, occasion,
/// residual; accumulate_residual_covariance()'s terms), in double, from the same de-spread
/// \p pilots: [rx][rx] upper triangle.
inline std::vector<std::complex<double>> sequential_sums(const PduGeometry& g, const float2* pilots,
                                                         unsigned group) {
  const DifferenceFilter filter = difference_filter(g.num_pilots);
  const ResidualRange range = covariance_group_residuals(group, g.covariance_group_subcarriers,
                                                         g.comb_period, g.num_pilots, filter.order);
  std::vector<std::complex<double>> sums(std::size_t{g.num_rx} * g.num_rx);
  std::vector<cmat::Complex> d(g.num_rx);
  for (unsigned row = 0; row < g.num_layers * g.num_occasions; ++row) {
    for (unsigned n = range.first; n < range.end; ++n) {
      for (unsigned rx = 0; rx < g.num_rx; ++rx) {
        const std::size_t offset =
            (std::size_t{rx} * g.num_layers * g.num_occasions + row) * g.num_pilots + n;
        d[rx] = difference_residual(filter, reinterpret_cast<const float*>(pilots + offset));
      }
      for (unsigned a = 0; a < g.num_rx; ++a) {
        for (unsigned b = a; b < g.num_rx; ++b) {
          const cmat::Complex term = residual_outer_element(d[a], d[b]);
          sums[a * g.num_rx + b] += std::complex<double>(term.re, term.im);
        }
      }
    }
  }
  return sums;
}

} // namespace irc_emulation_test
#endif
