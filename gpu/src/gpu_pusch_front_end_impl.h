/// \file
/// \brief Private state of GpuPuschFrontEnd (gpu_pusch_front_end.cpp and
/// gpu_pusch_front_end_downloads.cpp): device buffers, plans, events and the last PDU's geometry.
#pragma once

#include "airan/gpu/cuda_graph.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/cufft_plan.h"
#include "airan/gpu/device_buffer.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "dmrs_generation_elements.h"
#include "front_end_hops.h"
#include "front_end_kernels.h"
#include "mmse_bank_table.h"
#include "neural_input_launch.h"
#include "ofdm_fft_elements.h"
#include "ptrs_phase_elements.h"
#include "time_wiener_elements.h"
#include "transform_deprecoding_elements.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/equalization_quality.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_frequency_hopping.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace airan::gpu {

struct GpuPuschFrontEnd::Impl {
  Impl(const phy::CellConfig& cell_in, const GpuPuschFrontEndLimits& limits_in)
      : cell(cell_in), limits(limits_in), numerology(phy::carrier_numerology(cell_in)),
        num_symbols(numerology.symbols_per_slot()),
        grid_subcarriers(phy::subcarriers_per_prb * cell_in.num_prbs) {
    const std::size_t rx = limits.max_rx_antennas;
    const std::size_t layers = limits.max_layers;
    const std::size_t prbs = limits.max_prbs;
    std::size_t longest = 0;
    for (unsigned s = 0; s < numerology.slots_per_subframe(); ++s) {
      longest = std::max<std::size_t>(longest, numerology.slot_length(s));
    }
    iq = DeviceBuffer<float2>(rx * longest);
    fft = DeviceBuffer<float2>(rx * num_symbols * numerology.fft_size());
    grid = DeviceBuffer<float2>(rx * num_symbols * grid_subcarriers);
    const std::size_t dmrs_values = layers * detail::max_symbols * 6 * prbs;
    dmrs = DeviceBuffer<float2>(dmrs_values);
    use_graph = cuda_graphs_enabled(); // AIRAN_CUDA_GRAPHS=0: kernels one by one
    const phy::GoldJumpTable table = phy::make_gold_jump_table();
    gold_table.copy_from_host(std::span(&table, 1), stream.get());
    const detail::PamLlrTables demapping = detail::make_pam_llr_tables();
    llr_tables.copy_from_host(std::span(&demapping, 1), stream.get());
    stream.synchronize(); // the host tables leave scope
    delay_sums = DeviceBuffer<float>(detail::dmrs_estimation_scratch_floats(rx, layers));
    delay_sums.fill_zero(stream.get()); // the noise estimator's block counter starts at zero
    stream.synchronize(); // before any graph, whose first estimation is not ordered after it
    pilots = DeviceBuffer<float2>(rx * layers * detail::max_symbols * 3 * prbs);
    h = DeviceBuffer<float2>(rx * layers * detail::max_symbols * 12 * prbs);
    // MMSE-IRC: a covariance and a whitening matrix per covariance group (at least a PRB each).
    covariances = DeviceBuffer<float>(2 * rx * rx * prbs);
    whitening = DeviceBuffer<phy::cmat::Complex>(rx * rx * prbs);
    // Intra-slot hopping: the second hop's DMRS, estimation scratch, pilots and matrices.
    hop_dmrs = DeviceBuffer<float2>(dmrs_values);
    hop_delay_sums = DeviceBuffer<float>(delay_sums.size());
    hop_delay_sums.fill_zero(stream.get());
    hop_pilots = DeviceBuffer<float2>(pilots.size());
    hop_covariances = DeviceBuffer<float>(covariances.size());
    hop_whitening = DeviceBuffer<phy::cmat::Complex>(whitening.size());
    stream.synchronize(); // the counter's zeros before any graph
    const std::size_t max_symbols = std::size_t{12} * prbs * detail::max_symbols * layers;
    symbols = DeviceBuffer<float2>(max_symbols);
    noise = DeviceBuffer<float>(max_symbols);
    llrs = DeviceBuffer<float>(max_symbols * 10);
    scrambling_words = DeviceBuffer<std::uint32_t>(llrs.size() / 32 + 2);
    plans.resize(rx + 1);
    // Transform precoding: the work area (zeroed: rows past a PDU's symbols go through its
    // inverse DFT too), a plan per PRB count made on first use, and the low-PAPR phase tables.
    deprecoding_work = DeviceBuffer<float2>(std::size_t{detail::max_symbols} * 12 * prbs);
    deprecoding_work.fill_zero(stream.get());
    deprecoding_plans.resize(prbs + 1);
    const std::vector<std::int8_t> phases = detail::make_low_papr_phase_tables();
    low_papr_phases = DeviceBuffer<std::int8_t>(phases.size());
    low_papr_phases.copy_from_host(phases, stream.get());
    stream.synchronize();                                     // the host table leaves scope
    if (detail::fused_ofdm_supports(numerology.fft_size())) { // the fused kernel's twiddles
      std::vector<float2> table(numerology.fft_size());
      detail::fill_fft_twiddles(numerology.fft_size(), table.data());
      twiddles = DeviceBuffer<float2>(table.size());
      twiddles.copy_from_host(table, stream.get());
      stream.synchronize(); // the host table leaves scope
    }
  }

