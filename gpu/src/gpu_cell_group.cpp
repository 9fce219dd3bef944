/// \file
/// \brief GpuCellGroup: per cell one lane per slot in flight (a front end on its own stream and
/// a decoder per PDU enqueued on that stream) and a device HARQ pool; submit() enqueues a slot of
/// every cell, as one CUDA graph (each cell's stream a branch of the capture) or cell by cell
/// (on the submit threads), and collect() completes the oldest.
#include "gpu_cell_group_impl.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/numerology.h"
#include "airan/phy/thread_pool.h"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::gpu {

GpuCellGroup::GpuCellGroup(std::span<const GpuCellConfig> cells, int device,
                           const GpuCellGroupOptions& options)
    : device_(device), options_(options) {
  for (const auto& config : cells) {
    if (const auto error = config.cell.validate(); !error.empty()) {
      throw std::invalid_argument("GpuCellGroup: " + error);
    }
    if (config.max_pdus == 0 || config.max_pdus > GpuPuschFrontEnd::max_pending_measurements) {
      throw std::invalid_argument("GpuCellGroup: 1.." +
                                  std::to_string(GpuPuschFrontEnd::max_pending_measurements) +
                                  " PDUs per slot");
    }
    if (config.slots_in_flight == 0 || config.slots_in_flight > 4 ||
        config.slots_in_flight != cells.front().slots_in_flight) {
      throw std::invalid_argument("GpuCellGroup: 1..4 slots in flight, the same for every cell");
    }
    cells_.push_back(std::make_unique<Cell>(config, device));
    cells_.back()->batched_decoding = options.batched_decoding;
    for (const auto& lane : cells_.back()->lanes) {
      lane->front_end.set_stage_timing(options.stage_timing);
      lane->front_end.set_fused_ofdm(options.fused_ofdm);
      for (const auto& decoder : lane->decoders) {
        decoder->set_stage_timing(options.stage_timing);
        decoder->set_code_block_pairs(options.ldpc_code_block_pairs);
      }
    }
  }
  slots_in_flight_ = cells.empty() ? 1 : cells.front().slots_in_flight;
  std::size_t max_tbs = 0;
  for (const auto& cell : cells_) {
    max_tbs += cell->lanes.front()->decoders.size();
  }
  for (std::size_t l = 0; l < slots_in_flight_; ++l) {
    launches_.push_back(std::make_unique<SlotLaunch>(cells_.size(), max_tbs));
  }
  if (options.batched_front_end && options.joint_fft && !cells_.empty()) {
    make_ofdm_workspaces();
  }
  options_.one_graph_per_slot = options.one_graph_per_slot && cuda_graphs_enabled();
  options_.graph_per_cell = options.graph_per_cell && cuda_graphs_enabled();
  if (options.submit_threads > 1 && cells_.size() > 1) {
    const auto workers = std::min<std::size_t>(options.submit_threads, cells_.size()) - 1;
    submit_pool_ = std::make_unique<phy::ThreadPool>(static_cast<unsigned>(workers));
  }
}

void GpuCellGroup::make_ofdm_workspaces() {
  // The FFT size with the most windows (the first of equals); the cells go through
  // enqueue_prepared_demodulation() in runs of up to 32 (in cell order), each run one cuFFT over
  // its cells of that size.
  std::vector<std::pair<unsigned, std::size_t>> cell_windows; // (FFT size, windows) per cell
  std::vector<std::pair<unsigned, std::size_t>> by_size;      // (FFT size, windows)
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    const phy::CellConfig& cell = cells_[c]->config.cell;
    const auto numerology = phy::carrier_numerology(cell);
    const bool fused = cells_[c]->lanes.front()->front_end.fused_ofdm(); // no cuFFT
    const std::size_t windows =
        fused ? 0 : std::size_t{cells_[c]->config.num_rx_antennas} * numerology.symbols_per_slot();
    cell_windows.emplace_back(numerology.fft_size(), windows);
    auto size = std::find_if(by_size.begin(), by_size.end(), [&](const auto& entry) {
      return entry.first == numerology.fft_size();
    });
    if (size == by_size.end()) {
      by_size.emplace_back(numerology.fft_size(), windows);
    } else {
      size->second += windows;
    }
  }
  const unsigned fft_size =
      std::max_element(by_size.begin(), by_size.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  std::vector<std::size_t> runs; // windows of that size per run
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    if (c % GpuPuschFrontEnd::max_batch == 0) {
      runs.push_back(0);
    }
    if (cell_windows[c].first == fft_size) {
      runs.back() += cell_windows[c].second;
    }
  }
  const std::size_t largest = *std::max_element(runs.begin(), runs.end());
  if (largest == 0) {
    return; // every cell demodulates with the fused kernel
  }
  for (const auto& launch : launches_) {
    launch->ofdm_workspace = std::make_unique<GpuOfdmWorkspace>(fft_size, largest, device_);
    for (const std::size_t windows : runs) {
      (void)launch->ofdm_workspace->prepare(windows); // (no plan for 0 windows)
    }
  }
}

