/// \file
/// \brief GpuPuschFrontEnd: the CUDA PUSCH front end, from time-domain IQ (or a received grid)
/// to codeword LLRs, matching phy::OfdmDemodulator and phy::PuschFrontEnd (docs/GPU.md).
///
/// Stages, all on one CUDA stream with every intermediate in device buffers allocated by the
/// constructor: CP removal + batched cuFFT (symbols x antennas) + carrier extraction into the
/// device grid [rx][symbol][subcarrier]; DMRS channel estimation (raw-LS delay, CDM
/// de-spreading with delay compensation, noise/RSRP/SINR/delay-spread measurements, linear or
/// MMSE frequency interpolation with the CPU's filter banks, linear, averaging or Wiener time
/// interpolation) into H [rx][layer][symbol][allocated subcarrier]; for MMSE-IRC, the
/// interference-plus-noise covariance of every PRB group from the DMRS residuals, regularised, and
/// its whitening matrix L^-1 (phy/irc_whitening.h, the CPU's math); then one fused kernel per
/// data RE: ZF/MMSE equalization (phy::equalize_resource_element; MMSE-IRC whitens y and H with
/// the RE's group matrix first and uses noise 1, as phy::MimoEqualizer) and max-log demapping
/// (phy::qam_symbol_llrs), LLRs in codeword order, not descrambled. A transform-precoded
/// (DFT-s-OFDM) PDU is equalized only, then deprecoded per symbol (MMSE weights, an inverse
/// cuFFT of 12 N_PRB points, unbiasing: phy/transform_deprecoding_math.h, the CPU's math) and
/// demapped. A PDU's DMRS is generated on the device (Gold words by jump-ahead,
/// phy::gold_sequence_word; DFT-s-OFDM's low-PAPR sequences element by element,
/// phy/low_papr_sequence_math.h); nothing waits for the device inside process(), except the
/// first time a PDU shape needs MMSE filter banks (they are computed on the host and uploaded
/// once per shape) or a DFT-s-OFDM PRB count its inverse-DFT plan (made once per count).
///
/// The measurements are the CPU's: noise, RSRP, SINR, delay and delay spread from the DMRS, the
/// CFO from the phase drift between DMRS occasions (phy/dmrs_cfo.h), and the post-equalization
/// SINR and EVM (phy/equalization_quality.h).
/// This header has no CUDA types; without CUDA the constructor throws std::runtime_error.
#pragma once

#include "airan/gpu/gpu_ofdm_workspace.h"
#include "airan/phy/channel_estimate.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace airan::gpu {

/// Largest PDU and antenna count the front end allocates for.
struct GpuPuschFrontEndLimits {
  unsigned max_rx_antennas = 4; ///< 1 .. 16.
  unsigned max_layers = 4;      ///< 1 .. 4.
  unsigned max_prbs = 275;      ///< 1 .. 275 (and at least the PDU's allocation).
};

/// Device time of each stage of the last slot, from CUDA events (milliseconds).
struct GpuStageTimes {
  float ofdm_ms = 0.0F;           ///< CP removal, FFT, extraction (0 for a host grid).
  float estimate_ms = 0.0F;       ///< DMRS channel estimation.
  float equalize_demap_ms = 0.0F; ///< Fused equalization and demapping (DFT-s-OFDM: with the
                                  ///< deprecoding).
  float descramble_ms = 0.0F;     ///< descramble() after the last process() (else 0, also when
                                  ///< process() descrambled while demapping).
};

/// CUDA PUSCH front end of one cell. Not thread-safe; one object per stream.
class GpuPuschFrontEnd {
public:
  /// Allocates every device buffer and the FFT plans for \p cell and \p limits on CUDA device
  /// \p device.
  /// \throws std::runtime_error without CUDA or a device, std::invalid_argument for limits out
  /// of range or an invalid cell, CudaError (a std::runtime_error) when CUDA fails.
  explicit GpuPuschFrontEnd(const phy::CellConfig& cell, const GpuPuschFrontEndLimits& limits = {},
                            int device = 0);
  ~GpuPuschFrontEnd();
  GpuPuschFrontEnd(const GpuPuschFrontEnd&) = delete;
  GpuPuschFrontEnd& operator=(const GpuPuschFrontEnd&) = delete;
  GpuPuschFrontEnd(GpuPuschFrontEnd&&) noexcept;
  GpuPuschFrontEnd& operator=(GpuPuschFrontEnd&&) noexcept;

