// GPU LDPC decoder throughput: GpuLdpcDecoder on batches of BG1 Z=384 K'=8448 code blocks at
// rate ~0.9 (E = 9386 received LLRs, 5 of 46 rows) and rate 1/3 (all 46 rows), 6 iterations
// without early termination, as bench_ldpc_decoder does on one CPU core. Prints the median
// kernel time (CUDA events) per batch, information bits per second, the same including the
// host-device copies, the ratio to the fastest CPU decoder on one core in this process, the
// kernel time with one thread per check node instead of two (the kernel's baseline), and with
// each layer's edges kept from its first pass for its second never and always
// (GpuLdpcDecoder::set_edge_keeping(); by default a launch of at most one block per SM keeps
// them), and with two code blocks per thread block (GpuLdpcDecoder::set_code_block_pairs()),
// all checked against the CPU decoder's bits.
// Without a device it says so and exits 0. Accepts (and ignores) Google Benchmark flags.
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_ldpc_decoder.h"
#include "airan/phy/ldpc_decoder.h"
#include "airan/phy/ldpc_encoder.h"
#include "bench_main.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;
using Clock = std::chrono::steady_clock;

constexpr unsigned lifting_size = 384;
constexpr unsigned num_info_bits = 8448;

/// Noisy LLRs (QPSK in AWGN at 8 dB Es/N0, quantised with scale 4) of a random code block.
std::vector<std::int8_t> received_llrs(unsigned received_length, unsigned seed) {
  std::mt19937 rng(seed);
  BitVector message(num_info_bits);
  for (auto& bit : message) {
    bit = static_cast<bit_t>(rng() & 1u);
  }
  BitVector d(ldpc_codeword_length(LdpcBaseGraph::bg1, lifting_size));
  create_ldpc_encoder()->encode(message, {LdpcBaseGraph::bg1, lifting_size, num_info_bits}, d);
  const double n0 = std::pow(10.0, -8.0 / 10.0);
  std::normal_distribution<float> noise(0.0f, static_cast<float>(std::sqrt(n0 / 2)));
  std::vector<float> llrs(received_length, 0.0f);
  for (unsigned j = 0; j < received_length; ++j) {
    const float y = (d[j] != 0 ? -1.0f : 1.0f) / std::sqrt(2.0f) + noise(rng);
    llrs[j] = static_cast<float>(2.0 * std::sqrt(2.0) * y / n0);
  }
  std::vector<std::int8_t> quantized(received_length);
  quantize_ldpc_llrs(llrs, 4.0f, quantized);
  return quantized;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

void run_rate(const char* name, unsigned received_length, int device) {
  LdpcDecoderConfig config{LdpcBaseGraph::bg1, lifting_size, num_info_bits, 6};
  config.early_termination = LdpcEarlyTermination::none;
  const std::vector<std::int8_t> llrs = received_llrs(received_length, 7);

  // CPU baseline: the fastest implementation, one core.
  auto cpu = create_ldpc_decoder();
  BitVector cpu_bits(num_info_bits);
  std::vector<double> cpu_us;
  for (int i = 0; i < 50; ++i) {
    const auto start = Clock::now();
    cpu->decode(llrs, config, cpu_bits);
    cpu_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  const double cpu_gbps = num_info_bits / median(cpu_us) / 1e3;
  std::printf("%s: CPU %s, 1 core: %.1f us per block, %.3f Gbit/s\n", name,
              std::string(to_string(cpu->impl())).c_str(), median(cpu_us), cpu_gbps);
  std::printf("%-10s %12s %14s %12s %16s %10s %16s %14s %14s %10s %12s\n", "blocks", "kernel us",
              "info Gbit/s", "e2e us", "e2e info Gbit/s", "x CPU core", "1 thread/CN us",
              "never kept us", "always kept us", "pairs us", "pairs Gbit/s");

  for (const unsigned batch : {1u, 16u, 132u, 528u, 1056u, 2112u}) {
    airan::gpu::GpuLdpcDecoder gpu(batch, device);
    // The baseline of the kernel's two threads per check node: one, in the same process.
    airan::gpu::GpuLdpcDecoder one_thread(batch, device, 1);
    one_thread.set_edge_keeping(airan::gpu::GpuLdpcEdgeKeeping::never); // the kernel as it was
    // And of the edges kept from each layer's first pass for its second: read again.
    airan::gpu::GpuLdpcDecoder never_kept(batch, device);
    never_kept.set_edge_keeping(airan::gpu::GpuLdpcEdgeKeeping::never);
    airan::gpu::GpuLdpcDecoder always_kept(batch, device);
    always_kept.set_edge_keeping(airan::gpu::GpuLdpcEdgeKeeping::always);
    // Two code blocks per thread block, their values in the halves of each word.
    airan::gpu::GpuLdpcDecoder pairs(batch, device);
    pairs.set_code_block_pairs(true);
    std::vector<BitVector> bits(batch, BitVector(num_info_bits));
    std::vector<airan::gpu::GpuLdpcJob> jobs;
    for (unsigned i = 0; i < batch; ++i) {
      jobs.push_back({config, llrs, bits[i], std::nullopt});
    }
    std::vector<LdpcDecoderResult> results(batch);
    std::vector<double> kernel_us;
    std::vector<double> e2e_us;
    std::vector<double> one_thread_us;
    std::vector<double> never_kept_us;
    std::vector<double> always_kept_us;
    std::vector<double> pairs_us;
    for (int i = 0; i < 30; ++i) {
      const auto start = Clock::now();
      gpu.decode(jobs, results);
      e2e_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
      kernel_us.push_back(gpu.last_kernel_us());
      one_thread.decode(jobs, results);
      one_thread_us.push_back(one_thread.last_kernel_us());
      never_kept.decode(jobs, results);
      never_kept_us.push_back(never_kept.last_kernel_us());
      always_kept.decode(jobs, results);
      always_kept_us.push_back(always_kept.last_kernel_us());
      pairs.decode(jobs, results);
      pairs_us.push_back(pairs.last_kernel_us());
    }
    // Each kernel's bits against the CPU decoder's.
    bool agrees = true;
    for (airan::gpu::GpuLdpcDecoder* decoder : {&gpu, &never_kept, &always_kept, &pairs}) {
      for (BitVector& b : bits) { // (the jobs point into them)
        std::fill(b.begin(), b.end(), bit_t{2});
      }
      decoder->decode(jobs, results);
      agrees = agrees && std::all_of(bits.begin(), bits.end(),
                                     [&](const BitVector& b) { return b == cpu_bits; });
    }
    const double bits_total = double{num_info_bits} * batch;
    const double gbps = bits_total / median(kernel_us) / 1e3;
    std::printf("%-10u %12.1f %14.2f %12.1f %16.2f %10.1f %16.1f %14.1f %14.1f %10.1f %12.2f%s\n",
                batch, median(kernel_us), gbps, median(e2e_us), bits_total / median(e2e_us) / 1e3,
                gbps / cpu_gbps, median(one_thread_us), median(never_kept_us),
                median(always_kept_us), median(pairs_us), bits_total / median(pairs_us) / 1e3,
                agrees ? "" : "  (bits differ from the CPU decoder!)");
  }
}

int run() {
  const auto chosen = airan::bench::bench_device("bench_gpu_ldpc");
  if (!chosen) {
    return 0;
  }
  run_rate("BG1 Z=384 K'=8448 rate 0.9 (E=9386), 6 iterations", 9386, chosen->index);
  run_rate("BG1 Z=384 K'=8448 rate 1/3 (all rows), 6 iterations", 3 * num_info_bits, chosen->index);
  return 0;
}

} // namespace

int main() {
  return airan::bench::run_reporting_errors("bench_gpu_ldpc", run);
}
