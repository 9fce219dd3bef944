// Burst transfer over a net_memif pair in this process (a client sends 32 frames, the server
// receives them), with the EAL interrupt thread held around the bursts (the default for memif
// ports: DpdkPortConfig::interrupt_turn_us) and without it (interrupt_turn_us 0) on a second
// pair: the gate's cost per burst. Counters: "packets" and "Gbit/s" (frame bytes) per second.
// Compare gated against ungated at the same frame size, run in the same process.
#include "airan/io/dpdk_eal.h"
#include "airan/io/dpdk_port.h"

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace airan::io;

namespace {

struct MemifPair {
  std::unique_ptr<DpdkPort> server;
  std::unique_ptr<DpdkPort> client;
};

/// The two pairs, made once per process (a DPDK device cannot be opened twice).
std::vector<MemifPair>& pairs() {
  static std::vector<MemifPair> made = [] {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("airan_memif_bench_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    DpdkEalConfig eal;
    for (int pair = 0; pair < 2; ++pair) {
      const auto socket = (dir / ("pair" + std::to_string(pair) + ".sock")).string();
      eal.vdevs.push_back("net_memif" + std::to_string(2 * pair) +
                          ",role=server,id=0,socket=" + socket);
      eal.vdevs.push_back("net_memif" + std::to_string(2 * pair + 1) +
                          ",role=client,id=0,socket=" + socket);
    }
    DpdkEal::initialize(eal);
    std::vector<MemifPair> out(2);
    for (int pair = 0; pair < 2; ++pair) {
      DpdkPortConfig config;
      config.interrupt_turn_us = pair == 0 ? 1000 : 0;
      // Four pools within the EAL's default memory: 2047 mbufs each, which cover rings of 512
      // (DpdkPortConfig::validate(): rings + two bursts + 1.5 caches).
      config.num_mbufs = 2047;
      config.rx_ring_size = 512;
      config.tx_ring_size = 512;
      config.device = "net_memif" + std::to_string(2 * pair);
      out[pair].server = std::make_unique<DpdkPort>(config);
      config.device = "net_memif" + std::to_string(2 * pair + 1);
      out[pair].client = std::make_unique<DpdkPort>(config);
    }
    // Both links up: the gated pair's handshake goes on in the interrupt thread's turns.
    for (int wait = 0; wait < 50000; ++wait) {
      if (out[0].server->link_up() && out[0].client->link_up() && out[1].server->link_up() &&
          out[1].client->link_up()) {
        std::filesystem::remove_all(dir);
        return out;
      }
      ::usleep(100);
    }
    throw std::runtime_error("the memif links did not come up");
  }();
  return made;
}

class CountingSink : public DpdkFrameSink {
public:
  void on_frame(std::span<const std::uint8_t> /*frame*/, std::int64_t /*arrival_ns*/) override {
    ++frames;
  }
  std::uint64_t frames = 0;
};

void BM_MemifBurst(benchmark::State& state) {
  const bool gated = state.range(0) != 0;
  const auto frame_bytes = static_cast<std::size_t>(state.range(1));
  auto& pair = pairs()[gated ? 0 : 1];
  const std::vector<std::uint8_t> frame(frame_bytes, 0xA5);
  constexpr unsigned burst = 32;
  CountingSink sink;
  for (auto _ : state) {
    for (unsigned i = 0; i < burst; ++i) {
      pair.client->transmit(frame);
    }
    pair.client->flush_transmit();
    const std::uint64_t goal = sink.frames + burst;
    for (int spin = 0; sink.frames < goal && spin < 1'000'000; ++spin) {
      pair.server->receive_burst(sink);
    }
    if (sink.frames < goal) {
      state.SkipWithError("frames lost on the memif link");
      break;
    }
  }
  const auto packets = static_cast<double>(state.iterations()) * burst;
  state.counters["packets"] = benchmark::Counter(packets, benchmark::Counter::kIsRate);
  state.counters["Gbit/s"] = benchmark::Counter(packets * static_cast<double>(frame_bytes) * 8e-9,
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MemifBurst)
    ->ArgNames({"gated", "frame_bytes"})
    ->ArgsProduct({{0, 1}, {64, 1500, 8000}})
    ->Unit(benchmark::kMicrosecond);

} // namespace
