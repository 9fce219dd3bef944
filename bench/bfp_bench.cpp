// O-RAN IQ compression of one antenna's uplink slot: 273 PRBs x 14 symbols = 3822 PRBs
// (45864 resource elements), per implementation (scalar, AVX2, AVX-512 where the CPU has them).
// Block floating point at 9 and 14 bits and no compression (16-bit big-endian), compress and
// decompress, from/to int16 I/Q and from/to cf32 resource elements (full scale 1.0). The input is
// Gaussian resource elements at -15 dBFS.
//
// Baselines in the same process: a memcpy of the slot's int16 I/Q (183 kB) and of its cf32
// resource elements (367 kB), so figures can be quoted as ratios. Counters: "PRBs" = PRBs per
// second, "slots" = antenna-slots per second (one slot per 30 kHz slot is 2000/s).
#include "airan/io/bfp_compression.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

using namespace airan::io;
using airan::phy::cf32;

namespace {

constexpr std::size_t num_prbs = std::size_t{273} * 14;
constexpr std::size_t num_res = num_prbs * 12;

std::vector<cf32> slot_res() {
  std::mt19937 rng(1);
  std::normal_distribution<float> gauss(0.0F, 0.125F); // ~ -15 dBFS per component
  std::vector<cf32> re(num_res);
  for (auto& x : re) {
    x = {gauss(rng), gauss(rng)};
  }
  return re;
}

std::vector<std::int16_t> slot_iq() {
  const auto re = slot_res();
  std::vector<std::int16_t> iq(2 * num_res);
  for (std::size_t i = 0; i < num_res; ++i) {
    iq[2 * i] = static_cast<std::int16_t>(re[i].real() * 32768.0F);
    iq[2 * i + 1] = static_cast<std::int16_t>(re[i].imag() * 32768.0F);
  }
  return iq;
}

void set_counters(benchmark::State& state) {
  state.counters["PRBs"] = benchmark::Counter(static_cast<double>(num_prbs),
                                              benchmark::Counter::kIsIterationInvariantRate);
  state.counters["slots"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_CompressInt16(benchmark::State& state, BfpImpl impl, IqCompression compression) {
  const auto compressor = create_iq_compressor(impl);
  const auto iq = slot_iq();
  std::vector<std::uint8_t> bytes(num_prbs * *compressed_prb_size(compression));
  for (auto _ : state) {
    compressor->compress(iq, compression, bytes);
    benchmark::DoNotOptimize(bytes.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

/// Compressed payload per second in Gbit/s (what the fronthaul link carries).
void set_payload_rate(benchmark::State& state, std::size_t payload_bytes) {
  state.counters["payload_Gbit/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(payload_bytes) * 8e-9,
      benchmark::Counter::kIsRate);
}

void BM_DecompressInt16(benchmark::State& state, BfpImpl impl, IqCompression compression) {
  const auto compressor = create_iq_compressor(impl);
  auto iq = slot_iq();
  std::vector<std::uint8_t> bytes(num_prbs * *compressed_prb_size(compression));
  compressor->compress(iq, compression, bytes);
  for (auto _ : state) {
    compressor->decompress(bytes, compression, iq);
    benchmark::DoNotOptimize(iq.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
  set_payload_rate(state, bytes.size());
}

void BM_CompressCf32(benchmark::State& state, BfpImpl impl, IqCompression compression) {
  const auto compressor = create_iq_compressor(impl);
  const auto re = slot_res();
  std::vector<std::uint8_t> bytes(num_prbs * *compressed_prb_size(compression));
  for (auto _ : state) {
    compressor->compress(re, compression, iq_full_scale, bytes);
    benchmark::DoNotOptimize(bytes.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void BM_DecompressCf32(benchmark::State& state, BfpImpl impl, IqCompression compression) {
  const auto compressor = create_iq_compressor(impl);
  auto re = slot_res();
  std::vector<std::uint8_t> bytes(num_prbs * *compressed_prb_size(compression));
  compressor->compress(re, compression, iq_full_scale, bytes);
  for (auto _ : state) {
    compressor->decompress(bytes, compression, iq_full_scale, re);
    benchmark::DoNotOptimize(re.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
  set_payload_rate(state, bytes.size());
}

/// Baseline of the decompression benchmarks: memcpy of the same compressed bytes.
void BM_MemcpyCompressed(benchmark::State& state, IqCompression compression) {
  const std::vector<std::uint8_t> source(num_prbs * *compressed_prb_size(compression), 0x5A);
  std::vector<std::uint8_t> destination(source.size());
  for (auto _ : state) {
    std::memcpy(destination.data(), source.data(), source.size());
    benchmark::DoNotOptimize(destination.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
  set_payload_rate(state, source.size());
}

template <typename T> void BM_Memcpy(benchmark::State& state) {
  const std::vector<T> source(std::is_same_v<T, cf32> ? num_res : 2 * num_res);
  std::vector<T> destination(source.size());
  for (auto _ : state) {
    std::memcpy(destination.data(), source.data(), source.size() * sizeof(T));
    benchmark::DoNotOptimize(destination.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * source.size() * sizeof(T)));
  set_counters(state);
}

/// Registers every case for every implementation this CPU runs.
const bool registered = [] {
  benchmark::RegisterBenchmark("BM_MemcpyInt16Slot", BM_Memcpy<std::int16_t>);
  benchmark::RegisterBenchmark("BM_MemcpyCf32Slot", BM_Memcpy<cf32>);
  const std::pair<std::string, IqCompression> methods[] = {
      {"bfp9", {CompressionMethod::block_floating_point, 9}},
      {"bfp14", {CompressionMethod::block_floating_point, 14}},
      {"none16", {CompressionMethod::none, 16}},
  };
  for (const auto& [method, compression] : methods) {
    benchmark::RegisterBenchmark(("BM_MemcpyCompressed/" + method).c_str(), BM_MemcpyCompressed,
                                 compression);
    for (const BfpImpl impl : bfp_supported_impls()) {
      const std::string suffix = "/" + method + "/" + std::string(to_string(impl));
      benchmark::RegisterBenchmark(("BM_CompressInt16" + suffix).c_str(), BM_CompressInt16, impl,
                                   compression);
      benchmark::RegisterBenchmark(("BM_DecompressInt16" + suffix).c_str(), BM_DecompressInt16,
                                   impl, compression);
      benchmark::RegisterBenchmark(("BM_CompressCf32" + suffix).c_str(), BM_CompressCf32, impl,
                                   compression);
      benchmark::RegisterBenchmark(("BM_DecompressCf32" + suffix).c_str(), BM_DecompressCf32, impl,
                                   compression);
    }
  }
  return true;
}();

} // namespace