GpuCellGroupLaunches GpuCellGroup::launches() const {
  GpuCellGroupLaunches counts = counts_;
  for (const auto& launch : launches_) {
    counts.graph_instantiations += launch->graph.instantiations();
    if (launch->ofdm_workspace != nullptr) {
      counts.joint_ffts += launch->ofdm_workspace->joint_transforms();
      counts.own_ffts += launch->ofdm_workspace->own_transforms();
    }
  }
  return counts;
}

bool GpuCellGroup::prepare_one_graph(std::span<const GpuCellSlot> slots, std::size_t lane) {
  if (!options_.one_graph_per_slot) {
    return false;
  }
  bool capturable = true;
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    const Cell& cell = *cells_[c];
    capturable =
        cell.lanes[lane]->front_end.prepare_capture(cell.config.num_rx_antennas, slots[c].pdus,
                                                    slots[c].slot, cell.config.front_end) &&
        capturable;
  }
  return capturable;
}

void GpuCellGroup::enqueue_one_graph(std::span<const GpuCellSlot> slots, std::size_t lane) {
  SlotLaunch& launch = *launches_[lane];
  cudaStream_t stream = launch.stream.get();
  // Host IQ goes to each cell's device buffer before the capture (a copy from pageable memory
  // cannot be captured), on the stream the graph is launched on.
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    Cell& cell = *cells_[c];
    detail::StagedIq& staged = launch.staged[c];
    staged = {slots[c].device_iq, {}};
    if (staged.device == nullptr) {
      try {
        staged.device = cell.lanes[lane]->front_end.upload_iq(
            slots[c].host_iq, cell.config.num_rx_antennas, slots[c].slot, stream);
      } catch (const std::invalid_argument& e) {
        staged.error = std::string("slot IQ: ") + e.what();
      }
    }
  }
  // Every cell's stream forks from the launch stream and joins it again, so that the capture
  // holds each cell's work as a branch; an exception in a cell still joins its stream (an
  // unjoined stream would leave the capture unfinishable) and is rethrown after the capture.
  // The first failure is kept (a CUDA error invalidates the capture, and every later call in
  // it fails too) and rethrown once every stream has joined.
  std::exception_ptr failure;
  const auto step = [&](const auto& work) {
    if (failure == nullptr) {
      try {
        work();
      } catch (...) {
        failure = std::current_exception();
      }
    }
  };
  launch.graph.capture_or_update(stream, [&] {
    if (options_.batched_front_end) { // forks and joins the cells' streams itself
      step([&] { enqueue_batched_front_ends(slots, lane, stream, true); });
    } else {
      AIRAN_CUDA_CHECK(cudaEventRecord(launch.fork.get(), stream));
      for (std::size_t c = 0; c < cells_.size(); ++c) {
        auto* cell_stream =
            static_cast<cudaStream_t>(cells_[c]->lanes[lane]->front_end.native_stream());
        step([&] {
          AIRAN_CUDA_CHECK(cudaStreamWaitEvent(cell_stream, launch.fork.get(), 0));
          cells_[c]->submit(slots[c], lane, device_, &launch.staged[c]);
        });
        const cudaError_t joined = cudaEventRecord(launch.joins[c].get(), cell_stream);
        const cudaError_t waited = cudaStreamWaitEvent(stream, launch.joins[c].get(), 0);
        step([&] {
          AIRAN_CUDA_CHECK(joined);
          AIRAN_CUDA_CHECK(waited);
        });
      }
    }
    if (options_.batched_decoding) { // every cell's stream has joined the launch stream
      step([&] { enqueue_batched_decoding(lane, stream, false); });
    }
    if (failure != nullptr) {
      std::rethrow_exception(failure);
    }
  });
  launch.graph.launch(stream);
  launch.launched = true;
}

