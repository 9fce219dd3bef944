/// \file
/// \brief Ethernet II framing (optional IEEE 802.1Q tag) and the eCPRI 2.0 transport of the O-RAN
/// fronthaul: eCPRI common header, PC_ID / RTC_ID carrying the O-RAN eAxC ID, and SEQ_ID.
///
/// Layouts (see docs/FRONTHAUL.md): eCPRI 2.0 3.1.3.1 (common header), O-RAN WG4 CUS 5.1.3.2.7
/// (ecpriPcid / ecpriRtcid = eAxC ID) and 5.1.3.2.8 (ecpriSeqid). Packet bytes are
/// std::uint8_t, as DPDK mbufs and libFuzzer hand them over. Parsing never allocates and never
/// reads outside the given span: every view it returns lies inside the frame with a checked
/// length, and every malformed case has its own EcpriParseStatus.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace airan::io {

using MacAddress = std::array<std::uint8_t, 6>;

/// "02:00:00:00:00:02": an address as the YAML configs write it.
std::string mac_to_string(const MacAddress& mac);

inline constexpr std::uint16_t ethertype_vlan = 0x8100;
inline constexpr std::uint16_t ethertype_ecpri = 0xAEFE;
/// Destination, source and EtherType.
inline constexpr std::size_t ethernet_header_size = 14;
/// TPID is counted in ethernet_header_size's EtherType slot; the tag adds TCI + inner EtherType.
inline constexpr std::size_t vlan_tag_size = 4;
/// Revision/reserved/C byte, message type, payload size.
inline constexpr std::size_t ecpri_common_header_size = 4;
/// PC_ID or RTC_ID (2 bytes) and SEQ_ID (2 bytes): the start of the eCPRI payload.
inline constexpr std::size_t ecpri_transport_header_size = 4;
/// The eCPRI protocol revision this code speaks (eCPRI 1.x and 2.0 both use 1).
inline constexpr std::uint8_t ecpri_protocol_revision = 1;

/// IEEE 802.1Q tag control information.
struct VlanTag {
  std::uint8_t priority = 0;  ///< PCP, 0..7.
  bool drop_eligible = false; ///< DEI.
  std::uint16_t vlan_id = 0;  ///< VID, 0..4095.
  friend bool operator==(const VlanTag&, const VlanTag&) = default;
};

/// Ethernet II header of an eCPRI frame; the EtherType (after the optional tag) is 0xAEFE.
struct EthernetHeader {
  MacAddress destination{};
  MacAddress source{};
  std::optional<VlanTag> vlan;

  /// Bytes on the wire: 14, or 18 with the VLAN tag.
  [[nodiscard]] std::size_t size() const {
    return ethernet_header_size + (vlan ? vlan_tag_size : 0);
  }
  friend bool operator==(const EthernetHeader&, const EthernetHeader&) = default;
};

/// eCPRI message types the O-RAN CUS plane uses.
enum class EcpriMessageType : std::uint8_t {
  iq_data = 0,           ///< U-plane (ecpriPcid).
  real_time_control = 2, ///< C-plane (ecpriRtcid).
};

/// Bit widths of the four eAxC ID fields, most significant first: DU port, band sector,
/// component carrier, RU port. They must add up to 16 (set by the M-plane).
struct EaxcIdLayout {
  std::uint8_t du_port_bits = 4;
  std::uint8_t band_sector_bits = 4;
  std::uint8_t cc_bits = 4;
  std::uint8_t ru_port_bits = 4;

  /// True when the widths add up to 16.
  [[nodiscard]] bool valid() const {
    return du_port_bits + band_sector_bits + cc_bits + ru_port_bits == 16;
  }
  friend bool operator==(const EaxcIdLayout&, const EaxcIdLayout&) = default;
};

/// The extended antenna-carrier identifier, field by field.
struct EaxcId {
  std::uint16_t du_port = 0;
  std::uint16_t band_sector = 0;
  std::uint16_t cc = 0;
  std::uint16_t ru_port = 0;
  friend bool operator==(const EaxcId&, const EaxcId&) = default;
};

