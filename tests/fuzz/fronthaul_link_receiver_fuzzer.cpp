// libFuzzer target for the DU end of a fronthaul link (l1::FronthaulLinkReceiver) in front of an
// InMemoryIqSource: the first byte picks the configuration (frequency or time domain,
// compression, static or dynamic udCompHdr, 1, 2 or 4 antennas or another carrier's eAxC ids,
// the MAC and VLAN filter (with 4 antennas), slots in flight, 4 source entries or 1), the rest is a
// sequence of records [u16 length][u8 op][payload] (op modulo 8):
//   0 frame:   the payload is an Ethernet frame for on_frame();
//   1 consume: the L1's side: every slot in the source whose address matches a recently seen
//              (frameId, slot) is acquired, checked and released (payload bit 0: clear() the
//              source afterwards; bit 1: keep the first one held until the next consume);
//   2 quiet:   a fake clock advances by payload[0] * 20 ms (none: 200 ms), and flush_if_quiet()
//              runs at the time that far past the last frame (wall time now + that quiet time:
//              the receiver stamps frames with the wall clock; nothing sleeps);
//   3 flush, 4 reset,
//   5 C-plane: the payload is a C-plane frame the L1 sent, for on_cplane_frame();
//   6 C-plane done: payload [u16 SFN][u8 slot] (taken as they are, out of range included) for
//              on_cplane_slot_done(); its (frameId, slot) counts as recently seen;
//   7 session: payload bit 0 of the first byte (none: 1) is what the session gate says from now
//              on (0: no session runs, the frames that come are dropped).
// Pushes to the source never wait (timeout 0): a full source refuses the slot. At the end
// flush() and a last consume run. Checked after every record: every slot taken from the source
// has its asked-for address (SFN < 1024, slot < slots per frame) and the configured shape
// (grid, or the slot's time-domain IQ; or no samples, a slot the C-plane asked nothing of),
// finite values, and PRACH sections (frequency domain only) of their announced shape; the link
// counters count each on_frame() and each slot once (frames == on_frame calls, those outside a
// session never reach the assembler; every slot the
// assembler dispatched was delivered, refused, before the start, dropped at reset or overrun;
// partial ones come from pool pressure or flush; quiet_flushes == flush_if_quiet() calls that
// returned true; slots handed over empty or lost at most one per C-plane slot end), a resync
// follows resync_after frames out of the window, the assembler got exactly the frames the window
// did not drop and accounts for each of them once (fixed epoch: no relearns, no deadline dispatch),
// nothing is left open after flush() or reset(), the consumer never takes more slots than were
// delivered, and nothing crashes or throws.
//
// Seeds: with AIRAN_FUZZ_WRITE_SEEDS=DIR the binary writes, for a few configurations, the
// frames of a FronthaulSampleFeeder on a capturing link: SFN 255 slot 19, SFN 256 slots 0 and
// 1 (frameId wrap; the last slot loses its last frame and leaves on a quiet flush), a reset,
// frames of SFN 256 slot 2 while no session runs, and a new session at SFN 0; in frequency
// domain also a session with C-plane (a FronthaulCplaneSender's frames for a PUSCH, the O-RU's
// answer, a slot asked nothing of) (tests/fuzz/seeds/fronthaul_link_receiver).
#include "airan/io/ecpri.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/oran_common.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/fronthaul_sample_feeder.h"
#include "airan/l1/slot_clock.h"
#include "airan/l1/uplink_cplane_sender.h"
#include "airan/phy/numerology.h"

#include "fuzz_seeds.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace airan;
using l1::SteadyClock;

enum Op : std::uint8_t {
  op_frame,
  op_consume,
  op_quiet,
  op_flush,
  op_reset,
  op_cplane,
  op_cplane_done,
  op_session,
  num_ops
};

constexpr auto quiet_timeout = std::chrono::milliseconds(200);
constexpr auto quiet_step = std::chrono::milliseconds(20);

