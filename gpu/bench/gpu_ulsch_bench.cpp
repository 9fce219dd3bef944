// GPU UL-SCH decoding of the peak TB of a 273-PRB, 2-layer, 256-QAM MCS 27 slot (TBS 590,128,
// G = 628,992, 70 code blocks, as bench_ulsch_decoder): GpuUlschDecoder from host LLRs and from
// LLRs already in device memory (what the CUDA front end leaves there), each as a first HARQ
// transmission into device memory, with the TB out as unpacked bits and (device LLRs) as bytes,
// and once more as bytes with the rate recovery as a kernel of its own (the others run it in the
// LDPC kernel: "rate recovery us" is then 0 and LDPC includes it), and as bytes with the kernels'
// outputs copied to the host after them (the others write them into host memory), and as bytes
// with two code blocks per LDPC thread block (GpuUlschDecoder::set_code_block_pairs()), against the
// CPU UL-SCH decoder on one core in this process. Prints the median wall time per TB, the kernels'
// device times (rate recovery + HARQ + quantisation, LDPC) and the ratio to the CPU. Last, 24 such
// TBs (a 24-cell slot's decoding) on 24 decoders, each on its own stream (its own graph) against
// all of them as one launch set (GpuUlschDecoder::enqueue_prepared(), as GpuCellGroup's
// batched_decoding), with one or two code blocks per LDPC thread block: the wall time per slot
// of 24 TBs in this process.
// Without a device it says so and exits 0.
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"
#include "bench_main.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

namespace {

using namespace airan::phy;
using Clock = std::chrono::steady_clock;

constexpr UlschCodingConfig peak_tb{590128, 948.0 / 1024.0, 8, 2, 0, 628992, 0};
constexpr int runs = 30;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double microseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

/// 24 peak TBs from the same LLRs in the memory of device \p gpu_index: a decoder and stream
/// each, or one launch set.
void decode_many(const std::vector<float>& llrs, float* device_llrs, int gpu_index,
                 const UlschDecoderConfig& cfg, const std::vector<std::uint8_t>& cpu_bytes,
                 double cpu_us) {
  constexpr unsigned count = 24;
  const std::size_t soft_bits = ulsch_soft_buffer_length(peak_tb);
  auto memory = std::make_shared<airan::gpu::GpuHarqSoftMemory>(count, soft_bits, gpu_index);
  HarqBufferPool pool(count, soft_bits, HarqStorage::external);
  std::vector<std::unique_ptr<airan::gpu::GpuUlschDecoder>> decoders;
  std::vector<airan::gpu::GpuUlschDecoder*> batch;
  for (unsigned i = 0; i < count; ++i) {
    decoders.push_back(
        std::make_unique<airan::gpu::GpuUlschDecoder>(peak_tb.tbs, memory, gpu_index));
    batch.push_back(decoders.back().get());
  }
  std::vector<std::vector<std::uint8_t>> bytes(count, std::vector<std::uint8_t>(peak_tb.tbs / 8));
  const DeviceLlrs device{device_llrs, llrs.size(), gpu_index};
  cudaStream_t stream = nullptr;
  if (cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) != cudaSuccess) {
    throw std::runtime_error("cannot create a stream");
  }
  std::printf("%u peak TBs (a %u-cell slot's decoding), wall us per slot, TBs as the CPU's:\n",
              count, count);
  // A stream each, one launch set, one launch set with the outputs copied to the host by a
  // kernel after the TB assembly (the baseline of writing them into host memory), and one launch
  // set with two code blocks per LDPC thread block.
  for (const int mode : {0, 1, 2, 3}) {
    const bool one_launch_set = mode != 0;
    for (const auto& decoder : decoders) {
      decoder->set_outputs_in_host_memory(mode != 2);
      decoder->set_code_block_pairs(mode == 3);
    }
    std::vector<double> wall_us;
    unsigned same = 0;
    for (int i = 0; i < runs; ++i) {
      const auto start = Clock::now();
      for (unsigned t = 0; t < count; ++t) {
        HarqSoftBuffer& buffer = pool.acquire({static_cast<std::uint16_t>(t + 1), 0}, true);
        if (one_launch_set) {
          decoders[t]->prepare_device_bytes(device, cfg, buffer, bytes[t]);
        } else {
          decoders[t]->enqueue_device_bytes(device, cfg, buffer, bytes[t], nullptr);
        }
      }
      if (one_launch_set) {
        airan::gpu::GpuUlschDecoder::enqueue_prepared(batch, stream);
      }
      same = 0;
      for (unsigned t = 0; t < count; ++t) {
        same += decoders[t]->finish().tb_crc_ok && bytes[t] == cpu_bytes ? 1 : 0;
      }
      wall_us.push_back(microseconds_since(start));
    }
    std::printf("  %-28s %10.1f us  %8.2f info Gbit/s  %6.1f x CPU core  %u/%u TBs\n",
                mode == 0   ? "a stream each"
                : mode == 1 ? "one launch set"
                : mode == 2 ? "copied outputs, one launch set"
                            : "pairs, one launch set",
                median(wall_us), count * static_cast<double>(peak_tb.tbs) / median(wall_us) / 1e3,
                count * cpu_us / median(wall_us), same, count);
  }
  cudaStreamDestroy(stream);
}

