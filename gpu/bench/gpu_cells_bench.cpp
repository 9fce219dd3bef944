// The whole uplink slot on the GPU (issue 6's targets): GpuCellGroup on 1 to 32 cells, each a
// 273-PRB, 4-Rx, 2-layer, 256-QAM MCS 27 slot (TDL-A30 at 50 Hz through the time domain at 35 dB),
// from IQ in device memory to TB bytes in host memory. Prints, per cell count, the median wall
// time of a slot of every cell, the TBs decoded over its 40 slots (each compared byte for byte
// with the CPU receiver's; a wrong one fails the program), and the cells that fit in a 500 us slot
// at that rate (targets: one cell in at most 150 us, at least 24 cells per 500 us), and the time
// per slot with two slots in flight (submit before collect, alternating two HARQ processes) with
// the TBs it decoded; each with the whole slot as one CUDA graph ("graph"), with each cell on its
// own stream ("streams", each stage through its own graph) and with each cell's slot as a graph
// of its own ("cellgraph"), the last two also with the cells enqueued by 8 host threads
// ("streams-8t", "cellgraph-8t"), three of them with the TBs of every cell decoded as one launch
// set ("-batched": GpuCellGroupOptions::batched_decoding; "-batched-all": the front end of every
// cell's PDUs as one launch set too, GpuCellGroupOptions::batched_front_end, in one graph and on
// the group's stream), two whole-slot graph modes without the
// CUDA events that time the stages ("-untimed": GpuCellGroupOptions::stage_timing, 1 and 24
// cells), with how many slots went as one graph
// and how many graphs were instantiated rather than updated, and the host time of submit()
// (captures, graph updates, launches) within the slot's wall time; "graph-batched-all-fftcell"
// (24 cells) is "graph-batched-all" with a cuFFT per cell (GpuCellGroupOptions::joint_fft off),
// "graph-batched-all-fused" (1 and 24 cells) with the fused OFDM kernel (fused_ofdm on),
// "graph-batched-all-pairs" (1 and 24 cells) with two code blocks per LDPC thread block
// (ldpc_code_block_pairs on).
// Last, every kernel, cuFFT call and copy with its device time (LaunchProfiler) of the 1-cell
// slot and of the 24-cell slot in "graph-batched-all". The CPU receiver on one core
// runs the same slot in this process as the baseline. Without a device it says so and exits 0.
// --cells=1,24 and --modes=graph,streams keep those cell counts and launch modes only (gpu-check's
// second run, with the driver's 8 hardware work queues); other flags (Google Benchmark's) are
// ignored.
#include "bench_main.h"
#include "launch_profile_table.h"
#include "peak_slot.h"

#include "airan/apps/link_simulation.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/device_buffer.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_cell_group.h"
#include "airan/phy/pusch_receiver.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using airan::phy::cf32;
using Clock = std::chrono::steady_clock;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0.0 : values[values.size() / 2];
}

double microseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

/// \p num_cells cells configured for the peak slot (one PDU per slot), and a slot of each: the
/// peak slot's PDU on its IQ \p device_iq in device memory.
struct PeakCells {
  std::vector<airan::gpu::GpuCellConfig> configs;
  std::vector<airan::gpu::GpuCellSlot> slots;
};
PeakCells peak_cells(const airan::bench::PeakSlot& peak, const float2* device_iq,
                     unsigned num_cells) {
  airan::gpu::GpuCellConfig config;
  config.cell = peak.scenario.cell;
  config.num_rx_antennas = airan::bench::peak_rx;
  config.max_layers = airan::bench::peak_layers;
  config.max_pdus = 1;
  PeakCells cells{std::vector<airan::gpu::GpuCellConfig>(num_cells, config),
                  std::vector<airan::gpu::GpuCellSlot>(num_cells)};
  for (auto& input : cells.slots) {
    input.device_iq = reinterpret_cast<const cf32*>(device_iq);
    input.slot = peak.simulator->slot_number();
    input.pdus = std::span(&peak.pusch, 1);
  }
  return cells;
}

/// The cell counts and launch modes to measure (empty: all).
struct Selection {
  std::vector<unsigned> cells;
  std::vector<std::string> modes;
  [[nodiscard]] bool keeps(unsigned count) const {
    return cells.empty() || std::find(cells.begin(), cells.end(), count) != cells.end();
  }
  [[nodiscard]] bool keeps(std::string_view mode) const {
    return modes.empty() || std::find(modes.begin(), modes.end(), mode) != modes.end();
  }
};

