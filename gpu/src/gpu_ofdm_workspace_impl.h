/// \file
/// \brief Private state of GpuOfdmWorkspace (gpu_ofdm_workspace.cpp), for
/// GpuPuschFrontEnd::enqueue_prepared_demodulation() (gpu_pusch_front_end_batch.cpp).
#pragma once

#include "airan/gpu/cufft_plan.h"
#include "airan/gpu/device_buffer.h"
#include "airan/gpu/gpu_ofdm_workspace.h"
#include "front_end_kernels.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace airan::gpu {

struct GpuOfdmWorkspace::Impl {
  Impl(unsigned fft_size_in, std::size_t max_windows_in, int device_in);

  /// The plan for \p count windows; made when missing and \p may_make (the caller's stream is
  /// not capturing) and there is room for it; else nullptr (\p count kept in `missed` when only
  /// the capture prevented it; a plan cuFFT cannot make is not retried).
  CufftPlan* plan(std::size_t count, bool may_make);
  /// Points the FFT windows of the slots that fit (this FFT size, while there is room) side by
  /// side into the work area, sets their \p in_workspace flags and returns the plan that
  /// transforms them all; nullptr, with nothing changed, when none fits or there is no plan for
  /// them (plan(): \p may_make).
  CufftPlan* place(std::span<detail::OfdmSlot> slots, std::span<bool> in_workspace, bool may_make);

  unsigned fft_size;
  std::size_t max_windows;
  int device;
  DeviceBuffer<float2> windows;
  std::vector<std::pair<std::size_t, CufftPlan>> plans; ///< By window count (never removed:
                                                        ///< captured graphs run them).
  std::size_t missed = 0;          ///< A window count a capture found without a plan (0: none).
  std::vector<std::size_t> failed; ///< Window counts cuFFT could not plan.
  std::uint64_t joint = 0;
  std::uint64_t own = 0;
};

} // namespace airan::gpu
