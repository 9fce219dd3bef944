#include "fapi_udp_reassembly.h"

#include "airan/io/fapi_udp_transport.h"
#include "fapi_byte_io.h"

#include <cstring>

namespace airan::io::fapi_detail {

void write_udp_header(std::span<std::uint8_t> out, const UdpFrameHeader& header) {
  ByteWriter writer(out.first(fapi_udp_header_size));
  writer.u32(fapi_udp_magic);
  writer.u8(fapi_udp_version);
  writer.u8(header.flags);
  writer.u16(header.fragment_index);
  writer.u32(header.sequence);
  writer.u32(header.unit_length);
  writer.u32(header.payload_length);
}

bool parse_udp_header(std::span<const std::uint8_t> datagram, UdpFrameHeader& header) {
  ByteReader reader(datagram);
  const std::uint32_t magic = reader.u32();
  const std::uint8_t version = reader.u8();
  header.flags = reader.u8();
  header.fragment_index = reader.u16();
  header.sequence = reader.u32();
  header.unit_length = reader.u32();
  header.payload_length = reader.u32();
  return !reader.failed() && magic == fapi_udp_magic && version == fapi_udp_version &&
         header.payload_length == reader.remaining();
}

UdpReassembler::UdpReassembler(std::size_t max_message_size, AtomicTransportCounters& counters)
    : buffer_(max_message_size), counters_(counters) {}

void UdpReassembler::abandon_partial() {
  if (in_progress_) {
    in_progress_ = false;
    AtomicTransportCounters::add(counters_.sequence_gaps);
    ++expected_sequence_;
  }
}

bool UdpReassembler::out_of_window(std::uint32_t sequence, bool ahead) {
  const bool confirms = have_candidate_ && sequence - candidate_sequence_ <= udp_sequence_window;
  if (!confirms) {
    // One datagram far from the stream: a stray or corrupted one, or the first after a loss of
    // more than the window. Drop it, and remember it in case the next one agrees.
    have_candidate_ = true;
    candidate_sequence_ = sequence;
    AtomicTransportCounters::add(ahead ? counters_.dropped_malformed
                                       : counters_.dropped_out_of_sequence);
    return false;
  }
  // Two datagrams agree: the stream really is there. Move to it; units skipped ahead are
  // counted as gaps below (those skipped by moving back were counted when first missed).
  have_candidate_ = false;
  abandon_partial();
  if (!ahead) {
    expected_sequence_ = sequence;
  }
  return true;
}

std::span<const std::uint8_t> UdpReassembler::accept(std::span<const std::uint8_t> datagram,
                                                     bool& complete) {
  complete = false;
  UdpFrameHeader h;
  if (!parse_udp_header(datagram, h) || h.unit_length > buffer_.size() ||
      h.payload_length > h.unit_length) {
    AtomicTransportCounters::add(counters_.dropped_malformed);
    return {};
  }
  const bool last = (h.flags & udp_flag_last_fragment) != 0;
  const std::span<const std::uint8_t> payload = datagram.subspan(fapi_udp_header_size);
  if ((h.flags & udp_flag_stream_start) != 0 && h.fragment_index == 0) {
    abandon_partial(); // the sender restarted: resynchronise on this unit
    have_expected_ = false;
  }
  if (!have_expected_) {
    have_expected_ = true;
    have_candidate_ = false;
    expected_sequence_ = h.sequence;
  }
  const auto distance = static_cast<std::int32_t>(h.sequence - expected_sequence_);
  constexpr auto window = static_cast<std::int32_t>(udp_sequence_window);
  if (distance > window || distance < -window) {
    if (!out_of_window(h.sequence, distance > 0)) {
      return {};
    }
  } else {
    have_candidate_ = false;
  }
  if (static_cast<std::int32_t>(h.sequence - expected_sequence_) > 0) {
    abandon_partial();
    AtomicTransportCounters::add(counters_.sequence_gaps, h.sequence - expected_sequence_);
    expected_sequence_ = h.sequence;
  }
  if (h.sequence != expected_sequence_) {
    AtomicTransportCounters::add(counters_.dropped_out_of_sequence); // older: duplicate or late
    return {};
  }
  if (h.fragment_index == 0) {
    if (in_progress_) {
      AtomicTransportCounters::add(counters_.dropped_out_of_sequence); // a repeated first part
      return {};
    }
    if (last) {
      if (h.payload_length != h.unit_length) {
        AtomicTransportCounters::add(counters_.dropped_malformed);
        return {};
      }
      ++expected_sequence_;
      complete = true;
      return payload;
    }
    in_progress_ = true;
    next_fragment_ = 0;
    unit_length_ = h.unit_length;
    received_ = 0;
  } else if (!in_progress_ || h.fragment_index != next_fragment_) {
    AtomicTransportCounters::add(counters_.dropped_out_of_sequence);
    if (in_progress_ && h.fragment_index > next_fragment_) {
      abandon_partial(); // a fragment was lost: the unit cannot complete
    }
    return {};
  }
  const std::size_t end = received_ + h.payload_length;
  if (h.unit_length != unit_length_ || end > unit_length_ || last != (end == unit_length_)) {
    AtomicTransportCounters::add(counters_.dropped_malformed);
    abandon_partial();
    return {};
  }
  if (!payload.empty()) {
    std::memcpy(buffer_.data() + received_, payload.data(), payload.size());
  }
  received_ = end;
  ++next_fragment_;
  if (!last) {
    return {};
  }
  in_progress_ = false;
  ++expected_sequence_;
  complete = true;
  return std::span<const std::uint8_t>(buffer_.data(), unit_length_);
}

} // namespace airan::io::fapi_detail