phy::CellConfig fuzz_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 12;
  cell.numerology = 1;
  return cell;
}

struct FuzzSetup {
  io::FronthaulConfig config;
  unsigned num_rx = 1;
  unsigned source_entries = 4;
};

FuzzSetup setup_from(std::uint8_t selector) {
  FuzzSetup setup;
  io::FronthaulConfig& config = setup.config;
  config.mode = (selector & 1) != 0 ? io::FronthaulIngestMode::time_domain
                                    : io::FronthaulIngestMode::frequency_domain;
  constexpr io::IqCompression compressions[4] = {{io::CompressionMethod::block_floating_point, 9},
                                                 {io::CompressionMethod::none, 16},
                                                 {io::CompressionMethod::block_floating_point, 14},
                                                 {io::CompressionMethod::block_floating_point, 5}};
  config.compression = compressions[(selector >> 1) & 3];
  config.dynamic_compression_header = (selector & 8) != 0;
  constexpr unsigned antennas[4] = {1, 2, 4, 2};
  setup.num_rx = antennas[(selector >> 4) & 3];
  if (((selector >> 4) & 3) == 3) { // another carrier of the O-RU
    config.du_port = 1;
    config.band_sector = 2;
    config.cc = 3;
  }
  config.max_slots_in_flight = (selector & 0x40) != 0 ? 1 : 4;
  // The MAC and VLAN filter for one antenna layout only: frames to other addresses reach the
  // parsers otherwise.
  config.filter_by_address = ((selector >> 4) & 3) == 2;
  if (config.filter_by_address) {
    config.vlan = io::VlanTag{7, false, 100};
  }
  setup.source_entries = (selector & 0x80) != 0 ? 1 : 4;
  return setup;
}

phy::Numerology fuzz_numerology() {
  const phy::CellConfig cell = fuzz_cell();
  return phy::carrier_numerology(cell);
}

void check(bool condition) {
  if (!condition) {
    __builtin_trap();
  }
}

/// The cycle slots (frameId and slot) that the frames' U-plane messages named most recently:
/// where the receiver's slots can be (their SFN is frameId + 256 k).
class RecentSlotKeys {
public:
  void note(std::span<const std::uint8_t> frame, const io::FronthaulSlotClock& clock) {
    const auto parsed = io::parse_ecpri_frame(frame);
    if (!parsed.ok()) {
      return;
    }
    io::for_each_ecpri_message(frame, parsed.frame, [&](const io::EcpriMessageView& message) {
      if (message.header.type != io::EcpriMessageType::iq_data ||
          message.application_payload.size() < io::oran_timing_header_size) {
        return;
      }
      const auto cycle_slot =
          clock.cycle_slot(io::read_oran_timing_header(message.application_payload.data()));
      if (cycle_slot) {
        note_key(*cycle_slot);
      }
    });
  }
  void note_key(unsigned cycle_slot) {
    if (std::find(keys_.begin(), keys_.begin() + size_, cycle_slot) == keys_.begin() + size_) {
      keys_[next_] = cycle_slot;
      next_ = (next_ + 1) % keys_.size();
      size_ = std::min(size_ + 1, keys_.size());
    }
  }
  [[nodiscard]] std::span<const unsigned> keys() const { return {keys_.data(), size_}; }

private:
  std::array<unsigned, 8> keys_{};
  std::size_t next_ = 0;
  std::size_t size_ = 0;
};

/// The L1's side of the source: takes the slots at the recently seen addresses.
class SlotConsumer {
public:
  SlotConsumer(l1::InMemoryIqSource& source, const FuzzSetup& setup, unsigned slots_per_frame)
      : source_(source), setup_(setup), slots_per_frame_(slots_per_frame) {}

