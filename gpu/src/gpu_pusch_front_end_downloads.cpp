// GpuPuschFrontEnd's results: downloads of LLRs, grid, channel estimate, measurements (also
// enqueued for several PDUs at once), equalized symbols and stage times.
#include "airan/gpu/gpu_pusch_front_end.h"

#include "gpu_pusch_front_end_impl.h"

#include "airan/gpu/launch_profiler.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::gpu {

using phy::cf32;

void GpuPuschFrontEnd::download_llrs(std::span<float> llrs) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.join_branch();
  if (llrs.size() != s.num_llrs) {
    throw std::invalid_argument("GpuPuschFrontEnd: " + std::to_string(llrs.size()) +
                                " LLRs for G = " + std::to_string(s.num_llrs));
  }
  s.llrs.copy_to_host(llrs, s.stream.get());
  s.stream.synchronize();
}

void GpuPuschFrontEnd::download_grid(phy::ResourceGrid& grid) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.join_branch();
  grid.reshape(s.grid_rx, s.num_symbols, s.grid_subcarriers);
  auto elements = grid.elements();
  s.grid.copy_to_host(std::span(reinterpret_cast<float2*>(elements.data()), elements.size()),
                      s.stream.get());
  s.stream.synchronize();
}

void GpuPuschFrontEnd::download_channel_estimate(phy::ChannelEstimate& estimate) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.join_branch(); // downloads read what the branch writes
  const detail::PduGeometry& g = s.geometry;
  estimate.reshape(g.num_rx, g.num_layers, g.num_subcarriers / phy::subcarriers_per_prb);
  std::vector<float2> rows(std::size_t{g.num_rx} * g.num_layers * detail::max_symbols *
                           g.num_subcarriers);
  s.h.copy_to_host(rows, s.stream.get());
  detail::PduMeasurements measured;
  s.measurements.copy_to_host(std::span(&measured, 1), s.stream.get());
  // Each hop's covariances, the second hop's groups after the first's (ChannelEstimate's
  // layout with a second hop).
  const std::size_t group_floats = 2 * std::size_t{g.num_rx} * g.num_rx;
  std::vector<float> covariances(group_floats * g.num_covariance_groups * (s.hopping ? 2 : 1));
  if (g.estimate_covariance) {
    const std::span<float> all(covariances);
    s.covariances.copy_to_host(all.first(group_floats * g.num_covariance_groups), s.stream.get());
    if (s.hopping) {
      s.hop_covariances.copy_to_host(all.subspan(group_floats * g.num_covariance_groups),
                                     s.stream.get());
    }
  }
  s.stream.synchronize();
  if (g.estimate_covariance) {
    estimate.set_covariance_groups(g.covariance_group_subcarriers / phy::subcarriers_per_prb);
    const unsigned groups = g.num_covariance_groups * (s.hopping ? 2 : 1);
    for (unsigned group = 0; group < groups; ++group) {
      const std::span<cf32> covariance = estimate.covariance(group);
      std::copy_n(covariances.data() + 2 * covariance.size() * group, 2 * covariance.size(),
                  reinterpret_cast<float*>(covariance.data()));
    }
  }
  // The rows of the PDU's symbols (both hops' with intra-slot hopping).
  const unsigned end_symbol = s.hopping ? s.hop_geometry.end_symbol : g.end_symbol;
  for (unsigned rx = 0; rx < g.num_rx; ++rx) {
    for (unsigned layer = 0; layer < g.num_layers; ++layer) {
      for (unsigned l = g.start_symbol; l < end_symbol; ++l) {
        const float2* row =
            rows.data() + ((std::size_t{rx} * g.num_layers + layer) * detail::max_symbols + l) *
                              g.num_subcarriers;
        std::copy_n(reinterpret_cast<const cf32*>(row), g.num_subcarriers,
                    estimate.channel(rx, layer, l).data());
      }
    }
  }
  if (s.hopping) {
    estimate.set_second_hop(s.hop_geometry.start_symbol, measured.state.noise_variance,
                            measured.second_hop.noise_variance);
  }
  estimate.measurements = measurements_of(measured, s.hopping);
}

phy::DmrsMeasurements GpuPuschFrontEnd::download_measurements() {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.join_branch(); // downloads read what the branch writes
  detail::PduMeasurements measured;
  s.measurements.copy_to_host(std::span(&measured, 1), s.stream.get());
  s.stream.synchronize();
  return measurements_of(measured, s.hopping);
}

