// `airan bench cells`: N identical cells (the `bench pusch` slot, from time-domain IQ), one slot
// of every cell at a time; the wall time per slot of all cells and the cells that fit in a
// 500 us slot at that rate. CPU: one PuschReceiver per cell, the cells one after another, each on
// --threads threads. CUDA: one GpuCellGroup with the IQ in device memory, --in-flight slots in
// flight (on distinct HARQ processes), --launch graph|streams|cellgraph, --submit-threads
// (streams, cellgraph: host threads enqueueing the cells), --batched-decoding (every cell's TBs
// as one launch set), --batched-front-end (the cells' OFDM with one cuFFT, then every cell's k-th
// PDU, through one front-end launch set each; --fft-per-cell: a cuFFT per cell), --fused-ofdm
// (each cell's OFDM as one kernel of its own FFT) and --no-stage-timing (no CUDA events timing
// the stages). The last line:
// "cells per 500 us slot (<N> cells, <backend>): <value>".
#include "bench_cells.h"

#include "airan/gpu/backend.h"
#include "airan/gpu/gpu_cell_group.h"
#include "airan/phy/pusch_receiver.h"
#include "bench_slot.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct CellsBenchOptions {
  BenchSlotShape shape;
  std::vector<unsigned> cells = {1, 4};
  unsigned threads = 1;           ///< CPU: threads per cell's receiver.
  unsigned in_flight = 2;         ///< CUDA: slots in flight.
  std::string launch = "graph";   ///< CUDA: the slot as one graph, "streams" or "cellgraph".
  unsigned submit_threads = 1;    ///< CUDA, streams or cellgraph: host threads enqueueing cells.
  bool batched_decoding = false;  ///< CUDA: GpuCellGroupOptions::batched_decoding.
  bool batched_front_end = false; ///< CUDA: GpuCellGroupOptions::batched_front_end.
  bool fft_per_cell = false;      ///< CUDA: GpuCellGroupOptions::joint_fft off.
  bool fused_ofdm = false;        ///< CUDA: GpuCellGroupOptions::fused_ofdm.
  bool no_stage_timing = false;   ///< CUDA: GpuCellGroupOptions::stage_timing off.
  unsigned slots = 10;
  std::string backend = "cpu";
};

double microseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

