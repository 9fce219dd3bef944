// Host side of GpuPuschFrontEnd: per-slot geometry and launches (downloads in
// gpu_pusch_front_end_downloads.cpp). The math
// is in ofdm_kernels.cu, dmrs_kernels.cu, irc_covariance_kernels.cu and equalize_demap_kernels.cu.
#include "airan/gpu/gpu_pusch_front_end.h"

#include "gpu_pusch_front_end_impl.h"

#include "airan/gpu/launch_profiler.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/pusch_data_layout.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace airan::gpu {

using phy::cf32;

detail::PduGeometry
GpuPuschFrontEnd::Impl::make_geometry(const phy::PuschConfig& pusch, unsigned slot,
                                      const phy::PuschFrontEndOptions& options) {
  return detail::make_pdu_geometry(cell, grid_rx, num_symbols, pusch, slot, options,
                                   dmrs_generation);
}

detail::DataGeometry
GpuPuschFrontEnd::Impl::make_data_geometry(const phy::PuschConfig& pusch,
                                           const phy::PuschFrontEndOptions& options) const {
  return detail::make_data_geometry(cell, pusch, options, llr_tables.data());
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

detail::OfdmSlot GpuPuschFrontEnd::Impl::ofdm_slot(const cf32* device_iq, unsigned num_rx,
                                                   unsigned slot) {
  check_rx(num_rx);
  detail::OfdmSlot ofdm;
  detail::OfdmGeometry& g = ofdm.g;
  g.num_rx = num_rx;
  g.num_symbols = num_symbols;
  g.fft_size = numerology.fft_size();
  g.num_subcarriers = grid_subcarriers;
  g.slot_length = numerology.slot_length(slot);
  g.scale = 1.0F / std::sqrt(static_cast<float>(g.fft_size));
  unsigned offset = 0;
  for (unsigned l = 0; l < num_symbols; ++l) {
    g.fft_start[l] = offset + numerology.cp_length(slot, l);
    offset += numerology.symbol_length(slot, l);
  }
  ofdm.iq = reinterpret_cast<const float2*>(device_iq);
  ofdm.fft = fft.data();
  ofdm.grid = grid.data();
  if (uses_fused_ofdm()) {
    ofdm.twiddles = twiddles.data();
  } else {
    (void)plan_for(num_rx); // made here, outside any capture that has no plan yet
  }
  return ofdm;
}

void GpuPuschFrontEnd::Impl::fft_forward(unsigned num_rx, cudaStream_t on) {
  plans[num_rx].forward(reinterpret_cast<cufftComplex*>(fft.data()),
                        reinterpret_cast<cufftComplex*>(fft.data()), on);
  profile_launch("cuFFT", on);
}

void GpuPuschFrontEnd::Impl::commit_ofdm(unsigned num_rx, bool timed) {
  ofdm_timed = timed;
  grid_rx = num_rx;
  has_prepared = false; // a PDU planned for the previous grid's antennas
  has_prepared_ofdm = false;
}

void GpuPuschFrontEnd::demodulate(const cf32* device_iq, unsigned num_rx, unsigned slot) {
  Impl& s = *impl_;
  make_device_current(s.device); // no join: the branch neither reads nor writes fft or grid
  const detail::OfdmSlot ofdm = s.ofdm_slot(device_iq, num_rx, slot);
  s.has_prepared = false; // a PDU planned for the previous grid's antennas
  s.ofdm_timed = false;   // until this slot's events are recorded
  cudaStream_t stream = s.stream.get();
  s.time_mark(s.ofdm_start, stream);
  profile_begin(stream);
  if (s.uses_fused_ofdm()) {
    detail::launch_fused_ofdm(std::span(&ofdm, 1), stream);
  } else {
    detail::launch_remove_cp(std::span(&ofdm, 1), stream);
    s.fft_forward(num_rx, stream);
    detail::launch_extract_subcarriers(std::span(&ofdm, 1), stream);
  }
  s.time_mark(s.ofdm_end, stream);
  s.commit_ofdm(num_rx, s.stage_timing);
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

void GpuPuschFrontEnd::upload_grid(const phy::ResourceGrid& grid) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.check_rx(grid.num_ports());
  if (grid.num_symbols() != s.num_symbols || grid.num_subcarriers() != s.grid_subcarriers) {
    throw std::invalid_argument("GpuPuschFrontEnd: the grid does not have the cell's shape");
  }
  s.has_prepared = false; // planned for the previous grid's antennas
  const auto elements = grid.elements();
  s.grid.copy_from_host(
      std::span(reinterpret_cast<const float2*>(elements.data()), elements.size()), s.stream.get());
  s.ofdm_timed = false;
  s.grid_rx = grid.num_ports();
}

std::size_t GpuPuschFrontEnd::process(const phy::PuschConfig& pusch, unsigned slot,
                                      const phy::PuschFrontEndOptions& options, bool descramble) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.has_prepared = false;
  cudaStream_t stream = s.stream.get();
  s.join_branch(); // the previous PDU's branch reads what this one overwrites
  const bool own_graph = s.use_graph && !stream_is_capturing(stream);
  const bool leave_open = s.defer_branch_join && !own_graph;
  const Impl::PlannedPdu planned = s.plan_pdu(pusch, slot, options, descramble);
  s.forget_processed(); // until commit()
  const detail::PduGeometry& g = planned.g;
  const bool pregenerated = planned.pregenerated;
  const float2* banks = planned.banks;
  const std::size_t num_llrs = planned.num_llrs;
  const auto enqueue = [&] {
    s.time_mark(s.estimate_start, stream); // DMRS generation counts as estimation
    profile_begin(stream);
    // The branch (Impl::branch_stream) runs the scrambling words and the CFO estimate (unless
    // the Wiener weights need it on the chain) beside the main chain; it is joined at the end,
    // also when a launch throws, as a capture with an unjoined stream could not be ended.
    const cudaStream_t branch = s.branch_stream.get();
    bool forked = false;
    const auto join = [&] {
      if (forked) {
        forked = false;
        s.branch_done.mark(branch);
        s.branch_done.order_before(stream);
      }
    };
    try {
      s.branch_fork.mark(stream);
      s.branch_fork.order_before(branch);
      forked = true;
      profile_begin(branch);
      if (descramble) {
        detail::launch_scrambling_words(s.scrambling_words.data(), num_llrs, planned.c_init,
                                        s.gold_table.data(), branch);
        s.scrambling_ready.mark(branch);
      }
      // A PDU (with intra-slot hopping, each hop) through the estimation kernels.
      const Impl::PduLaunches l = s.launches_of(planned, banks, planned.hop_banks);
      detail::launch_dmrs_generation(std::span(l.generation, l.generations), stream);
      const std::span<const detail::DmrsEstimationPdu> estimation(l.estimation, l.hops);
      const std::span<const detail::CfoEstimationPdu> cfo(l.cfo, l.hops);
      if (g.wiener_time || g.align_occasions) {
        // The interpolation reads the Wiener weights, made from the CFO's correlations, or the
        // occasions' alignment the CFO kernel makes from them: both on the chain.
        detail::launch_dmrs_estimation(estimation, cfo, std::span(l.wiener, l.wieners), stream);
      } else {
        detail::launch_dmrs_estimation(estimation, stream);
        s.pilots_ready.mark(stream);
        s.pilots_ready.order_before(branch);
        profile_begin(branch); // the CFO kernel's time from here, not its wait
        detail::launch_cfo_estimation(cfo, branch);
      }
      detail::launch_irc_covariance(std::span(l.covariance, l.covariances), stream);
      if (planned.ptrs.count > 0) { // the symbols' phases from H, for the equalizer
        detail::launch_ptrs_phases(std::span(&planned.ptrs, 1), stream);
      }
      s.time_mark(s.estimate_end, stream);
      if (descramble) {
        s.scrambling_ready.order_before(stream);
        profile_begin(stream);
      }
      detail::launch_equalize_demap(std::span(&l.equalization, 1), stream);
      // Transform precoding: the inverse DFT of the equalized symbols, then their demapping.
      detail::launch_transform_deprecoding(std::span(&l.deprecoding, l.deprecodings),
                                           std::span(&l.deprecoding_plan, l.deprecodings), stream);
      s.time_mark(s.equalize_end, stream);
      s.equalized.mark(stream); // the branch's quality kernels wait for it
      s.equalized.order_before(branch);
      profile_begin(branch);
      detail::launch_equalization_quality(std::span(&l.quality, 1), branch);
      if (leave_open) {
        s.branch_open = true; // joined by the next call that enqueues, or join_branch()
      } else {
        join();
      }
    } catch (...) {
      try {
        join();
      } catch (...) { // the first error is the one to report
      }
      throw;
    }
  };
  if (own_graph) { // else part of an enclosing capture, or no graphs
    // A graph per topology: with and without the DMRS generation (a cell's first PDU uses the
    // pregenerated DMRS, the others generate theirs), with the Wiener weights' kernels and with
    // PT-RS phase tracking's, and with two hops' estimation kernels, so that none is
    // re-instantiated per PDU when PDUs alternate between them.
    CudaGraph* graph = pregenerated ? &s.graph_pregenerated : &s.graph;
    if (planned.deprecoding.m > 0) { // DFT-s-OFDM: a graph per variant of its own
      graph = &s.transform_precoding_graph(planned.deprecoding.m / 12, pregenerated,
                                           planned.hops > 1, g.wiener_time);
    } else if (planned.hops > 1) {
      graph = g.wiener_time ? &s.graph_hopping_wiener : &s.graph_hopping; // never pregenerated
    } else if (g.align_occasions && g.wiener_time) {
      graph = pregenerated ? &s.graph_ptrs_wiener_pregenerated : &s.graph_ptrs_wiener;
    } else if (g.align_occasions) {
      graph = pregenerated ? &s.graph_ptrs_pregenerated : &s.graph_ptrs;
    } else if (g.wiener_time) {
      graph = pregenerated ? &s.graph_wiener_pregenerated : &s.graph_wiener;
    }
    graph->capture_or_update(stream, enqueue);
    graph->launch(stream);
  } else {
    enqueue();
  }
  s.commit(planned, s.stage_timing);
  return s.num_llrs;
}

