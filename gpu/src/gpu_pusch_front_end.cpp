// Host side of GpuPuschFrontEnd: per-slot geometry and launches (downloads in
// gpu_pusch_front_end_downloads.cpp). The math
// is in ofdm_kernels.cu, dmrs_kernels.cu, irc_covariance_kernels.cu and equalize_demap_kernels.cu.
#include "airan/gpu/gpu_pusch_front_end.h"

#include "gpu_pusch_front_end_impl.h"

#include "airan/gpu/launch_profiler.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/pusch_data_layout.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_transmitter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace airan::gpu {

using phy::cf32;

detail::PduGeometry
GpuPuschFrontEnd::Impl::make_geometry(const phy::PuschConfig& pusch, unsigned slot,
                                      const phy::PuschFrontEndOptions& options) {
  const phy::PuschReMapping mapping = phy::make_pusch_re_mapping(cell, pusch);
  const phy::PuschDmrsParams params = phy::make_pusch_dmrs_params(cell, pusch, slot);
  const phy::DmrsConfigType type = pusch.dmrs_config_type;
  detail::PduGeometry g;
  g.num_rx = grid_rx;
  g.num_layers = pusch.num_layers;
  g.grid_symbols = num_symbols;
  g.grid_subcarriers = grid_subcarriers;
  g.first_subcarrier = mapping.first_subcarrier;
  g.num_subcarriers = mapping.num_subcarriers();
  g.start_symbol = mapping.start_symbol;
  g.end_symbol = mapping.start_symbol + mapping.num_symbols;
  g.comb_period = type == phy::DmrsConfigType::type1 ? 4 : 6;
  g.pair_offset = type == phy::DmrsConfigType::type1 ? 2 : 1;
  g.num_values = params.values_per_symbol();
  g.num_pilots = g.num_values / 2;
  for (unsigned l = g.start_symbol; l < g.end_symbol; ++l) {
    if (params.symbols.contains(l)) {
      g.dmrs_symbols[g.num_dmrs_symbols++] = l;
    }
  }
  g.symbols_per_occasion = pusch.dmrs_length;
  g.num_occasions = g.num_dmrs_symbols / pusch.dmrs_length;
  g.num_occasion_pairs =
      phy::dmrs_occasion_time_steps(cell, slot, std::span(g.dmrs_symbols, g.num_dmrs_symbols),
                                    g.symbols_per_occasion, g.occasion_dt);
  g.beta = params.beta;
  g.scs_hz = static_cast<float>(phy::subcarrier_spacing_hz(cell.numerology));
  // The DMRS of every layer and symbol, generated on the device (no host work, no waiting).
  detail::DmrsGeneration generation;
  generation.first_gold_bit = 2 * phy::dmrs_res_per_prb(type) * params.first_crb;
  for (unsigned s = 0; s < g.num_dmrs_symbols; ++s) {
    generation.c_init[s] =
        phy::pusch_dmrs_c_init(params.symbols_per_slot, params.slot, g.dmrs_symbols[s],
                               params.scrambling_id, params.n_scid);
    generation.l_prime[s] = params.symbols.l_prime(g.dmrs_symbols[s]);
  }
  for (unsigned layer = 0; layer < g.num_layers; ++layer) {
    const phy::DmrsPortParams port = phy::dmrs_port_params(type, pusch.dmrs_port_of_layer(layer));
    g.deltas[layer] = port.delta;
    g.twice_first[layer] = static_cast<int>(phy::dmrs_subcarrier(type, g.deltas[layer], 0) +
                                            phy::dmrs_subcarrier(type, g.deltas[layer], 1));
    for (unsigned k = 0; k < 2; ++k) {
      generation.w_f[layer][k] = port.w_f[k];
      generation.w_t[layer][k] = port.w_t[k];
    }
  }
  dmrs_generation = generation; // launched by process(), inside its graph

  const phy::DmrsChannelEstimatorOptions& estimator = options.estimator;
  g.compensate_delay = estimator.compensate_delay;
  g.mmse_frequency = estimator.frequency_interpolation == phy::FrequencyInterpolation::mmse;
  g.average_time = estimator.time_interpolation == phy::TimeInterpolation::average;
  g.configured_prior = estimator.delay_spread_s > 0.0F;
  g.prior_profile = static_cast<int>(estimator.delay_profile);
  g.mmse_window =
      std::clamp(estimator.mmse_window, 2U, std::min(phy::max_mmse_window, g.num_pilots));
  g.bank_positions = phy::mmse_bank_positions(g.comb_period, g.mmse_window);
  // Covariance groups as phy::ChannelEstimate::set_covariance_groups() makes them.
  g.estimate_covariance =
      estimator.estimate_covariance || options.equalizer == phy::EqualizerAlgorithm::mmse_irc;
  const unsigned prbs = pusch.prb_size;
  unsigned group_prbs = estimator.covariance_group_prbs;
  group_prbs = (group_prbs == 0 || group_prbs > prbs) ? std::max(prbs, 1U) : group_prbs;
  g.covariance_group_subcarriers = phy::subcarriers_per_prb * group_prbs;
  g.num_covariance_groups = g.estimate_covariance ? (prbs + group_prbs - 1) / group_prbs : 0;
  return g;
}