  void check_rx(unsigned num_rx) const {
    if (num_rx == 0 || num_rx > limits.max_rx_antennas) {
      throw std::invalid_argument("GpuPuschFrontEnd: " + std::to_string(num_rx) +
                                  " receive antennas (limit " +
                                  std::to_string(limits.max_rx_antennas) + ")");
    }
  }

  /// The inverse-DFT plan of a transform-precoded PDU of \p num_prbs PRBs (batch max_symbols),
  /// made on first use outside a capture. \throws std::logic_error inside a capture without it.
  CufftPlan& deprecoding_plan(unsigned num_prbs);
  /// The FFT plan for \p num_rx antennas, made on first use (not inside a stream capture:
  /// prepare_capture() makes it beforehand). \throws std::logic_error when capturing without it.
  CufftPlan& plan_for(unsigned num_rx);
  /// The MMSE filter banks a PDU of geometry \p g needs.
  [[nodiscard]] static detail::MmseBankKey bank_key(const detail::PduGeometry& g,
                                                    const phy::PuschFrontEndOptions& options) {
    return {g.comb_period, g.mmse_window, options.estimator.delay_profile, g.scs_hz,
            options.estimator.delay_spread_s};
  }
  detail::PduGeometry make_geometry(const phy::PuschConfig& pusch, unsigned slot,
                                    const phy::PuschFrontEndOptions& options);
  /// \throws std::invalid_argument for an invalid PDU, one beyond the limits, or no grid yet.
  void check_pdu(const phy::PuschConfig& pusch) const;
  /// The MMSE filter banks of \p g (loaded first, outside a capture); nullptr without MMSE.
  /// \throws std::logic_error inside a capture when they are not loaded.
  const float2* filter_banks(const detail::PduGeometry& g,
                             const phy::PuschFrontEndOptions& options);
  detail::DataGeometry make_data_geometry(const phy::PuschConfig& pusch,
                                          const phy::PuschFrontEndOptions& options) const;

