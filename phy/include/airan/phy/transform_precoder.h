/// \file
/// \brief Transform precoding of DFT-s-OFDM PUSCH (TS 38.211 6.3.1.4) and, at the receiver, its
/// inverse on equalized symbols with the post-IDFT noise variance of an MMSE receiver.
#pragma once

#include "airan/phy/types.h"

#include <memory>
#include <span>

namespace airan::phy {

/// True when \p num_prbs is a PRB count transform precoding allows: 2^a 3^b 5^c.
bool transform_precoding_prbs_allowed(unsigned num_prbs);

/// Which way a TransformPrecoder transforms.
enum class TransformPrecodingDirection {
  precode,  ///< Transmitter: y(k) = 1/sqrt(M) sum_i x(i) e^{-j 2 pi i k / M}.
  deprecode ///< Receiver: the inverse, x(i) = 1/sqrt(M) sum_k y(k) e^{+j 2 pi i k / M}.
};

/// DFTs of every allowed size M = 12 N_PRB up to a maximum, so that execution never allocates:
/// the FFTW plans of all 53 allowed sizes are made once per process and shared (the first
/// TransformPrecoder of a direction makes them); each object has its own two buffers of
/// 12 max_prbs values. Not thread-safe: one per thread (they may run concurrently).
class TransformPrecoder {
public:
  /// \throws std::invalid_argument when max_prbs is 0 or above 275.
  TransformPrecoder(unsigned max_prbs, TransformPrecodingDirection direction);
  ~TransformPrecoder();
  TransformPrecoder(TransformPrecoder&&) noexcept;
  TransformPrecoder& operator=(TransformPrecoder&&) noexcept;
  TransformPrecoder(const TransformPrecoder&) = delete;
  TransformPrecoder& operator=(const TransformPrecoder&) = delete;

  /// Transforms \p values in place, block after block of M = 12 \p num_prbs values (one OFDM
  /// symbol each), unitary (1/sqrt(M)).
  /// \throws std::invalid_argument when num_prbs is not allowed or above the maximum, or when
  /// values.size() is not a multiple of M.
  void transform(std::span<cf32> values, unsigned num_prbs);

  /// Receiver side of an unbiased per-RE equalizer (values x_k = s_k + n_k with noise variance
  /// \p noise_variances v_k): per block, the MMSE weights b_k = 1/(1 + v_k) (0 for an unresolved
  /// RE, v_k not finite), the inverse DFT of b_k x_k, divided by mu = mean b_k; every value of
  /// the block then gets the noise variance mean(v_k / (1 + v_k)) / mu (ISI and noise of the
  /// biased MMSE after the IDFT, SINR mu / (1 - mu)). A block without a resolved RE becomes zeros
  /// of infinite variance. \pre the direction is deprecode.
  /// \throws std::invalid_argument as transform(), or for sizes that differ.
  void deprecode_equalized(std::span<cf32> values, std::span<float> noise_variances,
                           unsigned num_prbs);

  [[nodiscard]] unsigned max_prbs() const { return max_prbs_; }

private:
  /// The shared plan of \p num_prbs (checked against the maximum and \p num_values).
  void* plan_for(unsigned num_prbs, std::size_t num_values) const;

  struct FftwFree {
    void operator()(cf32* p) const;
  };

  unsigned max_prbs_ = 0;
  TransformPrecodingDirection direction_ = TransformPrecodingDirection::precode;
  void* const* plans_ = nullptr;             ///< Shared: index num_prbs, null where not allowed.
  std::unique_ptr<cf32[], FftwFree> input_;  ///< FFTW-aligned, 12 max_prbs values.
  std::unique_ptr<cf32[], FftwFree> output_; ///< FFTW-aligned, 12 max_prbs values.
};

} // namespace airan::phy
