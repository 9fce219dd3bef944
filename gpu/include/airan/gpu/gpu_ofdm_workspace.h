/// \file
/// \brief GpuOfdmWorkspace: one FFT work area and its cuFFT plans, so that
/// GpuPuschFrontEnd::enqueue_prepared_demodulation() transforms several front ends' slots (a
/// group's cells) with one cuFFT instead of one each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace airan::gpu {

/// Room in device memory for `max_windows()` FFT windows of `fft_size()` points side by side,
/// and batched cuFFT plans over the first n windows for up to `max_plans` window counts n.
/// Given to GpuPuschFrontEnd::enqueue_prepared_demodulation(), it receives the CP-free windows
/// of every front end of that FFT size (in the order given, while they fit), which one cuFFT
/// then transforms; the others use their own work area and plan. Calls that share a workspace
/// must be ordered on one stream (e.g. the successive slots of one slot in flight). Move-only;
/// not thread safe.
class GpuOfdmWorkspace {
public:
  /// Plans kept at most: window counts beyond them are transformed front end by front end.
  static constexpr std::size_t max_plans = 8;

  /// Allocates the work area on CUDA device \p device.
  /// \throws std::invalid_argument for a zero size; CudaError; std::runtime_error in a build
  /// without CUDA.
  GpuOfdmWorkspace(unsigned fft_size, std::size_t max_windows, int device = 0);
  ~GpuOfdmWorkspace();
  GpuOfdmWorkspace(GpuOfdmWorkspace&&) noexcept;
  GpuOfdmWorkspace& operator=(GpuOfdmWorkspace&&) noexcept;
  GpuOfdmWorkspace(const GpuOfdmWorkspace&) = delete;
  GpuOfdmWorkspace& operator=(const GpuOfdmWorkspace&) = delete;

  [[nodiscard]] unsigned fft_size() const;
  [[nodiscard]] std::size_t max_windows() const;
  [[nodiscard]] int device() const;

  /// Makes the plan for the first \p windows windows (not while this thread captures a CUDA
  /// graph: a plan allocates). enqueue_prepared_demodulation() makes a missing plan itself
  /// outside a capture; inside one, without the plan, each front end uses its own.
  /// False, with nothing made, for 0 or more than max_windows() windows, when max_plans other
  /// plans exist, or when cuFFT cannot make it (not tried again for that count).
  bool prepare(std::size_t windows);
  /// Makes the plan that enqueue_prepared_demodulation() last found missing inside a capture
  /// (call it once the capture has ended, so that the next capture of that shape has it).
  /// False when none was missing or it cannot be made.
  bool prepare_missed();
  /// Whether the plan for \p windows windows exists.
  [[nodiscard]] bool prepared(std::size_t windows) const;

  /// Runs of front ends (up to 32 each) for which enqueue_prepared_demodulation() enqueued one
  /// cuFFT here (a captured graph's launches are not counted again).
  [[nodiscard]] std::uint64_t joint_transforms() const;
  /// Front ends for which it enqueued their own cuFFT although this workspace was given
  /// (another FFT size, no room left, or no plan inside a capture).
  [[nodiscard]] std::uint64_t own_transforms() const;

  struct Impl;

private:
  friend class GpuPuschFrontEnd;
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::gpu
