// Test support for the GPU OFDM tests (gpu_ofdm_workspace_test, gpu_fused_ofdm_test): cells of a
// size, random slot IQ, and front ends whose grids from one launch set are compared with a front
// end's own demodulate() through cuFFT.
#pragma once

#include "airan/gpu/gpu_ofdm_workspace.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/numerology.h"
#include "airan/phy/resource_grid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace ofdm_test {

using airan::gpu::GpuOfdmWorkspace;
using airan::gpu::GpuPuschFrontEnd;
using airan::phy::CellConfig;
using airan::phy::cf32;
using airan::phy::Numerology;
using airan::phy::ResourceGrid;

/// FFT windows per antenna in a slot (14 OFDM symbols).
constexpr std::size_t symbols = 14;

inline CellConfig make_cell(unsigned prbs) {
  CellConfig cell;
  cell.num_prbs = prbs;
  cell.numerology = 1;
  return cell;
}

inline unsigned fft_size_of(const CellConfig& cell) {
  return carrier_numerology(cell).fft_size();
}

/// Random IQ of \p rx antennas for \p front_end's slot \p slot.
inline std::vector<cf32> random_iq(const GpuPuschFrontEnd& front_end, unsigned rx, unsigned slot,
                                   unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal;
  std::vector<cf32> iq(rx * front_end.slot_length(slot));
  for (auto& sample : iq) {
    sample = {normal(generator), normal(generator)};
  }
  return iq;
}

/// The largest difference between two grids' elements over the RMS of \p expected's.
inline double relative_difference(const ResourceGrid& got, const ResourceGrid& expected) {
  const auto a = got.elements();
  const auto b = expected.elements();
  EXPECT_EQ(a.size(), b.size());
  double power = 0.0;
  double largest = 0.0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    power += std::norm(std::complex<double>(b[i]));
    largest = std::max(largest, std::abs(std::complex<double>(a[i]) - std::complex<double>(b[i])));
  }
  return largest / std::sqrt(power / static_cast<double>(std::max<std::size_t>(b.size(), 1)));
}

/// Front ends with their slot's IQ and antenna count.
struct Cells {
  std::vector<std::unique_ptr<GpuPuschFrontEnd>> front_ends;
  std::vector<CellConfig> configs;
  std::vector<std::vector<cf32>> iq;
  std::vector<unsigned> rx;
  std::vector<GpuPuschFrontEnd*> batch;
  unsigned slot = 5;

  void add(const CellConfig& cell, unsigned antennas) {
    front_ends.push_back(std::make_unique<GpuPuschFrontEnd>(
        cell, airan::gpu::GpuPuschFrontEndLimits{4, 2, cell.num_prbs}));
    configs.push_back(cell);
    rx.push_back(antennas);
    iq.push_back(random_iq(*front_ends.back(), antennas, slot, 11 + iq.size()));
    batch.push_back(front_ends.back().get());
  }
  /// Front end \p c's own demodulate() through cuFFT (a front end of its cell with the defaults).
  [[nodiscard]] ResourceGrid reference_grid(std::size_t c) const {
    GpuPuschFrontEnd reference(configs[c], {4, 2, configs[c].num_prbs});
    reference.demodulate_host(iq[c], rx[c], slot);
    ResourceGrid own(rx[c], symbols, 12 * configs[c].num_prbs);
    reference.download_grid(own);
    return own;
  }
  /// Demodulates every front end's slot in one launch set with \p workspace, then compares each
  /// grid with reference_grid() (1e-5 of its RMS).
  void demodulate_and_compare(GpuOfdmWorkspace* workspace) {
    for (std::size_t c = 0; c < batch.size(); ++c) {
      batch[c]->prepare_demodulation(batch[c]->upload_iq(iq[c], rx[c], slot), rx[c], slot);
    }
    GpuPuschFrontEnd::enqueue_prepared_demodulation(batch, nullptr, workspace);
    for (std::size_t c = 0; c < batch.size(); ++c) {
      SCOPED_TRACE("front end " + std::to_string(c));
      ResourceGrid joint(rx[c], symbols, 12 * configs[c].num_prbs);
      batch[c]->download_grid(joint);
      EXPECT_LE(relative_difference(joint, reference_grid(c)), 1e-5);
    }
  }
};

} // namespace ofdm_test