  /// Samples of one antenna in slot \p slot (all symbols with their CPs).
  [[nodiscard]] std::size_t slot_length(unsigned slot) const;

  /// Enqueues OFDM demodulation of \p device_iq (device memory: \p num_rx antennas, antenna
  /// after antenna, slot_length(slot) samples each) into the device grid.
  /// \throws std::invalid_argument when num_rx exceeds the limits.
  void demodulate(const phy::cf32* device_iq, unsigned num_rx, unsigned slot);
  /// Copies host \p iq (same layout) to the device, then demodulate(). The copy is enqueued
  /// (cudaMemcpyAsync): from pageable memory \p iq may be reused when this returns (the driver
  /// has staged it); from page-locked memory (pinned, or registered like a DMA ring) the copy
  /// runs later, so \p iq must stay as it is until the front end's stream has reached it
  /// (synchronize(), or the slot's results downloaded).
  /// \throws std::invalid_argument when iq.size() is not num_rx * slot_length(slot).
  void demodulate_host(std::span<const phy::cf32> iq, unsigned num_rx, unsigned slot);
  /// Copies host \p iq (as demodulate_host(), with the same lifetime rule, on \p stream) into
  /// this front end's device IQ buffer on \p stream (a cudaStream_t; null: this front end's) and
  /// returns its device address, for a later demodulate(), which runs on the front end's stream:
  /// with another \p stream the caller orders the two. \throws as demodulate_host().
  const phy::cf32* upload_iq(std::span<const phy::cf32> iq, unsigned num_rx, unsigned slot,
                             void* stream = nullptr);
  /// Does beforehand what demodulate() and process() cannot do inside a CUDA graph capture of
  /// their work (GpuCellGroup's graph of a whole slot): makes the FFT plan for \p num_rx
  /// antennas and the inverse-DFT plans of \p pdus' DFT-s-OFDM PRB counts, and loads the MMSE
  /// filter banks that \p pdus need in \p slot (invalid PDUs are skipped). Returns false when they
  /// need more different bank sets than the front end holds at once (3): their process() calls
  /// cannot then be captured together. Inside a capture, demodulate() and process() without this
  /// throw std::logic_error. \throws std::invalid_argument when num_rx exceeds the limits,
  /// CudaError.
  bool prepare_capture(unsigned num_rx, std::span<const phy::PuschConfig> pdus, unsigned slot,
                       const phy::PuschFrontEndOptions& options);
  /// Copies a host grid ([rx][symbol][subcarrier] of the cell) into the device grid.
  /// \throws std::invalid_argument for a grid of another shape.
  void upload_grid(const phy::ResourceGrid& grid);

  /// Enqueues channel estimation, equalization and demapping of \p pusch on the device grid;
  /// the G LLRs land in device_llrs(). Returns G. With \p descramble, the demapper writes them
  /// descrambled (TS 38.211 6.3.1.1 with the PDU's RNTI and data scrambling identity, as
  /// descramble() would; llrs_descrambled() then says so): the PDU's Gold sequence is generated
  /// on a branch of its own while the channel is estimated, and no descrambling pass follows.
  /// \throws std::invalid_argument for an invalid PDU, one beyond the limits, zero forcing with
  /// fewer receive antennas than layers, or exact demapping (options.demapping; CPU only).
  std::size_t process(const phy::PuschConfig& pusch, unsigned slot,
                      const phy::PuschFrontEndOptions& options, bool descramble = false);

