// What the GPU front end's device tests of PT-RS and hopping PDUs share: whether a device is
// there, and the comparison of GpuPuschFrontEnd's channel estimate rows and equalized outputs
// with phy::PuschFrontEnd's within the GPU front end's tolerances.
#pragma once

#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/pusch_front_end.h"

#include "../support/relative_errors.h"

#include <gtest/gtest.h>

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
