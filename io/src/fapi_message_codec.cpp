// The PHY API message header (number of messages uint8, opaque handle uint8) and the generic
// message header (message type id uint16, message length uint32 = body bytes), message
// dispatch, and the writer that assembles a buffer.
#include "airan/io/fapi_codec.h"
#include "fapi_codec_common.h"

namespace airan::io {

using namespace fapi_detail;

namespace {

/// Re-bases a body decoder's error offset onto the buffer.
FapiError rebase(FapiError error, std::size_t body_offset) {
  if (!error.ok()) {
    error.offset += static_cast<std::uint32_t>(body_offset);
  }
  return error;
}

template <typename Message>
FapiError decode_into(const FapiMessageView& view, Message& member, FapiMessage& out) {
  out.type = Message::message_type;
  return rebase(decode_message_body(view.body, member), view.offset + fapi_message_header_size);
}

} // namespace

FapiMessageReader::FapiMessageReader(std::span<const std::uint8_t> buffer) : buffer_(buffer) {
  ByteReader reader(buffer);
  header_.num_messages = reader.u8();
  header_.handle = reader.u8();
  if (reader.failed()) {
    error_ = make_fapi_error(FapiStatus::truncated, FapiErrorCode::msg_invalid_config,
                             FapiMessageType::param_request, 0,
                             "PHY API header needs 2 bytes, got %zu", buffer.size());
    return;
  }
  position_ = fapi_phy_header_size;
  if (header_.num_messages == 0 && buffer.size() > position_) {
    error_ = make_fapi_error(FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config,
                             FapiMessageType::param_request, position_,
                             "PHY API header announces no message but %zu byte(s) follow",
                             buffer.size() - position_);
  }
}

bool FapiMessageReader::next(FapiMessageView& view) {
  if (!error_.ok() || messages_read_ == header_.num_messages) {
    return false;
  }
  ByteReader reader(buffer_.subspan(position_), position_);
  const std::uint16_t type_id = reader.u16();
  const std::uint32_t length = reader.u32();
  const auto type = static_cast<FapiMessageType>(type_id);
  if (reader.failed()) {
    error_ = make_fapi_error(FapiStatus::truncated, FapiErrorCode::msg_invalid_config, type,
                             position_, "message %u of %u: header truncated at byte %zu",
                             messages_read_ + 1, header_.num_messages, reader.failure_offset());
    return false;
  }
  if (length > reader.remaining()) {
    error_ = make_fapi_error(FapiStatus::truncated, malformed_code(type), type, position_ + 2,
                             "%s: message length %u exceeds the %zu byte(s) left",
                             fapi_message_type_name(type), length, reader.remaining());
    return false;
  }
  view.type = type;
  view.body = reader.view(length);
  view.offset = position_;
  position_ = reader.offset();
  ++messages_read_;
  if (messages_read_ == header_.num_messages && position_ != buffer_.size()) {
    error_ = make_fapi_error(FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config, type,
                             position_, "%zu byte(s) after the last of %u message(s)",
                             buffer_.size() - position_, header_.num_messages);
  }
  return true;
}

FapiError decode_message(const FapiMessageView& view, FapiMessage& out) {
  switch (view.type) {
  case FapiMessageType::param_request:
    return decode_into(view, out.param_request, out);
  case FapiMessageType::param_response:
    return decode_into(view, out.param_response, out);
  case FapiMessageType::config_request:
    return decode_into(view, out.config_request, out);
  case FapiMessageType::config_response:
    return decode_into(view, out.config_response, out);
  case FapiMessageType::start_request:
    return decode_into(view, out.start_request, out);
  case FapiMessageType::stop_request:
    return decode_into(view, out.stop_request, out);
  case FapiMessageType::stop_indication:
    return decode_into(view, out.stop_indication, out);
  case FapiMessageType::error_indication:
    return decode_into(view, out.error_indication, out);
  case FapiMessageType::slot_indication:
    return decode_into(view, out.slot_indication, out);
  case FapiMessageType::ul_tti_request:
    return decode_into(view, out.ul_tti_request, out);
  case FapiMessageType::crc_indication:
    return decode_into(view, out.crc_indication, out);
  case FapiMessageType::rx_data_indication:
    return decode_into(view, out.rx_data_indication, out);
  case FapiMessageType::uci_indication:
    return decode_into(view, out.uci_indication, out);
  case FapiMessageType::rach_indication:
    return decode_into(view, out.rach_indication, out);
  case FapiMessageType::srs_indication:
    return decode_into(view, out.srs_indication, out);
  default:
    return make_fapi_error(FapiStatus::unknown_message_type, FapiErrorCode::msg_invalid_state,
                           view.type, view.offset, "message type 0x%02X (%s) is not handled",
                           static_cast<unsigned>(view.type), fapi_message_type_name(view.type));
  }
}

FapiError decode_single_message(std::span<const std::uint8_t> buffer, FapiMessage& out,
                                FapiPhyHeader* header) {
  FapiMessageReader reader(buffer);
  if (header != nullptr) {
    *header = reader.header();
  }
  if (!reader.error().ok()) {
    return reader.error();
  }
  if (reader.header().num_messages != 1) {
    return make_fapi_error(FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config,
                           FapiMessageType::param_request, 0,
                           "expected 1 message, the PHY API header announces %u",
                           reader.header().num_messages);
  }
  FapiMessageView view;
  const bool have_message = reader.next(view);
  if (!reader.error().ok()) {
    return reader.error();
  }
  return have_message ? decode_message(view, out) : reader.error();
}

FapiMessageWriter::FapiMessageWriter(std::span<std::uint8_t> buffer, std::uint8_t handle)
    : buffer_(buffer), handle_(handle) {
  clear();
}

void FapiMessageWriter::clear() {
  num_messages_ = 0;
  size_ = 0;
  if (buffer_.size() >= fapi_phy_header_size) {
    buffer_[0] = 0;
    buffer_[1] = handle_;
    size_ = fapi_phy_header_size;
  }
}

FapiError FapiMessageWriter::begin_message(FapiMessageType type) {
  if (size_ < fapi_phy_header_size || buffer_.size() - size_ < fapi_message_header_size) {
    return buffer_too_small_error(type, size_ + fapi_message_header_size);
  }
  if (num_messages_ == 0xFF) {
    return make_fapi_error(FapiStatus::capacity_exceeded, malformed_code(type), type, size_,
                           "a buffer holds at most 255 messages");
  }
  return {};
}

std::span<std::uint8_t> FapiMessageWriter::body_space() const {
  return buffer_.subspan(size_ + fapi_message_header_size);
}

FapiError FapiMessageWriter::finish_message(FapiMessageType type, FapiError error,
                                            std::size_t body_size) {
  if (!error.ok()) {
    if (error.status == FapiStatus::buffer_too_small) {
      error.offset = static_cast<std::uint32_t>(size_);
    }
    return error;
  }
  ByteWriter header(buffer_.subspan(size_, fapi_message_header_size));
  header.u16(static_cast<std::uint16_t>(type));
  header.u32(static_cast<std::uint32_t>(body_size));
  size_ += fapi_message_header_size + body_size;
  buffer_[0] = static_cast<std::uint8_t>(++num_messages_);
  return {};
}

FapiError FapiMessageWriter::add(const FapiMessage& message) {
  switch (message.type) {
  case FapiMessageType::param_request:
    return add(message.param_request);
  case FapiMessageType::param_response:
    return add(message.param_response);
  case FapiMessageType::config_request:
    return add(message.config_request);
  case FapiMessageType::config_response:
    return add(message.config_response);
  case FapiMessageType::start_request:
    return add(message.start_request);
  case FapiMessageType::stop_request:
    return add(message.stop_request);
  case FapiMessageType::stop_indication:
    return add(message.stop_indication);
  case FapiMessageType::error_indication:
    return add(message.error_indication);
  case FapiMessageType::slot_indication:
    return add(message.slot_indication);
  case FapiMessageType::ul_tti_request:
    return add(message.ul_tti_request);
  case FapiMessageType::crc_indication:
    return add(message.crc_indication);
  case FapiMessageType::rx_data_indication:
    return add(message.rx_data_indication);
  case FapiMessageType::uci_indication:
    return add(message.uci_indication);
  case FapiMessageType::rach_indication:
    return add(message.rach_indication);
  case FapiMessageType::srs_indication:
    return add(message.srs_indication);
  default:
    return make_fapi_error(FapiStatus::unknown_message_type, FapiErrorCode::msg_invalid_state,
                           message.type, size_, "message type 0x%02X (%s) is not handled",
                           static_cast<unsigned>(message.type),
                           fapi_message_type_name(message.type));
  }
}

} // namespace airan::io
