/// \file
/// \brief GpuCellGroup: the whole uplink slot of several cells on one GPU, from time-domain IQ
/// to decoded transport blocks, with every cell's work enqueued before waiting for any.
///
/// Each cell owns, per slot in flight, a GpuPuschFrontEnd (its own stream, device buffers and
/// CUDA graph) and one GpuUlschDecoder per PDU of a slot working on that same stream, and a HARQ
/// pool whose soft values are in device memory. submit() enqueues, cell after cell, the OFDM
/// demodulation of the slot and per PDU the estimation, equalization and demapping with
/// descrambling, the download of the DMRS measurements, rate recovery with HARQ combining, LDPC
/// decoding, the TB assembly and the download of the TB bytes; nothing waits for the device, so the
/// cells' streams (and the slots in flight) run concurrently. collect() waits for each cell of the
/// oldest slot and completes its results (code block acceptance, TB CRC, HARQ release) as
/// PuschReceiver does. The results equal a PuschReceiver's with the CUDA detector and UL-SCH
/// decoder (`--backend cuda`) PDU for PDU, except that only the TB bytes come back
/// (PuschPduResult::tb_bytes, what the MAC gets; tb_bits stays empty): the device assembles them
/// and checks the TB CRC, so TBS / 8 bytes cross the bus per TB.
///
/// This header has no CUDA types; without CUDA or a device the constructor throws
/// std::runtime_error.
#pragma once

#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/types.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace airan::phy {
class ThreadPool;
} // namespace airan::phy

namespace airan::gpu {

/// One cell of a GpuCellGroup.
struct GpuCellConfig {
  phy::CellConfig cell;
  unsigned num_rx_antennas = 4;   ///< 1 .. 16.
  unsigned max_layers = 2;        ///< 1 .. 4.
  unsigned max_pdus = 8;          ///< PUSCH PDUs per slot at most (1 .. 64).
  unsigned num_harq_buffers = 16; ///< HARQ processes that can wait for a retransmission.
  phy::PuschFrontEndOptions front_end;
  unsigned ldpc_max_iterations = 6;
  bool ldpc_early_termination = true;
  /// Slots submit() may enqueue before collect() (1 .. 4, the same for every cell of a group):
  /// each has its own front end, stream and decoders, so slot n + 1 runs while slot n completes.
  unsigned slots_in_flight = 1;
};

/// One slot of one cell: its time-domain IQ (num_rx_antennas antennas, antenna after antenna,
/// slot_length() samples each) in device memory, or else on the host; and its PDUs.
struct GpuCellSlot {
  const phy::cf32* device_iq = nullptr; ///< Device memory, or null: host_iq is copied.
  std::span<const phy::cf32> host_iq;
  unsigned slot = 0;
  std::span<const phy::PuschConfig> pdus;
};

/// Time-domain IQ copied once to the memory of a device (a slot replayed many times, or IQ "in
/// device memory" for benchmarks), for GpuCellSlot::device_iq. Move-only.
class GpuDeviceIq {
public:
  /// \throws std::runtime_error without CUDA, CudaError when the allocation or copy fails.
  GpuDeviceIq(std::span<const phy::cf32> iq, int device);
  ~GpuDeviceIq();
  GpuDeviceIq(const GpuDeviceIq&) = delete;
  GpuDeviceIq& operator=(const GpuDeviceIq&) = delete;
  GpuDeviceIq(GpuDeviceIq&& other) noexcept;
  GpuDeviceIq& operator=(GpuDeviceIq&& other) noexcept;

  /// Device address of the samples.
  [[nodiscard]] const phy::cf32* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }

private:
  phy::cf32* data_ = nullptr;
  std::size_t size_ = 0;
  int device_ = 0;
};

