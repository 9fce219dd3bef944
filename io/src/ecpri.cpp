/// \file
/// \brief Ethernet/VLAN + eCPRI header building and parsing (eCPRI 2.0 3.1.3.1, O-RAN CUS
/// 5.1.3.2.7-8).
#include "airan/io/ecpri.h"

#include "fronthaul_byte_order.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::io {

std::string mac_to_string(const MacAddress& mac) {
  constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (const std::uint8_t byte : mac) {
    if (!text.empty()) {
      text += ':';
    }
    text += digits[byte >> 4U];
    text += digits[byte & 0xFU];
  }
  return text;
}

using detail::load_be16;
using detail::store_be16;

namespace {

/// The four widths, most significant field first.
std::array<unsigned, 4> field_widths(const EaxcIdLayout& layout) {
  return {layout.du_port_bits, layout.band_sector_bits, layout.cc_bits, layout.ru_port_bits};
}

} // namespace

std::uint16_t pack_eaxc_id(const EaxcId& id, const EaxcIdLayout& layout) {
  if (!layout.valid()) {
    throw std::invalid_argument("eAxC ID layout: field widths must add up to 16");
  }
  const std::array<unsigned, 4> values = {id.du_port, id.band_sector, id.cc, id.ru_port};
  const auto widths = field_widths(layout);
  static constexpr std::array<const char*, 4> names = {"DU port", "band sector", "CC", "RU port"};
  std::uint32_t packed = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (values[i] >= (1U << widths[i])) {
      throw std::invalid_argument(std::string("eAxC ID: ") + names[i] + " " +
                                  std::to_string(values[i]) + " does not fit in " +
                                  std::to_string(widths[i]) + " bits");
    }
    packed = (packed << widths[i]) | values[i];
  }
  return static_cast<std::uint16_t>(packed);
}

EaxcId unpack_eaxc_id(std::uint16_t value, const EaxcIdLayout& layout) {
  if (!layout.valid()) {
    return {};
  }
  const auto widths = field_widths(layout);
  std::array<std::uint16_t, 4> fields{};
  unsigned shift = 16;
  for (std::size_t i = 0; i < 4; ++i) {
    shift -= widths[i];
    fields[i] = static_cast<std::uint16_t>((value >> shift) & ((1U << widths[i]) - 1));
  }
  return {fields[0], fields[1], fields[2], fields[3]};
}

std::string_view to_string(EcpriParseStatus status) {
  switch (status) {
  case EcpriParseStatus::ok:
    return "ok";
  case EcpriParseStatus::truncated_ethernet_header:
    return "truncated Ethernet header";
  case EcpriParseStatus::truncated_vlan_tag:
    return "truncated VLAN tag";
  case EcpriParseStatus::not_ecpri:
    return "EtherType is not eCPRI";
  case EcpriParseStatus::truncated_ecpri_header:
    return "truncated eCPRI header";
  case EcpriParseStatus::bad_revision:
    return "eCPRI revision is not 1";
  case EcpriParseStatus::unknown_message_type:
    return "eCPRI message type is neither IQ data nor real-time control";
  case EcpriParseStatus::payload_size_too_small:
    return "eCPRI payload size too small";
  case EcpriParseStatus::payload_size_exceeds_frame:
    return "eCPRI payload size exceeds frame";
  case EcpriParseStatus::chain_too_long:
    return "eCPRI concatenation chain too long";
  }
  return "unknown";
}

EcpriMessageParseResult parse_ecpri_message(std::span<const std::uint8_t> bytes) {
  EcpriMessageParseResult result;
  if (bytes.size() < ecpri_common_header_size + ecpri_transport_header_size) {
    result.status = EcpriParseStatus::truncated_ecpri_header;
    return result;
  }
  const std::uint8_t* p = bytes.data();
  // Byte 0: revision (4 bits), reserved (3 bits), C (1 bit). Reserved bits are ignored.
  if ((p[0] >> 4) != ecpri_protocol_revision) {
    result.status = EcpriParseStatus::bad_revision;
    return result;
  }
  if (p[1] != static_cast<std::uint8_t>(EcpriMessageType::iq_data) &&
      p[1] != static_cast<std::uint8_t>(EcpriMessageType::real_time_control)) {
    result.status = EcpriParseStatus::unknown_message_type;
    return result;
  }
  EcpriMessageHeader& header = result.message.header;
  header.concatenated = (p[0] & 0x01) != 0;
  header.type = static_cast<EcpriMessageType>(p[1]);
  header.payload_size = load_be16(p + 2);
  if (header.payload_size < ecpri_transport_header_size) {
    result.status = EcpriParseStatus::payload_size_too_small;
    return result;
  }
  const std::size_t message_size = ecpri_common_header_size + header.payload_size;
  if (message_size > bytes.size()) {
    result.status = EcpriParseStatus::payload_size_exceeds_frame;
    return result;
  }
  header.eaxc_id = load_be16(p + 4);
  header.sequence.sequence_id = p[6];
  header.sequence.last_fragment = (p[7] & 0x80) != 0;
  header.sequence.subsequence_id = p[7] & 0x7F;
  const std::size_t transport_end = ecpri_common_header_size + ecpri_transport_header_size;
  result.message.application_payload = bytes.subspan(transport_end, message_size - transport_end);
  result.message.rest = bytes.subspan(message_size);
  return result;
}

