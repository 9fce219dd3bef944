/// \file
/// \brief The receiving half of the FAPI UDP framing (fapi_udp_transport.h): header parsing and
/// writing, sequence checking and fragment reassembly, apart from the socket.
#pragma once

#include "fapi_transport_counters.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::io::fapi_detail {

/// UDP framing header flags.
inline constexpr std::uint8_t udp_flag_last_fragment = 1U << 0;
inline constexpr std::uint8_t udp_flag_stream_start = 1U << 1;

/// How far (in units) a datagram's sequence number may lie ahead of the next expected one, or
/// behind it, and still be taken at its word: ahead, the units in between are counted lost and
/// the receiver moves on; behind, it is a duplicate or a late datagram. A datagram outside this
/// window (without the stream-start flag) is dropped, ahead as malformed, behind as out of
/// sequence; the receiver moves to its sequence number only when the next datagram outside the
/// window confirms it (lies within the window of it), so one stray datagram cannot move it but
/// a loss of more units than the window (or a restarted sender whose first unit was lost)
/// costs one more dropped datagram.
inline constexpr std::uint32_t udp_sequence_window = 64;

/// The framing header of one datagram.
struct UdpFrameHeader {
  std::uint8_t flags = 0;
  std::uint16_t fragment_index = 0;
  std::uint32_t sequence = 0;
  std::uint32_t unit_length = 0;
  std::uint32_t payload_length = 0;
};

/// Writes \p header (with magic and version) into the first fapi_udp_header_size bytes of \p out.
void write_udp_header(std::span<std::uint8_t> out, const UdpFrameHeader& header);

/// Parses the header of \p datagram; false when the magic, the version or the payload length
/// (which must be the datagram's size minus the header) is wrong.
bool parse_udp_header(std::span<const std::uint8_t> datagram, UdpFrameHeader& header);

/// Turns datagrams into units: checks sequence numbers, reassembles fragments, counts drops.
/// Holds one reassembly buffer of max_message_size bytes, allocated at construction.
class UdpReassembler {
public:
  UdpReassembler(std::size_t max_message_size, AtomicTransportCounters& counters);

  /// Feeds one datagram. Returns the unit it completes (a view of the datagram's payload for an
  /// unfragmented unit, of the reassembly buffer otherwise, valid until the next call), or an
  /// empty span.
  std::span<const std::uint8_t> accept(std::span<const std::uint8_t> datagram, bool& complete);

private:
  void abandon_partial();
  /// Handles a datagram outside the sequence window; true when it confirms the previous one and
  /// the receiver has moved to its sequence number.
  bool out_of_window(std::uint32_t sequence, bool ahead);

  std::vector<std::uint8_t> buffer_;
  AtomicTransportCounters& counters_;
  bool have_expected_ = false;
  std::uint32_t expected_sequence_ = 0;
  /// The sequence number of the last datagram outside the window, while no datagram within the
  /// window has come since.
  bool have_candidate_ = false;
  std::uint32_t candidate_sequence_ = 0;
  bool in_progress_ = false;
  std::uint16_t next_fragment_ = 0;
  std::uint32_t unit_length_ = 0;
  std::size_t received_ = 0;
};

} // namespace airan::io::fapi_detail
