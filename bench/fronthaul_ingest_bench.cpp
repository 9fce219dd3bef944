// Fronthaul ingest of one full uplink slot: 273 PRBs x 14 symbols x 4 antennas at 30 kHz, BFP 9,
// as the RU emulator frames it (1500-byte MTU: 53 PRBs per frame, 6 frames per antenna-symbol,
// 336 frames, 438 kB). One iteration pushes every pre-built frame into a FronthaulSlotAssembler
// (parse through eCPRI and U-plane, timing, eAxC and window checks, BFP decompression into the
// cf32 grid, coverage) and takes and releases the completed slot; also with a jumbo MTU (9000:
// one frame of two sections, 255 + 18 PRBs, per antenna-symbol, 56 frames) and in time-domain
// mode (FFT 4096: 366 blocks of 12 samples per symbol, 2 frames per antenna-symbol).
//
// Baseline in the same process: memcpy of the same frame bytes into one buffer, frame by frame.
// Counters: "packets" and "Gbit/s" (frame bytes) per second, "slots" per second (2000/s is real
// time at 30 kHz), and "x_memcpy" = mean wall time per slot / mean wall time of 2000 memcpy
// passes over the same bytes, measured inside the same benchmark.
#include "airan/io/fronthaul_slot_assembler.h"
#include "airan/io/ru_emulator.h"

#include "memcpy_baseline.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

using namespace airan::io;
using airan::phy::cf32;

namespace {

constexpr unsigned num_rx = 4;
constexpr std::int64_t epoch = 0;

airan::phy::CellConfig cell() {
  airan::phy::CellConfig c;
  c.num_prbs = 273;
  c.numerology = 1;
  return c;
}

struct Capture {
  std::vector<std::vector<std::uint8_t>> frames;
  std::vector<std::int64_t> tx_ns;
  std::size_t bytes = 0;
};

FronthaulConfig config_for(FronthaulIngestMode mode, unsigned mtu) {
  FronthaulConfig config;
  config.mode = mode;
  config.compression = {CompressionMethod::block_floating_point, 9};
  config.max_frame_size = mtu;
  config.epoch_ns = epoch;
  return config;
}

Capture capture(const FronthaulConfig& config) {
  const auto c = cell();
  std::mt19937 rng(1);
  std::normal_distribution<float> gauss(0.0F, 0.7F);
  TestVectorSlot slot;
  slot.slot = 3;
  slot.grid = airan::phy::ResourceGrid(num_rx, 14, 12 * c.num_prbs);
  for (auto& x : slot.grid.elements()) {
    x = {gauss(rng), gauss(rng)};
  }
  const auto numerology = airan::phy::Numerology::for_carrier(1, c.cyclic_prefix, c.num_prbs);
  slot.iq.resize(std::size_t{num_rx} * numerology.slot_length(slot.slot));
  for (auto& x : slot.iq) {
    x = {gauss(rng), gauss(rng)};
  }
  RuEmulator emulator(c, num_rx, config);
  Capture out;
  emulator.packetize_slot(slot, slot.slot, epoch,
                          [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
                            out.frames.emplace_back(frame.begin(), frame.end());
                            out.tx_ns.push_back(tx_ns);
                            out.bytes += frame.size();
                          });
  return out;
}

void set_counters(benchmark::State& state, const Capture& cap) {
  state.counters["packets"] = benchmark::Counter(static_cast<double>(cap.frames.size()),
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["Gbit/s"] = benchmark::Counter(static_cast<double>(cap.bytes) * 8e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.counters["slots"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Memcpy(benchmark::State& state, FronthaulIngestMode mode, unsigned mtu) {
  const Capture cap = capture(config_for(mode, mtu));
  std::vector<std::uint8_t> sink(cap.bytes);
  for (auto _ : state) {
    std::size_t offset = 0;
    for (const auto& frame : cap.frames) {
      std::memcpy(sink.data() + offset, frame.data(), frame.size());
      offset += frame.size();
    }
    benchmark::DoNotOptimize(sink.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, cap);
}

/// \p filter_by_address: FronthaulConfig's MAC/VLAN filter on (the default) or off, the
/// filter's cost per frame measured against the same slot without it.
void BM_Assemble(benchmark::State& state, FronthaulIngestMode mode, unsigned mtu,
                 bool filter_by_address = true) {
  FronthaulConfig config = config_for(mode, mtu);
  config.filter_by_address = filter_by_address;
  Capture cap = capture(config);
  FronthaulSlotAssembler assembler(cell(), num_rx, config);
  const double memcpy_ns = airan::bench::frames_memcpy_ns(cap.frames, cap.bytes);
  std::int64_t shift = 0; // each iteration is the same slot one frame (10 ms) later
  const std::int64_t frame_ns = 10'000'000;
  std::uint64_t slots = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (std::size_t i = 0; i < cap.frames.size(); ++i) {
      std::vector<std::uint8_t>& frame = cap.frames[i];
      // frameId of this iteration's slot: the timing header's second byte (untagged frames)
      frame[ethernet_header_size + 8 + 1] = static_cast<std::uint8_t>(shift / frame_ns);
      assembler.push(frame, cap.tx_ns[i] + shift);
    }
    while (const AssembledSlot* slot = assembler.next_slot()) {
      benchmark::DoNotOptimize(slot);
      slots += slot->complete() ? 1 : 0;
      assembler.release(slot);
    }
    shift += frame_ns;
  }
  const double elapsed_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  if (slots != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("a slot did not assemble completely");
  }
  set_counters(state, cap);
  state.counters["x_memcpy"] = elapsed_ns / static_cast<double>(state.iterations()) / memcpy_ns;
}

} // namespace

BENCHMARK_CAPTURE(BM_Memcpy, freq_bfp9_mtu1500, FronthaulIngestMode::frequency_domain, 1500)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Assemble, freq_bfp9_mtu1500, FronthaulIngestMode::frequency_domain, 1500)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Assemble, freq_bfp9_mtu1500_no_address_filter,
                  FronthaulIngestMode::frequency_domain, 1500, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Memcpy, freq_bfp9_mtu9000, FronthaulIngestMode::frequency_domain, 9000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Assemble, freq_bfp9_mtu9000, FronthaulIngestMode::frequency_domain, 9000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Memcpy, time_bfp9_mtu9000, FronthaulIngestMode::time_domain, 9000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Assemble, time_bfp9_mtu9000, FronthaulIngestMode::time_domain, 9000)
    ->Unit(benchmark::kMicrosecond);