  /// process()'s host part alone: checks \p pusch and plans its launches (loading its MMSE
  /// filter banks outside a capture) without enqueueing them; enqueue_prepared() then enqueues
  /// the prepared PDUs of several front ends (a cell's each) with each kernel launched once for
  /// all of them. Returns G. A second prepare() replaces the first; process(), demodulate(),
  /// upload_grid() and build_neural_inputs() drop it.
  /// \throws std::invalid_argument as process(); std::logic_error inside a capture for a PDU
  /// whose filter banks or inverse-DFT plan prepare_capture() did not make.
  std::size_t prepare(const phy::PuschConfig& pusch, unsigned slot,
                      const phy::PuschFrontEndOptions& options, bool descramble = false);
  /// Enqueues the PDU prepare() planned on each of \p front_ends (at most one PDU each, on one
  /// device) on \p stream (a cudaStream_t; nullptr: the first front end's native_stream()):
  /// every stage as one grid over all the PDUs (launch_batches.cuh), in stream order. The
  /// stream waits for each front end's native_stream() first and each native_stream() waits for
  /// the batch after it, so that what the caller enqueues on a front end before or after
  /// (demodulate(), the UL-SCH decoder, downloads) is ordered with it; afterwards each front end
  /// is as after process() (LLRs, measurements, downloads), with stage times on the first front
  /// end only (the launches of the first 32 front ends). Inside a capture of \p stream, each front
  /// end's native_stream() must be that stream or already joined to the capture (forked from it).
  /// A front end's previous results are gone from the first launch on (a failure leaves none).
  /// \throws std::logic_error for a front end without a prepared PDU or one given twice (nothing
  /// enqueued), or whose MMSE filter banks were replaced since prepare() (by three other shapes'
  /// banks: prepare_capture(), build_neural_inputs()); CudaError (the prepared PDUs not yet
  /// enqueued are dropped).
  static void enqueue_prepared(std::span<GpuPuschFrontEnd* const> front_ends, void* stream);

  /// demodulate()'s host part alone (checks, geometry, the FFT plan made): \p device_iq of
  /// \p num_rx antennas in \p slot, for enqueue_prepared_demodulation(). A second call replaces
  /// the first. \throws std::invalid_argument as demodulate().
  void prepare_demodulation(const phy::cf32* device_iq, unsigned num_rx, unsigned slot);
  /// Enqueues the slots prepare_demodulation() planned on each of \p front_ends (each once, on
  /// one device) on \p stream (nullptr: the first's native_stream()): CP removal over all of
  /// them in one grid, the FFTs, the extraction in one grid; ordered with each front end's
  /// native_stream() as enqueue_prepared() is (a pregenerate_dmrs() branch stays open: it does
  /// not touch the grid). The FFTs: with \p workspace (on the front ends' device), one cuFFT
  /// over the windows of the front ends it holds (see GpuOfdmWorkspace), and a cuFFT for each
  /// other; without, a cuFFT each. Afterwards each front end is as after demodulate() (a
  /// prepared PDU dropped), the stage times on the first front end.
  /// \throws std::logic_error for a front end without a prepared slot or given twice, or a
  /// workspace of another device (nothing enqueued), or CudaError (the prepared slots dropped).
  static void enqueue_prepared_demodulation(std::span<GpuPuschFrontEnd* const> front_ends,
                                            void* stream, GpuOfdmWorkspace* workspace = nullptr);

  /// Device pointers of the neural receiver's three [1, C, S, F] input tensors
  /// (docs/NEURAL_RECEIVER.md), e.g. a GpuOnnxExecutor's (GpuOnnxExecutor::prepare_device()).
  struct NeuralInputTensors {
    float* rx_grid = nullptr;    ///< [8][S][F]
    float* ls_channel = nullptr; ///< [32][S][F]
    float* side_info = nullptr;  ///< [7][S][F]
  };
  /// Enqueues the neural receiver's inputs of \p pusch from the device grid into \p tensors:
  /// DMRS estimation as process() does it with \p options (for the noise variance and the
  /// measurements), then one kernel that writes the tensors phy::nn::NeuralReceiverInputs
  /// builds on the host and, on the symbols without DMRS, equalizes with MMSE on them (the
  /// post-equalization SINR phy::nn::NeuralPuschDetector reports). S and F are the PDU's symbols
  /// and allocated subcarriers. \throws std::invalid_argument for an invalid PDU, one beyond the
  /// limits, no grid yet, more than 4 receive antennas or layers, PT-RS, intra-slot hopping or
  /// transform precoding (the model takes none of them).
  void build_neural_inputs(const phy::PuschConfig& pusch, unsigned slot,
                           const phy::PuschFrontEndOptions& options,
                           const NeuralInputTensors& tensors);
  /// Enqueues the gathering of the G LLRs of the last build_neural_inputs()'s PDU from the
  /// model's output \p llr_tensor ([1, 32, S, F], device memory) into device_llrs(), in
  /// codeword order (phy::nn::neural_llr_positions()); descramble(), download_llrs() and the
  /// measurement downloads then work as after process() (the EVM is that of the MMSE symbols on
  /// the model's inputs), stage_times() gives the estimation and, as equalize_demap_ms, the
  /// inputs, the model and the gathering; download_equalized() throws. Returns G.
  /// \throws std::logic_error without build_neural_inputs().
  std::size_t gather_neural_llrs(const float* llr_tensor);

