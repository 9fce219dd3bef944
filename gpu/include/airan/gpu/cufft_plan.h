/// \file
/// \brief Move-only owner of a batched 1-D complex-to-complex cuFFT plan. CUDA builds only.
#pragma once

#include "airan/gpu/cuda_check.h"

#include <utility>

namespace airan::gpu {

/// Batched single-precision C2C FFT of \p batch contiguous transforms of \p size points
/// (transform b starts at element b * size), bound to one stream.
class CufftPlan {
public:
  CufftPlan() = default;
  /// \throws CudaError when cuFFT cannot make the plan.
  CufftPlan(int size, int batch) : size_(size), batch_(batch) {
    int n[1] = {size};
    AIRAN_CUFFT_CHECK(
        cufftPlanMany(&plan_, 1, n, nullptr, 1, size, nullptr, 1, size, CUFFT_C2C, batch));
    valid_ = true;
  }
  ~CufftPlan() { reset(); }
  CufftPlan(const CufftPlan&) = delete;
  CufftPlan& operator=(const CufftPlan&) = delete;
  CufftPlan(CufftPlan&& other) noexcept
      : plan_(other.plan_), valid_(std::exchange(other.valid_, false)), size_(other.size_),
        batch_(other.batch_) {}
  CufftPlan& operator=(CufftPlan&& other) noexcept {
    if (this != &other) {
      reset();
      plan_ = other.plan_;
      valid_ = std::exchange(other.valid_, false);
      size_ = other.size_;
      batch_ = other.batch_;
    }
    return *this;
  }

  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] int batch() const { return batch_; }
  [[nodiscard]] bool valid() const { return valid_; }

  /// Runs the forward transforms of all batches on \p stream, \p in to \p out (may alias).
  void forward(cufftComplex* in, cufftComplex* out, cudaStream_t stream) {
    AIRAN_CUFFT_CHECK(cufftSetStream(plan_, stream));
    AIRAN_CUFFT_CHECK(cufftExecC2C(plan_, in, out, CUFFT_FORWARD));
  }

  /// Runs the inverse transforms (e^{+j 2 pi k n / N}, unnormalised) of all batches on
  /// \p stream, \p in to \p out (may alias).
  void inverse(cufftComplex* in, cufftComplex* out, cudaStream_t stream) {
    AIRAN_CUFFT_CHECK(cufftSetStream(plan_, stream));
    AIRAN_CUFFT_CHECK(cufftExecC2C(plan_, in, out, CUFFT_INVERSE));
  }

private:
  void reset() noexcept {
    if (valid_) {
      cufftDestroy(plan_);
      valid_ = false;
    }
  }

  cufftHandle plan_ = 0;
  bool valid_ = false;
  int size_ = 0;
  int batch_ = 0;
};

} // namespace airan::gpu
