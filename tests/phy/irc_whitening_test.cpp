// MMSE-IRC math shared by the CPU receiver and the CUDA front end (irc_whitening.h): the
// residual-to-group mapping equals ChannelEstimate's; residuals, covariance sums, regularisation
// and whitening are bit for bit the code the CPU ran before it was shared (kept here as the
// reference); W R W^H = I; and MimoEqualizer and PuschFrontEnd (MMSE-IRC, generated slots with a
// coloured interferer) give exactly what the shared per-RE functions give, the way the CUDA
// equalization kernel applies them (group of each RE from its subcarrier).
#include "airan/apps/link_simulation.h"
#include "airan/phy/channel_estimate.h"
#include "airan/phy/irc_whitening.h"
#include "airan/phy/mimo_equalizer.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_transmitter.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <vector>

namespace airan::phy {
namespace {

using airan::test::complex_normal;

/// True when two complex values (two floats each, of any complex type) have the same bits.
template <class A, class B> bool same_value_bits(const A& a, const B& b) {
  static_assert(sizeof(A) == 2 * sizeof(float) && sizeof(B) == 2 * sizeof(float));
  std::array<std::uint32_t, 2> x{};
  std::array<std::uint32_t, 2> y{};
  std::memcpy(x.data(), &a, sizeof(A));
  std::memcpy(y.data(), &b, sizeof(B));
  return x == y;
}

cmat::Complex to_cmat(cf32 v) {
  return {v.real(), v.imag()};
}

bool identical_samples(std::span<const cf32> a, std::span<const cf32> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

// --- The CPU code before it moved to irc_whitening.h (dmrs_noise_estimation.cpp and
// mimo_equalizer_impl.cpp), the reference for "unchanged". ---------------------------------------

cf32 legacy_residual(const DifferenceFilter& filter, const cf32* h) {
  cf32 sum(0.0F, 0.0F);
  for (unsigned j = 0; j <= filter.order; ++j) {
    sum += filter.coefficients[j] * h[j];
  }
  return sum;
}

void legacy_accumulate(const cf32* d, unsigned num_rx, cf32* covariance) {
  for (unsigned a = 0; a < num_rx; ++a) {
    for (unsigned b = a; b < num_rx; ++b) {
      covariance[a * num_rx + b] += d[a] * std::conj(d[b]);
    }
  }
}

void legacy_regularise(cf32* covariance, unsigned num_rx, unsigned samples, float despread_gain,
                       float noise_variance, float signal_power) {
  constexpr unsigned stride = 16;
  std::array<cmat::Complex, std::size_t{stride} * stride> factor{};
  const float scale = samples == 0 ? 0.0F : despread_gain / static_cast<float>(samples);
  float trace = 0.0F;
  for (unsigned a = 0; a < num_rx; ++a) {
    for (unsigned b = a; b < num_rx; ++b) {
      cf32& value = covariance[a * num_rx + b];
      value = samples == 0 ? cf32(a == b ? noise_variance : 0.0F, 0.0F) : value * scale;
      if (a == b) {
        value = cf32(value.real(), 0.0F);
        trace += value.real();
      }
      covariance[b * num_rx + a] = std::conj(value);
    }
  }
  const float mean_power = trace / static_cast<float>(num_rx);
  const float floor = 1e-6F * mean_power + 1e-10F * signal_power + 1e-30F;
  float noise_floor = mean_power;
  if (samples >= num_rx) {
    for (unsigned a = 0; a < num_rx; ++a) {
      for (unsigned b = 0; b < num_rx; ++b) {
        const cf32 v = covariance[a * num_rx + b] + cf32(a == b ? floor : 0.0F, 0.0F);
        factor[a * stride + b] = {v.real(), v.imag()};
      }
    }
    if (cmat::cholesky(factor.data(), num_rx, stride, 0.0F)) {
      for (unsigned a = 0; a < num_rx; ++a) {
        noise_floor = std::min(noise_floor, factor[a * stride + a].re * factor[a * stride + a].re);
      }
    }
  }
  const float loading =
      samples == 0 ? 0.0F : static_cast<float>(num_rx) / static_cast<float>(samples) * noise_floor;
  for (unsigned a = 0; a < num_rx; ++a) {
    covariance[a * num_rx + a] += floor + loading;
  }
}

// Lower-triangular L^-1 (stride 16) of the covariance, or false.
bool legacy_whitening(const cf32* covariance, unsigned num_rx, cmat::Complex* whitening) {
  constexpr unsigned stride = 16;
  cmat::Complex factor[stride * stride];
  for (unsigned a = 0; a < num_rx; ++a) {
    for (unsigned b = 0; b < num_rx; ++b) {
      factor[a * stride + b] = to_cmat(covariance[a * num_rx + b]);
    }
  }
  if (!cmat::cholesky(factor, num_rx, stride, 0.0F)) {
    return false;
  }
  for (unsigned j = 0; j < num_rx; ++j) {
    cmat::Complex column[stride];
    for (unsigned i = 0; i < num_rx; ++i) {
      column[i] = {i == j ? 1.0F : 0.0F, 0.0F};
    }
    cmat::solve_lower(factor, num_rx, stride, column);
    for (unsigned i = 0; i < num_rx; ++i) {
      whitening[i * stride + j] = column[i];
    }
  }
  return true;
}

// Residual sums of \p samples random residual vectors (both shared and legacy code), or of none:
// white noise plus a rank-one interferer of power \p interference on the centre pilot.
struct GroupSums {
  std::vector<cf32> shared;
  std::vector<cf32> legacy;
};

GroupSums random_group_sums(unsigned num_rx, unsigned samples, std::mt19937& rng,
                            float interference = 3.0F) {
  std::vector<cf32> signature(num_rx);
  for (auto& s : signature) {
    s = complex_normal(rng, 1.0F);
  }
  const DifferenceFilter filter = difference_filter(5);
  GroupSums sums{std::vector<cf32>(std::size_t{num_rx} * num_rx),
                 std::vector<cf32>(std::size_t{num_rx} * num_rx)};
  std::vector<cf32> pilots(std::size_t{num_rx} * 5);
  for (unsigned s = 0; s < samples; ++s) {
    for (auto& p : pilots) {
      p = complex_normal(rng, 0.01F);
    }
    const cf32 interferer = complex_normal(rng, interference);
    std::array<cmat::Complex, max_irc_rx_antennas> d{};
    std::array<cf32, max_irc_rx_antennas> d_legacy{};
    for (unsigned r = 0; r < num_rx; ++r) {
      pilots[r * 5 + 2] += signature[r] * interferer;
      d[r] = difference_residual(
          filter, reinterpret_cast<const float*>(pilots.data() + std::size_t{r} * 5));
      d_legacy[r] = legacy_residual(filter, pilots.data() + std::size_t{r} * 5);
      EXPECT_TRUE(same_value_bits(d[r], d_legacy[r]));
    }
    accumulate_residual_covariance(d.data(), num_rx, reinterpret_cast<float*>(sums.shared.data()));
    legacy_accumulate(d_legacy.data(), num_rx, sums.legacy.data());
  }
  return sums;
}

// --- Tests ---------------------------------------------------------------------------------------

TEST(IrcWhitening, GroupResidualRangesMatchTheChannelEstimateGroups) {
  for (unsigned prbs : {1U, 2U, 3U, 7U, 24U, 51U, 106U, 273U}) {
    for (unsigned group_prbs : {0U, 1U, 2U, 3U, 4U, 5U, 17U}) {
      for (unsigned spacing : {4U, 6U}) {
        ChannelEstimate estimate(1, 1, prbs);
        estimate.reshape(1, 1, prbs);
        estimate.set_covariance_groups(group_prbs);
        const unsigned pilots = prbs * subcarriers_per_prb / spacing;
        const DifferenceFilter filter = difference_filter(pilots);
        const unsigned width = subcarriers_per_prb * estimate.covariance_group_prbs();
        std::vector<unsigned> group_of(pilots, ~0U);
        for (unsigned g = 0; g < estimate.num_covariance_groups(); ++g) {
          const ResidualRange range =
              covariance_group_residuals(g, width, spacing, pilots, filter.order);
          for (unsigned n = range.first; n < range.end; ++n) {
            group_of[n] = g;
          }
        }
        for (unsigned n = 0; n + filter.order < pilots; ++n) {
          EXPECT_EQ(group_of[n], estimate.covariance_group_of((n + filter.order / 2) * spacing))
              << prbs << " PRBs, groups of " << group_prbs << ", spacing " << spacing << ", n "
              << n;
        }
      }
    }
  }
}

TEST(IrcWhitening, CovarianceAndWhiteningAreBitIdenticalToTheFormerCpuCode) {
  std::array<cmat::Complex, irc_factor_scratch_size> scratch{};
  std::mt19937 rng(11);
  for (unsigned num_rx = 1; num_rx <= max_irc_rx_antennas; ++num_rx) {
    for (unsigned samples : {0U, num_rx / 2, num_rx, 3 * num_rx + 1}) {
      GroupSums sums = random_group_sums(num_rx, samples, rng);
      ASSERT_TRUE(identical_samples(sums.shared, sums.legacy)) << num_rx << " Rx, " << samples;
      const float gain = 2.0F / 70.0F;
      regularise_covariance(reinterpret_cast<float*>(sums.shared.data()), num_rx, samples, gain,
                            0.01F, 1.0F, scratch.data());
      legacy_regularise(sums.legacy.data(), num_rx, samples, gain, 0.01F, 1.0F);
      ASSERT_TRUE(identical_samples(sums.shared, sums.legacy)) << num_rx << " Rx, " << samples;

      std::array<cmat::Complex, std::size_t{16} * 16> shared{};
      std::array<cmat::Complex, std::size_t{16} * 16> legacy{};
      ASSERT_TRUE(whitening_from_covariance(reinterpret_cast<const float*>(sums.shared.data()),
                                            num_rx, shared.data(), 16, scratch.data()));
      ASSERT_TRUE(legacy_whitening(sums.legacy.data(), num_rx, legacy.data()));
      for (unsigned i = 0; i < num_rx; ++i) {
        for (unsigned j = 0; j <= i; ++j) {
          EXPECT_TRUE(same_value_bits(shared[i * 16 + j], legacy[i * 16 + j]));
        }
      }
    }
  }
}

TEST(IrcWhitening, WhiteningMatrixWhitensTheCovariance) {
  std::array<cmat::Complex, irc_factor_scratch_size> scratch{};
  std::mt19937 rng(12);
  for (unsigned num_rx = 1; num_rx <= max_irc_rx_antennas; ++num_rx) {
    // A moderate interferer (condition number of R about 10 to 100).
    GroupSums sums = random_group_sums(num_rx, 16 * num_rx, rng, 0.01F);
    auto* covariance = reinterpret_cast<float*>(sums.shared.data());
    regularise_covariance(covariance, num_rx, 16 * num_rx, 1.0F / 70.0F, 0.01F, 1.0F,
                          scratch.data());
    std::vector<cmat::Complex> w(std::size_t{num_rx} * num_rx);
    ASSERT_TRUE(whitening_from_covariance(covariance, num_rx, w.data(), num_rx, scratch.data()));
    // W R W^H in double.
    for (unsigned i = 0; i < num_rx; ++i) {
      for (unsigned j = 0; j < num_rx; ++j) {
        std::complex<double> sum = 0.0;
        for (unsigned a = 0; a <= i; ++a) {
          for (unsigned b = 0; b <= j; ++b) {
            const std::complex<double> wa(w[i * num_rx + a].re, w[i * num_rx + a].im);
            const std::complex<double> wb(w[j * num_rx + b].re, w[j * num_rx + b].im);
            const std::complex<double> r(sums.shared[a * num_rx + b]);
            sum += wa * r * std::conj(wb);
          }
        }
        EXPECT_NEAR(sum.real(), i == j ? 1.0 : 0.0, 1e-5) << num_rx << " Rx (" << i << ", " << j;
        EXPECT_NEAR(sum.imag(), 0.0, 1e-5) << num_rx << " Rx (" << i << ", " << j << ")";
      }
    }
    // Not positive definite: refused.
    std::vector<cf32> zero(std::size_t{num_rx} * num_rx);
    EXPECT_FALSE(whitening_from_covariance(reinterpret_cast<const float*>(zero.data()), num_rx,
                                           w.data(), num_rx, scratch.data()));
  }
}

// x and post-eq noise of one RE by the shared functions, as the CUDA kernel runs them.
template <unsigned Layers>
void equalize_whitened(const cmat::Complex* w, unsigned num_rx, cmat::Complex* y, cmat::Complex* h,
                       cmat::Complex* x, float* post_noise) {
  whiten_resource_element<max_irc_rx_antennas>(w, num_rx, num_rx, Layers, y, h, Layers);
  equalize_resource_element<Layers>(h, Layers, y, num_rx, Layers, 1.0F, true, x, post_noise);
}

void equalize_whitened(unsigned layers, const cmat::Complex* w, unsigned num_rx, cmat::Complex* y,
                       cmat::Complex* h, cmat::Complex* x, float* post_noise) {
  using Kernel = void (*)(const cmat::Complex*, unsigned, cmat::Complex*, cmat::Complex*,
                          cmat::Complex*, float*);
  constexpr Kernel kernels[] = {equalize_whitened<1>, equalize_whitened<2>, equalize_whitened<3>,
                                equalize_whitened<4>};
  kernels[layers - 1](w, num_rx, y, h, x, post_noise);
}

TEST(IrcWhitening, MimoEqualizerIrcIsTheSharedWhiteningPerRe) {
  std::array<cmat::Complex, irc_factor_scratch_size> scratch{};
  std::mt19937 rng(13);
  auto equalizer = create_mimo_equalizer(EqualizerAlgorithm::mmse_irc);
  for (unsigned num_rx : {1U, 2U, 3U, 4U, 8U, 16U}) {
    for (unsigned layers = 1; layers <= std::min(num_rx, 4U); ++layers) {
      const std::size_t res = 64;
      std::vector<std::vector<cf32>> y(num_rx, std::vector<cf32>(res));
      std::vector<std::vector<cf32>> h(std::size_t{num_rx} * layers, std::vector<cf32>(res));
      for (auto* rows : {&y, &h}) {
        for (auto& row : *rows) {
          std::generate(row.begin(), row.end(), [&] { return complex_normal(rng, 1.0F); });
        }
      }
      GroupSums sums = random_group_sums(num_rx, 2 * num_rx, rng);
      regularise_covariance(reinterpret_cast<float*>(sums.shared.data()), num_rx, 2 * num_rx,
                            1.0F / 70.0F, 0.01F, 1.0F, scratch.data());
      std::vector<const cf32*> y_rows;
      std::vector<const cf32*> h_rows;
      y_rows.reserve(y.size());
      h_rows.reserve(h.size());
      for (const auto& row : y) {
        y_rows.push_back(row.data());
      }
      for (const auto& row : h) {
        h_rows.push_back(row.data());
      }
      std::vector<cf32> symbols(res * layers);
      std::vector<float> noise(res * layers);
      equalizer->equalize({num_rx, layers, res, y_rows, h_rows}, {0.5F, sums.shared}, symbols,
                          noise);

      std::vector<cmat::Complex> w(std::size_t{num_rx} * num_rx);
      ASSERT_TRUE(whitening_from_covariance(reinterpret_cast<const float*>(sums.shared.data()),
                                            num_rx, w.data(), num_rx, scratch.data()));
      for (std::size_t i = 0; i < res; ++i) {
        cmat::Complex y_re[max_irc_rx_antennas];
        cmat::Complex h_re[max_irc_rx_antennas * 4];
        for (unsigned r = 0; r < num_rx; ++r) {
          y_re[r] = to_cmat(y[r][i]);
          for (unsigned l = 0; l < layers; ++l) {
            h_re[r * layers + l] = to_cmat(h[r * layers + l][i]);
          }
        }
        cmat::Complex x[4];
        float post_noise[4];
        equalize_whitened(layers, w.data(), num_rx, y_re, h_re, x, post_noise);
        for (unsigned l = 0; l < layers; ++l) {
          EXPECT_EQ(x[l].re, symbols[i * layers + l].real()) << num_rx << "x" << layers;
          EXPECT_EQ(x[l].im, symbols[i * layers + l].imag()) << num_rx << "x" << layers;
          EXPECT_EQ(post_noise[l], noise[i * layers + l]) << num_rx << "x" << layers;
        }
      }
    }
  }
}

struct SlotCase {
  unsigned prbs;
  unsigned rx;
  unsigned layers;
  DmrsConfigType dmrs_type;
  unsigned dmrs_length;
  unsigned group_prbs;
};

// PuschFrontEnd MMSE-IRC on a generated slot with a rank-one interferer: every equalized symbol
// and noise variance equals whitening by its group's covariance (from the front end's estimate;
// group = allocated subcarrier / (12 x group PRBs)) and the per-RE equalizer with noise 1.
TEST(IrcWhitening, FrontEndIrcIsTheSharedMathPerRe) {
  std::array<cmat::Complex, irc_factor_scratch_size> scratch{};
  for (const SlotCase& c : {SlotCase{24, 4, 2, DmrsConfigType::type1, 1, 4},
                            SlotCase{25, 2, 1, DmrsConfigType::type2, 2, 1},
                            SlotCase{10, 8, 4, DmrsConfigType::type1, 1, 0},
                            SlotCase{7, 16, 2, DmrsConfigType::type2, 1, 3}}) {
    apps::LinkScenario scenario;
    scenario.cell.num_prbs = c.prbs;
    scenario.cell.num_antenna_ports = c.layers;
    scenario.num_rx_antennas = c.rx;
    scenario.channel.model = "TDL-A30";
    scenario.channel.domain = apps::ChannelDomain::frequency;
    scenario.channel.max_doppler_hz = 10.0;
    PuschConfig pusch;
    pusch.bwp_size = c.prbs;
    pusch.prb_size = c.prbs;
    pusch.num_layers = c.layers;
    pusch.dmrs_ports = static_cast<std::uint16_t>((1U << c.layers) - 1);
    pusch.dmrs_config_type = c.dmrs_type;
    pusch.dmrs_length = c.dmrs_length;
    pusch.num_dmrs_cdm_groups_no_data = 2;
    pusch.mcs_index = 10;
    pusch.mcs_table = McsTable::qam64;
    ASSERT_EQ(apps::validate_link(scenario, std::span(&pusch, 1)), "");
    apps::SlotSimulator simulator(scenario);
    simulator.simulate(std::span(&pusch, 1), 3, 21, 22, 0.01F);
    ResourceGrid grid = simulator.received_grid();
    std::mt19937 rng(14);
    std::vector<cf32> signature(c.rx);
    std::generate(signature.begin(), signature.end(), [&] { return complex_normal(rng, 1.0F); });
    for (unsigned l = 0; l < grid.num_symbols(); ++l) {
      for (unsigned k = 0; k < grid.num_subcarriers(); ++k) {
        const cf32 interferer = complex_normal(rng, 0.5F);
        for (unsigned r = 0; r < c.rx; ++r) {
          grid.at(r, l, k) += signature[r] * interferer;
        }
      }
    }
    PuschFrontEndOptions options;
    options.equalizer = EqualizerAlgorithm::mmse_irc;
    options.estimator.covariance_group_prbs = c.group_prbs;
    PuschFrontEnd front_end({c.rx, 4, c.prbs});
    std::vector<float> llrs(pusch_coded_bits(scenario.cell, pusch));
    front_end.process(grid, scenario.cell, pusch, simulator.slot_number(), options, llrs);

    const ChannelEstimate& estimate = front_end.channel_estimate();
    const unsigned group_width = subcarriers_per_prb * estimate.covariance_group_prbs();
    std::vector<cmat::Complex> w(std::size_t{estimate.num_covariance_groups()} * c.rx * c.rx);
    for (unsigned g = 0; g < estimate.num_covariance_groups(); ++g) {
      ASSERT_TRUE(whitening_from_covariance(
          reinterpret_cast<const float*>(estimate.covariance(g).data()), c.rx,
          w.data() + std::size_t{g} * c.rx * c.rx, c.rx, scratch.data()));
    }
    const PuschReMapping mapping = make_pusch_re_mapping(scenario.cell, pusch);
    const auto symbols = front_end.equalized_symbols();
    const auto noise = front_end.equalized_noise_variances();
    std::size_t re = 0;
    std::size_t mismatches = 0;
    for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
      for (unsigned k = 0; k < mapping.num_subcarriers(); ++k) {
        if (!mapping.is_data_re(l, k)) {
          continue;
        }
        cmat::Complex y[max_irc_rx_antennas];
        cmat::Complex h[max_irc_rx_antennas * 4];
        for (unsigned r = 0; r < c.rx; ++r) {
          y[r] = to_cmat(grid.at(r, l, mapping.first_subcarrier + k));
          for (unsigned layer = 0; layer < c.layers; ++layer) {
            h[r * c.layers + layer] = to_cmat(estimate.at(r, layer, l, k));
          }
        }
        cmat::Complex x[4];
        float post_noise[4];
        const std::size_t group = k / group_width;
        equalize_whitened(c.layers, w.data() + group * c.rx * c.rx, c.rx, y, h, x, post_noise);
        for (unsigned layer = 0; layer < c.layers; ++layer) {
          const std::size_t i = re * c.layers + layer;
          mismatches += x[layer].re == symbols[i].real() && x[layer].im == symbols[i].imag() &&
                                post_noise[layer] == noise[i]
                            ? 0
                            : 1;
        }
        ++re;
      }
    }
    EXPECT_EQ(re * c.layers, symbols.size());
    EXPECT_EQ(mismatches, 0U) << c.prbs << " PRBs, " << c.rx << " Rx, " << c.layers << " layers";
  }
}

} // namespace
} // namespace airan::phy