  /// Enqueues descrambling (TS 38.211 6.3.1.1) of the last process()'s LLRs in device memory with
  /// the Gold sequence of \p c_init (phy::pusch_scrambling_init); bit-exact with
  /// phy::descramble_llrs.
  void descramble(std::uint32_t c_init);
  /// True when the LLRs of the last process() or gather_neural_llrs() are descrambled (by
  /// process() with descrambling, or descramble()).
  [[nodiscard]] bool llrs_descrambled() const;
  /// True when the last process() or enqueue_prepared() took the DMRS of pregenerate_dmrs()
  /// (they were its PDU's) instead of generating its own.
  [[nodiscard]] bool used_pregenerated_dmrs() const;
  /// CUDA graphs process() instantiated rather than updated, in all: one per topology it met
  /// (DMRS generated or pregenerated, hops, Wiener weights, PT-RS, and for DFT-s-OFDM the PRB
  /// count), however the PDUs alternate between them.
  [[nodiscard]] unsigned graph_instantiations() const;
  /// Device pointer to the LLRs of the last process() (valid after the stream reaches them).
  [[nodiscard]] const float* device_llrs() const;
  /// Waits for everything enqueued.
  void synchronize();

  /// process()'s branch (a second stream forked at the PDU's start) runs the work no later stage
  /// of the PDU reads: the Gold words for descrambling (read by the demapper, which waits for
  /// them), the CFO estimate, the post-equalization quality and, after process(), the
  /// enqueue_measurements() download. By default process() joins it back into native_stream()
  /// before it returns. With \p deferred (when process() enqueues into a capture of the caller's
  /// or without CUDA graphs; a process() that captures a graph of its own always joins), it stays
  /// open after process(), so that what the caller enqueues next on native_stream() (the UL-SCH
  /// decoder) does not wait for it, until join_branch() or the front end's next call that enqueues
  /// work (each joins it first). Call join_branch() before ending a capture that holds
  /// native_stream().
  void set_deferred_branch_join(bool deferred);
  /// Joins an open branch into native_stream() (nothing when none is open).
  void join_branch();
  /// Enqueues the DMRS generation of \p pusch in \p slot on the branch (forked from
  /// native_stream() here and left open), before the slot's OFDM demodulation, so that the two run
  /// side by side; the next process() uses these values when its PDU has the same DMRS (else it
  /// generates its own) instead of generating them on its critical path. Does nothing for a PDU
  /// that process() would refuse (it fails there) or one with intra-slot hopping (process()
  /// generates each hop's). process() or prepare() consumes it, once; a
  /// PDU prepared before this call generates its own DMRS.
  void pregenerate_dmrs(const phy::PuschConfig& pusch, unsigned slot,
                        const phy::PuschFrontEndOptions& options);

