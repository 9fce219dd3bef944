/// \file
/// \brief GpuCellGroup with the batched front end (GpuCellGroupOptions::batched_front_end): the
/// cells' OFDM as one launch set (GpuPuschFrontEnd::enqueue_prepared_demodulation(), one cuFFT
/// for the cells in the lane's GpuOfdmWorkspace), then per round of PDUs one launch set of the
/// front end over every cell's PDU of that round (GpuPuschFrontEnd::enqueue_prepared()), then
/// each PDU's measurements and decoding on its cell's stream.
#include "gpu_cell_group_impl.h"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <stdexcept>

namespace airan::gpu {

void GpuCellGroup::enqueue_batched_front_ends(std::span<const GpuCellSlot> slots, std::size_t lane,
                                              void* stream_handle, bool staged) {
  SlotLaunch& launch = *launches_[lane];
  auto* stream = static_cast<cudaStream_t>(stream_handle);
  AIRAN_CUDA_CHECK(cudaEventRecord(launch.fork.get(), stream));
  // Every forked cell stream joins the stream again at the end, also after a failure (a capture
  // with an unjoined stream cannot be ended): each cell is joined whatever the others do, and
  // the first error is the one reported.
  std::size_t forked = 0;
  const auto join = [&] {
    std::exception_ptr failure;
    for (std::size_t c = 0; c < forked; ++c) {
      try {
        detail::CellLane& cell_lane = *cells_[c]->lanes[lane];
        cell_lane.front_end.join_branch(); // a pregenerated DMRS that no PDU used
        auto* cell_stream = static_cast<cudaStream_t>(cell_lane.front_end.native_stream());
        AIRAN_CUDA_CHECK(cudaEventRecord(launch.joins[c].get(), cell_stream));
        AIRAN_CUDA_CHECK(cudaStreamWaitEvent(stream, launch.joins[c].get(), 0));
      } catch (...) {
        if (failure == nullptr) {
          failure = std::current_exception();
        }
      }
    }
    forked = 0;
    if (failure != nullptr) {
      std::rethrow_exception(failure);
    }
  };
  try {
    std::size_t rounds = 0;
    launch.round_front_ends.clear(); // (capacity for every cell: no allocation)
    while (forked < cells_.size()) {
      const std::size_t c = forked;
      detail::CellLane& cell_lane = *cells_[c]->lanes[lane];
      auto* cell_stream = static_cast<cudaStream_t>(cell_lane.front_end.native_stream());
      AIRAN_CUDA_CHECK(cudaStreamWaitEvent(cell_stream, launch.fork.get(), 0));
      ++forked; // from here on the cell's stream is the capture's: joined whatever follows
      cells_[c]->begin_slot(slots[c], lane, staged ? &launch.staged[c] : nullptr,
                            /*prepare_only=*/true);
      if (cell_lane.slot_error.empty()) {
        launch.round_front_ends.push_back(&cell_lane.front_end);
      }
      rounds = std::max(rounds, slots[c].pdus.size());
    }
    // The cells' OFDM: CP removal and extraction each one grid over all cells, one cuFFT over
    // the windows of the cells in the workspace (GpuCellGroupOptions::joint_fft).
    GpuPuschFrontEnd::enqueue_prepared_demodulation(launch.round_front_ends, stream,
                                                    launch.ofdm_workspace.get());
    for (std::size_t p = 0; p < rounds; ++p) {
      launch.round_front_ends.clear();
      launch.round_cells.clear();
      for (std::size_t c = 0; c < cells_.size(); ++c) {
        Cell& cell = *cells_[c];
        if (p >= slots[c].pdus.size() || !cell.admit_pdu(slots[c], lane, p, launch.round_tbs[c])) {
          continue;
        }
        GpuPuschFrontEnd& front_end = cell.lanes[lane]->front_end;
        try {
          (void)front_end.prepare(slots[c].pdus[p], slots[c].slot, cell.config.front_end,
                                  /*descramble=*/true);
        } catch (const std::invalid_argument& e) {
          phy::PuschPduResult& result = cell.lanes[lane]->results[p];
          result.error = e.what();
          result.tb_bytes.clear();
          cell.end_previous_tb(slots[c].pdus, p, lane);
          continue;
        }
        launch.round_front_ends.push_back(&front_end);
        launch.round_cells.push_back(c);
      }
      GpuPuschFrontEnd::enqueue_prepared(launch.round_front_ends, stream);
      for (const std::size_t c : launch.round_cells) {
        cells_[c]->decode_pdu(slots[c], lane, p, launch.round_tbs[c], device_);
      }
    }
  } catch (...) {
    try {
      join();
    } catch (...) { // the first error is the one to report
    }
    throw;
  }
  join();
}

} // namespace airan::gpu