  void consume(std::span<const unsigned> keys, std::uint8_t flags) {
    if (held_) {
      source_.release(held_->sfn, held_->slot);
      held_.reset();
    }
    for (const unsigned key : keys) {
      const auto slot = static_cast<std::uint16_t>(key % slots_per_frame_);
      for (unsigned wrap = 0; wrap < 4; ++wrap) {
        const auto sfn = static_cast<std::uint16_t>(key / slots_per_frame_ + 256 * wrap);
        l1::ReceivedSlot received;
        if (!source_.try_acquire(sfn, slot, received)) {
          continue;
        }
        check_slot(received, sfn, slot);
        ++taken_;
        if ((flags & 2) != 0 && !held_) {
          held_ = l1::FapiSlotAddress{sfn, slot};
        } else {
          source_.release(sfn, slot);
        }
      }
    }
    if ((flags & 1) != 0) {
      source_.clear();
    }
  }
  [[nodiscard]] std::uint64_t taken() const { return taken_; }

private:
  void check_slot(const l1::ReceivedSlot& received, std::uint16_t sfn, std::uint16_t slot) const {
    check(received.sfn == sfn && received.slot == slot);
    check(received.sfn < 1024 && received.slot < slots_per_frame_);
    for (const l1::ReceivedPrach& prach : received.prach) { // 7.2x with C-plane only
      check(setup_.config.mode == io::FronthaulIngestMode::frequency_domain);
      check(prach.section.values.size() == std::size_t{prach.section.num_antennas} *
                                               prach.section.num_periods * prach.section.num_res);
      for (const phy::cf32 value : prach.section.values) {
        check(std::isfinite(value.real()) && std::isfinite(value.imag()));
      }
    }
    if (!received.has_samples()) {
      return; // a slot the C-plane asked nothing of
    }
    std::span<const phy::cf32> values = received.iq;
    if (setup_.config.mode == io::FronthaulIngestMode::frequency_domain) {
      check(received.grid != nullptr && received.iq.empty());
      check(received.grid->num_ports() == setup_.num_rx && received.grid->num_symbols() == 14 &&
            received.grid->num_subcarriers() == 12 * fuzz_cell().num_prbs);
      values = received.grid->elements();
    } else {
      check(received.grid == nullptr);
      check(received.iq.size() == std::size_t{setup_.num_rx} * fuzz_numerology().slot_length(slot));
    }
    for (const phy::cf32 value : values) {
      check(std::isfinite(value.real()) && std::isfinite(value.imag()));
    }
  }

  l1::InMemoryIqSource& source_;
  const FuzzSetup& setup_;
  unsigned slots_per_frame_;
  std::uint64_t taken_ = 0;
  std::optional<l1::FapiSlotAddress> held_;
};

l1::InMemoryIqSourceConfig source_config(const FuzzSetup& setup) {
  const phy::Numerology numerology = fuzz_numerology();
  l1::InMemoryIqSourceConfig config;
  config.num_entries = setup.source_entries;
  config.num_rx_antennas = setup.num_rx;
  config.num_subcarriers = 12 * fuzz_cell().num_prbs;
  // Room for a few small PRACH sections (more are dropped and counted): a source sized for the
  // largest ones would zero megabytes per input.
  config.max_prach_sections = 4;
  config.max_prach_values = std::size_t{config.max_prach_sections} * setup.num_rx * 12 * 12;
  if (setup.config.mode == io::FronthaulIngestMode::time_domain) {
    for (unsigned slot = 0; slot < phy::slots_per_frame(fuzz_cell().numerology); ++slot) {
      config.max_iq_samples =
          std::max(config.max_iq_samples, std::size_t{setup.num_rx} * numerology.slot_length(slot));
    }
  }
  return config;
}

struct Tally {
  std::uint64_t on_frame_calls = 0;
  std::uint64_t cplane_calls = 0;      ///< on_cplane_frame() calls.
  std::uint64_t cplane_done_calls = 0; ///< on_cplane_slot_done() calls.
  std::uint64_t quiet_flushes = 0;     ///< flush_if_quiet() calls that returned true.
};

