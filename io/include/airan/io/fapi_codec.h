/// \file
/// \brief Little-endian SCF 222.10.02 codec: the PHY API message header (number of messages,
/// opaque handle), the generic message header (type id uint16, body length uint32) and every
/// message of fapi_messages.h.
///
/// Decoding reads only inside the given span, checks every length and range, and reports the
/// first problem as a FapiError with the spec's error code (MSG_INVALID_CONFIG for P5 messages,
/// MSG_SLOT_ERR for P7 ones, MSG_INVALID_SFN for an SFN or slot out of range, MSG_INVALID_STATE
/// for a message type the codec does not handle). Encoding writes into the caller's span and
/// checks the same ranges. Neither allocates, but for a CONFIG.request's UCI configuration (its
/// CSI part 2 size maps are vectors).
#pragma once

#include "airan/io/fapi_messages.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::io {

/// Bytes of the PHY API message header: number of messages (uint8), opaque handle (uint8).
inline constexpr std::size_t fapi_phy_header_size = 2;
/// Bytes of the generic message header: message type id (uint16), message length (uint32).
inline constexpr std::size_t fapi_message_header_size = 6;

/// The PHY API message header that starts every buffer.
struct FapiPhyHeader {
  std::uint8_t num_messages = 0;
  std::uint8_t handle = 0; ///< Opaque to the PHY (the spec's "opaque handle").
  friend bool operator==(const FapiPhyHeader&, const FapiPhyHeader&) = default;
};

/// One message located inside a buffer.
struct FapiMessageView {
  FapiMessageType type = FapiMessageType::param_request;
  std::span<const std::uint8_t> body; ///< Message body (message length bytes).
  std::size_t offset = 0;             ///< Offset of the message's header in the buffer.
};

/// Walks the messages of one buffer (PHY API header + messages) without copying.
class FapiMessageReader {
public:
  /// Reads the PHY API header; error() tells whether that worked.
  explicit FapiMessageReader(std::span<const std::uint8_t> buffer);

  [[nodiscard]] const FapiPhyHeader& header() const { return header_; }
  /// ok() until a header or length is wrong: a truncated buffer, a body longer than the bytes
  /// left, fewer messages than announced, or bytes left after the last announced message.
  [[nodiscard]] const FapiError& error() const { return error_; }

  /// The next message; false when all announced messages were read or on an error.
  bool next(FapiMessageView& view);

private:
  std::span<const std::uint8_t> buffer_;
  std::size_t position_ = 0;
  unsigned messages_read_ = 0;
  FapiPhyHeader header_;
  FapiError error_;
};

/// Decodes the body of \p view into the member of \p out its type selects, and sets out.type.
/// Error offsets are relative to the buffer the view came from.
FapiError decode_message(const FapiMessageView& view, FapiMessage& out);

/// Decodes a buffer that holds exactly one message (PHY API header with num_messages = 1).
FapiError decode_single_message(std::span<const std::uint8_t> buffer, FapiMessage& out,
                                FapiPhyHeader* header = nullptr);

/// Body decoders, one per message (error offsets relative to \p body).
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiParamRequest& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiParamResponse& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiConfigRequest& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiConfigResponse& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiStartRequest& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiStopRequest& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiStopIndication& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiErrorIndication& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiSlotIndication& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiUlTtiRequest& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiCrcIndication& out);
/// The payload spans of \p out view \p body.
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiRxDataIndication& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiUciIndication& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiRachIndication& out);
FapiError decode_message_body(std::span<const std::uint8_t> body, FapiSrsIndication& out);

/// Body encoders: write the body of \p message to \p out, its size to \p written.
FapiError encode_message_body(const FapiParamRequest& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiParamResponse& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiConfigRequest& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiConfigResponse& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiStartRequest& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiStopRequest& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiStopIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiErrorIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiSlotIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiUlTtiRequest& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiCrcIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiRxDataIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiUciIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiRachIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written);
FapiError encode_message_body(const FapiSrsIndication& message, std::span<std::uint8_t> out,
                              std::size_t& written);

/// Builds one buffer: PHY API header, then messages appended one by one. The header's message
/// count is kept up to date, so bytes() is a valid buffer after every successful add().
class FapiMessageWriter {
public:
  /// \param buffer Where the messages go (not owned).
  /// \param handle The PHY API header's opaque handle.
  explicit FapiMessageWriter(std::span<std::uint8_t> buffer, std::uint8_t handle = 0);

  /// Appends \p message (generic header + body). On an error nothing is appended.
  template <typename Message> FapiError add(const Message& message) {
    std::size_t written = 0;
    FapiError error = begin_message(Message::message_type);
    if (error.ok()) {
      error = encode_message_body(message, body_space(), written);
    }
    return finish_message(Message::message_type, error, written);
  }
  /// Appends the member of \p message that message.type selects.
  FapiError add(const FapiMessage& message);

  /// The buffer so far (header + the messages added).
  [[nodiscard]] std::span<const std::uint8_t> bytes() const { return buffer_.first(size_); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] unsigned num_messages() const { return num_messages_; }
  /// Empties the buffer (keeps the handle).
  void clear();

private:
  FapiError begin_message(FapiMessageType type);
  std::span<std::uint8_t> body_space() const;
  FapiError finish_message(FapiMessageType type, FapiError error, std::size_t body_size);

  std::span<std::uint8_t> buffer_;
  std::size_t size_ = 0;
  unsigned num_messages_ = 0;
  std::uint8_t handle_ = 0;
};

/// Writes \p message alone (PHY API header + one message) into \p out; \p size gets the bytes.
template <typename Message>
FapiError encode_single_message(const Message& message, std::span<std::uint8_t> out,
                                std::size_t& size, std::uint8_t handle = 0) {
  FapiMessageWriter writer(out, handle);
  FapiError error = writer.add(message);
  size = error.ok() ? writer.size() : 0;
  return error;
}

} // namespace airan::io
