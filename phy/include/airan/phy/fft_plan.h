/// \file
/// \brief One-dimensional complex FFT of a fixed size with its own aligned buffers (FFTW).
///
/// Created once and executed many times without allocation. Plans are chosen by FFTW's
/// estimator, so the same input gives the same output bits in every run.
#pragma once

#include "airan/phy/types.h"

#include <mutex>
#include <span>

namespace airan::phy {

/// The lock every FFTW planner call of the process takes (FFTW's planner, plan destruction and
/// allocation are not thread-safe; executing plans is).
std::mutex& fftw_planner_mutex();

/// Transform direction: forward uses exp(-j...), backward exp(+j...). Neither is normalised.
enum class FftDirection { forward, backward };

/// A planned FFT with owned input and output buffers. Not thread-safe per object; objects
/// may be created and used on different threads concurrently.
class FftPlan {
public:
  /// \throws std::invalid_argument when \p size is 0, std::runtime_error when FFTW fails.
  FftPlan(unsigned size, FftDirection direction);
  ~FftPlan();
  FftPlan(const FftPlan&) = delete;
  FftPlan& operator=(const FftPlan&) = delete;
  FftPlan(FftPlan&& other) noexcept;
  FftPlan& operator=(FftPlan&& other) noexcept;

  [[nodiscard]] unsigned size() const { return size_; }
  /// Input buffer (size() elements); execute() transforms it into output().
  [[nodiscard]] std::span<cf32> input() { return {input_, size_}; }
  [[nodiscard]] std::span<const cf32> output() const { return {output_, size_}; }
  void execute();

private:
  void release();
  unsigned size_ = 0;
  cf32* input_ = nullptr;
  cf32* output_ = nullptr;
  void* plan_ = nullptr;
};

} // namespace airan::phy