void check_counters(const l1::FronthaulLinkReceiver& receiver, const Tally& tally,
                    std::uint64_t taken) {
  const l1::FronthaulLinkCounters& link = receiver.counters();
  const io::FronthaulCounters& c = receiver.fronthaul_counters();
  check(link.frames == tally.on_frame_calls);
  check(link.quiet_flushes == tally.quiet_flushes);
  check(link.count_resyncs * l1::FronthaulLinkReceiver::resync_after <= link.frames_out_of_window);
  // A frame out of the window reaches the assembler only when it resyncs the count.
  check(c.packets == link.frames - (link.frames_out_of_window - link.count_resyncs) -
                         link.frames_outside_session);
  check(c.early + c.on_time + c.late + c.malformed() + c.other_destination + c.other_vlan +
            c.cplane + c.wrong_direction + c.unknown_eaxc + c.filtered_messages +
            c.fragmented_unsupported + c.too_late + c.too_early + c.epoch_mismatch + c.no_buffer ==
        c.packets + c.concatenated_messages);
  check(c.epoch_relearns == 0 && c.epoch_mismatch == 0 && c.slots_discarded == 0);
  check(c.slots_deadline == 0); // nothing calls advance()
  check(c.clock_resyncs * (io::FronthaulSlotAssembler::resync_after - 1) <= c.arrival_outliers);
  // Every dispatched slot was handed on (or overwritten before the receiver could take it).
  check(c.slots_complete + c.slots_pool_pressure + c.slots_flushed ==
        link.slots_delivered + link.slots_refused + link.slots_before_start +
            link.slots_dropped_at_reset + c.slots_overrun);
  check(link.slots_partial <= link.slots_delivered);
  check(link.cplane_frames == tally.cplane_calls);
  check(link.slots_empty + link.slots_lost + link.empty_slots_refused <= tally.cplane_done_calls);
  check(link.slots_partial <= c.slots_pool_pressure + c.slots_flushed);
  check(taken <= link.slots_delivered + link.slots_empty + link.slots_lost);
}

/// After flush() or reset() no slot is open: even a long quiet finds nothing to flush.
void check_nothing_open(l1::FronthaulLinkReceiver& receiver) {
  check(!receiver.flush_if_quiet(SteadyClock::now() + std::chrono::hours(1)));
}

/// Records in the fuzzer's format.
struct RecordWriter {
  std::vector<std::uint8_t> bytes;
  void add(Op op, std::span<const std::uint8_t> payload = {}) {
    bytes.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
    bytes.push_back(static_cast<std::uint8_t>(payload.size()));
    bytes.push_back(op);
    bytes.insert(bytes.end(), payload.begin(), payload.end());
  }
};

class CapturingLink final : public l1::FronthaulFrameLink {
public:
  bool send(std::span<const std::uint8_t> frame) override {
    frames.emplace_back(frame.begin(), frame.end());
    return true;
  }
  std::uint64_t end_of_slot() override { return 0; }
  std::vector<std::vector<std::uint8_t>> frames;
};