/// Packs \p id into the 16-bit PC_ID / RTC_ID value.
/// \throws std::invalid_argument when the layout is invalid or a field does not fit its width.
std::uint16_t pack_eaxc_id(const EaxcId& id, const EaxcIdLayout& layout);

/// Splits a PC_ID / RTC_ID value into its fields (the layout must be valid; an invalid one gives
/// all-zero fields).
EaxcId unpack_eaxc_id(std::uint16_t value, const EaxcIdLayout& layout);

/// ecpriSeqid: a per-eAxC, per-plane counter, plus the application-layer fragmentation fields.
struct EcpriSequenceId {
  std::uint8_t sequence_id = 0;
  bool last_fragment = true;       ///< E bit: 1 on the last (or only) fragment.
  std::uint8_t subsequence_id = 0; ///< 0..127, the fragment number.
  friend bool operator==(const EcpriSequenceId&, const EcpriSequenceId&) = default;
};

/// eCPRI common header plus the O-RAN transport header (PC_ID / RTC_ID and SEQ_ID).
struct EcpriMessageHeader {
  EcpriMessageType type = EcpriMessageType::iq_data;
  bool concatenated = false;      ///< C bit: another eCPRI message follows in the same frame.
  std::uint16_t payload_size = 0; ///< Bytes after the 4-byte common header (4 + application).
  std::uint16_t eaxc_id = 0;      ///< PC_ID (IQ data) or RTC_ID (real-time control), packed.
  EcpriSequenceId sequence;
  friend bool operator==(const EcpriMessageHeader&, const EcpriMessageHeader&) = default;
};

/// Why a frame or message did not parse. Each malformed case has its own value.
enum class EcpriParseStatus : std::uint8_t {
  ok,
  truncated_ethernet_header,  ///< Fewer than 14 bytes.
  truncated_vlan_tag,         ///< TPID 0x8100 without the 4 tag bytes after it.
  not_ecpri,                  ///< EtherType (after any tag) is not 0xAEFE.
  truncated_ecpri_header,     ///< Fewer than 8 bytes for common + transport header.
  bad_revision,               ///< Protocol revision other than 1.
  unknown_message_type,       ///< Neither IQ data (0) nor real-time control (2).
  payload_size_too_small,     ///< Payload size below 4 (no room for PC_ID/RTC_ID and SEQ_ID).
  payload_size_exceeds_frame, ///< Payload size larger than the bytes that follow the header.
  /// A concatenation chain still announcing messages after ecpri_max_concatenated_messages: the
  /// rest of the frame is not read (for_each_ecpri_message()).
  chain_too_long,
};

/// Short description of \p status, e.g. "payload size exceeds frame".
std::string_view to_string(EcpriParseStatus status);

/// One parsed eCPRI message: the header and its application payload, a view into the input.
struct EcpriMessageView {
  EcpriMessageHeader header;
  /// The O-RAN message after SEQ_ID: exactly payload_size - 4 bytes.
  std::span<const std::uint8_t> application_payload;
  /// Bytes after this message: Ethernet padding or FCS, or (C bit set) the next message after
  /// its 4-byte alignment padding.
  std::span<const std::uint8_t> rest;
};

struct EcpriMessageParseResult {
  EcpriParseStatus status = EcpriParseStatus::ok;
  EcpriMessageView message; ///< Valid only when ok().
  [[nodiscard]] bool ok() const { return status == EcpriParseStatus::ok; }
};

/// A parsed Ethernet frame holding an eCPRI message.
struct EcpriFrameView {
  EthernetHeader ethernet;
  EcpriMessageView message;
};

struct EcpriFrameParseResult {
  EcpriParseStatus status = EcpriParseStatus::ok;
  EcpriFrameView frame; ///< Valid only when ok().
  [[nodiscard]] bool ok() const { return status == EcpriParseStatus::ok; }
};