detail::DataGeometry
GpuPuschFrontEnd::Impl::make_data_geometry(const phy::PuschConfig& pusch,
                                           const phy::PuschFrontEndOptions& options) const {
  const phy::PuschReMapping mapping = phy::make_pusch_re_mapping(cell, pusch);
  detail::DataGeometry d;
  d.layout = phy::make_pusch_data_layout(mapping);
  d.qm = pusch.modulation_order();
  d.mmse = options.equalizer != phy::EqualizerAlgorithm::zf;
  d.irc = options.equalizer == phy::EqualizerAlgorithm::mmse_irc;
  if (d.qm >= 2) {
    d.table = phy::make_pam_llr_table(d.qm / 2, phy::qam_scale(d.qm));
  }
  return d;
}

GpuPuschFrontEnd::GpuPuschFrontEnd(const phy::CellConfig& cell,
                                   const GpuPuschFrontEndLimits& limits, int device) {
  if (const std::string error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("GpuPuschFrontEnd: " + error);
  }
  if (limits.max_rx_antennas < 1 || limits.max_rx_antennas > 16 || limits.max_layers < 1 ||
      limits.max_layers > 4 || limits.max_prbs < 1 || limits.max_prbs > 275) {
    throw std::invalid_argument("GpuPuschFrontEnd: limits must be 1..16 receive antennas, 1..4 "
                                "layers and 1..275 PRBs");
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device));
  impl_ = std::make_unique<Impl>(cell, limits);
  impl_->device = device;
}

GpuPuschFrontEnd::~GpuPuschFrontEnd() = default;
GpuPuschFrontEnd::GpuPuschFrontEnd(GpuPuschFrontEnd&&) noexcept = default;
GpuPuschFrontEnd& GpuPuschFrontEnd::operator=(GpuPuschFrontEnd&&) noexcept = default;

std::size_t GpuPuschFrontEnd::slot_length(unsigned slot) const {
  return impl_->numerology.slot_length(slot);
}

void GpuPuschFrontEnd::demodulate(const cf32* device_iq, unsigned num_rx, unsigned slot) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.check_rx(num_rx);
  detail::OfdmGeometry g;
  g.num_rx = num_rx;
  g.num_symbols = s.num_symbols;
  g.fft_size = s.numerology.fft_size();
  g.num_subcarriers = s.grid_subcarriers;
  g.slot_length = s.numerology.slot_length(slot);
  g.scale = 1.0F / std::sqrt(static_cast<float>(g.fft_size));
  unsigned offset = 0;
  for (unsigned l = 0; l < s.num_symbols; ++l) {
    g.fft_start[l] = offset + s.numerology.cp_length(slot, l);
    offset += s.numerology.symbol_length(slot, l);
  }
  CufftPlan& plan = s.plan_for(num_rx);
  cudaStream_t stream = s.stream.get();
  s.ofdm_start.record(stream);
  profile_begin(stream);
  detail::launch_remove_cp(g, reinterpret_cast<const float2*>(device_iq), s.fft.data(), stream);
  plan.forward(reinterpret_cast<cufftComplex*>(s.fft.data()),
               reinterpret_cast<cufftComplex*>(s.fft.data()), stream);
  profile_launch("cuFFT", stream);
  detail::launch_extract_subcarriers(g, s.fft.data(), s.grid.data(), stream);
  s.ofdm_end.record(stream);
  s.ofdm_timed = true;
  s.grid_rx = num_rx;
}