/// How a GpuCellGroup launches a slot.
struct GpuCellGroupOptions {
  /// The whole slot of every cell as one CUDA graph: each cell's work (OFDM, per PDU the front
  /// end, measurements and UL-SCH decoding) is a branch of one capture, updated in place per slot
  /// (re-instantiated when the slot's shape changes) and launched once. Otherwise each cell's
  /// work is enqueued on its own stream, through the front end's and the decoders' own graphs.
  /// Ignored when the environment sets AIRAN_CUDA_GRAPHS=0; a slot in which one cell's PDUs
  /// need more than three sets of MMSE filter banks goes cell by cell.
  bool one_graph_per_slot = true;
  /// Without one graph per slot (not asked for, or not possible): each cell's work of the slot
  /// (OFDM, per PDU the front end, measurements and UL-SCH decoding) as a CUDA graph of its own,
  /// captured on the cell's stream, updated in place per slot and launched right away, so that
  /// the device starts on a cell while the host captures the next, with one capture and one
  /// update per cell instead of one per stage and PDU. Otherwise (false) each stage goes through
  /// its own graph. Ignored when the environment sets AIRAN_CUDA_GRAPHS=0; a cell whose PDUs
  /// need more than three sets of MMSE filter banks goes stage by stage.
  bool graph_per_cell = false;
  /// Without one graph per slot: host threads that enqueue the cells' work in submit(), the
  /// caller and submit_threads - 1 workers of the group's own (0 or 1: the caller alone). Each
  /// cell is enqueued by one thread (its captures, graph updates and launches; CUDA stream
  /// capture is thread-local), so a slot's host time shrinks with the threads when the host, not
  /// the device, sets the rate. The cells' results do not depend on it. While a LaunchProfiler is
  /// active on the caller's thread, the caller enqueues every cell (so that it sees every launch).
  unsigned submit_threads = 1;
  /// The UL-SCH decoding of every PDU of every cell in the slot as one launch set after all the
  /// cells' front ends (GpuUlschDecoder::enqueue_prepared(): for up to 32 TBs one LDPC kernel
  /// over all their code blocks, each thread block with its rate recovery, one TB assembly kernel
  /// and one kernel writing every TB's outputs to pinned host memory), instead of each PDU's
  /// three launches and copy on its cell's stream. Fewer launches and one grid over the slot's
  /// code blocks; a cell's TBs then start after the slowest cell's front end. The results do not
  /// depend on it. In every launch mode (in one graph per slot, the launch set is part of it).
  bool batched_decoding = false;
  /// The cells' OFDM demodulation as one launch set (GpuPuschFrontEnd::
  /// enqueue_prepared_demodulation(): CP removal and extraction one grid each, the FFTs as
  /// joint_fft says),
  /// then the front end of every cell's k-th PDU as one launch set for k = 1, 2, ...
  /// (GpuPuschFrontEnd::enqueue_prepared(): each kernel once over those PDUs), on the slot's
  /// stream, instead of each cell's and PDU's own launches on the cell's stream: about 12
  /// launches per round of PDUs, not per PDU. Each PDU's measurement download and decoding follow
  /// on its cell's stream, which the next round waits for: with several PDUs per cell, use it
  /// with batched_decoding (else round k + 1 waits for every cell's decoding of round k). In one
  /// graph per slot (part of it) or, otherwise, on the group's stream enqueued by the calling
  /// thread (graph_per_cell and submit_threads are then not used). stage_times() has the front
  /// end's times only for the cells whose front end led a launch set (the first cell in it). The
  /// results do not depend on it.
  bool batched_front_end = false;
  /// With batched_front_end: one cuFFT over the windows of the cells of the FFT size that has
  /// the most (per run of up to 32 cells; a GpuOfdmWorkspace per slot in flight, planned by the
  /// constructor), instead of a cuFFT per cell. A slot in which some cells fail before their
  /// OFDM needs another plan: outside one graph per slot it is made then; inside, that slot goes
  /// a cuFFT per cell and the plan is made after the capture, for the next such slot (up to
  /// GpuOfdmWorkspace::max_plans). The results do not depend on it beyond cuFFT's rounding.
  bool joint_fft = true;
  /// Every cell's OFDM demodulation as one kernel of its own FFT (GpuPuschFrontEnd::
  /// set_fused_ofdm(): CP removal, FFT and extraction, a block per antenna and symbol) where the
  /// FFT size allows, instead of cuFFT between two kernels; such cells take no part in joint_fft.
  /// The results do not depend on it beyond the FFTs' rounding.
  bool fused_ofdm = false;
  /// Every decoder's LDPC kernel with two code blocks per thread block
  /// (GpuUlschDecoder::set_code_block_pairs()). The results do not depend on it.
  bool ldpc_code_block_pairs = false;
  /// CUDA events timing each cell's stages (stage_times()), as GpuPuschFrontEnd and
  /// GpuUlschDecoder record them by default. Without (false), each PDU's chain has nine event
  /// nodes fewer (six of the front end, three of the decoder; those that order work stay), and
  /// stage_times() gives zeros.
  bool stage_timing = true;
};