/// A session with C-plane: (0, 0) with a PUSCH on PRBs 2..6, the O-RU's answer, (0, 1) asked
/// nothing of.
void add_cplane_session(RecordWriter& out, const FuzzSetup& setup, bool consume) {
  out.add(op_reset);
  CapturingLink to_ru;
  l1::FronthaulCplaneSender sender(fuzz_cell(), setup.num_rx, setup.config,
                                   [&](std::span<const std::uint8_t> frame) { to_ru.send(frame); });
  phy::PuschConfig pusch;
  pusch.bwp_size = fuzz_cell().num_prbs;
  pusch.prb_start = 2;
  pusch.prb_size = 5;
  sender.send_slot(0, 0, std::span(&pusch, 1), {});
  sender.send_slot(0, 1, {}, {});
  const auto add_done = [&](std::uint16_t slot) {
    out.add(op_cplane_done, std::array<std::uint8_t, 3>{0, 0, static_cast<std::uint8_t>(slot)});
  };
  for (const auto& frame : to_ru.frames) {
    out.add(op_cplane, frame);
  }
  add_done(0);
  // The O-RU end of a link with C-plane: the requests in, the requested U-plane out.
  class Loopback final : public l1::FronthaulFrameLink {
  public:
    explicit Loopback(std::vector<std::vector<std::uint8_t>> cplane) : cplane_(std::move(cplane)) {}
    bool send(std::span<const std::uint8_t> frame) override {
      uplane.emplace_back(frame.begin(), frame.end());
      return true;
    }
    std::uint64_t end_of_slot() override { return 0; }
    unsigned receive(l1::FronthaulFrameHandler& handler) override {
      const auto count = static_cast<unsigned>(cplane_.size());
      for (const auto& frame : cplane_) {
        handler.on_frame(frame);
      }
      cplane_.clear();
      return count;
    }
    std::vector<std::vector<std::uint8_t>> uplane;

  private:
    std::vector<std::vector<std::uint8_t>> cplane_;
  } link(to_ru.frames);
  l1::FronthaulSampleFeeder ru(fuzz_cell(), setup.num_rx, setup.config, link, true);
  phy::ResourceGrid grid(setup.num_rx, 14, 12 * fuzz_cell().num_prbs);
  for (std::size_t i = 0; i < grid.elements().size(); ++i) {
    grid.elements()[i] = {0.01F * static_cast<float>(i % 50), -0.02F * static_cast<float>(i % 7)};
  }
  check(ru.push_grid(0, 0, grid, std::chrono::milliseconds(10)));
  for (const auto& frame : link.uplane) {
    out.add(op_frame, frame);
  }
  add_done(1);
  if (consume) {
    out.add(op_consume);
  }
}

void write_seeds(const std::string& dir) {
  std::mt19937 rng(1);
  std::normal_distribution<float> gauss(0.0F, 0.5F);
  struct SlotAddress {
    std::uint16_t sfn, slot;
  };
  for (const std::uint8_t selector : {0x00, 0x01, 0x0A, 0x1C, 0x36, 0x45, 0x80}) {
    const FuzzSetup setup = setup_from(selector);
    const bool consume = selector != 0x80; // a full one-entry source refuses slots
    RecordWriter out{{selector}};
    const auto send_slots = [&](std::initializer_list<SlotAddress> slots, bool lose_last_frame) {
      CapturingLink link;
      l1::FronthaulSampleFeeder feeder(fuzz_cell(), setup.num_rx, setup.config, link);
      phy::ResourceGrid grid(setup.num_rx, 14, 12 * fuzz_cell().num_prbs);
      for (const SlotAddress& address : slots) {
        for (auto& x : grid.elements()) {
          x = {gauss(rng), gauss(rng)};
        }
        link.frames.clear();
        check(feeder.push_grid(address.sfn, address.slot, grid, std::chrono::microseconds(0)));
        const std::size_t sent = link.frames.size() - (lose_last_frame ? 1 : 0);
        for (std::size_t f = 0; f < sent; ++f) {
          out.add(op_frame, link.frames[f]);
        }
        if (consume) {
          out.add(op_consume);
        }
      }
    };
    send_slots({{255, 19}, {256, 0}}, false); // across the frameId wrap
    send_slots({{256, 1}}, true);             // a lost frame: left open until the quiet flush
    out.add(op_quiet, std::array<std::uint8_t, 1>{15});
    out.add(op_consume);
    out.add(op_reset); // STOP: no session runs, and a stale frame of the last one comes
    out.add(op_session, std::array<std::uint8_t, 1>{0});
    send_slots({{256, 2}}, true);
    out.add(op_quiet, std::array<std::uint8_t, 1>{15});
    out.add(op_session, std::array<std::uint8_t, 1>{1}); // a new session at SFN 0
    send_slots({{0, 0}}, false);
    out.add(op_flush);
    if (setup.config.mode == io::FronthaulIngestMode::frequency_domain) {
      add_cplane_session(out, setup, consume);
    }
    airan::fuzz::write_seed_file(dir + "/seed_" + std::to_string(selector), out.bytes);
  }
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): libFuzzer's entry point
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  airan::fuzz::write_seeds_when_asked(write_seeds);
  return 0;
}