void GpuPuschFrontEnd::Impl::check_pdu(const phy::PuschConfig& pusch) const {
  if (const std::string error = pusch.validate(cell); !error.empty()) {
    throw std::invalid_argument("GpuPuschFrontEnd: " + error);
  }
  if (pusch.num_layers > limits.max_layers || pusch.prb_size > limits.max_prbs || grid_rx == 0) {
    throw std::invalid_argument("GpuPuschFrontEnd: the PDU exceeds the limits, or no grid yet");
  }
}

const float2* GpuPuschFrontEnd::Impl::filter_banks(const detail::PduGeometry& g,
                                                   const phy::PuschFrontEndOptions& options) {
  if (!g.mmse_frequency) {
    return nullptr;
  }
  const detail::MmseBankKey key = bank_key(g, options);
  if (!stream_is_capturing(stream.get())) {
    return banks.prepare(key, stream); // host work and a copy: before the capture
  }
  const float2* loaded = banks.find(key);
  if (loaded == nullptr) {
    throw std::logic_error("GpuPuschFrontEnd: the PDU's MMSE filter banks are not loaded "
                           "inside a capture (call prepare_capture() first)");
  }
  return loaded;
}

const float* GpuPuschFrontEnd::device_llrs() const {
  return impl_->llrs.data();
}

