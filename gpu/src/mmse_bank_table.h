/// \file
/// \brief The MMSE frequency-interpolation filter banks of every prior and SNR bin a PDU shape
/// can select on the device, for the last few shapes (private to GpuPuschFrontEnd). Computed on the
/// host with the CPU estimator's compute_mmse_filter_bank() and uploaded when the shape changes, so
/// that the device picks its bank from its own measurements without a round trip.
#pragma once

#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/device_buffer.h"
#include "airan/phy/dmrs_estimation_math.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace airan::gpu::detail {

/// What the table is computed for; the prior rows are the adapted exponents, or one row with
/// the configured spread (configured_spread_s > 0).
struct MmseBankKey {
  unsigned spacing = 0;
  unsigned window = 0;
  phy::DelayProfile profile = phy::DelayProfile::exponential;
  float subcarrier_spacing_hz = 0.0F;
  float configured_spread_s = 0.0F;
  bool operator==(const MmseBankKey&) const = default;
};

/// Device tables [prior row][SNR bin][position][tap] of the last few keys (bank b = row *
/// mmse_num_snr_bins + bin), least recently used replaced first. Several keys, because a slot
/// may mix PDU sizes whose windows differ (DMRS type 1: 1, 2 and 3+ PRBs give windows 6, 12 and
/// 16), and recomputing a table on the host takes far longer than a slot.
class MmseBankTable {
public:
  /// Tables kept at once (device memory is allocated for one when first used).
  static constexpr std::size_t capacity = 3;

  /// Makes the table of \p key resident and returns its device address: computes and uploads
  /// it unless it is resident already. Replacing another table waits for \p stream first (its
  /// kernels may read it); the upload is waited for too.
  const float2* prepare(const MmseBankKey& key, const CudaStream& stream) {
    ++clock_;
    if (Entry* entry = lookup(key); entry != nullptr) {
      entry->last_use = clock_;
      return entry->taps.data();
    }
    Entry& entry =
        *std::min_element(entries_.begin(), entries_.end(),
                          [](const Entry& a, const Entry& b) { return a.last_use < b.last_use; });
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
    if (entry.taps.size() == 0) {
      entry.taps = DeviceBuffer<float2>(max_table_size);
    }
    // In the stream's order, after the kernels that may read the old table (a cudaMemcpy from
    // pageable memory may return before the data has landed, and the stream does not wait for
    // the default stream), and waited for, so that host_ may change afterwards.
    entry.valid = false;
    AIRAN_CUDA_CHECK(cudaMemcpyAsync(entry.taps.data(), host_.data(),
                                     host_.size() * sizeof(phy::cf32), cudaMemcpyHostToDevice,
                                     stream.get()));
    stream.synchronize();
    entry.key = key;
    entry.valid = true;
    entry.last_use = clock_;
    return entry.taps.data();
  }

  /// The device address of \p key's table when it is resident, else null.
  [[nodiscard]] const float2* find(const MmseBankKey& key) const {
    for (const Entry& entry : entries_) {
      if (entry.valid && entry.key == key) {
        return entry.taps.data();
      }
    }
    return nullptr;
  }

private:
  /// The largest table: type 2 (spacing 6), window max_mmse_window, every prior row.
  static constexpr std::size_t max_table_size =
      std::size_t{phy::num_prior_spreads} * phy::mmse_num_snr_bins *
      phy::mmse_bank_positions(6, phy::max_mmse_window) * phy::max_mmse_window;

  struct Entry {
    DeviceBuffer<float2> taps;
    MmseBankKey key;
    bool valid = false;
    std::uint64_t last_use = 0;
  };

  Entry* lookup(const MmseBankKey& key) {
    for (Entry& entry : entries_) {
      if (entry.valid && entry.key == key) {
        return &entry;
      }
    }
    return nullptr;
  }

  std::array<Entry, capacity> entries_;
  std::vector<phy::cf32> host_;
  std::uint64_t clock_ = 0;
};

} // namespace airan::gpu::detail