CufftPlan& GpuPuschFrontEnd::Impl::plan_for(unsigned num_rx) {
  CufftPlan& plan = plans[num_rx];
  if (!plan.valid()) {
    if (stream_is_capturing(stream.get())) {
      throw std::logic_error("GpuPuschFrontEnd: no FFT plan for " + std::to_string(num_rx) +
                             " antennas inside a capture (call prepare_capture() first)");
    }
    plan =
        CufftPlan(static_cast<int>(numerology.fft_size()), static_cast<int>(num_rx * num_symbols));
  }
  return plan;
}

const cf32* GpuPuschFrontEnd::upload_iq(std::span<const cf32> iq, unsigned num_rx, unsigned slot,
                                        void* stream) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.check_rx(num_rx);
  if (iq.size() != std::size_t{num_rx} * slot_length(slot)) {
    throw std::invalid_argument("GpuPuschFrontEnd: expected " +
                                std::to_string(std::size_t{num_rx} * slot_length(slot)) +
                                " IQ samples");
  }
  s.iq.copy_from_host(std::span(reinterpret_cast<const float2*>(iq.data()), iq.size()),
                      stream != nullptr ? static_cast<cudaStream_t>(stream) : s.stream.get());
  return reinterpret_cast<const cf32*>(s.iq.data());
}

void GpuPuschFrontEnd::demodulate_host(std::span<const cf32> iq, unsigned num_rx, unsigned slot) {
  demodulate(upload_iq(iq, num_rx, slot), num_rx, slot);
}

bool GpuPuschFrontEnd::prepare_capture(unsigned num_rx, std::span<const phy::PuschConfig> pdus,
                                       unsigned slot, const phy::PuschFrontEndOptions& options) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.check_rx(num_rx);
  (void)s.plan_for(num_rx);
  if (slot >= phy::slots_per_frame(s.cell.numerology)) {
    return true; // its PDUs fail before estimation
  }
  std::vector<detail::MmseBankKey> needed; // distinct, at most the table's capacity
  for (const phy::PuschConfig& pusch : pdus) {
    if (!pusch.validate(s.cell).empty() || pusch.num_layers > s.limits.max_layers ||
        pusch.prb_size > s.limits.max_prbs) {
      continue; // fails in process()
    }
    detail::PduGeometry g;
    try {
      g = s.make_geometry(pusch, slot, options);
    } catch (const std::invalid_argument&) {
      continue; // fails in process()
    }
    if (!g.mmse_frequency) {
      continue;
    }
    const detail::MmseBankKey key = Impl::bank_key(g, options);
    if (std::find(needed.begin(), needed.end(), key) == needed.end()) {
      if (needed.size() == detail::MmseBankTable::capacity) {
        return false;
      }
      needed.push_back(key);
    }
  }
  // Least recently used first out: loading at most `capacity` keys keeps all of them.
  for (const detail::MmseBankKey& key : needed) {
    (void)s.banks.prepare(key, s.stream);
  }
  return true;
}

void GpuPuschFrontEnd::upload_grid(const phy::ResourceGrid& grid) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.check_rx(grid.num_ports());
  if (grid.num_symbols() != s.num_symbols || grid.num_subcarriers() != s.grid_subcarriers) {
    throw std::invalid_argument("GpuPuschFrontEnd: the grid does not have the cell's shape");
  }
  const auto elements = grid.elements();
  s.grid.copy_from_host(
      std::span(reinterpret_cast<const float2*>(elements.data()), elements.size()), s.stream.get());
  s.ofdm_timed = false;
  s.grid_rx = grid.num_ports();
}