  /// A PDU's launches as process() or prepare() plan them (host work only).
  struct PlannedPdu {
    detail::PduGeometry g;
    detail::DataGeometry d;
    detail::DmrsGeneration generation; ///< What the DMRS generation needs.
    const float2* banks = nullptr;     ///< MMSE filter banks (device), or nullptr.
    detail::MmseBankKey bank_key;      ///< Of banks (enqueue_prepared() finds them again).
    bool pregenerated = false;         ///< The DMRS of pregenerate_dmrs() serve (no generation).
    bool descramble = false;
    std::uint32_t c_init = 0; ///< Of the data scrambling (with descramble).
    std::size_t num_llrs = 0;
    detail::TimeWienerPdu wiener; ///< The Wiener weights' launch (g.wiener_time).
    detail::PtrsPhasePdu ptrs;    ///< The PT-RS phases' launch (g.align_occasions).
    /// Intra-slot hopping (hops 2): g, generation, banks and wiener are the first hop's, these
    /// the second's.
    unsigned hops = 1;
    detail::PduGeometry hop_g;
    detail::DmrsGeneration hop_generation;
    const float2* hop_banks = nullptr;
    detail::MmseBankKey hop_bank_key;
    detail::TimeWienerPdu hop_wiener;
    /// Transform precoding (deprecoding.m > 0): the deprecoding's geometry (its buffers set by
    /// launches_of()) and its inverse-DFT plan.
    detail::TransformDeprecodingPdu deprecoding;
    CufftPlan* deprecoding_plan = nullptr;
    detail::EmptyValues empty; ///< Values sent empty (no UL-SCH), left out of the EVM.
  };
  /// The launch arguments of a planned PDU's estimation (a hop each with intra-slot hopping) and
  /// equalization, on this front end's buffers.
  struct PduLaunches {
    unsigned hops = 1;
    unsigned generations = 0; ///< DMRS generations (none with pregenerated DMRS).
    detail::DmrsGenerationPdu generation[2];
    detail::DmrsEstimationPdu estimation[2];
    detail::CfoEstimationPdu cfo[2];
    unsigned wieners = 0;
    detail::TimeWienerPdu wiener[2];
    unsigned covariances = 0;
    detail::IrcCovariancePdu covariance[2];
    detail::EqualizeDemapPdu equalization;
    unsigned deprecodings = 0; ///< 1 for a transform-precoded PDU.
    detail::TransformDeprecodingPdu deprecoding;
    CufftPlan* deprecoding_plan = nullptr;
    detail::EqualizationQualityPdu quality;
  };
  /// \p p's launches with the filter banks \p banks and \p hop_banks (device; nullptr without
  /// MMSE).
  PduLaunches launches_of(const PlannedPdu& p, const float2* banks, const float2* hop_banks);
  /// Checks \p pusch and plans its launches; consumes pregenerate_dmrs()'s DMRS when they are
  /// this PDU's. \throws std::invalid_argument as process().
  PlannedPdu plan_pdu(const phy::PuschConfig& pusch, unsigned slot,
                      const phy::PuschFrontEndOptions& options, bool descramble);
  /// The state after \p planned's launches were enqueued (\p timed: with stage events).
  void commit(const PlannedPdu& planned, bool timed);
  /// No PDU's results (before launches that overwrite them: a failed launch leaves none stale).
  void forget_processed();
  /// prepare()'s PDU, for enqueue_prepared().
  PlannedPdu prepared;
  bool has_prepared = false;
  /// The OFDM demodulation of \p device_iq (slot \p slot, \p num_rx antennas) into the grid,
  /// its FFT plan made. \throws std::invalid_argument for an antenna count beyond the limits.
  detail::OfdmSlot ofdm_slot(const phy::cf32* device_iq, unsigned num_rx, unsigned slot);
  /// The FFT plan of \p num_rx antennas (made by ofdm_slot()) on the FFT work area, on \p on.
  void fft_forward(unsigned num_rx, cudaStream_t on);
  /// The state after a slot's OFDM demodulation was enqueued (a prepared PDU dropped).
  void commit_ofdm(unsigned num_rx, bool timed);
  /// prepare_demodulation()'s slot, for enqueue_prepared_demodulation().
  detail::OfdmSlot prepared_ofdm;
  bool has_prepared_ofdm = false;

  phy::CellConfig cell;
  GpuPuschFrontEndLimits limits;
  phy::Numerology numerology;
  unsigned num_symbols;
  unsigned grid_subcarriers;
  int device = 0;       ///< Made current by every call that enqueues (callers' threads differ).
  unsigned grid_rx = 0; ///< Antennas in the device grid.

