/// \file
/// \brief Kernel launchers of GpuPuschFrontEnd (private): plain parameter structs filled by the
/// host per slot and passed by value, so that the kernels need no host synchronisation. The
/// launch configuration lives in the launchers, the math in the kernels (*.cu).
#pragma once

#include "airan/phy/complex_matrix.h"
#include "airan/phy/dmrs_cfo.h"
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/host_device.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_data_layout.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/soft_demapper.h"

#include <cuda_runtime.h>
#include <cufft.h>

#include <cstdint>
#include <span>

namespace airan::gpu::detail {

constexpr unsigned max_symbols = 14;

/// CP removal and extraction of one slot.
struct OfdmGeometry {
  unsigned num_rx = 0;
  unsigned num_symbols = 14;
  unsigned fft_size = 0;
  unsigned num_subcarriers = 0;         ///< Carrier subcarriers, 12 N_grid.
  unsigned slot_length = 0;             ///< Samples per antenna.
  unsigned fft_start[max_symbols] = {}; ///< First sample of each FFT window in the slot.
  float scale = 1.0F;                   ///< 1 / sqrt(fft_size).
};

/// One slot's OFDM demodulation: its geometry, IQ ([rx][slot_length], device), FFT work area
/// ([rx][symbol][fft_size]) and grid ([rx][symbol][num_subcarriers]); the fused kernel's twiddle
/// table (fill_fft_twiddles(), ofdm_fft_elements.h) where it runs.
struct OfdmSlot {
  OfdmGeometry g;
  const float2* iq = nullptr;
  float2* fft = nullptr;
  float2* grid = nullptr;
  const float2* twiddles = nullptr;
};

/// Copies each FFT window of every slot's iq into its fft, the slots' blocks in one grid.
void launch_remove_cp(std::span<const OfdmSlot> slots, cudaStream_t stream);
/// Scaled extraction of the carrier's subcarriers from every slot's fft into its grid.
void launch_extract_subcarriers(std::span<const OfdmSlot> slots, cudaStream_t stream);
/// CP removal, FFT and extraction of every slot in one kernel (fused_ofdm_supports() its FFT
/// size, twiddles set), without the fft work area (ofdm_fused_kernels.cu).
void launch_fused_ofdm(std::span<const OfdmSlot> slots, cudaStream_t stream);

/// Geometry and options of one PDU for the DMRS estimator and the equalizer.
struct PduGeometry {
  unsigned num_rx = 0;
  unsigned num_layers = 0;
  unsigned grid_symbols = 14;    ///< Symbols per slot of the grid.
  unsigned grid_subcarriers = 0; ///< Carrier subcarriers (row length of the grid).
  unsigned first_subcarrier = 0; ///< First allocated subcarrier in the carrier.
  unsigned num_subcarriers = 0;  ///< Allocated subcarriers (row length of H).
  unsigned start_symbol = 0;
  unsigned end_symbol = 0; ///< One past the PDU's last symbol.
  // DMRS
  unsigned comb_period = 4; ///< 4 (type 1) or 6 (type 2).
  unsigned pair_offset = 2; ///< 2 (type 1) or 1 (type 2).
  unsigned num_values = 0;  ///< DMRS values per port and symbol.
  unsigned num_pilots = 0;  ///< De-spread pilots per occasion (num_values / 2).
  unsigned num_dmrs_symbols = 0;
  unsigned symbols_per_occasion = 1;
  unsigned num_occasions = 0;
  unsigned dmrs_symbols[max_symbols] = {};
  unsigned deltas[4] = {}; ///< Subcarrier offset of each layer's CDM group.
  int twice_first[4] = {}; ///< Twice the first pilot's subcarrier per layer.
  float beta = 1.0F;
  float scs_hz = 30000.0F;
  // Options
  bool compensate_delay = true;
  bool mmse_frequency = true;
  bool average_time = false;
  bool wiener_time = false; ///< Wiener weights (TimeWienerPdu) instead of linear / average.
  /// Rotate every DMRS occasion to the first one's phase before the time interpolation
  /// (PT-RS phase tracking; phy::DmrsChannelEstimatorOptions::align_occasion_phases).
  bool align_occasions = false;
  bool configured_prior = false; ///< The prior spread is fixed (one bank row).
  int prior_profile = 0;         ///< phy::DelayProfile.
  unsigned mmse_window = 12;     ///< Effective window (clamped to the pilots).
  unsigned bank_positions = 0;   ///< Positions per filter bank.
  // Interference-plus-noise covariance (MMSE-IRC), as phy::ChannelEstimate groups it.
  bool estimate_covariance = false;
  unsigned covariance_group_subcarriers = 12; ///< 12 x PRBs per covariance group.
  unsigned num_covariance_groups = 1;
  // CFO: seconds between consecutive DMRS occasions (phy::dmrs_occasion_time_steps).
  unsigned num_occasion_pairs = 0;
  double occasion_dt[phy::max_dmrs_occasions - 1] = {};
};

/// What the device needs to generate a PDU's DMRS (TS 38.211 6.4.1.1.1) for every layer on every
/// DMRS symbol of g.dmrs_symbols.
struct DmrsGeneration {
  unsigned first_gold_bit = 0;            ///< 2 m0: Gold index of the first value's real part.
  std::uint32_t c_init[max_symbols] = {}; ///< Per DMRS symbol (index into g.dmrs_symbols).
  unsigned l_prime[max_symbols] = {};     ///< Per DMRS symbol: 0, or 1 for a pair's second.
  int w_f[4][2] = {};                     ///< Per layer: w_f(k').
  int w_t[4][2] = {};                     ///< Per layer: w_t(l').
  /// Transform precoding (TS 38.211 6.4.1.1.1.2): the low-PAPR sequence r_{u,v} of length
  /// num_values per DMRS symbol (phy/low_papr_sequence_math.h) instead of the Gold sequence.
  bool low_papr = false;
  unsigned n_zc = 0;                ///< Its N_ZC (lengths from 36).
  std::uint8_t u[max_symbols] = {}; ///< Per DMRS symbol: group u.
  std::uint8_t v[max_symbols] = {}; ///< Per DMRS symbol: base sequence v.
};

/// What launch_dmrs_generation() writes depends on: two PDUs with equal keys have the same DMRS
/// values in the buffer.
struct DmrsGenerationKey {
  unsigned num_layers = 0;
  unsigned num_dmrs_symbols = 0;
  unsigned num_values = 0;
  float beta = 0.0F;
  DmrsGeneration generation;