int run() {
  const auto chosen = airan::bench::bench_device("bench_gpu_ulsch");
  if (!chosen) {
    return 0;
  }
  const int gpu_index = chosen->index;
  std::mt19937 rng(42);
  BitVector tb(peak_tb.tbs);
  for (auto& bit : tb) {
    bit = static_cast<bit_t>(rng() & 1U);
  }
  BitVector codeword(peak_tb.g);
  create_ulsch_encoder()->encode(tb, peak_tb, codeword);
  const double sigma2 = std::pow(10.0, -10.0 / 10.0);
  std::normal_distribution<double> noise(0.0, std::sqrt(sigma2));
  std::vector<float> llrs(peak_tb.g);
  for (std::size_t i = 0; i < codeword.size(); ++i) {
    llrs[i] = static_cast<float>(2.0 * ((codeword[i] == 0 ? 1.0 : -1.0) + noise(rng)) / sigma2);
  }
  UlschDecoderConfig cfg;
  cfg.coding = peak_tb;
  const std::size_t soft_bits = ulsch_soft_buffer_length(peak_tb);
  const HarqProcessKey key{1, 0};

  // CPU baseline: one core, the same first HARQ transmission.
  auto cpu = create_ulsch_decoder(peak_tb.tbs);
  HarqBufferPool cpu_pool(1, soft_bits);
  BitVector cpu_bits(peak_tb.tbs);
  std::vector<double> cpu_us;
  UlschDecoderResult cpu_result;
  for (int i = 0; i < 10; ++i) {
    const auto start = Clock::now();
    cpu_result = cpu->decode(llrs, cfg, cpu_pool.acquire(key, true), cpu_bits);
    cpu_us.push_back(microseconds_since(start));
  }
  const double info_bits = peak_tb.tbs;
  std::printf("TBS %u, G %u, %u code blocks, %.2f LDPC iterations; CPU 1 core: %.1f us, "
              "%.3f Gbit/s\n",
              peak_tb.tbs, peak_tb.g, cpu_result.num_code_blocks, cpu_result.mean_ldpc_iterations,
              median(cpu_us), info_bits / median(cpu_us) / 1e3);

  auto memory = std::make_shared<airan::gpu::GpuHarqSoftMemory>(1, soft_bits, gpu_index);
  HarqBufferPool pool(1, soft_bits, HarqStorage::external);
  airan::gpu::GpuUlschDecoder gpu(peak_tb.tbs, memory, gpu_index);
  float* device_llrs = nullptr;
  if (cudaMalloc(reinterpret_cast<void**>(&device_llrs), llrs.size() * sizeof(float)) !=
          cudaSuccess ||
      cudaMemcpy(device_llrs, llrs.data(), llrs.size() * sizeof(float), cudaMemcpyHostToDevice) !=
          cudaSuccess ||
      cudaDeviceSynchronize() != cudaSuccess) { // a pageable copy may still be in flight
    throw std::runtime_error("cannot copy the LLRs to the device");
  }
  std::printf("%-22s %10s %18s %10s %14s %8s\n", "GPU path", "wall us", "rate recovery us",
              "LDPC us", "info Gbit/s", "x CPU");
  // Three arrangements: LLRs from the host or already on the device, each TB out as unpacked
  // bits (the host unpacks 590,128 bits), and from the device straight to TB bytes, as the MAC
  // receives them (GpuCellGroup's path).
  // Last, the bytes path again with the rate recovery as a kernel of its own before the LDPC
  // kernel (the others recover each code block in the LDPC kernel's thread block): its baseline.
  // And the bytes path with the kernels' outputs copied to the host after them (the others write
  // them into host memory): its baseline.
  enum class Path {
    host_llrs_bits,
    device_llrs_bits,
    device_llrs_bytes,
    own_recovery_kernel,
    outputs_copied,
    code_block_pairs
  };
  const char* const names[] = {"LLRs from the host",       "LLRs on the device",
                               "TB bytes, device LLRs",    "TB bytes, own RR kernel",
                               "TB bytes, outputs copied", "TB bytes, pairs"};
  std::vector<std::uint8_t> cpu_bytes;
  pack_bits_msb_first(cpu_bits, cpu_bytes);
  for (const Path path :
       {Path::host_llrs_bits, Path::device_llrs_bits, Path::device_llrs_bytes,
        Path::own_recovery_kernel, Path::outputs_copied, Path::code_block_pairs}) {
    gpu.set_rate_recovery_in_ldpc(path != Path::own_recovery_kernel);
    gpu.set_outputs_in_host_memory(path != Path::outputs_copied);
    gpu.set_code_block_pairs(path == Path::code_block_pairs);
    BitVector bits(peak_tb.tbs);
    std::vector<std::uint8_t> bytes(peak_tb.tbs / 8);
    std::vector<double> wall_us;
    std::vector<double> recovery_us;
    std::vector<double> ldpc_us;
    UlschDecoderResult result;
    for (int i = 0; i < runs; ++i) {
      HarqSoftBuffer& buffer = pool.acquire(key, true);
      const DeviceLlrs device{device_llrs, llrs.size(), gpu_index};
      const auto start = Clock::now();
      switch (path) {
      case Path::host_llrs_bits:
        result = gpu.decode(llrs, cfg, buffer, bits);
        break;
      case Path::device_llrs_bits:
        result = gpu.decode_device(device, cfg, buffer, bits);
        break;
      case Path::device_llrs_bytes:
      case Path::own_recovery_kernel:
      case Path::outputs_copied:
      case Path::code_block_pairs:
        gpu.enqueue_device_bytes(device, cfg, buffer, bytes, nullptr);
        result = gpu.finish();
        break;
      }
      wall_us.push_back(microseconds_since(start));
      recovery_us.push_back(gpu.last_times().rate_recovery_us);
      ldpc_us.push_back(gpu.last_times().ldpc_us);
    }
    const bool same = path == Path::device_llrs_bytes || path == Path::own_recovery_kernel ||
                              path == Path::outputs_copied || path == Path::code_block_pairs
                          ? bytes == cpu_bytes
                          : bits == cpu_bits;
    std::printf("%-22s %10.1f %18.1f %10.1f %14.2f %8.1f%s\n", names[static_cast<int>(path)],
                median(wall_us), median(recovery_us), median(ldpc_us),
                info_bits / median(wall_us) / 1e3, median(cpu_us) / median(wall_us),
                same && result.tb_crc_ok == cpu_result.tb_crc_ok
                    ? ""
                    : "  (differs from the CPU decoder!)");
  }
  decode_many(llrs, device_llrs, gpu_index, cfg, cpu_bytes, median(cpu_us));
  cudaFree(device_llrs);
  return 0;
}

} // namespace

int main() {
  return airan::bench::run_reporting_errors("bench_gpu_ulsch", run);
}