bool GpuCellGroup::enqueue_cell_graph(std::size_t cell_index, const GpuCellSlot& slot,
                                      std::size_t lane_index) {
  Cell& cell = *cells_[cell_index];
  detail::CellLane& lane = *cell.lanes[lane_index];
  if (!lane.front_end.prepare_capture(cell.config.num_rx_antennas, slot.pdus, slot.slot,
                                      cell.config.front_end)) {
    return false;
  }
  auto* stream = static_cast<cudaStream_t>(lane.front_end.native_stream());
  // Host IQ goes to the cell's device buffer before the capture (a copy from pageable memory
  // cannot be captured).
  lane.staged = {slot.device_iq, {}};
  if (lane.staged.device == nullptr) {
    try {
      lane.staged.device =
          lane.front_end.upload_iq(slot.host_iq, cell.config.num_rx_antennas, slot.slot, stream);
    } catch (const std::invalid_argument& e) {
      lane.staged.error = std::string("slot IQ: ") + e.what();
    }
  }
  launches_[lane_index]->cell_launched[cell_index] = 0; // until the graph is launched
  lane.graph.capture_or_update(stream,
                               [&] { cell.submit(slot, lane_index, device_, &lane.staged); });
  lane.graph.launch(stream);
  launches_[lane_index]->cell_launched[cell_index] = 1;
  return true;
}

std::uint64_t GpuCellGroup::enqueue_cells(std::span<const GpuCellSlot> slots, std::size_t lane) {
  SlotLaunch& launch = *launches_[lane];
  std::fill(launch.cell_as_graph.begin(), launch.cell_as_graph.end(), 0);
  const auto enqueue_cell = [&](std::size_t c) {
    if (options_.graph_per_cell && enqueue_cell_graph(c, slots[c], lane)) {
      launch.cell_as_graph[c] = 1;
    } else {
      cells_[c]->submit(slots[c], lane, device_);
    }
  };
  if (submit_pool_ != nullptr && LaunchProfiler::active() == nullptr) {
    // Each cell on one thread; a failure is rethrown once every cell's thread is done with it,
    // and the worker's pending CUDA error is cleared (it is not the worker's next call's).
    submit_pool_->parallel_for(cells_.size(), [&](std::size_t c, unsigned /*thread*/) {
      try {
        AIRAN_CUDA_CHECK(cudaSetDevice(device_));
        enqueue_cell(c);
      } catch (...) {
        (void)cudaGetLastError();
        throw;
      }
    });
  } else {
    for (std::size_t c = 0; c < cells_.size(); ++c) {
      enqueue_cell(c);
    }
  }
  return static_cast<std::uint64_t>(
      std::count(launch.cell_as_graph.begin(), launch.cell_as_graph.end(), 1));
}

void GpuCellGroup::enqueue_batched_decoding(std::size_t lane, void* stream, bool join_cells) {
  SlotLaunch& launch = *launches_[lane];
  auto* launch_stream = static_cast<cudaStream_t>(stream);
  std::vector<GpuUlschDecoder*>& prepared = launch.prepared;
  prepared.clear(); // (capacity for every decoder: no allocation)
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    detail::CellLane& cell_lane = *cells_[c]->lanes[lane];
    if (join_cells) {
      auto* cell_stream = static_cast<cudaStream_t>(cell_lane.front_end.native_stream());
      AIRAN_CUDA_CHECK(cudaEventRecord(launch.joins[c].get(), cell_stream));
      AIRAN_CUDA_CHECK(cudaStreamWaitEvent(launch_stream, launch.joins[c].get(), 0));
    }
    for (std::size_t p = 0; p < cell_lane.enqueued.size(); ++p) {
      if (cell_lane.enqueued[p]) {
        prepared.push_back(cell_lane.decoders[p].get());
      }
    }
  }
  GpuUlschDecoder::enqueue_prepared(prepared, launch_stream);
}

GpuCellGroup::~GpuCellGroup() {
  // Slots still in flight write into the buffers, graphs and host memory the members own: wait
  // for the device before they go (errors ignored: a destructor reports nothing), on the
  // group's device, leaving the thread's current device as it was.
  int current = -1;
  if (cudaGetDevice(&current) == cudaSuccess && cudaSetDevice(device_) == cudaSuccess) {
    (void)cudaDeviceSynchronize();
    (void)cudaSetDevice(current);
  }
  (void)cudaGetLastError();
}

unsigned GpuCellGroup::num_cells() const {
  return static_cast<unsigned>(cells_.size());
}

unsigned GpuCellGroup::slots_in_flight() const {
  return static_cast<unsigned>(submitted_ - collected_);
}

std::size_t GpuCellGroup::slot_length(unsigned cell, unsigned slot) const {
  return cells_.at(cell)->lanes.front()->front_end.slot_length(slot);
}