  // Results copied to the host (each waits for the device).
  /// The G LLRs of the last process(). \throws std::invalid_argument on a size mismatch.
  void download_llrs(std::span<float> llrs);
  /// The device grid into \p grid (reshaped to num_rx x symbols x subcarriers of the cell).
  void download_grid(phy::ResourceGrid& grid);
  /// The channel estimate and DMRS measurements of the last process() into
  /// \p estimate (reshaped; rows of the PDU's symbols), and, when the last process() estimated
  /// them (MMSE-IRC or options.estimator.estimate_covariance), the regularised covariances with
  /// their groups (ChannelEstimate::covariance()). With intra-slot hopping, as
  /// phy::merge_hop_estimates() leaves a CPU estimate: each hop's rows, the second hop's
  /// covariance groups after the first's, each hop's noise (ChannelEstimate::set_second_hop())
  /// and the measurements merged over the hops.
  void download_channel_estimate(phy::ChannelEstimate& estimate);
  /// The DMRS measurements alone of the last process(): a few bytes, no allocation.
  [[nodiscard]] phy::DmrsMeasurements download_measurements();
  /// Each slot symbol's PT-RS phase error in radians of the last process() into \p phases (one
  /// per symbol of the slot), as phy::PuschFrontEnd::ptrs_phases(): 0 outside the PDU and
  /// without PT-RS tracking. Waits for the device. \throws std::invalid_argument on a size
  /// mismatch.
  void download_ptrs_phases(std::span<float> phases);
  /// The PDU's measurements of the last process(): the DMRS ones and the post-equalization SINR
  /// and EVM (as phy::PuschFrontEnd::measurements()). Waits for the device.
  [[nodiscard]] phy::PuschMeasurements download_pusch_measurements();
  /// Most DMRS measurement downloads enqueue_measurements() holds before synchronize().
  static constexpr unsigned max_pending_measurements = 64;
  /// Front ends that one run of launches of enqueue_prepared() or
  /// enqueue_prepared_demodulation() holds; more go as further runs, in the order given.
  static constexpr std::size_t max_batch = 32;
  /// Enqueues the download of the last process()'s measurements into pending slot
  /// \p index of pinned memory, without waiting; pending_measurements(index) reads them after
  /// synchronize(). \throws std::invalid_argument for index >= max_pending_measurements.
  void enqueue_measurements(unsigned index);
  /// What enqueue_measurements(\p index) downloaded (call synchronize() first).
  [[nodiscard]] phy::PuschMeasurements pending_measurements(unsigned index) const;
  /// The CUDA stream (a cudaStream_t) all of this front end's work is enqueued on, so that a
  /// later stage enqueued on it (GpuUlschDecoder::enqueue_device) reads the LLRs in order,
  /// without host synchronisation.
  [[nodiscard]] void* native_stream() const;
  /// Equalized symbols and post-equalization noise variances, codeword order (of a DFT-s-OFDM
  /// PDU the deprecoded symbols and each symbol's post-IDFT variance, as
  /// phy::PuschFrontEnd::equalized_symbols() has them).
  void download_equalized(std::vector<phy::cf32>& symbols, std::vector<float>& noise_variances);
  /// Stage times of the last demodulate()/upload_grid() and process() (zeros for stages run
  /// without timing).
  [[nodiscard]] GpuStageTimes stage_times();
  /// Whether demodulate(), process() and descramble() record the CUDA events that time their
  /// stages (true, the default). Without them the PDU's chain has six event nodes fewer in a
  /// graph (GpuCellGroupOptions::stage_timing), and stage_times() gives zeros.
  void set_stage_timing(bool timing);
  /// Whether OFDM demodulation (demodulate(), enqueue_prepared_demodulation()) runs CP removal,
  /// the FFT and the extraction as one kernel of its own FFT (a block per antenna and symbol)
  /// instead of a copy kernel, cuFFT and an extraction kernel (false, the default). Powers of two
  /// from 128 to 4096 points; other FFT sizes keep cuFFT. The grids agree within float rounding.
  void set_fused_ofdm(bool fused);
  /// Whether demodulation runs the fused kernel (asked for, and the FFT size supported).
  [[nodiscard]] bool fused_ofdm() const;
  /// The UE's antenna ports that PDUs are checked against (TS 38.214 6.1.1: non-codebook
  /// precoding has a layer per port, codebook precoding a TPMI of that port count): the rest of
  /// the cell is fixed at construction, the ports are the receiver's (the L1 has a receiver per
  /// layer count on one carrier). \throws std::invalid_argument unless 1, 2 or 4.
  void set_antenna_ports(unsigned ports);

  /// LLRs of the host grid \p grid for \p pusch: upload_grid(), process(), download_llrs().
  void process_grid(const phy::ResourceGrid& grid, const phy::PuschConfig& pusch, unsigned slot,
                    const phy::PuschFrontEndOptions& options, std::span<float> llrs);

private:
  struct Impl;
  struct Batch; ///< enqueue_prepared()'s launch arguments.
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::gpu