EcpriMessageParseResult next_concatenated_message(std::span<const std::uint8_t> chain,
                                                  const EcpriMessageView& message) {
  const std::size_t used = chain.size() - message.rest.size();
  const std::size_t padding = (4 - used % 4) % 4;
  if (message.rest.size() < padding) {
    EcpriMessageParseResult result;
    result.status = EcpriParseStatus::truncated_ecpri_header;
    return result;
  }
  return parse_ecpri_message(message.rest.subspan(padding));
}

EcpriFrameParseResult parse_ecpri_frame(std::span<const std::uint8_t> frame) {
  EcpriFrameParseResult result;
  if (frame.size() < ethernet_header_size) {
    result.status = EcpriParseStatus::truncated_ethernet_header;
    return result;
  }
  EthernetHeader& ethernet = result.frame.ethernet;
  std::copy_n(frame.data(), 6, ethernet.destination.begin());
  std::copy_n(frame.data() + 6, 6, ethernet.source.begin());
  std::size_t offset = 12;
  std::uint16_t ethertype = load_be16(frame.data() + offset);
  if (ethertype == ethertype_vlan) {
    if (frame.size() < ethernet_header_size + vlan_tag_size) {
      result.status = EcpriParseStatus::truncated_vlan_tag;
      return result;
    }
    const std::uint16_t tci = load_be16(frame.data() + 14);
    ethernet.vlan = VlanTag{static_cast<std::uint8_t>(tci >> 13), (tci & 0x1000) != 0,
                            static_cast<std::uint16_t>(tci & 0x0FFF)};
    offset += vlan_tag_size;
    ethertype = load_be16(frame.data() + offset);
  }
  if (ethertype != ethertype_ecpri) {
    result.status = EcpriParseStatus::not_ecpri;
    return result;
  }
  const auto message = parse_ecpri_message(frame.subspan(offset + 2));
  result.status = message.status;
  result.frame.message = message.message;
  return result;
}

std::size_t write_ecpri_frame_header(std::span<std::uint8_t> out, const EthernetHeader& ethernet,
                                     const EcpriMessageHeader& header,
                                     std::size_t application_payload_size) {
  const std::size_t size = ecpri_frame_header_size(ethernet);
  if (out.size() < size || application_payload_size > ecpri_max_application_payload) {
    return 0;
  }
  std::uint8_t* p = out.data();
  std::copy(ethernet.destination.begin(), ethernet.destination.end(), p);
  std::copy(ethernet.source.begin(), ethernet.source.end(), p + 6);
  p += 12;
  if (ethernet.vlan) {
    const VlanTag& tag = *ethernet.vlan;
    store_be16(p, ethertype_vlan);
    store_be16(p + 2, static_cast<std::uint16_t>(((tag.priority & 0x7) << 13) |
                                                 (tag.drop_eligible ? 0x1000 : 0) |
                                                 (tag.vlan_id & 0x0FFF)));
    p += 4;
  }
  store_be16(p, ethertype_ecpri);
  p += 2;
  p[0] = static_cast<std::uint8_t>((ecpri_protocol_revision << 4) | (header.concatenated ? 1 : 0));
  p[1] = static_cast<std::uint8_t>(header.type);
  store_be16(p + 2,
             static_cast<std::uint16_t>(application_payload_size + ecpri_transport_header_size));
  store_be16(p + 4, header.eaxc_id);
  p[6] = header.sequence.sequence_id;
  p[7] = static_cast<std::uint8_t>((header.sequence.last_fragment ? 0x80 : 0) |
                                   (header.sequence.subsequence_id & 0x7F));
  return size;
}

} // namespace airan::io