  CudaStream stream;
  CudaEvent ofdm_start, ofdm_end, estimate_start, estimate_end, equalize_end, descramble_end;
  /// process()'s branch beside the main chain: forked at the PDU's start, it writes the PDU's
  /// scrambling words (with descrambling; the demapper waits for scrambling_ready), then, once
  /// the pilots are de-spread (pilots_ready), estimates the CFO, and once the PDU is equalized
  /// (equalized), its quality: measurements no later kernel reads; joined again (branch_done)
  /// at the end of the PDU, or later (defer_branch_join). The branch waits only on events
  /// recorded with mark(): inside a capture a stage-time event is an external record node (see
  /// CudaEvent::record()), which a wait does not turn into an edge of the graph.
  CudaStream branch_stream;
  CudaEvent branch_fork{cudaEventDisableTiming}, scrambling_ready{cudaEventDisableTiming},
      pilots_ready{cudaEventDisableTiming}, equalized{cudaEventDisableTiming},
      branch_done{cudaEventDisableTiming};
  /// The end of an enqueue_prepared() batch this front end led, which the batch's front ends'
  /// streams wait for.
  CudaEvent batch_done{cudaEventDisableTiming};
  bool defer_branch_join = false; ///< set_deferred_branch_join()
  bool branch_open = false;       ///< process() or pregenerate_dmrs() left the branch unjoined.
  /// The DMRS pregenerate_dmrs() enqueued into `dmrs` for the next process() (valid: not yet
  /// consumed or overwritten).
  detail::DmrsGenerationKey pregenerated;
  bool pregenerated_valid = false;
  /// Joins an open branch into the stream (GpuPuschFrontEnd::join_branch()).
  void join_branch() {
    if (branch_open) {
      branch_open = false;
      branch_done.mark(branch_stream.get());
      branch_done.order_before(stream.get());
    }
  }
  detail::DmrsGeneration dmrs_generation; ///< Of the PDU being processed (make_geometry).
  /// process()'s kernels and events, captured per PDU and updated in place (same topology).
  CudaGraph graph;
  CudaGraph graph_pregenerated; ///< The same with the DMRS of pregenerate_dmrs() (no generation).
  CudaGraph graph_wiener;       ///< The two with Wiener time interpolation's kernels.
  CudaGraph graph_wiener_pregenerated;
  CudaGraph graph_ptrs; ///< The two with PT-RS phase tracking's (the CFO on the chain).
  CudaGraph graph_ptrs_pregenerated;
  CudaGraph graph_ptrs_wiener; ///< The two with both.
  CudaGraph graph_ptrs_wiener_pregenerated;
  CudaGraph graph_hopping;        ///< With two hops' estimation kernels (intra-slot hopping).
  CudaGraph graph_hopping_wiener; ///< The same with Wiener time interpolation's kernels.
  /// With the deprecoding's kernels and inverse DFT (DFT-s-OFDM), by transform_precoding_graph():
  /// pregenerated DMRS, two hops and Wiener weights each a topology of its own, and per PRB count
  /// (cuFFT's kernels for another DFT size may be other ones, in another number), so that PDUs
  /// alternating between sizes update their graphs. At most 8 x 53 (the 2^a 3^b 5^c counts).
  std::unordered_map<unsigned, CudaGraph> graphs_transform_precoding;
  [[nodiscard]] CudaGraph& transform_precoding_graph(unsigned num_prbs, bool pregenerated,
                                                     bool hopping, bool wiener) {
    return graphs_transform_precoding[num_prbs << 3U | (pregenerated ? 1U : 0U) |
                                      (hopping ? 2U : 0U) | (wiener ? 4U : 0U)];
  }
  /// Instantiations of process()'s own graphs (GpuPuschFrontEnd::graph_instantiations()).
  [[nodiscard]] unsigned graph_instantiations() const {
    unsigned count = 0;
    for (const CudaGraph* g :
         {&graph, &graph_pregenerated, &graph_wiener, &graph_wiener_pregenerated, &graph_ptrs,
          &graph_ptrs_pregenerated, &graph_ptrs_wiener, &graph_ptrs_wiener_pregenerated,
          &graph_hopping, &graph_hopping_wiener}) {
      count += g->instantiations();
    }
    for (const auto& [key, g] : graphs_transform_precoding) {
      count += g.instantiations();
    }
    return count;
  }
  bool use_graph = true;
  bool descrambled = false;          ///< descramble() ran after the last process().
  bool demapped_descrambled = false; ///< The last process() wrote descrambled LLRs.
  bool ofdm_timed = false;
  bool processed = false;
  bool used_pregenerated = false; ///< The last process() took pregenerate_dmrs()'s DMRS.
  bool stage_timing = true;       ///< GpuPuschFrontEnd::set_stage_timing()
  bool fused_ofdm = false;        ///< GpuPuschFrontEnd::set_fused_ofdm()
  /// Whether demodulation runs the fused kernel (asked for, and the FFT size supported).
  [[nodiscard]] bool uses_fused_ofdm() const { return fused_ofdm && twiddles.size() > 0; }
  bool process_timed = true; ///< The last process() recorded its stage events.
  /// Records \p event for the stage times when they are on.
  void time_mark(CudaEvent& event, cudaStream_t on) {
    if (stage_timing) {
      event.record(on);
    }
  }
  DeviceBuffer<float2> iq, fft, grid, dmrs, pilots, h, symbols;
  DeviceBuffer<float2> twiddles; ///< exp(-2 pi i m / N), m < N (fused OFDM sizes only).
  DeviceBuffer<float> delay_sums, noise, llrs;
  DeviceBuffer<std::uint32_t> scrambling_words; ///< The PDU's Gold words (one per 32 LLRs).
  DeviceBuffer<float> covariances;              ///< [group][rx][rx] interleaved (MMSE-IRC).
  DeviceBuffer<phy::cmat::Complex> whitening;   ///< [group][rx][rx] L^-1 (MMSE-IRC).
  DeviceBuffer<float2> hop_dmrs, hop_pilots;    ///< The second hop's (intra-slot hopping).
  DeviceBuffer<float> hop_delay_sums, hop_covariances;
  /// Transform precoding: the weighted values and their inverse DFT ([max_symbols][12 N_PRB]),
  /// each symbol's scale, the inverse-DFT plans by PRB count and the low-PAPR phase tables.
  DeviceBuffer<float2> deprecoding_work;
  DeviceBuffer<phy::DeprecodingScale> deprecoding_scales{detail::max_symbols};
  std::vector<CufftPlan> deprecoding_plans;
  DeviceBuffer<std::int8_t> low_papr_phases;
  DeviceBuffer<phy::cmat::Complex> hop_whitening;
  /// Wiener time weights [symbol][occasion] (TimeInterpolation::wiener).
  DeviceBuffer<float2> time_weights{std::size_t{detail::max_symbols} * phy::max_dmrs_occasions};
  /// The PDU's estimator state and quality totals (device_state(), device_quality()).
  DeviceBuffer<detail::PduMeasurements> measurements{1};
  [[nodiscard]] detail::EstimatorState* device_state() {
    return reinterpret_cast<detail::EstimatorState*>(reinterpret_cast<char*>(measurements.data()) +
                                                     offsetof(detail::PduMeasurements, state));
  }
  [[nodiscard]] detail::EstimatorState* device_hop_state() {
    return reinterpret_cast<detail::EstimatorState*>(reinterpret_cast<char*>(measurements.data()) +
                                                     offsetof(detail::PduMeasurements, second_hop));
  }
  [[nodiscard]] detail::QualitySums* device_quality() {
    return reinterpret_cast<detail::QualitySums*>(reinterpret_cast<char*>(measurements.data()) +
                                                  offsetof(detail::PduMeasurements, quality));
  }
  DeviceBuffer<phy::GoldJumpTable> gold_table{1};   ///< For DMRS generation on the device.
  DeviceBuffer<detail::PamLlrTables> llr_tables{1}; ///< The demapper's, per modulation order.
  detail::MmseBankTable banks;
  std::vector<CufftPlan> plans; ///< By antenna count, made on first use.

