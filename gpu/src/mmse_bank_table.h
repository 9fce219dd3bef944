/// \file
/// \brief The MMSE frequency-interpolation filter banks of every prior and SNR bin a PDU shape
/// can select on the device (private to GpuPuschFrontEnd). Computed on the host with the CPU
/// estimator's compute_mmse_filter_bank() and uploaded when the shape changes, so that the
/// device picks its bank from its own measurements without a round trip.
#pragma once

#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/device_buffer.h"
#include "airan/phy/dmrs_estimation_math.h"

#include <vector>

namespace airan::gpu::detail {

/// What the table is computed for; the prior rows are the adapted exponents, or one row with
/// the configured spread (configured_spread_s > 0).
struct MmseBankKey {
  unsigned spacing = 0;
  unsigned window = 0;
  phy::DelayProfile profile = phy::DelayProfile::uniform;
  float subcarrier_spacing_hz = 0.0F;
  float configured_spread_s = 0.0F;
  bool operator==(const MmseBankKey&) const = default;
};

/// Device table [prior row][SNR bin][position][tap]; bank b = row * mmse_num_snr_bins + bin.
class MmseBankTable {
public:
  /// Allocates the device storage for the largest table (type 2, window max_mmse_window).
  MmseBankTable()
      : taps_(std::size_t{phy::num_prior_spreads} * phy::mmse_num_snr_bins *
              phy::mmse_bank_positions(6, phy::max_mmse_window) * phy::max_mmse_window) {}

  /// Makes the table of \p key current: computes and uploads it unless it already is (then
  /// nothing happens). The upload waits for \p stream, whose kernels may read the old table.
  void prepare(const MmseBankKey& key, const CudaStream& stream) {
    if (valid_ && key == key_) {
      return;
    }
    const unsigned rows = key.configured_spread_s > 0.0F ? 1 : phy::num_prior_spreads;
    const std::size_t bank_size =
        std::size_t{phy::mmse_bank_positions(key.spacing, key.window)} * key.window;
    host_.resize(bank_size * rows * phy::mmse_num_snr_bins);
    for (unsigned row = 0; row < rows; ++row) {
      phy::MmseFilterKey filter;
      filter.spacing = key.spacing;
      filter.window = key.window;
      filter.profile = key.profile;
      filter.subcarrier_spacing_hz = key.subcarrier_spacing_hz;
      filter.delay_spread_s = rows == 1
                                  ? key.configured_spread_s
                                  : phy::prior_spread_from_exponent(phy::min_prior_spread_exponent +
                                                                    static_cast<int>(row));
      for (int bin = 0; bin < phy::mmse_num_snr_bins; ++bin) {
        filter.snr_bin = bin;
        const std::size_t bank = std::size_t{row} * phy::mmse_num_snr_bins + bin;
        phy::compute_mmse_filter_bank(
            filter, std::span<phy::cf32>(host_.data() + bank * bank_size, bank_size));
      }
    }
    // In the stream's order (a cudaMemcpy from pageable memory may return before the data has
    // landed, and the stream does not wait for the default stream), and waited for, so that
    // host_ may change afterwards.
    AIRAN_CUDA_CHECK(cudaMemcpyAsync(taps_.data(), host_.data(), host_.size() * sizeof(phy::cf32),
                                     cudaMemcpyHostToDevice, stream.get()));
    stream.synchronize();
    key_ = key;
    valid_ = true;
  }

  /// True when the table of \p key is current (prepare() would do nothing).
  [[nodiscard]] bool holds(const MmseBankKey& key) const { return valid_ && key == key_; }
  [[nodiscard]] const float2* device_taps() const { return taps_.data(); }

private:
  DeviceBuffer<float2> taps_;
  std::vector<phy::cf32> host_;
  MmseBankKey key_;
  bool valid_ = false;
};

} // namespace airan::gpu::detail