  DmrsGenerationKey() = default;
  DmrsGenerationKey(const PduGeometry& g, const DmrsGeneration& d)
      : num_layers(g.num_layers), num_dmrs_symbols(g.num_dmrs_symbols), num_values(g.num_values),
        beta(g.beta), generation(d) {}
  [[nodiscard]] bool operator==(const DmrsGenerationKey& other) const;
};

/// One PDU's DMRS generation: launch_dmrs_generation()'s arguments.
struct DmrsGenerationPdu {
  PduGeometry g;
  DmrsGeneration d;
  const phy::GoldJumpTable* table = nullptr;
  float2* dmrs = nullptr;
  /// With d.low_papr: the phase tables of lengths 6 .. 24 (make_low_papr_phase_tables()).
  const std::int8_t* low_papr_phases = nullptr;
};

/// Generates the DMRS values [layer][DMRS symbol][value] (max_symbols rows of g.num_values per
/// layer) of every PDU of \p pdus into its \p dmrs with the Gold jump \p table (device memory):
/// one thread per 16 values, the values of phy::generate_pusch_dmrs bit for bit
/// (phy::dmrs_value_weight/component); the PDUs' blocks in one grid (launch_batches.cuh).
void launch_dmrs_generation(std::span<const DmrsGenerationPdu> pdus, cudaStream_t stream);
/// The same for one PDU.
inline void launch_dmrs_generation(const PduGeometry& g, const DmrsGeneration& d,
                                   const phy::GoldJumpTable* table,
                                   const std::int8_t* low_papr_phases, float2* dmrs,
                                   cudaStream_t stream) {
  const DmrsGenerationPdu pdu{g, d, table, dmrs, low_papr_phases};
  launch_dmrs_generation(std::span(&pdu, 1), stream);
}

/// Descrambles \p count LLRs in place with the Gold sequence of \p c_init (one thread per 32 LLRs,
/// phy::descramble_llr_word on gold_sequence_word).
void launch_descramble(float* llrs, std::size_t count, std::uint32_t c_init,
                       const phy::GoldJumpTable* table, cudaStream_t stream);

/// One codeword's scrambling words: launch_scrambling_words()'s arguments.
struct ScramblingWordsPdu {
  std::uint32_t* words = nullptr;
  std::size_t count = 0; ///< LLRs.
  std::uint32_t c_init = 0;
  const phy::GoldJumpTable* table = nullptr;
};

/// Writes, for each PDU of \p pdus, the Gold sequence of its c_init for its count LLRs as packed
/// words into its words (ceil(count / 32) of them; words[w] = phy::gold_sequence_word(c_init,
/// 32 w)), which launch_equalize_demap() descrambles with (phy::descramble_llrs_from_words).
void launch_scrambling_words(std::span<const ScramblingWordsPdu> pdus, cudaStream_t stream);
/// The same for one codeword.
inline void launch_scrambling_words(std::uint32_t* words, std::size_t count, std::uint32_t c_init,
                                    const phy::GoldJumpTable* table, cudaStream_t stream) {
  const ScramblingWordsPdu pdu{words, count, c_init, table};
  launch_scrambling_words(std::span(&pdu, 1), stream);
}

/// Per-PDU values computed on the device and read by later kernels.
struct EstimatorState {
  double delay_phase = 0.0; ///< arg of the raw-LS delay correlation.
  double omega = 0.0;       ///< Compensation ramp step (0 without compensation).
  float delay_s = 0.0F;
  float noise_variance = 0.0F;
  float rsrp = 0.0F;
  float sinr_db = 0.0F;
  float delay_spread_s = 0.0F;
  float equalizer_noise = 0.0F;   ///< sigma^2 for the equalizer (floored).
  float channel_power = 0.0F;     ///< Mean de-spread pilot power minus sigma_e^2 (at least 0).
  int bank = 0;                   ///< Filter bank: prior row * mmse_num_snr_bins + SNR bin.
  float cfo_hz = 0.0F;            ///< launch_cfo_estimation() (valid when has_cfo).
  int has_cfo = 0;                ///< At least two DMRS occasions.
  float despread_variance = 0.0F; ///< sigma_e^2 of a de-spread pilot.
  /// Each occasion pair's CFO correlation (launch_cfo_estimation()), for the Wiener weights.
  double cfo_re[phy::max_dmrs_occasions - 1] = {};
  double cfo_im[phy::max_dmrs_occasions - 1] = {};
  /// With g.align_occasions (record_cfo()): each occasion's rotation to the first one's phase
  /// and that phase (phy/ptrs_phase_math.h); else rotations 1 and phases 0.
  float occasion_rotation_re[phy::max_dmrs_occasions] = {};
  float occasion_rotation_im[phy::max_dmrs_occasions] = {};
  float occasion_phases[phy::max_dmrs_occasions] = {};
  /// With PT-RS tracking (launch_ptrs_phases(), ptrs_phase_elements.h): each slot symbol's
  /// phase error and exp(-j phase), by which the equalizer rotates its data REs.
  float ptrs_phases[max_symbols] = {};
  float2 ptrs_rotation[max_symbols] = {};
};

/// Floats of launch_dmrs_estimation()'s \p scratch for up to \p rx antennas and \p layers: the
/// noise estimator's counter of blocks done (first, at the same place for every PDU shape; it
/// must be zero before the first estimation: the scratch zeroed once, each estimation leaves it
/// at zero), its per-block partial sums (doubles), then the delay correlations.
std::size_t dmrs_estimation_scratch_floats(std::size_t rx, std::size_t layers);

/// One PDU's DMRS estimation: launch_dmrs_estimation()'s arguments.
struct DmrsEstimationPdu {
  PduGeometry g;
  const float2* grid = nullptr;
  const float2* dmrs = nullptr;
  float* scratch = nullptr;
  float2* pilots = nullptr;
  const float2* banks = nullptr;
  EstimatorState* state = nullptr;
  float2* h = nullptr;
  /// With g.wiener_time: the weights [symbol][occasion] (max_symbols x max_dmrs_occasions) of
  /// launch_time_wiener() (time_wiener_elements.h), which runs before the interpolation.
  const float2* time_weights = nullptr;
};

/// DMRS estimation of every PDU of \p pdus on its grid into its h ([rx][layer][14]
/// [num_subcarriers]) and state: a launch per step, the PDUs' blocks in one grid.
/// dmrs: [layer][14][num_values]; scratch: dmrs_estimation_scratch_floats() floats of the PDU's
/// own (device memory, 256-byte aligned as cudaMalloc gives it); pilots:
/// [rx][layer][occasion][pilot]; banks: filter banks [bank][position][window] (MMSE).
void launch_dmrs_estimation(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream);

/// Interference-plus-noise covariance of every group (g.num_covariance_groups blocks) from the
/// difference-filter residuals of the de-spread \p pilots, grouped and regularised as on the CPU
/// (phy/irc_whitening.h; the float sums in another order), into \p covariances ([group][rx][rx],
/// interleaved re, im), and each group's whitening matrix L^-1 into \p whitening ([group][rx][rx];
/// zero where a covariance is not positive definite). Reads state->noise_variance and
/// channel_power, so it runs after launch_dmrs_estimation().
/// One PDU's covariance and whitening: launch_irc_covariance()'s arguments. Several PDUs run in
/// one grid; those without g.estimate_covariance are the caller's to leave out.
struct IrcCovariancePdu {
  PduGeometry g;
  const float2* pilots = nullptr;
  const EstimatorState* state = nullptr;
  float* covariances = nullptr;
  phy::cmat::Complex* whitening = nullptr;
};
void launch_irc_covariance(std::span<const IrcCovariancePdu> pdus, cudaStream_t stream);
inline void launch_irc_covariance(const PduGeometry& g, const float2* pilots,
                                  const EstimatorState* state, float* covariances,
                                  phy::cmat::Complex* whitening, cudaStream_t stream) {
  const IrcCovariancePdu pdu{g, pilots, state, covariances, whitening};
  launch_irc_covariance(std::span(&pdu, 1), stream);
}

/// Data RE layout and modulation of one PDU for the fused equalizer and demapper.
struct DataGeometry {
  phy::PuschDataLayout layout; ///< Where the data REs are (phy::locate_data_re).
  unsigned qm = 2;
  bool mmse = true;
  bool irc = false; ///< Whiten each RE with its covariance group's matrix, then noise 1.
  /// Rotate each RE's received values by its symbol's state->ptrs_rotation first (PT-RS).
  bool rotate = false;
  /// Intra-slot hopping: the slot symbols from this one on are the second hop's, which starts
  /// at carrier subcarrier second_hop_first_subcarrier (max_symbols: no second hop).
  unsigned second_hop_symbol = max_symbols;
  unsigned second_hop_first_subcarrier = 0;
  /// The demapper's table of qm (device memory, PamLlrTables::of()); not read for pi/2-BPSK.
  const phy::PamLlrTable* table = nullptr;
  /// Transform precoding: equalize only (symbols and noise variances; the deprecoding kernels,
  /// transform_deprecoding_elements.h, demap after the inverse DFT).
  bool transform_precoding = false;
};

/// The demapper's tables of every square QAM order, by bits per axis (make_pam_llr_table(b,
/// qam_scale(2 b)); entry 0 a copy of QPSK's), for device memory: a DataGeometry points at its
/// order's table, so that the launch parameters of many PDUs stay small.
struct PamLlrTables {
  static constexpr unsigned count = 5;
  phy::PamLlrTable tables[count];
  /// The index of Q_m \p qm's table.
  static constexpr unsigned index_of(unsigned qm) { return qm / 2; }
};
/// Builds PamLlrTables (host).
PamLlrTables make_pam_llr_tables();

/// Equalizes every data RE and writes symbols, noise variances and LLRs (codeword order). With
/// d.irc, \p whitening holds the matrices of launch_irc_covariance() (else it is not read).
/// With \p scrambling (launch_scrambling_words() of the codeword), the LLRs are written
/// descrambled (phy::descramble_llrs_from_words); null: as demapped.
/// One PDU's equalization and demapping: launch_equalize_demap()'s arguments.
struct EqualizeDemapPdu {
  PduGeometry g;
  DataGeometry d;
  const float2* grid = nullptr;
  const float2* h = nullptr;
  const EstimatorState* state = nullptr;
  const phy::cmat::Complex* whitening = nullptr;
  float2* symbols = nullptr;
  float* noise_variances = nullptr;
  float* llrs = nullptr;
  const std::uint32_t* scrambling = nullptr;
  /// With d.second_hop_symbol: the second hop's estimator state and whitening matrices.
  const EstimatorState* second_state = nullptr;
  const phy::cmat::Complex* second_whitening = nullptr;
};
/// The same for several PDUs: a grid per layer count and antenna class (up to 4, more) with the
/// blocks of every PDU of that kind. \throws std::invalid_argument (before any launch) for a
/// modulation order other than 1, 2, 4, 6 or 8 bits.
void launch_equalize_demap(std::span<const EqualizeDemapPdu> pdus, cudaStream_t stream);
inline void launch_equalize_demap(const PduGeometry& g, const DataGeometry& d, const float2* grid,
                                  const float2* h, const EstimatorState* state,
                                  const phy::cmat::Complex* whitening, float2* symbols,
                                  float* noise_variances, float* llrs,
                                  const std::uint32_t* scrambling, cudaStream_t stream) {
  const EqualizeDemapPdu pdu{g,    d,         grid, h, state, whitening, symbols, noise_variances,
                             llrs, scrambling};
  launch_equalize_demap(std::span(&pdu, 1), stream);
}

/// Enqueues the CFO estimate (phy/dmrs_cfo.h) from the de-spread \p pilots of
/// launch_dmrs_estimation() into state->cfo_hz and state->has_cfo, and each occasion pair's
/// correlation into state->cfo_re / cfo_im: one block, each correlation reduced in a fixed order.
struct CfoEstimationPdu {
  PduGeometry g;
  const float2* pilots = nullptr;
  EstimatorState* state = nullptr;
};
/// The same for several PDUs, a block each in one grid.
void launch_cfo_estimation(std::span<const CfoEstimationPdu> pdus, cudaStream_t stream);

/// Sums of the post-equalization quality of a PDU: the finite post-equalization noise variances
/// and their count, and the error and reference powers of hard decisions on the QAM axes.
struct QualitySums {
  double noise_sum = 0.0;
  double noise_count = 0.0;
  double error_power = 0.0;
  double reference_power = 0.0;
};

/// A PDU's measurements as the host reads them (the estimator state and the quality totals),
/// side by side in device memory so that one copy brings both.
struct PduMeasurements {
  EstimatorState state; ///< The first hop's with intra-slot hopping.
  QualitySums quality;
  EstimatorState second_hop; ///< The second hop's (intra-slot hopping only).
};

/// Blocks of the quality kernel: each sums a fixed part, the total adds them in block order, so
/// the figures do not depend on scheduling.
inline constexpr unsigned quality_blocks = 64;

/// The values of a PDU sent empty (phy::pusch_empty_value_ranges(): a PUSCH without UL-SCH),
/// which the EVM leaves out as the CPU front end does.
struct EmptyValues {
  unsigned count = 0;
  std::uint32_t first[max_symbols] = {};
  std::uint32_t end[max_symbols] = {};
  /// Whether value \p i is in one of the ranges.
  [[nodiscard]] AIRAN_HOST_DEVICE bool contains(std::size_t i) const {
    for (unsigned r = 0; r < count; ++r) {
      if (i >= first[r] && i < end[r]) {
        return true;
      }
    }
    return false;
  }
};
/// The empty values of \p pusch on \p cell. (Host.)
EmptyValues make_empty_values(const phy::CellConfig& cell, const phy::PuschConfig& pusch);

/// Enqueues the quality of \p count equalized \p symbols (Q_m \p qm, hard decisions as
/// phy::qam_axis_decision) and their \p noise_variances: per-block sums into \p partials
/// (quality_blocks of them), then their total into \p total; the EVM without \p empty.
struct EqualizationQualityPdu {
  const float2* symbols = nullptr;
  const float* noise_variances = nullptr;
  std::size_t count = 0;
  unsigned qm = 2;
  QualitySums* partials = nullptr;
  QualitySums* total = nullptr;
  EmptyValues empty;
};
/// The same for several PDUs: each step's blocks of every PDU in one grid.
void launch_equalization_quality(std::span<const EqualizationQualityPdu> pdus, cudaStream_t stream);
inline void launch_equalization_quality(const float2* symbols, const float* noise_variances,
                                        std::size_t count, unsigned qm, QualitySums* partials,
                                        QualitySums* total, cudaStream_t stream) {
  const EqualizationQualityPdu pdu{symbols, noise_variances, count, qm, partials, total, {}};
  launch_equalization_quality(std::span(&pdu, 1), stream);
}

/// The estimator's geometry of \p pusch in \p slot on a grid of \p grid_rx antennas and
/// \p grid_symbols symbols of \p cell, and in \p dmrs_generation what the device needs to
/// generate its DMRS. \throws std::invalid_argument for an invalid DMRS setup.
PduGeometry make_pdu_geometry(const phy::CellConfig& cell, unsigned grid_rx, unsigned grid_symbols,
                              const phy::PuschConfig& pusch, unsigned slot,
                              const phy::PuschFrontEndOptions& options,
                              DmrsGeneration& dmrs_generation);
/// The data REs and demapping of \p pusch for the equalizer, its table in \p device_tables
/// (make_pam_llr_tables() in device memory).
DataGeometry make_data_geometry(const phy::CellConfig& cell, const phy::PuschConfig& pusch,
                                const phy::PuschFrontEndOptions& options,
                                const PamLlrTables* device_tables);

} // namespace airan::gpu::detail