  /// DMRS measurements and quality of enqueue_measurements(), read after synchronize().
  PinnedBuffer<detail::PduMeasurements> pending{GpuPuschFrontEnd::max_pending_measurements};
  /// Per pending slot: whether its PDU hopped (its measurements merge two states).
  std::array<bool, GpuPuschFrontEnd::max_pending_measurements> pending_hopping{};
  /// Post-equalization quality of the last process(): per-block sums and their total.
  DeviceBuffer<detail::QualitySums> quality_partials{detail::quality_blocks};

  /// The last build_neural_inputs()'s PDU, for gather_neural_llrs().
  struct NeuralPdu {
    detail::NeuralInputGeometry geometry;
    phy::PuschDataLayout layout;
    unsigned start_symbol = 0;
    unsigned qm = 2;
    bool built = false;
  } neural;

  detail::PduGeometry geometry;     ///< Of the last process() (its first hop's with hopping).
  detail::PduGeometry hop_geometry; ///< The last process()'s second hop's (hopping).
  bool hopping = false;             ///< The last process()'s PDU hopped.
  std::size_t num_res = 0;          ///< Data REs per layer of the last process().
  std::size_t num_llrs = 0;
};

/// The DMRS measurements of an estimator state.
inline phy::DmrsMeasurements measurements_of(const detail::EstimatorState& state) {
  phy::DmrsMeasurements measurements;
  measurements.noise_variance = state.noise_variance;
  measurements.rsrp = state.rsrp;
  measurements.sinr_db = state.sinr_db;
  measurements.delay_s = state.delay_s;
  measurements.delay_spread_s = state.delay_spread_s;
  if (state.has_cfo != 0) {
    measurements.cfo_hz = state.cfo_hz;
  }
  for (std::size_t o = 0; o < measurements.occasion_phases.size(); ++o) {
    measurements.occasion_phases[o] = state.occasion_phases[o];
  }
  return measurements;
}