void GpuPuschFrontEnd::synchronize() {
  impl_->join_branch();
  impl_->stream.synchronize();
}

void GpuPuschFrontEnd::set_deferred_branch_join(bool deferred) {
  impl_->defer_branch_join = deferred;
}

void GpuPuschFrontEnd::set_stage_timing(bool timing) {
  impl_->stage_timing = timing;
}

void GpuPuschFrontEnd::set_antenna_ports(unsigned ports) {
  phy::CellConfig cell = impl_->cell;
  cell.num_antenna_ports = ports;
  if (const std::string error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("GpuPuschFrontEnd: " + error);
  }
  impl_->cell = cell;
}

void GpuPuschFrontEnd::set_fused_ofdm(bool fused) {
  impl_->fused_ofdm = fused;
}

bool GpuPuschFrontEnd::fused_ofdm() const {
  return impl_->uses_fused_ofdm();
}

void GpuPuschFrontEnd::join_branch() {
  make_device_current(impl_->device);
  impl_->join_branch();
}

void GpuPuschFrontEnd::pregenerate_dmrs(const phy::PuschConfig& pusch, unsigned slot,
                                        const phy::PuschFrontEndOptions& options) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.join_branch();
  s.pregenerated_valid = false;
  // A prepared PDU that took the previous pregenerated DMRS generates its own: these overwrite
  // them.
  s.prepared.pregenerated = false;
  if (!pusch.validate(s.cell).empty() || pusch.num_layers > s.limits.max_layers ||
      pusch.prb_size > s.limits.max_prbs || slot >= phy::slots_per_frame(s.cell.numerology)) {
    return; // process() refuses it
  }
  if (pusch.intra_slot_hopping) {
    return; // process() generates each hop's DMRS itself
  }
  detail::PduGeometry g;
  try {
    // The antenna count does not enter the DMRS values (the grid may not be there yet).
    g = s.make_geometry(pusch, slot, options);
  } catch (const std::invalid_argument&) {
    return;
  }
  cudaStream_t stream = s.stream.get();
  const cudaStream_t branch = s.branch_stream.get();
  s.branch_fork.mark(stream);
  s.branch_fork.order_before(branch);
  s.branch_open = true; // forked: joined by join_branch() even when the launch fails
  profile_begin(branch);
  detail::launch_dmrs_generation(g, s.dmrs_generation, s.gold_table.data(),
                                 s.low_papr_phases.data(), s.dmrs.data(), branch);
  s.pregenerated = detail::DmrsGenerationKey(g, s.dmrs_generation);
  s.pregenerated_valid = true;
}

bool GpuPuschFrontEnd::llrs_descrambled() const {
  return impl_->descrambled || impl_->demapped_descrambled;
}

bool GpuPuschFrontEnd::used_pregenerated_dmrs() const {
  return impl_->used_pregenerated;
}

void GpuPuschFrontEnd::descramble(std::uint32_t c_init) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.join_branch();
  detail::launch_descramble(s.llrs.data(), s.num_llrs, c_init, s.gold_table.data(), s.stream.get());
  s.time_mark(s.descramble_end, s.stream.get());
  s.descrambled = true;
}

} // namespace airan::gpu
