// libFuzzer target for the receiving halves of the FAPI transports, the parts that read what a
// peer (or anyone on the network) wrote:
//  - mode 0: raw datagrams (each a 2-byte length, then its bytes) into the UDP reassembler. A
//    datagram either completes a unit, is taken as a fragment, or bumps exactly one drop counter;
//    a completed unit is never longer than the reassembler's limit.
//  - mode 1: units from the input, fragmented as FapiUdpTransport sends them, then disturbed as a
//    network can (input-chosen losses, duplicates, swaps and late arrivals). Every unit delivered
//    must be one that was sent, whole and unchanged (never a splice of two), and with no
//    disturbance every unit arrives, in order. (Corrupted headers are mode 0's: the framing has
//    no checksum of its own and leaves that to UDP's.)
//  - mode 2: a shared-memory ring direction filled by the producer, then its indices,
//    descriptors and free list overwritten with input bytes as a corrupt peer could: the
//    consumer must stay inside the segment (ASan) and never return more than a slot or buffer.
#include "airan/io/fapi_udp_transport.h"
#include "fapi_shm_layout.h"
#include "fapi_udp_reassembly.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace {

using namespace airan::io;
using namespace airan::io::fapi_detail;

void check(bool condition) {
  if (!condition) {
    __builtin_trap();
  }
}

