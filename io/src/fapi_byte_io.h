/// \file
/// \brief Bounds-checked little-endian reading and writing for the FAPI codec. Both are
/// "sticky": after the first read past the end (or write past the end) every later access is a
/// no-op returning zero, and failed() / failure_offset() tell where it happened, so a decoder
/// can read a block of fields and check once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace airan::io::fapi_detail {

/// Reads little-endian integers from a span, never past its end.
class ByteReader {
public:
  /// \param base_offset Added to positions in error reports (offset of bytes[0] in the message).
  explicit ByteReader(std::span<const std::uint8_t> bytes, std::size_t base_offset = 0)
      : bytes_(bytes), base_(base_offset) {}

  std::uint8_t u8() {
    const std::uint8_t* p = take(1);
    return p != nullptr ? p[0] : 0;
  }
  std::uint16_t u16() {
    const std::uint8_t* p = take(2);
    return p != nullptr ? static_cast<std::uint16_t>(p[0] | (p[1] << 8)) : 0;
  }
  std::uint32_t u32() {
    const std::uint8_t* p = take(4);
    return p != nullptr
               ? static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
                     (static_cast<std::uint32_t>(p[2]) << 16) |
                     (static_cast<std::uint32_t>(p[3]) << 24)
               : 0;
  }
  /// Copies out.size() bytes.
  void copy(std::span<std::uint8_t> out) {
    if (const std::uint8_t* p = take(out.size()); p != nullptr && !out.empty()) {
      std::memcpy(out.data(), p, out.size());
    }
  }
  /// The next \p count bytes, without copying (empty after a failure).
  std::span<const std::uint8_t> view(std::size_t count) {
    const std::uint8_t* p = take(count);
    return p != nullptr ? std::span<const std::uint8_t>(p, count) : std::span<const std::uint8_t>();
  }
  void skip(std::size_t count) { (void)take(count); }

  [[nodiscard]] bool failed() const { return failed_; }
  /// Absolute offset (base + position) where the first failed read started.
  [[nodiscard]] std::size_t failure_offset() const { return base_ + failure_position_; }
  /// Absolute offset of the next byte.
  [[nodiscard]] std::size_t offset() const { return base_ + position_; }
  [[nodiscard]] std::size_t position() const { return position_; }
  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - position_; }

private:
  const std::uint8_t* take(std::size_t count) {
    if (failed_) {
      return nullptr;
    }
    if (count > bytes_.size() - position_) {
      failed_ = true;
      failure_position_ = position_;
      return nullptr;
    }
    const std::uint8_t* p = bytes_.data() + position_;
    position_ += count;
    return p;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t base_ = 0;
  std::size_t position_ = 0;
  std::size_t failure_position_ = 0;
  bool failed_ = false;
};

/// Writes little-endian integers into a span, never past its end.
class ByteWriter {
public:
  explicit ByteWriter(std::span<std::uint8_t> bytes) : bytes_(bytes) {}

  void u8(std::uint8_t value) {
    if (std::uint8_t* p = take(1)) {
      p[0] = value;
    }
  }
  void u16(std::uint16_t value) {
    if (std::uint8_t* p = take(2)) {
      p[0] = static_cast<std::uint8_t>(value);
      p[1] = static_cast<std::uint8_t>(value >> 8);
    }
  }
  void u32(std::uint32_t value) {
    if (std::uint8_t* p = take(4)) {
      for (int i = 0; i < 4; ++i) {
        p[i] = static_cast<std::uint8_t>(value >> (8 * i));
      }
    }
  }
  void bytes(std::span<const std::uint8_t> data) {
    if (std::uint8_t* p = take(data.size()); p != nullptr && !data.empty()) {
      std::memcpy(p, data.data(), data.size());
    }
  }
  void zeros(std::size_t count) {
    if (std::uint8_t* p = take(count); p != nullptr && count != 0) {
      std::memset(p, 0, count);
    }
  }
  /// Overwrites a uint16 already written at \p position.
  void patch_u16(std::size_t position, std::uint16_t value) {
    if (position + 2 <= position_) {
      bytes_[position] = static_cast<std::uint8_t>(value);
      bytes_[position + 1] = static_cast<std::uint8_t>(value >> 8);
    }
  }

  [[nodiscard]] bool failed() const { return failed_; }
  [[nodiscard]] std::size_t position() const { return position_; }

private:
  std::uint8_t* take(std::size_t count) {
    if (failed_ || count > bytes_.size() - position_) {
      failed_ = true;
      return nullptr;
    }
    std::uint8_t* p = bytes_.data() + position_;
    position_ += count;
    return p;
  }

  std::span<std::uint8_t> bytes_;
  std::size_t position_ = 0;
  bool failed_ = false;
};

} // namespace airan::io::fapi_detail