std::size_t GpuPuschFrontEnd::process(const phy::PuschConfig& pusch, unsigned slot,
                                      const phy::PuschFrontEndOptions& options) {
  Impl& s = *impl_;
  make_device_current(s.device);
  if (const std::string error = pusch.validate(s.cell); !error.empty()) {
    throw std::invalid_argument("GpuPuschFrontEnd: " + error);
  }
  if (pusch.num_layers > s.limits.max_layers || pusch.prb_size > s.limits.max_prbs ||
      s.grid_rx == 0) {
    throw std::invalid_argument("GpuPuschFrontEnd: the PDU exceeds the limits, or no grid yet");
  }
  if (options.equalizer == phy::EqualizerAlgorithm::zf && s.grid_rx < pusch.num_layers) {
    throw std::invalid_argument("GpuPuschFrontEnd: zero forcing needs at least as many receive "
                                "antennas as layers");
  }
  cudaStream_t stream = s.stream.get();
  const detail::PduGeometry g = s.make_geometry(pusch, slot, options);
  const float2* banks = nullptr;
  if (g.mmse_frequency) {
    const detail::MmseBankKey key = Impl::bank_key(g, options);
    if (!stream_is_capturing(stream)) {
      banks = s.banks.prepare(key, s.stream); // host work and a copy: before the capture
    } else if ((banks = s.banks.find(key)) == nullptr) {
      throw std::logic_error("GpuPuschFrontEnd: the PDU's MMSE filter banks are not loaded "
                             "inside a capture (call prepare_capture() first)");
    }
  }
  const detail::DataGeometry d = s.make_data_geometry(pusch, options);
  const auto enqueue = [&] {
    s.estimate_start.record(stream); // DMRS generation counts as estimation
    profile_begin(stream);
    detail::launch_dmrs_generation(g, s.dmrs_generation, s.gold_table.data(), s.dmrs.data(),
                                   stream);
    detail::launch_dmrs_estimation(g, s.grid.data(), s.dmrs.data(), s.delay_sums.data(),
                                   s.pilots.data(), banks, s.state.data(), s.h.data(), stream);
    detail::launch_cfo_estimation(g, s.pilots.data(), s.state.data(), stream);
    if (g.estimate_covariance) {
      detail::launch_irc_covariance(g, s.pilots.data(), s.state.data(), s.covariances.data(),
                                    s.whitening.data(), stream);
    }
    s.estimate_end.record(stream);
    detail::launch_equalize_demap(g, d, s.grid.data(), s.h.data(), s.state.data(),
                                  s.whitening.data(), s.symbols.data(), s.noise.data(),
                                  s.llrs.data(), stream);
    s.equalize_end.record(stream);
    detail::launch_equalization_quality(s.symbols.data(), s.noise.data(),
                                        std::size_t{d.layout.num_res()} * g.num_layers, d.qm,
                                        s.quality_partials.data(), s.quality.data(), stream);
  };
  if (s.use_graph && !stream_is_capturing(stream)) { // else part of an enclosing capture
    s.graph.capture_or_update(stream, enqueue);
    s.graph.launch(stream);
  } else {
    enqueue();
  }
  s.geometry = g;
  s.num_res = d.layout.num_res();
  s.num_llrs = s.num_res * pusch.num_layers * d.qm;
  s.processed = true;
  s.descrambled = false;
  return s.num_llrs;
}

const float* GpuPuschFrontEnd::device_llrs() const {
  return impl_->llrs.data();
}

void GpuPuschFrontEnd::synchronize() {
  impl_->stream.synchronize();
}

void GpuPuschFrontEnd::descramble(std::uint32_t c_init) {
  Impl& s = *impl_;
  make_device_current(s.device);
  detail::launch_descramble(s.llrs.data(), s.num_llrs, c_init, s.gold_table.data(), s.stream.get());
  s.descramble_end.record(s.stream.get());
  s.descrambled = true;
}

} // namespace airan::gpu
