// What the GPU front end's device tests of PT-RS, hopping and DFT-s-OFDM PDUs share: whether a
// device is there, and the comparison of GpuPuschFrontEnd's channel estimate (rows, noise,
// measurements, covariances) and equalized outputs with phy::PuschFrontEnd's within the GPU front
// end's tolerances.
#pragma once

#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/pusch_front_end.h"

#include "../support/relative_errors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace gpu_front_end_match {

inline bool have_device(std::string& status) {
  const auto devices = airan::gpu::query_devices();
  status = devices.status;
  return !devices.devices.empty();
}

/// Expects the rows of \p estimate (downloaded from the device) on the symbols of \p pusch, its
/// layers and \p num_rx antennas, to be \p reference's within 1e-4 (norm and max, relative).
inline void expect_estimate_rows_as_cpu(const airan::phy::ChannelEstimate& estimate,
                                        const airan::phy::ChannelEstimate& reference,
                                        const airan::phy::PuschConfig& pusch, unsigned num_rx) {
  std::vector<airan::phy::cf32> a;
  std::vector<airan::phy::cf32> b;
  for (unsigned rx = 0; rx < num_rx; ++rx) {
    for (unsigned layer = 0; layer < pusch.num_layers; ++layer) {
      for (unsigned l = pusch.start_symbol; l < pusch.start_symbol + pusch.num_symbols; ++l) {
        const auto row = estimate.channel(rx, layer, l);
        const auto ref = reference.channel(rx, layer, l);
        a.insert(a.end(), row.begin(), row.end());
        b.insert(b.end(), ref.begin(), ref.end());
      }
    }
  }
  const auto h = airan::test::relative_errors<airan::phy::cf32>(a, b);
  EXPECT_LT(h.norm, 1e-4) << "channel estimate";
  EXPECT_LT(h.max, 1e-4) << "channel estimate";
}

/// The covariances of every group of \p estimate (both hops' with hopping), concatenated.
inline std::vector<airan::phy::cf32> all_covariances(const airan::phy::ChannelEstimate& estimate) {
  const unsigned hops = estimate.second_hop_symbol() < airan::phy::max_symbols_per_slot ? 2 : 1;
  std::vector<airan::phy::cf32> out;
  for (unsigned g = 0; g < hops * estimate.num_covariance_groups(); ++g) {
    const auto covariance = estimate.covariance(g);
    out.insert(out.end(), covariance.begin(), covariance.end());
  }
  return out;
}

/// Expects \p estimate (downloaded from the device) to be \p reference's for \p pusch on
/// \p num_rx antennas: the rows (expect_estimate_rows_as_cpu()), the second hop's first symbol,
/// each symbol's noise within 1e-4, the DMRS measurements (noise and RSRP within 1e-4, SINR
/// within 1e-3 dB, the CFO within 1e-3 + 0.1 Hz) and, with \p covariances (MMSE-IRC), every
/// covariance group within 1e-4 (norm).
inline void expect_estimate_as_cpu(const airan::phy::ChannelEstimate& estimate,
                                   const airan::phy::ChannelEstimate& reference,
                                   const airan::phy::PuschConfig& pusch, unsigned num_rx,
                                   bool covariances) {
  expect_estimate_rows_as_cpu(estimate, reference, pusch, num_rx);
  ASSERT_EQ(estimate.second_hop_symbol(), reference.second_hop_symbol());
  for (unsigned l = 0; l < airan::phy::max_symbols_per_slot; ++l) {
    EXPECT_NEAR(estimate.noise_variance_of(l), reference.noise_variance_of(l),
                1e-4F * reference.noise_variance_of(l))
        << "symbol " << l;
  }
  const auto& m = estimate.measurements;
  const auto& mr = reference.measurements;
  EXPECT_NEAR(m.noise_variance, mr.noise_variance, 1e-4F * mr.noise_variance);
  EXPECT_NEAR(m.rsrp, mr.rsrp, 1e-4F * mr.rsrp);
  EXPECT_NEAR(m.sinr_db, mr.sinr_db, 1e-3F);
  ASSERT_EQ(m.cfo_hz.has_value(), mr.cfo_hz.has_value());
  if (mr.cfo_hz) {
    EXPECT_NEAR(*m.cfo_hz, *mr.cfo_hz, 1e-3F * std::abs(*mr.cfo_hz) + 0.1F) << "CFO (Hz)";
  }
  if (covariances) {
    ASSERT_EQ(estimate.num_covariance_groups(), reference.num_covariance_groups());
    const auto r = airan::test::relative_errors<airan::phy::cf32>(all_covariances(estimate),
                                                                  all_covariances(reference));
    EXPECT_LT(r.norm, 1e-4) << "interference covariances";
  }
}

/// Expects the equalized symbols and noise of \p gpu's last process() and its LLRs \p llrs to be
/// \p cpu's (after process(), its LLRs \p cpu_llrs): symbols 1e-4 (norm) and 1e-3 (max), noise
/// 1e-4, LLR signs on at least 99.99% of the bits.
inline void expect_equalized_as_cpu(airan::gpu::GpuPuschFrontEnd& gpu,
                                    const airan::phy::PuschFrontEnd& cpu,
                                    std::span<const float> llrs, std::span<const float> cpu_llrs) {
  std::vector<airan::phy::cf32> symbols;
  std::vector<float> noise;
  gpu.download_equalized(symbols, noise);
  const auto x = airan::test::relative_errors<airan::phy::cf32>(symbols, cpu.equalized_symbols());
  EXPECT_LT(x.norm, 1e-4) << "equalized symbols";
  EXPECT_LT(x.max, 1e-3) << "equalized symbols";
  const auto n = airan::test::relative_errors<float>(noise, cpu.equalized_noise_variances());
  EXPECT_LT(n.norm, 1e-4) << "post-equalization noise";
  ASSERT_EQ(llrs.size(), cpu_llrs.size());
  std::size_t agree = 0;
  for (std::size_t i = 0; i < llrs.size(); ++i) {
    agree += (llrs[i] >= 0.0F) == (cpu_llrs[i] >= 0.0F) ? 1 : 0;
  }
  EXPECT_GE(static_cast<double>(agree), 0.9999 * static_cast<double>(llrs.size())) << "LLR signs";
}

} // namespace gpu_front_end_match