/// Reads the input front to back; past its end every read is zero.
class InputCursor {
public:
  explicit InputCursor(std::span<const std::uint8_t> data) : data_(data) {}
  std::uint8_t byte() { return position_ < data_.size() ? data_[position_++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(byte() | (byte() << 8)); }
  std::span<const std::uint8_t> take(std::size_t n) {
    n = std::min(n, data_.size() - position_);
    const auto part = data_.subspan(position_, n);
    position_ += n;
    return part;
  }
  [[nodiscard]] bool done() const { return position_ >= data_.size(); }

private:
  std::span<const std::uint8_t> data_;
  std::size_t position_ = 0;
};

constexpr std::size_t max_message_size = 4096;

std::uint64_t drops(const AtomicTransportCounters& counters) {
  return counters.dropped_malformed.load() + counters.dropped_out_of_sequence.load();
}

void raw_datagrams(InputCursor& in) {
  AtomicTransportCounters counters;
  UdpReassembler reassembler(max_message_size, counters);
  while (!in.done()) {
    const auto datagram = in.take(in.u16() % 8192);
    const std::uint64_t before = drops(counters);
    bool complete = false;
    const auto unit = reassembler.accept(datagram, complete);
    const std::uint64_t dropped = drops(counters) - before;
    check(dropped <= 1);
    check(!complete || (dropped == 0 && unit.size() <= max_message_size));
    check(complete || unit.empty());
  }
}

/// One datagram as the sender would write it, and the unit it belongs to.
struct SentDatagram {
  std::vector<std::uint8_t> bytes;
  std::size_t unit = 0;
};

void sent_stream(InputCursor& in) {
  const std::size_t chunk = 1 + in.byte() % 64;
  const std::size_t num_units = 1 + in.byte() % 24;
  std::uint32_t sequence = static_cast<std::uint32_t>(in.u16()) << 16 | in.u16();
  std::vector<std::vector<std::uint8_t>> units;
  std::vector<SentDatagram> stream;
  for (std::size_t u = 0; u < num_units; ++u) {
    const auto content = in.take(in.byte() % 200);
    units.emplace_back(content.begin(), content.end());
    const std::size_t fragments = std::max<std::size_t>(1, (content.size() + chunk - 1) / chunk);
    for (std::size_t i = 0; i < fragments; ++i) {
      const auto part = std::span(units.back()).subspan(std::min(i * chunk, content.size()));
      const auto piece = part.first(std::min(chunk, part.size()));
      UdpFrameHeader header;
      header.flags = static_cast<std::uint8_t>((i + 1 == fragments ? udp_flag_last_fragment : 0) |
                                               (u == 0 ? udp_flag_stream_start : 0));
      header.fragment_index = static_cast<std::uint16_t>(i);
      header.sequence = sequence;
      header.unit_length = static_cast<std::uint32_t>(content.size());
      header.payload_length = static_cast<std::uint32_t>(piece.size());
      SentDatagram datagram{std::vector<std::uint8_t>(fapi_udp_header_size + piece.size()), u};
      write_udp_header(datagram.bytes, header);
      std::copy(piece.begin(), piece.end(), datagram.bytes.begin() + fapi_udp_header_size);
      stream.push_back(std::move(datagram));
    }
    ++sequence;
  }
  // Disturbances: each names an operation and a datagram.
  const std::size_t num_disturbances = in.byte() % 8;
  for (std::size_t d = 0; d < num_disturbances && !stream.empty(); ++d) {
    const std::uint8_t operation = in.byte() % 4;
    const std::size_t at = in.u16() % stream.size();
    switch (operation) {
    case 0:
      stream.erase(stream.begin() + static_cast<std::ptrdiff_t>(at));
      break;
    case 1:
      stream.insert(stream.begin() + static_cast<std::ptrdiff_t>(at), stream[at]);
      break;
    case 2:
      std::swap(stream[at], stream[(at + 1) % stream.size()]);
      break;
    default: {
      auto moved = std::move(stream[at]);
      stream.erase(stream.begin() + static_cast<std::ptrdiff_t>(at));
      stream.push_back(std::move(moved));
      break;
    }
    }
  }
  AtomicTransportCounters counters;
  UdpReassembler reassembler(max_message_size, counters);
  std::size_t delivered = 0;
  for (const auto& datagram : stream) {
    bool complete = false;
    const auto unit = reassembler.accept(datagram.bytes, complete);
    if (!complete) {
      continue;
    }
    const bool sent = std::any_of(units.begin(), units.end(), [&](const auto& original) {
      return std::equal(unit.begin(), unit.end(), original.begin(), original.end());
    });
    check(sent);
    if (num_disturbances == 0) {
      check(std::equal(unit.begin(), unit.end(), units[delivered].begin(), units[delivered].end()));
    }
    ++delivered;
  }
  if (num_disturbances == 0) {
    check(delivered == units.size() && drops(counters) == 0 && counters.sequence_gaps == 0);
  }
}

void corrupt_ring(InputCursor& in) {
  FapiShmConfig config;
  config.ring_capacity = 1U << (1 + in.byte() % 4);
  config.message_slot_size = 1 + in.byte() % 96;
  config.payload_buffer_count = in.byte() % 5;
  config.payload_buffer_size = 1 + in.byte() % 256;
  if (check_shm_config(config)[0] != '\0') {
    return;
  }
  const ShmDirectionLayout layout = shm_direction_layout(config);
  std::vector<std::uint8_t> storage(layout.size + cache_line_size);
  auto* base =
      storage.data() +
      (cache_line_size - reinterpret_cast<std::uintptr_t>(storage.data()) % cache_line_size) %
          cache_line_size;
  ShmRing ring(base, config);
  ring.initialise();
  const std::size_t num_pushes = in.byte() % (config.ring_capacity + 2);
  for (std::size_t i = 0; i < num_pushes; ++i) {
    (void)ring.push(in.take(in.u16() % 320));
  }
  // The peer's writes: byte offsets within the direction (indices, descriptors, slots, free list).
  const std::size_t num_writes = in.byte() % 16;
  for (std::size_t i = 0; i < num_writes; ++i) {
    const std::size_t offset = (static_cast<std::size_t>(in.u16()) << 8 | in.byte()) % layout.size;
    base[offset] = in.byte();
  }
  const std::size_t largest =
      std::max<std::size_t>(config.message_slot_size, config.payload_buffer_size);
  std::vector<std::uint8_t> out(1 + in.byte() % 320);
  for (std::size_t i = 0; i < 2 * std::size_t{config.ring_capacity} + 4; ++i) {
    std::size_t size = 0;
    const auto result = ring.pop(out, size);
    check(result != ShmRing::PopResult::ok || (size <= out.size() && size <= largest));
    (void)ring.push(in.take(in.byte()));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  InputCursor in(std::span(data, size));
  switch (in.byte() % 3) {
  case 0:
    raw_datagrams(in);
    break;
  case 1:
    sent_stream(in);
    break;
  default:
    corrupt_ring(in);
    break;
  }
  return 0;
}