/// Wall time per slot of \p num_cells CPU receivers; counts the TBs decoded in the last slot.
double cpu_slot_us(const CellsBenchOptions& o, const BenchSlot& slot, std::span<const phy::cf32> iq,
                   unsigned num_cells, unsigned& decoded) {
  std::vector<std::unique_ptr<phy::PuschReceiver>> receivers;
  for (unsigned c = 0; c < num_cells; ++c) {
    phy::PuschReceiverConfig config;
    config.num_rx_antennas = o.shape.rx;
    config.max_layers = o.shape.layers;
    config.num_threads = o.threads;
    receivers.push_back(std::make_unique<phy::PuschReceiver>(slot.cell, config));
  }
  std::vector<phy::PuschPduResult> results;
  std::vector<double> times;
  for (unsigned i = 0; i <= o.slots; ++i) { // the first is a warm-up
    decoded = 0;
    const auto start = Clock::now();
    for (auto& receiver : receivers) {
      receiver->process_slot_iq(iq, 0, std::span(&slot.pusch, 1), results);
      decoded += results[0].tb_crc_ok && results[0].tb_bits == slot.tb ? 1 : 0;
    }
    if (i > 0) {
      times.push_back(microseconds_since(start));
    }
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// Wall time per slot of a GpuCellGroup of \p num_cells cells, --in-flight slots in flight.
double gpu_slot_us(const CellsBenchOptions& o, const BenchSlot& slot, const gpu::GpuDeviceIq& iq,
                   unsigned num_cells, int device, unsigned& decoded) {
  gpu::GpuCellConfig config;
  config.cell = slot.cell;
  config.num_rx_antennas = o.shape.rx;
  config.max_layers = o.shape.layers;
  config.max_pdus = 1;
  config.slots_in_flight = o.in_flight;
  const std::vector<gpu::GpuCellConfig> configs(num_cells, config);
  gpu::GpuCellGroupOptions options;
  options.one_graph_per_slot = o.launch == "graph";
  options.graph_per_cell = o.launch == "cellgraph";
  options.submit_threads = o.submit_threads;
  options.batched_decoding = o.batched_decoding;
  options.batched_front_end = o.batched_front_end;
  options.joint_fft = !o.fft_per_cell;
  options.fused_ofdm = o.fused_ofdm;
  options.stage_timing = !o.no_stage_timing;
  gpu::GpuCellGroup group(configs, device, options);
  // Slots in flight together use distinct HARQ processes (a process still decoding in another
  // slot in flight is refused).
  std::vector<phy::PuschConfig> pdus(o.in_flight, slot.pusch);
  std::vector<std::vector<gpu::GpuCellSlot>> inputs(o.in_flight,
                                                    std::vector<gpu::GpuCellSlot>(num_cells));
  for (unsigned k = 0; k < o.in_flight; ++k) {
    pdus[k].harq_process_id = (slot.pusch.harq_process_id + k) % 16;
    for (auto& input : inputs[k]) {
      input.device_iq = iq.data();
      input.pdus = std::span(&pdus[k], 1);
    }
  }
  std::vector<std::vector<phy::PuschPduResult>> results;
  group.process(inputs[0], results); // warm-up: graphs, filter banks
  std::vector<std::uint8_t> sent;
  phy::pack_bits_msb_first(slot.tb, sent);
  unsigned submitted = 0;
  for (unsigned i = 0; i + 1 < o.in_flight; ++i) {
    group.submit(inputs[submitted++ % o.in_flight]);
  }
  const auto start = Clock::now();
  for (unsigned i = 0; i < o.slots; ++i) {
    group.submit(inputs[submitted++ % o.in_flight]);
    group.collect(results);
  }
  const double us = microseconds_since(start) / o.slots;
  while (group.slots_in_flight() > 0) {
    group.collect(results);
  }
  decoded = 0;
  for (const auto& cell : results) {
    decoded += cell[0].tb_crc_ok && cell[0].tb_bytes == sent ? 1 : 0;
  }
  return us;
}

int run_cells_bench(const CellsBenchOptions& o) {
  const BenchSlot slot = make_bench_slot(o.shape);
  const std::vector<phy::cf32> iq = bench_slot_iq(slot);
  const gpu::BackendSelection backend = gpu::select_backend(o.backend);
  const bool cuda = backend.backend == gpu::Backend::cuda;
  std::printf("cell slot: %u PRB, %u rx, %u layer(s), MCS %u table %u, TBS %zu, SNR %.0f dB; "
              "backend %s (%s)\n",
              o.shape.prbs, o.shape.rx, o.shape.layers, o.shape.mcs, o.shape.mcs_table,
              slot.tb.size(), o.shape.snr_db, cuda ? "cuda" : "cpu", backend.reason.c_str());
  std::unique_ptr<gpu::GpuDeviceIq> device_iq;
  if (cuda) {
    device_iq = std::make_unique<gpu::GpuDeviceIq>(iq, backend.device_index);
    std::printf("IQ in device memory; %u slot(s) in flight; %s", o.in_flight,
                o.launch == "graph"       ? "each slot one CUDA graph"
                : o.launch == "cellgraph" ? "each cell's slot one CUDA graph"
                                          : "each cell on its own stream");
    if (o.launch != "graph") {
      std::printf(", enqueued by %u host thread(s)", std::max(o.submit_threads, 1U));
    }
    std::printf("%s%s%s\n", o.batched_decoding ? ", every cell's TBs as one launch set" : "",
                o.batched_front_end
                    ? (o.fft_per_cell ? ", the cells' PDUs through one front-end launch set "
                                        "(a cuFFT per cell)"
                                      : ", the cells' PDUs through one front-end launch set")
                    : "",
                o.no_stage_timing ? ", stages not timed" : "");
    if (o.fused_ofdm) {
      std::printf("OFDM demodulation: the fused kernel (CP removal, FFT and extraction in one)\n");
    }
  } else {
    std::printf("one receiver per cell, %u thread(s) each, cells one after another\n", o.threads);
  }
  std::printf("%-8s %16s %14s %12s %18s\n", "cells", "slot wall us", "us per cell", "TBs decoded",
              "cells per 500 us");
  double last = 0.0;
  for (const unsigned num_cells : o.cells) {
    unsigned decoded = 0;
    const double us =
        cuda ? gpu_slot_us(o, slot, *device_iq, num_cells, backend.device_index, decoded)
             : cpu_slot_us(o, slot, iq, num_cells, decoded);
    last = 500.0 * num_cells / us;
    std::printf("%-8u %16.1f %14.1f %9u/%-2u %18.2f\n", num_cells, us, us / num_cells, decoded,
                num_cells, last);
    if (decoded != num_cells) {
      std::cerr << "airan bench cells: " << num_cells - decoded << " cell(s) did not decode\n";
      return 1;
    }
  }
  std::printf("cells per 500 us slot (%u cells, %s): %.2f\n", o.cells.back(), cuda ? "cuda" : "cpu",
              last);
  return 0;
}

} // namespace

void add_bench_cells_command(CLI::App& bench,
                             const std::shared_ptr<std::function<int()>>& selected) {
  auto o = std::make_shared<CellsBenchOptions>();
  auto* app = bench.add_subcommand("cells", "Whole slots of several cells: cells per 500 us");
  add_bench_slot_options(*app, o->shape);
  app->add_option("--cells", o->cells, "Cell counts to measure")
      ->delimiter(',')
      ->check(CLI::Range(1, 64));
  app->add_option("--threads", o->threads, "CPU: threads per cell's receiver")
      ->check(CLI::Range(1, 256));
  app->add_option("--in-flight", o->in_flight, "CUDA: slots in flight")->check(CLI::Range(1, 4));
  app->add_option("--launch", o->launch,
                  "CUDA: graph (the whole slot as one CUDA graph), streams (each cell on its "
                  "own stream, each stage through its own graph) or cellgraph (each cell's slot "
                  "as one graph on its own stream)")
      ->check(CLI::IsMember({"graph", "streams", "cellgraph"}))
      ->capture_default_str();
  app->add_option("--submit-threads", o->submit_threads,
                  "CUDA, streams or cellgraph: host threads that enqueue the cells' work")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app->add_flag("--batched-decoding", o->batched_decoding,
                "CUDA: decode the TBs of every cell in the slot as one launch set (one LDPC "
                "kernel over all their code blocks) after all the cells' front ends");
  app->add_flag("--batched-front-end", o->batched_front_end,
                "CUDA: the cells' OFDM demodulation as one launch set (one cuFFT over every "
                "cell's windows), then the front end of every cell's k-th PDU as one launch set "
                "(one kernel per stage over those PDUs)");
  app->add_flag("--fft-per-cell", o->fft_per_cell,
                "CUDA, with --batched-front-end: a cuFFT per cell instead of one over all");
  app->add_flag("--fused-ofdm", o->fused_ofdm,
                "CUDA: each cell's OFDM demodulation as one kernel of its own FFT (CP removal, "
                "FFT and extraction) instead of cuFFT between two kernels");
  app->add_flag("--no-stage-timing", o->no_stage_timing,
                "CUDA: no CUDA events timing each cell's stages (fewer graph nodes)");
  app->add_option("--slots", o->slots, "Slots timed")->check(CLI::Range(1, 100000));
  app->add_option("--backend", o->backend, "cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  app->callback([selected, o] { *selected = [o] { return run_cells_bench(*o); }; });
}

} // namespace airan::cli