// NOLINTNEXTLINE(readability-identifier-naming): libFuzzer's entry point
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  const FuzzSetup setup = setup_from(data[0]);
  const phy::CellConfig cell = fuzz_cell();
  const io::FronthaulSlotClock clock(cell.numerology, cell.cyclic_prefix);
  l1::InMemoryIqSource source(source_config(setup));
  l1::FronthaulLinkReceiver receiver(cell, setup.num_rx, setup.config, source,
                                     std::chrono::microseconds(0), quiet_timeout);
  if (setup.config.mode == io::FronthaulIngestMode::frequency_domain) {
    try {
      receiver.expect_prach(); // PRACH U-plane and type 3 C-plane go to its PRACH assembler
    } catch (const std::invalid_argument&) {
      // an eAxC layout without room for the PRACH ports: no PRACH stream
    }
  }
  bool in_session = true;
  receiver.set_session_gate([&in_session] { return in_session; });
  SlotConsumer consumer(source, setup, clock.slots_per_frame());
  RecentSlotKeys keys;
  Tally tally;
  SteadyClock::duration fake_now{};
  SteadyClock::duration fake_last_frame{};
  std::span<const std::uint8_t> rest(data + 1, size - 1);
  while (rest.size() >= 3) {
    const std::size_t length = (std::size_t{rest[0]} << 8) | rest[1];
    const auto op = static_cast<Op>(rest[2] % num_ops);
    rest = rest.subspan(3);
    const std::span<const std::uint8_t> payload = rest.first(std::min(length, rest.size()));
    rest = rest.subspan(payload.size());
    switch (op) {
    case op_frame:
      keys.note(payload, clock);
      receiver.on_frame(payload);
      ++tally.on_frame_calls;
      if (in_session) {
        fake_last_frame = fake_now;
      }
      break;
    case op_session:
      in_session = payload.empty() || (payload[0] & 1U) != 0;
      break;
    case op_consume:
      consumer.consume(keys.keys(), payload.empty() ? 0 : payload[0]);
      break;
    case op_quiet: {
      fake_now += quiet_step * (payload.empty() ? 10 : payload[0]);
      const SteadyClock::time_point now = SteadyClock::now() + (fake_now - fake_last_frame);
      if (receiver.flush_if_quiet(now)) {
        ++tally.quiet_flushes;
        check(!receiver.flush_if_quiet(now)); // the flush left nothing open
      }
      break;
    }
    case op_cplane:
      receiver.on_cplane_frame(payload);
      ++tally.cplane_calls;
      break;
    case op_cplane_done:
      if (payload.size() >= 3) {
        const auto sfn = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
        receiver.on_cplane_slot_done(sfn, payload[2]);
        ++tally.cplane_done_calls;
        if (sfn < 1024 && payload[2] < clock.slots_per_frame()) {
          keys.note_key(((sfn % 256U) * clock.slots_per_frame() + payload[2]) %
                        clock.slots_per_cycle());
        }
      }
      break;
    case op_flush:
      receiver.flush();
      check_nothing_open(receiver);
      break;
    case op_reset:
      receiver.reset();
      check_nothing_open(receiver);
      break;
    default:
      break;
    }
    check_counters(receiver, tally, consumer.taken());
  }
  receiver.flush();
  check_nothing_open(receiver);
  consumer.consume(keys.keys(), 0);
  check_counters(receiver, tally, consumer.taken());
  return 0;
}
