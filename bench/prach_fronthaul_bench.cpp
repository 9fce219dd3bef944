// The PRACH stream of an O-RAN 7.2x fronthaul (section type 3) on a 273-PRB, 4-antenna, 30 kHz
// carrier (122.88 MHz), BFP 9, 1500-byte MTU, for format 0 (one period of 98304 samples, 72
// PRBs of 1.25 kHz: two frames per antenna) and B4 (twelve periods of 4096 samples, 12 PRBs: one
// frame per antenna and period).
//
// DU side (BM_PrachAssemble): per iteration the DU's type 3 C-plane of the occasion (one frame
// per antenna) into a FronthaulPrachAssembler, then every PRACH U-plane frame the emulated O-RU
// sent (parse, eAxC and section matching, BFP decompression, coverage), the occasion taken and
// released; baseline in the same process: memcpy of the same U-plane bytes ("x_memcpy").
// O-RU side (BM_RuPrach): the occasion's requests and its slots of IQ into an RuPrachEmulator
// (gathering, one FFT per period and antenna, BFP compression, framing); baseline in the same
// process: the bare FFTs of the same sizes and count on the same plan type ("x_fft").
#include "airan/io/fronthaul_prach_assembler.h"
#include "airan/io/oran_prach.h"
#include "airan/io/ru_prach_emulator.h"
#include "airan/phy/fft_plan.h"

#include "memcpy_baseline.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

using namespace airan::io;
using airan::phy::cf32;

namespace {

constexpr unsigned num_rx = 4;
constexpr std::int64_t epoch = 0;
constexpr unsigned first_slot = 4;

airan::phy::CellConfig carrier() {
  airan::phy::CellConfig c;
  c.num_prbs = 273;
  c.numerology = 1;
  return c;
}

FronthaulConfig fronthaul() {
  FronthaulConfig config;
  config.compression = {CompressionMethod::block_floating_point, 9};
  config.max_frame_size = 1500;
  config.epoch_ns = epoch;
  return config;
}

airan::phy::PrachConfig occasion(airan::phy::PrachFormat format) {
  airan::phy::PrachConfig prach;
  prach.format = format;
  prach.short_format_numerology = 1;
  prach.cyclic_shift_length = airan::phy::prach_is_long_format(format) ? 13 : 2;
  prach.first_prb = 20;
  return prach;
}

/// The DU's type 3 C-plane (one frame per antenna), the O-RU's U-plane answer, and its IQ.
struct PrachStream {
  std::vector<std::vector<std::uint8_t>> cplane;
  std::vector<RuPrachRequest> requests;
  std::vector<std::vector<std::uint8_t>> uplane;
  std::vector<std::int64_t> tx_ns;
  std::size_t uplane_bytes = 0;
  std::vector<std::vector<cf32>> slots_iq; ///< The slots the window covers, all antennas.
  airan::phy::PrachOccasionLayout layout;
};

PrachStream make_stream(airan::phy::PrachFormat format) {
  const auto cell = carrier();
  const FronthaulConfig config = fronthaul();
  const auto numerology = airan::phy::carrier_numerology(cell);
  const auto prach = occasion(format);
  const auto request = oran_prach_request(prach, numerology, cell.num_prbs, first_slot);
  if (!request.error.empty()) {
    throw std::runtime_error(request.error);
  }
  PrachStream stream;
  stream.layout = airan::phy::prach_occasion_layout(prach, numerology, cell.num_prbs, first_slot);
  const FronthaulSlotClock clock(cell.numerology, cell.cyclic_prefix);
  const EthernetHeader ethernet{config.ru_mac, config.du_mac, config.vlan};
  const std::size_t header_size = ecpri_frame_header_size(ethernet);
  const std::size_t message_size =
      cplane_message_size(CplaneSectionType::prach_mixed_numerology, 1);
  for (unsigned a = 0; a < num_rx; ++a) {
    CplaneMessageHeader header;
    CplaneSection section;
    fill_prach_cplane(request.request, config.compression, 0, header, section);
    const OranTimingHeader timing = clock.timing_header(first_slot, 0);
    header.timing.frame_id = timing.frame_id;
    header.timing.subframe_id = timing.subframe_id;
    header.timing.slot_id = timing.slot_id;
    std::vector<std::uint8_t> frame(header_size + message_size);
    write_cplane_message(std::span(frame).subspan(header_size), header, std::span(&section, 1));
    EcpriMessageHeader ecpri;
    ecpri.type = EcpriMessageType::real_time_control;
    ecpri.eaxc_id =
        pack_eaxc_id({config.du_port, config.band_sector, config.cc,
                      static_cast<std::uint16_t>(config.prach_first_ru_port(num_rx) + a)},
                     config.eaxc_layout);
    ecpri.sequence = {0, true, 0};
    write_ecpri_frame_header(frame, ethernet, ecpri, message_size);
    stream.cplane.push_back(frame);
    stream.requests.push_back({a, header, section});
  }
  // The slots the occasion's window covers, noise on every antenna.
  std::mt19937 rng(3);
  std::normal_distribution<float> gauss(0.0F, 0.5F);
  std::size_t covered = 0;
  for (unsigned s = first_slot; covered < std::size_t{stream.layout.start} + stream.layout.length();
       ++s) {
    const std::size_t length = numerology.slot_length(s % numerology.slots_per_frame());
    std::vector<cf32> iq(length * num_rx);
    for (auto& x : iq) {
      x = {gauss(rng), gauss(rng)};
    }
    stream.slots_iq.push_back(std::move(iq));
    covered += length;
  }
  RuPrachEmulator ru(cell, num_rx, config);
  for (const RuPrachRequest& r : stream.requests) {
    if (const std::string error = ru.add_request(first_slot, r); !error.empty()) {
      throw std::runtime_error(error);
    }
  }
  for (std::size_t s = 0; s < stream.slots_iq.size(); ++s) {
    ru.add_slot(first_slot + static_cast<std::int64_t>(s), epoch, stream.slots_iq[s],
                [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
                  stream.uplane.emplace_back(frame.begin(), frame.end());
                  stream.tx_ns.push_back(tx_ns);
                  stream.uplane_bytes += frame.size();
                });
  }
  return stream;
}

void BM_PrachAssemble(benchmark::State& state, airan::phy::PrachFormat format) {
  PrachStream stream = make_stream(format);
  FronthaulPrachAssembler assembler(carrier(), num_rx, fronthaul());
  const double baseline_ns = airan::bench::frames_memcpy_ns(stream.uplane, stream.uplane_bytes);
  // Each iteration is the same occasion one frame (10 ms) later: frameId moved on in every frame
  // (the timing header's second byte, untagged frames).
  const std::size_t frame_id_byte = ethernet_header_size + 8 + 1;
  std::uint8_t frame_id = stream.cplane[0][frame_id_byte];
  std::uint64_t complete = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (auto& frame : stream.cplane) {
      frame[frame_id_byte] = frame_id;
      assembler.expect_cplane_frame(frame);
    }
    for (auto& frame : stream.uplane) {
      frame[frame_id_byte] = frame_id;
      assembler.push(frame, 0);
    }
    while (const AssembledPrach* done = assembler.next_occasion()) {
      benchmark::DoNotOptimize(done->values.data());
      complete += done->complete() ? 1 : 0;
      assembler.release(done);
    }
    ++frame_id;
  }
  const double elapsed_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  if (complete != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("an occasion did not assemble completely");
  }
  state.counters["frames"] = static_cast<double>(stream.uplane.size());
  state.counters["bytes"] = static_cast<double>(stream.uplane_bytes);
  state.counters["x_memcpy"] = elapsed_ns / static_cast<double>(state.iterations()) / baseline_ns;
}

