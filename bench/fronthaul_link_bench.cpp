// The DU end of `airan l1`: one full uplink slot (273 PRBs x 14 symbols x 4 antennas at 30 kHz,
// BFP 9, 1500-byte MTU: 336 frames, 438 kB) through FronthaulLinkReceiver (the frame's nominal
// time from its timing header, the slot count's window, the slot assembler) into the L1's
// InMemoryIqSource (the assembled grid swapped with a free source entry's: no copy), taken and
// released as the L1 does. Each iteration is the next slot (its frames' timing headers
// rewritten).
//
// Baselines in the same process: the slot assembler alone on the same frames
// ("x_assembler"), and a memcpy of the frame bytes, frame by frame ("x_memcpy"). Counters:
// "slots" per second (2000/s is real time at 30 kHz) and "Gbit/s" of frame bytes.
//
// With C-plane (`airan l1 --cplane`): the L1's C-plane of four PUSCHs of 68 PRBs (272 of 273,
// all symbols) into the receiver (on_cplane_frame(), on_cplane_slot_done()), then the O-RU's
// answer (only the requested sections: one frame per PUSCH, symbol and antenna) and the slot
// taken, the PRACH assembler offered every frame as `airan l1 --cplane` does; against the
// whole-slot link above in the same process ("x_whole_slot") and memcpy of the U-plane bytes.
//
// Live (`airan l1 --clock real-time`): the whole slots at arrival times on GPS time, poll()ed as
// the receive loop does, against the stepped whole-slot link ("x_stepped").
#include "airan/io/fronthaul_slot_assembler.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/oran_common.h"
#include "airan/io/ru_emulator.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/slot_clock.h"
#include "airan/l1/uplink_cplane_sender.h"

#include "memcpy_baseline.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <vector>

using namespace airan;

