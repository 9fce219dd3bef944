/// \file
/// \brief Private parts of GpuCellGroup (gpu_cell_group.cpp: the group, submit and collect of a
/// slot, as one graph or cell by cell; gpu_cell_group_cell.cpp: one cell's PDUs): a cell's lanes
/// (one per slot in flight), its HARQ pool, and the per-slot-in-flight launch state.
#pragma once

#include "airan/gpu/cuda_graph.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/gpu_cell_group.h"
#include "airan/gpu/gpu_ofdm_workspace.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "airan/phy/pusch_receiver_sizing.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace airan::gpu {

namespace detail {

/// A cell's slot IQ as GpuCellGroup staged it before capturing the slot's graph: in device
/// memory (the caller's or uploaded), or the error that fails the cell's PDUs.
struct StagedIq {
  const phy::cf32* device = nullptr;
  std::string error;
};

/// The stages of one slot in flight of one cell.
struct CellLane {
  CellLane(const GpuCellConfig& config, std::uint32_t max_tbs,
           const std::shared_ptr<GpuHarqSoftMemory>& harq_memory, int device)
      : front_end(config.cell, {config.num_rx_antennas, config.max_layers, config.cell.num_prbs},
                  device),
        enqueued(config.max_pdus, false), measured(config.max_pdus, false),
        fresh(config.max_pdus, false), ended(config.max_pdus, false), keys(config.max_pdus) {
    // The measurements (quality, download) stay beside the decoders instead of before them;
    // Cell::submit() joins the branch after the cell's last PDU.
    front_end.set_deferred_branch_join(true);
    // Each decoder's LLR copy (keep_device_llrs()) as large as the front end's LLRs can be (12
    // subcarriers x PRBs x 14 symbols x layers x 10 bits), not the default for 275 PRB x 4
    // layers: max_pdus decoders per cell and slot in flight.
    const std::size_t max_coded_bits =
        std::size_t{12} * config.cell.num_prbs * 14 * config.max_layers * 10;
    for (unsigned p = 0; p < config.max_pdus; ++p) {
      decoders.push_back(
          std::make_unique<GpuUlschDecoder>(max_tbs, harq_memory, device, max_coded_bits));
    }
  }

  GpuPuschFrontEnd front_end;
  std::vector<std::unique_ptr<GpuUlschDecoder>> decoders; ///< One per PDU of a slot.
  std::vector<bool> enqueued; ///< Per PDU of the lane's slot: its decoding is enqueued.
  std::vector<bool> measured; ///< Per PDU: its measurements' download is enqueued.
  std::vector<bool> fresh;    ///< Per PDU: its HARQ buffer was newly taken in this slot.
  /// Per enqueued PDU: a later slot's new data for its process was refused while it was in
  /// flight, so its TB is over: collect() frees the buffer whatever the CRC.
  std::vector<bool> ended;
  std::vector<phy::HarqProcessKey> keys;    ///< Of the enqueued PDUs.
  std::vector<phy::PuschPduResult> results; ///< Of the lane's slot.
  CudaGraph graph;        ///< The cell's slot as one graph (GpuCellGroupOptions::graph_per_cell).
  StagedIq staged;        ///< Its IQ, staged before the capture.
  std::string slot_error; ///< Fails every PDU of the lane's slot (Cell::begin_slot()).
};

} // namespace detail

struct GpuCellGroup::Cell {
  Cell(const GpuCellConfig& config_in, int device)
      : config(config_in),
        max_tbs(phy::pusch_largest_tbs(config_in.cell.num_prbs, config_in.max_layers)),
        harq(std::max(config_in.num_harq_buffers, 1U),
             phy::pusch_harq_buffer_length(max_tbs, 2U * 156U * config_in.cell.num_prbs *
                                                        config_in.max_layers),
             phy::HarqStorage::external),
        harq_memory(std::make_shared<GpuHarqSoftMemory>(harq.num_buffers(),
                                                        harq.soft_bits_per_buffer(), device)) {
    for (unsigned l = 0; l < config.slots_in_flight; ++l) {
      lanes.push_back(std::make_unique<detail::CellLane>(config, max_tbs, harq_memory, device));
    }
  }