/// Parses one eCPRI message (common header, PC_ID/RTC_ID, SEQ_ID) at the start of \p bytes.
EcpriMessageParseResult parse_ecpri_message(std::span<const std::uint8_t> bytes);

/// Most eCPRI messages read from one frame's concatenation chain (a bound on the work a frame
/// that keeps setting the C bit can cause).
inline constexpr unsigned ecpri_max_concatenated_messages = 256;

/// The message after \p message in a concatenation chain (eCPRI 2.0: each message starts 4-byte
/// aligned from the start of the first): \p chain is the chain from its first message's common
/// header on, and \p message one of its messages, with the C bit set. A chain too short for the
/// alignment padding gives truncated_ecpri_header.
/// \pre message.rest lies at the end of \p chain (message was parsed from it).
EcpriMessageParseResult next_concatenated_message(std::span<const std::uint8_t> chain,
                                                  const EcpriMessageView& message);

/// Parses an Ethernet frame (without FCS; trailing bytes are allowed and reported in rest) and
/// the first eCPRI message in it.
EcpriFrameParseResult parse_ecpri_frame(std::span<const std::uint8_t> frame);

/// How a walk over a frame's concatenation chain ended.
struct EcpriChainWalk {
  unsigned messages = 0; ///< Messages handed to the callback (the first one included).
  /// ok at the chain's end; chain_too_long when the last message handed over, the
  /// ecpri_max_concatenated_messages-th, still announces another (C bit); else the status of the
  /// message the last one announced and that could not be parsed. Either way the message not
  /// handed over is one more of the chain's.
  EcpriParseStatus status = EcpriParseStatus::ok;
};

/// Calls \p on_message with \p parsed's first message and then with each message concatenated
/// after it (each 4-byte aligned from the start of the first), at most
/// ecpri_max_concatenated_messages in all. \p parsed is parse_ecpri_frame(\p frame), ok.
template <typename OnMessage>
EcpriChainWalk for_each_ecpri_message(std::span<const std::uint8_t> frame,
                                      const EcpriFrameView& parsed, OnMessage&& on_message) {
  const std::span<const std::uint8_t> chain = frame.subspan(parsed.ethernet.size());
  EcpriMessageView message = parsed.message;
  EcpriChainWalk walk;
  on_message(message);
  for (walk.messages = 1;
       message.header.concatenated && walk.messages < ecpri_max_concatenated_messages;
       ++walk.messages) {
    const auto next = next_concatenated_message(chain, message);
    if (!next.ok()) {
      walk.status = next.status;
      break;
    }
    message = next.message;
    on_message(message);
  }
  if (walk.status == EcpriParseStatus::ok && message.header.concatenated) {
    walk.status = EcpriParseStatus::chain_too_long;
  }
  return walk;
}

/// Bytes that write_ecpri_frame_header() writes: Ethernet (+ tag) and the 8 eCPRI header bytes;
/// the application payload starts at this offset.
inline std::size_t ecpri_frame_header_size(const EthernetHeader& ethernet) {
  return ethernet.size() + ecpri_common_header_size + ecpri_transport_header_size;
}

/// Largest application payload one eCPRI message can carry (payload size is 16 bits).
inline constexpr std::size_t ecpri_max_application_payload = 0xFFFF - ecpri_transport_header_size;

/// Writes the Ethernet header, the eCPRI common header and PC_ID/RTC_ID + SEQ_ID of a message
/// whose application payload (written by the caller at offset ecpri_frame_header_size()) is
/// \p application_payload_size bytes; header.payload_size is ignored and written as
/// application_payload_size + 4. Returns the header size, or 0 (nothing written) when \p out is
/// shorter than that or the payload is larger than ecpri_max_application_payload.
std::size_t write_ecpri_frame_header(std::span<std::uint8_t> out, const EthernetHeader& ethernet,
                                     const EcpriMessageHeader& header,
                                     std::size_t application_payload_size);

} // namespace airan::io