void GpuPuschFrontEnd::download_ptrs_phases(std::span<float> phases) {
  Impl& s = *impl_;
  if (phases.size() != s.num_symbols) {
    throw std::invalid_argument("GpuPuschFrontEnd: " + std::to_string(s.num_symbols) +
                                " PT-RS phases per slot, not " + std::to_string(phases.size()));
  }
  make_device_current(s.device);
  s.join_branch();
  detail::PduMeasurements measured;
  s.measurements.copy_to_host(std::span(&measured, 1), s.stream.get());
  s.stream.synchronize();
  for (std::size_t l = 0; l < phases.size(); ++l) { // 0 without tracking (record_cfo())
    phases[l] = s.processed && l < detail::max_symbols ? measured.state.ptrs_phases[l] : 0.0F;
  }
}

phy::PuschMeasurements GpuPuschFrontEnd::download_pusch_measurements() {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.join_branch(); // downloads read what the branch writes
  detail::PduMeasurements measured;
  s.measurements.copy_to_host(std::span(&measured, 1), s.stream.get());
  s.stream.synchronize();
  return pusch_measurements_of(measured, s.hopping);
}

void GpuPuschFrontEnd::enqueue_measurements(unsigned index) {
  Impl& s = *impl_;
  if (index >= max_pending_measurements) {
    throw std::invalid_argument("GpuPuschFrontEnd: pending measurement slot " +
                                std::to_string(index) + " of " +
                                std::to_string(max_pending_measurements));
  }
  // On the open branch, after the quality it downloads (set_deferred_branch_join()).
  cudaStream_t stream = s.branch_open ? s.branch_stream.get() : s.stream.get();
  s.measurements.copy_to_host(s.pending.span().subspan(index, 1), stream);
  s.pending_hopping[index] = s.hopping;
  profile_launch("measurements to host", stream);
}

phy::PuschMeasurements GpuPuschFrontEnd::pending_measurements(unsigned index) const {
  if (index >= max_pending_measurements) {
    throw std::invalid_argument("GpuPuschFrontEnd: pending measurement slot " +
                                std::to_string(index));
  }
  return pusch_measurements_of(impl_->pending[index], impl_->pending_hopping[index]);
}

void* GpuPuschFrontEnd::native_stream() const {
  return impl_->stream.get();
}

void GpuPuschFrontEnd::download_equalized(std::vector<cf32>& symbols,
                                          std::vector<float>& noise_variances) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.join_branch();
  if (s.neural.built) {
    throw std::logic_error("GpuPuschFrontEnd: download_equalized() after the neural receiver's "
                           "inputs (its MMSE symbols cover the symbols without DMRS only)");
  }
  const std::size_t count = s.num_res * s.geometry.num_layers;
  symbols.resize(count);
  noise_variances.resize(count);
  s.symbols.copy_to_host(std::span(reinterpret_cast<float2*>(symbols.data()), count),
                         s.stream.get());
  s.noise.copy_to_host(std::span(noise_variances.data(), count), s.stream.get());
  s.stream.synchronize();
}

GpuStageTimes GpuPuschFrontEnd::stage_times() {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.join_branch();
  s.stream.synchronize();
  GpuStageTimes times;
  if (s.ofdm_timed) {
    times.ofdm_ms = s.ofdm_end.elapsed_ms_since(s.ofdm_start);
  }
  if (s.processed && s.process_timed) {
    times.estimate_ms = s.estimate_end.elapsed_ms_since(s.estimate_start);
    times.equalize_demap_ms = s.equalize_end.elapsed_ms_since(s.estimate_end);
  }
  if (s.processed && s.process_timed && s.descrambled && s.stage_timing) {
    times.descramble_ms = s.descramble_end.elapsed_ms_since(s.equalize_end);
  }
  return times;
}

void GpuPuschFrontEnd::process_grid(const phy::ResourceGrid& grid, const phy::PuschConfig& pusch,
                                    unsigned slot, const phy::PuschFrontEndOptions& options,
                                    std::span<float> llrs) {
  upload_grid(grid);
  process(pusch, slot, options);
  download_llrs(llrs);
}

} // namespace airan::gpu