  /// Checks \p pdu (index \p index of \p pdus) and sizes its result; the error, or "".
  std::string admit(std::span<const phy::PuschConfig> pdus, std::size_t index,
                    phy::PuschPduResult& result, std::uint32_t& tbs) const;
  /// True when a slot in flight on another lane than \p lane decodes HARQ process \p key.
  [[nodiscard]] bool in_flight(const phy::HarqProcessKey& key, std::size_t lane) const;
  /// Marks the decoding of \p key in flight on another lane than \p lane as the end of its TB
  /// (CellLane::ended); false when none is in flight.
  bool end_in_flight_at_collect(const phy::HarqProcessKey& key, std::size_t lane);
  /// Enqueues \p input on lane \p lane. \p device: the group's. \p staged: the slot's IQ as
  /// staged before a capture (null: \p input's IQ, uploaded here when on the host).
  void submit(const GpuCellSlot& input, std::size_t lane, int device,
              const detail::StagedIq* staged = nullptr);
  /// submit()'s start: the lane's results sized, the first PDU's DMRS pregenerated and the OFDM
  /// demodulation enqueued (\p prepare_only: prepared, GpuPuschFrontEnd::prepare_demodulation(),
  /// for the group to enqueue); an error that fails every PDU of the slot in the lane's
  /// slot_error (then nothing is prepared).
  void begin_slot(const GpuCellSlot& input, std::size_t lane, const detail::StagedIq* staged,
                  bool prepare_only = false);
  /// Resets PDU \p p's result and checks it (the slot's error, admission, HARQ in flight);
  /// false, with the result's error, when it does not run (a refused PDU ends its process's
  /// previous TB, end_previous_tb()). \p tbs: its TB size.
  bool admit_pdu(const GpuCellSlot& input, std::size_t lane, std::size_t p, std::uint32_t& tbs);
  /// After PDU \p p of \p pdus was refused or failed before its decoding took a buffer: the CPU
  /// receiver's rule (phy::end_previous_transport_block()): new data frees the process's buffer,
  /// unless the PDU duplicates an earlier one of the slot; when a slot in flight on another lane
  /// than \p lane decodes the process, its collect() frees it (end_in_flight_at_collect()), as
  /// the CPU receiver, a slot at a time, would have by now.
  void end_previous_tb(std::span<const phy::PuschConfig> pdus, std::size_t p, std::size_t lane);
  /// After PDU \p p's front end (process(), or a batch of prepared PDUs): its measurements'
  /// download, its HARQ buffer and its decoding (prepared for the group's batch, or enqueued on
  /// the cell's stream). A failure sets the result's error and gives back a buffer taken for it.
  void decode_pdu(const GpuCellSlot& input, std::size_t lane, std::size_t p, std::uint32_t tbs,
                  int device);
  /// Waits for lane \p lane and completes its results.
  void collect(std::size_t lane);
  /// After a failure while enqueuing on lane \p lane: drops what was enqueued (its PDUs are not
  /// reported). \p launched: the device work was launched (cell by cell), so it is waited for and
  /// the HARQ buffers are left as after a failed decode; else (a slot graph never launched) the
  /// decoders are cancelled and buffers newly taken in the slot are given back. Never throws.
  void abandon(std::size_t lane, bool launched) noexcept;
  /// The lane collected last and its last decoded PDU (-1: none).
  std::size_t last_lane = 0;
  int last_pdu = -1;
  /// GpuCellGroupOptions::batched_decoding: submit() prepares the PDUs' TBs, the group enqueues
  /// them.
  bool batched_decoding = false;

  GpuCellConfig config;
  std::uint32_t max_tbs;
  phy::HarqBufferPool harq;
  std::shared_ptr<GpuHarqSoftMemory> harq_memory;
  std::vector<std::unique_ptr<detail::CellLane>> lanes; ///< One per slot in flight.
};

/// What one slot in flight of the whole group needs to run as one CUDA graph: the stream it is
/// captured from and launched on, the fork and join events that bring every cell's stream into
/// the capture, the graph, and the IQ staged for it.
struct GpuCellGroup::SlotLaunch {
  SlotLaunch(std::size_t num_cells, std::size_t max_tbs)
      : joins(num_cells), staged(num_cells), cell_launched(num_cells, 1),
        cell_as_graph(num_cells, 0), round_tbs(num_cells) {
    prepared.reserve(max_tbs);
    round_front_ends.reserve(num_cells);
    round_cells.reserve(num_cells);
  }
  CudaStream stream;
  CudaEvent fork;
  std::vector<CudaEvent> joins; ///< One per cell.
  CudaGraph graph;
  std::vector<detail::StagedIq> staged; ///< One per cell.
  bool one_graph = false;               ///< How the lane's slot in flight was launched.
  /// The cells' TBs were decoded as one launch set on `stream` (GpuCellGroupOptions::
  /// batched_decoding) outside one graph: collect() waits for the stream too.
  bool batched_on_stream = false;
  bool launched = false; ///< Its graph was launched (one_graph).
  /// Per cell, when not one graph: its work may have run (0: a graph of the cell's own that
  /// was not launched, so nothing of it ran). Bytes, not std::vector<bool>: the submit threads
  /// write the cells' flags concurrently.
  std::vector<std::uint8_t> cell_launched;
  /// Per cell, when not one graph: it went as a graph of its own (written by its submit thread).
  std::vector<std::uint8_t> cell_as_graph;
  /// The slot's prepared TBs for batched decoding: capacity for every decoder of the lane's
  /// cells, reserved once, so that a slot allocates nothing.
  std::vector<GpuUlschDecoder*> prepared;
  /// A round of the batched front end (GpuCellGroupOptions::batched_front_end): the front ends
  /// with a prepared PDU and their cells, and each cell's TB size (capacity for every cell).
  std::vector<GpuPuschFrontEnd*> round_front_ends;
  std::vector<std::size_t> round_cells;
  std::vector<std::uint32_t> round_tbs;
  /// The cells' FFT windows side by side for one cuFFT (GpuCellGroupOptions::joint_fft), or
  /// null.
  std::unique_ptr<GpuOfdmWorkspace> ofdm_workspace;
};

} // namespace airan::gpu