/// How the slots of a GpuCellGroup were launched.
struct GpuCellGroupLaunches {
  std::uint64_t one_graph = 0;       ///< Slots launched as one CUDA graph.
  std::uint64_t streams = 0;         ///< Slots enqueued cell by cell.
  std::uint64_t cell_graphs = 0;     ///< Cell slots launched as a graph of the cell's own.
  unsigned graph_instantiations = 0; ///< Whole-slot graphs instantiated rather than updated.
  /// Batched front end: cuFFTs enqueued over several cells' windows (GpuCellGroupOptions::
  /// joint_fft), and cells' FFTs enqueued on their own although the group had a workspace.
  std::uint64_t joint_ffts = 0;
  std::uint64_t own_ffts = 0;
};

/// Device times of the stages of one cell's last collected slot (CUDA events), microseconds:
/// the front end's of its last PDU and the UL-SCH decoder's of that PDU.
struct GpuCellStageTimes {
  float ofdm_us = 0.0F;           ///< CP removal, FFT, extraction.
  float estimate_us = 0.0F;       ///< DMRS generation and channel estimation.
  float equalize_demap_us = 0.0F; ///< Fused equalization and demapping.
  float descramble_us = 0.0F;     ///< 0: the demapper descrambles (inside equalize_demap_us).
  float rate_recovery_us = 0.0F;  ///< Rate recovery's own kernel (0: in the LDPC kernel).
  float ldpc_us = 0.0F;           ///< LDPC decoding and TB assembly.
};

/// Several cells on CUDA device `device`; every buffer is allocated by the constructor. Not
/// thread safe.
class GpuCellGroup {
public:
  /// \throws std::invalid_argument for an invalid cell or limits, std::runtime_error without
  /// CUDA or a device, CudaError when an allocation fails.
  GpuCellGroup(std::span<const GpuCellConfig> cells, int device,
               const GpuCellGroupOptions& options = {});
  ~GpuCellGroup();
  GpuCellGroup(const GpuCellGroup&) = delete;
  GpuCellGroup& operator=(const GpuCellGroup&) = delete;

  [[nodiscard]] unsigned num_cells() const;
  /// Samples of one antenna of \p cell in slot \p slot.
  [[nodiscard]] std::size_t slot_length(unsigned cell, unsigned slot) const;
  /// The HARQ bookkeeping of \p cell (its soft values are in device memory). Do not release a
  /// process of a slot still in flight: its buffer could be given to another process meanwhile.
  [[nodiscard]] phy::HarqBufferPool& harq_pool(unsigned cell);

