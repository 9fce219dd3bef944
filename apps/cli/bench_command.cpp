// `airan bench ldpc|pusch` (and `cells`, bench_cells.cpp): quick in-process throughput figures with
// same-process baselines. The Google Benchmark programs in bench/ give the detailed view; these
// commands answer "how fast is this machine" in one line (the last line is always "<what>: <value>
// <unit>").
#include "airan/gpu/backend.h"
#include "airan/gpu/gpu_ldpc_decoder.h"
#include "airan/phy/ldpc_decoder.h"
#include "airan/phy/ldpc_encoder.h"
#include "airan/phy/mcs_table.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "bench_cells.h"
#include "bench_slot.h"
#include "commands.h"
#include "receiver_options.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>

namespace airan::cli {
namespace {

using Clock = std::chrono::steady_clock;

/// Median wall time of \p fn in microseconds over \p repetitions runs (after one warm-up).
template <typename Fn> double median_us(unsigned repetitions, Fn&& fn) {
  fn();
  std::vector<double> times;
  for (unsigned i = 0; i < repetitions; ++i) {
    const auto start = Clock::now();
    fn();
    times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

/// Time to copy \p bytes bytes (the trivial baseline each stage is compared with).
double memcpy_us(std::size_t bytes) {
  std::vector<char> from(bytes, 1), to(bytes);
  return median_us(50, [&] {
    std::memcpy(to.data(), from.data(), bytes);
    asm volatile("" : : "r"(to.data()) : "memory");
  });
}

struct LdpcBenchOptions {
  unsigned iterations = 6;
  unsigned blocks = 200;
  std::string backend = "cpu"; ///< cuda/auto: also GpuLdpcDecoder on batches of `batch` blocks.
  unsigned batch = 528;
};

/// GpuLdpcDecoder on \p options.batch copies of the benchmark block: median kernel and
/// end-to-end (copies included) throughput, and the ratio to the best CPU implementation.
int run_gpu_ldpc_bench(const LdpcBenchOptions& options, int device,
                       std::span<const std::int8_t> llrs, const phy::LdpcDecoderConfig& config,
                       const phy::BitVector& message, double best_cpu_mbps) {
  using namespace phy;
  gpu::GpuLdpcDecoder decoder(options.batch, device);
  std::vector<BitVector> decoded(options.batch, BitVector(message.size()));
  std::vector<LdpcBatchJob> jobs;
  jobs.reserve(decoded.size());
  for (auto& bits : decoded) {
    jobs.push_back({config, llrs, bits, std::nullopt});
  }
  std::vector<LdpcDecoderResult> results(options.batch);
  std::vector<double> kernel_us;
  const double e2e_us = median_us(20, [&] {
    decoder.decode(jobs, results);
    kernel_us.push_back(decoder.last_kernel_us());
  });
  if (!std::all_of(decoded.begin(), decoded.end(),
                   [&](const BitVector& bits) { return bits == message; })) {
    std::cerr << "airan bench ldpc: the benchmark blocks did not decode on the GPU\n";
    return 1;
  }
  std::sort(kernel_us.begin(), kernel_us.end());
  const double bits = static_cast<double>(message.size()) * options.batch;
  const double kernel_gbps = bits / kernel_us[kernel_us.size() / 2] / 1e3;
  std::printf("%-10s %12.2f %14.1f %18s  (%s, %u blocks per launch; kernel only)\n", "cuda",
              kernel_us[kernel_us.size() / 2] / options.batch, kernel_gbps * 1e3, "-",
              decoder.description().c_str(), options.batch);
  std::printf("ldpc decoding BG1 Z=384 R=0.9 %u it (cuda, %u blocks): %.2f Gbit/s kernel, %.2f "
              "Gbit/s with copies, %.1fx the best CPU core\n",
              options.iterations, options.batch, kernel_gbps, bits / e2e_us / 1e3,
              kernel_gbps * 1e3 / best_cpu_mbps);
  return 0;
}

int run_ldpc_bench(const LdpcBenchOptions& options) {
  using namespace phy;
  gpu::BackendSelection backend;
  try {
    backend = gpu::select_backend(options.backend);
  } catch (const std::exception& error) {
    std::cerr << "airan bench ldpc: " << error.what() << '\n';
    return 2;
  }
  if (options.backend != "cpu") {
    std::printf("backend: %s\n", backend.reason.c_str());
  }
  constexpr unsigned z = 384;
  constexpr unsigned k = 8448;
  constexpr unsigned received = 9386; // K' / E = 0.90
  std::mt19937_64 rng(1);
  BitVector message(k);
  for (auto& bit : message) {
    bit = static_cast<bit_t>(rng() & 1U);
  }
  BitVector codeword(ldpc_codeword_length(LdpcBaseGraph::bg1, z));
  create_ldpc_encoder()->encode(message, {LdpcBaseGraph::bg1, z, k}, codeword);
  // QPSK over AWGN at 7 dB, LLR = 4 sqrt(2) y / N0 (demapper output), quantised with scale 4.
  const double n0 = std::pow(10.0, -0.7);
  std::normal_distribution<double> noise(0.0, std::sqrt(n0 / 2));
  std::vector<float> llrs(codeword.size(), 0.0F);
  for (unsigned j = 0; j < received; ++j) {
    const double y = (codeword[j] != 0 ? -1.0 : 1.0) / std::sqrt(2.0) + noise(rng);
    llrs[j] = static_cast<float>(2.0 * std::sqrt(2.0) * y / n0);
  }
  std::vector<std::int8_t> quantized(llrs.size());
  quantize_ldpc_llrs(llrs, 4.0F, quantized);

  LdpcDecoderConfig config{LdpcBaseGraph::bg1, z, k, options.iterations};
  config.early_termination = LdpcEarlyTermination::none;
  const double baseline = memcpy_us(received);
  std::printf("LDPC decoding, BG1 Z=384 K'=8448 E=%u (R=%.2f), %u iterations, one core\n", received,
              static_cast<double>(k) / received, options.iterations);
  std::printf("%-10s %12s %14s %18s\n", "impl", "us/block", "Mbit/s (info)", "x memcpy(LLRs)");
  double best = 0.0;
  std::string best_name;
  for (const auto impl : ldpc_decoder_supported_impls()) {
    auto decoder = create_ldpc_decoder(impl);
    BitVector decoded(k);
    bool ok = true;
    const double us = median_us(
        options.blocks, [&] { ok &= decoder->decode(quantized, config, decoded).parity_ok; });
    if (!ok || decoded != message) {
      std::cerr << "airan bench ldpc: the benchmark block did not decode with " << to_string(impl)
                << '\n';
      return 1;
    }
    const double mbps = k / us;
    std::printf("%-10s %12.2f %14.1f %18.1f\n", std::string(to_string(impl)).c_str(), us, mbps,
                us / baseline);
    if (mbps > best) {
      best = mbps;
      best_name = to_string(impl);
    }
  }
  std::printf("ldpc decoding BG1 Z=384 R=0.9 %u it (%s): %.1f Mbit/s\n", options.iterations,
              best_name.c_str(), best);
  if (backend.backend == gpu::Backend::cuda) {
    return run_gpu_ldpc_bench(options, backend.device_index, quantized, config, message, best);
  }
  return 0;
}

struct PuschBenchOptions {
  BenchSlotShape shape;
  std::vector<unsigned> threads = {1, 2};
  unsigned slots = 20;
  std::string receiver = "mmse-lmmse";
  ReceiverOptions placement; ///< --backend, --model
};

int run_pusch_bench(const PuschBenchOptions& o) {
  using namespace phy;
  const BenchSlot bench_slot = make_bench_slot(o.shape);
  const CellConfig& cell = bench_slot.cell;
  const PuschConfig& pusch = bench_slot.pusch;
  const BitVector& tb = bench_slot.tb;
  const ResourceGrid& rx_grid = bench_slot.rx_grid;
  const std::uint32_t g = bench_slot.g;
  std::printf("PUSCH slot: %u PRB, %u rx, %u layer(s), %sMCS %u table %u (Qm %u), TBS %zu, "
              "G %u, SNR %.0f dB, flat unitary channel\n",
              o.shape.prbs, o.shape.rx, o.shape.layers,
              pusch.transform_precoding ? "DFT-s-OFDM, " : "", o.shape.mcs,
              static_cast<unsigned>(pusch.mcs_table), pusch.modulation_order(), tb.size(), g,
              o.shape.snr_db);

  // Baselines: a memcpy of each stage's input.
  const std::size_t grid_bytes = rx_grid.size() * sizeof(cf32);
  const std::size_t symbol_bytes = std::size_t{g} / pusch.modulation_order() * sizeof(cf32);
  const std::size_t llr_bytes = std::size_t{g} * sizeof(float);
  const double base_grid = memcpy_us(grid_bytes);
  const double base_symbols = memcpy_us(symbol_bytes);
  const double base_llrs = memcpy_us(llr_bytes);

  const apps::ReceiverSpec& spec = apps::find_receiver(o.receiver);
  if (spec.perfect_csi) {
    throw std::invalid_argument("bench pusch: perfect-csi needs a true channel; choose another "
                                "--receiver");
  }
  const gpu::BackendSelection backend = gpu::select_backend(o.placement.backend);
  print_backend_choice(o.placement, backend, std::cout);
  const ReceiverPlacement placement =
      place_receiver(spec, o.placement, backend, cell, pusch.transform_precoding);
  check_receiver_layers(spec.name, placement, o.shape.layers);
  std::printf("receiver %s on %s\n", spec.name.c_str(), placement.where.c_str());

  double last_slot_us = 0.0;
  for (const unsigned threads : o.threads) {
    PuschReceiverConfig config;
    config.num_rx_antennas = o.shape.rx;
    config.max_layers = o.shape.layers;
    config.num_threads = threads;
    config.front_end = spec.front_end;
    config.detector = placement.detector;
    config.ldpc_batch_decoder = placement.ldpc;
    config.ulsch_decoder = placement.ulsch;
    PuschReceiver receiver(cell, config);
    std::vector<PuschPduResult> results;
    PuschStageTimes sum;
    bool all_ok = true;
    unsigned runs = 0;
    bool warm = false; // median_us()'s first call is its warm-up: not in the stage means either
    const double slot_us = median_us(o.slots, [&] {
      receiver.process_slot(rx_grid, 0, std::span(&pusch, 1), results);
      all_ok &= results[0].tb_crc_ok && results[0].tb_bits == tb;
      if (!warm) {
        warm = true;
        return;
      }
      const auto& t = results[0].times;
      sum.channel_estimation_us += t.channel_estimation_us;
      sum.equalization_us += t.equalization_us;
      sum.demapping_us += t.demapping_us;
      sum.descrambling_us += t.descrambling_us;
      sum.decoding_us += t.decoding_us;
      sum.detection_us += t.detection_us;
      ++runs;
    });
    if (!all_ok) {
      std::cerr << "airan bench pusch: the slot did not decode (" << results[0].error << ")\n";
      return 1;
    }
    std::printf("\n%u thread(s): slot %.1f us (median of %u), %.1f Mbit/s, mean LDPC iterations "
                "%.2f\n",
                threads, slot_us, o.slots, tb.size() / slot_us,
                results[0].decoding.mean_ldpc_iterations);
    std::printf("  %-22s %10s %12s %10s\n", "stage (mean)", "us", "memcpy in", "ratio");
    const auto row = [&](const char* name, double total, double baseline) {
      std::printf("  %-22s %10.1f %12.1f %10.1f\n", name, total / runs, baseline,
                  total / runs / baseline);
    };
    // The detector (the CUDA front end deprecodes DFT-s-OFDM itself), or the CPU stages.
    if (placement.detector) {
      row(spec.neural ? "neural detection" : "cuda front end", sum.detection_us, base_grid);
    } else {
      row("channel estimation", sum.channel_estimation_us, base_grid);
      row(pusch.transform_precoding ? "equalization + IDFT" : "equalization", sum.equalization_us,
          base_grid);
      row("soft demapping", sum.demapping_us, base_symbols);
    }
    row("descrambling", sum.descrambling_us, base_llrs);
    row("UL-SCH decoding", sum.decoding_us, base_llrs);
    last_slot_us = slot_us;
  }
  std::printf("pusch slot receive time (%u threads): %.1f us\n", o.threads.back(), last_slot_us);
  return 0;
}

} // namespace

Command add_bench_command(CLI::App& parent) {
  auto* app = parent.add_subcommand("bench", "Measure decoder and receiver throughput");
  app->require_subcommand(1);
  auto selected = std::make_shared<std::function<int()>>();

  auto ldpc = std::make_shared<LdpcBenchOptions>();
  auto* ldpc_app = app->add_subcommand("ldpc", "LDPC decoding, BG1 Z=384 rate 0.9, per SIMD impl");
  ldpc_app->add_option("--iterations", ldpc->iterations, "LDPC iterations")
      ->check(CLI::Range(1, 50));
  ldpc_app->add_option("--blocks", ldpc->blocks, "Blocks timed")->check(CLI::Range(1, 100000));
  ldpc_app
      ->add_option("--backend", ldpc->backend,
                   "cpu, or cuda/auto: also the CUDA decoder on batches of --batch blocks")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  ldpc_app->add_option("--batch", ldpc->batch, "Code blocks per CUDA launch")
      ->check(CLI::Range(1, 8192))
      ->capture_default_str();
  ldpc_app->callback([selected, ldpc] { *selected = [ldpc] { return run_ldpc_bench(*ldpc); }; });

  auto pusch = std::make_shared<PuschBenchOptions>();
  auto* pusch_app = app->add_subcommand("pusch", "Whole-slot PUSCH receive time per stage");
  add_bench_slot_options(*pusch_app, pusch->shape);
  pusch_app->add_option("--threads", pusch->threads, "Thread counts to measure")
      ->delimiter(',')
      ->check(CLI::Range(1, 256));
  pusch_app->add_option("--slots", pusch->slots, "Slots timed")->check(CLI::Range(1, 100000));
  pusch_app->add_option("--receiver", pusch->receiver, "Receiver (airan eval's names)")
      ->capture_default_str();
  add_receiver_options(*pusch_app, pusch->placement);
  pusch_app->callback(
      [selected, pusch] { *selected = [pusch] { return run_pusch_bench(*pusch); }; });

  add_bench_cells_command(*app, selected);

  return {app, [selected] { return (*selected)(); }};
}

} // namespace airan::cli