namespace {

constexpr unsigned num_rx = 4;

phy::CellConfig cell() {
  phy::CellConfig c;
  c.num_prbs = 273;
  c.numerology = 1;
  return c;
}

io::FronthaulConfig config() {
  io::FronthaulConfig c;
  c.compression = {io::CompressionMethod::block_floating_point, 9};
  c.max_frame_size = 1500;
  return l1::stepped_link_config(c);
}

struct Capture {
  std::vector<std::vector<std::uint8_t>> frames;
  std::size_t bytes = 0;
};

/// The PUSCHs of the C-plane case: four of 68 PRBs.
std::vector<phy::PuschConfig> cplane_puschs() {
  std::vector<phy::PuschConfig> puschs(4);
  for (unsigned k = 0; k < puschs.size(); ++k) {
    puschs[k].bwp_size = cell().num_prbs;
    puschs[k].prb_start = 68 * k;
    puschs[k].prb_size = 68;
  }
  return puschs;
}

Capture capture(std::span<const io::RuSectionRequest> requests = {}) {
  std::mt19937 rng(1);
  std::normal_distribution<float> gauss(0.0F, 0.7F);
  io::TestVectorSlot slot;
  slot.grid = phy::ResourceGrid(num_rx, 14, 12 * cell().num_prbs);
  for (auto& x : slot.grid.elements()) {
    x = {gauss(rng), gauss(rng)};
  }
  io::RuEmulator emulator(cell(), num_rx, config());
  Capture out;
  emulator.packetize_slot(
      slot, 0, *config().epoch_ns,
      [&](std::span<const std::uint8_t> frame, std::int64_t) {
        out.frames.emplace_back(frame.begin(), frame.end());
        out.bytes += frame.size();
      },
      requests);
  return out;
}

/// Rewrites every frame's timing header for absolute slot \p slot (untagged frames).
void retime(Capture& cap, const io::FronthaulSlotClock& clock, std::uint64_t slot) {
  constexpr std::size_t timing_offset = io::ethernet_header_size + 8;
  for (auto& frame : cap.frames) {
    const io::OranTimingHeader old = io::read_oran_timing_header(frame.data() + timing_offset);
    io::OranTimingHeader header = clock.timing_header(slot, old.symbol_id);
    header.filter_index = old.filter_index;
    io::write_oran_timing_header(frame.data() + timing_offset, header);
  }
}

/// Takes absolute slot \p slot's samples from \p source and releases them, as the L1 does;
/// whether they were there.
bool take_slot(l1::InMemoryIqSource& source, std::uint64_t slot) {
  const l1::FapiSlotAddress address =
      l1::to_slot_address(slot, phy::slots_per_frame(cell().numerology));
  l1::ReceivedSlot received;
  if (!source.try_acquire(address.sfn, address.slot, received)) {
    return false;
  }
  benchmark::DoNotOptimize(received.grid);
  source.release(address.sfn, address.slot);
  return true;
}

void set_counters(benchmark::State& state, const Capture& cap, double elapsed_ns,
                  double baseline_ns, const char* baseline) {
  state.counters["slots"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["Gbit/s"] = benchmark::Counter(static_cast<double>(cap.bytes) * 8e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
  const double per_slot = elapsed_ns / static_cast<double>(state.iterations());
  state.counters["x_memcpy"] = per_slot / airan::bench::frames_memcpy_ns(cap.frames, cap.bytes);
  if (baseline != nullptr) {
    state.counters[baseline] = per_slot / baseline_ns;
  }
}

/// The assembler alone, per slot (ns): the baseline of the link receiver.
double assembler_ns(benchmark::State* state) {
  Capture cap = capture();
  io::FronthaulSlotAssembler assembler(cell(), num_rx, config());
  const io::FronthaulSlotClock& clock = assembler.clock();
  constexpr int reps = 200;
  std::uint64_t complete = 0;
  // The frames' timing headers are rewritten outside the timed part, as the link benchmarks
  // pause their timer around it (it was timed here until 2026-12-07, which biased the
  // x_assembler ratios low).
  double ns = 0.0;
  for (int rep = 0; rep < reps; ++rep) {
    retime(cap, clock, static_cast<std::uint64_t>(rep));
    const auto start = std::chrono::steady_clock::now();
    const std::int64_t slot_start = clock.slot_start_ns(*config().epoch_ns, rep);
    for (const auto& frame : cap.frames) {
      assembler.push(frame, slot_start);
    }
    while (const io::AssembledSlot* slot = assembler.next_slot()) {
      complete += slot->complete() ? 1 : 0;
      assembler.release(slot);
    }
    ns +=
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  }
  ns /= reps;
  if (state != nullptr && complete != reps) {
    state->SkipWithError("the assembler baseline did not complete every slot");
  }
  return ns;
}

void BM_LinkReceiverToSource(benchmark::State& state) {
  Capture cap = capture();
  const double baseline_ns = assembler_ns(&state);
  const auto numerology = phy::Numerology::for_carrier(1, cell().cyclic_prefix, cell().num_prbs);
  l1::InMemoryIqSourceConfig source_config;
  source_config.num_rx_antennas = num_rx;
  source_config.symbols_per_slot = numerology.symbols_per_slot();
  source_config.num_subcarriers = 12 * cell().num_prbs;
  l1::InMemoryIqSource source(source_config);
  l1::FronthaulLinkReceiver receiver(cell(), num_rx, config(), source, std::chrono::seconds(1));
  const io::FronthaulSlotClock clock(1, cell().cyclic_prefix);
  std::uint64_t slot = 0;
  std::uint64_t taken = 0;
  double elapsed_ns = 0.0;
  for (auto _ : state) {
    state.PauseTiming();
    retime(cap, clock, slot);
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    for (const auto& frame : cap.frames) {
      receiver.on_frame(frame);
    }
    taken += take_slot(source, slot) ? 1 : 0;
    elapsed_ns +=
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    ++slot;
  }
  if (taken != static_cast<std::uint64_t>(state.iterations()) ||
      receiver.counters().slots_partial != 0) {
    state.SkipWithError("a slot did not reach the source whole");
  }
  set_counters(state, cap, elapsed_ns, baseline_ns, "x_assembler");
  state.counters["assembler_us"] = baseline_ns / 1000.0;
}

/// The whole-slot link per slot (ns): the baseline of the C-plane case.
double whole_slot_link_ns(benchmark::State& state) {
  Capture cap = capture();
  l1::InMemoryIqSourceConfig source_config;
  source_config.num_rx_antennas = num_rx;
  source_config.num_subcarriers = 12 * cell().num_prbs;
  l1::InMemoryIqSource source(source_config);
  l1::FronthaulLinkReceiver receiver(cell(), num_rx, config(), source, std::chrono::seconds(1));
  const io::FronthaulSlotClock clock(1, cell().cyclic_prefix);
  constexpr int reps = 200;
  double ns = 0.0;
  for (std::uint64_t slot = 0; slot < reps; ++slot) {
    retime(cap, clock, slot);
    const auto start = std::chrono::steady_clock::now();
    for (const auto& frame : cap.frames) {
      receiver.on_frame(frame);
    }
    const l1::FapiSlotAddress address = l1::to_slot_address(slot, clock.slots_per_frame());
    l1::ReceivedSlot received;
    if (source.try_acquire(address.sfn, address.slot, received)) {
      source.release(address.sfn, address.slot);
    }
    ns +=
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  }
  if (receiver.counters().slots_delivered != reps || receiver.counters().slots_partial != 0) {
    state.SkipWithError("the whole-slot baseline did not deliver every slot whole");
  }
  return ns / reps;
}

void BM_LinkReceiverWithCplane(benchmark::State& state) {
  const io::FronthaulSlotClock clock(1, cell().cyclic_prefix);
  const std::vector<phy::PuschConfig> puschs = cplane_puschs();
  std::vector<std::vector<std::uint8_t>> cplane;
  l1::FronthaulCplaneSender sender(cell(), num_rx, config(),
                                   [&](std::span<const std::uint8_t> frame) {
                                     cplane.emplace_back(frame.begin(), frame.end());
                                   });
  // The O-RU's answer to slot 0's C-plane, retimed for each slot after.
  sender.send_slot(0, 0, puschs, {});
  io::RuEmulator emulator(cell(), num_rx, config());
  io::RuRequestsBySlot requests;
  io::FronthaulLinkConfig link = emulator.link_config();
  for (const auto& frame : cplane) {
    io::take_cplane_frame(frame, link, emulator.cplane_scope(), clock, requests);
  }
  if (requests.size() != 1 || requests.begin()->cycle_slot != 0 ||
      requests.begin()->requests.size() != std::size_t{num_rx} * puschs.size()) {
    state.SkipWithError("the L1's C-plane did not parse into one request per PUSCH and antenna");
    return;
  }
  Capture cap = capture(requests.begin()->requests);
  const double baseline_ns = whole_slot_link_ns(state);
  l1::InMemoryIqSourceConfig source_config;
  source_config.num_rx_antennas = num_rx;
  source_config.num_subcarriers = 12 * cell().num_prbs;
  l1::InMemoryIqSource source(source_config);
  l1::FronthaulLinkReceiver receiver(cell(), num_rx, config(), source, std::chrono::seconds(1));
  receiver.expect_prach(); // as `airan l1 --cplane`: every frame is offered to it too
  std::uint64_t slot = 0;
  std::uint64_t taken = 0;
  double elapsed_ns = 0.0;
  for (auto _ : state) {
    state.PauseTiming();
    const l1::FapiSlotAddress address = l1::to_slot_address(slot, clock.slots_per_frame());
    cplane.clear();
    sender.send_slot(address.sfn, address.slot, puschs, {}); // the PHY thread's part
    retime(cap, clock, slot);
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    for (const auto& frame : cplane) {
      receiver.on_cplane_frame(frame);
    }
    receiver.on_cplane_slot_done(address.sfn, address.slot);
    for (const auto& frame : cap.frames) {
      receiver.on_frame(frame);
    }
    l1::ReceivedSlot received;
    if (source.try_acquire(address.sfn, address.slot, received)) {
      benchmark::DoNotOptimize(received.grid);
      taken += received.has_samples() ? 1 : 0;
      source.release(address.sfn, address.slot);
    }
    elapsed_ns +=
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    ++slot;
  }
  const auto iterations = static_cast<std::uint64_t>(state.iterations());
  if (taken != iterations || receiver.counters().slots_delivered != iterations ||
      receiver.counters().slots_partial + receiver.counters().slots_lost != 0 ||
      receiver.fronthaul_counters().requested_slots != iterations ||
      cap.frames.size() != 2 * puschs.size() * 14 * num_rx) {
    state.SkipWithError("a requested slot did not reach the source whole");
  }
  set_counters(state, cap, elapsed_ns, baseline_ns, "x_whole_slot");
  state.counters["whole_slot_us"] = baseline_ns / 1000.0;
  state.counters["frames"] = static_cast<double>(cap.frames.size());
}

void BM_LiveLinkReceiver(benchmark::State& state) {
  // `airan l1 --clock real-time`: the same whole slots taken at arrival times (40 us after each
  // symbol's start, in its Ta4 window) on GPS time, with poll() after every 32 frames as the
  // receive loop does after each burst; against the stepped link in the same process.
  const double baseline_ns = whole_slot_link_ns(state);
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 1.0};
  io::FronthaulConfig live_config = config();
  live_config.epoch_ns.reset(); // the receiver takes the timeline's
  Capture cap = capture();
  l1::InMemoryIqSourceConfig source_config;
  source_config.num_rx_antennas = num_rx;
  source_config.num_subcarriers = 12 * cell().num_prbs;
  l1::InMemoryIqSource source(source_config);
  l1::FronthaulLinkReceiver receiver(cell(), num_rx, live_config, source, std::chrono::seconds(1),
                                     std::chrono::milliseconds(200), timeline);
  const io::FronthaulSlotClock clock(1, cell().cyclic_prefix);
  constexpr std::size_t timing_offset = io::ethernet_header_size + 8;
  std::vector<std::int64_t> symbol_offsets;
  for (const auto& frame : cap.frames) {
    const io::OranTimingHeader header = io::read_oran_timing_header(frame.data() + timing_offset);
    symbol_offsets.push_back(clock.symbol_offset_ns(0, header.symbol_id) + 40'000);
  }
  const std::int64_t first = clock.absolute_slot_at(timeline.epoch_ns, io::realtime_ns());
  std::int64_t slot = first;
  std::uint64_t taken = 0;
  double elapsed_ns = 0.0;
  for (auto _ : state) {
    state.PauseTiming();
    retime(cap, clock, static_cast<std::uint64_t>(slot));
    const std::int64_t slot_start = clock.slot_start_ns(timeline.epoch_ns, slot);
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < cap.frames.size(); ++i) {
      const std::int64_t arrival = slot_start + symbol_offsets[i];
      receiver.on_frame(cap.frames[i], arrival);
      if (i % 32 == 31) {
        receiver.poll(arrival);
      }
    }
    taken += take_slot(source, static_cast<std::uint64_t>(slot)) ? 1 : 0;
    elapsed_ns +=
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    ++slot;
  }
  const io::FronthaulCounters& c = receiver.fronthaul_counters();
  if (taken != static_cast<std::uint64_t>(state.iterations()) ||
      receiver.counters().slots_partial != 0 || c.early + c.late + c.too_late != 0) {
    state.SkipWithError("a live slot did not reach the source whole and on time");
  }
  set_counters(state, cap, elapsed_ns, baseline_ns, "x_stepped");
  state.counters["stepped_us"] = baseline_ns / 1000.0;
}

} // namespace

BENCHMARK(BM_LinkReceiverToSource)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LinkReceiverWithCplane)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LiveLinkReceiver)->Unit(benchmark::kMicrosecond);