GpuCellStageTimes GpuCellGroup::stage_times(unsigned cell) {
  Cell& c = *cells_.at(cell);
  GpuCellStageTimes times;
  if (c.last_pdu < 0) {
    return times;
  }
  detail::CellLane& lane = *c.lanes[c.last_lane];
  if (launches_[c.last_lane]->one_graph) {
    launches_[c.last_lane]->stream.synchronize(); // a later slot's graph may record the events
  }
  const GpuStageTimes front_end = lane.front_end.stage_times();
  times.ofdm_us = 1000.0F * front_end.ofdm_ms;
  times.estimate_us = 1000.0F * front_end.estimate_ms;
  times.equalize_demap_us = 1000.0F * front_end.equalize_demap_ms;
  times.descramble_us = 1000.0F * front_end.descramble_ms;
  const GpuUlschTimes decoder = lane.decoders[static_cast<std::size_t>(c.last_pdu)]->last_times();
  times.rate_recovery_us = decoder.rate_recovery_us;
  times.ldpc_us = decoder.ldpc_us;
  return times;
}

phy::HarqBufferPool& GpuCellGroup::harq_pool(unsigned cell) {
  return cells_.at(cell)->harq;
}

void GpuCellGroup::submit(std::span<const GpuCellSlot> slots) {
  if (slots.size() != cells_.size()) {
    throw std::invalid_argument("GpuCellGroup: " + std::to_string(slots.size()) + " slots for " +
                                std::to_string(cells_.size()) + " cells");
  }
  if (submitted_ - collected_ >= slots_in_flight_) {
    throw std::logic_error("GpuCellGroup: " + std::to_string(slots_in_flight_) +
                           " slots already in flight; collect() one first");
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device_));
  const std::size_t lane = submitted_ % slots_in_flight_;
  SlotLaunch& launch = *launches_[lane];
  launch.one_graph = false; // until prepare_one_graph() says otherwise
  launch.launched = false;
  launch.batched_on_stream = false;
  std::fill(launch.cell_launched.begin(), launch.cell_launched.end(), 1);
  std::uint64_t cell_graphs = 0;
  try {
    launch.one_graph = prepare_one_graph(slots, lane);
    if (launch.one_graph) {
      enqueue_one_graph(slots, lane);
    } else if (options_.batched_front_end) { // on the group's stream, by this thread
      launch.batched_on_stream = true;
      enqueue_batched_front_ends(slots, lane, launch.stream.get(), false);
      if (options_.batched_decoding) { // every cell's stream has joined the group's stream
        enqueue_batched_decoding(lane, launch.stream.get(), false);
      }
    } else {
      cell_graphs = enqueue_cells(slots, lane);
      if (options_.batched_decoding) {
        launch.batched_on_stream = true;
        enqueue_batched_decoding(lane, launch.stream.get(), true);
      }
    }
  } catch (...) {
    // A device failure (a bad PDU or IQ only fails its PDUs): the slot is dropped, so that the
    // lane's decoders are free again and the error is the first one, not a later "enqueued".
    // What may have run is waited for; a graph that was never launched ran nothing.
    if (!launch.one_graph || launch.launched) {
      try {
        launch.stream.synchronize();
      } catch (const std::exception&) {
      }
    }
    for (std::size_t c = 0; c < cells_.size(); ++c) {
      cells_[c]->abandon(lane, launch.one_graph ? launch.launched : launch.cell_launched[c] != 0);
    }
    (void)cudaGetLastError(); // the failure's error is not the next slot's
    throw;
  }
  ++(launch.one_graph ? counts_.one_graph : counts_.streams);
  counts_.cell_graphs += cell_graphs;
  ++submitted_;
  if (launch.ofdm_workspace != nullptr) {
    // A plan the capture found missing (some cells failed before their OFDM), for next time.
    (void)launch.ofdm_workspace->prepare_missed();
  }
}

void GpuCellGroup::collect(std::vector<std::vector<phy::PuschPduResult>>& results) {
  if (submitted_ == collected_) {
    throw std::logic_error("GpuCellGroup: collect() without a submitted slot");
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device_));
  const std::size_t lane = collected_ % slots_in_flight_;
  if (launches_[lane]->one_graph || launches_[lane]->batched_on_stream) {
    launches_[lane]->stream.synchronize(); // the slot's graph, or its batched decoding
  }
  results.resize(cells_.size());
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    cells_[c]->collect(lane);
    std::swap(results[c], cells_[c]->lanes[lane]->results);
  }
  ++collected_;
}

void GpuCellGroup::process(std::span<const GpuCellSlot> slots,
                           std::vector<std::vector<phy::PuschPduResult>>& results) {
  if (submitted_ != collected_) {
    throw std::logic_error("GpuCellGroup: process() with slots in flight; collect() them first");
  }
  submit(slots);
  collect(results);
}

} // namespace airan::gpu