  /// Enqueues one slot of every cell (slots[i] is cell i's) without waiting for the device. The
  /// IQ and PDUs must stay valid until the slot is collected. A bad PDU (invalid, more layers or
  /// PDUs than configured, a second PDU of a HARQ process, a HARQ process still decoding in a
  /// slot in flight, a full HARQ pool) gets its error and the others still decode (a PDU that
  /// was estimated keeps its measurements, and a HARQ buffer taken for it is given back); bad IQ
  /// or a slot outside the frame fails that cell's PDUs.
  /// \throws std::invalid_argument when slots.size() != num_cells(), std::logic_error when
  /// slots_in_flight (of the configuration) slots are already in flight, CudaError on a device
  /// failure (the slot is then dropped: waited for, not reported, not in flight).
  void submit(std::span<const GpuCellSlot> slots);
  /// Waits for the oldest submitted slot: results[i] gets one result per PDU of its slots[i], in
  /// order. \throws std::logic_error when no slot is in flight.
  void collect(std::vector<std::vector<phy::PuschPduResult>>& results);
  /// submit() then collect() (no other slot may be in flight).
  void process(std::span<const GpuCellSlot> slots,
               std::vector<std::vector<phy::PuschPduResult>>& results);
  /// Slots submitted and not yet collected.
  [[nodiscard]] unsigned slots_in_flight() const;
  /// Stage times of \p cell's last collected slot (zeros before one, or when its last PDU was
  /// not decoded). \throws std::out_of_range for a cell past num_cells().
  [[nodiscard]] GpuCellStageTimes stage_times(unsigned cell);

  /// How the slots so far were launched.
  [[nodiscard]] GpuCellGroupLaunches launches() const;

private:
  struct Cell;
  struct SlotLaunch;
  /// Makes the FFT plans and filter banks of lane \p lane's cells ready for capturing \p slots;
  /// false when the slot cannot be one graph (or the options say not to).
  bool prepare_one_graph(std::span<const GpuCellSlot> slots, std::size_t lane);
  /// Stages the IQ, captures (or updates) lane \p lane's graph of \p slots and launches it.
  void enqueue_one_graph(std::span<const GpuCellSlot> slots, std::size_t lane);
  /// The cells' slots on lane \p lane with the batched front end (GpuCellGroupOptions::
  /// batched_front_end): each cell's stream forked from \p stream (a cudaStream_t) for its
  /// OFDM, a launch set per round of PDUs on \p stream, each PDU's measurements and decoding on
  /// its cell's stream, each cell's stream joined back into \p stream. \p staged: the cells' IQ
  /// as enqueue_one_graph() staged it (else their slots' own).
  void enqueue_batched_front_ends(std::span<const GpuCellSlot> slots, std::size_t lane,
                                  void* stream, bool staged);
  /// GpuCellGroupOptions::joint_fft: a GpuOfdmWorkspace per slot in flight for the FFT size with
  /// the most windows, planned for each run of up to 32 cells.
  void make_ofdm_workspaces();
  /// Enqueues cell \p cell's \p slot on lane \p lane as a graph of the cell's own
  /// (GpuCellGroupOptions::graph_per_cell); false, with nothing enqueued, when the slot cannot be
  /// captured (it then goes stage by stage).
  bool enqueue_cell_graph(std::size_t cell, const GpuCellSlot& slot, std::size_t lane);
  /// Enqueues every cell's slot of \p slots on lane \p lane cell by cell (each through a graph
  /// of its own when the options ask for it and it can be captured), on the submit threads.
  /// \returns the cells launched as graphs of their own.
  std::uint64_t enqueue_cells(std::span<const GpuCellSlot> slots, std::size_t lane);
  /// GpuCellGroupOptions::batched_decoding: the prepared TBs of lane \p lane's cells, enqueued
  /// on \p stream (after each cell's stream when \p join_cells; in one graph they are joined).
  void enqueue_batched_decoding(std::size_t lane, void* stream, bool join_cells);

  std::vector<std::unique_ptr<Cell>> cells_;
  std::vector<std::unique_ptr<SlotLaunch>> launches_; ///< One per slot in flight.
  /// The submit threads besides the caller (GpuCellGroupOptions::submit_threads > 1), else null.
  std::unique_ptr<phy::ThreadPool> submit_pool_;
  int device_;
  GpuCellGroupOptions options_;
  GpuCellGroupLaunches counts_;
  std::size_t slots_in_flight_ = 1; ///< Of the configuration.
  std::size_t submitted_ = 0;
  std::size_t collected_ = 0;
};

} // namespace airan::gpu