void BM_RuPrach(benchmark::State& state, airan::phy::PrachFormat format) {
  const PrachStream stream = make_stream(format);
  RuPrachEmulator ru(carrier(), num_rx, fronthaul());
  // Baseline: the O-RU's FFTs alone (num_rx x periods of period_length points).
  airan::phy::FftPlan fft(stream.layout.period_length, airan::phy::FftDirection::forward);
  std::ranges::copy(std::span(stream.slots_iq[0]).first(stream.layout.period_length),
                    fft.input().begin());
  constexpr int reps = 20;
  const auto fft_start = std::chrono::steady_clock::now();
  for (int rep = 0; rep < reps; ++rep) {
    for (unsigned k = 0; k < num_rx * stream.layout.repetitions; ++k) {
      fft.execute();
      benchmark::DoNotOptimize(fft.output().data());
    }
  }
  const double fft_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - fft_start)
          .count() /
      reps;
  std::int64_t slot = first_slot;
  std::size_t frames = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (const RuPrachRequest& request : stream.requests) {
      RuPrachRequest moved = request;
      moved.header.timing = FronthaulSlotClock(1, airan::phy::CyclicPrefix::normal)
                                .timing_header(static_cast<std::uint64_t>(slot), 0);
      moved.header.timing.filter_index = request.header.timing.filter_index;
      moved.header.timing.symbol_id = request.header.timing.symbol_id;
      if (!ru.add_request(slot, moved).empty()) {
        state.SkipWithError("request refused");
        return;
      }
    }
    for (std::size_t s = 0; s < stream.slots_iq.size(); ++s) {
      frames += ru.add_slot(slot + static_cast<std::int64_t>(s), epoch, stream.slots_iq[s],
                            [](std::span<const std::uint8_t> frame, std::int64_t) {
                              benchmark::DoNotOptimize(frame.data());
                            });
    }
    slot += 20; // the same slot of the next frame
  }
  const double elapsed_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  if (frames != stream.uplane.size() * static_cast<std::size_t>(state.iterations())) {
    state.SkipWithError("the O-RU sent another number of frames");
  }
  state.counters["frames"] = static_cast<double>(stream.uplane.size());
  state.counters["x_fft"] = elapsed_ns / static_cast<double>(state.iterations()) / fft_ns;
}

} // namespace

BENCHMARK_CAPTURE(BM_PrachAssemble, format0_4rx, airan::phy::PrachFormat::f0)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_PrachAssemble, b4_4rx, airan::phy::PrachFormat::b4)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RuPrach, format0_4rx, airan::phy::PrachFormat::f0)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RuPrach, b4_4rx, airan::phy::PrachFormat::b4)->Unit(benchmark::kMicrosecond);