/// The comma-separated items of \p list.
std::vector<std::string> split(std::string_view list) {
  std::vector<std::string> items;
  while (!list.empty()) {
    const auto comma = list.find(',');
    items.emplace_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return items;
}

Selection parse_selection(int argc, char** argv) {
  Selection selection;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--cells=")) {
      for (const auto& item : split(arg.substr(8))) {
        selection.cells.push_back(static_cast<unsigned>(std::stoul(item)));
      }
    } else if (arg.starts_with("--modes=")) {
      selection.modes = split(arg.substr(8));
    }
  }
  return selection;
}

int run(const Selection& selection) {
  const auto chosen = airan::bench::bench_device("bench_gpu_cells");
  if (!chosen) {
    return 0;
  }
  const int device = chosen->index;
  const airan::bench::PeakSlot peak;
  const airan::apps::LinkScenario& scenario = peak.scenario;
  const airan::phy::PuschConfig& pusch = peak.pusch;
  const airan::apps::SlotSimulator& simulator = *peak.simulator;
  constexpr unsigned rx = airan::bench::peak_rx;
  constexpr unsigned layers = airan::bench::peak_layers;
  const unsigned slot = simulator.slot_number();
  const auto iq = simulator.received_iq();

  // CPU baseline: the reference receiver on one core.
  airan::phy::PuschReceiverConfig cpu_config;
  cpu_config.num_rx_antennas = rx;
  cpu_config.max_layers = layers;
  airan::phy::PuschReceiver cpu(scenario.cell, cpu_config);
  std::vector<airan::phy::PuschPduResult> cpu_results;
  std::vector<double> cpu_us;
  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    cpu.process_slot_iq(iq, slot, std::span(&pusch, 1), cpu_results);
    cpu_us.push_back(microseconds_since(start));
  }
  std::printf("CPU receiver, 1 core: %.0f us per cell slot (TB %s)\n", median(cpu_us),
              cpu_results[0].tb_crc_ok ? "decoded" : "failed");

  airan::gpu::DeviceBuffer<float2> device_iq(iq.size());
  airan::gpu::CudaStream copy_stream;
  device_iq.copy_from_host(std::span(reinterpret_cast<const float2*>(iq.data()), iq.size()),
                           copy_stream.get());
  copy_stream.synchronize();
  // Where the slot's device time goes: 1 cell (one graph per slot, as by default), and 24 cells
  // with the front end and the decoding batched (their launch sets on the slot's stream). First,
  // so that a run cut short by gpu-check's time limit still has them (not in a second run for
  // some modes: the profile is the first run's).
  if (selection.modes.empty()) {
    const auto profile = [&](const char* title, unsigned num_cells,
                             const airan::gpu::GpuCellGroupOptions& options) {
      airan::gpu::LaunchProfiler profiler; // outlives the group whose graphs record its events
      const auto [configs, slots] = peak_cells(peak, device_iq.data(), num_cells);
      airan::gpu::GpuCellGroup group(configs, device, options);
      std::vector<std::vector<airan::phy::PuschPduResult>> results;
      std::vector<std::vector<airan::gpu::LaunchTime>> runs;
      for (int i = 0; i < 25; ++i) {
        profiler.restart();
        group.process(slots, results);
        if (i >= 5) {
          runs.push_back(profiler.collect());
        }
      }
      airan::bench::print_launch_profile(title, runs);
    };
    profile("launches of the 1-cell slot", 1, {});
    airan::gpu::GpuCellGroupOptions batched;
    batched.batched_front_end = true;
    batched.batched_decoding = true;
    profile("launches of the 24-cell slot, batched-all", 24, batched);
  }
  // Every cell's TB of every slot run, the bytes against the CPU receiver's: a TB that did not
  // decode, or decoded to other bytes, fails the program (after every row is printed).
  std::uint64_t tbs_run = 0;
  std::uint64_t tbs_wrong = 0;
  const auto right = [&](const airan::phy::PuschPduResult& result) {
    // The cell group returns the TB as the MAC gets it, bytes (its tb_bits stay empty).
    const bool ok = cpu_results[0].tb_crc_ok && !cpu_results[0].tb_bytes.empty() &&
                    result.tb_crc_ok && result.tb_bytes == cpu_results[0].tb_bytes;
    ++tbs_run;
    tbs_wrong += ok ? 0 : 1;
    return ok;
  };
  // The "-8t" modes enqueue the cells on this many host threads (the caller and 7 workers).
  constexpr unsigned submit_threads = 8;
  std::printf("%-8s %14s %14s %12s %18s %10s %20s %11s %-8s %s\n", "cells", "slot wall us",
              "us per cell", "TBs decoded", "cells per 500 us", "x CPU", "2 in flight, us/slot",
              "TBs decoded", "launch", "slots as one graph, graphs instantiated");
  constexpr std::array<unsigned, 6> all_counts{1, 4, 8, 16, 24, 32};
  constexpr std::array<unsigned, 4> threaded_counts{4, 16, 24, 32}; // 1 cell: no submit threads
  // The later modes at fewer counts, beside their baselines' rows (the step has a time limit).
  constexpr std::array<unsigned, 4> batched_counts{1, 8, 24, 32};
  constexpr std::array<unsigned, 2> threaded_batched_counts{24, 32};
  constexpr std::array<unsigned, 2> untimed_counts{1, 24};
  constexpr std::array<unsigned, 1> fft_baseline_counts{24};
  struct Mode {
    const char* name;
    bool one_graph;
    bool graph_per_cell;
    unsigned submit_threads;
    bool batched_decoding;
    bool stage_timing;
    bool batched_front_end;
    std::span<const unsigned> counts;
    bool joint_fft = true;
    bool fused_ofdm = false;
    bool ldpc_pairs = false;
  };
  // The most telling modes first: a run cut short by gpu-check's time limit keeps their rows
  // (each row is flushed as it is printed).
  for (const Mode& launch_mode : {
           Mode{"graph", true, false, 1, false, true, false, all_counts},
           Mode{"streams", false, false, 1, false, true, false, all_counts},
           Mode{"graph-batched-all", true, false, 1, true, true, true, batched_counts},
           // Its baseline: the cells' OFDM with a cuFFT each (GpuCellGroupOptions::joint_fft).
           Mode{"graph-batched-all-fftcell", true, false, 1, true, true, true, fft_baseline_counts,
                false},
           // The cells' OFDM as the fused kernel (GpuCellGroupOptions::fused_ofdm).
           Mode{"graph-batched-all-fused", true, false, 1, true, true, true, untimed_counts, true,
                true},
           // Two code blocks per LDPC thread block (GpuCellGroupOptions::ldpc_code_block_pairs).
           Mode{"graph-batched-all-pairs", true, false, 1, true, true, true, untimed_counts, true,
                false, true},
           Mode{"graph-batched", true, false, 1, true, true, false, batched_counts},
           Mode{"streams-batched-all", false, false, 1, true, true, true, batched_counts},
           Mode{"streams-8t", false, false, submit_threads, false, true, false, threaded_counts},
           Mode{"graph-batched-untimed", true, false, 1, true, false, false, untimed_counts},
           Mode{"graph-untimed", true, false, 1, false, false, false, untimed_counts},
           Mode{"cellgraph", false, true, 1, false, true, false, all_counts},
           Mode{"cellgraph-8t", false, true, submit_threads, false, true, false, threaded_counts},
           Mode{"streams-8t-batched", false, false, submit_threads, true, true, false,
                threaded_batched_counts},
           Mode{"cellgraph-8t-batched", false, true, submit_threads, true, true, false,
                threaded_batched_counts},
       }) {
    airan::gpu::GpuCellGroupOptions options;
    options.one_graph_per_slot = launch_mode.one_graph;
    options.graph_per_cell = launch_mode.graph_per_cell;
    options.submit_threads = launch_mode.submit_threads;
    options.batched_decoding = launch_mode.batched_decoding;
    options.stage_timing = launch_mode.stage_timing;
    options.batched_front_end = launch_mode.batched_front_end;
    options.joint_fft = launch_mode.joint_fft;
    options.fused_ofdm = launch_mode.fused_ofdm;
    options.ldpc_code_block_pairs = launch_mode.ldpc_pairs;
    const char* mode = launch_mode.name;
    if (!selection.keeps(std::string_view(mode))) {
      continue;
    }
    const std::span<const unsigned> counts = launch_mode.counts;
    for (const unsigned num_cells : counts) {
      if (!selection.keeps(num_cells)) {
        continue;
      }
      auto [configs, slots] = peak_cells(peak, device_iq.data(), num_cells);
      airan::gpu::GpuCellGroup group(configs, device, options);
      std::vector<std::vector<airan::phy::PuschPduResult>> results;
      std::vector<double> wall_us;
      std::vector<double> submit_us; // host time of submit(): captures, graph updates, launches
      unsigned decoded = 0;          // over the 40 slots
      constexpr int timed_slots = 40;
      for (int i = 0; i < timed_slots; ++i) {
        const auto start = Clock::now();
        group.submit(slots);
        const double submitted = microseconds_since(start);
        group.collect(results);
        const double us = microseconds_since(start);
        if (i >= 5) { // warm-up: graphs, filter banks
          wall_us.push_back(us);
          submit_us.push_back(submitted);
        }
        for (const auto& cell : results) {
          decoded += right(cell[0]) ? 1 : 0;
        }
      }
      const double slot_us = median(wall_us);
      if (num_cells == 1 && launch_mode.stage_timing) {
        const airan::gpu::GpuCellStageTimes t = group.stage_times(0);
        std::printf("  device stages of the 1-cell slot (CUDA events, us): OFDM %.1f, estimation "
                    "%.1f, equalization+demapping %.1f, descrambling %.1f, rate recovery %.1f, "
                    "LDPC+TB %.1f\n",
                    t.ofdm_us, t.estimate_us, t.equalize_demap_us, t.descramble_us,
                    t.rate_recovery_us, t.ldpc_us);
      }

      // Two slots in flight: slot n + 1 is submitted before slot n is collected. Consecutive
      // slots use two HARQ processes (a process still decoding in the other slot is refused).
      for (auto& cell_config : configs) {
        cell_config.slots_in_flight = 2;
      }
      std::array<airan::phy::PuschConfig, 2> alternating{pusch, pusch};
      alternating[1].harq_process_id = (pusch.harq_process_id + 1) % 16;
      std::array<std::vector<airan::gpu::GpuCellSlot>, 2> alternating_slots{slots, slots};
      for (std::size_t k = 0; k < 2; ++k) {
        for (auto& input : alternating_slots[k]) {
          input.pdus = std::span(&alternating[k], 1);
        }
      }
      double pipelined_us = 0.0;
      unsigned pipelined_decoded = 0;
      constexpr int pipelined_slots = 40;
      {
        airan::gpu::GpuCellGroup pipelined(configs, device, options);
        pipelined.submit(alternating_slots[0]);
        pipelined.collect(results); // warm-up
        pipelined.submit(alternating_slots[1]);
        const auto start = Clock::now();
        for (int i = 0; i < pipelined_slots; ++i) {
          pipelined.submit(alternating_slots[i % 2]);
          pipelined.collect(results);
          for (const auto& cell : results) {
            pipelined_decoded += right(cell[0]) ? 1 : 0;
          }
        }
        pipelined_us = microseconds_since(start) / pipelined_slots;
        pipelined.collect(results);
      }
      const airan::gpu::GpuCellGroupLaunches launches = group.launches();
      std::printf("%-8u %14.1f %14.1f %9u/%-2u %18.1f %10.1f %20.1f %6u/%-4u %-8s %llu/%llu %u\n",
                  num_cells, slot_us, slot_us / num_cells, decoded, timed_slots * num_cells,
                  500.0 * num_cells / slot_us, median(cpu_us) * num_cells / slot_us, pipelined_us,
                  pipelined_decoded, pipelined_slots * num_cells, mode,
                  static_cast<unsigned long long>(launches.one_graph),
                  static_cast<unsigned long long>(launches.one_graph) +
                      static_cast<unsigned long long>(launches.streams),
                  launches.graph_instantiations);
      if (launch_mode.graph_per_cell) {
        std::printf("  %u cells, %s: %llu cell slots as graphs of their own\n", num_cells, mode,
                    static_cast<unsigned long long>(launches.cell_graphs));
      }
      // The host's share: if submit() alone takes most of the slot, the host's captures and
      // graph updates, not the device, set the rate.
      std::printf("  %u cells, %s: submit() %.1f us of the slot's %.1f us wall (%.0f%%), %.1f us "
                  "per cell\n",
                  num_cells, mode, median(submit_us), slot_us, 100.0 * median(submit_us) / slot_us,
                  median(submit_us) / num_cells);
    }
  }

  if (tbs_wrong > 0) {
    std::printf("bench_gpu_cells: %llu of %llu TBs not decoded to the CPU receiver's bytes -> "
                "FAIL\n",
                static_cast<unsigned long long>(tbs_wrong),
                static_cast<unsigned long long>(tbs_run));
    return 1;
  }
  std::printf("bench_gpu_cells: all %llu TBs decoded to the CPU receiver's bytes\n",
              static_cast<unsigned long long>(tbs_run));
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  return airan::bench::run_reporting_errors("bench_gpu_cells",
                                            [&] { return run(parse_selection(argc, argv)); });
}