/// The DMRS measurements of \p measured: with \p hopping its hops' merged as the CPU front end
/// merges them (phy::merge_hop_measurements()).
inline phy::DmrsMeasurements measurements_of(const detail::PduMeasurements& measured,
                                             bool hopping) {
  phy::DmrsMeasurements measurements = measurements_of(measured.state);
  if (hopping) {
    phy::merge_hop_measurements(measurements, measurements_of(measured.second_hop));
  }
  return measurements;
}

/// The PDU measurements of DMRS measurements \p dmrs and quality sums \p quality.
inline phy::PuschMeasurements pusch_measurements_of(const phy::DmrsMeasurements& dmrs,
                                                    const detail::QualitySums& quality) {
  phy::PuschMeasurements measurements;
  measurements.noise_variance = dmrs.noise_variance;
  measurements.rsrp = dmrs.rsrp;
  measurements.sinr_db = dmrs.sinr_db;
  measurements.delay_s = dmrs.delay_s;
  measurements.cfo_hz = dmrs.cfo_hz;
  measurements.post_eq_sinr_db = phy::post_equalization_sinr_db(
      quality.noise_sum, static_cast<std::size_t>(quality.noise_count));
  measurements.evm = phy::evm_of(quality.error_power, quality.reference_power);
  return measurements;
}
/// The same of an estimator state.
inline phy::PuschMeasurements pusch_measurements_of(const detail::EstimatorState& state,
                                                    const detail::QualitySums& quality) {
  return pusch_measurements_of(measurements_of(state), quality);
}
/// The same of \p measured, its hops' merged when \p hopping.
inline phy::PuschMeasurements pusch_measurements_of(const detail::PduMeasurements& measured,
                                                    bool hopping) {
  return pusch_measurements_of(measurements_of(measured, hopping), measured.quality);
}

} // namespace airan::gpu
